/**
 * The training loop: seeded shuffling, Keras-style dropout masks, Adam,
 * per-epoch validation, early stopping on validation loss, a stop on
 * non-finite losses that keeps the last good weights, and per-epoch
 * checkpoints from which an interrupted run resumes to the same numbers.
 *
 * The loop prints nothing: it returns a history and calls `onEpochEnd`.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { TrainConfig } from "../config.ts";
import { RandomState, type RandomStateSnapshot } from "../data/random.ts";
import { Adam } from "../model/adam.ts";
import type { LstmClassifier } from "../model/classifier.ts";
import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import {
  type EarlyStoppingState,
  earlyStoppingStep,
  initialEarlyStopping,
} from "./early_stopping.ts";
import type { EpochRecord, StopReason } from "./record.ts";

export type { EarlyStoppingState };

/** Padded sequences with integer labels. */
export interface LabelledSequences {
  /** Row-major [rows, timesteps] ids, 0 = padding. */
  ids: Int32Array;
  rows: number;
  timesteps: number;
  /** [rows] class indices. */
  labels: Int32Array;
}

/** Hooks into the loop; all optional. */
export interface FitCallbacks {
  /** After every epoch (validation included). Throwing aborts the fit (the checkpoint is already written). */
  onEpochEnd?: (
    record: EpochRecord,
    state: EarlyStoppingState,
  ) => void | Promise<void>;
  /** After every training batch: 1-based batch number, batches per epoch, batch loss. */
  onBatchEnd?: (batch: number, batches: number, loss: number) => void;
}

/** Options of {@link fit}. */
export interface FitOptions {
  train: LabelledSequences;
  val: LabelledSequences;
  config: TrainConfig;
  /** Dropout rate on the LSTM inputs (Keras semantics). @default 0 */
  dropout?: number;
  /** Generator for shuffling and dropout; its state is checkpointed. */
  rng: RandomState;
  callbacks?: FitCallbacks;
  /** Directory for per-epoch checkpoints; none are written when omitted. */
  checkpointDir?: string;
  /** Continue from the checkpoint in `checkpointDir` when one exists. @default true */
  resume?: boolean;
}

/** What {@link fit} returns. */
export interface FitResult {
  history: EpochRecord[];
  stopReason: StopReason;
  stopMessage: string;
  bestEpoch: number;
  /** Epoch whose weights the model holds now (0 = initial weights). */
  weightsEpoch: number;
  /** Epoch the loop resumed after, when it resumed from a checkpoint. */
  resumedFromEpoch?: number;
}

interface CheckpointMeta {
  history: EpochRecord[];
  es: EarlyStoppingState;
  rng: RandomStateSnapshot;
  adamStep: number;
  variableNames: string[];
  hasBestWeights: boolean;
}

/**
 * Trains `model` in place. The model's weights at return are the last
 * epoch's, or the best epoch's when `config.restoreBestWeights` is set, or
 * the last finite epoch's when a loss became NaN/∞.
 */
export async function fit(
  model: LstmClassifier,
  opts: FitOptions,
): Promise<FitResult> {
  const { train, val, config, callbacks = {} } = opts;
  const dropout = opts.dropout ?? 0;
  let rng = opts.rng;
  const adam = new Adam(model.variables, {
    learningRate: config.learningRate,
    beta1: config.beta1,
    beta2: config.beta2,
    epsilon: config.epsilon,
    formula: config.adamFormula,
  });
  const history: EpochRecord[] = [];
  let es: EarlyStoppingState = initialEarlyStopping(config.patience);
  let bestWeights: Float32Array[] | null = null;
  let startEpoch = 0;
  let resumedFromEpoch: number | undefined;

  try {
    if (opts.checkpointDir && (opts.resume ?? true)) {
      const ckpt = await loadCheckpoint<CheckpointMeta>(opts.checkpointDir);
      if (ckpt) {
        const names = ckpt.meta.variableNames;
        if (names.join() !== model.variableNames.join()) {
          throw new Error(
            `Checkpoint in ${opts.checkpointDir} holds variables ${
              names.join(", ")
            }; the model has ${model.variableNames.join(", ")}`,
          );
        }
        model.setWeights(names.map((n) => ckpt.arrays.get(`w:${n}`)!));
        adam.setState({
          step: ckpt.meta.adamStep,
          m: names.map((n) => ckpt.arrays.get(`m:${n}`)!),
          v: names.map((n) => ckpt.arrays.get(`v:${n}`)!),
        });
        if (ckpt.meta.hasBestWeights) {
          bestWeights = names.map((n) => ckpt.arrays.get(`best:${n}`)!);
        }
        rng = RandomState.fromState(ckpt.meta.rng);
        history.push(...ckpt.meta.history);
        es = { ...ckpt.meta.es, patience: config.patience };
        startEpoch = ckpt.epoch;
        resumedFromEpoch = ckpt.epoch;
      }
    }

    let lastGood = await model.getWeights();
    let lastGoodEpoch = startEpoch;
    const finish = (
      stopReason: StopReason,
      stopMessage: string,
    ): FitResult => {
      let weightsEpoch = history.length > 0 ? history.at(-1)!.epoch : 0;
      if (stopReason === "nonFinite") {
        model.setWeights(lastGood);
        weightsEpoch = lastGoodEpoch;
      } else if (config.restoreBestWeights && bestWeights) {
        model.setWeights(bestWeights);
        weightsEpoch = es.bestEpoch;
      }
      return {
        history,
        stopReason,
        stopMessage,
        bestEpoch: es.bestEpoch,
        weightsEpoch,
        resumedFromEpoch,
      };
    };

    if (
      startEpoch > 0 && config.patience !== null &&
      es.wait >= config.patience
    ) {
      return finish(
        "earlyStopping",
        `Early stopping (restored from checkpoint): validation loss last improved at epoch ${es.bestEpoch}`,
      );
    }

    const batchSize = config.batchSize;
    const batches = Math.ceil(train.rows / batchSize);
    const t = train.timesteps;
    const e = model.config.embeddingDim;
    for (let epoch = startEpoch + 1; epoch <= config.epochs; epoch++) {
      const t0 = performance.now();
      const order = config.shuffle
        ? rng.permutation(train.rows)
        : Int32Array.from({ length: train.rows }, (_, i) => i);
      let lossSum = 0, correct = 0;
      for (let b = 0; b < batches; b++) {
        const rows = order.subarray(b * batchSize, (b + 1) * batchSize);
        const n = rows.length;
        const ids = new Int32Array(n * t);
        const labels = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const r = rows[i];
          ids.set(train.ids.subarray(r * t, (r + 1) * t), i * t);
          labels[i] = train.labels[r];
        }
        const mask = dropout > 0 ? dropoutMask(rng, n, e, dropout) : null;
        const step = await model.gradients(
          { ids, batch: n, timesteps: t },
          labels,
          mask,
        );
        mask?.dispose();
        if (!Number.isFinite(step.loss)) {
          tf.dispose(step.grads);
          return finish(
            "nonFinite",
            `Training loss became ${step.loss} at epoch ${epoch}, batch ${
              b + 1
            }/${batches}; kept the weights from ${
              lastGoodEpoch === 0
                ? "initialisation"
                : `the end of epoch ${lastGoodEpoch}`
            }`,
          );
        }
        adam.apply(step.grads);
        tf.dispose(step.grads);
        lossSum += step.loss * n;
        correct += step.correct;
        callbacks.onBatchEnd?.(b + 1, batches, step.loss);
      }
      const ev = await model.evaluate(
        val.ids,
        val.rows,
        val.timesteps,
        val.labels,
        config.predictBatchSize,
      );
      const record: EpochRecord = {
        epoch,
        loss: lossSum / train.rows,
        accuracy: correct / train.rows,
        valLoss: ev.lossSum / val.rows,
        valAccuracy: ev.correct / val.rows,
        seconds: (performance.now() - t0) / 1000,
      };
      history.push(record);
      if (!Number.isFinite(record.valLoss)) {
        return finish(
          "nonFinite",
          `Validation loss became ${record.valLoss} after epoch ${epoch}; kept the weights from ${
            lastGoodEpoch === 0
              ? "initialisation"
              : `the end of epoch ${lastGoodEpoch}`
          }`,
        );
      }
      const step = earlyStoppingStep(es, epoch, record.valLoss);
      es = step.state;
      if (step.improved && config.restoreBestWeights) {
        bestWeights = await model.getWeights();
      }
      lastGood = await model.getWeights();
      lastGoodEpoch = epoch;
      if (opts.checkpointDir) {
        const st = await adam.getState();
        const arrays: [string, Float32Array][] = [];
        model.variableNames.forEach((n, i) => {
          arrays.push([`w:${n}`, lastGood[i]]);
          arrays.push([`m:${n}`, st.m[i]]);
          arrays.push([`v:${n}`, st.v[i]]);
          if (bestWeights) arrays.push([`best:${n}`, bestWeights[i]]);
        });
        await saveCheckpoint<CheckpointMeta>(
          opts.checkpointDir,
          epoch,
          arrays,
          {
            history,
            es,
            rng: rng.getState(),
            adamStep: st.step,
            variableNames: model.variableNames,
            hasBestWeights: bestWeights !== null,
          },
        );
      }
      await callbacks.onEpochEnd?.(record, { ...es });
      if (step.stop) {
        return finish(
          "earlyStopping",
          `Early stopping after epoch ${epoch}: validation loss last improved at epoch ${es.bestEpoch} (${
            es.bestValLoss.toFixed(4)
          })`,
        );
      }
    }
    return finish("completed", `Ran all ${config.epochs} epochs`);
  } finally {
    adam.dispose();
  }
}

/**
 * A Keras LSTM input-dropout mask [rows, width]: each entry is 0 with
 * probability `rate`, else 1/(1−rate). One mask per batch, shared by every
 * timestep (Keras draws it once per call).
 */
export function dropoutMask(
  rng: RandomState,
  rows: number,
  width: number,
  rate: number,
): tf.Tensor2D {
  const scale = 1 / (1 - rate);
  const m = new Float32Array(rows * width);
  for (let i = 0; i < m.length; i++) {
    m[i] = rng.randomSample() >= rate ? scale : 0;
  }
  return tf.tensor2d(m, [rows, width]);
}
