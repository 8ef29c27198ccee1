import assert from "node:assert/strict";
import {
  fusedBackward,
  fusedForward,
  paddedHidden,
  probeMath,
} from "./lstm_wasm.ts";
import { packBatch } from "./packing.ts";
import {
  finiteDifference,
  type ReferenceCase,
  referenceLstm,
  seededRandom,
} from "./_reference.ts";

function grid(lo: number, hi: number, n: number): Float32Array {
  return Float32Array.from(
    { length: n },
    (_, i) => lo + (hi - lo) * i / (n - 1),
  );
}

Deno.test("probeMath() vectorised exp, sigmoid and tanh stay within 2e-7 of Math on [-100, 100]", () => {
  // Measured maxima (200 001 points): exp relative 1.9e-7, sigmoid absolute
  // 9e-8, tanh absolute 1.8e-7. The op's 1e-5 agreement has ~50× margin.
  const x = grid(-100, 100, 200001);
  const e = probeMath(x, 0), s = probeMath(x, 1), t = probeMath(x, 2);
  let exp = 0, sig = 0, tanh = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] > -87 && x[i] < 88) {
      exp = Math.max(exp, Math.abs(e[i] / Math.exp(x[i]) - 1));
    }
    sig = Math.max(sig, Math.abs(s[i] - 1 / (1 + Math.exp(-x[i]))));
    tanh = Math.max(tanh, Math.abs(t[i] - Math.tanh(x[i])));
  }
  assert.ok(exp < 2e-7, `exp relative error ${exp}`);
  assert.ok(sig < 1e-7, `sigmoid absolute error ${sig}`);
  assert.ok(tanh < 2e-7, `tanh absolute error ${tanh}`);
});

Deno.test("probeMath() keeps NaN and saturates at ±Infinity", () => {
  const x = Float32Array.from([NaN, Infinity, -Infinity, 0]);
  const s = probeMath(x, 1), t = probeMath(x, 2), h = probeMath(x, 3);
  assert.ok(Number.isNaN(s[0]) && Number.isNaN(t[0]) && Number.isNaN(h[0]));
  assert.equal(s[1], 1);
  assert.ok(s[2] >= 0 && s[2] < 1e-37);
  assert.deepEqual([t[1], t[2], t[3]], [1, -1, 0]);
  assert.deepEqual([h[1], h[2], h[3]], [1, 0, 0.5]);
});

Deno.test("paddedHidden() rounds up to the unit block of 16", () => {
  assert.deepEqual([1, 16, 17, 64, 100].map(paddedHidden), [
    16,
    16,
    32,
    64,
    112,
  ]);
});

/** A random masked case and its projection per key, computed in float64. */
function setup(seed: number, hidden: number) {
  const rnd = seededRandom(seed);
  const V = 11, E = 4, B = 5, T = 6, H = hidden;
  const u = (n: number) => Float64Array.from({ length: n }, () => rnd() - 0.5);
  const ids = Int32Array.from(
    { length: B * T },
    () => (rnd() < 0.3 ? 0 : 1 + Math.floor(rnd() * (V - 1))),
  );
  const c: ReferenceCase = {
    vocab: V,
    embed: E,
    hidden: H,
    embeddings: u(V * E),
    kernel: u(E * 4 * H),
    recurrent: u(H * 4 * H),
    bias: u(4 * H),
    ids,
    batch: B,
    timesteps: T,
    masked: true,
    dropout: null,
    hard: false,
  };
  const plan = packBatch(ids, B, T, { masked: true, vocabSize: V });
  const proj = new Float32Array(plan.numKeys * 4 * H);
  for (let k = 0; k < plan.numKeys; k++) {
    for (let j = 0; j < 4 * H; j++) {
      let s = c.bias[j];
      for (let e = 0; e < E; e++) {
        s += c.embeddings[plan.keyIds[k] * E + e] * c.kernel[e * 4 * H + j];
      }
      proj[k * 4 * H + j] = s;
    }
  }
  const lossWeights = u(B * H);
  const dhSorted = new Float32Array(plan.numActive * H);
  for (let s = 0; s < plan.numActive; s++) {
    for (let j = 0; j < H; j++) {
      dhSorted[s * H + j] = lossWeights[plan.order[s] * H + j];
    }
  }
  return {
    c,
    plan,
    proj,
    recurrent: Float32Array.from(c.recurrent),
    lossWeights,
    dhSorted,
  };
}

Deno.test("fusedForward() and fusedBackward() match the float64 reference (H = 5 and 20)", () => {
  for (const hidden of [5, 20]) {
    const { c, plan, proj, recurrent, lossWeights, dhSorted } = setup(
      hidden,
      hidden,
    );
    const f = fusedForward({
      plan,
      proj,
      recurrent,
      hidden,
      hard: false,
      train: true,
    });
    const ref = referenceLstm(c);
    for (let s = 0; s < plan.numActive; s++) {
      for (let j = 0; j < hidden; j++) {
        const d = Math.abs(
          f.hSorted[s * hidden + j] - ref[plan.order[s] * hidden + j],
        );
        assert.ok(d < 1e-6, `h differs by ${d}`);
      }
    }
    const g = fusedBackward({
      plan,
      saved: f.saved!,
      recurrent,
      hidden,
      hard: false,
      dhSorted,
    });
    for (let i = 0; i < hidden * 4 * hidden; i++) {
      const fd = finiteDifference(c, lossWeights, "recurrent", i);
      assert.ok(
        Math.abs(g.dRecurrent[i] - fd) < 2e-6,
        `dU[${i}] ${g.dRecurrent[i]} vs ${fd}`,
      );
    }
    // Σ over keys of dProj is dL/db.
    for (let j = 0; j < 4 * hidden; j++) {
      let s = 0;
      for (let k = 0; k < plan.numKeys; k++) s += g.dProj[k * 4 * hidden + j];
      const fd = finiteDifference(c, lossWeights, "bias", j);
      assert.ok(Math.abs(s - fd) < 2e-6, `db[${j}] ${s} vs ${fd}`);
    }
  }
});

Deno.test("fusedBackward() gives the same result when another forward ran in between (spill path)", () => {
  const a = setup(1, 8), b = setup(2, 8);
  const run = (x: typeof a) =>
    fusedForward({
      plan: x.plan,
      proj: x.proj,
      recurrent: x.recurrent,
      hidden: 8,
      hard: false,
      train: true,
    });
  const back = (x: typeof a, saved: ReturnType<typeof run>["saved"]) =>
    fusedBackward({
      plan: x.plan,
      saved: saved!,
      recurrent: x.recurrent,
      hidden: 8,
      hard: false,
      dhSorted: x.dhSorted,
    });
  // In place: forward then backward.
  const inPlaceA = back(a, run(a).saved);
  const inPlaceB = back(b, run(b).saved);
  // Interleaved: A's activations must leave WebAssembly memory for B.
  const fa = run(a);
  const fb = run(b);
  assert.notEqual(fa.saved!.spilled, null);
  const lateB = back(b, fb.saved);
  const lateA = back(a, fa.saved);
  assert.deepEqual(lateA.dProj, inPlaceA.dProj);
  assert.deepEqual(lateA.dRecurrent, inPlaceA.dRecurrent);
  assert.deepEqual(lateB.dProj, inPlaceB.dProj);
  // An inference forward in between spills too, and changes nothing.
  const fc = run(a);
  fusedForward({
    plan: b.plan,
    proj: b.proj,
    recurrent: b.recurrent,
    hidden: 8,
    hard: false,
    train: false,
  });
  assert.deepEqual(back(a, fc.saved).dRecurrent, inPlaceA.dRecurrent);
});

Deno.test("fusedBackward() refuses to run twice for one forward", () => {
  const a = setup(3, 4);
  const f = fusedForward({
    plan: a.plan,
    proj: a.proj,
    recurrent: a.recurrent,
    hidden: 4,
    hard: false,
    train: true,
  });
  const args = {
    plan: a.plan,
    saved: f.saved!,
    recurrent: a.recurrent,
    hidden: 4,
    hard: false,
    dhSorted: a.dhSorted,
  };
  fusedBackward(args);
  assert.throws(
    () => fusedBackward(args),
    /backward of this forward has already run/,
  );
});

Deno.test("fusedForward() inference and training give the same final state", () => {
  const a = setup(4, 16);
  const train = fusedForward({
    plan: a.plan,
    proj: a.proj,
    recurrent: a.recurrent,
    hidden: 16,
    hard: true,
    train: true,
  });
  const infer = fusedForward({
    plan: a.plan,
    proj: a.proj,
    recurrent: a.recurrent,
    hidden: 16,
    hard: true,
    train: false,
  });
  assert.deepEqual(infer.hSorted, train.hSorted);
  assert.equal(infer.saved, null);
});
