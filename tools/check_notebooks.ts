/**
 * Type-checks notebooks. `deno check` does not read `.ipynb` files, so each
 * notebook's code cells are joined, in order, into a temporary `.ts` file
 * beside it (so relative imports and `deno.json` resolve as in the kernel;
 * top-level await is fine in a module), all of them are checked in one
 * `deno check` run, and every error location is mapped back to the
 * notebook, cell and line. The temporary files are removed afterwards.
 *
 * With `--require-outputs`, a notebook also fails when a non-empty code cell
 * has no execution count (it was never run, or its outputs were cleared).
 *
 * Usage:
 *   deno run -A tools/check_notebooks.ts [--require-outputs] [PATH ...]
 * PATH: notebooks or folders (searched one level deep); default `notebooks/`.
 * Exit code 1 when any notebook fails.
 *
 * Known limitation: the kernel lets a later cell redeclare a top-level
 * `const`/`let`; joined into one module that is an error ("Cannot redeclare
 * block-scoped variable"). Notebooks meant to pass this check should not
 * redeclare names across cells.
 *
 * @module
 */

/** One code cell's place in the joined file. */
export interface CellSpan {
  /** 1-based index among all cells (as Jupyter numbers them in the file). */
  cell: number;
  /** 1-based index among code cells. */
  codeCell: number;
  /** First line of the cell's source in the joined file (1-based). */
  firstLine: number;
  /** Number of source lines. */
  lines: number;
}

/** A notebook's code joined into one TypeScript module. */
export interface JoinedNotebook {
  source: string;
  spans: CellSpan[];
  /** Code cells (1-based code-cell numbers) with source but no execution count. */
  unrun: number[];
}

interface NotebookJson {
  cells?: {
    cell_type?: string;
    source?: string | string[];
    execution_count?: number | null;
  }[];
}

/**
 * Joins the code cells of a parsed notebook into one module, each preceded
 * by a marker comment. Throws when the document has no `cells` array.
 */
export function joinCells(nb: NotebookJson, name = "notebook"): JoinedNotebook {
  if (!Array.isArray(nb.cells)) {
    throw new Error(`${name}: not a notebook (no "cells" array)`);
  }
  const out: string[] = [
    `// Joined code cells of ${name}, for deno check. Temporary file.`,
  ];
  const spans: CellSpan[] = [];
  const unrun: number[] = [];
  let codeCell = 0;
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== "code") return;
    codeCell++;
    const text = Array.isArray(c.source) ? c.source.join("") : c.source ?? "";
    if (text.trim() !== "" && (c.execution_count ?? null) === null) {
      unrun.push(codeCell);
    }
    const lines = text.split("\n");
    out.push(`// --- cell ${i + 1} (code cell ${codeCell}) ---`);
    spans.push({
      cell: i + 1,
      codeCell,
      firstLine: out.length + 1,
      lines: lines.length,
    });
    out.push(...lines);
    // A cell ending in an expression without ";" must not merge with the
    // next cell's first line.
    out.push(";");
  });
  out.push("export {};");
  return { source: out.join("\n") + "\n", spans, unrun };
}

/** "cell 4 (code cell 3), line 2" for a line of the joined file. */
export function locate(spans: readonly CellSpan[], line: number): string {
  const s = spans.find((s) =>
    line >= s.firstLine && line < s.firstLine + s.lines
  );
  return s
    ? `cell ${s.cell} (code cell ${s.codeCell}), line ${line - s.firstLine + 1}`
    : `line ${line} of the joined file (outside any cell)`;
}

/** The result for one notebook. */
export interface NotebookCheck {
  notebook: string;
  /** `deno check` errors mapped to cells; empty when it passed. */
  errors: string[];
  /** Code cells without outputs, when outputs were required. */
  unrun: number[];
}

function tempPath(notebook: string): string {
  const slash = notebook.lastIndexOf("/");
  const dir = slash >= 0 ? notebook.slice(0, slash + 1) : "";
  const base = notebook.slice(slash + 1).replace(/\.ipynb$/, "");
  return `${dir}.${base}.nbcheck.ts`;
}

/**
 * Checks the given notebooks (paths to `.ipynb` files): type errors per
 * cell, and un-run code cells when `requireOutputs` is set.
 */
export async function checkNotebooks(
  notebooks: readonly string[],
  options: { requireOutputs?: boolean } = {},
): Promise<NotebookCheck[]> {
  const joined = new Map<string, { notebook: string; j: JoinedNotebook }>();
  const results = new Map<string, NotebookCheck>();
  try {
    for (const nb of notebooks) {
      const j = joinCells(JSON.parse(await Deno.readTextFile(nb)), nb);
      const tmp = await Deno.realPath(nb).then(tempPath);
      await Deno.writeTextFile(tmp, j.source);
      joined.set(tmp, { notebook: nb, j });
      results.set(nb, {
        notebook: nb,
        errors: [],
        unrun: options.requireOutputs ? j.unrun : [],
      });
    }
    if (joined.size === 0) return [];
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["check", ...joined.keys()],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const text = new TextDecoder().decode(out.stderr) +
        new TextDecoder().decode(out.stdout);
      assignErrors(text, joined, results);
    }
  } finally {
    for (const tmp of joined.keys()) await Deno.remove(tmp).catch(() => {});
  }
  return [...results.values()];
}

/**
 * Splits `deno check` output into its diagnostics (each starts with
 * "TSnnnn [ERROR]" or "error:") and gives each to the notebook whose joined
 * file its location names, with the location rewritten to notebook/cell.
 */
function assignErrors(
  text: string,
  joined: Map<string, { notebook: string; j: JoinedNotebook }>,
  results: Map<string, NotebookCheck>,
): void {
  const blocks = text.split(/\n(?=TS\d+ \[ERROR\]|error: )/)
    // Drop the closing summary ("Found 2 errors.", "error: Type checking
    // failed." with its backtrace): it belongs to no diagnostic.
    .map((b) => b.replace(/\n\s*Found \d+ errors?\.[\s\S]*$/, "").trim())
    .filter((b) =>
      /^(TS\d+ \[ERROR\]|error: )/.test(b) &&
      !b.startsWith("error: Type checking failed")
    );
  const stray: string[] = [];
  for (const block of blocks) {
    let owner: string | undefined;
    const mapped = block.replace(
      /file:\/\/(\S+?\.nbcheck\.ts):(\d+):(\d+)/g,
      (all, path: string, line: string, col: string) => {
        const hit = joined.get(decodeURIComponent(path));
        if (!hit) return all;
        owner ??= hit.notebook;
        return `${hit.notebook} ${locate(hit.j.spans, Number(line))}:${col}`;
      },
    );
    if (owner !== undefined) results.get(owner)!.errors.push(mapped);
    else stray.push(mapped);
  }
  if (blocks.length === 0) stray.push(text.trim());
  // Errors outside the joined files (in an imported module, or a failure
  // without a location) cannot be pinned on one notebook: every notebook
  // gets them, rather than the check passing silently.
  for (const r of results.values()) {
    for (const e of stray) r.errors.push(`(not in a notebook cell) ${e}`);
  }
}

/** Notebooks named by `paths`: files as given, folders one level deep. */
export async function findNotebooks(
  paths: readonly string[],
): Promise<string[]> {
  const found: string[] = [];
  for (const p of paths) {
    const info = await Deno.stat(p).catch(() => undefined);
    if (info === undefined) throw new Error(`check_notebooks: ${p}: not found`);
    if (info.isFile) {
      found.push(p);
      continue;
    }
    for await (const e of Deno.readDir(p)) {
      if (e.isFile && e.name.endsWith(".ipynb") && !e.name.startsWith(".")) {
        found.push(`${p.replace(/\/$/, "")}/${e.name}`);
      }
    }
  }
  return found.sort();
}

if (import.meta.main) {
  // A CLI entry point: printing is its job.
  // deno-lint-ignore no-console
  const print = (s: string) => console.log(s);
  const requireOutputs = Deno.args.includes("--require-outputs");
  const paths = Deno.args.filter((a) => !a.startsWith("--"));
  const notebooks = await findNotebooks(
    paths.length > 0 ? paths : ["notebooks"],
  );
  if (notebooks.length === 0) {
    print("check_notebooks: no notebooks found");
    Deno.exit(0);
  }
  const results = await checkNotebooks(notebooks, { requireOutputs });
  let failed = 0;
  for (const r of results) {
    const ok = r.errors.length === 0 && r.unrun.length === 0;
    if (ok) {
      print(`ok      ${r.notebook}`);
      continue;
    }
    failed++;
    print(`FAILED  ${r.notebook}`);
    for (const e of r.errors) print(e.replace(/^/gm, "    "));
    if (r.unrun.length > 0) {
      print(`    code cells not run: ${r.unrun.join(", ")}`);
    }
  }
  print(
    `check_notebooks: ${results.length - failed} ok, ${failed} failed` +
      (requireOutputs ? " (outputs required)" : ""),
  );
  Deno.exit(failed > 0 ? 1 : 0);
}
