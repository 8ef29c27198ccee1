/**
 * Weight initialisation schemes for Embedding → LSTM → Dense, drawn from the
 * project's numpy-exact generator so that a seed fixes every number.
 *
 * Storage layout (shared with lib/model/lstm.ts): the LSTM input kernel is
 * [E, 4H] and the recurrent kernel [H, 4H], columns in gate order i, f, c, o
 * (Keras' layout; PyTorch stores the transposes `weight_ih` [4H, E] and
 * `weight_hh` [4H, H] with the same gate order). The dense kernel is [H, C].
 *
 * @module
 */

import type { InitScheme } from "../config.ts";
import type { RandomState } from "../data/random.ts";

/** Shapes of the classifier's parameters. */
export interface ParamShapes {
  /** Embedding rows V (tokenizer ids + 1, as upstream). */
  vocabRows: number;
  /** Embedding width E. */
  embeddingDim: number;
  /** LSTM units H. */
  units: number;
  /** Output classes C. */
  classes: number;
}

/** Freshly drawn parameters, row-major float32. */
export interface InitialWeights {
  /** [V, E] */
  embeddings: Float32Array;
  /** [E, 4H] */
  kernel: Float32Array;
  /** [H, 4H] */
  recurrentKernel: Float32Array;
  /** One [4H] vector (Keras) or two (PyTorch `bias_ih`, `bias_hh`). */
  biases: Float32Array[];
  /** [H, C] */
  denseKernel: Float32Array;
  /** [C] */
  denseBias: Float32Array;
}

/** Options beyond the scheme itself. */
export interface InitOptions {
  /** Number of LSTM bias vectors (1 Keras, 2 PyTorch). @default 1 */
  biasVectors?: 1 | 2;
  /** Written into the forget slice of every bias vector; `null` keeps the scheme's values. @default null */
  forgetBias?: number | null;
  /** Embedding row set to zero (PyTorch `padding_idx`); `null` for none. @default null */
  paddingIdx?: number | null;
}

function uniform(rng: RandomState, n: number, limit: number): Float32Array {
  return Float32Array.from(rng.uniform(-limit, limit, n));
}

function normal(rng: RandomState, n: number, std: number): Float32Array {
  return Float32Array.from(rng.normal(0, std, n));
}

/** Glorot/Xavier uniform limit √(6 / (fanIn + fanOut)). */
export function glorotLimit(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}

/**
 * A [rows, cols] matrix with orthonormal rows (rows ≤ cols) or columns
 * (rows > cols), as Keras' `Orthogonal` and PyTorch's `orthogonal_` make it:
 * QR of a standard-normal matrix of shape (max, min), columns of Q
 * sign-corrected by diag(R), transposed when rows < cols.
 */
export function orthogonal(
  rng: RandomState,
  rows: number,
  cols: number,
  gain = 1,
): Float32Array {
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  const a = rng.standardNormal(m * n); // row-major [m, n]
  const q = householderQ(a, m, n);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const v = gain * q[i * n + j];
      if (rows >= cols) out[i * cols + j] = v; // Q is [rows, cols]
      else out[j * cols + i] = v; // Qᵀ is [rows, cols]
    }
  }
  return out;
}

/**
 * Thin Q factor (m×n, m ≥ n) of a row-major matrix by Householder
 * reflections in float64, with each column's sign chosen so that R has a
 * non-negative diagonal (the `q *= sign(diag(r))` step of both frameworks).
 */
function householderQ(aIn: Float64Array, m: number, n: number): Float64Array {
  const a = Float64Array.from(aIn);
  const vs: Float64Array[] = [];
  const rDiag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += a[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const x0 = a[k * n + k];
    const alpha = x0 > 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = a[i * n + k];
    v[0] -= alpha;
    let vnorm = 0;
    for (let i = 0; i < v.length; i++) vnorm += v[i] * v[i];
    vnorm = Math.sqrt(vnorm);
    if (vnorm > 0) { for (let i = 0; i < v.length; i++) v[i] /= vnorm; }
    vs.push(v);
    for (let j = k; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * a[i * n + j];
      for (let i = k; i < m; i++) a[i * n + j] -= 2 * v[i - k] * dot;
    }
    rDiag[k] = a[k * n + k];
  }
  // Q = H_0 H_1 … H_{n-1} applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * q[i * n + j];
      for (let i = k; i < m; i++) q[i * n + j] -= 2 * v[i - k] * dot;
    }
  }
  for (let j = 0; j < n; j++) {
    if (rDiag[j] < 0) {
      for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j];
    }
  }
  return q;
}

/**
 * Draws every parameter for `scheme` (see {@link InitScheme} for what each
 * mimics). Draw order is fixed (embedding, kernel, recurrent kernel, biases,
 * dense kernel, dense bias), so a seed always gives the same weights.
 */
export function initialWeights(
  scheme: InitScheme,
  shapes: ParamShapes,
  rng: RandomState,
  options: InitOptions = {},
): InitialWeights {
  const { vocabRows: v, embeddingDim: e, units: h, classes: c } = shapes;
  const biasVectors = options.biasVectors ?? 1;
  const g = 4 * h;
  let w: InitialWeights;
  if (scheme === "keras") {
    w = {
      embeddings: uniform(rng, v * e, 0.05),
      kernel: uniform(rng, e * g, glorotLimit(e, g)),
      recurrentKernel: orthogonal(rng, h, g),
      biases: Array.from({ length: biasVectors }, () => new Float32Array(g)),
      denseKernel: uniform(rng, h * c, glorotLimit(h, c)),
      denseBias: new Float32Array(c),
    };
  } else if (scheme === "torch") {
    const k = 1 / Math.sqrt(h);
    w = {
      embeddings: normal(rng, v * e, 1),
      kernel: uniform(rng, e * g, k),
      recurrentKernel: uniform(rng, h * g, k),
      biases: Array.from({ length: biasVectors }, () => uniform(rng, g, k)),
      denseKernel: uniform(rng, h * c, 1 / Math.sqrt(h)),
      denseBias: uniform(rng, c, 1 / Math.sqrt(h)),
    };
  } else if (scheme === "kerasLike") {
    w = {
      embeddings: normal(rng, v * e, 0.01),
      kernel: uniform(rng, e * g, glorotLimit(e, g)),
      recurrentKernel: orthogonal(rng, h, g),
      biases: Array.from({ length: biasVectors }, () => new Float32Array(g)),
      denseKernel: uniform(rng, h * c, glorotLimit(h, c)),
      denseBias: new Float32Array(c),
    };
  } else {
    throw new RangeError(
      `Unknown init scheme ${
        JSON.stringify(scheme)
      }: expected "keras", "torch" or "kerasLike"`,
    );
  }
  const fb = options.forgetBias ?? null;
  if (fb !== null) { for (const b of w.biases) b.fill(fb, h, 2 * h); }
  const pad = options.paddingIdx ?? null;
  if (pad !== null) {
    if (pad >= v) {
      throw new RangeError(
        `paddingIdx ${pad} is outside the embedding's ${v} rows`,
      );
    }
    w.embeddings.fill(0, pad * e, (pad + 1) * e);
  }
  return w;
}
