import assert from "node:assert/strict";
import type { EpochRecord } from "../train/record.ts";
import type { JupyterBroadcaster } from "./display.ts";
import {
  formatEpochLine,
  nextStatus,
  type ProgressContext,
  ProgressReporter,
} from "./progress.ts";

const CONTEXT: ProgressContext = {
  experiment: "01_post_padding",
  seed: 1,
  epochs: 60,
  patience: 15,
};

/** Fabricated epochs (a test fixture, not real results). */
function epoch(n: number, valLoss: number): EpochRecord {
  return {
    epoch: n,
    loss: 1 / n,
    accuracy: 0.5 + n / 100,
    valLoss,
    valAccuracy: 0.4 + n / 100,
    seconds: 12.34,
  };
}

/** Records what would be sent on IOPub. */
class FakeKernel implements JupyterBroadcaster {
  messages: { type: string; content: Record<string, unknown> }[] = [];
  broadcast(type: string, content: Record<string, unknown>): Promise<void> {
    this.messages.push({ type, content: structuredClone(content) });
    return Promise.resolve();
  }
}

Deno.test("formatEpochLine() prints fixed precision and best/patience", () => {
  const first = nextStatus(undefined, epoch(3, 0.25));
  assert.equal(
    formatEpochLine(CONTEXT, epoch(3, 0.25), first),
    "01_post_padding seed 1  epoch  3/60  loss 0.3333  acc 0.5300  val_loss 0.2500  val_acc 0.4300  12.3 s  best",
  );
  const worse = nextStatus(first, epoch(4, 0.3));
  assert.match(
    formatEpochLine(CONTEXT, epoch(4, 0.3), worse),
    /patience 1\/15$/,
  );
  assert.match(
    formatEpochLine({ ...CONTEXT, patience: null }, epoch(4, 0.3), worse),
    /no improvement for 1$/,
  );
});

Deno.test("nextStatus() counts epochs since the lowest validation loss", () => {
  let s = nextStatus(undefined, epoch(1, 0.5));
  s = nextStatus(s, epoch(2, 0.4));
  s = nextStatus(s, epoch(3, 0.4)); // equal is not an improvement (Keras)
  s = nextStatus(s, epoch(4, NaN)); // NaN never is
  assert.deepEqual(s, { bestEpoch: 2, bestValLoss: 0.4, wait: 2 });
});

Deno.test("ProgressReporter outside Jupyter hands one line per epoch to onLine", async () => {
  const lines: string[] = [];
  const p = new ProgressReporter(CONTEXT, { onLine: (l) => lines.push(l) });
  assert.equal(p.live, false);
  await p.update(epoch(1, 0.5));
  await p.update(epoch(2, 0.6));
  await p.finish("early stopping at epoch 2");
  assert.equal(lines.length, 3);
  assert.match(lines[0], /epoch {2}1\/60 .* best$/);
  assert.match(lines[1], /epoch {2}2\/60 .* patience 1\/15$/);
  assert.equal(lines[2], "01_post_padding seed 1: early stopping at epoch 2");
  assert.deepEqual(p.status, { bestEpoch: 1, bestValLoss: 0.5, wait: 1 });
});

Deno.test("ProgressReporter in Jupyter creates one display and updates it in place", async () => {
  const kernel = new FakeKernel();
  const p = new ProgressReporter(CONTEXT, { kernel });
  assert.equal(p.live, true);
  for (let n = 1; n <= 3; n++) await p.update(epoch(n, 1 / n));
  await p.finish("done");
  assert.deepEqual(kernel.messages.map((m) => m.type), [
    "display_data",
    "update_display_data",
    "update_display_data",
    "update_display_data",
  ]);
  const ids = new Set(
    kernel.messages.map((m) =>
      (m.content.transient as { display_id: string }).display_id
    ),
  );
  assert.deepEqual([...ids], [p.displayId]);
  const last = kernel.messages.at(-1)!.content.data as Record<string, string>;
  assert.match(
    last["text/html"],
    /01_post_padding seed 1: epoch 3\/60 · 37\.0 s/,
  );
  assert.match(
    last["text/html"],
    /best val_loss 0\.3333 at epoch 3 · patience 0\/15 · done/,
  );
  assert.match(last["text/html"], /width:5\.0%/); // 3 of 60 epochs
  // Newest epoch first in the table.
  const html = last["text/html"];
  assert.ok(html.indexOf(">0.3333<") < html.indexOf(">0.5000<"));
  assert.match(last["text/plain"], /^01_post_padding seed 1: epoch 3\/60/);
});

Deno.test("ProgressReporter rejects bad contexts, epochs and live: true outside Jupyter", async () => {
  assert.throws(
    () => new ProgressReporter({ ...CONTEXT, epochs: 0 }),
    /context\.epochs must be a positive integer: current value is 0/,
  );
  assert.throws(
    () => new ProgressReporter(CONTEXT, { live: true }),
    /live: true needs the Deno Jupyter kernel/,
  );
  const p = new ProgressReporter(CONTEXT, { live: false });
  await p.update(epoch(1, 1));
  await assert.rejects(
    () => p.update(epoch(1, 1)),
    /epoch 1 must be an integer in 2\.\.60/,
  );
  await assert.rejects(() => p.update(epoch(61, 1)), /epoch 61 must be/);
});

Deno.test("ProgressReporter does not keep references to the caller's records", async () => {
  const p = new ProgressReporter(CONTEXT, { live: false });
  const e = epoch(1, 0.5);
  await p.update(e);
  e.loss = 99;
  assert.equal(p.epochs[0].loss, 1);
});
