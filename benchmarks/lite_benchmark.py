"""Benchmark: the JupyterLite site's first load, in headless Debian chromium with an empty cache each time.

    python -m devtools lite                  # builds dist/lite first
    python benchmarks/lite_benchmark.py [SITE]

Serves the site (default dist/lite) on 127.0.0.1, opens notebook 01 in a fresh browser context five times, and
prints the median seconds from page load to an idle kernel (goal: at most 10 s) and the bytes fetched on a first
load, as stored and gzip-compressed as a static host sends them (goal: at most 25 MB compressed), with the largest
files.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from lite_support import browser, open_notebook, serve  # noqa: E402

ROUNDS = 5
NOTEBOOK = "notebooks/01_quick_start.ipynb"


def main() -> int:
    from playwright.sync_api import sync_playwright

    site = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "dist" / "lite")
    if not (site / "jupyter-lite.json").is_file():
        print(f"No site in {site}: build it with python -m devtools lite", file=sys.stderr)
        return 2
    times, loads = [], []
    with serve(site) as url, sync_playwright() as playwright:
        chromium = browser(playwright)
        for _ in range(ROUNDS):
            context = chromium.new_context()  # an empty cache: a learner's first visit
            load = open_notebook(context.new_page(), url, site, NOTEBOOK)
            context.close()
            times.append(load.ready)
            loads.append(load)
        chromium.close()
    raw, packed = loads[0].sizes()
    print(f"kernel ready: median {statistics.median(times):.1f} s (rounds: {', '.join(f'{t:.1f}' for t in times)})")
    files = len(loads[0].files)
    print(f"first load: {files} files, {raw / 1e6:.1f} MB as stored, {packed / 1e6:.1f} MB gzip-compressed")
    for path in sorted(loads[0].files, key=lambda p: -p.stat().st_size)[:6]:
        print(f"  {path.stat().st_size / 1e6:5.1f} MB  {path.relative_to(site)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
