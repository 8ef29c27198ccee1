import assert from "node:assert/strict";
import {
  fetchBytes,
  gitBlobSha1Hex,
  readFileIfExists,
  sha256Hex,
  writeFileAtomic,
} from "./download.ts";
import { startServer } from "./testdata/local_server.ts";

const utf8 = new TextEncoder();

Deno.test("sha256Hex() matches the FIPS 180-2 test vector", async () => {
  assert.equal(
    await sha256Hex(utf8.encode("abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

Deno.test("gitBlobSha1Hex() matches git hash-object", async () => {
  // `git hash-object` of an empty file and of "hello\n" (well-known ids),
  // and of the mirror's vocab.txt (blob id from ../shared/data/SOURCES.md).
  assert.equal(
    await gitBlobSha1Hex(new Uint8Array(0)),
    "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
  );
  assert.equal(
    await gitBlobSha1Hex(utf8.encode("hello\n")),
    "ce013625030ba8dba906f756967f9e9ca394464a",
  );
  const vocab = await Deno.readFile(
    new URL(
      "../../../shared/data/bert-base-uncased/vocab.txt",
      import.meta.url,
    ),
  );
  assert.equal(
    await gitBlobSha1Hex(vocab),
    "fb140275c155a9c7c5a3b3e0e77a9e839594a938",
  );
});

Deno.test("fetchBytes() returns the body and reports progress", async () => {
  const body = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);
  const server = startServer({ "/f.bin": { body } });
  try {
    const seen: [number, number | null][] = [];
    const got = await fetchBytes(`${server.base}/f.bin`, {
      onProgress: (received, total) => seen.push([received, total]),
    });
    assert.deepEqual(got, body);
    assert.ok(seen.length >= 1);
    assert.deepEqual(seen.at(-1), [200_000, 200_000]);
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i][0] > seen[i - 1][0]);
    }
  } finally {
    await server.close();
  }
});

Deno.test("fetchBytes() names the status and URL on HTTP 404", async () => {
  const server = startServer({});
  try {
    const url = `${server.base}/missing.csv`;
    await assert.rejects(fetchBytes(url, { label: "bbc/x.csv" }), {
      message: `Download of bbc/x.csv failed: HTTP 404 Not Found from ${url}.`,
    });
  } finally {
    await server.close();
  }
});

Deno.test("fetchBytes() aborts a body that stalls mid-way after the idle timeout", async () => {
  const server = startServer({
    "/slow.bin": { body: new Uint8Array(5000), stallAfterBytes: 1000 },
  });
  try {
    const url = `${server.base}/slow.bin`;
    let received = 0;
    await assert.rejects(
      fetchBytes(url, {
        label: "slow.bin",
        timeoutMs: 200,
        onProgress: (r) => (received = r),
      }),
      {
        message: `Download of slow.bin stalled: no data for 0.2 s from ${url}.`,
      },
    );
    assert.equal(received, 1000, "the first 1000 bytes did arrive");
  } finally {
    await server.close();
  }
});

Deno.test("fetchBytes() aborts when the headers never come", async () => {
  const server = startServer({ "/hang": { stallBeforeHeaders: true } });
  try {
    const url = `${server.base}/hang`;
    await assert.rejects(fetchBytes(url, { label: "hang", timeoutMs: 200 }), {
      message: `Download of hang stalled: no data for 0.2 s from ${url}.`,
    });
  } finally {
    await server.close();
  }
});

Deno.test("fetchBytes() gives up on an injected fetch that ignores the abort signal", async () => {
  const never: typeof fetch = () => new Promise<Response>(() => {});
  await assert.rejects(
    fetchBytes("https://example.invalid/x", { fetch: never, timeoutMs: 50 }),
    /^Error: Download of https:\/\/example\.invalid\/x stalled: no data for 0\.05 s/,
  );
});

Deno.test("fetchBytes() reports a refused connection as a failed download", async () => {
  const server = startServer({});
  const url = `${server.base}/x`;
  await server.close(); // nothing listens on that port any more
  await assert.rejects(
    fetchBytes(url, { label: "x" }),
    (err: Error) =>
      err.message.startsWith("Download of x failed: ") &&
      err.message.endsWith(` from ${url}.`),
  );
});

Deno.test("fetchBytes() rejects a non-positive timeout", async () => {
  await assert.rejects(
    fetchBytes("http://127.0.0.1:9/x", { label: "x", timeoutMs: 0 }),
    /timeoutMs must be a positive number of milliseconds, got 0/,
  );
});

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "download_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("writeFileAtomic() creates parents, replaces a file and leaves no temp file", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/a/b/c.txt`;
    await writeFileAtomic(path, utf8.encode("first"));
    await writeFileAtomic(path, utf8.encode("second"));
    assert.equal(await Deno.readTextFile(path), "second");
    assert.deepEqual(await listDir(`${dir}/a/b`), ["c.txt"]);
  });
});

Deno.test("writeFileAtomic() keeps what was there and cleans up when the rename fails", async () => {
  await withTempDir(async (dir) => {
    // A non-empty directory where the file should go: rename must fail.
    await Deno.mkdir(`${dir}/c.txt`);
    await Deno.writeTextFile(`${dir}/c.txt/keep`, "kept");
    await assert.rejects(
      writeFileAtomic(`${dir}/c.txt`, utf8.encode("new")),
      new RegExp(`^Error: Could not write ${dir}/c\\.txt: `),
    );
    assert.equal(await Deno.readTextFile(`${dir}/c.txt/keep`), "kept");
    assert.deepEqual(await listDir(dir), ["c.txt"], "no temp file left");
  });
});

Deno.test("readFileIfExists() returns null for a missing file and bytes otherwise", async () => {
  await withTempDir(async (dir) => {
    assert.equal(await readFileIfExists(`${dir}/nope`), null);
    await Deno.writeTextFile(`${dir}/yes`, "x");
    assert.deepEqual(await readFileIfExists(`${dir}/yes`), utf8.encode("x"));
    await assert.rejects(readFileIfExists(dir), /^Error: Could not read /);
  });
});
