import assert from "node:assert/strict";
import { table, trainingCurves } from "../lib/report/mod.ts";
import { executeNotebook, SYSTEM_PYTHON } from "../tools/jupyter_env.ts";
import { demoDir, outputCounts, writeDemo } from "./demo_notebook.ts";
import { assertReportHtml } from "./export_assert.ts";

/** A page shaped like nbconvert's lab export, around the given outputs. */
function page(outputs: string[], extra = ""): string {
  return `<!DOCTYPE html><html><head><style>.jp-OutputArea-output {}</style>${extra}</head><body>` +
    outputs.map((o) =>
      `<div class="jp-InputPrompt jp-InputArea-prompt">In&nbsp;[1]:</div>` +
      `<div class="jp-RenderedHTMLCommon jp-RenderedHTML jp-OutputArea-output" data-mime-type="text/html">${o}</div>`
    ).join("") + `</body></html>`;
}

// TEST FIXTURE: a two-epoch made-up history.
const fixtureChart = trainingCurves([{
  experiment: "fixture",
  seed: 1,
  history: [1, 2].map((epoch) => ({
    epoch,
    loss: 1 / epoch,
    accuracy: 0.5,
    valLoss: 1 / epoch,
    valAccuracy: 0.5,
    seconds: 1,
  })),
}]);
const fixtureTable = table([{ a: 1 }], [{ header: "a", value: "a" }]);

Deno.test("assertReportHtml() counts non-empty charts and tables", () => {
  const counts = assertReportHtml(
    page([fixtureChart.html, fixtureTable.html]),
    { charts: 1, tables: 1, contains: ["fixture: training curves: loss"] },
  );
  assert.deepEqual(counts, { charts: 1, tables: 1, errors: 0, unrunCells: 0 });
  assert.throws(
    () => assertReportHtml(page([fixtureChart.html]), { charts: 1, tables: 1 }),
    /0 tables; expected 1/,
  );
  assert.doesNotThrow(() =>
    assertReportHtml(page([fixtureChart.html, fixtureTable.html]), {
      charts: 1,
      tables: 0,
      atLeast: true,
    })
  );
});

Deno.test("assertReportHtml() rejects empty charts, ANSI, external scripts and errors", () => {
  const empty =
    `<div class="bbc-report-chart"><figure><h2>Blank</h2><svg viewBox="0 0 10 10"></svg></figure></div>`;
  assert.throws(
    () => assertReportHtml(page([empty]), { charts: 1, tables: 0 }),
    /chart 1 "Blank" is empty: 0 groups/,
  );
  assert.throws(
    () =>
      assertReportHtml(page([`<span class="ansi-red-fg">x</span>`]), {
        charts: 0,
        tables: 0,
      }),
    /ANSI/,
  );
  assert.throws(
    () =>
      assertReportHtml(
        page(
          [],
          `<script src="file:///usr/share/javascript/mathjax/MathJax.js"></script>`,
        ),
        { charts: 0, tables: 0 },
      ),
    /loads scripts/,
  );
  const error =
    `</div><div class="jp-RenderedText jp-OutputArea-output" data-mime-type="application/vnd.jupyter.stderr"><pre>TypeError: x is undefined</pre>`;
  assert.throws(
    () => assertReportHtml(page([error]), { charts: 0, tables: 0 }),
    /1 error outputs; expected 0/,
  );
});

// The end-to-end tests need Debian's Jupyter packages (see README/platform).
const hasJupyter = new Deno.Command(SYSTEM_PYTHON, {
  args: ["-c", "import nbclient, nbconvert"],
  stdout: "null",
  stderr: "null",
}).outputSync().success;

Deno.test({
  name: "nbexec.py runs the demo notebook headless and exports a complete page",
  ignore: !hasJupyter,
  async fn() {
    const dir = await demoDir();
    try {
      const { path, demo } = await writeDemo(dir, "demo.ipynb", { stress: 3 });
      const html = `${dir}/demo.html`;
      const res = await executeNotebook(path, { html, timeoutSeconds: 120 });
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /nbexec: ok .*demo\.ipynb: 8 code cells/);
      assert.deepEqual(await outputCounts(path), demo.expectedOutputs);
      const stored = await Deno.readTextFile(path);
      assert.ok(!stored.includes("\\u001b"), "no ANSI codes in the notebook");
      // The progress display was updated in place to its final state.
      assert.match(stored, /fixture_experiment seed 1: epoch 5\/5/);
      assert.match(stored, /progress live: true/);
      assertReportHtml(await Deno.readTextFile(html), {
        charts: demo.charts,
        tables: demo.tables,
        contains: [
          "TEST FIXTURE: training curves: accuracy",
          "TEST FIXTURE: confusion matrix",
          "0.9500 ± 0.0100",
        ],
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "nbexec.py fails naming the notebook and cell when a cell throws",
  ignore: !hasJupyter,
  async fn() {
    const dir = await demoDir();
    try {
      const { path } = await writeDemo(dir, "failing_demo.ipynb", {
        failing: true,
      });
      const html = `${dir}/failing.html`;
      const res = await executeNotebook(path, { html, timeoutSeconds: 120 });
      assert.equal(res.code, 1);
      assert.match(
        res.stderr,
        /nbexec: FAILED \S*failing_demo\.ipynb: cell 4 \(code cell 3, first line: `throw new Error/,
      );
      assert.match(res.stderr, /Error: fixture failure on purpose/);
      // Saved with what ran; the cells after the failure are empty, not stale.
      assert.deepEqual(await outputCounts(path), [0, 1, 1, 0, 0, 0]);
      const counts = assertReportHtml(await Deno.readTextFile(html), {
        charts: 1,
        tables: 0,
        errors: 1,
      });
      assert.equal(counts.unrunCells, 3);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
