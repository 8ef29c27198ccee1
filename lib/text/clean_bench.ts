/**
 * Speed of the upstream cleaning pipeline on all 2225 BBC articles
 * (1490 train + 735 test). Run: `deno bench -A lib/text/clean_bench.ts`.
 */

import { UPSTREAM_CLEANING } from "../config.ts";
import { makeCleaner } from "./clean.ts";
import { loadTextResources } from "./resources.ts";
import { fitTokenizer } from "./tokenizer.ts";
import { loadLabelled, loadTest } from "../data/load.ts";

const res = await loadTextResources();
const raw = [...loadLabelled().texts, ...loadTest().texts];
const clean = makeCleaner(UPSTREAM_CLEANING, res);
const cleaned = raw.map(clean);
const lowered = raw.map((t) => t.toLowerCase());

Deno.bench("clean 2225 articles (all five steps)", () => {
  raw.map(clean);
});

Deno.bench("contractions.fix on 2225 lower-cased articles", () => {
  lowered.map((t) => res.contractions.fix(t));
});

Deno.bench("fit keras tokenizer on 2225 cleaned articles + encode", () => {
  fitTokenizer("keras", cleaned).encode(cleaned);
});

Deno.bench("fit TextVectorization on 2225 cleaned articles + encode", () => {
  fitTokenizer("textVectorization", cleaned).encode(cleaned);
});

Deno.bench("bert encode 200 cleaned articles", { n: 3 }, () => {
  fitTokenizer("bert", [], res).encode(cleaned.slice(0, 200));
});
