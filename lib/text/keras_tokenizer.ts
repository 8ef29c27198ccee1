/**
 * Keras' legacy word tokenizer (`tf.keras.preprocessing.text.Tokenizer`)
 * as the upstream used it: `Tokenizer(num_words=None, oov_token='-')`,
 * `fit_on_texts`, `texts_to_sequences`.
 *
 * Semantics re-created from keras-preprocessing `text.py`:
 * - `text_to_word_sequence`: lower-case, map every filter character to the
 *   split string, split on it, drop empty pieces.
 * - `fit_on_texts`: count words in first-seen order; sort by count with
 *   Python's stable `sort(reverse=True)`, so ties keep first-seen order;
 *   `word_index` = the OOV token first, then the sorted words, numbered
 *   from 1 (0 is left for padding).
 * - `texts_to_sequences`: unknown words become the OOV index (or are
 *   skipped when there is no OOV token).
 *
 * @module
 */

/** Keras' default `filters`: punctuation, tab and newline (no apostrophe). */
export const KERAS_DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/** Options of Keras `text_to_word_sequence` / `Tokenizer`. */
export interface WordSequenceOptions {
  /** Characters replaced by `split` before splitting. @default KERAS_DEFAULT_FILTERS */
  filters?: string;
  /** Lower-case first. @default true */
  lower?: boolean;
  /** Separator. @default " " */
  split?: string;
}

/**
 * Keras `text_to_word_sequence`: the words of `text` (see module doc).
 *
 * @param text the text
 * @param options filters / lower / split (Keras defaults)
 */
export function textToWordSequence(
  text: string,
  options: WordSequenceOptions = {},
): string[] {
  const {
    filters = KERAS_DEFAULT_FILTERS,
    lower = true,
    split = " ",
  } = options;
  if (split.length === 0) {
    throw new Error(`textToWordSequence option "split" must not be empty`);
  }
  let t = lower ? text.toLowerCase() : text;
  if (filters.length > 0) t = t.replace(filterRegex(filters), () => split);
  return t.split(split).filter((w) => w.length > 0);
}

const filterCache = new Map<string, RegExp>();

/** A global regex matching any one code point of `filters`. */
function filterRegex(filters: string): RegExp {
  let re = filterCache.get(filters);
  if (!re) {
    let cls = "";
    for (const ch of filters) {
      cls += `\\u{${ch.codePointAt(0)!.toString(16)}}`;
    }
    re = new RegExp(`[${cls}]`, "gu");
    filterCache.set(filters, re);
  }
  return re;
}

/** Options of {@link KerasTokenizer}. */
export interface KerasTokenizerOptions extends WordSequenceOptions {
  /**
   * Out-of-vocabulary token, put at index 1; `null` drops unknown words.
   * @default "-" (the upstream's choice; Keras' own default is None)
   */
  oovToken?: string | null;
}

/**
 * Keras `Tokenizer(num_words=None, oov_token=...)`. Only the parts the
 * upstream used: no `num_words` cap, no char level, no matrix modes.
 */
export class KerasTokenizer {
  /** Word → count over all fitted texts, in first-seen order. */
  readonly wordCounts: Map<string, number> = new Map();
  /** Word → index (1-based; the OOV token first). Empty until fitted. */
  wordIndex: Map<string, number> = new Map();
  /** The OOV token, or null. */
  readonly oovToken: string | null;
  readonly #seqOptions: WordSequenceOptions;

  /**
   * An unfitted tokenizer; call {@link fitOnTexts} next.
   *
   * @param options OOV token and `text_to_word_sequence` options
   */
  constructor(options: KerasTokenizerOptions = {}) {
    const { oovToken = "-", ...seq } = options;
    this.oovToken = oovToken;
    this.#seqOptions = seq;
  }

  /**
   * Keras `fit_on_texts`: adds the words of `texts` to the counts and
   * rebuilds `wordIndex`. Can be called again to add more texts.
   */
  fitOnTexts(texts: readonly string[]): this {
    for (const text of texts) {
      for (const w of textToWordSequence(text, this.#seqOptions)) {
        this.wordCounts.set(w, (this.wordCounts.get(w) ?? 0) + 1);
      }
    }
    // Array.prototype.sort is stable, as Python's sort(reverse=True) is.
    const sorted = [...this.wordCounts].sort((a, b) => b[1] - a[1]);
    const vocab = this.oovToken === null ? [] : [this.oovToken];
    for (const [w] of sorted) vocab.push(w);
    // dict(zip(vocab, range(1, ...))): a repeated word keeps its last index.
    const index = new Map<string, number>();
    vocab.forEach((w, i) => index.set(w, i + 1));
    this.wordIndex = index;
    return this;
  }

  /**
   * Keras `texts_to_sequences`: word ids per text (unpadded).
   *
   * @throws Error when called before {@link fitOnTexts}
   */
  textsToSequences(texts: readonly string[]): number[][] {
    if (this.wordIndex.size === 0) {
      throw new Error(
        "KerasTokenizer.textsToSequences: call fitOnTexts() first (the word index is empty)",
      );
    }
    const oov = this.oovToken === null
      ? undefined
      : this.wordIndex.get(this.oovToken);
    return texts.map((text) => {
      const seq: number[] = [];
      for (const w of textToWordSequence(text, this.#seqOptions)) {
        const id = this.wordIndex.get(w);
        if (id !== undefined) seq.push(id);
        else if (oov !== undefined) seq.push(oov);
      }
      return seq;
    });
  }
}
