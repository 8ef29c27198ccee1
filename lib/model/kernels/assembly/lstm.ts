// AssemblyScript source of the fused LSTM recurrence (compiled by
// ../build.ts into ../lstm_kernels.wasm; never imported by TypeScript).
//
// Memory is owned by the caller (lib/model/kernels/lstm_wasm.ts): every
// function takes byte offsets into this module's linear memory, all of them
// 16-byte aligned. Nothing here allocates.
//
// Layouts (Hp = hidden size padded to a multiple of 16, G = 4 * Hp):
//   gate rows   [rows, G], "interleaved": unit block q (4 units) occupies the
//               16 floats at 16q..16q+15 as i(4) f(4) g(4) o(4). One v128 per
//               gate per unit block, so the cell update of 4 units is 4 loads.
//   state rows  [rows, Hp], plain.
//   recurrent   uk [Hp, G] (interleaved columns), ukT [G, Hp] its transpose.
//   packed      tokens in cuDNN order: all rows active at step 0, then step 1,
//               ...; rows are sorted by length, so the rows active at step t
//               are the prefix 0..n_t-1 and step t's tokens are contiguous.
//   keys        i32 per packed token: the row of `proj` holding x_t·W + b.
//
// Training forward saves, per packed token: its activated gates (G floats),
// the h and c it started from (Hp each). The backward overwrites the saved
// gates with dz (the pre-activation gradient) once they are consumed.

// ---------------------------------------------------------------------------
// Arithmetic helpers.

// a * b + c. With relaxed SIMD (the default build) this is one fused
// multiply-add where the CPU has one (x86 FMA3, every arm64), else a multiply
// and an add: results may differ in the last bit between such machines, but
// are deterministic on one machine.
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// c - a * b.
// @ts-ignore: decorator
@inline function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

// ---------------------------------------------------------------------------
// Vectorised transcendental functions.
//
// Constants live in a static table and are read with plain loads: V8 builds
// a v128 constant with several instructions each time it is used, which made
// the gate math twice as slow.

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split so that n * LN2_HI is exact for |n| < 2^9 (Cody-Waite).
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440054690583e-4;
// Adding 1.5 * 2^23 rounds a float in (-2^22, 2^22) to an integer held in
// the low mantissa bits; the extra 127 is the exponent bias, so shifting the
// bits left by 23 yields the float 2^n.
const SHIFTER: f32 = 12583039.0;
// e^r ≈ 1 + r + r^2 (P0 + P1 r + P2 r^2 + P3 r^3) on |r| <= ln2 / 2:
// least-squares fit (relative error weighting, 4000 Chebyshev nodes) made
// with Debian's python3-numpy; max relative error 1.2e-7 in exact arithmetic.
const P0: f32 = 0.49999141693115234;
const P1: f32 = 0.1666688621044159;
const P2: f32 = 0.04189857840538025;
const P3: f32 = 0.008333837613463402;

const C = memory.data<f32>([
  -87.0, -87.0, -87.0, -87.0, //   0: lower clamp (e^-87 is a normal float)
  88.0, 88.0, 88.0, 88.0, //       16: upper clamp (e^88 < FLT_MAX)
  LOG2E, LOG2E, LOG2E, LOG2E, //   32
  SHIFTER, SHIFTER, SHIFTER, SHIFTER, // 48
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, // 64
  LN2_LO, LN2_LO, LN2_LO, LN2_LO, // 80
  P3, P3, P3, P3, //               96
  P2, P2, P2, P2, //               112
  P1, P1, P1, P1, //               128
  P0, P0, P0, P0, //               144
  1.0, 1.0, 1.0, 1.0, //           160
  0.2, 0.2, 0.2, 0.2, //           176: hard sigmoid slope
  0.5, 0.5, 0.5, 0.5, //           192: hard sigmoid offset
  0.0, 0.0, 0.0, 0.0, //           208
], 16);

// e^x for each lane; inputs are clamped to [-87, 88] first.
// @ts-ignore: decorator
@inline function vexp(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, v128.load(C)), v128.load(C, 16));
  const t = madd(x, v128.load(C, 32), v128.load(C, 48));
  const n = f32x4.sub(t, v128.load(C, 48));
  let r = nmadd(n, v128.load(C, 64), x);
  r = nmadd(n, v128.load(C, 80), r);
  let p = madd(v128.load(C, 96), r, v128.load(C, 112));
  p = madd(p, r, v128.load(C, 128));
  p = madd(p, r, v128.load(C, 144));
  p = madd(p, f32x4.mul(r, r), f32x4.add(r, v128.load(C, 160)));
  return f32x4.mul(p, i32x4.shl(t, 23));
}

// Logistic sigmoid 1 / (1 + e^-x).
// @ts-ignore: decorator
@inline function vsigmoid(x: v128): v128 {
  const one = v128.load(C, 160);
  return f32x4.div(one, f32x4.add(one, vexp(f32x4.neg(x))));
}

// tanh x = 2 sigmoid(2x) - 1 (absolute error measured in the tests).
// @ts-ignore: decorator
@inline function vtanh(x: v128): v128 {
  const s = vsigmoid(f32x4.add(x, x));
  return f32x4.sub(f32x4.add(s, s), v128.load(C, 160));
}

// tfjs/Keras-2 hard sigmoid: clip(0.2 x + 0.5, 0, 1).
// @ts-ignore: decorator
@inline function vhard(x: v128): v128 {
  const y = madd(x, v128.load(C, 176), v128.load(C, 192));
  return f32x4.pmin(f32x4.pmax(y, v128.load(C, 208)), v128.load(C, 160));
}

// Gate activation: sigmoid (hard == 0) or hard sigmoid.
// @ts-ignore: decorator
@inline function vgate(x: v128, hard: i32): v128 {
  return hard ? vhard(x) : vsigmoid(x);
}

// d(gate)/d(pre-activation) written with the activation value y.
// Hard sigmoid: 0.2 inside (0, 1), 0 where clipped.
// @ts-ignore: decorator
@inline function vgateGrad(y: v128, hard: i32): v128 {
  if (hard) {
    const inside = v128.and(
      f32x4.gt(y, v128.load(C, 208)),
      f32x4.lt(y, v128.load(C, 160)),
    );
    return v128.and(inside, v128.load(C, 176));
  }
  return f32x4.mul(y, f32x4.sub(v128.load(C, 160), y));
}

/** Writes e^x, sigmoid and tanh of `n` floats (for the accuracy tests). */
export function mathProbe(src: usize, dst: usize, n: i32, which: i32): void {
  for (let i = 0; i < n; i += 4) {
    const p = src + (<usize>i << 2);
    const x = v128.load(p);
    let y: v128;
    if (which == 0) y = vexp(x);
    else if (which == 1) y = vsigmoid(x);
    else if (which == 2) y = vtanh(x);
    else y = vhard(x);
    v128.store(dst + (<usize>i << 2), y);
  }
}

/** Start of free memory (after this module's static data), for the caller. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

// ---------------------------------------------------------------------------
// Layout conversion.

/**
 * Copies gate rows from tfjs' layout [rows, 4h] (i | f | g | o blocks of h)
 * into the interleaved layout [rows, 4hp]; the padding units are zeroed.
 * One v128 per gate and unit block when h is a multiple of 4.
 */
export function packGates(src: usize, dst: usize, rows: i32, h: i32, hp: i32): void {
  const g = hp << 2;
  const hBytes = <usize>h << 2;
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>(r * 4 * h) << 2);
    const d = dst + (<usize>(r * g) << 2);
    if ((h & 3) == 0) {
      let q = 0;
      for (; q < h; q += 4) {
        const sq = s + (<usize>q << 2);
        const dq = d + (<usize>q << 4);
        v128.store(dq, v128.load(sq));
        v128.store(dq, v128.load(sq + hBytes), 16);
        v128.store(dq, v128.load(sq + 2 * hBytes), 32);
        v128.store(dq, v128.load(sq + 3 * hBytes), 48);
      }
      if (q < hp) memory.fill(d + (<usize>q << 4), 0, <usize>(hp - q) << 4);
      continue;
    }
    for (let gate = 0; gate < 4; gate++) {
      for (let u = 0; u < hp; u++) {
        const v: f32 = u < h ? load<f32>(s + (<usize>(gate * h + u) << 2)) : 0;
        store<f32>(d + (<usize>(((u >> 2) << 4) + (gate << 2) + (u & 3)) << 2), v);
      }
    }
  }
}

/** Inverse of {@link packGates}: interleaved [rows, 4hp] to tfjs [rows, 4h]. */
export function unpackGates(src: usize, dst: usize, rows: i32, h: i32, hp: i32): void {
  const g = hp << 2;
  const hBytes = <usize>h << 2;
  for (let r = 0; r < rows; r++) {
    const s = src + (<usize>(r * g) << 2);
    const d = dst + (<usize>(r * 4 * h) << 2);
    if ((h & 3) == 0) {
      for (let q = 0; q < h; q += 4) {
        const sq = s + (<usize>q << 4);
        const dq = d + (<usize>q << 2);
        v128.store(dq, v128.load(sq));
        v128.store(dq + hBytes, v128.load(sq, 16));
        v128.store(dq + 2 * hBytes, v128.load(sq, 32));
        v128.store(dq + 3 * hBytes, v128.load(sq, 48));
      }
      continue;
    }
    for (let gate = 0; gate < 4; gate++) {
      for (let u = 0; u < h; u++) {
        const v = load<f32>(s + (<usize>(((u >> 2) << 4) + (gate << 2) + (u & 3)) << 2));
        store<f32>(d + (<usize>(gate * h + u) << 2), v);
      }
    }
  }
}

/** dst [cols, rows] = transpose of src [rows, cols]. */
export function transpose(src: usize, dst: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      store<f32>(
        dst + (<usize>(c * rows + r) << 2),
        load<f32>(src + (<usize>(r * cols + c) << 2)),
      );
    }
  }
}

// ---------------------------------------------------------------------------
// Forward.

// Cell update of one row and one unit block from its four pre-activations.
// Reads c_prev at cIn, writes the gates (when gOut != 0), and h/c either to
// the next step's state rows or (the row's last step) h to hFin.
// @ts-ignore: decorator
@inline function cellForward(
  zi: v128, zf: v128, zg: v128, zo: v128, hard: i32,
  cIn: usize, gOut: usize, hOut: usize, cOut: usize, hFin: usize, last: bool,
): void {
  const i = vgate(zi, hard);
  const f = vgate(zf, hard);
  const g = vtanh(zg);
  const o = vgate(zo, hard);
  const c = madd(f, v128.load(cIn), f32x4.mul(i, g));
  const h = f32x4.mul(o, vtanh(c));
  if (gOut != 0) {
    v128.store(gOut, i);
    v128.store(gOut, f, 16);
    v128.store(gOut, g, 32);
    v128.store(gOut, o, 48);
  }
  if (last) {
    v128.store(hFin, h);
  } else {
    v128.store(hOut, h);
    v128.store(cOut, c);
  }
}

/**
 * Runs the whole packed forward recurrence.
 *
 * steps: number of timesteps T (the longest row). bs: i32[T] active rows per
 * step (non-increasing). keys: i32[N] packed token -> row of proj.
 * proj: [U, G] input projections with bias. uk: [Hp, G].
 * train != 0: hs, cs are [N, Hp] (token-major h_prev / c_prev, saved for the
 * backward) and gates [N, G] receives the activated gates. train == 0: hs,
 * cs are two [B, Hp] buffers each (B = bs[0]) used alternately; gates unused.
 * hFin: [B, Hp] receives each row's final h.
 */
export function forward(
  steps: i32, bs: usize, keys: usize, proj: usize, uk: usize, hp: i32,
  hard: i32, train: i32, gates: usize, hs: usize, cs: usize, hFin: usize,
): void {
  if (steps <= 0) return;
  const g = hp << 2;
  const gBytes = <usize>g << 2;
  const hBytes = <usize>hp << 2;
  const b0 = load<i32>(bs);
  memory.fill(hs, 0, <usize>b0 * hBytes);
  memory.fill(cs, 0, <usize>b0 * hBytes);
  const bufBytes = <usize>b0 * hBytes;
  let off = 0;
  for (let t = 0; t < steps; t++) {
    const n = load<i32>(bs + (<usize>t << 2));
    const nNext = t + 1 < steps ? load<i32>(bs + (<usize>(t + 1) << 2)) : 0;
    let hIn: usize, cIn: usize, hOut: usize, cOut: usize, gBase: usize = 0;
    if (train) {
      hIn = hs + <usize>off * hBytes;
      cIn = cs + <usize>off * hBytes;
      hOut = hs + <usize>(off + n) * hBytes;
      cOut = cs + <usize>(off + n) * hBytes;
      gBase = gates + <usize>off * gBytes;
    } else {
      hIn = hs + <usize>(t & 1) * bufBytes;
      cIn = cs + <usize>(t & 1) * bufBytes;
      hOut = hs + <usize>((t + 1) & 1) * bufBytes;
      cOut = cs + <usize>((t + 1) & 1) * bufBytes;
    }
    const keyBase = keys + (<usize>off << 2);
    for (let q = 0; q < hp; q += 4) {
      const qz = <usize>q << 4; // byte offset of the unit block in a gate row
      const qs = <usize>q << 2; // byte offset of the unit block in a state row
      let r = 0;
      for (; r + 2 <= n; r += 2) {
        const p0 = proj + <usize>load<i32>(keyBase + (<usize>r << 2)) * gBytes + qz;
        const p1 = proj + <usize>load<i32>(keyBase + (<usize>(r + 1) << 2)) * gBytes + qz;
        let a0 = v128.load(p0), a1 = v128.load(p0, 16), a2 = v128.load(p0, 32), a3 = v128.load(p0, 48);
        let b0 = v128.load(p1), b1 = v128.load(p1, 16), b2 = v128.load(p1, 32), b3 = v128.load(p1, 48);
        let h0 = hIn + <usize>r * hBytes;
        let h1 = h0 + hBytes;
        let u = uk + qz;
        for (let k = 0; k < hp; k++) {
          const x0 = v128.load32_splat(h0);
          const x1 = v128.load32_splat(h1);
          const u0 = v128.load(u), u1 = v128.load(u, 16), u2 = v128.load(u, 32), u3 = v128.load(u, 48);
          a0 = madd(x0, u0, a0);
          a1 = madd(x0, u1, a1);
          a2 = madd(x0, u2, a2);
          a3 = madd(x0, u3, a3);
          b0 = madd(x1, u0, b0);
          b1 = madd(x1, u1, b1);
          b2 = madd(x1, u2, b2);
          b3 = madd(x1, u3, b3);
          h0 += 4;
          h1 += 4;
          u += gBytes;
        }
        const rb = <usize>r * hBytes + qs;
        cellForward(
          a0, a1, a2, a3, hard, cIn + rb,
          train ? gBase + <usize>r * gBytes + qz : 0,
          hOut + rb, cOut + rb, hFin + rb, r >= nNext,
        );
        cellForward(
          b0, b1, b2, b3, hard, cIn + rb + hBytes,
          train ? gBase + <usize>(r + 1) * gBytes + qz : 0,
          hOut + rb + hBytes, cOut + rb + hBytes, hFin + rb + hBytes, r + 1 >= nNext,
        );
      }
      if (r < n) {
        const p0 = proj + <usize>load<i32>(keyBase + (<usize>r << 2)) * gBytes + qz;
        let a0 = v128.load(p0), a1 = v128.load(p0, 16), a2 = v128.load(p0, 32), a3 = v128.load(p0, 48);
        let h0 = hIn + <usize>r * hBytes;
        let u = uk + qz;
        for (let k = 0; k < hp; k++) {
          const x0 = v128.load32_splat(h0);
          a0 = madd(x0, v128.load(u), a0);
          a1 = madd(x0, v128.load(u, 16), a1);
          a2 = madd(x0, v128.load(u, 32), a2);
          a3 = madd(x0, v128.load(u, 48), a3);
          h0 += 4;
          u += gBytes;
        }
        const rb = <usize>r * hBytes + qs;
        cellForward(
          a0, a1, a2, a3, hard, cIn + rb,
          train ? gBase + <usize>r * gBytes + qz : 0,
          hOut + rb, cOut + rb, hFin + rb, r >= nNext,
        );
      }
    }
    off += n;
  }
}

// ---------------------------------------------------------------------------
// Backward.

// dUk[Hp, G] += hsᵀ · dz over the packed tokens [a, b): h_prev rows from hs,
// dz rows from dz (both token-major). Tiles of 2 state units x 16 gate
// columns; the token loop is innermost so the 8 accumulators stay in
// registers. Callers pass ranges of at most TOKEN_CHUNK tokens so that the
// rows stay in L1 across the tiles.
function accumulateRecurrentGrad(
  a: i32, b: i32, hs: usize, dz: usize, dUk: usize, hp: i32,
): void {
  const g = hp << 2;
  const gBytes = <usize>g << 2;
  const hBytes = <usize>hp << 2;
  // Gate columns outer: the chunk's dz column block (64 bytes per token)
  // stays in L1 while every pair of state units passes over it.
  for (let j = 0; j < g; j += 16) {
    const jo = <usize>j << 2;
    for (let k = 0; k < hp; k += 2) {
      const w0 = dUk + <usize>k * gBytes;
      const w1 = w0 + gBytes;
      let a0 = v128.load(w0 + jo), a1 = v128.load(w0 + jo, 16), a2 = v128.load(w0 + jo, 32), a3 = v128.load(w0 + jo, 48);
      let b0 = v128.load(w1 + jo), b1 = v128.load(w1 + jo, 16), b2 = v128.load(w1 + jo, 32), b3 = v128.load(w1 + jo, 48);
      let hp0 = hs + <usize>a * hBytes + (<usize>k << 2);
      let dp = dz + <usize>a * gBytes + jo;
      for (let tok = a; tok < b; tok++) {
        const x0 = v128.load32_splat(hp0);
        const x1 = v128.load32_splat(hp0, 4);
        const d0 = v128.load(dp), d1 = v128.load(dp, 16), d2 = v128.load(dp, 32), d3 = v128.load(dp, 48);
        a0 = madd(x0, d0, a0);
        a1 = madd(x0, d1, a1);
        a2 = madd(x0, d2, a2);
        a3 = madd(x0, d3, a3);
        b0 = madd(x1, d0, b0);
        b1 = madd(x1, d1, b1);
        b2 = madd(x1, d2, b2);
        b3 = madd(x1, d3, b3);
        hp0 += hBytes;
        dp += gBytes;
      }
      v128.store(w0 + jo, a0); v128.store(w0 + jo, a1, 16); v128.store(w0 + jo, a2, 32); v128.store(w0 + jo, a3, 48);
      v128.store(w1 + jo, b0); v128.store(w1 + jo, b1, 16); v128.store(w1 + jo, b2, 32); v128.store(w1 + jo, b3, 48);
    }
  }
}

const TOKEN_CHUNK: i32 = 32;

// @ts-ignore: decorator
@inline function flushRecurrentGrad(
  a: i32, b: i32, hs: usize, dz: usize, dUk: usize, hp: i32,
): void {
  for (let s = a; s < b; s += TOKEN_CHUNK) {
    accumulateRecurrentGrad(s, min(s + TOKEN_CHUNK, b), hs, dz, dUk, hp);
  }
}

/**
 * Backpropagation through time over the packed sequence saved by
 * {@link forward} (train mode).
 *
 * gates: [N, G] saved gates; overwritten with dz (gradient of the
 * pre-activations) per token. hs, cs: [N, Hp] saved h_prev / c_prev.
 * ukT: [G, Hp]. dh: [B, Hp] holds dL/dh_final per sorted row on entry (used
 * as scratch). dc: [B, Hp] scratch. dProj: [U, G], zeroed by the caller,
 * receives Σ dz per key. dUk: [Hp, G], zeroed by the caller, receives dL/duk.
 */
export function backward(
  steps: i32, bs: usize, keys: usize, gates: usize, hs: usize, cs: usize,
  ukT: usize, hp: i32, hard: i32, dh: usize, dc: usize, dProj: usize, dUk: usize,
): void {
  if (steps <= 0) return;
  const g = hp << 2;
  const gBytes = <usize>g << 2;
  const hBytes = <usize>hp << 2;
  const b0 = load<i32>(bs);
  memory.fill(dc, 0, <usize>b0 * hBytes);
  let total = 0;
  for (let t = 0; t < steps; t++) total += load<i32>(bs + (<usize>t << 2));
  let off = total;
  let pendEnd = total; // tokens [off, pendEnd) still owe their dUk share
  const one = v128.load(C, 160);
  for (let t = steps - 1; t >= 0; t--) {
    const n = load<i32>(bs + (<usize>t << 2));
    off -= n;
    // Phase A: cell backward, elementwise. dz replaces the saved gates.
    for (let r = 0; r < n; r++) {
      const tok = off + r;
      const gRow = gates + <usize>tok * gBytes;
      const cRow = cs + <usize>tok * hBytes;
      const dhRow = dh + <usize>r * hBytes;
      const dcRow = dc + <usize>r * hBytes;
      const pRow = dProj + <usize>load<i32>(keys + (<usize>tok << 2)) * gBytes;
      for (let q = 0; q < hp; q += 4) {
        const gp = gRow + (<usize>q << 4);
        const sp = <usize>q << 2;
        const i = v128.load(gp), f = v128.load(gp, 16), gg = v128.load(gp, 32), o = v128.load(gp, 48);
        const cp = v128.load(cRow + sp);
        const dhv = v128.load(dhRow + sp);
        const c = madd(f, cp, f32x4.mul(i, gg));
        const tc = vtanh(c);
        const dO = f32x4.mul(dhv, tc);
        const dcv = madd(
          f32x4.mul(dhv, o),
          nmadd(tc, tc, one),
          v128.load(dcRow + sp),
        );
        v128.store(dcRow + sp, f32x4.mul(dcv, f));
        const dzi = f32x4.mul(f32x4.mul(dcv, gg), vgateGrad(i, hard));
        const dzf = f32x4.mul(f32x4.mul(dcv, cp), vgateGrad(f, hard));
        const dzg = f32x4.mul(f32x4.mul(dcv, i), nmadd(gg, gg, one));
        const dzo = f32x4.mul(dO, vgateGrad(o, hard));
        v128.store(gp, dzi);
        v128.store(gp, dzf, 16);
        v128.store(gp, dzg, 32);
        v128.store(gp, dzo, 48);
        const pp = pRow + (<usize>q << 4);
        v128.store(pp, f32x4.add(v128.load(pp), dzi));
        v128.store(pp, f32x4.add(v128.load(pp, 16), dzf), 16);
        v128.store(pp, f32x4.add(v128.load(pp, 32), dzg), 32);
        v128.store(pp, f32x4.add(v128.load(pp, 48), dzo), 48);
      }
    }
    if (t == 0) break;
    // Phase B: dh_prev = dz · ukᵀ for the n active rows (2 rows x 16 units).
    const zBase = gates + <usize>off * gBytes;
    for (let q = 0; q < hp; q += 16) {
      const qo = <usize>q << 2;
      let r = 0;
      for (; r + 2 <= n; r += 2) {
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
        let z0 = zBase + <usize>r * gBytes;
        let z1 = z0 + gBytes;
        let w = ukT + qo;
        for (let j = 0; j < g; j++) {
          const x0 = v128.load32_splat(z0);
          const x1 = v128.load32_splat(z1);
          const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48);
          a0 = madd(x0, w0, a0);
          a1 = madd(x0, w1, a1);
          a2 = madd(x0, w2, a2);
          a3 = madd(x0, w3, a3);
          b0 = madd(x1, w0, b0);
          b1 = madd(x1, w1, b1);
          b2 = madd(x1, w2, b2);
          b3 = madd(x1, w3, b3);
          z0 += 4;
          z1 += 4;
          w += hBytes;
        }
        const d0 = dh + <usize>r * hBytes + qo;
        const d1 = d0 + hBytes;
        v128.store(d0, a0); v128.store(d0, a1, 16); v128.store(d0, a2, 32); v128.store(d0, a3, 48);
        v128.store(d1, b0); v128.store(d1, b1, 16); v128.store(d1, b2, 32); v128.store(d1, b3, 48);
      }
      if (r < n) {
        let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
        let z0 = zBase + <usize>r * gBytes;
        let w = ukT + qo;
        for (let j = 0; j < g; j++) {
          const x0 = v128.load32_splat(z0);
          a0 = madd(x0, v128.load(w), a0);
          a1 = madd(x0, v128.load(w, 16), a1);
          a2 = madd(x0, v128.load(w, 32), a2);
          a3 = madd(x0, v128.load(w, 48), a3);
          z0 += 4;
          w += hBytes;
        }
        const d0 = dh + <usize>r * hBytes + qo;
        v128.store(d0, a0); v128.store(d0, a1, 16); v128.store(d0, a2, 32); v128.store(d0, a3, 48);
      }
    }
    // Phase C, deferred: dUk += h_prevᵀ dz once enough tokens are pending
    // (contiguous across steps in packed order). Step 0 starts from h = 0
    // and contributes nothing, so its tokens are never flushed.
    if (pendEnd - off >= TOKEN_CHUNK) {
      flushRecurrentGrad(off, pendEnd, hs, gates, dUk, hp);
      pendEnd = off;
    }
  }
  const first = load<i32>(bs); // tokens of step 0 are [0, bs[0])
  if (pendEnd > first) flushRecurrentGrad(first, pendEnd, hs, gates, dUk, hp);
}

// ---------------------------------------------------------------------------
// Projection products (dense matrix products of the input projection).
//
// Row-major float32 matrices. "Strips": a [k, n] matrix (n a multiple of 16)
// stored as n/16 contiguous strips of [k, 16], so a 16-column block of B is
// read sequentially. Register tiles are 2 rows x 16 columns (8 v128
// accumulators), as in the recurrence above. Every sum runs over k in
// increasing order, so results are deterministic on one machine.

/**
 * Copies src [k, n] (row-major, n a multiple of 16) into strips:
 * dst[s][kk][0..16] = src[kk][16s..16s+16].
 */
export function packStrips(src: usize, dst: usize, k: i32, n: i32): void {
  const rowBytes = <usize>n << 2;
  const stripBytes = <usize>k << 6;
  for (let s = 0; s < (n >> 4); s++) {
    let from = src + (<usize>s << 6);
    let to = dst + <usize>s * stripBytes;
    for (let kk = 0; kk < k; kk++) {
      v128.store(to, v128.load(from));
      v128.store(to, v128.load(from, 16), 16);
      v128.store(to, v128.load(from, 32), 32);
      v128.store(to, v128.load(from, 48), 48);
      from += rowBytes;
      to += 64;
    }
  }
}

/**
 * C [m, n] = A [m, k] · B [k, n] (+ bias [n] on every row when bias != 0).
 * A row-major; B given as strips (see {@link packStrips}); n a multiple of
 * 16. Tiles of 2 rows x 16 columns, row pairs outer (the pair's A rows stay
 * in L1 while all of B streams from L2); an odd last row runs alone.
 */
export function gemm(
  a: usize, bs: usize, c: usize, m: i32, k: i32, n: i32, bias: usize,
): void {
  const lda = <usize>k << 2;
  const ldc = <usize>n << 2;
  const stripBytes = <usize>k << 6;
  const strips = n >> 4;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = a + <usize>i * lda;
    const a1 = a0 + lda;
    const c0 = c + <usize>i * ldc;
    const c1 = c0 + ldc;
    for (let s = 0; s < strips; s++) {
      const so = <usize>s << 6;
      let x0 = zero, x1 = zero, x2 = zero, x3 = zero;
      if (bias != 0) {
        x0 = v128.load(bias + so);
        x1 = v128.load(bias + so, 16);
        x2 = v128.load(bias + so, 32);
        x3 = v128.load(bias + so, 48);
      }
      let y0 = x0, y1 = x1, y2 = x2, y3 = x3;
      let p0 = a0, p1 = a1;
      let w = bs + <usize>s * stripBytes;
      for (let kk = 0; kk < k; kk++) {
        const s0 = v128.load32_splat(p0);
        const s1 = v128.load32_splat(p1);
        const w0 = v128.load(w), w1 = v128.load(w, 16), w2 = v128.load(w, 32), w3 = v128.load(w, 48);
        x0 = madd(s0, w0, x0);
        x1 = madd(s0, w1, x1);
        x2 = madd(s0, w2, x2);
        x3 = madd(s0, w3, x3);
        y0 = madd(s1, w0, y0);
        y1 = madd(s1, w1, y1);
        y2 = madd(s1, w2, y2);
        y3 = madd(s1, w3, y3);
        p0 += 4;
        p1 += 4;
        w += 64;
      }
      v128.store(c0 + so, x0); v128.store(c0 + so, x1, 16); v128.store(c0 + so, x2, 32); v128.store(c0 + so, x3, 48);
      v128.store(c1 + so, y0); v128.store(c1 + so, y1, 16); v128.store(c1 + so, y2, 32); v128.store(c1 + so, y3, 48);
    }
  }
  if (i < m) {
    const a0 = a + <usize>i * lda;
    const c0 = c + <usize>i * ldc;
    for (let s = 0; s < strips; s++) {
      const so = <usize>s << 6;
      let x0 = zero, x1 = zero, x2 = zero, x3 = zero;
      if (bias != 0) {
        x0 = v128.load(bias + so);
        x1 = v128.load(bias + so, 16);
        x2 = v128.load(bias + so, 32);
        x3 = v128.load(bias + so, 48);
      }
      let p0 = a0;
      let w = bs + <usize>s * stripBytes;
      for (let kk = 0; kk < k; kk++) {
        const s0 = v128.load32_splat(p0);
        x0 = madd(s0, v128.load(w), x0);
        x1 = madd(s0, v128.load(w, 16), x1);
        x2 = madd(s0, v128.load(w, 32), x2);
        x3 = madd(s0, v128.load(w, 48), x3);
        p0 += 4;
        w += 64;
      }
      v128.store(c0 + so, x0); v128.store(c0 + so, x1, 16); v128.store(c0 + so, x2, 32); v128.store(c0 + so, x3, 48);
    }
  }
}

// Rows of A (= columns of Aᵀ) per pass of gemmTN: the chunk's 16-column
// block of B (16 KiB) stays in L1 while every tile of C passes over it.
const TN_CHUNK: i32 = 256;

/**
 * C [m, n] += Aᵀ · B, with A [k, m] and B [k, n] row-major (so Cᵢⱼ +=
 * Σₖ A[k][i] B[k][j]). m even, n a multiple of 16; C must be initialised by
 * the caller (zeros for a plain product). The k rows are taken in chunks of
 * TN_CHUNK; within a chunk, tiles of 2 x 16 of C stay in registers.
 */
export function gemmTN(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32,
): void {
  const lda = <usize>m << 2;
  const ldb = <usize>n << 2;
  const ldc = <usize>n << 2;
  for (let k0 = 0; k0 < k; k0 += TN_CHUNK) {
    const k1 = min(k0 + TN_CHUNK, k);
    for (let j = 0; j < n; j += 16) {
      const jo = <usize>j << 2;
      for (let i = 0; i < m; i += 2) {
        const c0 = c + <usize>i * ldc + jo;
        const c1 = c0 + ldc;
        let x0 = v128.load(c0), x1 = v128.load(c0, 16), x2 = v128.load(c0, 32), x3 = v128.load(c0, 48);
        let y0 = v128.load(c1), y1 = v128.load(c1, 16), y2 = v128.load(c1, 32), y3 = v128.load(c1, 48);
        let pa = a + <usize>k0 * lda + (<usize>i << 2);
        let pb = b + <usize>k0 * ldb + jo;
        for (let kk = k0; kk < k1; kk++) {
          const s0 = v128.load32_splat(pa);
          const s1 = v128.load32_splat(pa, 4);
          const w0 = v128.load(pb), w1 = v128.load(pb, 16), w2 = v128.load(pb, 32), w3 = v128.load(pb, 48);
          x0 = madd(s0, w0, x0);
          x1 = madd(s0, w1, x1);
          x2 = madd(s0, w2, x2);
          x3 = madd(s0, w3, x3);
          y0 = madd(s1, w0, y0);
          y1 = madd(s1, w1, y1);
          y2 = madd(s1, w2, y2);
          y3 = madd(s1, w3, y3);
          pa += lda;
          pb += ldb;
        }
        v128.store(c0, x0); v128.store(c0, x1, 16); v128.store(c0, x2, 32); v128.store(c0, x3, 48);
        v128.store(c1, y0); v128.store(c1, y1, 16); v128.store(c1, y2, 32); v128.store(c1, y3, 48);
      }
    }
  }
}

/** out [n] = Σ over the m rows of a [m, n] (n a multiple of 4), rows in order. */
export function colSums(a: usize, out: usize, m: i32, n: i32): void {
  const rowBytes = <usize>n << 2;
  for (let j = 0; j < n; j += 4) {
    const jo = <usize>j << 2;
    let acc = f32x4.splat(0);
    let p = a + jo;
    for (let i = 0; i < m; i++) {
      acc = f32x4.add(acc, v128.load(p));
      p += rowBytes;
    }
    v128.store(out + jo, acc);
  }
}
