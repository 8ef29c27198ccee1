import assert from "node:assert/strict";
import { crc32, extractZipEntry, listZipEntries } from "./zip.ts";
import { sha256Hex } from "./download.ts";

// The fixtures were made by testdata/make_zip_fixtures.py (Debian's Python
// 3.11 zipfile and Info-ZIP zip 3.0); the sizes, CRC-32s and sha256s below
// are what that script printed, computed by Python's zipfile/zlib/hashlib.
const fixture = (name: string) =>
  Deno.readFile(new URL(`testdata/${name}`, import.meta.url));

const ENGLISH_SHA256 =
  "019f104ba2ed07436d05f9cdd3383034ad66014edc27fc651f837e1a038b6451";

Deno.test("listZipEntries() reads an Info-ZIP archive laid out like stopwords.zip", async () => {
  const zip = await fixture("stopwords_infozip.zip");
  const entries = listZipEntries(zip);
  assert.deepEqual(
    entries.map((e) => [e.name, e.method, e.uncompressedSize, e.isDirectory]),
    [
      ["stopwords/", 0, 0, true],
      ["stopwords/english", 8, 936, false],
      ["stopwords/README", 8, 62, false],
    ],
  );
  assert.equal(entries[1].compressedSize, 433);
  assert.equal(entries[1].crc32, 0xf051a7c7);
});

Deno.test("extractZipEntry() inflates the real NLTK english list from the fixture", async () => {
  const zip = await fixture("stopwords_infozip.zip");
  const before = zip.slice();
  const english = await extractZipEntry(zip, "stopwords/english");
  assert.equal(english.length, 936);
  assert.equal(await sha256Hex(english), ENGLISH_SHA256);
  const words = new TextDecoder().decode(english).trimEnd().split("\n");
  assert.equal(words.length, 179);
  assert.equal(words[0], "i");
  assert.deepEqual(zip, before, "the archive bytes must not change");
});

Deno.test("extractZipEntry() handles stored entries, data descriptors and UTF-8 names", async () => {
  const zip = await fixture("mixed_python.zip");
  const entries = listZipEntries(zip);
  assert.deepEqual(entries.map((e) => e.name), [
    "stored.txt",
    "dir/café.txt",
    "empty.txt",
  ]);
  assert.ok(entries.every((e) => (e.flags & 0x08) !== 0), "data descriptors");
  const stored = await extractZipEntry(zip, "stored.txt");
  assert.equal(new TextDecoder().decode(stored), "stored bytes\n");
  const cafe = await extractZipEntry(zip, "dir/café.txt");
  assert.equal(
    await sha256Hex(cafe),
    "45cfc6d4bafcec37ff51168578b57f582f3dc3dea7765df4ece8af0f444c133a",
  );
  assert.equal(new TextDecoder().decode(cafe), "naïve café ".repeat(40) + "\n");
  assert.equal((await extractZipEntry(zip, "empty.txt")).length, 0);
});

Deno.test("crc32() matches zlib.crc32", () => {
  // Python: zlib.crc32(b"") == 0, zlib.crc32(b"hello world") == 0x0d4a1185,
  // zlib.crc32(b"stored bytes\n") == 0x6c0659ea (as in mixed_python.zip).
  assert.equal(crc32(new Uint8Array(0)), 0);
  assert.equal(crc32(new TextEncoder().encode("hello world")), 0x0d4a1185);
  assert.equal(crc32(new TextEncoder().encode("stored bytes\n")), 0x6c0659ea);
});

Deno.test("extractZipEntry() names the missing entry and lists the files", async () => {
  const zip = await fixture("stopwords_infozip.zip");
  await assert.rejects(
    extractZipEntry(zip, "stopwords/klingon", { label: "stopwords.zip" }),
    {
      message:
        "Cannot extract stopwords/klingon from stopwords.zip: no such entry; the archive holds stopwords/english, stopwords/README.",
    },
  );
  await assert.rejects(
    extractZipEntry(zip, "stopwords/"),
    /it is a folder, not a file/,
  );
});

Deno.test("extractZipEntry() rejects unsupported compression methods", async () => {
  const zip = await fixture("bzip2_python.zip");
  await assert.rejects(extractZipEntry(zip, "bz.txt", { label: "b.zip" }), {
    message:
      "Cannot extract bz.txt from b.zip: compression method 12 (bzip2) is not supported; only 0 (stored) and 8 (deflate) are.",
  });
});

/** Offset of the stored data of entry `index` (after its local header). */
function dataOffset(zip: Uint8Array, index: number): number {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const local = listZipEntries(zip)[index].localHeaderOffset;
  return local + 30 + view.getUint16(local + 26, true) +
    view.getUint16(local + 28, true);
}

/**
 * Offset of the central directory record of entry `index`, for archives
 * without a trailing comment.
 */
function centralOffset(zip: Uint8Array, index: number): number {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let at = view.getUint32(zip.length - 22 + 16, true);
  for (let i = 0; i < index; i++) {
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) +
      view.getUint16(at + 32, true);
  }
  return at;
}

Deno.test("extractZipEntry() rejects an encrypted entry", async () => {
  const zip = await fixture("stopwords_infozip.zip");
  const at = centralOffset(zip, 1);
  zip[at + 8] |= 0x01; // general-purpose flag bit 0: encrypted
  await assert.rejects(
    extractZipEntry(zip, "stopwords/english"),
    /the entry is encrypted, which is not supported/,
  );
});

Deno.test("listZipEntries() rejects ZIP64 and multi-disk archives", async () => {
  const zip = await fixture("stopwords_infozip.zip");
  const eocd = zip.length - 22;
  const zip64 = zip.slice();
  zip64[eocd + 10] = 0xff; // total entries 0xffff: the ZIP64 marker
  zip64[eocd + 11] = 0xff;
  assert.throws(
    () => listZipEntries(zip64, { label: "z.zip" }),
    {
      message:
        "Cannot read z.zip: ZIP64 archives are not supported by this minimal reader.",
    },
  );
  const split = zip.slice();
  split[eocd + 4] = 1; // this is disk 1
  assert.throws(() => listZipEntries(split), /split over several disks/);
});

Deno.test("listZipEntries() rejects truncated and non-zip input", async () => {
  const zip = await fixture("stopwords_infozip.zip");
  assert.throws(
    () => listZipEntries(zip.subarray(0, zip.length - 10), { label: "t.zip" }),
    /^Error: Cannot read t\.zip: no end-of-central-directory record found/,
  );
  assert.throws(
    () => listZipEntries(new TextEncoder().encode("<html>404</html>")),
    /too short to be a zip archive|no end-of-central-directory record/,
  );
  assert.throws(
    () => listZipEntries(new Uint8Array(5)),
    /5 bytes is too short to be a zip archive/,
  );
});

Deno.test("extractZipEntry() detects corrupted data by CRC-32 or inflate error", async () => {
  const zip = await fixture("mixed_python.zip");
  // Flip one byte of stored.txt's data.
  const flipped = zip.slice();
  flipped[dataOffset(zip, 0)] ^= 0xff;
  await assert.rejects(
    extractZipEntry(flipped, "stored.txt"),
    /CRC-32 [0-9a-f]{8} does not match the recorded 6c0659ea; the data is corrupt/,
  );
  // Garbage in the deflate stream of the Info-ZIP fixture's english entry.
  const sw = await fixture("stopwords_infozip.zip");
  const dataAt = dataOffset(sw, 1);
  for (let i = 0; i < 40; i++) sw[dataAt + 100 + i] ^= 0x5a;
  await assert.rejects(
    extractZipEntry(sw, "stopwords/english"),
    /the deflate data is corrupt|does not match the recorded|got \d+ bytes/,
  );
});
