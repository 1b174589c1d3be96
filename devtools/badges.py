"""Keep every notebook's Open-in-Colab badge and setup cell in step with devtools/project.py.

The repository URL lives only in `project.py`. `python -m devtools badges` rewrites each notebook's badge (in
its first markdown cell) and the shared part of its setup cell (its first code cell) from it; `problems()`
lists what disagrees, for the test suite. A setup cell's own last line (`client = helpers.get_client(...)`)
is kept, and added, with the notebook's stem, where missing (notebook 01 creates its client later).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import project

FIRST_NOTEBOOK = "01_quick_start"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
_CLIENT_LINE = re.compile(r"^client = helpers\.get_client\(.*\)\s*$")


def repository_root() -> Path:
    """The checkout this package sits in: notebook paths in badges are relative to it."""
    return Path(__file__).resolve().parent.parent


def setup_source() -> str:
    """The shared setup cell: in Colab, fetch the repository and install only the SDK; locally, use this checkout.

    It installs nothing else on purpose: Colab's own ipywidgets (7.7.1), pandas and matplotlib stay as they are.
    """
    folder = f"/content/{project.CLONE_FOLDER}"
    return "\n".join(
        [
            "# Setup: in Colab, fetch the helpers and recordings and install the SDK; locally, use this checkout.",
            "import sys",
            "from pathlib import Path",
            "",
            f'if "google.colab" in sys.modules and not Path("{folder}").exists():',
            f"    !git clone -q --depth 1 {project.repository_url()} {folder}",
            '    %pip install -q "anthropic>=0.68,<3"',
            "ROOT = next(",
            "    p",
            f'    for p in [Path.cwd(), *Path.cwd().parents, Path("{folder}")]',
            '    if (p / "helpers").is_dir()',
            ")",
            "sys.path.insert(0, str(ROOT))",
            "",
            "import helpers",
            "",
            'MODEL = "MiniMax-M2.1"',
        ]
    )


def badge(notebook_path: str) -> str:
    """The badge markdown for a notebook, given its path inside the repository."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({project.colab_url(notebook_path)})"


def recordings_name(path: Path) -> str:
    """The recordings folder a notebook's client uses by default: its stem, without a `_solutions` suffix."""
    return path.stem.removesuffix("_solutions")


def expected_setup(path: Path, current: str) -> str:
    """The setup cell `path` should have: the shared code, then (except in notebook 01) its client line."""
    shared = setup_source()
    if path.stem == FIRST_NOTEBOOK:
        return shared
    last = current.rstrip().splitlines()[-1] if current.strip() else ""
    if not _CLIENT_LINE.match(last):
        last = f'client = helpers.get_client(recordings="{recordings_name(path)}")'
    return f"{shared}\n{last}"


def expected_title_cell(relative: str, current: str) -> str:
    """The first markdown cell with its badge pointing at this notebook (inserted after the title if absent)."""
    wanted = badge(relative)
    if _BADGE.search(current):
        return _BADGE.sub(lambda _: wanted, current, count=1)
    lines = current.splitlines()
    head, rest = (lines[:1], lines[1:]) if lines and lines[0].startswith("#") else ([], lines)
    return "\n".join([*head, "", wanted, *([""] if rest and rest[0].strip() else []), *rest])


def _cells(nb: Any) -> tuple[Any, Any]:
    """The notebook's first markdown cell (title and badge) and first code cell (setup), or None for each."""
    markdown = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    code = next((c for c in nb.cells if c.cell_type == "code"), None)
    return markdown, code


def check_notebook(path: Path, *, fix: bool = False) -> list[str]:
    """What disagrees with project.py in one notebook; with `fix`, rewrite it so nothing does."""
    import nbformat

    root = repository_root()
    relative = path.resolve().relative_to(root).as_posix()
    nb = nbformat.read(path, as_version=4)
    markdown, code = _cells(nb)
    found: list[str] = []
    if markdown is None or code is None:
        return [f"{relative}: needs a title cell and a setup cell"]
    title = expected_title_cell(relative, markdown.source)
    if title != markdown.source:
        found.append(f"{relative}: the Open-in-Colab badge is missing or does not point at {relative}")
        markdown.source = title
    setup = expected_setup(path, code.source)
    if setup != code.source:
        found.append(f"{relative}: the first code cell differs from the shared setup cell")
        code.source = setup
    if fix and found:
        nbformat.write(nb, path)
    return found


def problems(names: list[str] | None = None) -> list[str]:
    """Every disagreement between the notebooks (solutions included) and project.py."""
    from .notebooks import notebook_paths

    return [p for path in notebook_paths(names) for p in check_notebook(path)]


def main(names: list[str], *, check: bool = False) -> int:
    """`python -m devtools badges [--check] [names]`: rewrite (or only list) what disagrees with project.py."""
    from .notebooks import notebook_paths

    paths = notebook_paths(names)
    if not paths:
        print(f"No notebook matches {', '.join(names)}: give part of a notebook's file name, or nothing for all.")
        return 1
    changed = 0
    for path in paths:
        found = check_notebook(path, fix=not check)
        for line in found:
            print(("differs: " if check else "rewrote: ") + line)
        changed += bool(found)
    if check:
        print(f"{changed} notebook(s) disagree with devtools/project.py" if changed else "All notebooks agree.")
        return 1 if changed else 0
    if changed:
        print(f"Rewrote {changed} notebook(s). Their stored outputs are unchanged: the setup cell prints nothing.")
    else:
        print("All notebooks already agree with devtools/project.py.")
    return 0
