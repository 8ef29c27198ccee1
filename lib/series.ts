/**
 * Running the series: which mode and seeds a session uses, the quick-mode
 * config, and "train what is missing, load what is stored" for one
 * experiment. Notebooks and the CLI both go through here, so a notebook
 * re-run reuses the runs the CLI made (same config hash, same seed).
 *
 * Environment (all optional):
 * - `BBC_MODE`: `full` (default) or `quick` (a few hundred articles, 2 epochs,
 *   one seed: the CI smoke mode);
 * - `BBC_SEEDS`: comma-separated seeds (default `0,1,2`; quick: `0`);
 * - `BBC_RETRAIN=1`: train again even when a stored run exists;
 * - `BBC_RUNS_DIR`: run store root (default `<repo>/runs`).
 *
 * @module
 */

import { applyDelta, type ExperimentConfig } from "./config.ts";
import type { Experiment } from "./experiments.ts";
import { ProgressReporter } from "./report/progress.ts";
import type { PreparedData } from "./train/prepare.ts";
import type { RunRecord } from "./train/record.ts";
import { findRun, trainRun } from "./train/run.ts";
import { defaultRunsRoot, type RunMode } from "./train/run_store.ts";
import { REPO_ROOT } from "./data/paths.ts";

/** How this session runs the series. */
export interface SeriesSettings {
  mode: RunMode;
  seeds: number[];
  /** Train even when a run with the same config and seed is stored. */
  retrain: boolean;
  runsRoot: string;
}

/** Rows and epochs of quick mode. */
export const QUICK = { rows: 300, epochs: 2 } as const;

/** Default seeds of the full series. */
export const DEFAULT_SEEDS: readonly number[] = [0, 1, 2];

/** Reads {@link SeriesSettings} from the environment (see module doc). */
export function seriesSettings(
  env: { get(key: string): string | undefined } = Deno.env,
): SeriesSettings {
  const modeText = env.get("BBC_MODE") ?? "full";
  if (modeText !== "full" && modeText !== "quick") {
    throw new RangeError(
      `BBC_MODE must be "full" or "quick": current value is ${
        JSON.stringify(modeText)
      }`,
    );
  }
  const mode: RunMode = modeText;
  const seedsText = env.get("BBC_SEEDS");
  const seeds = seedsText
    ? seedsText.split(",").map((s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) {
        throw new RangeError(
          `BBC_SEEDS must be comma-separated integers in [0, 2^32-1]: "${s}" in ${
            JSON.stringify(seedsText)
          } is not`,
        );
      }
      return n;
    })
    : mode === "quick"
    ? [0]
    : [...DEFAULT_SEEDS];
  return {
    mode,
    seeds,
    retrain: env.get("BBC_RETRAIN") === "1",
    runsRoot: env.get("BBC_RUNS_DIR") || defaultRunsRoot(),
  };
}

/** The config an experiment runs with in `mode` (quick: fewer rows, 2 epochs). */
export function modeConfig(
  config: ExperimentConfig,
  mode: RunMode,
): ExperimentConfig {
  if (mode === "full") return config;
  return applyDelta(config, {
    data: { limit: QUICK.rows },
    train: { epochs: QUICK.epochs },
  });
}

/** Options of {@link trainOrLoad}. */
export interface TrainOrLoadOptions {
  /** Prepared data for the experiment's data config (prepared on demand otherwise). */
  data?: PreparedData;
  /** One line per epoch when not shown live in Jupyter (e.g. console.log). */
  onLine?: (line: string) => void;
  /** Only load: throw naming the missing runs instead of training. @default false */
  loadOnly?: boolean;
}

/**
 * The runs of `exp` for every seed in `settings`: stored records are loaded,
 * missing ones are trained (with a live progress display in Jupyter) and
 * stored. Records come back in seed order.
 */
export async function trainOrLoad(
  exp: Experiment,
  settings: SeriesSettings,
  options: TrainOrLoadOptions = {},
): Promise<RunRecord[]> {
  const config = modeConfig(exp.config, settings.mode);
  const out: RunRecord[] = [];
  for (const seed of settings.seeds) {
    if (!settings.retrain) {
      const stored = await findRun(
        exp.id,
        config,
        seed,
        settings.mode,
        settings.runsRoot,
      );
      if (stored) {
        out.push(stored);
        continue;
      }
    }
    if (options.loadOnly) {
      throw new Error(
        `No stored ${settings.mode} run of ${exp.id} with seed ${seed} in ${settings.runsRoot}: run \`deno task train ${exp.id} --seeds ${seed}${
          settings.mode === "quick" ? " --quick" : ""
        }\``,
      );
    }
    const progress = new ProgressReporter({
      experiment: exp.id,
      seed,
      epochs: config.train.epochs,
      patience: config.train.patience,
    }, { onLine: options.onLine });
    const record = await trainRun({
      experiment: exp.id,
      config,
      seed,
      mode: settings.mode,
      runsRoot: settings.runsRoot,
      data: options.data,
      callbacks: {
        onEpochEnd: (epoch) => progress.update(epoch),
      },
    });
    await progress.finish(record.stopMessage);
    out.push(record);
  }
  return out;
}

/**
 * Where a generated report file goes: `<repo>/reports/<name>` in full mode,
 * `<repo>/reports/quick/<name>` in quick mode (directories created).
 */
export function reportPath(settings: SeriesSettings, name: string): string {
  const dir = settings.mode === "full"
    ? `${REPO_ROOT}/reports`
    : `${REPO_ROOT}/reports/quick`;
  Deno.mkdirSync(dir, { recursive: true });
  return `${dir}/${name}`;
}
