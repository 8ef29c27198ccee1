import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
// Type-only, to check the record shape stays compatible (no runtime import).
import type { BackendRecord } from "../train/record.ts";
import {
  initBackend,
  probeNativeTensorflow,
  probeWebGpu,
  wasmBinaryDir,
} from "./backend.ts";
import { gatherGradRegistered } from "./kernels/gather_grad.ts";
import { wasmMatMulFixRegistered } from "./kernels/wasm_matmul.ts";

/** A folder with a node_modules holding only a fake tfjs-node package. */
function fakeNativeInstall(binding: boolean): string {
  const root = Deno.makeTempDirSync({ prefix: "tfjs-node-fake-" });
  const dir = `${root}/node_modules/@tensorflow/tfjs-node`;
  Deno.mkdirSync(`${dir}/lib/napi-v8`, { recursive: true });
  Deno.writeTextFileSync(
    `${dir}/package.json`,
    JSON.stringify({ version: "4.22.0" }),
  );
  if (binding) {
    Deno.writeTextFileSync(`${dir}/lib/napi-v8/tfjs_binding.node`, "");
  }
  return root;
}

Deno.test("initBackend('cpu') and ('wasm') start what was asked, with the fixes registered", async () => {
  const cpu: BackendRecord = await initBackend("cpu");
  assert.equal(cpu.name, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  assert.equal(cpu.fallback, undefined);
  assert.ok(gatherGradRegistered());
  const wasm = await initBackend("wasm");
  assert.equal(wasm.name, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  assert.match(wasm.detail, /tfjs-backend-wasm 4\.22\.0, SIMD on, threads off/);
  assert.ok(wasmMatMulFixRegistered());
});

Deno.test("initBackend('auto') picks wasm here (no native TensorFlow installed) and says so", async () => {
  assert.equal(
    probeNativeTensorflow().length,
    0,
    "this test assumes no tfjs-node",
  );
  const info = await initBackend("auto");
  assert.equal(info.requested, "auto");
  assert.equal(info.name, "wasm");
  assert.equal(info.fallback, undefined);
  assert.match(info.detail, /native TensorFlow \(tfjs-node\) not installed/);
});

Deno.test("initBackend('tensorflow') falls back with one line when tfjs-node is absent", async () => {
  const info = await initBackend("tensorflow");
  assert.equal(info.name, "wasm");
  assert.match(
    info.fallback!,
    /^tensorflow: @tensorflow\/tfjs-node\(-gpu\) is not installed under .*node_modules; running wasm instead$/,
  );
  assert.ok(!info.fallback!.includes("\n"));
});

Deno.test("initBackend() reports an installed tfjs-node without its native binding, without importing it", async () => {
  const root = fakeNativeInstall(false);
  try {
    const probe = probeNativeTensorflow(root);
    assert.equal(probe.length, 1);
    assert.equal(probe[0].pkg, "@tensorflow/tfjs-node");
    assert.equal(probe[0].version, "4.22.0");
    assert.equal(probe[0].binding, null);
    for (const requested of ["tensorflow", "auto"] as const) {
      const info = await initBackend(requested, { nativeSearchRoot: root });
      assert.equal(info.name, "wasm");
      assert.match(
        info.fallback!,
        /tensorflow: @tensorflow\/tfjs-node 4\.22\.0 is installed but its native binding \(lib\/napi-v\*\/tfjs_binding\.node\) is missing: its install script, which downloads libtensorflow, did not run or failed; running wasm instead/,
      );
    }
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("probeNativeTensorflow() finds the binding file when it is there", () => {
  const root = fakeNativeInstall(true);
  try {
    const [probe] = probeNativeTensorflow(root);
    assert.equal(probe.binding, `${probe.dir}/lib/napi-v8/tfjs_binding.node`);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("initBackend('gpu') does not count a software WebGPU adapter as a GPU", async () => {
  const web = await probeWebGpu();
  const info = await initBackend("gpu");
  if (web.available && !web.software) {
    assert.equal(info.name, "webgpu");
    return;
  }
  assert.equal(info.name, "wasm");
  assert.match(
    info.fallback!,
    /^gpu: no CUDA \(tensorflow: @tensorflow\/tfjs-node-gpu is not installed/,
  );
  if (web.available) {
    assert.match(info.fallback!, /webgpu: only a software adapter/);
  }
  assert.match(info.fallback!, /running wasm instead$/);
});

Deno.test({
  name: "initBackend('webgpu') starts on the software adapter and names it",
  ignore: !(await probeWebGpu()).available,
  fn: async () => {
    const info = await initBackend("webgpu");
    assert.equal(info.name, "webgpu");
    assert.match(info.detail, /^webgpu: adapter ".+" \((software|hardware)\)/);
    await initBackend("cpu");
  },
});

Deno.test("initBackend() rejects an unknown name", async () => {
  await assert.rejects(
    () => initBackend("cuda" as "gpu"),
    /Backend must be one of auto, tensorflow, webgpu, wasm, cpu, gpu: current value is "cuda"/,
  );
});

Deno.test("wasmBinaryDir() holds tfjs-backend-wasm's SIMD binary", () => {
  Deno.statSync(`${wasmBinaryDir()}tfjs-backend-wasm-simd.wasm`);
});
