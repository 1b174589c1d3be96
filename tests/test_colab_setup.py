"""The shared setup cell, run as IPython would run it, with a stand-in Colab: what it fetches and installs."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager

from devtools import badges, project

ROOT = Path(__file__).resolve().parent.parent


class FakeShell:
    """Records the shell commands and magics the cell asks for instead of running them."""

    def __init__(self) -> None:
        self.commands: list[str] = []
        self.magics: list[tuple[str, str]] = []

    def system(self, command: str) -> None:
        self.commands.append(command)

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1) -> None:
        self.magics.append((name, line))


def run_setup(monkeypatch: pytest.MonkeyPatch, *, in_colab: bool, cwd: Path) -> tuple[FakeShell, dict]:
    code = TransformerManager().transform_cell(badges.setup_source())
    shell = FakeShell()
    if in_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "path", list(sys.path))
    namespace: dict = {"get_ipython": lambda: shell}
    exec(compile(code, "<setup cell>", "exec"), namespace)
    return shell, namespace


def test_in_colab_it_clones_the_project_and_installs_only_the_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    shell, namespace = run_setup(monkeypatch, in_colab=True, cwd=ROOT / "notebooks")
    folder = f"/content/{project.CLONE_FOLDER}"
    assert shell.commands == [f"git clone -q --depth 1 {project.repository_url()} {folder}"]
    assert shell.magics == [("pip", 'install -q "anthropic>=0.68,<3"')]
    assert not any("ipywidgets" in line for _, line in shell.magics)
    assert namespace["ROOT"] == ROOT and namespace["MODEL"] == "MiniMax-M2.1"


def test_locally_it_does_nothing_heavy(monkeypatch: pytest.MonkeyPatch) -> None:
    shell, namespace = run_setup(monkeypatch, in_colab=False, cwd=ROOT / "notebooks")
    assert shell.commands == [] and shell.magics == []
    assert namespace["ROOT"] == ROOT and str(ROOT) == sys.path[0]
