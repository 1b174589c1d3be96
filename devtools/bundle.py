"""`python -m devtools bundle`: the collection as one zip a teacher can hand out (course page, Drive, e-mail).

A learner uploads it to Colab's Files pane (or puts it beside a notebook opened on its own); the setup cell then
finds it (helpers/locate.py, last of its four places). It holds the helpers, the data and the notebooks, under one
top folder of the collection's name, so unpacking it in /content gives /content/<name>/helpers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from . import project

FOLDERS = ("helpers", "data", "notebooks", "docs")
FILES = ("README.md", "requirements.txt", "runtime.txt")
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", "scratch"}
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # the same files always give the same zip


def repository_root() -> Path:
    return Path(__file__).resolve().parent.parent


def members(root: Path) -> list[Path]:
    """The files that go in, relative to root: FOLDERS and FILES, without caches or scratch recordings."""
    found = [root / name for name in FILES if (root / name).is_file()]
    for folder in FOLDERS:
        found += [p for p in (root / folder).rglob("*") if p.is_file()]
    return sorted(
        p.relative_to(root) for p in found if not SKIP_PARTS & set(p.relative_to(root).parts) and p.suffix != ".pyc"
    )


def build(out: Path | None = None, root: Path | None = None) -> Path:
    """Write the zip (default dist/<name>.zip) and return its path."""
    root = root or repository_root()
    out = out or root / "dist" / f"{project.CLONE_FOLDER}.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for relative in members(root):
            info = zipfile.ZipInfo(f"{project.CLONE_FOLDER}/{relative.as_posix()}", FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, (root / relative).read_bytes())
    return out


def main(out: str | None = None) -> int:
    path = build(Path(out) if out else None)
    size = path.stat().st_size / 1e6
    print(f"Wrote {path} ({size:.1f} MB). Learners upload it to Colab's Files pane (or beside the notebook)")
    print("and run the notebook's first cell; it also works from a Google Drive folder of the same name, unpacked.")
    return 0
