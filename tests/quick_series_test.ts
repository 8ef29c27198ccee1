/**
 * The whole series end to end in quick mode (a few hundred articles, 2
 * epochs, seed 0): train every missing quick run, execute every notebook
 * headless with the Deno kernel, export HTML, and check that each page holds
 * its tables and non-empty charts and no error. This is what CI runs.
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../lib/data/paths.ts";
import { experiments } from "../lib/experiments.ts";
import { assertReportHtml } from "./export_assert.ts";

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const res = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: res.code,
    out: dec.decode(res.stdout) + dec.decode(res.stderr),
  };
}

Deno.test({
  name:
    "quick mode trains, executes and exports every notebook with its tables and charts",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const runs = await run([
      "run",
      "-A",
      "cli/run_missing.ts",
      "--quick",
      "--jobs",
      "2",
    ]);
    assert.equal(runs.code, 0, runs.out);
    const exp = await run(["run", "-A", "cli/export.ts", "--quick"]);
    assert.equal(exp.code, 0, exp.out);
    const dir = `${REPO_ROOT}/reports/quick`;
    for (const e of experiments()) {
      const html = await Deno.readTextFile(`${dir}/${e.id}.html`);
      const extra = e.number === "00"
        ? { tables: 1, charts: 2 }
        : { tables: 0, charts: 0 };
      assertReportHtml(html, {
        tables: 4 + extra.tables, // change, data, runs, accuracy
        charts: 3 + extra.charts, // lengths, confusion matrix, curves
        contains: [e.title, "Conclusion (computed from the runs above)"],
      });
    }
    const summary = await Deno.readTextFile(`${dir}/12_summary.html`);
    assertReportHtml(summary, {
      tables: 4,
      charts: 2,
      contains: ["Lessons", "Best configuration"],
    });
    const csv = (await Deno.readTextFile(`${dir}/submission.csv`)).trim().split(
      "\n",
    );
    assert.equal(csv[0], "ArticleId,Category");
    assert.equal(csv.length, 736);
    const index = await Deno.readTextFile(`${dir}/index.html`);
    for (const e of experiments()) {
      assert.ok(index.includes(`href="${e.id}.html"`), e.id);
    }
  },
});
