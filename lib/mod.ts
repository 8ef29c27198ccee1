/**
 * The library behind the notebooks: one import for everything a notebook
 * uses (`import * as lab from "@lab/mod.ts"`). Layers, bottom to top:
 * `config` and `data/` (assets, loading, split, random), `text/` (cleaning,
 * tokenizers, padding), `model/` (backends, kernels, LSTM, init,
 * classifier, Adam), `train/` (prepare, fit, run, run store), `report/`
 * (charts, tables, progress), then `experiments` (the registry), `series`
 * (modes, seeds, train-or-load) and `notebook` (what each section shows).
 *
 * @module
 */

export * from "./config.ts";
export { diffConfigs, experiment, experiments } from "./experiments.ts";
export type { Experiment } from "./experiments.ts";
export * from "./series.ts";
export * from "./notebook.ts";
export { prepareData } from "./train/prepare.ts";
export type { PreparedData } from "./train/prepare.ts";
export type { EpochRecord, RunRecord } from "./train/record.ts";
export { loadLabelled, loadTest } from "./data/load.ts";
export { upstreamRun, upstreamRuns } from "./upstream/mod.ts";
export { LIB_VERSION } from "./version.ts";
