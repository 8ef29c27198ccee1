import assert from "node:assert/strict";
import { UPSTREAM_CLEANING } from "../config.ts";
import { makeCleaner } from "./clean.ts";
import { loadTextResources } from "./resources.ts";
import {
  compareCodePoints,
  TextVectorization,
  tvTokens,
} from "./text_vectorization.ts";
import { loadLabelled } from "../data/load.ts";

Deno.test("tvTokens() lower-cases ASCII, deletes punctuation, splits on whitespace", () => {
  // Keras lower_and_strip_punctuation: tf.strings.lower (ASCII only), then
  // regex_replace of [!"#$%&()*+,-./:;<=>?@[\]^_`{|}~'] with "" (deleted,
  // not replaced by a space, unlike Keras' Tokenizer), then tf.strings.split.
  assert.deepEqual(
    tvTokens("Hello, World! It's a [UNK] test-case\tnew  "),
    ["hello", "world", "its", "a", "unk", "testcase", "new"],
  );
  assert.deepEqual(tvTokens("ÉCOLE"), ["École"]);
  assert.deepEqual(tvTokens(" "), []);
});

Deno.test("adapt() sorts by count, ties by token descending (np.lexsort(...)[::-1])", () => {
  const tv = new TextVectorization().adapt(["b a c", "c a d"]);
  // numpy: tokens [b a c d], counts [1 2 2 1]:
  // np.lexsort((tokens, counts))[::-1] → c, a, d, b.
  assert.deepEqual(tv.getVocabulary(), ["", "[UNK]", "c", "a", "d", "b"]);
  assert.equal(tv.vocabularySize(), 6);
  assert.deepEqual(tv.encode(["a z b", ""]), [[3, 1, 5], []]);
});

Deno.test("call() pads with 0 at the end to the longest text of the call", () => {
  const tv = new TextVectorization().adapt(["x y y"]);
  const b = tv.call(["y x", "y", ""]);
  assert.equal(b.maxLen, 2);
  assert.deepEqual(Array.from(b.data), [2, 3, 2, 0, 0, 0]);
  assert.throws(
    () => new TextVectorization().encode(["a"]),
    /call adapt\(\) first/,
  );
});

Deno.test("compareCodePoints() orders like UTF-8 bytes, not UTF-16 units", () => {
  assert.ok(compareCodePoints("\u{1F600}", "\uFFFD") > 0); // UTF-16 '<' says the opposite
  assert.ok(compareCodePoints("ab", "abc") < 0);
  assert.equal(compareCodePoints("a", "a"), 0);
});

Deno.test("TextVectorization on the cleaned 1490 texts gives the upstream's 23395 entries", async () => {
  const res = await loadTextResources();
  const texts = loadLabelled().texts.map(
    makeCleaner(UPSTREAM_CLEANING, res),
  );
  const tv = new TextVectorization().adapt(texts);
  const vocab = tv.getVocabulary();
  // Upstream printed len(vectorizer.get_vocabulary()) = 23395.
  assert.equal(vocab.length, 23395);
  assert.deepEqual(vocab.slice(0, 12), [
    "",
    "[UNK]",
    "said",
    "mr",
    "would",
    "year",
    "also",
    "new",
    "people",
    "us",
    "one",
    "could",
  ]);
  // Equal counts: Keras' Tokenizer keeps first-seen order (bn, make);
  // TextVectorization puts the byte-wise larger token first (make, bn).
  assert.deepEqual([vocab.indexOf("make"), vocab.indexOf("bn")], [22, 23]);
  // Among words seen once the order is reverse-alphabetical (numpy, above).
  assert.deepEqual(vocab.slice(-3), ["aamir", "aaltra", "aa"]);
});
