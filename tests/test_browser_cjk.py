"""Chinese that reads right (issue 21): every Simplified Chinese notebook exported to HTML (`jupyter nbconvert --to
html`, light and dark themes) and opened in headless Debian chromium, at a desktop and a phone's width. Its Chinese
is drawn in a CJK font (the fonts Chromium used for each element's glyphs, through CDP: no tofu), wraps inside its
column, and keeps a contrast of 4.5:1 in both themes. JupyterLab itself is checked in test_browser_themes.py.

CJK_SCREENSHOTS=folder keeps a screenshot of each notebook's first screen in each theme, to look at.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from browser_support import ARGS, CHROMIUM, cjk_fonts, require_browser
from test_browser_themes import CONTRAST

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks" / "zh-CN").glob("*.ipynb"))
WIDTHS = (1000, 420)
"""A laptop and a phone held upright: Chinese has no spaces, so only proper CJK line breaking keeps it inside."""

sync_api = require_browser()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every Chinese notebook exported once per theme (two nbconvert processes)."""
    out = tmp_path_factory.mktemp("export-zh")
    jupyter = Path(sys.executable).parent / "jupyter"
    pages = {}
    for theme in ("light", "dark"):
        folder = out / theme
        command = [str(jupyter), "nbconvert", "--to", "html", "--theme", theme, "--output-dir", str(folder)]
        subprocess.run([*command, *map(str, NOTEBOOKS)], check=True, capture_output=True, timeout=300)
        pages.update({f"{theme}/{path.stem}": folder / f"{path.stem}.html" for path in NOTEBOOKS})
    return pages


def _page(browser: Any, width: int) -> Any:
    """A page that loads only local files: the export's CDN scripts (MathJax, require.js) are refused."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
    return page


def test_there_are_chinese_notebooks_to_check() -> None:
    assert len(NOTEBOOKS) >= 2, "notebooks/zh-CN holds the translations"


def test_exported_chinese_draws_in_a_cjk_font_wraps_and_reads_in_both_themes(exported: dict[str, Path]) -> None:
    shots = os.environ.get("CJK_SCREENSHOTS")
    problems: dict[str, Any] = {}
    fonts: dict[str, int] = {}
    checked = 0
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        for width in WIDTHS:
            page = _page(browser, width)
            for name, path in exported.items():
                page.goto(path.as_uri(), wait_until="load")
                found = cjk_fonts(page, "body", sample=40 if width == WIDTHS[0] else 10)
                for family, glyphs in found["families"].items():
                    fonts[family] = fonts.get(family, 0) + glyphs
                contrast = page.evaluate(CONTRAST) if width == WIDTHS[0] else {"checked": 0, "failures": []}
                checked += contrast["checked"]
                where = f"{name} at {width}px"
                if found["marked"] < 30:
                    problems[where] = f"only {found['marked']} elements with Chinese text: did the page render?"
                elif found["without_cjk_font"] or found["overflow"] or contrast["failures"]:
                    problems[where] = {
                        "not in a CJK font": found["without_cjk_font"],
                        "runs past its column": found["overflow"][:5],
                        "low contrast": contrast["failures"][:5],
                    }
                if shots and width == WIDTHS[0]:
                    Path(shots).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(Path(shots) / f"{name.replace('/', '_')}.png"))
            page.close()
        browser.close()
    assert not problems, problems
    assert checked > 200, f"only {checked} output texts had their contrast checked"
    assert any("CJK" in family for family in fonts), fonts
    assert not any("Last Resort" in family for family in fonts), fonts
