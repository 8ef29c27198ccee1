import assert from "node:assert/strict";
import { checkNotebooks, joinCells, locate } from "../tools/check_notebooks.ts";
import { REPO_ROOT } from "../tools/jupyter_env.ts";

function nb(cells: [string, string, number | null][]) {
  return {
    cells: cells.map(([cell_type, source, execution_count]) => ({
      cell_type,
      source,
      execution_count,
      metadata: {},
      outputs: [],
    })),
    metadata: {},
    nbformat: 4,
    nbformat_minor: 5,
  };
}

Deno.test("joinCells() joins code cells in order and maps lines back to cells", () => {
  const j = joinCells(
    nb([
      ["markdown", "# Title", null],
      ["code", "const a = 1;\nconst b = a + 1", 1],
      ["code", "", null],
      ["code", "b", null],
    ]),
  );
  assert.match(
    j.source,
    /const b = a \+ 1\n;\n\/\/ --- cell 3 \(code cell 2\) ---/,
  );
  assert.match(j.source, /export \{\};\n$/);
  const lines = j.source.split("\n");
  const [first, , third] = j.spans;
  assert.equal(lines[first.firstLine - 1], "const a = 1;");
  assert.equal(lines[third.firstLine - 1], "b");
  assert.equal(
    locate(j.spans, first.firstLine + 1),
    "cell 2 (code cell 1), line 2",
  );
  assert.equal(
    locate(j.spans, third.firstLine),
    "cell 4 (code cell 3), line 1",
  );
  assert.match(locate(j.spans, 1), /outside any cell/);
  // The empty cell is not "un-run"; the last one is.
  assert.deepEqual(j.unrun, [3]);
  assert.throws(() => joinCells({}, "x.ipynb"), /x\.ipynb: not a notebook/);
});

Deno.test("checkNotebooks() reports type errors by notebook and cell, and un-run cells", async () => {
  // Inside the repo, so the joined files find deno.json like the kernel does.
  const base = `${REPO_ROOT}/jupyter/runtime`;
  await Deno.mkdir(base, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: base, prefix: "nbcheck-" });
  try {
    const good = `${dir}/good.ipynb`;
    const bad = `${dir}/bad.ipynb`;
    await Deno.writeTextFile(
      good,
      JSON.stringify(nb([
        ["code", `import { fixed } from "../../../lib/report/mod.ts";`, 1],
        ["code", `const n = await Promise.resolve(2);\nfixed(n)`, 2],
      ])),
    );
    await Deno.writeTextFile(
      bad,
      JSON.stringify(nb([
        ["markdown", "# Bad", null],
        ["code", `const n: number = 1;`, 1],
        ["code", `const s = "x";\nconst m: number = s;`, null],
      ])),
    );
    const results = await checkNotebooks([good, bad], { requireOutputs: true });
    const byName = Object.fromEntries(results.map((r) => [r.notebook, r]));
    assert.deepEqual(byName[good].errors, []);
    assert.deepEqual(byName[good].unrun, []);
    assert.equal(byName[bad].errors.length, 1);
    assert.match(byName[bad].errors[0], /TS2322/);
    assert.match(
      byName[bad].errors[0],
      new RegExp(
        `${bad.replace(/[.]/g, "\\.")} cell 3 \\(code cell 2\\), line 2:7`,
      ),
    );
    assert.deepEqual(byName[bad].unrun, [2]);
    // The temporary joined files are gone.
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(left, ["bad.ipynb", "good.ipynb"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
