/**
 * A minimal, read-only ZIP reader: enough to pull one file out of an archive
 * such as nltk_data's `stopwords.zip`. It reads the central directory (so
 * entries written with data descriptors work), supports the two methods
 * found in practice — 0 (stored) and 8 (deflate, inflated with the web
 * platform's `DecompressionStream("deflate-raw")`) — and checks every
 * extracted entry's size and CRC-32.
 *
 * Anything else fails loudly with an error naming the archive and the
 * feature: ZIP64, multi-disk archives, encryption, other compression
 * methods.
 *
 * Known limitation: entry names without the UTF-8 flag (bit 11) are decoded
 * as windows-1252 (the WHATWG "latin1" label), not the CP437 the format
 * specifies; the two agree on ASCII, which is all our archives use.
 *
 * @module
 */

/** One file or folder recorded in an archive's central directory. */
export interface ZipEntry {
  /** Path inside the archive, `/`-separated; folders end with `/`. */
  name: string;
  /** Compression method: 0 stored, 8 deflate (others are not supported). */
  method: number;
  /** General-purpose bit flags (bit 0 encrypted, 3 data descriptor, 11 UTF-8). */
  flags: number;
  /** Size of the stored (compressed) data, in bytes. */
  compressedSize: number;
  /** Size after extraction, in bytes. */
  uncompressedSize: number;
  /** CRC-32 of the extracted bytes, as an unsigned 32-bit integer. */
  crc32: number;
  /** Byte offset of the entry's local file header in the archive. */
  localHeaderOffset: number;
  /** True for folder entries (the name ends with `/`). */
  isDirectory: boolean;
}

/** Options shared by the reader's functions. */
export interface ZipOptions {
  /**
   * How to call the archive in error messages, e.g.
   * `stopwords.zip downloaded from <url>`. @default "the zip archive"
   */
  label?: string;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;

const METHOD_NAMES: Record<number, string> = {
  1: "shrink",
  6: "implode",
  9: "deflate64",
  12: "bzip2",
  14: "LZMA",
  93: "zstd",
  95: "xz",
  98: "PPMd",
  99: "WinZip AES encryption",
};

let crcTable: Uint32Array | undefined;

/**
 * CRC-32 (the ZIP/zlib/PNG polynomial 0xEDB88320, reflected) of `bytes`, as
 * an unsigned 32-bit integer; equals Python's `zlib.crc32(bytes)`.
 */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Finds the end-of-central-directory record, scanning back over a comment. */
function findEocd(view: DataView, label: string): number {
  const last = view.byteLength - EOCD_SIZE;
  const first = Math.max(0, last - 0xffff);
  for (let at = last; at >= first; at--) {
    if (
      view.getUint32(at, true) === EOCD_SIGNATURE &&
      at + EOCD_SIZE + view.getUint16(at + 20, true) === view.byteLength
    ) {
      return at;
    }
  }
  throw new Error(
    `Cannot read ${label}: no end-of-central-directory record found, so it is not a complete zip archive (${view.byteLength} bytes).`,
  );
}

/**
 * Lists the entries of a zip archive from its central directory, in archive
 * order. Does not decompress anything and does not modify `archive`.
 *
 * Throws a clear error for a truncated or non-zip input, ZIP64 archives,
 * and archives split over several disks.
 */
export function listZipEntries(
  archive: Uint8Array,
  options: ZipOptions = {},
): ZipEntry[] {
  const label = options.label ?? "the zip archive";
  const view = new DataView(
    archive.buffer,
    archive.byteOffset,
    archive.byteLength,
  );
  if (archive.byteLength < EOCD_SIZE) {
    throw new Error(
      `Cannot read ${label}: ${archive.byteLength} bytes is too short to be a zip archive.`,
    );
  }
  const eocd = findEocd(view, label);
  const disk = view.getUint16(eocd + 4, true);
  const cdDisk = view.getUint16(eocd + 6, true);
  const entriesHere = view.getUint16(eocd + 8, true);
  const entryCount = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  const zip64Marker = entryCount === 0xffff || entriesHere === 0xffff ||
    cdSize === 0xffffffff || cdOffset === 0xffffffff;
  const hasLocator = eocd >= 20 &&
    view.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIGNATURE;
  if (zip64Marker || hasLocator) {
    throw new Error(
      `Cannot read ${label}: ZIP64 archives are not supported by this minimal reader.`,
    );
  }
  if (disk !== 0 || cdDisk !== 0 || entriesHere !== entryCount) {
    throw new Error(
      `Cannot read ${label}: archives split over several disks are not supported.`,
    );
  }
  if (cdOffset + cdSize > eocd) {
    throw new Error(
      `Cannot read ${label}: the central directory (offset ${cdOffset}, ${cdSize} bytes) runs past the end record at ${eocd}; the file is truncated or corrupt.`,
    );
  }

  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < entryCount; i++) {
    if (
      at + CENTRAL_SIZE > cdOffset + cdSize ||
      view.getUint32(at, true) !== CENTRAL_SIGNATURE
    ) {
      throw new Error(
        `Cannot read ${label}: central directory entry ${i} at offset ${at} is missing or corrupt.`,
      );
    }
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const nameBytes = archive.subarray(
      at + CENTRAL_SIZE,
      at + CENTRAL_SIZE + nameLength,
    );
    const name = new TextDecoder(flags & 0x0800 ? "utf-8" : "latin1").decode(
      nameBytes,
    );
    entries.push({
      name,
      method: view.getUint16(at + 10, true),
      flags,
      crc32: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      uncompressedSize: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
      isDirectory: name.endsWith("/"),
    });
    at += CENTRAL_SIZE + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * Extracts one entry of a zip archive and returns its bytes (a new array;
 * `archive` is not modified).
 *
 * Checks, each with a clear error naming the archive and entry: the entry
 * exists (the message lists the archive's files), it is a file, it is not
 * encrypted, its method is stored or deflate, its local header is intact,
 * and the extracted bytes have the recorded size and CRC-32.
 */
export async function extractZipEntry(
  archive: Uint8Array,
  name: string,
  options: ZipOptions = {},
): Promise<Uint8Array> {
  const label = options.label ?? "the zip archive";
  const entries = listZipEntries(archive, options);
  const entry = entries.find((e) => e.name === name);
  if (entry === undefined) {
    const files = entries.filter((e) => !e.isDirectory).map((e) => e.name);
    const shown = files.slice(0, 20).join(", ") +
      (files.length > 20 ? `, … (${files.length} files)` : "");
    throw new Error(
      `Cannot extract ${name} from ${label}: no such entry; the archive holds ${
        shown || "no files"
      }.`,
    );
  }
  const what = `${name} from ${label}`;
  if (entry.isDirectory) {
    throw new Error(`Cannot extract ${what}: it is a folder, not a file.`);
  }
  if (entry.flags & 0x0041 || entry.method === 99) {
    throw new Error(
      `Cannot extract ${what}: the entry is encrypted, which is not supported.`,
    );
  }
  if (entry.method !== 0 && entry.method !== 8) {
    const known = METHOD_NAMES[entry.method];
    throw new Error(
      `Cannot extract ${what}: compression method ${entry.method}${
        known ? ` (${known})` : ""
      } is not supported; only 0 (stored) and 8 (deflate) are.`,
    );
  }

  const view = new DataView(
    archive.buffer,
    archive.byteOffset,
    archive.byteLength,
  );
  const local = entry.localHeaderOffset;
  if (
    local + LOCAL_SIZE > archive.byteLength ||
    view.getUint32(local, true) !== LOCAL_SIGNATURE
  ) {
    throw new Error(
      `Cannot extract ${what}: no local file header at offset ${local}; the archive is corrupt.`,
    );
  }
  // The local header's name and extra field can differ in length from the
  // central directory's copy (Info-ZIP writes different extra fields), so
  // the data offset must come from the local header itself.
  const dataStart = local + LOCAL_SIZE + view.getUint16(local + 26, true) +
    view.getUint16(local + 28, true);
  const dataEnd = dataStart + entry.compressedSize;
  if (dataEnd > archive.byteLength) {
    throw new Error(
      `Cannot extract ${what}: its ${entry.compressedSize} bytes of data run past the end of the archive; the file is truncated.`,
    );
  }
  const stored = archive.subarray(dataStart, dataEnd);
  const out = entry.method === 0
    ? stored.slice()
    : await inflateRaw(stored, entry.uncompressedSize, what);
  if (out.length !== entry.uncompressedSize) {
    throw new Error(
      `Cannot extract ${what}: got ${out.length} bytes, the archive records ${entry.uncompressedSize}; the data is corrupt.`,
    );
  }
  const crc = crc32(out);
  if (crc !== entry.crc32) {
    throw new Error(
      `Cannot extract ${what}: CRC-32 ${
        hex8(crc)
      } does not match the recorded ${hex8(entry.crc32)}; the data is corrupt.`,
    );
  }
  return out;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/**
 * Inflates raw deflate data. Reading stops as soon as more than `expected`
 * bytes have come out (the caller then reports a size mismatch), so a
 * corrupt or hostile archive cannot exhaust memory.
 */
async function inflateRaw(
  data: Uint8Array,
  expected: number,
  what: string,
): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (total > expected) {
        await reader.cancel().catch(() => {});
        break;
      }
    }
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Cannot extract ${what}: the deflate data is corrupt (${text}).`,
    );
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
