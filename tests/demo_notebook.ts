/**
 * A small demo notebook, built in code, that exercises the report machinery
 * end to end: it imports `lib/report`, draws training curves and a
 * confusion matrix from a fabricated TEST FIXTURE (not results), shows a
 * table, and runs a live progress display through a few updates. Optional
 * "stress" cells each print a line and show an HTML value, to count lost
 * outputs; an optional throwing cell checks failure reporting.
 *
 * The notebook goes in a temporary folder under the git-ignored
 * `jupyter/runtime/`, inside the repository, because the Deno kernel finds
 * `deno.json` (and with it the import map) by walking up from the
 * notebook's folder.
 *
 * Run as a script to execute it several times and count outputs:
 *   deno run -A tests/demo_notebook.ts [--runs 3] [--stress 20] [--grace 0.5] [--keep]
 *
 * @module
 */

import { executeNotebook, REPO_ROOT } from "../tools/jupyter_env.ts";

/** Options of {@link demoNotebook}. */
export interface DemoOptions {
  /** Extra cells printing one line and showing one HTML value each. @default 0 */
  stress?: number;
  /** Put a cell that throws after the first code cells. @default false */
  failing?: boolean;
  /** Import path of `lib/report/mod.ts` as seen from the notebook. */
  reportModule: string;
}

/** A demo notebook and how many outputs each of its code cells must end with. */
export interface DemoNotebook {
  /** The .ipynb document (nbformat 4). */
  notebook: Record<string, unknown>;
  /** Expected output count per code cell, in order. */
  expectedOutputs: number[];
  /** Charts and tables the exported HTML must hold. */
  charts: number;
  tables: number;
}

function code(source: string, id: string): Record<string, unknown> {
  return {
    id,
    cell_type: "code",
    execution_count: null,
    metadata: {},
    outputs: [],
    source,
  };
}

function markdown(source: string, id: string): Record<string, unknown> {
  return { id, cell_type: "markdown", metadata: {}, source };
}

/** Builds the demo notebook (see the module doc). */
export function demoNotebook(options: DemoOptions): DemoNotebook {
  const cells: Record<string, unknown>[] = [];
  const expected: number[] = [];
  const add = (source: string, outputs: number) => {
    cells.push(code(source, `code-${expected.length + 1}`));
    expected.push(outputs);
  };
  cells.push(markdown(
    "# Report machinery demo\n\n" +
      "**Test fixture.** Every number below is fabricated to exercise the " +
      "charts, table and progress display; none is a training result.",
    "intro",
  ));
  add(
    `import {\n  confusionMatrix,\n  meanSd,\n  ProgressReporter,\n  table,\n  trainingCurves,\n} from "${options.reportModule}";`,
    0,
  );
  add(
    `// TEST FIXTURE: smooth made-up curves for three "seeds" and an "upstream".
const fixtureHistory = (seed: number, epochs: number) =>
  Array.from({ length: epochs }, (_, i) => {
    const e = i + 1, f = Math.exp(-e / (5 + seed));
    return {
      epoch: e,
      loss: 1.6 * f + 0.02,
      accuracy: 1 - 0.8 * f,
      valLoss: 1.6 * f + 0.15 + 0.004 * e,
      valAccuracy: 0.93 - 0.7 * f,
      seconds: 1,
    };
  });
const fixtureRuns = [1, 2, 3].map((seed) => ({
  experiment: "fixture_experiment",
  seed,
  history: fixtureHistory(seed, 18 + 3 * seed),
}));
trainingCurves(fixtureRuns, {
  title: "TEST FIXTURE: training curves",
  upstream: fixtureHistory(0, 25),
  upstreamLabel: "fixture upstream",
});`,
    1,
  );
  if (options.failing) {
    add(`throw new Error("fixture failure on purpose");`, 1);
  }
  add(
    `confusionMatrix(
  ["business", "entertainment", "politics", "sport", "tech"],
  [[70, 1, 2, 0, 2], [1, 42, 1, 1, 1], [2, 0, 52, 1, 1], [0, 0, 0, 63, 0], [1, 1, 0, 0, 56]],
  { title: "TEST FIXTURE: confusion matrix" },
);`,
    1,
  );
  add(
    `table(
  [
    { experiment: "fixture_a", acc: meanSd([0.95, 0.96, 0.94]), seeds: 3 },
    { experiment: "fixture_b", acc: meanSd([0.71]), seeds: 1 },
  ],
  [
    { header: "experiment", value: "experiment" },
    { header: "val acc (mean ± sd)", value: "acc" },
    { header: "seeds", value: "seeds" },
  ],
  { title: "TEST FIXTURE: summary table" },
);`,
    1,
  );
  add(
    `// Live progress: one display, updated in place five times.
const progress = new ProgressReporter(
  { experiment: "fixture_experiment", seed: 1, epochs: 5, patience: 3 },
);
for (const e of fixtureHistory(1, 5)) {
  await progress.update(e);
  await new Promise((r) => setTimeout(r, 50));
}
await progress.finish("fixture finished");
console.log("progress live:", progress.live);`,
    2,
  );
  for (let i = 0; i < (options.stress ?? 0); i++) {
    add(
      `console.log("stress ${i}");\nDeno.jupyter.html\`<b>stress ${i}</b>\`;`,
      2,
    );
  }
  const notebook = {
    cells,
    metadata: {
      kernelspec: {
        display_name: "Deno",
        language: "typescript",
        name: "deno",
      },
      language_info: {
        name: "typescript",
        file_extension: ".ts",
        mimetype: "text/x.typescript",
      },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  // Tables: the summary table and the progress display's epoch table.
  return { notebook, expectedOutputs: expected, charts: 2, tables: 2 };
}

/** A fresh folder under `jupyter/runtime/` for demo notebooks. */
export async function demoDir(): Promise<string> {
  const base = `${REPO_ROOT}/jupyter/runtime`;
  await Deno.mkdir(base, { recursive: true });
  return await Deno.makeTempDir({ dir: base, prefix: "demo-" });
}

/** Writes the demo into `dir` as `name`; returns the notebook's path. */
export async function writeDemo(
  dir: string,
  name: string,
  options: Omit<DemoOptions, "reportModule">,
): Promise<{ path: string; demo: DemoNotebook }> {
  const depth = dir.slice(REPO_ROOT.length).split("/").filter(Boolean).length;
  const demo = demoNotebook({
    ...options,
    reportModule: `${"../".repeat(depth)}lib/report/mod.ts`,
  });
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, JSON.stringify(demo.notebook, null, 1));
  return { path, demo };
}

/** Outputs per code cell of a stored notebook, in order. */
export async function outputCounts(path: string): Promise<number[]> {
  const nb = JSON.parse(await Deno.readTextFile(path)) as {
    cells: { cell_type: string; outputs?: unknown[] }[];
  };
  return nb.cells.filter((c) => c.cell_type === "code").map((c) =>
    c.outputs?.length ?? 0
  );
}

if (import.meta.main) {
  const arg = (name: string, fallback: number) => {
    const i = Deno.args.indexOf(name);
    return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
  };
  const runs = arg("--runs", 3);
  const stress = arg("--stress", 20);
  const grace = arg("--grace", 0.5);
  const dir = await demoDir();
  // deno-lint-ignore no-console
  const log = (s: string) => console.log(s);
  let lostTotal = 0;
  for (let r = 1; r <= runs; r++) {
    const { path, demo } = await writeDemo(dir, `demo_${r}.ipynb`, { stress });
    const t0 = performance.now();
    const res = await executeNotebook(path, {
      html: `${dir}/demo_${r}.html`,
      graceSeconds: grace,
    });
    const got = await outputCounts(path);
    const want = demo.expectedOutputs.reduce((a, b) => a + b, 0);
    const have = got.reduce((a, b) => a + Math.min(b, 1e9), 0);
    const lost = demo.expectedOutputs.reduce(
      (a, n, i) => a + Math.max(0, n - got[i]),
      0,
    );
    lostTotal += lost;
    log(
      `run ${r}: exit ${res.code}, ${have}/${want} outputs, ${lost} lost, ` +
        `${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s; ${res.stdout.trim()}${
          res.stderr.trim() ? `\n  stderr: ${res.stderr.trim()}` : ""
        }`,
    );
  }
  log(`total lost: ${lostTotal}; files in ${dir}`);
  if (!Deno.args.includes("--keep")) {
    await Deno.remove(dir, { recursive: true });
  }
}
