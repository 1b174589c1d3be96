"""Each learner file opens with the function a notebook calls first (issue 18: "five short files in front"), so a
learner who opens it reads that function before any of its plumbing. Read with `ast`: the first top-level `def`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "helpers"


def first_function(path: Path) -> str | None:
    """The name of the first function defined at the top level of `path`, None when it defines none."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return next((node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))), None)


@pytest.mark.parametrize(
    ("name", "function"),
    [
        ("client.py", "get_client"),
        ("show.py", "show"),
        ("streaming.py", "stream"),
        ("tools.py", "run_tools"),
        ("errors.py", "explain"),
    ],
)
def test_each_learner_file_opens_with_its_function(name: str, function: str) -> None:
    assert first_function(PACKAGE / name) == function


def test_the_reader_finds_the_first_function_not_a_later_one(tmp_path: Path) -> None:
    """The check above is only as good as `first_function`: a class or a constant before the function is no
    function, and a later function is not the first."""
    source = tmp_path / "sample.py"
    source.write_text(
        '"""Doc."""\nX = 1\n\n\nclass A:\n    def m(self): ...\n\n\ndef first(): ...\n\n\ndef later(): ...\n'
    )
    assert first_function(source) == "first"
    source.write_text("X = 1\n")
    assert first_function(source) is None
