/**
 * Per-epoch checkpoints: a binary file of float32 arrays plus a JSON
 * manifest, both written atomically (temporary file, then rename), so an
 * interrupted run always finds either the previous or the new checkpoint,
 * never half of one.
 *
 * Layout inside a checkpoint directory:
 * - `state-<epoch>.bin`: the arrays, concatenated, little-endian float32;
 * - `checkpoint.json`: `{ epoch, file, sha256, arrays: [{name, length}], meta }`,
 *   written after the binary it names, so it never points at a missing file.
 *
 * @module
 */

import { sha256Hex, writeFileAtomic } from "../data/download.ts";

/** What a checkpoint holds besides its arrays. */
export interface CheckpointManifest<M> {
  epoch: number;
  file: string;
  sha256: string;
  arrays: { name: string; length: number }[];
  meta: M;
}

/** A loaded checkpoint. */
export interface Checkpoint<M> {
  epoch: number;
  meta: M;
  /** Arrays by name, in saved order. */
  arrays: Map<string, Float32Array>;
}

/**
 * Writes the checkpoint of `epoch` into `dir` (created if needed) and removes
 * older binaries. `arrays` are copied into one buffer; `meta` must be
 * JSON-serialisable.
 */
export async function saveCheckpoint<M>(
  dir: string,
  epoch: number,
  arrays: [string, Float32Array][],
  meta: M,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const total = arrays.reduce((s, [, a]) => s + a.length, 0);
  const buf = new Float32Array(total);
  let off = 0;
  for (const [, a] of arrays) {
    buf.set(a, off);
    off += a.length;
  }
  const bytes = new Uint8Array(buf.buffer);
  const file = `state-${epoch}.bin`;
  await writeFileAtomic(`${dir}/${file}`, bytes);
  const manifest: CheckpointManifest<M> = {
    epoch,
    file,
    sha256: await sha256Hex(bytes),
    arrays: arrays.map(([name, a]) => ({ name, length: a.length })),
    meta,
  };
  await writeFileAtomic(
    `${dir}/checkpoint.json`,
    new TextEncoder().encode(JSON.stringify(manifest)),
  );
  for await (const entry of Deno.readDir(dir)) {
    if (/^state-\d+\.bin$/.test(entry.name) && entry.name !== file) {
      await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
    }
  }
}

/**
 * Loads the checkpoint in `dir`, or returns `null` when there is none.
 * Throws when the manifest names a missing or corrupted binary.
 */
export async function loadCheckpoint<M>(
  dir: string,
): Promise<Checkpoint<M> | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/checkpoint.json`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  const manifest = JSON.parse(text) as CheckpointManifest<M>;
  const path = `${dir}/${manifest.file}`;
  const bytes = await Deno.readFile(path);
  const digest = await sha256Hex(bytes);
  if (digest !== manifest.sha256) {
    throw new Error(
      `Checkpoint ${path} is corrupted: sha256 ${digest} does not match ${manifest.sha256} in its manifest`,
    );
  }
  const all = new Float32Array(
    bytes.buffer,
    bytes.byteOffset,
    bytes.byteLength / 4,
  );
  const arrays = new Map<string, Float32Array>();
  let off = 0;
  for (const { name, length } of manifest.arrays) {
    arrays.set(name, all.slice(off, off + length));
    off += length;
  }
  if (off !== all.length) {
    throw new Error(
      `Checkpoint ${path} holds ${all.length} values; its manifest lists ${off}`,
    );
  }
  return { epoch: manifest.epoch, meta: manifest.meta, arrays };
}
