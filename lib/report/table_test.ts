import assert from "node:assert/strict";
import { meanSd } from "./stats.ts";
import { table } from "./table.ts";

const rows = [
  { name: "01_post_padding", acc: meanSd([0.95, 0.96, 0.94]), epochs: 31 },
  { name: "05 <torch>", acc: meanSd([0.2114]), epochs: 60 },
];

Deno.test("table() renders rows, headers and mean ± sd cells as HTML", () => {
  const t = table(rows, [
    { header: "experiment", value: "name" },
    { header: "val acc", value: "acc" },
    { header: "epochs", value: "epochs" },
  ], { title: "Summary", note: "± is one sample sd" });
  assert.equal(t.rowCount, 2);
  assert.equal(t.columnCount, 3);
  assert.equal((t.html.match(/<tr>/g) ?? []).length, 3); // header + 2 rows
  assert.equal((t.html.match(/<th /g) ?? []).length, 3);
  assert.match(t.html, /<caption[^>]*>Summary<\/caption>/);
  assert.match(t.html, />0\.9500 ± 0\.0100</);
  assert.match(t.html, />0\.2114</); // one seed: no ±
  assert.match(t.html, />05 &lt;torch&gt;</); // escaped
  assert.match(t.html, /text-align:right[^>]*>31</);
  assert.match(t.html, /text-align:left[^>]*>01_post_padding</);
  assert.match(t.html, /± is one sample sd/);
});

Deno.test("table() plain text aligns columns", () => {
  const t = table(rows, [
    { header: "experiment", value: "name" },
    { header: "val acc", value: (r) => r.acc, digits: 3 },
  ]);
  assert.equal(
    t.text,
    [
      "experiment             val acc",
      "---------------  -------------",
      "01_post_padding  0.950 ± 0.010",
      "05 <torch>               0.211",
    ].join("\n"),
  );
});

Deno.test("table() shows missing values as a dash and integers unpadded", () => {
  const t = table([{ a: null, b: 3, c: 0.5 }], [
    { header: "a", value: "a" },
    { header: "b", value: "b" },
    { header: "c", value: "c", digits: 2 },
  ]);
  assert.equal(t.text.split("\n")[2], "—  3  0.50");
  const forced = table([{ s: 2 }], [{ header: "s", value: "s", digits: 1 }]);
  assert.equal(forced.text.split("\n")[2], "2.0");
});

Deno.test("table() throws naming the row and column of a missing property", () => {
  assert.throws(
    () => table([{ a: 1 }, {} as { a: number }], [{ header: "A", value: "a" }]),
    /row 1 has no property "a" \(column "A"\)/,
  );
  assert.throws(() => table([{ a: 1 }], []), /columns is empty/);
});
