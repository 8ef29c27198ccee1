import assert from "node:assert/strict";
import { padSequences } from "./pad.ts";

function rows(b: { data: Int32Array; n: number; maxLen: number }): number[][] {
  return Array.from(
    { length: b.n },
    (_, i) => Array.from(b.data.subarray(i * b.maxLen, (i + 1) * b.maxLen)),
  );
}

const SEQS = [[1, 2, 3, 4], [5, 6], [], [7]];

// Expected rows follow Keras pad_sequences (keras/src/utils/sequence_utils.py):
// truncating "pre" keeps s[-maxlen:], "post" keeps s[:maxlen]; padding "pre"
// writes x[i, -len:], "post" writes x[i, :len]; empty rows stay all `value`.
Deno.test("padSequences() pads to the longest by default, pre-padding (Keras default)", () => {
  const b = padSequences(SEQS);
  assert.equal(b.n, 4);
  assert.equal(b.maxLen, 4);
  assert.deepEqual(rows(b), [[1, 2, 3, 4], [0, 0, 5, 6], [0, 0, 0, 0], [
    0,
    0,
    0,
    7,
  ]]);
});

Deno.test("padSequences() covers the pre/post × padding/truncating grid at maxLen 3", () => {
  const grid: [string, string, number[][]][] = [
    ["pre", "pre", [[2, 3, 4], [0, 5, 6], [0, 0, 0], [0, 0, 7]]],
    ["pre", "post", [[1, 2, 3], [0, 5, 6], [0, 0, 0], [0, 0, 7]]],
    ["post", "pre", [[2, 3, 4], [5, 6, 0], [0, 0, 0], [7, 0, 0]]],
    ["post", "post", [[1, 2, 3], [5, 6, 0], [0, 0, 0], [7, 0, 0]]],
  ];
  for (const [padding, truncating, expected] of grid) {
    const b = padSequences(SEQS, {
      maxLen: 3,
      padding: padding as "pre" | "post",
      truncating: truncating as "pre" | "post",
    });
    assert.deepEqual(rows(b), expected, `${padding}/${truncating}`);
  }
});

Deno.test("padSequences() uses a custom value and a longer maxLen", () => {
  const b = padSequences([[1], []], { maxLen: 3, padding: "post", value: -1 });
  assert.deepEqual(rows(b), [[1, -1, -1], [-1, -1, -1]]);
});

Deno.test("padSequences() never mutates its input", () => {
  const seqs = [[1, 2, 3, 4], [5]];
  const copy = structuredClone(seqs);
  padSequences(seqs, { maxLen: 2, truncating: "post", padding: "post" });
  assert.deepEqual(seqs, copy);
});

Deno.test("padSequences() handles no sequences and all-empty sequences", () => {
  assert.deepEqual(padSequences([]), {
    data: new Int32Array(0),
    n: 0,
    maxLen: 0,
  });
  const b = padSequences([[], []]);
  assert.equal(b.n, 2);
  assert.equal(b.maxLen, 0);
});

Deno.test("padSequences() rejects bad options and ids with a clear message", () => {
  assert.throws(
    () => padSequences(SEQS, { maxLen: 0 }),
    /option "maxLen" must be null or a positive integer: current value is 0/,
  );
  assert.throws(
    () => padSequences(SEQS, { padding: "left" as "pre" }),
    /option "padding" must be "pre" or "post": current value is "left"/,
  );
  assert.throws(
    () => padSequences(SEQS, { value: 0.5 }),
    /option "value" must be an int32/,
  );
  assert.throws(
    () => padSequences([[1], [2, 2.5]]),
    /sequence 1, position 1 must be an int32 id, got 2.5/,
  );
});
