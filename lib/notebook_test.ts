import assert from "node:assert/strict";
import { experiment } from "./experiments.ts";
import {
  backendShortfall,
  conclusion,
  showLessons,
  withShortfall,
} from "./notebook.ts";
import type { BackendRecord, RunRecord } from "./train/record.ts";
import { configHash, runPaths, writeRun } from "./train/run_store.ts";

/** A record with only the fields the summary tables read. */
function fakeRun(
  seed: number,
  finalAcc: number,
  backend: BackendRecord,
): RunRecord {
  return {
    seed,
    backend,
    final: { valAccuracy: finalAcc, valLoss: 1 },
    history: [{ valAccuracy: finalAcc }],
  } as unknown as RunRecord;
}

const WASM_AUTO: BackendRecord = {
  requested: "auto",
  name: "wasm",
  detail: "wasm",
  fallback: "no CUDA; running wasm instead",
};
const GPU_MISSED: BackendRecord = {
  requested: "gpu",
  name: "wasm",
  detail: "wasm",
  fallback: "no CUDA and no hardware WebGPU; running wasm instead",
};

Deno.test("backendShortfall() names a requested backend that did not run, never 'auto'", () => {
  assert.equal(backendShortfall([fakeRun(0, 0.5, WASM_AUTO)]), null);
  assert.equal(
    backendShortfall([fakeRun(0, 0.5, { ...GPU_MISSED, fallback: undefined })]),
    null,
  );
  assert.equal(
    backendShortfall([
      fakeRun(0, 0.5, GPU_MISSED),
      fakeRun(1, 0.5, GPU_MISSED),
    ]),
    "asked for gpu, ran on wasm",
  );
  const ranOnGpu = { requested: "gpu", name: "webgpu", detail: "" };
  assert.equal(
    backendShortfall([fakeRun(0, 0.5, GPU_MISSED), fakeRun(1, 0.5, ranOnGpu)]),
    "asked for gpu, ran on wasm (1 of 2 runs)",
  );
  assert.equal(
    withShortfall("backend: GPU", [fakeRun(0, 0.5, GPU_MISSED)]),
    "backend: GPU [asked for gpu, ran on wasm]",
  );
  assert.equal(withShortfall("x", [fakeRun(0, 0.5, WASM_AUTO)]), "x");
});

Deno.test("showLessons() does not call a backend toggle measured when the backend fell back", () => {
  const runs = (b: BackendRecord) => [0, 1, 2].map((s) => fakeRun(s, 0.6, b));
  const rows = [
    { exp: experiment("04_torch_parity_1"), runs: runs(WASM_AUTO) },
    { exp: experiment("05_torch_parity_2"), runs: runs(GPU_MISSED) },
  ];
  const text = showLessons(rows).text;
  assert.match(text, /not tested here: asked for gpu, ran on wasm/);
  const row = text.split("\n").find((l) => l.startsWith("GPU backend"));
  assert.ok(row, text);
  assert.doesNotMatch(row, /within the seed-to-seed spread|clear/);
});

Deno.test("conclusion() says a backend toggle was not measured when the backend fell back", async () => {
  const root = await Deno.makeTempDir();
  try {
    const base = experiment("04_torch_parity_1");
    const hash = await configHash(base.config, "full");
    for (const seed of [0, 1]) {
      const rec = {
        ...fakeRun(seed, 0.6, WASM_AUTO),
        schema: 1,
        experiment: base.id,
        configHash: hash,
        stopReason: "completed",
      } as unknown as RunRecord;
      await writeRun(
        runPaths(root, "full", base.id, hash, seed).record,
        rec,
      );
    }
    const runs = [0, 1].map((seed) =>
      ({
        ...fakeRun(seed, 0.6, GPU_MISSED),
        history: [{ valAccuracy: 0.6, loss: 1 }],
        stopReason: "completed",
      }) as unknown as RunRecord
    );
    const out = await conclusion(experiment("05_torch_parity_2"), runs, {
      mode: "full",
      seeds: [0, 1],
      retrain: false,
      runsRoot: root,
    });
    assert.match(
      out.text,
      /not a measurement of the backend, which did not change here \(asked for gpu, ran on wasm\)/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
