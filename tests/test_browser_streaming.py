"""The streaming notebook in a real browser: JupyterLab in headless Chromium (Playwright from PyPI driving
Debian's chromium). Runs notebook 02 on recordings down to its speed table, sees the thinking and answer panes
fill while the stream plays and the static view at the end, saves, reopens, and sees no "Error displaying widget".

Set LIVE_VIEW_SCREENSHOT=docs/img/live_view.png to (re)write the README's screenshot of the live view.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    ARGS,
    CHROMIUM,
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
)

pytestmark = pytest.mark.slow  # a browser and a notebook server

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "notebooks/02_streaming.ipynb"
SPEED_SECTION = "Measuring speed: time to first token, tokens per second"  # the heading the run stops above
sync_api = require_browser()


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """JupyterLab serving a copy of the notebook (helpers and recordings linked in) at recorded pace x3."""
    home = tmp_path_factory.mktemp("lab")
    work = home / "work"
    copy_notebook(work, NOTEBOOK)
    with jupyter_lab(home, work, lab_environment(home, MINIMAX_REPLAY_SPEED="3")) as url:
        yield url, work


WATCH_ANSWER = """
() => {
  // Each length the rainbow answer's live pane reaches, noted by the page itself on every change (polling from the
  // test every 0.1 s can miss the middle of a short answer when the machine is loaded).
  window.answerLengths = [];
  new MutationObserver(() => {
    for (const output of document.querySelectorAll('.jp-OutputArea-output')) {
      const text = output.innerText;
      if (!text.includes('⇣ streaming') || !text.toLowerCase().includes('rainbow')) continue;
      const answer = text.split('Sunlight looks white')[1];
      if (answer !== undefined && !window.answerLengths.includes(answer.length + 1)) {
        window.answerLengths.push(answer.length + 1);
      }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""


def test_live_view_fills_then_leaves_the_static_view(lab: tuple[str, Path]) -> None:
    url, work = lab
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        open_notebook(page, url, NOTEBOOK)
        page.evaluate(WATCH_ANSWER)  # the page notes every length the answer pane reaches, however busy the machine
        # Every cell above the speed table (which replays at the recorded pace on purpose): five live streams.
        menu(page, "Run", "Run All Above Selected Cell", cell=SPEED_SECTION)

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
        lengths = sorted({n for _, n in samples if n} | set(page.evaluate("() => window.answerLengths")))
        assert len(lengths) >= 3, f"the answer pane did not fill progressively: {lengths}"

        # At the end: no live widget left, the static views are there, down to the last cut stream's note.
        page.wait_for_function(RUN_OVER, timeout=45_000)
        texts = page.evaluate(OUTPUT_TEXTS)
        assert not any("⇣ streaming" in t for t in texts), "a live view was left on screen"
        assert sum("⇣ streamed live" in t for t in texts) >= 4
        assert page.locator(".minimax-message").count() >= 4, "static views missing"
        assert not any("Error displaying widget" in t for t in texts)
        assert any("Stream interrupted: MiniMax" in t for t in texts), "the run stopped before the last cut stream"

        saved = save_notebook(page, work / NOTEBOOK)
        assert "application/vnd.jupyter.widget-view+json" not in saved_mimes(saved), "a widget view was saved"

        # Reopen the saved (now trusted) notebook: no widget errors anywhere.
        reopen_notebook(page, NOTEBOOK)
        page.wait_for_selector(".minimax-message", timeout=20_000)
        texts = page.evaluate(OUTPUT_TEXTS)
        assert not any("Error displaying widget" in t or "model not found" in t for t in texts)
        assert any("⇣ streamed live" in t for t in texts)
        browser.close()

    assert shot is not None, "no screenshot of the live view with an answer under way"
    target = os.environ.get("LIVE_VIEW_SCREENSHOT")
    if target:
        path = (ROOT / target).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(shot)
