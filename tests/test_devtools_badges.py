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


def test_setup_cell_installs_nothing_itself_and_in_colab_the_finder_only_the_sdk() -> None:
    from helpers import locate

    assert "pip" not in badges.setup_source()
    assert locate.SDK.startswith("anthropic"), "Colab's own ipywidgets must not be upgraded"
    ranges = (Path(__file__).resolve().parent.parent / "requirements.txt").read_text().splitlines()
    (sdk_range,) = [line.split("#")[0].strip() for line in ranges if line.startswith("anthropic")]
    assert sdk_range == locate.SDK, "Colab's setup cell installs the SDK range requirements.txt allows, and CI tests"


def test_the_setup_cell_stays_short_and_the_finder_fits_one_screen() -> None:
    lines = [line for line in badges.setup_source().splitlines() if line.strip()]
    assert len(lines) <= 29, (
        "local sources, the marker check and the one-line refusal, the language and the region; once published the"
        " pinned fetch"
    )
    finder = (ROOT / "helpers" / "locate.py").read_text()
    assert "\nimport helpers" not in finder and "from helpers" not in finder, "standard library only"
    body = [line for line in finder.split('"""', 2)[2].splitlines() if line.strip()]
    assert len(body) <= 140


def test_every_notebook_has_both_badges_built_from_the_one_url() -> None:
    from devtools.notebooks import notebook_paths

    for path in notebook_paths(None):
        relative = path.relative_to(ROOT).as_posix()
        title = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown").source
        assert f"({project.colab_url(relative)})" in title
        assert f"(https://mybinder.org/v2/gh/{project.REPOSITORY}/{project.BRANCH}?labpath={relative})" in title


def test_images_show_where_the_notebook_is_opened_alone() -> None:
    """Colab opens only the notebook file: no image may be a relative link; attachments equal docs/img's file."""
    import base64
    import re

    from devtools.notebooks import notebook_paths

    seen = 0
    for path in notebook_paths(None):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", cell.source):
                assert target.startswith(("https://", "attachment:")), f"{path.name}: {target}"
                if target.startswith("attachment:"):
                    name = target.removeprefix("attachment:")
                    data = base64.b64decode(cell.attachments[name]["image/png"])
                    assert data == (ROOT / "docs" / "img" / name).read_bytes()
                    seen += 1
    assert seen >= 1, "notebook 02 shows the live view's screenshot"


def test_a_relative_image_becomes_an_attachment_and_a_stale_one_is_refreshed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(badges, "repository_root", lambda: tmp_path)
    (tmp_path / "docs" / "img").mkdir(parents=True)
    (tmp_path / "docs" / "img" / "shot.png").write_bytes(b"\x89PNG first")
    path = _notebook(tmp_path, "10_img.ipynb", "# Img", "import helpers")
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("See ![a shot](../docs/img/shot.png) here."))
    nbformat.write(nb, path)
    assert any("relative link" in p for p in badges.check_notebook(path, fix=True))
    cell = nbformat.read(path, as_version=4).cells[-1]
    assert cell.source == "See ![a shot](attachment:shot.png) here."
    (tmp_path / "docs" / "img" / "shot.png").write_bytes(b"\x89PNG second")
    assert badges.check_notebook(path) == ["notebooks/10_img.ipynb: attachment shot.png differs from docs/img/shot.png"]
    badges.check_notebook(path, fix=True)
    assert badges.check_notebook(path) == []


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
    monkeypatch.setattr(project, "COMMIT", "a" * 40)
    assert len(badges.check_notebook(path)) == 3, "badges, setup code, setup cell not collapsed"
    badges.check_notebook(path, fix=True)
    nb = nbformat.read(path, as_version=4)
    title, setup = nb.cells[0].source, nb.cells[1].source
    assert title.startswith("# Thing\n\n[![Open In Colab]")
    assert "colab.research.google.com/github/someone/elsewhere/blob/main/notebooks/07_thing.ipynb" in title
    assert "Some words." in title
    assert "mybinder.org/v2/gh/someone/elsewhere/main?labpath=notebooks/07_thing.ipynb" in title
    assert '"https://github.com/someone/elsewhere", NAME, get_ipython(), commit="' + "a" * 40 + '"' in setup
    assert f'"https://raw.githubusercontent.com/someone/elsewhere/{"a" * 40}/helpers/locate.py"' in setup
    assert f'"{project.finder_sha256()}"' in setup and "hashlib.sha256(" in setup, "run only if its sha256 matches"
    assert "/main/" not in setup, "never unpinned main"
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


def test_until_published_the_url_is_a_reserved_placeholder_and_no_cell_can_fetch(monkeypatch) -> None:
    """RFC 2606 `.invalid` never resolves, and no GitHub account can hold a dot: nobody can own the placeholder."""
    assert project.REPOSITORY == project.PLACEHOLDER and ".invalid" in project.REPOSITORY
    assert not project.published() and project.repository_url() == "https://example.invalid/minimax-anthropic-notebooks"
    setup = badges.setup_source()
    assert "curl" not in setup and "http" not in setup.replace(project.repository_url(), "")
    assert 'commit=""' in setup and "Nothing is fetched from the internet" in setup
    with pytest.raises(ValueError, match="not published"):
        project.raw_url("helpers/locate.py")
    for repository, commit in (("someone/real", "main"), ("someone/real", ""), (project.PLACEHOLDER, "a" * 40)):
        monkeypatch.setattr(project, "REPOSITORY", repository)
        monkeypatch.setattr(project, "COMMIT", commit)
        assert not project.published(), f"{repository} at {commit!r} must not be fetched"
        assert "curl" not in badges.setup_source()


def test_the_cell_checks_for_this_collections_marker_the_finder_holds() -> None:
    from helpers import locate

    assert f'COLLECTION = "{project.CLONE_FOLDER}"' in (ROOT / "helpers" / "locate.py").read_text()
    assert locate.COLLECTION == project.CLONE_FOLDER
    assert """MARK = f'COLLECTION = "{NAME}"'""" in badges.setup_source()


def test_the_chinese_setup_cell_is_the_english_code_with_its_own_words_and_region() -> None:
    """A translation may change strings and comments only (`python -m devtools translations`): the Chinese setup cell
    says its words in Chinese and makes 'cn' the default region; the English one says 'global'."""
    from devtools.translations import code_shape

    english, chinese = badges.setup_source("en"), badges.setup_source("zh-CN")
    assert code_shape(english) == code_shape(chinese) and english != chinese
    assert 'helpers.client.set_default_region("global")' in english
    assert 'helpers.client.set_default_region("cn")' in chinese
    assert chinese.startswith("# @title 设置：") and "找不到本笔记本所属的合集" in chinese
    assert badges.language_of(ROOT / "notebooks" / "zh-CN" / "solutions" / "x.ipynb") == "zh-CN"
    assert badges.language_of(ROOT / "notebooks" / "solutions" / "x.ipynb") == "en"
