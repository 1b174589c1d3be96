"""The README's two commands (scripts/start.py, scripts/test.py) and `python -m devtools bundle`, without installing.

CI runs both commands for real on a fresh machine (.ci/run); these check the decisions inside them.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from support import load_file

from devtools import bundle, project

ROOT = Path(__file__).resolve().parent.parent
start = load_file(ROOT / "scripts" / "start.py")  # scripts/ is not a package: the README runs it as a file


def test_jupyterlab_serves_the_repository_root_with_the_quick_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(start.os, "geteuid", lambda: 1000, raising=False)
    command = start.lab_command(["--no-browser"])
    assert command[1:3] == ["-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={ROOT}" in command and "notebooks/01_quick_start.ipynb" in command
    assert "--allow-root" not in command and command[-1] == "--no-browser"
    assert (ROOT / "notebooks" / "01_quick_start.ipynb").is_file()


def test_as_root_it_adds_allow_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(start.os, "geteuid", lambda: 0, raising=False)
    assert "--allow-root" in start.lab_command([])


def test_without_python3_venv_it_says_what_to_install(monkeypatch, tmp_path: Path, capsys) -> None:
    """Debian's python3 without python3-venv: venv fails on ensurepip and leaves a half-made folder."""
    monkeypatch.setattr(start, "VENV", tmp_path / ".venv")

    def run(command: list, **_: object) -> subprocess.CompletedProcess:
        if command[1:3] == ["-m", "venv"]:
            (tmp_path / ".venv" / "bin").mkdir(parents=True)
            message = "The virtual environment was not created successfully because ensurepip is not available."
            return subprocess.CompletedProcess(command, 1, message, "")
        return subprocess.CompletedProcess(command, 1, "", "No module named pip")

    monkeypatch.setattr(start.subprocess, "run", run)
    with pytest.raises(SystemExit):
        start.make_venv()
    assert "sudo apt install python3-venv" in capsys.readouterr().err
    assert not (tmp_path / ".venv").exists(), "a half-made .venv is removed, so the next run starts clean"


def test_learner_requirements_hold_no_test_tools() -> None:
    learner = (ROOT / "requirements.txt").read_text().lower()
    dev = (ROOT / "requirements-dev.txt").read_text().lower()
    for tool in ("pytest", "nbval", "ruff", "playwright", "mypy"):
        assert tool not in learner and tool in dev
    assert "-r requirements.txt" in dev
    assert (ROOT / "runtime.txt").read_text().startswith("python-3."), "repo2docker's runtime file"


def test_the_bundle_holds_helpers_data_and_notebooks_under_one_folder(tmp_path: Path) -> None:
    path = bundle.build(tmp_path / "b.zip")
    names = zipfile.ZipFile(path).namelist()
    top = f"{project.CLONE_FOLDER}/"
    assert all(n.startswith(top) for n in names)
    for needed in ("helpers/__init__.py", "helpers/locate.py", "notebooks/01_quick_start.ipynb", "requirements.txt"):
        assert top + needed in names
    assert any(n.startswith(top + "data/cassettes/") for n in names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert path.stat().st_size < 5_000_000
    assert bundle.build(tmp_path / "c.zip").read_bytes() == path.read_bytes(), "the same files give the same zip"
