"""`devtools/lock.py`: `python -m devtools lock` (the locks, then the suite) and `lock --newest` (CI's check of the
newest releases, which names the package that broke them), with faked runners: nothing is installed here."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from devtools import lock
from devtools.__main__ import main as devtools_main

LOCKED = {"anthropic": ("2.17.0",), "pandas": ("3.1.1",), "httpx2": ("2.17.0",), "numpy": ("2.4.6", "2.5.5")}


class FakeRunner:
    """A Runner: records commands; pytest fails in an environment that holds one of `breakers` at its newest."""

    def __init__(self, breakers: set[str], newest_everywhere: bool = True) -> None:
        self.breakers, self.newest_everywhere = breakers, newest_everywhere
        self.commands: list[list[str]] = []
        self.trial_package: str | None = None

    def __call__(self, command: Sequence[str]) -> int:
        command = list(command)
        self.commands.append(command)
        if command[1:4] == ["pip", "install", "--quiet"] and "==" in command[-1]:
            self.trial_package = command[-1].split("==")[0]  # the one package tried alone on top of the lock
        if command[1:3] != ["-m", "pytest"]:
            return 0
        trial = self.trial_package
        present = {trial} if trial else (self.breakers if self.newest_everywhere else set())
        return 1 if present & self.breakers else 0

    def pytest_runs(self) -> list[list[str]]:
        return [c for c in self.commands if c[1:3] == ["-m", "pytest"]]


@pytest.fixture
def newest(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """A lock pinning LOCKED, and an environment at the versions this dict holds (edit it in a test)."""
    lock_file = tmp_path / "requirements-dev.lock"
    lock_file.write_text(
        "".join(f"{n}=={v} \\\n    --hash=sha256:{'0' * 64}\n" for n, vs in LOCKED.items() for v in vs)
    )
    monkeypatch.setattr(lock, "ROOT", tmp_path)
    installed = {"anthropic": "2.18.0", "pandas": "3.2.0", "httpx2": "2.18.0", "numpy": "2.5.5", "pytest": "9.0"}
    monkeypatch.setattr(lock, "installed_versions", lambda python: installed)
    return installed


def test_a_green_run_on_the_newest_releases_tries_nothing_else(newest, capsys) -> None:
    runner = FakeRunner(breakers=set())
    assert lock.check_newest("/new/bin/python", run=runner, uv="uv") == 0
    assert [c[4:] for c in runner.pytest_runs()] == [["-m", "not slow"], ["notebooks"]]
    assert len(runner.commands) == 2, "no trial environment when everything passed"
    out = capsys.readouterr().out
    assert "anthropic 2.17.0 -> 2.18.0" in out and "numpy" not in out, "numpy 2.5.5 is locked (for Python 3.12+)"


def test_a_failure_names_the_package_and_version_that_broke_it(newest, capsys) -> None:
    runner = FakeRunner(breakers={"pandas"})
    assert lock.check_newest("/new/bin/python", run=runner, uv="uv") == 1
    err = capsys.readouterr().err
    assert "Broken by the newest release of pandas 3.2.0 (locked 3.1.1)" in err
    assert "anthropic" not in err.split("Broken by")[1], "anthropic 2.18.0 alone passed: it is not named"
    trials = [c for c in runner.commands if c[1:4] == ["pip", "install", "--quiet"] and "==" in c[-1]]
    assert sorted(c[-1] for c in trials) == ["anthropic==2.18.0", "pandas==3.2.0"], "each key package alone"
    installs = [c for c in runner.commands if "--require-hashes" in c]
    assert installs and all(c[-1].endswith("requirements-dev.lock") for c in installs), "on top of the lock"


def test_when_no_key_package_breaks_it_alone_it_lists_the_others_that_moved(newest, capsys) -> None:
    runner = FakeRunner(breakers={"httpx2"})  # a dependency moved by the upgrade, not a key package
    assert lock.check_newest("/new/bin/python", run=runner, uv="uv") == 1
    err = capsys.readouterr().err
    assert "None of anthropic 2.18.0, pandas 3.2.0 breaks it alone" in err
    assert "httpx2 2.18.0 (locked 2.17.0)" in err


def test_blame_with_no_key_package_moved() -> None:
    message = lock.blame({"httpx2": ("2.17.0", "2.18.0")}, lambda name, version: pytest.fail("nothing to try"))
    assert message.startswith("No key package (anthropic, ipywidgets, jupyterlab, pandas) differs from the lock")


def test_locked_versions_keeps_each_python_s_pin(tmp_path: Path) -> None:
    lock_file = tmp_path / "x.lock"
    lock_file.write_text(
        "# header\nNumPy==2.4.6 ; python_full_version < '3.12' \\\n    --hash=sha256:00\n"
        "numpy==2.5.5 ; python_full_version >= '3.12' \\\n    --hash=sha256:11\n    # via pandas\n"
        "typing_extensions==4.16.0 \\\n    --hash=sha256:22\n"
    )
    assert lock.locked_versions(lock_file) == {"numpy": ("2.4.6", "2.5.5"), "typing-extensions": ("4.16.0",)}


def test_lock_compiles_both_files_for_python_3_11_and_newer_then_runs_the_suite(monkeypatch, capsys) -> None:
    compiled: list[list[str]] = []

    def compile_run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        compiled.append(command)
        assert kwargs["input"] == lock.INSTALLER and "uv>=" in lock.INSTALLER
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(lock, "find_uv", lambda: "uv")
    monkeypatch.setattr(lock.subprocess, "run", compile_run)
    ran: list[list[str]] = []
    assert lock.refresh(run=lambda command: ran.append(list(command)) or 0) == 0
    assert [c[-3:] for c in compiled] == [
        ["-", "-o", "requirements.lock"],
        ["-", "-o", "requirements-dev.lock"],
    ]
    for command in compiled:
        for flag in ("--universal", "--generate-hashes"):
            assert flag in command
        assert command[command.index("--python-version") + 1] == "3.11"
    assert ran == [[lock.sys.executable, str(lock.ROOT / "scripts" / "test.py")]], "then the suite, on the new lock"


def test_the_command_is_registered(monkeypatch) -> None:
    seen: list[str] = []
    monkeypatch.setattr(lock, "check_newest", lambda python: seen.append(python) or 0)
    assert devtools_main(["lock", "--newest", "/x/bin/python"]) == 0
    assert seen == ["/x/bin/python"]
