/**
 * The five BBC News classes and their encodings. The order is alphabetical,
 * which is the column order `pd.get_dummies(Category)` gave the upstream's
 * one-hot targets and therefore the meaning of each output unit; PyTorch
 * class indices came from `argmax` over those same columns.
 *
 * @module
 */

/** Class names in output-unit order (index 0 = business … 4 = tech). */
export const LABELS = [
  "business",
  "entertainment",
  "politics",
  "sport",
  "tech",
] as const;

/** One class name. */
export type Label = typeof LABELS[number];

/** Number of classes, `LABELS.length` (5). */
export const NUM_CLASSES: number = LABELS.length;

const INDEX: ReadonlyMap<string, number> = new Map(
  LABELS.map((label, i) => [label, i]),
);

/** Whether `value` is exactly one of {@link LABELS} (case-sensitive). */
export function isLabel(value: string): value is Label {
  return INDEX.has(value);
}

/**
 * The known label that `value` most plausibly meant (same letters ignoring
 * case and surrounding whitespace), or `undefined`. Used to suggest a fix in
 * error messages; never applied silently.
 */
export function suggestLabel(value: string): Label | undefined {
  const folded = value.trim().toLowerCase();
  return LABELS.find((label) => label === folded);
}

/** The sentence every unknown-category error ends with. */
export function describeUnknownLabel(value: unknown): string {
  const hint = typeof value === "string" ? suggestLabel(value) : undefined;
  return `found ${JSON.stringify(value)}, expected one of ${
    LABELS.join(", ")
  } (exact, lower case)${hint ? `; did you mean "${hint}"?` : ""}`;
}

/**
 * The output-unit index of `category` (0 = business … 4 = tech).
 *
 * @throws RangeError naming the value and the five expected labels when
 * `category` is not exactly one of them
 */
export function labelIndex(category: string): number {
  const i = INDEX.get(category);
  if (i === undefined) {
    throw new RangeError(`Unknown category: ${describeUnknownLabel(category)}`);
  }
  return i;
}

function indexAt(categories: readonly string[], i: number, fn: string): number {
  const idx = INDEX.get(categories[i]);
  if (idx === undefined) {
    throw new RangeError(
      `${fn}(): categories[${i}] is not a known category: ${
        describeUnknownLabel(categories[i])
      }`,
    );
  }
  return idx;
}

/**
 * Class indices for a list of category names.
 *
 * @returns a new Int32Array of length n, values in [0, 5)
 * @throws RangeError naming the position and value of the first unknown name
 */
export function labelIndices(categories: readonly string[]): Int32Array {
  const out = new Int32Array(categories.length);
  for (let i = 0; i < categories.length; i++) {
    out[i] = indexAt(categories, i, "labelIndices");
  }
  return out;
}

/**
 * One-hot targets for a list of category names, as `pd.get_dummies` made
 * them.
 *
 * @returns a new Float32Array, row-major with shape [n, 5]: row i has a 1 in
 * column `labelIndex(categories[i])` and 0 elsewhere
 * @throws RangeError naming the position and value of the first unknown name
 */
export function oneHot(categories: readonly string[]): Float32Array {
  const out = new Float32Array(categories.length * NUM_CLASSES);
  for (let i = 0; i < categories.length; i++) {
    out[i * NUM_CLASSES + indexAt(categories, i, "oneHot")] = 1;
  }
  return out;
}
