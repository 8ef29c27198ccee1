/**
 * Early stopping on validation loss with Keras' `EarlyStopping` semantics
 * (`monitor="val_loss", min_delta=0, mode="min"`), which the upstream
 * PyTorch loop re-implemented the same way: an epoch improves when its loss
 * is strictly below the best so far; training stops once `patience` epochs
 * in a row have not improved (an improving epoch never stops training).
 *
 * @module
 */

/** Bookkeeping after each epoch; JSON-serialisable (checkpointed). */
export interface EarlyStoppingState {
  /** Lowest validation loss so far (Infinity before the first epoch). */
  bestValLoss: number;
  /** 1-based epoch of `bestValLoss` (0 before the first epoch). */
  bestEpoch: number;
  /** Epochs since the last improvement. */
  wait: number;
  /** Patience in epochs; `null` never stops. */
  patience: number | null;
}

/** The state before the first epoch. */
export function initialEarlyStopping(
  patience: number | null,
): EarlyStoppingState {
  return { bestValLoss: Infinity, bestEpoch: 0, wait: 0, patience };
}

/**
 * Records `valLoss` of `epoch` (1-based). Returns the new state, whether this
 * epoch improved, and whether training should stop after it.
 */
export function earlyStoppingStep(
  state: EarlyStoppingState,
  epoch: number,
  valLoss: number,
): { state: EarlyStoppingState; improved: boolean; stop: boolean } {
  const improved = valLoss < state.bestValLoss;
  const next: EarlyStoppingState = improved
    ? { ...state, bestValLoss: valLoss, bestEpoch: epoch, wait: 0 }
    : { ...state, wait: state.wait + 1 };
  // Keras returns early on an improvement and never stops after the first
  // epoch (its `epoch > 0` with 0-based epochs).
  const stop = !improved && epoch > 1 && next.patience !== null &&
    next.wait >= next.patience;
  return { state: next, improved, stop };
}
