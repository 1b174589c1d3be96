"""The Simplified Chinese notebook 06 (notebooks/zh-CN/06_chat_playground.ipynb): the conversation it plays and the
turn it tells the learner to type are both recorded (data/exchanges/zh-CN_06_chat_playground.json), so a class with
no key can chat in Chinese exactly as the English notebook promises."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import helpers

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "zh-CN" / "06_chat_playground.ipynb"
EXCHANGES = ROOT / "data" / "exchanges" / "zh-CN_06_chat_playground.json"


def _cells() -> dict[str, str]:
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return {cell["id"]: "".join(cell["source"]) for cell in cells}


def _played_turns() -> list[dict[str, Any]]:
    """The RECORDED list the notebook passes to playground.play(), read from its code cell (not copied here)."""
    (code,) = [source for source in _cells().values() if source.startswith("RECORDED = [")]
    assignment = ast.parse(code).body[0]
    assert isinstance(assignment, ast.Assign)
    turns = ast.literal_eval(assignment.value)
    assert isinstance(turns, list)
    return turns


def _learners_turn() -> str:
    """The last user message of the recorded conversation: the turn the notebook tells the learner to type."""
    (last,) = [e for e in json.loads(EXCHANGES.read_text(encoding="utf-8"))["exchanges"] if e["id"] == "t4"]
    text = last["request"]["messages"][-1]["content"]
    assert isinstance(text, str)
    return text


def test_the_notebook_names_the_recorded_turn_the_learner_may_type() -> None:
    assert any(f"*{_learners_turn()}*" in source for source in _cells().values())


def test_the_chinese_conversation_and_the_learners_turn_replay(clean_env: Path) -> None:
    client = helpers.get_client(mode="replay", recordings="zh-CN_06_chat_playground", quiet=True)
    app = helpers.Playground(client)
    app.play(_played_turns())
    app.send(_learners_turn())
    assert app.totals()["calls"] == 6
    last_blocks = [m["content"][-1] for m in app.history if m["role"] == "assistant"]
    answers = [block["text"] for block in last_blocks if block["type"] == "text"]
    assert len(answers) == 4, "one answer a turn (the tool calls in between end in tool_use blocks)"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in answer) for answer in answers), "answered in Chinese"
    assert "api.minimaxi.com" in answers[-1]
