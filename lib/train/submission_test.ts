import assert from "node:assert/strict";
import { submissionCsv, writeSubmission } from "./submission.ts";

Deno.test("submissionCsv() writes ArticleId,Category rows in order", () => {
  assert.equal(
    submissionCsv([{ articleId: 1018, category: "sport" }, {
      articleId: 1319,
      category: "tech",
    }]),
    "ArticleId,Category\n1018,sport\n1319,tech\n",
  );
});

Deno.test("submissionCsv() rejects unknown categories and duplicate ids, naming the row", () => {
  assert.throws(
    () => submissionCsv([{ articleId: 1, category: "weather" }]),
    /row 1: category "weather" is not one of business/,
  );
  assert.throws(
    () =>
      submissionCsv([{ articleId: 1, category: "tech" }, {
        articleId: 1,
        category: "sport",
      }]),
    /row 2: ArticleId 1 appears twice/,
  );
});

Deno.test("writeSubmission() checks the test ids and writes atomically", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const run = {
      testPredictions: [{ articleId: 3, category: "politics" }, {
        articleId: 1,
        category: "business",
      }],
    };
    await assert.rejects(
      () => writeSubmission(`${dir}/s.csv`, run, [1, 3]),
      /expected the 2 test ids in file order/,
    );
    await writeSubmission(`${dir}/s.csv`, run, [3, 1]);
    assert.equal(
      await Deno.readTextFile(`${dir}/s.csv`),
      "ArticleId,Category\n3,politics\n1,business\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
