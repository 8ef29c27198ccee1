#!/usr/bin/python3
"""Execute a notebook headless with the project's Deno kernel, save it in
place, and optionally export it to a self-contained HTML page.

    /usr/bin/python3 tools/nbexec.py NOTEBOOK.ipynb [--html OUT.html]
        [--timeout SECONDS] [--grace SECONDS] [--kernel NAME]

Run it with Debian's /usr/bin/python3 (packages jupyter-nbconvert,
jupyter-client, jupyter-core, python3-nbclient); the `python3` on PATH may be
a pyenv shim without them. What it handles beyond `jupyter nbconvert
--execute` (see shared/notes/platform.md):

- Late outputs: the Deno kernel can publish outputs after it reports the cell
  idle, and stock nbclient stops listening at idle. After each cell this
  client keeps reading IOPub until it has been quiet for --grace seconds.
- Errors: a failing cell stops the run with exit code 1 and a message naming
  the notebook, the cell and the error; the notebook is still saved with
  what ran (later cells cleared, not stale) and the HTML, if asked for, is
  still written so the error can be read there.
- HTML: nbconvert's `lab` template (CSS inlined); `text/html` outputs are
  kept unsanitised (charts are HTML, see lib/report/display.ts), and the
  template's <script src="file://..."> tags (MathJax, require.js: not
  installed) are removed.
- ANSI: the kernel runs with NO_COLOR=1; any escape code that still reaches
  a stored output is stripped.
- Jupyter's data/runtime/config dirs point into the git-ignored
  jupyter/runtime/, and the kernelspec is found through JUPYTER_PATH, so
  nothing is written to the home directory. tools/jupyter_env.ts computes
  the same variables for callers in TypeScript; values already in the
  environment win.

Exit codes: 0 success, 1 a cell failed or timed out, 2 bad usage or setup.
"""

import argparse
import asyncio
import os
import queue
import re
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIME = os.path.join(REPO, "jupyter", "runtime")


def set_project_env():
    """Point Jupyter at project paths before any jupyter module reads them."""
    os.environ.setdefault(
        "JUPYTER_PATH",
        os.pathsep.join([RUNTIME, os.path.join(REPO, "jupyter")]),
    )
    os.environ.setdefault("JUPYTER_DATA_DIR", os.path.join(RUNTIME, "data"))
    os.environ.setdefault("JUPYTER_RUNTIME_DIR", os.path.join(RUNTIME, "run"))
    os.environ.setdefault("JUPYTER_CONFIG_DIR", os.path.join(RUNTIME, "config"))
    # Always: coloured tracebacks would store ANSI codes in the notebook.
    os.environ["NO_COLOR"] = "1"
    for key in ("JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR"):
        os.makedirs(os.environ[key], exist_ok=True)


set_project_env()

import nbformat  # noqa: E402  (imported after the environment is set)
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import (  # noqa: E402
    CellExecutionComplete,
    CellExecutionError,
    CellTimeoutError,
    DeadKernelError,
)
from nbclient.util import ensure_async  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
# <script src="file:///usr/share/javascript/..."></script> (Debian's MathJax
# and require.js paths; neither package is installed, nor needed here).
FILE_SCRIPT = re.compile(r'<script[^>]*\ssrc="file://[^"]*"[^>]*>\s*</script>\s*')


class GraceClient(NotebookClient):
    """nbclient's NotebookClient, plus a read of late IOPub messages after
    each cell and a record of which cell ran last."""

    def __init__(self, nb, grace=0.5, max_grace=10.0, **kw):
        super().__init__(nb, **kw)
        self.grace = grace  # quiet time that ends a cell's extra read, s
        self.max_grace = max_grace  # cap on the extra read per cell, s
        self.late_outputs = 0  # outputs that arrived after "idle"
        self.current_index = None  # index of the cell being run
        self._parent_id = None
        self._poll_task = None

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        # Remember the request id so the late read can match messages to it,
        # and this task, which nbclient leaves pending after a timeout.
        self._parent_id = parent_msg_id
        self._poll_task = asyncio.current_task()
        await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)

    async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                 store_history=True):
        self.current_index = cell_index
        self._parent_id = None
        self._poll_task = None
        try:
            return await super().async_execute_cell(
                cell, cell_index, execution_count, store_history)
        except CellTimeoutError:
            # Stop the output poll nbclient leaves running (else asyncio warns
            # "Task was destroyed but it is pending" at exit).
            if self._poll_task is not None and not self._poll_task.done():
                self._poll_task.cancel()
            raise
        finally:
            # Also after an error: its output may be among the late ones.
            if self._parent_id is not None and self.grace > 0:
                await self._read_late(self._parent_id, cell, cell_index)

    async def _read_late(self, parent_id, cell, cell_index):
        deadline = time.monotonic() + self.max_grace
        while time.monotonic() < deadline:
            try:
                msg = await ensure_async(
                    self.kc.iopub_channel.get_msg(timeout=self.grace))
            except queue.Empty:
                return  # quiet for `grace` seconds: the cell is done
            if msg["parent_header"].get("msg_id") != parent_id:
                continue
            try:
                if self.process_message(msg, cell, cell_index) is not None:
                    self.late_outputs += 1
            except CellExecutionComplete:
                pass  # a second "idle": nothing to do


def clear_outputs(nb):
    """Empty every code cell first, so a failed run leaves no stale outputs."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def strip_ansi(nb):
    """Remove ANSI escape codes from stored outputs; returns how many."""
    count = 0

    def clean(text):
        nonlocal count
        new, n = ANSI.subn("", text)
        count += n
        return new

    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                out.text = clean(out.text)
            if "traceback" in out:
                out.traceback = [clean(line) for line in out.traceback]
            if "evalue" in out:
                out.evalue = clean(out.evalue)
            plain = out.get("data", {}).get("text/plain")
            if isinstance(plain, str):
                out.data["text/plain"] = clean(plain)
    return count


def describe_cell(nb, index):
    """'cell 7 (code cell 4, first line: `...`)', numbers 1-based."""
    code_no = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
    first = next((ln for ln in nb.cells[index].source.splitlines() if ln.strip()),
                 "")
    return f"cell {index + 1} (code cell {code_no}, first line: `{first[:80]}`)"


def error_text(nb, index, exc):
    """The error as the kernel reported it: name, value, traceback."""
    if isinstance(exc, CellExecutionError):
        errors = [o for o in nb.cells[index].get("outputs", [])
                  if o.get("output_type") == "error"]
        head = f"{exc.ename}: {exc.evalue}"
        lines = list(errors[-1].traceback) if errors else []
        if lines and lines[0].strip() == head.strip():
            lines = lines[1:]  # Deno's traceback repeats the message first
        return ANSI.sub("", "\n".join([head, *lines]).rstrip())
    return f"{type(exc).__name__}: {exc}".strip()


def export_html(nb, html_path, title):
    """Write nb as one HTML page with nbconvert's lab template."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.sanitize_html = False  # the default; stated because charts need it
    body, _ = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": title}})
    body = FILE_SCRIPT.sub("", body)
    os.makedirs(os.path.dirname(os.path.abspath(html_path)), exist_ok=True)
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(body)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebook", help="the .ipynb to execute (saved in place)")
    ap.add_argument("--html", help="also export to this HTML file")
    ap.add_argument("--timeout", type=float, default=3600,
                    help="per-cell limit in seconds, 0 for none (default 3600);"
                    ' a cell can override it with metadata {"nbexec": {"timeout": S}}')
    ap.add_argument("--grace", type=float, default=0.5,
                    help="after each cell, read IOPub until quiet this long, s "
                    "(default 0.5; 0 turns the late read off)")
    ap.add_argument("--kernel", default="deno", help="kernel name (default deno)")
    args = ap.parse_args(argv)

    path = os.path.abspath(args.notebook)
    name = os.path.relpath(path, os.getcwd())
    if not os.path.isfile(path):
        print(f"nbexec: {name}: no such notebook", file=sys.stderr)
        return 2
    nb = nbformat.read(path, as_version=4)
    clear_outputs(nb)

    def cell_timeout(cell):
        t = cell.metadata.get("nbexec", {}).get("timeout", args.timeout)
        return None if not t or t <= 0 else int(t)

    client = GraceClient(
        nb,
        grace=args.grace,
        kernel_name=args.kernel,
        timeout_func=cell_timeout,
        resources={"metadata": {"path": os.path.dirname(path)}},
    )
    start = time.monotonic()
    failure = None
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        failure = exc
    seconds = time.monotonic() - start
    stripped = strip_ansi(nb)
    nbformat.write(nb, path)

    title = os.path.splitext(os.path.basename(path))[0]
    if args.html:
        export_html(nb, args.html, title)

    if failure is not None:
        index = client.current_index if client.current_index is not None else 0
        print(f"nbexec: FAILED {name}: {describe_cell(nb, index)}\n"
              f"{error_text(nb, index, failure)}", file=sys.stderr)
        if args.html:
            print(f"nbexec: partial HTML (with the error) in {args.html}",
                  file=sys.stderr)
        return 1
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
    html_note = f"; HTML {args.html}" if args.html else ""
    ansi_note = f"; stripped {stripped} ANSI codes" if stripped else ""
    print(f"nbexec: ok {name}: {code_cells} code cells in {seconds:.1f} s; "
          f"{client.late_outputs} late outputs kept{ansi_note}{html_note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
