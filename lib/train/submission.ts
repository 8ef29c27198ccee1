/**
 * The Kaggle submission file: `ArticleId,Category`, one row per test
 * article in the test file's order, written atomically.
 *
 * @module
 */

import { LABELS } from "../data/labels.ts";
import { writeFileAtomic } from "../data/download.ts";
import type { RunRecord } from "./record.ts";

/** CSV text of the predictions; throws on an unknown category or duplicate id. */
export function submissionCsv(
  predictions: readonly { articleId: number; category: string }[],
): string {
  const seen = new Set<number>();
  const lines = ["ArticleId,Category"];
  predictions.forEach(({ articleId, category }, i) => {
    if (!Number.isInteger(articleId)) {
      throw new Error(
        `Submission row ${i + 1}: ArticleId ${articleId} is not an integer`,
      );
    }
    if (seen.has(articleId)) {
      throw new Error(
        `Submission row ${i + 1}: ArticleId ${articleId} appears twice`,
      );
    }
    if (!(LABELS as readonly string[]).includes(category)) {
      throw new Error(
        `Submission row ${i + 1}: category "${category}" is not one of ${
          LABELS.join(", ")
        }`,
      );
    }
    seen.add(articleId);
    lines.push(`${articleId},${category}`);
  });
  return lines.join("\n") + "\n";
}

/**
 * Writes the test predictions of `run` to `path`. With `expectedIds`, checks
 * that they cover exactly those ids in that order (the test file's).
 */
export async function writeSubmission(
  path: string,
  run: Pick<RunRecord, "testPredictions">,
  expectedIds?: readonly number[],
): Promise<void> {
  if (expectedIds) {
    const got = run.testPredictions.map((p) => p.articleId);
    if (
      got.length !== expectedIds.length ||
      got.some((id, i) => id !== expectedIds[i])
    ) {
      throw new Error(
        `Submission for ${path}: predictions cover ${got.length} ids, expected the ${expectedIds.length} test ids in file order`,
      );
    }
  }
  await writeFileAtomic(
    path,
    new TextEncoder().encode(submissionCsv(run.testPredictions)),
  );
}
