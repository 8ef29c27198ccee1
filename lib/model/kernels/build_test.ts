import assert from "node:assert/strict";
import { compileKernel, KERNEL_MODULES, outputPath } from "./build.ts";

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

Deno.test("build: the kernel module needs no imports and uses relaxed SIMD", async () => {
  const bytes = await Deno.readFile(outputPath(KERNEL_MODULES[0]));
  const module = new WebAssembly.Module(bytes);
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  const exports = WebAssembly.Module.exports(module).map((e) => e.name).sort();
  assert.deepEqual(exports, [
    "backward",
    "forward",
    "heapBase",
    "mathProbe",
    "memory",
    "packGates",
    "transpose",
    "unpackGates",
  ]);
  // f32x4.relaxed_madd is opcode 0xFD 0x105 (LEB128: FD 85 02).
  let found = false;
  for (let i = 0; i + 2 < bytes.length && !found; i++) {
    found = bytes[i] === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02;
  }
  assert.ok(found, "no f32x4.relaxed_madd in the module");
});
