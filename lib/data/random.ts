/**
 * A seeded random generator that reproduces numpy's legacy
 * `np.random.RandomState` draw for draw: the MT19937 Mersenne Twister with
 * numpy's integer seeding, its 53-bit doubles, its masked-rejection bounded
 * integers (the ones `shuffle` and `permutation` use), and its polar
 * Box–Muller normals with the cached second value.
 *
 * Everything in the project that needs randomness (the train/validation
 * split, weight initialisation, per-epoch shuffling, dropout masks) draws
 * from one of these, so a run is reproducible from its seed and can be
 * resumed from a {@link RandomStateSnapshot} stored in a checkpoint.
 *
 * Integers, uniforms, shuffles and permutations are bit-exact; normals can
 * differ from numpy's in the last bit or two in rare values (see
 * {@link RandomState.standardNormal}). Only the legacy `RandomState` stream
 * is reproduced, not numpy's newer `Generator` (PCG64) API, which draws
 * different numbers.
 *
 * @module
 */

/** Number of 32-bit words in the MT19937 state. */
const N = 624;
/** MT19937 middle word offset. */
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const MAX_UINT32 = 0xffffffff;

/**
 * The complete generator state, in plain JSON types, laid out like numpy's
 * `RandomState.get_state()` tuple `('MT19937', key, pos, has_gauss,
 * cached_gaussian)`.
 */
export interface RandomStateSnapshot {
  /** Always `"MT19937"`. */
  algorithm: "MT19937";
  /** The 624 state words, each an unsigned 32-bit integer. */
  key: number[];
  /** Index of the next word to temper, in [0, 624]; 624 means "regenerate first". */
  pos: number;
  /** Whether a second normal from the last Box–Muller pair is waiting. */
  hasGauss: boolean;
  /** The waiting normal (0 when `hasGauss` is false). */
  cachedGaussian: number;
}

/** Array types {@link RandomState.shuffle} accepts. */
export type ShuffleTarget<T> =
  | T[]
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/**
 * numpy's legacy `RandomState`: same draws, same order, same state layout
 * (normals: see the limitation on {@link RandomState.standardNormal}).
 *
 * @example
 * ```ts
 * const rs = new RandomState(42);
 * rs.randomSample(); // 0.3745401188473625, as np.random.RandomState(42).random_sample()
 * ```
 */
export class RandomState {
  #mt = new Uint32Array(N);
  #pos = N;
  #hasGauss = false;
  #gauss = 0;

  /**
   * Seeds the generator as `np.random.RandomState(seed)` does for an integer
   * seed (numpy's "legacy seeding": Knuth's linear initialisation of the 624
   * words, the same as the reference `init_genrand`).
   *
   * @param seed an integer in [0, 2**32 − 1]
   * @throws RangeError when `seed` is not such an integer
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > MAX_UINT32) {
      throw new RangeError(
        `RandomState seed must be an integer in [0, ${MAX_UINT32}]: current value is ${
          String(seed)
        }`,
      );
    }
    const mt = this.#mt;
    mt[0] = seed;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      // Math.imul keeps the product in 32 bits, as the C code's unsigned
      // arithmetic does; the Uint32Array store wraps the sum.
      mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
    }
  }

  /** Regenerates all 624 words (the MT19937 "twist"). */
  #twist(): void {
    const mt = this.#mt;
    let i = 0;
    for (; i < N - M; i++) {
      const y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
      mt[i] = mt[i + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < N - 1; i++) {
      const y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
      mt[i] = mt[i + M - N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.#pos = 0;
  }

  /** One raw MT19937 output (`genrand_int32`), an integer in [0, 2**32 − 1]. */
  nextUint32(): number {
    if (this.#pos >= N) this.#twist();
    let y = this.#mt[this.#pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * numpy's `random_sample()`: a double in [0, 1) with 53 random bits, built
   * from two outputs (27 high bits of the first, 26 of the second).
   */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /**
   * numpy's legacy bounded integer `random_interval(max)`: a uniform integer
   * in [0, max], drawn by masking one output to the smallest all-ones mask
   * covering `max` and rejecting values above `max`. This is the draw
   * `shuffle` and `permutation` make. Consumes no output when `max` is 0.
   *
   * @param max an integer in [0, 2**32 − 1] (numpy switches to 64-bit draws
   * above that; not supported here)
   * @throws RangeError when `max` is outside that range
   */
  interval(max: number): number {
    if (!Number.isInteger(max) || max < 0 || max > MAX_UINT32) {
      throw new RangeError(
        `RandomState.interval(max) needs an integer max in [0, ${MAX_UINT32}]: current value is ${
          String(max)
        }`,
      );
    }
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do {
      value = (this.nextUint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  /**
   * Shuffles `a` in place with the same draws as numpy's legacy
   * `RandomState.shuffle` on a 1-D array or list: for i from n−1 down to 1,
   * swap element i with element `interval(i)`.
   */
  shuffle<T>(a: ShuffleTarget<T>): void {
    // The union is indexed through one view; every member supports
    // numeric indexing and assignment of its own element type.
    const arr = a as unknown as { [i: number]: unknown; length: number };
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
  }

  /**
   * `RandomState.permutation(n)`: the integers 0…n−1 shuffled.
   *
   * @param n a non-negative integer below 2**31
   * @returns a new Int32Array of length n
   * @throws RangeError for any other `n`
   */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new RangeError(
        `RandomState.permutation(n) needs an integer n in [0, 2147483647]: current value is ${
          String(n)
        }`,
      );
    }
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    this.shuffle(out);
    return out;
  }

  /**
   * `RandomState.uniform(low, high, count)`: `low + (high − low) · u` for
   * each `u` from {@link randomSample}, so values lie in [low, high).
   *
   * @returns a new Float64Array of length `count`
   * @throws RangeError for a non-finite bound or a bad count
   */
  uniform(low: number, high: number, count: number): Float64Array {
    checkFinite("uniform", "low", low);
    checkFinite("uniform", "high", high);
    checkCount("uniform", count);
    const range = high - low;
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = low + range * this.randomSample();
    return out;
  }

  /** One legacy Gaussian (`legacy_gauss`): polar Box–Muller with the cached pair member. */
  #gaussian(): number {
    if (this.#hasGauss) {
      const cached = this.#gauss;
      this.#hasGauss = false;
      this.#gauss = 0;
      return cached;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt(-2 * Math.log(r2) / r2);
    this.#gauss = f * x1;
    this.#hasGauss = true;
    return f * x2;
  }

  /**
   * `RandomState.standard_normal(count)`. Normals come in pairs; the second
   * of a pair is cached and returned by the next call, also across method
   * calls, exactly as numpy does.
   *
   * Known limitation: not bit-exact in every value. The formula goes
   * through `Math.log`, which V8 computes with its own routine, while numpy
   * calls glibc's `log`; neither is correctly rounded and they disagree in
   * the last bit for a few inputs. Measured against numpy 1.24.2 (glibc
   * 2.36) for seed 123: 368 of 1,000,001 values differ, by at most 2 ulp
   * (relative 4e-16). The stream never falls out of step: the accept/reject
   * test uses only `r2`, which both compute exactly, so the same words are
   * consumed and the generator state after any call equals numpy's.
   *
   * @returns a new Float64Array of length `count`
   */
  standardNormal(count: number): Float64Array {
    checkCount("standardNormal", count);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = this.#gaussian();
    return out;
  }

  /**
   * `RandomState.normal(mean, std, count)`: `mean + std · z` for each
   * standard normal `z` (same caveat as {@link standardNormal}).
   *
   * @param std the standard deviation, ≥ 0 (numpy's `scale`)
   * @returns a new Float64Array of length `count`
   */
  normal(mean: number, std: number, count: number): Float64Array {
    checkFinite("normal", "mean", mean);
    checkFinite("normal", "std", std);
    if (std < 0) {
      throw new RangeError(
        `RandomState.normal(): std must be ≥ 0: current value is ${std}`,
      );
    }
    checkCount("normal", count);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = mean + std * this.#gaussian();
    return out;
  }

  /** A JSON-serialisable copy of the full state (for checkpoints). */
  getState(): RandomStateSnapshot {
    return {
      algorithm: "MT19937",
      key: Array.from(this.#mt),
      pos: this.#pos,
      hasGauss: this.#hasGauss,
      cachedGaussian: this.#hasGauss ? this.#gauss : 0,
    };
  }

  /**
   * A generator that continues exactly where the one that produced
   * `snapshot` was. The snapshot is validated, not trusted.
   *
   * @throws RangeError naming the field when the snapshot is malformed
   */
  static fromState(snapshot: RandomStateSnapshot): RandomState {
    const bad = (field: string, rule: string, value: unknown): never => {
      throw new RangeError(
        `RandomState.fromState(): ${field} must be ${rule}: current value is ${
          JSON.stringify(value)
        }`,
      );
    };
    if (snapshot === null || typeof snapshot !== "object") {
      bad("the snapshot", "an object", snapshot);
    }
    if (snapshot.algorithm !== "MT19937") {
      bad("algorithm", '"MT19937"', snapshot.algorithm);
    }
    const key = snapshot.key;
    if (!Array.isArray(key) || key.length !== N) {
      bad(
        "key",
        `an array of ${N} integers`,
        Array.isArray(key) ? `an array of length ${key.length}` : key,
      );
    }
    for (let i = 0; i < N; i++) {
      const w = key[i];
      if (!Number.isInteger(w) || w < 0 || w > MAX_UINT32) {
        bad(`key[${i}]`, `an integer in [0, ${MAX_UINT32}]`, w);
      }
    }
    const pos = snapshot.pos;
    if (!Number.isInteger(pos) || pos < 0 || pos > N) {
      bad("pos", `an integer in [0, ${N}]`, pos);
    }
    if (typeof snapshot.hasGauss !== "boolean") {
      bad("hasGauss", "a boolean", snapshot.hasGauss);
    }
    if (!Number.isFinite(snapshot.cachedGaussian)) {
      bad("cachedGaussian", "a finite number", snapshot.cachedGaussian);
    }
    const rs = new RandomState(0);
    rs.#mt.set(key);
    rs.#pos = pos;
    rs.#hasGauss = snapshot.hasGauss;
    rs.#gauss = snapshot.hasGauss ? snapshot.cachedGaussian : 0;
    return rs;
  }
}

function checkFinite(method: string, name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(
      `RandomState.${method}(): ${name} must be a finite number: current value is ${
        String(value)
      }`,
    );
  }
}

function checkCount(method: string, count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(
      `RandomState.${method}(): count must be a non-negative integer: current value is ${
        String(count)
      }`,
    );
  }
}
