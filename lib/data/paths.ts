/**
 * Where the project's data assets live on disk. Every asset sits under one
 * data directory (default `<repo>/data`, git-ignored; override with the
 * `BBC_DATA_DIR` environment variable) in the same layout as the offline
 * mirror `../shared/data`.
 *
 * @module
 */

/** Logical asset names and their paths relative to the data directory. */
export const ASSET_FILES = {
  train: "bbc/train.csv",
  test: "bbc/test.csv",
  sampleSolution: "bbc/sample_solution.csv",
  bertTokenizer: "bert-base-uncased/tokenizer.json",
  bertTokenizerConfig: "bert-base-uncased/tokenizer_config.json",
  bertVocab: "bert-base-uncased/vocab.txt",
  stopwords: "nltk-stopwords-english.txt",
  contractions: "contractions/contractions_dict.json",
  contractionsLeftovers: "contractions/leftovers_dict.json",
  contractionsSlang: "contractions/slang_dict.json",
} as const;

/** Name of one data asset. */
export type AssetName = keyof typeof ASSET_FILES;

/** The repository root (the folder holding `deno.json`), as a file path. */
export const REPO_ROOT: string = decodeURIComponent(
  new URL("../../", import.meta.url).pathname,
).replace(/\/$/, "");

/** The data directory: `$BBC_DATA_DIR` if set, else `<repo>/data`. */
export function dataDir(): string {
  const fromEnv = Deno.env.get("BBC_DATA_DIR");
  return fromEnv && fromEnv.length > 0 ? fromEnv : `${REPO_ROOT}/data`;
}

/** Absolute path of one asset inside {@link dataDir}. */
export function assetPath(name: AssetName, dir: string = dataDir()): string {
  return `${dir}/${ASSET_FILES[name]}`;
}
