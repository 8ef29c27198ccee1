import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../backend.ts";
import {
  gatherGradRegistered,
  registerGatherGrad,
  unregisterGatherGrad,
} from "./gather_grad.ts";

/** Small gathers with duplicate indices, along axis 0, axis 1, 2-D indices. */
const CASES = [
  {
    name: "axis 0, 2-D indices",
    xShape: [6, 3],
    indices: [[0, 2], [2, 5], [0, 0]],
    axis: 0,
  },
  { name: "axis 1", xShape: [2, 5, 3], indices: [4, 1, 4, 0], axis: 1 },
  { name: "axis -1", xShape: [3, 4], indices: [3, 3, 1], axis: -1 },
];

function gradOf(c: (typeof CASES)[number]): Float32Array[] {
  const size = c.xShape.reduce((a, b) => a * b, 1);
  const x = tf.tensor(
    Float32Array.from({ length: size }, (_, i) => Math.sin(i)),
    c.xShape,
  );
  const idx = tf.tensor(c.indices.flat(), undefined, "int32");
  const indices = tf.reshape(
    idx,
    Array.isArray(c.indices[0]) ? [c.indices.length, -1] : [-1],
  );
  // A loss that weights every output element differently.
  const g = tf.grad((t: tf.Tensor) => {
    const y = tf.gather(t, indices, c.axis);
    const w = tf.reshape(tf.range(1, y.size + 1), y.shape);
    return tf.sum(tf.mul(y, w));
  })(x);
  const out = [g.dataSync() as Float32Array];
  tf.dispose([x, idx, indices, g]);
  return out;
}

Deno.test("registerGatherGrad() gives the same gradient as tfjs' own on cpu", async () => {
  await initBackend("cpu");
  unregisterGatherGrad();
  assert.equal(gatherGradRegistered(), false);
  const expected = CASES.map(gradOf);
  registerGatherGrad();
  assert.equal(gatherGradRegistered(), true);
  const actual = CASES.map(gradOf);
  CASES.forEach((c, i) => {
    const a = actual[i][0], e = expected[i][0];
    assert.equal(a.length, e.length, c.name);
    for (let j = 0; j < a.length; j++) {
      assert.ok(
        Math.abs(a[j] - e[j]) <= 1e-5 * Math.max(1, Math.abs(e[j])),
        `${c.name}[${j}]: ${a[j]} vs ${e[j]}`,
      );
    }
  });
});

Deno.test("registerGatherGrad() makes gather differentiable on wasm (tfjs' own gradient is missing there)", async () => {
  await initBackend("cpu");
  const expected = CASES.map(gradOf);
  await initBackend("wasm");
  unregisterGatherGrad();
  assert.throws(() => gradOf(CASES[0]), /UnsortedSegmentSum/);
  registerGatherGrad();
  const actual = CASES.map(gradOf);
  CASES.forEach((c, i) => {
    const a = actual[i][0], e = expected[i][0];
    for (let j = 0; j < a.length; j++) {
      assert.ok(
        Math.abs(a[j] - e[j]) <= 1e-5 * Math.max(1, Math.abs(e[j])),
        `${c.name}[${j}]`,
      );
    }
  });
});

Deno.test("registerGatherGrad() is idempotent and leaks no tensors", async () => {
  await initBackend("cpu");
  registerGatherGrad();
  const config = tf.getGradient("GatherV2");
  registerGatherGrad();
  assert.equal(tf.getGradient("GatherV2"), config);
  gradOf(CASES[0]);
  const before = tf.memory().numTensors;
  gradOf(CASES[1]);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("registerGatherGrad() also differentiates gathers with batchDims = 1", async () => {
  // tfjs' own batchDims gradient calls chained ops (x.split), which
  // tfjs-core's Node bundle does not install: it fails under Deno.
  await initBackend("cpu");
  const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const idx = tf.tensor2d([[2, 2], [0, 1]], undefined, "int32");
  const w = tf.tensor2d([[1, 2], [3, 4]]);
  const g = tf.grad((t: tf.Tensor) =>
    tf.sum(tf.mul(tf.gather(t, idx, 1, 1), w))
  )(x);
  // Row 0 reads x[0][2] twice (weights 1, 2); row 1 reads x[1][0], x[1][1].
  assert.deepEqual([...g.dataSync()], [0, 0, 3, 3, 4, 0]);
  tf.dispose([x, idx, w, g]);
});
