"""What the JupyterLite browser test and benchmark share: the built site served on 127.0.0.1, a notebook opened and
run in headless Debian chromium (Playwright), and each code cell's outputs read back from the page for comparison."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
KERNEL_IDLE = "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'"
RUN_OVER = (  # every queued cell has run ("[*]" marks a cell waiting or running) and the kernel is idle
    "() => ![...document.querySelectorAll('.jp-InputPrompt')].some(e => e.innerText.includes('*'))"
    f" && ({KERNEL_IDLE})()"
)
CELLS = "() => window.jupyterapp.shell.currentWidget.content.model.toJSON().cells"
NOTEBOOK_TIMEOUT = 600.0
"""Seconds one notebook may take to run in the browser, at the recorded pace."""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The static site on a free loopback port, as any static host serves it; yields its URL."""
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Load:
    """One page load: seconds until the notebook's kernel was idle, and every site file fetched until then."""

    ready: float = 0.0
    files: list[Path] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def sizes(self) -> tuple[int, int]:
        """Bytes of the files fetched: as stored, and gzip-compressed (what a static host sends with gzip on)."""
        raw = sum(p.stat().st_size for p in self.files)
        return raw, sum(len(gzip.compress(p.read_bytes(), 6)) for p in self.files)


def open_notebook(page: Any, url: str, site: Path, notebook: str) -> Load:
    """Open `notebook` (a path under the site's files) in a fresh page load and wait for its kernel."""
    load = Load()

    def seen(request: Any) -> None:
        if request.url.startswith(url):
            path = site / request.url[len(url) + 1 :].split("?")[0]
            if path.is_file() and path not in load.files:
                load.files.append(path)
        elif request.url.startswith(("http:", "https:")):  # not data:, blob: or a cell's attachment:
            load.foreign.append(request.url)

    page.on("request", seen)
    start = time.monotonic()
    page.goto(f"{url}/lab/index.html?path={notebook}")
    page.wait_for_function(KERNEL_IDLE, timeout=180_000)
    load.ready = time.monotonic() - start
    page.remove_listener("request", seen)
    return load


RUN_CELL = """async (index) => {
  const panel = window.jupyterapp.shell.currentWidget;
  panel.content.activeCellIndex = index;
  await window.jupyterapp.commands.execute('notebook:run-cell');
}"""


def run_all(page: Any, timeout: float = NOTEBOOK_TIMEOUT) -> list[dict[str, Any]]:
    """Run every code cell of the open notebook one at a time (a cell that fails does not stop the rest, so each
    cell's own outcome is seen) and return the cells (nbformat dicts)."""
    deadline = time.monotonic() + timeout
    kinds = page.evaluate(f"() => ({CELLS})().map(c => c.cell_type)")
    for index, kind in enumerate(kinds):
        if kind != "code":
            continue
        page.evaluate(RUN_CELL, index)
        left = max(deadline - time.monotonic(), 1.0)
        page.wait_for_function(RUN_OVER, timeout=left * 1000, polling=200)
    return list(page.evaluate(CELLS))


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def outputs(cell: dict[str, Any]) -> list[tuple[str, str]]:
    """A code cell's outputs as compared: stream text by stream, errors by name and message, and each shown
    representation (text/plain, text/html, ...) but widget views, which a saved notebook never holds."""
    found = []
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            found.append((f"stream:{output['name']}", _text(output["text"])))
        elif kind == "error":
            name = re.sub(r"^<class '(?:\w+\.)*(\w+)'>$", r"\1", output["ename"])  # the Pyodide kernel's form
            found.append(("error", f"{name}: {output['evalue']}"))
        else:
            for mime, value in sorted(output.get("data", {}).items()):
                if "widget" not in mime:
                    text = json.dumps(value, sort_keys=True) if mime.endswith("json") else _text(value)
                    found.append((mime, text))
    return found


def saved_cells(notebook: str) -> list[dict[str, Any]]:
    """The notebook's code cells as stored in the repository."""
    cells = json.loads((ROOT / notebook).read_text())["cells"]
    return [c for c in cells if c["cell_type"] == "code"]


def browser(playwright: Any) -> Any:
    """Debian's chromium, headless (no browser download)."""
    return playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
