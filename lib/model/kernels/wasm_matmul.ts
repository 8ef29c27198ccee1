/**
 * Transposed matrix products at full speed on tfjs' `wasm` backend.
 *
 * tfjs-backend-wasm 4.22 sends `BatchMatMul` to XNNPACK's fast kernel only
 * when neither operand is transposed; with `transposeA` or `transposeB` it
 * takes a generic loop 10–20× slower (measured here: 0.8–1.1 GFLOP/s against
 * ~14). Every matmul gradient uses a transposed operand. This wrapper
 * materialises the transpose with the backend's own `Transpose` kernel first
 * and then runs the fast path; for AᵀB it may instead compute (BᵀA)ᵀ when
 * that moves fewer numbers. Same result up to float summation order.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";

const KERNEL = "BatchMatMul";
const BACKEND = "wasm";

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Info = tf.TensorInfo;

let fast: tf.KernelFunc | null = null;

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function swapLast(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function transposeInfo(x: Info, backend: tf.KernelBackend): Info {
  const kernel = tf.getKernel("Transpose", BACKEND);
  return kernel.kernelFunc({
    inputs: { x },
    backend,
    attrs: { perm: swapLast(x.shape.length) },
  }) as Info;
}

function plain(a: Info, b: Info, backend: tf.KernelBackend): Info {
  return fast!({
    inputs: { a, b },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as Info;
}

/**
 * The replacement kernel: non-transposed products go straight through;
 * otherwise the cheaper of two equivalent plans runs (sizes counted in
 * elements moved by transposes):
 * - AᵀB: transpose A (|A|), or compute BᵀA and transpose it (|B| + |out|);
 * - ABᵀ: transpose B (|B|);
 * - AᵀBᵀ: transpose both (|A| + |B|), or compute BA and transpose it (|out|).
 */
function batchMatMulMaterialised(args: KernelArgs): Info | Info[] {
  const { inputs, attrs } = args;
  const backend = args.backend as tf.KernelBackend;
  const { transposeA, transposeB } = attrs as unknown as {
    transposeA: boolean;
    transposeB: boolean;
  };
  if (!transposeA && !transposeB) return fast!(args);
  const a = inputs.a as Info;
  const b = inputs.b as Info;
  if (a.shape.length < 2 || b.shape.length < 2) return fast!(args);
  const dispose = (t: Info) => backend.disposeData(t.dataId);
  const sizeA = product(a.shape);
  const sizeB = product(b.shape);
  const rowsOut = transposeA
    ? a.shape[a.shape.length - 1]
    : a.shape[a.shape.length - 2];
  const colsOut = transposeB
    ? b.shape[b.shape.length - 2]
    : b.shape[b.shape.length - 1];
  const batch = Math.max(
    product(a.shape.slice(0, -2)),
    product(b.shape.slice(0, -2)),
  );
  const sizeOut = batch * rowsOut * colsOut;

  if (transposeA && !transposeB && sizeB + sizeOut < sizeA) {
    // AᵀB = (BᵀA)ᵀ
    const bt = transposeInfo(b, backend);
    const prod = plain(bt, a, backend);
    dispose(bt);
    const out = transposeInfo(prod, backend);
    dispose(prod);
    return out;
  }
  if (transposeA && transposeB && sizeOut < sizeA + sizeB) {
    // AᵀBᵀ = (BA)ᵀ
    const prod = plain(b, a, backend);
    const out = transposeInfo(prod, backend);
    dispose(prod);
    return out;
  }
  const at = transposeA ? transposeInfo(a, backend) : a;
  const bt = transposeB ? transposeInfo(b, backend) : b;
  const out = plain(at, bt, backend);
  if (at !== a) dispose(at);
  if (bt !== b) dispose(bt);
  return out;
}

/**
 * Wraps the `wasm` backend's `BatchMatMul` kernel so transposed operands are
 * materialised first. Call after `@tensorflow/tfjs-backend-wasm` is imported
 * (before or after the backend is initialised). Idempotent; does nothing if
 * the wasm backend's kernel is not registered.
 */
export function registerWasmMatMulFix(): void {
  let current: tf.KernelConfig;
  try {
    current = tf.getKernel(KERNEL, BACKEND);
  } catch {
    return;
  }
  if (current == null || current.kernelFunc === batchMatMulMaterialised) {
    return;
  }
  fast = current.kernelFunc;
  tf.unregisterKernel(KERNEL, BACKEND);
  tf.registerKernel({ ...current, kernelFunc: batchMatMulMaterialised });
}

/**
 * Puts the wasm backend's original `BatchMatMul` back (for tests and the
 * benchmark's before/after comparison). Does nothing if the fix is not in
 * effect.
 */
export function unregisterWasmMatMulFix(): void {
  if (!wasmMatMulFixRegistered() || fast === null) return;
  const current = tf.getKernel(KERNEL, BACKEND);
  tf.unregisterKernel(KERNEL, BACKEND);
  tf.registerKernel({ ...current, kernelFunc: fast });
}

/** Whether {@link registerWasmMatMulFix} is in effect. */
export function wasmMatMulFixRegistered(): boolean {
  try {
    return tf.getKernel(KERNEL, BACKEND)?.kernelFunc ===
      batchMatMulMaterialised;
  } catch {
    return false;
  }
}
