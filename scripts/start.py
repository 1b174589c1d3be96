"""Command 1 of the README: make `.venv` in this checkout, install requirements.lock into it, open JupyterLab.

requirements.lock is requirements.txt resolved to exact versions with hashes (`python -m devtools lock`), so a fresh
machine gets exactly what CI tested. It installs with uv, at the version and hashes the lock pins (a `uv` of that
version on PATH, else its wheel fetched from the package index and checked against the lock's hashes, else
installed with pip): seconds instead of a minute or more with pip, which it falls back to, saying so, when uv
cannot be had.

JupyterLab serves the whole repository (so notebooks' links to docs/ and data/ work) with the quick start open.
Standard library only, for any Python 3.11+: Debian's and Ubuntu's system Python refuse a plain `pip install`
(PEP 668), so everything goes into `.venv`; as root (containers, cloud shells) it adds `--allow-root`.
Extra arguments go to JupyterLab (e.g. `--no-browser --port 8899`), except `--lang zh-CN` (or `--lang en`), which
sets JupyterLab's menus to Simplified Chinese (the language pack is in the lock) and opens the Chinese edition's
quick start when it exists; the choice stays until changed (JupyterLab's Settings > Language changes it too).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))  # uv_wheel.py beside it, also when tests load this file
import uv_wheel

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
FIRST_NOTEBOOK = "notebooks/01_quick_start.ipynb"
LEARNER_LOCK = "requirements.lock"  # requirements.txt's ranges, resolved and hashed by `python -m devtools lock`
LANGUAGES = {"en": "en", "zh-CN": "zh_CN"}  # --lang value: JupyterLab's locale name (its language packs)
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"
JUPYTER_CONFIG = ROOT / "jupyter-config"  # its save rule keeps dead widget views out of saved notebooks


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    raise SystemExit(1)


def make_venv() -> Path:
    """`.venv` with a working Python, made again if an earlier attempt left it half made. It is made without pip
    (0.1 s instead of 3 s): the lock brings pip, and `ensure_pip` adds one only when pip must do the installing."""
    if sys.version_info < (3, 11):  # noqa: UP036 (this file runs under any python3 a learner has)
        fail(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}).")
    python = venv_python()
    if not (python.exists() and subprocess.run([python, "-c", ""], capture_output=True).returncode == 0):
        shutil.rmtree(VENV, ignore_errors=True)
        made = subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(VENV)], capture_output=True, text=True
        )
        if made.returncode != 0:
            shutil.rmtree(VENV, ignore_errors=True)
            fail(f"Could not make the virtual environment .venv: {debian_hint(made)}")
    return python


def debian_hint(done: subprocess.CompletedProcess[str]) -> str:
    """What to do about a failed venv or ensurepip: Debian and Ubuntu ship them apart from python3."""
    output = done.stdout + done.stderr
    return "on Debian or Ubuntu, first run: sudo apt install python3-venv" if "ensurepip" in output else output.strip()


def ensure_pip() -> None:
    """pip in .venv (from Python's own ensurepip) when it has none yet; a clear error when this Python lacks it."""
    if subprocess.run([venv_python(), "-m", "pip", "--version"], capture_output=True).returncode == 0:
        return
    made = subprocess.run([venv_python(), "-m", "ensurepip", "--default-pip"], capture_output=True, text=True)
    if made.returncode != 0:
        fail(f"Could not put pip into .venv: {debian_hint(made)}")


def install(lock: str) -> None:
    """Install a lock file (exact versions, hash-checked) into .venv with uv, else pip; skipped when that file has
    not changed since the last install."""
    file = ROOT / lock
    stamp = VENV / f".installed-{file.name}"
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    began = time.monotonic()
    uv = get_uv(file)
    if uv:
        say(f"Installing {lock} into .venv with uv ...")
        command = [uv, "pip", "install", "--python", str(venv_python()), "--require-hashes", "-r", str(file)]
        if subprocess.run(command).returncode != 0:
            uv = None
            say("uv could not install it (see above); trying pip instead, which is slower.")
    if not uv:
        ensure_pip()
        say(f"Installing {lock} into .venv with pip (a minute or two; each package is listed as it comes) ...")
        if subprocess.run(pip_command("--require-hashes", "-r", str(file))).returncode != 0:
            fail(f"pip could not install {lock} (see above).")
    say(f"Installed {lock} in {time.monotonic() - began:.0f} s.")
    stamp.write_text(digest)


def get_uv(lock: Path) -> str | None:
    """The fast installer uv at the version `lock` pins: .venv's; else a `uv` on PATH at exactly that version; else
    the locked wheel for this platform, fetched from the package index, hash-checked and installed into .venv
    (uv_wheel.py); else installed there with pip. None, after one line saying so, when none of these works."""
    uv = VENV / ("Scripts/uv.exe" if os.name == "nt" else "bin/uv")
    if uv.exists() and subprocess.run([uv, "--version"], capture_output=True).returncode == 0:
        return str(uv)
    pin = installer_pin(lock.read_text())
    if not pin:
        say(f"{lock.name} pins no uv: installing with pip, which is slower.")
        return None
    version, on_path = pin.split("==", 1)[1].split()[0], shutil.which("uv")
    if on_path and uv_version(on_path) == version:
        say(f"Using {on_path}: uv {version}, the version {lock.name} pins.")
        return on_path
    say("Getting the fast installer uv from the package index ...")
    try:
        uv_wheel.install(uv_wheel.fetch(pin, dict(os.environ))[1], VENV)
        if not uv.exists():
            raise uv_wheel.NoUvError(f"its wheel put no {uv.name} into .venv")
        return str(uv)
    except (uv_wheel.NoUvError, OSError) as why:
        say(f"Could not fetch uv directly ({why}): getting it with pip instead.")
    return pip_install_uv(pin, uv)


def uv_version(program: str) -> str:
    """The version a uv program reports (`uv 0.13.9 (...)`), '' when it does not run."""
    done = subprocess.run([program, "--version"], capture_output=True, text=True)
    words = done.stdout.split()
    return words[1] if done.returncode == 0 and len(words) > 1 and words[0] == "uv" else ""


def pip_install_uv(pin: str, uv: Path) -> str | None:
    """uv installed into .venv with pip (this Python's own pip when it has one, else .venv's), hash-checked."""
    with tempfile.TemporaryDirectory() as folder:
        only_uv = Path(folder) / "uv.txt"
        only_uv.write_text(pin)
        args = ["-q", "--require-hashes", "-r", str(only_uv)]
        host_pip = [sys.executable, "-m", "pip", "--python", str(venv_python()), "install", *args]
        done = subprocess.run(host_pip, capture_output=True, text=True)
        if done.returncode != 0:  # no pip beside this Python (Debian's python3), or one older than 22.3
            ensure_pip()
            done = subprocess.run(pip_command(*args), capture_output=True, text=True)
    if done.returncode != 0 or not uv.exists():
        why = (done.stderr.strip().splitlines() or ["uv is not installed"])[-1]
        say(f"Could not get uv ({why}): installing with pip instead, which is slower.")
        return None
    return str(uv)


def installer_pin(lock_text: str) -> str:
    """The lines of a lock that pin uv (`uv==X \\` and its `--hash` lines), or '' when it has none."""
    lines, found = [], False
    for line in lock_text.splitlines():
        found = found or line.startswith("uv==")
        if found and not line.lstrip().startswith("#"):
            lines.append(line)
            if not line.rstrip().endswith("\\"):
                break
    return "\n".join(lines) + "\n" if lines else ""


def pip_command(*args: str) -> list[str]:
    return [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", *args]


def say(message: str) -> None:
    """One progress line, shown at once (the installers' own output follows it)."""
    print(message, flush=True)


def setup() -> Path:
    """Command 1's set-up: .venv and the learner lock in it (what benchmarks/setup_benchmark.py times)."""
    python = make_venv()
    install(LEARNER_LOCK)
    return python


def split_language(argv: list[str]) -> tuple[str | None, list[str]]:
    """`--lang X` (or `--lang=X`) taken out of the arguments JupyterLab gets; a language we have no pack for fails."""
    language, rest, args = None, [], iter(argv)
    for arg in args:
        if arg == "--lang" or arg.startswith("--lang="):
            language = arg.partition("=")[2] or next(args, "")
            if language not in LANGUAGES:
                fail(f"--lang {language or '(nothing)'}: choose one of {', '.join(LANGUAGES)}.")
        else:
            rest.append(arg)
    return language, rest


def select_language(language: str, settings_dir: Path) -> None:
    """Make `language` JupyterLab's default in .venv (overrides.json in its settings folder; other keys kept)."""
    overrides = settings_dir / "overrides.json"
    settings = json.loads(overrides.read_text(encoding="utf-8")) if overrides.exists() else {}
    settings[TRANSLATION_PLUGIN] = {**settings.get(TRANSLATION_PLUGIN, {}), "locale": LANGUAGES[language]}
    settings_dir.mkdir(parents=True, exist_ok=True)
    overrides.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    say(f"JupyterLab's language: {language} (python3 scripts/start.py --lang en changes it back)")


def first_notebook(language: str | None) -> str:
    """The quick start to open: the Chinese edition's under --lang zh-CN, once it exists."""
    translated = f"notebooks/{language}/{Path(FIRST_NOTEBOOK).name}"
    return translated if language and language != "en" and (ROOT / translated).exists() else FIRST_NOTEBOOK


def lab_command(extra: list[str], notebook: str = FIRST_NOTEBOOK) -> list[str]:
    command = [str(venv_python()), "-m", "jupyterlab", f"--ServerApp.root_dir={ROOT}", notebook]
    command.append(f"--LabApp.default_url=/lab/tree/{notebook}")  # the printed URLs open it too (headless)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses to start as root without it
    return command + extra


def lab_environment(environ: dict[str, str]) -> dict[str, str]:
    """`environ` with this collection's jupyter-config/ first on JUPYTER_CONFIG_PATH (the learner's own Jupyter
    settings still load)."""
    paths = [str(JUPYTER_CONFIG), *filter(None, environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))]
    return {**environ, "JUPYTER_CONFIG_PATH": os.pathsep.join(dict.fromkeys(paths))}


def main(argv: list[str]) -> int:
    language, argv = split_language(argv)
    setup()
    if language:
        select_language(language, VENV / "share" / "jupyter" / "lab" / "settings")
    command, env = lab_command(argv, first_notebook(language)), lab_environment(dict(os.environ))
    os.chdir(ROOT)
    if os.name == "nt":
        return subprocess.call(command, env=env)
    os.execve(command[0], command, env)  # JupyterLab takes this process over: Ctrl-C (or a signal to it) stops it
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
