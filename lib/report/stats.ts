/**
 * Small numeric helpers for reports: mean ± standard deviation over seeds and
 * fixed-precision formatting that never hides a NaN.
 *
 * @module
 */

/** Mean and spread of one metric over several runs (seeds). */
export interface MeanSd {
  /** Arithmetic mean of the finite values; NaN when there are none. */
  mean: number;
  /**
   * Sample standard deviation (n − 1 in the denominator, numpy
   * `std(ddof=1)`, pandas' default); NaN when fewer than 2 finite values.
   */
  sd: number;
  /** Number of finite values the two statistics use. */
  n: number;
  /** Values that were not finite (NaN/±Infinity) and were left out. */
  dropped: number;
}

/**
 * Mean and sample standard deviation of `values`, ignoring non-finite entries
 * (a diverged seed must not turn the whole summary into NaN; `dropped` says
 * how many were left out so a report can show it).
 */
export function meanSd(values: readonly number[]): MeanSd {
  const finite = values.filter((v) => Number.isFinite(v));
  const n = finite.length;
  const dropped = values.length - n;
  if (n === 0) return { mean: NaN, sd: NaN, n, dropped };
  const mean = finite.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, sd: NaN, n, dropped };
  const ss = finite.reduce((a, b) => a + (b - mean) * (b - mean), 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n, dropped };
}

/**
 * `x` with exactly `digits` decimals (`toFixed`), or the literal `"NaN"`,
 * `"Inf"`, `"-Inf"` for non-finite values, so a diverged run stays visible.
 * @param digits decimals, an integer in [0, 20]. @default 4
 */
export function fixed(x: number, digits = 4): string {
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new RangeError(
      `fixed(): digits must be an integer in [0, 20]: current value is ${digits}`,
    );
  }
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Inf";
  if (x === -Infinity) return "-Inf";
  // toFixed can print "-0.0000" for tiny negatives; a report should not.
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/**
 * "mean ± sd" with `digits` decimals; just the mean when the sd is NaN
 * (a single seed). @default digits 4
 */
export function formatMeanSd(m: MeanSd, digits = 4): string {
  return Number.isNaN(m.sd)
    ? fixed(m.mean, digits)
    : `${fixed(m.mean, digits)} ± ${fixed(m.sd, digits)}`;
}
