/**
 * The fused LSTM recurrence on plain arrays: a thin wrapper around our own
 * WebAssembly SIMD module (`lstm_kernels.wasm`, compiled from
 * `assembly/lstm.ts` by `deno task build:kernels`). One call into WebAssembly
 * runs the whole time loop of a batch in each direction.
 *
 * The module is a singleton with its own linear memory. Each call lays its
 * buffers out from the start of that memory (growing it when needed). A
 * training forward leaves the activations its backward needs in that memory
 * (about 1.5 KiB per token at H = 64); its backward uses them in place. Only
 * if another call needs the memory first are they copied out to JS arrays
 * ("spilled") and copied back by the backward, so interleaved calls stay
 * correct and the usual forward → backward sequence copies nothing.
 *
 * Two entry points per direction:
 * - {@link fusedForward} / {@link fusedBackward} take the input projection
 *   P = x·W + b per key, computed by the caller (with tfjs' matMul), and
 *   return dL/dP;
 * - {@link projectedForward} / {@link projectedBackward} take the embedding
 *   rows of the keys and W, b themselves and compute the three projection
 *   products in this module's relaxed-SIMD matrix kernels (`gemm`,
 *   `gemmTN`): P = X·W + b, then dX = dP·Wᵀ, dW = Xᵀ·dP and db = Σ dP. X
 *   and P stay in WebAssembly memory from the forward to the backward; only
 *   the rows come in and dX, dW, db go out. Each product is one matrix
 *   product over all keys of the batch (its distinct ids).
 *
 * Memory is 32-bit: one call can use at most 4 GiB, about 1.5 KiB per packed
 * token at H = 64 during training (≈ 2.7 M tokens), plus ~4 KiB per key
 * (E = 500) on the projected path.
 *
 * @module
 */

import * as wasm from "./lstm_kernels.wasm";
import { packBatch, type PackedBatch } from "./packing.ts";

const PAGE = 65536;

/** Hidden size padded to the kernels' unit block of 16. */
export function paddedHidden(h: number): number {
  return Math.ceil(h / 16) * 16;
}

/** A bump allocator over the module's memory, reset by every call. */
class Arena {
  #top = 0;
  #base: number = wasm.heapBase();

  get top(): number {
    return this.#top;
  }

  set top(value: number) {
    this.#top = value;
  }

  reset(): void {
    this.#top = this.#base;
  }

  /** Reserves `bytes` (rounded up to 64 for cache-line alignment). */
  alloc(bytes: number): number {
    const ptr = this.#top;
    this.#top += Math.ceil(bytes / 64) * 64;
    const need = this.#top - wasm.memory.buffer.byteLength;
    if (need > 0) {
      if (this.#top > 4 * 1024 ** 3) {
        throw new RangeError(
          `fused LSTM: this batch needs ${
            (this.#top / 1024 ** 3).toFixed(2)
          } GiB of WebAssembly memory, over the 4 GiB a 32-bit module can ` +
            `address; use smaller batches or the "ops" engine`,
        );
      }
      try {
        wasm.memory.grow(Math.ceil(need / PAGE));
      } catch (e) {
        throw new RangeError(
          `fused LSTM: could not grow WebAssembly memory to ${
            Math.ceil(this.#top / 1024 ** 2)
          } MiB (${e instanceof Error ? e.message : e}); use smaller batches`,
        );
      }
    }
    return ptr;
  }

  f32(ptr: number, length: number): Float32Array {
    return new Float32Array(wasm.memory.buffer, ptr, length);
  }

  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(wasm.memory.buffer, ptr, length);
  }
}

const arena = new Arena();

/**
 * What a training forward keeps for its backward. Opaque to callers: pass it
 * to {@link fusedBackward} once.
 */
export interface FusedSaved {
  /** Packed tokens N and padded hidden size Hp of the forward. */
  readonly numTokens: number;
  readonly paddedHidden: number;
  /**
   * JS copies of the activations, set only once they had to leave
   * WebAssembly memory: gates [N, 4Hp] (interleaved), h_prev and c_prev
   * [N, Hp].
   */
  spilled:
    | {
      gates: Float32Array;
      hPrev: Float32Array;
      cPrev: Float32Array;
      /** Projected path: the masked input rows X [numKeys, Ep]. */
      x: Float32Array | null;
    }
    | null;
  /** Set when the backward has run (it overwrites the saved gates). */
  consumed: boolean;
  /**
   * Projected path only: padded embedding width Ep (E rounded up to 16)
   * of the rows X [numKeys, Ep] kept for dW = Xᵀ·dP; 0 otherwise.
   */
  readonly paddedEmbed: number;
}

/** Where a resident forward's buffers sit in memory. */
interface Resident {
  saved: FusedSaved;
  /** Arena top after the forward: the backward allocates above it. */
  top: number;
  bs: number;
  keys: number;
  gates: number;
  hs: number;
  cs: number;
  /** Projected path: X [numKeys, Ep]; 0 otherwise. */
  x: number;
  numKeys: number;
}

/** The training forward whose activations are still in memory, if any. */
let resident: Resident | null = null;

/** Copies the resident activations out to JS arrays and frees the memory. */
function spill(): void {
  if (resident === null) return;
  const { saved, gates, hs, cs, x, numKeys } = resident;
  const n = saved.numTokens, hp = saved.paddedHidden;
  saved.spilled = {
    gates: arena.f32(gates, n * 4 * hp).slice(),
    hPrev: arena.f32(hs, n * hp).slice(),
    cPrev: arena.f32(cs, n * hp).slice(),
    x: x === 0 ? null : arena.f32(x, numKeys * saved.paddedEmbed).slice(),
  };
  resident = null;
}

/** Starts a call that lays out memory from the base. */
function begin(): void {
  spill();
  arena.reset();
}

let warm = false;

/**
 * V8 first runs WebAssembly in its baseline compiler and switches a function
 * to optimised code only for calls that start after it has run enough: the
 * first real forward (one long call) would run entirely in baseline code,
 * 2–3× slower (measured: +0.3 s on a masked training batch, +2.4 s on an
 * unmasked one). A few tiny calls first (~10 ms) trigger the switch.
 */
function warmUp(): void {
  if (warm) return;
  warm = true;
  const h = 16, batch = 4, steps = 24;
  const ids = Int32Array.from(
    { length: batch * steps },
    (_, i) => 1 + (i * 7) % 31,
  );
  const plan = packBatch(ids, batch, steps, { masked: true, vocabSize: 32 });
  const proj = new Float32Array(plan.numKeys * 4 * h).fill(0.01);
  const recurrent = new Float32Array(h * 4 * h).fill(0.01);
  const dhSorted = new Float32Array(batch * h).fill(0.01);
  for (let i = 0; i < WARM_UP_CALLS; i++) {
    for (const hard of [false, true]) {
      const f = fusedForward({
        plan,
        proj,
        recurrent,
        hidden: h,
        hard,
        train: true,
      });
      fusedBackward({
        plan,
        saved: f.saved!,
        recurrent,
        hidden: h,
        hard,
        dhSorted,
      });
      fusedForward({ plan, proj, recurrent, hidden: h, hard, train: false });
    }
    const e = 24;
    const rows = new Float32Array(plan.numKeys * e).fill(0.01);
    const kernel = new Float32Array(e * 4 * h).fill(0.01);
    const bias = new Float32Array(4 * h);
    const f = projectedForward({
      plan,
      rows,
      mask: null,
      embed: e,
      kernel,
      bias,
      recurrent,
      hidden: h,
      hard: false,
      train: true,
    });
    projectedBackward({
      plan,
      saved: f.saved!,
      rowsMask: null,
      embed: e,
      kernel,
      recurrent,
      hidden: h,
      hard: false,
      dhSorted,
    });
  }
  // The matrix kernels run few, long loops per call: they need more calls
  // (measured: ~50 at k = 256) before V8 optimises them. ~5 ms.
  begin();
  const k = 256, n = 64, m = 16;
  const a = allocZeros(k * m), b = allocZeros(k * n);
  const strips = arena.alloc(k * n * 4), c = allocZeros(m * n);
  for (let i = 0; i < MATRIX_WARM_UP_CALLS; i++) {
    wasm.packStrips(b, strips, k, n);
    wasm.gemm(a, strips, c, 2, k, n, 0);
    wasm.gemmTN(a, b, c, m, k, n);
    wasm.colSums(b, c, k, n);
    wasm.transpose(b, a, 16, 16);
  }
}

const MATRIX_WARM_UP_CALLS = 80;

const WARM_UP_CALLS = 5;

/** Inputs of {@link fusedForward}. */
export interface FusedForwardArgs {
  plan: PackedBatch;
  /** x·W + b per key, tfjs gate layout: [numKeys, 4H]. */
  proj: Float32Array;
  /** Recurrent kernel [H, 4H], gate order i, f, g, o. */
  recurrent: Float32Array;
  /** Hidden size H. */
  hidden: number;
  /** Hard sigmoid (tfjs) instead of the logistic sigmoid for i, f, o. */
  hard: boolean;
  /** Keep what the backward needs (training). */
  train: boolean;
}

function putI32(src: Int32Array): number {
  const ptr = arena.alloc(src.length * 4);
  arena.i32(ptr, src.length).set(src);
  return ptr;
}

function putF32(src: Float32Array): number {
  const ptr = arena.alloc(src.length * 4);
  arena.f32(ptr, src.length).set(src);
  return ptr;
}

/** Zero-filled floats. */
function allocZeros(length: number): number {
  const ptr = arena.alloc(length * 4);
  arena.f32(ptr, length).fill(0);
  return ptr;
}

/** `a` [rows, cols] copied into zeroed memory with row stride `stride` ≥ cols. */
function putPadded(
  a: Float32Array,
  rows: number,
  cols: number,
  stride: number,
): number {
  const ptr = allocZeros(rows * stride);
  const view = arena.f32(ptr, rows * stride);
  for (let r = 0; r < rows; r++) {
    view.set(a.subarray(r * cols, r * cols + cols), r * stride);
  }
  return ptr;
}

/** [rows, stride] floats at `ptr`, read back without their padding: [rows, cols]. */
function takeUnpadded(
  ptr: number,
  rows: number,
  cols: number,
  stride: number,
): Float32Array {
  const view = arena.f32(ptr, rows * stride);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    out.set(view.subarray(r * stride, r * stride + cols), r * cols);
  }
  return out;
}

/** Recurrent kernel [H, 4H] → interleaved, padded [Hp, 4Hp] in memory. */
function putRecurrent(recurrent: Float32Array, h: number, hp: number): number {
  const raw = putF32(recurrent);
  const uk = arena.alloc(hp * 4 * hp * 4);
  arena.f32(uk, hp * 4 * hp).fill(0);
  wasm.packGates(raw, uk, h, h, hp);
  return uk;
}

/** Embedding width padded to the matrix kernels' column block of 16. */
export function paddedEmbed(e: number): number {
  return Math.max(16, Math.ceil(e / 16) * 16);
}

/** Input kernel W [E, 4H] → interleaved gate columns, [Ep, G], pad rows 0. */
function putInputKernel(
  kernel: Float32Array,
  e: number,
  ep: number,
  h: number,
  hp: number,
): number {
  const raw = putF32(kernel);
  const w = allocZeros(ep * 4 * hp);
  wasm.packGates(raw, w, e, h, hp);
  return w;
}

/**
 * Runs the forward recurrence from a projection already in memory (`proj`,
 * interleaved [numKeys, G]) after `bs` and `keys` were put. Returns the final
 * states and, when training, makes this forward the resident one.
 */
function runForward(
  plan: PackedBatch,
  bs: number,
  keys: number,
  proj: number,
  recurrent: Float32Array,
  h: number,
  hard: boolean,
  train: boolean,
  x: { ptr: number; paddedEmbed: number },
): { hSorted: Float32Array; saved: FusedSaved | null } {
  const hp = paddedHidden(h);
  const g = 4 * hp;
  const n0 = plan.numActive;
  const nTok = plan.numTokens;
  const uk = putRecurrent(recurrent, h, hp);
  const stateRows = train ? nTok : 2 * n0;
  const hs = arena.alloc(stateRows * hp * 4);
  const cs = arena.alloc(stateRows * hp * 4);
  const gates = train ? arena.alloc(nTok * g * 4) : 0;
  const hFin = arena.alloc(n0 * hp * 4);
  wasm.forward(
    plan.steps,
    bs,
    keys,
    proj,
    uk,
    hp,
    hard ? 1 : 0,
    train ? 1 : 0,
    gates,
    hs,
    cs,
    hFin,
  );
  const hSorted = new Float32Array(n0 * h);
  const fin = arena.f32(hFin, n0 * hp);
  for (let s = 0; s < n0; s++) {
    hSorted.set(fin.subarray(s * hp, s * hp + h), s * h);
  }
  let saved: FusedSaved | null = null;
  if (train) {
    saved = {
      numTokens: nTok,
      paddedHidden: hp,
      paddedEmbed: x.paddedEmbed,
      spilled: null,
      consumed: false,
    };
    resident = {
      saved,
      top: arena.top,
      bs,
      keys,
      gates,
      hs,
      cs,
      x: x.ptr,
      numKeys: plan.numKeys,
    };
  }
  return { hSorted, saved };
}

function emptyForward(
  train: boolean,
  hp: number,
  ep: number,
): { hSorted: Float32Array; saved: FusedSaved | null } {
  return {
    hSorted: new Float32Array(0),
    saved: train
      ? {
        numTokens: 0,
        paddedHidden: hp,
        paddedEmbed: ep,
        spilled: null,
        consumed: false,
      }
      : null,
  };
}

/**
 * Runs the packed forward recurrence of a batch.
 *
 * Returns the final h of every active row in sorted order, [numActive, H]
 * (row s is original row `plan.order[s]`), and, when `train`, the saved
 * activations for {@link fusedBackward}.
 */
export function fusedForward(
  args: FusedForwardArgs,
): { hSorted: Float32Array; saved: FusedSaved | null } {
  warmUp();
  const { plan, hidden: h } = args;
  const hp = paddedHidden(h);
  if (args.proj.length !== plan.numKeys * 4 * h) {
    throw new RangeError(
      `fused LSTM: projection has ${args.proj.length} values, expected ` +
        `${plan.numKeys} keys × ${4 * h}`,
    );
  }
  if (plan.numActive === 0) return emptyForward(args.train, hp, 0);
  begin();
  const bs = putI32(plan.batchSizes);
  const keys = putI32(plan.keys);
  const rawProj = putF32(args.proj);
  const proj = arena.alloc(plan.numKeys * 4 * hp * 4);
  wasm.packGates(rawProj, proj, plan.numKeys, h, hp);
  return runForward(
    plan,
    bs,
    keys,
    proj,
    args.recurrent,
    h,
    args.hard,
    args.train,
    { ptr: 0, paddedEmbed: 0 },
  );
}

/** Inputs of {@link projectedForward}. */
export interface ProjectedForwardArgs {
  plan: PackedBatch;
  /** Embedding rows of the keys, [numKeys, E] (row k = id `plan.keyIds[k]`). */
  rows: Float32Array;
  /**
   * Optional input mask per key, [numKeys, E], multiplied into `rows`
   * (the dropout mask of each key's batch row); null for none.
   */
  mask: Float32Array | null;
  /** Embedding width E. */
  embed: number;
  /** Input kernel W [E, 4H], gate order i, f, g, o. */
  kernel: Float32Array;
  /** Bias [4H]. */
  bias: Float32Array;
  /** Recurrent kernel [H, 4H]. */
  recurrent: Float32Array;
  hidden: number;
  hard: boolean;
  train: boolean;
}

/**
 * Projection and forward recurrence of a batch in one call: X = rows ⊙ mask
 * ([numKeys, E], copied into memory padded to Ep columns), P = X·W + b by
 * `gemm` directly in the interleaved gate layout, then the recurrence as in
 * {@link fusedForward}. A training forward keeps X in memory for
 * {@link projectedBackward}. Returns the final states as fusedForward does.
 */
export function projectedForward(
  args: ProjectedForwardArgs,
): { hSorted: Float32Array; saved: FusedSaved | null } {
  warmUp();
  const { plan, hidden: h, embed: e } = args;
  const hp = paddedHidden(h);
  const ep = paddedEmbed(e);
  const u = plan.numKeys;
  const expect = (name: string, a: Float32Array, n: number, what: string) => {
    if (a.length !== n) {
      throw new RangeError(
        `fused LSTM: ${name} has ${a.length} values, expected ${what}`,
      );
    }
  };
  expect("rows", args.rows, u * e, `${u} keys × ${e}`);
  if (args.mask) expect("mask", args.mask, u * e, `${u} keys × ${e}`);
  expect("kernel", args.kernel, e * 4 * h, `${e} × ${4 * h}`);
  expect("bias", args.bias, 4 * h, `${4 * h}`);
  if (plan.numActive === 0) return emptyForward(args.train, hp, ep);
  begin();
  const bs = putI32(plan.batchSizes);
  const keys = putI32(plan.keys);
  const x = arena.alloc(u * ep * 4);
  const xs = arena.f32(x, u * ep);
  const { rows, mask } = args;
  for (let k = 0; k < u; k++) {
    const src = k * e, dst = k * ep;
    if (mask === null) {
      xs.set(rows.subarray(src, src + e), dst);
    } else {
      for (let j = 0; j < e; j++) xs[dst + j] = rows[src + j] * mask[src + j];
    }
    if (ep > e) xs.fill(0, dst + e, dst + ep);
  }
  const g = 4 * hp;
  const w = putInputKernel(args.kernel, e, ep, h, hp);
  const wStrips = arena.alloc(ep * g * 4);
  wasm.packStrips(w, wStrips, ep, g);
  const rawBias = putF32(args.bias);
  const bias = arena.alloc(g * 4);
  wasm.packGates(rawBias, bias, 1, h, hp);
  const proj = arena.alloc(u * g * 4);
  wasm.gemm(x, wStrips, proj, u, ep, g, bias);
  return runForward(
    plan,
    bs,
    keys,
    proj,
    args.recurrent,
    h,
    args.hard,
    args.train,
    { ptr: args.train ? x : 0, paddedEmbed: ep },
  );
}

/** Inputs of {@link fusedBackward}. */
export interface FusedBackwardArgs {
  plan: PackedBatch;
  saved: FusedSaved;
  /** Recurrent kernel [H, 4H] used in the forward. */
  recurrent: Float32Array;
  hidden: number;
  hard: boolean;
  /** dL/dh_final per active row in sorted order: [numActive, H]. */
  dhSorted: Float32Array;
}

/**
 * Backpropagation through time into memory: returns the pointers of dP
 * (interleaved [numKeys, G], Σ dz per key), dUk ([Hp, G]) and, on the
 * projected path, X ([numKeys, Ep], resident or put back from its spill).
 */
function runBackward(
  args: FusedBackwardArgs,
): { dP: number; dUk: number; x: number } {
  const { plan, saved, hidden: h } = args;
  const hp = paddedHidden(h);
  const g = 4 * hp;
  const n0 = plan.numActive;
  const nTok = plan.numTokens;
  if (saved.consumed) {
    throw new Error("fused LSTM: the backward of this forward has already run");
  }
  if (saved.numTokens !== nTok || saved.paddedHidden !== hp) {
    throw new Error(
      "fused LSTM: saved activations do not belong to this batch",
    );
  }
  let bs: number, keys: number, gates: number, hs: number, cs: number;
  let x = 0;
  if (resident !== null && resident.saved === saved) {
    ({ bs, keys, gates, hs, cs, x } = resident);
    arena.top = resident.top;
    resident = null;
  } else {
    if (saved.spilled === null) {
      throw new Error("fused LSTM: saved activations are missing");
    }
    begin();
    bs = putI32(plan.batchSizes);
    keys = putI32(plan.keys);
    gates = putF32(saved.spilled.gates);
    hs = putF32(saved.spilled.hPrev);
    cs = putF32(saved.spilled.cPrev);
    if (saved.spilled.x !== null) x = putF32(saved.spilled.x);
  }
  saved.consumed = true;
  saved.spilled = null;
  const uk = putRecurrent(args.recurrent, h, hp);
  const ukT = arena.alloc(g * hp * 4);
  wasm.transpose(uk, ukT, hp, g);
  const dh = arena.alloc(n0 * hp * 4);
  const dhView = arena.f32(dh, n0 * hp);
  dhView.fill(0);
  for (let s = 0; s < n0; s++) {
    dhView.set(args.dhSorted.subarray(s * h, s * h + h), s * hp);
  }
  const dc = arena.alloc(n0 * hp * 4);
  const dP = allocZeros(plan.numKeys * g);
  const dUk = allocZeros(hp * g);
  wasm.backward(
    plan.steps,
    bs,
    keys,
    gates,
    hs,
    cs,
    ukT,
    hp,
    args.hard ? 1 : 0,
    dh,
    dc,
    dP,
    dUk,
  );
  return { dP, dUk, x };
}

/** dUk [Hp, G] interleaved → dL/dU [H, 4H] in tfjs layout. */
function takeRecurrentGrad(dUk: number, h: number, hp: number): Float32Array {
  const out = arena.alloc(h * 4 * h * 4);
  wasm.unpackGates(dUk, out, h, h, hp);
  return arena.f32(out, h * 4 * h).slice();
}

/**
 * Backpropagation through time for a batch run by {@link fusedForward}.
 *
 * Returns dL/d(projection) summed per key, [numKeys, 4H] in tfjs gate layout,
 * and dL/d(recurrent kernel), [H, 4H].
 */
export function fusedBackward(
  args: FusedBackwardArgs,
): { dProj: Float32Array; dRecurrent: Float32Array } {
  const { plan, hidden: h } = args;
  const hp = paddedHidden(h);
  if (plan.numActive === 0) {
    return {
      dProj: new Float32Array(plan.numKeys * 4 * h),
      dRecurrent: new Float32Array(h * 4 * h),
    };
  }
  const { dP, dUk } = runBackward(args);
  const outP = arena.alloc(plan.numKeys * 4 * h * 4);
  wasm.unpackGates(dP, outP, plan.numKeys, h, hp);
  const dProj = arena.f32(outP, plan.numKeys * 4 * h).slice();
  return { dProj, dRecurrent: takeRecurrentGrad(dUk, h, hp) };
}

/** Inputs of {@link projectedBackward}. */
export interface ProjectedBackwardArgs extends FusedBackwardArgs {
  /** The forward's input mask [numKeys, E], or null (see below). */
  rowsMask: Float32Array | null;
  /** Embedding width E. */
  embed: number;
  /** Input kernel W [E, 4H] used in the forward. */
  kernel: Float32Array;
}

/** Gradients {@link projectedBackward} returns (tfjs layouts). */
export interface ProjectedGrads {
  /**
   * dL/d(rows) [numKeys, E]: dP·Wᵀ times the forward's mask, i.e. the
   * gradient with respect to the unmasked embedding rows.
   */
  dRows: Float32Array;
  /** dL/dW = Xᵀ·dP: [E, 4H]. */
  dKernel: Float32Array;
  /** dL/db = Σ dP over the keys: [4H]. */
  dBias: Float32Array;
  /** dL/dU: [H, 4H]. */
  dRecurrent: Float32Array;
}

/**
 * Backward of {@link projectedForward}: the recurrence backward gives dP
 * [numKeys, G] in memory, then dX = dP·Wᵀ (`gemm` against the transposed,
 * packed W), dW = Xᵀ·dP (`gemmTN` over all keys) and db = Σ dP
 * (`colSums`), each one product over all keys.
 */
export function projectedBackward(args: ProjectedBackwardArgs): ProjectedGrads {
  const { plan, saved, hidden: h, embed: e } = args;
  const hp = paddedHidden(h);
  const ep = paddedEmbed(e);
  const g = 4 * hp;
  const u = plan.numKeys;
  if (plan.numActive === 0) {
    return {
      dRows: new Float32Array(u * e),
      dKernel: new Float32Array(e * 4 * h),
      dBias: new Float32Array(4 * h),
      dRecurrent: new Float32Array(h * 4 * h),
    };
  }
  if (saved.paddedEmbed !== ep) {
    throw new Error(
      "fused LSTM: projectedBackward needs the saved state of projectedForward",
    );
  }
  const { dP, dUk, x } = runBackward(args);
  const dRecurrent = takeRecurrentGrad(dUk, h, hp);
  // dX = dP · Wᵀ: W [Ep, G] → Wᵀ [G, Ep] → strips.
  const w = putInputKernel(args.kernel, e, ep, h, hp);
  const wT = arena.alloc(g * ep * 4);
  wasm.transpose(w, wT, ep, g);
  const wTStrips = arena.alloc(g * ep * 4);
  wasm.packStrips(wT, wTStrips, g, ep);
  const dX = arena.alloc(u * ep * 4);
  wasm.gemm(dP, wTStrips, dX, u, g, ep, 0);
  const dRows = new Float32Array(u * e);
  const dXs = arena.f32(dX, u * ep);
  const mask = args.rowsMask;
  for (let k = 0; k < u; k++) {
    const src = k * ep, dst = k * e;
    if (mask === null) {
      dRows.set(dXs.subarray(src, src + e), dst);
    } else {
      for (let j = 0; j < e; j++) dRows[dst + j] = dXs[src + j] * mask[dst + j];
    }
  }
  // dW = Xᵀ · dP over all keys, db = Σ dP.
  const dW = allocZeros(ep * g);
  wasm.gemmTN(x, dP, dW, ep, u, g);
  const outW = arena.alloc(e * 4 * h * 4);
  wasm.unpackGates(dW, outW, e, h, hp);
  const dKernel = arena.f32(outW, e * 4 * h).slice();
  const db = arena.alloc(g * 4);
  wasm.colSums(dP, db, u, g);
  const outB = arena.alloc(4 * h * 4);
  wasm.unpackGates(db, outB, 1, h, hp);
  const dBias = arena.f32(outB, 4 * h).slice();
  return { dRows, dKernel, dBias, dRecurrent };
}

/**
 * A · B (+ bias) with the module's `gemm` kernel, for tests and benchmarks:
 * `a` [m, k], `b` [k, n], `bias` [n] or null, any sizes (n is padded to 16
 * internally). Returns [m, n].
 */
export function gemmProbe(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  bias: Float32Array | null = null,
): Float32Array {
  checkProbe(a, m * k, "a");
  checkProbe(b, k * n, "b");
  begin();
  const np = Math.ceil(n / 16) * 16;
  const pa = putF32(a);
  const pb = putPadded(b, k, n, np);
  const strips = arena.alloc(k * np * 4);
  wasm.packStrips(pb, strips, k, np);
  let pBias = 0;
  if (bias !== null) {
    checkProbe(bias, n, "bias");
    pBias = allocZeros(np);
    arena.f32(pBias, n).set(bias);
  }
  const pc = arena.alloc(m * np * 4);
  wasm.gemm(pa, strips, pc, m, k, np, pBias);
  return takeUnpadded(pc, m, n, np);
}

/**
 * Aᵀ · B with the module's `gemmTN` kernel, for tests and benchmarks: `a`
 * [k, m], `b` [k, n], any sizes (m padded to even, n to 16 internally).
 * Returns [m, n].
 */
export function gemmTNProbe(
  a: Float32Array,
  b: Float32Array,
  k: number,
  m: number,
  n: number,
): Float32Array {
  checkProbe(a, k * m, "a");
  checkProbe(b, k * n, "b");
  begin();
  const mp = m + (m & 1);
  const np = Math.ceil(n / 16) * 16;
  const pa = putPadded(a, k, m, mp);
  const pb = putPadded(b, k, n, np);
  const pc = allocZeros(mp * np);
  wasm.gemmTN(pa, pb, pc, mp, k, np);
  return takeUnpadded(pc, m, n, np);
}

/** Column sums of `a` [m, n] with the module's `colSums` kernel (tests). */
export function colSumsProbe(
  a: Float32Array,
  m: number,
  n: number,
): Float32Array {
  checkProbe(a, m * n, "a");
  begin();
  const np = Math.ceil(n / 4) * 4;
  const pa = putPadded(a, m, n, np);
  const out = arena.alloc(np * 4);
  wasm.colSums(pa, out, m, np);
  return arena.f32(out, n).slice();
}

function checkProbe(a: Float32Array, n: number, name: string): void {
  if (a.length !== n) {
    throw new RangeError(
      `kernel probe: ${name} has ${a.length} values, expected ${n}`,
    );
  }
}

/**
 * Evaluates the kernels' vectorised e^x (0), sigmoid (1), tanh (2) or hard
 * sigmoid (3) on `x` (for accuracy tests).
 */
export function probeMath(x: Float32Array, which: 0 | 1 | 2 | 3): Float32Array {
  begin();
  const n = Math.ceil(x.length / 4) * 4;
  const src = arena.alloc(n * 4);
  arena.f32(src, n).fill(0);
  arena.f32(src, n).set(x);
  const dst = arena.alloc(n * 4);
  wasm.mathProbe(src, dst, n, which);
  return arena.f32(dst, x.length).slice();
}
