/**
 * Reports: charts (Observable Plot, rendered server-side), tables, a live
 * training-progress display, and the Jupyter display plumbing they share.
 * Every renderer returns an object that shows as `text/html` in the Deno
 * Jupyter kernel and also exposes its markup (`html`, and `svgs` for charts)
 * and a plain-text fallback (`text`).
 *
 * Inputs are plain data: run records (`lib/train/record.ts`) or the few
 * fields a chart reads from them. Nothing here prints.
 *
 * @module
 */

export * from "./display.ts";
export * from "./stats.ts";
export * from "./table.ts";
export * from "./plot.ts";
export * from "./progress.ts";
