/**
 * The upstream cleaning pipeline, one exported function per step:
 *
 * ```python
 * txt = str(txt).lower()
 * txt = contractions.fix(txt)
 * txt = re.sub(r'[^a-zA-Z]', ' ', txt)
 * txt = ' '.join(txt.split())
 * # then: drop NLTK English stopwords
 * ```
 *
 * {@link cleanText} / {@link makeCleaner} apply a list of
 * {@link CleaningStep} names in the given order.
 *
 * @module
 */

import type { CleaningStep } from "../config.ts";
import type { ContractionFixer } from "./contractions.ts";
import { pyCollapse, removeStopwords } from "./stopwords.ts";

/** Every step name, in the upstream's order. */
export const CLEANING_STEPS: readonly CleaningStep[] = [
  "lowercase",
  "contractions",
  "keepLetters",
  "collapseWhitespace",
  "stopwords",
];

/** What the steps need besides the text. */
export interface CleaningResources {
  /** Needed by the `"stopwords"` step. */
  stopwords?: ReadonlySet<string>;
  /** Needed by the `"contractions"` step. */
  contractions?: ContractionFixer;
}

/**
 * Python `str(txt).lower()`. JavaScript's `toLowerCase` uses the same
 * Unicode full case mapping (e.g. "İ" → "i̇").
 */
export function lowercase(text: string): string {
  return text.toLowerCase();
}

/**
 * `re.sub(r'[^a-zA-Z]', ' ', txt)`: every code point that is not an ASCII
 * letter (digits, punctuation, '£', accented letters, newlines) becomes one
 * space.
 */
export function keepLetters(text: string): string {
  // Replacing whole runs is several times faster than one match per
  // character; a run is as many spaces as it has code points.
  return text.replace(/[^a-zA-Z]+/g, (run) => " ".repeat(codePoints(run)));
}

function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** `' '.join(txt.split())`: trims and collapses Python whitespace to single spaces. */
export function collapseWhitespace(text: string): string {
  return pyCollapse(text);
}

/** A compiled pipeline: text in, cleaned text out. */
export type Cleaner = (text: string) => string;

/**
 * Compiles `steps` into one function, checking step names and resources
 * once.
 *
 * @param steps step names, applied in this order (repeats allowed)
 * @param resources stopword set and/or contraction matcher, as the steps need
 * @throws Error naming an unknown step, or a step whose resource is missing
 */
export function makeCleaner(
  steps: readonly CleaningStep[],
  resources: CleaningResources = {},
): Cleaner {
  const fns: Cleaner[] = steps.map((step, i) => {
    switch (step) {
      case "lowercase":
        return lowercase;
      case "keepLetters":
        return keepLetters;
      case "collapseWhitespace":
        return collapseWhitespace;
      case "contractions": {
        const fixer = resources.contractions;
        if (!fixer) {
          throw new Error(
            `Cleaning step "contractions" (steps[${i}]) needs resources.contractions: load it with loadTextResources()`,
          );
        }
        return (t: string) => fixer.fix(t);
      }
      case "stopwords": {
        const stop = resources.stopwords;
        if (!stop) {
          throw new Error(
            `Cleaning step "stopwords" (steps[${i}]) needs resources.stopwords: load it with loadTextResources()`,
          );
        }
        return (t: string) => removeStopwords(t, stop);
      }
      default:
        throw new Error(
          `Unknown cleaning step ${
            JSON.stringify(step)
          } (steps[${i}]): expected one of ${CLEANING_STEPS.join(", ")}`,
        );
    }
  });
  return (text: string) => {
    let t = text;
    for (const fn of fns) t = fn(t);
    return t;
  };
}

/**
 * Cleans one text with `steps` in order. For many texts, build the cleaner
 * once with {@link makeCleaner}.
 *
 * @throws Error as {@link makeCleaner}
 */
export function cleanText(
  text: string,
  steps: readonly CleaningStep[],
  resources: CleaningResources = {},
): string {
  return makeCleaner(steps, resources)(text);
}
