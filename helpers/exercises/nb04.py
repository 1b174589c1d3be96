"""Checks for the exercises at the end of notebook 04 (interleaved thinking).

04.1 find what is wrong in a tool conversation's history (made-up data); 04.2 continue a run_tools conversation
with its thinking intact (a model call: its reference request is recorded).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .._html import as_plain
from .feedback import Feedback

_SIG = "c0ffee12" * 8
_GOOD: list[dict[str, Any]] = [
    {"role": "user", "content": "Weather in Oslo?"},
    {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "Call the tool.", "signature": _SIG},
            {"type": "tool_use", "id": "call_function_1234567890_1", "name": "get_weather", "input": {"city": "Oslo"}},
        ],
    },
    {
        "role": "user",
        "content": [{"type": "tool_result", "tool_use_id": "call_function_1234567890_1", "content": "3 °C"}],
    },
    {
        "role": "assistant",
        "content": [
            {"type": "thinking", "thinking": "Answer.", "signature": _SIG},
            {"type": "text", "text": "\n\nIt is 3 °C."},
        ],
    },
]


def _good() -> list[tuple[str, list[dict[str, Any]]]]:
    """Histories with nothing wrong: the model's own, and one whose thinking came without a signature (MiniMax sends
    such blocks and accepts them back; docs/sources.md, "Thinking in the history")."""
    no_signature = copy.deepcopy(_GOOD)
    del no_signature[3]["content"][0]["signature"]
    return [("a good history", copy.deepcopy(_GOOD)), ("a thinking block without a signature", no_signature)]


def _broken() -> list[tuple[str, list[dict[str, Any]]]]:
    no_thinking = copy.deepcopy(_GOOD)
    no_thinking[1]["content"] = no_thinking[1]["content"][1:]
    empty_turn = copy.deepcopy(_GOOD)
    empty_turn[3]["content"] = []  # an answer cut at max_tokens with content null, put back as a turn
    orphan = copy.deepcopy(_GOOD)
    orphan[2]["content"][0]["tool_use_id"] = "call_function_1234567890_9"
    return [
        ("an assistant message without its thinking block", no_thinking),
        ("an assistant message with no content at all", empty_turn),
        ("a tool_use with no matching tool_result", orphan),
    ]


def check_history_problems(function: Callable[..., Any]) -> Feedback:
    """Empty list for a good history; at least one problem for each broken one."""
    feedback = Feedback("04.1", "find what is wrong in a history")
    if not feedback.needs_function(function):
        return feedback
    for label, history in _good():
        try:
            good = function(history)
        except Exception as error:
            feedback.ok(False, "", f"On {label} your function raised {type(error).__name__}: {error}.")
            return feedback
        feedback.ok(
            isinstance(good, list) and not good,
            f"{label} has no problems",
            f"{label[0].upper()}{label[1:]} is correct and should give an empty list; yours gave {good!r}.",
        )
    for label, history in _broken():
        try:
            found = function(history)
        except Exception as error:
            feedback.ok(False, "", f"On {label} your function raised {type(error).__name__}: {error}.")
            continue
        feedback.ok(
            isinstance(found, list) and len(found) > 0,
            f"it finds {label}",
            f"It should report {label}; it returned {found!r}.",
        )
    return feedback


FOLLOW_UP = "Sum the plan up in three short bullet points."


def check_follow_up(followup: Any, run: Any) -> Feedback:
    """The new run starts with the whole earlier history, unchanged, plus the follow-up, and ends in an answer."""
    feedback = Feedback("04.2", "continue the conversation with its thinking intact")
    history = getattr(followup, "history", None)
    if (
        not feedback.ok(
            isinstance(history, list),
            "you passed what run_tools returned",
            "Set followup = helpers.run_tools(client, ..., messages=run.history + [follow-up message]).",
        )
        or not isinstance(history, list)  # (never true here: tells the type checker what ok() checked)
    ):
        return feedback
    if not isinstance(getattr(run, "history", None), list):
        feedback.ok(False, "", "Pass the earlier run second: helpers.check('04.2', followup, run).")
        return feedback
    earlier = as_plain(run.history)
    n = len(earlier)
    feedback.ok(
        as_plain(history[:n]) == earlier,
        "the earlier history went back unchanged (every thinking block and signature)",
        "Start messages with run.history exactly as it is: do not rebuild or filter its blocks.",
    )
    asked = as_plain(history[n]) if len(history) > n else {}
    asked = asked if isinstance(asked, dict) else {}
    content = asked.get("content")
    blocks = content if isinstance(content, list) else []
    text = content if isinstance(content, str) else " ".join(_text_of(b) for b in blocks)
    feedback.ok(
        asked.get("role") == "user" and text.strip() == FOLLOW_UP,
        "the follow-up question comes right after it",
        f"Append {{'role': 'user', 'content': {FOLLOW_UP!r}}} after run.history.",
    )
    final = getattr(followup, "final", None)
    feedback.ok(
        getattr(final, "stop_reason", None) == "end_turn" and bool(getattr(followup, "text", "")),
        "the model answered",
        "The run should end with an answer (stop_reason 'end_turn').",
    )
    return feedback


def _text_of(block: Any) -> str:
    """A text block's text; empty for anything else."""
    text = block.get("text") if isinstance(block, dict) else None
    return text if isinstance(text, str) else ""
