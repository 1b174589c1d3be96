"""The translation checks of `python -m devtools translations` (devtools/translations.py): a translation that
drifts from its English twin, in its cells, its code or its key terms, is named cell by cell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devtools import translations
from devtools.translations import Pair, code_shape, load_glossary, pairs, problems, stamp

ROOT = translations.ROOT


def _notebook(*cells: tuple[str, str]) -> dict[str, Any]:
    return {
        "cells": [{"cell_type": kind, "metadata": {}, "source": source} for kind, source in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


ENGLISH = _notebook(
    ("markdown", "# Streaming\nThe model's thinking arrives first."),
    ("code", 'MODEL = "MiniMax-M2.1"\nprint(f"Answer: {MODEL}")  # the model'),
    ("markdown", "A tool call is one `tool_use` block; see [notebook 03](03_tool_use.ipynb)."),
    ("code", "%pip install -q anthropic\nresult = client.messages.create(model=MODEL, max_tokens=100)"),
)
CHINESE = _notebook(
    ("markdown", "# 流式输出\n模型的思考内容最先到达。"),
    ("code", 'MODEL = "MiniMax-M2.1"\nprint(f"回答：{MODEL}")  # 模型'),
    ("markdown", "一次工具调用就是一个 `tool_use` 块；见[第 03 课](03_tool_use.ipynb)。"),
    ("code", "%pip install -q anthropic\nresult = client.messages.create(model=MODEL, max_tokens=100)"),
)


def _pair(tmp_path: Path, english: dict[str, Any], chinese: dict[str, Any] | None) -> Pair:
    (tmp_path / "zh-CN").mkdir(exist_ok=True)
    pair = Pair(tmp_path / "02_streaming.ipynb", tmp_path / "zh-CN" / "02_streaming.ipynb", "zh-CN")
    pair.english.write_text(json.dumps(english), encoding="utf-8")
    if chinese is not None:
        pair.translation.write_text(json.dumps(chinese, ensure_ascii=False), encoding="utf-8")
    return pair


def test_a_faithful_stamped_translation_has_no_problem(tmp_path: Path) -> None:
    pair = _pair(tmp_path, ENGLISH, CHINESE)
    assert problems(pair) == [
        "changed in English since translated: never stamped: run "
        "`python -m devtools translations --stamp` after translating"
    ]
    stamp(pair)
    assert problems(pair) == []
    assert json.loads(pair.translation.read_text(encoding="utf-8"))["metadata"]["translation"]["language"] == "zh-CN"


def test_an_english_change_after_translation_names_the_cell(tmp_path: Path) -> None:
    pair = _pair(tmp_path, ENGLISH, CHINESE)
    stamp(pair)
    changed = json.loads(json.dumps(ENGLISH))
    changed["cells"][2]["source"] += " It carries an `id`."
    pair.english.write_text(json.dumps(changed), encoding="utf-8")
    found = problems(pair)
    assert len(found) == 1 and "cell 3 (markdown: 'A tool call is one" in found[0], found


def test_translated_code_is_refused_but_translated_strings_and_comments_are_not(tmp_path: Path) -> None:
    wrong = json.loads(json.dumps(CHINESE))
    wrong["cells"][3]["source"] = (
        "%pip install -q anthropic\nresult = client.messages.create(model=MODEL, max_tokens=200)"
    )
    pair = _pair(tmp_path, ENGLISH, wrong)
    stamp(pair)
    assert problems(pair) == [
        "cell 4 (code: '%pip install -q anthropic'): the code differs (only strings and comments may be translated)"
    ]
    assert code_shape('x = f"a {y:>3} b"') == code_shape('x = f"甲 {y:>3} 乙"') != code_shape('x = f"a {z} b"')


def test_a_cell_whose_id_changed_is_named(tmp_path: Path) -> None:
    english, chinese = json.loads(json.dumps(ENGLISH)), json.loads(json.dumps(CHINESE))
    for index, cell in enumerate(english["cells"]):
        cell["id"] = chinese["cells"][index]["id"] = f"c{index}"
    chinese["cells"][1]["id"] = "new"
    pair = _pair(tmp_path, english, chinese)
    stamp(pair)
    assert problems(pair) == [
        "cell 2 (code: 'MODEL = \"MiniMax-M2.1\"') has the id 'new' in the translation, 'c1' here"
    ]


def test_names_select_a_translation_only_when_they_say_its_folder() -> None:
    """`regenerate 01_quick_start` keeps meaning the English notebook and its solutions; `regenerate zh-CN` the
    translations."""
    from devtools.notebooks import NOTEBOOKS, notebook_paths

    def shown(names: list[str]) -> list[str]:
        return [p.relative_to(NOTEBOOKS).as_posix() for p in notebook_paths(names)]

    assert shown(["01_quick_start"]) == ["01_quick_start.ipynb", "solutions/01_quick_start_solutions.ipynb"]
    chinese = shown(["zh-CN"])
    assert all(p.startswith("zh-CN/") for p in chinese)
    assert {"zh-CN/01_quick_start.ipynb", "zh-CN/solutions/01_quick_start_solutions.ipynb"} <= set(chinese)
    assert shown(["zh-CN/01"]) == ["zh-CN/01_quick_start.ipynb"]
    assert set(chinese) < set(shown([])), "no names: every notebook, translations included"


def test_cells_added_or_retyped_are_named(tmp_path: Path) -> None:
    extra = json.loads(json.dumps(CHINESE))
    extra["cells"].append({"cell_type": "markdown", "metadata": {}, "source": "多出来的"})
    assert any("5 cells where the English notebook has 4" in p for p in problems(_pair(tmp_path, ENGLISH, extra)))
    retyped = json.loads(json.dumps(CHINESE))
    retyped["cells"][0]["cell_type"] = "raw"
    assert any(
        "cell 1 (markdown: '# Streaming') is a raw cell" in p for p in problems(_pair(tmp_path, ENGLISH, retyped))
    )


def test_a_key_term_translated_off_the_glossary_is_named(tmp_path: Path) -> None:
    off = json.loads(json.dumps(CHINESE))
    off["cells"][0]["source"] = "# 流式传输\n模型的推理最先到达。"  # neither 流式输出 nor 思考
    found = problems(_pair(tmp_path, ENGLISH, off))
    assert any("says 'thinking': the translation should say '思考'" in p for p in found), found
    assert any("says 'streaming'" in p for p in found), found
    assert not any("tool_use" in p or "03_tool_use" in p for p in found), "code spans and links are not prose"


def test_the_glossary_holds_the_issue_s_key_terms() -> None:
    glossary = load_glossary()
    assert {
        "thinking": "思考",
        "interleaved thinking": "交错思考",
        "tool use": "工具调用",
        "signature": "签名",
        "streaming": "流式输出",
    }.items() <= glossary.items()


def test_every_english_notebook_is_paired_with_a_path_under_zh_cn() -> None:
    found = pairs()
    assert len(found) >= 11 and all("zh-CN" in p.translation.parts for p in found)
    assert not any("zh-CN" in p.english.parts for p in found)


@pytest.mark.parametrize("pair", pairs(), ids=lambda pair: pair.translation.relative_to(ROOT).as_posix())
def test_every_chinese_twin_is_in_step_with_its_english_notebook(pair: Pair) -> None:
    """Every notebook and solution notebook has its Simplified Chinese twin (issue 21), in step with it."""
    assert pair.translation.exists(), f"{pair.english.name} has no Simplified Chinese twin: see docs/translating.md"
    assert problems(pair) == []


def test_notebook_01_and_its_solutions_have_their_twins() -> None:
    """The pilot of issue 21: these two exist, so the check above runs on them rather than marking them missing."""
    done = {p.translation.relative_to(ROOT).as_posix() for p in pairs() if p.translation.exists()}
    assert {"notebooks/zh-CN/01_quick_start.ipynb", "notebooks/zh-CN/solutions/01_quick_start_solutions.ipynb"} <= done


def test_a_twin_stores_the_hash_of_each_english_cell_it_was_translated_from() -> None:
    (pair,) = [p for p in pairs() if p.english.name == "01_quick_start.ipynb"]
    stored = json.loads(pair.translation.read_text(encoding="utf-8"))["metadata"]["translation"]
    english = json.loads(pair.english.read_text(encoding="utf-8"))["cells"]
    assert stored["source"] == "notebooks/01_quick_start.ipynb" and stored["language"] == "zh-CN"
    assert stored["cells"] == [translations.cell_hash(cell) for cell in english]


def test_the_command_lists_what_is_missing_and_what_is_in_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert translations.main([]) == 0, "every twin is written and in step"
    out = capsys.readouterr().out
    for pair in pairs():
        assert f"ok   {pair.translation.relative_to(ROOT).as_posix()}" in out
    assert "TODO" not in out
