"""`python -m devtools bundle`: the collection as one zip a teacher can hand out (course page, Drive, e-mail).

A learner uploads it to Colab's Files pane (or puts it beside a notebook opened on its own); the setup cell then
finds it (helpers/locate.py). It holds the helpers, the data, the notebooks and what `python3 scripts/start.py`
needs, under one top folder of the collection's name, with START_HERE.md saying how to use it.

Only files git tracks go in (`git ls-files`: a teacher's `.env`, ignored by git, never does), a file that can hold a
secret (`.env`, `*.key`, `credentials*`, or a line `MINIMAX_API_KEY=<value>`) stops the build, links leading out of
the checkout are skipped, and every file that went in is printed.
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import zipfile
from pathlib import Path

from . import project

FOLDERS = ("helpers", "data", "notebooks", "docs", "jupyter-config")
FILES = (
    "README.md",
    "README.zh-CN.md",
    "requirements.txt",
    "requirements.lock",
    "runtime.txt",
    "scripts/start.py",
    "scripts/uv_wheel.py",
)
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", "scratch"}
SKIP_NAMES = ("docs/img/diagram_*.png", "docs/img/diagrams.json")
"""The diagrams' images: each notebook already holds its own as a cell attachment (devtools/diagrams.py)."""
SECRET_NAMES = (".env", ".env.*", "*.env", "*.key", "*.pem", "*.p12", "credentials*", "id_rsa*", "id_ed25519*")
SECRET_LINE = re.compile(r"\b(?:MINIMAX|ANTHROPIC)_API_KEY\s*[=:]\s*[\"']?[A-Za-z0-9_\-.]{20,}")
FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # the same files always give the same zip
START_HERE = "START_HERE.md"


class BundleError(Exception):
    """The zip was not written: the message says which file and what to do."""


def repository_root() -> Path:
    return Path(__file__).resolve().parent.parent


def tracked(root: Path) -> list[str]:
    """The files git tracks under FOLDERS and FILES (what a clone holds), as posix paths relative to root."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", *FOLDERS, *FILES], capture_output=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as error:
        raise BundleError(f"{root} is not a git checkout git can read ({error}): bundle from a clone.") from error
    return sorted(name for name in done.stdout.decode().split("\0") if name)


def secret_problem(relative: str, data: bytes) -> str | None:
    """Why this file may hold a key (its name, or a `MINIMAX_API_KEY=<value>` line), or None."""
    name = relative.rsplit("/", 1)[-1]
    if any(fnmatch.fnmatch(name.lower(), pattern) for pattern in SECRET_NAMES):
        return f"{relative}: a file named like this can hold a key"
    if SECRET_LINE.search(data.decode("utf-8", "replace")):
        return f"{relative}: it holds an API key value (a line like MINIMAX_API_KEY=<key>)"
    return None


def members(root: Path) -> tuple[list[Path], list[str]]:
    """The files that go in, relative to root, and the tracked links skipped because they lead out of the checkout.

    Raises BundleError naming every file that could hold a key: nothing is written then."""
    root = root.resolve()
    chosen: list[Path] = []
    skipped: list[str] = []
    secrets: list[str] = []
    for relative in tracked(root):
        path = root / relative
        skip = any(fnmatch.fnmatch(relative, pattern) for pattern in SKIP_NAMES)
        if skip or SKIP_PARTS & set(Path(relative).parts) or relative.endswith(".pyc"):
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            skipped.append(relative)
            continue
        if not path.is_file():
            continue  # tracked but deleted in this checkout
        problem = secret_problem(relative, path.read_bytes())
        if problem:
            secrets.append(problem)
        chosen.append(Path(relative))
    if secrets:
        raise BundleError(
            "Not writing the zip: it would hand out a key.\n- "
            + "\n- ".join(secrets)
            + "\nRemove the file from git (git rm --cached FILE) or the key from it, then run this again."
        )
    return chosen, skipped


def start_here() -> str:
    """START_HERE.md at the zip's top: how to use it in Colab, or unpacked on a computer."""
    name = project.CLONE_FOLDER
    return f"""# {name}: start here

This zip is the whole collection: notebooks, helpers, recordings and docs. No API key is in it.

## In Google Colab
1. Unpack the zip on your computer. In Colab choose *File → Upload notebook* and pick
   `{name}/notebooks/01_quick_start.ipynb` (or any other notebook in `notebooks/`; 简体中文版在
   `notebooks/zh-CN/`, region `cn` by default).
2. Upload `{name}.zip` itself (not unpacked) with the Files pane (the folder icon on the left).
3. Run the notebook's first cell: it finds the zip, unpacks it and imports the helpers. Nothing is fetched from
   the internet except the `anthropic` SDK.

## On another hosted JupyterLab (Alibaba Cloud PAI-DSW, ModelScope notebooks, a hub)
1. Upload `{name}.zip` with the file browser's *Upload Files* button.
2. Open a terminal (Launcher, *Terminal*) and unpack it there: `python -m zipfile -e {name}.zip .`
3. Open `{name}/notebooks/01_quick_start.ipynb` and run its first cell: it installs what the kernel lacks of
   `requirements.txt` with pip (nothing when all is there). If pip cannot reach its index, put a mirror of it in
   the cell's `MIRROR = ""` line, then run the cell again.

简体中文：见 `README.zh-CN.md`（中国区密钥、托管 JupyterLab、包索引镜像）。

## On your own computer
Unpack the zip, then in a terminal (Python 3.11 or newer):

```
cd {name}
python3 scripts/start.py
```

It makes `.venv` here, installs `requirements.lock` into it and opens JupyterLab on
`notebooks/01_quick_start.ipynb`. README.md says more; its commands that use `tests/` or `devtools/` need a clone
of the repository, which this zip does not hold.
"""


def build(out: Path | None = None, root: Path | None = None, *, show: bool = False) -> Path:
    """Write the zip (default dist/<name>.zip) and return its path; with `show`, print each file that went in."""
    root = root or repository_root()
    chosen, skipped = members(root)
    out = out or root / "dist" / f"{project.CLONE_FOLDER}.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    entries = [(START_HERE, start_here().encode())] + [(p.as_posix(), (root / p).read_bytes()) for p in chosen]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for relative, data in entries:
            info = zipfile.ZipInfo(f"{project.CLONE_FOLDER}/{relative}", FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, data)
            if show:
                print(f"  {relative}")
    for relative in skipped:
        print(f"Skipped {relative}: a link that leads out of the checkout.")
    return out


def main(out: str | None = None) -> int:
    try:
        path = build(Path(out) if out else None, show=True)
    except BundleError as error:
        print(error)
        return 1
    count = len(zipfile.ZipFile(path).namelist())
    size = path.stat().st_size / 1e6
    print(f"Wrote {path} ({count} files above, {size:.1f} MB; only files git tracks). Learners upload it to Colab's")
    print("Files pane (or beside the notebook) and run the notebook's first cell; START_HERE.md in it says how.")
    return 0
