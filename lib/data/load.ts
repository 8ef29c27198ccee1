/**
 * Reading the BBC News CSVs into polars DataFrames and plain arrays, with
 * every problem reported as a {@link DataError} that names the file, the
 * row, the column and what was expected.
 *
 * Parsing is done by nodejs-polars. Before polars sees the bytes, this
 * module checks them itself: that they are UTF-8, that quotes are closed,
 * that line endings are LF or CRLF, and that every row has as many fields as
 * the header. It also works out where each row starts in the file, so an
 * error can give both the data-row number and the file line (they differ
 * once a quoted field spans several lines). Polars alone would silently drop
 * extra fields, and its own errors give byte offsets without rows.
 *
 * Conventions used in every message:
 * - "data row N" is 1-based and counts data rows only: data row 1 is the
 *   first row after the header, and data row N is element N − 1 of the
 *   returned arrays (blank lines are skipped and not counted).
 * - "file line L" is the 1-based physical line where that row starts, as an
 *   editor shows it (the header is file line 1).
 * - "byte offset B" is 0-based from the start of the file.
 *
 * @module
 */

import pl from "nodejs-polars";
import { Buffer } from "node:buffer";
import { assetPath } from "./paths.ts";
import { describeUnknownLabel, isLabel, type Label } from "./labels.ts";

/** Where a {@link DataError} happened; everything but `file` is optional. */
export interface DataErrorLocation {
  /** The CSV file path as given. */
  file: string;
  /** 1-based data row (data row 1 is the first row after the header). */
  row?: number;
  /** 1-based file line where that row starts. */
  line?: number;
  /** Column name. */
  column?: string;
  /** 0-based byte offset from the start of the file. */
  byteOffset?: number;
}

/**
 * A problem with a data file. The message is self-contained ("<file>, data
 * row 12 (file line 13), column "Category": …"); the location is also
 * available as fields for programs.
 */
export class DataError extends Error {
  override name = "DataError";
  /** The CSV file path as given. */
  readonly file: string;
  /** 1-based data row, when the problem is in one row. */
  readonly row?: number;
  /** 1-based file line where that row starts. */
  readonly line?: number;
  /** Column name, when the problem is in one column. */
  readonly column?: string;
  /** 0-based byte offset, for byte-level problems. */
  readonly byteOffset?: number;

  /**
   * @param detail what is wrong and what was expected
   * @param where the location, turned into the message prefix
   */
  constructor(
    detail: string,
    where: DataErrorLocation,
    options?: ErrorOptions,
  ) {
    super(`${describeLocation(where)}: ${detail}`, options);
    this.file = where.file;
    this.row = where.row;
    this.line = where.line;
    this.column = where.column;
    this.byteOffset = where.byteOffset;
  }
}

function describeLocation(w: DataErrorLocation): string {
  let s = w.file;
  if (w.row !== undefined && w.line !== undefined) {
    s += `, data row ${w.row} (file line ${w.line})`;
  } else if (w.row !== undefined) {
    s += `, data row ${w.row}`;
  } else if (w.line !== undefined) {
    s += `, file line ${w.line}`;
  }
  if (w.column !== undefined) s += `, column "${w.column}"`;
  if (w.byteOffset !== undefined) s += `, byte offset ${w.byteOffset}`;
  return s;
}

/** Options shared by the loaders. */
export interface LoadOptions {
  /**
   * Return only the first `limit` rows (quick mode); `null` returns all.
   * The whole file is still read and validated, so quick mode rejects the
   * same files as a full run. A limit above the row count returns all rows.
   * @default null
   */
  limit?: number | null;
}

/** The labelled articles (`train.csv`). Arrays are parallel, in file order. */
export interface LabelledData {
  /** Columns ArticleId (Int64), Text (String), Category (String), in file order. */
  frame: pl.DataFrame;
  articleIds: number[];
  texts: string[];
  /** Each one of LABELS (validated). */
  categories: Label[];
  /** The path that was read. */
  path: string;
}

/** The unlabelled articles (`test.csv`). */
export interface UnlabelledData {
  /** Columns ArticleId (Int64), Text (String). */
  frame: pl.DataFrame;
  articleIds: number[];
  texts: string[];
  path: string;
}

/** The Kaggle submission format example (`sample_solution.csv`). */
export interface SampleSolution {
  /** Columns ArticleId (Int64), Category (String). */
  frame: pl.DataFrame;
  articleIds: number[];
  categories: Label[];
  path: string;
}

type ColumnName = "ArticleId" | "Text" | "Category";

/**
 * Reads the labelled articles and checks them: columns ArticleId, Text,
 * Category (any order, no others); ArticleId a whole number, unique; Text
 * not empty or whitespace-only; Category one of the five labels, exactly.
 *
 * @param path defaults to the `train` asset (`data/bbc/train.csv`)
 * @throws DataError for a missing or unreadable file or any bad content
 */
export function loadLabelled(
  path: string = assetPath("train"),
  options: LoadOptions = {},
): LabelledData {
  const t = readTable(path, ["ArticleId", "Text", "Category"], options);
  const categories = t.columns.Category as Label[];
  return {
    frame: pl.DataFrame({
      ArticleId: pl.Series("ArticleId", t.articleIds, pl.Int64),
      Text: pl.Series("Text", t.columns.Text, pl.Utf8),
      Category: pl.Series("Category", categories, pl.Utf8),
    }),
    articleIds: t.articleIds,
    texts: t.columns.Text,
    categories,
    path,
  };
}

/**
 * Reads the unlabelled articles: columns ArticleId and Text, same checks as
 * {@link loadLabelled}.
 *
 * @param path defaults to the `test` asset (`data/bbc/test.csv`)
 * @throws DataError for a missing or unreadable file or any bad content
 */
export function loadTest(
  path: string = assetPath("test"),
  options: LoadOptions = {},
): UnlabelledData {
  const t = readTable(path, ["ArticleId", "Text"], options);
  return {
    frame: pl.DataFrame({
      ArticleId: pl.Series("ArticleId", t.articleIds, pl.Int64),
      Text: pl.Series("Text", t.columns.Text, pl.Utf8),
    }),
    articleIds: t.articleIds,
    texts: t.columns.Text,
    path,
  };
}

/**
 * Reads the sample submission: columns ArticleId and Category, same checks.
 * Its categories are a fixed cycle, a format example and not labels.
 *
 * @param path defaults to the `sampleSolution` asset
 * @throws DataError for a missing or unreadable file or any bad content
 */
export function loadSampleSolution(
  path: string = assetPath("sampleSolution"),
  options: LoadOptions = {},
): SampleSolution {
  const t = readTable(path, ["ArticleId", "Category"], options);
  const categories = t.columns.Category as Label[];
  return {
    frame: pl.DataFrame({
      ArticleId: pl.Series("ArticleId", t.articleIds, pl.Int64),
      Category: pl.Series("Category", categories, pl.Utf8),
    }),
    articleIds: t.articleIds,
    categories,
    path,
  };
}

// ---------------------------------------------------------------------------
// Reading and validation

interface Table {
  articleIds: number[];
  columns: Record<Exclude<ColumnName, "ArticleId">, string[]>;
}

function readTable(
  path: string,
  expected: readonly ColumnName[],
  options: LoadOptions,
): Table {
  const limit = options.limit ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit <= 0)) {
    throw new RangeError(
      `Option "limit" must be null or a positive integer: current value is ${
        String(limit)
      }`,
    );
  }
  const file = readBytes(path);
  // A UTF-8 byte-order mark is legal; polars would glue it to the first
  // column name, so it is cut off here and offsets are shifted back.
  const bomLength = file[0] === 0xef && file[1] === 0xbb && file[2] === 0xbf
    ? 3
    : 0;
  const bytes = file.subarray(bomLength);
  const scan = scanCsv(bytes, bomLength);

  checkUtf8(path, bytes, bomLength, scan);
  if (scan.problem) {
    throw new DataError(scan.problem.detail, {
      file: path,
      ...locate(scan, scan.problem.record),
      byteOffset: scan.problem.byteOffset,
    });
  }
  if (scan.records.length === 0) {
    throw new DataError(
      `the file is empty: expected a header line "${expected.join(",")}"`,
      { file: path },
    );
  }

  let frame: pl.DataFrame;
  try {
    frame = pl.readCSV(Buffer.from(bytes), {
      hasHeader: true,
      inferSchemaLength: 0, // every column as text; this module checks types
    });
  } catch (e) {
    throw new DataError(
      `polars could not parse the file: ${
        e instanceof Error ? e.message.split("\n")[0] : String(e)
      }`,
      { file: path },
      { cause: e },
    );
  }
  if (frame.height !== scan.records.length - 1) {
    // Should not happen: the scanner and polars disagree on the row
    // structure. Report it rather than misnumber rows.
    throw new DataError(
      `polars read ${frame.height} rows but the file has ${
        scan.records.length - 1
      } records after the header; the CSV structure is ambiguous ` +
        `(check quotes)`,
      { file: path },
    );
  }
  checkColumns(path, frame.columns, expected);

  // polars drops surplus fields silently and pads short rows with nulls,
  // so field counts are checked on the scan.
  const width = scan.records[0].fieldStarts.length;
  for (let r = 1; r < scan.records.length; r++) {
    const rec = scan.records[r];
    const n = rec.fieldStarts.length;
    if (!rec.blank && n !== width) {
      throw new DataError(
        `has ${n} field${n === 1 ? "" : "s"} but the header has ${width}: ` +
          `expected ${width} comma-separated values (quote a text that contains commas)`,
        { file: path, ...locate(scan, r) },
      );
    }
  }

  const dataRows: number[] = []; // scan record index of each non-blank row
  for (let r = 1; r < scan.records.length; r++) {
    if (!scan.records[r].blank) dataRows.push(r);
  }
  const raw = (name: string): (string | null)[] =>
    frame.getColumn(name).toArray() as (string | null)[];

  const idsRaw = raw("ArticleId");
  const articleIds: number[] = [];
  const firstRowOfId = new Map<number, number>();
  dataRows.forEach((r, k) => {
    const v = idsRaw[r - 1];
    const where = () => ({
      file: path,
      ...locate(scan, r),
      column: "ArticleId",
    });
    if (v === null || v.trim() === "") {
      throw new DataError(
        "ArticleId is missing: expected a whole number",
        where(),
      );
    }
    const id = Number(v);
    if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(id)) {
      throw new DataError(
        `ArticleId must be a whole number (digits only, below 2**53): found ${
          JSON.stringify(v)
        }`,
        where(),
      );
    }
    const first = firstRowOfId.get(id);
    if (first !== undefined) {
      throw new DataError(
        `duplicate ArticleId ${id}: it also appears in ${
          describeRow(scan, dataRows[first])
        }; expected every ArticleId once`,
        where(),
      );
    }
    firstRowOfId.set(id, k);
    articleIds.push(id);
  });

  const columns = {} as Table["columns"];
  if (expected.includes("Text")) {
    const values = raw("Text");
    columns.Text = dataRows.map((r) => {
      const v = values[r - 1];
      if (v === null || v.trim() === "") {
        throw new DataError(
          v === null || v === ""
            ? "Text is empty: expected the article text"
            : "Text is whitespace only: expected the article text",
          { file: path, ...locate(scan, r), column: "Text" },
        );
      }
      return v;
    });
  }
  if (expected.includes("Category")) {
    const values = raw("Category");
    columns.Category = dataRows.map((r) => {
      const v = values[r - 1];
      if (v === null || !isLabel(v)) {
        throw new DataError(
          `unknown category: ${describeUnknownLabel(v ?? "")}`,
          { file: path, ...locate(scan, r), column: "Category" },
        );
      }
      return v;
    });
  }

  if (limit !== null && limit < articleIds.length) {
    articleIds.length = limit;
    for (const key of Object.keys(columns) as (keyof Table["columns"])[]) {
      columns[key] = columns[key].slice(0, limit);
    }
  }
  return { articleIds, columns };
}

function readBytes(path: string): Uint8Array {
  try {
    return Deno.readFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DataError(
        `file not found (working directory ${Deno.cwd()}). The data assets ` +
          `are copied into place by \`deno task setup\`; set BBC_DATA_DIR to ` +
          `read them from another folder`,
        { file: path },
        { cause: e },
      );
    }
    const why = e instanceof Error ? e.message : String(e);
    throw new DataError(`cannot read the file: ${why}`, { file: path }, {
      cause: e,
    });
  }
}

/** Missing, renamed, duplicated and unexpected columns. */
function checkColumns(
  file: string,
  found: string[],
  expected: readonly ColumnName[],
): void {
  const listFound = found.map((c) => JSON.stringify(c)).join(", ");
  for (const c of found) {
    const m = /^(.*)_duplicated_\d+$/.exec(c);
    if (m && found.includes(m[1])) {
      throw new DataError(
        `column "${m[1]}" appears more than once in the header; expected ` +
          `each of ${expected.join(", ")} once`,
        { file, line: 1 },
      );
    }
  }
  const unexpected = found.filter((c) => !(expected as string[]).includes(c));
  for (const want of expected) {
    if (found.includes(want)) continue;
    const near = closestName(want, unexpected);
    const hint = near === undefined
      ? `expected the columns ${expected.join(", ")}`
      : `the column "${near}" looks like "${want}" (names are matched ` +
        `exactly, including case and spaces): rename it`;
    throw new DataError(
      `missing column "${want}"; the header has ${listFound}; ${hint}`,
      { file, line: 1 },
    );
  }
  if (unexpected.length > 0) {
    const hint = unexpected.includes("Category")
      ? " (a Category column means labelled data: use loadLabelled())"
      : "";
    throw new DataError(
      `unexpected column${unexpected.length > 1 ? "s" : ""} ${
        unexpected.map((c) => JSON.stringify(c)).join(", ")
      }: expected exactly the columns ${expected.join(", ")}${hint}`,
      { file, line: 1 },
    );
  }
}

/**
 * The name in `candidates` most like `target`: equal after lower-casing and
 * dropping non-letters, else within a small edit distance.
 */
function closestName(
  target: string,
  candidates: readonly string[],
): string | undefined {
  const fold = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  const exact = candidates.find((c) => fold(c) === fold(target));
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(target.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(fold(c), fold(target));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance with unit costs, two-row dynamic programme. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        prev[j] + 1,
        cur[j - 1] + 1,
        prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length];
}

// ---------------------------------------------------------------------------
// Byte-level checks

const FATAL_UTF8 = new TextDecoder("utf-8", { fatal: true });

function checkUtf8(
  file: string,
  bytes: Uint8Array,
  bomLength: number,
  scan: Scan,
): void {
  try {
    FATAL_UTF8.decode(bytes);
    return;
  } catch {
    // fall through to locate the first bad byte
  }
  const bad = firstInvalidUtf8(bytes);
  const at = bad < 0 ? undefined : bad + bomLength;
  const record = bad < 0 ? undefined : recordAt(scan, at!);
  const byteHex = bad < 0
    ? ""
    : ` (byte 0x${bytes[bad].toString(16).toUpperCase().padStart(2, "0")})`;
  let column: string | undefined;
  if (record !== undefined && record > 0 && scan.records.length > 0) {
    const starts = scan.records[record].fieldStarts;
    let f = 0;
    while (f + 1 < starts.length && starts[f + 1] <= at!) f++;
    column = headerNames(bytes, bomLength, scan)[f];
  }
  const latin1 = bad >= 0 && bytes[bad] === 0xa3
    ? ' (0xA3 alone is "£" in Latin-1/Windows-1252)'
    : "";
  throw new DataError(
    `the file is not valid UTF-8${byteHex}: expected UTF-8 text; ` +
      `re-save the file as UTF-8${latin1}`,
    {
      file,
      ...(record === undefined ? {} : locate(scan, record)),
      ...(record === undefined && at !== undefined
        ? { line: lineAt(bytes, bad) }
        : {}),
      column,
      byteOffset: at,
    },
  );
}

/**
 * Index of the first byte that breaks UTF-8 (a stray continuation byte, a
 * truncated or overlong sequence, a surrogate or a code point above
 * U+10FFFF), or −1 when the bytes are valid.
 */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (d < min || d > max) return k === 1 ? i : i + k;
    }
    i += need + 1;
  }
  return -1;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) {
    if (bytes[i] === 0x0a) line++;
  }
  return line;
}

// ---------------------------------------------------------------------------
// CSV structure scan (RFC 4180: "," separator, '"' quotes, "" escapes)

interface ScanRecord {
  /** 1-based file line where the record starts. */
  line: number;
  /** Byte offset (in the whole file) of each field's first byte. */
  fieldStarts: number[];
  /** An empty line. */
  blank: boolean;
  /** 1-based data row; 0 for the header and blank lines. */
  row: number;
}

interface Scan {
  /** Records in order; records[0] is the header. */
  records: ScanRecord[];
  /** The first structural problem, if any; records stop before it. */
  problem?: { detail: string; record: number; byteOffset: number };
}

/** Location fields for scan record `r` (0 = header: no data row). */
function locate(scan: Scan, r: number): { row?: number; line: number } {
  const rec = scan.records[r];
  return rec.row > 0 ? { row: rec.row, line: rec.line } : { line: rec.line };
}

function describeRow(scan: Scan, r: number): string {
  const rec = scan.records[r];
  return `data row ${rec.row} (file line ${rec.line})`;
}

/** Index of the record containing byte `offset` (whole-file offsets). */
function recordAt(scan: Scan, offset: number): number | undefined {
  let found: number | undefined;
  for (let r = 0; r < scan.records.length; r++) {
    const start = scan.records[r].fieldStarts[0];
    if (start <= offset) found = r;
    else break;
  }
  return found;
}

function headerNames(
  bytes: Uint8Array,
  bomLength: number,
  scan: Scan,
): string[] {
  const header = scan.records[0];
  const end = scan.records.length > 1
    ? scan.records[1].fieldStarts[0] - bomLength
    : bytes.length;
  const text = new TextDecoder().decode(
    bytes.subarray(header.fieldStarts[0] - bomLength, end),
  ).replace(/\r?\n$/, "");
  return text.split(",").map((s) => s.replace(/^"(.*)"$/, "$1"));
}

/**
 * Finds record and field boundaries in CSV bytes without decoding values.
 * Stops at the first unterminated quote, text after a closing quote, or
 * bare CR line ending, and reports it.
 *
 * @param base added to every reported offset (the BOM length)
 */
function scanCsv(b: Uint8Array, base: number): Scan {
  const QUOTE = 0x22, COMMA = 0x2c, LF = 0x0a, CR = 0x0d;
  const records: ScanRecord[] = [];
  let i = 0;
  let line = 1;
  let row = 0;
  while (i < b.length) {
    const rec: ScanRecord = { line, fieldStarts: [], blank: false, row: 0 };
    const recIndex = records.length;
    const fail = (detail: string, at: number): Scan => ({
      records,
      problem: { detail, record: recIndex, byteOffset: at + base },
    });
    rec.blank = b[i] === LF || (b[i] === CR && b[i + 1] === LF);
    if (records.length > 0 && !rec.blank) rec.row = ++row;
    for (;;) {
      rec.fieldStarts.push(i + base);
      if (b[i] === QUOTE) {
        const open = i;
        const openLine = line;
        i++;
        for (;;) {
          if (i >= b.length) {
            records.push(rec);
            return fail(
              `a quoted field opened on file line ${openLine} is never ` +
                `closed: expected a closing '"' (write a quote inside a ` +
                `quoted field as "")`,
              open,
            );
          }
          if (b[i] === QUOTE) {
            if (b[i + 1] === QUOTE) {
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (b[i] === LF) line++;
          i++;
        }
        const next = b[i];
        if (
          i < b.length && next !== COMMA && next !== LF &&
          !(next === CR && b[i + 1] === LF)
        ) {
          records.push(rec);
          return fail(
            `unexpected text after a closing quote: expected "," or the ` +
              `end of the line (write a quote inside a quoted field as "")`,
            i,
          );
        }
      } else {
        while (i < b.length && b[i] !== COMMA && b[i] !== LF && b[i] !== CR) {
          i++;
        }
      }
      if (i >= b.length) break;
      if (b[i] === COMMA) {
        i++;
        continue;
      }
      if (b[i] === CR) {
        if (b[i + 1] !== LF) {
          records.push(rec);
          return fail(
            "bare carriage return (CR) outside quotes: expected LF or CRLF " +
              "line endings",
            i,
          );
        }
        i++;
      }
      i++; // the LF
      line++;
      break;
    }
    records.push(rec);
  }
  return { records };
}
