"""What the browser tests share: JupyterLab on 127.0.0.1 with a private home, and headless Debian chromium driven
by Playwright (no browser download). Used by test_browser_streaming, test_browser_playground, test_browser_themes."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from support import load_file, missing, stop_process

from devtools.notebooks import replay_environment

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "browser-test"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT_TEXTS = "() => [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText)"
IDLE = "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'"
RUN_OVER = (  # every queued cell has run ("[*]" is a cell waiting or running) and the kernel is idle
    f"() => ![...document.querySelectorAll('.jp-InputPrompt')].some(e => e.innerText.includes('*')) && ({IDLE})()"
)
BIN = Path(sys.executable).parent
START = load_file(ROOT / "scripts" / "start.py")  # README command 1: its lab_environment is the one JupyterLab gets

SETTINGS: dict[str, dict[str, Any]] = {
    "notebook-extension/tracker": {"windowingMode": "none"},  # render every cell, not only those in view
    "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def require_browser() -> Any:
    """Playwright's sync API, after checking chromium, playwright and JupyterLab are here (else skip, or fail
    where REQUIRE=browser says the browser tests must run)."""
    if not CHROMIUM.exists():
        missing("browser", "Debian's chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright import sync_api
    except ImportError:
        missing("browser", "playwright is not installed (pip install playwright)")
    if shutil.which("jupyter-lab", path=str(BIN)) is None:
        missing("browser", "jupyterlab is not installed in this environment")
    return sync_api


def lab_environment(
    home: Path, *, settings: Mapping[str, Mapping[str, Any]] = SETTINGS, **extra: str
) -> dict[str, str]:
    """A keyless replay environment whose Jupyter config, data, runtime and lab settings live under `home`, with
    the collection's jupyter-config/ on the config path as `scripts/start.py` puts it."""
    folder = home / "settings"
    for plugin, values in settings.items():
        path = folder / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = replay_environment()
    env.update({"HOME": str(home), "JUPYTERLAB_SETTINGS_DIR": str(folder), "IPYTHONDIR": str(home / "ipython")})
    env.update({f"JUPYTER_{k}_DIR": str(home / k.lower()) for k in ("CONFIG", "DATA", "RUNTIME")})
    env.update(extra)
    return START.lab_environment(env)  # jupyter-config/ on the config path, as start.py puts it


def copy_notebook(work: Path, notebook: str) -> None:
    """`work` as a small checkout: the notebook copied, helpers and data linked (the kernel imports them)."""
    (work / notebook).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / notebook, work / notebook)
    for name in ("helpers", "data"):
        (work / name).symlink_to(ROOT / name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def jupyter_lab(home: Path, work: Path, env: Mapping[str, str]) -> Iterator[str]:
    """JupyterLab serving `work` on a free port; yields its URL and stops it afterwards."""
    port = _free_port()
    command = [
        str(BIN / "jupyter-lab"),
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={TOKEN}",
        "--ServerApp.allow_root=True",
        "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.root_dir={work}",
    ]
    with (home / "lab.log").open("w") as log:
        server = subprocess.Popen(command, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120  # a loaded 2-core machine can take a minute; a green run waits less
            while time.monotonic() < deadline:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.2)
            else:
                pytest.fail(f"JupyterLab did not start: {(home / 'lab.log').read_text()[-2000:]}")
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_process(server, timeout=10)


def open_notebook(page: Any, url: str, notebook: str) -> None:
    """Open `notebook` in JupyterLab and wait until its kernel is idle."""
    page.goto(f"{url}/lab/tree/{notebook}?token={TOKEN}&reset")
    page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-NotebookPanel')", timeout=30_000)
    page.wait_for_function(IDLE, timeout=30_000)


def reopen_notebook(page: Any, notebook: str) -> None:
    """Close the notebook's tab and open the file again in the same JupyterLab (its kernel keeps running, as when
    a learner closes and reopens a notebook): what is shown comes from the saved file."""
    page.evaluate(
        """async (path) => {
          const app = window.jupyterapp;
          app.shell.currentWidget.context.model.dirty = false;  // saved already: close without the dialog
          await app.commands.execute('application:close-all');
          await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
        }""",
        notebook,
    )
    page.wait_for_function(
        "(path) => window.jupyterapp.shell.currentWidget?.context?.path === path && "
        "document.querySelectorAll('.jp-NotebookPanel').length === 1",
        arg=notebook,
        timeout=30_000,
    )
    page.wait_for_function(IDLE, timeout=30_000)


def menu(page: Any, name: str, item: str, *, cell: str = "") -> None:
    """Use JupyterLab's menu bar, as a person would (commands.execute from outside does not run cells), with the
    first cell selected, or the first whose text contains `cell`."""
    cells = page.locator(".jp-Cell", has_text=cell) if cell else page.locator(".jp-Cell")
    cells.first.click()
    page.locator(".lm-MenuBar-itemLabel", has_text=name).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def save_notebook(page: Any, path: Path) -> dict[str, Any]:
    """File > Save Notebook, as a person saves; once JupyterLab says it is saved, the file at `path` as written."""
    menu(page, "File", "Save Notebook")
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=15_000)
    saved: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return saved


def saved_mimes(saved: dict[str, Any]) -> list[str]:
    """Every output mime type in a saved notebook."""
    return [m for c in saved["cells"] for o in c.get("outputs", []) for m in o.get("data", {})]


def wait_for_text(page: Any, selector: str, text: str, timeout: int) -> None:
    """Wait until an element matching `selector` shows `text` (in milliseconds, at most `timeout`)."""
    page.wait_for_function(
        "([selector, text]) => [...document.querySelectorAll(selector)].some(e => e.innerText.includes(text))",
        arg=[selector, text],
        timeout=timeout,
    )


def settle(page: Any) -> None:
    """Wait until the page has drawn what it has (two animation frames, and its fonts and images loaded), not a
    fixed time."""
    page.evaluate(
        """() => document.fonts.ready.then(() => Promise.all([...document.images].filter(i => !i.complete)
          .map(i => new Promise(done => { i.onload = i.onerror = done; }))))
          .then(() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))))"""
    )


CJK_PROBE = """
(scope) => {
  // Mark every element (under `scope`) whose own text has Chinese characters; say which ones leave their column.
  const han = /[\\u3400-\\u9fff]/;
  let marked = 0;
  const overflow = [];
  for (const el of document.querySelectorAll(scope + ' *')) {
    const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
    if (!han.test(own) || !el.getClientRects().length) continue;
    el.setAttribute('data-cjk-probe', String(marked++));
    const column = el.closest('.jp-OutputArea-output, .jp-RenderedMarkdown, .jp-Cell') || document.body;
    const box = el.getBoundingClientRect(), limit = column.getBoundingClientRect();
    const scrolls = (e) => /auto|scroll/.test(getComputedStyle(e).overflowX);
    let scroller = false;
    for (let e = el; e && e !== column; e = e.parentElement) if (scrolls(e)) scroller = true;
    // code keeps its lines (it scrolls) and a table is as wide as its widest unbreakable cell: prose must wrap
    const code = el.closest('.jp-CodeCell .jp-InputArea, table');
    if (!code && !scroller && box.right > limit.right + 1) overflow.push(own.trim().slice(0, 40));
  }
  return {marked, overflow};
}
"""


def cjk_fonts(page: Any, scope: str = "body", *, sample: int = 80) -> dict[str, Any]:
    """Which fonts Chromium drew the Chinese text under `scope` with (CDP `CSS.getPlatformFontsForNode`, the
    fonts actually used for each element's glyphs), on up to `sample` elements, and the Chinese text that runs
    past its column (no line break where CJK text should wrap)."""
    found = page.evaluate(CJK_PROBE, scope)
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-cjk-probe]"})["nodeIds"]
    step = max(1, len(nodes) // sample)
    families: dict[str, int] = {}
    without_cjk_font = 0
    for node in nodes[::step]:
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        for font in fonts:
            families[font["familyName"]] = families.get(font["familyName"], 0) + font["glyphCount"]
        if fonts and not any("CJK" in font["familyName"] for font in fonts):  # none: not drawn (a closed <details>)
            without_cjk_font += 1
    cdp.detach()
    return {**found, "probed": len(nodes[::step]), "families": families, "without_cjk_font": without_cjk_font}
