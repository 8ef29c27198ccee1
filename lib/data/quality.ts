/**
 * The data-quality summary shown in notebook 00: class balance, article
 * lengths, duplicated texts, texts shared between train and test, and
 * non-ASCII characters. It returns plain JSON-able data; rendering is the
 * notebook's business.
 *
 * Lengths follow the upstream analysis, which used Python: characters are
 * Unicode code points (`len(text)`), tokens are what `text.split()` gives
 * (runs of Python whitespace), and p95 is numpy's default linear
 * interpolation (`np.percentile(x, 95)`), computed here with numpy's exact
 * floating-point steps.
 *
 * @module
 */

import pl from "nodejs-polars";
import { type Label, LABELS } from "./labels.ts";

/** Summary statistics of one length distribution. */
export interface LengthStats {
  /** Number of values. */
  count: number;
  min: number;
  /** `np.median`: the middle value, or the mean of the two middle values. */
  median: number;
  mean: number;
  /** `np.percentile(x, 95)` (linear interpolation). */
  p95: number;
  max: number;
}

/** Character and token length statistics of one set of texts. */
export interface LengthSummary {
  /** In Unicode code points (Python `len`). */
  characters: LengthStats;
  /** In whitespace-separated tokens (Python `str.split()`). */
  tokens: LengthStats;
}

/** Exact-duplicate texts within one file. */
export interface DuplicateSummary {
  rows: number;
  /** Distinct texts. */
  uniqueTexts: number;
  /** Rows whose text appeared in an earlier row (`rows − uniqueTexts`). */
  duplicatedRows: number;
  /** Distinct texts that occur more than once. */
  duplicatedTexts: number;
}

/** A text that appears with more than one category in the labelled file. */
export interface LabelConflict {
  /** The first 80 characters of the text. */
  textStart: string;
  /** ArticleIds of every row with this text, in file order. */
  articleIds: number[];
  /** Their categories, parallel to `articleIds`. */
  categories: Label[];
}

/** The whole summary; every field is plain JSON. */
export interface DataQuality {
  rows: { train: number; test: number };
  /** Labelled rows per class, in LABELS order; fractions sum to 1. */
  classes: Record<Label, { count: number; fraction: number }>;
  lengths: {
    train: LengthSummary & { byClass: Record<Label, LengthSummary> };
    test: LengthSummary;
  };
  duplicates: {
    train: DuplicateSummary & { labelConflicts: LabelConflict[] };
    test: DuplicateSummary;
  };
  /** Exact texts present in both files. */
  overlap: {
    /** Distinct texts found in both train and test. */
    distinctTexts: number;
    /** Train rows whose text is in test. */
    trainRows: number;
    /** Test rows whose text is in train. */
    testRows: number;
    /** ArticleIds present in both files. */
    articleIds: number;
  };
  /** Rows containing at least one character above U+007F. */
  nonAscii: {
    train: number;
    test: number;
    /** Non-ASCII characters over both files, most frequent first (ties by code point). */
    characters: { char: string; codePoint: string; occurrences: number }[];
  };
}

/** The fields of a loaded labelled file that {@link dataQuality} reads. */
export interface LabelledTexts {
  articleIds: readonly number[];
  texts: readonly string[];
  categories: readonly Label[];
}

/** The fields of a loaded unlabelled file that {@link dataQuality} reads. */
export interface UnlabelledTexts {
  articleIds: readonly number[];
  texts: readonly string[];
}

/**
 * Summarises the labelled (`train`) and unlabelled (`test`) articles, as
 * returned by `loadLabelled()` and `loadTest()`.
 *
 * Known limitation: texts are compared exactly (byte for byte after
 * decoding); near-duplicates that differ in whitespace or case are not
 * found.
 *
 * @throws RangeError when the parallel arrays of an input differ in length
 */
export function dataQuality(
  train: LabelledTexts,
  test: UnlabelledTexts,
): DataQuality {
  if (
    train.texts.length !== train.articleIds.length ||
    train.texts.length !== train.categories.length
  ) {
    throw new RangeError(
      `dataQuality(): train.texts, train.articleIds and train.categories must have the same length: ` +
        `current lengths are ${train.texts.length}, ${train.articleIds.length}, ${train.categories.length}`,
    );
  }
  if (test.texts.length !== test.articleIds.length) {
    throw new RangeError(
      `dataQuality(): test.texts and test.articleIds must have the same length: ` +
        `current lengths are ${test.texts.length}, ${test.articleIds.length}`,
    );
  }

  const trainFrame = pl.DataFrame({
    ArticleId: pl.Series("ArticleId", [...train.articleIds], pl.Float64),
    Text: pl.Series("Text", [...train.texts], pl.Utf8),
    Category: pl.Series("Category", [...train.categories], pl.Utf8),
    chars: pl.Series("chars", train.texts.map(countCodePoints), pl.Float64),
    tokens: pl.Series("tokens", train.texts.map(countTokens), pl.Float64),
  });
  const testFrame = pl.DataFrame({
    ArticleId: pl.Series("ArticleId", [...test.articleIds], pl.Float64),
    Text: pl.Series("Text", [...test.texts], pl.Utf8),
    chars: pl.Series("chars", test.texts.map(countCodePoints), pl.Float64),
    tokens: pl.Series("tokens", test.texts.map(countTokens), pl.Float64),
  });

  // Class counts and per-class length lists in one group-by.
  const perClass = new Map<
    string,
    { n: number; chars: number[]; tokens: number[] }
  >();
  for (
    const r of trainFrame.groupBy("Category").agg(
      pl.len().alias("n"),
      pl.col("chars"),
      pl.col("tokens"),
    ).toRecords()
  ) {
    perClass.set(r.Category as string, {
      n: Number(r.n),
      chars: asList<number>(r.chars),
      tokens: asList<number>(r.tokens),
    });
  }
  const n = trainFrame.height;
  const classes = {} as DataQuality["classes"];
  const byClass = {} as Record<Label, LengthSummary>;
  for (const label of LABELS) {
    const g = perClass.get(label);
    const count = g?.n ?? 0;
    classes[label] = { count, fraction: n === 0 ? 0 : count / n };
    byClass[label] = {
      characters: lengthStats(g?.chars ?? []),
      tokens: lengthStats(g?.tokens ?? []),
    };
  }

  const summary = (f: pl.DataFrame): LengthSummary => ({
    characters: lengthStats(f.getColumn("chars").toArray() as number[]),
    tokens: lengthStats(f.getColumn("tokens").toArray() as number[]),
  });

  return {
    rows: { train: trainFrame.height, test: testFrame.height },
    classes,
    lengths: {
      train: { ...summary(trainFrame), byClass },
      test: summary(testFrame),
    },
    duplicates: {
      train: {
        ...duplicates(trainFrame),
        labelConflicts: conflicts(trainFrame),
      },
      test: duplicates(testFrame),
    },
    overlap: overlap(trainFrame, testFrame),
    nonAscii: {
      train: countNonAscii(trainFrame),
      test: countNonAscii(testFrame),
      characters: nonAsciiCharacters([...train.texts, ...test.texts]),
    },
  };
}

/** A list cell of a polars record (an aggregated group) as a typed array. */
function asList<T>(cell: unknown): T[] {
  if (!Array.isArray(cell)) {
    throw new TypeError(`expected a list cell from polars, got ${typeof cell}`);
  }
  return cell as T[];
}

function duplicates(f: pl.DataFrame): DuplicateSummary {
  const counts = f.groupBy("Text").agg(pl.len().alias("n"));
  const uniqueTexts = counts.height;
  return {
    rows: f.height,
    uniqueTexts,
    duplicatedRows: f.height - uniqueTexts,
    duplicatedTexts: counts.filter(pl.col("n").gt(1)).height,
  };
}

function conflicts(f: pl.DataFrame): LabelConflict[] {
  const withRow = f.withRowIndex("row");
  const groups = withRow
    .groupBy("Text")
    .agg(
      pl.col("Category").nUnique().alias("labels"),
      pl.col("row").min().alias("first"),
      pl.col("row"),
      pl.col("ArticleId"),
      pl.col("Category"),
    )
    .filter(pl.col("labels").gt(1))
    .sort("first")
    .toRecords();
  return groups.map((g) => {
    const rows = asList<number>(g.row);
    const order = rows.map((_, i) => i).sort((a, b) => rows[a] - rows[b]);
    const ids = asList<number>(g.ArticleId);
    const cats = asList<Label>(g.Category);
    return {
      textStart: [...(g.Text as string)].slice(0, 80).join(""),
      articleIds: order.map((i) => ids[i]),
      categories: order.map((i) => cats[i]),
    };
  });
}

function overlap(
  train: pl.DataFrame,
  test: pl.DataFrame,
): DataQuality["overlap"] {
  const shared = train.select("Text").unique().join(
    test.select("Text").unique(),
    { on: "Text", how: "inner" },
  );
  const sharedIds = train.select("ArticleId").unique().join(
    test.select("ArticleId").unique(),
    { on: "ArticleId", how: "inner" },
  );
  return {
    distinctTexts: shared.height,
    trainRows: train.join(shared, { on: "Text", how: "semi" }).height,
    testRows: test.join(shared, { on: "Text", how: "semi" }).height,
    articleIds: sharedIds.height,
  };
}

function countNonAscii(f: pl.DataFrame): number {
  return f.filter(pl.col("Text").str.contains("[^\\x00-\\x7F]")).height;
}

function nonAsciiCharacters(
  texts: readonly string[],
): DataQuality["nonAscii"]["characters"] {
  const counts = new Map<string, number>();
  for (const t of texts) {
    for (const ch of t) {
      if (ch.codePointAt(0)! > 0x7f) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].codePointAt(0)! - b[0].codePointAt(0)!)
    .map(([char, occurrences]) => ({
      char,
      codePoint: `U+${
        char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")
      }`,
      occurrences,
    }));
}

// ---------------------------------------------------------------------------
// Length measures and statistics

/** Number of Unicode code points in `text` (Python's `len(text)`). */
export function countCodePoints(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Python's `str.isspace()` for one UTF-16 code unit. It differs from
 * JavaScript's `\s`: Python adds U+001C–U+001F and U+0085 and leaves out
 * U+FEFF. (Every Python whitespace character is in the BMP.)
 */
function isPythonSpace(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) ||
    c === 0x85 || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Number of tokens Python's `text.split()` returns (runs of non-whitespace). */
export function countTokens(text: string): number {
  let n = 0;
  let inToken = false;
  for (let i = 0; i < text.length; i++) {
    const space = isPythonSpace(text.charCodeAt(i));
    if (!space && !inToken) n++;
    inToken = !space;
  }
  return n;
}

/**
 * numpy's `np.percentile(values, q * 100)` with the default linear method,
 * on values already sorted ascending: index h = (n − 1)·q, then numpy's
 * two-sided lerp between the neighbours (`a + (b − a)·t` for t < 0.5,
 * `b − (b − a)·(1 − t)` otherwise), so results agree to the last bit.
 *
 * @param sorted ascending, non-empty
 * @param q quantile in [0, 1]
 * @throws RangeError for an empty array or q outside [0, 1]
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) {
    throw new RangeError("quantileSorted(): the array is empty");
  }
  if (!(q >= 0 && q <= 1)) {
    throw new RangeError(
      `quantileSorted(): q must be in [0, 1]: current value is ${q}`,
    );
  }
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Count, min, median, mean, p95 and max of `values`, equal to numpy's for
 * integer-valued inputs (the mean is a plain sum, exact below 2**53, where
 * numpy's pairwise sum is exact too). An empty input gives count 0 and 0 in
 * every other field (no NaN, so the result stays JSON): check `count`.
 */
export function lengthStats(values: readonly number[]): LengthStats {
  const n = values.length;
  if (n === 0) return { count: 0, min: 0, median: 0, mean: 0, p95: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const mid = n >> 1;
  return {
    count: n,
    min: sorted[0],
    median: n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    mean: sum / n,
    p95: quantileSorted(sorted, 0.95),
    max: sorted[n - 1],
  };
}
