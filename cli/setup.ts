// deno-lint-ignore-file no-console
// (A command-line tool: printing is its job; lib/ stays silent.)

/**
 * `deno task setup [--mirror DIR] [--force]`: puts every verified data asset
 * under the data directory (`$BBC_DATA_DIR` or `<repo>/data`), copying from
 * a mirror (`--mirror DIR` or `$BBC_DATA_MIRROR`) or downloading from the
 * pinned origins. Prints one line per asset and a summary; on failure prints
 * the error sentence (no stack trace) and exits with code 1.
 *
 * The logic lives in lib/data/assets.ts; this file only parses flags and
 * prints.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type AssetResult, ensureAssets } from "../lib/data/assets.ts";
import { dataDir, REPO_ROOT } from "../lib/data/paths.ts";
import { writeKernelSpec } from "../tools/jupyter_env.ts";

const USAGE = `Usage: deno task setup [--mirror DIR] [--force]

  --mirror DIR  copy assets from DIR (laid out like data/, e.g. ../shared/data)
                instead of downloading; BBC_DATA_MIRROR does the same
  --force       fetch every asset again even if a valid copy is present
  --help        show this text`;

function fail(message: string): never {
  console.error(`setup: ${message}`);
  Deno.exit(1);
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function line(r: AssetResult): string {
  const detail = r.status === "present"
    ? "verified"
    : `${
      r.previous === "invalid" ? "replaced an invalid file; " : ""
    }from ${r.source}`;
  return `${r.status.padEnd(10)} ${r.relativePath.padEnd(40)} ${
    formatBytes(r.bytes).padStart(9)
  }  ${detail}`;
}

async function main(): Promise<void> {
  let values: { mirror?: string; force?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        mirror: { type: "string" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }

  const dir = dataDir();
  const started = performance.now();
  let results: AssetResult[];
  try {
    results = await ensureAssets({
      dataDir: dir,
      mirror: values.mirror, // undefined falls back to BBC_DATA_MIRROR
      force: values.force ?? false,
      onProgress: (e) => {
        // One line when a download starts, so a slow one is not silent.
        if (e.stage === "downloading" && e.receivedBytes === 0) {
          console.log(`fetching   ${e.relativePath} from ${e.source}`);
        }
      },
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    fail(
      message.startsWith("Download of ")
        ? `${message}\nsetup: offline? Use --mirror DIR (a copy laid out like data/) or set BBC_DATA_MIRROR.`
        : message,
    );
  }

  for (const r of results) console.log(line(r));
  const counts = new Map<string, number>();
  for (const r of results) {
    counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  }
  const summary = [...counts].map(([status, n]) => `${n} ${status}`).join(", ");
  const total = results.reduce((sum, r) => sum + r.bytes, 0);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `${results.length} assets ready in ${dir} (${summary}; ${
      formatBytes(total)
    }) in ${seconds} s`,
  );

  // The project-local Deno kernel spec (nothing is written to $HOME): the
  // notebooks' runner and JupyterLab find it through JUPYTER_PATH.
  const spec = await writeKernelSpec();
  console.log(
    `kernel     ${
      spec.replace(`${REPO_ROOT}/`, "")
    }  (deno ${Deno.version.deno})`,
  );
}

if (import.meta.main) await main();
