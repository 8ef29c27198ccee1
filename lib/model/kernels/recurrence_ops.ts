/**
 * The `"ops"` recurrence engine: the same packed recurrence as the fused
 * engine, written as tfjs ops issued once per timestep, so every tensor stays
 * on the backend's device (the engine for `webgpu`, and a readable
 * reference). Forward and backward are both explicit; tfjs' autodiff is not
 * used inside.
 *
 * Step t works on the first n_t sorted rows (the rows still running):
 *
 *   z = proj[keys_t] + h[:n_t]·U;  i, f, o = σ(z_i, z_f, z_o);  g = tanh(z_g)
 *   c = f ⊙ c[:n_t] + i ⊙ g;        h = o ⊙ tanh(c)
 *
 * Rows n_{t+1}..n_t-1 end at step t; their h is set aside as their result.
 * The backward walks the steps in reverse with the saved gates, h_prev and
 * c_prev (token-major in packed order, as the fused engine keeps them), then
 * forms dU = Σ h_prevᵀ dz as one product and dProj as one scatter-sum of dz
 * by key.
 *
 * Per-op overhead dominates on CPU backends (tens of small ops per step);
 * prefer the fused engine there.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { stepOffsets } from "./packing.ts";
import type {
  RecurrenceArgs,
  RecurrenceForward,
  RecurrenceGrads,
} from "./recurrence.ts";

function activate(z: tf.Tensor, hard: boolean): tf.Tensor {
  return hard
    ? tf.clipByValue(tf.add(tf.mul(z, 0.2), 0.5), 0, 1)
    : tf.sigmoid(z);
}

/** d(activation)/dz written with the activation value y. */
function activationGrad(y: tf.Tensor, hard: boolean): tf.Tensor {
  if (hard) {
    const inside = tf.logicalAnd(tf.greater(y, 0), tf.less(y, 1));
    return tf.mul(tf.cast(inside, "float32"), 0.2);
  }
  return tf.mul(y, tf.sub(1, y));
}

/** tf.tidy for a plain object of tensors (and nulls) with its own type. */
function tidyObject<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}

function rows(x: tf.Tensor2D, start: number, count: number): tf.Tensor2D {
  if (start === 0 && count === x.shape[0]) return x;
  return tf.slice(x, [start, 0], [count, x.shape[1]]);
}

/** Runs the packed recurrence with one group of tfjs ops per step. */
export function opsRecurrence(args: RecurrenceArgs): RecurrenceForward {
  const { plan, proj, recurrent, hard, train } = args;
  const h = recurrent.shape[0];
  const steps = plan.steps;
  const sizes = plan.batchSizes;
  const offsets = stepOffsets(sizes);
  const n0 = plan.numActive;

  let hState: tf.Tensor2D = tf.zeros([n0, h]);
  let cState: tf.Tensor2D = tf.zeros([n0, h]);
  const finished: tf.Tensor2D[] = [];
  const gateSteps: tf.Tensor2D[] = [];
  const hPrevSteps: tf.Tensor2D[] = [];
  const cPrevSteps: tf.Tensor2D[] = [];

  for (let t = 0; t < steps; t++) {
    const n = sizes[t];
    const nNext = t + 1 < steps ? sizes[t + 1] : 0;
    const keys = plan.keys.subarray(offsets[t], offsets[t] + n);
    const out = tidyObject(() => {
      const hPrev = rows(hState, 0, n);
      const cPrev = rows(cState, 0, n);
      const z = tf.add(
        tf.gather(proj, tf.tensor1d(keys, "int32")),
        tf.matMul(hPrev, recurrent),
      );
      const [zi, zf, zg, zo] = tf.split(z, 4, 1);
      const i = activate(zi, hard);
      const f = activate(zf, hard);
      const g = tf.tanh(zg);
      const o = activate(zo, hard);
      const c = tf.add(tf.mul(f, cPrev), tf.mul(i, g)) as tf.Tensor2D;
      const hNew = tf.mul(o, tf.tanh(c)) as tf.Tensor2D;
      return {
        h: hNew,
        c,
        // A slice, never hNew itself: hNew is disposed as the next state.
        done: nNext < n ? tf.slice(hNew, [nNext, 0], [n - nNext, h]) : null,
        gates: train ? tf.concat([i, f, g, o], 1) as tf.Tensor2D : null,
        hPrev: train ? tf.clone(hPrev) : null,
        cPrev: train ? tf.clone(cPrev) : null,
      };
    });
    hState.dispose();
    cState.dispose();
    hState = out.h;
    cState = out.c;
    if (out.done) finished.push(out.done);
    if (out.gates) gateSteps.push(out.gates);
    if (out.hPrev) hPrevSteps.push(out.hPrev);
    if (out.cPrev) cPrevSteps.push(out.cPrev);
  }
  hState.dispose();
  cState.dispose();

  // Rows finish shortest-first, i.e. from the end of the sorted order.
  finished.reverse();
  const hSorted = n0 === 0
    ? tf.zeros([0, h]) as tf.Tensor2D
    : finished.length === 1
    ? finished[0]
    : tf.concat(finished, 0) as tf.Tensor2D;

  let saved: tf.Tensor[] = [];
  if (train && steps > 0) {
    saved = [
      tf.concat(gateSteps, 0),
      tf.concat(hPrevSteps, 0),
      tf.concat(cPrevSteps, 0),
    ];
  }

  return {
    hSorted,
    saved,
    backward(dhSorted: tf.Tensor2D, kept: tf.Tensor[]): RecurrenceGrads {
      if (steps === 0) {
        return {
          dProj: tf.zeros([plan.numKeys, 4 * h]),
          dRecurrent: tf.zeros([h, 4 * h]),
        };
      }
      const [gatesAll, hPrevAll, cPrevAll] = kept as tf.Tensor2D[];
      const dzSteps: tf.Tensor2D[] = [];
      let dhCarry: tf.Tensor2D | null = null;
      let dcCarry: tf.Tensor2D | null = null;
      for (let t = steps - 1; t >= 0; t--) {
        const n = sizes[t];
        const nNext = t + 1 < steps ? sizes[t + 1] : 0;
        const off = offsets[t];
        const prevDh: tf.Tensor2D | null = dhCarry;
        const prevDc: tf.Tensor2D | null = dcCarry;
        const out = tidyObject(() => {
          // Rows that end at this step receive dL/dh_final; the others the
          // gradient carried back from step t + 1.
          let dh: tf.Tensor2D;
          let dc: tf.Tensor2D;
          if (nNext === 0) {
            dh = rows(dhSorted, 0, n);
            dc = tf.zeros([n, h]);
          } else if (nNext === n) {
            dh = prevDh!;
            dc = prevDc!;
          } else {
            dh = tf.concat([prevDh!, rows(dhSorted, nNext, n - nNext)], 0);
            dc = tf.concat([prevDc!, tf.zeros([n - nNext, h])], 0);
          }
          const [i, f, g, o] = tf.split(rows(gatesAll, off, n), 4, 1);
          const cPrev = rows(cPrevAll, off, n);
          const c = tf.add(tf.mul(f, cPrev), tf.mul(i, g));
          const tc = tf.tanh(c);
          const dO = tf.mul(dh, tc);
          const dcT = tf.add(
            dc,
            tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tc))),
          );
          const dzi = tf.mul(tf.mul(dcT, g), activationGrad(i, hard));
          const dzf = tf.mul(tf.mul(dcT, cPrev), activationGrad(f, hard));
          const dzg = tf.mul(tf.mul(dcT, i), tf.sub(1, tf.square(g)));
          const dzo = tf.mul(dO, activationGrad(o, hard));
          const dz = tf.concat([dzi, dzf, dzg, dzo], 1) as tf.Tensor2D;
          return {
            dz,
            dh: t > 0
              ? tf.matMul(dz, recurrent, false, true) as tf.Tensor2D
              : null,
            dc: t > 0 ? tf.mul(dcT, f) as tf.Tensor2D : null,
          };
        });
        prevDh?.dispose();
        prevDc?.dispose();
        dzSteps.push(out.dz);
        dhCarry = out.dh;
        dcCarry = out.dc;
      }
      dzSteps.reverse();
      const dz = dzSteps.length === 1 ? dzSteps[0] : tf.concat(dzSteps, 0);
      const grads = tidyObject(() => ({
        dRecurrent: tf.matMul(hPrevAll, dz, true, false) as tf.Tensor2D,
        dProj: tf.scatterND(
          tf.tensor2d(plan.keys, [plan.numTokens, 1], "int32"),
          dz,
          [plan.numKeys, 4 * h],
        ) as tf.Tensor2D,
      }));
      tf.dispose(dzSteps);
      return grads;
    },
  };
}
