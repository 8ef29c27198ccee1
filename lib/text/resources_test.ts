import assert from "node:assert/strict";
import { loadTextResources } from "./resources.ts";

Deno.test("loadTextResources() loads every text asset once", async () => {
  const res = await loadTextResources();
  assert.equal(res.stopwords.size, 179);
  // contractions_dict 178, leftovers_dict 16, slang_dict 48 (SOURCES.md).
  assert.equal(Object.keys(res.contractionTables.contractions).length, 178);
  assert.equal(Object.keys(res.contractionTables.leftovers).length, 16);
  assert.equal(Object.keys(res.contractionTables.slang).length, 48);
  assert.equal(res.contractions.size, 633);
  assert.equal(res.bert.config["model_max_length"], 512);
  assert.equal(typeof res.bert.tokenizer["model"], "object");
});

Deno.test("loadTextResources() names the missing file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => loadTextResources(dir),
      (e: Error) =>
        e.message.includes(`${dir}/`) &&
        /Text asset "\w+" not found at/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadTextResources() names a file with invalid JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/contractions`);
    await Deno.mkdir(`${dir}/bert-base-uncased`);
    await Deno.writeTextFile(`${dir}/nltk-stopwords-english.txt`, "the\n");
    await Deno.writeTextFile(
      `${dir}/contractions/contractions_dict.json`,
      "{not json",
    );
    for (
      const f of [
        "contractions/leftovers_dict.json",
        "contractions/slang_dict.json",
        "bert-base-uncased/tokenizer.json",
        "bert-base-uncased/tokenizer_config.json",
      ]
    ) {
      await Deno.writeTextFile(`${dir}/${f}`, "{}");
    }
    await assert.rejects(
      () => loadTextResources(dir),
      /contractions_dict\.json: invalid JSON/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
