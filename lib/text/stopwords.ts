/**
 * The NLTK English stopword list and the stopword-removal step.
 *
 * The upstream built `set(nltk.corpus.stopwords.words('english'))`; the
 * data asset `nltk-stopwords-english.txt` is that list (179 words, the
 * version NLTK served from 2017-12 until early 2025; see
 * shared/data/SOURCES.md).
 *
 * @module
 */

/** One run of Python `str.split()` whitespace (Unicode White_Space plus \x1c–\x1f, not U+FEFF). */
const PY_WS_RUN =
  // \x1c–\x1f are whitespace to Python's str.split().
  // deno-lint-ignore no-control-regex
  /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;

/**
 * Python `' '.join(text.split())`: every run of Python whitespace becomes
 * one space, and leading/trailing whitespace is removed.
 */
export function pyCollapse(text: string): string {
  let s = text.replace(PY_WS_RUN, " ");
  if (s.startsWith(" ")) s = s.slice(1);
  if (s.endsWith(" ")) s = s.slice(0, -1);
  return s;
}

/**
 * Python `str.split()` with no argument: splits on runs of whitespace and
 * drops empty pieces (so leading/trailing whitespace gives no tokens).
 */
export function pySplit(text: string): string[] {
  const s = pyCollapse(text);
  return s.length === 0 ? [] : s.split(" ");
}

/**
 * Parses a stopword file: one word per line, LF or CRLF; blank lines are
 * ignored.
 *
 * @param content the file's text
 * @param source file name used in error messages
 * @returns the set of words
 * @throws Error when the file holds no words or a line contains whitespace
 */
export function parseStopwords(
  content: string,
  source = "stopword list",
): Set<string> {
  const words = new Set<string>();
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const w = lines[i];
    if (w.length === 0) continue;
    if (pySplit(w).length !== 1 || pySplit(w)[0] !== w) {
      throw new Error(
        `${source}, line ${i + 1}: expected one word without spaces, got ${
          JSON.stringify(w)
        }`,
      );
    }
    words.add(w);
  }
  if (words.size === 0) {
    throw new Error(`${source}: expected one word per line, found none`);
  }
  return words;
}

/**
 * Drops every token that is in `stopwords`. Tokens are split like Python's
 * `str.split()` and re-joined with single spaces, so on the upstream's
 * already-collapsed text this equals
 * `' '.join(w for w in text.split() if w not in stop)`.
 * Matching is exact (case-sensitive), as in the upstream, which lower-cased
 * first.
 */
export function removeStopwords(
  text: string,
  stopwords: ReadonlySet<string>,
): string {
  return pySplit(text).filter((w) => !stopwords.has(w)).join(" ");
}
