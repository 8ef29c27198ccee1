import assert from "node:assert/strict";
import type { TokenizerKind } from "../config.ts";
import { loadTextResources } from "./resources.ts";
import { fitTokenizer } from "./tokenizer.ts";

const TEXTS = ["market shares rose", "shares fell market market"];

Deno.test("fitTokenizer('keras') sizes the vocab as len(word_index) with ids 1..vocabSize", () => {
  const tok = fitTokenizer("keras", TEXTS);
  // word_index: '-':1, market:2, shares:3, rose:4, fell:5
  assert.equal(tok.kind, "keras");
  assert.equal(tok.vocabSize, 5);
  assert.equal(tok.idLimit, 6);
  assert.equal(tok.padId, 0);
  assert.deepEqual(tok.encode(["market unknown fell"]), [[2, 1, 5]]);
});

Deno.test("fitTokenizer('textVectorization') sizes the vocab incl. '' and '[UNK]'", () => {
  const tok = fitTokenizer("textVectorization", TEXTS);
  // vocab: '', '[UNK]', market(3), shares(2), rose, fell (ties: 'rose' > 'fell')
  assert.equal(tok.vocabSize, 6);
  assert.equal(tok.idLimit, 6);
  assert.deepEqual(tok.encode(["market unknown fell"]), [[2, 1, 5]]);
});

Deno.test("fitTokenizer('bert') uses the pretrained vocab and ignores the texts", async () => {
  const res = await loadTextResources();
  const tok = fitTokenizer("bert", TEXTS, res);
  assert.equal(tok.vocabSize, 30522);
  assert.equal(tok.idLimit, 30522);
  assert.deepEqual(tok.encode(["hello world"]), [[101, 7592, 2088, 102]]);
});

Deno.test("fitTokenizer() names an unknown kind and missing BERT files", () => {
  assert.throws(
    () => fitTokenizer("spacy" as TokenizerKind, TEXTS),
    /Unknown tokenizer kind "spacy": expected one of "keras", "textVectorization", "bert"/,
  );
  assert.throws(
    () => fitTokenizer("bert", TEXTS, {}),
    /fitTokenizer\("bert"\) needs resources.bert/,
  );
});
