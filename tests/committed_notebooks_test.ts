/**
 * The committed notebooks carry the outputs of the full run: every code cell
 * ran, in order, without an error, in full mode with the default seeds, and
 * the accuracy each experiment notebook shows is the one its committed run
 * records give today. A notebook whose outputs went stale (the library or
 * the registry changed the config hash, or a record was replaced) fails
 * here until `deno task export` runs it again.
 */
import assert from "node:assert/strict";
import { experiments } from "../lib/experiments.ts";
import { accuracyStats, storedRuns } from "../lib/notebook.ts";
import { formatMeanSd } from "../lib/report/stats.ts";
import { seriesSettings } from "../lib/series.ts";

const ROOT = new URL("..", import.meta.url);

interface Cell {
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: {
    output_type: string;
    ename?: string;
    data?: Record<string, string | string[]>;
  }[];
}

function joined(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join("") : v ?? "";
}

async function codeCells(id: string): Promise<Cell[]> {
  const path = new URL(`notebooks/${id}.ipynb`, ROOT);
  const nb = JSON.parse(await Deno.readTextFile(path)) as { cells: Cell[] };
  return nb.cells.filter((c) =>
    c.cell_type === "code" && joined(c.source).trim() !== ""
  );
}

function plainText(cells: readonly Cell[]): string {
  return cells.flatMap((c) => c.outputs ?? [])
    .map((o) => joined(o.data?.["text/plain"])).join("\n");
}

const settings = seriesSettings(new Map<string, string>());
const ids = [...experiments().map((e) => e.id), "12_summary"];

for (const id of ids) {
  Deno.test(`notebooks/${id}.ipynb carries outputs of the full run`, async () => {
    const cells = await codeCells(id);
    assert.ok(cells.length > 0, `${id}: no code cells`);
    cells.forEach((c, i) => {
      assert.equal(
        c.execution_count,
        i + 1,
        `${id}: code cell ${
          i + 1
        } has execution_count ${c.execution_count}; run 'deno task export'`,
      );
      assert.ok(
        (c.outputs ?? []).length > 0,
        `${id}: code cell ${i + 1} has no output`,
      );
      for (const o of c.outputs ?? []) {
        assert.notEqual(
          o.output_type,
          "error",
          `${id}: code cell ${i + 1} raised ${o.ename}`,
        );
      }
    });
    const text = plainText(cells);
    assert.match(
      text,
      /Mode full · seeds 0, 1, 2 /,
      `${id}: not run in full mode with seeds 0, 1, 2`,
    );
  });
}

for (const exp of experiments()) {
  Deno.test(`notebooks/${exp.id}.ipynb shows the accuracy of runs/full's records`, async () => {
    const runs = await storedRuns(exp.id, settings);
    assert.equal(
      runs.length,
      settings.seeds.length,
      `${exp.id}: ${runs.length} stored full runs match today's config hash, expected ${settings.seeds.length}`,
    );
    const s = accuracyStats(runs);
    const text = plainText(await codeCells(exp.id));
    for (const value of [formatMeanSd(s.final, 4), formatMeanSd(s.best, 4)]) {
      assert.ok(
        text.includes(value),
        `${exp.id}: the notebook does not show ${value} from runs/full`,
      );
    }
  });
}
