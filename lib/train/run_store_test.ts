import assert from "node:assert/strict";
import { BASE_CONFIG } from "../config.ts";
import type { RunRecord } from "./record.ts";
import {
  canonicalJson,
  configHash,
  listRuns,
  readRun,
  runPaths,
  writeRun,
} from "./run_store.ts";

Deno.test("canonicalJson() ignores key order at every level", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 0 }], c: 3 } }),
    '{"a":{"c":3,"d":[2,{"x":0,"y":1}]},"b":1}',
  );
});

Deno.test("configHash() depends on the config and the mode, not on key order", async () => {
  const shuffled = JSON.parse(
    JSON.stringify({
      train: BASE_CONFIG.train,
      backend: BASE_CONFIG.backend,
      model: BASE_CONFIG.model,
      data: BASE_CONFIG.data,
    }),
  );
  const a = await configHash(BASE_CONFIG, "full");
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(await configHash(shuffled, "full"), a);
  assert.notEqual(await configHash(BASE_CONFIG, "quick"), a);
  const other = structuredClone(BASE_CONFIG);
  other.train.epsilon = 1e-8;
  assert.notEqual(await configHash(other, "full"), a);
});

Deno.test("writeRun()/readRun()/listRuns() store records atomically by experiment, seed and hash", async () => {
  const root = await Deno.makeTempDir();
  try {
    const hash = await configHash(BASE_CONFIG, "quick");
    const rec = (seed: number, h = hash) =>
      ({
        schema: 1,
        experiment: "01_post_padding",
        configHash: h,
        seed,
      }) as unknown as RunRecord;
    for (const seed of [2, 0]) {
      await writeRun(
        runPaths(root, "quick", "01_post_padding", hash, seed).record,
        rec(seed),
      );
    }
    await writeRun(
      runPaths(root, "quick", "01_post_padding", "f".repeat(64), 1).record,
      rec(1, "f".repeat(64)),
    );
    const p = runPaths(root, "quick", "01_post_padding", hash, 0);
    assert.match(
      p.record,
      /quick\/01_post_padding\/seed-0-[0-9a-f]{12}\.json$/,
    );
    assert.equal((await readRun(p.record))!.seed, 0);
    assert.equal(await readRun(`${root}/nope.json`), null);
    assert.deepEqual(
      (await listRuns(root, "quick", "01_post_padding", hash)).map((r) =>
        r.seed
      ),
      [0, 2],
    );
    assert.equal((await listRuns(root, "quick", "01_post_padding")).length, 3);
    assert.deepEqual(await listRuns(root, "full", "01_post_padding"), []);
    const leftovers = [...Deno.readDirSync(`${root}/quick/01_post_padding`)]
      .filter((e) => e.name.endsWith(".tmp"));
    assert.deepEqual(leftovers, []);
    await Deno.writeTextFile(p.record, "{broken");
    await assert.rejects(() => readRun(p.record), /is not valid JSON/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
