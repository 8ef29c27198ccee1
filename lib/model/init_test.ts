import assert from "node:assert/strict";
import { RandomState } from "../data/random.ts";
import { glorotLimit, initialWeights, orthogonal } from "./init.ts";

const SHAPES = { vocabRows: 2000, embeddingDim: 32, units: 16, classes: 5 };

function stats(
  a: Float32Array,
): { mean: number; std: number; min: number; max: number } {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const x of a) {
    s += x;
    s2 += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean), min, max };
}

/** max |(A·Aᵀ) − I| for a row-major [rows, cols] matrix (rows ≤ cols). */
function rowOrthoError(a: Float32Array, rows: number, cols: number): number {
  let worst = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      let dot = 0;
      for (let k = 0; k < cols; k++) dot += a[i * cols + k] * a[j * cols + k];
      worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

// Expected moments: U(−a, a) has std a/√3; N(0, s) has std s. Tolerances are
// several standard errors for these sample sizes.
Deno.test("initialWeights('keras') draws Keras' defaults", () => {
  const w = initialWeights("keras", SHAPES, new RandomState(1), {
    forgetBias: 1,
  });
  const h = SHAPES.units, g = 4 * h, e = SHAPES.embeddingDim;
  const emb = stats(w.embeddings);
  assert.ok(emb.min >= -0.05 && emb.max <= 0.05);
  assert.ok(
    Math.abs(emb.std - 0.05 / Math.sqrt(3)) < 0.001,
    `emb std ${emb.std}`,
  );
  const lim = glorotLimit(e, g);
  const k = stats(w.kernel);
  assert.ok(k.min >= -lim && k.max <= lim);
  assert.ok(
    Math.abs(k.std - lim / Math.sqrt(3)) < 0.01 * lim,
    `kernel std ${k.std}`,
  );
  assert.ok(rowOrthoError(w.recurrentKernel, h, g) < 1e-5);
  assert.equal(w.biases.length, 1);
  assert.deepEqual(
    Array.from(w.biases[0]),
    Array.from({ length: g }, (_, i) => (i >= h && i < 2 * h ? 1 : 0)),
  );
  const dl = glorotLimit(h, SHAPES.classes);
  assert.ok(stats(w.denseKernel).max <= dl && stats(w.denseKernel).min >= -dl);
  assert.deepEqual(Array.from(w.denseBias), [0, 0, 0, 0, 0]);
});

Deno.test("initialWeights('torch') draws PyTorch's defaults with two bias vectors", () => {
  const w = initialWeights("torch", SHAPES, new RandomState(2), {
    biasVectors: 2,
    forgetBias: null,
  });
  const h = SHAPES.units, k = 1 / Math.sqrt(h);
  const emb = stats(w.embeddings);
  assert.ok(
    Math.abs(emb.mean) < 0.02 && Math.abs(emb.std - 1) < 0.02,
    JSON.stringify(emb),
  );
  for (const a of [w.kernel, w.recurrentKernel, ...w.biases]) {
    const s = stats(a);
    assert.ok(s.min >= -k && s.max <= k);
  }
  assert.ok(Math.abs(stats(w.kernel).std - k / Math.sqrt(3)) < 0.01 * k);
  assert.equal(w.biases.length, 2);
  assert.notDeepEqual(Array.from(w.biases[0]), Array.from(w.biases[1]));
  const d = stats(w.denseKernel);
  assert.ok(d.min >= -k && d.max <= k);
  assert.ok(stats(w.denseBias).max <= k && stats(w.denseBias).min >= -k);
  assert.ok(stats(w.denseBias).max !== 0);
});

Deno.test("initialWeights('kerasLike') is the upstream's mix, and forgetBias fills every vector", () => {
  const w = initialWeights("kerasLike", SHAPES, new RandomState(3), {
    biasVectors: 2,
    forgetBias: 1,
    paddingIdx: 0,
  });
  const h = SHAPES.units, e = SHAPES.embeddingDim;
  const emb = stats(w.embeddings.subarray(e));
  assert.ok(Math.abs(emb.std - 0.01) < 0.0003, `emb std ${emb.std}`);
  assert.deepEqual(
    Array.from(w.embeddings.subarray(0, e)),
    new Array(e).fill(0),
  );
  assert.ok(rowOrthoError(w.recurrentKernel, h, 4 * h) < 1e-5);
  for (const b of w.biases) {
    assert.deepEqual(
      Array.from(b),
      Array.from({ length: 4 * h }, (_, i) => (i >= h && i < 2 * h ? 1 : 0)),
    );
  }
  // Exp 7's variant: torch init with the forget slices set, other gates random.
  const t = initialWeights("torch", SHAPES, new RandomState(3), {
    biasVectors: 2,
    forgetBias: 1,
  });
  for (const b of t.biases) {
    assert.ok(b.subarray(h, 2 * h).every((x) => x === 1));
    assert.ok(b.subarray(0, h).some((x) => x !== 0 && x !== 1));
  }
});

Deno.test("initialWeights() is a function of the seed", () => {
  const a = initialWeights("keras", SHAPES, new RandomState(7));
  const b = initialWeights("keras", SHAPES, new RandomState(7));
  const c = initialWeights("keras", SHAPES, new RandomState(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.kernel, c.kernel);
});

Deno.test("orthogonal() gives orthonormal columns when rows > cols", () => {
  const q = orthogonal(new RandomState(4), 48, 12);
  // Qᵀ·Q = I: transpose into [12, 48] and reuse the row check.
  const t = new Float32Array(12 * 48);
  for (let i = 0; i < 48; i++) {
    for (let j = 0; j < 12; j++) t[j * 48 + i] = q[i * 12 + j];
  }
  assert.ok(rowOrthoError(t, 12, 48) < 1e-5);
});

Deno.test("initialWeights() rejects a padding row outside the embedding", () => {
  assert.throws(
    () =>
      initialWeights("torch", SHAPES, new RandomState(1), { paddingIdx: 2000 }),
    /paddingIdx 2000 is outside the embedding's 2000 rows/,
  );
});
