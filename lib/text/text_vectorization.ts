/**
 * Keras `TextVectorization` as the upstream configured it:
 * `TextVectorization(max_tokens=None,
 * standardize='lower_and_strip_punctuation')` with the defaults
 * `split='whitespace'`, `output_mode='int'`, `output_sequence_length=None`,
 * then `adapt(texts)` and `vectorizer(texts)`.
 *
 * Semantics re-created from Keras 3 `keras/src/layers/preprocessing/`:
 * - `TextVectorization._preprocess`: `tf.strings.lower` (ASCII letters only,
 *   its default encoding ''), then delete every character of
 *   `[!"#$%&()*+,-./:;<=>?@[\]^_`{|}~']`, then `tf.strings.split` (runs of
 *   whitespace; leading/trailing whitespace gives no token).
 * - `IndexLookup.finalize_state`: the vocabulary is `''` (mask, id 0),
 *   `'[UNK]'` (OOV, id 1), then the adapted tokens ordered by
 *   `np.lexsort((tokens, counts))[::-1]`: count descending, and among equal
 *   counts the token that sorts *last* (by UTF-8 bytes) comes first.
 *   The mask and OOV tokens are removed from the counts before sorting.
 * - `call` with `output_mode='int'` and no `output_sequence_length`: ids
 *   padded with 0 at the end to the longest sequence of the call.
 *
 * Porting note: "whitespace" here is ASCII whitespace (space, \t, \n, \v,
 * \f, \r), our reading of TF's `StringSplitV2` with an empty separator.
 * The upstream's inputs are already cleaned to single-spaced a–z words, so
 * none of these details change its vocabulary.
 *
 * @module
 */

import { type PaddedBatch, padSequences } from "./pad.ts";

/** Keras' `DEFAULT_STRIP_REGEX`, written out (`,-\.` in Keras is a range: `,-.`). */
const STRIP = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;
const ASCII_UPPER = /[A-Z]+/g;
const ASCII_WS = /[ \t\n\v\f\r]+/;

/** Mask token at id 0. */
export const TV_MASK_TOKEN = "";
/** OOV token at id 1. */
export const TV_OOV_TOKEN = "[UNK]";

/**
 * `lower_and_strip_punctuation` followed by the whitespace split: the
 * tokens `TextVectorization` sees for `text`.
 */
export function tvTokens(text: string): string[] {
  const t = text.replace(ASCII_UPPER, (m) => m.toLowerCase()).replace(
    STRIP,
    "",
  );
  return t.split(ASCII_WS).filter((w) => w.length > 0);
}

/** Compares by Unicode code point (= UTF-8 byte order), unlike `<` on UTF-16. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (astral code points) sort above every BMP code point.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca - cb;
  }
  return a.length - b.length;
}

/** `TextVectorization(max_tokens=None, standardize='lower_and_strip_punctuation')`. */
export class TextVectorization {
  #vocab: string[] = [];
  #index: Map<string, number> = new Map();

  /**
   * Keras `adapt(texts)`: counts tokens over `texts` and sets the
   * vocabulary (replacing any earlier one).
   */
  adapt(texts: readonly string[]): this {
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const tok of tvTokens(text)) {
        counts.set(tok, (counts.get(tok) ?? 0) + 1);
      }
    }
    counts.delete(TV_MASK_TOKEN);
    counts.delete(TV_OOV_TOKEN);
    const tokens = [...counts.keys()].sort((a, b) =>
      counts.get(b)! - counts.get(a)! || compareCodePoints(b, a)
    );
    this.#vocab = [TV_MASK_TOKEN, TV_OOV_TOKEN, ...tokens];
    this.#index = new Map(this.#vocab.map((t, i) => [t, i]));
    return this;
  }

  /** Keras `get_vocabulary()`: `['', '[UNK]', ...tokens]`. */
  getVocabulary(): string[] {
    return [...this.#vocab];
  }

  /** Keras `vocabulary_size()`: length of the vocabulary incl. '' and '[UNK]'. */
  vocabularySize(): number {
    return this.#vocab.length;
  }

  /**
   * Token ids per text, unpadded (OOV → 1).
   *
   * @throws Error when called before {@link adapt}
   */
  encode(texts: readonly string[]): number[][] {
    if (this.#vocab.length === 0) {
      throw new Error(
        "TextVectorization.encode: call adapt() first (the vocabulary is empty)",
      );
    }
    return texts.map((text) =>
      tvTokens(text).map((tok) => this.#index.get(tok) ?? 1)
    );
  }

  /**
   * Keras `vectorizer(texts)` with `output_mode='int'`: ids padded with 0
   * at the end to the longest sequence in this call.
   *
   * @returns `{ data: Int32Array [n × maxLen], n, maxLen }`
   */
  call(texts: readonly string[]): PaddedBatch {
    return padSequences(this.encode(texts), { padding: "post" });
  }
}
