import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import type { EpochRecord } from "../train/record.ts";
import {
  type Chart,
  classCounts,
  confusionMatrix,
  experimentSummary,
  lengthHistogram,
  trainingCurves,
} from "./plot.ts";

// Minimal DOM typing for the parsed test output (Deno has no DOM lib).
interface El {
  localName: string;
  textContent: string;
  parentNode: El | null;
  children: ArrayLike<El>;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}

function parse(chart: Chart): El {
  const { document } = parseHTML(
    `<!DOCTYPE html><html><body>${chart.html}</body></html>`,
  ) as unknown as { document: { body: El } };
  return document.body;
}

/** The main chart SVG of each figure, checked to be non-empty. */
function mainSvgs(root: El): El[] {
  const svgs = Array.from(root.querySelectorAll("figure > svg"));
  for (const svg of svgs) {
    assert.match(svg.getAttribute("viewBox") ?? "", /^0 0 \d+ \d+$/);
    assert.ok(svg.children.length > 3, "chart svg has marks");
  }
  return svgs;
}

/** Paths/rects inside the mark groups with this aria-label, per group. */
function marks(svg: El, label: string, tag: string): number[] {
  return Array.from(svg.querySelectorAll(`g[aria-label="${label}"]`)).map(
    (g) => g.querySelectorAll(tag).length,
  );
}

function text(el: El): string {
  return el.textContent.replace(/\s+/g, " ");
}

/** A fabricated test fixture: smooth curves, NOT real training results. */
function fixtureHistory(seed: number, epochs: number): EpochRecord[] {
  return Array.from({ length: epochs }, (_, i) => {
    const e = i + 1;
    const f = Math.exp(-e / (5 + seed));
    return {
      epoch: e,
      loss: 1.6 * f,
      accuracy: 1 - 0.8 * f,
      valLoss: 1.6 * f + 0.2,
      valAccuracy: 0.9 - 0.7 * f,
      seconds: 1,
    };
  });
}

Deno.test("trainingCurves() draws seeds, their mean and the upstream dashed", () => {
  const runs = [1, 2, 3].map((seed) => ({
    experiment: "01_post_padding",
    seed,
    history: fixtureHistory(seed, 10 + seed),
  }));
  const upstream = fixtureHistory(0, 8).map((e) => ({
    epoch: e.epoch,
    loss: e.loss,
    valLoss: e.valLoss,
    valAccuracy: e.valAccuracy,
  }));
  const chart = trainingCurves(runs, { upstream, upstreamLabel: "Keras" });
  const root = parse(chart);
  const titles = Array.from(root.querySelectorAll("figure > h2")).map(text);
  assert.deepEqual(titles, [
    "01_post_padding: training curves: loss",
    "01_post_padding: training curves: accuracy",
  ]);
  const [loss, acc] = mainSvgs(root);
  assert.match(text(loss), /loss \(cross-entropy\)/);
  assert.match(text(loss), /epoch/);
  assert.match(text(acc), /accuracy/);
  // 3 seeds × {train, validation} faint; 2 mean lines; 2 upstream lines
  // (upstream has no train accuracy here, so that panel has 1).
  assert.deepEqual(marks(loss, "line", "path"), [6, 2, 2]);
  assert.deepEqual(marks(acc, "line", "path"), [6, 2, 1]);
  const dashed = Array.from(loss.querySelectorAll('g[aria-label="line"]'))
    .map((g) => g.getAttribute("stroke-dasharray"));
  assert.deepEqual(dashed, [null, null, "5,3"]);
  assert.match(text(root), /validation \(Keras, dashed\)/);
  assert.match(text(root), /each of 3 seeds \(seed 1: 11 epochs/);
  assert.equal(chart.svgs.length, 2);
  for (const svg of chart.svgs) {
    assert.match(svg, /^<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  }
  // Mean at the last epoch comes from seed 3 alone (the only one at 13).
  const last = fixtureHistory(3, 13).at(-1)!;
  assert.match(
    chart.text,
    new RegExp(`validation loss: ${last.valLoss.toFixed(4)} at epoch 13`),
  );
});

Deno.test("trainingCurves() with one seed draws no faint seed lines", () => {
  const chart = trainingCurves([
    { experiment: "x", seed: 7, history: fixtureHistory(1, 5) },
  ]);
  const [loss] = mainSvgs(parse(chart));
  assert.deepEqual(marks(loss, "line", "path"), [2]);
  assert.match(chart.text, /One run \(seed 7: 5 epochs\)/);
});

Deno.test("trainingCurves() rejects empty, mixed or history-less runs", () => {
  assert.throws(() => trainingCurves([]), /runs is empty/);
  assert.throws(
    () =>
      trainingCurves([
        { experiment: "a", seed: 1, history: fixtureHistory(1, 2) },
        { experiment: "b", seed: 1, history: fixtureHistory(1, 2) },
      ]),
    /mix experiments "a" and "b"/,
  );
  assert.throws(
    () => trainingCurves([{ experiment: "a", seed: 4, history: [] }]),
    /run 0 \(seed 4\) has an empty history/,
  );
});

const LABELS = ["business", "entertainment", "politics", "sport", "tech"];
const CM = [
  [70, 1, 2, 0, 2],
  [1, 42, 1, 1, 1],
  [2, 0, 52, 1, 1],
  [0, 0, 0, 63, 0],
  [1, 1, 0, 0, 56],
];

Deno.test("confusionMatrix() draws one cell and one count per entry", () => {
  const chart = confusionMatrix(LABELS, CM, { title: "Validation" });
  const root = parse(chart);
  const [svg] = mainSvgs(root);
  assert.deepEqual(marks(svg, "cell", "rect"), [25]);
  const counts = Array.from(
    svg.querySelectorAll('g[aria-label="text"] text'),
  ).map(text);
  assert.deepEqual(counts, CM.flat().map(String));
  assert.match(text(svg), /predicted/);
  assert.match(text(svg), /true/);
  for (const l of LABELS) assert.match(text(svg), new RegExp(l));
  // 283 of 298 on the diagonal.
  assert.match(
    text(root),
    /298 rows, 283 on the diagonal \(accuracy 0\.9497\)/,
  );
  assert.equal(text(root.querySelectorAll("figure > h2")[0]), "Validation");
  assert.match(chart.text, /^business +70 +1 +2 +0 +2$/m);
});

Deno.test("confusionMatrix() names the bad row or cell", () => {
  assert.throws(
    () => confusionMatrix(LABELS, CM.slice(1)),
    /4 rows; expected 5/,
  );
  assert.throws(
    () => confusionMatrix(["a", "b"], [[1, 2], [3]]),
    /row 1 \("b"\) has 1 columns; expected 2/,
  );
  assert.throws(
    () => confusionMatrix(["a", "b"], [[1, 2], [3, -1]]),
    /cell \[1\]\[1\] is -1/,
  );
});

Deno.test("classCounts() draws a bar and a number per class", () => {
  const counts = [336, 273, 274, 346, 261];
  const chart = classCounts(
    LABELS.map((label, i) => ({ label, count: counts[i] })),
  );
  const [svg] = mainSvgs(parse(chart));
  assert.deepEqual(marks(svg, "bar", "rect"), [5]);
  const numbers = Array.from(svg.querySelectorAll('g[aria-label="text"] text'))
    .map(text);
  assert.deepEqual(numbers, counts.map(String));
  assert.match(text(svg), /articles/);
  assert.match(chart.text, /sport: 346/);
});

Deno.test("classCounts() with groups draws grouped bars and a legend", () => {
  const rows = LABELS.flatMap((label, i) => [
    { label, count: 200 + i, group: "train" },
    { label, count: 50 + i, group: "validation" },
  ]);
  const root = parse(classCounts(rows, { title: "Split" }));
  const [svg] = mainSvgs(root);
  const bars = Array.from(svg.querySelectorAll('g[aria-label="bar"] rect'));
  assert.equal(bars.length, 10);
  assert.equal(new Set(bars.map((b) => b.getAttribute("fill"))).size, 2);
  assert.match(text(root), /train.*validation/);
  assert.throws(
    () => classCounts([{ label: "a", count: -1 }]),
    /row 0 \("a"\) has count -1/,
  );
});

Deno.test("lengthHistogram() bins the lengths and labels the markers", () => {
  // 6 values in three separate decades: three non-empty bins of 10.
  const chart = lengthHistogram([11, 12, 13, 25, 26, 38], {
    bins: 3,
    markers: [{ label: "median", value: 19 }],
  });
  const root = parse(chart);
  const [svg] = mainSvgs(root);
  const rects = Array.from(svg.querySelectorAll('g[aria-label="rect"] rect'));
  assert.equal(rects.length, 3);
  assert.deepEqual(marks(svg, "rule", "line").at(-1), 1);
  assert.match(text(svg), /median 19/);
  assert.match(text(svg), /tokens per article/);
  assert.match(text(root), /n = 6; min 11, median 19, max 38\./);
  assert.throws(() => lengthHistogram([1, NaN]), /lengths\[1\] is NaN/);
});

Deno.test("experimentSummary() shows seeds, mean ± sd and upstream values", () => {
  const chart = experimentSummary([
    {
      experiment: "post",
      ours: [0.94, 0.95, 0.96],
      upstreamFinal: 0.9463,
      upstreamBest: 0.9564,
    },
    { experiment: "torch", ours: [0.21], upstreamFinal: 0.2114 },
  ], { metric: "final validation accuracy" });
  const root = parse(chart);
  const [svg] = mainSvgs(root);
  // Groups in drawing order: upstream (3), seeds (4), means (2).
  assert.deepEqual(marks(svg, "dot", "path"), [3, 4, 2]);
  // One sd bar: the single-seed row has none.
  assert.deepEqual(marks(svg, "rule", "line"), [1]);
  const legend = text(root.querySelectorAll("figure > div")[0]);
  assert.match(
    legend,
    /ours: seed.*ours: mean ± sd.*upstream: final.*upstream: best/,
  );
  assert.match(text(svg), /final validation accuracy/);
  assert.equal(
    chart.text.split("\n")[1],
    "  post: ours 0.9500 ± 0.0100 (n=3); upstream final 0.9463; upstream best 0.9564",
  );
  assert.equal(
    chart.text.split("\n")[2],
    "  torch: ours 0.2100 (n=1); upstream final 0.2114",
  );
  assert.throws(
    () =>
      experimentSummary([{ experiment: "x", ours: [NaN] }], { metric: "m" }),
    /experiment "x" has no finite values/,
  );
});

Deno.test("trainingCurves() skips null upstream metrics (PyTorch runs have no train accuracy)", () => {
  const chart = trainingCurves(
    [{ experiment: "x", seed: 1, history: fixtureHistory(1, 4) }],
    {
      upstream: [1, 2, 3].map((epoch) => ({
        epoch,
        loss: 1 / epoch,
        accuracy: null,
        valLoss: 1 / epoch,
        valAccuracy: 0.5,
      })),
    },
  );
  const [loss, acc] = mainSvgs(parse(chart));
  assert.deepEqual(marks(loss, "line", "path"), [2, 2]);
  assert.deepEqual(marks(acc, "line", "path"), [2, 1]);
});
