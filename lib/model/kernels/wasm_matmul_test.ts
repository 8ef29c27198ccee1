import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { initBackend } from "../backend.ts";
import {
  registerWasmMatMulFix,
  unregisterWasmMatMulFix,
  wasmMatMulFixRegistered,
} from "./wasm_matmul.ts";

interface Shape {
  name: string;
  a: number[];
  b: number[];
  tA: boolean;
  tB: boolean;
}

// Every transpose combination, batched and broadcast shapes, and shapes that
// pick each plan (transpose the operand, or compute the swapped product and
// transpose the small result).
const SHAPES: Shape[] = [
  { name: "AB", a: [7, 5], b: [5, 6], tA: false, tB: false },
  { name: "AᵀB, transpose A", a: [5, 7], b: [5, 6], tA: true, tB: false },
  { name: "AᵀB, via (BᵀA)ᵀ", a: [50, 40], b: [50, 3], tA: true, tB: false },
  { name: "ABᵀ", a: [7, 5], b: [6, 5], tA: false, tB: true },
  { name: "AᵀBᵀ, transpose both", a: [3, 20], b: [20, 3], tA: true, tB: true },
  { name: "AᵀBᵀ, via (BA)ᵀ", a: [30, 20], b: [2, 30], tA: true, tB: true },
  { name: "batched AᵀB", a: [3, 5, 4], b: [3, 5, 2], tA: true, tB: false },
  { name: "broadcast ABᵀ", a: [2, 4, 5], b: [1, 3, 5], tA: false, tB: true },
];

function values(shape: number[], seed: number): Float32Array {
  const n = shape.reduce((x, y) => x * y, 1);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.7));
}

function products(): Float32Array[] {
  return SHAPES.map((s, k) => {
    const a = tf.tensor(values(s.a, k), s.a);
    const b = tf.tensor(values(s.b, 100 + k), s.b);
    const c = tf.matMul(a, b, s.tA, s.tB);
    const out = c.dataSync() as Float32Array;
    tf.dispose([a, b, c]);
    return out;
  });
}

function assertAllClose(
  actual: Float32Array[],
  expected: Float32Array[],
  label: string,
) {
  actual.forEach((a, i) => {
    assert.equal(a.length, expected[i].length, `${label}: ${SHAPES[i].name}`);
    for (let j = 0; j < a.length; j++) {
      assert.ok(
        Math.abs(a[j] - expected[i][j]) < 1e-5,
        `${label}: ${SHAPES[i].name}[${j}]`,
      );
    }
  });
}

Deno.test("registerWasmMatMulFix() gives the same products as tfjs-wasm as shipped and as cpu", async () => {
  await initBackend("cpu");
  const cpu = products();
  await initBackend("wasm");
  assert.ok(wasmMatMulFixRegistered());
  const fixed = products();
  unregisterWasmMatMulFix();
  assert.ok(!wasmMatMulFixRegistered());
  const shipped = products();
  registerWasmMatMulFix();
  assertAllClose(fixed, shipped, "fixed vs shipped");
  assertAllClose(fixed, cpu, "fixed vs cpu");
});

Deno.test("registerWasmMatMulFix() is idempotent and frees its intermediate buffers", async () => {
  await initBackend("wasm");
  registerWasmMatMulFix();
  const config = tf.getKernel("BatchMatMul", "wasm");
  registerWasmMatMulFix();
  assert.equal(tf.getKernel("BatchMatMul", "wasm"), config);
  products();
  const tensors = tf.memory().numTensors;
  const buffers = tf.engine().backend.numDataIds();
  products();
  assert.equal(tf.memory().numTensors, tensors);
  assert.equal(tf.engine().backend.numDataIds(), buffers);
});

Deno.test("registerWasmMatMulFix() keeps matMul gradients right on wasm", async () => {
  const grads = async (backend: "cpu" | "wasm") => {
    await initBackend(backend);
    const a = tf.tensor2d(values([6, 4], 1), [6, 4]);
    const b = tf.tensor2d(values([4, 3], 2), [4, 3]);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(x, y), tf.reshape(tf.range(1, 19), [6, 3])))
    )([a, b]);
    const out = [ga.dataSync() as Float32Array, gb.dataSync() as Float32Array];
    tf.dispose([a, b, ga, gb]);
    return out;
  };
  const cpu = await grads("cpu");
  const wasm = await grads("wasm");
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < cpu[i].length; j++) {
      assert.ok(Math.abs(cpu[i][j] - wasm[i][j]) < 1e-4);
    }
  }
});
