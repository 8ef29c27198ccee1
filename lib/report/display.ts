/**
 * Jupyter display plumbing shared by every report object: the display symbol,
 * a MIME-bundle type, a small HTML-escaping helper, a base class whose
 * instances show as `text/html` in the Deno kernel, and a run-time probe for
 * `Deno.jupyter`.
 *
 * Why `text/html` and never `image/svg+xml`: nbconvert 6.5 passes SVG outputs
 * through an HTML cleaner that strips `viewBox`, `xmlns` and every child
 * element, so exported charts would be empty boxes (see
 * `shared/notes/platform.md`). HTML outputs are kept as they are.
 *
 * Nothing here touches `Deno.jupyter` at module load: outside the kernel,
 * merely reading that property throws.
 *
 * @module
 */

/**
 * The symbol the Deno Jupyter kernel looks for on a cell's result (and on
 * objects given to `Deno.jupyter.display`): a method returning a MIME bundle.
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** The MIME bundle our report objects produce. */
export interface MimeBundle {
  /** Markup shown by Jupyter front-ends and kept by nbconvert's HTML export. */
  "text/html": string;
  /** Fallback for consoles and for `jupyter nbconvert --to script/markdown`. */
  "text/plain": string;
}

/** Anything that can render itself in the Deno Jupyter kernel. */
export interface Displayable {
  [JUPYTER_DISPLAY](): MimeBundle;
}

/**
 * A piece of report output: an HTML fragment plus its plain-text fallback.
 * As the value of a notebook cell (or given to `Deno.jupyter.display`) it
 * shows as `text/html`; `String(x)` gives the plain text.
 */
export class HtmlOutput implements Displayable {
  /** The HTML fragment (no `<html>`/`<body>` wrapper). */
  readonly html: string;
  /** The plain-text rendering, several lines for tables. */
  readonly text: string;

  /** Wraps an already-built HTML fragment and its text fallback. */
  constructor(html: string, text: string) {
    this.html = html;
    this.text = text;
  }

  /** The MIME bundle the Deno kernel publishes for this object. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return { "text/html": this.html, "text/plain": this.text };
  }

  /** The plain-text rendering. */
  toString(): string {
    return this.text;
  }
}

/**
 * Shows several outputs as one, stacked vertically (HTML) or separated by a
 * blank line (text). Handy for a cell that ends with a chart and its table.
 */
export function stack(...parts: HtmlOutput[]): HtmlOutput {
  return new HtmlOutput(
    parts.map((p) => `<div style="margin: 0 0 1em 0">${p.html}</div>`)
      .join("\n"),
    parts.map((p) => p.text).join("\n\n"),
  );
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes `& < > " '` so `text` can go into HTML content or an attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** The slice of `Deno.jupyter` the progress display uses. */
export interface JupyterBroadcaster {
  /** Publishes one message on the kernel's IOPub channel. */
  broadcast(
    msgType: string,
    content: Record<string, unknown>,
  ): Promise<void>;
}

/**
 * `Deno.jupyter` when this code runs inside the Deno Jupyter kernel
 * (`deno jupyter --kernel`), otherwise `undefined`. Outside the kernel the
 * property exists but reading it throws, hence the try/catch.
 */
export function jupyterKernel(): JupyterBroadcaster | undefined {
  try {
    const api = (Deno as unknown as { jupyter?: JupyterBroadcaster }).jupyter;
    return api && typeof api.broadcast === "function" ? api : undefined;
  } catch {
    return undefined;
  }
}
