// deno-lint-ignore-file no-console
// (A command-line tool: printing is its job; lib/ stays silent.)

/**
 * `deno task train <experiment> [--seeds 0,1,2] [--quick] [--epochs N]
 * [--backend NAME] [--retrain] [--runs DIR]`: trains one experiment of the
 * registry for the given seeds, printing one line per epoch, and writes each
 * run's record (config, versions, backend, history, confusion matrix,
 * timings, test predictions) atomically into the run store. A run that was
 * interrupted resumes from its last checkpoint; a stored run with the same
 * config and seed is reused unless `--retrain` is given.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { applyDelta, type BackendName } from "../lib/config.ts";
import { experiment, experiments } from "../lib/experiments.ts";
import { seriesSettings, trainOrLoad } from "../lib/series.ts";

const USAGE = `Usage: deno task train <experiment> [options]

  <experiment>      an id or number from the registry (e.g. 01 or 01_post_padding)
  --seeds 0,1,2     seeds to run (default: $BBC_SEEDS, else 0,1,2; quick: 0)
  --quick           quick mode: ${300} articles, 2 epochs (CI smoke test)
  --epochs N        override the maximum epochs (a different config: stored apart)
  --backend NAME    auto | tensorflow | webgpu | wasm | cpu | gpu
  --retrain         train even when a stored run exists
  --runs DIR        run store root (default: $BBC_RUNS_DIR, else ./runs)

Experiments: ${experiments().map((e) => e.id).join(", ")}`;

function fail(message: string): never {
  console.error(`train: ${message}`);
  Deno.exit(1);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      allowPositionals: true,
      options: {
        seeds: { type: "string" },
        quick: { type: "boolean", default: false },
        epochs: { type: "string" },
        backend: { type: "string" },
        retrain: { type: "boolean", default: false },
        runs: { type: "string" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length !== 1) fail(`expected one experiment id\n${USAGE}`);
  const env = new Map<string, string>();
  if (values.quick) env.set("BBC_MODE", "quick");
  if (values.seeds) env.set("BBC_SEEDS", values.seeds);
  if (values.retrain) env.set("BBC_RETRAIN", "1");
  if (values.runs) env.set("BBC_RUNS_DIR", values.runs);
  const settings = seriesSettings({
    get: (k) => env.get(k) ?? Deno.env.get(k),
  });
  let exp = experiment(positionals[0]);
  if (values.epochs !== undefined || values.backend !== undefined) {
    exp = {
      ...exp,
      config: applyDelta(exp.config, {
        ...(values.backend !== undefined
          ? { backend: values.backend as BackendName }
          : {}),
        ...(values.epochs !== undefined
          ? { train: { epochs: Number(values.epochs) } }
          : {}),
      }),
    };
  }
  console.log(
    `${exp.id} · ${settings.mode} · seeds ${
      settings.seeds.join(",")
    } · store ${settings.runsRoot}`,
  );
  const runs = await trainOrLoad(exp, settings, {
    onLine: (line) => console.log(line),
  });
  for (const r of runs) {
    console.log(
      `seed ${r.seed}: final val acc ${
        r.final.valAccuracy.toFixed(4)
      }, val loss ${r.final.valLoss.toFixed(4)}, ${r.history.length} epochs, ${
        r.timings.totalSeconds.toFixed(1)
      } s on ${r.backend.name}/${r.engine}${
        r.backend.fallback ? ` (${r.backend.fallback})` : ""
      } · ${r.stopMessage}`,
    );
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
}
