// deno-lint-ignore-file no-console
// (A command-line tool: printing is its job; lib/ stays silent.)

/**
 * `deno task export [--quick] [--only 01,12]`: executes every notebook
 * headless with the project's Deno kernel (late outputs kept, see
 * tools/nbexec.py) and exports each to `reports/<name>.html`, then writes
 * `reports/index.html` linking them with their headline numbers.
 *
 * Full mode executes `notebooks/*.ipynb` in place (their outputs are the
 * committed results). Quick mode executes copies under `reports/quick/`
 * against the quick run store, so the committed notebooks keep their full
 * outputs. A failing cell fails the job, naming the notebook and the cell.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { REPO_ROOT } from "../lib/data/paths.ts";
import {
  accuracyStats,
  machineOf,
  seriesRows,
  withShortfall,
} from "../lib/notebook.ts";
import { seriesSettings } from "../lib/series.ts";
import { fixed, formatMeanSd } from "../lib/report/stats.ts";
import { escapeHtml } from "../lib/report/display.ts";
import { upstreamRun } from "../lib/upstream/mod.ts";
import { LIB_VERSION } from "../lib/version.ts";
import { executeNotebook, writeKernelSpec } from "../tools/jupyter_env.ts";

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      timeout: { type: "string" },
    },
  });
  const mode = values.quick ? "quick" : "full";
  Deno.env.set("BBC_MODE", mode);
  const settings = seriesSettings();
  const only = values.only?.split(",").map((s) => s.trim());
  const srcDir = `${REPO_ROOT}/notebooks`;
  const outDir = mode === "full"
    ? `${REPO_ROOT}/reports`
    : `${REPO_ROOT}/reports/quick`;
  const nbDir = mode === "full" ? srcDir : `${outDir}/notebooks`;
  await Deno.mkdir(nbDir, { recursive: true });
  await writeKernelSpec();

  const names: string[] = [];
  for await (const e of Deno.readDir(srcDir)) {
    if (e.isFile && /^\d\d_.*\.ipynb$/.test(e.name)) names.push(e.name);
  }
  // The summary reads every other experiment's runs: run it last.
  names.sort((a, b) =>
    (a.startsWith("12_summary") ? 1 : 0) -
      (b.startsWith("12_summary") ? 1 : 0) ||
    a.localeCompare(b)
  );
  const selected = names.filter((n) =>
    !only || only.some((o) => n.startsWith(o))
  );
  const timeout = Number(values.timeout ?? (mode === "quick" ? 900 : 7200));
  const failures: string[] = [];
  const t0 = performance.now();
  for (const name of selected) {
    const stem = name.replace(/\.ipynb$/, "");
    if (nbDir !== srcDir) {
      await Deno.copyFile(`${srcDir}/${name}`, `${nbDir}/${name}`);
    }
    const t = performance.now();
    const res = await executeNotebook(`${nbDir}/${name}`, {
      html: `${outDir}/${stem}.html`,
      timeoutSeconds: timeout,
    });
    const secs = ((performance.now() - t) / 1000).toFixed(1);
    if (res.success) {
      console.log(
        `export: ${name} ok in ${secs} s → ${
          outDir.replace(`${REPO_ROOT}/`, "")
        }/${stem}.html`,
      );
    } else {
      console.error(
        `export: ${name} FAILED after ${secs} s\n${res.stderr.trim()}`,
      );
      failures.push(name);
    }
  }
  await writeIndex(outDir, mode, settings);
  const minutes = ((performance.now() - t0) / 60000).toFixed(1);
  if (failures.length > 0) {
    console.error(
      `export: ${failures.length} notebook(s) failed: ${
        failures.join(", ")
      } (${minutes} min)`,
    );
    return 1;
  }
  console.log(
    `export: ${selected.length} notebooks in ${minutes} min; index ${
      outDir.replace(`${REPO_ROOT}/`, "")
    }/index.html`,
  );
  return 0;
}

async function writeIndex(
  outDir: string,
  mode: string,
  settings: ReturnType<typeof seriesSettings>,
): Promise<void> {
  const rows: string[] = [];
  let machine = "";
  for (const { exp, runs } of await seriesRows(settings)) {
    const s = runs.length > 0 ? accuracyStats(runs) : null;
    const up = exp.upstream[0] ? upstreamRun(exp.upstream[0]) : null;
    if (!machine && runs[0]) {
      machine = `${machineOf(runs[0])}; backend ${runs[0].backend.name}/${
        runs[0].engine
      }`;
    }
    rows.push(
      `<tr><td><a href="${exp.id}.html">${exp.number} · ${
        escapeHtml(exp.title)
      }</a></td><td>${
        escapeHtml(withShortfall(exp.toggle, runs))
      }</td><td class="n">${
        s ? formatMeanSd(s.final, 4) : "—"
      }</td><td class="n">${
        s ? formatMeanSd(s.best, 4) : "—"
      }</td><td class="n">${runs.length}</td><td class="n">${
        up ? fixed(up.finalValAccuracy, 4) : "—"
      }</td><td class="n">${up ? fixed(up.bestValAccuracy, 4) : "—"}</td></tr>`,
    );
  }
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>BBC news LSTM: the experiment series</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}th{background:#f4f4f4}
.meta{color:#555;font-size:13px}
</style></head><body>
<h1>BBC news classification with an LSTM: the experiment series</h1>
<p>Deno + TensorFlow.js re-creation of <code>alvinrach/learn-ai-bbc</code>. Validation accuracy on the 298 held-out articles; ours is the mean ± sample sd over seeds, the upstream's a single unseeded run. <a href="12_summary.html">Summary and lessons</a>${
    mode === "full" ? ' · <a href="submission.csv">submission.csv</a>' : ""
  }.</p>
${
    mode === "quick"
      ? "<p><b>Quick mode</b>: a few hundred articles and 2 epochs; these numbers only show that the pipeline runs.</p>"
      : ""
  }
<table><thead><tr><th>notebook</th><th>what changes</th><th class="n">final val acc</th><th class="n">best val acc</th><th class="n">seeds</th><th class="n">upstream final</th><th class="n">upstream best</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody></table>
<p class="meta">Mode ${mode}; seeds ${
    settings.seeds.join(", ")
  }; library ${LIB_VERSION}; runs made on ${
    escapeHtml(machine || "—")
  }; page written ${new Date().toISOString()}.</p>
</body></html>
`;
  await Deno.writeTextFile(`${outDir}/index.html`, html);
}

if (import.meta.main) Deno.exit(await main());
