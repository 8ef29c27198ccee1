import assert from "node:assert/strict";
import {
  escapeHtml,
  HtmlOutput,
  JUPYTER_DISPLAY,
  jupyterKernel,
  stack,
} from "./display.ts";

Deno.test("HtmlOutput displays as text/html with a text/plain fallback", () => {
  const out = new HtmlOutput("<b>x</b>", "x");
  // The kernel looks the method up by the registered symbol, not our const.
  const bundle = (out as unknown as Record<symbol, () => unknown>)[
    Symbol.for("Jupyter.display")
  ]();
  assert.deepEqual(bundle, { "text/html": "<b>x</b>", "text/plain": "x" });
  assert.equal(JUPYTER_DISPLAY, Symbol.for("Jupyter.display"));
  assert.equal(String(out), "x");
});

Deno.test("stack() joins outputs in order", () => {
  const s = stack(
    new HtmlOutput("<i>a</i>", "a"),
    new HtmlOutput("<i>b</i>", "b"),
  );
  assert.ok(s.html.indexOf("<i>a</i>") < s.html.indexOf("<i>b</i>"));
  assert.equal(s.text, "a\n\nb");
});

Deno.test("escapeHtml() escapes the five markup characters", () => {
  assert.equal(
    escapeHtml(`<a href="x">Tom & Jerry's</a>`),
    "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;",
  );
});

Deno.test("jupyterKernel() is undefined outside the Deno kernel", () => {
  assert.equal(jupyterKernel(), undefined);
});
