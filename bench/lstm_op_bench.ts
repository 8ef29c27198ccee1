// deno-lint-ignore-file no-console -- a command-line benchmark: printing is its job.
/**
 * Benchmark of the packed LSTM op (lib/model/lstm.ts) on the training
 * workload: batch 128, Embedding 23 000 × 500, LSTM(64), forward + backward.
 *
 * The batch is synthetic: real lengths after cleaning are median 190, p95
 * 405, max 1645 tokens, so 127 rows draw a log-normal length (median 190,
 * σ = 0.46, which puts p95 near 405) and one row is 1645 long (the longest
 * article; it sets T). Ids follow a Zipf law (s = 1) over the vocabulary,
 * which gives ~7 000 distinct ids per batch, as the real data does (6 994 on
 * average over random batches of the cleaned training set).
 *
 * Prints, per configuration, the median wall time of `--runs` timed runs
 * after one warm-up, tokens/s, and GFLOP/s counting only the arithmetic done
 * (3 projection products over the distinct keys + 3 recurrent products per
 * token; the gate math is not counted).
 *
 *   deno run -A bench/lstm_op_bench.ts [--backend wasm] [--runs 5]
 *     [--no-ops] [--no-layers] [--no-parts]
 *
 * `--real` instead measures a training step on the real data of experiment
 * 01 (batches of 128 shuffled training rows), "before" against "after" in
 * the same process, taking turns round by round so the machine's drift
 * hits both alike:
 * - before: projection products by tfjs matMul, dense [V, E] embedding
 *   gradient (tf.variableGrads), Adam as tfjs ops;
 * - after: our WebAssembly products next to the recurrence, row-sparse
 *   embedding gradient, fused Adam kernel.
 * It prints the parts of one step (median and min over `--runs` rounds), a
 * whole step (gradients + Adam) and an epoch (10 training batches +
 * validation of 298 rows at batch 256) per variant:
 *
 *   deno run -A bench/lstm_op_bench.ts --real [--runs 5] [--epochs 2]
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { initBackend } from "../lib/model/backend.ts";
import { lstmLastState } from "../lib/model/lstm.ts";
import { packBatch } from "../lib/model/kernels/packing.ts";
import { fusedBackward, fusedForward } from "../lib/model/kernels/lstm_wasm.ts";
import {
  registerWasmMatMulFix,
  unregisterWasmMatMulFix,
} from "../lib/model/kernels/wasm_matmul.ts";
import { seededRandom } from "../lib/model/kernels/_reference.ts";
import { gatherRows } from "../lib/model/kernels/rows.ts";
import {
  gemmProbe,
  gemmTNProbe,
  projectedBackward,
  projectedForward,
} from "../lib/model/kernels/lstm_wasm.ts";
import { Adam } from "../lib/model/adam.ts";
import { LstmClassifier } from "../lib/model/classifier.ts";
import { RandomState } from "../lib/data/random.ts";
import { experiment } from "../lib/experiments.ts";
import { prepareData } from "../lib/train/prepare.ts";

const args = Deno.args;
const flag = (name: string) => args.includes(`--${name}`);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};

const BACKEND = option("backend", "wasm");
const RUNS = Number(option("runs", "5"));
const B = 128, E = 500, H = 64, V = 23000;

const info = await initBackend(BACKEND as "wasm");
console.log(
  `backend: ${info.name} (${info.detail})${
    info.fallback ? ` [${info.fallback}]` : ""
  }`,
);

if (flag("real")) {
  await realBench();
  Deno.exit(0);
}

// ---------------------------------------------------------------------------
// Synthetic batch.

const rnd = seededRandom(2024);
function normal(): number {
  // Box-Muller.
  const u = 1 - rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}
const zipfCdf = (() => {
  const cdf = new Float64Array(V - 1);
  let s = 0;
  for (let k = 1; k < V; k++) {
    s += 1 / k;
    cdf[k - 1] = s;
  }
  return cdf.map((x) => x / s);
})();
function zipfId(): number {
  const u = rnd();
  let lo = 0, hi = zipfCdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (zipfCdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1; // ids 1..V-1, most frequent first
}

function makeBatch(maxLen: number | null) {
  const lengths = Array.from(
    { length: B },
    (_, r) =>
      r === 17 ? 1645 : Math.max(
        5,
        Math.min(1645, Math.round(190 * Math.exp(0.46 * normal()))),
      ),
  ).map((l) => (maxLen === null ? l : Math.min(l, maxLen)));
  const T = Math.max(...lengths);
  const ids = new Int32Array(B * T); // post-padding
  lengths.forEach((len, r) => {
    for (let t = 0; t < len; t++) ids[r * T + t] = zipfId();
  });
  return { ids, T, lengths };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Fastest run of the last {@link time} call (the machine is shared). */
let lastMin = 0;

/** Median wall time of `runs` calls after one warm-up call (ms). */
function time(fn: () => void, runs = RUNS): number {
  fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  lastMin = Math.min(...ms);
  return median(ms);
}

const full = makeBatch(null);
const plan = packBatch(full.ids, B, full.T, { masked: true, vocabSize: V });
const sortedLens = [...full.lengths].sort((a, b) => a - b);
console.log(
  `batch: ${B} rows, T = ${full.T}, lengths median ${sortedLens[B >> 1]}, ` +
    `p95 ${sortedLens[Math.floor(0.95 * B)]}, max ${sortedLens[B - 1]}; ` +
    `${plan.numTokens} tokens, ${plan.numKeys} distinct ids ` +
    `(projection rows saved: ${(plan.numTokens / plan.numKeys).toFixed(1)}×)`,
);

const wrnd = (shape: number[], scale: number) =>
  tf.tensor(
    Float32Array.from({
      length: shape.reduce((a, b) => a * b),
    }, () => (rnd() * 2 - 1) * scale),
    shape,
  );
const emb = tf.variable(wrnd([V, E], 0.05) as tf.Tensor2D);
const kernel = tf.variable(wrnd([E, 4 * H], 0.1) as tf.Tensor2D);
const recurrent = tf.variable(wrnd([H, 4 * H], 0.1) as tf.Tensor2D);
const bias = tf.variable(wrnd([4 * H], 0.1) as tf.Tensor1D);
const lossW = wrnd([B, H], 1) as tf.Tensor2D;

function step(ids: Int32Array, T: number, engine: "fused" | "ops"): void {
  const { value, grads } = tf.variableGrads(() => {
    const h = lstmLastState(
      { embeddings: emb, kernel, recurrentKernel: recurrent, bias },
      { ids, batch: B, timesteps: T, masked: true },
      { recurrentActivation: "sigmoid", engine },
    );
    return tf.sum(tf.mul(h, lossW)) as tf.Scalar;
  }, [emb, kernel, recurrent, bias]);
  // Read one number of each gradient: waits for asynchronous backends
  // without timing a copy of the 46 MB embedding gradient to JS.
  for (const g of Object.values(grads)) {
    tf.tidy(() => tf.slice(tf.reshape(g, [-1]), [0], [1]).dataSync());
  }
  tf.dispose([value, ...Object.values(grads)]);
}

function flops(p: { numTokens: number; numKeys: number }) {
  const projection = 3 * 2 * p.numKeys * E * 4 * H;
  const recurrence = 3 * 2 * p.numTokens * H * 4 * H;
  return { projection, recurrence, total: projection + recurrence };
}

function report(
  label: string,
  ms: number,
  p: { numTokens: number; numKeys: number },
) {
  const f = flops(p);
  console.log(
    `${label.padEnd(46)} ${ms.toFixed(0).padStart(6)} ms (min ${
      lastMin.toFixed(0).padStart(4)
    })  ` +
      `${(p.numTokens / ms * 1e3 / 1e3).toFixed(1).padStart(6)} k tokens/s  ` +
      `${(f.total / ms / 1e6).toFixed(1).padStart(5)} GFLOP/s`,
  );
}

// ---------------------------------------------------------------------------
// Where the time goes (components at the shapes of this batch).

if (!flag("no-parts")) {
  const U = plan.numKeys;
  const xu = wrnd([U, E], 0.05);
  const dP = wrnd([U, 4 * H], 0.1);
  const part = (label: string, fn: () => tf.Tensor | void, gflop = 0) => {
    const ms = time(() => {
      const out = fn();
      if (out) {
        tf.tidy(() => tf.slice(tf.reshape(out, [-1]), [0], [1]).dataSync());
        out.dispose();
      }
    });
    console.log(
      `  ${label.padEnd(44)} ${ms.toFixed(1).padStart(7)} ms (min ${
        lastMin.toFixed(1).padStart(6)
      })` +
        (gflop ? `  ${(gflop / ms * 1e3).toFixed(1).padStart(5)} GFLOP/s` : ""),
    );
    return ms;
  };
  const g = 2 * U * E * 4 * H / 1e9;
  console.log(`parts (U = ${U} distinct ids, N = ${plan.numTokens} tokens):`);
  part("projection P = Xu·W  [U,E]·[E,4H]", () => tf.matMul(xu, kernel), g);
  part(
    "dW = Xuᵀ·dP (transposed matmul fix on)",
    () => tf.matMul(xu, dP, true, false),
    g,
  );
  part("dXu = dP·Wᵀ (fix on)", () => tf.matMul(dP, kernel, false, true), g);
  if (info.name === "wasm") {
    unregisterWasmMatMulFix();
    part(
      "dW = Xuᵀ·dP (fix off: tfjs-wasm as shipped)",
      () => tf.matMul(xu, dP, true, false),
      g,
    );
    part("dXu = dP·Wᵀ (fix off)", () => tf.matMul(dP, kernel, false, true), g);
    registerWasmMatMulFix();
  }
  {
    // Our kernels, called through their test probes: the times include
    // copying the operands into WebAssembly memory and the result out
    // (about 14 + 7 MB), which the LSTM op itself does not do.
    const xuF = xu.dataSync() as Float32Array;
    const dPF = dP.dataSync() as Float32Array;
    const wF = kernel.dataSync() as Float32Array;
    const wTF = tf.tidy(() => tf.transpose(kernel).dataSync()) as Float32Array;
    part(
      "ours: P = Xu·W (gemm, with copies)",
      () => void gemmProbe(xuF, wF, U, E, 4 * H),
      g,
    );
    part(
      "ours: dW = Xuᵀ·dP (gemmTN, with copies)",
      () => void gemmTNProbe(xuF, dPF, U, E, 4 * H),
      g,
    );
    part(
      "ours: dXu = dP·Wᵀ (gemm, with copies)",
      () => void gemmProbe(dPF, wTF, U, 4 * H, E),
      g,
    );
  }
  part("gather Xu = E[ids] (gatherRows)", () => gatherRows(emb, plan.keyIds));
  part(
    "gather Xu = E[ids] (tf.gather)",
    () => tf.gather(emb, tf.tensor1d(plan.keyIds, "int32")),
  );
  part(
    "dense dE: scatter U rows into [V,E]",
    () => tf.scatterND(tf.tensor2d(plan.keyIds, [U, 1], "int32"), xu, [V, E]),
  );
  const projData = dP.dataSync() as Float32Array;
  const recData = recurrent.dataSync() as Float32Array;
  const dh = new Float32Array(plan.numActive * H).fill(0.01);
  const rg = 2 * plan.numTokens * H * 4 * H / 1e9;
  // Forward and backward alternate (a training forward leaves its
  // activations for its backward), timed separately.
  const fwdMs: number[] = [], bwdMs: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const { saved } = fusedForward({
      plan,
      proj: projData,
      recurrent: recData,
      hidden: H,
      hard: false,
      train: true,
    });
    const t1 = performance.now();
    fusedBackward({
      plan,
      saved: saved!,
      recurrent: recData,
      hidden: H,
      hard: false,
      dhSorted: dh,
    });
    const t2 = performance.now();
    if (i > 0) {
      fwdMs.push(t1 - t0);
      bwdMs.push(t2 - t1);
    }
  }
  const rows: [string, number[], number][] = [
    ["forward (training)", fwdMs, rg],
    ["backward", bwdMs, 2 * rg],
  ];
  for (const [label, runs, gf] of rows) {
    const ms = median(runs);
    console.log(
      `  ${("fused recurrence " + label).padEnd(44)} ${
        ms.toFixed(1).padStart(7)
      } ms (min ${Math.min(...runs).toFixed(1).padStart(6)})  ${
        (gf / ms * 1e3).toFixed(1).padStart(5)
      } GFLOP/s`,
    );
  }
  part("fused recurrence forward (inference)", () => {
    fusedForward({
      plan,
      proj: projData,
      recurrent: recData,
      hidden: H,
      hard: false,
      train: false,
    });
  }, rg);
  tf.dispose([xu, dP]);
}

// ---------------------------------------------------------------------------
// The whole op, forward + backward.

console.log("op forward + backward (all four gradients computed):");
report(
  `fused, full batch (T = ${full.T})`,
  time(() => step(full.ids, full.T, "fused")),
  plan,
);

if (!flag("no-ops")) {
  // The ops engine issues ~60 small ops per step; run it on rows cut at 256
  // tokens (and the fused engine on the same batch, for the ratio).
  const cut = makeBatch(256);
  const cutPlan = packBatch(cut.ids, B, cut.T, { masked: true, vocabSize: V });
  report(
    `fused, rows cut at ${cut.T} tokens`,
    time(() => step(cut.ids, cut.T, "fused")),
    cutPlan,
  );
  report(
    `ops, rows cut at ${cut.T} tokens`,
    time(() => step(cut.ids, cut.T, "ops"), 1),
    cutPlan,
  );
}

if (!flag("no-layers")) {
  // tfjs-layers' LSTM runs every padded step; one batch at T = 64 for scale.
  const short = makeBatch(64);
  const shortPlan = packBatch(short.ids, B, short.T, {
    masked: true,
    vocabSize: V,
  });
  report(
    `fused, rows cut at ${short.T} tokens`,
    time(() => step(short.ids, short.T, "fused")),
    shortPlan,
  );
  const layer = tfl.layers.lstm({
    units: H,
    recurrentActivation: "sigmoid",
    kernelInitializer: "zeros",
    recurrentInitializer: "zeros",
  });
  const idsT = tf.tensor2d(short.ids, [B, short.T], "int32");
  tf.tidy(() => {
    layer.apply(tf.gather(emb, idsT));
  });
  const vars = layer.trainableWeights.map((v) =>
    (v as unknown as { read(): tf.Variable }).read()
  );
  const ms = time(() => {
    const { value, grads } = tf.variableGrads(() => {
      const out = layer.apply(tf.gather(emb, idsT), {
        mask: tf.notEqual(idsT, 0),
      }) as tf.Tensor;
      return tf.sum(tf.mul(out, lossW)) as tf.Scalar;
    }, [emb, ...vars]);
    for (const g of Object.values(grads)) {
      tf.tidy(() => tf.slice(tf.reshape(g, [-1]), [0], [1]).dataSync());
    }
    tf.dispose([value, ...Object.values(grads)]);
  }, 1);
  // It runs (and projects) every padded step: count those.
  report(`tfjs-layers LSTM (masked), T = ${short.T}, all steps`, ms, {
    numTokens: B * short.T,
    numKeys: B * short.T,
  });
}

// ---------------------------------------------------------------------------
// --real: before/after on experiment 01's data.

async function realBench(): Promise<void> {
  const config = experiment("01_post_padding").config;
  const data = await prepareData(config.data);
  const { train, val } = data;
  const vocab = data.embeddingRows;
  const bs = config.train.batchSize;
  const t = train.timesteps;
  const order = new RandomState(1).permutation(train.rows);
  const batches = Array.from(
    { length: Math.ceil(train.rows / bs) },
    (_, b) => {
      const rows = order.subarray(b * bs, (b + 1) * bs);
      const ids = new Int32Array(rows.length * t);
      const labels = new Int32Array(rows.length);
      rows.forEach((r, i) => {
        ids.set(train.ids.subarray(r * t, (r + 1) * t), i * t);
        labels[i] = train.labels[r];
      });
      return { ids, labels, batch: rows.length };
    },
  );
  const first = batches[0];
  const plan = packBatch(first.ids, first.batch, t, {
    masked: true,
    vocabSize: vocab,
  });
  console.log(
    `experiment 01: vocab ${vocab} rows, train ${train.rows} rows in ` +
      `${batches.length} batches, T = ${t}; batch 0: ${plan.numTokens} ` +
      `tokens, ${plan.numKeys} distinct ids`,
  );

  const variants = {
    before: {
      projection: "tfjs" as const,
      embeddingGradient: "dense" as const,
      adam: "ops" as const,
    },
    after: {
      projection: "kernels" as const,
      embeddingGradient: "rowSparse" as const,
      adam: "fused" as const,
    },
  };
  type Name = keyof typeof variants;
  const models = {} as Record<Name, { model: LstmClassifier; adam: Adam }>;
  for (const name of ["before", "after"] as Name[]) {
    const model = new LstmClassifier(
      config.model,
      vocab,
      data.labels.length,
      new RandomState(7),
      "fused",
      { projection: variants[name].projection },
    );
    const adam = new Adam(model.variables, {
      implementation: variants[name].adam,
    });
    models[name] = { model, adam };
  }

  const times: Record<string, number[]> = {};
  let warmUp = true; // round 0 is not recorded
  const rec = (label: string, fn: () => void) => {
    const t0 = performance.now();
    fn();
    if (!warmUp) (times[label] ??= []).push(performance.now() - t0);
  };
  const sync = (x: tf.Tensor) =>
    tf.tidy(() => tf.slice(tf.reshape(x, [-1]), [0], [1]).dataSync());

  // Parts of one step, at batch 0's shapes.
  const { model } = models.after;
  const [emb, kernel, recurrent, bias] = model.variables;
  const u = plan.numKeys;
  const kernelF = (kernel.dataSync() as Float32Array).slice();
  const biasF = (bias.dataSync() as Float32Array).slice();
  const recF = (recurrent.dataSync() as Float32Array).slice();
  const dh = new Float32Array(plan.numActive * H).fill(0.01);
  const dP = tf.randomUniform([u, 4 * H]) as tf.Tensor2D;
  const gradDense = tf.randomUniform([vocab, E], -1e-3, 1e-3) as tf.Tensor2D;
  const gradRows = tf.randomUniform([u, E], -1e-3, 1e-3) as tf.Tensor2D;
  const partAdam = {
    ops: new Adam([emb as tf.Variable], { implementation: "ops" }),
    fused: new Adam([emb as tf.Variable], { implementation: "fused" }),
  };
  for (let round = 0; round <= RUNS; round++) {
    warmUp = round === 0;
    let xu: tf.Tensor2D | null = null;
    rec("gather Xu = E[ids] (both)", () => {
      xu = gatherRows(emb as tf.Tensor2D, plan.keyIds);
      sync(xu);
    });
    const xuF = (xu!.dataSync() as Float32Array).slice();
    rec("before: P = Xu·W + b (tfjs)", () => {
      const p = tf.fused.matMul({ a: xu!, b: kernel as tf.Tensor2D, bias });
      sync(p);
      p.dispose();
    });
    rec("before: dW = Xuᵀ·dP (tfjs)", () => {
      const g = tf.matMul(xu!, dP, true, false);
      sync(g);
      g.dispose();
    });
    rec("before: dXu = dP·Wᵀ (tfjs)", () => {
      const g = tf.matMul(dP, kernel as tf.Tensor2D, false, true);
      sync(g);
      g.dispose();
    });
    rec("before: dense dE scatter [V, E]", () => {
      const g = tf.tidy(() =>
        tf.scatterND(tf.tensor2d(plan.keyIds, [u, 1], "int32"), xu!, [
          vocab,
          E,
        ])
      );
      sync(g);
      g.dispose();
    });
    const projData = tf.tidy(() =>
      tf.fused.matMul({ a: xu!, b: kernel as tf.Tensor2D, bias }).dataSync()
    ) as Float32Array;
    let saved: ReturnType<typeof fusedForward>["saved"] = null;
    rec("recurrence forward (fused, both)", () => {
      saved = fusedForward({
        plan,
        proj: projData,
        recurrent: recF,
        hidden: H,
        hard: false,
        train: true,
      }).saved;
    });
    rec("recurrence backward (fused, both)", () => {
      fusedBackward({
        plan,
        saved: saved!,
        recurrent: recF,
        hidden: H,
        hard: false,
        dhSorted: dh,
      });
    });
    let psaved: ReturnType<typeof projectedForward>["saved"] = null;
    rec("after: P in wasm + recurrence forward", () => {
      psaved = projectedForward({
        plan,
        rows: xuF,
        mask: null,
        embed: E,
        kernel: kernelF,
        bias: biasF,
        recurrent: recF,
        hidden: H,
        hard: false,
        train: true,
      }).saved;
    });
    rec("after: recurrence bwd + dW, dXu, db in wasm", () => {
      projectedBackward({
        plan,
        saved: psaved!,
        rowsMask: null,
        embed: E,
        kernel: kernelF,
        recurrent: recF,
        hidden: H,
        hard: false,
        dhSorted: dh,
      });
    });
    rec("before: Adam, tfjs ops, dense gradient", () => {
      partAdam.ops.apply([gradDense]);
      sync(emb);
    });
    rec("after: Adam, fused, row-sparse gradient", () => {
      partAdam.fused.apply([{ rows: plan.keyIds, values: gradRows }]);
      sync(emb);
    });
    tf.dispose(xu!);
  }
  tf.dispose([dP, gradDense, gradRows]);
  partAdam.ops.dispose();
  partAdam.fused.dispose();
  console.log(
    `\nparts of one step (batch 0; median / min of ${RUNS} rounds after ` +
      `a warm-up; Adam over the ${vocab} × ${E} embedding only):`,
  );
  printTimes(times);

  // Whole steps and epochs, the two variants taking turns.
  const stepTimes: Record<string, number[]> = {};
  const epochTimes: Record<string, number[]> = {};
  const epochs = Number(option("epochs", "2"));
  for (let round = 0; round <= epochs; round++) {
    for (
      const name of (round % 2 === 0 ? ["before", "after"] : [
        "after",
        "before",
      ]) as Name[]
    ) {
      const { model, adam } = models[name];
      const e0 = performance.now();
      for (const b of batches) {
        const s0 = performance.now();
        const step = await model.gradients(
          { ids: b.ids, batch: b.batch, timesteps: t },
          b.labels,
          null,
          { embeddingGradient: variants[name].embeddingGradient },
        );
        const s1 = performance.now();
        adam.apply(step.grads);
        tf.dispose(step.grads);
        sync(model.variables[0]);
        const s2 = performance.now();
        if (round > 0 && b.batch === bs) {
          (stepTimes[`${name}: gradients (op + dense + loss)`] ??= []).push(
            s1 - s0,
          );
          (stepTimes[`${name}: Adam`] ??= []).push(s2 - s1);
          (stepTimes[`${name}: step total`] ??= []).push(s2 - s0);
        }
      }
      const e1 = performance.now();
      await model.evaluate(val.ids, val.rows, val.timesteps, val.labels, 256);
      const e2 = performance.now();
      if (round > 0) {
        (epochTimes[`${name}: ${batches.length} training batches`] ??= [])
          .push(e1 - e0);
        (epochTimes[`${name}: validation (${val.rows} rows, batch 256)`] ??= [])
          .push(e2 - e1);
        (epochTimes[`${name}: epoch`] ??= []).push(e2 - e0);
      }
    }
  }
  console.log(
    `\ntraining step, full batches of ${bs} (median / min over ` +
      `${epochs} epochs after a warm-up epoch):`,
  );
  printTimes(stepTimes);
  console.log(`\nepoch (median / min of ${epochs}):`);
  printTimes(epochTimes);
}

function printTimes(times: Record<string, number[]>): void {
  for (const [label, ms] of Object.entries(times)) {
    console.log(
      `  ${label.padEnd(48)} ${median(ms).toFixed(1).padStart(8)} ms ` +
        `(min ${Math.min(...ms).toFixed(1).padStart(7)})`,
    );
  }
}
