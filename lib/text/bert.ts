/**
 * `bert-base-uncased` WordPiece ids as the upstream got them:
 * `AutoTokenizer.from_pretrained('bert-base-uncased')(texts, padding=True,
 * truncation=True)['input_ids']`.
 *
 * The tokenizer itself is Hugging Face's pure-JS `@huggingface/tokenizers`
 * built from the local `tokenizer.json` / `tokenizer_config.json` objects
 * (no network). That package has no truncation, so it is done here the way
 * HF's Rust tokenizer does it for one sequence with a `TemplateProcessing`
 * post-processor: the wordpieces are cut (from the end) to
 * `model_max_length` minus the 2 special tokens, then `[CLS] … [SEP]` is
 * added; so a long article becomes exactly 512 ids starting 101 and ending
 * 102. `padding=True` pads with `[PAD]` = 0 at the end to the longest
 * sequence of the call.
 *
 * @module
 */

import { Tokenizer } from "@huggingface/tokenizers";
import { type PaddedBatch, padSequences } from "./pad.ts";
import type { BertFiles } from "./resources.ts";

/** Options of {@link BertTokenizer}. */
export interface BertOptions {
  /**
   * Longest sequence including [CLS] and [SEP]. @default the config's
   * `model_max_length` (512 for bert-base-uncased)
   */
  maxLength?: number;
}

/** bert-base-uncased ids with HF's `truncation=True, padding=True` semantics. */
export class BertTokenizer {
  /** Number of ids in the vocabulary (30522): ids are `0 … vocabSize-1`. */
  readonly vocabSize: number;
  /** Longest sequence incl. specials (512). */
  readonly maxLength: number;
  /** `[CLS]` id (101). */
  readonly clsId: number;
  /** `[SEP]` id (102). */
  readonly sepId: number;
  /** `[PAD]` id (0). */
  readonly padId: number;
  readonly #tok: Tokenizer;

  /**
   * Builds the HF tokenizer from the parsed files (no network access).
   *
   * @param files parsed `tokenizer.json` and `tokenizer_config.json`
   * @param options maxLength override
   * @throws Error when a special token is missing or no max length is known
   */
  constructor(files: BertFiles, options: BertOptions = {}) {
    this.#tok = new Tokenizer(files.tokenizer, files.config);
    const configured = files.config["model_max_length"];
    const maxLength = options.maxLength ??
      (typeof configured === "number" ? configured : undefined);
    if (
      maxLength === undefined || !Number.isInteger(maxLength) || maxLength < 3
    ) {
      throw new Error(
        `BertTokenizer: maxLength must be an integer ≥ 3 (from options or tokenizer_config.json "model_max_length"): current value is ${maxLength}`,
      );
    }
    this.maxLength = maxLength;
    const id = (token: string): number => {
      const v = this.#tok.token_to_id(token);
      if (v === undefined) {
        throw new Error(
          `BertTokenizer: token ${token} is missing from tokenizer.json's vocabulary`,
        );
      }
      return v;
    };
    this.clsId = id("[CLS]");
    this.sepId = id("[SEP]");
    this.padId = id("[PAD]");
    this.vocabSize = this.#tok.get_vocab(true).size;
  }

  /** The wordpiece ids of `text`, without specials or truncation. */
  wordpieces(text: string): number[] {
    return this.#tok.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * `[CLS] wordpieces [SEP]` per text, the wordpieces cut to
   * `maxLength - 2` from the end (HF `truncation=True`). Unpadded.
   */
  encode(texts: readonly string[]): number[][] {
    const keep = this.maxLength - 2;
    return texts.map((text) => {
      const ids = this.wordpieces(text);
      const body = ids.length > keep ? ids.slice(0, keep) : ids;
      return [this.clsId, ...body, this.sepId];
    });
  }

  /**
   * HF `tokenizer(texts, padding=True, truncation=True)['input_ids']`:
   * {@link encode}, then `[PAD]` (0) at the end up to the longest row.
   *
   * @returns `{ data: Int32Array [n × maxLen], n, maxLen }`, maxLen ≤ 512
   */
  call(texts: readonly string[]): PaddedBatch {
    return padSequences(this.encode(texts), {
      padding: "post",
      value: this.padId,
    });
  }
}
