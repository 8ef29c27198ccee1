/**
 * The upstream's train/validation split, reproduced index for index:
 * `sklearn.model_selection.train_test_split(X, y, test_size=0.2,
 * random_state=42)`, which runs one `ShuffleSplit` iteration.
 *
 * sklearn's recipe: `n_test = ceil(test_size · n)`, `n_train = n − n_test`,
 * `perm = np.random.RandomState(random_state).permutation(n)`; the test rows
 * are `perm[:n_test]` and the training rows `perm[n_test:n_test + n_train]`,
 * both in permutation order (not sorted). The permutation comes from
 * {@link RandomState}, which matches numpy's bit for bit.
 *
 * The upstream called the held-out 20% `X_test`/`y_test`; it is the
 * validation set (the Kaggle test file has no labels).
 *
 * @module
 */

import { RandomState } from "./random.ts";

/** Options of {@link trainTestSplit}. */
export interface SplitOptions {
  /**
   * Fraction of rows held out, in (0, 1); rounded up to whole rows like
   * sklearn. A count (sklearn's integer `test_size`) is not supported.
   * @default 0.2
   */
  testSize?: number;
  /** `random_state`, an integer in [0, 2**32 − 1]. @default 42 */
  seed?: number;
}

/** Row indices of the two parts. */
export interface Split {
  /** Training rows, `perm[nTest:]`, length n − ceil(testSize · n). */
  train: Int32Array;
  /** Held-out (validation) rows, `perm[:nTest]`, length ceil(testSize · n). */
  test: Int32Array;
}

/**
 * Sizes sklearn gives the two parts: `nTest = ceil(testSize · n)` (computed
 * in double precision, as Python does) and `nTrain = n − nTest`.
 *
 * @throws RangeError naming the argument when `n` is not a positive integer,
 * `testSize` is not in (0, 1), or the training part would be empty
 */
export function splitSizes(
  n: number,
  testSize = 0.2,
): { nTrain: number; nTest: number } {
  if (!Number.isInteger(n) || n < 1 || n > 0x7fffffff) {
    throw new RangeError(
      `trainTestSplit(): n must be a positive integer (the number of rows): current value is ${
        String(n)
      }`,
    );
  }
  if (!(Number.isFinite(testSize) && testSize > 0 && testSize < 1)) {
    throw new RangeError(
      `trainTestSplit(): testSize must be a fraction in (0, 1): current value is ${
        String(testSize)
      }`,
    );
  }
  const nTest = Math.ceil(testSize * n);
  const nTrain = n - nTest;
  if (nTrain === 0) {
    throw new RangeError(
      `trainTestSplit(): with n = ${n} and testSize = ${testSize} the ` +
        `training part would be empty (nTest = ${nTest}); use more rows or a ` +
        `smaller testSize`,
    );
  }
  return { nTrain, nTest };
}

/**
 * Splits row indices 0…n−1 into a training and a held-out part exactly as
 * `train_test_split(range(n), test_size=testSize, random_state=seed)` does.
 *
 * @param n number of rows
 * @returns two new Int32Arrays of row indices, disjoint, together 0…n−1
 * @throws RangeError naming the argument when an argument is out of range
 */
export function trainTestSplit(n: number, options: SplitOptions = {}): Split {
  const { testSize = 0.2, seed = 42 } = options;
  const { nTrain, nTest } = splitSizes(n, testSize);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(
      `trainTestSplit(): seed must be an integer in [0, 4294967295]: current value is ${
        String(seed)
      }`,
    );
  }
  const perm = new RandomState(seed).permutation(n);
  return {
    test: perm.slice(0, nTest),
    train: perm.slice(nTest, nTest + nTrain),
  };
}

/**
 * The elements of `values` at `indices`, in index order (like numpy fancy
 * indexing `values[indices]`).
 *
 * @returns a new array of length `indices.length`
 * @throws RangeError naming the position of an index outside `values`
 */
export function take<T>(values: readonly T[], indices: ArrayLike<number>): T[] {
  const out = new Array<T>(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= values.length) {
      throw new RangeError(
        `take(): indices[${k}] = ${i} is outside [0, ${values.length})`,
      );
    }
    out[k] = values[i];
  }
  return out;
}
