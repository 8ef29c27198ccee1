// Golden values below were generated with Debian 12's python3-numpy 1.24.2
// (/usr/bin/python3); each block quotes the snippet that produced it.
import assert from "node:assert/strict";
import { RandomState, type RandomStateSnapshot } from "./random.ts";

function draw(rs: RandomState, n: number): number[] {
  return Array.from({ length: n }, () => rs.nextUint32());
}

Deno.test("nextUint32() matches numpy's MT19937 raw output for seeds 42, 0 and 2**32-1", () => {
  // RandomState(s)._bit_generator.random_raw(8).tolist()
  assert.deepEqual(draw(new RandomState(42), 8), [
    1608637542,
    3421126067,
    4083286876,
    787846414,
    3143890026,
    3348747335,
    2571218620,
    2563451924,
  ]);
  assert.deepEqual(draw(new RandomState(0), 8), [
    2357136044,
    2546248239,
    3071714933,
    3626093760,
    2588848963,
    3684848379,
    2340255427,
    3638918503,
  ]);
  // RandomState(4294967295)._bit_generator.random_raw(3).tolist()
  assert.deepEqual(draw(new RandomState(4294967295), 3), [
    419326371,
    479346978,
    3918654476,
  ]);
});

Deno.test("nextUint32() crosses the 624-word regeneration like numpy", () => {
  // r = RandomState(42)._bit_generator.random_raw(1250)
  // r[[623, 624, 1249]].tolist()
  const words = draw(new RandomState(42), 1250);
  assert.deepEqual(
    [words[623], words[624], words[1249]],
    [1077437785, 108880612, 3263983643],
  );
});

Deno.test("randomSample() matches numpy random_sample() for seed 42", () => {
  // RandomState(42).random_sample(5)
  const rs = new RandomState(42);
  assert.deepEqual(Array.from({ length: 5 }, () => rs.randomSample()), [
    0.3745401188473625,
    0.9507143064099162,
    0.7319939418114051,
    0.5986584841970366,
    0.15601864044243652,
  ]);
  // RandomState(4294967295).random_sample(2)
  const top = new RandomState(4294967295);
  assert.deepEqual([top.randomSample(), top.randomSample()], [
    0.0976320289940138,
    0.9123828453026218,
  ]);
});

Deno.test("uniform() matches numpy uniform(low, high, size) and consumes two words per value", () => {
  // RandomState(42).uniform(-0.05, 0.05, 5)
  assert.deepEqual(Array.from(new RandomState(42).uniform(-0.05, 0.05, 5)), [
    -0.012545988115263751,
    0.04507143064099162,
    0.023199394181140504,
    0.009865848419703657,
    -0.03439813595575635,
  ]);
  // rs = RandomState(42); rs.uniform(-0.05, 0.05, 3); rs.get_state()[2] -> 6
  const rs = new RandomState(42);
  rs.uniform(-0.05, 0.05, 3);
  assert.equal(rs.getState().pos, 6);
});

Deno.test("interval() matches numpy's masked-rejection bounded draw", () => {
  // Legacy RandomState.randint(0, max + 1) with the default int64 dtype uses
  // the same masked rejection on 32-bit words as shuffle's random_interval:
  // RandomState(3).randint(0, 1001, size=6).tolist()
  let rs = new RandomState(3);
  assert.deepEqual(
    Array.from({ length: 6 }, () => rs.interval(1000)),
    [874, 664, 249, 643, 952, 968],
  );
  // rs.get_state()[2] after those six draws -> 6 (no rejected word here)
  assert.equal(rs.getState().pos, 6);
  // RandomState(3).randint(0, 7, size=6).tolist()
  rs = new RandomState(3);
  assert.deepEqual(
    Array.from({ length: 6 }, () => rs.interval(6)),
    [2, 0, 1, 3, 0, 0],
  );
  // RandomState(3).randint(0, 2**31, size=3).tolist()
  rs = new RandomState(3);
  assert.deepEqual(
    Array.from({ length: 3 }, () => rs.interval(2 ** 31 - 1)),
    [218175338, 303761048, 893988089],
  );
});

Deno.test("interval(0) returns 0 without consuming a word", () => {
  const rs = new RandomState(42);
  assert.equal(rs.interval(0), 0);
  assert.equal(rs.nextUint32(), 1608637542);
});

Deno.test("standardNormal() matches numpy standard_normal() including the cached second value", () => {
  // rs = RandomState(42); rs.standard_normal(5); rs.standard_normal(2)
  // An odd count leaves the pair's second value cached for the next call.
  const rs = new RandomState(42);
  assert.deepEqual(Array.from(rs.standardNormal(5)), [
    0.4967141530112327,
    -0.13826430117118466,
    0.6476885381006925,
    1.5230298564080254,
    -0.23415337472333597,
  ]);
  assert.deepEqual(Array.from(rs.standardNormal(2)), [
    -0.23413695694918055,
    1.5792128155073915,
  ]);
});

Deno.test("normal() matches numpy normal(loc, scale, size)", () => {
  // RandomState(7).normal(0, 0.01, 3)
  assert.deepEqual(Array.from(new RandomState(7).normal(0, 0.01, 3)), [
    0.016905257038003562,
    -0.004659373705408328,
    0.000328201636785844,
  ]);
});

Deno.test("standardNormal() stays in step with numpy over 100001 draws (values within 2 ulp)", () => {
  // rs = RandomState(123); v = rs.standard_normal(100001)
  // repr(v.sum()), repr((v*v).sum()), repr(v[100000])
  //   -> 132.22148059684795, 99914.77354419172, 0.7394630820815867
  // st = rs.get_state(); st[2], st[3], repr(st[4]), int(st[1].astype(np.int64).sum())
  //   -> 428, 1, 0.25658933663856986, 1332190464800
  // Values can differ in the last bit or two because V8's Math.log is not
  // glibc's log (see the doc comment on standardNormal), so sums get a
  // tolerance; the state must match exactly, which shows no draw was
  // skipped or repeated.
  const rs = new RandomState(123);
  const v = rs.standardNormal(100001);
  let sum = 0;
  let sumSq = 0;
  for (const x of v) {
    sum += x;
    sumSq += x * x;
  }
  assert.ok(Math.abs(sum - 132.22148059684795) < 1e-9, `sum ${sum}`);
  assert.ok(Math.abs(sumSq - 99914.77354419172) < 1e-8, `sumSq ${sumSq}`);
  assert.ok(Math.abs(v[100000] - 0.7394630820815867) < 1e-15);
  const st = rs.getState();
  assert.equal(st.pos, 428);
  assert.equal(st.hasGauss, true);
  assert.ok(Math.abs(st.cachedGaussian - 0.25658933663856986) < 1e-15);
  assert.equal(st.key.reduce((a, b) => a + b, 0), 1332190464800);
});

Deno.test("permutation(1490) for seed 42 equals numpy's, head, tail and checksum", () => {
  // p = RandomState(42).permutation(1490)
  // p[:10].tolist(), p[-10:].tolist(),
  // int((np.arange(1490, dtype=np.int64) * p).sum())
  const p = new RandomState(42).permutation(1490);
  assert.equal(p.length, 1490);
  assert.deepEqual(
    Array.from(p.subarray(0, 10)),
    [941, 297, 271, 774, 420, 1090, 427, 1393, 231, 1489],
  );
  assert.deepEqual(
    Array.from(p.subarray(1480)),
    [1238, 466, 121, 1044, 1095, 1130, 1294, 860, 1459, 1126],
  );
  let checksum = 0;
  for (let i = 0; i < p.length; i++) checksum += i * p[i];
  assert.equal(checksum, 827750840);
  assert.deepEqual(
    Array.from(p).sort((a, b) => a - b),
    Array.from({ length: 1490 }, (_, i) => i),
  );
});

Deno.test("permutation() handles n = 0, 1 and 5 like numpy", () => {
  // RandomState(0).permutation(5).tolist(), RandomState(0).permutation(1).tolist()
  assert.deepEqual(Array.from(new RandomState(0).permutation(5)), [
    2,
    0,
    1,
    3,
    4,
  ]);
  assert.deepEqual(Array.from(new RandomState(0).permutation(1)), [0]);
  assert.equal(new RandomState(0).permutation(0).length, 0);
});

Deno.test("shuffle() permutes a list and a Float64Array with numpy's draws", () => {
  // a = list(range(10)); RandomState(1).shuffle(a); a
  const list = Array.from({ length: 10 }, (_, i) => i);
  new RandomState(1).shuffle(list);
  assert.deepEqual(list, [2, 9, 6, 4, 0, 3, 1, 7, 8, 5]);
  // a = np.arange(10, dtype=np.float64) * 1.5; RandomState(1).shuffle(a)
  const floats = Float64Array.from({ length: 10 }, (_, i) => i * 1.5);
  new RandomState(1).shuffle(floats);
  assert.deepEqual(
    Array.from(floats),
    [3.0, 13.5, 9.0, 6.0, 0.0, 4.5, 1.5, 10.5, 12.0, 7.5],
  );
  // Works on arbitrary element types too.
  const words = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
  new RandomState(1).shuffle(words);
  assert.deepEqual(words, ["c", "j", "g", "e", "a", "d", "b", "h", "i", "f"]);
});

Deno.test("getState() matches numpy get_state() mid-stream with a cached normal", () => {
  // rs = RandomState(42); rs.standard_normal(3); st = rs.get_state()
  // st[2], st[3], repr(st[4]), int(st[1].astype(np.int64).sum())
  //   -> 8, 1, 1.5230298564080254, 1331539527269
  const rs = new RandomState(42);
  rs.standardNormal(3);
  const st = rs.getState();
  assert.equal(st.algorithm, "MT19937");
  assert.equal(st.key.length, 624);
  assert.equal(st.pos, 8);
  assert.equal(st.hasGauss, true);
  assert.equal(st.cachedGaussian, 1.5230298564080254);
  assert.equal(st.key.reduce((a, b) => a + b, 0), 1331539527269);
});

Deno.test("fromState() continues exactly where the saved generator was, through JSON", () => {
  const original = new RandomState(42);
  original.standardNormal(3);
  const json = JSON.stringify(original.getState());
  const restored = RandomState.fromState(JSON.parse(json));
  // rs = RandomState(42); rs.standard_normal(3); rs.standard_normal(4)
  const expected = [
    1.5230298564080254,
    -0.23415337472333597,
    -0.23413695694918055,
    1.5792128155073915,
  ];
  assert.deepEqual(Array.from(restored.standardNormal(4)), expected);
  assert.deepEqual(Array.from(original.standardNormal(4)), expected);
  // Both continue identically afterwards, across a regeneration.
  assert.deepEqual(draw(restored, 700), draw(original, 700));
});

Deno.test("getState() returns a copy that later draws do not change", () => {
  const rs = new RandomState(5);
  const st = rs.getState();
  const before = [...st.key];
  draw(rs, 1000);
  assert.deepEqual(st.key, before);
  assert.equal(st.pos, 624);
});

Deno.test("constructor throws a RangeError naming the seed when it is out of range", () => {
  for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) {
    assert.throws(
      () => new RandomState(bad),
      (e: unknown) =>
        e instanceof RangeError && /seed/.test(e.message) &&
        e.message.includes(String(bad)),
    );
  }
});

Deno.test("methods reject bad counts and bounds with RangeErrors naming the argument", () => {
  const rs = new RandomState(1);
  assert.throws(() => rs.uniform(0, 1, -1), /count/);
  assert.throws(() => rs.uniform(Number.NaN, 1, 2), /low/);
  assert.throws(() => rs.standardNormal(2.5), /count/);
  assert.throws(() => rs.normal(0, -1, 2), /std/);
  assert.throws(() => rs.permutation(-3), /permutation/);
  assert.throws(() => rs.interval(2 ** 32), /interval/);
});

Deno.test("fromState() rejects malformed snapshots naming the field", () => {
  const good = new RandomState(1).getState();
  const cases: [
    Partial<RandomStateSnapshot> & Record<string, unknown>,
    RegExp,
  ][] = [
    [{ ...good, algorithm: "PCG64" as "MT19937" }, /algorithm/],
    [{ ...good, key: good.key.slice(1) }, /key/],
    [{ ...good, key: [...good.key.slice(0, 623), 2 ** 32] }, /key\[623\]/],
    [{ ...good, pos: 625 }, /pos/],
    [{ ...good, hasGauss: 1 as unknown as boolean }, /hasGauss/],
  ];
  for (const [snap, re] of cases) {
    assert.throws(
      () => RandomState.fromState(snap as RandomStateSnapshot),
      (e: unknown) => e instanceof RangeError && re.test(e.message),
    );
  }
});
