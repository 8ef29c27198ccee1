// deno-lint-ignore-file no-console
// (A benchmark script: printing its table is its job.)

/**
 * `deno task gpu-check [--software] [--steps N] [--rows N] [--json FILE]`:
 * the short prepared check for a machine with a GPU. It reports which tfjs
 * backends load, trains a few steps of experiment 01 (post-padding + mask,
 * LSTM 64) from the same seed on the CPU reference (wasm) and on every GPU
 * backend that loads, compares the losses and validation logits, and times
 * one full epoch (1192 training + 298 validation articles) on each GPU
 * backend. `--software` also checks WebGPU on a software adapter (llvmpipe):
 * correctness only, it is slow. Writes the results as JSON to `--json` or
 * `$OUT/gpu_check.json` when `$OUT` is set.
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import { experiment } from "../lib/experiments.ts";
import { RandomState } from "../lib/data/random.ts";
import { Adam } from "../lib/model/adam.ts";
import {
  type BackendInfo,
  initBackend,
  probeNativeTensorflow,
  probeWebGpu,
} from "../lib/model/backend.ts";
import { LstmClassifier } from "../lib/model/classifier.ts";
import { resolveEngine } from "../lib/model/lstm.ts";
import { fit } from "../lib/train/fit.ts";
import { prepareData } from "../lib/train/prepare.ts";
import type { BackendName } from "../lib/config.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    software: { type: "boolean", default: false },
    steps: { type: "string", default: "3" },
    rows: { type: "string", default: "64" },
    json: { type: "string" },
    "skip-epoch": { type: "boolean", default: false },
  },
});
const steps = Number(values.steps);
const rows = Number(values.rows);
const exp = experiment("01_post_padding");
const data = await prepareData(exp.config.data);
const t = data.train.timesteps;

interface Probe {
  logits: Float32Array;
  losses: number[];
  backend: BackendInfo;
  engine: string;
}

/** The experiment's model with seed-0 weights, on the engine that suits `backend`. */
function freshModel(
  backend: BackendInfo,
): { model: LstmClassifier; engine: string } {
  const engine = resolveEngine(exp.config.model.engine, backend.name);
  const model = new LstmClassifier(
    exp.config.model,
    data.embeddingRows,
    5,
    new RandomState(0),
    engine,
  );
  return { model, engine };
}

/** `steps` Adam steps on the first `rows` training rows, then logits of the first `rows` validation rows. */
async function probe(backend: BackendInfo): Promise<Probe> {
  const { model, engine } = freshModel(backend);
  const adam = new Adam(model.variables, { epsilon: exp.config.train.epsilon });
  const batch = {
    ids: data.train.ids.subarray(0, rows * t),
    batch: rows,
    timesteps: t,
  };
  const labels = data.train.labels.subarray(0, rows);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const r = await model.gradients(batch, labels, null);
    adam.apply(r.grads);
    tf.dispose(r.grads);
    losses.push(r.loss);
  }
  const vt = data.val.timesteps;
  const z = model.logits({
    ids: data.val.ids.subarray(0, rows * vt),
    batch: rows,
    timesteps: vt,
  }, null);
  const logits = await z.data() as Float32Array;
  z.dispose();
  adam.dispose();
  model.dispose();
  return { logits: logits.slice(), losses, backend, engine };
}

async function epochSeconds(backend: BackendInfo): Promise<number> {
  const { model } = freshModel(backend);
  const t0 = performance.now();
  await fit(model, {
    train: data.train,
    val: data.val,
    config: { ...exp.config.train, epochs: 1 },
    rng: new RandomState(0),
  });
  model.dispose();
  return (performance.now() - t0) / 1000;
}

console.log(
  `gpu-check: Deno ${Deno.version.deno}, tfjs ${tf.version_core}, ${navigator.hardwareConcurrency} CPUs`,
);
const native = probeNativeTensorflow();
console.log(
  `native TensorFlow: ${
    native.length === 0
      ? "not installed"
      : native.map((p) =>
        `${p.pkg} ${p.version} (binding ${p.binding ? "present" : "missing"})`
      ).join("; ")
  }`,
);
const web = await probeWebGpu();
console.log(
  `WebGPU: ${
    web.available
      ? `${web.description}${web.software ? " (software adapter)" : ""}`
      : web.description
  }`,
);

const reference = await probe(await initBackend("wasm"));
console.log(
  `reference: ${reference.backend.name}/${reference.engine}, losses ${
    reference.losses.map((l) => l.toFixed(5)).join(", ")
  }`,
);

const candidates: BackendName[] = ["tensorflow", "webgpu"];
const results: Record<string, unknown>[] = [];
for (const name of candidates) {
  if (name === "tensorflow" && native.every((p) => p.binding === null)) {
    results.push({ backend: name, loaded: false, reason: "not installed" });
    continue;
  }
  if (
    name === "webgpu" && (!web.available || (web.software && !values.software))
  ) {
    results.push({
      backend: name,
      loaded: false,
      reason: web.available
        ? `software adapter only (${web.description}); pass --software to check it`
        : web.description,
    });
    continue;
  }
  const info = await initBackend(name);
  if (info.name !== name) {
    results.push({ backend: name, loaded: false, reason: info.fallback });
    continue;
  }
  const p = await probe(info);
  let maxLogit = 0;
  p.logits.forEach((
    v,
    i,
  ) => (maxLogit = Math.max(maxLogit, Math.abs(v - reference.logits[i]))));
  const maxLoss = Math.max(
    ...p.losses.map((l, i) => Math.abs(l - reference.losses[i])),
  );
  const epoch = values["skip-epoch"] ? null : await epochSeconds(info);
  results.push({
    backend: name,
    loaded: true,
    detail: info.detail,
    engine: p.engine,
    maxLossDiff: maxLoss,
    maxLogitDiff: maxLogit,
    agrees: maxLoss < 1e-3 && maxLogit < 1e-3,
    epochSeconds: epoch,
  });
}
const cpuEpoch = values["skip-epoch"]
  ? null
  : await epochSeconds(await initBackend("wasm"));

console.log(
  `\n| backend | loads | engine | max |Δloss| (${steps} steps) | max |Δlogit| | agrees (1e-3) | s/epoch |`,
);
console.log("|---|---|---|---|---|---|---|");
console.log(
  `| wasm (CPU reference) | yes | ${reference.engine} | 0 | 0 | — | ${
    cpuEpoch?.toFixed(1) ?? "—"
  } |`,
);
for (const r of results) {
  if (!r.loaded) console.log(`| ${r.backend} | no: ${r.reason} | | | | | |`);
  else {
    console.log(
      `| ${r.backend} | yes | ${r.engine} | ${
        (r.maxLossDiff as number).toExponential(2)
      } | ${(r.maxLogitDiff as number).toExponential(2)} | ${
        r.agrees ? "yes" : "NO"
      } | ${(r.epochSeconds as number | null)?.toFixed(1) ?? "—"} |`,
    );
  }
}
const out = values.json ??
  (Deno.env.get("OUT") ? `${Deno.env.get("OUT")}/gpu_check.json` : null);
if (out) {
  await Deno.writeTextFile(
    out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        steps,
        rows,
        reference: { losses: reference.losses, backend: reference.backend },
        cpuEpoch,
        results,
      },
      null,
      1,
    ),
  );
  console.log(`wrote ${out}`);
}
