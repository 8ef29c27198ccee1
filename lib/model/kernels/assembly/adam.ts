// AssemblyScript source of the fused Adam update for tfjs' wasm backend
// (compiled by ../build.ts into ../adam_kernels.wasm; never imported by
// TypeScript).
//
// This module imports its memory ("env" "memory"): the host instantiates it
// with tfjs-wasm's own WebAssembly.Memory, so it updates tensors in place at
// their heap offsets. It must therefore own nothing in that memory: no static
// data, no stack, no allocation (the build test checks there is no data
// section). All pointers are byte offsets of float32 arrays; no alignment is
// assumed (v128 loads and stores may be unaligned).
//
// Each step mirrors one float32 tfjs op of the op path in ../../adam.ts, in
// the same order and with IEEE float32 rounding (f32x4 add, mul, div and
// sqrt are exactly rounded; no fused multiply-add here), so the result equals
// the op path's to the bit:
//   m' = m·b1 + g·ob1
//   v' = v·b2 + (g·g)·ob2
//   keras: p' = p − (m' / (√v' + eps))·scale
//   torch: p' = p − (m' / (√v' / root2 + eps))·scale
// with b1 = β1, ob1 = 1 − β1, b2 = β2, ob2 = 1 − β2 (each rounded to float32
// by the host) and scale, root2 as documented in ../adam_fused.ts.

// @ts-ignore: decorator
@inline function denom(v: v128, eps: v128, root2: v128, torch: i32): v128 {
  const s = f32x4.sqrt(v);
  return torch ? f32x4.add(f32x4.div(s, root2), eps) : f32x4.add(s, eps);
}

// @ts-ignore: decorator
@inline function denom1(v: f32, eps: f32, root2: f32, torch: i32): f32 {
  const s = Mathf.sqrt(v);
  return torch ? s / root2 + eps : s + eps;
}

/**
 * Adam on n elements with gradient g: reads p, writes the new parameter to
 * out (which may be p itself), updates m and v [n] in place.
 */
export function adamDense(
  p: usize, out: usize, m: usize, v: usize, g: usize, n: i32,
  b1: f32, ob1: f32, b2: f32, ob2: f32, eps: f32, scale: f32, root2: f32,
  torch: i32,
): void {
  const vb1 = f32x4.splat(b1), vob1 = f32x4.splat(ob1);
  const vb2 = f32x4.splat(b2), vob2 = f32x4.splat(ob2);
  const veps = f32x4.splat(eps), vscale = f32x4.splat(scale);
  const vroot2 = f32x4.splat(root2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(v128.load(m + o), vb1), f32x4.mul(gi, vob1));
    const vi = f32x4.add(
      f32x4.mul(v128.load(v + o), vb2),
      f32x4.mul(f32x4.mul(gi, gi), vob2),
    );
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const u = f32x4.mul(f32x4.div(mi, denom(vi, veps, vroot2, torch)), vscale);
    v128.store(out + o, f32x4.sub(v128.load(p + o), u));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = load<f32>(m + o) * b1 + gi * ob1;
    const vi = load<f32>(v + o) * b2 + (gi * gi) * ob2;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(out + o, load<f32>(p + o) - (mi / denom1(vi, eps, root2, torch)) * scale);
  }
}

/**
 * Adam on n elements with a zero gradient: m·b1 + 0·ob1 and v·b2 + 0·ob2 are
 * exactly m·b1 and v·b2 in float32, so the gradient terms are dropped.
 * Reads p, writes out (may be p), updates m and v in place.
 */
export function adamDecay(
  p: usize, out: usize, m: usize, v: usize, n: i32,
  b1: f32, b2: f32, eps: f32, scale: f32, root2: f32, torch: i32,
): void {
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2);
  const veps = f32x4.splat(eps), vscale = f32x4.splat(scale);
  const vroot2 = f32x4.splat(root2);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const mi = f32x4.mul(v128.load(m + o), vb1);
    const vi = f32x4.mul(v128.load(v + o), vb2);
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const u = f32x4.mul(f32x4.div(mi, denom(vi, veps, vroot2, torch)), vscale);
    v128.store(out + o, f32x4.sub(v128.load(p + o), u));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const mi = load<f32>(m + o) * b1;
    const vi = load<f32>(v + o) * b2;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(out + o, load<f32>(p + o) - (mi / denom1(vi, eps, root2, torch)) * scale);
  }
}
