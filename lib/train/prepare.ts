/**
 * From CSV files to padded id matrices, the way the upstream notebooks did
 * it: clean every text, fit the tokenizer (on all 1490 labelled rows by
 * default), pad all labelled rows together, then split them with the
 * sklearn-exact `train_test_split`; the Kaggle test rows are cleaned,
 * encoded and padded on their own (to their own longest row when `maxLen`
 * is `null`, as upstream).
 *
 * Results are cached per data config within a process, so the seeds of an
 * experiment (and experiments sharing a data config) prepare once.
 *
 * @module
 */

import type { DataConfig, TokenizerKind } from "../config.ts";
import { labelIndices, LABELS } from "../data/labels.ts";
import { loadLabelled, loadTest } from "../data/load.ts";
import { assetPath, dataDir } from "../data/paths.ts";
import { trainTestSplit } from "../data/split.ts";
import { makeCleaner } from "../text/clean.ts";
import { padSequences } from "../text/pad.ts";
import { loadTextResources } from "../text/resources.ts";
import { fitTokenizer } from "../text/tokenizer.ts";
import type { LabelledSequences } from "./fit.ts";
import { canonicalJson } from "./run_store.ts";

/** Padded test rows with their Kaggle ids. */
export interface TestSequences {
  /** Row-major [rows, timesteps] ids. */
  ids: Int32Array;
  rows: number;
  timesteps: number;
  articleIds: number[];
}

/** Everything a run needs from the data side. */
export interface PreparedData {
  config: DataConfig;
  /** Class names in label order. */
  labels: readonly string[];
  train: LabelledSequences;
  val: LabelledSequences;
  test: TestSequences;
  /** Row indices (into the labelled CSV) of the training and validation parts. */
  split: { train: Int32Array; val: Int32Array };
  tokenizer: {
    kind: TokenizerKind;
    /** The upstream's vocabulary size (see FittedTokenizer.vocabSize). */
    vocabSize: number;
  };
  /** Embedding rows: vocabSize + 1, the upstream's convention. */
  embeddingRows: number;
  /** Real (non-padding) tokens per labelled row, before padding/truncation. */
  lengths: Int32Array;
  /** Seconds spent loading, cleaning, tokenizing and padding. */
  seconds: number;
}

const cache = new Map<string, Promise<PreparedData>>();

/**
 * Prepares the data for `config` from the assets in `dir` (default: the
 * project data directory). Cached per (config, dir) within the process.
 */
export function prepareData(
  config: DataConfig,
  dir: string = dataDir(),
): Promise<PreparedData> {
  const key = canonicalJson({ config, dir });
  let hit = cache.get(key);
  if (!hit) {
    hit = prepare(config, dir);
    cache.set(key, hit);
    hit.catch(() => cache.delete(key));
  }
  return hit;
}

async function prepare(config: DataConfig, dir: string): Promise<PreparedData> {
  const t0 = performance.now();
  const labelled = loadLabelled(assetPath("train", dir), {
    limit: config.limit ?? undefined,
  });
  const testCsv = loadTest(assetPath("test", dir));
  const resources = await loadTextResources(dir);
  const clean = makeCleaner(config.cleaning, resources);
  const texts = labelled.texts.map(clean);
  const testTexts = testCsv.texts.map(clean);

  const n = texts.length;
  const split = trainTestSplit(n, {
    testSize: config.testSize,
    seed: config.splitSeed,
  });
  const fitTexts = config.fitTokenizerOn === "all"
    ? texts
    : Array.from(split.train, (i) => texts[i]);
  const tokenizer = fitTokenizer(config.tokenizer, fitTexts, resources);
  const seqs = tokenizer.encode(texts);
  const pad = {
    maxLen: config.maxLen,
    padding: config.padding,
    truncating: config.truncating,
    value: 0,
  };
  const padded = padSequences(seqs, pad);
  const testPadded = padSequences(tokenizer.encode(testTexts), pad);
  const y = labelIndices(labelled.categories);

  const take = (rows: Int32Array): LabelledSequences => {
    const t = padded.maxLen;
    const ids = new Int32Array(rows.length * t);
    const labels = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      ids.set(padded.data.subarray(r * t, (r + 1) * t), i * t);
      labels[i] = y[r];
    });
    return { ids, rows: rows.length, timesteps: t, labels };
  };

  return {
    config: structuredClone(config),
    labels: LABELS,
    train: take(split.train),
    val: take(split.test),
    test: {
      ids: testPadded.data,
      rows: testPadded.n,
      timesteps: testPadded.maxLen,
      articleIds: testCsv.articleIds,
    },
    split: { train: split.train, val: split.test },
    tokenizer: { kind: tokenizer.kind, vocabSize: tokenizer.vocabSize },
    embeddingRows: tokenizer.vocabSize + 1,
    lengths: Int32Array.from(seqs, (s) => s.length),
    seconds: (performance.now() - t0) / 1000,
  };
}
