"""The streaming notebook in a real browser: JupyterLab in headless Chromium (Playwright from PyPI driving
Debian's chromium). Runs notebook 02 on recordings, sees the thinking and answer panes fill while the
stream plays and the static view at the end, saves, reopens, and sees no "Error displaying widget".

Set LIVE_VIEW_SCREENSHOT=docs/img/live_view.png to (re)write the README's screenshot of the live view.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import missing

from devtools.notebooks import replay_environment

pytestmark = pytest.mark.slow  # a browser and a notebook server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
NOTEBOOK = "notebooks/02_streaming.ipynb"
TOKEN = "browser-test"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    missing("browser", "Debian's chromium is not installed (apt-get install -y chromium)")
try:
    from playwright import sync_api
except ImportError:
    missing("browser", "playwright is not installed (pip install playwright)")
if shutil.which("jupyter-lab", path=str(Path(sys.executable).parent)) is None:
    missing("browser", "jupyterlab is not installed in this environment")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """JupyterLab serving a copy of the notebook (helpers and recordings linked in) at recorded pace x3."""
    home = tmp_path_factory.mktemp("lab")
    work = home / "work"
    (work / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / NOTEBOOK, work / NOTEBOOK)
    for name in ("helpers", "data"):
        if (ROOT / name).exists():
            (work / name).symlink_to(ROOT / name)
    settings = home / "settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))  # render every cell, not only those in view
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = replay_environment()
    env.update(
        {
            "MINIMAX_REPLAY_SPEED": "3",
            "HOME": str(home),
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "IPYTHONDIR": str(home / "ipython"),
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
        }
    )
    port = _free_port()
    command = [
        str(Path(sys.executable).parent / "jupyter-lab"),
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={TOKEN}",
        "--ServerApp.allow_root=True",
        "--LabApp.expose_app_in_browser=True",
        f"--ServerApp.root_dir={work}",
    ]
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail(f"JupyterLab did not start: {(home / 'lab.log').read_text()[-2000:]}")
        yield url, work
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


OUTPUT_TEXTS = "() => [...document.querySelectorAll('.jp-OutputArea-output')].map(e => e.innerText)"


def _open(page: Any, url: str) -> None:
    page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={TOKEN}&reset")
    page.wait_for_function("() => window.jupyterapp && document.querySelector('.jp-NotebookPanel')", timeout=30_000)
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'",
        timeout=30_000,
    )


def _menu(page: Any, menu: str, item: str) -> None:
    """Use JupyterLab's menu bar, as a person would (commands.execute from outside does not run cells)."""
    page.locator(".jp-Cell").first.click()
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def test_live_view_fills_then_leaves_the_static_view(lab: tuple[str, Path]) -> None:
    url, work = lab
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        _open(page, url)
        _menu(page, "Run", "Run All Cells")

        # While the rainbow answer streams: the live widget shows the thinking pane, then the answer growing.
        samples: list[tuple[bool, int]] = []
        shot = None
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            live = [t for t in page.evaluate(OUTPUT_TEXTS) if "⇣ streaming" in t and "rainbow" in t.lower()]
            if live:
                text = live[0]
                answer = text.split("Sunlight looks white", 1)[1] if "Sunlight looks white" in text else ""
                samples.append(("Thinking" in text and "three-paragraph" in text, len(answer) + bool(answer)))
                if len(answer) > 150 and shot is None:
                    shot = page.locator(".jp-OutputArea-output", has_text="⇣ streaming").first.screenshot()
            elif samples and samples[-1][1] > 0:
                break
            time.sleep(0.1)
        assert samples, "the live view of the rainbow answer never appeared"
        assert any(thinking for thinking, _ in samples), "the thinking pane was not shown live"
        lengths = sorted({n for _, n in samples if n})
        assert len(lengths) >= 3, f"the answer pane did not fill progressively: {lengths}"

        # At the end: no live widget left, the static views and the last exercise's feedback are there.
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-OutputArea-output')].some(e => e.innerText.includes('02.2'))",
            timeout=45_000,
        )
        page.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
            timeout=30_000,
        )
        texts = page.evaluate(OUTPUT_TEXTS)
        assert not any("⇣ streaming" in t for t in texts), "a live view was left on screen"
        assert sum("⇣ streamed live" in t for t in texts) >= 4
        assert page.locator(".minimax-message").count() >= 4, "static views missing"
        assert not any("Error displaying widget" in t for t in texts)

        _menu(page, "File", "Save Notebook")
        page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=15_000)
        saved = json.loads((work / NOTEBOOK).read_text(encoding="utf-8"))
        mimes = [m for c in saved["cells"] for o in c.get("outputs", []) for m in o.get("data", {})]
        assert "application/vnd.jupyter.widget-view+json" not in mimes, "a widget view was saved"

        # Reopen the saved (now trusted) notebook: no widget errors anywhere.
        page2 = browser.new_page()
        _open(page2, url)
        page2.wait_for_selector(".minimax-message", timeout=20_000)
        texts = page2.evaluate(OUTPUT_TEXTS)
        assert not any("Error displaying widget" in t or "model not found" in t for t in texts)
        assert any("⇣ streamed live" in t for t in texts)
        browser.close()

    assert shot is not None, "no screenshot of the live view with an answer under way"
    target = os.environ.get("LIVE_VIEW_SCREENSHOT")
    if target:
        path = (ROOT / target).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(shot)
