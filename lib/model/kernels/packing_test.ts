import assert from "node:assert/strict";
import { packBatch, stepOffsets } from "./packing.ts";

const ids = (rows: number[][]) => Int32Array.from(rows.flat());

Deno.test("packBatch() masked drops zeros anywhere and sorts rows by length, stably", () => {
  const p = packBatch(
    ids([
      [0, 0, 5, 6], // pre-padded, length 2
      [7, 0, 7, 0], // zero in the middle, length 2
      [0, 0, 0, 0], // empty
      [1, 2, 3, 4], // length 4
    ]),
    4,
    4,
    { masked: true, vocabSize: 8 },
  );
  assert.deepEqual([...p.lengths], [2, 2, 0, 4]);
  assert.deepEqual([...p.order], [3, 0, 1]); // ties keep row order
  assert.equal(p.numActive, 3);
  assert.equal(p.steps, 4);
  assert.deepEqual([...p.batchSizes], [3, 3, 1, 1]);
  assert.equal(p.numTokens, 8);
  // Keys by first appearance, row by row: 5, 6, 7, 1, 2, 3, 4.
  assert.deepEqual([...p.keyIds], [5, 6, 7, 1, 2, 3, 4]);
  assert.equal(p.keyRows, null);
  // Packed order: step 0 rows (3, 0, 1), step 1 rows (3, 0, 1), then row 3.
  const tokenIds = [...p.keys].map((k) => p.keyIds[k]);
  assert.deepEqual(tokenIds, [1, 5, 7, 2, 6, 7, 3, 4]);
});

Deno.test("packBatch() unmasked runs every step and shares one key for all padding", () => {
  const p = packBatch(ids([[3, 0, 0], [0, 0, 3]]), 2, 3, {
    masked: false,
    vocabSize: 4,
  });
  assert.deepEqual([...p.lengths], [3, 3]);
  assert.deepEqual([...p.order], [0, 1]);
  assert.deepEqual([...p.batchSizes], [2, 2, 2]);
  assert.deepEqual([...p.keyIds], [3, 0]);
  assert.deepEqual([...p.keys].map((k) => p.keyIds[k]), [3, 0, 0, 0, 0, 3]);
});

Deno.test("packBatch() with perRowKeys keys by (row, id)", () => {
  const p = packBatch(ids([[2, 2, 3], [3, 2, 0]]), 2, 3, {
    masked: true,
    vocabSize: 4,
    perRowKeys: true,
  });
  assert.deepEqual([...p.keyIds], [2, 3, 3, 2]);
  assert.deepEqual([...p.keyRows!], [0, 0, 1, 1]);
  // Row 0's two 2s share a key; row 1's 2 has its own.
  assert.deepEqual([...p.keys], [0, 2, 0, 3, 1]);
});

Deno.test("packBatch() of padding only has no active rows and no steps", () => {
  const p = packBatch(ids([[0, 0], [0, 0]]), 2, 2, {
    masked: true,
    vocabSize: 3,
  });
  assert.equal(p.numActive, 0);
  assert.equal(p.steps, 0);
  assert.equal(p.numTokens, 0);
  assert.equal(p.numKeys, 0);
});

Deno.test("packBatch() does not modify its input", () => {
  const input = ids([[0, 4, 0], [1, 0, 2]]);
  const copy = input.slice();
  packBatch(input, 2, 3, { masked: true, vocabSize: 5, perRowKeys: true });
  assert.deepEqual(input, copy);
});

Deno.test("packBatch() names the row and step of an id outside the vocabulary", () => {
  assert.throws(
    () =>
      packBatch(ids([[1, 2], [3, 9]]), 2, 2, { masked: true, vocabSize: 5 }),
    /ids\[row 1, step 1\] = 9 is outside the embedding's rows \[0, 5\)/,
  );
  assert.throws(
    () => packBatch(ids([[1, -1]]), 1, 2, { masked: false, vocabSize: 5 }),
    /ids\[row 0, step 1\] = -1/,
  );
});

Deno.test("packBatch() rejects sizes that do not match", () => {
  assert.throws(
    () => packBatch(new Int32Array(5), 2, 3, { masked: true, vocabSize: 5 }),
    /ids has 5 entries but batch × timesteps is 2 × 3 = 6/,
  );
  assert.throws(
    () => packBatch(new Int32Array(0), 0, 3, { masked: true, vocabSize: 5 }),
    /LstmBatch.batch must be a positive integer: current value is 0/,
  );
  assert.throws(
    () =>
      packBatch([1, 2] as unknown as Int32Array, 1, 2, {
        masked: true,
        vocabSize: 5,
      }),
    /LstmBatch.ids must be an Int32Array/,
  );
});

Deno.test("stepOffsets() gives each step's first packed token", () => {
  assert.deepEqual([...stepOffsets(Int32Array.from([3, 3, 1]))], [0, 3, 6, 7]);
  assert.deepEqual([...stepOffsets(new Int32Array(0))], [0]);
});
