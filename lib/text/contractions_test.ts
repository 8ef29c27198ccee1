import assert from "node:assert/strict";
import {
  buildContractionEntries,
  CONTRACTION_SAFETY_KEYS,
  ContractionFixer,
  followCase,
  parseContractionTables,
  pythonTitle,
  unsafeVariants,
} from "./contractions.ts";
import { loadTextResources } from "./resources.ts";

const res = await loadTextResources();
const fixer = res.contractions;

// Golden pairs: input → contractions.fix(input) with the defaults.
// Generated with Debian's /usr/bin/python3 and python3-ahocorasick 1.4.1
// (the real Aho-Corasick iterator that textsearch uses), running a scratch
// transcription of contractions 0.1.72's table building and textsearch's
// TextSearch.replace / bounds_check / extract_insensitive_norm over the
// tables in data/contractions (commit 595188a). The same check agreed on
// all 2225 lower-cased BBC articles (train + test).
const GOLDEN: [string, string][] = [
  // From the package's own tests (test___init__.py):
  ["you're happy now", "you are happy now"],
  ["You're happier now", "You are happier now"],
  [
    "He is to step down at the end of the week due to ill health",
    "He is to step down at the end of the week due to ill health",
  ],
  ["I'll", "I will"],
  // Case follows the match: upper, title, sentence, mixed (value as stored).
  ["YOU'RE HAPPY", "YOU ARE HAPPY"],
  ["I'm fine, I'd say", "I am fine, I would say"],
  ["I'M I'm i'm i'M", "I AM I am i am I am"],
  ["Don't DON'T don't dOn'T", "Do not DO NOT do not do not"],
  // Apostrophe-less variants: rewritten unless protected by safety_keys.
  [
    "Shell and shed and hell and well",
    "She Will and she would and hell and well",
  ],
  ["were its id wed hes whore o", "were its id wed hes whore o"],
  ["cant wont im lets dont ill", "cannot will not i am let us do not ill"],
  [
    "he'd've hed've he'dve hedve HEDVE",
    "he would have he would have he would have he would have HE WOULD HAVE",
  ],
  ["sha'n't shan't shant sha'nt", "shall not shall not shall not shall not"],
  // "cause" comes from "'cause"; "to cause" etc. are protected phrases, but
  // only with exactly one space.
  [
    "the cause of it, to cause harm, will  cause",
    "the because of it, to cause harm, will  because",
  ],
  // Boundaries are [A-Za-z0-9_] only: '-', '.', quotes and 'é' are boundaries.
  ["u-turn u2 U.S. _u u_ 3u", "you-turn u2 YOU.S. _u u_ 3u"],
  ["é u é'd naïve cant", "é you é would naïve cannot"],
  ["shell-shocked cause-and-effect", "she will-shocked because-and-effect"],
  // The slang key "r " includes its space, so the next char must be a boundary.
  ["r  kelly r kelly r. r", "are  kelly r kelly r. r"],
  // Month abbreviations (no "may", no "sept").
  ["dec. 2004 jan.5 Mar. sept.", "december 2004 jan.5 March sept."],
  // Longest match wins; "o'" alone is "of" but not inside "o'brien".
  ["o'clock o'brien o' rock", "of the clock o'brien of rock"],
  [
    "y'all'd've Y'ALL'D'VE Y'all'd've",
    "you all would have YOU ALL WOULD HAVE You all would have",
  ],
  // Curly-apostrophe copies.
  ["don’t can’t I’m it’s", "do not cannot I am it is"],
  // Leftovers only match after a non-word character.
  ["john'll she 'd 'll 're 'all's", "john'll she  would  will  are 's"],
  ["'em 'cause 'tis 'twas ol' ", "them because it is it was old "],
  // "Ima" from the unsafe variants of "I'm'a" overrides the slang "ima".
  [
    "gonna gotta wanna gimme ima Ima IMA",
    "going to got to want to give me i am about to I Am About To I AM ABOUT TO",
  ],
  [
    "Whatcha whatcha WHATCHA kinda luv sux finna",
    "What Are You what are you WHAT ARE YOU kind of love sucks fixing to",
  ],
  [
    "b4 btw idk ofc tbh thx ppl kk rn ur",
    "before by the way i do not know of course to be honest thanks people okay right now you are",
  ],
  ["howdy how'd'y howd'y", "how do you how do you how do you"],
  ["amn't ain't aint ain’t", "am not are not are not are not"],
  ["thats whats That's What's", "that is what is That is What is"],
  ["g'day 'aight innit", "good day alright is it not"],
  ["", ""],
];

Deno.test("ContractionFixer.fix() matches contractions.fix on golden cases", () => {
  for (const [input, expected] of GOLDEN) {
    assert.equal(fixer.fix(input), expected, `input ${JSON.stringify(input)}`);
  }
});

Deno.test("ContractionFixer holds the 633 keys of contractions' ts_leftovers_slang", () => {
  // len(contractions.ts_leftovers_slang) in the Python cross-check: 633.
  assert.equal(fixer.size, 633);
  assert.deepEqual(fixer.lookup("jan."), { length: 4, norm: "january" });
  assert.equal(fixer.lookup("may."), undefined);
  assert.deepEqual(fixer.lookup("can’t"), { length: 5, norm: "cannot" });
  // '\'em' is "them" in contractions, " them" in leftovers, "them" again via
  // the unsafe variants in slang: the last table added wins.
  assert.equal(fixer.lookup("'em")?.norm, "them");
  assert.equal(fixer.lookup("ima")?.norm, "I am about to");
});

Deno.test("unsafeVariants() skips safety keys and joins parts with '' or \"'\"", () => {
  const variants = unsafeVariants(
    new Map([["he'd've", "he would have"], ["he'll", "he will"], [
      "I'd",
      "I would",
    ], ["luv", "love"]]),
  );
  // itertools.product order: the last joiner varies fastest.
  assert.deepEqual([...variants.keys()], [
    "hedve",
    "hed've",
    "he'dve",
    "he'd've",
  ]);
  assert.equal(variants.get("hed've"), "he would have");
  for (const k of CONTRACTION_SAFETY_KEYS) {
    assert.equal(variants.has(k.replaceAll("'", "")), false);
  }
});

Deno.test("buildContractionEntries() with leftovers=false, slang=false keeps only the basic table", () => {
  const basic = buildContractionEntries(res.contractionTables, {
    leftovers: false,
    slang: false,
  });
  assert.equal(basic.has("cant"), false);
  assert.equal(basic.has("gonna"), true); // "gonna" is also in contractions_dict.json
  assert.equal(basic.has("'ll"), false);
  const noSlang = ContractionFixer.fromTables(res.contractionTables, {
    slang: false,
  });
  assert.equal(noSlang.fix("shell cant john 'll"), "shell cant john  will");
});

Deno.test("followCase() applies textsearch's upper/title/lower/sentence/mixed rule", () => {
  assert.equal(followCase("DONT", "do not"), "DO NOT");
  assert.equal(followCase("Dont", "do not"), "Do Not");
  assert.equal(followCase("dont", "Do Not"), "do not");
  assert.equal(followCase("I'm", "I am"), "I am"); // sentence case
  assert.equal(followCase("dOnt", "Do nOt"), "Do nOt"); // mixed: unchanged
  assert.equal(pythonTitle("he's o'clock"), "He'S O'Clock"); // Python str.title()
});

Deno.test("fix() does not modify its input and returns it unchanged without hits", () => {
  const text = "nothing to see here";
  assert.equal(fixer.fix(text), text);
});

Deno.test("parseContractionTables() names the table and key of a bad value", () => {
  assert.throws(
    () =>
      parseContractionTables({
        contractions: { "can't": 3 },
        leftovers: {},
        slang: {},
      }, "x.json"),
    /x\.json: Contraction table "contractions", key "can't": value must be a string/,
  );
  assert.throws(
    () =>
      parseContractionTables({ contractions: {}, leftovers: [], slang: {} }),
    /Contraction table "leftovers" must be a JSON object/,
  );
});
