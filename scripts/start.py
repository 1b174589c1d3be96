"""Command 1 of the README: make `.venv` in this checkout, install requirements.txt into it, open JupyterLab.

JupyterLab serves the whole repository (so notebooks' links to docs/ and data/ work) with the quick start open.
Standard library only, for any Python 3.11+: Debian's and Ubuntu's system Python refuse a plain `pip install`
(PEP 668), so everything goes into `.venv`; as root (containers, cloud shells) it adds `--allow-root`.
Extra arguments go to JupyterLab (e.g. `--no-browser --port 8899`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
FIRST_NOTEBOOK = "notebooks/01_quick_start.ipynb"
JUPYTER_CONFIG = ROOT / "jupyter-config"  # its save rule keeps dead widget views out of saved notebooks


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    raise SystemExit(1)


def make_venv() -> Path:
    """`.venv` with a working pip, made again if an earlier attempt left it half made (no python3-venv)."""
    if sys.version_info < (3, 11):  # noqa: UP036 (this file runs under any python3 a learner has)
        fail(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}).")
    python = venv_python()
    ok = python.exists() and subprocess.run([python, "-m", "pip", "--version"], capture_output=True).returncode == 0
    if not ok:
        shutil.rmtree(VENV, ignore_errors=True)
        made = subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True, text=True)
        if made.returncode != 0:
            shutil.rmtree(VENV, ignore_errors=True)
            debian = "ensurepip" in made.stdout + made.stderr
            why = "on Debian or Ubuntu, first run: sudo apt install python3-venv" if debian else made.stderr
            fail(f"Could not make the virtual environment .venv: {why}")
    return python


def install(requirements: str) -> None:
    """pip install -r <requirements> into .venv, skipped when that file has not changed since the last install."""
    file = ROOT / requirements
    stamp = VENV / f".installed-{file.name}"
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"Installing {requirements} into .venv ...", flush=True)
    done = subprocess.run([venv_python(), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", str(file)])
    if done.returncode != 0:
        fail(f"pip could not install {requirements} (see above).")
    stamp.write_text(digest)


def lab_command(extra: list[str]) -> list[str]:
    command = [str(venv_python()), "-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}", FIRST_NOTEBOOK]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses to start as root without it
    return command + extra


def lab_environment(environ: dict[str, str]) -> dict[str, str]:
    """`environ` with this collection's jupyter-config/ first on JUPYTER_CONFIG_PATH (the learner's own Jupyter
    settings still load)."""
    paths = [str(JUPYTER_CONFIG), *filter(None, environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))]
    return {**environ, "JUPYTER_CONFIG_PATH": os.pathsep.join(dict.fromkeys(paths))}


def main(argv: list[str]) -> int:
    make_venv()
    install("requirements.txt")
    command, env = lab_command(argv), lab_environment(dict(os.environ))
    os.chdir(ROOT)
    if os.name == "nt":
        return subprocess.call(command, env=env)
    os.execve(command[0], command, env)  # JupyterLab takes this process over: Ctrl-C (or a signal to it) stops it
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
