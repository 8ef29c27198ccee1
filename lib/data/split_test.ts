// sklearn is not installed here, so the golden values apply sklearn's
// ShuffleSplit recipe (n_test = math.ceil(test_size * n); perm =
// RandomState(seed).permutation(n); test = perm[:n_test]; train =
// perm[n_test:]) with Debian 12's python3-numpy 1.24.2. The upstream
// analysis (shared/reference/upstream-results.md §4) checked that recipe
// against the y_train rows printed by its Post_padding notebook.
import assert from "node:assert/strict";
import { splitSizes, take, trainTestSplit } from "./split.ts";
import { loadLabelled } from "./load.ts";
import { LABELS } from "./labels.ts";

Deno.test("trainTestSplit(1490) gives 1192/298 with numpy's permutation order", () => {
  // p = np.random.RandomState(42).permutation(1490)
  // p[:298][:5], p[:298][-5:], p[298:][:5], p[298:][-5:]
  const { train, test } = trainTestSplit(1490);
  assert.equal(test.length, 298);
  assert.equal(train.length, 1192);
  assert.deepEqual(Array.from(test.subarray(0, 5)), [941, 297, 271, 774, 420]);
  assert.deepEqual(
    Array.from(test.subarray(-5)),
    [1144, 1309, 1444, 949, 1212],
  );
  assert.deepEqual(
    Array.from(train.subarray(0, 5)),
    [1166, 1106, 538, 439, 1478],
  );
  assert.deepEqual(
    Array.from(train.subarray(-5)),
    [1130, 1294, 860, 1459, 1126],
  );
  const all = [...test, ...train].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 1490 }, (_, i) => i));
});

Deno.test("trainTestSplit() matches the recipe for small n, other sizes and seeds", () => {
  // for n, ts, s in [(10, .25, 0), (7, .5, 1), (5, .1, 3)]:
  //   nt = math.ceil(ts * n); p = RandomState(s).permutation(n)
  //   p[:nt].tolist(), p[nt:].tolist()
  const cases: [number, number, number, number[], number[]][] = [
    [10, 0.25, 0, [2, 8, 4], [9, 1, 6, 7, 3, 0, 5]],
    [7, 0.5, 1, [6, 2, 1, 0], [4, 3, 5]],
    [5, 0.1, 3, [3], [4, 1, 0, 2]],
  ];
  for (const [n, testSize, seed, test, train] of cases) {
    const s = trainTestSplit(n, { testSize, seed });
    assert.deepEqual(Array.from(s.test), test, `n=${n}`);
    assert.deepEqual(Array.from(s.train), train, `n=${n}`);
  }
});

Deno.test("splitSizes() rounds the test part up in double precision like Python's math.ceil", () => {
  assert.deepEqual(splitSizes(1490, 0.2), { nTrain: 1192, nTest: 298 });
  // math.ceil(0.07 * 100) -> 8, because 0.07 * 100 == 7.000000000000001
  assert.deepEqual(splitSizes(100, 0.07), { nTrain: 92, nTest: 8 });
  // math.ceil(0.29 * 100) -> 29 (28.999999999999996)
  assert.deepEqual(splitSizes(100, 0.29), { nTrain: 71, nTest: 29 });
  assert.deepEqual(splitSizes(2, 0.5), { nTrain: 1, nTest: 1 });
});

Deno.test("trainTestSplit() rejects bad arguments with RangeErrors naming them", () => {
  assert.throws(() => trainTestSplit(0), /n must be a positive integer/);
  assert.throws(() => trainTestSplit(10.5), /n must be/);
  assert.throws(() => trainTestSplit(10, { testSize: 0 }), /testSize/);
  assert.throws(() => trainTestSplit(10, { testSize: 1 }), /testSize/);
  assert.throws(() => trainTestSplit(10, { testSize: 3 }), /testSize/);
  assert.throws(() => trainTestSplit(1), /training part would be empty/);
  assert.throws(() => trainTestSplit(10, { testSize: 0.95 }), /empty/);
  assert.throws(() => trainTestSplit(10, { seed: -1 }), /seed/);
  assert.throws(() => trainTestSplit(10, { seed: 2 ** 32 }), /seed/);
});

Deno.test("take() gathers by index into a new array and checks bounds", () => {
  const values = ["a", "b", "c", "d"];
  assert.deepEqual(take(values, Int32Array.of(3, 0, 3)), ["d", "a", "d"]);
  assert.deepEqual(values, ["a", "b", "c", "d"]);
  assert.throws(() => take(values, [0, 4]), /indices\[1\] = 4/);
});

Deno.test("the real split holds the upstream validation class counts", () => {
  // Expected counts: upstream analysis, upstream-results.md §4.
  const data = loadLabelled();
  const { train, test } = trainTestSplit(data.articleIds.length);
  const count = (idx: Int32Array) => {
    const c = Object.fromEntries(LABELS.map((l) => [l, 0]));
    for (const cat of take(data.categories, idx)) c[cat]++;
    return c;
  };
  assert.deepEqual(count(test), {
    business: 75,
    entertainment: 46,
    politics: 56,
    sport: 63,
    tech: 58,
  });
  assert.deepEqual(count(train), {
    business: 261,
    entertainment: 227,
    politics: 218,
    sport: 283,
    tech: 203,
  });
  // 18 validation rows have an exact duplicate text in the training part.
  const trainTexts = new Set(take(data.texts, train));
  assert.equal(
    take(data.texts, test).filter((t) => trainTexts.has(t)).length,
    18,
  );
});
