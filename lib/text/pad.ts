/**
 * Keras `pad_sequences` for integer id sequences.
 *
 * @module
 */

import type { Side } from "../config.ts";

/** A padded batch of id sequences, row-major. */
export interface PaddedBatch {
  /** `n × maxLen` ids, row `i` at `data[i * maxLen .. (i + 1) * maxLen)`. */
  data: Int32Array;
  /** Number of sequences (rows). */
  n: number;
  /** Row length (columns). */
  maxLen: number;
}

/** Options of {@link padSequences}, named as Keras' arguments. */
export interface PadOptions {
  /**
   * Row length; `null` pads to the longest sequence (Keras `maxlen=None`).
   * @default null
   */
  maxLen?: number | null;
  /** Where the padding goes. @default "pre" (Keras) */
  padding?: Side;
  /** Which end is cut from sequences longer than `maxLen`. @default "pre" (Keras) */
  truncating?: Side;
  /** Padding id, an int32. @default 0 */
  value?: number;
}

function checkSide(name: string, v: unknown): Side {
  if (v !== "pre" && v !== "post") {
    throw new Error(
      `padSequences option "${name}" must be "pre" or "post": current value is ${
        JSON.stringify(v)
      }`,
    );
  }
  return v;
}

/**
 * Pads and/or truncates id sequences to one length, as Keras
 * `pad_sequences(seqs, maxlen, padding, truncating, value)` with
 * `dtype='int32'`:
 * `truncating: "pre"` keeps the last `maxLen` ids, `"post"` the first;
 * `padding: "pre"` right-aligns each row, `"post"` left-aligns it.
 * Empty sequences give a row of `value`. The input is not modified.
 *
 * Porting note: Keras raises on an empty list with `maxlen=None` (NumPy max
 * of nothing); this returns `{ n: 0, maxLen: 0 }` instead.
 *
 * @param seqs sequences of int32 ids
 * @param options maxLen / padding / truncating / value
 * @returns `{ data: Int32Array [n × maxLen], n, maxLen }`
 * @throws Error naming the option, or the row and position of a non-int32 id
 */
export function padSequences(
  seqs: readonly (readonly number[])[],
  options: PadOptions = {},
): PaddedBatch {
  const padding = checkSide("padding", options.padding ?? "pre");
  const truncating = checkSide("truncating", options.truncating ?? "pre");
  const value = options.value ?? 0;
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new Error(
      `padSequences option "value" must be an int32: current value is ${value}`,
    );
  }
  let maxLen = options.maxLen ?? null;
  if (maxLen === null) {
    maxLen = 0;
    for (const s of seqs) maxLen = Math.max(maxLen, s.length);
  } else if (!Number.isInteger(maxLen) || maxLen <= 0) {
    throw new Error(
      `padSequences option "maxLen" must be null or a positive integer: current value is ${maxLen}`,
    );
  }
  const n = seqs.length;
  const data = new Int32Array(n * maxLen);
  if (value !== 0) data.fill(value);
  for (let i = 0; i < n; i++) {
    const s = seqs[i];
    const len = Math.min(s.length, maxLen);
    const from = truncating === "pre" ? s.length - len : 0;
    const rowStart = i * maxLen + (padding === "pre" ? maxLen - len : 0);
    for (let j = 0; j < len; j++) {
      const id = s[from + j];
      if (!Number.isInteger(id) || id < -(2 ** 31) || id >= 2 ** 31) {
        throw new Error(
          `padSequences: sequence ${i}, position ${
            from + j
          } must be an int32 id, got ${id}`,
        );
      }
      data[rowStart + j] = id;
    }
  }
  return { data, n, maxLen };
}
