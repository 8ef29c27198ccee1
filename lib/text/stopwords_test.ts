import assert from "node:assert/strict";
import { parseStopwords, pySplit, removeStopwords } from "./stopwords.ts";
import { loadTextResources } from "./resources.ts";

Deno.test("loadTextResources() reads the 179-word NLTK English list", async () => {
  const { stopwords } = await loadTextResources();
  assert.equal(stopwords.size, 179);
  for (const w of ["i", "the", "don't", "don", "t", "ll", "o", "y", "won't"]) {
    assert.ok(stopwords.has(w), w);
  }
  // Not NLTK stopwords, so they survive cleaning:
  for (const w of ["us", "let", "cannot", "mr", "said", "would"]) {
    assert.ok(!stopwords.has(w), w);
  }
});

Deno.test("removeStopwords() drops exact matches and rejoins with single spaces", () => {
  const stop = new Set(["the", "a", "of"]);
  assert.equal(removeStopwords("the cost of a  war The", stop), "cost war The");
  assert.equal(removeStopwords("  the  ", stop), "");
});

Deno.test("pySplit() splits like Python str.split()", () => {
  assert.deepEqual(pySplit(" a\tb \n c "), ["a", "b", "c"]);
  assert.deepEqual(pySplit(""), []);
});

Deno.test("parseStopwords() names the line of a malformed entry", () => {
  assert.deepEqual([...parseStopwords("a\r\nb\n\n")], ["a", "b"]);
  assert.throws(
    () => parseStopwords("a\nb c\n", "sw.txt"),
    /sw\.txt, line 2: expected one word without spaces/,
  );
  assert.throws(
    () => parseStopwords("\n\n", "sw.txt"),
    /sw\.txt: expected one word per line, found none/,
  );
});
