/**
 * A re-creation of `contractions.fix(text)` from the pip package
 * `contractions` (kootenpv/contractions, v0.1.72/0.1.73, tables at commit
 * 595188a), with its defaults `leftovers=True, slang=True`, including the
 * matching rules of the `textsearch` package (kootenpv/textsearch 0.0.2x)
 * that does the actual search and replace.
 *
 * Everything below was re-derived by reading the two Python sources
 * (`contractions/__init__.py` of the 0.1.7x line, the version whose safety
 * list contains "who're" and "o'", and `textsearch/__init__.py`) plus the
 * iterator of `pyahocorasick` (`AutomatonSearchIter.c`). No code was copied.
 *
 * ## How the package builds its tables (contractions/__init__.py, module level)
 *
 * 1. It loads `contractions_dict.json`, `leftovers_dict.json` and
 *    `slang_dict.json` (178, 16 and 48 entries at 595188a).
 * 2. Month abbreviations: for january, february, march, april, june, july,
 *    august, september, october, november and december (no "may") it adds
 *    `"jan." → "january"` etc. to the contractions table.
 * 3. Curly copies: every contractions key and every leftovers key is added
 *    again with each `'` replaced by `’` (same value).
 * 4. "Unsafe" apostrophe-less variants: for every contractions key that
 *    contains a straight `'` and whose lower-case form is not in the safety
 *    list `he's, he'll, we'll, we'd, it's, i'd, we're, i'll, who're, o'`,
 *    the key is split at each `'` and every way of re-joining the parts with
 *    either nothing or `'` becomes a key with the same value (`can't` →
 *    `cant`, `can't`; `he'd've` → `hedve`, `hed've`, `he'dve`, `he'd've`).
 *    These are merged into the slang table (Python `dict.update`). The
 *    safety list is why `well`, `were`, `its`, `hell`, `ill`, `id`, `wed`,
 *    `hes`, `whore` and a bare `o` are left alone, while `shell` (she'll),
 *    `shed` (she'd), `cant`, `wont`, `im`, `lets`, `dont`, `cause`
 *    (from `'cause`), `em` (from `'em`) and `sos` (so's) are rewritten.
 * 5. One `TextSearch("insensitive", "norm")` per (leftovers, slang) option
 *    pair. For the defaults it is `ts_leftovers_slang`, which receives, in
 *    this order, the contractions table, the leftovers table and the slang
 *    table (with the unsafe variants). It is a single pass: the "order" only
 *    decides which value wins when two tables hold the same lower-cased key
 *    (the automaton keeps the last one added; e.g. `'em` is "them" in the
 *    contractions table, " them" in leftovers, and "them" again through the
 *    unsafe variants in slang, so "them" wins).
 *
 * ## How textsearch matches and replaces (textsearch/__init__.py)
 *
 * - `add_insensitive`: keys are stored lower-cased in a pyahocorasick
 *   automaton with the value `(len(original key), norm)`.
 * - `replace`: the automaton runs over `text.lower()`. pyahocorasick reports,
 *   at every end position from left to right, the longest key ending there
 *   first and then the shorter ones along the failure links.
 * - `bounds_check`: a hit is dropped when the character just after it, or
 *   just before it, is in `[A-Za-z0-9_]` (ASCII only). Quotes, hyphens,
 *   dots, spaces and non-ASCII letters are boundaries. A key that itself
 *   starts with `'` (the leftovers `'d`, `'ll`, `'re`, ...) therefore only
 *   matches after a non-word character, never inside `john'll`.
 * - Overlaps: a hit starting at or after the end of the last kept hit is
 *   appended; a hit overlapping it replaces it only when it is strictly
 *   longer than the stored length of the last kept hit. Text between kept
 *   hits is copied unchanged.
 * - Case (`extract_insensitive_norm`): the replacement follows the case of
 *   the matched original text: all upper → upper, Python-title-case →
 *   title, all lower → lower, "sentence" case (first upper, rest lower) →
 *   sentence case, anything else → the value as stored. The table value
 *   itself is ignored for case ("I'm" in lower-case text gives "i am").
 *
 * ## Side effects on the BBC texts
 *
 * The Kaggle BBC texts are already lower-case and contain no apostrophes at
 * all (checked on all 2225 rows), so only apostrophe-less keys ever match:
 * `shell` → "she will", `shed` → "she would", `lets` → "let us", `cause` →
 * "because" (unless it is one of the table's protected phrases like
 * "to cause" or "will cause"), `u` → "you" (e.g. `u-turn`), `em` → "them",
 * `cant` → "cannot", `im` → "i am", `dont` → "do not", `sos` → "so is",
 * `kk` → "okay", `gonna` → "going to", `gotta` → "got to", `thx` →
 * "thanks", `btw` → "by the way", `luv` → "love", `avg` → "average",
 * `thats` → "that is", `r ` → "are " (only before a second non-word
 * character), `dec.` → "december", `jan.` → "january". Most replacements
 * are stopwords and then vanish.
 *
 * Porting note: positions are UTF-16 code units where Python uses code
 * points; since keys are BMP-only and boundaries are ASCII, this gives the
 * same hits. Python's `str.title()` is re-created with "a cased letter after
 * an uncased character is upper-cased", where "cased" means
 * `toUpperCase() !== toLowerCase()`.
 *
 * @module
 */

/** The three JSON tables of the `contractions` package, in file order. */
export interface ContractionTables {
  /** `contractions_dict.json`: contraction → expansion. */
  contractions: Readonly<Record<string, string>>;
  /** `leftovers_dict.json`: fragments such as `'ll` → " will". */
  leftovers: Readonly<Record<string, string>>;
  /** `slang_dict.json`: slang such as `gonna` → "going to". */
  slang: Readonly<Record<string, string>>;
}

/** Which tables `fix` uses, as the keyword arguments of `contractions.fix`. */
export interface ContractionOptions {
  /** Include the leftovers table. @default true */
  leftovers?: boolean;
  /** Include the slang table and the apostrophe-less variants. @default true */
  slang?: boolean;
}

/** One key of the matcher: its original length and replacement value. */
export interface ContractionEntry {
  /** Length of the key as added (Python `len(k)`), in UTF-16 code units. */
  length: number;
  /** Replacement text before the case rule is applied. */
  norm: string;
}

/**
 * Months whose `xxx.` abbreviation the package adds to the contractions
 * table (contractions/__init__.py). "may" is absent from its list.
 */
export const CONTRACTION_MONTHS: readonly string[] = [
  "january",
  "february",
  "march",
  "april",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

/**
 * Lower-cased contractions keys that get no apostrophe-less variant, so that
 * ordinary words ("hes", "hell", "well", "wed", "its", "id", "were", "ill",
 * "whore", "o") are not rewritten (contractions/__init__.py, `safety_keys`).
 */
export const CONTRACTION_SAFETY_KEYS: ReadonlySet<string> = new Set([
  "he's",
  "he'll",
  "we'll",
  "we'd",
  "it's",
  "i'd",
  "we're",
  "i'll",
  "who're",
  "o'",
]);

const CURLY = "\u2019";

function checkTable(
  name: string,
  table: unknown,
): Map<string, string> {
  if (table === null || typeof table !== "object" || Array.isArray(table)) {
    throw new Error(
      `Contraction table "${name}" must be a JSON object of string → string: got ${
        Array.isArray(table) ? "an array" : typeof table
      }`,
    );
  }
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(table)) {
    if (typeof v !== "string") {
      throw new Error(
        `Contraction table "${name}", key ${
          JSON.stringify(k)
        }: value must be a string, got ${typeof v}`,
      );
    }
    out.set(k, v);
  }
  return out;
}

/**
 * Validates parsed JSON tables and returns them typed.
 *
 * @param raw the three parsed JSON values
 * @param source a file or folder name used in error messages
 * @throws Error naming the table and key when a value is not a string
 */
export function parseContractionTables(
  raw: { contractions: unknown; leftovers: unknown; slang: unknown },
  source = "contraction tables",
): ContractionTables {
  try {
    return {
      contractions: Object.fromEntries(
        checkTable("contractions", raw.contractions),
      ),
      leftovers: Object.fromEntries(checkTable("leftovers", raw.leftovers)),
      slang: Object.fromEntries(checkTable("slang", raw.slang)),
    };
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
}

/** Every way of joining `parts` with "" or "'", in `itertools.product` order. */
function apostropheJoins(parts: readonly string[]): string[] {
  let acc = [parts[0]];
  for (let i = 1; i < parts.length; i++) {
    const next: string[] = [];
    for (const prefix of acc) {
      next.push(prefix + parts[i], prefix + "'" + parts[i]);
    }
    acc = next;
  }
  return acc;
}

/**
 * The apostrophe-less ("unsafe") variants the package derives from the
 * contractions table (after months and curly copies were added), in
 * insertion order. Keys in {@link CONTRACTION_SAFETY_KEYS} and keys without
 * a straight `'` are skipped.
 *
 * @param contractions the contractions table including months and curly copies
 * @returns variant → expansion (the all-apostrophe form is included)
 */
export function unsafeVariants(
  contractions: ReadonlyMap<string, string>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of contractions) {
    if (CONTRACTION_SAFETY_KEYS.has(key.toLowerCase())) continue;
    if (!key.includes("'")) continue;
    for (const variant of apostropheJoins(key.split("'"))) {
      out.set(variant, value);
    }
  }
  return out;
}

/**
 * Builds the key table the package's TextSearch holds for the given
 * options: lower-cased key → original length and value, where a later
 * table overrides an earlier one for the same lower-cased key.
 *
 * @param tables the three JSON tables
 * @param options `leftovers` / `slang` as in `contractions.fix`
 * @returns lower-cased key → entry, in insertion order
 */
export function buildContractionEntries(
  tables: ContractionTables,
  options: ContractionOptions = {},
): Map<string, ContractionEntry> {
  const { leftovers = true, slang = true } = options;
  const basic = new Map(Object.entries(tables.contractions));
  for (const month of CONTRACTION_MONTHS) {
    basic.set(month.slice(0, 3) + ".", month);
  }
  // Python builds the copies from a snapshot, then updates: same as this.
  for (const [k, v] of [...basic]) basic.set(k.replaceAll("'", CURLY), v);

  const left = new Map(Object.entries(tables.leftovers));
  for (const [k, v] of [...left]) left.set(k.replaceAll("'", CURLY), v);

  const slangTable = new Map(Object.entries(tables.slang));
  for (const [k, v] of unsafeVariants(basic)) slangTable.set(k, v);

  const layers = [basic];
  if (leftovers) layers.push(left);
  if (slang) layers.push(slangTable);

  const entries = new Map<string, ContractionEntry>();
  for (const layer of layers) {
    for (const [k, v] of layer) {
      entries.set(k.toLowerCase(), { length: k.length, norm: v });
    }
  }
  return entries;
}

// ---------------------------------------------------------------------------
// Case rule (textsearch determine_case / case_fn)

function isCased(ch: string): boolean {
  return ch.toUpperCase() !== ch.toLowerCase();
}

/** Python `str.title()`: upper after an uncased character, lower after a cased one. */
export function pythonTitle(s: string): string {
  let out = "";
  let prevCased = false;
  for (const ch of s) {
    if (isCased(ch)) {
      out += prevCased ? ch.toLowerCase() : ch.toUpperCase();
      prevCased = true;
    } else {
      out += ch;
      prevCased = false;
    }
  }
  return out;
}

function sentenceCase(s: string): string {
  // Python would raise on an empty value here; no table value is empty
  // for a key that can be matched in sentence case.
  if (s.length === 0) return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return first.toUpperCase() + s.slice(first.length).toLowerCase();
}

/**
 * The replacement for `matched` text: `norm` re-cased to follow the match
 * (textsearch `determine_case` + `case_fn`): upper, title, lower, sentence,
 * or unchanged for mixed case.
 */
export function followCase(matched: string, norm: string): string {
  if (matched === matched.toUpperCase()) return norm.toUpperCase();
  if (matched === pythonTitle(matched)) return pythonTitle(norm);
  if (matched === matched.toLowerCase()) return norm.toLowerCase();
  if (matched === sentenceCase(matched)) return sentenceCase(norm);
  return norm;
}

// ---------------------------------------------------------------------------
// Aho-Corasick automaton with pyahocorasick's reporting order

/** True for textsearch's default bound characters `[A-Za-z0-9_]`. */
function isWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) || code === 95;
}

interface KeptHit {
  /** Stored length (textsearch keeps `current_stop - start`). */
  len: number;
  start: number;
  stop: number;
  text: string;
}

/**
 * `contractions.fix` as a reusable matcher. Build it once (a few ms) with
 * {@link ContractionFixer.fromTables} and call {@link ContractionFixer.fix}
 * per text.
 */
export class ContractionFixer {
  /** Number of distinct lower-cased keys (the TextSearch automaton's size). */
  readonly size: number;
  readonly #entries: ReadonlyMap<string, ContractionEntry>;
  // Trie: per node a map from UTF-16 code unit to child node.
  readonly #next: Map<number, number>[] = [new Map()];
  readonly #fail: number[] = [0];
  readonly #entryAt: (ContractionEntry | null)[] = [null];
  // Nearest node on the failure chain (excluding self) that ends a key.
  #outLink: Int32Array = new Int32Array(1);
  // Full transition table for ASCII input: #delta[node * 128 + code].
  #delta: Int32Array = new Int32Array(128);

  private constructor(entries: ReadonlyMap<string, ContractionEntry>) {
    this.#entries = entries;
    this.size = entries.size;
    for (const [key, entry] of entries) this.#insert(key, entry);
    this.#link();
  }

  /**
   * Builds the matcher from the JSON tables.
   *
   * @param tables the three tables ({@link parseContractionTables})
   * @param options leftovers/slang as in `contractions.fix` (defaults: both)
   */
  static fromTables(
    tables: ContractionTables,
    options: ContractionOptions = {},
  ): ContractionFixer {
    return new ContractionFixer(buildContractionEntries(tables, options));
  }

  /** The entry stored for `key` (looked up lower-cased), if any. */
  lookup(key: string): ContractionEntry | undefined {
    return this.#entries.get(key.toLowerCase());
  }

  #insert(key: string, entry: ContractionEntry): void {
    let node = 0;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      let child = this.#next[node].get(c);
      if (child === undefined) {
        child = this.#next.length;
        this.#next.push(new Map());
        this.#fail.push(0);
        this.#entryAt.push(null);
        this.#next[node].set(c, child);
      }
      node = child;
    }
    this.#entryAt[node] = entry;
  }

  #link(): void {
    const n = this.#next.length;
    this.#outLink = new Int32Array(n).fill(-1);
    const delta = new Int32Array(n * 128);
    for (const [c, child] of this.#next[0]) if (c < 128) delta[c] = child;
    const queue: number[] = [...this.#next[0].values()];
    // Breadth-first, so a node's failure target is finished before it.
    for (let qi = 0; qi < queue.length; qi++) {
      const node = queue[qi];
      const f = this.#fail[node];
      this.#outLink[node] = this.#entryAt[f] !== null ? f : this.#outLink[f];
      for (let c = 0; c < 128; c++) {
        delta[node * 128 + c] = this.#next[node].get(c) ?? delta[f * 128 + c];
      }
      for (const [c, child] of this.#next[node]) {
        this.#fail[child] = this.#step(f, c);
        queue.push(child);
      }
    }
    this.#delta = delta;
  }

  /** Goto with failure links (pyahocorasick `ahocorasick_next`). */
  #step(state: number, c: number): number {
    let s = state;
    for (;;) {
      const t = this.#next[s].get(c);
      if (t !== undefined) return t;
      if (s === 0) return 0;
      s = this.#fail[s];
    }
  }

  /**
   * Expands contractions in `text` exactly as `contractions.fix(text)` with
   * `leftovers=True, slang=True` (or the options given at construction).
   *
   * @param text any string; it is not modified
   * @returns the text with every accepted hit replaced
   */
  fix(text: string): string {
    const lower = text.toLowerCase();
    const kept: KeptHit[] = [{ len: -1, start: 0, stop: 0, text: "" }];
    let currentStop = -1;
    let state = 0;
    const delta = this.#delta;
    const entryAt = this.#entryAt;
    const outLink = this.#outLink;
    const n = text.length;

    for (let i = 0; i < lower.length; i++) {
      const c = lower.charCodeAt(i);
      state = c < 128 ? delta[state * 128 + c] : this.#step(state, c);
      // Report the node itself, then shorter keys along the failure chain.
      let node = entryAt[state] !== null ? state : outLink[state];
      while (node > 0) {
        const entry = entryAt[node]!;
        node = outLink[node];
        const stop = i + 1;
        const start = stop - entry.length;
        if (stop !== n && isWordChar(text.charCodeAt(stop))) continue;
        if (start !== 0 && isWordChar(text.charCodeAt(start - 1))) continue;
        const replacement = followCase(text.slice(start, stop), entry.norm);
        if (start >= currentStop) {
          currentStop = stop;
          kept.push({ len: stop - start, start, stop, text: replacement });
        } else if (stop - start > kept[kept.length - 1].len) {
          currentStop = Math.max(currentStop, stop);
          kept[kept.length - 1] = {
            len: currentStop - start,
            start,
            stop: currentStop,
            text: replacement,
          };
        }
      }
    }
    if (kept.length === 1) return text;
    let out = "";
    let prevStop = 0;
    for (let k = 1; k < kept.length; k++) {
      const hit = kept[k];
      out += text.slice(prevStop, hit.start) + hit.text;
      prevStop = hit.stop;
    }
    return out + text.slice(prevStop);
  }
}
