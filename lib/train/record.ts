/**
 * The run record: everything one training run produced, as one JSON file.
 * Notebooks, the summary and the HTML reports read only these records, so
 * every figure they show can be traced to the run (config, seed, versions,
 * backend, timings) that made it.
 *
 * @module
 */

import type { ExperimentConfig } from "../config.ts";

/** One epoch of training, as the loop measured it. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's batches, weighted by rows. */
  loss: number;
  /** Training accuracy over the epoch (0–1), measured during the epoch. */
  accuracy: number;
  /** Validation loss after the epoch (same loss as training). */
  valLoss: number;
  /** Validation accuracy after the epoch (0–1). */
  valAccuracy: number;
  /** Wall-clock seconds of the epoch, validation included. */
  seconds: number;
}

/** Why training ended. */
export type StopReason =
  /** All configured epochs ran. */
  | "completed"
  /** Validation loss did not improve for `patience` epochs. */
  | "earlyStopping"
  /** A loss became NaN or infinite; the last good weights were kept. */
  | "nonFinite";

/** Which compute backend ran, and why (when it is not the one asked for). */
export interface BackendRecord {
  /** What the config asked for. */
  requested: string;
  /** The tfjs backend that ran: "tensorflow", "webgpu", "wasm" or "cpu". */
  name: string;
  /** Human detail: adapter, SIMD/threads, library versions. */
  detail: string;
  /** Set when `name` is not what was requested: the one-line reason. */
  fallback?: string;
}

/** A finished (or stopped) run. Written atomically as JSON. */
export interface RunRecord {
  /** Format version of this record. */
  schema: 1;
  /** Experiment id from the registry, e.g. "01_post_padding". */
  experiment: string;
  /** Stable hash of `config` + `mode` (+ library version); identifies reusable runs. */
  configHash: string;
  config: ExperimentConfig;
  seed: number;
  /** "full" for the real series, "quick" for the CI smoke mode. */
  mode: "full" | "quick";
  versions: {
    lib: string;
    deno: string;
    v8: string;
    typescript: string;
    tfjs: string;
  };
  backend: BackendRecord;
  /** Recurrence engine that ran: "fused" or "ops". */
  engine: string;
  machine: {
    os: string;
    arch: string;
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    hostname?: string;
  };
  data: {
    trainRows: number;
    valRows: number;
    testRows: number;
    /** Rows of the embedding matrix (tokenizer ids + 1, as upstream). */
    embeddingRows: number;
    /** Padded length of the training sequences. */
    sequenceLength: number;
    /** Real (non-padding) tokens in the training sequences. */
    trainTokens: number;
  };
  /** Trainable parameters. */
  parameters: number;
  history: EpochRecord[];
  stopReason: StopReason;
  /** Human-readable stop message, e.g. the non-finite loss that stopped it. */
  stopMessage: string;
  /** 1-based epoch with the lowest validation loss. */
  bestEpoch: number;
  /** 1-based epoch whose weights the final model holds. */
  weightsEpoch: number;
  /** Validation metrics of the weights the run ended with. */
  final: { valLoss: number; valAccuracy: number };
  /** Class names in label order (alphabetical, as `pd.get_dummies`). */
  labels: string[];
  /** Validation confusion matrix of the final weights: [true][predicted]. */
  confusion: number[][];
  /** Predicted category for every Kaggle test article, in file order. */
  testPredictions: { articleId: number; category: string }[];
  timings: {
    /** Data loading, cleaning, tokenizing (s). */
    prepareSeconds: number;
    /** Training loop incl. per-epoch validation (s). */
    trainSeconds: number;
    /** Final validation + test prediction (s). */
    predictSeconds: number;
    /** Whole run (s). */
    totalSeconds: number;
  };
  /** ISO-8601 timestamps. */
  startedAt: string;
  finishedAt: string;
  /** Epoch the run resumed from, if it was resumed from a checkpoint. */
  resumedFromEpoch?: number;
}
