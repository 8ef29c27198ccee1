import assert from "node:assert/strict";
import {
  applyDelta,
  BASE_CONFIG,
  ConfigError,
  validateConfig,
} from "./config.ts";

Deno.test("applyDelta() changes only the named options and leaves the base intact", () => {
  const c = applyDelta(BASE_CONFIG, {
    model: { lstmUnits: 16 },
    backend: "cpu",
  });
  assert.equal(c.model.lstmUnits, 16);
  assert.equal(c.backend, "cpu");
  assert.equal(c.model.embeddingDim, 500);
  assert.equal(BASE_CONFIG.model.lstmUnits, 64);
  assert.equal(BASE_CONFIG.backend, "auto");
});

Deno.test("applyDelta() rejects unknown sections and options, naming them", () => {
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => applyDelta(BASE_CONFIG, { modle: {} } as any),
    (e: Error) =>
      e instanceof ConfigError &&
      /Unknown config section "modle"/.test(e.message),
  );
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => applyDelta(BASE_CONFIG, { model: { lstmUnit: 16 } } as any),
    /Unknown option "model\.lstmUnit": expected one of embeddingDim, lstmUnits/,
  );
});

Deno.test("validateConfig() names the option and the value that is out of range", () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [
      { model: { dropout: 1 } },
      /"model\.dropout" must be in \[0, 1\): current value is 1/,
    ],
    [
      { model: { masking: "pack" } },
      /"model\.masking" must be one of "mask", "none": current value is "pack"/,
    ],
    [
      { train: { batchSize: 0 } },
      /"train\.batchSize" must be a positive integer: current value is 0/,
    ],
    [
      { train: { patience: -1 } },
      /"train\.patience" must be null or an integer ≥ 0/,
    ],
    [{ data: { tokenizer: "spacy" } }, /"data\.tokenizer" must be one of/],
    [
      { model: { paddingIdx: 1.5 } },
      /"model\.paddingIdx" must be null or a non-negative integer/,
    ],
    [{ backend: "tpu" }, /"backend" must be one of/],
  ];
  for (const [delta, re] of bad) {
    assert.throws(
      () => applyDelta(BASE_CONFIG, delta),
      re,
      JSON.stringify(delta),
    );
  }
  validateConfig(BASE_CONFIG);
});
