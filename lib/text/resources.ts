/**
 * Loads the text assets once: the NLTK stopword list, the three
 * `contractions` tables (compiled into a {@link ContractionFixer}), and the
 * `bert-base-uncased` tokenizer files (parsed JSON, for
 * {@link BertTokenizer}). Nothing is fetched from the network.
 *
 * @module
 */

import { type AssetName, assetPath, dataDir } from "../data/paths.ts";
import {
  ContractionFixer,
  type ContractionTables,
  parseContractionTables,
} from "./contractions.ts";
import type { CleaningResources } from "./clean.ts";
import { parseStopwords } from "./stopwords.ts";

/** The parsed `tokenizer.json` and `tokenizer_config.json` of bert-base-uncased. */
export interface BertFiles {
  /** Parsed `tokenizer.json` (HF tokenizers format). */
  tokenizer: Record<string, unknown>;
  /** Parsed `tokenizer_config.json` (`model_max_length`, `do_lower_case`). */
  config: Record<string, unknown>;
}

/** Everything the cleaning steps and tokenizers read from disk. */
export interface TextResources extends CleaningResources {
  /** NLTK English stopwords (179 words). */
  stopwords: ReadonlySet<string>;
  /** The raw contraction tables, in file order. */
  contractionTables: ContractionTables;
  /** `contractions.fix` with defaults (leftovers and slang on). */
  contractions: ContractionFixer;
  /** bert-base-uncased tokenizer files. */
  bert: BertFiles;
}

async function readAsset(name: AssetName, dir: string): Promise<string> {
  const path = assetPath(name, dir);
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(
        `Text asset "${name}" not found at ${path}: expected the data directory layout of lib/data/paths.ts (set BBC_DATA_DIR or run the setup task)`,
      );
    }
    throw e;
  }
}

async function readJsonObject(
  name: AssetName,
  dir: string,
): Promise<Record<string, unknown>> {
  const text = await readAsset(name, dir);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `${assetPath(name, dir)}: invalid JSON (${(e as Error).message})`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Error(`${assetPath(name, dir)}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Reads and parses every text asset under `dir`.
 *
 * @param dir data directory @default dataDir() (`$BBC_DATA_DIR` or `<repo>/data`)
 * @throws Error naming the missing or malformed file
 */
export async function loadTextResources(
  dir: string = dataDir(),
): Promise<TextResources> {
  const [stopText, contractions, leftovers, slang, tokenizer, config] =
    await Promise.all([
      readAsset("stopwords", dir),
      readJsonObject("contractions", dir),
      readJsonObject("contractionsLeftovers", dir),
      readJsonObject("contractionsSlang", dir),
      readJsonObject("bertTokenizer", dir),
      readJsonObject("bertTokenizerConfig", dir),
    ]);
  const tables = parseContractionTables(
    { contractions, leftovers, slang },
    assetPath("contractions", dir).replace(/\/[^/]*$/, ""),
  );
  return {
    stopwords: parseStopwords(stopText, assetPath("stopwords", dir)),
    contractionTables: tables,
    contractions: ContractionFixer.fromTables(tables),
    bert: { tokenizer, config },
  };
}
