/**
 * What the notebooks show, one function per section, so a notebook is a
 * handful of calls: settings, the config delta, the data, the runs, the
 * evaluation beside the upstream, the curves, and a conclusion computed from
 * the measured numbers (never typed in by hand).
 *
 * @module
 */

import pl from "nodejs-polars";
import { BASE_CONFIG } from "./config.ts";
import { REPO_ROOT } from "./data/paths.ts";
import {
  diffConfigs,
  type Experiment,
  experiment,
  experiments,
} from "./experiments.ts";
import type { LabelledData, UnlabelledData } from "./data/load.ts";
import { dataQuality } from "./data/quality.ts";
import { escapeHtml, HtmlOutput, stack } from "./report/display.ts";
import {
  classCounts,
  confusionMatrix,
  experimentSummary,
  lengthHistogram,
  seriesCurves,
  trainingCurves,
} from "./report/plot.ts";
import { fixed, type MeanSd, meanSd } from "./report/stats.ts";
import { table } from "./report/table.ts";
import { modeConfig, type SeriesSettings } from "./series.ts";
import { DOUBLE_SOFTMAX_FLOOR } from "./model/classifier.ts";
import type { PreparedData } from "./train/prepare.ts";
import type { RunRecord } from "./train/record.ts";
import { writeSubmission } from "./train/submission.ts";
import { configHash, listRuns } from "./train/run_store.ts";
import { type UpstreamRun, upstreamRun } from "./upstream/mod.ts";

function fmt(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

function paragraphs(lines: string[], title?: string): HtmlOutput {
  const html = (title ? `<h4>${escapeHtml(title)}</h4>` : "") +
    lines.map((l) => `<p>${l}</p>`).join("\n");
  const text = (title ? `${title}\n` : "") +
    lines.map((l) => l.replace(/<[^>]+>/g, "")).join("\n");
  return new HtmlOutput(html, text);
}

/** A one-line description of the session: mode, seeds, reuse. */
export function showSettings(s: SeriesSettings): HtmlOutput {
  return paragraphs([
    `Mode <b>${s.mode}</b>${
      s.mode === "quick"
        ? " (a few hundred articles, 2 epochs: a smoke test, not a result)"
        : ""
    } · seeds <b>${s.seeds.join(", ")}</b> · ${
      s.retrain
        ? "retraining every run"
        : "stored runs with the same config are reused"
    } · run store <code>${
      escapeHtml(
        s.runsRoot.startsWith(`${REPO_ROOT}/`)
          ? s.runsRoot.slice(REPO_ROOT.length + 1)
          : s.runsRoot,
      )
    }</code>`,
  ]);
}

/** The options this experiment changes from its base, as a table. */
export function showDelta(exp: Experiment): HtmlOutput {
  const base = exp.base ? experiment(exp.base) : null;
  const rows = diffConfigs(base ? base.config : BASE_CONFIG, exp.config);
  return table(
    rows.map(([option, from, to]) => ({
      option,
      from: fmt(from),
      to: fmt(to),
    })),
    [
      { header: "option", value: "option" },
      { header: base ? base.id : "library base config", value: "from" },
      { header: exp.id, value: "to" },
    ],
    {
      title: `${exp.id}: the change from ${
        base ? base.id : "the library's base config"
      }`,
      note: exp.toggle,
    },
  );
}

function percentile(sorted: Int32Array, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Sizes, vocabulary and sequence lengths of the prepared data. */
export function showData(data: PreparedData): HtmlOutput {
  const sorted = Int32Array.from(data.lengths).sort();
  const facts = [
    {
      fact: "labelled rows (train + validation)",
      value: `${data.train.rows} + ${data.val.rows}`,
    },
    { fact: "test rows", value: String(data.test.rows) },
    { fact: "tokenizer", value: data.tokenizer.kind },
    {
      fact: "vocabulary size (as upstream printed it)",
      value: String(data.tokenizer.vocabSize),
    },
    { fact: "embedding rows", value: String(data.embeddingRows) },
    {
      fact: "padded length (train / test)",
      value:
        `${data.train.timesteps} / ${data.test.timesteps} (${data.config.padding}-padding)`,
    },
    {
      fact: "real tokens per article: min / median / p95 / max",
      value: [0, 0.5, 0.95, 1].map((q) => fixed(percentile(sorted, q), 0))
        .join(" / "),
    },
    { fact: "preparation time", value: `${fixed(data.seconds, 2)} s` },
  ];
  return stack(
    table(facts, [{ header: "", value: "fact" }, {
      header: "",
      value: "value",
    }], {
      title: "Prepared data",
    }),
    lengthHistogram(Array.from(data.lengths), {
      title: "Tokens per labelled article after cleaning and tokenizing",
      markers: [{ value: data.train.timesteps, label: "padded length" }],
    }),
  );
}

/**
 * The data-quality view of notebook 00: class counts (a polars group-by),
 * length distribution, duplicates and train/test overlap.
 */
export function showQuality(
  train: LabelledData,
  test: UnlabelledData,
): HtmlOutput {
  const q = dataQuality(train, test);
  const counts = train.frame.groupBy("Category").len().sort("Category");
  const rows = counts.toRecords() as {
    Category: string;
    len?: number;
    count?: number;
  }[];
  const bars = classCounts(
    rows.map((r) => ({
      label: r.Category,
      count: Number(r.len ?? r.count ?? 0),
    })),
    { title: "Articles per class (train.csv)" },
  );
  const charLengths = (train.frame.getColumn("Text") as pl.Series).str.lengths()
    .toArray() as number[];
  return stack(
    bars,
    lengthHistogram(charLengths, { title: "Characters per training article" }),
    table(
      [
        {
          what: "duplicated rows in train (extra copies)",
          n: q.duplicates.train.duplicatedRows,
        },
        { what: "distinct texts in train", n: q.duplicates.train.uniqueTexts },
        {
          what: "texts in train with conflicting labels",
          n: q.duplicates.train.labelConflicts.length,
        },
        {
          what: "duplicated rows in test",
          n: q.duplicates.test.duplicatedRows,
        },
        {
          what: "distinct texts in both train and test",
          n: q.overlap.distinctTexts,
        },
        {
          what: "train / test rows with non-ASCII characters",
          n: `${q.nonAscii.train} / ${q.nonAscii.test}`,
        },
      ],
      [{ header: "", value: "what" }, { header: "count", value: "n" }],
      { title: "Duplicates and overlap" },
    ),
  );
}

function bestAcc(r: RunRecord): number {
  return Math.max(...r.history.map((h) => h.valAccuracy));
}

/** One row per seed: epochs, stop, best/final accuracy, time, backend. */
export function showRuns(runs: readonly RunRecord[]): HtmlOutput {
  return table(
    runs.map((r) => ({
      seed: r.seed,
      epochs: r.history.length,
      stop: r.stopReason,
      best: `${fixed(bestAcc(r), 4)} (ep ${
        r.history.findIndex((h) => h.valAccuracy === bestAcc(r)) + 1
      })`,
      final: r.final.valAccuracy,
      loss: r.final.valLoss,
      seconds: r.timings.totalSeconds,
      perEpoch: r.timings.trainSeconds / Math.max(1, r.history.length),
      backend: `${r.backend.name} / ${r.engine}${
        r.backend.fallback ? " (fallback)" : ""
      }`,
    })),
    [
      { header: "seed", value: "seed" },
      { header: "epochs", value: "epochs" },
      { header: "stopped by", value: "stop" },
      { header: "best val acc", value: "best" },
      { header: "final val acc", value: "final" },
      { header: "final val loss", value: "loss" },
      { header: "run s", value: "seconds", digits: 0 },
      { header: "s/epoch", value: "perEpoch", digits: 1 },
      { header: "backend / engine", value: "backend" },
    ],
    {
      title: "Runs",
      note: runs.map((r) => `seed ${r.seed}: ${r.stopMessage}`).join("; ") +
        (runs[0]?.backend.fallback
          ? `. Backend: ${runs[0].backend.fallback}`
          : ""),
    },
  );
}

/**
 * When the runs did not run on the backend their config named (anything but
 * `"auto"`), a short note such as `"asked for gpu, ran on wasm"`; else null.
 * Tables use it so that an experiment whose toggle is the backend never reads
 * as if that backend had been measured.
 */
export function backendShortfall(runs: readonly RunRecord[]): string | null {
  const missed = runs.filter((r) =>
    r.backend.requested !== "auto" && r.backend.fallback !== undefined
  );
  if (missed.length === 0) return null;
  const ran = [...new Set(missed.map((r) => r.backend.name))].join("/");
  const of = missed.length === runs.length
    ? ""
    : ` (${missed.length} of ${runs.length} runs)`;
  return `asked for ${missed[0].backend.requested}, ran on ${ran}${of}`;
}

/** The machine a run ran on, in one phrase: "2 × AMD EPYC, 23.5 GiB, linux …". */
export function machineOf(run: RunRecord): string {
  const m = run.machine;
  return `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}`;
}

/** Mean ± sd of final and best validation accuracy over the runs. */
export function accuracyStats(
  runs: readonly RunRecord[],
): { final: MeanSd; best: MeanSd; loss: MeanSd; epochs: MeanSd } {
  return {
    final: meanSd(runs.map((r) => r.final.valAccuracy)),
    best: meanSd(runs.map(bestAcc)),
    loss: meanSd(runs.map((r) => r.final.valLoss)),
    epochs: meanSd(runs.map((r) => r.history.length)),
  };
}

function upstreamOf(exp: Experiment): UpstreamRun[] {
  return exp.upstream.map(upstreamRun);
}

/** Accuracy beside the upstream's, and the confusion matrix summed over seeds. */
export function showEvaluation(
  exp: Experiment,
  runs: readonly RunRecord[],
): HtmlOutput {
  const s = accuracyStats(runs);
  const rows: {
    who: string;
    final: number | MeanSd;
    best: number | MeanSd;
    epochs: number | MeanSd;
  }[] = [
    {
      who: `ours (${runs.length} seed${runs.length === 1 ? "" : "s"})`,
      final: s.final,
      best: s.best,
      epochs: s.epochs,
    },
    ...upstreamOf(exp).map((u) => ({
      who: `upstream: ${u.label}`,
      final: u.finalValAccuracy,
      best: u.bestValAccuracy,
      epochs: u.epochs,
    })),
  ];
  const labels = runs[0].labels;
  const sum = labels.map((_, i) =>
    labels.map((_, j) => runs.reduce((a, r) => a + r.confusion[i][j], 0))
  );
  return stack(
    table(rows, [
      { header: "", value: "who" },
      { header: "final val acc", value: "final" },
      { header: "best val acc", value: "best" },
      { header: "epochs", value: "epochs", digits: 1 },
    ], {
      title: `Validation accuracy (${runs[0].data.valRows} held-out articles)`,
      note:
        "ours: mean ± sample sd over seeds; final = weights the run ended with; best = highest epoch. Upstream: single unseeded runs as printed.",
    }),
    confusionMatrix([...labels], sum, {
      title: `Confusion matrix, validation, summed over ${runs.length} seed${
        runs.length === 1 ? "" : "s"
      }`,
    }),
  );
}

/** Training curves of every seed with the upstream's curve dashed. */
export function showCurves(
  exp: Experiment,
  runs: readonly RunRecord[],
): HtmlOutput {
  const up = upstreamOf(exp)[0];
  return trainingCurves(runs, {
    title: `${exp.id}: loss and accuracy per epoch`,
    upstream: up?.history,
    upstreamLabel: up ? `upstream (${up.label})` : undefined,
  });
}

function describe(m: MeanSd, digits = 3): string {
  return m.n > 1
    ? `${fixed(m.mean, digits)} ± ${fixed(m.sd, digits)}`
    : fixed(m.mean, digits);
}

/**
 * Compares two sets of seeds: "gain"/"loss" when |Δmean| > 2·max(sd, 1/298)
 * (one validation article is 1/298 of accuracy), "noise" when within that,
 * and "unknown" when either side has a single seed (no spread to judge by).
 */
export function compareSeeds(
  before: MeanSd,
  after: MeanSd,
): "gain" | "loss" | "noise" | "unknown" {
  if (before.n < 2 || after.n < 2) return "unknown";
  const noise = Math.max(before.sd, after.sd, 1 / 298);
  if (Math.abs(after.mean - before.mean) <= 2 * noise) return "noise";
  return after.mean > before.mean ? "gain" : "loss";
}

const VERDICT = {
  gain: "a clear gain",
  loss: "a clear loss",
  noise: "within the seed-to-seed spread",
  unknown: "one seed only, so no spread to judge it by",
} as const;

/** The stored runs of another experiment in the same mode and seeds (for comparisons). */
export async function storedRuns(
  id: string,
  settings: SeriesSettings,
): Promise<RunRecord[]> {
  const exp = experiment(id);
  const hash = await configHash(
    modeConfig(exp.config, settings.mode),
    settings.mode,
  );
  const runs = await listRuns(settings.runsRoot, settings.mode, exp.id, hash);
  return runs.filter((r) => settings.seeds.includes(r.seed));
}

/**
 * A short conclusion computed from the measured numbers: this experiment
 * against its base (when the base's runs are stored), against the upstream,
 * and what the loss did.
 */
export async function conclusion(
  exp: Experiment,
  runs: readonly RunRecord[],
  settings: SeriesSettings,
): Promise<HtmlOutput> {
  const s = accuracyStats(runs);
  const lines: string[] = [];
  lines.push(
    `Over ${runs.length} seed${
      runs.length === 1 ? "" : "s"
    }, the final validation accuracy is <b>${
      describe(s.final)
    }</b> and the best epoch reached <b>${describe(s.best)}</b>; runs lasted ${
      describe(s.epochs, 1)
    } epochs.`,
  );
  if (exp.base) {
    const baseRuns = await storedRuns(exp.base, settings);
    if (baseRuns.length > 0) {
      const b = accuracyStats(baseRuns);
      const shortfall = backendShortfall(runs);
      const verdict = shortfall !== null &&
          experiment(exp.base).config.backend !== exp.config.backend
        ? `not a measurement of the backend, which did not change here (${shortfall})`
        : VERDICT[compareSeeds(b.final, s.final)];
      lines.push(
        `Against ${exp.base} (${describe(b.final)} final, ${
          describe(b.best)
        } best), changing <i>${
          escapeHtml(exp.toggle)
        }</i> moved the final accuracy by ${
          fixed(s.final.mean - b.final.mean, 3)
        }: ${verdict}.`,
      );
    } else {
      lines.push(
        `${exp.base} has no stored runs in this mode yet, so no comparison with it.`,
      );
    }
  }
  for (const u of upstreamOf(exp)) {
    const inside =
      u.finalValAccuracy >= s.final.mean - 2 * Math.max(s.final.sd, 1 / 298) &&
      u.finalValAccuracy <= s.final.mean + 2 * Math.max(s.final.sd, 1 / 298);
    lines.push(
      `The upstream's ${escapeHtml(u.label)} ended at ${
        fixed(u.finalValAccuracy, 4)
      } (best ${fixed(u.bestValAccuracy, 4)}, ${u.epochs} epochs): ${
        inside
          ? "inside"
          : u.finalValAccuracy > s.final.mean
          ? "above"
          : "below"
      } our seeds' range (mean ± 2 sd).`,
    );
  }
  const minLoss = Math.min(
    ...runs.flatMap((r) => r.history.map((h) => h.loss)),
  );
  if (exp.config.model.output === "doubleSoftmax") {
    lines.push(
      `With the double softmax the training loss bottomed out at ${
        fixed(minLoss, 4)
      }, against the floor ln(e+4)−1 = ${fixed(DOUBLE_SOFTMAX_FLOOR, 4)}.`,
    );
  } else {
    lines.push(`The lowest training loss was ${fixed(minLoss, 4)}.`);
  }
  const stops = runs.filter((r) => r.stopReason === "earlyStopping").length;
  if (stops > 0) {
    lines.push(
      `${stops} of ${runs.length} runs stopped early (patience ${exp.config.train.patience}); the reported weights are the ${
        exp.config.train.restoreBestWeights ? "best" : "last"
      } epoch's, as upstream.`,
    );
  }
  const nonFinite = runs.filter((r) => r.stopReason === "nonFinite");
  for (const r of nonFinite) {
    lines.push(`Seed ${r.seed}: ${escapeHtml(r.stopMessage)}.`);
  }
  if (settings.mode === "quick") {
    lines.push(
      "<i>Quick mode: these numbers only show that the pipeline runs.</i>",
    );
  }
  return paragraphs(lines, "Conclusion (computed from the runs above)");
}

/** Every experiment's runs in this mode, for the summary. */
export async function allRuns(
  settings: SeriesSettings,
): Promise<Map<string, RunRecord[]>> {
  const out = new Map<string, RunRecord[]>();
  for (const exp of experiments()) {
    out.set(exp.id, await storedRuns(exp.id, settings));
  }
  return out;
}

// ---------------------------------------------------------------------------
// The summary notebook

/** One experiment of the series with its stored runs. */
export interface SeriesRow {
  exp: Experiment;
  runs: RunRecord[];
}

/** Every experiment with its stored runs (possibly none) in this mode. */
export async function seriesRows(
  settings: SeriesSettings,
): Promise<SeriesRow[]> {
  const out: SeriesRow[] = [];
  for (const exp of experiments()) {
    out.push({ exp, runs: await storedRuns(exp.id, settings) });
  }
  return out;
}

/** The series table: ours (mean ± sd, best, epochs, time) beside the upstream. */
export function showSeriesTable(rows: readonly SeriesRow[]): HtmlOutput {
  return table(
    rows.map(({ exp, runs }) => {
      const s = runs.length > 0 ? accuracyStats(runs) : null;
      const u = exp.upstream.length > 0 ? upstreamRun(exp.upstream[0]) : null;
      return {
        id: exp.number,
        toggle: withShortfall(exp.toggle, runs),
        seeds: runs.length,
        final: s?.final ?? null,
        best: s?.best ?? null,
        epochs: s?.epochs ?? null,
        seconds: runs.length > 0
          ? meanSd(runs.map((r) => r.timings.totalSeconds))
          : null,
        upFinal: u?.finalValAccuracy ?? null,
        upBest: u?.bestValAccuracy ?? null,
      };
    }),
    [
      { header: "#", value: "id" },
      { header: "what changes", value: "toggle" },
      { header: "seeds", value: "seeds" },
      { header: "final val acc", value: "final", digits: 4 },
      { header: "best val acc", value: "best", digits: 4 },
      { header: "epochs", value: "epochs", digits: 1 },
      { header: "s per run", value: "seconds", digits: 0 },
      { header: "upstream final", value: "upFinal", digits: 4 },
      { header: "upstream best", value: "upBest", digits: 4 },
    ],
    {
      title:
        "Every experiment: ours (mean ± sd over seeds) and the upstream's single run",
      note:
        "final = the weights each run ended with (no best-weight restore, as upstream); best = best epoch; s per run includes data preparation and prediction.",
    },
  );
}

/** `toggle`, plus the backend shortfall of its runs in brackets when there is one. */
export function withShortfall(
  toggle: string,
  runs: readonly RunRecord[],
): string {
  const note = backendShortfall(runs);
  return note ? `${toggle} [${note}]` : toggle;
}

/** Final validation accuracy of every experiment: seeds, mean ± sd, upstream. */
export function showSeriesChart(rows: readonly SeriesRow[]): HtmlOutput {
  return experimentSummary(
    rows.filter((r) => r.runs.length > 0).map(({ exp, runs }) => {
      const u = exp.upstream.length > 0 ? upstreamRun(exp.upstream[0]) : null;
      return {
        experiment: `${exp.number} ${exp.title.split(":")[0]}`,
        ours: runs.map((r) => r.final.valAccuracy),
        upstreamFinal: u?.finalValAccuracy,
        upstreamBest: u?.bestValAccuracy,
      };
    }),
    { metric: "final validation accuracy", domain: [0, 1] },
  );
}

/** Mean validation-accuracy curves of every experiment, Keras and PyTorch apart. */
export function showSeriesCurves(rows: readonly SeriesRow[]): HtmlOutput {
  return seriesCurves(
    rows.filter((r) => r.runs.length > 0).map(({ exp, runs }) => ({
      label: `${exp.number} ${exp.title.split(":")[0]}`,
      group: exp.config.model.output === "doubleSoftmax" ||
          exp.config.model.biasVectors === 2
        ? "PyTorch port (04–13)"
        : "Keras models (00–03)",
      histories: runs.map((r) => r.history),
    })),
  );
}

/** A lesson: what changing `from` → `to` did. */
export interface Lesson {
  topic: string;
  from: string;
  to: string;
}

/** The comparisons the summary draws, each isolating one toggle. */
export const LESSONS: readonly Lesson[] = [
  {
    topic: "post-padding + mask (+ LSTM 64, no dropout), Keras",
    from: "00",
    to: "01",
  },
  {
    topic: "tokenizer: TextVectorization instead of Tokenizer",
    from: "01",
    to: "02",
  },
  {
    topic: "tokenizer: BERT WordPiece instead of Tokenizer",
    from: "01",
    to: "03",
  },
  {
    topic: "PyTorch defaults + quirks instead of Keras (same BERT ids)",
    from: "03",
    to: "04",
  },
  { topic: "GPU backend instead of CPU", from: "04", to: "05" },
  { topic: "masking (packing) in the port", from: "05", to: "06" },
  { topic: "Keras-like init alone", from: "06", to: "09" },
  { topic: "forget-gate bias alone", from: "06", to: "10" },
  { topic: "init + forget bias together", from: "06", to: "07" },
  {
    topic: "dropping the mask again (with init + forget bias)",
    from: "07",
    to: "08",
  },
  {
    topic: "Adam ε = 1e-8 (PyTorch's default) instead of 1e-7",
    from: "07",
    to: "13",
  },
  {
    topic: "loss on logits instead of the double softmax",
    from: "07",
    to: "11",
  },
];

/** The lessons, each backed by the stored runs of its two experiments. */
export function showLessons(rows: readonly SeriesRow[]): HtmlOutput {
  const byNumber = new Map(rows.map((r) => [r.exp.number, r]));
  const out = LESSONS.flatMap((l) => {
    const a = byNumber.get(l.from), b = byNumber.get(l.to);
    if (!a || !b || a.runs.length === 0 || b.runs.length === 0) return [];
    const sa = accuracyStats(a.runs).final, sb = accuracyStats(b.runs).final;
    // A backend toggle that fell back compares a backend with itself.
    const shortfall = backendShortfall(b.runs);
    const untested = shortfall !== null &&
      a.exp.config.backend !== b.exp.config.backend;
    const ua = a.exp.upstream[0]
      ? upstreamRun(a.exp.upstream[0]).finalValAccuracy
      : null;
    const ub = b.exp.upstream[0]
      ? upstreamRun(b.exp.upstream[0]).finalValAccuracy
      : null;
    return [{
      topic: l.topic,
      pair: `${l.from} → ${l.to}`,
      from: sa,
      to: sb,
      delta: sb.mean - sa.mean,
      verdict: untested
        ? `not tested here: ${shortfall}`
        : VERDICT[compareSeeds(sa, sb)],
      upstream: ua !== null && ub !== null ? ub - ua : null,
    }];
  });
  return table(out, [
    { header: "toggle", value: "topic" },
    { header: "experiments", value: "pair" },
    { header: "final acc before", value: "from", digits: 3 },
    { header: "after", value: "to", digits: 3 },
    { header: "Δ mean", value: "delta", digits: 3 },
    { header: "verdict", value: "verdict" },
    { header: "upstream Δ", value: "upstream", digits: 3 },
  ], {
    title:
      "What each toggle did (final validation accuracy, mean ± sd over seeds)",
    note:
      "verdict: |Δ mean| > 2 × max(sd, 1/298) is called clear, else within the seed-to-seed spread (needs 2+ seeds on both sides). Upstream Δ compares its single runs, which differed by up to 0.08 between identical configs.",
  });
}

/**
 * The best configuration (highest mean final validation accuracy) and, in
 * it, the run with the highest final validation accuracy (ties: lower loss).
 */
export function bestRun(
  rows: readonly SeriesRow[],
): { exp: Experiment; run: RunRecord } {
  const ranked = rows.filter((r) => r.runs.length > 0)
    .map((r) => ({ r, m: accuracyStats(r.runs).final.mean }))
    .sort((a, b) => b.m - a.m);
  if (ranked.length === 0) {
    throw new Error("bestRun(): no experiment has stored runs");
  }
  const { exp, runs } = ranked[0].r;
  const run =
    [...runs].sort((a, b) =>
      b.final.valAccuracy - a.final.valAccuracy ||
      a.final.valLoss - b.final.valLoss
    )[0];
  return { exp, run };
}

/** Writes the submission of {@link bestRun} and shows its head and class counts. */
export async function showSubmission(
  rows: readonly SeriesRow[],
  path: string,
  testIds: readonly number[],
): Promise<HtmlOutput> {
  const { exp, run } = bestRun(rows);
  await writeSubmission(path, run, testIds);
  const counts = new Map<string, number>();
  for (const p of run.testPredictions) {
    counts.set(p.category, (counts.get(p.category) ?? 0) + 1);
  }
  return stack(
    paragraphs([
      `Best configuration: <b>${exp.id}</b> (mean final val acc ${
        fixed(
          accuracyStats(rows.find((r) => r.exp.id === exp.id)!.runs).final.mean,
          4,
        )
      }); its seed ${run.seed} run (final val acc ${
        fixed(run.final.valAccuracy, 4)
      }) predicted the ${run.testPredictions.length} test articles, written to <code>${
        escapeHtml(path.replace(/^.*\/(reports\/)/, "$1"))
      }</code>.`,
    ]),
    table(
      [...run.testPredictions.slice(0, 5), ...run.testPredictions.slice(-5)],
      [{ header: "ArticleId", value: "articleId" }, {
        header: "Category",
        value: "category",
      }],
      { title: "Submission: first and last five rows" },
    ),
    table(
      [...counts].sort().map(([category, n]) => ({ category, n })),
      [{ header: "predicted category", value: "category" }, {
        header: "articles",
        value: "n",
      }],
      { title: "Predicted test articles per class" },
    ),
  );
}
