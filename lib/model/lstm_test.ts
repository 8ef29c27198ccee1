import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { initBackend, probeWebGpu } from "./backend.ts";
import {
  lstmLastState,
  lstmLastStateFromRows,
  type LstmOptions,
  planBatch,
  resolveEngine,
  resolveProjection,
} from "./lstm.ts";
import { gatherRows } from "./kernels/rows.ts";
import {
  finiteDifference,
  type ParamName,
  type ReferenceCase,
  referenceLstm,
  seededRandom,
} from "./kernels/_reference.ts";

// Reference: tfjs-layers' LSTM (returnSequences false) with its weights set
// to ours, fed gather(embeddings, ids) (times the dropout mask, when there is
// one) and, for masked cases, the mask ids != 0; gradients by tf.variableGrads.
// All comparisons are absolute, within 1e-5.

const TOL = 1e-5;

interface Case {
  name: string;
  vocab: number;
  embed: number;
  hidden: number;
  batch: number;
  timesteps: number;
  ids: number[][];
  masked: boolean;
  dropout?: boolean;
  hard?: boolean;
}

function randomTensor(
  rnd: () => number,
  shape: number[],
  scale: number,
): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (rnd() * 2 - 1) * scale),
    shape,
  );
}

/** Rows of random ids in [1, vocab) with the given real lengths and padding side. */
function paddedRows(
  rnd: () => number,
  vocab: number,
  lengths: number[],
  timesteps: number,
  side: "pre" | "post",
): number[][] {
  return lengths.map((len) => {
    const real = Array.from(
      { length: len },
      () => 1 + Math.floor(rnd() * (vocab - 1)),
    );
    const pad = new Array(timesteps - len).fill(0);
    return side === "post" ? [...real, ...pad] : [...pad, ...real];
  });
}

function buildCases(): Case[] {
  const rnd = seededRandom(11);
  const V = 17;
  const cases: Case[] = [];
  const lengths = [7, 3, 1, 5, 7, 2];
  for (const side of ["post", "pre"] as const) {
    for (const masked of [true, false]) {
      cases.push({
        name: `${side}-padding, ${
          masked ? "masked" : "unmasked"
        }, uneven lengths`,
        vocab: V,
        embed: 6,
        hidden: 5,
        batch: lengths.length,
        timesteps: 7,
        ids: paddedRows(rnd, V, lengths, 7, side),
        masked,
      });
    }
  }
  cases.push({
    name: "masked, zeros in the middle, an all-padding row, duplicate ids",
    vocab: V,
    embed: 4,
    hidden: 3,
    batch: 5,
    timesteps: 6,
    ids: [
      [3, 0, 3, 5, 0, 3],
      [0, 0, 0, 0, 0, 0],
      [5, 5, 5, 0, 0, 0],
      [0, 0, 0, 0, 0, 9],
      [3, 9, 0, 9, 3, 0],
    ],
    masked: true,
  });
  cases.push({
    name: "dropout mask, masked, duplicate ids across rows",
    vocab: V,
    embed: 6,
    hidden: 4,
    batch: 4,
    timesteps: 5,
    ids: [[2, 4, 2, 0, 0], [4, 2, 7, 7, 1], [0, 0, 2, 4, 0], [9, 0, 0, 0, 0]],
    masked: true,
    dropout: true,
  });
  cases.push({
    name: "dropout mask, unmasked",
    vocab: V,
    embed: 5,
    hidden: 4,
    batch: 3,
    timesteps: 4,
    ids: [[2, 4, 0, 0], [0, 2, 2, 6], [5, 0, 5, 0]],
    masked: false,
    dropout: true,
  });
  cases.push({
    name: "hardSigmoid, masked, H = 18 (two unit blocks, padded to 32)",
    vocab: V,
    embed: 5,
    hidden: 18,
    batch: 4,
    timesteps: 6,
    ids: paddedRows(rnd, V, [6, 2, 4, 1], 6, "post"),
    masked: true,
    hard: true,
  });
  cases.push({
    name: "hardSigmoid, unmasked, pre-padding",
    vocab: V,
    embed: 5,
    hidden: 4,
    batch: 3,
    timesteps: 5,
    ids: paddedRows(rnd, V, [5, 2, 3], 5, "pre"),
    masked: false,
    hard: true,
  });
  return cases;
}

interface Weights {
  emb: tf.Variable<tf.Rank.R2>;
  kernel: tf.Variable<tf.Rank.R2>;
  recurrent: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
  dropout: tf.Tensor2D | null;
  weights: tf.Tensor2D;
}

function makeWeights(c: Case, seed: number): Weights {
  const rnd = seededRandom(seed);
  const h = c.hidden;
  let dropout: tf.Tensor2D | null = null;
  if (c.dropout) {
    // Keras semantics: 0 or 1/(1 - rate), rate 0.4.
    const values = Float32Array.from(
      { length: c.batch * c.embed },
      () => (rnd() < 0.4 ? 0 : 1 / 0.6),
    );
    dropout = tf.tensor2d(values, [c.batch, c.embed]);
  }
  return {
    emb: tf.variable(randomTensor(rnd, [c.vocab, c.embed], 0.6) as tf.Tensor2D),
    kernel: tf.variable(
      randomTensor(rnd, [c.embed, 4 * h], 0.5) as tf.Tensor2D,
    ),
    recurrent: tf.variable(randomTensor(rnd, [h, 4 * h], 0.5) as tf.Tensor2D),
    bias: tf.variable(randomTensor(rnd, [4 * h], 0.5) as tf.Tensor1D),
    dropout,
    weights: randomTensor(rnd, [c.batch, h], 1) as tf.Tensor2D,
  };
}

function disposeWeights(w: Weights): void {
  tf.dispose([w.emb, w.kernel, w.recurrent, w.bias, w.weights]);
  if (w.dropout) w.dropout.dispose();
}

interface Result {
  out: Float32Array;
  grads: Float32Array[]; // embeddings, kernel, recurrent, bias
}

async function ours(c: Case, w: Weights, opts: LstmOptions): Promise<Result> {
  const ids = Int32Array.from(c.ids.flat());
  const forward = () =>
    lstmLastState(
      {
        embeddings: w.emb,
        kernel: w.kernel,
        recurrentKernel: w.recurrent,
        bias: w.bias,
      },
      {
        ids,
        batch: c.batch,
        timesteps: c.timesteps,
        masked: c.masked,
        inputDropoutMask: w.dropout,
      },
      opts,
    );
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(forward(), w.weights)) as tf.Scalar,
    [w.emb, w.kernel, w.recurrent, w.bias],
  );
  const out = tf.tidy(forward);
  // data(), not dataSync(): webgpu has no synchronous read in Deno.
  const result = {
    out: await out.data() as Float32Array,
    grads: await Promise.all(
      [w.emb, w.kernel, w.recurrent, w.bias].map((v) =>
        grads[v.name].data() as Promise<Float32Array>
      ),
    ),
  };
  tf.dispose([value, out, ...Object.values(grads)]);
  return result;
}

async function layersReference(c: Case, w: Weights): Promise<Result> {
  const layer = tfl.layers.lstm({
    units: c.hidden,
    recurrentActivation: c.hard ? "hardSigmoid" : "sigmoid",
    returnSequences: false,
    // Initialisers are irrelevant (setWeights below); zeros avoid tfjs-layers'
    // orthogonal initialiser, which needs tfjs' chained ops.
    kernelInitializer: "zeros",
    recurrentInitializer: "zeros",
  });
  const ids = tf.tensor2d(c.ids, [c.batch, c.timesteps], "int32");
  const embedded = () => {
    const x = tf.gather(w.emb, ids);
    return w.dropout ? tf.mul(x, tf.expandDims(w.dropout, 1)) : x;
  };
  tf.tidy(() => {
    layer.apply(embedded());
  });
  layer.setWeights([w.kernel, w.recurrent, w.bias]);
  const vars = layer.trainableWeights.map((v) =>
    (v as unknown as { read(): tf.Variable }).read()
  );
  const run = () =>
    layer.apply(
      embedded(),
      c.masked ? { mask: tf.notEqual(ids, 0) } : {},
    ) as tf.Tensor;
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(run(), w.weights)) as tf.Scalar,
    [w.emb, ...vars],
  );
  const out = tf.tidy(run);
  const result = {
    out: await out.data() as Float32Array,
    grads: await Promise.all(
      [w.emb, ...vars].map((v) =>
        grads[v.name].data() as Promise<Float32Array>
      ),
    ),
  };
  tf.dispose([value, out, ids, ...Object.values(grads)]);
  layer.dispose();
  return result;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const GRAD_NAMES = ["embeddings", "kernel", "recurrentKernel", "bias"];

function assertClose(actual: Result, expected: Result, label: string): void {
  const d = maxAbsDiff(actual.out, expected.out);
  assert.ok(d <= TOL, `${label}: output differs by ${d}`);
  actual.grads.forEach((g, i) => {
    const dg = maxAbsDiff(g, expected.grads[i]);
    assert.ok(dg <= TOL, `${label}: d${GRAD_NAMES[i]} differs by ${dg}`);
  });
}

async function compareWithLayers(
  t: Deno.TestContext,
  backend: string,
  cases: Case[],
): Promise<void> {
  // On webgpu the reference is computed on cpu: tfjs-layers' LSTM run on
  // webgpu (llvmpipe) here returns different outputs after a gradient pass
  // with respect to the embeddings (seen with plain tfjs, none of our code
  // loaded), so it is no reference there.
  const refBackend = backend === "webgpu" ? "cpu" : backend;
  for (const [k, c] of cases.entries()) {
    await t.step(c.name, async () => {
      await initBackend(refBackend as "cpu");
      const wRef = makeWeights(c, 100 + k);
      const ref = await layersReference(c, wRef);
      disposeWeights(wRef);
      const info = await initBackend(backend as "cpu");
      assert.equal(info.name, backend, info.fallback);
      const w = makeWeights(c, 100 + k);
      // Engine fused with both projection paths (our WebAssembly products
      // and tfjs matMul), and engine ops.
      const variants: [string, LstmOptions["engine"], "kernels" | "tfjs"][] =
        backend === "webgpu" ? [["ops", "ops", "tfjs"]] : [
          ["fused/kernels", "fused", "kernels"],
          ["fused/tfjs", "fused", "tfjs"],
          ["ops", "ops", "tfjs"],
        ];
      const results: Result[] = [];
      for (const [, engine, projection] of variants) {
        results.push(
          await ours(c, w, {
            recurrentActivation: c.hard ? "hardSigmoid" : "sigmoid",
            engine,
            projection,
          }),
        );
      }
      results.forEach((r, i) =>
        assertClose(r, ref, `${backend}/${variants[i][0]}`)
      );
      for (let i = 1; i < results.length; i++) {
        assertClose(
          results[0],
          results[i],
          `${backend}: ${variants[0][0]} vs ${variants[i][0]}`,
        );
      }
      // The gradients are not all zero (the comparison would be vacuous).
      for (const g of ref.grads) assert.ok(g.some((v) => v !== 0));
      disposeWeights(w);
    });
  }
}

Deno.test("lstmLastState() equals tfjs-layers' LSTM (output and all gradients) on cpu", async (t) => {
  await compareWithLayers(t, "cpu", buildCases());
});

Deno.test("lstmLastState() equals tfjs-layers' LSTM (output and all gradients) on wasm", async (t) => {
  await compareWithLayers(t, "wasm", buildCases());
});

Deno.test({
  name:
    "lstmLastState() with engine ops on webgpu (software adapter) equals tfjs-layers' LSTM",
  ignore: !(await probeWebGpu()).available,
  fn: async (t) => {
    // Correctness only (the adapter here is llvmpipe, no speed to measure).
    await compareWithLayers(t, "webgpu", buildCases());
  },
});

Deno.test(
  "lstmLastState() engine fused refuses a webgpu backend with a clear error",
  {
    ignore: !(await probeWebGpu()).available,
  },
  async () => {
    await initBackend("webgpu");
    const c = buildCases()[0];
    const w = makeWeights(c, 5);
    assert.throws(
      () =>
        lstmLastState(
          {
            embeddings: w.emb,
            kernel: w.kernel,
            recurrentKernel: w.recurrent,
            bias: w.bias,
          },
          {
            ids: Int32Array.from(c.ids.flat()),
            batch: c.batch,
            timesteps: c.timesteps,
            masked: true,
          },
          { recurrentActivation: "sigmoid", engine: "fused" },
        ),
      /engine "fused" cannot read .* on the "webgpu" backend: use engine "ops"/,
    );
    disposeWeights(w);
  },
);

Deno.test("lstmLastState() gradients match float64 finite differences (both engines, both projection paths)", async () => {
  await initBackend("cpu");
  const rnd = seededRandom(21);
  const V = 9, E = 4, H = 3, B = 3, T = 5;
  const c: ReferenceCase = {
    vocab: V,
    embed: E,
    hidden: H,
    embeddings: Float64Array.from({ length: V * E }, () => rnd() - 0.5),
    kernel: Float64Array.from({ length: E * 4 * H }, () => rnd() - 0.5),
    recurrent: Float64Array.from({ length: H * 4 * H }, () => rnd() - 0.5),
    bias: Float64Array.from({ length: 4 * H }, () => rnd() - 0.5),
    ids: Int32Array.from([1, 2, 1, 0, 0, 0, 3, 8, 3, 4, 5, 5, 0, 0, 0]),
    batch: B,
    timesteps: T,
    masked: true,
    dropout: null,
    hard: false,
  };
  const lossWeights = Float64Array.from({ length: B * H }, () => rnd() * 2 - 1);
  const ref = referenceLstm(c);
  const variants = [
    ["fused", "kernels"],
    ["fused", "tfjs"],
    ["ops", "tfjs"],
  ] as const;
  for (const [engine, projection] of variants) {
    const emb = tf.variable(
      tf.tensor2d(Float32Array.from(c.embeddings), [V, E]),
    );
    const kernel = tf.variable(
      tf.tensor2d(Float32Array.from(c.kernel), [E, 4 * H]),
    );
    const recurrent = tf.variable(
      tf.tensor2d(Float32Array.from(c.recurrent), [H, 4 * H]),
    );
    const bias = tf.variable(tf.tensor1d(Float32Array.from(c.bias)));
    const wl = tf.tensor2d(Float32Array.from(lossWeights), [B, H]);
    let out: Float32Array = new Float32Array(0);
    const { value, grads } = tf.variableGrads(() => {
      const h = lstmLastState(
        { embeddings: emb, kernel, recurrentKernel: recurrent, bias },
        { ids: c.ids, batch: B, timesteps: T, masked: true },
        { recurrentActivation: "sigmoid", engine, projection },
      );
      out = h.dataSync() as Float32Array;
      return tf.sum(tf.mul(h, wl)) as tf.Scalar;
    }, [emb, kernel, recurrent, bias]);
    for (let i = 0; i < ref.length; i++) {
      assert.ok(
        Math.abs(out[i] - ref[i]) < 1e-6,
        `${engine}/${projection}: h[${i}] ${out[i]} vs ${ref[i]}`,
      );
    }
    const pairs: [ParamName, tf.Variable][] = [
      ["embeddings", emb],
      ["kernel", kernel],
      ["recurrent", recurrent],
      ["bias", bias],
    ];
    for (const [param, v] of pairs) {
      const g = grads[v.name].dataSync();
      for (let i = 0; i < g.length; i++) {
        const fd = finiteDifference(c, lossWeights, param, i);
        assert.ok(
          Math.abs(g[i] - fd) < 2e-6,
          `${engine}/${projection}: d${param}[${i}] = ${g[i]}, ` +
            `finite difference ${fd}`,
        );
      }
    }
    // Rows of the embedding matrix the batch never reads get exactly 0.
    const dEmb = grads[emb.name].dataSync();
    for (const unused of [6, 7]) {
      for (let e = 0; e < E; e++) assert.equal(dEmb[unused * E + e], 0);
    }
    tf.dispose([
      emb,
      kernel,
      recurrent,
      bias,
      wl,
      value,
      ...Object.values(grads),
    ]);
  }
});

Deno.test("lstmLastState() leaks no tensors over forward + backward (cpu and wasm, both engines, both projections)", async () => {
  for (const backend of ["cpu", "wasm"] as const) {
    await initBackend(backend);
    const c = buildCases()[5]; // dropout, masked
    const variants = [
      ["fused", "kernels"],
      ["fused", "tfjs"],
      ["ops", "tfjs"],
    ] as const;
    for (const [engine, projection] of variants) {
      const w = makeWeights(c, 7);
      const opts: LstmOptions = {
        recurrentActivation: "sigmoid",
        engine,
        projection,
      };
      await ours(c, w, opts); // warm up
      const before = tf.memory().numTensors;
      await ours(c, w, opts);
      assert.equal(
        tf.memory().numTensors,
        before,
        `${backend}/${engine}/${projection}`,
      );
      disposeWeights(w);
    }
  }
});

Deno.test("lstmLastState() gives zeros (and zero gradients) for a batch of padding only", async () => {
  await initBackend("cpu");
  const c: Case = {
    name: "empty",
    vocab: 5,
    embed: 3,
    hidden: 2,
    batch: 2,
    timesteps: 3,
    ids: [[0, 0, 0], [0, 0, 0]],
    masked: true,
  };
  const w = makeWeights(c, 3);
  for (const engine of ["fused", "ops"] as const) {
    const r = await ours(c, w, { recurrentActivation: "sigmoid", engine });
    assert.deepEqual([...r.out], [0, 0, 0, 0]);
    for (const g of r.grads) assert.ok(g.every((v) => v === 0));
  }
  disposeWeights(w);
});

Deno.test("lstmLastState() without a gradient tape returns the same state as with one", async () => {
  await initBackend("wasm");
  const c = buildCases()[0];
  const w = makeWeights(c, 9);
  const ids = Int32Array.from(c.ids.flat());
  const run = () =>
    lstmLastState(
      {
        embeddings: w.emb,
        kernel: w.kernel,
        recurrentKernel: w.recurrent,
        bias: w.bias,
      },
      { ids, batch: c.batch, timesteps: c.timesteps, masked: true },
      { recurrentActivation: "sigmoid", engine: "fused" },
    );
  const plain = run();
  let taped: Float32Array = new Float32Array(0);
  const g = tf.variableGrads(() => {
    const h = run();
    taped = h.dataSync() as Float32Array;
    return tf.sum(h) as tf.Scalar;
  }, [w.kernel]);
  assert.deepEqual([...plain.dataSync()], [...taped]);
  tf.dispose([plain, g.value, ...Object.values(g.grads)]);
  disposeWeights(w);
});

Deno.test("lstmLastState() rejects bad input with errors naming the input", async () => {
  await initBackend("cpu");
  const c = buildCases()[0];
  const w = makeWeights(c, 1);
  const inputs = {
    embeddings: w.emb,
    kernel: w.kernel,
    recurrentKernel: w.recurrent,
    bias: w.bias,
  };
  const opts: LstmOptions = { recurrentActivation: "sigmoid", engine: "fused" };
  const ids = Int32Array.from(c.ids.flat());
  const batch = { ids, batch: c.batch, timesteps: c.timesteps, masked: true };
  const bad = ids.slice();
  bad[2 * c.timesteps + 1] = c.vocab;
  assert.throws(
    () => lstmLastState(inputs, { ...batch, ids: bad }, opts),
    /ids\[row 2, step 1\] = 17 is outside the embedding's rows \[0, 17\)/,
  );
  assert.throws(
    () => lstmLastState(inputs, { ...batch, timesteps: 3 }, opts),
    /ids has 42 entries but batch × timesteps is 6 × 3 = 18/,
  );
  assert.throws(
    () =>
      lstmLastState(inputs, {
        ...batch,
        masked: undefined as unknown as boolean,
      }, opts),
    /LstmBatch.masked must be true or false: current value is undefined/,
  );
  const wrongKernel = tf.zeros([c.embed + 1, 4 * c.hidden]) as tf.Tensor2D;
  assert.throws(
    () => lstmLastState({ ...inputs, kernel: wrongKernel }, batch, opts),
    /kernel must have shape \[6, 20\]: current shape is \[7,20\]/,
  );
  const wrongMask = tf.ones([c.batch, 2]) as tf.Tensor2D;
  assert.throws(
    () =>
      lstmLastState(inputs, { ...batch, inputDropoutMask: wrongMask }, opts),
    /inputDropoutMask must have shape \[6, 6\]/,
  );
  assert.throws(
    () => lstmLastState(inputs, batch, { ...opts, engine: "gpu" as "ops" }),
    /"engine" must be "fused" or "ops"/,
  );
  tf.dispose([wrongKernel, wrongMask]);
  disposeWeights(w);
});

Deno.test("resolveEngine() keeps explicit engines and maps auto by backend", () => {
  assert.equal(resolveEngine("ops", "wasm"), "ops");
  assert.equal(resolveEngine("fused", "webgpu"), "fused");
  assert.equal(resolveEngine("auto", "wasm"), "fused");
  assert.equal(resolveEngine("auto", "cpu"), "fused");
  assert.equal(resolveEngine("auto", "tensorflow"), "fused");
  assert.equal(resolveEngine("auto", "webgpu"), "ops");
});

Deno.test("resolveProjection() takes our kernels only for engine fused on cpu and wasm", () => {
  assert.equal(resolveProjection("auto", "fused", "wasm"), "kernels");
  assert.equal(resolveProjection(undefined, "fused", "cpu"), "kernels");
  assert.equal(resolveProjection("auto", "fused", "tensorflow"), "tfjs");
  assert.equal(resolveProjection("auto", "ops", "wasm"), "tfjs");
  assert.equal(resolveProjection("tfjs", "fused", "wasm"), "tfjs");
  assert.throws(
    () => resolveProjection("gpu" as "tfjs", "fused", "wasm"),
    /"projection" must be "auto", "kernels" or "tfjs"/,
  );
});

Deno.test("lstmLastStateFromRows(): the rows' gradient, summed per id, is the dense embedding gradient (dropout mask, both projections, cpu and wasm)", async () => {
  for (const backend of ["cpu", "wasm"] as const) {
    await initBackend(backend);
    const c = buildCases()[5]; // dropout, masked: keys per (row, id)
    const w = makeWeights(c, 12);
    const ids = Int32Array.from(c.ids.flat());
    const batch = {
      ids,
      batch: c.batch,
      timesteps: c.timesteps,
      masked: true,
      inputDropoutMask: w.dropout,
    };
    for (const projection of ["kernels", "tfjs"] as const) {
      const opts: LstmOptions = {
        recurrentActivation: "sigmoid",
        engine: "fused",
        projection,
      };
      const dense = tf.variableGrads(() =>
        tf.sum(tf.mul(
          lstmLastState(
            {
              embeddings: w.emb,
              kernel: w.kernel,
              recurrentKernel: w.recurrent,
              bias: w.bias,
            },
            batch,
            opts,
          ),
          w.weights,
        )) as tf.Scalar, [w.emb]);
      const plan = planBatch(batch, c.vocab);
      assert.ok(plan.keyRows !== null, "per-row keys with a mask");
      const rows = gatherRows(w.emb, plan.keyIds);
      const sparse = tf.engine().gradients(
        () =>
          tf.sum(tf.mul(
            lstmLastStateFromRows(
              {
                rows,
                kernel: w.kernel,
                recurrentKernel: w.recurrent,
                bias: w.bias,
              },
              batch,
              plan,
              opts,
            ),
            w.weights,
          )) as tf.Scalar,
        [rows],
      );
      const dRows = sparse.grads[0].dataSync();
      const summed = new Float32Array(c.vocab * c.embed);
      plan.keyIds.forEach((id, k) => {
        for (let e = 0; e < c.embed; e++) {
          summed[id * c.embed + e] += dRows[k * c.embed + e];
        }
      });
      const want = dense.grads[w.emb.name].dataSync();
      const d = maxAbsDiff(summed, want as Float32Array);
      assert.ok(d <= 1e-6, `${backend}/${projection}: off by ${d}`);
      assert.ok(plan.keyIds.length > new Set(plan.keyIds).size, "repeats");
      tf.dispose([
        dense.value,
        ...Object.values(dense.grads),
        rows,
        sparse.value,
        ...sparse.grads,
      ]);
    }
    disposeWeights(w);
  }
});
