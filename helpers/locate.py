"""Find this collection for a notebook's setup cell, also when the notebook was opened on its own (as Colab does).

`locate()` uses the first of these, then puts the collection on `sys.path` (and, in Colab, installs the SDK):
1. this checkout: the notebook's folder, or a folder above it, holds `helpers/`;
2. a copy in the current folder (`/content` in Colab), or a fresh `git clone` of the repository into it;
3. the folder of the collection's name in your Google Drive (Colab only; mounted only if you answer yes);
4. the collection's zip in the current folder (made by `python -m devtools bundle`; a teacher hands it out).
When none is there, `SetupError` says what to do, in one message. Standard library only: the setup cell may have
fetched this one file before anything else of the collection is on disk. Every notebook's first cell calls it.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

SDK = "anthropic>=2.0,<3"


class SetupError(Exception):
    """The collection was not found; IPython shows only this message (no traceback), and Run all stops here."""

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


def in_colab() -> bool:
    return "google.colab" in sys.modules


def _has_helpers(folder: Path) -> bool:
    return (folder / "helpers" / "__init__.py").is_file()


def _clone(url: str, target: Path) -> str | None:
    """`git clone` into target; None when it worked, else git's last line (a placeholder URL gives 'not found')."""
    try:
        done = subprocess.run(
            ["git", "clone", "-q", "--depth", "1", url, str(target)], capture_output=True, text=True, timeout=300
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"git could not run ({error})"
    if done.returncode == 0 and _has_helpers(target):
        return None
    lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"git exited with {done.returncode}"


def _drive_folder(name: str, mount: Path, ask: Callable[[str], str]) -> tuple[Path | None, str]:
    """The collection in Google Drive (My Drive/<name>), mounting Drive only after a yes; and what was seen."""
    my_drive = mount / "MyDrive"
    if not my_drive.is_dir():
        answer = ask(f"Look for the folder {name} in your Google Drive? Colab then asks for access. [y/N] ")
        if answer.strip().lower() not in {"y", "yes"}:
            return None, "Google Drive not searched (you said no)"
        from google.colab import drive  # type: ignore[import-not-found]

        drive.mount(str(mount))
    folder = my_drive / name
    return (folder, "") if _has_helpers(folder) else (None, f"no folder {name} in My Drive")


def _unzip(name: str, work: Path) -> tuple[Path | None, str]:
    """Unpack the newest <name>*.zip in the work folder (an upload may be renamed '<name> (1).zip')."""
    zips = sorted(work.glob(f"{name}*.zip"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not zips:
        return None, f"no {name}.zip in {work}"
    with zipfile.ZipFile(zips[0]) as bundle:
        bundle.extractall(work)  # zipfile drops absolute paths and '..' from member names
    folder = work / name
    return (folder, "") if _has_helpers(folder) else (None, f"{zips[0].name} does not hold {name}/helpers")


def find(repository: str, name: str, *, start: Path | None = None, ask: Callable[[str], str] = input) -> Path:
    """The collection's folder, from the first source that has it (see the module's docstring); else SetupError.

    Everything is looked for from `start` (the notebook's folder: `/content` in Colab, Drive mounted at ./drive)."""
    work = (start or Path.cwd()).resolve()
    for folder in (work, *work.parents):
        if _has_helpers(folder):
            return folder
    colab = in_colab()
    tried = ["this folder and those above it"]
    target = work / name
    if _has_helpers(target):
        return target
    failure = _clone(repository, target)
    if failure is None:
        return target
    tried.append(f"git clone {repository}: {failure}")
    if colab:
        found, seen = _drive_folder(name, work / "drive", ask)
        if found:
            return found
        tried.append(seen)
    found, seen = _unzip(name, work)
    if found:
        return found
    tried.append(seen)
    drive = f"put the folder {name} in your Google Drive (My Drive) and answer y when asked" if colab else ""
    raise SetupError(
        f"Could not find this notebook's collection {name} (tried: {'; '.join(tried)}).\n"
        "Do one of these, then run this cell again:\n"
        f"- upload {name}.zip (your teacher has it; `python -m devtools bundle` makes it) to {work}"
        + (" with the Files pane" if colab else "")
        + (f";\n- or {drive}" if drive else "")
        + f";\n- or clone the repository yourself and open the notebook from there: git clone {repository}"
    )


def locate(repository: str, name: str, shell: Any = None, *, ask: Callable[[str], str] = input) -> Path:
    """Find the collection, put it first on sys.path and, in Colab, install only the SDK (Colab's own ipywidgets
    7.7.1, pandas and matplotlib stay as they are). Returns the collection's folder."""
    root = find(repository, name, ask=ask)
    if sys.path[:1] != [str(root)]:
        sys.path.insert(0, str(root))
    if in_colab():
        if shell is not None:
            shell.run_line_magic("pip", f'install -q "{SDK}"')
        else:
            subprocess.run([sys.executable, "-m", "pip", "install", "-q", SDK], check=True)
    return root
