/**
 * The experiment series: one registry, each experiment a small delta from
 * the experiment it builds on, so a notebook shows exactly the toggle it
 * studies. Resolved configs are validated when this module loads.
 *
 * The chain mirrors the upstream history: the Kaggle Keras notebook (00),
 * its post-padding/masking fix (01), two tokenizer swaps (02, 03), the
 * PyTorch port with its defaults and quirks (04, 05), and the fixes the port
 * needed one at a time (06–10), plus the one fix the upstream never tried
 * (11), and the Adam ε the port copied from Keras (13).
 *
 * @module
 */

import {
  applyDelta,
  BASE_CONFIG,
  type ConfigDelta,
  type ExperimentConfig,
} from "./config.ts";

/** One registered experiment. */
export interface Experiment {
  /** Stable id, also the notebook's file stem, e.g. "04_torch_parity_1". */
  id: string;
  /** Two-digit number shown in titles. */
  number: string;
  title: string;
  /** The question the notebook answers. */
  question: string;
  /** The one toggle under study, in words. */
  toggle: string;
  /** Id of the experiment this one changes, or `null` for the first. */
  base: string | null;
  /** What changes from `base` (for the first: from {@link BASE_CONFIG}). */
  delta: ConfigDelta;
  /** The resolved configuration. */
  config: ExperimentConfig;
  /** Upstream runs (lib/upstream ids) this experiment mirrors; first is primary. */
  upstream: string[];
  /** Upstream behaviours this config reproduces on purpose, and caveats. */
  notes: string[];
}

type Def = Omit<Experiment, "config">;

const DEFS: Def[] = [
  {
    id: "00_baseline",
    number: "00",
    title: "Baseline: the original Kaggle notebook",
    question:
      "How well does the original Keras model learn: pre-padding, no mask, a small LSTM with heavy input dropout?",
    toggle:
      "pre-padding without a mask, LSTM(16) with dropout 0.9 (the Kaggle notebook's model)",
    base: null,
    delta: {
      data: { padding: "pre" },
      model: { masking: "none", lstmUnits: 16, dropout: 0.9 },
    },
    upstream: ["keras_main"],
    notes: [
      "Sequences are pre-padded to the longest training article and the LSTM runs over every padding step (no mask), as Keras did without mask_zero.",
      "Test articles are padded separately to the longest test article, as upstream did (quirk keras_main_test_length).",
    ],
  },
  {
    id: "01_post_padding",
    number: "01",
    title: "Post-padding with a mask",
    question:
      "Does post-padding with mask_zero (and a bigger LSTM without dropout) learn faster and better?",
    toggle:
      "post-padding + mask_zero, LSTM(64), no dropout (three changes at once, as upstream made them)",
    base: "00_baseline",
    delta: {
      data: { padding: "post" },
      model: { masking: "mask", lstmUnits: 64, dropout: 0 },
    },
    upstream: ["keras_postpad_mask"],
    notes: [
      "Upstream changed padding+mask, units and dropout together, so this notebook cannot attribute the gain to masking alone.",
    ],
  },
  {
    id: "02_text_vectorization",
    number: "02",
    title: "TextVectorization instead of Tokenizer",
    question: "Does Keras' TextVectorization vocabulary change the result?",
    toggle: "tokenizer: TextVectorization",
    base: "01_post_padding",
    delta: { data: { tokenizer: "textVectorization" } },
    upstream: ["keras_textvec_mask"],
    notes: [],
  },
  {
    id: "03_bert_tokens",
    number: "03",
    title: "bert-base-uncased WordPiece ids",
    question:
      "How does the Keras model do on BERT WordPiece ids, the input the PyTorch port will use?",
    toggle: "tokenizer: bert-base-uncased WordPiece (truncated at 512)",
    base: "01_post_padding",
    delta: { data: { tokenizer: "bert" } },
    upstream: ["keras_hf_mask"],
    notes: [
      "This is the Keras reference the PyTorch experiments (04–10) try to match.",
    ],
  },
  {
    id: "04_torch_parity_1",
    number: "04",
    title: "PyTorch parity 1: the plain port",
    question:
      "What happens when the model gets PyTorch's defaults and the upstream port's quirks?",
    toggle:
      "PyTorch defaults: torch init, two bias vectors, no mask, padding_idx=1, double softmax, Adam in PyTorch's form (ε 1e-7 kept)",
    base: "03_bert_tokens",
    delta: {
      model: {
        masking: "none",
        paddingIdx: 1,
        init: "torch",
        biasVectors: 2,
        forgetBias: null,
        output: "doubleSoftmax",
      },
      train: { adamFormula: "torch", epsilon: 1e-7, predictBatchSize: null },
    },
    upstream: ["torch_exp1_cpu_plain", "archive_gpu_plain"],
    notes: [
      "padding_idx=1 is BERT's [unused0], not [PAD] (0): the real padding row stays trainable and nothing is masked (quirk padding_idx_1).",
      "The upstream loop meant to restore the best weights but restored the last epoch (quirk restore_best_noop); restoreBestWeights is false to match.",
      "Upstream predicted all 735 test rows in one batch on the CPU.",
    ],
  },
  {
    id: "05_torch_parity_2",
    number: "05",
    title: "PyTorch parity 2: the same on a GPU",
    question:
      "Does moving the plain port to the GPU (and batching prediction) change anything?",
    toggle: "backend: GPU; prediction in batches of 256",
    base: "04_torch_parity_1",
    delta: { backend: "gpu", train: { predictBatchSize: 256 } },
    upstream: ["torch_exp2_gpu_plain"],
    notes: [
      "Upstream's Exp 1 and Exp 2 differ only in the device; their different curves are seed noise.",
      "Where no GPU backend loads, this runs on the best CPU backend and says so.",
    ],
  },
  {
    id: "06_torch_parity_3",
    number: "06",
    title: "PyTorch parity 3: packed sequences",
    question:
      "Does packing (masking the padding) and the right padding_idx let the port learn?",
    toggle: "masked (pack_padded_sequence), padding_idx=0",
    base: "05_torch_parity_2",
    delta: { model: { masking: "mask", paddingIdx: 0 } },
    upstream: ["torch_exp3_pack"],
    notes: [],
  },
  {
    id: "07_torch_parity_4",
    number: "07",
    title: "PyTorch parity 4: + Keras-like init and forget bias",
    question:
      "Do the Keras-like initialisation and a forget-gate bias close the gap to Keras?",
    toggle:
      "Keras-like init (embedding N(0, 0.01)) + forget bias 1 in both PyTorch bias vectors (effective 2)",
    base: "06_torch_parity_3",
    delta: { model: { init: "kerasLike", forgetBias: 1 } },
    upstream: ["torch_exp4_pack_init_fb", "deployment_exp4_rerun"],
    notes: [
      "The forget-gate slice is 1 in bias_ih and in bias_hh; PyTorch adds them, so the effective forget bias is 2 (quirk forget_bias_is_2).",
    ],
  },
  {
    id: "08_torch_parity_5",
    number: "08",
    title: "PyTorch parity 5: 07 without packing",
    question:
      "Can initialisation and forget bias make up for unmasked padding?",
    toggle: "no mask (padding_idx back to 1)",
    base: "07_torch_parity_4",
    delta: { model: { masking: "none", paddingIdx: 1 } },
    upstream: ["torch_exp5_nopack_init_fb"],
    notes: [],
  },
  {
    id: "09_torch_parity_6",
    number: "09",
    title: "PyTorch parity 6: packing + init only",
    question: "How much does the Keras-like init do on its own?",
    toggle: "Keras-like init, no forget bias",
    base: "06_torch_parity_3",
    delta: { model: { init: "kerasLike" } },
    upstream: ["torch_exp6_pack_init"],
    notes: [],
  },
  {
    id: "10_torch_parity_7",
    number: "10",
    title: "PyTorch parity 7: packing + forget bias only",
    question: "How much does the forget-gate bias do on its own?",
    toggle: "forget bias 1 in both vectors (effective 2), PyTorch init",
    base: "06_torch_parity_3",
    delta: { model: { forgetBias: 1 } },
    upstream: ["torch_exp7_pack_fb"],
    notes: [
      "The other gates keep PyTorch's random U(±1/√H) biases, as upstream.",
    ],
  },
  {
    id: "11_double_softmax_fixed",
    number: "11",
    title: "The double softmax, fixed",
    question:
      "What does 07 do with the loss on logits, the fix the upstream never tried?",
    toggle: "cross-entropy on logits instead of softmax → cross-entropy",
    base: "07_torch_parity_4",
    delta: { model: { output: "logits" } },
    upstream: [],
    notes: [],
  },
  {
    id: "13_adam_epsilon",
    number: "13",
    title: "Adam's epsilon: PyTorch's default",
    question:
      "Would the port have learned the same with PyTorch's default Adam ε = 1e-8 instead of the 1e-7 the upstream copied from Keras?",
    toggle: "Adam ε = 1e-8 (PyTorch's default)",
    base: "07_torch_parity_4",
    delta: { train: { epsilon: 1e-8 } },
    upstream: [],
    notes: [
      "The upstream set eps=1e-7 in every PyTorch notebook to match Keras and never ran PyTorch's default; this experiment measures what that choice did.",
    ],
  },
];

function resolve(): Map<string, Experiment> {
  const out = new Map<string, Experiment>();
  for (const def of DEFS) {
    const base = def.base === null ? BASE_CONFIG : out.get(def.base)?.config;
    if (!base) {
      throw new Error(
        `Experiment ${def.id} builds on ${def.base}, which is not defined before it`,
      );
    }
    out.set(def.id, { ...def, config: applyDelta(base, def.delta) });
  }
  return out;
}

const REGISTRY = resolve();

/** Every experiment, in series order. */
export function experiments(): Experiment[] {
  return [...REGISTRY.values()];
}

/** The experiment `id` (e.g. "04_torch_parity_1" or just "04"). */
export function experiment(id: string): Experiment {
  const found = REGISTRY.get(id) ??
    [...REGISTRY.values()].find((e) => e.number === id);
  if (!found) {
    throw new RangeError(
      `Unknown experiment "${id}": expected one of ${
        [...REGISTRY.keys()].join(", ")
      }`,
    );
  }
  return found;
}

/**
 * The options that differ between two configs, as `section.option` →
 * `[from, to]`, in config order.
 */
export function diffConfigs(
  from: ExperimentConfig,
  to: ExperimentConfig,
): [string, unknown, unknown][] {
  const out: [string, unknown, unknown][] = [];
  for (const section of Object.keys(to) as (keyof ExperimentConfig)[]) {
    const a = from[section], b = to[section];
    if (typeof b === "object" && b !== null) {
      for (const k of Object.keys(b)) {
        const va = (a as unknown as Record<string, unknown>)[k];
        const vb = (b as unknown as Record<string, unknown>)[k];
        if (JSON.stringify(va) !== JSON.stringify(vb)) {
          out.push([`${section}.${k}`, va, vb]);
        }
      }
    } else if (a !== b) out.push([section, a, b]);
  }
  return out;
}
