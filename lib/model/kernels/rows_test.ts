import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../backend.ts";
import { gatherRows } from "./rows.ts";

Deno.test("gatherRows() equals tf.gather on rows (cpu and wasm), duplicates included", async () => {
  for (const backend of ["cpu", "wasm"] as const) {
    await initBackend(backend);
    const x = tf.tensor2d(
      Float32Array.from({ length: 7 * 3 }, (_, i) => i * 0.5 - 2),
      [7, 3],
    );
    const rows = Int32Array.from([6, 0, 6, 3]);
    const expected = tf.gather(x, tf.tensor1d(rows, "int32"));
    const before = tf.memory().numTensors;
    const got = gatherRows(x, rows);
    assert.equal(
      tf.memory().numTensors,
      before + 1,
      `${backend}: only the result is new`,
    );
    assert.deepEqual(got.shape, [4, 3]);
    assert.deepEqual([...got.dataSync()], [...expected.dataSync()]);
    tf.dispose([x, expected, got]);
  }
});

Deno.test("gatherRows() copies: changing the result leaves the source alone (cpu)", async () => {
  await initBackend("cpu");
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const got = gatherRows(x, Int32Array.from([1]));
  (got.dataSync() as Float32Array)[0] = 99;
  assert.deepEqual([...x.dataSync()], [1, 2, 3, 4]);
  tf.dispose([x, got]);
});
