import assert from "node:assert/strict";
import {
  ASSET_MANIFEST,
  type AssetProgress,
  type AssetSpec,
  ensureAssets,
  verifyAsset,
} from "./assets.ts";
import { ASSET_FILES, type AssetName } from "./paths.ts";
import { gitBlobSha1Hex, sha256Hex } from "./download.ts";
import { canonicalJson } from "./canonical_json.ts";
import {
  rewritingFetch,
  type Route,
  startServer,
} from "./testdata/local_server.ts";

/** The read-only mirror (see ../shared/data/SOURCES.md). */
const MIRROR = decodeURIComponent(
  new URL("../../../shared/data", import.meta.url).pathname,
);

/**
 * testdata/stopwords_infozip.zip: laid out like nltk_data's stopwords.zip and
 * holding the real `stopwords/english`. Its git blob id was printed by
 * testdata/make_zip_fixtures.py (Python hashlib). The real archive cannot be
 * fetched here (no internet), so tests that download it swap this id in.
 */
const FIXTURE_ZIP_BLOB = "24bbe1bf4a6478b711df8530d0bf112c5714d649";
const REAL_ZIP_BLOB = "3f1d91306dc4f9aca53d6639d887de2f5a82aebb";

const spec = (name: AssetName): AssetSpec =>
  ASSET_MANIFEST.find((s) => s.name === name)!;

/** The manifest with the stopwords archive pinned to the fixture zip. */
const FIXTURE_MANIFEST: AssetSpec[] = ASSET_MANIFEST.map((s) =>
  s.zip === undefined
    ? s
    : { ...s, zip: { ...s.zip, gitBlobSha1: FIXTURE_ZIP_BLOB } }
);

/** Server path for a manifest URL under {@link rewritingFetch}. */
function routeKey(url: string): string {
  const u = new URL(url);
  return `/${u.host}${u.pathname}`;
}

/** Routes serving what each origin would serve, built from the mirror. */
async function originRoutes(): Promise<Record<string, Route>> {
  const routes: Record<string, Route> = {};
  for (const s of ASSET_MANIFEST) {
    let body = await Deno.readFile(`${MIRROR}/${s.path}`);
    if (s.name === "bertTokenizer") {
      // The hub serves the compact form.
      body = new TextEncoder().encode(
        canonicalJson(new TextDecoder().decode(body)),
      );
    }
    if (s.zip !== undefined) {
      body = await Deno.readFile(
        new URL("testdata/stopwords_infozip.zip", import.meta.url),
      );
    }
    routes[routeKey(s.url)] = { body };
  }
  return routes;
}

/** A fetch that fails the test if anything tries to download. */
const noFetch: typeof fetch = (input) => {
  throw new Error(`unexpected download of ${String(input)}`);
};

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "assets_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every file under `dir`, relative and sorted (temp files included). */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = prefix === "" ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory) out.push(...await listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

async function fileSha(path: string): Promise<string> {
  return await sha256Hex(await Deno.readFile(path));
}

Deno.test("ASSET_MANIFEST lists every ASSET_FILES entry once, pinned to a commit", () => {
  assert.deepEqual(
    ASSET_MANIFEST.map((s) => s.name),
    Object.keys(ASSET_FILES),
  );
  for (const s of ASSET_MANIFEST) {
    assert.equal(s.path, ASSET_FILES[s.name]);
    assert.match(s.url, /^https:\/\/[^/]+\/.*\/[0-9a-f]{40}\//, s.url);
    assert.ok(s.accepted.length >= 1);
    for (const f of s.accepted) {
      assert.match(f.sha256, /^[0-9a-f]{64}$/);
      assert.match(f.gitBlobSha1, /^[0-9a-f]{40}$/);
    }
    assert.ok(s.licence.length > 0);
  }
  assert.equal(
    spec("train").url,
    "https://raw.githubusercontent.com/alvinrach/learn-ai-bbc/959118269b8b1c896826fc7b787e2092c5b18da3/BBC%20News%20Train.csv",
  );
  assert.equal(spec("stopwords").zip?.gitBlobSha1, REAL_ZIP_BLOB);
});

Deno.test("verifyAsset() accepts every file of the read-only mirror", async () => {
  for (const s of ASSET_MANIFEST) {
    const bytes = await Deno.readFile(`${MIRROR}/${s.path}`);
    assert.equal(await verifyAsset(s, bytes), null, s.path);
  }
});

Deno.test("verifyAsset() accepts both tokenizer.json forms and checks the content", async () => {
  const s = spec("bertTokenizer");
  const pretty = await Deno.readTextFile(`${MIRROR}/${s.path}`);
  const utf8 = new TextEncoder();
  // The compact (hub) form made from the pretty mirror file.
  assert.equal(await verifyAsset(s, utf8.encode(canonicalJson(pretty))), null);
  // Same content, other indentation: its raw sha256 is not pinned.
  const reindented = utf8.encode(JSON.stringify(JSON.parse(pretty), null, 2));
  assert.match(
    (await verifyAsset(s, reindented))!,
    /^expected sha256 ce64fce7[0-9a-f]{56} or 3140af3f[0-9a-f]{56}, got [0-9a-f]{64}/,
  );
  // The content check is applied on top of the raw pin: a spec that pins the
  // bytes of a JS round trip (vocab keys "0".."9" moved first) still fails.
  const reordered = utf8.encode(JSON.stringify(JSON.parse(pretty)));
  const pinnedReordered: AssetSpec = {
    ...s,
    accepted: [{
      sha256: await sha256Hex(reordered),
      gitBlobSha1: await gitBlobSha1Hex(reordered),
      bytes: reordered.length,
      form: "test",
    }],
  };
  assert.match(
    (await verifyAsset(pinnedReordered, reordered))!,
    /^its compact canonical JSON has sha256 [0-9a-f]{64}, expected ce64fce797c24f68/,
  );
});

Deno.test("ensureAssets() downloads every asset from its pinned URL, then skips them", async () => {
  const server = startServer(await originRoutes());
  try {
    await withTempDir(async (dataDir) => {
      const events: AssetProgress[] = [];
      const results = await ensureAssets({
        dataDir,
        mirror: null,
        fetch: rewritingFetch(server.base),
        manifest: FIXTURE_MANIFEST,
        onProgress: (e) => events.push(e),
      });
      assert.deepEqual(
        results.map((r) => [r.name, r.status, r.previous]),
        ASSET_MANIFEST.map((s) => [s.name, "downloaded", "missing"]),
      );
      assert.deepEqual(
        [...server.hits].sort(),
        ASSET_MANIFEST.map((s) => routeKey(s.url)).sort(),
      );
      for (const r of results) {
        const s = spec(r.name);
        assert.equal(r.path, `${dataDir}/${s.path}`);
        assert.equal(r.source, s.url);
        const sha = await fileSha(r.path);
        assert.ok(s.accepted.some((f) => f.sha256 === sha), s.path);
        assert.equal((await Deno.stat(r.path)).size, r.bytes);
      }
      // The stopword file was extracted from the zip, not copied.
      assert.equal(
        await fileSha(`${dataDir}/nltk-stopwords-english.txt`),
        spec("stopwords").accepted[0].sha256,
      );
      assert.deepEqual(
        await listFiles(dataDir),
        Object.values(ASSET_FILES).sort(),
        "no temp files",
      );
      const stages = new Set(events.map((e) => `${e.name}:${e.stage}`));
      for (const s of ASSET_MANIFEST) {
        assert.ok(stages.has(`${s.name}:downloading`));
        assert.ok(stages.has(`${s.name}:writing`));
      }
      const last = events.filter((e) =>
        e.name === "train" && e.stage === "downloading"
      ).at(-1)!;
      assert.equal(last.receivedBytes, 3_351_206);

      // Second run: everything valid, nothing fetched.
      const hitsBefore = server.hits.length;
      const again = await ensureAssets({
        dataDir,
        mirror: null,
        fetch: rewritingFetch(server.base),
        manifest: FIXTURE_MANIFEST,
      });
      assert.ok(
        again.every((r) => r.status === "present" && r.source === null),
      );
      assert.equal(server.hits.length, hitsBefore);
    });
  } finally {
    await server.close();
  }
});

Deno.test("ensureAssets() refuses a download with the wrong checksum and writes nothing", async () => {
  const s = spec("train");
  const server = startServer({
    [routeKey(s.url)]: { body: "ArticleId,Text\n" },
  });
  try {
    await withTempDir(async (dataDir) => {
      await assert.rejects(
        ensureAssets({
          dataDir,
          mirror: null,
          fetch: rewritingFetch(server.base),
          manifest: [s],
        }),
        {
          message:
            `Checksum mismatch for bbc/train.csv downloaded from ${s.url}: expected sha256 ${
              s.accepted[0].sha256
            }, got ${await sha256Hex(
              new TextEncoder().encode("ArticleId,Text\n"),
            )} (15 bytes); nothing was written.`,
        },
      );
      assert.deepEqual(await listFiles(dataDir), []);
    });
  } finally {
    await server.close();
  }
});

Deno.test("ensureAssets() reports HTTP 404 and a stalled body, leaving nothing behind", async () => {
  const test = spec("test");
  const train = spec("train");
  const body = await Deno.readFile(`${MIRROR}/${train.path}`);
  const server = startServer({
    [routeKey(train.url)]: { body, stallAfterBytes: 100_000 },
  });
  try {
    await withTempDir(async (dataDir) => {
      const options = {
        dataDir,
        mirror: null,
        fetch: rewritingFetch(server.base),
        timeoutMs: 200,
      };
      await assert.rejects(ensureAssets({ ...options, manifest: [test] }), {
        message:
          `Download of bbc/test.csv failed: HTTP 404 Not Found from ${test.url}.`,
      });
      await assert.rejects(ensureAssets({ ...options, manifest: [train] }), {
        message:
          `Download of bbc/train.csv stalled: no data for 0.2 s from ${train.url}.`,
      });
      assert.deepEqual(await listFiles(dataDir), []);
    });
  } finally {
    await server.close();
  }
});

Deno.test("ensureAssets() checks the stopwords archive by its git blob id", async () => {
  // The real pin (3f1d9130…) against the fixture zip: must be refused.
  const s = spec("stopwords");
  const zip = await Deno.readFile(
    new URL("testdata/stopwords_infozip.zip", import.meta.url),
  );
  const server = startServer({ [routeKey(s.url)]: { body: zip } });
  try {
    await withTempDir(async (dataDir) => {
      await assert.rejects(
        ensureAssets({
          dataDir,
          mirror: null,
          fetch: rewritingFetch(server.base),
          manifest: [s],
        }),
        {
          message:
            `Checksum mismatch for nltk-stopwords-english.txt: the archive downloaded from ${s.url} has git blob id ${FIXTURE_ZIP_BLOB}, expected ${REAL_ZIP_BLOB} (986 bytes); nothing was written.`,
        },
      );
      assert.deepEqual(await listFiles(dataDir), []);
    });
  } finally {
    await server.close();
  }
});

Deno.test("ensureAssets() replaces a corrupt file and keeps a valid one on failure", async () => {
  const train = spec("train");
  const server = startServer({ [routeKey(train.url)]: { body: "garbage" } });
  try {
    await withTempDir(async (dataDir) => {
      await Deno.mkdir(`${dataDir}/bbc`);
      await Deno.writeTextFile(`${dataDir}/bbc/train.csv`, "truncated,csv");
      const [replaced] = await ensureAssets({
        dataDir,
        mirror: MIRROR,
        fetch: noFetch,
        manifest: [train],
      });
      assert.equal(replaced.status, "copied");
      assert.equal(replaced.previous, "invalid");
      assert.equal(replaced.source, `${MIRROR}/bbc/train.csv`);
      assert.equal(
        await fileSha(`${dataDir}/bbc/train.csv`),
        train.accepted[0].sha256,
      );

      // Forced re-download that fails verification: the valid file stays.
      await assert.rejects(
        ensureAssets({
          dataDir,
          mirror: null,
          force: true,
          fetch: rewritingFetch(server.base),
          manifest: [train],
        }),
        /^Error: Checksum mismatch for bbc\/train\.csv downloaded from /,
      );
      assert.equal(
        await fileSha(`${dataDir}/bbc/train.csv`),
        train.accepted[0].sha256,
      );
      assert.deepEqual(await listFiles(dataDir), ["bbc/train.csv"]);
    });
  } finally {
    await server.close();
  }
});

Deno.test("ensureAssets() copies everything from the mirror without downloading", async () => {
  await withTempDir(async (dataDir) => {
    const results = await ensureAssets({
      dataDir,
      mirror: MIRROR,
      fetch: noFetch,
    });
    assert.deepEqual(
      results.map((r) => [r.name, r.status]),
      ASSET_MANIFEST.map((s) => [s.name, "copied"]),
    );
    for (const r of results) {
      assert.deepEqual(
        await Deno.readFile(r.path),
        await Deno.readFile(`${MIRROR}/${r.relativePath}`),
      );
    }
    const again = await ensureAssets({
      dataDir,
      mirror: MIRROR,
      fetch: noFetch,
    });
    assert.ok(again.every((r) => r.status === "present"));
    assert.deepEqual(
      await listFiles(dataDir),
      Object.values(ASSET_FILES).sort(),
    );
  });
});

Deno.test("ensureAssets() names a file missing from the mirror, and a bad mirror copy", async () => {
  await withTempDir(async (root) => {
    const mirror = `${root}/mirror`;
    const dataDir = `${root}/data`;
    await Deno.mkdir(`${mirror}/bbc`, { recursive: true });
    await Deno.copyFile(`${MIRROR}/bbc/train.csv`, `${mirror}/bbc/train.csv`);
    const manifest = [spec("train"), spec("test")];
    await assert.rejects(
      ensureAssets({ dataDir, mirror, fetch: noFetch, manifest }),
      {
        message:
          `Mirror file missing: ${mirror}/bbc/test.csv (asset bbc/test.csv); a mirror must be laid out like the data directory, see data/README.md.`,
      },
    );
    // The asset before the failure was copied and stays.
    assert.deepEqual(await listFiles(dataDir), ["bbc/train.csv"]);

    await Deno.writeTextFile(`${mirror}/bbc/test.csv`, "wrong");
    await assert.rejects(
      ensureAssets({ dataDir, mirror, fetch: noFetch, manifest }),
      new RegExp(
        `^Error: Checksum mismatch for bbc/test\\.csv copied from ${mirror}/bbc/test\\.csv: expected sha256 27734eb5`,
      ),
    );
    await assert.rejects(
      ensureAssets({
        dataDir,
        mirror: `${root}/nope`,
        fetch: noFetch,
        manifest,
      }),
      /^Error: Mirror directory .*\/nope does not exist or is not a directory/,
    );
  });
});

Deno.test("ensureAssets() reads the mirror from BBC_DATA_MIRROR unless mirror is null", async () => {
  const before = Deno.env.get("BBC_DATA_MIRROR");
  Deno.env.set("BBC_DATA_MIRROR", MIRROR);
  try {
    await withTempDir(async (dataDir) => {
      const manifest = [spec("sampleSolution")];
      await assert.rejects(
        ensureAssets({ dataDir, mirror: null, fetch: noFetch, manifest }),
        /unexpected download/,
      );
      const [r] = await ensureAssets({ dataDir, fetch: noFetch, manifest });
      assert.equal(r.status, "copied");
      assert.equal(r.source, `${MIRROR}/bbc/sample_solution.csv`);
    });
  } finally {
    if (before === undefined) Deno.env.delete("BBC_DATA_MIRROR");
    else Deno.env.set("BBC_DATA_MIRROR", before);
  }
});

Deno.test("ensureAssets() rejects bad options by name", async () => {
  await assert.rejects(
    ensureAssets({ dataDir: "/tmp/x", timeoutMs: -1, manifest: [] }),
    /timeoutMs must be a positive number of milliseconds, got -1/,
  );
});
