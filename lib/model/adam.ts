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
 * Runs as tfjs ops on the current backend; dense over every parameter,
 * as both frameworks do for an embedding's gradient (rows absent from the
 * batch still move while their moments decay).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";

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
      ...options,
    };
    this.#vars = vars;
    this.#m = vars.map((p) => tf.variable(tf.zerosLike(p), false));
    this.#v = vars.map((p) => tf.variable(tf.zerosLike(p), false));
  }

  /** Number of updates applied so far. */
  get step(): number {
    return this.#step;
  }

  /**
   * Applies one update. `grads[i]` is the gradient of `vars[i]` (same shape);
   * a `null` entry leaves that variable and its moments untouched. The
   * caller keeps ownership of `grads`.
   */
  apply(grads: (tf.Tensor | null)[]): void {
    if (grads.length !== this.#vars.length) {
      throw new RangeError(
        `Adam.apply got ${grads.length} gradients for ${this.#vars.length} variables`,
      );
    }
    this.#step += 1;
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, formula } =
      this.options;
    const t = this.#step;
    const c1 = 1 - Math.pow(b1, t);
    const c2 = 1 - Math.pow(b2, t);
    tf.tidy(() => {
      for (let i = 0; i < grads.length; i++) {
        const g = grads[i];
        if (g === null) continue;
        const m = this.#m[i], v = this.#v[i], p = this.#vars[i];
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
  getState(): AdamState {
    return {
      step: this.#step,
      m: this.#m.map((t) => t.dataSync() as Float32Array).map((a) => a.slice()),
      v: this.#v.map((t) => t.dataSync() as Float32Array).map((a) => a.slice()),
    };
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
    this.#step = state.step;
    tf.tidy(() => {
      state.m.forEach((a, i) =>
        this.#m[i].assign(tf.tensor(a, this.#m[i].shape))
      );
      state.v.forEach((a, i) =>
        this.#v[i].assign(tf.tensor(a, this.#v[i].shape))
      );
    });
  }

  /** Frees the moment tensors (not the parameters). */
  dispose(): void {
    for (const t of [...this.#m, ...this.#v]) t.dispose();
  }
}
