/**
 * Training progress, shown two ways from the same per-epoch records:
 *
 * - inside the Deno Jupyter kernel, one live output that updates in place
 *   (`display_data` with a `display_id`, then `update_display_data`, sent
 *   with `Deno.jupyter.broadcast`): epoch n/N, loss, accuracy, validation
 *   loss/accuracy, seconds, best epoch and patience, plus the epochs so far;
 * - elsewhere, one fixed-precision line per epoch handed to the caller's
 *   `onLine` callback (the library itself prints nothing).
 *
 * The best/patience figures are for display only: they follow Keras'
 * `EarlyStopping(monitor="val_loss")` rule (an epoch is an improvement when
 * its validation loss is strictly lower than the best so far; `min_delta` 0)
 * but do not stop anything. The training loop decides when to stop.
 *
 * @module
 */

import type { EpochRecord } from "../train/record.ts";
import {
  escapeHtml,
  HtmlOutput,
  type JupyterBroadcaster,
  jupyterKernel,
} from "./display.ts";
import { fixed } from "./stats.ts";
import { table } from "./table.ts";

/** What the reporter needs to know about the run besides its epochs. */
export interface ProgressContext {
  /** Experiment id, e.g. "01_post_padding". */
  experiment: string;
  seed: number;
  /** Maximum epochs (the N of "epoch n/N"). */
  epochs: number;
  /** Early-stopping patience in epochs; `null` when it is off. */
  patience: number | null;
}

/** Best-so-far bookkeeping after an epoch (display only). */
export interface ProgressStatus {
  /** Epoch with the lowest validation loss so far. */
  bestEpoch: number;
  /** That validation loss. */
  bestValLoss: number;
  /** Epochs since `bestEpoch` (0 when this epoch is the best). */
  wait: number;
}

/** Options of {@link ProgressReporter}. */
export interface ProgressOptions {
  /**
   * Receives one line per epoch (see {@link formatEpochLine}) whenever the
   * live Jupyter display is not used, e.g. `(l) => console.log(l)` in a CLI.
   * @default none
   */
  onLine?: (line: string) => void;
  /**
   * `"auto"` uses the live display when running inside the Deno kernel;
   * `false` never does; `true` requires it (throws outside the kernel).
   * @default "auto"
   */
  live?: "auto" | boolean;
  /**
   * The `Deno.jupyter`-like object to publish through. Tests pass a fake;
   * normally found at run time. @default `Deno.jupyter` when present
   */
  kernel?: JupyterBroadcaster;
  /** Rows of the epoch table in the live display, newest first. @default 12 */
  tableRows?: number;
}

/** Updates `status` with one more epoch, Keras' early-stopping rule. */
export function nextStatus(
  prev: ProgressStatus | undefined,
  epoch: EpochRecord,
): ProgressStatus {
  // NaN compares false, so a diverged epoch never becomes the best.
  if (prev === undefined) {
    return Number.isNaN(epoch.valLoss)
      ? { bestEpoch: 0, bestValLoss: Infinity, wait: 1 }
      : { bestEpoch: epoch.epoch, bestValLoss: epoch.valLoss, wait: 0 };
  }
  return epoch.valLoss < prev.bestValLoss
    ? { bestEpoch: epoch.epoch, bestValLoss: epoch.valLoss, wait: 0 }
    : { ...prev, wait: prev.wait + 1 };
}

/**
 * The one-line summary of an epoch, fixed precision (4 decimals for losses
 * and accuracies, 1 for seconds), e.g.
 * `01_post_padding seed 1  epoch  3/60  loss 0.1234  acc 0.9876  val_loss 0.2345  val_acc 0.9564  12.3 s  best`
 * The last field is `best` when this epoch improved the validation loss,
 * else `patience k/P` (or `no improvement for k` when patience is off).
 */
export function formatEpochLine(
  context: ProgressContext,
  epoch: EpochRecord,
  status: ProgressStatus,
): string {
  const width = String(context.epochs).length;
  const tail = status.wait === 0
    ? "best"
    : context.patience === null
    ? `no improvement for ${status.wait}`
    : `patience ${status.wait}/${context.patience}`;
  return [
    `${context.experiment} seed ${context.seed}`,
    `epoch ${String(epoch.epoch).padStart(width)}/${context.epochs}`,
    `loss ${fixed(epoch.loss)}`,
    `acc ${fixed(epoch.accuracy)}`,
    `val_loss ${fixed(epoch.valLoss)}`,
    `val_acc ${fixed(epoch.valAccuracy)}`,
    `${fixed(epoch.seconds, 1)} s`,
    tail,
  ].join("  ");
}

function validateContext(c: ProgressContext): void {
  if (!Number.isInteger(c.epochs) || c.epochs <= 0) {
    throw new Error(
      `ProgressReporter: context.epochs must be a positive integer: current value is ${c.epochs}`,
    );
  }
  if (
    c.patience !== null && (!Number.isInteger(c.patience) || c.patience < 0)
  ) {
    throw new Error(
      `ProgressReporter: context.patience must be null or a non-negative integer: current value is ${c.patience}`,
    );
  }
}

/**
 * Collects a run's epochs and shows them: live in Jupyter, or as lines via
 * `onLine`. Call {@link ProgressReporter.update} after every epoch (and await
 * it: an un-awaited publish can outlive the cell and be lost) and
 * {@link ProgressReporter.finish} at the end.
 *
 * @example
 * ```ts
 * const progress = new ProgressReporter(
 *   { experiment: "01_post_padding", seed: 1, epochs: 60, patience: 15 },
 *   { onLine: (l) => console.log(l) },
 * );
 * // in the loop: await progress.update(epochRecord);
 * ```
 */
export class ProgressReporter {
  /** The run this reporter follows. */
  readonly context: ProgressContext;
  /** The Jupyter `display_id` of the live output. */
  readonly displayId: string;
  readonly #options: ProgressOptions;
  readonly #kernel: JupyterBroadcaster | undefined;
  readonly #epochs: EpochRecord[] = [];
  #status: ProgressStatus | undefined;
  #shown = false;
  #footer = "";

  /** Throws when `context` is malformed or `live: true` outside Jupyter. */
  constructor(context: ProgressContext, options: ProgressOptions = {}) {
    validateContext(context);
    this.context = { ...context };
    this.#options = options;
    const live = options.live ?? "auto";
    const kernel = live === false
      ? undefined
      : options.kernel ?? jupyterKernel();
    if (live === true && kernel === undefined) {
      throw new Error(
        "ProgressReporter: live: true needs the Deno Jupyter kernel (Deno.jupyter is not available here)",
      );
    }
    this.#kernel = kernel;
    this.displayId = `bbc-progress-${crypto.randomUUID()}`;
  }

  /** Whether updates go to a live Jupyter display (else to `onLine`). */
  get live(): boolean {
    return this.#kernel !== undefined;
  }

  /** Epochs received so far (copies, in order). */
  get epochs(): EpochRecord[] {
    return this.#epochs.map((e) => ({ ...e }));
  }

  /** Best-so-far status after the last epoch; undefined before the first. */
  get status(): ProgressStatus | undefined {
    return this.#status && { ...this.#status };
  }

  /**
   * Records one epoch and shows it. Throws when the epoch number is not an
   * integer in 1..epochs or does not follow the previous one.
   */
  async update(epoch: EpochRecord): Promise<void> {
    const last = this.#epochs.at(-1)?.epoch ?? 0;
    if (
      !Number.isInteger(epoch.epoch) || epoch.epoch <= last ||
      epoch.epoch > this.context.epochs
    ) {
      throw new Error(
        `ProgressReporter.update(): epoch ${epoch.epoch} must be an integer in ${
          last + 1
        }..${this.context.epochs} (after epoch ${last})`,
      );
    }
    this.#epochs.push({ ...epoch });
    this.#status = nextStatus(this.#status, epoch);
    if (this.#kernel) {
      await this.#publish();
    } else {
      this.#options.onLine?.(
        formatEpochLine(this.context, epoch, this.#status),
      );
    }
  }

  /**
   * Marks the run finished with a closing note (e.g. "early stopping at
   * epoch 31"). Updates the live display, or sends the note to `onLine`.
   */
  async finish(note = "finished"): Promise<void> {
    this.#footer = note;
    if (this.#kernel) await this.#publish();
    else this.#options.onLine?.(`${this.#title()}: ${note}`);
  }

  /** The current view, as the live display shows it. */
  render(): HtmlOutput {
    const c = this.context;
    const done = this.#epochs.at(-1)?.epoch ?? 0;
    const seconds = this.#epochs.reduce((a, e) => a + e.seconds, 0);
    const s = this.#status;
    const best = s === undefined || s.bestEpoch === 0
      ? "best: —"
      : `best val_loss ${fixed(s.bestValLoss)} at epoch ${s.bestEpoch}`;
    const patience = s === undefined
      ? ""
      : c.patience === null
      ? ` · ${s.wait} since best (patience off)`
      : ` · patience ${s.wait}/${c.patience}`;
    const head = `${this.#title()}: epoch ${done}/${c.epochs} · ${
      fixed(seconds, 1)
    } s`;
    const status = `${best}${patience}${
      this.#footer ? ` · ${this.#footer}` : ""
    }`;
    const rows = this.#epochs.slice(-(this.#options.tableRows ?? 12)).reverse();
    const t = table(rows, [
      { header: "epoch", value: "epoch" },
      { header: "loss", value: "loss" },
      { header: "acc", value: "accuracy" },
      { header: "val_loss", value: "valLoss" },
      { header: "val_acc", value: "valAccuracy" },
      { header: "s", value: "seconds", digits: 1 },
    ]);
    const pct = Math.min(100, (100 * done) / c.epochs);
    const html =
      `<div class="bbc-report-progress" style="font:13px system-ui,sans-serif">` +
      `<div style="font-weight:600">${escapeHtml(head)}</div>` +
      `<div style="background:#e6e6e6;height:6px;width:320px;margin:4px 0">` +
      `<div style="background:#4269d0;height:6px;width:${
        pct.toFixed(1)
      }%"></div></div>` +
      `<div style="color:#444;margin-bottom:4px">${escapeHtml(status)}</div>` +
      (rows.length > 0 ? t.html : "") + `</div>`;
    const text = [head, status, ...(rows.length > 0 ? [t.text] : [])].join(
      "\n",
    );
    return new HtmlOutput(html, text);
  }

  #title(): string {
    return `${this.context.experiment} seed ${this.context.seed}`;
  }

  async #publish(): Promise<void> {
    const view = this.render();
    const content = {
      data: { "text/html": view.html, "text/plain": view.text },
      metadata: {},
      transient: { display_id: this.displayId },
    };
    // The first message creates the output; later ones replace it in place.
    await this.#kernel!.broadcast(
      this.#shown ? "update_display_data" : "display_data",
      content,
    );
    this.#shown = true;
  }
}
