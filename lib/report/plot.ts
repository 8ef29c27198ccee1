/**
 * Charts for the notebooks and the exported reports, drawn with Observable
 * Plot on a server-side DOM (linkedom), so they render the same in the Deno
 * kernel, in a CLI and in tests.
 *
 * Every chart has a title, so Plot wraps it in a `<figure>`; the result is a
 * {@link Chart}, which shows as `text/html` in Jupyter (nbconvert keeps HTML
 * outputs but empties `image/svg+xml` ones) and also carries the markup as
 * strings for tests and file export.
 *
 * Charts:
 * - {@link trainingCurves}: loss and accuracy per epoch, train and validation,
 *   one faint line per seed, their mean, the upstream run dashed;
 * - {@link confusionMatrix}: a count heatmap, true × predicted;
 * - {@link classCounts}: bars per class, optionally grouped (train/val);
 * - {@link lengthHistogram}: a histogram of sequence lengths with markers;
 * - {@link experimentSummary}: one metric per experiment, ours as mean ± sd
 *   with each seed, upstream final and best as their own symbols.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import type { EpochRecord } from "../train/record.ts";
import { escapeHtml, HtmlOutput } from "./display.ts";
import { fixed, meanSd } from "./stats.ts";

/** A rendered chart: HTML for Jupyter and pages, SVG for standalone files. */
export class Chart extends HtmlOutput {
  /** The chart's title, as shown above it. */
  readonly title: string;
  /**
   * One standalone SVG document per panel (with `xmlns`, so it opens as an
   * `.svg` file). Legends, titles and captions are HTML around the SVG and
   * are not part of these strings; `html` has everything.
   */
  readonly svgs: string[];

  /** Use the chart functions to build one. */
  constructor(title: string, html: string, text: string, svgs: string[]) {
    super(html, text);
    this.title = title;
    this.svgs = svgs;
  }
}

// ---------------------------------------------------------------------------
// Rendering on linkedom. Deno's type library has no DOM types, so the few
// DOM members used here are typed by hand.

interface DomElement {
  readonly outerHTML: string;
  readonly localName: string;
  readonly parentNode: DomElement | null;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  cloneNode(deep: boolean): DomElement;
}

const TITLE_STYLE =
  "font:600 14px/1.3 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 0 2px 0;padding:0;border:none";
const SUBTITLE_STYLE =
  "font:12px/1.3 system-ui,sans-serif;margin:0 0 6px 0;padding:0;color:#444";
const CAPTION_STYLE =
  "font:12px/1.4 system-ui,sans-serif;color:#555;margin-top:4px;max-width:640px";

/** Plot options this module accepts (everything but `document`). */
type PanelOptions = Omit<Plot.PlotOptions, "document"> & { title: string };

/** Renders one Plot figure; returns its HTML and its main SVG standalone. */
function renderPanel(options: PanelOptions): { html: string; svg: string } {
  const { document } = parseHTML(
    "<!DOCTYPE html><html><head></head><body></body></html>",
  ) as unknown as { document: Plot.PlotOptions["document"] };
  const figure = Plot.plot({ ...options, document }) as unknown as DomElement;
  if (figure.localName !== "figure") {
    // Plot only wraps in <figure> when there is a title, subtitle, caption or
    // legend; every chart here has a title, so this is a bug, not bad input.
    throw new Error(
      `renderPanel(): Plot returned <${figure.localName}>, expected <figure>`,
    );
  }
  // Plot's figure is as wide as its widest child; a long legend would make
  // it wider than the chart (and break side-by-side panels), so pin it to
  // the chart's width and let the legend wrap.
  const width = Number(options.width ?? 640);
  figure.setAttribute(
    "style",
    `margin:0 0 12px 0;width:${width}px;max-width:100%`,
  );
  // JupyterLab's stylesheet restyles h2/h3 inside outputs (large, with
  // margins); inline styles keep the chart the same everywhere.
  for (const el of Array.from(figure.querySelectorAll("h2"))) {
    el.setAttribute("style", TITLE_STYLE);
  }
  for (const el of Array.from(figure.querySelectorAll("h3"))) {
    el.setAttribute("style", SUBTITLE_STYLE);
  }
  for (const el of Array.from(figure.querySelectorAll("figcaption"))) {
    el.setAttribute("style", CAPTION_STYLE);
  }
  // The main chart is the SVG that is a direct child of the figure; legend
  // swatches are small SVGs nested in spans.
  const main = Array.from(figure.querySelectorAll("svg")).find((s) =>
    s.parentNode === figure
  );
  if (!main) throw new Error("renderPanel(): Plot produced no chart SVG");
  main.setAttribute("role", "img");
  const standalone = main.cloneNode(true);
  standalone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  return { html: figure.outerHTML, svg: standalone.outerHTML };
}

/**
 * Wraps panels in one block: side by side, wrapping when the page is narrow,
 * with an optional note under the row (for what concerns every panel).
 */
function chartFromPanels(
  title: string,
  panels: { html: string; svg: string }[],
  text: string,
  note?: string,
): Chart {
  const body = panels.length === 1
    ? panels[0].html
    : `<div style="display:flex;flex-wrap:wrap;gap:8px 28px;align-items:flex-start">${
      panels.map((p) => `<div style="flex:0 1 auto">${p.html}</div>`).join("")
    }</div>`;
  const foot = note === undefined
    ? ""
    : `<div style="${CAPTION_STYLE}">${escapeHtml(note)}</div>`;
  const html =
    `<div class="bbc-report-chart" style="max-width:100%;overflow-x:auto">${body}${foot}</div>`;
  return new Chart(title, html, text, panels.map((p) => p.svg));
}

function requireNonEmpty(fn: string, name: string, n: number): void {
  if (n === 0) {
    throw new Error(`${fn}(): ${name} is empty; expected at least one entry`);
  }
}

// ---------------------------------------------------------------------------
// (a) Training curves

/** What {@link trainingCurves} reads from a run (a `RunRecord` fits). */
export interface CurveRun {
  /** Experiment id; all runs of one chart must share it. */
  experiment: string;
  seed: number;
  history: readonly EpochRecord[];
}

/**
 * One epoch of the upstream's saved history (from
 * `shared/reference/upstream-results.json`; `lib/upstream`'s `UpstreamEpoch`
 * fits). A missing or `null` metric is not drawn (the PyTorch notebooks
 * printed no training accuracy).
 */
export interface UpstreamPoint {
  /** 1-based epoch number. */
  epoch: number;
  loss?: number | null;
  accuracy?: number | null;
  valLoss?: number | null;
  valAccuracy?: number | null;
}

/** Options of {@link trainingCurves}. */
export interface TrainingCurvesOptions {
  /** @default "<experiment>: training curves" */
  title?: string;
  /** The upstream notebook's history, drawn dashed. @default none */
  upstream?: readonly UpstreamPoint[];
  /** Legend name of the upstream series. @default "upstream" */
  upstreamLabel?: string;
  /** Width of each of the two panels, px. @default 480 */
  width?: number;
  /** Height of each panel, px. @default 300 */
  height?: number;
}

/** Series names, in legend order, and their colours. */
const CURVE_SERIES = ["train", "validation"] as const;
const CURVE_COLORS = ["#4269d0", "#e8590c"];
const UPSTREAM_COLORS = ["#97bbf5", "#a0522d"];

interface CurvePoint {
  epoch: number;
  value: number;
  series: string;
  /** Groups one line: the seed (or "mean"/"upstream") plus the series. */
  line: string;
}

/**
 * Loss and accuracy against epoch, train and validation, for the runs
 * (seeds) of one experiment: one panel per metric, side by side.
 *
 * - each seed is a thin faint line (only when there are 2+ seeds);
 * - the thick line is the mean over the seeds that reached that epoch (so it
 *   can step when a seed stopped early: the caption lists each seed's
 *   length);
 * - the upstream history, if given, is a dashed line in its own colour.
 *
 * A non-finite value (a diverged epoch) leaves a gap in its seed's line and
 * is left out of the mean. Throws when `runs` is empty, mixes experiments,
 * or a run has no history.
 */
export function trainingCurves(
  runs: readonly CurveRun[],
  options: TrainingCurvesOptions = {},
): Chart {
  requireNonEmpty("trainingCurves", "runs", runs.length);
  const experiment = runs[0].experiment;
  const others = runs.filter((r) => r.experiment !== experiment);
  if (others.length > 0) {
    throw new Error(
      `trainingCurves(): runs mix experiments "${experiment}" and "${
        others[0].experiment
      }"; pass the runs of one experiment`,
    );
  }
  runs.forEach((r, i) => {
    if (r.history.length === 0) {
      throw new Error(
        `trainingCurves(): run ${i} (seed ${r.seed}) has an empty history`,
      );
    }
  });
  const title = options.title ?? `${experiment}: training curves`;
  const upLabel = options.upstreamLabel ?? "upstream";
  const width = options.width ?? 480;
  const height = options.height ?? 300;
  const manySeeds = runs.length > 1;

  const metrics = [
    {
      name: "loss",
      label: "loss (cross-entropy)",
      train: (e: EpochRecord | UpstreamPoint) => e.loss,
      val: (e: EpochRecord | UpstreamPoint) => e.valLoss,
    },
    {
      name: "accuracy",
      label: "accuracy",
      train: (e: EpochRecord | UpstreamPoint) => e.accuracy,
      val: (e: EpochRecord | UpstreamPoint) => e.valAccuracy,
    },
  ];
  const seriesNames = [...CURVE_SERIES] as string[];
  const colors = [...CURVE_COLORS];
  if (options.upstream && options.upstream.length > 0) {
    seriesNames.push(...CURVE_SERIES.map((s) => `${s} (${upLabel}, dashed)`));
    colors.push(...UPSTREAM_COLORS);
  }

  const summaryLines: string[] = [];
  const panels = metrics.map((m) => {
    const seeds: CurvePoint[] = [];
    const means: CurvePoint[] = [];
    const ups: CurvePoint[] = [];
    CURVE_SERIES.forEach((series, k) => {
      const read = k === 0 ? m.train : m.val;
      const byEpoch = new Map<number, number[]>();
      for (const r of runs) {
        for (const e of r.history) {
          const v = read(e) ?? NaN;
          seeds.push({
            epoch: e.epoch,
            value: v,
            series,
            line: `${r.seed}/${series}`,
          });
          const at = byEpoch.get(e.epoch);
          if (at) at.push(v);
          else byEpoch.set(e.epoch, [v]);
        }
      }
      for (const [epoch, values] of [...byEpoch].sort((a, b) => a[0] - b[0])) {
        means.push({
          epoch,
          value: meanSd(values).mean,
          series,
          line: `mean/${series}`,
        });
      }
      const last = means.filter((p) => p.series === series).at(-1);
      if (last) {
        summaryLines.push(
          `  ${series} ${m.name}: ${fixed(last.value)} at epoch ${last.epoch}` +
            (manySeeds ? " (mean over seeds)" : ""),
        );
      }
      for (const e of options.upstream ?? []) {
        const v = read(e);
        if (v === undefined || v === null) continue;
        ups.push({
          epoch: e.epoch,
          value: v,
          series: `${series} (${upLabel}, dashed)`,
          line: `up/${series}`,
        });
      }
    });
    const marks: Plot.Markish[] = [Plot.gridY(), Plot.gridX()];
    if (manySeeds) {
      marks.push(
        Plot.line(seeds, {
          x: "epoch",
          y: "value",
          z: "line",
          stroke: "series",
          strokeWidth: 1,
          strokeOpacity: 0.3,
        }),
      );
    }
    marks.push(
      Plot.line(means, {
        x: "epoch",
        y: "value",
        z: "line",
        stroke: "series",
        strokeWidth: 2,
      }),
    );
    if (ups.length > 0) {
      marks.push(
        Plot.line(ups, {
          x: "epoch",
          y: "value",
          z: "line",
          stroke: "series",
          strokeWidth: 1.6,
          strokeDasharray: "5,3",
        }),
      );
    }
    return renderPanel({
      title: `${title}: ${m.name}`,
      width,
      height,
      marginLeft: 48,
      x: { label: "epoch", labelAnchor: "right", labelArrow: "none" },
      y: m.name === "accuracy"
        ? { label: m.label, domain: [0, 1], labelArrow: "none" }
        : { label: m.label, zero: true, labelArrow: "none" },
      color: {
        legend: true,
        domain: seriesNames,
        range: colors,
      },
      marks,
    });
  });

  const lengths = runs.map((r) => `seed ${r.seed}: ${r.history.length} epochs`)
    .join(", ");
  const note = manySeeds
    ? `Thin lines: each of ${runs.length} seeds (${lengths}); thick: their mean at each epoch, over the seeds still training.`
    : `One run (${lengths}).`;
  const upNote = options.upstream && options.upstream.length > 0
    ? ` Dashed: ${upLabel}, one run of ${options.upstream.length} epochs.`
    : "";
  return chartFromPanels(
    title,
    panels,
    [title, ...summaryLines, note + upNote].join("\n"),
    note + upNote,
  );
}

// ---------------------------------------------------------------------------
// (b) Confusion matrix

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** @default "Confusion matrix" */
  title?: string;
  /** Cell size in px. @default 52 */
  cellSize?: number;
}

/**
 * A heatmap of `matrix[true][predicted]` with the count written in each
 * cell; the caption gives the total and the accuracy (diagonal / total).
 * Throws unless `matrix` is a square of non-negative integers whose size is
 * `labels.length` (the message names the row and column).
 */
export function confusionMatrix(
  labels: readonly string[],
  matrix: readonly (readonly number[])[],
  options: ConfusionMatrixOptions = {},
): Chart {
  requireNonEmpty("confusionMatrix", "labels", labels.length);
  if (matrix.length !== labels.length) {
    throw new Error(
      `confusionMatrix(): matrix has ${matrix.length} rows; expected ${labels.length} (one per label)`,
    );
  }
  const cells: { actual: string; predicted: string; count: number }[] = [];
  matrix.forEach((row, i) => {
    if (row.length !== labels.length) {
      throw new Error(
        `confusionMatrix(): row ${i} ("${
          labels[i]
        }") has ${row.length} columns; expected ${labels.length}`,
      );
    }
    row.forEach((count, j) => {
      if (!Number.isInteger(count) || count < 0) {
        throw new Error(
          `confusionMatrix(): cell [${i}][${j}] is ${count}; expected a non-negative integer count`,
        );
      }
      cells.push({ actual: labels[i], predicted: labels[j], count });
    });
  });
  const total = cells.reduce((a, c) => a + c.count, 0);
  const correct = labels.reduce((a, _, i) => a + matrix[i][i], 0);
  const max = Math.max(...cells.map((c) => c.count));
  const title = options.title ?? "Confusion matrix";
  const size = options.cellSize ?? 52;
  const longest = Math.max(...labels.map((l) => l.length));
  const marginLeft = 24 + Math.ceil(longest * 6.5);
  const marginBottom = 40 + Math.ceil(longest * 6.5 * 0.5); // sin 30° = 0.5
  const caption = `Rows: true class; columns: predicted. ${total} rows, ` +
    `${correct} on the diagonal (accuracy ${
      total > 0 ? fixed(correct / total) : "NaN"
    }).`;
  const panel = renderPanel({
    title,
    caption,
    width: marginLeft + size * labels.length + 10,
    height: 10 + marginBottom + size * labels.length,
    marginLeft,
    marginTop: 10,
    marginBottom,
    padding: 0.04,
    // Class names are wider than a cell: slanted ticks do not collide.
    x: {
      tickRotate: -30,
      label: "predicted",
      domain: labels as string[],
      labelAnchor: "center",
    },
    y: { label: "true", domain: labels as string[], labelAnchor: "center" },
    color: { type: "linear", scheme: "blues", domain: [0, Math.max(1, max)] },
    marks: [
      Plot.cell(cells, { x: "predicted", y: "actual", fill: "count" }),
      Plot.text(cells, {
        x: "predicted",
        y: "actual",
        text: (d: { count: number }) => String(d.count),
        fill: (d: { count: number }) =>
          d.count > 0.55 * max ? "white" : "black",
        fontSize: 13,
      }),
    ],
  });
  // Text: true classes down, predicted across, every column as wide as the
  // longest label so the header lines up.
  const w = Math.max(longest, "true \\ pred".length);
  const text = [
    title,
    `${"true \\ pred".padEnd(w)} ${
      labels.map((l) => l.padStart(longest)).join(" ")
    }`,
    ...matrix.map((row, i) =>
      `${labels[i].padEnd(w)} ${
        row.map((c) => String(c).padStart(longest)).join(" ")
      }`
    ),
    caption,
  ].join("\n");
  return chartFromPanels(title, [panel], text);
}

// ---------------------------------------------------------------------------
// (c) Data: class counts and lengths

/** One bar of {@link classCounts}. */
export interface CountRow {
  /** Class name (x axis). */
  label: string;
  count: number;
  /** Optional group (e.g. "train"/"validation"): grouped, coloured bars. */
  group?: string;
}

/** Options of {@link classCounts}. */
export interface ClassCountsOptions {
  /** @default "Articles per class" */
  title?: string;
  /** Axis label under the classes. @default none (the title says it) */
  xLabel?: string;
  /** @default "articles" */
  yLabel?: string;
  /** @default 560 */
  width?: number;
  /** @default 300 */
  height?: number;
}

/**
 * Bars of `count` per class with the number above each bar. When rows carry
 * a `group`, each class gets one bar per group, coloured, with a legend.
 * Throws on an empty list or a negative/non-finite count (naming the row).
 */
export function classCounts(
  rows: readonly CountRow[],
  options: ClassCountsOptions = {},
): Chart {
  requireNonEmpty("classCounts", "rows", rows.length);
  rows.forEach((r, i) => {
    if (!Number.isFinite(r.count) || r.count < 0) {
      throw new Error(
        `classCounts(): row ${i} ("${r.label}") has count ${r.count}; expected a non-negative number`,
      );
    }
  });
  const title = options.title ?? "Articles per class";
  const grouped = rows.some((r) => r.group !== undefined);
  const data = rows.map((r) => ({ ...r, group: r.group ?? "" }));
  const labels = [...new Set(rows.map((r) => r.label))];
  const common = {
    title,
    width: options.width ?? 560,
    height: options.height ?? 300,
    marginTop: 24,
    y: { label: options.yLabel ?? "articles", grid: true, labelArrow: "none" },
  } as const;
  const panel = grouped
    ? renderPanel({
      ...common,
      fx: { label: options.xLabel ?? null, domain: labels },
      x: { axis: null, domain: [...new Set(data.map((d) => d.group))] },
      color: { legend: true },
      marks: [
        Plot.barY(data, { fx: "label", x: "group", y: "count", fill: "group" }),
        Plot.text(data, {
          fx: "label",
          x: "group",
          y: "count",
          text: (d: CountRow) => String(d.count),
          dy: -6,
          fontSize: 11,
        }),
        Plot.ruleY([0]),
      ],
    })
    : renderPanel({
      ...common,
      x: { label: options.xLabel ?? null, domain: labels },
      marks: [
        Plot.barY(data, { x: "label", y: "count", fill: "#4269d0" }),
        Plot.text(data, {
          x: "label",
          y: "count",
          text: (d: CountRow) => String(d.count),
          dy: -6,
          fontSize: 11,
        }),
        Plot.ruleY([0]),
      ],
    });
  const text = [
    title,
    ...rows.map((r) =>
      `  ${r.label}${r.group === undefined ? "" : ` (${r.group})`}: ${r.count}`
    ),
  ].join("\n");
  return chartFromPanels(title, [panel], text);
}

/** A vertical reference line on {@link lengthHistogram}, e.g. the median. */
export interface Marker {
  label: string;
  value: number;
}

/** Options of {@link lengthHistogram}. */
export interface LengthHistogramOptions {
  /** @default "Sequence lengths" */
  title?: string;
  /** @default "tokens per article" */
  xLabel?: string;
  /** Approximate number of bins (d3's "nice" thresholds). @default 40 */
  bins?: number;
  /** Reference lines with labels. @default none */
  markers?: readonly Marker[];
  /** @default 640 */
  width?: number;
  /** @default 280 */
  height?: number;
}

/**
 * A histogram of `lengths` (counts per bin) with optional labelled markers.
 * The caption states n, min, median and max. Throws on an empty list or a
 * non-finite/negative length (naming its index).
 */
export function lengthHistogram(
  lengths: readonly number[],
  options: LengthHistogramOptions = {},
): Chart {
  requireNonEmpty("lengthHistogram", "lengths", lengths.length);
  lengths.forEach((v, i) => {
    if (!Number.isFinite(v) || v < 0) {
      throw new Error(
        `lengthHistogram(): lengths[${i}] is ${v}; expected a non-negative number`,
      );
    }
  });
  const title = options.title ?? "Sequence lengths";
  const sorted = [...lengths].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2
    ? sorted[mid]
    : (sorted[mid - 1] + sorted[mid]) / 2;
  const caption = `n = ${lengths.length}; min ${
    sorted[0]
  }, median ${median}, max ${sorted.at(-1)}.`;
  const markers = options.markers ?? [];
  const values = lengths.map((v) => ({ v }));
  const panel = renderPanel({
    title,
    caption,
    width: options.width ?? 640,
    height: options.height ?? 280,
    marginTop: markers.length > 0 ? 28 : 20,
    marginRight: 40,
    x: { label: options.xLabel ?? "tokens per article", labelArrow: "none" },
    y: { label: "count", grid: true, labelArrow: "none" },
    marks: [
      Plot.rectY(
        values,
        Plot.binX<Plot.RectYOptions>({ y: "count" }, {
          x: "v",
          thresholds: options.bins ?? 40,
          fill: "#4269d0",
          inset: 0.5,
        }),
      ),
      Plot.ruleY([0]),
      Plot.ruleX(markers, {
        x: "value",
        stroke: "#e8590c",
        strokeDasharray: "4,3",
      }),
      Plot.text(markers, {
        x: "value",
        frameAnchor: "top",
        dy: -14,
        text: (m: Marker) => `${m.label} ${m.value}`,
        fill: "#e8590c",
        fontSize: 11,
      }),
    ],
  });
  const text = [
    title,
    caption,
    ...markers.map((m) => `  ${m.label}: ${m.value}`),
  ].join("\n");
  return chartFromPanels(title, [panel], text);
}

// ---------------------------------------------------------------------------
// (d) Experiment summary

/** One experiment in {@link experimentSummary}. */
export interface SummaryRow {
  /** Label on the y axis. */
  experiment: string;
  /** Our value per seed (e.g. final validation accuracy of each run). */
  ours: readonly number[];
  /** The upstream notebook's final value. @default none */
  upstreamFinal?: number;
  /** The upstream notebook's best value over epochs. @default none */
  upstreamBest?: number;
}

/** Options of {@link experimentSummary}. */
export interface ExperimentSummaryOptions {
  /** Axis label of the metric, e.g. "final validation accuracy". */
  metric: string;
  /** @default "<metric> by experiment" */
  title?: string;
  /** Fixed x domain, e.g. [0, 1] for accuracy. @default fitted to the data */
  domain?: [number, number];
  /** Decimals in the text fallback. @default 4 */
  digits?: number;
  /** Total width, px. @default the label margin + 500 */
  width?: number;
}

const SUMMARY_SERIES = [
  "ours: seed",
  "ours: mean ± sd",
  "upstream: final",
  "upstream: best",
] as const;

/**
 * One row per experiment: each seed as a faint dot, the mean as a filled dot
 * with a ±1 sd bar (sample sd, n − 1), and the upstream's final and best
 * values as their own symbols. Experiments keep the order given. Throws on
 * an empty list or a row without any finite value of ours (naming it).
 */
export function experimentSummary(
  rows: readonly SummaryRow[],
  options: ExperimentSummaryOptions,
): Chart {
  requireNonEmpty("experimentSummary", "rows", rows.length);
  const digits = options.digits ?? 4;
  const stats = rows.map((r) => {
    const s = meanSd(r.ours);
    if (s.n === 0) {
      throw new Error(
        `experimentSummary(): experiment "${r.experiment}" has no finite values in ours`,
      );
    }
    return { ...r, ...s };
  });
  type Point = { experiment: string; value: number; series: string };
  const points: Point[] = [];
  for (const s of stats) {
    for (const v of s.ours) {
      if (Number.isFinite(v)) {
        points.push({
          experiment: s.experiment,
          value: v,
          series: SUMMARY_SERIES[0],
        });
      }
    }
    points.push({
      experiment: s.experiment,
      value: s.mean,
      series: SUMMARY_SERIES[1],
    });
    if (s.upstreamFinal !== undefined) {
      points.push({
        experiment: s.experiment,
        value: s.upstreamFinal,
        series: SUMMARY_SERIES[2],
      });
    }
    if (s.upstreamBest !== undefined) {
      points.push({
        experiment: s.experiment,
        value: s.upstreamBest,
        series: SUMMARY_SERIES[3],
      });
    }
  }
  const bars = stats.filter((s) => !Number.isNaN(s.sd)).map((s) => ({
    experiment: s.experiment,
    lo: s.mean - s.sd,
    hi: s.mean + s.sd,
  }));
  const title = options.title ?? `${options.metric} by experiment`;
  const experiments = rows.map((r) => r.experiment);
  const longest = Math.max(...experiments.map((e) => e.length));
  const marginLeft = 16 + Math.ceil(longest * 6.5);
  const panel = renderPanel({
    title,
    caption: "Bars: mean ± 1 sample sd over seeds (no bar for a single seed).",
    width: options.width ?? marginLeft + 500,
    height: 50 + 40 * rows.length,
    marginLeft,
    marginRight: 20,
    x: {
      label: options.metric,
      grid: true,
      nice: true,
      inset: 8, // keeps a dot at the domain's end off the axis line
      labelArrow: "none",
      ...(options.domain ? { domain: options.domain } : {}),
    },
    y: { label: null, domain: experiments },
    // One legend: the symbol legend draws each symbol in its colour.
    color: {
      domain: [...SUMMARY_SERIES],
      range: ["#4269d0", "#1f3f8f", "#e8590c", "#2a9d3c"],
    },
    symbol: {
      legend: true,
      domain: [...SUMMARY_SERIES],
      range: ["circle", "circle", "diamond", "triangle"],
    },
    // Upstream symbols sit a little below the row and ours a little above,
    // so equal values do not hide each other.
    marks: [
      Plot.dot(points.filter((p) => p.series.startsWith("upstream")), {
        x: "value",
        y: "experiment",
        dy: 7,
        stroke: "series",
        symbol: "series",
        r: 5,
        strokeWidth: 1.8,
      }),
      Plot.ruleY(bars, {
        y: "experiment",
        dy: -6,
        x1: "lo",
        x2: "hi",
        stroke: "#1f3f8f",
        strokeWidth: 2,
      }),
      Plot.dot(points.filter((p) => p.series === SUMMARY_SERIES[0]), {
        x: "value",
        y: "experiment",
        dy: -6,
        stroke: "series",
        symbol: "series",
        r: 2.5,
        strokeOpacity: 0.7,
      }),
      Plot.dot(points.filter((p) => p.series === SUMMARY_SERIES[1]), {
        x: "value",
        y: "experiment",
        dy: -6,
        fill: "series",
        stroke: "series",
        symbol: "series",
        r: 4,
      }),
    ],
  });
  const text = [
    title,
    ...stats.map((s) =>
      `  ${s.experiment}: ours ${fixed(s.mean, digits)}` +
      (Number.isNaN(s.sd) ? "" : ` ± ${fixed(s.sd, digits)}`) +
      ` (n=${s.n})` +
      (s.upstreamFinal === undefined
        ? ""
        : `; upstream final ${fixed(s.upstreamFinal, digits)}`) +
      (s.upstreamBest === undefined
        ? ""
        : `; upstream best ${fixed(s.upstreamBest, digits)}`)
    ),
  ].join("\n");
  return chartFromPanels(title, [panel], text);
}

// ---------------------------------------------------------------------------
// (e) Series curves

/** One experiment's runs for {@link seriesCurves}. */
export interface SeriesCurve {
  /** Legend label, e.g. "07 pack + init + fb". */
  label: string;
  /** Panel this experiment is drawn in, e.g. "Keras" or "PyTorch port". */
  group: string;
  /** Histories of the experiment's seeds. */
  histories: readonly (readonly EpochRecord[])[];
}

/**
 * Mean validation accuracy per epoch of many experiments, one line each
 * (mean over the seeds still training at that epoch), one panel per group.
 * Throws on an empty list or an experiment without any history.
 */
export function seriesCurves(
  curves: readonly SeriesCurve[],
  options: { title?: string; width?: number; height?: number } = {},
): Chart {
  requireNonEmpty("seriesCurves", "curves", curves.length);
  const title = options.title ??
    "Validation accuracy per epoch, every experiment";
  const groups = [...new Set(curves.map((c) => c.group))];
  const textLines = [title];
  const panels = groups.map((group) => {
    const points: { epoch: number; value: number; label: string }[] = [];
    for (const c of curves.filter((x) => x.group === group)) {
      if (
        c.histories.length === 0 || c.histories.every((h) => h.length === 0)
      ) {
        throw new Error(`seriesCurves(): "${c.label}" has no history`);
      }
      const byEpoch = new Map<number, number[]>();
      for (const h of c.histories) {
        for (const e of h) {
          const at = byEpoch.get(e.epoch);
          if (at) at.push(e.valAccuracy);
          else byEpoch.set(e.epoch, [e.valAccuracy]);
        }
      }
      for (const [epoch, values] of [...byEpoch].sort((a, b) => a[0] - b[0])) {
        points.push({ epoch, value: meanSd(values).mean, label: c.label });
      }
      const last = points.at(-1)!;
      textLines.push(
        `  ${group} · ${c.label}: ${fixed(last.value)} at epoch ${last.epoch}`,
      );
    }
    return renderPanel({
      title: `${group}`,
      width: options.width ?? 480,
      height: options.height ?? 320,
      marginLeft: 48,
      x: { label: "epoch", labelAnchor: "right", labelArrow: "none" },
      y: { label: "validation accuracy", domain: [0, 1], labelArrow: "none" },
      color: { legend: true, type: "ordinal", scheme: "tableau10" },
      marks: [
        Plot.gridY(),
        Plot.gridX(),
        Plot.line(points, {
          x: "epoch",
          y: "value",
          z: "label",
          stroke: "label",
          strokeWidth: 1.8,
        }),
      ],
    });
  });
  const note =
    "Each line: mean over seeds of the validation accuracy after each epoch (seeds that stopped early drop out of the mean).";
  return chartFromPanels(title, panels, [...textLines, note].join("\n"), note);
}
