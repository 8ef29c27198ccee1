import assert from "node:assert/strict";
import { upstreamRun } from "../upstream/mod.ts";
import { earlyStoppingStep, initialEarlyStopping } from "./early_stopping.ts";

function stopEpoch(
  valLosses: number[],
  patience: number | null,
): number | null {
  let state = initialEarlyStopping(patience);
  for (let i = 0; i < valLosses.length; i++) {
    const r = earlyStoppingStep(state, i + 1, valLosses[i]);
    state = r.state;
    if (r.stop) return i + 1;
  }
  return null;
}

Deno.test("earlyStoppingStep() stops where Keras and the upstream loop stopped on their own val-loss histories", () => {
  // Histories as printed in the upstream notebooks (lib/upstream, from
  // ../shared/reference/upstream-results.json). Keras' EarlyStopping(
  // monitor="val_loss", patience=15) ended these runs after the printed last
  // epoch; the PyTorch loop printed "Early stopping triggered" for Exp 5 and 6.
  const cases: [string, number | null][] = [
    ["keras_main", 42],
    ["keras_postpad_mask", 31],
    ["keras_textvec_mask", 24],
    ["keras_hf_mask", 21],
    ["torch_exp5_nopack_init_fb", 40],
    ["torch_exp6_pack_init", 36],
    ["torch_exp1_cpu_plain", null], // ran all 60 epochs
    ["torch_exp4_pack_init_fb", null],
  ];
  for (const [id, expected] of cases) {
    const losses = upstreamRun(id).history.map((h) => h.valLoss!);
    assert.equal(stopEpoch(losses, 15), expected, id);
  }
});

Deno.test("earlyStoppingStep() needs a strict improvement and counts the wait", () => {
  let s = initialEarlyStopping(2);
  let r = earlyStoppingStep(s, 1, 1.0);
  assert.deepEqual(r, {
    state: { bestValLoss: 1.0, bestEpoch: 1, wait: 0, patience: 2 },
    improved: true,
    stop: false,
  });
  s = r.state;
  r = earlyStoppingStep(s, 2, 1.0); // equal is not an improvement (min_delta 0)
  assert.equal(r.improved, false);
  assert.equal(r.state.wait, 1);
  assert.equal(r.stop, false);
  r = earlyStoppingStep(r.state, 3, 1.5);
  assert.equal(r.stop, true);
  assert.equal(r.state.bestEpoch, 1);
});

Deno.test("earlyStoppingStep() never stops with patience null; with patience 0 it stops at the first non-improving epoch", () => {
  assert.equal(stopEpoch([3, 2, 4, 5, 6, 7], null), null);
  // Keras: an improving epoch returns before the patience check.
  assert.equal(stopEpoch([3, 2, 4], 0), 3);
});
