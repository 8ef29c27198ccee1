import assert from "node:assert/strict";
import {
  compileKernel,
  embedPath,
  KERNEL_MODULES,
  outputPath,
} from "./build.ts";
import { WASM_BASE64 } from "./adam_kernels_wasm.ts";

Deno.test("build: recompiling the AssemblyScript kernels gives the committed .wasm byte for byte", async () => {
  for (const module of KERNEL_MODULES) {
    const fresh = await compileKernel(module);
    const committed = await Deno.readFile(outputPath(module));
    assert.equal(
      fresh.length,
      committed.length,
      `${module.output} is stale: run \`deno task build:kernels\``,
    );
    assert.ok(
      fresh.every((byte, i) => byte === committed[i]),
      `${module.output} is stale: run \`deno task build:kernels\``,
    );
  }
});

/** f32x4.relaxed_madd is opcode 0xFD 0x105 (LEB128: FD 85 02). */
function hasRelaxedMadd(bytes: Uint8Array): boolean {
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02) {
      return true;
    }
  }
  return false;
}

/** Section ids of a WebAssembly binary, in order. */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let i = 8; // magic + version
  while (i < bytes.length) {
    ids.push(bytes[i++]);
    let size = 0, shift = 0, b = 0;
    do {
      b = bytes[i++];
      size |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    i += size;
  }
  return ids;
}

Deno.test("build: the LSTM kernel module needs no imports and uses relaxed SIMD", async () => {
  const bytes = await Deno.readFile(outputPath(KERNEL_MODULES[0]));
  const module = new WebAssembly.Module(bytes);
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  const exports = WebAssembly.Module.exports(module).map((e) => e.name).sort();
  assert.deepEqual(exports, [
    "backward",
    "colSums",
    "forward",
    "gemm",
    "gemmTN",
    "heapBase",
    "mathProbe",
    "memory",
    "packGates",
    "packStrips",
    "transpose",
    "unpackGates",
  ]);
  assert.ok(hasRelaxedMadd(bytes), "no f32x4.relaxed_madd in the module");
});

Deno.test("build: the Adam module imports only its memory and owns nothing in it", async () => {
  const module = KERNEL_MODULES.find((m) => m.output === "adam_kernels.wasm")!;
  const bytes = await Deno.readFile(outputPath(module));
  const compiled = new WebAssembly.Module(bytes);
  assert.deepEqual(WebAssembly.Module.imports(compiled), [
    { module: "env", name: "memory", kind: "memory" },
  ]);
  assert.deepEqual(
    WebAssembly.Module.exports(compiled).map((e) => e.name).sort(),
    ["adamDecay", "adamDense"],
  );
  // No data (11), data count (12), start (8) or global (6) section: it
  // writes nothing into tfjs' heap except through its arguments.
  const ids = sectionIds(bytes);
  for (const forbidden of [6, 8, 11, 12]) {
    assert.ok(!ids.includes(forbidden), `section ${forbidden} in ${ids}`);
  }
  // Exact float32 arithmetic: no fused multiply-add.
  assert.ok(!hasRelaxedMadd(bytes), "relaxed_madd in the Adam module");
  // The embedded copy is the same binary.
  assert.equal(embedPath(module)?.endsWith("adam_kernels_wasm.ts"), true);
  const raw = atob(WASM_BASE64);
  assert.deepEqual(Uint8Array.from(raw, (c) => c.charCodeAt(0)), bytes);
});
