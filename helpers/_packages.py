"""What this kernel lacks of requirements.txt, and pip installing only that: the setup cell's step on a hosted
JupyterLab that is neither Colab nor a checkout (PAI-DSW, ModelScope, a hub). helpers/locate.py runs this file by its
path (`import helpers` needs what it installs), so it uses the standard library only, not even `packaging`.
The server's own JupyterLab is never installed into the kernel; a mirror is used only when the learner names one."""

from __future__ import annotations

import operator
import os
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SERVER_SIDE = "jupyterlab"
"""Requirements whose names start with this are the notebook server's (JupyterLab and its language pack)."""
_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*((?:[<>=!~]=?[^,#\s]+\s*,?\s*)*)")
_CLAUSE = re.compile(r"(>=|<=|==|!=|>|<)\s*([0-9][^,\s]*)")
_COMPARE = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq}
PIP_TIMEOUT = 900


class InstallError(Exception):
    """pip could not install what is missing, or MIRROR is not an address: the message says what to do."""

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


def _release(version: str) -> tuple[int, ...]:
    """The release numbers of a version, trailing zeros dropped so that 2.0 equals 2 ("4.5.post3" -> (4, 5)): a
    suffix such as `.post3` or `rc1` is not compared (pip decides those)."""
    match = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(map(int, re.sub(r"(\.0+)+$", "", match.group()).split("."))) if match else (0,)


def satisfies(version: str, spec: str) -> bool:
    """Whether an installed version is inside a range such as ">=2.0,<3" (release numbers compared)."""
    for clause in filter(None, (part.strip() for part in spec.split(","))):
        match = _CLAUSE.fullmatch(clause)
        if not match:
            raise ValueError(f"cannot read the version range {clause!r} (write >=, >, <=, <, == or !=)")
        if not _COMPARE.get(match.group(1), operator.ne)(_release(version), _release(match.group(2))):
            return False
    return True


def requirements(path: Path) -> list[tuple[str, str]]:
    """The kernel's packages in requirements.txt, as (name, range); the server-side ones left out."""
    found = []
    for line in path.read_text("utf-8").splitlines():
        match = _REQUIREMENT.match(line.split("#", 1)[0].strip())
        if match and not match.group(1).lower().startswith(SERVER_SIDE):
            found.append((match.group(1), re.sub(r"\s+", "", match.group(2))))
    return found


def missing(path: Path) -> dict[str, str]:
    """Each requirement not installed inside its range, as pip takes it ("anthropic>=2.0,<3"), with what is
    installed now ("anthropic 0.40.0", or "" when nothing is)."""
    lacking = {}
    for name, spec in requirements(path):
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = ""
        if not version or not satisfies(version, spec):
            lacking[f"{name}{spec}"] = f"{name} {version}" if version else ""
    return lacking


def pip_command(packages: list[str], mirror: str = "") -> list[str]:
    """pip install of exactly these packages into this kernel's Python; `-i MIRROR` only when one is named."""
    if mirror and (urlsplit(mirror).scheme not in {"http", "https"} or not urlsplit(mirror).hostname):
        raise InstallError(
            f"MIRROR = {mirror!r} is not the address of a package index (it starts with https://): "
            'correct it, or set MIRROR = "" to use pip\'s own setting, then run this cell again.'
        )
    index = ["-i", mirror] if mirror else []
    return [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", *index, *packages]


def install_missing(path: Path, mirror: str = "") -> list[str]:
    """Install what this kernel lacks of requirements.txt at `path` (one line per step); returns what was installed.
    Nothing runs when everything is present or there is no requirements.txt (the browser edition has none)."""
    if not path.is_file() or sys.platform == "emscripten":
        return []
    lacking, mirror = missing(path), mirror.strip()
    if not lacking:
        return []
    command = pip_command(list(lacking), mirror)
    index = os.environ.get("PIP_INDEX_URL")
    source = f"from the mirror {mirror}" if mirror else f"from PIP_INDEX_URL ({index})" if index else None
    source = source or "from pip's own index setting (PyPI unless pip.conf names a mirror)"
    print(f"Installing what this kernel lacks ({', '.join(lacking)}) with pip {source}")
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=PIP_TIMEOUT)
        lines = [line.strip() for line in (done.stderr or "").splitlines() if line.strip()]
        failure = "" if done.returncode == 0 else (lines or [f"pip exited with {done.returncode}"])[-1]
    except (OSError, subprocess.SubprocessError) as error:
        failure = f"pip could not run ({error})"
    if failure:
        raise InstallError(
            f"pip could not install {', '.join(lacking)}: {failure}\n"
            "If pip cannot reach its package index from here, put a mirror of it in MIRROR in this cell's first "
            "lines (README.zh-CN.md names two), then run this cell again; on your own computer, run "
            "python3 scripts/start.py instead."
        )
    print(f"Installed {len(lacking)} package(s) in {time.monotonic() - started:.0f} s.")
    replaced = [installed for installed in lacking.values() if installed]
    if replaced:
        print(f"Replaced {', '.join(replaced)}: restart the kernel (Kernel, Restart Kernel), then run this cell again.")
    return list(lacking)


def prepare(root: Path, sdk: str, *, shell: Any, colab: bool, checkout: bool, mirror: str = "") -> list[str]:
    """The setup cell's install step: in Colab only the SDK (its own ipywidgets 7.7.1, pandas and matplotlib stay);
    in a git checkout nothing (`python3 scripts/start.py` installs there); elsewhere what the kernel lacks."""
    mirror = mirror.strip()
    if not colab:
        return [] if checkout else install_missing(root / "requirements.txt", mirror)
    command = pip_command([sdk], mirror)  # refuses a MIRROR that is not an address
    if shell is None:
        subprocess.run(command, check=True)
    else:
        shell.run_line_magic("pip", " ".join(["install", "-q", *(["-i", mirror] if mirror else []), f'"{sdk}"']))
    return [sdk]
