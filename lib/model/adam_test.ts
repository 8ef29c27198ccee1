import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "./backend.ts";
import {
  Adam,
  type AdamOptions,
  densify,
  type RowSparseGradient,
} from "./adam.ts";
import { seededRandom } from "./kernels/_reference.ts";

// The reference is Adam's own tfjs-ops path (implementation "ops"), whose
// formulas adam.ts documents; the fused kernel must follow it to float32
// rounding (1e-6 relative, with an absolute floor of 1e-12).

const SHAPES: number[][] = [[11, 7], [5], [3, 4]];

function randomArray(rnd: () => number, n: number, scale: number) {
  return Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
}

function makeVars(seed: number): tf.Variable[] {
  const rnd = seededRandom(seed);
  return SHAPES.map((s) => {
    const t = tf.tensor(randomArray(rnd, s.reduce((a, b) => a * b), 0.5), s);
    const v = tf.variable(t);
    t.dispose();
    return v;
  });
}

/**
 * Gradients of step `k`: dense for vars 1 and 2, null for var 2 on odd
 * steps; for var 0 dense, or row-sparse with a repeated row when `sparse`
 * (rows 3, 9, 0, 3, 10 on even steps; 5, 9, 1, 1, 2 on odd ones).
 */
function stepGrads(
  k: number,
  sparse: boolean,
): (tf.Tensor | RowSparseGradient | null)[] {
  const rnd = seededRandom(1000 + k);
  const g0: tf.Tensor | RowSparseGradient = sparse
    ? {
      rows: Int32Array.from(k % 2 === 0 ? [3, 9, 0, 3, 10] : [5, 9, 1, 1, 2]),
      values: tf.tensor2d(randomArray(rnd, 5 * 7, 2), [5, 7]),
    }
    : tf.tensor(randomArray(rnd, 11 * 7, 2), SHAPES[0]);
  return [
    g0,
    tf.tensor(randomArray(rnd, 5, 1e-3), SHAPES[1]),
    k % 2 === 1 ? null : tf.tensor(randomArray(rnd, 12, 3), SHAPES[2]),
  ];
}

function disposeGrads(gs: (tf.Tensor | RowSparseGradient | null)[]): void {
  tf.dispose(gs as tf.TensorContainer);
}

async function run(
  options: Partial<AdamOptions>,
  sparse: boolean,
  steps: number,
): Promise<Float32Array[]> {
  const vars = makeVars(5);
  const adam = new Adam(vars, options);
  for (let k = 0; k < steps; k++) {
    const gs = stepGrads(k, sparse);
    adam.apply(gs);
    disposeGrads(gs);
  }
  const st = await adam.getState();
  const out = [
    ...vars.map((v) => (v.dataSync() as Float32Array).slice()),
    ...st.m,
    ...st.v,
  ];
  adam.dispose();
  tf.dispose(vars);
  return out;
}

function assertClose(a: Float32Array[], b: Float32Array[], label: string) {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => {
    for (let j = 0; j < x.length; j++) {
      const e = b[i][j];
      assert.ok(
        Math.abs(x[j] - e) <= 1e-6 * Math.abs(e) + 1e-12,
        `${label}: array ${i}[${j}] ${x[j]} vs ${e}`,
      );
    }
  });
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`Adam fused equals the tfjs-ops path over 4 steps on ${backend} (both formulas, dense and row-sparse, null skipped)`, async () => {
    await initBackend(backend);
    for (const formula of ["keras", "torch"] as const) {
      for (const sparse of [false, true]) {
        const label = `${backend}/${formula}/${sparse ? "sparse" : "dense"}`;
        const ops = await run({ formula, implementation: "ops" }, sparse, 4);
        const fused = await run(
          { formula, implementation: "fused" },
          sparse,
          4,
        );
        assertClose(fused, ops, label);
      }
    }
  });
}

Deno.test("Adam.apply() with a null gradient leaves that variable and its moments untouched (fused, cpu)", async () => {
  await initBackend("cpu");
  const vars = makeVars(9);
  const before = vars.map((v) => (v.dataSync() as Float32Array).slice());
  const adam = new Adam(vars, { implementation: "fused" });
  const gs = stepGrads(1, false); // var 2's gradient is null at odd steps
  adam.apply(gs);
  disposeGrads(gs);
  assert.deepEqual([...vars[2].dataSync()], [...before[2]]);
  const st = await adam.getState();
  assert.ok(st.m[2].every((x) => x === 0) && st.v[2].every((x) => x === 0));
  assert.ok(st.m[0].some((x) => x !== 0));
  adam.dispose();
  tf.dispose(vars);
});

Deno.test("Adam row-sparse gradient equals its dense form, rows outside it still move (cpu and wasm)", async () => {
  for (const backend of ["cpu", "wasm"] as const) {
    await initBackend(backend);
    for (const implementation of ["fused", "ops"] as const) {
      const a = makeVars(3), b = makeVars(3);
      const adamA = new Adam(a, { implementation });
      const adamB = new Adam(b, { implementation });
      const row = (t: tf.Tensor, r: number) =>
        [...t.dataSync()].slice(r * 7, r * 7 + 7);
      const row10: number[][] = [];
      for (let k = 0; k < 3; k++) {
        const gs = stepGrads(k, true);
        const sparse = gs[0] as RowSparseGradient;
        const dense = densify(sparse, SHAPES[0]);
        adamA.apply(gs);
        adamB.apply([dense, ...gs.slice(1)]);
        dense.dispose();
        disposeGrads(gs);
        row10.push(row(a[0], 10));
      }
      const label = `${backend}/${implementation}`;
      assertClose(
        a.map((v) => v.dataSync() as Float32Array),
        b.map((v) => v.dataSync() as Float32Array),
        label,
      );
      // Row 10 has no gradient at step 1 but still moves (momentum); row 6
      // never had one: m = 0, so it stays where it started.
      assert.notDeepEqual(row10[1], row10[0], label);
      const start = makeVars(3);
      assert.deepEqual(row(a[0], 6), row(start[0], 6), label);
      tf.dispose([...a, ...b, ...start]);
      adamA.dispose();
      adamB.dispose();
    }
  }
});

Deno.test("Adam getState()/setState() round-trip continues identically (fused, wasm)", async () => {
  await initBackend("wasm");
  const full = await run({ implementation: "fused" }, true, 4);
  // Two steps, save, restore into a fresh optimiser over copies, two more.
  const vars = makeVars(5);
  const first = new Adam(vars, { implementation: "fused" });
  for (let k = 0; k < 2; k++) {
    const gs = stepGrads(k, true);
    first.apply(gs);
    disposeGrads(gs);
  }
  const state = await first.getState();
  const saved = state.m.map((a) => a.slice());
  first.dispose();
  const second = new Adam(vars, { implementation: "fused" });
  second.setState(state);
  for (let k = 2; k < 4; k++) {
    const gs = stepGrads(k, true);
    second.apply(gs);
    disposeGrads(gs);
  }
  assert.equal(second.step, 4);
  const st = await second.getState();
  const got = [
    ...vars.map((v) => v.dataSync() as Float32Array),
    ...st.m,
    ...st.v,
  ];
  got.forEach((x, i) => assert.deepEqual([...x], [...full[i]], `array ${i}`));
  // The arrays handed to setState were copied, not updated in place.
  state.m.forEach((a, i) => assert.deepEqual([...a], [...saved[i]]));
  second.dispose();
  tf.dispose(vars);
});

Deno.test("Adam fused leaks no tensors and copies a variable whose storage another tensor shares (cpu and wasm)", async () => {
  for (const backend of ["cpu", "wasm"] as const) {
    await initBackend(backend);
    // A variable made from a tensor that stays alive shares its data.
    const t = tf.tensor2d(randomArray(seededRandom(4), 11 * 7, 1), [11, 7]);
    const original = (t.dataSync() as Float32Array).slice();
    const vars = [
      tf.variable(t),
      ...makeVars(5).slice(1),
    ];
    const adam = new Adam(vars, { implementation: "fused" });
    for (let k = 0; k < 2; k++) {
      const gs = stepGrads(k, k === 1);
      const before = tf.memory().numTensors;
      adam.apply(gs);
      assert.equal(tf.memory().numTensors, before, `${backend}: step ${k}`);
      disposeGrads(gs);
    }
    assert.deepEqual([...t.dataSync()], [...original], backend);
    assert.notDeepEqual([...vars[0].dataSync()], [...original], backend);
    adam.dispose();
    tf.dispose([t, ...vars]);
  }
});

Deno.test("Adam rejects gradients of the wrong shape and unknown options", async () => {
  await initBackend("cpu");
  const vars = makeVars(1);
  const adam = new Adam(vars);
  const bad = tf.zeros([2, 2]);
  assert.throws(
    () => adam.apply([bad, null, null]),
    /gradient 0 has shape \[2,2\]; its variable has \[11,7\]/,
  );
  const values = tf.zeros([2, 6]) as tf.Tensor2D;
  assert.throws(
    () => adam.apply([{ rows: Int32Array.from([1, 2]), values }, null, null]),
    /row-sparse gradient 0 needs a 2-D variable and values of shape \[rows.length, 7\]/,
  );
  const outside = tf.zeros([1, 7]) as tf.Tensor2D;
  assert.throws(
    () =>
      adam.apply([
        { rows: Int32Array.from([11]), values: outside },
        null,
        null,
      ]),
    /gradient row 0 points at row 11, outside the parameter's rows \[0, 11\)/,
  );
  assert.throws(
    () => new Adam(vars, { implementation: "gpu" as "ops" }),
    /"implementation" must be "auto", "fused" or "ops"/,
  );
  tf.dispose([bad, values, outside, ...vars]);
  adam.dispose();
});

Deno.test("Adam fused: a matMul with the variable as second operand sees the updated values (tfjs-wasm caches packed weights per tensor id)", async () => {
  for (const backend of ["wasm", "cpu"] as const) {
    await initBackend(backend);
    const rnd = seededRandom(8);
    const t = tf.tensor2d(randomArray(rnd, 6 * 4, 1), [6, 4]);
    const w = tf.variable(t);
    t.dispose();
    const x = tf.tensor2d(randomArray(rnd, 3 * 6, 1), [3, 6]);
    tf.matMul(x, w).dispose(); // lets the backend cache w's packed form
    const adam = new Adam([w], { implementation: "fused", learningRate: 0.1 });
    const g = tf.tensor2d(randomArray(rnd, 24, 1), [6, 4]);
    adam.apply([g]);
    const got = tf.matMul(x, w);
    const fresh = tf.tensor2d((w.dataSync() as Float32Array).slice(), [6, 4]);
    const want = tf.matMul(x, fresh);
    assert.deepEqual([...got.dataSync()], [...want.dataSync()], backend);
    tf.dispose([x, g, got, fresh, want, w]);
    adam.dispose();
  }
});

Deno.test("Adam's first step follows the Keras and PyTorch formulas (hand-computed golden)", async () => {
  // After one step m̂ = g and v̂ = g², so the update is lr·g/(|g| + ε') with
  // ε' = ε for PyTorch (ε added to the bias-corrected √v̂: torch.optim.Adam)
  // and ε' = ε/√(1 − β2) for Keras 3 (ε added to √v before the correction is
  // folded into the step size: keras.optimizers.Adam). With a gradient of
  // 1e-6 and ε = 1e-7 the two differ visibly.
  await initBackend("cpu");
  const g = 1e-6, lr = 1e-3, eps = 1e-7, b2 = 0.999;
  for (const implementation of ["ops", "fused"] as const) {
    for (
      const [formula, epsEff] of [["torch", eps], [
        "keras",
        eps / Math.sqrt(1 - b2),
      ]] as const
    ) {
      const p = tf.variable(tf.tensor1d([0.5]));
      const adam = new Adam([p], {
        learningRate: lr,
        epsilon: eps,
        formula,
        implementation,
      });
      const grad = tf.tensor1d([g]);
      adam.apply([grad]);
      const got = (await p.data())[0];
      const want = Math.fround(0.5 - lr * g / (g + epsEff));
      assert.ok(
        Math.abs(got - want) < 2e-7,
        `${implementation}/${formula}: ${got} vs ${want}`,
      );
      grad.dispose();
      adam.dispose();
      p.dispose();
    }
  }
});
