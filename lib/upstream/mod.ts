/**
 * The upstream's saved results (alvinrach/learn-ai-bbc), distilled by
 * `tools/extract_upstream.ts` from the team's reference: per-epoch histories
 * and best/final figures of every run our notebooks mirror. Every number is
 * as printed by the upstream notebooks (single, unseeded runs).
 *
 * @module
 */

import data from "./upstream.json" with { type: "json" };

/** One upstream epoch; PyTorch runs printed no training accuracy (`null`). */
export interface UpstreamEpoch {
  epoch: number;
  loss: number | null;
  accuracy: number | null;
  valLoss: number | null;
  valAccuracy: number | null;
}

/** One saved upstream training run. */
export interface UpstreamRun {
  id: string;
  label: string;
  /** Notebook path in the upstream repository. */
  notebook: string;
  framework: "keras" | "pytorch";
  epochs: number;
  bestValAccuracy: number;
  /** First epoch reaching the best validation accuracy (1-based). */
  bestEpoch: number;
  finalValAccuracy: number;
  finalValLoss: number;
  minValLoss: number;
  history: UpstreamEpoch[];
}

/** Where the numbers come from, and how to read them. */
export const UPSTREAM_SOURCE: string = data.source;
/** Caveat on comparing losses across frameworks. */
export const UPSTREAM_NOTE: string = data.note;

const RUNS = new Map<string, UpstreamRun>(
  (data.runs as UpstreamRun[]).map((r) => [r.id, r]),
);

/** The upstream run with this id; throws naming the known ids otherwise. */
export function upstreamRun(id: string): UpstreamRun {
  const run = RUNS.get(id);
  if (!run) {
    throw new RangeError(
      `Unknown upstream run "${id}": expected one of ${
        [...RUNS.keys()].join(", ")
      }`,
    );
  }
  return run;
}

/** Every upstream run, in the order of the series. */
export function upstreamRuns(): UpstreamRun[] {
  return [...RUNS.values()];
}
