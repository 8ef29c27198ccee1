// deno-lint-ignore-file no-console -- a command-line benchmark: printing its progress and table is its job.
/**
 * Epoch benchmark: one full epoch of experiment 01 (Keras tokenizer,
 * post-padded to the longest article, masked; Embedding(23 395 × 500) →
 * LSTM(64) → Dense(5), batch 128, Adam) trained by four implementations in
 * the same invocation, each in its own process:
 *
 * - `ours`: {@link LstmClassifier} trained by {@link fit} (the project's
 *   loop), backend from the experiment's config (`auto`).
 * - `layers`: tfjs-layers' Embedding(maskZero) → LSTM(sigmoid) → Dense on
 *   the same backend, trained with `trainOnBatch` and tfjs' Adam. It runs
 *   every padded step, its step time grows faster than linearly with the
 *   length, and full-length batches do not fit wasm's 32-bit memory; so its
 *   rows are cut at `--layers-cap` tokens (default 256), each round times
 *   `--layers-steps` training batches (default 1) and one validation batch,
 *   and the epoch of that cut workload is extrapolated by rows. Its row says
 *   so; its rates are over the tokens it really saw.
 * - `torch-packed`, `torch-trimmed`: bench/torch_lstm.py with Debian's
 *   PyTorch (`/usr/bin/python3`), `pack_padded_sequence` or batches trimmed
 *   to their longest row; both read the padded ids this script exports.
 *   The faster of the two is "the peer". The BLAS PyTorch mapped is
 *   reported; `--torch-blas DIR` puts another libblas.so.3 (OpenBLAS) first
 *   on the PyTorch workers' library path (see bench/README.md).
 *
 * The implementations take turns epoch by epoch (round r runs one epoch of
 * each, the order rotated every round) so that the machine's drift hits
 * them alike. Round 0 is a warm-up and is not counted.
 *
 * Reported per implementation: seconds per epoch (training + validation;
 * median and min of the measured rounds), real tokens per second, effective
 * GFLOP/s from the nominal FLOP model below, the work actually executed as
 * a multiple of that model, and peak RSS (VmHWM of the worker process,
 * read from /proc/<pid>/status before it is told to quit).
 *
 * FLOP model (nominal, identical for every implementation): per real
 * (non-padding) token, forward = 2·E·4H (input projection) + 2·H·4H
 * (recurrent product); training counts 3× that (forward + the two backward
 * products), validation 1×. Gate arithmetic, the embedding gather, the
 * Dense layer and Adam are not counted. Distinct-id deduplication is NOT
 * credited: every token is charged its full projection, so implementations
 * that skip work (ours projects each distinct id once per batch) or add
 * work (padded steps) show it in the "executed ÷ nominal" column, not in
 * the GFLOP/s.
 *
 * ```sh
 * deno task bench                      # 3 measured epochs + 1 warm-up each
 * deno run -A bench/epoch_bench.ts --epochs 1 --only ours,torch --json out.json
 * ```
 *
 * Flags: `--epochs N` (measured rounds, default 3), `--only LIST` (ours,
 * layers, torch, torch-packed, torch-trimmed), `--json FILE`, `--threads N`
 * (PyTorch intra-op threads, default 2), `--seed N` (default 1),
 * `--python PATH` (default /usr/bin/python3), `--torch-blas DIR`,
 * `--allow-reference-blas` (PyTorch rows are skipped on Debian's reference
 * BLAS unless given: its steps are ~20× slower than with OpenBLAS),
 * `--layers-cap N` (default 256), `--layers-steps N` (default 1),
 * `--max-len N` (truncate the data: a reduced-scale check, not the
 * benchmark workload), `--export-only DIR` (write the data folder that
 * bench/torch_lstm.py reads, then exit).
 *
 * Known limitations: absolute times drift ±30–50 % on a shared machine
 * (compare rows of one run, not runs); the tfjs-layers row is an
 * extrapolation over a cut workload; peak RSS includes each runtime's own footprint (V8 +
 * WebAssembly memory, or CPython + libtorch).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { RandomState } from "../lib/data/random.ts";
import { REPO_ROOT } from "../lib/data/paths.ts";
import { experiment } from "../lib/experiments.ts";
import { initBackend } from "../lib/model/backend.ts";
import { LstmClassifier } from "../lib/model/classifier.ts";
import { resolveEngine } from "../lib/model/lstm.ts";
import { fit, type LabelledSequences } from "../lib/train/fit.ts";
import { prepareData } from "../lib/train/prepare.ts";

/** The experiment whose epoch is the workload. */
const EXPERIMENT = "01_post_padding";
/** Prefix of protocol lines on a worker's stdout (other lines are noise). */
const PREFIX = "@bench ";
const TORCH_INSTALL =
  "apt-get install --no-install-recommends python3-torch  (Debian/Ubuntu; then run with /usr/bin/python3)";

/** Printed when PyTorch runs on Debian's reference BLAS. */
const REFERENCE_BLAS_NOTE =
  "PyTorch loads the reference BLAS (Debian's libblas3, unoptimised: a few GFLOP/s per matrix product). " +
  "Debian's libtorch recommends OpenBLAS, which `--no-install-recommends` leaves out. " +
  "Use the OpenMP build, which shares PyTorch's OpenMP runtime (the pthread build oversubscribes the cores). " +
  "System-wide: `apt-get install libopenblas0-openmp` (switches libblas.so.3 for every program). " +
  "For this bench only: `apt-get download libopenblas0-openmp && dpkg-deb -x libopenblas0-openmp_*.deb /tmp/openblas` " +
  "and pass `--torch-blas /tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-openmp`.";

/** Implementations, in their default order. */
const IMPLS = ["ours", "layers", "torch-packed", "torch-trimmed"] as const;
type Impl = (typeof IMPLS)[number];

const LABELS: Record<Impl, string> = {
  ours: "ours",
  layers: "tfjs-layers LSTM (extrapolated)",
  "torch-packed": "PyTorch packed",
  "torch-trimmed": "PyTorch trimmed",
};

// ---------------------------------------------------------------------------
// Command line.

interface Options {
  /** Measured rounds (after one warm-up round). */
  epochs: number;
  only: Impl[];
  json: string | null;
  threads: number;
  seed: number;
  python: string;
  /** tfjs-layers: rows cut at this length. */
  layersCap: number;
  /** tfjs-layers: training batches measured per round. */
  layersSteps: number;
  maxLen: number | null;
  /** Folder with a libblas.so.3 put first on the PyTorch workers' library path. */
  torchBlas: string | null;
  /** Run the PyTorch rows even on the (very slow) reference BLAS. */
  allowReferenceBlas: boolean;
  /** Only write the data folder here (for running torch_lstm.py alone). */
  exportOnly: string | null;
  /** Internal: run as a worker of this kind on the exported data folder. */
  worker: "ours" | "layers" | null;
  data: string | null;
}

const USAGE =
  `usage: deno run -A bench/epoch_bench.ts [--epochs N] [--only LIST]
  [--json FILE] [--threads N] [--seed N] [--python PATH]
  [--torch-blas DIR] [--allow-reference-blas] [--layers-cap N]
  [--layers-steps N] [--max-len N] [--export-only DIR]
  LIST for --only: comma-separated of ours, layers, torch, torch-packed,
  torch-trimmed (torch = both PyTorch forms). Default: all.`;

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `${flag} needs a positive integer: current value is ${
        JSON.stringify(text)
      }`,
    );
  }
  return n;
}

function parseArgs(args: string[]): Options {
  const o: Options = {
    epochs: 3,
    only: [...IMPLS],
    json: null,
    threads: 2,
    seed: 1,
    python: "/usr/bin/python3",
    layersCap: 256,
    layersSteps: 1,
    maxLen: null,
    torchBlas: null,
    allowReferenceBlas: false,
    exportOnly: null,
    worker: null,
    data: null,
  };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      Deno.exit(0);
    }
    if (flag === "--allow-reference-blas") {
      o.allowReferenceBlas = true;
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith("--")) {
      throw new Error(`${flag} needs a value (or is unknown)\n${USAGE}`);
    }
    i++;
    switch (flag) {
      case "--epochs":
        o.epochs = positiveInt(flag, value);
        break;
      case "--only": {
        const picked = new Set<Impl>();
        for (const name of value.split(",").map((s) => s.trim())) {
          if (name === "torch") {
            picked.add("torch-packed").add("torch-trimmed");
          } else if ((IMPLS as readonly string[]).includes(name)) {
            picked.add(name as Impl);
          } else {
            throw new RangeError(
              `--only: unknown implementation ${
                JSON.stringify(name)
              }; expected ours, layers, torch, torch-packed or torch-trimmed`,
            );
          }
        }
        o.only = IMPLS.filter((x) => picked.has(x));
        break;
      }
      case "--json":
        o.json = value;
        break;
      case "--threads":
        o.threads = positiveInt(flag, value);
        break;
      case "--seed":
        o.seed = Number(value);
        if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 2 ** 31 - 1) {
          throw new RangeError(
            `--seed needs an integer in [0, 2147483647]: current value is ${value}`,
          );
        }
        break;
      case "--python":
        o.python = value;
        break;
      case "--layers-cap":
        o.layersCap = positiveInt(flag, value);
        break;
      case "--layers-steps":
        o.layersSteps = positiveInt(flag, value);
        break;
      case "--max-len":
        o.maxLen = positiveInt(flag, value);
        break;
      case "--torch-blas":
        try {
          Deno.statSync(`${value}/libblas.so.3`);
        } catch {
          throw new Error(
            `--torch-blas ${value}: expected a folder holding libblas.so.3 ` +
              `(e.g. usr/lib/x86_64-linux-gnu/openblas-openmp of an extracted libopenblas0-openmp .deb)`,
          );
        }
        o.torchBlas = value;
        break;
      case "--worker":
        if (value !== "ours" && value !== "layers") {
          throw new RangeError(`--worker must be ours or layers: got ${value}`);
        }
        o.worker = value;
        break;
      case "--data":
        o.data = value;
        break;
      case "--export-only":
        o.exportOnly = value;
        break;
      default:
        throw new Error(`unknown flag ${flag}\n${USAGE}`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------
// The exported data: what every worker trains on.

/** One split as exported: padded ids plus labels and real lengths. */
interface SplitData extends LabelledSequences {
  /** Real (non-padding) tokens per row. */
  lengths: Int32Array;
}

/** meta.json of the data folder (bench/torch_lstm.py reads it too). */
interface DataMeta {
  format: string;
  experiment: string;
  embeddingRows: number;
  classes: number;
  model: { embeddingDim: number; units: number };
  optimiser: {
    batchSize: number;
    predictBatchSize: number | null;
    learningRate: number;
    beta1: number;
    beta2: number;
    epsilon: number;
  };
  splits: Record<
    "train" | "val",
    {
      rows: number;
      timesteps: number;
      realTokens: number;
      ids: string;
      labels: string;
      lengths: string;
    }
  >;
}

/**
 * Real length of every post-padded row: the position after its last
 * non-zero id. Throws when a row has a zero inside its real part (then the
 * torch forms, which read `lengths`, would not equal the masked LSTM) or no
 * real token at all.
 */
function rowLengths(s: LabelledSequences, name: string): Int32Array {
  const out = new Int32Array(s.rows);
  for (let r = 0; r < s.rows; r++) {
    const row = s.ids.subarray(r * s.timesteps, (r + 1) * s.timesteps);
    let last = -1, nonZero = 0;
    for (let t = 0; t < row.length; t++) {
      if (row[t] !== 0) {
        last = t;
        nonZero++;
      }
    }
    if (nonZero === 0 || nonZero !== last + 1) {
      throw new Error(
        `${name} row ${r}: expected post-padded ids (real tokens first, zeros after); ` +
          `found ${nonZero} non-zero ids with the last at position ${last}`,
      );
    }
    out[r] = nonZero;
  }
  return out;
}

function i32Bytes(a: Int32Array): Uint8Array {
  // Int32Array is in platform byte order; every platform we run on
  // (x86-64, arm64) is little-endian, which torch_lstm.py assumes.
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Prepares experiment 01's data and writes it to `dir` for the workers. */
async function exportData(dir: string, maxLen: number | null) {
  const ex = experiment(EXPERIMENT);
  const data = await prepareData({ ...ex.config.data, maxLen });
  const t = ex.config.train;
  const splits = { train: data.train, val: data.val };
  const meta: DataMeta = {
    format: "int32 little-endian, row-major",
    experiment: EXPERIMENT,
    embeddingRows: data.embeddingRows,
    classes: data.labels.length,
    model: {
      embeddingDim: ex.config.model.embeddingDim,
      units: ex.config.model.lstmUnits,
    },
    optimiser: {
      batchSize: t.batchSize,
      predictBatchSize: t.predictBatchSize,
      learningRate: t.learningRate,
      beta1: t.beta1,
      beta2: t.beta2,
      epsilon: t.epsilon,
    },
    splits: {} as DataMeta["splits"],
  };
  for (
    const [name, s] of Object.entries(splits) as [
      "train" | "val",
      LabelledSequences,
    ][]
  ) {
    const lengths = rowLengths(s, name);
    await Deno.writeFile(`${dir}/${name}_ids.i32`, i32Bytes(s.ids));
    await Deno.writeFile(`${dir}/${name}_labels.i32`, i32Bytes(s.labels));
    await Deno.writeFile(`${dir}/${name}_lengths.i32`, i32Bytes(lengths));
    meta.splits[name] = {
      rows: s.rows,
      timesteps: s.timesteps,
      realTokens: lengths.reduce((a, b) => a + b, 0),
      ids: `${name}_ids.i32`,
      labels: `${name}_labels.i32`,
      lengths: `${name}_lengths.i32`,
    };
  }
  await Deno.writeTextFile(`${dir}/meta.json`, JSON.stringify(meta, null, 2));
  return { meta, prepareSeconds: data.seconds };
}

function readI32(path: string, count: number): Int32Array {
  const bytes = Deno.readFileSync(path);
  if (bytes.byteLength !== count * 4) {
    throw new Error(
      `${path}: expected ${count} int32 values, found ${bytes.byteLength} bytes`,
    );
  }
  return new Int32Array(bytes.buffer, bytes.byteOffset, count);
}

/** Reads the folder {@link exportData} wrote. */
function readData(
  dir: string,
): { meta: DataMeta; train: SplitData; val: SplitData } {
  const meta = JSON.parse(
    Deno.readTextFileSync(`${dir}/meta.json`),
  ) as DataMeta;
  const split = (name: "train" | "val"): SplitData => {
    const s = meta.splits[name];
    return {
      rows: s.rows,
      timesteps: s.timesteps,
      ids: readI32(`${dir}/${s.ids}`, s.rows * s.timesteps),
      labels: readI32(`${dir}/${s.labels}`, s.rows),
      lengths: readI32(`${dir}/${s.lengths}`, s.rows),
    };
  };
  return { meta, train: split("train"), val: split("val") };
}

// ---------------------------------------------------------------------------
// FLOP model.

/** Nominal forward FLOPs per real token: 2·E·4H + 2·H·4H. */
function flopsPerToken(m: DataMeta["model"]): number {
  const g = 4 * m.units;
  return 2 * m.embeddingDim * g + 2 * m.units * g;
}

/** Nominal FLOPs of one epoch: 3× per training token + 1× per validation token. */
function nominalEpochFlops(meta: DataMeta): { train: number; val: number } {
  const f = flopsPerToken(meta.model);
  return {
    train: 3 * f * meta.splits.train.realTokens,
    val: f * meta.splits.val.realTokens,
  };
}

// ---------------------------------------------------------------------------
// Worker side: a line protocol on stdin/stdout.

/** What a worker reports after one epoch (one round). */
interface EpochMessage {
  type: "epoch";
  /** Training + validation, seconds (extrapolated for tfjs-layers). */
  seconds: number;
  trainSeconds: number;
  valSeconds: number;
  /** Mean training loss of the epoch (of the measured steps for tfjs-layers). */
  loss: number;
  valLoss: number;
  valAccuracy: number;
  /** FLOPs the implementation really executed (same model, its own token counts). */
  executedFlops: number;
  /** tfjs tensors alive after the epoch (leak check), tfjs workers only. */
  numTensors?: number;
  /** tfjs-layers: the measured steps behind the extrapolation. */
  steps?: LayersSteps;
  /** Set when the epoch is of a capped workload (tfjs-layers), not the full one. */
  workload?: CappedWorkload;
}

type Message =
  | { type: "ready"; detail: Record<string, unknown> }
  | EpochMessage
  | { type: "error"; message: string };

function send(m: Message): void {
  console.log(PREFIX + JSON.stringify(m));
}

/** Blocking line reader on stdin (the workers wait for commands inside callbacks). */
class StdinLines {
  #pending = new Uint8Array(0);
  #decoder = new TextDecoder();

  /** Next line without its newline, or null at end of input. */
  next(): string | null {
    for (;;) {
      const nl = this.#pending.indexOf(10);
      if (nl >= 0) {
        const line = this.#decoder.decode(this.#pending.subarray(0, nl));
        this.#pending = this.#pending.slice(nl + 1);
        return line.trim();
      }
      const chunk = new Uint8Array(4096);
      const n = Deno.stdin.readSync(chunk);
      if (n === null) return null;
      const joined = new Uint8Array(this.#pending.length + n);
      joined.set(this.#pending);
      joined.set(chunk.subarray(0, n), this.#pending.length);
      this.#pending = joined;
    }
  }
}

/** Thrown from fit's epoch callback to end training when told to quit. */
class Quit extends Error {}

/** Distinct non-zero ids of rows `rows` of `s` (ours projects each once). */
function distinctIds(s: SplitData, rows: ArrayLike<number>): number {
  const seen = new Set<number>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const base = r * s.timesteps;
    for (let t = 0; t < s.lengths[r]; t++) seen.add(s.ids[base + t]);
  }
  return seen.size;
}

/**
 * FLOPs our op executes in one epoch: per batch, the 3 projection products
 * over its U distinct ids (U·2·E·4H each) and the 3 recurrent products per
 * real token; validation once each. `order` is the epoch's shuffle.
 */
function oursExecutedFlops(
  meta: DataMeta,
  train: SplitData,
  val: SplitData,
  order: Int32Array,
): number {
  const { embeddingDim: e, units: h } = meta.model;
  const proj = 2 * e * 4 * h, rec = 2 * h * 4 * h;
  const batch = (s: SplitData, rows: ArrayLike<number>, passes: number) => {
    let tokens = 0;
    for (let i = 0; i < rows.length; i++) tokens += s.lengths[rows[i]];
    return passes * (distinctIds(s, rows) * proj + tokens * rec);
  };
  let total = 0;
  const bs = meta.optimiser.batchSize;
  for (let b = 0; b < train.rows; b += bs) {
    total += batch(train, order.subarray(b, b + bs), 3);
  }
  const pbs = meta.optimiser.predictBatchSize ?? val.rows;
  for (let b = 0; b < val.rows; b += pbs) {
    const rows = Array.from(
      { length: Math.min(pbs, val.rows - b) },
      (_, i) => b + i,
    );
    total += batch(val, rows, 1);
  }
  return total;
}

/** Worker "ours": the project's classifier trained by the project's loop. */
async function oursWorker(opts: Options, dir: string): Promise<void> {
  const lines = new StdinLines();
  const { meta, train, val } = readData(dir);
  const config = experiment(EXPERIMENT).config;
  const backend = await initBackend(config.backend);
  const engine = resolveEngine(config.model.engine, backend.name);
  const rng = new RandomState(opts.seed);
  const model = new LstmClassifier(
    config.model,
    meta.embeddingRows,
    meta.classes,
    rng,
    engine,
  );
  // fit() draws one permutation per epoch from `rng` (no dropout here); a
  // copy of its state replays them to count the distinct ids per batch.
  const replay = RandomState.fromState(rng.getState());
  send({
    type: "ready",
    detail: {
      backend: backend.name,
      backendDetail: backend.detail,
      ...(backend.fallback ? { fallback: backend.fallback } : {}),
      engine,
      tfjs: tf.version_core,
      deno: Deno.version.deno,
      parameters: model.parameterCount,
    },
  });
  if (lines.next() !== "epoch") return;
  // The train/validation split is approximate: fit() starts its own clock
  // a little after this one (in the first epoch after copying the initial
  // weights and creating Adam's state, ~0.1 s). `seconds` is fit's own.
  let epochStart = performance.now(), lastBatchEnd = epochStart;
  try {
    await fit(model, {
      train,
      val,
      // Epochs end when the parent says quit; no early stopping.
      config: { ...config.train, epochs: 1_000_000, patience: null },
      dropout: config.model.dropout,
      rng,
      callbacks: {
        onBatchEnd: (b, n) => {
          if (b === n) lastBatchEnd = performance.now();
        },
        onEpochEnd: (record) => {
          const trainSeconds = Math.min(
            (lastBatchEnd - epochStart) / 1000,
            record.seconds,
          );
          const order = replay.permutation(train.rows);
          send({
            type: "epoch",
            seconds: record.seconds,
            trainSeconds,
            valSeconds: record.seconds - trainSeconds,
            loss: record.loss,
            valLoss: record.valLoss,
            valAccuracy: record.valAccuracy,
            executedFlops: oursExecutedFlops(meta, train, val, order),
            numTensors: tf.memory().numTensors,
          });
          if (lines.next() !== "epoch") throw new Quit();
          epochStart = performance.now();
        },
      },
    });
  } catch (e) {
    if (!(e instanceof Quit)) throw e;
  } finally {
    model.dispose();
  }
}

/** Measured tfjs-layers steps of one round (batch 128, rows cut at the cap). */
interface LayersSteps {
  /** Length the rows were cut at. */
  timesteps: number;
  /** Seconds of each trainOnBatch call (forward, backward, Adam). */
  trainSeconds: number[];
  /** Seconds of one evaluate call on 128 validation rows. */
  evalSeconds: number;
}

/**
 * A workload other than the full epoch (tfjs-layers' capped rows): its
 * real tokens, for tokens/s and the nominal FLOPs.
 */
interface CappedWorkload {
  timesteps: number;
  trainTokens: number;
  valTokens: number;
}

/** Real tokens of `s` when every row is cut at `cap`. */
function cappedTokens(s: SplitData, cap: number): number {
  let n = 0;
  for (let r = 0; r < s.rows; r++) n += Math.min(s.lengths[r], cap);
  return n;
}

/**
 * Worker "layers": tfjs-layers' LSTM on the same backend. Each round trains
 * `--layers-steps` batches of 128 and evaluates 128 validation rows, all cut
 * at `--layers-cap` tokens, and scales the step times by rows to one epoch
 * of that capped workload (an extrapolation in batches, not in length).
 */
async function layersWorker(opts: Options, dir: string): Promise<void> {
  const lines = new StdinLines();
  const { meta, train, val } = readData(dir);
  const config = experiment(EXPERIMENT).config;
  const backend = await initBackend(config.backend);
  const B = 128;
  const cap = Math.min(opts.layersCap, train.timesteps);
  if (B > train.rows || B > val.rows) {
    throw new RangeError(
      `layers worker: needs ${B} training and validation rows; ` +
        `have ${train.rows}/${val.rows}`,
    );
  }
  const o = meta.optimiser;
  const model = tfl.sequential({
    layers: [
      tfl.layers.embedding({
        inputDim: meta.embeddingRows,
        outputDim: meta.model.embeddingDim,
        maskZero: true,
        inputShape: [null],
      }),
      tfl.layers.lstm({
        units: meta.model.units,
        recurrentActivation: "sigmoid",
        // Keras' orthogonal default calls tfjs' chained ops, which the
        // Node bundle of tfjs-core does not register; the initial values do
        // not change the time of a step.
        recurrentInitializer: "glorotUniform",
      }),
      tfl.layers.dense({ units: meta.classes, activation: "softmax" }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(o.learningRate, o.beta1, o.beta2, o.epsilon),
    loss: "sparseCategoricalCrossentropy",
  });
  const order = new RandomState(opts.seed).permutation(train.rows);
  let cursor = 0;
  /** [rows.length, cap] ids (rows cut at cap, post-padding kept) and labels [rows, 1]. */
  const slice = (s: SplitData, rows: ArrayLike<number>) => {
    const ids = new Int32Array(rows.length * cap);
    const labels = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      ids.set(
        s.ids.subarray(r * s.timesteps, r * s.timesteps + cap),
        i * cap,
      );
      labels[i] = s.labels[r];
    }
    return {
      x: tf.tensor2d(ids, [rows.length, cap], "int32"),
      y: tf.tensor2d(labels, [rows.length, 1], "float32"),
    };
  };
  const valRows = Array.from({ length: B }, (_, i) => i);
  const workload: CappedWorkload = {
    timesteps: cap,
    trainTokens: cappedTokens(train, cap),
    valTokens: cappedTokens(val, cap),
  };
  send({
    type: "ready",
    detail: {
      backend: backend.name,
      backendDetail: backend.detail,
      ...(backend.fallback ? { fallback: backend.fallback } : {}),
      tfjs: tf.version_core,
      cap,
      stepsPerRound: opts.layersSteps,
      parameters: model.countParams(),
    },
  });
  while (lines.next() === "epoch") {
    const trainSeconds: number[] = [];
    let loss = NaN;
    for (let k = 0; k < opts.layersSteps; k++) {
      if (cursor + B > train.rows) cursor = 0;
      const batch = slice(train, order.subarray(cursor, cursor + B));
      cursor += B;
      const t0 = performance.now();
      loss = await model.trainOnBatch(batch.x, batch.y) as number;
      trainSeconds.push((performance.now() - t0) / 1000);
      tf.dispose([batch.x, batch.y]);
    }
    const ev = slice(val, valRows);
    const t0 = performance.now();
    const lossT = model.evaluate(ev.x, ev.y, { batchSize: B }) as tf.Scalar;
    const valLoss = (await lossT.data())[0];
    const evalSeconds = (performance.now() - t0) / 1000;
    tf.dispose([ev.x, ev.y, lossT]);
    // Time per row is taken as constant at this length: the epoch's
    // training rows (last batch partial included) and validation rows
    // (in batches of 128 here) scale the measured steps.
    const perStep = trainSeconds.reduce((a, b) => a + b, 0) /
      trainSeconds.length;
    const epochTrain = perStep * train.rows / B;
    const epochVal = evalSeconds * val.rows / B;
    send({
      type: "epoch",
      seconds: epochTrain + epochVal,
      trainSeconds: epochTrain,
      valSeconds: epochVal,
      loss,
      valLoss,
      valAccuracy: NaN,
      // Every row runs all `cap` steps (projection included).
      executedFlops: flopsPerToken(meta.model) * cap *
        (3 * train.rows + val.rows),
      numTensors: tf.memory().numTensors,
      steps: { timesteps: cap, trainSeconds, evalSeconds },
      workload,
    });
  }
  model.dispose();
}

// ---------------------------------------------------------------------------
// Parent side.

/** A running worker process and its message stream. */
class WorkerProcess {
  readonly impl: Impl;
  readonly child: Deno.ChildProcess;
  /** Non-protocol stdout lines and the tail of stderr, for error reports. */
  noise: string[] = [];
  stderrTail = "";
  #lines: AsyncIterator<string>;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #stderrDone: Promise<void>;

  constructor(impl: Impl, command: Deno.Command) {
    this.impl = impl;
    this.child = command.spawn();
    this.#lines = splitLines(this.child.stdout)[Symbol.asyncIterator]();
    this.#writer = this.child.stdin.getWriter();
    const dec = new TextDecoder();
    this.#stderrDone = this.child.stderr.pipeTo(
      new WritableStream({
        write: (chunk) => {
          this.stderrTail = (this.stderrTail + dec.decode(chunk)).slice(-4000);
        },
      }),
    ).catch(() => {});
  }

  /** The next protocol message; throws when the process ends first or reports an error. */
  async message(): Promise<Message> {
    for (;;) {
      const next = await this.#lines.next();
      if (next.done) {
        const status = await this.child.status;
        await this.#stderrDone;
        const tail = this.stderrTail.trim().split("\n").slice(-6).join(
          "\n    ",
        );
        throw new Error(
          `${this.impl} worker exited (code ${status.code}${
            status.signal ? `, signal ${status.signal}` : ""
          }) before answering${tail ? `; stderr ends:\n    ${tail}` : ""}`,
        );
      }
      const line = next.value;
      if (!line.startsWith(PREFIX)) {
        if (line.trim()) this.noise.push(line);
        continue;
      }
      const m = JSON.parse(line.slice(PREFIX.length)) as Message;
      if (m.type === "error") throw new Error(`${this.impl}: ${m.message}`);
      return m;
    }
  }

  async command(cmd: "epoch" | "quit"): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(cmd + "\n"));
  }

  /** VmHWM (peak resident set) of the worker process, in bytes. */
  peakRss(): number | null {
    try {
      const status = Deno.readTextFileSync(`/proc/${this.child.pid}/status`);
      const kb = status.match(/^VmHWM:\s+(\d+)\s+kB/m)?.[1];
      return kb === undefined ? null : Number(kb) * 1024;
    } catch {
      return null;
    }
  }

  /** Asks the worker to quit and waits for it (kills it after 30 s). */
  async close(): Promise<void> {
    try {
      await this.command("quit");
      await this.#writer.close();
    } catch {
      // already gone
    }
    const timer = setTimeout(() => this.kill(), 30_000);
    await this.child.status;
    clearTimeout(timer);
    await this.#stderrDone;
  }

  kill(): void {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already exited
    }
  }
}

async function* splitLines(stream: ReadableStream<Uint8Array>) {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, nl);
      rest = rest.slice(nl + 1);
    }
  }
  if (rest) yield rest;
}

function spawnWorker(impl: Impl, opts: Options, dir: string): WorkerProcess {
  const io = {
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
  } as const;
  if (impl === "ours" || impl === "layers") {
    const self = decodeURIComponent(new URL(import.meta.url).pathname);
    return new WorkerProcess(
      impl,
      new Deno.Command(Deno.execPath(), {
        ...io,
        args: [
          "run",
          "-A",
          "--config",
          `${REPO_ROOT}/deno.json`,
          self,
          "--worker",
          impl,
          "--data",
          dir,
          "--seed",
          String(opts.seed),
          "--layers-cap",
          String(opts.layersCap),
          "--layers-steps",
          String(opts.layersSteps),
        ],
      }),
    );
  }
  const script = decodeURIComponent(
    new URL("./torch_lstm.py", import.meta.url).pathname,
  );
  const env: Record<string, string> = {
    ...io.env,
    OPENBLAS_NUM_THREADS: String(opts.threads),
  };
  if (opts.torchBlas) {
    const prior = Deno.env.get("LD_LIBRARY_PATH");
    env.LD_LIBRARY_PATH = prior ? `${opts.torchBlas}:${prior}` : opts.torchBlas;
  }
  return new WorkerProcess(
    impl,
    new Deno.Command(opts.python, {
      ...io,
      env,
      args: [
        script,
        "--serve",
        "--data",
        dir,
        "--mode",
        impl === "torch-packed" ? "packed" : "trimmed",
        "--threads",
        String(opts.threads),
        "--seed",
        String(opts.seed),
      ],
    }),
  );
}

/** Torch's version, or why it cannot be used. */
async function probeTorch(
  python: string,
): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", "import torch; print(torch.__version__)"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.success) {
      return { ok: true, version: new TextDecoder().decode(out.stdout).trim() };
    }
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
    return {
      ok: false,
      reason:
        `${python} cannot import torch (${err}). Install: ${TORCH_INSTALL}`,
    };
  } catch (e) {
    return {
      ok: false,
      reason: `${python} did not start (${
        e instanceof Error ? e.message : e
      }). Install: ${TORCH_INSTALL}`,
    };
  }
}

/** Result of one implementation, as printed and saved. */
interface ImplResult {
  impl: Impl;
  label: string;
  status: "ok" | "failed" | "skipped";
  reason?: string;
  detail?: Record<string, unknown>;
  /** Round 0 (warm-up) first. */
  epochs: EpochMessage[];
  medianSeconds?: number;
  minSeconds?: number;
  tokensPerSecond?: number;
  gflops?: number;
  executedRatio?: number;
  peakRssBytes?: number | null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function machine() {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const osRelease = await Deno.readTextFile("/etc/os-release").catch(() => "");
  return {
    cpuModel: cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ??
      "unknown",
    cores: navigator.hardwareConcurrency,
    memoryGiB: Math.round(Deno.systemMemoryInfo().total / 2 ** 30 * 10) / 10,
    os: `${
      osRelease.match(/^PRETTY_NAME="?([^"\n]+)"?$/m)?.[1] ?? Deno.build.os
    }, kernel ${Deno.osRelease()}, ${Deno.build.arch}`,
  };
}

/** The 1-minute load average, or null where /proc/loadavg is missing. */
function loadAverage(): number | null {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return null;
  }
}

const fmt = (x: number | undefined, digits: number) =>
  x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits);

function gib(bytes: number | null | undefined): string {
  return bytes == null ? "–" : `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

async function main(opts: Options): Promise<void> {
  const command = ["deno run -A bench/epoch_bench.ts", ...Deno.args].join(" ");
  const started = new Date();
  const dir = await Deno.makeTempDir({ prefix: "epoch_bench_" });
  const workers: WorkerProcess[] = [];
  try {
    const { meta, prepareSeconds } = await exportData(dir, opts.maxLen);
    const nominal = nominalEpochFlops(meta);
    const nominalTotal = nominal.train + nominal.val;
    const tokens = meta.splits.train.realTokens + meta.splits.val.realTokens;
    const sys = await machine();
    const loadBefore = loadAverage();
    console.log(
      `epoch bench: experiment ${EXPERIMENT}, ${meta.splits.train.rows} training + ` +
        `${meta.splits.val.rows} validation rows, T = ${meta.splits.train.timesteps}` +
        `${opts.maxLen ? ` (--max-len ${opts.maxLen}: reduced scale)` : ""}, ` +
        `${meta.splits.train.realTokens} + ${meta.splits.val.realTokens} real tokens ` +
        `(data prepared in ${prepareSeconds.toFixed(1)} s)`,
    );
    console.log(
      `FLOP model per real token: 2·E·4H + 2·H·4H = ${
        flopsPerToken(meta.model)
      } forward; ×3 training, ×1 validation; ` +
        `nominal floor ${nominal.train.toExponential(3)} (train) + ${
          nominal.val.toExponential(3)
        } (val) = ${nominalTotal.toExponential(3)} FLOP/epoch`,
    );
    console.log(
      `machine: ${sys.cpuModel}, ${sys.cores} cores, ${sys.memoryGiB} GiB, ${sys.os}`,
    );

    const results = new Map<Impl, ImplResult>();
    for (const impl of opts.only) {
      results.set(impl, {
        impl,
        label: LABELS[impl],
        status: "ok",
        epochs: [],
      });
    }
    let torchVersion: string | null = null;
    if (opts.only.some((i) => i.startsWith("torch"))) {
      const probe = await probeTorch(opts.python);
      if (probe.ok) {
        torchVersion = probe.version;
      } else {
        console.log(`PyTorch rows skipped: ${probe.reason}`);
        for (const impl of ["torch-packed", "torch-trimmed"] as const) {
          const r = results.get(impl);
          if (r) Object.assign(r, { status: "skipped", reason: probe.reason });
        }
      }
    }

    const fail = (w: WorkerProcess, e: unknown) => {
      const r = results.get(w.impl)!;
      r.status = "failed";
      r.reason = e instanceof Error ? e.message : String(e);
      console.log(`${w.impl} failed: ${r.reason}`);
      w.kill();
    };
    for (const impl of opts.only) {
      if (results.get(impl)!.status === "ok") {
        workers.push(spawnWorker(impl, opts, dir));
      }
    }
    for (const w of workers) {
      try {
        const m = await w.message();
        if (m.type === "ready") results.get(w.impl)!.detail = m.detail;
        console.log(
          `${w.impl} ready: ${
            JSON.stringify(m.type === "ready" ? m.detail : m)
          }`,
        );
      } catch (e) {
        fail(w, e);
      }
    }
    const referenceBlas = workers.some((w) =>
      String(results.get(w.impl)!.detail?.blas ?? "").startsWith("reference")
    );
    if (referenceBlas && !opts.allowReferenceBlas) {
      // A training step measured ~20× slower than with OpenBLAS (B = 128,
      // T = 400): an epoch would take 10+ min per form, beyond this bench's
      // time budget.
      for (const w of workers) {
        const r = results.get(w.impl)!;
        if (String(r.detail?.blas ?? "").startsWith("reference")) {
          r.status = "skipped";
          r.reason =
            "PyTorch would run on the reference BLAS (its LSTM steps measured ~20× slower than with OpenBLAS: estimated 10+ min per epoch); " +
            "give it OpenBLAS (see the note) or pass --allow-reference-blas";
          await w.close();
        }
      }
      console.log(`PyTorch rows skipped: ${REFERENCE_BLAS_NOTE}`);
    } else if (referenceBlas) {
      console.log(`warning: ${REFERENCE_BLAS_NOTE}`);
    }

    const alive = () =>
      workers.filter((w) => results.get(w.impl)!.status === "ok");
    for (let round = 0; round <= opts.epochs; round++) {
      const list = alive();
      const shift = list.length ? round % list.length : 0;
      for (const w of [...list.slice(shift), ...list.slice(0, shift)]) {
        try {
          await w.command("epoch");
          const m = await w.message();
          if (m.type !== "epoch") {
            throw new Error(`expected an epoch message, got ${m.type}`);
          }
          results.get(w.impl)!.epochs.push(m);
          console.log(
            `${round === 0 ? "warm-up" : `round ${round}`.padEnd(7)}  ${
              w.impl.padEnd(13)
            } ${fmt(m.seconds, 2).padStart(8)} s (train ${
              fmt(m.trainSeconds, 2)
            }, val ${fmt(m.valSeconds, 2)})  loss ${fmt(m.loss, 4)}  val loss ${
              fmt(m.valLoss, 4)
            }  val acc ${fmt(m.valAccuracy, 3)}${
              m.numTensors !== undefined ? `  tensors ${m.numTensors}` : ""
            }${
              m.steps
                ? `  [measured at T=${m.steps.timesteps}: train step ${
                  m.steps.trainSeconds.map((x) => x.toFixed(2)).join(", ")
                } s, eval (128 rows) ${m.steps.evalSeconds.toFixed(2)} s]`
                : ""
            }`,
          );
        } catch (e) {
          fail(w, e);
        }
      }
    }
    const loadAfter = loadAverage();
    for (const w of alive()) results.get(w.impl)!.peakRssBytes = w.peakRss();
    await Promise.all(workers.map((w) => w.close()));

    for (const r of results.values()) {
      if (r.status !== "ok") continue;
      const measured = r.epochs.slice(1);
      const secs = measured.map((m) => m.seconds);
      // A capped workload (tfjs-layers) is rated on the tokens it processed.
      const w = measured[0].workload;
      const f = flopsPerToken(meta.model);
      const own = w
        ? {
          tokens: w.trainTokens + w.valTokens,
          flops: f * (3 * w.trainTokens + w.valTokens),
        }
        : { tokens, flops: nominalTotal };
      r.medianSeconds = median(secs);
      r.minSeconds = Math.min(...secs);
      r.tokensPerSecond = own.tokens / r.medianSeconds;
      r.gflops = own.flops / r.medianSeconds / 1e9;
      r.executedRatio = median(measured.map((m) => m.executedFlops)) /
        own.flops;
    }

    // Labels carry what ran where.
    const ours = results.get("ours");
    if (ours?.detail) {
      ours.label =
        `ours (${ours.detail.backend}, ${ours.detail.engine} engine)`;
    }
    const layers = results.get("layers");
    if (layers?.detail) {
      layers.label =
        `tfjs-layers LSTM (${layers.detail.backend}), rows cut at T=${layers.detail.cap}, extrapolated`;
    }
    for (const impl of ["torch-packed", "torch-trimmed"] as const) {
      const r = results.get(impl);
      if (r?.detail) {
        const blas = String(r.detail.blas ?? "unknown BLAS").split(":")[0]
          .replace(" (Debian libblas3)", "");
        r.label = `${LABELS[impl]} (${r.detail.threads} threads, ${blas})`;
      }
    }

    const torchRows = (["torch-packed", "torch-trimmed"] as const)
      .map((i) => results.get(i))
      .filter((r): r is ImplResult => r?.medianSeconds !== undefined);
    const peer = torchRows.length
      ? torchRows.reduce((
        a,
        b,
      ) => (a.medianSeconds! <= b.medianSeconds! ? a : b))
      : null;
    const ratio = ours?.medianSeconds !== undefined && peer
      ? ours.medianSeconds / peer.medianSeconds!
      : null;

    const rows = [...results.values()].map((r) => {
      if (r.status !== "ok") {
        return `| ${r.label} | ${r.status}: ${
          r.reason?.split("\n")[0]
        } | | | | | |`;
      }
      const name = r === peer ? `**${r.label}** (the peer)` : r.label;
      return `| ${name} | ${fmt(r.medianSeconds, 1)} | ${
        fmt(r.minSeconds, 1)
      } | ${fmt(r.tokensPerSecond! / 1e3, 1)} k | ${fmt(r.gflops, 2)} | ${
        fmt(r.executedRatio, 2)
      }× | ${gib(r.peakRssBytes)} |`;
    });
    const oursDetail = ours?.detail;
    const versions = {
      deno: Deno.version.deno,
      tfjs: tf.version_core,
      torch: torchVersion,
    };
    const measuredN = opts.epochs;
    const table = [
      `| implementation | s/epoch (median of ${measuredN}) | s/epoch (min) | real tokens/s | effective GFLOP/s | executed ÷ nominal FLOPs | peak RSS |`,
      "|---|---|---|---|---|---|---|",
      ...rows,
    ].join("\n");
    const notes = [
      `Workload: one epoch of experiment ${EXPERIMENT} = training on ${meta.splits.train.rows} rows (${
        Math.ceil(meta.splits.train.rows / meta.optimiser.batchSize)
      } batches of ${meta.optimiser.batchSize}, Adam) + validation on ${meta.splits.val.rows} rows; ` +
      `padded length T = ${meta.splits.train.timesteps}; ${tokens} real tokens per epoch.`,
      `Nominal FLOPs per real token: 2·E·4H + 2·H·4H = ${
        flopsPerToken(meta.model)
      } forward (E = ${meta.model.embeddingDim}, H = ${meta.model.units}), ` +
      `×3 for training, ×1 for validation; ${
        nominalTotal.toExponential(2)
      } FLOP/epoch ` +
      `(${
        nominal.train.toExponential(2)
      } training). Distinct-id deduplication is not credited; gates, gather, Dense and Adam are not counted. ` +
      `"Executed ÷ nominal" is the same product count over the tokens each implementation really processes ` +
      `(ours: projections once per distinct id per batch; PyTorch trimmed: padded steps up to each batch's longest row; tfjs-layers: all T steps of every row).`,
      `Seconds per epoch include training and validation; round 0 of each implementation is a warm-up and not counted; ` +
      `implementations alternate epoch by epoch in one invocation, each in its own process (peak RSS = VmHWM of that process).`,
      ...(layers?.status === "ok"
        ? [
          `tfjs-layers: NOT the full epoch. Every row is cut at T = ${layers.detail?.cap} tokens ` +
          `(${layers.epochs[0]?.workload?.trainTokens} + ${
            layers.epochs[0]?.workload?.valTokens
          } real tokens instead of ${meta.splits.train.realTokens} + ${meta.splits.val.realTokens}); ` +
          `each round times ${opts.layersSteps} trainOnBatch call(s) on 128 rows and one evaluate on 128 validation rows, ` +
          `and the epoch time is that per-row cost × ${meta.splits.train.rows} training + ${meta.splits.val.rows} validation rows. ` +
          `Its tokens/s and GFLOP/s are over the cut workload. The full length does not fit: tfjs-layers runs every padded step, ` +
          `its step time grows faster than linearly with T, and at T = 1024 training exhausts wasm's 32-bit memory (shared/notes/platform.md); ` +
          `so the full epoch would take longer than this row.`,
        ]
        : []),
      ...(ratio !== null
        ? [
          `**ours ÷ best PyTorch (${peer!.impl.replace("torch-", "")}) = ${
            ratio.toFixed(2)
          }** (median s/epoch; below 1 means ours is faster).`,
        ]
        : []),
      `Machine: ${sys.cpuModel}, ${sys.cores} cores, ${sys.memoryGiB} GiB RAM, ${sys.os}; ` +
      `1-min load average ${loadBefore ?? "?"} before the workers started, ${
        loadAfter ?? "?"
      } after the last round ` +
      `(the bench keeps about 1 core busy; more means other work shared the cores, which can slow the 2-thread PyTorch workers more than the single-threaded wasm ones).`,
      `Versions: Deno ${versions.deno}, tfjs ${versions.tfjs}${
        oursDetail ? ` (${oursDetail.backendDetail})` : ""
      }, PyTorch ${torchVersion ?? "not run"}${
        peer?.detail
          ? ` (${peer.detail.threads} intra-op threads, Python ${peer.detail.python}, numpy ${peer.detail.numpy})`
          : ""
      }.`,
      ...(peer?.detail ? [`PyTorch BLAS: ${peer.detail.blas}.`] : []),
      ...(referenceBlas ? [REFERENCE_BLAS_NOTE] : []),
      `Date: ${started.toISOString().slice(0, 10)}. Command: \`${command}\`.`,
    ];
    console.log(`\n${table}\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`);

    for (const r of results.values()) {
      if (r.status !== "ok" || r.epochs.length < 2) continue;
      const first = r.epochs[0].loss, lastLoss = r.epochs.at(-1)!.loss;
      if (r.impl !== "layers" && !(lastLoss < first)) {
        console.log(
          `warning: ${r.impl}'s training loss did not fall (${
            first.toFixed(4)
          } → ${lastLoss.toFixed(4)})`,
        );
      }
    }

    if (opts.json) {
      await Deno.writeTextFile(
        opts.json,
        JSON.stringify(
          {
            date: started.toISOString(),
            command,
            machine: { ...sys, loadBefore, loadAfter },
            versions,
            workload: {
              experiment: EXPERIMENT,
              maxLen: opts.maxLen,
              trainRows: meta.splits.train.rows,
              valRows: meta.splits.val.rows,
              timesteps: meta.splits.train.timesteps,
              trainTokens: meta.splits.train.realTokens,
              valTokens: meta.splits.val.realTokens,
              embeddingRows: meta.embeddingRows,
            },
            flopModel: {
              perTokenForward: flopsPerToken(meta.model),
              trainMultiplier: 3,
              nominalTrain: nominal.train,
              nominalVal: nominal.val,
              nominalTotal,
            },
            measuredEpochs: opts.epochs,
            results: [...results.values()],
            peer: peer?.impl ?? null,
            oursOverPeer: ratio,
            markdown: `${table}\n\n${notes.map((n) => `- ${n}`).join("\n")}\n`,
          },
          null,
          2,
        ) + "\n",
      );
      console.log(`saved ${opts.json}`);
    }
  } finally {
    for (const w of workers) w.kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  const opts = parseArgs(Deno.args);
  if (opts.worker !== null) {
    if (opts.data === null) throw new Error("--worker needs --data DIR");
    try {
      await (opts.worker === "ours" ? oursWorker : layersWorker)(
        opts,
        opts.data,
      );
    } catch (e) {
      send({
        type: "error",
        message: e instanceof Error ? `${e.message}` : String(e),
      });
      Deno.exit(1);
    }
  } else if (opts.exportOnly !== null) {
    await Deno.mkdir(opts.exportOnly, { recursive: true });
    const { meta } = await exportData(opts.exportOnly, opts.maxLen);
    console.log(
      `wrote ${opts.exportOnly}/meta.json and the ${
        Object.keys(meta.splits).length * 3
      } .i32 files`,
    );
  } else {
    await main(opts);
  }
}
