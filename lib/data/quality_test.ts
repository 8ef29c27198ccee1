import assert from "node:assert/strict";
import {
  countCodePoints,
  countTokens,
  dataQuality,
  lengthStats,
  type LengthSummary,
  quantileSorted,
} from "./quality.ts";
import { loadLabelled, loadTest } from "./load.ts";

Deno.test("countTokens() splits like Python's str.split()", () => {
  // 'a\x1cb'.split() -> ['a', 'b'];  'a\ufeffb'.split() -> ['a\ufeffb']
  // '  x  y\u3000z\x85w '.split() -> ['x', 'y', 'z', 'w']
  assert.equal(countTokens("a\x1cb"), 2);
  assert.equal(countTokens("a\ufeffb"), 1);
  assert.equal(countTokens("  x  y\u3000z\x85w "), 4);
  assert.equal(countTokens(""), 0);
  assert.equal(countTokens(" \n\t "), 0);
  assert.equal(countTokens("one"), 1);
});

Deno.test("countCodePoints() counts like Python's len()", () => {
  // len('a😀b') -> 3 (JavaScript's .length is 4)
  assert.equal(countCodePoints("a😀b"), 3);
  assert.equal(countCodePoints("£5.7bn"), 6);
  assert.equal(countCodePoints(""), 0);
  // A lone surrogate is one code point in both.
  assert.equal(countCodePoints("a\ud800b"), 3);
});

Deno.test("quantileSorted() reproduces np.percentile's linear interpolation to the last bit", () => {
  // np.percentile([1670, 2468, 4195], 95) -> 4022.2999999999997
  // (the naive a + (b - a) * t gives 4022.3; numpy lerps from b when t >= 0.5)
  assert.equal(quantileSorted([1670, 2468, 4195], 0.95), 4022.2999999999997);
  // np.percentile([3, 1, 2, 10], 95) -> 8.949999999999998
  assert.equal(quantileSorted([1, 2, 3, 10], 0.95), 8.949999999999998);
  // np.percentile([5], 95) -> 5.0; np.percentile([1, 2, 3, 4], 50) -> 2.5;
  // np.percentile([10, 20], 25) -> 12.5
  assert.equal(quantileSorted([5], 0.95), 5);
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([10, 20], 0.25), 12.5);
  assert.equal(quantileSorted([10, 20], 0), 10);
  assert.equal(quantileSorted([10, 20], 1), 20);
  assert.throws(() => quantileSorted([], 0.5), /empty/);
  assert.throws(() => quantileSorted([1], 1.5), /q must be in \[0, 1\]/);
});

Deno.test("lengthStats() sorts a copy and reports zeros with count 0 for no values", () => {
  const values = [4, 1, 3, 2];
  assert.deepEqual(lengthStats(values), {
    count: 4,
    min: 1,
    median: 2.5,
    mean: 2.5,
    p95: 3.8499999999999996, // np.percentile([4, 1, 3, 2], 95)
    max: 4,
  });
  assert.deepEqual(values, [4, 1, 3, 2]);
  assert.deepEqual(lengthStats([]), {
    count: 0,
    min: 0,
    median: 0,
    mean: 0,
    p95: 0,
    max: 0,
  });
});

Deno.test("dataQuality() finds duplicates, label conflicts, overlap and non-ASCII rows on a small input", () => {
  const q = dataQuality(
    {
      articleIds: [1, 2, 3, 4, 5],
      texts: ["same text", "b £", "same text", "same text", "c"],
      categories: ["tech", "sport", "business", "tech", "sport"],
    },
    { articleIds: [9, 2], texts: ["b £", "b £"] },
  );
  assert.deepEqual(q.rows, { train: 5, test: 2 });
  assert.deepEqual(q.classes.tech, { count: 2, fraction: 0.4 });
  assert.deepEqual(q.classes.entertainment, { count: 0, fraction: 0 });
  assert.deepEqual(q.duplicates.train, {
    rows: 5,
    uniqueTexts: 3,
    duplicatedRows: 2,
    duplicatedTexts: 1,
    labelConflicts: [{
      textStart: "same text",
      articleIds: [1, 3, 4],
      categories: ["tech", "business", "tech"],
    }],
  });
  assert.deepEqual(q.duplicates.test, {
    rows: 2,
    uniqueTexts: 1,
    duplicatedRows: 1,
    duplicatedTexts: 1,
  });
  assert.deepEqual(q.overlap, {
    distinctTexts: 1,
    trainRows: 1,
    testRows: 2,
    articleIds: 1,
  });
  assert.deepEqual(q.nonAscii, {
    train: 1,
    test: 2,
    characters: [{ char: "£", codePoint: "U+00A3", occurrences: 3 }],
  });
  assert.deepEqual(q.lengths.train.byClass.sport.characters.max, 3);
  assert.equal(q.lengths.train.byClass.politics.tokens.count, 0);
  // Plain JSON: survives a round trip unchanged.
  assert.deepEqual(JSON.parse(JSON.stringify(q)), q);
});

Deno.test("dataQuality() rejects parallel arrays of different lengths", () => {
  assert.throws(
    () =>
      dataQuality(
        { articleIds: [1], texts: ["a", "b"], categories: ["tech"] },
        { articleIds: [], texts: [] },
      ),
    /same length/,
  );
});

// On the real files. The headline numbers (class counts, duplicates,
// overlap, non-ASCII rows, rounded length statistics) are the upstream
// analysis in shared/reference/upstream-results.md §4. The exact length
// statistics were regenerated with Debian 12's python3-numpy 1.24.2 from the
// same CSVs:
//   rows = list(csv.DictReader(open(f, newline='', encoding='utf-8')))
//   a = np.array([len(r['Text']) for r in rows])          # characters
//   a = np.array([len(r['Text'].split()) for r in rows])  # tokens
//   a.min(), np.median(a), a.mean(), np.percentile(a, 95), a.max()
// (per class: the same on the rows of that Category).
Deno.test("dataQuality() on the real data reproduces the upstream data facts", () => {
  const q = dataQuality(loadLabelled(), loadTest());
  assert.deepEqual(q.rows, { train: 1490, test: 735 });
  assert.deepEqual(
    Object.fromEntries(
      Object.entries(q.classes).map(([k, v]) => [k, v.count]),
    ),
    { business: 336, entertainment: 273, politics: 274, sport: 346, tech: 261 },
  );
  // Upstream rounds fractions to 4 places.
  const fractions = Object.values(q.classes).map((c) =>
    Math.round(c.fraction * 1e4) / 1e4
  );
  assert.deepEqual(fractions, [0.2255, 0.1832, 0.1839, 0.2322, 0.1752]);

  assert.equal(q.duplicates.train.duplicatedRows, 50);
  assert.equal(q.duplicates.train.uniqueTexts, 1440);
  assert.deepEqual(q.duplicates.train.labelConflicts, []);
  assert.equal(q.duplicates.test.duplicatedRows, 13);
  assert.equal(q.duplicates.test.uniqueTexts, 722);
  assert.equal(q.overlap.distinctTexts, 36);
  assert.equal(q.overlap.articleIds, 0);
  assert.equal(q.nonAscii.train, 435);
  assert.equal(q.nonAscii.test, 212);
  assert.equal(q.nonAscii.characters[0].char, "£");

  // [min, median, mean, p95, max] per distribution.
  const expected: Record<string, number[]> = {
    "train characters": [501, 1961, 2233.461744966443, 4253, 18387],
    "train tokens": [90, 337, 385.01275167785235, 732, 3345],
    "test characters": [727, 1979, 2322.687074829932, 4520.799999999999, 25483],
    "test tokens": [126, 337, 401.0040816326531, 795.6999999999996, 4492],
    "business characters": [846, 1830.5, 1983.1041666666667, 3545.75, 5406],
    "business tokens": [145, 304, 334.16964285714283, 605.5, 902],
    "entertainment characters": [
      866,
      1571,
      1910.3809523809523,
      3631.999999999997,
      13619,
    ],
    "entertainment tokens": [
      144,
      272,
      333.9120879120879,
      652.1999999999999,
      2448,
    ],
    "politics characters": [
      501,
      2599.5,
      2617.905109489051,
      4000.4499999999975,
      18387,
    ],
    "politics tokens": [90, 441.5, 449.68978102189783, 682.8999999999995, 3345],
    "sport characters": [719, 1641, 1894.6242774566474, 3934.5, 9471],
    "sport tokens": [116, 294.5, 335.3468208092485, 678.5, 1671],
    "tech characters": [1003, 2657, 2939.2911877394636, 5011, 8826],
    "tech tokens": [188, 457, 501.8582375478927, 863, 1549],
  };
  const { train, test } = q.lengths;
  const actual: Record<string, LengthSummary> = {
    train,
    test,
    ...train.byClass,
  };
  for (const [key, want] of Object.entries(expected)) {
    const [set, measure] = key.split(" ") as [string, keyof LengthSummary];
    const s = actual[set][measure];
    assert.deepEqual([s.min, s.median, s.mean, s.p95, s.max], want, key);
  }
});
