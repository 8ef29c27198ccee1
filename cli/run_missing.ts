// deno-lint-ignore-file no-console
// (A command-line tool: printing is its job; lib/ stays silent.)

/**
 * `deno task runs [--quick] [--jobs N] [--seeds 0,1,2] [--only 04,05]`:
 * trains every (experiment, seed) of the series that has no stored run yet,
 * each in its own `deno task train` process, up to N at a time. Every run
 * checkpoints each epoch and is recorded atomically, so an interrupted
 * series picks up where it stopped when this is run again.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { experiments } from "../lib/experiments.ts";
import { modeConfig, seriesSettings } from "../lib/series.ts";
import { findRun } from "../lib/train/run.ts";

const USAGE = `Usage: deno task runs [options]

  --quick          quick mode (smoke test: few articles, 2 epochs, seed 0)
  --jobs N         training processes at once (default: the number of CPUs,
                   at most 4; each uses one core and ~1.5 GB)
  --seeds 0,1,2    seeds (default: $BBC_SEEDS, else 0,1,2; quick: 0)
  --only 04,05     only these experiments (ids or numbers)
  --runs DIR       run store root (default: $BBC_RUNS_DIR, else ./runs)`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean", default: false },
      jobs: {
        type: "string",
        default: String(Math.min(4, navigator.hardwareConcurrency || 1)),
      },
      seeds: { type: "string" },
      only: { type: "string" },
      runs: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const env = new Map<string, string>();
  if (values.quick) env.set("BBC_MODE", "quick");
  if (values.seeds) env.set("BBC_SEEDS", values.seeds);
  if (values.runs) env.set("BBC_RUNS_DIR", values.runs);
  const settings = seriesSettings({
    get: (k) => env.get(k) ?? Deno.env.get(k),
  });
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    console.error(
      `runs: --jobs must be a positive integer: got ${values.jobs}`,
    );
    return 1;
  }
  const only = values.only?.split(",").map((s) => s.trim());
  const todo: { id: string; seed: number }[] = [];
  let stored = 0;
  for (const exp of experiments()) {
    if (only && !only.includes(exp.id) && !only.includes(exp.number)) continue;
    for (const seed of settings.seeds) {
      const config = modeConfig(exp.config, settings.mode);
      if (
        await findRun(exp.id, config, seed, settings.mode, settings.runsRoot)
      ) {
        stored++;
      } else todo.push({ id: exp.id, seed });
    }
  }
  console.log(
    `runs: ${settings.mode} mode, ${stored} stored, ${todo.length} to train with ${jobs} job(s)`,
  );
  const t0 = performance.now();
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const { id, seed } = todo[next++];
      const args = [
        "run",
        "-A",
        new URL("./train.ts", import.meta.url).pathname,
        id,
        "--seeds",
        String(seed),
        "--runs",
        settings.runsRoot,
      ];
      if (settings.mode === "quick") args.push("--quick");
      const tag = `[${id} seed ${seed}]`;
      console.log(`${tag} start`);
      const child = new Deno.Command(Deno.execPath(), {
        args,
        stdout: "piped",
        stderr: "piped",
        env: { NO_COLOR: "1" },
      }).spawn();
      const pump = async (stream: ReadableStream<Uint8Array>, err: boolean) => {
        let buf = "";
        for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
          buf += chunk;
          let nl;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            (err ? console.error : console.log)(`${tag} ${line}`);
          }
        }
        if (buf) (err ? console.error : console.log)(`${tag} ${buf}`);
      };
      const [status] = await Promise.all([
        child.status,
        pump(child.stdout, false),
        pump(child.stderr, true),
      ]);
      if (!status.success) {
        failures.push(`${id} seed ${seed} (exit ${status.code})`);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(jobs, todo.length) }, worker),
  );
  const minutes = ((performance.now() - t0) / 60000).toFixed(1);
  if (failures.length > 0) {
    console.error(
      `runs: ${failures.length} failed after ${minutes} min: ${
        failures.join("; ")
      }`,
    );
    return 1;
  }
  console.log(
    `runs: all ${
      stored + todo.length
    } runs stored (${todo.length} trained in ${minutes} min)`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main());
