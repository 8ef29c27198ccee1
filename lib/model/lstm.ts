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
 *    [U, 4H], one matrix product. Each token reads its row of P. On the
 *    real data this is ~7 000 keys for ~27 000 tokens per batch of 128; all
 *    padding tokens of an unmasked batch share one key. The product runs in
 *    our WebAssembly relaxed-SIMD kernels next to the fused recurrence on
 *    the cpu and wasm backends (`projection: "kernels"`, the default there:
 *    P never leaves WebAssembly memory), else as a tfjs matMul.
 * 3. Recurrence (`engine`): `"fused"` runs the whole time loop in one call
 *    into our WebAssembly SIMD module on CPU memory; `"ops"` issues tfjs ops
 *    per step and stays on the backend's device.
 *
 * Backward (tf.customGrad): the engine returns dP [U, 4H] (the per-token
 * gradients of the pre-activations summed by key, O(tokens·4H)) and dU. Then
 * dW = Xuᵀ·dP, dXu = dP·Wᵀ and db = Σ dP are single products over the U keys
 * (identical to the per-token sums up to float summation order), in our
 * kernels or as tfjs matMuls like the forward product.
 *
 * Two entry points: {@link lstmLastStateFromRows} takes the gathered rows Xu
 * and returns dL/dXu [U, E] (what a training step wants: a row-sparse
 * embedding gradient); {@link lstmLastState} takes the embedding matrix and
 * gives the dense [V, E] gradient (the U rows scattered into zeros), as
 * tfjs optimisers expect.
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
 * - {@link lstmLastState}'s embedding gradient is dense [V, E]; writing it
 *   costs ~40–170 ms per batch at 23 000 × 500 on wasm (measured). Use
 *   {@link lstmLastStateFromRows} to get the rows' gradient instead.
 * - Projection `"kernels"` copies the gathered rows into WebAssembly memory
 *   padded to a multiple of 16 columns (~4 KiB per key at E = 500).
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
import { projectedBackward, projectedForward } from "./kernels/lstm_wasm.ts";
import { DIRECT_BACKENDS, floatViews } from "./kernels/storage.ts";

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
  /**
   * Where the three projection products run: `"kernels"`, our WebAssembly
   * relaxed-SIMD matrix kernels next to the fused recurrence (cpu and wasm
   * backends only); `"tfjs"`, the backend's matMul (fastest on the native
   * tensorflow backend; the only choice on webgpu). `"auto"` (the default)
   * takes the kernels for engine `"fused"` on cpu and wasm, tfjs otherwise.
   */
  projection?: "auto" | "kernels" | "tfjs";
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
 * Packs a batch for the op (see `kernels/packing.ts`): sorted rows, per-step
 * sizes and one projection key per distinct id (per distinct (row, id) when
 * the batch has an input dropout mask). `plan.keyIds` are the embedding rows
 * the batch reads, in key order: gather them to call
 * {@link lstmLastStateFromRows}.
 *
 * Throws naming row and step for ids outside [0, vocab).
 */
export function planBatch(b: LstmBatch, vocab: number): PackedBatch {
  if (typeof b.masked !== "boolean") {
    throw new TypeError(
      `LstmBatch.masked must be true or false: current value is ${b.masked}`,
    );
  }
  return packBatch(b.ids, b.batch, b.timesteps, {
    masked: b.masked,
    vocabSize: vocab,
    perRowKeys: (b.inputDropoutMask ?? null) !== null,
  });
}

/** Weights of {@link lstmLastStateFromRows}: the embedding rows, not the matrix. */
export interface LstmRowInputs {
  /**
   * Embedding rows of the plan's keys, [numKeys, E]: row k is
   * `embeddings[plan.keyIds[k]]`.
   */
  rows: tf.Tensor2D;
  /** Input kernel W [E, 4H]. */
  kernel: tf.Tensor2D;
  /** Recurrent kernel U [H, 4H]. */
  recurrentKernel: tf.Tensor2D;
  /** Bias [4H]. */
  bias: tf.Tensor1D;
}

/**
 * Whether the projection products run in our WebAssembly kernels
 * (`LstmOptions.projection`): `"auto"` picks them for engine `"fused"` on
 * the cpu and wasm backends, whose tensors our code can read in place.
 */
export function resolveProjection(
  projection: LstmOptions["projection"],
  engine: LstmOptions["engine"],
  backendName: string = tf.getBackend(),
): "kernels" | "tfjs" {
  const value = projection ?? "auto";
  if (value === "kernels" || value === "tfjs") return value;
  if (value !== "auto") {
    throw new RangeError(
      `LSTM option "projection" must be "auto", "kernels" or "tfjs": ` +
        `current value is ${JSON.stringify(value)}`,
    );
  }
  return engine === "fused" && DIRECT_BACKENDS.includes(backendName)
    ? "kernels"
    : "tfjs";
}

/**
 * The op on gathered embedding rows: the packed LSTM over a batch planned by
 * {@link planBatch}, given `rows` = the embedding rows of its keys. Returns
 * each row's last hidden state, [batch, H] (semantics as
 * {@link lstmLastState}).
 *
 * Differentiable with respect to `rows` (dL/drows [numKeys, E]: one
 * gradient row per key, the dropout mask applied; a training step can turn
 * it into a row-sparse embedding gradient with `plan.keyIds`), `kernel`,
 * `recurrentKernel` and `bias`.
 *
 * With projection `"kernels"` (engine `"fused"`, cpu or wasm), the rows are
 * read in place and P = X·W + b, dX = dP·Wᵀ, dW = Xᵀ·dP and db = Σ dP run
 * in our WebAssembly module next to the recurrence (`projectedForward` in
 * kernels/lstm_wasm.ts); otherwise they are tfjs matMuls on the backend.
 */
export function lstmLastStateFromRows(
  w: LstmRowInputs,
  b: LstmBatch,
  plan: PackedBatch,
  opts: LstmOptions,
): tf.Tensor2D {
  checkShape("rows", w.rows, [plan.numKeys, -1]);
  const embed = w.rows.shape[1];
  checkShape("recurrentKernel", w.recurrentKernel, [-1, -1]);
  const h = w.recurrentKernel.shape[0];
  checkShape("recurrentKernel", w.recurrentKernel, [h, 4 * h]);
  checkShape("kernel", w.kernel, [embed, 4 * h]);
  checkShape("bias", w.bias, [4 * h]);
  if (plan.batch !== b.batch || plan.timesteps !== b.timesteps) {
    throw new RangeError(
      `LSTM: the plan is for a batch of ${plan.batch} × ${plan.timesteps}; ` +
        `this batch is ${b.batch} × ${b.timesteps}`,
    );
  }
  const mask = b.inputDropoutMask ?? null;
  if (mask !== null) {
    checkShape("inputDropoutMask", mask, [b.batch, embed]);
    if (plan.keyRows === null) {
      throw new RangeError(
        "LSTM: a batch with an inputDropoutMask needs a plan with per-row " +
          "keys (planBatch with the mask set)",
      );
    }
  }
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
  const projection = resolveProjection(opts.projection, opts.engine);
  if (projection === "kernels" && !DIRECT_BACKENDS.includes(tf.getBackend())) {
    throw new Error(
      `LSTM projection "kernels" reads tensors in place, which the ` +
        `"${tf.getBackend()}" backend does not allow: use "auto" or "tfjs"`,
    );
  }
  const hard = opts.recurrentActivation === "hardSigmoid";
  // Inside customGrad's forward the tape is paused, so ask now.
  const train = tf.engine().isTapeOn();

  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [rows, kernel, recurrent, bias] = args as tf.Tensor2D[];
    const save = args[4] as tf.GradSaveFunc;
    if (plan.numActive === 0) {
      return {
        value: tf.zeros([b.batch, h]) as tf.Tensor2D,
        gradFunc: () =>
          [rows, kernel, recurrent, bias].map((t) => tf.zerosLike(t)),
      };
    }
    const maskRows = mask !== null ? gatherRows(mask, plan.keyRows!) : null;
    if (projection === "kernels") {
      const inputs = [rows, kernel, bias, recurrent];
      if (maskRows !== null) inputs.push(maskRows);
      const views = floatViews(inputs);
      // Small weights and the mask are copied (the backward needs them);
      // the rows are copied into WebAssembly memory by the call itself.
      const kernelF = views[1].slice(), recurrentF = views[3].slice();
      const maskF = maskRows !== null ? views[4].slice() : null;
      const f = projectedForward({
        plan,
        rows: views[0],
        mask: maskF,
        embed,
        kernel: kernelF,
        bias: views[2],
        recurrent: recurrentF,
        hidden: h,
        hard,
        train,
      });
      const hSorted = tf.tensor2d(f.hSorted, [plan.numActive, h]);
      const value = unsort(hSorted, plan, h);
      const gradFunc = (dy: tf.Tensor2D): tf.Tensor[] => {
        if (f.saved === null) {
          throw new Error(
            "LSTM backward called for a forward run without a gradient tape",
          );
        }
        const dySorted = tf.gather(dy, tf.tensor1d(plan.order, "int32"));
        const g = projectedBackward({
          plan,
          saved: f.saved,
          rowsMask: maskF,
          embed,
          kernel: kernelF,
          recurrent: recurrentF,
          hidden: h,
          hard,
          dhSorted: floatViews([dySorted])[0],
        });
        return [
          tf.tensor2d(g.dRows, [plan.numKeys, embed]),
          tf.tensor2d(g.dKernel, [embed, 4 * h]),
          tf.tensor2d(g.dRecurrent, [h, 4 * h]),
          tf.tensor1d(g.dBias),
        ];
      };
      return { value, gradFunc };
    }
    const x = maskRows !== null ? tf.mul(rows, maskRows) : rows;
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
      return [dRows, dKernel, dRecurrent, dBias];
    };
    return { value, gradFunc };
  });
  return op(w.rows, w.kernel, w.recurrentKernel, w.bias) as tf.Tensor2D;
}

/**
 * `embeddings[rows]` as a differentiable op whose gradient is the dense
 * [V, E] matrix with the `dRows` summed into their rows (scatter-add; no
 * O(V × rows) work). Rows must be valid (the plan checked them).
 */
function gatherRowsDense(
  embeddings: tf.Tensor2D,
  rows: Int32Array,
): tf.Tensor2D {
  const [vocab, embed] = embeddings.shape;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const emb = args[0] as tf.Tensor2D;
    return {
      value: gatherRows(emb, rows),
      gradFunc: (dRows: tf.Tensor) => [
        tf.scatterND(
          tf.tensor2d(rows, [rows.length, 1], "int32"),
          dRows,
          [vocab, embed],
        ),
      ],
    };
  });
  return op(embeddings) as tf.Tensor2D;
}

/**
 * Runs embedding lookup + LSTM over a batch and returns each row's last
 * hidden state, [batch, H] (see the module doc for semantics and method):
 * {@link planBatch}, the keys' embedding rows, {@link lstmLastStateFromRows}.
 *
 * Differentiable with respect to `embeddings`, `kernel`, `recurrentKernel`
 * and `bias` (the embedding gradient is dense [V, E], non-zero only in the
 * rows the batch uses; a training step that wants it row-sparse calls the
 * two parts itself, as `LstmClassifier.gradients` does). Works on every
 * tfjs backend with engine `"ops"`; engine `"fused"` needs synchronous reads
 * (not webgpu).
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
  const mask = b.inputDropoutMask ?? null;
  if (mask !== null) checkShape("inputDropoutMask", mask, [b.batch, embed]);
  const plan = planBatch(b, vocab);
  return tf.tidy(() => {
    const rows = gatherRowsDense(w.embeddings, plan.keyIds);
    return lstmLastStateFromRows(
      {
        rows,
        kernel: w.kernel,
        recurrentKernel: w.recurrentKernel,
        bias: w.bias,
      },
      b,
      plan,
      opts,
    );
  });
}
