/**
 * The project's data assets: where each one comes from (an origin URL pinned
 * to a commit), how it is verified, and {@link ensureAssets}, which puts
 * verified copies under the data directory — from an offline mirror if one
 * is given, otherwise by downloading.
 *
 * Pins come from `../shared/data/SOURCES.md` (the mirror's provenance
 * notes); where this file adds something (the Hugging Face revision, full
 * git blob ids), a comment says where it came from and how sure it is.
 *
 * Guarantees of {@link ensureAssets}:
 * - a file already present and valid is left alone (unless `force`);
 * - a present but invalid file is replaced;
 * - bytes are verified before anything is written, and every write is
 *   atomic (temp file + rename), so a failure leaves no partial file and
 *   never loses a valid one;
 * - with a mirror, nothing is downloaded.
 *
 * @module
 */

import { ASSET_FILES, type AssetName, dataDir } from "./paths.ts";
import {
  DEFAULT_IDLE_TIMEOUT_MS,
  fetchBytes,
  gitBlobSha1Hex,
  readFileIfExists,
  sha256Hex,
  writeFileAtomic,
} from "./download.ts";
import { extractZipEntry } from "./zip.ts";
import { canonicalJson } from "./canonical_json.ts";

/** One exact byte string accepted for an asset. */
export interface AcceptedForm {
  /** SHA-256 of the file, 64 lower-case hex digits. */
  sha256: string;
  /**
   * Git blob id (`git hash-object`) of the same bytes, checked as well. It
   * is the id GitHub and the HF hub show for the file, so a pin can be
   * compared with the origin's listing without downloading.
   */
  gitBlobSha1: string;
  /** File size in bytes. */
  bytes: number;
  /** Which copy this is, e.g. "hub file" or "mirror copy, pretty-printed". */
  form: string;
}

/** An asset that the origin serves inside a zip archive. */
export interface ZipSource {
  /** Path of the wanted file inside the archive. */
  entry: string;
  /** Git blob id of the whole archive (no sha256 of it is known). */
  gitBlobSha1: string;
}

/** Manifest entry: origin, pins and licence of one data asset. */
export interface AssetSpec {
  /** Logical name, a key of `ASSET_FILES`. */
  name: AssetName;
  /** Path relative to the data directory (and to a mirror), `/`-separated. */
  path: string;
  /** Origin URL, pinned to a commit or revision (never a branch). */
  url: string;
  /** Byte strings accepted for the file as written to disk (one or more). */
  accepted: readonly AcceptedForm[];
  /**
   * For JSON whose serialisation differs between copies: SHA-256 that the
   * file's compact canonical form (Python's `json.dumps(obj,
   * separators=(',', ':'), ensure_ascii=False)`, see `canonical_json.ts`)
   * must have, in addition to matching one accepted form.
   */
  canonicalJsonSha256?: string;
  /** Set when `url` serves a zip holding the file. */
  zip?: ZipSource;
  /** Licence and rights, in one or two sentences. */
  licence: string;
  /** What is and is not verified, when it is not simply "byte-identical". */
  note?: string;
}

const BBC_COMMIT = "959118269b8b1c896826fc7b787e2092c5b18da3";
const BBC_RAW =
  `https://raw.githubusercontent.com/alvinrach/learn-ai-bbc/${BBC_COMMIT}`;
const BBC_LICENCE =
  "Article text © BBC; the BBC News dataset of Greene & Cunningham (ICML 2006) as shared in Kaggle's learn-ai-bbc competition, for research use. Not redistributed by this project.";

/**
 * Hugging Face revision (commit sha) of `bert-base-uncased`.
 *
 * Where it came from: public code found through a code search, not the hub
 * itself (no internet here). This sha is the snapshot id in many unrelated
 * repositories' HF cache paths (`models--bert-base-uncased/snapshots/86b5e093…`,
 * also under the repository's newer name `google-bert/bert-base-uncased`)
 * and in explicit `snapshot_download(..., revision=...)` pins. One of those
 * repositories lists, for this snapshot, the blob ids 949a6f01… (compact
 * tokenizer.json), e5c73d8a… (tokenizer_config.json) and fb140275…
 * (vocab.txt); another pins vocab.txt at this revision to sha256 07eced37….
 * All of that agrees with the pins below. How sure: high that it is a real
 * commit of the model repository serving these three files; not checked
 * against the live hub.
 *
 * The hub redirects the old repository name used in the URLs below to
 * `google-bert/bert-base-uncased`; fetch follows the redirect.
 */
export const BERT_REVISION = "86b5e0934494bd15c9632b12f734a8a67f723594";
const HF_RESOLVE =
  `https://huggingface.co/bert-base-uncased/resolve/${BERT_REVISION}`;
const BERT_LICENCE =
  "Apache-2.0: Google's BERT uncased WordPiece vocabulary, as published in the Hugging Face bert-base-uncased model repository.";

/** nltk_data gh-pages commit holding `packages/corpora/stopwords.zip`. */
const NLTK_DATA_COMMIT = "5db857e6f7df11eabb5e5665836db9ec8df07e28";
const CONTRACTIONS_COMMIT = "595188a45c472957427b3a6a07b6ce0492990fad";
const CONTRACTIONS_RAW =
  `https://raw.githubusercontent.com/kootenpv/contractions/${CONTRACTIONS_COMMIT}/contractions/data`;
const CONTRACTIONS_LICENCE =
  "MIT, copyright (c) 2021 Pascal van Kooten (kootenpv/contractions 0.1.72).";

/**
 * Every asset the project uses, in `ASSET_FILES` order. sha256s, sizes and
 * the archive blob id are from SOURCES.md; the per-file git blob ids were
 * computed from the mirror with `git hash-object` (SOURCES.md gives the
 * vocab, tokenizer_config and compact tokenizer ids in full and the
 * contractions ids as prefixes, which agree).
 */
export const ASSET_MANIFEST: readonly AssetSpec[] = [
  {
    name: "train",
    path: ASSET_FILES.train,
    url: `${BBC_RAW}/BBC%20News%20Train.csv`,
    accepted: [{
      sha256:
        "f56a65dab2ea728505a639d2186a2b2f1c0939f28e8e89b5ed1c1fe9520b1323",
      gitBlobSha1: "28496dcc3d4fa28b57d7650fa91593801c76ccfd",
      bytes: 3_351_206,
      form: "upstream file `BBC News Train.csv`",
    }],
    licence: BBC_LICENCE,
  },
  {
    name: "test",
    path: ASSET_FILES.test,
    url: `${BBC_RAW}/BBC%20News%20Test.csv`,
    accepted: [{
      sha256:
        "27734eb5f2615692693f572ec86b5450c5990aa8ce03105136606a3f990c459f",
      gitBlobSha1: "abaaeb095f7647174630bf7dfbf6e0e3ea5297db",
      bytes: 1_712_432,
      form: "upstream file `BBC News Test.csv`",
    }],
    licence: BBC_LICENCE,
  },
  {
    name: "sampleSolution",
    path: ASSET_FILES.sampleSolution,
    url: `${BBC_RAW}/BBC%20News%20Sample%20Solution.csv`,
    accepted: [{
      sha256:
        "617bb50aa65328ca7f57770bbe7c4a8f2d8abfa3d158676c916a19104acfbd21",
      gitBlobSha1: "cb052af8d756fad69c9ad8b386d35362a1a945e8",
      bytes: 10_369,
      form: "upstream file `BBC News Sample Solution.csv`",
    }],
    licence: BBC_LICENCE,
  },
  {
    name: "bertTokenizer",
    path: ASSET_FILES.bertTokenizer,
    url: `${HF_RESOLVE}/tokenizer.json`,
    accepted: [
      {
        sha256:
          "ce64fce797c24f68df90b40a3f74f579b336a493db14bd583fd520ea0d8c9a98",
        gitBlobSha1: "949a6f013d67eb8a5b4b5b46026217b888021b88",
        bytes: 466_062,
        form: "hub file (compact JSON)",
      },
      {
        sha256:
          "3140af3f138a278326f082299d62c701ffa88268d85ec3ad8a9a242089a78dfe",
        gitBlobSha1: "7e954d9fc965f664f6f5809e20e0ab0f5cac73d2",
        bytes: 895_395,
        form: "mirror copy (pretty-printed, from daulet/tokenizers)",
      },
    ],
    canonicalJsonSha256:
      "ce64fce797c24f68df90b40a3f74f579b336a493db14bd583fd520ea0d8c9a98",
    licence: BERT_LICENCE,
    note:
      "The compact form's sha256 is the mirror's content re-serialised the way Python's json.dumps does; SOURCES.md believes it equals the hub file, and several unrelated public repositories pin the hub's tokenizer.json to exactly this sha256, size and blob id. Either form must also pass the canonical-content check.",
  },
  {
    name: "bertTokenizerConfig",
    path: ASSET_FILES.bertTokenizerConfig,
    url: `${HF_RESOLVE}/tokenizer_config.json`,
    accepted: [{
      sha256:
        "a025160ef0431f1a392f6f050c1310f4c5d9fb6f275932dbccba73c4d214bf10",
      gitBlobSha1: "e5c73d8a50df1f56fb5b0b8002d7cf4010afdccb",
      bytes: 48,
      form: '`{"do_lower_case": true, "model_max_length": 512}`, no newline',
    }],
    licence: BERT_LICENCE,
    note:
      "Not byte-verified against the hub: the mirror's copy was written by hand. Several unrelated public repositories that pin the hub's bert-base-uncased files record this same sha256, size and blob id for it, so it is very likely the hub file.",
  },
  {
    name: "bertVocab",
    path: ASSET_FILES.bertVocab,
    url: `${HF_RESOLVE}/vocab.txt`,
    accepted: [{
      sha256:
        "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
      gitBlobSha1: "fb140275c155a9c7c5a3b3e0e77a9e839594a938",
      bytes: 231_508,
      form: "hub file (30 522 WordPiece tokens, one per line)",
    }],
    licence: BERT_LICENCE,
    note:
      "The mirror's copy comes from microsoft/BlingFire at 153ddfa8 (MIT repository); its blob id equals the hub's, as recalled in SOURCES.md.",
  },
  {
    name: "stopwords",
    path: ASSET_FILES.stopwords,
    url:
      `https://raw.githubusercontent.com/nltk/nltk_data/${NLTK_DATA_COMMIT}/packages/corpora/stopwords.zip`,
    zip: {
      entry: "stopwords/english",
      gitBlobSha1: "3f1d91306dc4f9aca53d6639d887de2f5a82aebb",
    },
    accepted: [{
      sha256:
        "019f104ba2ed07436d05f9cdd3383034ad66014edc27fc651f837e1a038b6451",
      gitBlobSha1: "1280aa3b08d64b846272b2d23314377200db36e9",
      bytes: 936,
      form: "NLTK's 179-word English list (2017-12 to 2025-02)",
    }],
    licence:
      "Public domain (nltk_data lists corpora/stopwords as such); derived from the Snowball stop lists.",
    note:
      "Only the archive's git blob id is known, not its sha256: the download is checked by blob id, then the extracted file by sha256.",
  },
  {
    name: "contractions",
    path: ASSET_FILES.contractions,
    url: `${CONTRACTIONS_RAW}/contractions_dict.json`,
    accepted: [{
      sha256:
        "8a8ced2e5426360dd740561e3e81e70dcefd6bbe968f7d160e4a8c34e6fc0e47",
      gitBlobSha1: "7117900b5ec0fa57bb21bfcc2fc8aff5f7aae731",
      bytes: 4_934,
      form: "upstream file (178 entries)",
    }],
    licence: CONTRACTIONS_LICENCE,
  },
  {
    name: "contractionsLeftovers",
    path: ASSET_FILES.contractionsLeftovers,
    url: `${CONTRACTIONS_RAW}/leftovers_dict.json`,
    accepted: [{
      sha256:
        "b7fff12bd48d32c1afe0bf4e6cef3c117d318b2ed928c4416809a1efec82fcf2",
      gitBlobSha1: "ad45b1331856528bc6db1a34c32471f90da29720",
      bytes: 357,
      form: "upstream file (16 entries)",
    }],
    licence: CONTRACTIONS_LICENCE,
  },
  {
    name: "contractionsSlang",
    path: ASSET_FILES.contractionsSlang,
    url: `${CONTRACTIONS_RAW}/slang_dict.json`,
    accepted: [{
      sha256:
        "4fb5131ee396680dc638b5a57484102c3ad2a76455f81fc61f1813f9864734a1",
      gitBlobSha1: "fab1e7918cb38afe58b4b28f2b4321eb44202df9",
      bytes: 1_200,
      form: "upstream file (48 entries)",
    }],
    licence: CONTRACTIONS_LICENCE,
  },
];

/**
 * Checks `bytes` against an asset's pins. Returns `null` when they are
 * accepted, otherwise the reason as a sentence fragment, e.g.
 * `expected sha256 f56a…, got 1234…` (full hashes). Pure: reads nothing.
 */
export async function verifyAsset(
  spec: AssetSpec,
  bytes: Uint8Array,
): Promise<string | null> {
  const sha = await sha256Hex(bytes);
  const form = spec.accepted.find((f) => f.sha256 === sha);
  if (form === undefined) {
    const expected = spec.accepted.map((f) => f.sha256).join(" or ");
    return `expected sha256 ${expected}, got ${sha} (${bytes.length} bytes)`;
  }
  const blob = await gitBlobSha1Hex(bytes);
  if (blob !== form.gitBlobSha1) {
    // Only possible if the manifest's own pins disagree.
    return `sha256 matches but git blob id ${blob} differs from the pinned ${form.gitBlobSha1}; the manifest is inconsistent`;
  }
  if (spec.canonicalJsonSha256 !== undefined) {
    let compact: string;
    try {
      const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
        .decode(bytes);
      compact = canonicalJson(text, { label: spec.path });
    } catch (err) {
      return `it is not valid UTF-8 JSON (${
        err instanceof Error ? err.message : String(err)
      })`;
    }
    const canonical = await sha256Hex(new TextEncoder().encode(compact));
    if (canonical !== spec.canonicalJsonSha256) {
      return `its compact canonical JSON has sha256 ${canonical}, expected ${spec.canonicalJsonSha256}`;
    }
  }
  return null;
}

/** What {@link ensureAssets} did for one asset. */
export interface AssetResult {
  /** Logical asset name. */
  name: AssetName;
  /** Path relative to the data directory, e.g. `bbc/train.csv`. */
  relativePath: string;
  /** The file path, `<dataDir>/<relativePath>`. */
  path: string;
  /**
   * `present`: a valid file was already there and was kept; `copied`: taken
   * from the mirror; `downloaded`: fetched from the origin URL.
   */
  status: "present" | "copied" | "downloaded";
  /** What was there before: nothing, a file that failed verification, or a valid file (kept, or replaced because of `force`). */
  previous: "missing" | "invalid" | "valid";
  /** Size of the (now valid) file in bytes. */
  bytes: number;
  /** The URL or mirror file the bytes came from; `null` for `present`. */
  source: string | null;
}

/** A progress report from {@link ensureAssets}, for display only. */
export interface AssetProgress {
  /** Logical asset name. */
  name: AssetName;
  /** Path relative to the data directory. */
  relativePath: string;
  /** `checking` an existing file, `copying` from the mirror, `downloading`, `writing` the verified bytes. */
  stage: "checking" | "copying" | "downloading" | "writing";
  /** URL or mirror path for `copying`/`downloading`. */
  source?: string;
  /** Bytes received so far (`downloading` only; 0 at the start). */
  receivedBytes?: number;
  /** Expected download size if the server said so, else `null`. */
  totalBytes?: number | null;
}

/** Options of {@link ensureAssets}. */
export interface EnsureAssetsOptions {
  /** Where assets go. @default `dataDir()` from paths.ts (`$BBC_DATA_DIR` or `<repo>/data`) */
  dataDir?: string;
  /**
   * A directory laid out like the data directory (e.g. `../shared/data`).
   * When set, missing or invalid files are copied from it (and verified)
   * and nothing is downloaded; a file missing from it, or a mirror path
   * that is not a directory, is an error (checked even when every asset is
   * already present).
   * `undefined` reads the `BBC_DATA_MIRROR` environment variable (empty
   * means none); `null` means no mirror, whatever the environment says.
   * @default undefined
   */
  mirror?: string | null;
  /** Re-fetch every asset even when a valid file is present. @default false */
  force?: boolean;
  /** Idle timeout per download in milliseconds (no byte for this long aborts). @default 30_000 */
  timeoutMs?: number;
  /** fetch implementation, injectable for tests. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Called as work progresses; never required. */
  onProgress?: (event: AssetProgress) => void;
  /** The assets to ensure. @default ASSET_MANIFEST */
  manifest?: readonly AssetSpec[];
}

/** Resolves the mirror option against `BBC_DATA_MIRROR`. */
function resolveMirror(option: string | null | undefined): string | null {
  if (option === null) return null;
  const value = option ?? Deno.env.get("BBC_DATA_MIRROR") ?? "";
  return value === "" ? null : value.replace(/\/+$/, "");
}

/**
 * Makes sure every asset of the manifest is present and valid under the
 * data directory, and returns one {@link AssetResult} per asset, in
 * manifest order.
 *
 * For each asset: an existing file is verified and kept if valid (status
 * `present`) unless `force`; otherwise the bytes are copied from the mirror
 * (`copied`) or downloaded from the pinned URL (`downloaded`; for a zip
 * source, the archive is checked by git blob id and the entry extracted),
 * verified with {@link verifyAsset}, and written atomically.
 *
 * Stops at the first failure and throws one sentence naming the asset and
 * source, e.g. `Checksum mismatch for bbc/train.csv downloaded from <url>:
 * expected sha256 f56a…, got 1234… (12 bytes); nothing was written.` or
 * `Download of bbc/train.csv failed: HTTP 404 Not Found from <url>.`
 * Assets handled before the failure stay in place (they are valid); the
 * failing asset's previous file, if any, is untouched.
 */
export async function ensureAssets(
  options: EnsureAssetsOptions = {},
): Promise<AssetResult[]> {
  const dir = (options.dataDir ?? dataDir()).replace(/\/+$/, "");
  if (dir === "") {
    throw new Error("Cannot ensure assets: dataDir must not be empty.");
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new Error(
      `Cannot ensure assets: timeoutMs must be a positive number of milliseconds, got ${timeoutMs}.`,
    );
  }
  const mirror = resolveMirror(options.mirror);
  // Checked up front, even if every asset turns out to be present: a
  // misspelt mirror path should not go unnoticed.
  if (mirror !== null) await checkMirrorDir(mirror);
  const emit = options.onProgress ?? (() => {});
  const results: AssetResult[] = [];

  for (const spec of options.manifest ?? ASSET_MANIFEST) {
    const target = `${dir}/${spec.path}`;
    const base = { name: spec.name, relativePath: spec.path };

    let previous: AssetResult["previous"] = "missing";
    const existing = await readFileIfExists(target);
    if (existing !== null) {
      emit({ ...base, stage: "checking" });
      previous = (await verifyAsset(spec, existing)) === null
        ? "valid"
        : "invalid";
      if (previous === "valid" && !options.force) {
        results.push({
          ...base,
          path: target,
          status: "present",
          previous,
          bytes: existing.length,
          source: null,
        });
        continue;
      }
    }

    let bytes: Uint8Array;
    let source: string;
    let status: AssetResult["status"];
    if (mirror !== null) {
      source = `${mirror}/${spec.path}`;
      status = "copied";
      emit({ ...base, stage: "copying", source });
      const copy = await readFileIfExists(source);
      if (copy === null) {
        throw new Error(
          `Mirror file missing: ${source} (asset ${spec.path}); a mirror must be laid out like the data directory, see data/README.md.`,
        );
      }
      bytes = copy;
      await failIfInvalid(spec, bytes, `copied from ${source}`);
    } else {
      source = spec.url;
      status = "downloaded";
      emit({ ...base, stage: "downloading", source, receivedBytes: 0 });
      const body = await fetchBytes(spec.url, {
        label: spec.path,
        timeoutMs,
        fetch: options.fetch,
        onProgress: (receivedBytes, totalBytes) =>
          emit({
            ...base,
            stage: "downloading",
            source,
            receivedBytes,
            totalBytes,
          }),
      });
      bytes = spec.zip === undefined
        ? body
        : await unpack(spec, spec.zip, body);
      await failIfInvalid(
        spec,
        bytes,
        spec.zip === undefined
          ? `downloaded from ${spec.url}`
          : `extracted from ${spec.zip.entry} in ${spec.url}`,
      );
    }

    emit({ ...base, stage: "writing" });
    await writeFileAtomic(target, bytes);
    results.push({
      ...base,
      path: target,
      status,
      previous,
      bytes: bytes.length,
      source,
    });
  }
  return results;
}

/** Throws the standard checksum-mismatch sentence if `bytes` fail the pins. */
async function failIfInvalid(
  spec: AssetSpec,
  bytes: Uint8Array,
  how: string,
): Promise<void> {
  const reason = await verifyAsset(spec, bytes);
  if (reason !== null) {
    throw new Error(
      `Checksum mismatch for ${spec.path} ${how}: ${reason}; nothing was written.`,
    );
  }
}

/** Verifies a downloaded archive by git blob id and extracts the entry. */
async function unpack(
  spec: AssetSpec,
  zip: ZipSource,
  archive: Uint8Array,
): Promise<Uint8Array> {
  const blob = await gitBlobSha1Hex(archive);
  if (blob !== zip.gitBlobSha1) {
    throw new Error(
      `Checksum mismatch for ${spec.path}: the archive downloaded from ${spec.url} has git blob id ${blob}, expected ${zip.gitBlobSha1} (${archive.length} bytes); nothing was written.`,
    );
  }
  return await extractZipEntry(archive, zip.entry, {
    label: `the archive downloaded from ${spec.url}`,
  });
}

async function checkMirrorDir(mirror: string): Promise<void> {
  let isDir = false;
  try {
    isDir = (await Deno.stat(mirror)).isDirectory;
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new Error(
      `Mirror directory ${mirror} does not exist or is not a directory (set by the mirror option, --mirror or BBC_DATA_MIRROR).`,
    );
  }
}
