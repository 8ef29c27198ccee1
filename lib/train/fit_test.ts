import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { applyDelta, BASE_CONFIG, type ExperimentConfig } from "../config.ts";
import { RandomState } from "../data/random.ts";
import { initBackend } from "../model/backend.ts";
import { LstmClassifier } from "../model/classifier.ts";
import { dropoutMask, fit, type LabelledSequences } from "./fit.ts";

await initBackend("cpu");

/** A small learnable task: the label is the first token's id mod 5. */
function toyData(rows: number, seed: number): LabelledSequences {
  const rng = new RandomState(seed);
  const t = 10;
  const ids = new Int32Array(rows * t);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const len = 3 + rng.interval(t - 3);
    for (let i = 0; i < len; i++) ids[r * t + i] = 1 + rng.interval(38);
    labels[r] = ids[r * t] % 5;
  }
  return { ids, rows, timesteps: t, labels };
}

const CONFIG: ExperimentConfig = applyDelta(BASE_CONFIG, {
  model: { embeddingDim: 8, lstmUnits: 4 },
  train: { batchSize: 16, epochs: 4, patience: 15 },
});

function model(config: ExperimentConfig, seed: number): LstmClassifier {
  return new LstmClassifier(
    config.model,
    40,
    5,
    new RandomState(seed),
    "fused",
  );
}

const train = toyData(48, 1);
const val = toyData(16, 2);

Deno.test("fit() returns a history, learns, and is deterministic for a seed", async () => {
  const runA = model(CONFIG, 0);
  const a = await fit(runA, {
    train,
    val,
    config: CONFIG.train,
    rng: new RandomState(0),
  });
  const runB = model(CONFIG, 0);
  const b = await fit(runB, {
    train,
    val,
    config: CONFIG.train,
    rng: new RandomState(0),
  });
  assert.equal(a.history.length, 4);
  assert.equal(a.stopReason, "completed");
  assert.ok(a.history[3].loss < a.history[0].loss, "training loss falls");
  assert.deepEqual(
    a.history.map(({ seconds: _, ...h }) => h),
    b.history.map(({ seconds: _, ...h }) => h),
  );
  assert.deepEqual(await runA.getWeights(), await runB.getWeights());
  runA.dispose();
  runB.dispose();
});

Deno.test("fit() resumed from a checkpoint ends with the same numbers as an uninterrupted run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = applyDelta(CONFIG, {
      model: { dropout: 0.3 },
      train: { epochs: 3 },
    });
    const straight = model(config, 5);
    const full = await fit(straight, {
      train,
      val,
      config: config.train,
      dropout: 0.3,
      rng: new RandomState(5),
    });
    // Interrupted after epoch 2 (its checkpoint is written before the callback).
    const first = model(config, 5);
    await assert.rejects(
      () =>
        fit(first, {
          train,
          val,
          config: config.train,
          dropout: 0.3,
          rng: new RandomState(5),
          checkpointDir: dir,
          callbacks: {
            onEpochEnd: (r) => {
              if (r.epoch === 2) throw new Error("simulated interruption");
            },
          },
        }),
      /simulated interruption/,
    );
    first.dispose();
    const second = model(config, 99); // different init: the checkpoint must override it
    const resumed = await fit(second, {
      train,
      val,
      config: config.train,
      dropout: 0.3,
      rng: new RandomState(99),
      checkpointDir: dir,
    });
    assert.equal(resumed.resumedFromEpoch, 2);
    const strip = (h: typeof full.history) =>
      h.map(({ seconds: _, ...x }) => x);
    assert.deepEqual(strip(resumed.history), strip(full.history));
    assert.deepEqual(await second.getWeights(), await straight.getWeights());
    straight.dispose();
    second.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fit() stops on a non-finite loss and keeps the last good weights", async () => {
  const m = model(CONFIG, 3);
  let good: Float32Array[] = [];
  const result = await fit(m, {
    train,
    val,
    config: CONFIG.train,
    rng: new RandomState(3),
    callbacks: {
      onEpochEnd: async (r) => {
        if (r.epoch === 2) {
          good = await m.getWeights();
          // Corrupt the dense kernel: the next batch's loss is NaN.
          m.setWeights(
            good.map((w, i) =>
              i === m.variableNames.indexOf("denseKernel")
                ? w.map(() => NaN)
                : w
            ),
          );
        }
      },
    },
  });
  assert.equal(result.stopReason, "nonFinite");
  assert.match(
    result.stopMessage,
    /Training loss became NaN at epoch 3, batch 1\/3; kept the weights from the end of epoch 2/,
  );
  assert.equal(result.weightsEpoch, 2);
  assert.equal(result.history.length, 2);
  assert.deepEqual(await m.getWeights(), good);
  m.dispose();
});

Deno.test("fit() restores the best epoch's weights only when asked", async () => {
  const config = applyDelta(CONFIG, {
    train: { epochs: 6, restoreBestWeights: true, learningRate: 0.05 },
  });
  const m = model(config, 4);
  const r = await fit(m, {
    train,
    val,
    config: config.train,
    rng: new RandomState(4),
  });
  const best = r.history.reduce((b, h) => (h.valLoss < b.valLoss ? h : b));
  assert.equal(r.bestEpoch, best.epoch);
  assert.equal(r.weightsEpoch, best.epoch);
  const ev = await m.evaluate(
    val.ids,
    val.rows,
    val.timesteps,
    val.labels,
    256,
  );
  assert.ok(Math.abs(ev.lossSum / val.rows - best.valLoss) < 1e-5);
  m.dispose();
});

Deno.test("fit() leaks no tensors", async () => {
  const m = model(CONFIG, 6);
  const before = tf.memory().numTensors;
  await fit(m, { train, val, config: CONFIG.train, rng: new RandomState(6) });
  assert.equal(tf.memory().numTensors, before);
  m.dispose();
});

Deno.test("dropoutMask() zeroes about `rate` of the entries and scales the rest by 1/(1-rate)", () => {
  const t = dropoutMask(new RandomState(1), 100, 50, 0.9);
  const v = t.dataSync();
  t.dispose();
  const kept = v.filter((x) => x !== 0);
  assert.ok(kept.every((x) => Math.abs(x - 10) < 1e-5));
  assert.ok(Math.abs(kept.length / v.length - 0.1) < 0.02, `${kept.length}`);
});
