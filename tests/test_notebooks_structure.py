"""Structural checks of every notebook (in the spirit of Anthropic's cookbook tests): saved from a fresh
kernel in order, no errors, no widget state, no secrets, only supported models, and the teaching shape. The
translations (notebooks/zh-CN) are checked by the same rules, in their own words (WORDS)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from devtools import project
from helpers._settings import SUPPORTED_MODELS

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
IDS = [str(p.relative_to(ROOT / "notebooks")) for p in NOTEBOOKS]
SECRET = re.compile(
    r"(sk-[A-Za-z0-9_-]{12,}|Bearer\s+[A-Za-z0-9._-]{12,}|eyJ[A-Za-z0-9_-]{20,}|api_key\s*=\s*[\"'][^\"']{6,}[\"'])"
)
MODEL_NAME = re.compile(r"MiniMax-[A-Za-z0-9][A-Za-z0-9.\-]*")
NBVAL_TAGS = {"nbval-ignore-output", "nbval-skip", "raises-exception", "nbval-raises-exception"}
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WORDS = {
    "en": {
        "headings": ("What you will learn", "Prerequisites", "Recap"),
        "exercises": "## Exercises",
        "synthesized": "synthesized",
        "setup": "# @title Setup: ",
    },
    "zh-CN": {
        "headings": ("你将学到", "前置条件", "小结"),
        "exercises": "## 练习",
        "synthesized": "合成",
        "setup": "# @title 设置：",
    },
}
"""What each language's notebooks say where the rules look: the teaching headings, the exercises' heading, the
intro's note that the recordings are synthesized, and the setup cell's title."""


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _is_solution(path: Path) -> bool:
    return "solutions" in path.parts


def _words(path: Path) -> dict:
    """The WORDS of the notebook's language: the translation folder it sits in, else English."""
    return WORDS[next((part for part in path.relative_to(ROOT / "notebooks").parts if part in WORDS), "en")]


def test_every_language_folder_is_checked_in_its_own_words() -> None:
    folders = {p.relative_to(ROOT / "notebooks").parts[0] for p in NOTEBOOKS} - {"solutions"}
    languages = {f for f in folders if not f.endswith(".ipynb")}
    assert languages <= set(WORDS), f"notebook folders without WORDS: {languages - set(WORDS)}"


def test_there_are_notebooks() -> None:
    assert any(p.name == "01_quick_start.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_saved_from_a_fresh_kernel_in_order(path: Path) -> None:
    code = [c for c in _load(path)["cells"] if c["cell_type"] == "code"]
    counts = [c.get("execution_count") for c in code]
    assert counts == list(range(1, len(code) + 1)), "run `python -m devtools regenerate` (fresh kernel, in order)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_opening_it_in_jupyterlab_does_not_mark_it_modified(path: Path) -> None:
    """JupyterLab rewrites metadata.kernelspec to the running kernel's spec when a notebook opens: a saved spec that
    differs (a display_name of 'Python 3' against ipykernel's 'Python 3 (ipykernel)') marks it modified at once."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    saved = _load(path)["metadata"]["kernelspec"]
    assert saved == {"display_name": spec.display_name, "language": spec.language, "name": "python3"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_errors_no_widget_state(path: Path) -> None:
    nb = _load(path)
    assert "widgets" not in nb.get("metadata", {}), "saved widget state breaks GitHub's rendering"
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"error output in: {_source(cell)[:80]}"
            assert WIDGET_MIME not in output.get("data", {}), "a widget view was saved (model not found on reopen)"
            assert not (output["output_type"] == "stream" and output.get("name") == "stderr"), (
                f"stderr output in: {_source(cell)[:80]}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_secrets_and_no_machine_paths(path: Path) -> None:
    """Scanned without the cells' image attachments and the images a cell drew (a chart's `image/png`): base64 PNG
    bytes can spell `eyJ...` by chance (zh-CN/02's timing chart did), and each attachment is an image of docs/img
    (the diagrams, a screenshot) that `devtools badges` keeps equal to its file."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    images = [c.pop("attachments") for c in nb["cells"] if c.get("attachments")]
    for output in (o for c in nb["cells"] for o in c.get("outputs", ())):
        for mime in [m for m in output.get("data", {}) if m.startswith("image/") and m != "image/svg+xml"]:
            del output["data"][mime]
    assert all((ROOT / "docs" / "img" / name).is_file() for a in images for name in a), "only docs/img is attached"
    text = json.dumps(nb, indent=1, ensure_ascii=False)
    assert not SECRET.search(text), f"secret-like string: {SECRET.search(text)}"
    for fragment in ("/work/", "/root/", "/home/", "/tmp/"):
        assert fragment not in text, f"machine-specific path {fragment!r} stored in the notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_only_supported_model_names(path: Path) -> None:
    """Notebooks name only catalogue models (or a later name the catalogue records), and their code calls only the
    three they teach (later models and names are named, in notebook 01's section about them, but not taught)."""
    from helpers.models import MODELS

    known = set(MODELS) | {m.renamed_to for m in MODELS.values() if m.renamed_to}  # a later name MiniMax gives one
    names = {m.rstrip(".-") for m in MODEL_NAME.findall(path.read_text(encoding="utf-8"))}
    assert names <= known, f"model names outside the catalogue: {names - known}"
    code = "\n".join(c["source"] for c in nbformat.read(path, as_version=4).cells if c["cell_type"] == "code")
    used = {m.rstrip(".-") for m in MODEL_NAME.findall(code)}
    assert used <= set(SUPPORTED_MODELS), f"code uses models the notebooks do not teach: {used - set(SUPPORTED_MODELS)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_title_badge_and_teaching_shape(path: Path) -> None:
    cells = _load(path)["cells"]
    first = _source(cells[0])
    assert cells[0]["cell_type"] == "markdown" and first.startswith("# "), "first cell: a '# Title'"
    relative = path.relative_to(ROOT).as_posix()
    assert "colab-badge.svg" in first and project.colab_url(relative) in first, "Open-in-Colab badge for this file"
    markdown = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    words = _words(path)
    if not _is_solution(path):
        for heading in words["headings"]:
            assert heading in markdown, f"missing '{heading}'"
        assert words["synthesized"] in first.lower(), "the intro says the recordings are synthesized"
        code = "\n".join(_source(c) for c in cells if c["cell_type"] == "code")
        if "helpers.check(" in code:
            assert words["exercises"] in markdown, f"exercises under a '{words['exercises']}' heading"


HAN_BREAK = re.compile(r"[\u4e00-\u9fff，。；：、）]\n[\u4e00-\u9fff（]")


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if _words(p) is WORDS["zh-CN"]], ids=str)
def test_chinese_paragraphs_are_not_hard_wrapped(path: Path) -> None:
    """A line break inside a Markdown paragraph shows as a space, which between two Chinese characters is a stray
    gap: each Chinese paragraph is one line (docs/translating.md)."""
    for cell in _load(path)["cells"]:
        if cell["cell_type"] == "markdown":
            prose = re.sub(r"```.*?```", "", _source(cell), flags=re.DOTALL)
            assert not HAN_BREAK.search(prose), f"a paragraph broken between characters: {HAN_BREAK.search(prose)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_one_setup_cell_and_a_model_constant(path: Path) -> None:
    code = [_source(c) for c in _load(path)["cells"] if c["cell_type"] == "code"]
    assert code and code[0].startswith(_words(path)["setup"]), "the first code cell is the setup cell"
    assert sum("import helpers" in c for c in code) == 1, "helpers is imported once, in the setup cell"
    assert re.search(r"^MODEL = \"MiniMax-M2\.1(-lightning)?\"$", code[0], re.MULTILINE), "MODEL constant in setup"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_the_setup_cell_is_a_collapsed_form_saying_what_it_does(path: Path) -> None:
    """Colab shows a `# @title` cell with cellView form as its title alone; JupyterLab hides source_hidden code."""
    setup = next(c for c in _load(path)["cells"] if c["cell_type"] == "code")
    title = _source(setup).splitlines()[0]
    assert title.startswith(_words(path)["setup"]) and "helpers" in title, "one line saying what the cell does"
    assert setup["metadata"].get("cellView") == "form", "Colab collapses it only with cellView: form"
    assert setup["metadata"].get("jupyter", {}).get("source_hidden") is True, "JupyterLab collapses source_hidden"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_output_masks_carry_a_reason(path: Path) -> None:
    for cell in _load(path)["cells"]:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & NBVAL_TAGS:
            reason = cell["metadata"].get("nbval_reason", "")
            assert len(reason) > 10, f"cell tagged {sorted(tags & NBVAL_TAGS)} needs metadata.nbval_reason"


def test_notebook_02_shows_the_events_request_and_its_formatter_in_separate_cells() -> None:
    """The raw events: the request, the formatter, and the listing each in a short cell followed by its output."""
    cells = [c for c in _load(ROOT / "notebooks" / "02_streaming.ipynb")["cells"] if c["cell_type"] == "code"]
    request = next(c for c in cells if _source(c).startswith("events = list("))
    formatter = next(c for c in cells if _source(c).startswith("def summary(event):"))
    assert "def " not in _source(request) and "client." not in _source(formatter)
    for cell in (request, formatter):
        assert cell["outputs"], f"followed by its output: {_source(cell)[:40]}"
        assert len(_source(cell).splitlines()) <= 22
