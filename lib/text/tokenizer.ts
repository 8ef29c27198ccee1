/**
 * One interface over the three tokenizers the upstream compared, so the
 * model and training code need not know which one produced the ids.
 *
 * @module
 */

import type { TokenizerKind } from "../config.ts";
import { BertTokenizer } from "./bert.ts";
import { KerasTokenizer } from "./keras_tokenizer.ts";
import type { BertFiles } from "./resources.ts";
import { TextVectorization } from "./text_vectorization.ts";

/** A fitted tokenizer: texts in, unpadded id sequences out. */
export interface FittedTokenizer {
  /** Which tokenizer this is. */
  readonly kind: TokenizerKind;
  /**
   * The vocabulary size *as the upstream computed it*, so that
   * `vocabSize + 1` is exactly the upstream's Embedding `input_dim` for all
   * three kinds (its "+1" habit):
   * - `"keras"`: `len(tokenizer.word_index)` incl. the OOV '-' (23392 or
   *   23394 upstream). Ids run 1 … vocabSize, so here vocabSize is the
   *   largest id and vocabSize + 1 rows are exactly enough.
   * - `"textVectorization"`: `len(get_vocabulary())` incl. '' and '[UNK]'
   *   (23395 upstream). Ids run 0 … vocabSize-1; the "+1" row is unused.
   * - `"bert"`: 30522. Ids run 0 … 30521; the "+1" row is unused.
   *
   * Use {@link FittedTokenizer.idLimit} for "max id + 1".
   */
  readonly vocabSize: number;
  /**
   * One more than the largest id {@link encode} or padding can produce
   * (keras: vocabSize + 1; textVectorization and bert: vocabSize). An
   * embedding needs at least this many rows.
   */
  readonly idLimit: number;
  /** Padding id used by every kind. */
  readonly padId: 0;
  /**
   * Ids per text, unpadded. Keras: unknown words → 1. TextVectorization:
   * unknown → 1. BERT: `[CLS] … [SEP]`, truncated to 512 ids.
   */
  encode(texts: readonly string[]): number[][];
}

/** What {@link fitTokenizer} may need: the BERT files for `"bert"`. */
export interface TokenizerResources {
  /** Parsed bert-base-uncased files (from `loadTextResources`). */
  bert?: BertFiles;
}

/**
 * Fits the tokenizer of `kind` on `texts` (the already-cleaned texts). The
 * BERT tokenizer is pretrained: it ignores `texts` and needs
 * `resources.bert`.
 *
 * @param kind "keras" | "textVectorization" | "bert"
 * @param texts cleaned texts to fit on (the upstream used all 1490 rows)
 * @param resources BERT files, for `"bert"`
 * @throws Error for an unknown kind or missing BERT files
 */
export function fitTokenizer(
  kind: TokenizerKind,
  texts: readonly string[],
  resources: TokenizerResources = {},
): FittedTokenizer {
  switch (kind) {
    case "keras": {
      const tok = new KerasTokenizer({ oovToken: "-" }).fitOnTexts(texts);
      const vocabSize = tok.wordIndex.size;
      return {
        kind,
        vocabSize,
        idLimit: vocabSize + 1,
        padId: 0,
        encode: (t) => tok.textsToSequences(t),
      };
    }
    case "textVectorization": {
      const tv = new TextVectorization().adapt(texts);
      const vocabSize = tv.vocabularySize();
      return {
        kind,
        vocabSize,
        idLimit: vocabSize,
        padId: 0,
        encode: (t) => tv.encode(t),
      };
    }
    case "bert": {
      if (!resources.bert) {
        throw new Error(
          `fitTokenizer("bert") needs resources.bert (the parsed tokenizer.json and tokenizer_config.json): load them with loadTextResources()`,
        );
      }
      const bert = new BertTokenizer(resources.bert);
      if (bert.padId !== 0) {
        throw new Error(
          `fitTokenizer("bert"): expected [PAD] to be id 0, got ${bert.padId}`,
        );
      }
      return {
        kind,
        vocabSize: bert.vocabSize,
        idLimit: bert.vocabSize,
        padId: 0,
        encode: (t) => bert.encode(t),
      };
    }
    default:
      throw new Error(
        `Unknown tokenizer kind ${
          JSON.stringify(kind)
        }: expected one of "keras", "textVectorization", "bert"`,
      );
  }
}
