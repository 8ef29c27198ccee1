/**
 * A plain float64 LSTM used by the tests as an independent reference: no
 * tfjs, no packing, no shared code with the op under test. Written from the
 * LSTM equations (Hochreiter & Schmidhuber; gate order i, f, g, o as in Keras
 * and PyTorch):
 *
 *   z = x·W + h·U + b,  i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
 *   c' = f c + i g,     h' = o tanh(c')
 *
 * Test helper only (not exported from the library).
 *
 * @module
 */

/** Weights and a batch in plain arrays (row-major). */
export interface ReferenceCase {
  vocab: number;
  embed: number;
  hidden: number;
  /** [vocab, embed] */
  embeddings: Float64Array;
  /** [embed, 4 hidden] */
  kernel: Float64Array;
  /** [hidden, 4 hidden] */
  recurrent: Float64Array;
  /** [4 hidden] */
  bias: Float64Array;
  /** [batch, timesteps] */
  ids: Int32Array;
  batch: number;
  timesteps: number;
  masked: boolean;
  /** [batch, embed] or null */
  dropout: Float64Array | null;
  hard: boolean;
}

function gate(x: number, hard: boolean): number {
  return hard
    ? Math.min(1, Math.max(0, 0.2 * x + 0.5))
    : 1 / (1 + Math.exp(-x));
}

/**
 * Final hidden state per row, [batch, hidden]: masked rows skip id 0
 * anywhere; a row with no token gives zeros.
 */
export function referenceLstm(c: ReferenceCase): Float64Array {
  const { hidden: H, embed: E } = c;
  const out = new Float64Array(c.batch * H);
  const z = new Float64Array(4 * H);
  for (let r = 0; r < c.batch; r++) {
    const h = new Float64Array(H);
    const cell = new Float64Array(H);
    for (let t = 0; t < c.timesteps; t++) {
      const id = c.ids[r * c.timesteps + t];
      if (c.masked && id === 0) continue;
      for (let j = 0; j < 4 * H; j++) z[j] = c.bias[j];
      for (let e = 0; e < E; e++) {
        let x = c.embeddings[id * E + e];
        if (c.dropout) x *= c.dropout[r * E + e];
        if (x === 0) continue;
        for (let j = 0; j < 4 * H; j++) z[j] += x * c.kernel[e * 4 * H + j];
      }
      for (let k = 0; k < H; k++) {
        const hk = h[k];
        for (let j = 0; j < 4 * H; j++) z[j] += hk * c.recurrent[k * 4 * H + j];
      }
      for (let u = 0; u < H; u++) {
        const i = gate(z[u], c.hard);
        const f = gate(z[H + u], c.hard);
        const g = Math.tanh(z[2 * H + u]);
        const o = gate(z[3 * H + u], c.hard);
        cell[u] = f * cell[u] + i * g;
        h[u] = o * Math.tanh(cell[u]);
      }
    }
    out.set(h, r * H);
  }
  return out;
}

/** Σ h ⊙ weights: a scalar loss for gradient checks. */
export function referenceLoss(c: ReferenceCase, weights: Float64Array): number {
  const h = referenceLstm(c);
  let s = 0;
  for (let i = 0; i < h.length; i++) s += h[i] * weights[i];
  return s;
}

/** Which parameter array a finite difference perturbs. */
export type ParamName = "embeddings" | "kernel" | "recurrent" | "bias";

/**
 * Central finite difference of {@link referenceLoss} with respect to one
 * entry of one parameter array (float64, step `eps`).
 */
export function finiteDifference(
  c: ReferenceCase,
  weights: Float64Array,
  param: ParamName,
  index: number,
  eps = 1e-6,
): number {
  const arr = c[param];
  const keep = arr[index];
  arr[index] = keep + eps;
  const up = referenceLoss(c, weights);
  arr[index] = keep - eps;
  const down = referenceLoss(c, weights);
  arr[index] = keep;
  return (up - down) / (2 * eps);
}

/**
 * A small deterministic generator for test data: a 32-bit linear
 * congruential sequence (constants from Numerical Recipes), uniform in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
