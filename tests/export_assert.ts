/**
 * Checks on an exported notebook page (nbconvert `lab` template, as written
 * by `tools/nbexec.py --html`), for tests of the real notebooks' exports.
 *
 * A chart is a `lib/report` chart block (`div.bbc-report-chart`); it counts
 * as non-empty when every `<figure>` in it holds an `<svg>` with a
 * `viewBox` and drawn marks. A table is any `<table>` inside a cell output
 * with at least one body row (report tables, the progress display's epoch
 * table, DataFrame HTML).
 *
 * @module
 */

import { AssertionError } from "node:assert/strict";
import { parseHTML } from "linkedom";

// Deno's type library has no DOM types; the members used are typed here.
interface El {
  readonly localName: string;
  readonly textContent: string;
  readonly children: ArrayLike<El>;
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}

/** What {@link assertReportHtml} expects; counts are exact unless `atLeast`. */
export interface ReportExpectation {
  /** Non-empty `lib/report` charts in the page. */
  charts: number;
  /** Output tables with at least one body row. */
  tables: number;
  /** Treat `charts` and `tables` as minimums. @default false */
  atLeast?: boolean;
  /** Error outputs the page may contain (a failing cell's traceback). @default 0 */
  errors?: number;
  /** Text that must appear in the page's text (e.g. a title). @default none */
  contains?: readonly string[];
}

/** What the page held, as counted. */
export interface ReportCounts {
  charts: number;
  tables: number;
  errors: number;
  /** Code cells shown without an execution count (`In [ ]`). */
  unrunCells: number;
}

/**
 * The lab template renders error outputs and stderr streams with the same
 * markup; an error's text starts with its name ("Error: …", "TypeError: …",
 * "Uncaught …"). A stderr line that starts the same way counts too.
 */
const ERROR_START = /^\s*(Uncaught\b|([A-Z]\w*)?Error\b)/;

function all(root: El, selector: string): El[] {
  return Array.from(root.querySelectorAll(selector));
}

/** Counts charts, tables, error outputs and un-run cells in an exported page. */
export function countReportHtml(html: string): ReportCounts {
  const { document } = parseHTML(html) as unknown as { document: El };
  const outputs = all(document, ".jp-OutputArea-output");
  const charts = outputs.flatMap((o) => all(o, "div.bbc-report-chart"));
  for (const [i, chart] of charts.entries()) {
    const figures = all(chart, "figure");
    if (figures.length === 0) {
      throw new AssertionError({
        message: `chart ${i + 1} has no <figure> (a chart without a title?)`,
      });
    }
    for (const fig of figures) {
      const svg = all(fig, "svg").find((s) =>
        /^0 0 \d+(\.\d+)? \d+(\.\d+)?$/.test(s.getAttribute("viewBox") ?? "")
      );
      const title = all(fig, "h2")[0]?.textContent ?? "(untitled)";
      // Marks are <g> groups after the <style>: axes, grid, data.
      const drawn = svg ? all(svg, "g").length : 0;
      if (!svg || drawn < 2) {
        throw new AssertionError({
          message: `chart ${i + 1} "${title}" is empty: ${
            svg ? `${drawn} groups in its svg` : "no svg with a viewBox"
          }`,
        });
      }
    }
  }
  const tables = outputs.flatMap((o) => all(o, "table")).filter((t) =>
    all(t, "tbody tr").length > 0
  );
  const errors = all(
    document,
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]',
  ).filter((o) => ERROR_START.test(o.textContent));
  const unrunCells = all(document, ".jp-InputPrompt").filter((p) =>
    /\[\s*\]/.test(p.textContent.replace(/\u00a0/g, " "))
  );
  return {
    charts: charts.length,
    tables: tables.length,
    errors: errors.length,
    unrunCells: unrunCells.length,
  };
}

/**
 * Asserts that an exported notebook page is complete and self-contained:
 * the expected number of non-empty charts and of tables, no (or the allowed
 * number of) error outputs, no un-run code cells, no ANSI escape codes, no
 * `file://` or external scripts and stylesheets. Returns the counts.
 * Throws an `AssertionError` naming what is wrong.
 */
export function assertReportHtml(
  html: string,
  expect: ReportExpectation,
): ReportCounts {
  const fail = (message: string): never => {
    throw new AssertionError({ message: `exported HTML: ${message}` });
  };
  if (!/^\s*<!DOCTYPE html>/i.test(html)) fail("not a full HTML page");
  // nbconvert turns ANSI codes in outputs into <span class="ansi-…">.
  // deno-lint-ignore no-control-regex
  if (/\x1b\[|class="ansi-/.test(html)) fail("contains ANSI escape codes");
  const scripts = html.match(/<script[^>]*\ssrc="[^"]*"/g) ?? [];
  if (scripts.length > 0) {
    fail(`loads scripts (${scripts.join(", ")}); the page must stand alone`);
  }
  const links = html.match(/<link[^>]*rel="stylesheet"[^>]*>/g) ?? [];
  if (links.length > 0) fail(`links stylesheets (${links.join(", ")})`);
  if (!/<style[^>]*>[\s\S]*\.jp-OutputArea/.test(html)) {
    fail("has no inlined JupyterLab CSS");
  }
  const counts = countReportHtml(html);
  const ok = (have: number, want: number) =>
    expect.atLeast ? have >= want : have === want;
  if (!ok(counts.charts, expect.charts)) {
    fail(
      `${counts.charts} charts; expected ${
        expect.atLeast ? "at least " : ""
      }${expect.charts}`,
    );
  }
  if (!ok(counts.tables, expect.tables)) {
    fail(
      `${counts.tables} tables; expected ${
        expect.atLeast ? "at least " : ""
      }${expect.tables}`,
    );
  }
  if (counts.errors !== (expect.errors ?? 0)) {
    fail(`${counts.errors} error outputs; expected ${expect.errors ?? 0}`);
  }
  if (counts.unrunCells > 0 && (expect.errors ?? 0) === 0) {
    fail(`${counts.unrunCells} code cells were not run`);
  }
  if (expect.contains && expect.contains.length > 0) {
    const { document } = parseHTML(html) as unknown as {
      document: { body: El };
    };
    const text = document.body.textContent;
    for (const t of expect.contains) {
      if (!text.includes(t)) fail(`does not contain ${JSON.stringify(t)}`);
    }
  }
  return counts;
}
