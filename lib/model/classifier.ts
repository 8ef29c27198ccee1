/**
 * The classifier every experiment trains: Embedding(V, E) → LSTM(H) →
 * Dense(C), with each upstream difference (masking, padding_idx, init,
 * bias vectors, forget bias, double softmax, dropout) taken from
 * {@link ModelConfig}.
 *
 * Inputs are padded id matrices (row-major Int32Array [B, T], 0 = padding);
 * outputs are logits [B, C]. The LSTM is the packed op in ./lstm.ts.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import "./gradients.ts";
import type { ModelConfig } from "../config.ts";
import type { RandomState } from "../data/random.ts";
import { initialWeights } from "./init.ts";
import { lstmLastState } from "./lstm.ts";

/** Loss floor of the double softmax with 5 classes: ln(e + 4) − 1. */
export const DOUBLE_SOFTMAX_FLOOR: number = Math.log(Math.E + 4) - 1;

/** A batch of padded sequences. */
export interface SequenceBatch {
  /** Row-major [batch, timesteps] token ids; 0 is padding. */
  ids: Int32Array;
  batch: number;
  timesteps: number;
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
  ) {
    this.config = config;
    this.vocabRows = vocabRows;
    this.classes = classes;
    this.engine = engine;
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
    this.variables = named.map(([, data, shape]) =>
      tf.variable(tf.tensor(data, shape, "float32"), true)
    );
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

  /**
   * Logits [B, C] for a batch. `dropoutMask` ([B, E] of 0 or 1/(1−rate))
   * is applied to the LSTM inputs when given (training only).
   */
  logits(batch: SequenceBatch, dropoutMask: tf.Tensor2D | null): tf.Tensor2D {
    const n = this.config.biasVectors;
    const [embeddings, kernel, recurrentKernel] = this
      .variables as tf.Tensor2D[];
    const denseKernel = this.variables[3 + n] as tf.Tensor2D;
    const denseBias = this.variables[4 + n] as tf.Tensor1D;
    const h = lstmLastState(
      { embeddings, kernel, recurrentKernel, bias: this.#lstmBias() },
      {
        ids: batch.ids,
        batch: batch.batch,
        timesteps: batch.timesteps,
        masked: this.config.masking === "mask",
        inputDropoutMask: dropoutMask,
      },
      {
        recurrentActivation: this.config.recurrentActivation,
        engine: this.engine,
      },
    );
    return tf.add(tf.matMul(h, denseKernel), denseBias);
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
   * {@link variables}); the caller disposes the gradients.
   */
  gradients(
    batch: SequenceBatch,
    labels: Int32Array,
    dropoutMask: tf.Tensor2D | null,
  ): StepResult & { grads: tf.Tensor[] } {
    let correct = 0;
    const labelT = tf.tensor1d(labels, "int32");
    const { value, grads } = tf.variableGrads(() => {
      const z = this.logits(batch, dropoutMask);
      correct = countCorrect(z, labels);
      return tf.mean(this.rowLosses(z, labelT)) as tf.Scalar;
    }, this.variables);
    labelT.dispose();
    const loss = value.dataSync()[0];
    value.dispose();
    const list = this.variables.map((v) => grads[v.name]);
    const pad = this.config.paddingIdx;
    if (pad !== null && batch.ids.includes(pad)) {
      // PyTorch padding_idx: that row's gradient is always zero.
      const keep = tf.tidy(() => {
        const row = tf.oneHot(tf.tensor1d([pad], "int32"), this.vocabRows);
        return tf.sub(1, tf.reshape(row, [this.vocabRows, 1]));
      });
      const masked = tf.mul(list[0], keep);
      list[0].dispose();
      keep.dispose();
      list[0] = masked;
    }
    return { loss, correct, grads: list };
  }

  /**
   * Evaluates `rows` sequences in batches of `batchSize` (all at once when
   * `null`): summed loss, correct count and arg-max predictions.
   */
  evaluate(
    ids: Int32Array,
    rows: number,
    timesteps: number,
    labels: Int32Array | null,
    batchSize: number | null,
  ): { lossSum: number; correct: number; predictions: Int32Array } {
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
      tf.tidy(() => {
        const z = this.logits(batch, null);
        const pred = tf.argMax(z, 1).dataSync() as Int32Array;
        predictions.set(pred, start);
        if (labels !== null) {
          const y = labels.subarray(start, start + n);
          lossSum += tf.sum(this.rowLosses(z, tf.tensor1d(y, "int32")))
            .dataSync()[0];
          for (let i = 0; i < n; i++) if (pred[i] === y[i]) correct++;
        }
      });
    }
    return { lossSum, correct, predictions };
  }

  /** Copies of every variable's values (same order as {@link variables}). */
  getWeights(): Float32Array[] {
    return this.variables.map((v) => (v.dataSync() as Float32Array).slice());
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
        v.assign(tf.tensor(w, v.shape, "float32"));
      });
    });
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

function countCorrect(logits: tf.Tensor2D, labels: Int32Array): number {
  const pred = tf.tidy(() => tf.argMax(logits, 1).dataSync());
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) n++;
  return n;
}
