"""Notebook 06's chat app in a real browser (JupyterLab in headless Chromium, as test_browser_streaming.py):
Run All leaves a usable app (type, Send, an answer); a notebook saved while the app is open keeps the app's line,
not its widget view (jupyter-config/'s save rule), so it reopens (tab closed, file opened again) with no "Error
displaying widget", with the kernel still running and after a kernel restart; Close app leaves the transcript and
the bill. Without the rule both reopens fail: "Loading widget..." forever, then "Error displaying widget".

Set PLAYGROUND_SCREENSHOTS=<folder> to keep screenshots of each step.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    ARGS,
    CHROMIUM,
    IDLE,
    OUTPUT_TEXTS,
    RUN_OVER,
    copy_notebook,
    jupyter_lab,
    lab_environment,
    menu,
    open_notebook,
    reopen_notebook,
    require_browser,
    save_notebook,
    saved_mimes,
    wait_for_text,
)

pytestmark = pytest.mark.slow  # a browser and a notebook server

NOTEBOOK = "notebooks/06_chat_playground.ipynb"
QUESTION = "What does the region picker change?"  # the recorded fourth turn
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
PLAYGROUND = "💬 Chat playground"  # how the app's line starts
sync_api = require_browser()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """JupyterLab serving a copy of notebook 06 (helpers and recordings linked in), replaying at full speed."""
    home = tmp_path_factory.mktemp("lab")
    work = home / "work"
    copy_notebook(work, NOTEBOOK)
    with jupyter_lab(home, work, lab_environment(home, MINIMAX_REPLAY_SPEED="0")) as url:
        yield url, work


def _save(page: Any, work: Path) -> dict[str, Any]:
    saved = save_notebook(page, work / NOTEBOOK)
    assert "widgets" not in saved["metadata"], "widget state was saved in the notebook's metadata"
    return saved


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("PLAYGROUND_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
        (Path(folder) / f"{name}.json").write_text(json.dumps(page.evaluate(OUTPUT_TEXTS), indent=1))


def _no_widget_error(page: Any, when: str) -> list[str]:
    """The output texts, once every widget view has been drawn or has failed ("Loading widget..." until then)."""
    try:
        page.wait_for_function(
            "() => ![...document.querySelectorAll('.jp-OutputArea-output')].some(e => e.innerText.includes("
            "'Loading widget'))",
            timeout=15_000,
        )
    except sync_api.TimeoutError:
        pytest.fail(f"{when}: a widget still says 'Loading widget' after 15 s")
    texts: list[str] = page.evaluate(OUTPUT_TEXTS)
    assert not any("Error displaying widget" in t or "model not found" in t for t in texts), when
    return texts


def _saved_texts(saved: dict[str, Any]) -> list[str]:
    return ["".join(o.get("data", {}).get("text/plain", "")) for c in saved["cells"] for o in c.get("outputs", [])]


def test_run_all_leaves_a_usable_app_that_saves_and_reopens_cleanly(lab: tuple[str, Path]) -> None:
    url, work = lab
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        open_notebook(page, url, NOTEBOOK)
        menu(page, "Run", "Run All Cells")
        page.wait_for_function(RUN_OVER, timeout=60_000)

        # After Run All the app is open: type the recorded fourth question, press Send, read the answer.
        box = page.locator(".jupyter-widgets textarea").first
        box.wait_for(timeout=10_000)
        box.fill(QUESTION)
        page.locator(".jupyter-widgets button", has_text="Send").first.click()
        wait_for_text(page, ".widget-html-content", "api.minimaxi.com", timeout=20_000)
        _shot(page, "1-answered")

        # Saved while open (autosave does it every 120 s): the page keeps the live app, the file keeps the app's
        # line instead of a widget view that a kernel restart would turn into "Error displaying widget".
        saved = _save(page, work)
        assert WIDGET_MIME not in saved_mimes(saved), "a widget view was saved"
        assert any(PLAYGROUND in text for text in _saved_texts(saved))
        assert page.locator(".jupyter-widgets textarea").count() >= 1, "saving closed the app in the page"

        # Its Close button replaces the app, where it stands, by the transcript and the bill; saved, no widget.
        page.locator(".jupyter-widgets button", has_text="Close app").first.click()
        page.wait_for_function("() => !document.querySelector('.jupyter-widgets textarea')", timeout=10_000)
        wait_for_text(page, ".jp-OutputArea-output .minimax-message", "api.minimaxi.com", timeout=10_000)
        _shot(page, "2-closed")
        saved = _save(page, work)
        assert WIDGET_MIME not in saved_mimes(saved), "the closed app's widget view was still saved"
        assert any("6 calls" in text for text in _saved_texts(saved))

        # `playground.show()` in a new cell opens the app again, the conversation carried on; saved while open.
        page.locator(".jp-Cell").last.click()
        page.keyboard.press("Escape")
        page.keyboard.press("b")  # a new cell below, then Enter to edit it
        page.keyboard.press("Enter")
        page.keyboard.type("playground.show()")
        page.keyboard.press("Shift+Enter")
        page.locator(".jupyter-widgets textarea").first.wait_for(timeout=10_000)
        assert "api.minimaxi.com" in page.locator(".widget-html-content").first.inner_text()
        _save(page, work)

        # Reopened while the kernel runs: no widget error, and the app's line says how to open it again.
        reopen_notebook(page, NOTEBOOK)
        texts = _no_widget_error(page, "reopened with the kernel running")
        _shot(page, "3-reopened")
        assert any("run playground.show()" in t for t in texts), "the app's line is missing"
        assert any("api.minimaxi.com" in t for t in texts), "the transcript was not saved"

        # The kernel restarts (its widget models are gone), then the notebook is reopened.
        page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.restartKernel()")  # awaited
        page.wait_for_function(IDLE, timeout=30_000)
        reopen_notebook(page, NOTEBOOK)
        texts = _no_widget_error(page, "reopened after a kernel restart")
        _shot(page, "4-reopened-after-restart")
        assert any("api.minimaxi.com" in t for t in texts) and any("run playground.show()" in t for t in texts)
        browser.close()
