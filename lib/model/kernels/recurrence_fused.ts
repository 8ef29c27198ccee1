/**
 * The `"fused"` recurrence engine: reads the projection and the recurrent
 * kernel from the backend into CPU memory, runs the whole time loop in one
 * call into our WebAssembly SIMD module (`lstm_wasm.ts`), and writes the
 * results back as tensors.
 *
 * Needs a backend that can read tensors synchronously (`cpu`, `wasm`, the
 * native `tensorflow` backend). The activations the backward needs are kept
 * as JS arrays in the closure, not as tensors.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { fusedBackward, fusedForward } from "./lstm_wasm.ts";
import type {
  RecurrenceArgs,
  RecurrenceForward,
  RecurrenceGrads,
} from "./recurrence.ts";

/** Backends whose tensors live in device memory without synchronous reads. */
const ASYNC_BACKENDS = new Set(["webgpu", "webgl"]);

function readFloats(t: tf.Tensor, what: string): Float32Array {
  const backend = tf.getBackend();
  if (ASYNC_BACKENDS.has(backend)) {
    throw new Error(
      `LSTM engine "fused" cannot read ${what} synchronously on the ` +
        `"${backend}" backend: use engine "ops" (or "auto") there`,
    );
  }
  return t.dataSync() as Float32Array;
}

/** Runs the packed recurrence in WebAssembly (see the module doc). */
export function fusedRecurrence(args: RecurrenceArgs): RecurrenceForward {
  const { plan, hard, train } = args;
  const h = args.recurrent.shape[0];
  // Copy: the cpu backend hands out its own storage.
  const recurrent = readFloats(args.recurrent, "the recurrent kernel").slice();
  const proj = readFloats(args.proj, "the input projection");
  const { hSorted, saved } = fusedForward({
    plan,
    proj,
    recurrent,
    hidden: h,
    hard,
    train,
  });
  return {
    hSorted: tf.tensor2d(hSorted, [plan.numActive, h]),
    saved: [],
    backward(dhSorted: tf.Tensor2D): RecurrenceGrads {
      if (saved === null) {
        throw new Error(
          "fused LSTM backward called for a forward run without a gradient tape",
        );
      }
      const grads = fusedBackward({
        plan,
        saved,
        recurrent,
        hidden: h,
        hard,
        dhSorted: readFloats(dhSorted, "the output gradient"),
      });
      return {
        dProj: tf.tensor2d(grads.dProj, [plan.numKeys, 4 * h]),
        dRecurrent: tf.tensor2d(grads.dRecurrent, [h, 4 * h]),
      };
    },
  };
}
