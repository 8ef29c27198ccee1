/**
 * The classifier every experiment trains: Embedding(V, E) → LSTM(H) →
 * Dense(C), with each upstream difference (masking, padding_idx, init,
 * bias vectors, forget bias, double softmax, dropout) taken from
 * {@link ModelConfig}.
 *
 * Inputs are padded id matrices (row-major Int32Array [B, T], 0 = padding);
 * outputs are logits [B, C]. The LSTM is the packed op in ./lstm.ts.
 *
 * Training steps ({@link LstmClassifier.gradients}) differentiate with
 * respect to the embedding rows the batch reads (one per distinct id), not
 * the whole [V, E] matrix: the embedding's gradient comes back row-sparse
 * ({@link RowSparseGradient}) and `Adam` applies it with dense semantics.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import "./gradients.ts";
import type { ModelConfig } from "../config.ts";
import type { RandomState } from "../data/random.ts";
import type { RowSparseGradient } from "./adam.ts";
import { initialWeights } from "./init.ts";
import {
  type LstmBatch,
  lstmLastState,
  lstmLastStateFromRows,
  type LstmOptions,
  planBatch,
} from "./lstm.ts";
import type { PackedBatch } from "./kernels/packing.ts";
import { gatherRows } from "./kernels/rows.ts";

/** Loss floor of the double softmax with 5 classes: ln(e + 4) − 1. */
export const DOUBLE_SOFTMAX_FLOOR: number = Math.log(Math.E + 4) - 1;

/** A batch of padded sequences. */
export interface SequenceBatch {
  /** Row-major [batch, timesteps] token ids; 0 is padding. */
  ids: Int32Array;
  batch: number;
  timesteps: number;
}

/** Options of the {@link LstmClassifier} constructor (all optional). */
export interface ClassifierOptions {
  /**
   * Where the LSTM's projection products run (see `LstmOptions.projection`).
   * @default "auto"
   */
  projection?: "auto" | "kernels" | "tfjs";
}

/** Options of {@link LstmClassifier.gradients}. */
export interface GradientOptions {
  /**
   * `"rowSparse"`: the embedding gradient is a {@link RowSparseGradient}
   * over the batch's distinct ids (what training uses). `"dense"`: a
   * [V, E] tensor with zeros outside those rows (the earlier path, kept for
   * comparisons and for optimisers that need dense gradients).
   * @default "rowSparse"
   */
  embeddingGradient?: "rowSparse" | "dense";
}

/** Result of one training step. */
export interface StepResult {
  /** Mean loss over the batch. */
  loss: number;
  /** Rows whose arg-max prediction equals the label. */
  correct: number;
}

/** Embedding → LSTM → Dense with upstream-selectable behaviour. */
export class LstmClassifier {
  readonly config: ModelConfig;
  readonly vocabRows: number;
  readonly classes: number;
  readonly engine: "fused" | "ops";
  /** Where the LSTM's projection products run. */
  readonly projection: "auto" | "kernels" | "tfjs";
  /** Trainable variables, in a fixed order (see {@link variableNames}). */
  readonly variables: tf.Variable[];
  /** Names matching {@link variables}. */
  readonly variableNames: string[];

  /**
   * Builds the model and draws its weights from `rng` with the configured
   * scheme. `vocabRows` is the embedding's row count (tokenizer ids + 1,
   * the upstream convention).
   */
  constructor(
    config: ModelConfig,
    vocabRows: number,
    classes: number,
    rng: RandomState,
    engine: "fused" | "ops",
    options: ClassifierOptions = {},
  ) {
    this.config = config;
    this.vocabRows = vocabRows;
    this.classes = classes;
    this.engine = engine;
    this.projection = options.projection ?? "auto";
    const e = config.embeddingDim, h = config.lstmUnits;
    const w = initialWeights(
      config.init,
      { vocabRows, embeddingDim: e, units: h, classes },
      rng,
      {
        biasVectors: config.biasVectors,
        forgetBias: config.forgetBias,
        paddingIdx: config.paddingIdx,
      },
    );
    const named: [string, Float32Array, number[]][] = [
      ["embeddings", w.embeddings, [vocabRows, e]],
      ["kernel", w.kernel, [e, 4 * h]],
      ["recurrentKernel", w.recurrentKernel, [h, 4 * h]],
      ...w.biases.map((b, i): [string, Float32Array, number[]] => [
        w.biases.length === 1 ? "bias" : i === 0 ? "biasIh" : "biasHh",
        b,
        [4 * h],
      ]),
      ["denseKernel", w.denseKernel, [h, classes]],
      ["denseBias", w.denseBias, [classes]],
    ];
    this.variableNames = named.map(([n]) => n);
    this.variables = named.map(([, data, shape]) => {
      // The variable takes the tensor's data; disposing the tensor leaves
      // the variable its only owner (the fused Adam updates it in place).
      const t = tf.tensor(data, shape, "float32");
      const v = tf.variable(t, true);
      t.dispose();
      return v;
    });
  }

  /** Number of trainable scalars. */
  get parameterCount(): number {
    return this.variables.reduce((s, v) => s + v.size, 0);
  }

  #lstmBias(): tf.Tensor1D {
    const n = this.config.biasVectors;
    const b = this.variables.slice(3, 3 + n) as tf.Tensor1D[];
    return n === 1 ? b[0] : tf.add(b[0], b[1]);
  }

  #lstmOptions(): LstmOptions {
    return {
      recurrentActivation: this.config.recurrentActivation,
      engine: this.engine,
      projection: this.projection,
    };
  }

  #lstmBatch(
    batch: SequenceBatch,
    dropoutMask: tf.Tensor2D | null,
  ): LstmBatch {
    return {
      ids: batch.ids,
      batch: batch.batch,
      timesteps: batch.timesteps,
      masked: this.config.masking === "mask",
      inputDropoutMask: dropoutMask,
    };
  }

  #dense(h: tf.Tensor2D): tf.Tensor2D {
    const n = this.config.biasVectors;
    const denseKernel = this.variables[3 + n] as tf.Tensor2D;
    const denseBias = this.variables[4 + n] as tf.Tensor1D;
    return tf.add(tf.matMul(h, denseKernel), denseBias);
  }

  /**
   * Logits [B, C] for a batch. `dropoutMask` ([B, E] of 0 or 1/(1−rate))
   * is applied to the LSTM inputs when given (training only).
   */
  logits(batch: SequenceBatch, dropoutMask: tf.Tensor2D | null): tf.Tensor2D {
    const [embeddings, kernel, recurrentKernel] = this
      .variables as tf.Tensor2D[];
    const h = lstmLastState(
      { embeddings, kernel, recurrentKernel, bias: this.#lstmBias() },
      this.#lstmBatch(batch, dropoutMask),
      this.#lstmOptions(),
    );
    return this.#dense(h);
  }

  /** Logits from the gathered embedding rows of a planned batch. */
  #logitsFromRows(
    rows: tf.Tensor2D,
    lb: LstmBatch,
    plan: PackedBatch,
  ): tf.Tensor2D {
    const [, kernel, recurrentKernel] = this.variables as tf.Tensor2D[];
    const h = lstmLastStateFromRows(
      { rows, kernel, recurrentKernel, bias: this.#lstmBias() },
      lb,
      plan,
      this.#lstmOptions(),
    );
    return this.#dense(h);
  }

  /**
   * Per-row losses [B] for integer labels. With `output: "logits"` this is
   * cross-entropy on the logits (Keras' softmax + categorical
   * cross-entropy, without its 1e-7 probability clipping); with
   * `"doubleSoftmax"` the logits go through softmax first and the loss
   * applies log-softmax again, as the upstream PyTorch model did.
   */
  rowLosses(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
    const z = this.config.output === "doubleSoftmax"
      ? tf.softmax(logits)
      : logits;
    const logp = tf.logSoftmax(z);
    const onehot = tf.oneHot(labels, this.classes);
    return tf.neg(tf.sum(tf.mul(onehot, logp), 1));
  }

  /**
   * Forward + backward on one batch. Returns the mean loss, the number of
   * correct predictions and the gradients (same order as
   * {@link variables}); the caller disposes the gradients (`tf.dispose`
   * handles both forms).
   *
   * The embedding's gradient (`grads[0]`) is by default a
   * {@link RowSparseGradient}: `rows` are the embedding rows the batch read
   * (one per distinct id; one per distinct (row, id) with a dropout mask,
   * so ids may repeat and their gradients add up) and `values` their
   * gradients [rows, E]. With PyTorch's `padding_idx` that row's gradient is
   * zero (its values are zeroed), as in the dense form.
   */
  async gradients(
    batch: SequenceBatch,
    labels: Int32Array,
    dropoutMask: tf.Tensor2D | null,
    options: GradientOptions = {},
  ): Promise<StepResult & { grads: (tf.Tensor | RowSparseGradient)[] }> {
    const mode = options.embeddingGradient ?? "rowSparse";
    if (mode !== "rowSparse" && mode !== "dense") {
      throw new RangeError(
        `gradients option "embeddingGradient" must be "rowSparse" or ` +
          `"dense": current value is ${JSON.stringify(mode)}`,
      );
    }
    let predicted: tf.Tensor | null = null;
    const labelT = tf.tensor1d(labels, "int32");
    const lossOf = (z: tf.Tensor2D): tf.Scalar => {
      predicted = tf.keep(tf.argMax(z, 1));
      return tf.mean(this.rowLosses(z, labelT)) as tf.Scalar;
    };
    const pad = this.config.paddingIdx;
    let list: (tf.Tensor | RowSparseGradient)[];
    let value: tf.Scalar;
    if (mode === "dense") {
      const r = tf.variableGrads(
        () => lossOf(this.logits(batch, dropoutMask)),
        this.variables,
      );
      value = r.value;
      const dense = this.variables.map((v) => r.grads[v.name]);
      if (pad !== null && batch.ids.includes(pad)) {
        // PyTorch padding_idx: that row's gradient is always zero.
        const keep = tf.tidy(() => {
          const row = tf.oneHot(tf.tensor1d([pad], "int32"), this.vocabRows);
          return tf.sub(1, tf.reshape(row, [this.vocabRows, 1]));
        });
        const masked = tf.mul(dense[0], keep);
        dense[0].dispose();
        keep.dispose();
        dense[0] = masked;
      }
      list = dense;
    } else {
      const lb = this.#lstmBatch(batch, dropoutMask);
      const plan = planBatch(lb, this.vocabRows);
      const rows = gatherRows(this.variables[0] as tf.Tensor2D, plan.keyIds);
      const r = tf.engine().gradients(
        () => lossOf(this.#logitsFromRows(rows, lb, plan)),
        [rows, ...this.variables.slice(1)],
        undefined,
        true,
      );
      rows.dispose();
      value = r.value;
      let values = r.grads[0] as tf.Tensor2D;
      if (pad !== null && plan.keyIds.includes(pad)) {
        // PyTorch padding_idx: that row's gradient is always zero.
        const keep = Float32Array.from(plan.keyIds, (id) => id === pad ? 0 : 1);
        const masked = tf.tidy(() =>
          tf.mul(values, tf.tensor2d(keep, [keep.length, 1])) as tf.Tensor2D
        );
        values.dispose();
        values = masked;
      }
      list = [{ rows: plan.keyIds.slice(), values }, ...r.grads.slice(1)];
    }
    labelT.dispose();
    // Read back asynchronously: some backends (webgpu) cannot read synchronously.
    const pred = predicted as tf.Tensor | null;
    const [lossData, predData] = await Promise.all([
      value.data(),
      pred!.data(),
    ]);
    value.dispose();
    pred!.dispose();
    let correct = 0;
    for (let i = 0; i < labels.length; i++) {
      if (predData[i] === labels[i]) correct++;
    }
    return { loss: lossData[0], correct, grads: list };
  }

  /**
   * Evaluates `rows` sequences in batches of `batchSize` (all at once when
   * `null`): summed loss, correct count and arg-max predictions.
   */
  async evaluate(
    ids: Int32Array,
    rows: number,
    timesteps: number,
    labels: Int32Array | null,
    batchSize: number | null,
  ): Promise<{ lossSum: number; correct: number; predictions: Int32Array }> {
    const predictions = new Int32Array(rows);
    let lossSum = 0, correct = 0;
    const step = batchSize ?? rows;
    for (let start = 0; start < rows; start += step) {
      const n = Math.min(step, rows - start);
      const batch: SequenceBatch = {
        ids: ids.subarray(start * timesteps, (start + n) * timesteps),
        batch: n,
        timesteps,
      };
      const y = labels?.subarray(start, start + n) ?? null;
      const [predT, lossT] = tf.tidy(() => {
        const z = this.logits(batch, null);
        return [
          tf.argMax(z, 1),
          y === null
            ? null
            : tf.sum(this.rowLosses(z, tf.tensor1d(y, "int32"))),
        ];
      });
      const pred = await predT.data() as Int32Array;
      predT.dispose();
      predictions.set(pred, start);
      if (lossT !== null && y !== null) {
        lossSum += (await lossT.data())[0];
        lossT.dispose();
        for (let i = 0; i < n; i++) if (pred[i] === y[i]) correct++;
      }
    }
    return { lossSum, correct, predictions };
  }

  /** Copies of every variable's values (same order as {@link variables}). */
  async getWeights(): Promise<Float32Array[]> {
    const data = await Promise.all(this.variables.map((v) => v.data()));
    return data.map((d) => (d as Float32Array).slice());
  }

  /** Overwrites every variable from {@link getWeights}' output. */
  setWeights(weights: Float32Array[]): void {
    if (weights.length !== this.variables.length) {
      throw new RangeError(
        `setWeights got ${weights.length} arrays for ${this.variables.length} variables`,
      );
    }
    tf.tidy(() => {
      weights.forEach((w, i) => {
        const v = this.variables[i];
        if (w.length !== v.size) {
          throw new RangeError(
            `setWeights: ${
              this.variableNames[i]
            } needs ${v.size} values, got ${w.length}`,
          );
        }
        // A copy: the cpu backend would keep the caller's array as storage.
        v.assign(tf.tensor(w.slice(), v.shape, "float32"));
      });
    });
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
