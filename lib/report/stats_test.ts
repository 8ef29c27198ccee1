import assert from "node:assert/strict";
import { fixed, formatMeanSd, meanSd } from "./stats.ts";

Deno.test("meanSd() matches numpy mean and std(ddof=1)", () => {
  // Golden values from Debian's python3-numpy 1.24.2:
  //   a = np.array([0.9463, 0.9564, 0.9329]); a.mean(), a.std(ddof=1)
  const m = meanSd([0.9463, 0.9564, 0.9329]);
  assert.ok(Math.abs(m.mean - 0.9451999999999999) < 1e-15);
  assert.ok(Math.abs(m.sd - 0.011788553770501323) < 1e-15);
  assert.equal(m.n, 3);
  assert.equal(m.dropped, 0);
  // np.array([1., 2., 3., 4.]).std(ddof=1) = 1.2909944487358056
  assert.ok(Math.abs(meanSd([1, 2, 3, 4]).sd - 1.2909944487358056) < 1e-15);
});

Deno.test("meanSd() leaves out non-finite values and counts them", () => {
  const m = meanSd([1, NaN, 3, Infinity]);
  assert.equal(m.mean, 2);
  assert.equal(m.n, 2);
  assert.equal(m.dropped, 2);
});

Deno.test("meanSd() gives NaN sd for one value and NaN mean for none", () => {
  const one = meanSd([0.5]);
  assert.equal(one.mean, 0.5);
  assert.ok(Number.isNaN(one.sd));
  const none = meanSd([]);
  assert.ok(Number.isNaN(none.mean));
  assert.equal(none.n, 0);
});

Deno.test("fixed() prints fixed decimals and names non-finite values", () => {
  assert.equal(fixed(0.123456), "0.1235");
  assert.equal(fixed(2, 2), "2.00");
  assert.equal(fixed(-0.00001), "0.0000");
  assert.equal(fixed(NaN), "NaN");
  assert.equal(fixed(Infinity), "Inf");
  assert.equal(fixed(-Infinity, 1), "-Inf");
  assert.throws(() => fixed(1, 1.5), /digits must be an integer/);
});

Deno.test("formatMeanSd() shows ± only when there is a spread", () => {
  assert.equal(formatMeanSd(meanSd([1, 2, 3, 4]), 3), "2.500 ± 1.291");
  assert.equal(formatMeanSd(meanSd([0.25])), "0.2500");
});
