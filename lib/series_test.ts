import assert from "node:assert/strict";
import { experiment } from "./experiments.ts";
import { modeConfig, QUICK, seriesSettings } from "./series.ts";

function env(vars: Record<string, string>) {
  return { get: (k: string) => vars[k] };
}

Deno.test("seriesSettings() reads mode, seeds and retrain with quick-mode defaults", () => {
  const full = seriesSettings(env({ BBC_RUNS_DIR: "/tmp/r" }));
  assert.deepEqual(full, {
    mode: "full",
    seeds: [0, 1, 2],
    retrain: false,
    runsRoot: "/tmp/r",
  });
  const quick = seriesSettings(
    env({ BBC_MODE: "quick", BBC_RETRAIN: "1", BBC_RUNS_DIR: "/tmp/r" }),
  );
  assert.deepEqual(quick.seeds, [0]);
  assert.equal(quick.retrain, true);
  assert.deepEqual(seriesSettings(env({ BBC_SEEDS: "5, 7" })).seeds, [5, 7]);
});

Deno.test("seriesSettings() names a bad mode or seed", () => {
  assert.throws(
    () => seriesSettings(env({ BBC_MODE: "fast" })),
    /BBC_MODE must be "full" or "quick": current value is "fast"/,
  );
  assert.throws(
    () => seriesSettings(env({ BBC_SEEDS: "1,x" })),
    /"x" in "1,x" is not/,
  );
});

Deno.test("modeConfig() keeps full configs and shrinks quick ones", () => {
  const exp = experiment("04");
  assert.equal(modeConfig(exp.config, "full"), exp.config);
  const q = modeConfig(exp.config, "quick");
  assert.equal(q.data.limit, QUICK.rows);
  assert.equal(q.train.epochs, QUICK.epochs);
  assert.equal(q.model.masking, "none");
});
