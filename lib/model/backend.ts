/**
 * Choosing, loading and recording the tfjs compute backend.
 *
 * {@link initBackend} turns the config's {@link BackendName} into a running
 * tfjs backend, registers our two kernel fixes (the scatter-based gather
 * gradient everywhere, the materialised-transpose matmul on wasm), and
 * returns what ran and why, as one record that fits `BackendRecord` in
 * `lib/train/record.ts`. It prints nothing: a failure to load a backend comes
 * back as one line in `fallback`.
 *
 * The native TensorFlow backend (`@tensorflow/tfjs-node`, or `-node-gpu` for
 * CUDA) is used when it is installed; it cannot be installed on a machine
 * without internet, because its npm install script downloads libtensorflow.
 * With internet, from the repository root:
 *
 * ```sh
 * deno add npm:@tensorflow/tfjs-node@4.22.0        # or tfjs-node-gpu@4.22.0
 * deno install --allow-scripts=npm:@tensorflow/tfjs-node@4.22.0
 * ```
 *
 * (The GPU build needs CUDA 11.2 and cuDNN 8.1 libraries on the library
 * path.) The version must match tfjs-core's (4.22.0) so both share one tfjs
 * engine. Presence is detected from the files under `node_modules`, so
 * nothing is resolved or downloaded at run time when it is absent.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs' standard gradients (tfjs-core's Node bundle registers none; see
// gradients.ts). A static import, so it runs before registerGatherGrad()
// below replaces GatherV2's entry.
import "./gradients.ts";
import {
  getThreadsCount,
  setWasmPaths,
  version_wasm,
} from "@tensorflow/tfjs-backend-wasm";
import { BACKEND_NAMES, type BackendName } from "../config.ts";
import { REPO_ROOT } from "../data/paths.ts";
import { registerGatherGrad } from "./kernels/gather_grad.ts";
import { registerWasmMatMulFix } from "./kernels/wasm_matmul.ts";

/**
 * What {@link initBackend} returns: the same fields as `BackendRecord` in
 * `lib/train/record.ts` (declared here so this layer does not import from
 * lib/train).
 */
export interface BackendInfo {
  /** What the config asked for. */
  requested: string;
  /** The tfjs backend now active: "tensorflow", "webgpu", "wasm" or "cpu". */
  name: string;
  /** Versions, adapter, SIMD/threads. */
  detail: string;
  /** One line, when what runs is not what was asked for (or a load failed). */
  fallback?: string;
}

/** Options of {@link initBackend} (for tests; the defaults fit normal use). */
export interface InitBackendOptions {
  /**
   * Folder whose `node_modules` is searched for tfjs-node(-gpu).
   * @default the repository root
   */
  nativeSearchRoot?: string;
}

/** Native TensorFlow packages, GPU build first. */
const NATIVE_PACKAGES = [
  "@tensorflow/tfjs-node-gpu",
  "@tensorflow/tfjs-node",
] as const;

/** What was found of one native package under node_modules. */
export interface NativeProbe {
  pkg: (typeof NATIVE_PACKAGES)[number];
  /** Package folder. */
  dir: string;
  /** Version from its package.json. */
  version: string;
  /** Path of its native binding, or null when it is missing. */
  binding: string | null;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function findFile(dir: string, name: string, depth: number): string | null {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return null;
  }
  for (const e of entries) {
    if (e.isFile && e.name === name) return `${dir}/${name}`;
  }
  if (depth === 0) return null;
  for (const e of entries) {
    if (e.isDirectory) {
      const hit = findFile(`${dir}/${e.name}`, name, depth - 1);
      if (hit) return hit;
    }
  }
  return null;
}

/**
 * Looks for installed native TensorFlow packages under `root/node_modules`
 * (files only: nothing is imported or downloaded). GPU build first.
 */
export function probeNativeTensorflow(root: string = REPO_ROOT): NativeProbe[] {
  const found: NativeProbe[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    const dir = `${root}/node_modules/${pkg}`;
    let version = "";
    try {
      version =
        JSON.parse(Deno.readTextFileSync(`${dir}/package.json`)).version;
    } catch {
      continue;
    }
    found.push({
      pkg,
      dir,
      version,
      binding: findFile(`${dir}/lib`, "tfjs_binding.node", 2),
    });
  }
  return found;
}

/** Result of trying one backend: the detail line, or why it did not start. */
type Attempt = { ok: true; detail: string } | { ok: false; reason: string };

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split("\n")[0].trim();
}

async function activate(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function tryTensorflow(root: string, needGpu: boolean): Promise<Attempt> {
  const probes = probeNativeTensorflow(root).filter((p) =>
    !needGpu || p.pkg === "@tensorflow/tfjs-node-gpu"
  );
  if (probes.length === 0) {
    return {
      ok: false,
      reason: `tensorflow: ${
        needGpu
          ? "@tensorflow/tfjs-node-gpu is"
          : "@tensorflow/tfjs-node(-gpu) is"
      } not installed under ${root}/node_modules`,
    };
  }
  const reasons: string[] = [];
  for (const p of probes) {
    if (p.binding === null) {
      reasons.push(
        `${p.pkg} ${p.version} is installed but its native binding ` +
          `(lib/napi-v*/tfjs_binding.node) is missing: its install script, ` +
          `which downloads libtensorflow, did not run or failed`,
      );
      continue;
    }
    try {
      const specifier = `npm:${p.pkg}@${p.version}`;
      await import(specifier);
    } catch (e) {
      reasons.push(`${p.pkg} ${p.version} failed to load: ${firstLine(e)}`);
      continue;
    }
    if (!(await activate("tensorflow"))) {
      reasons.push(
        `${p.pkg} ${p.version} loaded but its backend did not start`,
      );
      continue;
    }
    const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
    const gpu = backend.isUsingGpuDevice === true;
    if (needGpu && !gpu) {
      reasons.push(`${p.pkg} ${p.version} found no CUDA device`);
      continue;
    }
    return {
      ok: true,
      detail: `tensorflow: ${p.pkg} ${p.version}, ${
        gpu ? "CUDA GPU in use" : "CPU"
      }; tfjs-core ${tf.version_core}`,
    };
  }
  return { ok: false, reason: `tensorflow: ${reasons.join("; ")}` };
}

/** Names by which software (CPU-emulated) WebGPU adapters identify. */
const SOFTWARE_ADAPTER =
  /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|\bwarp\b/i;

/** What navigator.gpu offers here (nothing is initialised). */
export interface WebGpuProbe {
  available: boolean;
  /** Adapter description (or why there is none). */
  description: string;
  /** A fallback/software adapter (llvmpipe, SwiftShader, ...). */
  software: boolean;
}

/** Asks the runtime for a WebGPU adapter and classifies it. */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (navigator as unknown as {
    gpu?: { requestAdapter(o?: unknown): Promise<GpuAdapterLike | null> };
  }).gpu;
  if (gpu === undefined) {
    return {
      available: false,
      description: "navigator.gpu is not available in this runtime",
      software: false,
    };
  }
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (e) {
    return { available: false, description: firstLine(e), software: false };
  }
  if (adapter === null) {
    return {
      available: false,
      description: "no WebGPU adapter",
      software: false,
    };
  }
  const info = adapter.info ?? {};
  const description = [info.description, info.vendor, info.architecture]
    .filter((s) => s !== undefined && s !== "").join(", ") || "unnamed adapter";
  const software = info.isFallbackAdapter === true ||
    adapter.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(description);
  return { available: true, description, software };
}

interface GpuAdapterLike {
  info?: {
    vendor?: string;
    architecture?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  isFallbackAdapter?: boolean;
}

async function tryWebGpu(requireHardware: boolean): Promise<Attempt> {
  const probe = await probeWebGpu();
  if (!probe.available) {
    return { ok: false, reason: `webgpu: ${probe.description}` };
  }
  if (requireHardware && probe.software) {
    return {
      ok: false,
      reason: `webgpu: only a software adapter (${probe.description})`,
    };
  }
  try {
    await import("@tensorflow/tfjs-backend-webgpu");
  } catch (e) {
    return {
      ok: false,
      reason: `webgpu: backend failed to load: ${firstLine(e)}`,
    };
  }
  if (!(await activate("webgpu"))) {
    return {
      ok: false,
      reason: `webgpu: backend did not start on ${probe.description}`,
    };
  }
  return {
    ok: true,
    detail: `webgpu: adapter "${probe.description}" (${
      probe.software ? "software" : "hardware"
    }); tfjs-core ${tf.version_core}`,
  };
}

/**
 * Folder of tfjs-backend-wasm's .wasm binaries: `node_modules` of the
 * repository (deno.json's `"nodeModulesDir": "auto"` puts them there).
 */
export function wasmBinaryDir(root: string = REPO_ROOT): string {
  return `${root}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`;
}

async function tryWasm(): Promise<Attempt> {
  const dir = wasmBinaryDir();
  if (!exists(`${dir}tfjs-backend-wasm-simd.wasm`)) {
    return {
      ok: false,
      reason: `wasm: tfjs-backend-wasm's binaries are not under ${dir}`,
    };
  }
  // Takes effect only before the wasm backend's first initialisation.
  setWasmPaths(dir);
  registerWasmMatMulFix();
  if (!(await activate("wasm"))) {
    return {
      ok: false,
      reason: `wasm: backend did not start (binaries in ${dir})`,
    };
  }
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT");
  return {
    ok: true,
    detail: `wasm: tfjs-backend-wasm ${version_wasm}, SIMD ${
      simd ? "on" : "off"
    }, threads ${
      threads ? `on (${getThreadsCount()})` : "off"
    }; tfjs-core ${tf.version_core}`,
  };
}

async function tryCpu(): Promise<Attempt> {
  if (!(await activate("cpu"))) {
    return { ok: false, reason: "cpu: backend did not start" };
  }
  // tfjs-backend-cpu prints a "you are running in Node.js" banner on its
  // first use when it thinks it runs in Node (Deno looks like Node to it);
  // the library stays quiet, so mark that first use as done.
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  if ("firstUse" in backend) backend.firstUse = false;
  return {
    ok: true,
    detail: `cpu: plain JS kernels; tfjs-core ${tf.version_core}`,
  };
}

/**
 * Starts the tfjs backend the config asks for and returns what ran.
 *
 * - `"auto"`: the native TensorFlow backend when installed and loadable,
 *   else `wasm` (SIMD; the fastest that works on a plain CPU here: see
 *   shared/notes/platform.md), else `cpu`.
 * - `"gpu"`: TensorFlow with a CUDA device, else WebGPU on a hardware adapter
 *   (software adapters such as llvmpipe/SwiftShader/fallback adapters do not
 *   count), else `"auto"` with a fallback line.
 * - `"tensorflow"`, `"webgpu"`, `"wasm"`, `"cpu"`: that backend (webgpu also
 *   on a software adapter), else `"auto"` with a fallback line.
 *
 * Also makes tfjs' standard gradients available (`gradients.ts`), registers
 * the scatter-based `GatherV2` gradient (all backends) and, when wasm is
 * loaded, the materialised-transpose `BatchMatMul`.
 *
 * Known limitations: a module that first evaluates tfjs-layers after this
 * call re-registers tfjs' own GatherV2 gradient (call `initBackend` or
 * `registerGatherGrad()` again after such an import); when a backend's own
 * initialisation fails, tfjs itself logs a warning to the console before we
 * fall back (the adapter and file checks above avoid most such attempts).
 */
export async function initBackend(
  requested: BackendName,
  options: InitBackendOptions = {},
): Promise<BackendInfo> {
  if (!BACKEND_NAMES.includes(requested)) {
    throw new RangeError(
      `Backend must be one of ${BACKEND_NAMES.join(", ")}: current value is ${
        JSON.stringify(requested)
      }`,
    );
  }
  const root = options.nativeSearchRoot ?? REPO_ROOT;
  registerGatherGrad();
  const failures: string[] = [];
  const done = (
    name: string,
    attempt: { ok: true; detail: string },
  ): BackendInfo => {
    const info: BackendInfo = { requested, name, detail: attempt.detail };
    if (failures.length > 0) {
      info.fallback = `${failures.join("; ")}; running ${name} instead`;
    }
    return info;
  };

  const explicit: Record<string, () => Promise<Attempt>> = {
    tensorflow: () => tryTensorflow(root, false),
    webgpu: () => tryWebGpu(false),
    wasm: () => tryWasm(),
    cpu: () => tryCpu(),
  };
  if (requested in explicit) {
    const a = await explicit[requested]();
    if (a.ok) return done(requested, a);
    failures.push(a.reason);
  } else if (requested === "gpu") {
    const cuda = await tryTensorflow(root, true);
    if (cuda.ok) return done("tensorflow", cuda);
    const web = await tryWebGpu(true);
    if (web.ok) return done("webgpu", web);
    failures.push(
      `gpu: no CUDA (${cuda.reason}) and no hardware WebGPU (${web.reason})`,
    );
  }

  // auto
  const native = probeNativeTensorflow(root);
  if (native.length > 0 && requested !== "tensorflow") {
    const a = await tryTensorflow(root, false);
    if (a.ok) return done("tensorflow", a);
    failures.push(a.reason);
  }
  const noNative = native.length === 0
    ? "; native TensorFlow (tfjs-node) not installed"
    : "";
  if (requested !== "wasm") {
    const a = await tryWasm();
    if (a.ok) return done("wasm", { ok: true, detail: a.detail + noNative });
    failures.push(a.reason);
  }
  const a = await tryCpu();
  if (a.ok) return done("cpu", { ok: true, detail: a.detail + noNative });
  throw new Error(
    `No tfjs backend could start: ${[...failures, a.reason].join("; ")}`,
  );
}
