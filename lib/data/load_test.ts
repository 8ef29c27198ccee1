import assert from "node:assert/strict";
import {
  DataError,
  loadLabelled,
  loadSampleSolution,
  loadTest,
} from "./load.ts";
import { LABELS } from "./labels.ts";

/** Writes `content` to a fresh temp file, runs `fn` on its path, cleans up. */
function withCsv<T>(content: string | Uint8Array, fn: (path: string) => T): T {
  const dir = Deno.makeTempDirSync({ prefix: "load_test_" });
  const path = `${dir}/data.csv`;
  try {
    if (typeof content === "string") Deno.writeTextFileSync(path, content);
    else Deno.writeFileSync(path, content);
    return fn(path);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Asserts that `fn` throws a DataError whose message contains every part. */
function throwsDataError(
  fn: () => unknown,
  parts: (string | RegExp)[],
  fields: Partial<Pick<DataError, "row" | "line" | "column" | "byteOffset">> =
    {},
): DataError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DataError, `expected a DataError, got ${caught}`);
  for (const p of parts) {
    if (typeof p === "string") {
      assert.ok(caught.message.includes(p), `"${p}" not in: ${caught.message}`);
    } else {
      assert.match(caught.message, p);
    }
  }
  for (const [k, v] of Object.entries(fields)) {
    assert.equal(caught[k as keyof DataError], v, `field ${k}`);
  }
  return caught;
}

const HEADER = "ArticleId,Text,Category\n";

Deno.test("loadLabelled() reads a small file into a frame and parallel arrays", () => {
  const csv = HEADER +
    '10,"first, with a comma",sport\n' +
    '7,"says ""hi""\nand a second line",tech\n' +
    "3,plain text,business\n";
  withCsv(csv, (path) => {
    const d = loadLabelled(path);
    assert.equal(d.path, path);
    assert.deepEqual(d.articleIds, [10, 7, 3]);
    assert.deepEqual(d.texts, [
      "first, with a comma",
      'says "hi"\nand a second line',
      "plain text",
    ]);
    assert.deepEqual(d.categories, ["sport", "tech", "business"]);
    assert.deepEqual(d.frame.columns, ["ArticleId", "Text", "Category"]);
    assert.deepEqual(d.frame.dtypes.map(String), [
      "DataType(Int64)",
      "DataType(String)",
      "DataType(String)",
    ]);
    assert.deepEqual(d.frame.getColumn("ArticleId").toArray(), [10, 7, 3]);
    assert.deepEqual(d.frame.getColumn("Text").toArray(), d.texts);
  });
});

Deno.test("loadLabelled() accepts a BOM and CRLF line endings and skips blank lines", () => {
  const csv = "\uFEFF" + HEADER.replace("\n", "\r\n") +
    "1,one,tech\r\n\r\n2,two,sport\r\n\r\n";
  withCsv(csv, (path) => {
    const d = loadLabelled(path);
    assert.deepEqual(d.articleIds, [1, 2]);
    assert.deepEqual(d.texts, ["one", "two"]);
    assert.deepEqual(d.categories, ["tech", "sport"]);
  });
});

Deno.test("loadLabelled() counts data rows and file lines separately after a multi-line field", () => {
  // Data row 1 spans file lines 2-4; data row 2 starts on file line 5.
  const csv = HEADER + '1,"line a\nline b\nline c",tech\n2,fine,Sprot\n';
  withCsv(csv, (path) => {
    throwsDataError(
      () => loadLabelled(path),
      [
        path,
        "data row 2 (file line 5)",
        'column "Category"',
        '"Sprot"',
        "business, entertainment, politics, sport, tech",
      ],
      { row: 2, line: 5, column: "Category" },
    );
  });
});

Deno.test("loadLabelled() rejects a wrongly cased category and suggests the label", () => {
  withCsv(HEADER + "1,text,tech\n2,text,Sport\n", (path) => {
    throwsDataError(() => loadLabelled(path), [
      "data row 2 (file line 3)",
      'did you mean "sport"?',
    ]);
  });
});

Deno.test("loadLabelled() names the file when it does not exist", () => {
  const path = "/nonexistent/dir/train.csv";
  throwsDataError(() => loadLabelled(path), [path, "file not found"]);
});

Deno.test("loadLabelled() names a renamed column and the column it looks like", () => {
  withCsv("ArticleId,Text,category\n1,text,tech\n", (path) => {
    throwsDataError(
      () => loadLabelled(path),
      [
        'missing column "Category"',
        '"ArticleId", "Text", "category"',
        'the column "category" looks like "Category"',
      ],
      { line: 1 },
    );
  });
  withCsv("ArticleId,Txt,Category\n1,text,tech\n", (path) => {
    throwsDataError(() => loadLabelled(path), [
      'missing column "Text"',
      'the column "Txt" looks like "Text"',
    ]);
  });
});

Deno.test("loadLabelled() lists the expected columns when one is missing outright", () => {
  withCsv("ArticleId,Text\n1,text\n", (path) => {
    throwsDataError(() => loadLabelled(path), [
      'missing column "Category"',
      "expected the columns ArticleId, Text, Category",
    ]);
  });
});

Deno.test("loadTest() rejects an unexpected column and hints at loadLabelled()", () => {
  withCsv(HEADER + "1,text,tech\n", (path) => {
    throwsDataError(() => loadTest(path), [
      'unexpected column "Category"',
      "expected exactly the columns ArticleId, Text",
      "loadLabelled()",
    ]);
  });
});

Deno.test("loadLabelled() rejects a repeated column name", () => {
  withCsv("ArticleId,Text,Text,Category\n1,a,b,tech\n", (path) => {
    throwsDataError(() => loadLabelled(path), [
      'column "Text" appears more than once',
    ]);
  });
});

Deno.test("loadLabelled() rejects empty and whitespace-only texts naming the row", () => {
  withCsv(HEADER + "1,ok,tech\n2,,sport\n", (path) => {
    throwsDataError(() => loadLabelled(path), ["Text is empty"], {
      row: 2,
      line: 3,
      column: "Text",
    });
  });
  withCsv(HEADER + '1,ok,tech\n2,"",sport\n', (path) => {
    throwsDataError(() => loadLabelled(path), ["Text is empty"], { row: 2 });
  });
  withCsv(HEADER + '1,"  \n ",tech\n', (path) => {
    throwsDataError(() => loadLabelled(path), ["Text is whitespace only"], {
      row: 1,
      line: 2,
    });
  });
});

Deno.test("loadLabelled() names both rows of a duplicated ArticleId", () => {
  withCsv(HEADER + '5,a,tech\n6,"b\nb",tech\n5,c,sport\n', (path) => {
    throwsDataError(
      () => loadLabelled(path),
      [
        "duplicate ArticleId 5",
        "data row 3 (file line 5)",
        "also appears in data row 1 (file line 2)",
      ],
      { row: 3, line: 5, column: "ArticleId" },
    );
  });
});

Deno.test("loadLabelled() rejects non-integer and missing ArticleIds", () => {
  for (const bad of ["12a", "1.5", "-3", " 4", "1e3"]) {
    withCsv(HEADER + `1,a,tech\n${bad},b,tech\n`, (path) => {
      throwsDataError(
        () => loadLabelled(path),
        ["ArticleId must be a whole number", JSON.stringify(bad)],
        { row: 2, column: "ArticleId" },
      );
    });
  }
  withCsv(HEADER + ",b,tech\n", (path) => {
    throwsDataError(() => loadLabelled(path), ["ArticleId is missing"], {
      row: 1,
    });
  });
});

Deno.test("loadLabelled() reports non-UTF-8 bytes with row, line, column and byte offset", () => {
  const enc = new TextEncoder();
  // A Latin-1 "£" (0xA3) in the text of data row 2, which starts on file
  // line 4 because data row 1 holds a two-line quoted field.
  const before = enc.encode(HEADER + '1,"two\nlines",tech\n2,price ');
  const bytes = new Uint8Array([
    ...before,
    0xa3,
    ...enc.encode("5,business\n"),
  ]);
  withCsv(bytes, (path) => {
    throwsDataError(
      () => loadLabelled(path),
      ["not valid UTF-8", "(byte 0xA3)", "data row 2 (file line 4)"],
      { row: 2, line: 4, column: "Text", byteOffset: before.length },
    );
  });
  // A truncated multi-byte sequence in the header.
  withCsv(new Uint8Array([...enc.encode("Article"), 0xe2, 0x82]), (path) => {
    throwsDataError(() => loadLabelled(path), ["not valid UTF-8"], {
      line: 1,
      byteOffset: 7,
    });
  });
});

Deno.test("loadLabelled() rejects a row with the wrong number of fields", () => {
  withCsv(HEADER + "1,a,tech\n2,b,c,tech\n", (path) => {
    throwsDataError(
      () => loadLabelled(path),
      ["has 4 fields but the header has 3"],
      { row: 2, line: 3 },
    );
  });
  withCsv(HEADER + "1,a,tech\n   \n", (path) => {
    throwsDataError(() => loadLabelled(path), ["has 1 field but"], {
      row: 2,
    });
  });
});

Deno.test("loadLabelled() reports an unterminated quote with the line where it opened", () => {
  withCsv(HEADER + '1,a,tech\n2,"never closed,tech\n3,c,tech\n', (path) => {
    throwsDataError(
      () => loadLabelled(path),
      ["opened on file line 3 is never closed"],
      { row: 2, line: 3 },
    );
  });
});

Deno.test("loadLabelled() rejects text after a closing quote and bare CR line endings", () => {
  withCsv(HEADER + '1,"a"b,tech\n', (path) => {
    throwsDataError(() => loadLabelled(path), [
      "unexpected text after a closing quote",
    ], { row: 1 });
  });
  withCsv("ArticleId,Text,Category\r1,a,tech\r", (path) => {
    throwsDataError(() => loadLabelled(path), ["bare carriage return"], {
      line: 1,
      byteOffset: 23,
    });
  });
});

Deno.test("loadLabelled() rejects an empty file and accepts a header-only file", () => {
  withCsv("", (path) => {
    throwsDataError(() => loadLabelled(path), [
      "the file is empty",
      "ArticleId,Text,Category",
    ]);
  });
  withCsv(HEADER, (path) => {
    const d = loadLabelled(path);
    assert.equal(d.articleIds.length, 0);
    assert.equal(d.frame.height, 0);
  });
});

Deno.test("limit returns the first rows but still validates the whole file", () => {
  const csv = HEADER + "1,a,tech\n2,b,sport\n3,c,politics\n";
  withCsv(csv, (path) => {
    const d = loadLabelled(path, { limit: 2 });
    assert.deepEqual(d.articleIds, [1, 2]);
    assert.deepEqual(d.texts, ["a", "b"]);
    assert.deepEqual(d.categories, ["tech", "sport"]);
    assert.equal(d.frame.height, 2);
    assert.equal(loadLabelled(path, { limit: 99 }).articleIds.length, 3);
    assert.throws(() => loadLabelled(path, { limit: 0 }), /"limit"/);
    assert.throws(() => loadLabelled(path, { limit: 1.5 }), /"limit"/);
  });
  withCsv(HEADER + "1,a,tech\n2,b,weather\n", (path) => {
    throwsDataError(() => loadLabelled(path, { limit: 1 }), ["weather"]);
  });
});

Deno.test("loadSampleSolution() reads ArticleId and Category", () => {
  withCsv("ArticleId,Category\n4,sport\n9,tech\n", (path) => {
    const s = loadSampleSolution(path);
    assert.deepEqual(s.articleIds, [4, 9]);
    assert.deepEqual(s.categories, ["sport", "tech"]);
    assert.deepEqual(s.frame.columns, ["ArticleId", "Category"]);
  });
});

// The real files (data/bbc, set up by `deno task setup`). Expected numbers
// are the upstream analysis in shared/reference/upstream-results.md §4.

Deno.test("loadLabelled() reads the real train.csv: 1490 rows, unique ids, upstream class counts", () => {
  const d = loadLabelled();
  assert.equal(d.articleIds.length, 1490);
  assert.equal(d.texts.length, 1490);
  assert.equal(d.frame.height, 1490);
  assert.equal(new Set(d.articleIds).size, 1490);
  assert.equal(Math.min(...d.articleIds), 2);
  assert.equal(Math.max(...d.articleIds), 2224);
  const counts = Object.fromEntries(LABELS.map((l) => [l, 0]));
  for (const c of d.categories) counts[c]++;
  assert.deepEqual(counts, {
    business: 336,
    entertainment: 273,
    politics: 274,
    sport: 346,
    tech: 261,
  });
  // First row of the file, and no CR left over from its CRLF endings.
  assert.equal(d.articleIds[0], 1833);
  assert.ok(d.texts[0].startsWith("worldcom ex-boss launches defence"));
  assert.ok(d.texts.every((t) => !t.includes("\r")));
});

Deno.test("loadTest() and loadSampleSolution() read the real files: 735 rows each, same ids in order", () => {
  const t = loadTest();
  const s = loadSampleSolution();
  assert.equal(t.articleIds.length, 735);
  assert.equal(new Set(t.articleIds).size, 735);
  assert.equal(Math.min(...t.articleIds), 1);
  assert.equal(Math.max(...t.articleIds), 2225);
  assert.deepEqual(s.articleIds, t.articleIds);
  // The sample solution is a fixed 5-cycle, not labels (upstream §4).
  assert.deepEqual(s.categories.slice(0, 5), [
    "sport",
    "tech",
    "business",
    "entertainment",
    "politics",
  ]);
  assert.ok(s.categories.every((c, i) => c === s.categories[i % 5]));
  // No ArticleId is in both train and test.
  const train = new Set(loadLabelled().articleIds);
  assert.equal(t.articleIds.filter((id) => train.has(id)).length, 0);
});
