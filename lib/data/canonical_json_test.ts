import assert from "node:assert/strict";
import { canonicalJson, pythonFloatRepr } from "./canonical_json.ts";
import { sha256Hex } from "./download.ts";

const MIRROR = new URL("../../../shared/data/", import.meta.url);
const utf8 = new TextEncoder();

// From ../shared/data/SOURCES.md: sha256 of the mirror's pretty-printed
// tokenizer.json after Python's
// json.dumps(obj, separators=(',', ':'), ensure_ascii=False).
const TOKENIZER_COMPACT_SHA256 =
  "ce64fce797c24f68df90b40a3f74f579b336a493db14bd583fd520ea0d8c9a98";

Deno.test("canonicalJson() reproduces Python's compact dump of the pretty tokenizer.json", async () => {
  const text = await Deno.readTextFile(
    new URL("bert-base-uncased/tokenizer.json", MIRROR),
  );
  const compact = canonicalJson(text);
  const bytes = utf8.encode(compact);
  assert.equal(bytes.length, 466_062);
  assert.equal(await sha256Hex(bytes), TOKENIZER_COMPACT_SHA256);
  // Idempotent: the compact form is its own canonical form.
  assert.equal(canonicalJson(compact), compact);
});

Deno.test("JSON.stringify(JSON.parse()) does not reproduce Python's bytes on tokenizer.json", async () => {
  // Kept as a test because it is the reason canonicalJson() exists: JS moves
  // integer-like keys ("0".."9") to the front of the vocab object.
  const text = await Deno.readTextFile(
    new URL("bert-base-uncased/tokenizer.json", MIRROR),
  );
  const viaJs = JSON.stringify(JSON.parse(text));
  assert.equal(utf8.encode(viaJs).length, 466_062);
  assert.notEqual(
    await sha256Hex(utf8.encode(viaJs)),
    TOKENIZER_COMPACT_SHA256,
  );
  assert.match(viaJs, /"vocab":\{"0":1014,/);
  assert.match(canonicalJson(text), /"vocab":\{"\[PAD\]":0,/);
});

// Inputs and expected outputs below were generated with Debian's
// /usr/bin/python3 (3.11.2):
//   json.dumps(json.loads(s), separators=(',', ':'), ensure_ascii=False)
Deno.test("canonicalJson() keeps key order and formats numbers like Python", () => {
  const input =
    '{"b": 1, "10": 2, "a": [1.0, 1e16, 1e15, 1E-5, 0.0001, -0, -0.0, 2.50, 1e400, 12345678901234567890, 3.14159e2]}';
  assert.equal(
    canonicalJson(input),
    '{"b":1,"10":2,"a":[1.0,1e+16,1000000000000000.0,1e-05,0.0001,0,-0.0,2.5,Infinity,12345678901234567890,314.159]}',
  );
});

Deno.test("canonicalJson() escapes strings like Python with ensure_ascii=False", () => {
  const input =
    '["caf\\u00e9", "\\/", "\\b\\f\\n\\r\\t", "\\u001f\\u007f", "\\u2028", "\\ud83d\\ude00", "\ud83d\ude00", "q\\"b\\\\"]';
  assert.equal(
    canonicalJson(input),
    '["caf\u00e9","/","\\b\\f\\n\\r\\t","\\u001f\u007f","\u2028","\ud83d\ude00","\ud83d\ude00","q\\"b\\\\"]',
  );
});

Deno.test("canonicalJson() drops whitespace and keeps empty containers", () => {
  const input =
    ' { "x" : { } , "y" : [ ] , "z" : null , "t" : true , "f" : false } ';
  assert.equal(
    canonicalJson(input),
    '{"x":{},"y":[],"z":null,"t":true,"f":false}',
  );
});

Deno.test("canonicalJson() throws with the offset on invalid JSON", () => {
  const cases: [string, RegExp][] = [
    ['{"a": 1,}', /expected a string key at character offset 8/],
    ["[1 2]", /expected ',' or '\]' in an array at character offset 3/],
    ["[01]", /bad number at character offset 1/],
    ["[NaN]", /unexpected character "N" at character offset 1/],
    ['"abc', /unterminated string/],
    ['"a\tb"', /raw control character/],
    ['"\\x"', /bad escape/],
    ["{} []", /extra data after the JSON value at character offset 3/],
    ["", /unexpected end of input at character offset 0/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => canonicalJson(text, { label: "t.json" }), message);
  }
  assert.throws(
    () => canonicalJson("[", { label: "t.json" }),
    /^Error: Cannot canonicalise t\.json: unexpected end of input/,
  );
});

Deno.test("canonicalJson() rejects duplicate keys and unpaired surrogates", () => {
  assert.throws(
    () => canonicalJson('{"a": 1, "b": {"a": 2}, "a": 3}'),
    /duplicate key "a" in one object .* at character offset 24/,
  );
  assert.throws(() => canonicalJson('["\\ud83d"]'), /unpaired surrogate/);
  assert.throws(() => canonicalJson('["\\ude00x"]'), /unpaired surrogate/);
  assert.throws(() => canonicalJson('["\ud83d"]'), /unpaired surrogate/);
});

// Golden values from Debian's /usr/bin/python3 3.11.2, `repr(float(x))`.
// Beyond these, 39 983 random doubles (random bit patterns plus random
// decimal values) were compared once against Python's repr: 0 mismatches.
Deno.test("pythonFloatRepr() matches Python's repr at the notation boundaries", () => {
  const cases: [number, string][] = [
    [1, "1.0"],
    [0.1, "0.1"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [9999999999999998, "9999999999999998.0"],
    [1e16, "1e+16"],
    [1.2345678901234568e17, "1.2345678901234568e+17"],
    [1e100, "1e+100"],
    [5e-324, "5e-324"],
    [-2.5, "-2.5"],
    [0, "0.0"],
    [-0, "-0.0"],
    [Infinity, "Infinity"],
  ];
  for (const [x, repr] of cases) assert.equal(pythonFloatRepr(x), repr);
});
