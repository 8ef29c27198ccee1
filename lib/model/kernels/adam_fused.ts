/**
 * A fused Adam update as a tfjs kernel for the `cpu` and `wasm` backends.
 *
 * Adam written with tfjs ops (`../adam.ts`, the portable path) runs 12 ops
 * per variable, each a full pass over 11.7 M embedding values with a fresh
 * output buffer. This kernel makes one pass over (parameter, m, v, gradient)
 * in the backend's own memory (the `Float32Array` the cpu backend stores, or
 * the tfjs-wasm heap at the tensor's offset): m and v are updated in place;
 * the parameter is updated in place on cpu, and written to a new tensor on
 * wasm (below).
 *
 * On wasm the pass is our WebAssembly SIMD module `adam_kernels.wasm`
 * (source `assembly/adam.ts`), instantiated on tfjs-wasm's own memory so it
 * reads and writes the tensors where they are; on cpu it is a JS loop. The
 * arithmetic is the op path's, operation for operation, each result rounded
 * to float32 (f32x4 ops in wasm, `Math.fround` in JS) as a float32 kernel
 * rounds it, so the paths agree to the bit on IEEE hardware (tested to 1e-6
 * relative).
 *
 * Why not in place on wasm: tfjs-wasm caches XNNPACK operators, with their
 * packed weights, per tensor id (for matMul's second operand, conv filters),
 * assuming a tensor never changes. A weight updated in place would keep
 * being multiplied in its old, cached form (seen here: the classifier's
 * dense layer trained on stale weights from the second step on). A new
 * tensor has a new id; the moments are read by this kernel only.
 *
 * Kernel `LabAdamUpdate`, inputs:
 * - `param`, `m`, `v`: float32, same shape. `m`, `v` (and `param` on cpu)
 *   are updated in place: their storage must not be shared with any other
 *   live tensor (see {@link ensureOwnStorage}), as the kernel cannot see
 *   who else reads it.
 * - dense form: `grad`, the same shape as `param`;
 * - row-sparse form: `rows` (int32 [R]) and `values` (float32 [R, width]),
 *   `param` being [rows, width]: the gradient is `values[k]` in row
 *   `rows[k]` and 0 elsewhere (repeated rows are summed, in order). Every
 *   row is still updated: rows without a gradient have their moments decayed
 *   and still move by m/(√v + ε), exactly as the dense update with a zero
 *   gradient row would.
 *
 * Attributes ({@link AdamKernelAttrs}): the hyper-parameters, the 1-based
 * step, and the formula (`"keras"` or `"torch"`, defined in `../adam.ts`).
 * Output: nothing on cpu; on wasm the new parameter (assign it to the
 * variable: {@link fusedAdamUpdate} does).
 *
 * Known limitation: on the cpu backend, `tf.tensor(array)` keeps `array` as
 * the tensor's storage without copying, so a variable assigned from a
 * caller's Float32Array shares it with the caller; an in-place update then
 * writes into that array. Assign variables from copies (`Adam.setState` and
 * `LstmClassifier.setWeights` do).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { WASM_BASE64 } from "./adam_kernels_wasm.ts";
import { storageViews } from "./storage.ts";

/** Name of the registered kernel. */
export const ADAM_KERNEL = "LabAdamUpdate";

/** Backends the kernel is registered for. */
export const FUSED_ADAM_BACKENDS: readonly string[] = ["cpu", "wasm"];

/** Attributes of one kernel call. */
export interface AdamKernelAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1-based step number t (bias corrections 1 − βᵗ). */
  step: number;
  formula: "keras" | "torch";
}

type Info = tf.TensorInfo;

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: "float32"): Info;
  wasm: {
    HEAPU8: Uint8Array;
    asm?: { memory?: WebAssembly.Memory };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  dataIdMap: { get(id: tf.DataId): { memoryOffset: number } };
}

/** Exports of adam_kernels.wasm (see assembly/adam.ts for the contracts). */
interface AdamModule {
  adamDense(
    p: number,
    out: number,
    m: number,
    v: number,
    g: number,
    n: number,
    b1: number,
    ob1: number,
    b2: number,
    ob2: number,
    eps: number,
    scale: number,
    root2: number,
    torch: number,
  ): void;
  adamDecay(
    p: number,
    out: number,
    m: number,
    v: number,
    n: number,
    b1: number,
    b2: number,
    eps: number,
    scale: number,
    root2: number,
    torch: number,
  ): void;
}

let compiled: WebAssembly.Module | null = null;
const instances = new WeakMap<WebAssembly.Memory, AdamModule>();

/** Our Adam module instantiated on `memory` (tfjs-wasm's), cached per memory. */
function adamModuleFor(memory: WebAssembly.Memory): AdamModule {
  let mod = instances.get(memory);
  if (mod === undefined) {
    if (compiled === null) {
      const raw = atob(WASM_BASE64);
      const bytes = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      compiled = new WebAssembly.Module(bytes);
    }
    const instance = new WebAssembly.Instance(compiled, { env: { memory } });
    mod = instance.exports as unknown as AdamModule;
    instances.set(memory, mod);
  }
  return mod;
}

function size(info: Info): number {
  return info.shape.reduce((a, b) => a * b, 1);
}

/** One storage view (see storage.ts). */
function storageView(
  backend: tf.KernelBackend,
  backendName: string,
  info: Info,
  dtype: "float32" | "int32",
): Float32Array | Int32Array {
  return storageViews(backend, backendName, [info], [dtype])[0];
}

/** Float32 constants of one step (each rounded as a float32 op sees it). */
interface Coefficients {
  b1: number;
  ob1: number;
  b2: number;
  ob2: number;
  eps: number;
  torch: boolean;
  /** keras: α = lr·√(1−β2ᵗ)/(1−β1ᵗ). torch: lr/(1−β1ᵗ). */
  scale: number;
  /** torch: √(1−β2ᵗ); keras: unused. */
  root2: number;
}

function coefficients(a: AdamKernelAttrs): Coefficients {
  const f = Math.fround;
  const c1 = 1 - Math.pow(a.beta1, a.step);
  const c2 = 1 - Math.pow(a.beta2, a.step);
  const torch = a.formula === "torch";
  return {
    b1: f(a.beta1),
    ob1: f(1 - a.beta1),
    b2: f(a.beta2),
    ob2: f(1 - a.beta2),
    eps: f(a.epsilon),
    torch,
    scale: f(torch ? a.learningRate / c1 : a.learningRate * Math.sqrt(c2) / c1),
    root2: f(Math.sqrt(c2)),
  };
}

/**
 * Adam on elements [start, end) of p, m, v with gradient g[gStart + i − start]
 * (`g === null`: a zero gradient). Each line mirrors one tfjs op of the op
 * path; `Math.fround` rounds every intermediate to float32 as it does.
 */
function updateRange(
  p: Float32Array,
  m: Float32Array,
  v: Float32Array,
  g: Float32Array | null,
  gStart: number,
  start: number,
  end: number,
  k: Coefficients,
): void {
  const f = Math.fround;
  const { b1, ob1, b2, ob2, eps, scale, root2 } = k;
  if (g === null) {
    // m·β1 + 0·(1−β1) = m·β1 and v·β2 + 0 = v·β2 exactly in float32.
    if (k.torch) {
      for (let i = start; i < end; i++) {
        const mi = f(m[i] * b1);
        const vi = f(v[i] * b2);
        m[i] = mi;
        v[i] = vi;
        const denom = f(f(f(Math.sqrt(vi)) / root2) + eps);
        p[i] = p[i] - f(f(mi / denom) * scale);
      }
    } else {
      for (let i = start; i < end; i++) {
        const mi = f(m[i] * b1);
        const vi = f(v[i] * b2);
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] - f(f(mi / f(f(Math.sqrt(vi)) + eps)) * scale);
      }
    }
    return;
  }
  const shift = gStart - start;
  if (k.torch) {
    for (let i = start; i < end; i++) {
      const gi = g[i + shift];
      const mi = f(f(m[i] * b1) + f(gi * ob1));
      const vi = f(f(v[i] * b2) + f(f(gi * gi) * ob2));
      m[i] = mi;
      v[i] = vi;
      const denom = f(f(f(Math.sqrt(vi)) / root2) + eps);
      p[i] = p[i] - f(f(mi / denom) * scale);
    }
  } else {
    for (let i = start; i < end; i++) {
      const gi = g[i + shift];
      const mi = f(f(m[i] * b1) + f(gi * ob1));
      const vi = f(f(v[i] * b2) + f(f(gi * gi) * ob2));
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] - f(f(mi / f(f(Math.sqrt(vi)) + eps)) * scale);
    }
  }
}

/**
 * Where each parameter row finds its gradient: `slot[row]` is the index of
 * its gradient row (in `summed` when repeated rows had to be summed, else in
 * the kernel's `values`), or −1 for a row without one. `values()` is called
 * only when a row repeats; sums are float32 adds in input order, as a
 * scatter-add computes them.
 */
function rowSlots(
  rows: Int32Array,
  n: number,
  width: number,
  values: () => Float32Array,
): { slot: Int32Array; summed: Float32Array | null } {
  const slot = new Int32Array(n).fill(-1);
  let repeated = false;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (!(row >= 0 && row < n)) {
      throw new RangeError(
        `${ADAM_KERNEL}: gradient row ${r} points at row ${row}, outside ` +
          `the parameter's rows [0, ${n})`,
      );
    }
    if (slot[row] >= 0) repeated = true;
    else slot[row] = r;
  }
  if (!repeated) return { slot, summed: null };
  // Compact: one summed gradient row per distinct parameter row.
  const src = values();
  slot.fill(-1);
  let unique = 0;
  for (let r = 0; r < rows.length; r++) {
    if (slot[rows[r]] < 0) slot[rows[r]] = unique++;
  }
  const summed = new Float32Array(unique * width);
  const seen = new Uint8Array(unique);
  for (let r = 0; r < rows.length; r++) {
    const s = slot[rows[r]];
    const dst = s * width, from = r * width;
    if (seen[s] === 0) {
      seen[s] = 1;
      summed.set(src.subarray(from, from + width), dst);
    } else {
      for (let j = 0; j < width; j++) {
        summed[dst + j] = summed[dst + j] + src[from + j];
      }
    }
  }
  return { slot, summed };
}

/** Checks a row-sparse gradient's inputs against the parameter [n, width]. */
function sparseInputs(
  inputs: tf.NamedTensorInfoMap,
  param: Info,
  readRows: (t: Info) => Int32Array,
): { rows: Int32Array; width: number } {
  const rowsInfo = inputs.rows as Info | undefined;
  const valuesInfo = inputs.values as Info | undefined;
  if (rowsInfo == null || valuesInfo == null) {
    throw new TypeError(
      `${ADAM_KERNEL}: pass either "grad" or both "rows" and "values"`,
    );
  }
  const width = param.shape[param.shape.length - 1];
  const r = size(rowsInfo);
  if (
    param.shape.length !== 2 || valuesInfo.shape.length !== 2 ||
    valuesInfo.shape[0] !== r || valuesInfo.shape[1] !== width
  ) {
    throw new RangeError(
      `${ADAM_KERNEL}: a row-sparse gradient needs a 2-D parameter and ` +
        `values of shape [${r}, ${width}]: parameter [${param.shape}], ` +
        `values [${valuesInfo.shape}]`,
    );
  }
  return { rows: readRows(rowsInfo), width };
}

function checkSameShape(name: string, a: Info, b: Info): void {
  if (
    a.shape.length !== b.shape.length ||
    a.shape.some((d, i) => d !== b.shape[i])
  ) {
    throw new RangeError(
      `${ADAM_KERNEL}: ${name} must have the parameter's shape ` +
        `[${a.shape}]: current shape is [${b.shape}]`,
    );
  }
}

/** Byte offset of a tensor in the tfjs-wasm heap (moving it there if needed). */
function offsetOf(b: WasmBackendLike, info: Info): number {
  if (info.dtype !== "float32") {
    throw new TypeError(
      `${ADAM_KERNEL}: expected a float32 tensor, got ${info.dtype}`,
    );
  }
  return b.dataIdMap.get(info.dataId).memoryOffset;
}

/**
 * The wasm backend's kernel: our SIMD module on tfjs-wasm's heap. For a
 * row-sparse gradient, rows run in order: runs of rows without a gradient
 * take one `adamDecay` call, each row with one an `adamDense` call reading
 * its (summed) gradient row.
 */
function wasmKernelFunc(
  { inputs, attrs, backend }: Parameters<tf.KernelFunc>[0],
): Info[] {
  const b = backend as unknown as WasmBackendLike;
  const memory = b.wasm.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new Error(
      `${ADAM_KERNEL}: the wasm backend does not expose its memory ` +
        `(Module.asm.memory); this tfjs-backend-wasm build is not supported`,
    );
  }
  const param = inputs.param as Info;
  const m = inputs.m as Info;
  const v = inputs.v as Info;
  checkSameShape("m", param, m);
  checkSameShape("v", param, v);
  const k = coefficients(attrs as unknown as AdamKernelAttrs);
  const mod = adamModuleFor(memory);
  const torch = k.torch ? 1 : 0;
  // Adam with a gradient on `count` floats at byte offsets p, o, m, v, g.
  const dense = (
    p: number,
    o: number,
    mo: number,
    vo: number,
    g: number,
    count: number,
  ) =>
    mod.adamDense(
      p,
      o,
      mo,
      vo,
      g,
      count,
      k.b1,
      k.ob1,
      k.b2,
      k.ob2,
      k.eps,
      k.scale,
      k.root2,
      torch,
    );
  // The new parameter goes to a fresh tensor (see the module doc).
  const out = b.makeOutput([...param.shape], "float32");
  if (inputs.grad != null) {
    const grad = inputs.grad as Info;
    checkSameShape("grad", param, grad);
    dense(
      offsetOf(b, param),
      offsetOf(b, out),
      offsetOf(b, m),
      offsetOf(b, v),
      offsetOf(b, grad),
      size(param),
    );
    return [out];
  }
  const { rows, width } = sparseInputs(
    inputs,
    param,
    (t) =>
      (storageView(
        backend as tf.KernelBackend,
        "wasm",
        t,
        "int32",
      ) as Int32Array)
        .slice(),
  );
  const n = param.shape[0];
  const { slot, summed } = rowSlots(rows, n, width, () =>
    storageView(
      backend as tf.KernelBackend,
      "wasm",
      inputs.values as Info,
      "float32",
    ) as Float32Array);
  // Summed duplicates go to a scratch block on the heap (freed below).
  let scratch = 0;
  if (summed !== null) {
    scratch = b.wasm._malloc(summed.byteLength) >>> 0;
    new Float32Array(b.wasm.HEAPU8.buffer, scratch, summed.length).set(summed);
  }
  try {
    // Offsets are read after the malloc (which may have moved nothing, but
    // may have grown the memory).
    const p0 = offsetOf(b, param), m0 = offsetOf(b, m), v0 = offsetOf(b, v);
    const o0 = offsetOf(b, out);
    const g0 = summed !== null ? scratch : offsetOf(b, inputs.values as Info);
    const rowBytes = width * 4;
    let run = 0; // first row of the current run without a gradient
    for (let row = 0; row <= n; row++) {
      const s = row < n ? slot[row] : 0;
      if (s < 0) continue;
      if (run < row) {
        const o = run * rowBytes;
        mod.adamDecay(
          p0 + o,
          o0 + o,
          m0 + o,
          v0 + o,
          (row - run) * width,
          k.b1,
          k.b2,
          k.eps,
          k.scale,
          k.root2,
          torch,
        );
      }
      run = row + 1;
      if (row === n) break;
      const o = row * rowBytes;
      dense(p0 + o, o0 + o, m0 + o, v0 + o, g0 + s * rowBytes, width);
    }
  } finally {
    if (scratch !== 0) b.wasm._free(scratch);
  }
  return [out];
}

function makeKernelFunc(backendName: string): tf.KernelFunc {
  if (backendName === "wasm") return wasmKernelFunc;
  return ({ inputs, attrs, backend }) => {
    const kb = backend as tf.KernelBackend;
    const param = inputs.param as Info;
    const m = inputs.m as Info;
    const v = inputs.v as Info;
    checkSameShape("m", param, m);
    checkSameShape("v", param, v);
    const k = coefficients(attrs as unknown as AdamKernelAttrs);
    const view = (t: Info) =>
      storageView(kb, backendName, t, "float32") as Float32Array;
    if (inputs.grad != null) {
      const grad = inputs.grad as Info;
      checkSameShape("grad", param, grad);
      const g = view(grad);
      const pv = view(param), mv = view(m), vv = view(v);
      updateRange(pv, mv, vv, g, 0, 0, pv.length, k);
      return [];
    }
    const { rows, width } = sparseInputs(
      inputs,
      param,
      (t) => storageView(kb, backendName, t, "int32") as Int32Array,
    );
    const values = view(inputs.values as Info);
    const { slot, summed } = rowSlots(
      rows,
      param.shape[0],
      width,
      () => values,
    );
    const grads = summed ?? values;
    const pv = view(param), mv = view(m), vv = view(v);
    for (let row = 0; row < param.shape[0]; row++) {
      const sl = slot[row];
      const start = row * width;
      const g = sl < 0 ? null : grads;
      updateRange(pv, mv, vv, g, sl * width, start, start + width, k);
    }
    return [];
  };
}

/**
 * Registers `LabAdamUpdate` for the `cpu` and `wasm` backends. Idempotent.
 * Registering does not load or initialise either backend.
 */
export function registerFusedAdam(): void {
  for (const backendName of FUSED_ADAM_BACKENDS) {
    if (tf.getKernel(ADAM_KERNEL, backendName) != null) continue;
    tf.registerKernel({
      kernelName: ADAM_KERNEL,
      backendName,
      kernelFunc: makeKernelFunc(backendName),
    });
  }
}

/** Whether the fused kernel exists for `backendName` (default: the active one). */
export function fusedAdamAvailable(
  backendName: string = tf.getBackend(),
): boolean {
  return tf.getKernel(ADAM_KERNEL, backendName) != null;
}

/**
 * Makes sure no other live tensor shares `variable`'s storage, so an
 * in-place update changes the variable alone: when the backend counts more
 * than one reference to its data (a tensor it was created from and that was
 * never disposed, a reshape of it, a clone kept for a gradient, ...), the
 * variable is re-pointed at a fresh copy. Returns whether it copied.
 */
export function ensureOwnStorage(variable: tf.Variable): boolean {
  const backend = tf.engine().backend as unknown as {
    refCount?: (id: tf.DataId) => number;
  };
  if (typeof backend.refCount !== "function") return false;
  if (backend.refCount(variable.dataId) <= 1) return false;
  const copy = tf.tensor(
    (variable.dataSync() as Float32Array).slice(),
    variable.shape,
    variable.dtype,
  );
  variable.assign(copy);
  copy.dispose();
  return true;
}

/**
 * Runs one fused update of `param`, `m` and `v` on the active backend (cpu
 * or wasm; check {@link fusedAdamAvailable} first): m and v in place, the
 * parameter in place (cpu) or re-assigned to the kernel's new tensor (wasm).
 * `grad` is either a dense tensor of `param`'s shape or a row-sparse
 * `{ rows, values }` (see the module doc). Call {@link ensureOwnStorage} on
 * the three variables first.
 */
export function fusedAdamUpdate(
  param: tf.Variable,
  m: tf.Variable,
  v: tf.Variable,
  grad: tf.Tensor | { rows: tf.Tensor1D; values: tf.Tensor2D },
  attrs: AdamKernelAttrs,
): void {
  const inputs: tf.NamedTensorMap = grad instanceof tf.Tensor
    ? { param, m, v, grad }
    : { param, m, v, rows: grad.rows, values: grad.values };
  const out = tf.engine().runKernel(
    ADAM_KERNEL,
    inputs as unknown as tf.NamedTensorMap,
    attrs as unknown as tf.NamedAttrMap,
  ) as tf.Tensor | tf.Tensor[];
  const fresh = Array.isArray(out) ? out[0] : out;
  if (fresh != null) {
    param.assign(fresh);
    fresh.dispose();
  }
}
