"""Notebook 01's word-for-word quick start sets ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY for its local stand-in, and
must leave a learner's own values of both as they were (issue 20: a learner who followed MiniMax's page was moved to
replay two cells after the key list teaches that variable). Its cells run here in-process, in order."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "01_quick_start.ipynb"


def _stand_in_cells() -> list[str]:
    """The code cells from the one that starts the stand-in to the one that stops it."""
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK.read_text())["cells"] if c["cell_type"] == "code"]
    first = next(i for i, code in enumerate(cells) if "ReplayServer().start()" in code)
    last = next(i for i, code in enumerate(cells) if "stand_in.stop()" in code)
    return cells[first : last + 1]


@pytest.mark.parametrize(
    "before",
    [
        {"ANTHROPIC_BASE_URL": "https://api.minimax.io/anthropic", "ANTHROPIC_API_KEY": "sk-learners-own-9f1c"},
        {"ANTHROPIC_BASE_URL": None, "ANTHROPIC_API_KEY": None},
    ],
    ids=["set by the learner", "not set"],
)
def test_the_quick_start_leaves_the_learners_anthropic_settings_as_they_were(clean_env, monkeypatch, before) -> None:
    for name, value in before.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    namespace: dict = {}
    try:
        for code in _stand_in_cells():
            exec(compile(code, str(NOTEBOOK), "exec"), namespace)
    finally:
        if "client" in namespace:
            namespace["client"].close()  # its pooled connection, not left for the garbage collector
    assert namespace["message"].content, "the word-for-word quick start got its answer from the stand-in"
    assert {name: os.environ.get(name) for name in before} == before
