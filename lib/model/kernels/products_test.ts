import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../backend.ts";
import {
  colSumsProbe,
  fusedBackward,
  fusedForward,
  gemmProbe,
  gemmTNProbe,
  projectedBackward,
  projectedForward,
} from "./lstm_wasm.ts";
import { packBatch } from "./packing.ts";
import { seededRandom } from "./_reference.ts";

// The projection products of the fused engine against tfjs' own matMul on
// the cpu backend (plain float32 loops). Tolerance: 1e-5 relative to the
// sum of |terms| of each output (the scale of any float32 summation error),
// so near-cancelling outputs are judged fairly.

function randoms(seed: number, n: number, scale = 1): Float32Array {
  const rnd = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
}

function tfMatMul(
  a: Float32Array,
  aShape: [number, number],
  b: Float32Array,
  bShape: [number, number],
  transposeA: boolean,
): Float32Array {
  return tf.tidy(() =>
    tf.matMul(tf.tensor2d(a, aShape), tf.tensor2d(b, bShape), transposeA)
      .dataSync() as Float32Array
  ).slice();
}

/** Σ |a_ik b_kj| for C = A·B (A [m, k] when !transposeA, else [k, m]). */
function absScale(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  transposeA: boolean,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let kk = 0; kk < k; kk++) {
      const x = Math.abs(transposeA ? a[kk * m + i] : a[i * k + kk]);
      for (let j = 0; j < n; j++) out[i * n + j] += x * Math.abs(b[kk * n + j]);
    }
  }
  return out;
}

function assertRelClose(
  got: Float32Array,
  want: Float32Array,
  scale: Float64Array,
  label: string,
): void {
  assert.equal(got.length, want.length, label);
  for (let i = 0; i < got.length; i++) {
    const tol = 1e-5 * scale[i] + 1e-30;
    assert.ok(
      Math.abs(got[i] - want[i]) <= tol,
      `${label}[${i}]: ${got[i]} vs ${want[i]} (tolerance ${tol})`,
    );
  }
}

Deno.test("gemm kernel (P = X·W + b, dX = dP·Wᵀ) equals tfjs matMul on odd shapes", async () => {
  await initBackend("cpu");
  // Rows 37 (odd: the last row runs alone), E = 500, 4H = 64 / 72 / 256;
  // and the dX shape: k = 4H, n = E = 500 (not a multiple of 16).
  const cases: [number, number, number][] = [
    [37, 500, 64],
    [37, 500, 72],
    [38, 500, 256],
    [37, 72, 500],
    [5, 256, 500],
    [1, 3, 5],
  ];
  for (const [m, k, n] of cases) {
    const a = randoms(m + k, m * k), b = randoms(n + 1, k * n, 0.3);
    const bias = randoms(7, n);
    const want = tfMatMul(a, [m, k], b, [k, n], false);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) want[i * n + j] += bias[j];
    }
    const scale = absScale(a, b, m, k, n, false).map((s, i) =>
      s + Math.abs(bias[i % n])
    );
    assertRelClose(
      gemmProbe(a, b, m, k, n, bias),
      want,
      scale,
      `gemm ${m}×${k}·${k}×${n}`,
    );
    const noBias = gemmProbe(a, b, m, k, n);
    const plain = tfMatMul(a, [m, k], b, [k, n], false);
    assertRelClose(noBias, plain, absScale(a, b, m, k, n, false), "no bias");
  }
});

Deno.test("gemmTN kernel (dW = Xᵀ·dP) equals tfjs matMul(transposeA) across chunk boundaries", async () => {
  await initBackend("cpu");
  // k = keys: 1001 crosses the 256-row chunks unevenly; m = E = 500 and an
  // odd 7; n = 4H = 64 / 72 / 256.
  const cases: [number, number, number][] = [
    [1001, 500, 64],
    [1001, 500, 72],
    [300, 500, 256],
    [257, 7, 72],
  ];
  for (const [k, m, n] of cases) {
    const a = randoms(k + m, k * m), b = randoms(n, k * n, 0.3);
    assertRelClose(
      gemmTNProbe(a, b, k, m, n),
      tfMatMul(a, [k, m], b, [k, n], true),
      absScale(a, b, m, k, n, true),
      `gemmTN ${k}×${m}ᵀ·${k}×${n}`,
    );
  }
});

Deno.test("colSums kernel equals tf.sum over rows", async () => {
  await initBackend("cpu");
  const m = 301, n = 72;
  const a = randoms(3, m * n);
  const want = tf.tidy(() =>
    tf.sum(tf.tensor2d(a, [m, n]), 0).dataSync() as Float32Array
  );
  const scale = new Float64Array(n);
  for (let i = 0; i < m * n; i++) scale[i % n] += Math.abs(a[i]);
  assertRelClose(colSumsProbe(a, m, n), want, scale, "colSums");
});

Deno.test("gemm and gemmTN kernels are deterministic: same inputs, bit-identical outputs", () => {
  const m = 333, k = 500, n = 256;
  const a = randoms(1, m * k), b = randoms(2, k * n);
  assert.deepEqual(gemmProbe(a, b, m, k, n), gemmProbe(a, b, m, k, n));
  const bt = randoms(3, m * n);
  assert.deepEqual(gemmTNProbe(a, bt, m, k, n), gemmTNProbe(a, bt, m, k, n));
});

/** A masked batch with repeated ids, its rows and weights. */
function projectedCase(seed: number, e: number, h: number, masked: boolean) {
  const rnd = seededRandom(seed);
  const V = 13, B = 6, T = 9;
  const ids = Int32Array.from(
    { length: B * T },
    () => (rnd() < 0.25 ? 0 : 1 + Math.floor(rnd() * (V - 1))),
  );
  const plan = packBatch(ids, B, T, {
    masked: true,
    vocabSize: V,
    perRowKeys: masked,
  });
  const u = plan.numKeys;
  const rows = randoms(seed + 1, u * e, 0.8);
  const mask = masked
    ? Float32Array.from(
      { length: u * e },
      () => (rnd() < 0.3 ? 0 : 1 / 0.7),
    )
    : null;
  return {
    plan,
    rows,
    mask,
    kernel: randoms(seed + 2, e * 4 * h, 0.4),
    bias: randoms(seed + 3, 4 * h, 0.4),
    recurrent: randoms(seed + 4, h * 4 * h, 0.4),
    dh: randoms(seed + 5, plan.numActive * h),
  };
}

type Case = ReturnType<typeof projectedCase>;

function runProjected(c: Case, e: number, h: number, between?: () => void) {
  const f = projectedForward({
    plan: c.plan,
    rows: c.rows,
    mask: c.mask,
    embed: e,
    kernel: c.kernel,
    bias: c.bias,
    recurrent: c.recurrent,
    hidden: h,
    hard: false,
    train: true,
  });
  between?.();
  const g = projectedBackward({
    plan: c.plan,
    saved: f.saved!,
    rowsMask: c.mask,
    embed: e,
    kernel: c.kernel,
    recurrent: c.recurrent,
    hidden: h,
    hard: false,
    dhSorted: c.dh,
  });
  return { h: f.hSorted, ...g };
}

/** The same computation with tfjs products around fusedForward/Backward. */
function runWithTfjsProducts(c: Case, e: number, h: number) {
  const u = c.plan.numKeys;
  return tf.tidy(() => {
    const rowsT = tf.tensor2d(c.rows, [u, e]);
    const maskT = c.mask ? tf.tensor2d(c.mask, [u, e]) : null;
    const x = maskT ? tf.mul(rowsT, maskT) : rowsT;
    const kernelT = tf.tensor2d(c.kernel, [e, 4 * h]);
    const proj = tf.add(tf.matMul(x, kernelT), tf.tensor1d(c.bias));
    const f = fusedForward({
      plan: c.plan,
      proj: proj.dataSync() as Float32Array,
      recurrent: c.recurrent,
      hidden: h,
      hard: false,
      train: true,
    });
    const g = fusedBackward({
      plan: c.plan,
      saved: f.saved!,
      recurrent: c.recurrent,
      hidden: h,
      hard: false,
      dhSorted: c.dh,
    });
    const dP = tf.tensor2d(g.dProj, [u, 4 * h]);
    const dX = tf.matMul(dP, kernelT, false, true);
    return {
      h: f.hSorted,
      dRows: (maskT ? tf.mul(dX, maskT) : dX).dataSync() as Float32Array,
      dKernel: tf.matMul(x, dP, true, false).dataSync() as Float32Array,
      dBias: tf.sum(dP, 0).dataSync() as Float32Array,
      dRecurrent: g.dRecurrent,
    };
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test("projectedForward/Backward equal the tfjs-product pipeline (padded E and H, with and without a mask)", async () => {
  await initBackend("cpu");
  for (const [e, h] of [[7, 5], [20, 18], [33, 16]]) {
    for (const masked of [false, true]) {
      const c = projectedCase(10 * e + h, e, h, masked);
      const got = runProjected(c, e, h);
      const want = runWithTfjsProducts(c, e, h);
      for (const key of ["h", "dRows", "dKernel", "dBias", "dRecurrent"]) {
        const k = key as keyof typeof got;
        const d = maxAbsDiff(got[k], want[k]);
        assert.ok(
          d <= 1e-5,
          `E=${e} H=${h} mask=${masked}: ${key} off by ${d}`,
        );
      }
      assert.ok(
        got.dRows.some((v) => v !== 0) && got.dKernel.some((v) => v !== 0),
      );
    }
  }
});

Deno.test("projectedBackward gives bit-identical results when run again, and after another forward in between (spill)", () => {
  const e = 24, h = 8;
  const c = projectedCase(5, e, h, true);
  const first = runProjected(c, e, h);
  const again = runProjected(c, e, h);
  const other = projectedCase(6, e, h, false);
  const spilled = runProjected(c, e, h, () => runProjected(other, e, h));
  for (const key of ["h", "dRows", "dKernel", "dBias", "dRecurrent"]) {
    const k = key as keyof typeof first;
    assert.deepEqual(again[k], first[k], `${key} (again)`);
    assert.deepEqual(spilled[k], first[k], `${key} (spilled)`);
  }
});

Deno.test("projectedForward rejects inputs of the wrong size, naming them", () => {
  const c = projectedCase(1, 6, 4, false);
  assert.throws(
    () =>
      projectedForward({
        plan: c.plan,
        rows: c.rows.subarray(1),
        mask: null,
        embed: 6,
        kernel: c.kernel,
        bias: c.bias,
        recurrent: c.recurrent,
        hidden: 4,
        hard: false,
        train: false,
      }),
    /rows has \d+ values, expected \d+ keys × 6/,
  );
});
