/**
 * Builds our WebAssembly kernels from their AssemblyScript sources.
 *
 * `deno task build:kernels` compiles `assembly/lstm.ts` into
 * `lstm_kernels.wasm` beside this file. The binary is committed (so nothing
 * compiles at run time) and `build_test.ts` checks that rebuilding gives the
 * same bytes, so the committed file cannot drift from its source. The
 * compiler is pinned through the import map (`assemblyscript/asc`, which
 * brings its own pinned binaryen), so the output is reproducible.
 *
 * @module
 */

import asc from "assemblyscript/asc";

/** Directory of this file, as a path. */
const KERNEL_DIR = decodeURIComponent(new URL(".", import.meta.url).pathname);

/** One kernel module: its source (relative to this folder) and its output. */
export interface KernelModule {
  source: string;
  output: string;
}

/** The modules this script builds. */
export const KERNEL_MODULES: readonly KernelModule[] = [
  { source: "assembly/lstm.ts", output: "lstm_kernels.wasm" },
];

/**
 * Compiler flags: optimise for speed, no garbage-collected runtime (the
 * kernels never allocate), no assertions, no `abort` import (so the module
 * has no imports at all), 128-bit SIMD and relaxed SIMD (fused multiply-add)
 * on.
 */
export const ASC_FLAGS: readonly string[] = [
  "-O3",
  "--runtime",
  "stub",
  "--noAssert",
  "--enable",
  "simd,relaxed-simd",
  "--use",
  "abort=",
];

/**
 * Compiles one module and returns the binary (nothing is written). Throws
 * with the compiler's diagnostics if compilation fails.
 */
export async function compileKernel(module: KernelModule): Promise<Uint8Array> {
  let binary: Uint8Array | null = null;
  const result = await asc.main(
    [
      module.source,
      "--baseDir",
      KERNEL_DIR,
      "--outFile",
      module.output,
      ...ASC_FLAGS,
    ],
    {
      writeFile: (name: string, contents: Uint8Array | string) => {
        if (name === module.output && typeof contents !== "string") {
          binary = contents;
        }
      },
    },
  );
  if (result.error || binary === null) {
    throw new Error(
      `AssemblyScript failed to compile ${module.source}: ${
        result.error?.message ?? "no binary produced"
      }\n${result.stderr.toString()}`,
    );
  }
  return binary;
}

/** Path of a module's committed binary. */
export function outputPath(module: KernelModule): string {
  return `${KERNEL_DIR}${module.output}`;
}

if (import.meta.main) {
  for (const module of KERNEL_MODULES) {
    const binary = await compileKernel(module);
    await Deno.writeFile(outputPath(module), binary);
    // deno-lint-ignore no-console
    console.log(`${module.output}: ${binary.length} bytes`);
  }
}
