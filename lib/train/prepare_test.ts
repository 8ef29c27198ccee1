import assert from "node:assert/strict";
import { experiment } from "../experiments.ts";
import { prepareData } from "./prepare.ts";

Deno.test("prepareData() pads all labelled rows together, splits 1192/298 and pads the test file on its own", async () => {
  const d = await prepareData(experiment("01").config.data);
  assert.equal(d.train.rows, 1192);
  assert.equal(d.val.rows, 298);
  assert.equal(d.test.rows, 735);
  // Keras Tokenizer: 23394 index entries incl. OOV (lib/text tests), so the
  // embedding has 23395 rows as upstream's Embedding(len(word_index)+1).
  assert.equal(d.embeddingRows, 23395);
  assert.equal(d.train.timesteps, Math.max(...d.lengths));
  assert.equal(d.train.ids.length, 1192 * d.train.timesteps);
  // Post-padding: every row starts with a real token.
  for (let r = 0; r < d.train.rows; r++) {
    assert.notEqual(d.train.ids[r * d.train.timesteps], 0);
  }
  // Validation class counts of the sklearn split (upstream-results.md §4).
  const counts = [0, 0, 0, 0, 0];
  for (const y of d.val.labels) counts[y]++;
  assert.deepEqual(counts, [75, 46, 56, 63, 58]);
  // The test file is padded to its own longest row (quirk keras_main_test_length).
  assert.notEqual(d.test.timesteps, d.train.timesteps);
});

Deno.test("prepareData() gives pre-padded Keras ids for 00 and 512-long BERT ids for 03", async () => {
  const pre = await prepareData(experiment("00").config.data);
  const t = pre.train.timesteps;
  for (let r = 0; r < 20; r++) {
    assert.notEqual(pre.train.ids[(r + 1) * t - 1], 0);
  }
  const bert = await prepareData(experiment("03").config.data);
  assert.equal(bert.train.timesteps, 512);
  assert.equal(bert.embeddingRows, 30523);
  assert.equal(bert.train.ids[0], 101);
});

Deno.test("prepareData() caches per data config and honours limit", async () => {
  const cfg = { ...experiment("01").config.data, limit: 100 };
  const a = await prepareData(cfg);
  assert.equal(a, await prepareData({ ...cfg }));
  assert.equal(a.train.rows + a.val.rows, 100);
  assert.equal(a.val.rows, 20);
});
