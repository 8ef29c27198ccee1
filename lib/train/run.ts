/**
 * One complete run: backend, data, model, training (with checkpoints and
 * resume), final evaluation, test predictions, and the run record written
 * atomically into the run store.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { ExperimentConfig } from "../config.ts";
import { RandomState } from "../data/random.ts";
import { initBackend } from "../model/backend.ts";
import { LstmClassifier } from "../model/classifier.ts";
import { resolveEngine } from "../model/lstm.ts";
import { LIB_VERSION } from "../version.ts";
import { fit, type FitCallbacks } from "./fit.ts";
import { prepareData, type PreparedData } from "./prepare.ts";
import type { RunRecord } from "./record.ts";
import {
  configHash,
  defaultRunsRoot,
  readRun,
  type RunMode,
  runPaths,
  writeRun,
} from "./run_store.ts";

/** What {@link trainRun} needs. */
export interface TrainRunOptions {
  experiment: string;
  config: ExperimentConfig;
  seed: number;
  mode: RunMode;
  /** Store root. @default defaultRunsRoot() */
  runsRoot?: string;
  /** Already prepared data for `config.data` (else prepared here). */
  data?: PreparedData;
  callbacks?: FitCallbacks;
  /** Continue from a checkpoint of an interrupted run. @default true */
  resume?: boolean;
  /** Keep the checkpoint directory after the run finished. @default false */
  keepCheckpoints?: boolean;
}

async function cpuModel(): Promise<string> {
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    return info.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Facts about this machine for the run record. */
export async function machineInfo(): Promise<RunRecord["machine"]> {
  return {
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    arch: Deno.build.arch,
    cpus: navigator.hardwareConcurrency,
    cpuModel: await cpuModel(),
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10,
  };
}

/**
 * Trains one (experiment, seed) and stores its record. If the run was
 * interrupted before, it resumes from the last checkpoint (same numbers as
 * an uninterrupted run on the same backend).
 */
export async function trainRun(opts: TrainRunOptions): Promise<RunRecord> {
  const started = new Date();
  const t0 = performance.now();
  const { config, seed, mode } = opts;
  const root = opts.runsRoot ?? defaultRunsRoot();
  const hash = await configHash(config, mode);
  const paths = runPaths(root, mode, opts.experiment, hash, seed);

  const backend = await initBackend(config.backend);
  const engine = resolveEngine(config.model.engine, backend.name);
  const data = opts.data ?? await prepareData(config.data);
  const prepareSeconds = opts.data
    ? data.seconds
    : (performance.now() - t0) / 1000;

  const rng = new RandomState(seed);
  const model = new LstmClassifier(
    config.model,
    data.embeddingRows,
    data.labels.length,
    rng,
    engine,
  );
  try {
    const tTrain = performance.now();
    const result = await fit(model, {
      train: data.train,
      val: data.val,
      config: config.train,
      dropout: config.model.dropout,
      rng,
      callbacks: opts.callbacks,
      checkpointDir: paths.checkpoints,
      resume: opts.resume ?? true,
    });
    const trainSeconds = (performance.now() - tTrain) / 1000;

    const tPred = performance.now();
    const bs = config.train.predictBatchSize;
    const val = await model.evaluate(
      data.val.ids,
      data.val.rows,
      data.val.timesteps,
      data.val.labels,
      bs,
    );
    const k = data.labels.length;
    const confusion = Array.from({ length: k }, () => new Array(k).fill(0));
    data.val.labels.forEach((y, i) => confusion[y][val.predictions[i]]++);
    const test = await model.evaluate(
      data.test.ids,
      data.test.rows,
      data.test.timesteps,
      null,
      bs,
    );
    const predictSeconds = (performance.now() - tPred) / 1000;

    const record: RunRecord = {
      schema: 1,
      experiment: opts.experiment,
      configHash: hash,
      config,
      seed,
      mode,
      versions: {
        lib: LIB_VERSION,
        deno: Deno.version.deno,
        v8: Deno.version.v8,
        typescript: Deno.version.typescript,
        tfjs: tf.version_core,
      },
      backend,
      engine,
      machine: await machineInfo(),
      data: {
        trainRows: data.train.rows,
        valRows: data.val.rows,
        testRows: data.test.rows,
        embeddingRows: data.embeddingRows,
        sequenceLength: data.train.timesteps,
        trainTokens: countTokens(data.train.ids),
      },
      parameters: model.parameterCount,
      history: result.history,
      stopReason: result.stopReason,
      stopMessage: result.stopMessage,
      bestEpoch: result.bestEpoch,
      weightsEpoch: result.weightsEpoch,
      final: {
        valLoss: val.lossSum / data.val.rows,
        valAccuracy: val.correct / data.val.rows,
      },
      labels: [...data.labels],
      confusion,
      testPredictions: data.test.articleIds.map((articleId, i) => ({
        articleId,
        category: data.labels[test.predictions[i]],
      })),
      timings: {
        prepareSeconds,
        trainSeconds,
        predictSeconds,
        totalSeconds: (performance.now() - t0) / 1000,
      },
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
    };
    if (result.resumedFromEpoch !== undefined) {
      record.resumedFromEpoch = result.resumedFromEpoch;
    }
    await writeRun(paths.record, record);
    if (!opts.keepCheckpoints) {
      await Deno.remove(paths.checkpoints, { recursive: true }).catch(() => {});
    }
    return record;
  } finally {
    model.dispose();
  }
}

/** The stored record for (experiment, config, seed, mode), or `null`. */
export async function findRun(
  experiment: string,
  config: ExperimentConfig,
  seed: number,
  mode: RunMode,
  runsRoot: string = defaultRunsRoot(),
): Promise<RunRecord | null> {
  const hash = await configHash(config, mode);
  return await readRun(runPaths(runsRoot, mode, experiment, hash, seed).record);
}

function countTokens(ids: Int32Array): number {
  let n = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] !== 0) n++;
  return n;
}
