import assert from "node:assert/strict";
import { UPSTREAM_CLEANING } from "../config.ts";
import { makeCleaner } from "./clean.ts";
import { KerasTokenizer, textToWordSequence } from "./keras_tokenizer.ts";
import { loadTextResources } from "./resources.ts";
import { loadLabelled } from "../data/load.ts";

Deno.test("textToWordSequence() uses Keras' default filters, lower=True, split=' '", () => {
  // Keras: lower, map each of !"#$%&()*+,-./:;<=>?@[\]^_`{|}~\t\n to ' ',
  // split on ' ', drop empty strings. The apostrophe is not a filter.
  assert.deepEqual(
    textToWordSequence("Hello, World! It's a 'test'\tnew-line\n"),
    ["hello", "world", "it's", "a", "'test'", "new", "line"],
  );
  assert.deepEqual(textToWordSequence("A-B", { filters: "", lower: false }), [
    "A-B",
  ]);
  assert.deepEqual(textToWordSequence("a$b", { filters: "$", split: "$" }), [
    "a",
    "b",
  ]);
});

Deno.test("fitOnTexts() orders by count, ties in first-seen order, OOV '-' at 1", () => {
  const tok = new KerasTokenizer().fitOnTexts(["b a c", "c a d"]);
  // Python: sorted(OrderedDict(b=1, a=2, c=2, d=1).items(),
  //                key=lambda x: x[1], reverse=True) → a, c, b, d (stable).
  assert.deepEqual([...tok.wordIndex], [
    ["-", 1],
    ["a", 2],
    ["c", 3],
    ["b", 4],
    ["d", 5],
  ]);
  assert.deepEqual([...tok.wordCounts], [["b", 1], ["a", 2], ["c", 2], [
    "d",
    1,
  ]]);
  assert.deepEqual(tok.textsToSequences(["a z b", ""]), [[2, 1, 4], []]);
});

Deno.test("textsToSequences() drops unknown words when oovToken is null", () => {
  const tok = new KerasTokenizer({ oovToken: null }).fitOnTexts(["x y y"]);
  assert.deepEqual([...tok.wordIndex], [["y", 1], ["x", 2]]);
  assert.deepEqual(tok.textsToSequences(["x q y"]), [[2, 1]]);
  assert.throws(
    () => new KerasTokenizer().textsToSequences(["a"]),
    /call fitOnTexts\(\) first/,
  );
});

Deno.test("KerasTokenizer on the cleaned 1490 training texts matches the upstream's index", async () => {
  const res = await loadTextResources();
  const texts = loadLabelled().texts.map(
    makeCleaner(UPSTREAM_CLEANING, res),
  );
  const tok = new KerasTokenizer({ oovToken: "-" }).fitOnTexts(texts);
  const first = [...tok.wordIndex].slice(0, 10);
  assert.deepEqual(first, [
    ["-", 1],
    ["said", 2],
    ["mr", 3],
    ["would", 4],
    ["year", 5],
    ["also", 6],
    ["new", 7],
    ["people", 8],
    ["us", 9],
    ["one", 10],
  ]);
  // Upstream printed len(word_index) = 23392 (Kaggle main notebook) and
  // 23394 (post-padding notebook), with identical cleaning code in two
  // sessions. We get 23394, equal to the second. Its TextVectorization
  // notebook's 23395 entries ('' and '[UNK]' + 23393 words) confirm the
  // same 23393-word set. The 2-word gap of the first session is not
  // explained by what we could test: the newer 198-word NLTK list only adds
  // apostrophe forms, which cannot survive the a-z step; dropping "who're"
  // and "o'" from contractions' safety list changes nothing here; the older
  // regex-based contractions (pre-textsearch), by our reading of its tables
  // (not run), would keep "thx", "kk", "avg", "luv", "thats", "em" and
  // expand "ill", i.e. a larger index, not a smaller one. Contractions
  // removes 16 words from this index in total (23410 without it). A
  // different package version in that session is the likely cause; we
  // cannot pin it. Our value is fixed by the asset files, so it is asserted
  // exactly.
  const size = tok.wordIndex.size;
  assert.equal(size, 23394);
  // Ties keep first-seen order: "bn" and "make" have equal counts.
  assert.equal(tok.wordCounts.get("bn"), tok.wordCounts.get("make"));
  assert.deepEqual([tok.wordIndex.get("bn"), tok.wordIndex.get("make")], [
    22,
    23,
  ]);
  const seqs = tok.textsToSequences(texts.slice(0, 2));
  assert.equal(seqs[0].length, texts[0].split(" ").length);
  assert.ok(seqs.flat().every((id) => id >= 2 && id <= size));
});
