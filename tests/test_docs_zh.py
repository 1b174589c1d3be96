"""README.zh-CN.md and docs/teaching.zh-CN.md: every command they show exists, every relative link resolves to a
file of the repository (and its #anchor to a heading there), the glossary's words are used where the English twin
uses its terms (devtools/translations.py's checker, not a second one), each page links its English twin and back,
no CNY price is shown (the China platform's prices were not collected: a converted guess would mislead), and every
notebook has its Chinese twin, so the pages link the twins (an English notebook only where they say it is the English
original) and name sections by the Chinese notebooks' headings."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from devtools import translations

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"README.zh-CN.md": "README.md", "docs/teaching.zh-CN.md": "docs/teaching.md"}
"""Each Chinese page and its English twin."""
PROGRAMS = ("python", "python3", "py", "pip", "%pip", "tljh-config", "bash", "curl", "npm", "node", "uv")
"""The first words that make a line of code a command to check (after `sudo`, `sudo -E` and VAR=value)."""
SETS = ("%env", "export", "set")
"""Ways the pages set an environment variable (IPython, POSIX shells, Windows)."""
READ_ELSEWHERE = {"UV_DEFAULT_INDEX": "uv's index (`uv pip install --help` names it)"}
"""Variables the pages set that the repository does not read itself: the program that reads them."""
_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.DOTALL)
_INLINE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=\S*$")


def text(relative: str) -> str:
    return (ROOT / relative).read_text(encoding="utf-8")


def commands(markdown: str) -> list[str]:
    """Every command line the page shows: lines of its code blocks and inline code spans that start with a program."""
    candidates = [line for block in _FENCE.findall(markdown) for line in block.splitlines()]
    candidates += _INLINE.findall(_FENCE.sub(" ", markdown))
    found = []
    for candidate in (c.strip() for c in candidates):
        words = candidate.split()
        program = _program(words)
        if program in PROGRAMS or (words and words[0] in SETS) or (len(words) == 1 and _ASSIGNMENT.match(words[0])):
            found.append(candidate)
    return found


def _program(words: list[str]) -> str:
    """The program a command runs: its first word after `sudo [-E]` and `VAR=value` prefixes."""
    rest = list(words)
    while rest and (rest[0] in {"sudo", "-E"} or _ASSIGNMENT.match(rest[0])):
        rest.pop(0)
    return rest[0] if rest else ""


@cache
def help_text(*module_and_subcommand: str) -> str:
    """`python -m MODULE [SUB] --help`, run once: what a command may pass; '' when it failed."""
    done = subprocess.run(
        [sys.executable, "-m", *module_and_subcommand, "--help"], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    return done.stdout + done.stderr if done.returncode == 0 else ""


def _variables_known(command: str) -> list[str]:
    """What is wrong with the environment variables a command sets: each must be read by the repository's code."""
    code = "".join(p.read_text("utf-8") for d in ("helpers", "scripts", "devtools") for p in (ROOT / d).rglob("*.py"))
    problems = []
    for name in re.findall(r"(?:^|\s)([A-Z][A-Z0-9_]+)=", command):
        if name not in READ_ELSEWHERE and not re.search(rf"\b{name}\b", code):
            problems.append(f"{command!r} sets {name}, which nothing in helpers/, scripts/ or devtools/ reads")
    return problems


def command_problems(command: str, english: str) -> list[str]:
    """Why a command shown would not work here; [] when it does (or the English twin shows it the same)."""
    problems = _variables_known(command)
    if command in english or command.split()[0] in SETS or _ASSIGNMENT.match(command):
        return problems
    words = shlex.split(command.replace("\\", "/"), posix=True)
    while words and (words[0] in {"sudo", "-E"} or _ASSIGNMENT.match(words[0])):
        words.pop(0)
    flags = [w.split("=")[0] for w in words if w.startswith("-") and w not in {"-m", "-E"}]
    if words[0] == "%pip":
        words = ["python", "-m", "pip", *words[1:]]
    if words[0] in {"python", "python3", "py"} and words[1:2] == ["-m"]:
        module = words[2]
        if importlib.util.find_spec(module) is None:
            return [*problems, f"{command!r}: no module {module}"]
        inside = (ROOT / module).is_dir()
        shown = help_text(module, words[3]) if inside and len(words) > 3 else help_text(module)
        if not shown:
            return [*problems, f"{command!r}: `python -m {' '.join(words[2:4])} --help` fails"]
        missing = [f for f in flags if f not in shown] + (
            [words[3]] if len(words) > 3 and words[3] not in shown else []
        )
        return problems + [f"{command!r}: {m} is not in its --help" for m in missing if not m.startswith(".")]
    if words[0] in {"python", "python3", "py"}:
        script = ROOT / words[1]
        if not script.is_file():
            return [*problems, f"{command!r}: no file {words[1]} in the repository"]
        source = script.read_text("utf-8")
        unknown = [w for w in words[2:] if not re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", source)]
        return problems + [f"{command!r}: {script.name} knows no {w}" for w in unknown]
    if words[0] == "pip" and "-r" in words:
        target = words[words.index("-r") + 1]
        return problems + ([] if (ROOT / target).is_file() else [f"{command!r}: no file {target}"])
    return [*problems, f"{command!r}: not shown in the English twin, and not a command of this repository"]


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def link_problems(relative: str) -> list[str]:
    """Relative links of a page that lead to no file of the repository, or to an anchor no heading there has."""
    page = ROOT / relative
    problems = []
    for target in _LINK.findall(_FENCE.sub(" ", page.read_text("utf-8"))):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.is_relative_to(ROOT) or not file.exists():
            problems.append(f"{relative}: {target} is not a file of the repository")
        elif anchor and file.suffix == ".md":
            headings = re.findall(r"^#+ (.+)$", file.read_text("utf-8"), re.MULTILINE)
            if anchor not in {slug(h) for h in headings}:
                problems.append(f"{relative}: {target}: {file.name} has no heading #{anchor}")
    return problems


@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_relative_link_resolves_to_a_file_of_the_repository(page: str) -> None:
    assert link_problems(page) == []


def test_a_broken_link_or_anchor_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "README.md").write_text("# Keys, regions and modes\n")
    (tmp_path / "page.md").write_text(
        "[ok](README.md#keys-regions-and-modes) [gone](docs/nothing.md) [anchor](README.md#no-such) [web](https://x.cn)"
    )
    assert link_problems("page.md") == [
        "page.md: docs/nothing.md is not a file of the repository",
        "page.md: README.md#no-such: README.md has no heading #no-such",
    ]


@pytest.mark.slow  # runs `python -m ... --help` of the modules the pages name
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_command_shown_exists(page: str) -> None:
    english = text("README.md") + text("docs/teaching.md")
    shown = commands(text(page))
    assert any("scripts/start.py --lang zh-CN" in c for c in shown) or page != "README.zh-CN.md"
    assert any(c.startswith("python -m devtools bundle") for c in shown), "the teacher's zip is how the page begins"
    assert [p for c in shown for p in command_problems(c, english)] == []


@pytest.mark.slow
def test_a_command_that_does_not_exist_is_named() -> None:
    assert command_problems("python3 scripts/begin.py", "") == [
        "'python3 scripts/begin.py': no file scripts/begin.py in the repository"
    ]
    assert command_problems("python -m devtools bundle --zip x", "") == [
        "'python -m devtools bundle --zip x': --zip is not in its --help"
    ]
    assert command_problems("python3 scripts/start.py --lang fr", "") == [
        "'python3 scripts/start.py --lang fr': start.py knows no fr"
    ]
    assert command_problems("%env MINIMAX_REGOIN=cn", "") == [
        "'%env MINIMAX_REGOIN=cn' sets MINIMAX_REGOIN, which nothing in helpers/, scripts/ or devtools/ reads"
    ]
    assert command_problems("sudo apt-get install foo", "") == [
        "'sudo apt-get install foo': not shown in the English twin, and not a command of this repository"
    ]
    assert command_problems("sudo tljh-config reload", "then `sudo tljh-config reload`") == []


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_glossarys_words_are_used_where_the_english_twin_uses_its_terms(page: str) -> None:
    """devtools/translations.py's own check, with each page as one Markdown cell beside its English twin."""

    def as_notebook(relative: str) -> dict:
        return {"cells": [{"cell_type": "markdown", "source": text(relative)}]}

    glossary = translations.load_glossary("zh-CN")
    assert translations.glossary_problems(as_notebook(PAGES[page]), as_notebook(page), glossary) == []


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_page_links_its_english_twin_at_the_top_and_back(page: str) -> None:
    english, chinese = PAGES[page], page
    assert f"]({Path(english).name})" in text(chinese).splitlines()[0]
    assert f"]({Path(chinese).name})" in text(english).splitlines()[0]


@pytest.mark.parametrize("page", sorted(PAGES))
def test_no_cny_price_is_shown(page: str) -> None:
    """The China platform bills in CNY, and its prices were not collected: the pages say so, never a figure."""
    body = text(page)
    assert not re.search(r"¥|￥|\d\s*(元|CNY|RMB)|人民币\s*\d", body)
    assert "人民币" in body and "未知" in body and "platform.minimaxi.com" in body


_NOTEBOOK_PATH = re.compile(r"(?<![\w-])notebooks/(?!zh-CN/)[^\s)`'\"（），。]*")
"""A path into the English notebooks (`notebooks/`, `notebooks/solutions/...`, `../notebooks/01_...ipynb`)."""
SAYS_ENGLISH = re.compile(r"英文原版|英文版")
"""What a passage says when it names the English originals on purpose."""
STILL_ENGLISH = re.compile(r"目前(还)?是英文|还是英文的|正在翻译|翻译中|还没有译完")
"""What the pages said before every notebook had its Chinese twin."""
_EMPHASIS = re.compile(r"(?<!\*)\*([^*\n]+)\*(?!\*)")


def passages(markdown: str) -> list[str]:
    """The page cut where a reader reads one statement: each paragraph, and each row of a table on its own."""
    units = []
    for paragraph in re.split(r"\n\s*\n", _FENCE.sub(" ", markdown)):
        rows = paragraph.strip().splitlines()
        units += rows if rows and rows[0].startswith("|") else [paragraph]
    return units


def english_notebook_problems(relative: str) -> list[str]:
    """Passages of a Chinese page that point into the English notebooks without saying they are the English ones:
    every notebook has its twin under notebooks/zh-CN/, so that is where a Chinese reader is sent."""
    problems = []
    for passage in passages(text(relative)):
        found = _NOTEBOOK_PATH.findall(passage)
        if found and not SAYS_ENGLISH.search(passage):
            problems.append(f"{relative}: {', '.join(found)} is English; link notebooks/zh-CN/ or say 英文原版")
    return problems


def zh_notebooks_linked(relative: str) -> set[str]:
    """The Chinese notebooks a page links (by file name)."""
    page = ROOT / relative
    targets = [(page.parent / t.partition("#")[0]).resolve() for t in _LINK.findall(_FENCE.sub(" ", text(relative)))]
    zh = (ROOT / "notebooks" / "zh-CN").resolve()
    return {t.name for t in targets if t.suffix == ".ipynb" and t.parent == zh}


def zh_headings() -> set[str]:
    """The section headings of the Chinese notebooks, without their '#' marks and '2. ' numbers."""
    found = set()
    for path in (ROOT / "notebooks" / "zh-CN").glob("*.ipynb"):
        for cell in json.loads(path.read_text("utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                for heading in re.findall(r"^#+ (.+)$", "".join(cell["source"]), re.MULTILINE):
                    found.add(re.sub(r"^\d+\. ", "", heading.strip()))
    return found


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_pages_send_a_chinese_reader_to_the_chinese_notebooks(page: str) -> None:
    assert english_notebook_problems(page) == []
    assert zh_notebooks_linked(page) == {p.name for p in (ROOT / "notebooks" / "zh-CN").glob("*.ipynb")}
    assert "notebooks/zh-CN/solutions/" in text(page), "the Chinese solutions are named"
    assert not STILL_ENGLISH.search(text(page)), "every notebook has its Chinese twin: none is still English"


def test_an_english_notebook_link_without_saying_so_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "page.md").write_text(
        "| 01 | [快速入门](notebooks/01_quick_start.ipynb) |\n"
        "| 02 | [流式输出](notebooks/zh-CN/02_streaming.ipynb) |\n\n"
        "英文原版在 `notebooks/`。\n\n参考答案在\n`notebooks/solutions/`。\n"
    )
    assert english_notebook_problems("page.md") == [
        "page.md: notebooks/01_quick_start.ipynb is English; link notebooks/zh-CN/ or say 英文原版",
        "page.md: notebooks/solutions/ is English; link notebooks/zh-CN/ or say 英文原版",
    ]
    assert zh_notebooks_linked("page.md") == {"02_streaming.ipynb"}


def test_teaching_names_the_sections_by_their_chinese_headings() -> None:
    """Each section the plans name in *italics* is a heading of a Chinese notebook, as the learner sees it."""
    named = _EMPHASIS.findall(text("docs/teaching.zh-CN.md"))
    assert named, "the plans name sections"
    assert [n for n in named if n not in zh_headings()] == []
