/**
 * The project's Jupyter set-up, with nothing in the user's home directory:
 *
 * - `jupyter/kernels/deno/kernel.json` (tracked) runs `deno` from PATH;
 * - {@link writeKernelSpec} writes a copy pinned to this Deno binary's
 *   absolute path into the git-ignored `jupyter/runtime/kernels/deno/`,
 *   which comes first in JUPYTER_PATH, so JupyterLab and the headless runs
 *   use the same Deno that ran the set-up;
 * - {@link jupyterEnv} gives the environment for any `jupyter` command:
 *   JUPYTER_PATH to those two folders, data/runtime/config dirs under
 *   `jupyter/runtime/`, and NO_COLOR=1;
 * - {@link executeNotebook} runs `tools/nbexec.py` with that environment.
 *
 * For JupyterLab: `deno run -A tools/jupyter_env.ts --print` prints the
 * `export` lines to paste into a shell before `jupyter lab`.
 *
 * This file imports nothing from `lib/`, so the set-up works before the
 * library does.
 *
 * @module
 */

/** The repository root (the folder above `tools/`). */
export const REPO_ROOT: string = decodeURIComponent(
  new URL("../", import.meta.url).pathname,
).replace(/\/$/, "");

/** Debian's Python with the Jupyter packages (a pyenv `python3` may lack them). */
export const SYSTEM_PYTHON = "/usr/bin/python3";

/**
 * Environment variables for Jupyter commands run on this project. Paths are
 * absolute, under `root`. Merge them over `Deno.env.toObject()` when spawning.
 */
export function jupyterEnv(root: string = REPO_ROOT): Record<string, string> {
  const runtime = `${root}/jupyter/runtime`;
  return {
    JUPYTER_PATH: `${runtime}:${root}/jupyter`,
    JUPYTER_DATA_DIR: `${runtime}/data`,
    JUPYTER_RUNTIME_DIR: `${runtime}/run`,
    JUPYTER_CONFIG_DIR: `${runtime}/config`,
    NO_COLOR: "1",
  };
}

/** The kernelspec JSON for the Deno kernel, run by `denoPath`. */
export function kernelSpec(denoPath: string): Record<string, unknown> {
  return {
    argv: [denoPath, "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
    env: { NO_COLOR: "1" },
  };
}

/** Options of {@link writeKernelSpec}. */
export interface WriteKernelSpecOptions {
  /** @default {@link REPO_ROOT} */
  root?: string;
  /** @default `Deno.execPath()` (the Deno running this code) */
  denoPath?: string;
}

/**
 * (Re)writes `jupyter/runtime/kernels/deno/kernel.json` pinned to the
 * absolute path of a Deno binary, and creates the runtime folders. Leaves
 * the file alone when it already says the same. Returns the file's path.
 */
export async function writeKernelSpec(
  options: WriteKernelSpecOptions = {},
): Promise<string> {
  const root = options.root ?? REPO_ROOT;
  const env = jupyterEnv(root);
  for (
    const dir of [
      env.JUPYTER_DATA_DIR,
      env.JUPYTER_RUNTIME_DIR,
      env.JUPYTER_CONFIG_DIR,
    ]
  ) {
    await Deno.mkdir(dir, { recursive: true });
  }
  const dir = `${root}/jupyter/runtime/kernels/deno`;
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/kernel.json`;
  const text = JSON.stringify(
    kernelSpec(options.denoPath ?? Deno.execPath()),
    null,
    2,
  ) + "\n";
  const old = await Deno.readTextFile(path).catch(() => undefined);
  if (old !== text) await Deno.writeTextFile(path, text);
  return path;
}

/** Options of {@link executeNotebook}. */
export interface ExecuteNotebookOptions {
  /** Also export the executed notebook to this HTML file. @default none */
  html?: string;
  /** Per-cell limit, seconds (0: none). @default 3600 (nbexec.py's default) */
  timeoutSeconds?: number;
  /** Quiet time that ends the late-output read after each cell, s. @default 0.5 */
  graceSeconds?: number;
  /** @default {@link REPO_ROOT} */
  root?: string;
}

/** What {@link executeNotebook} saw. */
export interface ExecuteNotebookResult {
  /** True when every cell ran without error. */
  success: boolean;
  /** nbexec.py's exit code: 0 ok, 1 a cell failed, 2 usage/setup. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Executes `notebook` in place with `tools/nbexec.py` (Deno kernel, late
 * outputs kept, HTML export when `html` is set). Does not throw when a cell
 * fails: check `success`; `stderr` names the notebook, cell and error.
 */
export async function executeNotebook(
  notebook: string,
  options: ExecuteNotebookOptions = {},
): Promise<ExecuteNotebookResult> {
  const root = options.root ?? REPO_ROOT;
  const args = [`${root}/tools/nbexec.py`, notebook];
  if (options.html !== undefined) args.push("--html", options.html);
  if (options.timeoutSeconds !== undefined) {
    args.push("--timeout", String(options.timeoutSeconds));
  }
  if (options.graceSeconds !== undefined) {
    args.push("--grace", String(options.graceSeconds));
  }
  const out = await new Deno.Command(SYSTEM_PYTHON, {
    args,
    env: jupyterEnv(root),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    success: out.success,
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

if (import.meta.main) {
  if (Deno.args.includes("--print")) {
    const path = await writeKernelSpec();
    const lines = Object.entries(jupyterEnv()).map(([k, v]) =>
      `export ${k}='${v}'`
    );
    // A CLI entry point: printing is its job.
    // deno-lint-ignore no-console
    console.log(`# kernelspec: ${path}\n${lines.join("\n")}`);
  } else {
    await writeKernelSpec();
  }
}
