// deno-lint-ignore-file no-console
/**
 * Writes the numbered notebooks from the experiment registry, so every
 * notebook has the same sections and differs only in the experiment it
 * names (no copy-pasted pipeline to drift). Outputs are not written here:
 * `deno task export` executes the notebooks and stores their outputs.
 *
 * `deno task notebooks` rewrites the sources (existing outputs are kept when a
 * cell's source is unchanged); `--check` only compares and exits 1 when a
 * committed notebook's sources differ from what the registry generates.
 *
 * @module
 */

import {
  type Experiment,
  experiment,
  experiments,
} from "../lib/experiments.ts";
import { REPO_ROOT } from "../lib/data/paths.ts";
import { upstreamRun } from "../lib/upstream/mod.ts";

interface Cell {
  id: string;
  cell_type: "markdown" | "code";
  metadata: Record<string, unknown>;
  source: string[];
  outputs?: unknown[];
  execution_count?: number | null;
}

const NOTEBOOK_METADATA = {
  kernelspec: { display_name: "Deno", language: "typescript", name: "deno" },
  language_info: {
    codemirror_mode: "typescript",
    file_extension: ".ts",
    mimetype: "text/x.typescript",
    name: "typescript",
    nbconvert_exporter: "script",
    pygments_lexer: "typescript",
    version: "5",
  },
};

function lines(text: string): string[] {
  const parts = text.replace(/\n+$/, "").split("\n");
  return parts.map((l, i) => (i < parts.length - 1 ? `${l}\n` : l));
}

function md(id: string, text: string): Cell {
  return { id, cell_type: "markdown", metadata: {}, source: lines(text) };
}

function code(id: string, text: string): Cell {
  return {
    id,
    cell_type: "code",
    metadata: {},
    source: lines(text),
    outputs: [],
    execution_count: null,
  };
}

function link(id: string): string {
  const e = experiment(id);
  return `[${e.number} · ${e.title}](${e.id}.ipynb)`;
}

function header(exp: Experiment): string {
  const up = exp.upstream.map(upstreamRun);
  const upText = up.length === 0
    ? "none: the upstream never ran this configuration."
    : up.map((u) =>
      `${u.label}: final val acc **${u.finalValAccuracy.toFixed(4)}**, best ${
        u.bestValAccuracy.toFixed(4)
      } (epoch ${u.bestEpoch}), ${u.epochs} epochs (\`${u.notebook}\`)`
    ).join("; ");
  const notes = exp.notes.length > 0
    ? `\n\n${exp.notes.map((n) => `- ${n}`).join("\n")}`
    : "";
  return `# ${exp.number} · ${exp.title}

**Question.** ${exp.question}

- **The one toggle:** ${exp.toggle}.
- **Base notebook:** ${
    exp.base ? link(exp.base) : "none: this is the first experiment."
  }
- **Upstream figure:** ${upText}
- **Expected runtime:** seconds when its runs are stored (\`deno task runs\` trains them first); training here: ${
    runtimeText(exp)
  }${notes}`;
}

// Measured in the committed full series (runs/full): a 2-core AMD EPYC, two
// runs at a time, wasm backend. Each notebook's runs table has its own times.
function runtimeText(exp: Experiment): string {
  const m = exp.config.model;
  if (m.masking === "none" && exp.config.data.tokenizer === "bert") {
    return "every one of the 512 padded steps runs: about 7 s an epoch, 3–8 min per seed on a 2-core CPU (measured; see the runs table below).";
  }
  if (m.masking === "none") {
    return "every one of the ~1650 padded steps runs: 10–12 s an epoch, 8–12 min per seed on a 2-core CPU (measured; see the runs table below).";
  }
  return "only real tokens are computed: 5–11 s an epoch, 2–8 min per seed on a 2-core CPU (measured; see the runs table below).";
}

function experimentNotebook(exp: Experiment): Cell[] {
  const cells: Cell[] = [
    md("header", header(exp)),
    code(
      "setup",
      `import * as lab from "@lab/mod.ts";

// Mode, seeds and reuse come from BBC_MODE / BBC_SEEDS / BBC_RETRAIN.
const settings = lab.seriesSettings();
lab.showSettings(settings);`,
    ),
    md(
      "config-md",
      "## Configuration\n\nWhat this notebook changes, and nothing else:",
    ),
    code(
      "config",
      `const exp = lab.experiment("${exp.id}");
lab.showDelta(exp);`,
    ),
    md(
      "data-md",
      "## Data\n\nCleaned with the upstream pipeline, tokenized, padded, and split with the sklearn-exact `train_test_split(test_size=0.2, random_state=42)`.",
    ),
    code(
      "data",
      `const data = await lab.prepareData(lab.modeConfig(exp.config, settings.mode).data);
lab.showData(data);`,
    ),
  ];
  if (exp.number === "00") {
    cells.push(
      md(
        "quality-md",
        "### The data set itself\n\nClass counts, lengths, duplicates and train/test overlap of the raw CSVs, computed with polars.",
      ),
      code("quality", `lab.showQuality(lab.loadLabelled(), lab.loadTest());`),
    );
  }
  cells.push(
    md(
      "train-md",
      "## Training\n\nStored runs with this exact config and seed are loaded; missing ones are trained here with a live progress display.",
    ),
    code(
      "train",
      `const runs = await lab.trainOrLoad(exp, settings, { data });
lab.showRuns(runs);`,
    ),
    md("eval-md", "## Evaluation"),
    code("eval", `lab.showEvaluation(exp, runs);`),
    md(
      "curves-md",
      "## Curves\n\nOurs (every seed and their mean) with the upstream's saved history dashed.",
    ),
    code("curves", `lab.showCurves(exp, runs);`),
    md("conclusion-md", "## Conclusion"),
    code("conclusion", `await lab.conclusion(exp, runs, settings);`),
  );
  return cells;
}

function summaryNotebook(): Cell[] {
  const list = experiments().map((e) => `- ${link(e.id)}: ${e.toggle}`).join(
    "\n",
  );
  return [
    md(
      "header",
      `# 12 · Summary: every experiment side by side

**Question.** What did masking, initialisation, the forget-gate bias, Adam's ε and the double softmax each do, measured over several seeds rather than single runs?

**Experiments.**
${list}

**Expected runtime.** Seconds: this notebook only reads stored runs.`,
    ),
    code(
      "setup",
      `import * as lab from "@lab/mod.ts";

const settings = lab.seriesSettings();
lab.showSettings(settings);`,
    ),
    md("table-md", "## Results"),
    code(
      "table",
      `const rows = await lab.seriesRows(settings);
lab.showSeriesTable(rows);`,
    ),
    code("chart", `lab.showSeriesChart(rows);`),
    md("curves-md", "## Curves"),
    code("curves", `lab.showSeriesCurves(rows);`),
    md(
      "lessons-md",
      "## Lessons\n\nEach row isolates one toggle by comparing two experiments that differ only in it.",
    ),
    code("lessons", `lab.showLessons(rows);`),
    md(
      "submission-md",
      "## Submission\n\nThe Kaggle test predictions (735 articles) of the best configuration.",
    ),
    code(
      "submission",
      `await lab.showSubmission(rows, lab.reportPath(settings, "submission.csv"), lab.loadTest().articleIds);`,
    ),
  ];
}

/** Every notebook: file name → cells. */
export function notebooks(): Map<string, Cell[]> {
  const out = new Map<string, Cell[]>();
  for (const exp of experiments()) {
    out.set(`${exp.id}.ipynb`, experimentNotebook(exp));
  }
  out.set("12_summary.ipynb", summaryNotebook());
  return out;
}

interface NotebookJson {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

function sourceOf(cell: Cell): string {
  return cell.source.join("");
}

/**
 * `value` with every object's keys in sorted order, as nbformat writes
 * notebooks (`json.dumps(sort_keys=True, indent=1)`), so that generating
 * and executing a notebook do not reorder each other's lines.
 */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value).sort().map((k) => [
      k,
      sortKeys((value as Record<string, unknown>)[k]),
    ]),
  );
}

async function main(): Promise<void> {
  const check = Deno.args.includes("--check");
  const dir = `${REPO_ROOT}/notebooks`;
  let stale = 0;
  for (const [name, cells] of notebooks()) {
    const path = `${dir}/${name}`;
    let old: NotebookJson | null = null;
    try {
      old = JSON.parse(await Deno.readTextFile(path));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const same = old !== null && old.cells.length === cells.length &&
      old.cells.every((c, i) =>
        c.cell_type === cells[i].cell_type && sourceOf(c) === sourceOf(cells[i])
      );
    if (check) {
      if (!same) {
        console.error(
          `stale: notebooks/${name} differs from the registry (run deno task notebooks)`,
        );
        stale++;
      }
      continue;
    }
    // Keep outputs of cells whose source did not change.
    const merged = cells.map((c) => {
      const prev = old?.cells.find((p) =>
        p.id === c.id && sourceOf(p) === sourceOf(c)
      );
      return prev && c.cell_type === "code"
        ? {
          ...c,
          outputs: prev.outputs ?? [],
          execution_count: prev.execution_count ?? null,
          metadata: prev.metadata ?? {},
        }
        : c;
    });
    const nb: NotebookJson = {
      cells: merged,
      metadata: old?.metadata ?? NOTEBOOK_METADATA,
      nbformat: 4,
      nbformat_minor: 5,
    };
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(
      path,
      JSON.stringify(sortKeys(nb), null, 1) + "\n",
    );
    console.log(`${same ? "unchanged" : "wrote"}  notebooks/${name}`);
  }
  if (check && stale > 0) Deno.exit(1);
  if (check) console.log("notebooks match the registry");
}

if (import.meta.main) await main();
