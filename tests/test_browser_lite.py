"""The JupyterLite site (`python -m devtools lite`) in headless Debian chromium: every notebook runs in the browser,
keyless, at the recorded pace, and each code cell's outputs equal the saved ones, except the cells listed in
NEEDS_RELEASE, which need pandas (no WebAssembly wheel on the package registries: it comes with a Pyodide release
folder, `--pyodide-release`) and must fail for that reason only. Nothing is fetched from outside the site but the
badge images the notebooks' own Markdown shows.

It builds the site and runs for minutes, so it is its own CI step, not part of the whole suite:
    REQUIRE=lite python -m pytest tests/test_browser_lite.py -n auto --dist worksteal
(LITE_SITE=DIR runs it on a site already built; without either it skips.) The notebooks are independent: each
pytest-xdist worker has its own chromium and its own server on a free port, each notebook a new page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lite_support import browser, open_notebook, outputs, run_all, saved_cells, serve
from support import missing

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(
    p.relative_to(ROOT).as_posix()
    for p in (ROOT / "notebooks").rglob("*.ipynb")
    if p.parent.name != "solutions" or "zh-CN" not in p.parts
)
"""Every notebook and every Chinese notebook; not the Chinese solutions (about 27 s each in CI): they run the same
code and checks as the English solutions run here, on recordings and catalogs the Chinese notebooks load here too,
and strict nbval runs them in every other step."""
BADGES = ("https://colab.research.google.com/assets/colab-badge.svg", "https://mybinder.org/badge_logo.svg")
PANDAS = "ModuleNotFoundError: No module named 'pandas'"
MATPLOTLIB = "ModuleNotFoundError: No module named 'matplotlib'"
NO_PD = "NameError: name 'pd' is not defined"
DEPENDS = "depends on a cell above that stopped at `import pandas` (its data, its calls or its tools' answers)"
NEEDS_RELEASE: dict[str, dict[str, str]] = {
    # notebook -> {cell id: the error it shows without pandas or matplotlib, or DEPENDS}: each cell shows a table
    # through pandas or a chart, uses `pd` from a cell that imports it, or uses what such a cell would have made.
    "notebooks/01_quick_start.ipynb": {"5eecf847": PANDAS},
    "notebooks/02_streaming.ipynb": {"0a22411e": PANDAS, "34e312bc": MATPLOTLIB, "ee900733": DEPENDS},
    "notebooks/03_tool_use.ipynb": {
        "3d9d4610": PANDAS,  # the dataset
        "ce1496b7": DEPENDS,  # the cut call's tool reads SALES, the dataset's table
        "93d71a6e": DEPENDS,
        "d4cce577": DEPENDS,
        "83e4da5e": DEPENDS,
        "74e948f3": DEPENDS,  # the cost summary counts fewer calls
    },
    "notebooks/04_interleaved_thinking.ipynb": {
        "73b31373": PANDAS,
        "8c9e70f0": PANDAS,  # the cache columns of helpers.usage(), a pandas table
        "0cb52930": NO_PD,
        "02eff8f7": "NameError: name 'costs' is not defined",  # the table the cell above builds with pandas
    },
    "notebooks/05_parameters_and_errors.ipynb": {"05295589": PANDAS, "da446227": NO_PD, "c59e2302": NO_PD},
    "notebooks/06_chat_playground.ipynb": {"96e2491b": PANDAS},
}
pytestmark = pytest.mark.slow


def _english_twin(notebook: str) -> str:
    """A translation's English notebook (notebooks/zh-CN/x.ipynb -> notebooks/x.ipynb): the same cells, with the same
    ids, so the same cells need pandas."""
    return notebook.replace("notebooks/zh-CN/", "notebooks/", 1)


def _required() -> bool:
    return "lite" in {f.strip() for f in os.environ.get("REQUIRE", "").split(",")}


if not _required() and not os.environ.get("LITE_SITE"):
    pytest.skip(
        "the JupyterLite site test is its own CI step: REQUIRE=lite python -m pytest tests/test_browser_lite.py",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site: LITE_SITE, else built now with `python -m devtools lite` (its cache kept in dist/lite-cache) once
    for the whole run: pytest-xdist workers share the base temporary folder, and the first to take the lock builds."""
    if os.environ.get("LITE_SITE"):
        return Path(os.environ["LITE_SITE"])
    import fcntl  # POSIX only, like the Debian chromium this test needs; imported here so the module still collects

    shared = tmp_path_factory.getbasetemp().parent  # one folder per run, every worker's own temp folder inside
    out = shared / "lite-site"
    with (shared / "lite-site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "jupyter-lite.json").is_file():
            command = [
                sys.executable,
                "-m",
                "devtools",
                "lite",
                "--out",
                str(out),
                "--cache",
                str(ROOT / "dist/lite-cache"),
            ]
            built = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def page_on(site: Path) -> Iterator[tuple[Any, str]]:
    """(a new-page factory in one headless chromium, the site's URL)."""
    if not Path("/usr/bin/chromium").exists():
        missing("lite", "Debian's chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("lite", "playwright is not installed (pip install playwright)")
    with serve(site) as url, sync_playwright() as playwright:
        chromium = browser(playwright)
        yield chromium, url
        chromium.close()


def test_the_site_carries_its_own_pyodide_and_no_cdn(site: Path) -> None:
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs" and kernel["disablePyPIFallback"] is True
    lock = json.loads((site / "static/pyodide/pyodide-lock.json").read_text())
    for name, package in lock["packages"].items():
        assert (site / "static/pyodide" / package["file_name"]).is_file(), name  # no URL, no missing wheel
    assert {"anthropic", "pydantic-core", "jiter", "jsonschema", "micropip"} <= set(lock["packages"])
    assert lock["packages"]["jsonschema"]["version"] == "4.17.3"
    assert "cdn.jsdelivr" not in (site / "jupyter-lite.json").read_text()


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_cell_gives_its_saved_output_in_the_browser(page_on: tuple[Any, str], site: Path, notebook: str) -> None:
    chromium, url = page_on
    page = chromium.new_page()
    try:
        load = open_notebook(page, url, site, notebook)
        assert set(load.foreign) <= set(BADGES), f"fetched from outside the site: {load.foreign}"
        ran = [c for c in run_all(page) if c["cell_type"] == "code"]
    finally:
        page.close()
    saved = saved_cells(notebook)
    assert len(ran) == len(saved)
    expected = NEEDS_RELEASE.get(notebook) or NEEDS_RELEASE.get(_english_twin(notebook), {})
    differ = {}
    for got, want in zip(ran, saved, strict=True):
        if outputs(got) != outputs(want):
            differ[want["id"]] = outputs(got)
    assert set(differ) == set(expected), {k: v[:2] for k, v in differ.items() if k not in expected}
    for cell, error in expected.items():
        if error != DEPENDS:
            assert differ[cell] == [("error", error)], f"cell {cell} failed for another reason: {differ[cell]}"
