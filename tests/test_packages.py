"""helpers/_packages.py: what a hosted kernel lacks of requirements.txt, read without `packaging` (standard library
only), and the pip command that installs it. The setup cell's use of it is in tests/test_locate.py."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import _packages
from helpers._packages import InstallError, pip_command, requirements, satisfies

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("version", "spec", "inside"),
    [
        ("2.17.0", ">=2.0,<3", True),
        ("2.0", ">=2.0,<3", True),
        ("0.40.0", ">=2.0,<3", False),
        ("3.0.0", ">=2.0,<3", False),
        ("7.7.1", ">=7.7.1,<9", True),
        ("8.1.9", ">=7.7.1,<9", True),
        ("4.5.post3", ">=4.5.post3", True),
        ("4.4.1", ">=4.5.post3", False),
        ("1.0", "!=1.0", False),
        ("1.0.1", "==1.0", False),
    ],
)
def test_a_version_is_inside_its_range_by_release_numbers(version: str, spec: str, inside: bool) -> None:
    assert satisfies(version, spec) is inside


def test_a_range_it_cannot_read_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=re.escape("'~=1.0'")):
        satisfies("1.0", "~=1.0")


def test_the_kernels_packages_are_requirements_txt_without_the_servers_jupyterlab() -> None:
    found = dict(requirements(ROOT / "requirements.txt"))
    assert set(found) == {"anthropic", "ipywidgets", "pandas", "matplotlib", "jsonschema", "markdown-it-py"} | {
        "python-dotenv"
    }, "JupyterLab and its language pack are the host's: never installed into a hosted kernel"
    assert found["anthropic"] == ">=2.0,<3"
    locked = dict(re.findall(r"^([a-z0-9-]+)==(\S+)", (ROOT / "requirements.lock").read_text(), re.MULTILINE))
    for name, spec in found.items():
        assert satisfies(locked[name], spec), f"the lock's {name} {locked[name]} is read as outside {spec}"


def test_in_this_venv_nothing_is_missing_so_nothing_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[object] = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: ran.append(a))
    assert _packages.missing(ROOT / "requirements.txt") == {}
    assert _packages.install_missing(ROOT / "requirements.txt", "https://mirror.example/simple") == []
    assert ran == []


def test_no_requirements_file_or_the_browser_edition_installs_nothing(monkeypatch, tmp_path: Path) -> None:
    ran: list[object] = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: ran.append(a))
    monkeypatch.setattr(_packages, "missing", lambda path: {"anthropic>=2.0,<3": ""})
    assert _packages.install_missing(tmp_path / "requirements.txt") == []  # the browser edition ships none
    (tmp_path / "requirements.txt").write_text("anthropic>=2.0,<3\n")
    monkeypatch.setattr(sys, "platform", "emscripten")  # Pyodide: no subprocess, no pip
    assert _packages.install_missing(tmp_path / "requirements.txt") == [] and ran == []


def test_the_pip_command_names_an_index_only_when_given_one() -> None:
    assert pip_command(["pandas>=2.0,<4"]) == [
        sys.executable,
        *("-m", "pip", "install", "-q", "--disable-pip-version-check", "pandas>=2.0,<4"),
    ]
    assert pip_command(["pandas>=2.0,<4"], "https://mirror.example/simple")[-3:-1] == [
        "-i",
        "https://mirror.example/simple",
    ]
    for wrong in ("mirror.example/simple", "ftp://mirror.example", "https://"):
        with pytest.raises(InstallError, match="is not the address of a package index"):
            pip_command([], wrong)
