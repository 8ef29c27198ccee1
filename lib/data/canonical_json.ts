/**
 * A canonical compact re-serialisation of JSON text that reproduces, byte for
 * byte, what Python prints for
 * `json.dumps(json.loads(text), separators=(",", ":"), ensure_ascii=False)`.
 *
 * Why not `JSON.stringify(JSON.parse(text))`: JavaScript objects list
 * integer-like keys ("0", "1", …, "9") first and in numeric order, whatever
 * their order in the text, while Python dicts keep insertion order. The
 * bert-base-uncased `tokenizer.json` vocab has such keys, so the round trip
 * through `JSON.parse` gives a different byte string (measured: same length,
 * 466 062 bytes, different sha256). Numbers differ too: Python writes floats
 * with `repr` (`1.0`, `1e-05`, `1e+16`), JavaScript as `1`, `0.00001`,
 * `10000000000000000`. So this module never builds JavaScript objects: it
 * streams through the text, keeps keys in order, and re-formats strings and
 * numbers the way Python's `json` module does.
 *
 * @module
 */

/** Options of {@link canonicalJson}. */
export interface CanonicalJsonOptions {
  /** Name used in error messages, e.g. a file path. @default "the JSON text" */
  label?: string;
}

/**
 * Returns the compact canonical form of `text` (see the module doc): no
 * insignificant whitespace, keys in their original order, strings escaped as
 * Python does with `ensure_ascii=False` (only `"`, `\`, and U+0000–U+001F are
 * escaped; `\b \f \n \r \t` in short form, others as lower-case `\u00xx`;
 * everything else, including non-ASCII, written raw), integers as their
 * digits (`-0` becomes `0`), other numbers as Python's float `repr`
 * (`1.0`, `0.0001`, `1e-05`, `1e+16`, out-of-range ones as `Infinity`).
 *
 * Strict JSON only: throws on a syntax error (with the character offset),
 * on the non-standard `NaN`/`Infinity` literals Python would accept, on a
 * duplicate key inside one object (Python keeps the last value at the first
 * key's position; not reproduced here), and on an unpaired surrogate escape
 * (its UTF-8 form does not exist).
 *
 * Known limitation: float formatting relies on JavaScript's shortest
 * round-trip digits (`Number.prototype.toExponential()`), which agree with
 * Python's `repr` digits for every value we compared; exact ties between two
 * shortest candidates were not studied.
 */
export function canonicalJson(
  text: string,
  options: CanonicalJsonOptions = {},
): string {
  const parser = new Canonicaliser(text, options.label ?? "the JSON text");
  parser.skipWhitespace();
  parser.value(0);
  parser.skipWhitespace();
  if (parser.at < text.length) parser.fail("extra data after the JSON value");
  return parser.out.join("");
}

const MAX_DEPTH = 10_000;

class Canonicaliser {
  at = 0;
  out: string[] = [];

  constructor(readonly text: string, readonly label: string) {}

  fail(what: string): never {
    throw new Error(
      `Cannot canonicalise ${this.label}: ${what} at character offset ${this.at}.`,
    );
  }

  skipWhitespace(): void {
    const t = this.text;
    while (this.at < t.length) {
      const c = t.charCodeAt(this.at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.at++;
      else break;
    }
  }

  value(depth: number): void {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const c = this.text[this.at];
    if (c === "{") this.object(depth);
    else if (c === "[") this.array(depth);
    else if (c === '"') this.out.push(this.string());
    else if (c === "-" || (c >= "0" && c <= "9")) this.number();
    else if (this.text.startsWith("true", this.at)) this.literal("true");
    else if (this.text.startsWith("false", this.at)) this.literal("false");
    else if (this.text.startsWith("null", this.at)) this.literal("null");
    else if (c === undefined) this.fail("unexpected end of input");
    else this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  literal(word: string): void {
    this.out.push(word);
    this.at += word.length;
  }

  object(depth: number): void {
    this.at++; // {
    this.out.push("{");
    this.skipWhitespace();
    if (this.text[this.at] === "}") {
      this.at++;
      this.out.push("}");
      return;
    }
    const seen = new Set<string>();
    for (let first = true;; first = false) {
      if (!first) this.out.push(",");
      if (this.text[this.at] !== '"') this.fail("expected a string key");
      const keyStart = this.at;
      const key = this.string();
      if (seen.has(key)) {
        this.at = keyStart;
        this.fail(
          `duplicate key ${key} in one object (its canonical form is not reproduced)`,
        );
      }
      seen.add(key);
      this.out.push(key, ":");
      this.skipWhitespace();
      if (this.text[this.at] !== ":") this.fail("expected ':' after a key");
      this.at++;
      this.skipWhitespace();
      this.value(depth + 1);
      this.skipWhitespace();
      const c = this.text[this.at];
      this.at++;
      if (c === "}") break;
      if (c !== ",") {
        this.at--;
        this.fail("expected ',' or '}' in an object");
      }
      this.skipWhitespace();
    }
    this.out.push("}");
  }

  array(depth: number): void {
    this.at++; // [
    this.out.push("[");
    this.skipWhitespace();
    if (this.text[this.at] === "]") {
      this.at++;
      this.out.push("]");
      return;
    }
    for (let first = true;; first = false) {
      if (!first) this.out.push(",");
      this.value(depth + 1);
      this.skipWhitespace();
      const c = this.text[this.at];
      this.at++;
      if (c === "]") break;
      if (c !== ",") {
        this.at--;
        this.fail("expected ',' or ']' in an array");
      }
      this.skipWhitespace();
    }
    this.out.push("]");
  }

  /**
   * Reads a string token starting at its opening quote and returns it
   * re-encoded in Python's escaping (quotes included). Unescaped runs are
   * copied as slices, so plain strings cost one pass.
   */
  string(): string {
    const t = this.text;
    this.at++; // opening quote
    let result = '"';
    let runStart = this.at;
    for (;;) {
      if (this.at >= t.length) this.fail("unterminated string");
      const c = t.charCodeAt(this.at);
      if (c === 0x22) { // closing quote
        result += t.slice(runStart, this.at) + '"';
        this.at++;
        return result;
      }
      if (c < 0x20) this.fail("raw control character inside a string");
      if (c >= 0xd800 && c <= 0xdfff) this.checkSurrogate(c, this.at + 1);
      if (c !== 0x5c) { // not a backslash
        this.at++;
        continue;
      }
      result += t.slice(runStart, this.at);
      const e = t[this.at + 1];
      let decoded: string;
      if (e === "u") {
        const hex = t.slice(this.at + 2, this.at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("bad \\u escape");
        const code = parseInt(hex, 16);
        this.at += 6;
        if (code >= 0xd800 && code <= 0xdbff) {
          // A high surrogate must be followed by an escaped low surrogate.
          const next = t.slice(this.at, this.at + 6);
          const low = /^\\u[dD][c-fC-F][0-9a-fA-F]{2}$/.test(next)
            ? parseInt(next.slice(2), 16)
            : -1;
          if (low < 0) {
            this.at -= 6;
            this.fail("unpaired surrogate escape (no UTF-8 form)");
          }
          this.at += 6;
          decoded = String.fromCharCode(code, low);
        } else if (code >= 0xdc00 && code <= 0xdfff) {
          this.at -= 6;
          this.fail("unpaired surrogate escape (no UTF-8 form)");
        } else {
          decoded = String.fromCharCode(code);
        }
      } else {
        const simple = SIMPLE_ESCAPES[e];
        if (simple === undefined) {
          this.fail(`bad escape ${JSON.stringify("\\" + (e ?? ""))}`);
        }
        decoded = simple;
        this.at += 2;
      }
      result += escapeLikePython(decoded);
      runStart = this.at;
    }
  }

  /** Raw (unescaped) surrogates must come as a valid pair. */
  checkSurrogate(c: number, next: number): void {
    const d = this.text.charCodeAt(next);
    if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
      this.at++; // skip the high half; the loop steps over the low half
      return;
    }
    this.fail("unpaired surrogate (no UTF-8 form)");
  }

  number(): void {
    const t = this.text;
    NUMBER.lastIndex = this.at;
    const m = NUMBER.exec(t);
    if (m === null) this.fail("bad number");
    const lexeme = m[0];
    const next = t[this.at + lexeme.length];
    if (next !== undefined && /[0-9.eE+\-]/.test(next)) {
      this.fail("bad number");
    }
    this.at += lexeme.length;
    const isInteger = m[1] === undefined && m[2] === undefined;
    this.out.push(isInteger ? pythonInt(lexeme) : pythonFloatRepr(+lexeme));
  }
}

/** A JSON number (sticky: matches only at `lastIndex`). */
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+\-]?[0-9]+)?/y;

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** Python `json` (ensure_ascii=False) escaping of decoded characters. */
function escapeLikePython(s: string): string {
  let out = "";
  for (const ch of s) {
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\n":
        out += "\\n";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\t":
        out += "\\t";
        break;
      case "\b":
        out += "\\b";
        break;
      case "\f":
        out += "\\f";
        break;
      default: {
        const code = ch.charCodeAt(0);
        out += code < 0x20 ? `\\u${code.toString(16).padStart(4, "0")}` : ch;
      }
    }
  }
  return out;
}

/** `str(int(lexeme))` in Python: digits unchanged, except `-0` → `0`. */
function pythonInt(lexeme: string): string {
  return /^-0+$/.test(lexeme) ? "0" : lexeme;
}

/**
 * Python's `repr(float)`: shortest round-trip digits, fixed notation when the
 * decimal exponent is in [-4, 16) (always with a fractional part, `1.0`),
 * otherwise `d.ddde±XX` with at least two exponent digits.
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa, expText] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const exp = Number(expText);
  const decpt = exp + 1; // digits d1d2… represent 0.d1d2… × 10^decpt
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `${sign}0.${"0".repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) {
      return `${sign}${digits}${"0".repeat(decpt - digits.length)}.0`;
    }
    return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const frac = digits.length > 1 ? `.${digits.slice(1)}` : "";
  const e = Math.abs(exp).toString().padStart(2, "0");
  return `${sign}${digits[0]}${frac}e${exp < 0 ? "-" : "+"}${e}`;
}
