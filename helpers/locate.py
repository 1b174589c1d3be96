"""Find this collection for a notebook's setup cell, also when the notebook was opened on its own, as Colab does.
`find()` takes the first of: this checkout or a copy beside it; the teacher's zip (`python -m devtools bundle`),
unpacked beside itself; the folder in Google Drive (Colab only, mounted after a yes); once published, `git clone` at
the pinned commit. A folder counts only if its helpers/locate.py holds the COLLECTION line, so another project's
`helpers` is never imported. Standard library only: this file may be on disk before anything else."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SDK = "anthropic>=2.0,<3"
COLLECTION = "minimax-anthropic-notebooks"
"""The marker: a folder is this collection only if its helpers/locate.py holds this line (setup cells check it too)."""
PLACEHOLDER_HOST = "invalid"  # RFC 2606 top-level domain: the unpublished repository's URL, which nothing may fetch


class SetupError(Exception):
    """The collection was not found; IPython shows only this message (no traceback), and Run all stops here."""

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


def _has_helpers(folder: Path) -> bool:
    """This collection's helpers: a helpers package whose locate.py holds the COLLECTION marker line."""
    marker, package = f'COLLECTION = "{COLLECTION}"', folder / "helpers"
    try:
        return (package / "__init__.py").is_file() and marker in (package / "locate.py").read_text("utf-8", "replace")
    except OSError:  # no locate.py, or not readable
        return False


def _clone_refusal(url: str, commit: str) -> str | None:
    """Why `git clone` is not tried: a placeholder (RFC 2606 .invalid) or non-https URL, or no pinned commit."""
    parts = urlsplit(url)
    if parts.scheme != "https" or (parts.hostname or PLACEHOLDER_HOST).rsplit(".", 1)[-1] == PLACEHOLDER_HOST:
        return "not tried: the collection is not published yet (its URL is a placeholder)"
    return None if re.fullmatch("[0-9a-f]{40}", commit) else "not tried: no pinned commit to check out"


def _clone(url: str, commit: str, target: Path) -> str | None:
    """`git clone` at the pinned commit into target; None when it worked, else why not (git's last line)."""
    if refusal := _clone_refusal(url, commit):
        return refusal
    for command in (
        ["clone", "-q", "--no-checkout", url, str(target)],
        ["-C", str(target), "checkout", "-q", "--detach", commit],
    ):
        try:
            done = subprocess.run(["git", *command], capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as error:
            return f"git could not run ({error})"
        lines = [line.strip() for line in (done.stderr or "").splitlines() if line.strip()]
        if done.returncode != 0:
            return lines[-1] if lines else f"git exited with {done.returncode}"
    return None if _has_helpers(target) else f"commit {commit} does not hold this collection's helpers"


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


def _unzip(name: str, folders: list[Path]) -> tuple[Path | None, str]:
    """Unpack beside itself the newest <name>*.zip (an upload may be '<name> (1).zip') of the first folder with one."""
    zips = [z for f in folders for z in sorted(f.glob(f"{name}*.zip"), key=lambda p: p.stat().st_mtime)[::-1]]
    if not zips:
        return None, f"no {name}.zip in {' or '.join(map(str, folders))}"
    with zipfile.ZipFile(zips[0]) as bundle:
        bundle.extractall(zips[0].parent)  # zipfile drops absolute paths and '..' from member names
    folder = zips[0].parent / name
    print(f"Unpacked {zips[0]} into {folder}.")
    return (folder, "") if _has_helpers(folder) else (None, f"{zips[0].name} does not hold {name}/helpers")


def find(
    repository: str, name: str, *, start: Path | None = None, ask: Callable[[str], str] = input, commit: str = ""
) -> Path:
    """The collection's folder, from the first source that has it, looked for from `start` (the notebook's folder:
    `/content` in Colab, Drive mounted at ./drive); else SetupError saying what to do, in one message."""
    work = (start or Path.cwd()).resolve()
    for folder in (work, *work.parents, work / name, work.parent / name):
        if _has_helpers(folder):
            return folder
    colab = in_colab()
    found, seen = _unzip(name, list(dict.fromkeys((work, work.parent))))
    tried = ["this folder and those above it", seen]
    if found is None and colab:
        found, seen = _drive_folder(name, work / "drive", ask)
        tried.append(seen)
    if found is not None:
        return found
    failure = _clone(repository, commit, work / name)
    if failure is None:
        return work / name
    tried.append(f"git clone {repository}: {failure}")
    steps = [f"upload {name}.zip (your teacher has it; `python -m devtools bundle` makes it) to {work}"]
    if colab:
        steps[0] += " with the Files pane"
        steps.append(f"put the folder {name} in your Google Drive (My Drive) and answer y when asked")
    if _clone_refusal(repository, "0" * 40) is None:
        steps.append(f"clone the repository yourself and open the notebook from there: git clone {repository}")
    raise SetupError(
        f"Could not find this notebook's collection {name} (tried: {'; '.join(tried)}).\n"
        "Do one of these, then run this cell again:\n- " + ";\n- or ".join(steps)
    )


def locate(url: str, name: str, shell: Any = None, *, commit: str = "", mirror: str = "") -> Path:
    """Find the collection, put it first on sys.path and install what is needed (helpers/_packages.py: `mirror`, the
    cell's MIRROR, is pip's index only when named). Returns the collection's folder."""
    root = find(url, name, commit=commit)
    if sys.path[:1] != [str(root)]:
        sys.path.insert(0, str(root))
    steps = root / "helpers" / "_packages.py"  # run by its path: `import helpers` needs what it installs
    if not steps.is_file():
        raise SetupError(f"{root} is an older copy of {name} (no {steps.name}): replace it with the current one.")
    packages = runpy.run_path(str(steps))
    checkout = (root / ".git").exists() and Path.cwd().resolve().is_relative_to(root)
    try:
        packages["prepare"](root, SDK, shell=shell, colab=in_colab(), checkout=checkout, mirror=mirror)
    except packages["InstallError"] as error:
        raise SetupError(str(error)) from None
    return root
