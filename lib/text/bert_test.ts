import assert from "node:assert/strict";
import { UPSTREAM_CLEANING } from "../config.ts";
import { BertTokenizer } from "./bert.ts";
import { makeCleaner } from "./clean.ts";
import { loadTextResources } from "./resources.ts";
import { loadLabelled } from "../data/load.ts";

const res = await loadTextResources();
const bert = new BertTokenizer(res.bert);

Deno.test("BertTokenizer.encode() matches the HF tokenizer's golden ids", () => {
  // Golden from shared/data/SOURCES.md: the HF tokenizers (Rust) output for
  // bert-base-uncased on this sentence.
  assert.deepEqual(
    bert.encode(["Hello, World! I'm fine."]),
    [[101, 7592, 1010, 2088, 999, 1045, 1005, 1049, 2986, 1012, 102]],
  );
  assert.equal(bert.vocabSize, 30522);
  assert.deepEqual([bert.clsId, bert.sepId, bert.padId, bert.maxLength], [
    101,
    102,
    0,
    512,
  ]);
  assert.deepEqual(bert.encode([""]), [[101, 102]]);
});

Deno.test("BertTokenizer.encode() truncates a long article to 510 wordpieces + [CLS]/[SEP]", () => {
  const clean = makeCleaner(UPSTREAM_CLEANING, res);
  const texts = loadLabelled().texts.map(clean);
  // The longest cleaned training article (1645 words).
  const longest = texts.reduce((a, b) => (b.length > a.length ? b : a));
  const pieces = bert.wordpieces(longest);
  assert.ok(pieces.length > 510);
  const [ids] = bert.encode([longest]);
  assert.equal(ids.length, 512);
  assert.equal(ids[0], 101);
  assert.equal(ids[511], 102);
  // HF truncation (longest_first, direction right) keeps the first 510.
  assert.deepEqual(ids.slice(1, 511), pieces.slice(0, 510));
});

Deno.test("BertTokenizer.call() pads with [PAD]=0 at the end to the longest text", () => {
  const b = bert.call(["hello world", "hello"]);
  assert.equal(b.n, 2);
  assert.equal(b.maxLen, 4);
  assert.deepEqual(Array.from(b.data), [
    101,
    7592,
    2088,
    102,
    101,
    7592,
    102,
    0,
  ]);
});

Deno.test("BertTokenizer rejects a config without a usable max length", () => {
  assert.throws(
    () => new BertTokenizer({ tokenizer: res.bert.tokenizer, config: {} }),
    /maxLength must be an integer ≥ 3.*current value is undefined/,
  );
  assert.equal(
    new BertTokenizer(res.bert, { maxLength: 5 }).encode(["a b c d e"])[0]
      .length,
    5,
  );
});
