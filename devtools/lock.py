"""`python -m devtools lock`: the one tested set of versions, and a check of the newest ones the ranges allow.

`lock` compiles requirements.txt and requirements-dev.txt into requirements.lock and requirements-dev.lock (every
package, exact versions, hashes, for Python 3.11 and newer on every platform: Colab's 3.13 too) with uv, then runs
`python3 scripts/test.py`, which installs the new dev lock into .venv and runs the whole suite. Both README commands
install from these files, so a fresh machine gets exactly what CI tested. `lock --newest PYTHON` is CI's check of
tomorrow's versions: the quick loop and every notebook with PYTHON (the newest releases the ranges allow); on failure it
names the package and version that broke it, trying each key package alone on top of the lock.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"requirements.txt": "requirements.lock", "requirements-dev.txt": "requirements-dev.lock"}
PYTHON_FLOOR = "3.11"  # the lock resolves for this Python and every newer one (--universal)
# Locked too: scripts/start.py installs uv (hash-checked) into a .venv made without pip, then the lock with it.
INSTALLER = "uv>=0.9,<1\npip>=23\n"
KEY_PACKAGES = ("anthropic", "ipywidgets", "jupyterlab", "pandas")  # what Colab's cell or `pip install -U` moves
NEWEST_RUNS = (  # what `lock --newest` runs: the quick loop, then every notebook in strict nbval
    ("the quick loop", ["-m", "not slow"]),
    ("every notebook (strict nbval)", ["notebooks"]),
)
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")

Runner = Callable[[Sequence[str]], int]


def _run(command: Sequence[str]) -> int:
    """Run one command in the repository root, its output shown; returns its exit status."""
    print("$", shlex.join(command), flush=True)
    return subprocess.call(list(command), cwd=ROOT)


def find_uv() -> str:
    """The uv executable: the `uv` package of this environment (requirements-dev.lock has it), else one on PATH."""
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found, unused-ignore]

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
    if not found:
        raise SystemExit("uv is needed: run `python3 scripts/test.py` once (it installs it), or `pip install uv`.")
    return found


def compile_command(uv: str, source: str, target: str) -> list[str]:
    """`uv pip compile` of one requirements file (plus INSTALLER, read from stdin) into its lock."""
    return [
        uv, "pip", "compile", "--universal", "--generate-hashes", "--python-version", PYTHON_FLOOR,
        "--custom-compile-command", "python -m devtools lock", "--quiet", source, "-", "-o", target,
    ]  # fmt: skip


def refresh(run: Runner = _run) -> int:
    """Recompile both locks from the ranges, then install the dev lock and run the whole suite (scripts/test.py)."""
    uv = find_uv()
    for source, target in LOCKS.items():
        done = subprocess.run(compile_command(uv, source, target), cwd=ROOT, input=INSTALLER, text=True)
        if done.returncode != 0:
            print(f"uv could not compile {source} into {target} (see above).", file=sys.stderr)
            return done.returncode
        print(f"{target}: {len(locked_versions(ROOT / target))} packages")
    return run([sys.executable, str(ROOT / "scripts" / "test.py")])


def locked_versions(lock: Path) -> dict[str, tuple[str, ...]]:
    """name -> the versions a lock pins for it (names normalized as pip does). A universal lock may pin two, each
    for its own Pythons (numpy for 3.11, and for 3.12 and newer)."""
    versions: dict[str, tuple[str, ...]] = {}
    for line in lock.read_text().splitlines():
        pin = _PIN.match(line)
        if pin:
            versions[normalize(pin[1])] = (*versions.get(normalize(pin[1]), ()), pin[2])
    return versions


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_versions(python: str) -> dict[str, str]:
    """name -> version of every distribution installed for that interpreter."""
    code = "import json, importlib.metadata as m; print(json.dumps({d.name: d.version for d in m.distributions()}))"
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout
    return {normalize(name): version for name, version in json.loads(out).items()}


def differences(locked: dict[str, tuple[str, ...]], installed: dict[str, str]) -> dict[str, tuple[str, str]]:
    """name -> (locked, installed) for every locked package installed at a version the lock does not pin."""
    return {n: (" or ".join(v), installed[n]) for n, v in sorted(locked.items()) if installed.get(n, v[0]) not in v}


def blame(differing: dict[str, tuple[str, str]], passes_alone: Callable[[str, str], bool]) -> str:
    """The message for a failing run on the newest releases: which key package, at which version, breaks it alone
    on top of the lock (each tried with `passes_alone(name, version)`), or that none does by itself."""
    keys = {n: v for n, v in differing.items() if n in KEY_PACKAGES}
    culprits = [f"{n} {new} (locked {old})" for n, (old, new) in keys.items() if not passes_alone(n, new)]
    if culprits:
        return "Broken by the newest release of " + ", ".join(culprits) + ": fix the helpers or the notebooks for it."
    if not keys:
        tried = "No key package (" + ", ".join(KEY_PACKAGES) + ") differs from the lock"
    else:
        tried = "None of " + ", ".join(f"{n} {new}" for n, (_, new) in keys.items()) + " breaks it alone"
    others = ", ".join(f"{n} {new} (locked {old})" for n, (old, new) in differing.items() if n not in keys)
    return f"{tried}; together, or through another package that moved ({others or 'none'}), they do."


def run_checks(python: str, run: Runner, stop_early: bool = False) -> list[str]:
    """Run NEWEST_RUNS with that interpreter; the names of those that failed."""
    failed = []
    for name, args in NEWEST_RUNS:
        extra = ["-x"] if stop_early else []
        if run([python, "-m", "pytest", "-q", *extra, *args]) != 0:
            failed.append(name)
            if stop_early:
                break
    return failed


def make_trial(uv: str, run: Runner, folder: Path) -> Callable[[str, str], bool]:
    """passes_alone for `blame`: a fresh venv with the dev lock plus one package at one version, checked again."""

    def passes_alone(name: str, version: str) -> bool:
        venv = folder / f"only-{name}"
        python = str(venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python"))
        lock = str(ROOT / LOCKS["requirements-dev.txt"])
        for command in (
            [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
            [uv, "pip", "install", "--quiet", "--python", python, "--require-hashes", "-r", lock],
            [uv, "pip", "install", "--quiet", "--python", python, f"{name}=={version}"],
        ):
            if run(command) != 0:
                raise SystemExit(f"Could not make the trial environment for {name} {version} (see above).")
        print(f"--- trying {name} {version} alone on top of the lock", flush=True)
        return not run_checks(python, run, stop_early=True)

    return passes_alone


def check_newest(python: str, run: Runner = _run, uv: str | None = None) -> int:
    """CI's check of tomorrow's versions (see the module's docstring); 0 when everything passed."""
    differing = differences(locked_versions(ROOT / LOCKS["requirements-dev.txt"]), installed_versions(python))
    print(
        "Newest releases that differ from the lock:",
        ", ".join(f"{n} {o} -> {v}" for n, (o, v) in differing.items()) or "none",
    )
    failed = run_checks(python, run)
    if not failed:
        print("The newest releases the ranges allow pass the quick loop and every notebook.")
        return 0
    with tempfile.TemporaryDirectory(prefix="newest-") as folder:
        message = blame(differing, make_trial(uv or find_uv(), run, Path(folder)))
    print(f"FAILED on the newest releases ({', '.join(failed)}). {message}", file=sys.stderr)
    return 1
