/**
 * Direct access to where the `cpu` and `wasm` backends keep a tensor's
 * values, for our own kernels: no copy in, no copy out.
 *
 * - `cpu`: the backend stores each tensor's values as one typed array
 *   (its `dataSync()` returns that very array).
 * - `wasm`: values live in tfjs-wasm's heap (one WebAssembly memory) at an
 *   offset per tensor; a view of the heap is only valid until tfjs next
 *   allocates (a heap growth detaches it), so take views right before use.
 *
 * A view aliases the tensor: writing to it changes the tensor (and every
 * tensor sharing its data). Other backends have no such access here.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";

/** Backends whose storage {@link storageViews} can see. */
export const DIRECT_BACKENDS: readonly string[] = ["cpu", "wasm"];

interface CpuBackendLike {
  data: { get(id: tf.DataId): { values?: unknown } };
}

interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(id: tf.DataId): { memoryOffset: number } };
}

type Info = tf.TensorInfo;

function size(info: Info): number {
  return info.shape.reduce((a, b) => a * b, 1);
}

/**
 * Views of the float32 (or int32) storage of `infos` in `backend` (named
 * `backendName`, "cpu" or "wasm"), in order. All tensors are first made
 * resident in this backend (tfjs moves data lazily, and a move allocates),
 * then all views are taken, so none of them is detached by another's move.
 * Throws a TypeError naming the dtype or backend when there is no such
 * storage.
 */
export function storageViews(
  backend: tf.KernelBackend,
  backendName: string,
  infos: readonly Info[],
  dtypes: readonly ("float32" | "int32")[],
): (Float32Array | Int32Array)[] {
  infos.forEach((info, i) => {
    if (info.dtype !== dtypes[i]) {
      throw new TypeError(
        `storage view: expected a ${dtypes[i]} tensor, got ${info.dtype}`,
      );
    }
  });
  if (backendName === "wasm") {
    const b = backend as unknown as WasmBackendLike;
    // get() moves data here first if it lives on another backend.
    const offsets = infos.map((info) =>
      b.dataIdMap.get(info.dataId).memoryOffset
    );
    const buffer = b.wasm.HEAPU8.buffer;
    return infos.map((info, i) =>
      dtypes[i] === "float32"
        ? new Float32Array(buffer, offsets[i], size(info))
        : new Int32Array(buffer, offsets[i], size(info))
    );
  }
  if (backendName === "cpu") {
    const b = backend as unknown as CpuBackendLike;
    return infos.map((info, i) => {
      const values = b.data.get(info.dataId).values;
      const ok = dtypes[i] === "float32"
        ? values instanceof Float32Array
        : values instanceof Int32Array;
      if (!ok || (values as Float32Array).length !== size(info)) {
        throw new TypeError(
          `storage view: the cpu backend holds no ${dtypes[i]} array of ` +
            `${size(info)} values for this tensor`,
        );
      }
      return values as Float32Array | Int32Array;
    });
  }
  throw new TypeError(
    `storage view: no direct access to tensors on the "${backendName}" ` +
      `backend (only ${DIRECT_BACKENDS.join(", ")})`,
  );
}

/**
 * Zero-copy float32 views of tensors on the active backend (cpu or wasm;
 * see {@link storageViews}). Read them before the next tfjs operation and
 * do not write to them.
 */
export function floatViews(tensors: readonly tf.Tensor[]): Float32Array[] {
  return storageViews(
    tf.engine().backend,
    tf.getBackend(),
    tensors,
    tensors.map(() => "float32"),
  ) as Float32Array[];
}
