/**
 * The packed LSTM op: embedding lookup, input projection and the LSTM
 * recurrence of a whole batch as one differentiable tfjs operation that
 * returns each sequence's last hidden state.
 *
 * How it is computed (forward):
 * 1. Packing (`kernels/packing.ts`, plain TS): each row's tokens are
 *    compacted (masked: the zeros are dropped wherever they are), rows are
 *    sorted by length, longest first, and the recurrence runs time-major over
 *    a shrinking prefix of active rows, as cuDNN's packed sequences do.
 * 2. Projection by distinct key: x_t·W + b depends only on the token's
 *    embedding row, so it is computed once per distinct id of the batch
 *    (once per distinct (row, id) with a dropout mask, since x_t is then
 *    scaled by the row's mask): Xu = gather(E, ids) [U, E], P = Xu·W + b
 *    [U, 4H], one tfjs matMul on the backend. Each token reads its row of P.
 *    On the real data this is ~7 000 keys for ~27 000 tokens per batch of
 *    128; all padding tokens of an unmasked batch share one key.
 * 3. Recurrence (`engine`): `"fused"` runs the whole time loop in one call
 *    into our WebAssembly SIMD module on CPU memory; `"ops"` issues tfjs ops
 *    per step and stays on the backend's device.
 *
 * Backward (tf.customGrad): the engine returns dP [U, 4H] (the per-token
 * gradients of the pre-activations summed by key, O(tokens·4H)) and dU. Then
 * dW = Xuᵀ·dP, dXu = dP·Wᵀ and db = Σ dP are single products over the U keys
 * (identical to the per-token sums up to float summation order), and the
 * embedding gradient is dense [V, E] with only the U gathered rows written
 * (a scatter-sum, no O(V·tokens) work).
 *
 * Semantics match Keras/tfjs-layers `LSTM` (return_sequences = false) after
 * `Embedding(mask_zero = True)` when `masked`, and PyTorch's `nn.LSTM` with
 * `pack_padded_sequence` (masked) or on the padded batch (unmasked).
 *
 * Known limitations:
 * - Engine `"fused"` reads tensors synchronously, so it cannot run on webgpu
 *   (it throws; use `"ops"` there). The native tensorflow backend is untested
 *   (it cannot be installed on the development machine).
 * - The fused kernels use relaxed-SIMD fused multiply-adds: deterministic on
 *   one machine, but the last bits can differ between CPUs with and without
 *   FMA.
 * - A training batch keeps ~1.5 KiB per token (H = 64) in the kernels'
 *   32-bit WebAssembly memory: at most ≈ 2.7 M tokens per batch.
 * - The embedding gradient is dense [V, E], as tfjs optimisers expect;
 *   writing it costs ~40 ms per batch at 23 000 × 500 on wasm.
 * - The first fused call in a process spends ~15 ms warming the kernels up
 *   (so V8 runs them optimised), and its batch pays for fresh memory pages.
 * - No second-order gradients (the backward is not itself differentiable).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { packBatch, type PackedBatch } from "./kernels/packing.ts";
import type { RecurrenceEngine } from "./kernels/recurrence.ts";
import { fusedRecurrence } from "./kernels/recurrence_fused.ts";
import { opsRecurrence } from "./kernels/recurrence_ops.ts";
import { gatherRows } from "./kernels/rows.ts";

/** Trainable weights the op reads. Gate order everywhere: i, f, c (g), o. */
export interface LstmInputs {
  /** Embedding matrix [V, E]. */
  embeddings: tf.Tensor2D;
  /** Input kernel W [E, 4H] (Keras `kernel`, PyTorch `weight_ih_l0`ᵀ). */
  kernel: tf.Tensor2D;
  /** Recurrent kernel U [H, 4H] (PyTorch `weight_hh_l0`ᵀ). */
  recurrentKernel: tf.Tensor2D;
  /** Bias [4H]; with PyTorch's two vectors the caller passes their sum. */
  bias: tf.Tensor1D;
}

/** One batch of token ids. */
export interface LstmBatch {
  /** Row-major [batch, timesteps] token ids; 0 is padding. */
  ids: Int32Array;
  batch: number;
  timesteps: number;
  /**
   * `true`: zeros are skipped wherever they are (Keras `mask_zero`, PyTorch
   * `pack_padded_sequence`), the result is the state after each row's last
   * real token and a row without one gives h = 0. `false`: all `timesteps`
   * steps run, padding included, and the result is the state after the last
   * step (PyTorch without packing).
   */
  masked: boolean;
  /**
   * Optional input dropout mask [batch, E] holding 0 or 1/(1 − rate),
   * multiplied into x_t at every step of the row (Keras LSTM `dropout`: one
   * mask per sample and feature, shared by all timesteps). Not differentiated.
   */
  inputDropoutMask?: tf.Tensor2D | null;
}

/** Options of {@link lstmLastState}. */
export interface LstmOptions {
  /**
   * Gate activation for i, f, o. `"sigmoid"` is Keras' (and PyTorch's);
   * `"hardSigmoid"` is tfjs-layers' default, clip(0.2x + 0.5, 0, 1).
   *
   * Porting note: Keras 3's `hard_sigmoid` is relu6(x + 3)/6 (slope 1/6);
   * ours is the tfjs/Keras 2 form. Where the hard sigmoid is exactly 0 or 1
   * we take its derivative as 0 (tfjs differentiates clip inclusively at the
   * bounds); this only matters on a set of measure zero.
   */
  recurrentActivation: "sigmoid" | "hardSigmoid";
  /**
   * Recurrence engine. `"fused"`: one WebAssembly SIMD call per direction on
   * CPU memory (needs synchronous reads: cpu, wasm, tensorflow backends).
   * `"ops"`: tfjs ops per timestep, on the backend's device (webgpu).
   * Use {@link resolveEngine} to map the config's `"auto"`.
   */
  engine: "fused" | "ops";
}

const ENGINES: Record<LstmOptions["engine"], RecurrenceEngine> = {
  fused: fusedRecurrence,
  ops: opsRecurrence,
};

/**
 * Picks the engine for `"auto"`: `"ops"` on backends whose tensors cannot be
 * read synchronously (webgpu, webgl), `"fused"` everywhere else, including
 * the native tensorflow backend with CUDA (its projection products still run
 * on the GPU; only the recurrence, a few % of the work, runs on the CPU).
 */
export function resolveEngine(
  engine: "auto" | "fused" | "ops",
  backendName: string = tf.getBackend(),
): "fused" | "ops" {
  if (engine !== "auto") return engine;
  return backendName === "webgpu" || backendName === "webgl" ? "ops" : "fused";
}

function checkShape(
  name: string,
  t: tf.Tensor | null | undefined,
  expected: readonly number[],
): void {
  if (t == null) throw new TypeError(`LSTM: ${name} is missing`);
  const ok = t.shape.length === expected.length &&
    t.shape.every((d, i) => expected[i] < 0 || d === expected[i]);
  if (!ok) {
    const want = expected.map((d) => (d < 0 ? "?" : String(d))).join(", ");
    throw new RangeError(
      `LSTM: ${name} must have shape [${want}]: current shape is [${t.shape}]`,
    );
  }
  if (t.dtype !== "float32") {
    throw new TypeError(
      `LSTM: ${name} must be float32: current dtype is ${t.dtype}`,
    );
  }
}

/** Final state (sorted rows) → [batch, H] in the caller's row order. */
function unsort(
  hSorted: tf.Tensor2D,
  plan: PackedBatch,
  h: number,
): tf.Tensor2D {
  const { batch, numActive, order } = plan;
  let identity = numActive === batch;
  for (let s = 0; identity && s < numActive; s++) identity = order[s] === s;
  if (identity) return hSorted;
  // Empty rows read one extra zero row appended at position numActive.
  const position = new Int32Array(batch).fill(numActive);
  for (let s = 0; s < numActive; s++) position[order[s]] = s;
  const padded = tf.concat([hSorted, tf.zeros([1, h])], 0);
  return tf.gather(padded, tf.tensor1d(position, "int32")) as tf.Tensor2D;
}

/**
 * Runs embedding lookup + LSTM over a batch and returns each row's last
 * hidden state, [batch, H] (see the module doc for semantics and method).
 *
 * Differentiable with respect to `embeddings`, `kernel`, `recurrentKernel`
 * and `bias` (the embedding gradient is dense [V, E], non-zero only in the
 * rows the batch uses). Works on every tfjs backend with engine `"ops"`;
 * engine `"fused"` needs synchronous reads (not webgpu).
 *
 * Throws a RangeError/TypeError naming the input and the expected shape for
 * inconsistent weights, and naming row and step for ids outside [0, V).
 */
export function lstmLastState(
  w: LstmInputs,
  b: LstmBatch,
  opts: LstmOptions,
): tf.Tensor2D {
  checkShape("embeddings", w.embeddings, [-1, -1]);
  const [vocab, embed] = w.embeddings.shape;
  checkShape("recurrentKernel", w.recurrentKernel, [-1, -1]);
  const h = w.recurrentKernel.shape[0];
  checkShape("recurrentKernel", w.recurrentKernel, [h, 4 * h]);
  checkShape("kernel", w.kernel, [embed, 4 * h]);
  checkShape("bias", w.bias, [4 * h]);
  if (typeof b.masked !== "boolean") {
    throw new TypeError(
      `LstmBatch.masked must be true or false: current value is ${b.masked}`,
    );
  }
  const mask = b.inputDropoutMask ?? null;
  if (mask !== null) checkShape("inputDropoutMask", mask, [b.batch, embed]);
  const engine = ENGINES[opts.engine];
  if (engine === undefined) {
    throw new RangeError(
      `LSTM option "engine" must be "fused" or "ops": current value is ${
        JSON.stringify(opts.engine)
      }`,
    );
  }
  if (
    opts.recurrentActivation !== "sigmoid" &&
    opts.recurrentActivation !== "hardSigmoid"
  ) {
    throw new RangeError(
      `LSTM option "recurrentActivation" must be "sigmoid" or "hardSigmoid": ` +
        `current value is ${JSON.stringify(opts.recurrentActivation)}`,
    );
  }
  const plan = packBatch(b.ids, b.batch, b.timesteps, {
    masked: b.masked,
    vocabSize: vocab,
    perRowKeys: mask !== null,
  });
  const hard = opts.recurrentActivation === "hardSigmoid";
  // Inside customGrad's forward the tape is paused, so ask now.
  const train = tf.engine().isTapeOn();

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [emb, kernel, recurrent, bias] = args as tf.Tensor2D[];
    const save = args[4] as tf.GradSaveFunc;
    if (plan.numActive === 0) {
      return {
        value: tf.zeros([b.batch, h]) as tf.Tensor2D,
        gradFunc: () =>
          [emb, kernel, recurrent, bias].map((t) => tf.zerosLike(t)),
      };
    }
    let x = gatherRows(emb, plan.keyIds);
    let maskRows: tf.Tensor2D | null = null;
    if (mask !== null) {
      maskRows = gatherRows(mask, plan.keyRows!);
      x = tf.mul(x, maskRows);
    }
    const proj = tf.fused.matMul({ a: x, b: kernel, bias }) as tf.Tensor2D;
    const rec = engine({ plan, proj, recurrent, hard, train });
    const value = unsort(rec.hSorted, plan, h);
    save([x, kernel, ...(maskRows ? [maskRows] : []), ...rec.saved]);

    const gradFunc = (dy: tf.Tensor2D, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xs, kernelS] = saved as tf.Tensor2D[];
      const maskS = maskRows ? saved[2] as tf.Tensor2D : null;
      const engineSaved = saved.slice(maskRows ? 3 : 2);
      const dySorted = tf.gather(dy, tf.tensor1d(plan.order, "int32"));
      const { dProj, dRecurrent } = rec.backward(dySorted, engineSaved);
      const dKernel = tf.matMul(xs, dProj, true, false);
      const dX = tf.matMul(dProj, kernelS, false, true);
      const dBias = tf.sum(dProj, 0);
      const dRows = maskS ? tf.mul(dX, maskS) : dX;
      const dEmb = tf.scatterND(
        tf.tensor2d(plan.keyIds, [plan.numKeys, 1], "int32"),
        dRows,
        [vocab, embed],
      );
      return [dEmb, dKernel, dRecurrent, dBias];
    };
    return { value, gradFunc };
  });
  return op(w.embeddings, w.kernel, w.recurrentKernel, w.bias) as tf.Tensor2D;
}
