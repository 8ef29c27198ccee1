/**
 * Low-level helpers for getting data assets onto disk safely: an HTTP
 * download with an idle timeout, content digests (sha256 and git's blob id),
 * and atomic file writes (temp file in the same directory, then rename).
 *
 * Nothing here prints; progress goes to callbacks and failures are thrown as
 * one-sentence `Error`s that name the asset and the URL or path.
 *
 * @module
 */

/** Default idle timeout of {@link fetchBytes}: 30 000 ms without a byte. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** Lower-case hex of a byte array, two digits per byte. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** SHA-256 of `bytes` as 64 lower-case hex digits (WebCrypto). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return toHex(new Uint8Array(digest));
}

/**
 * Git's blob id of `bytes`: SHA-1 over the header `blob <size>\0` followed by
 * the bytes, as 40 lower-case hex digits. This is what `git hash-object`
 * prints and what GitHub and the Hugging Face hub use to name file versions,
 * so a pin can be checked even where no sha256 was ever published.
 */
export async function gitBlobSha1Hex(bytes: Uint8Array): Promise<string> {
  const header = new TextEncoder().encode(`blob ${bytes.length}\0`);
  const whole = new Uint8Array(header.length + bytes.length);
  whole.set(header, 0);
  whole.set(bytes, header.length);
  const digest = await crypto.subtle.digest("SHA-1", whole);
  return toHex(new Uint8Array(digest));
}

/** Options of {@link fetchBytes}. */
export interface FetchBytesOptions {
  /**
   * Name used in error messages, e.g. the asset's path `bbc/train.csv`.
   * @default the URL
   */
  label?: string;
  /**
   * Abort when no byte (and, before that, no response header) has arrived
   * for this many milliseconds. This bounds a stall, not the whole download:
   * a slow but steady transfer is never cut off.
   * @default 30_000
   */
  timeoutMs?: number;
  /** The fetch implementation (injectable for tests). @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Called after each received chunk with the bytes so far and the expected
   * total (from `Content-Length`; `null` when unknown or when the body is
   * content-encoded, since the header then counts compressed bytes).
   */
  onProgress?: (receivedBytes: number, totalBytes: number | null) => void;
}

/** "30 s", "0.2 s": a millisecond count as seconds for messages. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * Downloads `url` into memory and returns its body bytes.
 *
 * Redirects are followed (fetch's default). A non-2xx status, a network
 * error, or an idle period longer than `timeoutMs` rejects with one clear
 * sentence, e.g. `Download of bbc/train.csv failed: HTTP 404 Not Found from
 * <url>` or `Download of bbc/train.csv stalled: no data for 30 s from <url>`.
 * The response body is always consumed or cancelled, so no connection leaks.
 *
 * Known limitation: the whole body is held in memory (the project's largest
 * asset is 3.3 MB); do not use this for very large files.
 */
export async function fetchBytes(
  url: string,
  options: FetchBytesOptions = {},
): Promise<Uint8Array> {
  const label = options.label ?? url;
  const timeoutMs = options.timeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new Error(
      `Cannot download ${label}: timeoutMs must be a positive number of milliseconds, got ${timeoutMs}.`,
    );
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  const controller = new AbortController();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let wakeHeaders: (() => void) | undefined;
  // The watchdog is re-armed on every chunk. On expiry it aborts the request,
  // stops waiting for headers and cancels the reader, so even a fetch that
  // ignores the abort signal (an injected one, say) cannot hang the caller.
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
      wakeHeaders?.();
      reader?.cancel().catch(() => {});
    }, timeoutMs);
  };
  const stallError = () =>
    new Error(
      `Download of ${label} stalled: no data for ${
        seconds(timeoutMs)
      } from ${url}.`,
    );

  arm();
  try {
    let response: Response;
    try {
      response = await new Promise<Response>((resolve, reject) => {
        wakeHeaders = () => reject(new Error("stalled"));
        fetchFn(url, { signal: controller.signal }).then((r) => {
          // A response that arrives after the stall is nobody's: release it.
          if (stalled) r.body?.cancel().catch(() => {});
          else resolve(r);
        }, reject);
      });
      wakeHeaders = undefined;
    } catch (err) {
      if (stalled) throw stallError();
      throw new Error(
        `Download of ${label} failed: ${errorText(err)} from ${url}.`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      const status = `${response.status} ${response.statusText}`.trim();
      throw new Error(
        `Download of ${label} failed: HTTP ${status} from ${url}.`,
      );
    }
    const encoded = (response.headers.get("content-encoding") ?? "identity")
      .toLowerCase() !== "identity";
    const lengthHeader = response.headers.get("content-length");
    const total = !encoded && lengthHeader !== null &&
        /^\d+$/.test(lengthHeader)
      ? Number(lengthHeader)
      : null;
    if (response.body === null) return new Uint8Array(0);

    arm();
    reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let received = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (stalled) throw stallError();
        if (done) break;
        arm();
        chunks.push(value);
        received += value.length;
        options.onProgress?.(received, total);
      }
    } catch (err) {
      if (stalled) throw stallError();
      if (err instanceof Error && err.message.startsWith("Download of ")) {
        throw err;
      }
      throw new Error(
        `Download of ${label} failed while reading the body after ${received} bytes: ${
          errorText(err)
        } from ${url}.`,
      );
    }
    const out = new Uint8Array(received);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The message of an unknown thrown value, without a trailing period. A
 * `cause` is appended in parentheses: Deno's fetch throws a bare "fetch
 * failed" whose cause holds the reason (DNS, refused connection, TLS).
 */
function errorText(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.cause instanceof Error) {
    const cause = err.cause.message.replace(
      /^error sending request for url \([^)]*\):\s*/,
      "",
    );
    text += ` (${cause})`;
  }
  return text.replace(/[.\s]+$/, "");
}

/** Splits a path at its last `/` into directory and base name. */
function splitPath(path: string): [string, string] {
  const cut = path.lastIndexOf("/");
  if (cut < 0) return [".", path];
  return [cut === 0 ? "/" : path.slice(0, cut), path.slice(cut + 1)];
}

/**
 * Writes `bytes` to `path` atomically: parent directories are created, the
 * bytes go to a hidden temp file in the same directory
 * (`.<name>.<random>.tmp`, which git ignores), are flushed to disk, and the
 * temp file is renamed over `path`. Readers therefore see either the old
 * file or the complete new one, never a partial file. On any failure the
 * temp file is removed, `path` is left as it was, and the error is rethrown
 * with the path in its message.
 *
 * Known limitation: if the process is killed between creating and renaming
 * the temp file, the temp file stays behind (it is never mistaken for the
 * asset, and `*.tmp` is git-ignored).
 */
export async function writeFileAtomic(
  path: string,
  bytes: Uint8Array,
): Promise<void> {
  const [dir, base] = splitPath(path);
  if (base === "") {
    throw new Error(`Cannot write ${path}: the path names a directory.`);
  }
  await Deno.mkdir(dir, { recursive: true });
  const temp = `${dir}/.${base}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  let created = false;
  try {
    const file = await Deno.open(temp, { write: true, createNew: true });
    created = true;
    try {
      let written = 0;
      while (written < bytes.length) {
        written += await file.write(bytes.subarray(written));
      }
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
    created = false;
  } catch (err) {
    if (created) await Deno.remove(temp).catch(() => {});
    throw new Error(`Could not write ${path}: ${errorText(err)}.`);
  }
}

/**
 * Reads a whole file, or returns `null` when it does not exist. Any other
 * problem (a directory in the way, no permission) throws with the path.
 */
export async function readFileIfExists(
  path: string,
): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw new Error(`Could not read ${path}: ${errorText(err)}.`);
  }
}
