/**
 * The run store: one small JSON record per (experiment, config, seed),
 * written atomically under `runs/<mode>/<experiment>/`, plus that run's
 * checkpoints under `runs/<mode>/<experiment>/checkpoints/` (git-ignored).
 * A run is reused when a record with the same config hash and seed exists.
 *
 * @module
 */

import type { ExperimentConfig } from "../config.ts";
import { sha256Hex, writeFileAtomic } from "../data/download.ts";
import { REPO_ROOT } from "../data/paths.ts";
import { LIB_VERSION } from "../version.ts";
import type { RunRecord } from "./record.ts";

/** "full" for the real series, "quick" for the smoke mode. */
export type RunMode = "full" | "quick";

/** Default store root: `$BBC_RUNS_DIR` or `<repo>/runs`. */
export function defaultRunsRoot(): string {
  return Deno.env.get("BBC_RUNS_DIR") || `${REPO_ROOT}/runs`;
}

/** JSON with object keys sorted at every level (stable across key order). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.keys(v).sort().map((
          k,
        ) => [k, (v as Record<string, unknown>)[k]]),
      );
    }
    return v;
  });
}

/**
 * Identifies reusable runs: SHA-256 of the canonical config, the mode and the
 * library version (bumped when numerics change), as 64 hex digits.
 */
export function configHash(
  config: ExperimentConfig,
  mode: RunMode,
): Promise<string> {
  return sha256Hex(
    new TextEncoder().encode(canonicalJson({ config, mode, lib: LIB_VERSION })),
  );
}

/** Paths of one run inside a store. */
export interface RunPaths {
  record: string;
  checkpoints: string;
}

/** Where the run (experiment, hash, seed) lives in the store at `root`. */
export function runPaths(
  root: string,
  mode: RunMode,
  experiment: string,
  hash: string,
  seed: number,
): RunPaths {
  const stem = `seed-${seed}-${hash.slice(0, 12)}`;
  const dir = `${root}/${mode}/${experiment}`;
  return {
    record: `${dir}/${stem}.json`,
    checkpoints: `${dir}/checkpoints/${stem}`,
  };
}

/** Reads a stored record, or `null` when there is none. */
export async function readRun(path: string): Promise<RunRecord | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as RunRecord;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    if (e instanceof SyntaxError) {
      throw new Error(`Run record ${path} is not valid JSON: ${e.message}`);
    }
    throw e;
  }
}

/** Writes `record` atomically to `path` (directories created as needed). */
export async function writeRun(path: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(
    path,
    new TextEncoder().encode(JSON.stringify(record, null, 1) + "\n"),
  );
}

/**
 * Every record stored for `experiment` in `mode` (all configs and seeds),
 * sorted by seed. Only records whose hash equals `hash` when it is given.
 */
export async function listRuns(
  root: string,
  mode: RunMode,
  experiment: string,
  hash?: string,
): Promise<RunRecord[]> {
  const dir = `${root}/${mode}/${experiment}`;
  const out: RunRecord[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !/^seed-\d+-[0-9a-f]{12}\.json$/.test(entry.name)) {
        continue;
      }
      const rec = await readRun(`${dir}/${entry.name}`);
      if (rec && (hash === undefined || rec.configHash === hash)) out.push(rec);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort((a, b) => a.seed - b.seed);
}
