"""Badges and setup cells agree with devtools/project.py, and `python -m devtools badges` can make them agree."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from devtools import badges, project

ROOT = Path(__file__).resolve().parent.parent


def test_every_notebook_agrees_with_project() -> None:
    found = badges.problems()
    assert not found, "Run `python -m devtools badges` to fix:\n" + "\n".join(found)


def test_notebook_01_holds_exactly_the_shared_setup_cell() -> None:
    nb = nbformat.read(ROOT / "notebooks" / "01_quick_start.ipynb", as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.source == badges.setup_source()
    assert project.repository_url() in first_code.source


def test_setup_cell_installs_only_the_sdk() -> None:
    installs = [line for line in badges.setup_source().splitlines() if "pip install" in line]
    assert installs == ['    %pip install -q "anthropic>=0.68,<3"'], "Colab's own ipywidgets must not be upgraded"


def _notebook(folder: Path, name: str, title: str, setup: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(title), nbformat.v4.new_code_cell(setup)]
    path = folder / "notebooks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def test_badges_command_rewrites_from_a_new_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(badges, "repository_root", lambda: tmp_path)
    old_setup = badges.setup_source() + '\nclient = helpers.get_client(recordings="07_custom")'
    path = _notebook(tmp_path, "07_thing.ipynb", "# Thing\n\nSome words.", old_setup)
    monkeypatch.setattr(project, "REPOSITORY", "someone/elsewhere")
    assert len(badges.check_notebook(path)) == 2
    badges.check_notebook(path, fix=True)
    nb = nbformat.read(path, as_version=4)
    title, setup = nb.cells[0].source, nb.cells[1].source
    assert title.startswith("# Thing\n\n[![Open In Colab]")
    assert "colab.research.google.com/github/someone/elsewhere/blob/main/notebooks/07_thing.ipynb" in title
    assert "Some words." in title
    assert "https://github.com/someone/elsewhere /content/" in setup
    assert setup.endswith('client = helpers.get_client(recordings="07_custom")'), "a notebook's own client line stays"
    assert badges.check_notebook(path) == []


def test_a_missing_client_line_is_added_with_the_notebook_stem(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(badges, "repository_root", lambda: tmp_path)
    path = _notebook(tmp_path, "solutions/08_x_solutions.ipynb", "# X", "import helpers")
    badges.check_notebook(path, fix=True)
    setup = nbformat.read(path, as_version=4).cells[1].source
    assert setup.endswith('client = helpers.get_client(recordings="08_x")')


def test_check_mode_reports_and_changes_nothing(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(badges, "repository_root", lambda: tmp_path)
    path = _notebook(tmp_path, "09_y.ipynb", "# Y", "print(1)")
    before = path.read_text()
    monkeypatch.setattr("devtools.notebooks.notebook_paths", lambda names=None: [path])
    assert badges.main([], check=True) == 1
    assert "differs: notebooks/09_y.ipynb" in capsys.readouterr().out
    assert path.read_text() == before


def test_a_name_that_matches_no_notebook_is_an_error(capsys) -> None:
    """`python -m devtools badges 07_typo` used to say 'All notebooks already agree' and exit 0."""
    assert badges.main(["no-such-notebook"]) == 1
    assert "No notebook matches no-such-notebook" in capsys.readouterr().out
