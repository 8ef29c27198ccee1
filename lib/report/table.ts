/**
 * Tables for notebooks and exported reports: one call gives an object that
 * shows as an HTML table in Jupyter and as aligned plain text elsewhere.
 * Numbers get a fixed number of decimals; a {@link MeanSd} cell shows as
 * "mean ± sd".
 *
 * @module
 */

import { escapeHtml, HtmlOutput } from "./display.ts";
import { fixed, formatMeanSd, type MeanSd } from "./stats.ts";

/** What a table cell may hold. `null`/`undefined` show as an em dash. */
export type CellValue = string | number | MeanSd | null | undefined;

/** One column: its header and how to read the value from a row. */
export interface Column<Row> {
  /** Header text (escaped; plain text, not HTML). */
  header: string;
  /** A property name of the row, or a function computing the cell. */
  value: (keyof Row & string) | ((row: Row) => CellValue);
  /**
   * Decimals for numbers and mean ± sd cells. Set here, it applies to
   * integers too (1 → "1.0"); from the table's default, integers print
   * bare. @default the table's `digits`
   */
  digits?: number;
  /**
   * Horizontal alignment. @default "right" when the column's first non-empty
   * cell is a number or mean ± sd, else "left"
   */
  align?: "left" | "right";
}

/** Options of {@link table}. */
export interface TableOptions {
  /** Shown above the table (HTML `<caption>`, first text line). */
  title?: string;
  /** A note shown under the table, e.g. what ± means. */
  note?: string;
  /** Default decimals for numeric cells. @default 4 */
  digits?: number;
}

/** A rendered table: `html`, `text`, and its size for tests. */
export class Table extends HtmlOutput {
  /** Body rows rendered. */
  readonly rowCount: number;
  /** Columns rendered. */
  readonly columnCount: number;

  /** Use {@link table} to build one. */
  constructor(
    html: string,
    text: string,
    rowCount: number,
    columnCount: number,
  ) {
    super(html, text);
    this.rowCount = rowCount;
    this.columnCount = columnCount;
  }
}

function isMeanSd(v: unknown): v is MeanSd {
  return typeof v === "object" && v !== null && "mean" in v && "sd" in v;
}

function formatCell(
  v: CellValue,
  digits: number,
  forceDigits: boolean,
): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") {
    return Number.isInteger(v) && !forceDigits ? String(v) : fixed(v, digits);
  }
  if (isMeanSd(v)) return formatMeanSd(v, digits);
  return v;
}

/**
 * Renders `rows` as a table with the given `columns`, in row order.
 *
 * Integers print as they are (unless the column sets `digits`); other
 * numbers with `digits` decimals. Throws
 * when `columns` is empty or a named property is missing from a row (the
 * message names the row index and the column).
 *
 * @example
 * ```ts
 * table(
 *   [{ name: "post", acc: meanSd([0.95, 0.96]) }],
 *   [{ header: "experiment", value: "name" }, { header: "val acc", value: "acc" }],
 * );
 * ```
 */
export function table<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  options: TableOptions = {},
): Table {
  const digits = options.digits ?? 4;
  if (columns.length === 0) {
    throw new Error("table(): columns is empty; expected at least one column");
  }
  const raw: CellValue[][] = rows.map((row, i) =>
    columns.map((col) => {
      if (typeof col.value === "function") return col.value(row);
      if (
        typeof row !== "object" || row === null || !(col.value in row)
      ) {
        throw new Error(
          `table(): row ${i} has no property "${col.value}" (column "${col.header}")`,
        );
      }
      return (row as Record<string, CellValue>)[col.value];
    })
  );
  const texts = raw.map((cells) =>
    cells.map((v, j) =>
      formatCell(
        v,
        columns[j].digits ?? digits,
        columns[j].digits !== undefined,
      )
    )
  );
  const aligns = columns.map((col, j) => {
    if (col.align) return col.align;
    const first = raw.find((cells) =>
      cells[j] !== null && cells[j] !== undefined
    )
      ?.[j];
    return typeof first === "number" || isMeanSd(first) ? "right" : "left";
  });

  // HTML. Inline styles so the table looks the same in JupyterLab, in the
  // nbconvert export and in a bare page; overflow-x keeps wide tables from
  // pushing the page sideways.
  // Numbers stay on one line; long text wraps instead of widening the table.
  const longText = columns.map((_, j) =>
    aligns[j] === "left" && texts.some((row) => row[j].length > 40)
  );
  const cellStyle = (j: number) =>
    `text-align:${aligns[j]};padding:2px 10px;vertical-align:top;${
      longText[j]
        ? "white-space:normal;min-width:14em;max-width:34em"
        : "white-space:nowrap"
    }`;
  const head = columns.map((c, j) =>
    `<th style="${cellStyle(j)};border-bottom:1px solid #999">${
      escapeHtml(c.header)
    }</th>`
  ).join("");
  const body = texts.map((cells) =>
    `<tr>${
      cells.map((t, j) => `<td style="${cellStyle(j)}">${escapeHtml(t)}</td>`)
        .join("")
    }</tr>`
  ).join("\n");
  const caption = options.title === undefined
    ? ""
    : `<caption style="caption-side:top;text-align:left;font-weight:600;padding:0 0 4px 0">${
      escapeHtml(options.title)
    }</caption>`;
  const note = options.note === undefined
    ? ""
    : `<div style="font-size:12px;color:#555;margin-top:4px">${
      escapeHtml(options.note)
    }</div>`;
  const html =
    `<div class="bbc-report-table" style="overflow-x:auto;max-width:100%">` +
    `<table style="border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px;margin:0">` +
    `${caption}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>${note}</div>`;

  // Plain text: columns padded to their widest cell, two spaces apart.
  const headers = columns.map((c) => c.header);
  const widths = headers.map((h, j) =>
    Math.max(h.length, ...texts.map((cells) => cells[j].length))
  );
  const pad = (t: string, j: number) =>
    aligns[j] === "right" ? t.padStart(widths[j]) : t.padEnd(widths[j]);
  const line = (cells: string[]) =>
    cells.map((t, j) => pad(t, j)).join("  ").trimEnd();
  const lines = [
    ...(options.title === undefined ? [] : [options.title]),
    line(headers),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...texts.map(line),
    ...(options.note === undefined ? [] : [options.note]),
  ];
  return new Table(html, lines.join("\n"), rows.length, columns.length);
}
