/**
 * The contract between the LSTM op (`../lstm.ts`) and its two recurrence
 * engines: given the input projection of every key and the recurrent kernel,
 * run the packed time loop forward, and later backward.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs-core";
import type { PackedBatch } from "./packing.ts";

/** What an engine receives for one batch. */
export interface RecurrenceArgs {
  /** The packed batch (sorted rows, per-step sizes, token keys). */
  plan: PackedBatch;
  /** x·W + b per key: [numKeys, 4H], gate order i, f, g, o. */
  proj: tf.Tensor2D;
  /** Recurrent kernel U: [H, 4H]. */
  recurrent: tf.Tensor2D;
  /** Hard sigmoid (0.2x + 0.5 clipped) instead of the logistic sigmoid. */
  hard: boolean;
  /** Keep what the backward needs (a gradient tape is recording). */
  train: boolean;
}

/** Gradients an engine's backward returns. */
export interface RecurrenceGrads {
  /** dL/d(proj), summed over the tokens of each key: [numKeys, 4H]. */
  dProj: tf.Tensor2D;
  /** dL/dU: [H, 4H]. */
  dRecurrent: tf.Tensor2D;
}

/** The forward result of an engine. */
export interface RecurrenceForward {
  /** Final h of the active rows in sorted order: [numActive, H]. */
  hSorted: tf.Tensor2D;
  /**
   * Tensors the backward needs; the op passes them through tfjs'
   * customGrad `save` (which keeps them until the tape is disposed) and
   * hands them back to {@link RecurrenceForward.backward}. Empty when not
   * training.
   */
  saved: tf.Tensor[];
  /**
   * Backpropagation through time. `dhSorted`: dL/dh_final per active row in
   * sorted order, [numActive, H]; `saved`: the kept copies of
   * {@link RecurrenceForward.saved}. Only valid when `train` was set.
   */
  backward(dhSorted: tf.Tensor2D, saved: tf.Tensor[]): RecurrenceGrads;
}

/** A recurrence engine. */
export type RecurrenceEngine = (args: RecurrenceArgs) => RecurrenceForward;
