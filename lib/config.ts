/**
 * The experiment configuration: one typed object that says everything a run
 * does, from the cleaning steps to Adam's epsilon. Every experiment in
 * `lib/experiments.ts` is this base plus a small delta, so a notebook can
 * state the one toggle it studies and nothing else.
 *
 * Defaults ({@link BASE_CONFIG}) are the upstream's Keras post-padding model
 * (notebook 01): Keras tokenizer, post-padding with `mask_zero=True`,
 * Embedding(500) → LSTM(64) → Dense(5), Keras initialisers, Adam(1e-3, 1e-7),
 * batch 128, 60 epochs, early stopping on validation loss with patience 15.
 *
 * @module
 */

/** One step of the upstream text pipeline, applied in the listed order. */
export type CleaningStep =
  | "lowercase"
  | "contractions"
  | "keepLetters"
  | "collapseWhitespace"
  | "stopwords";

/** Which tokenizer turns cleaned text into ids. */
export type TokenizerKind =
  /** Keras `Tokenizer(num_words=None, oov_token='-')`: OOV is 1, pad is 0. */
  | "keras"
  /** Keras `TextVectorization`: '' is 0, '[UNK]' is 1. */
  | "textVectorization"
  /** `bert-base-uncased` WordPiece, [CLS]/[SEP] kept, truncated at 512. */
  | "bert";

/** Where padding (and truncation) goes, as in Keras `pad_sequences`. */
export type Side = "pre" | "post";

/** Data side of an experiment. */
export interface DataConfig {
  /** Cleaning steps in order. @default all five, upstream order */
  cleaning: CleaningStep[];
  /** @default "keras" */
  tokenizer: TokenizerKind;
  /** Padding side for training/validation sequences. @default "post" */
  padding: Side;
  /** Truncation side when `maxLen` cuts a sequence. @default "pre" (Keras) */
  truncating: Side;
  /**
   * Length every sequence is padded/truncated to; `null` pads to the longest
   * sequence (Keras `maxlen=None`, HF `padding=True`). @default null
   */
  maxLen: number | null;
  /**
   * Fit the word-level tokenizer on all 1490 labelled rows before the split
   * (what the upstream did: mild leakage) or on the training part only.
   * @default "all"
   */
  fitTokenizerOn: "all" | "train";
  /** Validation fraction for the sklearn-exact split. @default 0.2 */
  testSize: number;
  /** `random_state` of the split. @default 42 */
  splitSeed: number;
  /**
   * Use only the first `limit` labelled rows (quick mode); `null` uses all.
   * @default null
   */
  limit: number | null;
}

/** Weight initialisation schemes. */
export type InitScheme =
  /**
   * Keras defaults: embedding U(±0.05); LSTM kernel Glorot-uniform,
   * recurrent orthogonal, bias zeros; Dense Glorot-uniform, bias zeros.
   */
  | "keras"
  /**
   * PyTorch defaults: embedding N(0, 1); every LSTM weight and both bias
   * vectors U(±1/√H); Linear weight and bias U(±1/√fan_in).
   */
  | "torch"
  /**
   * The upstream's "Keras-like" PyTorch init: embedding N(0, 0.01); LSTM
   * weight_ih Glorot-uniform, weight_hh orthogonal, biases zero; Linear
   * Glorot-uniform with zero bias.
   */
  | "kerasLike";

/** Model side of an experiment. */
export interface ModelConfig {
  /** Embedding width E. @default 500 */
  embeddingDim: number;
  /** LSTM hidden size H. @default 64 */
  lstmUnits: number;
  /**
   * Dropout rate on the LSTM inputs, Keras semantics: one Bernoulli mask per
   * sample and feature, shared by every timestep, scaled by 1/(1-rate);
   * training only. @default 0
   */
  dropout: number;
  /** Gate activation; Keras uses sigmoid, tfjs-layers' default is hard. @default "sigmoid" */
  recurrentActivation: "sigmoid" | "hardSigmoid";
  /**
   * `"mask"`: the final state is the state after each sequence's last real
   * (non-zero) token: Keras `mask_zero=True`, PyTorch
   * `pack_padded_sequence`. `"none"`: padded steps run through the LSTM and
   * the final state comes after them (PyTorch without packing).
   * @default "mask"
   */
  masking: "mask" | "none";
  /**
   * An embedding row held at zero and never trained (PyTorch `padding_idx`);
   * `null` for none (Keras). The upstream's mistake was `1`. @default null
   */
  paddingIdx: number | null;
  /** @default "keras" */
  init: InitScheme;
  /**
   * Number of LSTM bias vectors: Keras has one; PyTorch has two (`bias_ih`
   * and `bias_hh`), summed in the forward pass but each updated by Adam on
   * its own. @default 1
   */
  biasVectors: 1 | 2;
  /**
   * Value written into the forget-gate slice of every bias vector after
   * initialisation, or `null` to leave the scheme's values. Keras
   * (`unit_forget_bias=True`) is 1 in its one vector; the upstream PyTorch
   * code wrote 1 into both vectors, an effective bias of 2. @default 1
   */
  forgetBias: number | null;
  /**
   * `"logits"`: cross-entropy on logits (equal to Keras' softmax +
   * categorical cross-entropy). `"doubleSoftmax"`: the upstream PyTorch
   * quirk, softmax then a loss that applies log-softmax again; its loss
   * cannot go below ln(e+4)−1 ≈ 0.9048. @default "logits"
   */
  output: "logits" | "doubleSoftmax";
  /**
   * Recurrence engine: `"fused"` runs the time loop in one WebAssembly SIMD
   * call on CPU memory (fastest on CPU backends); `"ops"` issues tfjs ops per
   * timestep and stays on the backend's device (for GPU backends); `"auto"`
   * picks by backend. @default "auto"
   */
  engine: "auto" | "fused" | "ops";
}

/** Optimiser and loop. */
export interface TrainConfig {
  /** @default 128 */
  batchSize: number;
  /** Maximum epochs. @default 60 */
  epochs: number;
  /** Adam learning rate. @default 1e-3 */
  learningRate: number;
  /** Adam β1. @default 0.9 */
  beta1: number;
  /** Adam β2. @default 0.999 */
  beta2: number;
  /** Adam ε: Keras 1e-7, PyTorch 1e-8. @default 1e-7 */
  epsilon: number;
  /**
   * Where ε enters Adam: `"keras"` adds it to √v with the bias correction
   * folded into the step size (Keras 3); `"torch"` adds it to the
   * bias-corrected √v̂ (PyTorch, the Adam paper). @default "keras"
   */
  adamFormula: "keras" | "torch";
  /** Early-stopping patience on validation loss; `null` disables. @default 15 */
  patience: number | null;
  /**
   * Restore the weights of the best validation-loss epoch when training
   * stops. Keras' EarlyStopping default does not; the upstream PyTorch loop
   * meant to but restored the last epoch (its state_dict() copy shared
   * storage), so both upstream families behave as `false`. @default false
   */
  restoreBestWeights: boolean;
  /** Shuffle the training rows every epoch with the seeded generator. @default true */
  shuffle: boolean;
  /**
   * Batch size for validation and prediction; `null` predicts every row in one
   * batch (what upstream did before it ran out of GPU memory). @default 256
   */
  predictBatchSize: number | null;
}

/**
 * Every compute backend a config may name. `"auto"` picks the fastest that
 * loads; `"gpu"` the first GPU backend that loads on real hardware, else
 * `"auto"`'s choice (the fallback is recorded with the run).
 */
export const BACKEND_NAMES = [
  "auto",
  "tensorflow",
  "webgpu",
  "wasm",
  "cpu",
  "gpu",
] as const;

/** Compute backends: one of {@link BACKEND_NAMES}. */
export type BackendName = typeof BACKEND_NAMES[number];

/** One experiment: everything a run needs besides its seed. */
export interface ExperimentConfig {
  data: DataConfig;
  model: ModelConfig;
  train: TrainConfig;
  /** @default "auto" */
  backend: BackendName;
}

/** A partial config: what an experiment changes from its base. */
export interface ConfigDelta {
  data?: Partial<DataConfig>;
  model?: Partial<ModelConfig>;
  train?: Partial<TrainConfig>;
  backend?: BackendName;
}

/** The upstream pipeline: lower → contractions → letters → spaces → stopwords. */
export const UPSTREAM_CLEANING: readonly CleaningStep[] = [
  "lowercase",
  "contractions",
  "keepLetters",
  "collapseWhitespace",
  "stopwords",
];

/** The base every experiment starts from: upstream notebook 01 (Keras, post-padding + mask). */
export const BASE_CONFIG: ExperimentConfig = {
  data: {
    cleaning: [...UPSTREAM_CLEANING],
    tokenizer: "keras",
    padding: "post",
    truncating: "pre",
    maxLen: null,
    fitTokenizerOn: "all",
    testSize: 0.2,
    splitSeed: 42,
    limit: null,
  },
  model: {
    embeddingDim: 500,
    lstmUnits: 64,
    dropout: 0,
    recurrentActivation: "sigmoid",
    masking: "mask",
    paddingIdx: null,
    init: "keras",
    biasVectors: 1,
    forgetBias: 1,
    output: "logits",
    engine: "auto",
  },
  train: {
    batchSize: 128,
    epochs: 60,
    learningRate: 1e-3,
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-7,
    adamFormula: "keras",
    patience: 15,
    restoreBestWeights: false,
    shuffle: true,
    predictBatchSize: 256,
  },
  backend: "auto",
};

/** Thrown for a config value outside its domain; the message names the option. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Applies `delta` on top of `base` (one level deep) and validates the result. */
export function applyDelta(
  base: ExperimentConfig,
  delta: ConfigDelta,
): ExperimentConfig {
  const out = structuredClone(base);
  for (const [section, value] of Object.entries(delta)) {
    if (!(section in out)) {
      throw new ConfigError(
        `Unknown config section "${section}": expected one of ${
          Object.keys(out).join(", ")
        }`,
      );
    }
    const key = section as keyof ExperimentConfig;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const target = out[key] as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(value)) {
        if (!(k in target)) {
          throw new ConfigError(
            `Unknown option "${section}.${k}": expected one of ${
              Object.keys(target).join(", ")
            }`,
          );
        }
        target[k] = structuredClone(v);
      }
    } else {
      (out as unknown as Record<string, unknown>)[key] = value;
    }
  }
  validateConfig(out);
  return out;
}

function oneOf<T>(name: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) {
    throw new ConfigError(
      `Option "${name}" must be one of ${
        allowed.map((a) => JSON.stringify(a)).join(", ")
      }: current value is ${JSON.stringify(value)}`,
    );
  }
}

function positiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(
      `Option "${name}" must be a positive integer: current value is ${value}`,
    );
  }
}

function inRange(
  name: string,
  value: number,
  lo: number,
  hi: number,
  hiOpen = true,
): void {
  const ok = Number.isFinite(value) && value >= lo &&
    (hiOpen ? value < hi : value <= hi);
  if (!ok) {
    throw new ConfigError(
      `Option "${name}" must be in [${lo}, ${hi}${
        hiOpen ? ")" : "]"
      }: current value is ${value}`,
    );
  }
}

/** Throws {@link ConfigError} naming the first option outside its domain. */
export function validateConfig(c: ExperimentConfig): void {
  const { data: d, model: m, train: t } = c;
  for (const step of d.cleaning) {
    oneOf("data.cleaning[]", step, UPSTREAM_CLEANING);
  }
  oneOf(
    "data.tokenizer",
    d.tokenizer,
    [
      "keras",
      "textVectorization",
      "bert",
    ] as const,
  );
  oneOf("data.padding", d.padding, ["pre", "post"] as const);
  oneOf("data.truncating", d.truncating, ["pre", "post"] as const);
  if (d.maxLen !== null) positiveInt("data.maxLen", d.maxLen);
  oneOf("data.fitTokenizerOn", d.fitTokenizerOn, ["all", "train"] as const);
  inRange("data.testSize", d.testSize, Number.MIN_VALUE, 1);
  if (!Number.isInteger(d.splitSeed) || d.splitSeed < 0) {
    throw new ConfigError(
      `Option "data.splitSeed" must be a non-negative integer: current value is ${d.splitSeed}`,
    );
  }
  if (d.limit !== null) positiveInt("data.limit", d.limit);

  positiveInt("model.embeddingDim", m.embeddingDim);
  positiveInt("model.lstmUnits", m.lstmUnits);
  inRange("model.dropout", m.dropout, 0, 1);
  oneOf(
    "model.recurrentActivation",
    m.recurrentActivation,
    [
      "sigmoid",
      "hardSigmoid",
    ] as const,
  );
  oneOf("model.masking", m.masking, ["mask", "none"] as const);
  if (
    m.paddingIdx !== null &&
    (!Number.isInteger(m.paddingIdx) || m.paddingIdx < 0)
  ) {
    throw new ConfigError(
      `Option "model.paddingIdx" must be null or a non-negative integer: current value is ${m.paddingIdx}`,
    );
  }
  oneOf("model.init", m.init, ["keras", "torch", "kerasLike"] as const);
  oneOf("model.biasVectors", m.biasVectors, [1, 2] as const);
  if (m.forgetBias !== null && !Number.isFinite(m.forgetBias)) {
    throw new ConfigError(
      `Option "model.forgetBias" must be null or a finite number: current value is ${m.forgetBias}`,
    );
  }
  oneOf("model.output", m.output, ["logits", "doubleSoftmax"] as const);
  oneOf("model.engine", m.engine, ["auto", "fused", "ops"] as const);

  positiveInt("train.batchSize", t.batchSize);
  positiveInt("train.epochs", t.epochs);
  inRange("train.learningRate", t.learningRate, Number.MIN_VALUE, Infinity);
  inRange("train.beta1", t.beta1, 0, 1);
  inRange("train.beta2", t.beta2, 0, 1);
  inRange("train.epsilon", t.epsilon, 0, Infinity);
  oneOf("train.adamFormula", t.adamFormula, ["keras", "torch"] as const);
  if (
    t.patience !== null && (!Number.isInteger(t.patience) || t.patience < 0)
  ) {
    throw new ConfigError(
      `Option "train.patience" must be null or an integer ≥ 0: current value is ${t.patience}`,
    );
  }
  if (t.predictBatchSize !== null) {
    positiveInt("train.predictBatchSize", t.predictBatchSize);
  }
  oneOf("backend", c.backend, BACKEND_NAMES);
}
