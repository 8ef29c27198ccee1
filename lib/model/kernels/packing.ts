/**
 * Packing a padded batch of token ids the way cuDNN packs variable-length
 * sequences: rows sorted by length (longest first), time-major, so that the
 * rows still running at step t are a prefix of the sorted rows and the tokens
 * of step t are contiguous. Also assigns every token a projection *key*: the
 * tokens that share a key share one input projection x·W + b, so that product
 * is computed once per key instead of once per token (see
 * {@link packBatch}).
 *
 * Pure CPU work on typed arrays; no tensors.
 *
 * @module
 */

/** The packed form of one batch; every array is new (inputs are not kept). */
export interface PackedBatch {
  /** Rows in the batch. */
  batch: number;
  /** Padded length of each row in the input. */
  timesteps: number;
  /** Tokens each row feeds to the recurrence, per original row: [batch]. */
  lengths: Int32Array;
  /**
   * Sorted position → original row, for the rows with at least one token,
   * longest first; ties keep their original order: [numActive].
   */
  order: Int32Array;
  /** Rows with at least one token (rows with none come out as h = 0). */
  numActive: number;
  /** Steps the recurrence runs: the longest length (0 if no row has a token). */
  steps: number;
  /** Rows active at each step, non-increasing: [steps]. */
  batchSizes: Int32Array;
  /** Sum of the lengths: tokens in packed order. */
  numTokens: number;
  /** Packed token → projection key: [numTokens]. */
  keys: Int32Array;
  /** Key → embedding row (token id): [numKeys]. */
  keyIds: Int32Array;
  /**
   * Key → original batch row, when keys are per (row, id) pairs (needed when
   * each row's input is scaled by its own dropout mask); otherwise `null`.
   */
  keyRows: Int32Array | null;
  /** Distinct keys. */
  numKeys: number;
}

/** Options of {@link packBatch}. */
export interface PackOptions {
  /**
   * `true`: padding ids (0) are dropped wherever they are (pre, post or in
   * the middle), as Keras `mask_zero` does by carrying the state over masked
   * steps. `false`: every one of the `timesteps` steps runs, padding included.
   */
  masked: boolean;
  /** Rows of the embedding matrix; every id must lie in [0, vocabSize). */
  vocabSize: number;
  /**
   * Key tokens by (row, id) instead of by id alone. Needed when a row's
   * inputs are multiplied by a per-row mask (dropout). @default false
   */
  perRowKeys?: boolean;
}

function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `${name} must be a positive integer: current value is ${value}`,
    );
  }
}

/**
 * Packs a row-major [batch, timesteps] array of token ids.
 *
 * Keys: without `perRowKeys`, one key per distinct id in the batch (all
 * padding tokens of an unmasked batch share one); with it, one per distinct
 * (row, id). Keys are numbered in order of first appearance, row by row.
 *
 * Throws a RangeError naming the row and step of the first id outside
 * [0, vocabSize), or a size that does not match.
 */
export function packBatch(
  ids: Int32Array,
  batch: number,
  timesteps: number,
  options: PackOptions,
): PackedBatch {
  assertCount("LstmBatch.batch", batch);
  assertCount("LstmBatch.timesteps", timesteps);
  assertCount("vocabSize (embedding rows)", options.vocabSize);
  if (!(ids instanceof Int32Array)) {
    throw new TypeError("LstmBatch.ids must be an Int32Array");
  }
  if (ids.length !== batch * timesteps) {
    throw new RangeError(
      `LstmBatch.ids has ${ids.length} entries but batch × timesteps is ` +
        `${batch} × ${timesteps} = ${batch * timesteps}`,
    );
  }
  const { masked, vocabSize } = options;
  const perRow = options.perRowKeys ?? false;

  // Lengths, validation and the compacted tokens of each row (row-major).
  const lengths = new Int32Array(batch);
  const rowStart = new Int32Array(batch + 1);
  for (let r = 0; r < batch; r++) {
    let len = 0;
    for (let t = 0; t < timesteps; t++) {
      const id = ids[r * timesteps + t];
      if (id < 0 || id >= vocabSize) {
        throw new RangeError(
          `LstmBatch.ids[row ${r}, step ${t}] = ${id} is outside the ` +
            `embedding's rows [0, ${vocabSize})`,
        );
      }
      if (!masked || id !== 0) len++;
    }
    lengths[r] = len;
    rowStart[r + 1] = rowStart[r] + len;
  }
  const numTokens = rowStart[batch];

  // Keys per compacted token, numbered by first appearance.
  const tokenKey = new Int32Array(numTokens);
  const keyOfId = new Int32Array(vocabSize).fill(-1);
  const stamp = perRow ? new Int32Array(vocabSize).fill(-1) : null;
  const keyIdList: number[] = [];
  const keyRowList: number[] = [];
  for (let r = 0; r < batch; r++) {
    let k = rowStart[r];
    for (let t = 0; t < timesteps; t++) {
      const id = ids[r * timesteps + t];
      if (masked && id === 0) continue;
      if (stamp !== null && stamp[id] !== r) {
        stamp[id] = r;
        keyOfId[id] = -1;
      }
      let key = keyOfId[id];
      if (key < 0) {
        key = keyIdList.length;
        keyOfId[id] = key;
        keyIdList.push(id);
        keyRowList.push(r);
      }
      tokenKey[k++] = key;
    }
  }

  // Sort rows by length, longest first; Array.prototype.sort is stable.
  const active: number[] = [];
  for (let r = 0; r < batch; r++) if (lengths[r] > 0) active.push(r);
  active.sort((a, b) => lengths[b] - lengths[a]);
  const order = Int32Array.from(active);
  const numActive = order.length;
  const steps = numActive > 0 ? lengths[order[0]] : 0;
  const batchSizes = new Int32Array(steps);
  for (let s = 0; s < numActive; s++) {
    const len = lengths[order[s]];
    for (let t = 0; t < len; t++) batchSizes[t]++;
  }

  const keys = new Int32Array(numTokens);
  let off = 0;
  for (let t = 0; t < steps; t++) {
    const n = batchSizes[t];
    for (let s = 0; s < n; s++) {
      keys[off + s] = tokenKey[rowStart[order[s]] + t];
    }
    off += n;
  }

  return {
    batch,
    timesteps,
    lengths,
    order,
    numActive,
    steps,
    batchSizes,
    numTokens,
    keys,
    keyIds: Int32Array.from(keyIdList),
    keyRows: perRow ? Int32Array.from(keyRowList) : null,
    numKeys: keyIdList.length,
  };
}

/** Start offset of each step's tokens in packed order: [steps + 1]. */
export function stepOffsets(batchSizes: Int32Array): Int32Array {
  const out = new Int32Array(batchSizes.length + 1);
  for (let t = 0; t < batchSizes.length; t++) {
    out[t + 1] = out[t] + batchSizes[t];
  }
  return out;
}
