import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { BASE_CONFIG, type ModelConfig } from "../config.ts";
import { RandomState } from "../data/random.ts";
import { Adam, isRowSparse, type RowSparseGradient } from "./adam.ts";
import { initBackend } from "./backend.ts";
import { DOUBLE_SOFTMAX_FLOOR, LstmClassifier } from "./classifier.ts";
import { seededRandom } from "./kernels/_reference.ts";

// The training step's row-sparse embedding gradient against the dense one
// (the earlier path: tf.variableGrads over the whole [V, E] matrix, Adam on
// tfjs ops). Several steps with Adam must give the same weights.

const V = 40, E = 12, H = 5, C = 5, B = 6, T = 9;

const KERAS: ModelConfig = {
  ...BASE_CONFIG.model,
  embeddingDim: E,
  lstmUnits: H,
};

/** The upstream PyTorch port's quirks: padding_idx 1, two biases, dropout. */
const TORCH: ModelConfig = {
  ...KERAS,
  init: "torch",
  biasVectors: 2,
  paddingIdx: 1,
  masking: "none",
  output: "doubleSoftmax",
  dropout: 0.3,
};

function batches(seed: number, steps: number) {
  const rnd = seededRandom(seed);
  return Array.from({ length: steps }, () => ({
    // Id 1 (the padding_idx of TORCH) appears often; 0 is padding.
    ids: Int32Array.from(
      { length: B * T },
      () => (rnd() < 0.2 ? 0 : rnd() < 0.2 ? 1 : 2 + Math.floor(rnd() * 20)),
    ),
    labels: Int32Array.from({ length: B }, () => Math.floor(rnd() * C)),
    mask: Float32Array.from(
      { length: B * E },
      () => (rnd() < 0.3 ? 0 : 1 / 0.7),
    ),
  }));
}

interface Variant {
  embeddingGradient: "rowSparse" | "dense";
  projection: "kernels" | "tfjs";
  adam: "fused" | "ops";
}

async function train(config: ModelConfig, variant: Variant, steps: number) {
  const model = new LstmClassifier(
    config,
    V,
    C,
    new RandomState(3),
    "fused",
    { projection: variant.projection },
  );
  const adam = new Adam(model.variables, { implementation: variant.adam });
  const losses: number[] = [];
  for (const b of batches(7, steps)) {
    const mask = config.dropout > 0 ? tf.tensor2d(b.mask, [B, E]) : null;
    const step = await model.gradients(
      { ids: b.ids, batch: B, timesteps: T },
      b.labels,
      mask,
      { embeddingGradient: variant.embeddingGradient },
    );
    mask?.dispose();
    assert.equal(
      isRowSparse(step.grads[0]),
      variant.embeddingGradient === "rowSparse",
    );
    adam.apply(step.grads);
    tf.dispose(step.grads);
    losses.push(step.loss);
  }
  const weights = await model.getWeights();
  adam.dispose();
  model.dispose();
  return { weights, losses };
}

function assertClose(
  a: Float32Array[],
  b: Float32Array[],
  tol: number,
  label: string,
) {
  a.forEach((x, i) => {
    let d = 0;
    for (let j = 0; j < x.length; j++) {
      d = Math.max(d, Math.abs(x[j] - b[i][j]));
    }
    assert.ok(d <= tol, `${label}: variable ${i} differs by ${d}`);
  });
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`LstmClassifier row-sparse step + fused Adam equals the dense step + tfjs-ops Adam over 3 steps on ${backend} (Keras and PyTorch-quirk configs)`, async () => {
    await initBackend(backend);
    for (
      const [name, config] of [["keras", KERAS], ["torch", TORCH]] as const
    ) {
      const dense = await train(config, {
        embeddingGradient: "dense",
        projection: "tfjs",
        adam: "ops",
      }, 3);
      // Same products, same Adam arithmetic: only the gradient's form differs.
      const sparseOps = await train(config, {
        embeddingGradient: "rowSparse",
        projection: "tfjs",
        adam: "ops",
      }, 3);
      assertClose(sparseOps.weights, dense.weights, 1e-6, `${name} sparse/ops`);
      // The full new path: our products, row-sparse gradient, fused Adam.
      const fast = await train(config, {
        embeddingGradient: "rowSparse",
        projection: "kernels",
        adam: "fused",
      }, 3);
      // Fused vs ops Adam on the same gradients: float32 rounding only.
      const fastOps = await train(config, {
        embeddingGradient: "rowSparse",
        projection: "kernels",
        adam: "ops",
      }, 3);
      assertClose(fast.weights, fastOps.weights, 1e-6, `${name} fused Adam`);
      // Determinism: the same run again gives bit-identical weights.
      const again = await train(config, {
        embeddingGradient: "rowSparse",
        projection: "kernels",
        adam: "fused",
      }, 3);
      again.weights.forEach((w, i) =>
        assert.deepEqual(w, fast.weights[i], `${name} rerun, variable ${i}`)
      );
      // Our products sum in another order than tfjs' matMul; Adam divides
      // by √v + ε, which turns a last-bit difference in a near-zero gradient
      // into up to ~lr × (relative difference) in the update.
      assertClose(fast.weights, dense.weights, 1e-5, `${name} fast path`);
      fast.losses.forEach((l, i) =>
        assert.ok(
          Math.abs(l - dense.losses[i]) < 5e-4 * dense.losses[i],
          `${name} loss ${i}: ${l} vs ${dense.losses[i]}`,
        )
      );
      // Embedding rows never read still moved after their first gradient?
      // Row 39 is never read: it must be exactly where it started.
      const init = new LstmClassifier(
        config,
        V,
        C,
        new RandomState(3),
        "fused",
      );
      const start = (await init.getWeights())[0];
      init.dispose();
      assert.deepEqual(
        [...fast.weights[0].subarray(39 * E, 40 * E)],
        [...start.subarray(39 * E, 40 * E)],
      );
      if (config.paddingIdx !== null) {
        // padding_idx row: zero gradient, so zero moments: never moves.
        const p = config.paddingIdx;
        assert.deepEqual(
          [...fast.weights[0].subarray(p * E, (p + 1) * E)],
          [...start.subarray(p * E, (p + 1) * E)],
        );
      }
    }
  });
}

Deno.test("LstmClassifier.gradients() returns the batch's ids as rows and leaks no tensors (wasm)", async () => {
  await initBackend("wasm");
  const model = new LstmClassifier(KERAS, V, C, new RandomState(1), "fused");
  const b = batches(2, 1)[0];
  const run = async () => {
    const step = await model.gradients(
      { ids: b.ids, batch: B, timesteps: T },
      b.labels,
      null,
    );
    tf.dispose(step.grads);
    return step;
  };
  await run();
  const before = tf.memory().numTensors;
  const step = await run();
  assert.equal(tf.memory().numTensors, before);
  const g = step.grads[0] as RowSparseGradient;
  const distinct = [...new Set(b.ids)].filter((id) => id !== 0).sort((x, y) =>
    x - y
  );
  assert.deepEqual([...g.rows].sort((x, y) => x - y), distinct);
  assert.ok(Number.isFinite(step.loss) && step.loss > 0);
  model.dispose();
});

Deno.test("rowLosses(): logits give softmax cross-entropy; the double softmax cannot go below ln(e+4)−1", async () => {
  await initBackend("cpu");
  const model = new LstmClassifier(KERAS, V, C, new RandomState(1), "fused");
  const dbl = new LstmClassifier(
    { ...KERAS, output: "doubleSoftmax" },
    V,
    C,
    new RandomState(1),
    "fused",
  );
  // Hand-computed: −log softmax([2, 0, 0, 0, 0])[0] = log(e² + 4) − 2.
  const z = tf.tensor2d([[2, 0, 0, 0, 0], [50, -50, -50, -50, -50]]);
  const y = tf.tensor1d([0, 0], "int32");
  const ce = await model.rowLosses(z, y).data();
  assert.ok(Math.abs(ce[0] - (Math.log(Math.E ** 2 + 4) - 2)) < 1e-6);
  assert.ok(ce[1] < 1e-6);
  // Softmax outputs lie in [0, 1], so the second softmax sees logits at most
  // 1 apart: the best it can do is a loss of ln(e + 4) − 1 ≈ 0.9048.
  const d = await dbl.rowLosses(z, y).data();
  assert.ok(
    d[1] >= DOUBLE_SOFTMAX_FLOOR - 1e-6 && d[1] < DOUBLE_SOFTMAX_FLOOR + 1e-4,
    `${d[1]}`,
  );
  assert.ok(Math.abs(DOUBLE_SOFTMAX_FLOOR - 0.9048) < 1e-4);
  tf.dispose([z, y]);
  model.dispose();
  dbl.dispose();
});

Deno.test("evaluate() gives the same predictions and loss in batches of 256, 7 or all at once", async () => {
  await initBackend("wasm");
  const model = new LstmClassifier(KERAS, V, C, new RandomState(2), "fused");
  const b = batches(5, 1)[0];
  const all = await model.evaluate(b.ids, B, T, b.labels, null);
  for (const size of [256, 7]) {
    const part = await model.evaluate(b.ids, B, T, b.labels, size);
    assert.deepEqual(part.predictions, all.predictions);
    assert.equal(part.correct, all.correct);
    assert.ok(
      Math.abs(part.lossSum - all.lossSum) < 1e-4 * Math.abs(all.lossSum),
    );
  }
  model.dispose();
});
