"""Every notebook's saved outputs in a real browser, in JupyterLab's light and dark themes: every text element
must keep a contrast of at least 4.5:1 (WCAG AA) against the background it is drawn on. One JupyterLab server,
both themes, every notebook, trusted (styles kept, as after a run) and untrusted (as first opened).

Set THEME_SCREENSHOTS=docs/img to (re)write the README's screenshots of both themes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    ARGS,
    BIN,
    CHROMIUM,
    SETTINGS,
    TOKEN,
    cjk_fonts,
    jupyter_lab,
    lab_environment,
    require_browser,
    settle,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# The English notebooks and their Simplified Chinese twins (Debian's fonts-noto-cjk gives Chromium CJK glyphs).
NOTEBOOKS = sorted(
    p.relative_to(ROOT / "notebooks").as_posix()
    for p in (ROOT / "notebooks").glob("**/*.ipynb")
    if "solutions" not in p.parts
)
THEMES = ("JupyterLab Light", "JupyterLab Dark")
MINIMUM = 4.5

sync_api = require_browser()

CONTRAST = """
() => {
  const parse = (c) => {
    const m = c && c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let base = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return base;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const results = [];
  let checked = 0;
  for (const area of document.querySelectorAll('.jp-OutputArea-output')) {
    for (const el of [area, ...area.querySelectorAll('*')]) {
      const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
      if (!own || !el.getClientRects().length) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      let opacity = 1;
      for (let e = el; e && e !== area.parentElement; e = e.parentElement) {
        opacity *= Number(getComputedStyle(e).opacity);
      }
      const bg = background(el);
      const fg = parse(style.color);
      const text = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
      const [l1, l2] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      checked += 1;
      if (ratio < %(minimum)s) {
        const where = 'rgb(' + bg.slice(0, 3).map(Math.round) + ')';
        results.push({text: own.slice(0, 60), ratio: Math.round(ratio * 100) / 100, color: style.color, where});
      }
    }
  }
  return {checked, failures: results};
}
""".replace("%(minimum)s", str(MINIMUM))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """JupyterLab over two copies of the notebooks: `trusted/` (signed, as after a run) and `untrusted/`."""
    home = tmp_path_factory.mktemp("themes")
    work = home / "work"
    for folder in ("trusted", "untrusted"):
        (work / folder).mkdir(parents=True)
        for name in NOTEBOOKS:
            (work / folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(ROOT / "notebooks" / name, work / folder / name)
    env = lab_environment(home, settings={**SETTINGS, "docmanager-extension/plugin": {"autosave": False}})
    trust = [str(BIN / "jupyter"), "trust", *(str(work / "trusted" / n) for n in NOTEBOOKS)]
    subprocess.run(trust, env=env, check=True, capture_output=True, timeout=60)
    with jupyter_lab(home, work, env) as url:
        yield url, work


def _start(page: Any, url: str) -> None:
    """Load JupyterLab once (with no notebook open): each notebook is then opened inside the same page."""
    page.goto(f"{url}/lab?token={TOKEN}&reset")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open') && "
        "document.body.dataset.jpThemeName",
        timeout=30_000,
    )


def _open(page: Any, path: str) -> None:
    """Show one notebook's saved outputs, alone in the main area, without starting a kernel (only the saved
    outputs are checked: no kernel is needed, as with "Open With > Notebook (no kernel)")."""
    page.evaluate(
        """async (path) => {
          const app = window.jupyterapp;
          await app.commands.execute('application:close-all');
          await app.commands.execute('docmanager:open',
            {path, factory: 'Notebook', kernelPreference: {shouldStart: false, shouldReuse: false}});
        }""",
        path,
    )
    page.wait_for_function(
        """(path) => {
          const current = window.jupyterapp.shell.currentWidget;
          return current && current.context && current.context.path === path &&
            document.querySelectorAll('.jp-NotebookPanel').length === 1 &&
            document.querySelectorAll('.jp-OutputArea-output').length > 0 &&
            !document.querySelector('.jp-OutputArea-output .jp-RenderedHTMLCommon:empty');
        }""",
        arg=path,
        timeout=30_000,
    )
    settle(page)


def _sessions(url: str) -> list[dict[str, Any]]:
    import urllib.request

    headers = {"Authorization": f"token {TOKEN}"}
    with urllib.request.urlopen(urllib.request.Request(f"{url}/api/sessions", headers=headers), timeout=10) as r:
        sessions: list[dict[str, Any]] = json.load(r)
    return sessions


def _theme(page: Any, theme: str) -> None:
    page.evaluate(f"() => window.jupyterapp.commands.execute('apputils:change-theme', {{theme: {theme!r}}})")
    page.wait_for_function(f"() => document.body.dataset.jpThemeName === {theme!r}", timeout=20_000)
    page.wait_for_timeout(800)  # the theme's stylesheet applies after the attribute changes


@contextmanager
def _lab_page(url: str) -> Iterator[Any]:
    """A page of headless Chromium on the test's JupyterLab, started and ready; the browser closed after."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1500})
        _start(page, url)
        try:
            yield page
        finally:
            browser.close()


def test_every_saved_output_reads_in_light_and_dark(lab: tuple[str, Path]) -> None:
    url, _work = lab
    failures: dict[str, list[Any]] = {}
    checked = 0
    shots = os.environ.get("THEME_SCREENSHOTS")
    with _lab_page(url) as page:
        for theme in THEMES:
            _theme(page, theme)
            for folder in ("trusted", "untrusted"):
                for name in NOTEBOOKS:
                    _open(page, f"{folder}/{name}")
                    assert page.evaluate("() => document.body.dataset.jpThemeName") == theme
                    found = page.evaluate(CONTRAST)
                    checked += found["checked"]
                    if found["failures"]:
                        failures[f"{theme} · {folder}/{name}"] = found["failures"][:8]
                    if name.startswith("zh-CN/") and folder == "trusted":
                        fonts = cjk_fonts(page, ".jp-NotebookPanel", sample=30)
                        if fonts["without_cjk_font"] or fonts["overflow"] or fonts["marked"] < 30:
                            failures[f"{theme} · {name}: Chinese text"] = [fonts]
                    if shots and folder == "trusted" and name.startswith("03"):
                        _screenshot(page, theme, ROOT / shots)
    assert not _sessions(url), "a kernel was started: only the saved outputs are meant to be shown"
    assert checked > 500, f"only {checked} text elements were checked: did the outputs render?"
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)


def _screenshot(page: Any, theme: str, folder: Path) -> None:
    """The first tool conversation (thinking, answer, tool call and result) in this theme, for the README."""
    folder.mkdir(parents=True, exist_ok=True)
    cell = page.locator(".jp-CodeCell", has=page.locator(".minimax-message", has_text="Tool result")).first
    cell.scroll_into_view_if_needed()
    name = "theme_dark.png" if "Dark" in theme else "theme_light.png"
    cell.screenshot(path=str(folder / name))


DIAGRAMS = """
() => [...document.querySelectorAll('.jp-MarkdownCell img')].filter(i => i.alt.startsWith('Diagram')).map(i => {
  const box = i.getBoundingClientRect();
  let e = i, bg = 'rgba(0, 0, 0, 0)';
  while (e && /rgba\\(0, 0, 0, 0\\)|transparent/.test(bg)) {
    bg = getComputedStyle(e).backgroundColor;
    e = e.parentElement;
  }
  return {alt: i.alt, loaded: i.complete && i.naturalWidth > 0, width: box.width, page: bg,
          src: i.getAttribute('src').slice(0, 30)};
})
"""


def _rgb(css: str) -> tuple[int, int, int]:
    parts = [int(float(p)) for p in css[css.index("(") + 1 : css.index(")")].replace(",", " ").split()[:3]]
    return parts[0], parts[1], parts[2]


def test_diagrams_setup_form_and_the_playgrounds_transcript_in_light_and_dark(
    lab: tuple[str, Path], tmp_path: Path
) -> None:
    """Each diagram (a cell attachment) draws in both themes on the theme's own page colour (transparent PNG: the
    corners are the page, the boxes are not), the setup cell opens collapsed, and notebook 06 saved shows its
    recorded conversation under the app's line. DIAGRAM_SCREENSHOTS=folder keeps the screenshots to look at."""
    import numpy as np
    from PIL import Image

    url, _work = lab
    folder = Path(os.environ.get("DIAGRAM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    seen: dict[str, int] = {}
    with _lab_page(url) as page:
        for theme in THEMES:
            _theme(page, theme)
            for name, count in (
                ("01_quick_start.ipynb", 1),
                ("03_tool_use.ipynb", 1),
                ("04_interleaved_thinking.ipynb", 2),
            ):
                _open(page, f"trusted/{name}")
                page.wait_for_function(  # markdown cells render on their own schedule, after the outputs
                    f"() => [...document.querySelectorAll('.jp-MarkdownCell img[alt^=\"Diagram\"]')]"
                    f".filter(i => i.complete && i.naturalWidth > 0).length === {count}",
                    timeout=30_000,
                )
                first = page.locator(".jp-CodeCell").first
                assert first.locator(".jp-InputPlaceholder").count() == 1, f"{name}: the setup cell is not collapsed"
                found = page.evaluate(DIAGRAMS)
                assert found, f"{name}: no diagram drawn"
                for index, image in enumerate(found):
                    assert image["loaded"] and image["width"] > 500 and image["src"].startswith("data:image/png")
                    shot = folder / f"{theme.split()[-1].lower()}_{name[:2]}_{index}.png"
                    page.locator(".jp-MarkdownCell img[alt^='Diagram']").nth(index).screenshot(path=str(shot))
                    pixels = np.asarray(Image.open(shot).convert("RGB")).astype(int)
                    away = np.abs(pixels - np.array(_rgb(image["page"]))).max(axis=2)
                    assert away[1, 1] <= 6, f"{name}: the corner is not the page colour in {theme} (not transparent)"
                    assert (away > 10).mean() > 0.1, f"{name}: the boxes do not show in {theme}"
                    seen[name] = seen.get(name, 0) + 1
            _open(page, "trusted/06_chat_playground.ipynb")
            app = page.locator(".jp-OutputArea-output", has_text="Chat playground").first
            for text in ("Which MiniMax model should I use", "Thinking", "Sum up our chat in one sentence"):
                assert app.get_by_text(text).count() >= 1, f"06 saved: {text!r} missing under the app's line"
    assert seen == {"01_quick_start.ipynb": 2, "03_tool_use.ipynb": 2, "04_interleaved_thinking.ipynb": 4}
