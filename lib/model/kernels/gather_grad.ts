/**
 * A scatter-based gradient for tfjs' `GatherV2` kernel (what `tf.gather`, and
 * so every embedding lookup, runs).
 *
 * tfjs 4.22 differentiates gather with `unsortedSegmentSum`. On the `cpu`
 * backend that kernel costs O(rows × tokens × width): at a 23k-word
 * vocabulary one training step of an Embedding(500) never finishes (13 GB of
 * memory); the `wasm` backend has no such kernel at all (both measured, see
 * shared/notes/platform.md). The gradient of `y = gather(x, indices, axis)`
 * is the sum, into each gathered row of `x`, of the `dy` rows that read it:
 * exactly `scatterND` with duplicate indices summed, which every backend has
 * and which costs O(size of x + size of dy).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";

const KERNEL = "GatherV2";

/** The gradient registered before ours (tfjs' own), for unregistering. */
let original: tf.GradConfig | null = null;

/**
 * dL/dx for `y = gather(x, indices, axis)` with `batchDims = 0`, by scatter:
 * the `dy` slices are moved so the index dimension leads, flattened to
 * [indices, rest], summed into [x.shape[axis], rest] with `scatterND`, and
 * moved back. Shapes: `x` [...outer, n, ...inner], `dy`
 * [...outer, ...indices.shape, ...inner]; the result has `x`'s shape.
 */
export function gatherGradByScatter(
  x: tf.Tensor,
  indices: tf.Tensor,
  dy: tf.Tensor,
  axis: number,
): tf.Tensor {
  return tf.tidy(() => {
    const shape = x.shape;
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const n = shape[axis];
    const count = indices.size;
    const idx = tf.reshape(tf.cast(indices, "int32"), [count, 1]);
    if (outer === 1) {
      const rows = tf.reshape(dy, [count, inner]);
      return tf.reshape(tf.scatterND(idx, rows, [n, inner]), shape);
    }
    // Bring the index dimension first: [outer, count, inner] → [count, outer, inner].
    const moved = tf.transpose(tf.reshape(dy, [outer, count, inner]), [
      1,
      0,
      2,
    ]);
    const summed = tf.scatterND(
      idx,
      tf.reshape(moved, [count, outer * inner]),
      [n, outer * inner],
    );
    const back = tf.transpose(tf.reshape(summed, [n, outer, inner]), [1, 0, 2]);
    return tf.reshape(back, shape);
  });
}

/**
 * The gradient with `batchDims` > 0: the leading batch dimensions are
 * flattened and each batch entry is handled by {@link gatherGradByScatter}.
 * (tfjs' own version calls chained ops, which tfjs-core's Node bundle does
 * not install, so it fails under Deno.)
 */
function batchedGatherGrad(
  x: tf.Tensor,
  indices: tf.Tensor,
  dy: tf.Tensor,
  axis: number,
  batchDims: number,
): tf.Tensor {
  return tf.tidy(() => {
    const count = x.shape.slice(0, batchDims).reduce((a, b) => a * b, 1);
    const xs = tf.reshape(x, [count, ...x.shape.slice(batchDims)]);
    const is = tf.reshape(indices, [count, ...indices.shape.slice(batchDims)]);
    const ds = tf.reshape(dy, [count, ...dy.shape.slice(batchDims)]);
    const parts: tf.Tensor[] = [];
    for (let b = 0; b < count; b++) {
      const pick = (t: tf.Tensor) =>
        tf.squeeze(
          tf.slice(t, [b, ...t.shape.slice(1).map(() => 0)], [
            1,
            ...t.shape.slice(1),
          ]),
          [0],
        );
      parts.push(
        gatherGradByScatter(pick(xs), pick(is), pick(ds), axis - batchDims),
      );
    }
    return tf.reshape(tf.stack(parts), x.shape);
  });
}

const scatterGradConfig: tf.GradConfig = {
  kernelName: KERNEL,
  inputsToSave: ["x", "indices"],
  gradFunc: (dy, saved, attrs) => {
    const [x, indices] = saved;
    const { axis, batchDims } = attrs as unknown as {
      axis: number;
      batchDims: number;
    };
    const parsedAxis = axis < 0 ? axis + x.rank : axis;
    const grad = Array.isArray(dy) ? dy[0] : dy;
    return {
      x: () =>
        batchDims > 0
          ? batchedGatherGrad(x, indices, grad, parsedAxis, batchDims)
          : gatherGradByScatter(x, indices, grad, parsedAxis),
      indices: () => tf.zerosLike(indices),
    };
  },
};

/**
 * Registers the scatter-based `GatherV2` gradient in tfjs' global gradient
 * registry (it applies to every backend). Idempotent: calling it again does
 * nothing.
 */
export function registerGatherGrad(): void {
  const current = tf.getGradient(KERNEL);
  if (current === scatterGradConfig) return;
  original = current ?? null;
  tf.registerGradient(scatterGradConfig);
}

/**
 * Puts back the gradient that was registered before
 * {@link registerGatherGrad} (tfjs' own), for tests and comparisons.
 */
export function unregisterGatherGrad(): void {
  if (!gatherGradRegistered() || original === null) return;
  tf.registerGradient(original);
}

/** Whether {@link registerGatherGrad} is in effect. */
export function gatherGradRegistered(): boolean {
  return tf.getGradient(KERNEL) === scatterGradConfig;
}
