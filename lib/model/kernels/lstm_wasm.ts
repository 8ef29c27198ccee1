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
 * Memory is 32-bit: one call can use at most 4 GiB, about 1.5 KiB per packed
 * token at H = 64 during training (≈ 2.7 M tokens).
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
    | { gates: Float32Array; hPrev: Float32Array; cPrev: Float32Array }
    | null;
  /** Set when the backward has run (it overwrites the saved gates). */
  consumed: boolean;
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
}

/** The training forward whose activations are still in memory, if any. */
let resident: Resident | null = null;

/** Copies the resident activations out to JS arrays and frees the memory. */
function spill(): void {
  if (resident === null) return;
  const { saved, gates, hs, cs } = resident;
  const n = saved.numTokens, hp = saved.paddedHidden;
  saved.spilled = {
    gates: arena.f32(gates, n * 4 * hp).slice(),
    hPrev: arena.f32(hs, n * hp).slice(),
    cPrev: arena.f32(cs, n * hp).slice(),
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
  }
}

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

/** Recurrent kernel [H, 4H] → interleaved, padded [Hp, 4Hp] in memory. */
function putRecurrent(recurrent: Float32Array, h: number, hp: number): number {
  const raw = putF32(recurrent);
  const uk = arena.alloc(hp * 4 * hp * 4);
  arena.f32(uk, hp * 4 * hp).fill(0);
  wasm.packGates(raw, uk, h, h, hp);
  return uk;
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
  const g = 4 * hp;
  const n0 = plan.numActive;
  const nTok = plan.numTokens;
  if (args.proj.length !== plan.numKeys * 4 * h) {
    throw new RangeError(
      `fused LSTM: projection has ${args.proj.length} values, expected ` +
        `${plan.numKeys} keys × ${4 * h}`,
    );
  }
  if (n0 === 0) {
    return {
      hSorted: new Float32Array(0),
      saved: args.train
        ? { numTokens: 0, paddedHidden: hp, spilled: null, consumed: false }
        : null,
    };
  }
  begin();
  const bs = putI32(plan.batchSizes);
  const keys = putI32(plan.keys);
  const rawProj = putF32(args.proj);
  const proj = arena.alloc(plan.numKeys * g * 4);
  wasm.packGates(rawProj, proj, plan.numKeys, h, hp);
  const uk = putRecurrent(args.recurrent, h, hp);
  const stateRows = args.train ? nTok : 2 * n0;
  const hs = arena.alloc(stateRows * hp * 4);
  const cs = arena.alloc(stateRows * hp * 4);
  const gates = args.train ? arena.alloc(nTok * g * 4) : 0;
  const hFin = arena.alloc(n0 * hp * 4);
  wasm.forward(
    plan.steps,
    bs,
    keys,
    proj,
    uk,
    hp,
    args.hard ? 1 : 0,
    args.train ? 1 : 0,
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
  if (args.train) {
    saved = {
      numTokens: nTok,
      paddedHidden: hp,
      spilled: null,
      consumed: false,
    };
    resident = { saved, top: arena.top, bs, keys, gates, hs, cs };
  }
  return { hSorted, saved };
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
 * Backpropagation through time for a batch run by {@link fusedForward}.
 *
 * Returns dL/d(projection) summed per key, [numKeys, 4H] in tfjs gate layout,
 * and dL/d(recurrent kernel), [H, 4H].
 */
export function fusedBackward(
  args: FusedBackwardArgs,
): { dProj: Float32Array; dRecurrent: Float32Array } {
  const { plan, saved, hidden: h } = args;
  const hp = paddedHidden(h);
  const g = 4 * hp;
  const n0 = plan.numActive;
  const nTok = plan.numTokens;
  const dProj = new Float32Array(plan.numKeys * 4 * h);
  const dRecurrent = new Float32Array(h * 4 * h);
  if (n0 === 0) return { dProj, dRecurrent };
  if (saved.consumed) {
    throw new Error("fused LSTM: the backward of this forward has already run");
  }
  if (saved.numTokens !== nTok || saved.paddedHidden !== hp) {
    throw new Error(
      "fused LSTM: saved activations do not belong to this batch",
    );
  }
  let bs: number, keys: number, gates: number, hs: number, cs: number;
  if (resident !== null && resident.saved === saved) {
    ({ bs, keys, gates, hs, cs } = resident);
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
  const dP = arena.alloc(plan.numKeys * g * 4);
  arena.f32(dP, plan.numKeys * g).fill(0);
  const dUk = arena.alloc(hp * g * 4);
  arena.f32(dUk, hp * g).fill(0);
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
  const outP = arena.alloc(plan.numKeys * 4 * h * 4);
  wasm.unpackGates(dP, outP, plan.numKeys, h, hp);
  dProj.set(arena.f32(outP, plan.numKeys * 4 * h));
  const outU = arena.alloc(h * 4 * h * 4);
  wasm.unpackGates(dUk, outU, h, h, hp);
  dRecurrent.set(arena.f32(outU, h * 4 * h));
  return { dProj, dRecurrent };
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
