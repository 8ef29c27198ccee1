import assert from "node:assert/strict";
import {
  isLabel,
  labelIndex,
  labelIndices,
  LABELS,
  NUM_CLASSES,
  oneHot,
  suggestLabel,
} from "./labels.ts";

Deno.test("LABELS are the five classes in pd.get_dummies' alphabetical order", () => {
  // pd.get_dummies(d.Category).columns on the upstream data gave
  // ['business', 'entertainment', 'politics', 'sport', 'tech'].
  assert.deepEqual(
    [...LABELS],
    ["business", "entertainment", "politics", "sport", "tech"],
  );
  assert.deepEqual([...LABELS], [...LABELS].sort());
  assert.equal(NUM_CLASSES, 5);
});

Deno.test("labelIndex() maps each label to its position", () => {
  LABELS.forEach((label, i) => assert.equal(labelIndex(label), i));
});

Deno.test("labelIndex() throws a RangeError listing the labels and a suggestion when the case is wrong", () => {
  assert.throws(
    () => labelIndex("Sport"),
    (e: unknown) =>
      e instanceof RangeError &&
      e.message.includes('"Sport"') &&
      e.message.includes("business, entertainment, politics, sport, tech") &&
      e.message.includes('did you mean "sport"?'),
  );
  assert.throws(
    () => labelIndex("science"),
    (e: unknown) =>
      e instanceof RangeError && !e.message.includes("did you mean"),
  );
});

Deno.test("labelIndices() returns class indices and names the position of an unknown value", () => {
  assert.deepEqual(
    Array.from(labelIndices(["tech", "business", "sport", "tech"])),
    [4, 0, 3, 4],
  );
  assert.equal(labelIndices([]).length, 0);
  assert.throws(
    () => labelIndices(["tech", "politics", " tech"]),
    /categories\[2\].*" tech".*did you mean "tech"/,
  );
});

Deno.test("oneHot() writes a row-major [n, 5] matrix with one 1 per row", () => {
  const y = oneHot(["politics", "business", "tech"]);
  assert.ok(y instanceof Float32Array);
  assert.equal(y.length, 3 * 5);
  const rows = [0, 1, 2].map((i) => Array.from(y.subarray(i * 5, i * 5 + 5)));
  assert.deepEqual(rows[0], [0, 0, 1, 0, 0]);
  assert.deepEqual(rows[1], [1, 0, 0, 0, 0]);
  assert.deepEqual(rows[2], [0, 0, 0, 0, 1]);
  assert.throws(() => oneHot(["sport", "weather"]), /categories\[1\]/);
});

Deno.test("oneHot() and labelIndices() do not modify their input", () => {
  const input = ["sport", "tech"];
  oneHot(input);
  labelIndices(input);
  assert.deepEqual(input, ["sport", "tech"]);
});

Deno.test("isLabel() and suggestLabel() are exact and forgiving respectively", () => {
  assert.equal(isLabel("tech"), true);
  assert.equal(isLabel("Tech"), false);
  assert.equal(suggestLabel("  Tech "), "tech");
  assert.equal(suggestLabel("technology"), undefined);
});
