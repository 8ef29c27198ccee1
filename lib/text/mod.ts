/**
 * Text side of the project: the upstream cleaning pipeline (with a faithful
 * re-creation of `contractions.fix`), the three tokenizers the upstream
 * compared (Keras `Tokenizer`, Keras `TextVectorization`, bert-base-uncased
 * WordPiece) and Keras `pad_sequences`.
 *
 * ```ts ignore
 * const res = await loadTextResources();
 * const clean = makeCleaner(UPSTREAM_CLEANING, res);
 * const texts = rawTexts.map(clean);
 * const tok = fitTokenizer("keras", texts, res);
 * const batch = padSequences(tok.encode(texts), { padding: "post" });
 * ```
 *
 * @module
 */

export type { CleaningStep, Side, TokenizerKind } from "../config.ts";
export * from "./bert.ts";
export * from "./clean.ts";
export * from "./contractions.ts";
export * from "./keras_tokenizer.ts";
export * from "./pad.ts";
export * from "./resources.ts";
export * from "./stopwords.ts";
export * from "./text_vectorization.ts";
export * from "./tokenizer.ts";
