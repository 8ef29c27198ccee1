/**
 * Adam with the two epsilon placements the upstream frameworks use.
 *
 * Both keep m ← β1·m + (1−β1)·g and v ← β2·v + (1−β2)·g² per parameter and
 * differ only in where ε enters:
 * - `"keras"` (Keras 3 `Adam`): α = lr·√(1−β2ᵗ)/(1−β1ᵗ); p ← p − α·m/(√v + ε).
 *   ε is added before the bias correction, so early steps see an effective
 *   ε of ε·√(1−β2ᵗ).
 * - `"torch"` (PyTorch `Adam`, the paper's algorithm):
 *   p ← p − lr/(1−β1ᵗ) · m/(√v/√(1−β2ᵗ) + ε).
 *
 * Dense over every parameter, as both frameworks do for an embedding's
 * gradient: rows absent from the batch still move while their moments
 * decay. A gradient may come row-sparse ({@link RowSparseGradient}: the
 * embedding rows a batch read and their gradients); the update is the same
 * as with the dense gradient that has zeros in every other row.
 *
 * Two implementations, chosen per call by {@link AdamOptions.implementation}:
 * - `"fused"` (on `cpu` and `wasm`): one pass per variable over (parameter,
 *   m, v, gradient) in the backend's memory (`kernels/adam_fused.ts`): m and
 *   v are updated in place, the parameter in place on cpu and into a new
 *   tensor on wasm (whose matMul caches weights per tensor); a row-sparse
 *   gradient is read as it is.
 * - `"ops"` (every backend): 12 tfjs ops per variable; a row-sparse gradient
 *   is first scattered into a dense one.
 * Both round every operation to float32 the same way, so they agree to the
 * last bit on IEEE hardware (measured on cpu and wasm; the tests allow 1e-6
 * relative).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import {
  type AdamKernelAttrs,
  ensureOwnStorage,
  fusedAdamAvailable,
  fusedAdamUpdate,
  registerFusedAdam,
} from "./kernels/adam_fused.ts";

/** Adam hyper-parameters. */
export interface AdamOptions {
  /** @default 1e-3 */
  learningRate: number;
  /** @default 0.9 */
  beta1: number;
  /** @default 0.999 */
  beta2: number;
  /** @default 1e-7 */
  epsilon: number;
  /** @default "keras" */
  formula: "keras" | "torch";
  /**
   * `"auto"`: the fused kernel where the backend has it (cpu, wasm), tfjs
   * ops elsewhere (webgpu, tensorflow). `"ops"`: always tfjs
   * ops. `"fused"`: the kernel, or an error on a backend without it.
   * @default "auto"
   */
  implementation: "auto" | "fused" | "ops";
}

/**
 * A gradient that is zero outside some rows of a 2-D parameter [n, width]:
 * row `rows[k]` has gradient `values[k]`. Rows may repeat (their values are
 * summed). Used for the embedding matrix, whose batch gradient touches only
 * the rows the batch read. (A type alias rather than an interface, so an
 * array holding it is still a tfjs TensorContainer: `tf.dispose(grads)`
 * disposes `values`.)
 */
export type RowSparseGradient = {
  /** [R] row indices into the parameter, each in [0, n). */
  rows: Int32Array;
  /** [R, width] gradient rows. */
  values: tf.Tensor2D;
};

/** Whether `g` is a {@link RowSparseGradient} (not a dense tensor). */
export function isRowSparse(
  g: tf.Tensor | RowSparseGradient | null,
): g is RowSparseGradient {
  return g !== null && !(g instanceof tf.Tensor) &&
    g.rows instanceof Int32Array;
}

/**
 * The dense [n, width] tensor equal to a row-sparse gradient (repeated rows
 * summed). Allocates n × width values: for tests and the ops path.
 */
export function densify(g: RowSparseGradient, shape: number[]): tf.Tensor2D {
  return tf.tidy(() =>
    tf.scatterND(
      tf.tensor2d(g.rows, [g.rows.length, 1], "int32"),
      g.values,
      [shape[0], shape[1]],
    ) as tf.Tensor2D
  );
}

/** Serialisable optimiser state (for checkpoints). */
export interface AdamState {
  step: number;
  /** First moments, one per parameter in the optimiser's order. */
  m: Float32Array[];
  /** Second moments, one per parameter. */
  v: Float32Array[];
}

/** Adam over a fixed list of variables. Call {@link Adam.dispose} when done. */
export class Adam {
  readonly options: AdamOptions;
  #vars: tf.Variable[];
  #m: tf.Variable[];
  #v: tf.Variable[];
  #step = 0;

  constructor(vars: tf.Variable[], options: Partial<AdamOptions> = {}) {
    this.options = {
      learningRate: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-7,
      formula: "keras",
      implementation: "auto",
      ...options,
    };
    const impl = this.options.implementation;
    if (impl !== "auto" && impl !== "fused" && impl !== "ops") {
      throw new RangeError(
        `Adam option "implementation" must be "auto", "fused" or "ops": ` +
          `current value is ${JSON.stringify(impl)}`,
      );
    }
    registerFusedAdam();
    this.#vars = vars;
    this.#m = vars.map((p) => zeroVariable(p));
    this.#v = vars.map((p) => zeroVariable(p));
  }

  /** Whether {@link apply} runs the fused kernel on the active backend. */
  get fused(): boolean {
    const impl = this.options.implementation;
    if (impl === "ops") return false;
    const available = fusedAdamAvailable();
    if (impl === "fused" && !available) {
      throw new Error(
        `Adam implementation "fused" is not available on the ` +
          `"${tf.getBackend()}" backend (only cpu and wasm): use "auto" or "ops"`,
      );
    }
    return available;
  }

  /** Number of updates applied so far. */
  get step(): number {
    return this.#step;
  }

  /**
   * Applies one update. `grads[i]` is the gradient of `vars[i]`: a tensor of
   * the same shape, a {@link RowSparseGradient} (2-D variables only), or
   * `null`, which leaves that variable and its moments untouched. The
   * caller keeps ownership of `grads`.
   */
  apply(grads: (tf.Tensor | RowSparseGradient | null)[]): void {
    if (grads.length !== this.#vars.length) {
      throw new RangeError(
        `Adam.apply got ${grads.length} gradients for ${this.#vars.length} variables`,
      );
    }
    grads.forEach((g, i) => this.#check(g, i));
    const fused = this.fused; // throws before the step count moves
    this.#step += 1;
    if (fused) this.#applyFused(grads);
    else this.#applyOps(grads);
  }

  #check(g: tf.Tensor | RowSparseGradient | null, i: number): void {
    if (g === null) return;
    const shape = this.#vars[i].shape;
    if (isRowSparse(g)) {
      const [r, width] = g.values.shape;
      if (
        shape.length !== 2 || g.values.rank !== 2 ||
        r !== g.rows.length || width !== shape[1]
      ) {
        throw new RangeError(
          `Adam.apply: row-sparse gradient ${i} needs a 2-D variable and ` +
            `values of shape [rows.length, ${shape[1] ?? "?"}]: variable ` +
            `[${shape}], ${g.rows.length} rows, values [${g.values.shape}]`,
        );
      }
      return;
    }
    if (!tf.util.arraysEqual(g.shape, shape)) {
      throw new RangeError(
        `Adam.apply: gradient ${i} has shape [${g.shape}]; its variable ` +
          `has [${shape}]`,
      );
    }
  }

  #applyFused(grads: (tf.Tensor | RowSparseGradient | null)[]): void {
    const { learningRate, beta1, beta2, epsilon, formula } = this.options;
    const attrs: AdamKernelAttrs = {
      learningRate,
      beta1,
      beta2,
      epsilon,
      step: this.#step,
      formula,
    };
    for (let i = 0; i < grads.length; i++) {
      const g = grads[i];
      if (g === null) continue;
      const p = this.#vars[i], m = this.#m[i], v = this.#v[i];
      ensureOwnStorage(p);
      ensureOwnStorage(m);
      ensureOwnStorage(v);
      if (isRowSparse(g)) {
        const rows = tf.tensor1d(g.rows, "int32");
        fusedAdamUpdate(p, m, v, { rows, values: g.values }, attrs);
        rows.dispose();
      } else {
        fusedAdamUpdate(p, m, v, g, attrs);
      }
    }
  }

  #applyOps(grads: (tf.Tensor | RowSparseGradient | null)[]): void {
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, formula } =
      this.options;
    const t = this.#step;
    const c1 = 1 - Math.pow(b1, t);
    const c2 = 1 - Math.pow(b2, t);
    tf.tidy(() => {
      for (let i = 0; i < grads.length; i++) {
        const raw = grads[i];
        if (raw === null) continue;
        const m = this.#m[i], v = this.#v[i], p = this.#vars[i];
        const g = isRowSparse(raw) ? densify(raw, p.shape) : raw;
        const mNew = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
        const vNew = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
        let update: tf.Tensor;
        if (formula === "keras") {
          const alpha = lr * Math.sqrt(c2) / c1;
          update = tf.mul(tf.div(mNew, tf.add(tf.sqrt(vNew), eps)), alpha);
        } else {
          const denom = tf.add(tf.div(tf.sqrt(vNew), Math.sqrt(c2)), eps);
          update = tf.mul(tf.div(mNew, denom), lr / c1);
        }
        m.assign(mNew);
        v.assign(vNew);
        p.assign(tf.sub(p, update));
      }
    });
  }

  /** Copies the moments and step count out (for a checkpoint). */
  async getState(): Promise<AdamState> {
    const read = (ts: tf.Variable[]) =>
      Promise.all(
        ts.map(async (t) => (await t.data() as Float32Array).slice()),
      );
    return { step: this.#step, m: await read(this.#m), v: await read(this.#v) };
  }

  /** Restores moments and step count saved by {@link Adam.getState}. */
  setState(state: AdamState): void {
    if (
      state.m.length !== this.#m.length || state.v.length !== this.#v.length
    ) {
      throw new RangeError(
        `Adam state holds ${state.m.length} moments; this optimiser has ${this.#m.length} variables`,
      );
    }
    const check = (a: Float32Array, i: number, what: string) => {
      if (a.length !== this.#m[i].size) {
        throw new RangeError(
          `Adam state: ${what}[${i}] holds ${a.length} values; its variable ` +
            `has ${this.#m[i].size}`,
        );
      }
    };
    state.m.forEach((a, i) => check(a, i, "m"));
    state.v.forEach((a, i) => check(a, i, "v"));
    this.#step = state.step;
    // Copies: the cpu backend would otherwise keep the caller's arrays as
    // storage, and the fused update writes into it.
    tf.tidy(() => {
      state.m.forEach((a, i) =>
        this.#m[i].assign(tf.tensor(a.slice(), this.#m[i].shape))
      );
      state.v.forEach((a, i) =>
        this.#v[i].assign(tf.tensor(a.slice(), this.#v[i].shape))
      );
    });
  }

  /** Frees the moment tensors (not the parameters). */
  dispose(): void {
    for (const t of [...this.#m, ...this.#v]) t.dispose();
  }
}

/** A non-trainable zero variable of `p`'s shape that owns its storage. */
function zeroVariable(p: tf.Variable): tf.Variable {
  const zeros = tf.zerosLike(p);
  const v = tf.variable(zeros, false);
  zeros.dispose();
  return v;
}
