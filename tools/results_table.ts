// deno-lint-ignore-file no-console
/**
 * Prints the series' results as a Markdown table from the run store (for the
 * README), plus how long the runs took and on what machine: every number
 * comes from the stored run records.
 *
 * Usage: deno run -A tools/results_table.ts [--quick]
 *
 * @module
 */

import {
  accuracyStats,
  machineOf,
  seriesRows,
  withShortfall,
} from "../lib/notebook.ts";
import { seriesSettings } from "../lib/series.ts";
import { fixed, formatMeanSd } from "../lib/report/stats.ts";
import { upstreamRun } from "../lib/upstream/mod.ts";

if (Deno.args.includes("--quick")) Deno.env.set("BBC_MODE", "quick");
const settings = seriesSettings();
const rows = await seriesRows(settings);
console.log(
  "| # | what changes | final val acc (ours, mean ± sd) | best val acc (ours) | epochs | upstream final / best |",
);
console.log("|---|---|---|---|---|---|");
let first = Infinity, last = 0, cpu = 0, runs = 0;
let machine = "";
for (const { exp, runs: rs } of rows) {
  if (rs.length === 0) {
    console.log(`| ${exp.number} | ${exp.toggle} | (no runs) | | | |`);
    continue;
  }
  const s = accuracyStats(rs);
  const up = exp.upstream[0] ? upstreamRun(exp.upstream[0]) : null;
  console.log(
    `| ${exp.number} | ${withShortfall(exp.toggle, rs)} | ${
      formatMeanSd(s.final, 4)
    } | ${formatMeanSd(s.best, 4)} | ${formatMeanSd(s.epochs, 1)} | ${
      up
        ? `${fixed(up.finalValAccuracy, 4)} / ${fixed(up.bestValAccuracy, 4)}`
        : "—"
    } |`,
  );
  for (const r of rs) {
    first = Math.min(first, Date.parse(r.startedAt));
    last = Math.max(last, Date.parse(r.finishedAt));
    cpu += r.timings.totalSeconds;
    runs++;
    if (!machine) {
      machine = `${
        machineOf(r)
      }; ${r.backend.name}/${r.engine}; Deno ${r.versions.deno}, tfjs ${r.versions.tfjs}`;
    }
  }
}
console.log(
  `\n${runs} runs (seeds ${settings.seeds.join(", ")}): ${
    (cpu / 3600).toFixed(2)
  } h of run time in total, ${
    ((last - first) / 3600000).toFixed(2)
  } h wall clock from the first start to the last finish, on ${machine}.`,
);
