"""Benchmark of command 1's set-up (`python3 scripts/start.py` up to JupyterLab) against a bare uv install.

    python3 benchmarks/setup_benchmark.py

In one run, on this machine, seven rounds of both, each into its own temporary folder with its own empty caches (a
learner's first run); the figure is the median of the rounds' ratios (the machine's load moves them):
  1. command 1's set-up: `setup()` of a copy of scripts/ next to a copy of requirements.lock (makes .venv, gets the
     locked uv wheel from PyPI and checks its hashes, installs the lock with uv), as on a fresh machine: no pip
     configuration file is read (so PyPI is the index), and no `uv` on PATH is used (PATH without any folder that
     holds one);
  2. a bare `uv venv` + `uv pip install --require-hashes -r requirements.lock`, with the uv that step 1 installed.
Prints both times and their ratio (goal: at most 1.3x), and how long command 1 took before its uv began installing
the lock (making .venv and getting uv: what the bare install does not do), and checks that both made the same
set of packages.
Exits 1 when either install fails or the two sets differ. Step 1 runs first in rounds 1, 3, 5, 7 and second in the
others (a cache of the package index between this machine and PyPI, or a lull in the machine's load, helps whichever
runs second); the bare install uses the uv that round 1's command 1 installed.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = "requirements.lock"
GOAL = 1.3
ROUNDS = 7  # each with empty caches, which runs first alternating; the median of the rounds' ratios is the figure


def fresh_environment(folder: Path) -> dict[str, str]:
    """This process's environment with empty caches under `folder`, no pip configuration and no uv on PATH (a
    fresh machine)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_", "VIRTUAL_ENV"))}
    no_uv = [d for d in env.get("PATH", "").split(os.pathsep) if d and not shutil.which("uv", path=d)]
    env["PATH"] = os.pathsep.join(no_uv)  # a learner's own uv would spare command 1 its download
    cert = os.environ.get("PIP_CERT")  # a machine's own CA bundle (a mirror between it and PyPI) still counts
    return {
        **env,
        **({"PIP_CERT": cert} if cert else {}),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_CACHE_DIR": str(folder / "pip-cache"),
        "UV_CACHE_DIR": str(folder / "uv-cache"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


def timed(command: list[str], env: dict[str, str], cwd: Path, out: int | None) -> float:
    """Run a command (its output shown unless `out` is DEVNULL); the seconds it took. Exits when it fails."""
    began = time.monotonic()
    if subprocess.run(command, env=env, cwd=cwd, stdout=out, stderr=out).returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return time.monotonic() - began


def timed_command1(command: list[str], env: dict[str, str], cwd: Path, quiet: bool) -> tuple[float, float]:
    """Run command 1's set-up: (seconds in all, seconds before its uv began installing the lock: making .venv and
    getting uv, the part a bare uv install does not have). Its progress lines are shown unless `quiet`."""
    began, ready = time.monotonic(), None
    with subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as run:
        assert run.stdout is not None
        for line in run.stdout:
            if ready is None and line.startswith("Installing requirements.lock into .venv with uv"):
                ready = time.monotonic() - began
            if not quiet:
                print(line, end="", flush=True)
    if run.returncode != 0 or ready is None:
        raise SystemExit(f"failed, or did not install with uv: {' '.join(command)}")
    return time.monotonic() - began, ready


def freeze(uv: Path, python: Path, env: dict[str, str]) -> list[str]:
    out = subprocess.run([uv, "pip", "freeze", "--python", python], env=env, capture_output=True, text=True, check=True)
    return sorted(out.stdout.split())


def one_round(tmp: Path, quiet: bool, uv: Path, bare_first: bool) -> tuple[float, float, bool, float]:
    """Command 1's set-up and the bare install (with `uv`, kept from the first round's command 1), each in a fresh
    folder with empty caches, in the order asked: (seconds, seconds, same packages installed, command 1's seconds
    before its uv began)."""
    command1, bare = tmp / "command1", tmp / "bare"
    (command1 / "scripts").mkdir(parents=True)
    for script in ("start.py", "uv_wheel.py"):
        shutil.copy(ROOT / "scripts" / script, command1 / "scripts" / script)
    shutil.copy(ROOT / LOCK, command1 / LOCK)
    bare.mkdir()
    out = subprocess.DEVNULL if quiet else None
    env, python = fresh_environment(bare), bare / ".venv" / "bin" / "python"

    def bare_install() -> float:
        seconds = timed([str(uv), "venv", "--quiet", "--python", sys.executable, ".venv"], env, bare, out)
        install = [str(uv), "pip", "install", "--python", str(python), "--require-hashes", "-r", str(ROOT / LOCK)]
        return seconds + timed(install, env, bare, out)

    second = bare_install() if bare_first else 0.0
    code = "import sys; sys.path.insert(0, 'scripts'); import start; start.setup()"
    first, ready = timed_command1([sys.executable, "-c", code], fresh_environment(command1), command1, quiet)
    if not uv.exists():  # the first round: the uv command 1 installed, at the lock's version
        shutil.copy2(command1 / ".venv" / "bin" / "uv", uv)
    second = second or bare_install()
    same = freeze(uv, command1 / ".venv" / "bin" / "python", env) == freeze(uv, python, env)
    return first, second, same, ready


def main() -> int:
    print(
        f"command 1's set-up (scripts/start.py's setup(), {sys.executable}) vs bare uv venv + uv pip install -r {LOCK}"
    )
    rounds = []
    with tempfile.TemporaryDirectory(prefix="setup-benchmark-uv-") as keep:
        for n in range(ROUNDS):
            with tempfile.TemporaryDirectory(prefix="setup-benchmark-") as tmp:
                # the first round shows command 1's progress lines; every other round runs the bare install first
                rounds.append(one_round(Path(tmp), n > 0, Path(keep) / "uv", bare_first=n % 2 == 1))
            first, second, _, ready = rounds[-1]
            print(
                f"round {n + 1}{' (bare first)' if n % 2 else ''}: command 1 {first:.1f} s "
                f"({ready:.1f} s of it before uv began: .venv and uv), "
                f"bare uv {second:.1f} s, ratio {first / second:.2f}x",
                flush=True,
            )
    ratio = statistics.median(r[0] / r[1] for r in rounds)
    first, second = statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)
    same = all(r[2] for r in rounds)
    print(
        f"\nmedian of {ROUNDS} rounds: command 1's set-up {first:.1f} s, bare uv of the same lock {second:.1f} s; "
        f"median ratio {ratio:.2f}x; command 1's own steps before uv began (.venv, getting uv): median "
        f"{statistics.median(r[3] for r in rounds):.2f} s"
    )
    print(f"goal: at most {GOAL}x ({'met' if ratio <= GOAL else 'missed'}); same packages installed: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
