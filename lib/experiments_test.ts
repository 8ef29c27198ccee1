import assert from "node:assert/strict";
import { BASE_CONFIG } from "./config.ts";
import { diffConfigs, experiment, experiments } from "./experiments.ts";
import { upstreamRun } from "./upstream/mod.ts";

Deno.test("the registry holds the numbered series with resolvable bases and upstream runs", () => {
  const ids = experiments().map((e) => e.number);
  assert.deepEqual(ids, [
    "00",
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "11",
    "13",
  ]);
  for (const e of experiments()) {
    if (e.base) assert.ok(experiment(e.base), `${e.id} base`);
    for (const u of e.upstream) {
      assert.ok(upstreamRun(u), `${e.id} upstream ${u}`);
    }
    assert.ok(e.id.startsWith(`${e.number}_`));
  }
  assert.equal(experiment("04").id, "04_torch_parity_1");
  assert.throws(() => experiment("99"), /Unknown experiment "99"/);
});

Deno.test("each experiment changes exactly its delta from its base", () => {
  for (const e of experiments()) {
    const base = e.base ? experiment(e.base).config : BASE_CONFIG;
    const changed = diffConfigs(base, e.config).map(([k]) => k).sort();
    const declared = Object.entries(e.delta).flatMap(([s, v]) =>
      typeof v === "object" && v !== null
        ? Object.entries(v).filter(([k, x]) =>
          JSON.stringify(
            (base as unknown as Record<string, Record<string, unknown>>)[s][k],
          ) !==
            JSON.stringify(x)
        ).map(([k]) => `${s}.${k}`)
        : [s]
    ).sort();
    assert.deepEqual(changed, declared, e.id);
    assert.ok(changed.length > 0, `${e.id} changes nothing`);
  }
});

Deno.test("01 is the library's base config, and the PyTorch toggles land where upstream put them", () => {
  assert.deepEqual(experiment("01").config, BASE_CONFIG);
  const c04 = experiment("04").config;
  assert.equal(c04.model.masking, "none");
  assert.equal(c04.model.paddingIdx, 1);
  assert.equal(c04.model.init, "torch");
  assert.equal(c04.model.biasVectors, 2);
  assert.equal(c04.model.output, "doubleSoftmax");
  assert.equal(c04.train.adamFormula, "torch");
  assert.equal(c04.train.epsilon, 1e-7);
  assert.equal(c04.data.tokenizer, "bert");
  const c07 = experiment("07").config;
  assert.equal(c07.model.masking, "mask");
  assert.equal(c07.model.paddingIdx, 0);
  assert.equal(c07.model.init, "kerasLike");
  assert.equal(c07.model.forgetBias, 1);
  assert.equal(experiment("08").config.model.paddingIdx, 1);
  assert.equal(experiment("10").config.model.init, "torch");
  assert.equal(experiment("11").config.model.output, "logits");
  assert.equal(experiment("13").config.train.epsilon, 1e-8);
  const c00 = experiment("00").config;
  assert.deepEqual(
    [
      c00.data.padding,
      c00.model.masking,
      c00.model.lstmUnits,
      c00.model.dropout,
    ],
    ["pre", "none", 16, 0.9],
  );
});
