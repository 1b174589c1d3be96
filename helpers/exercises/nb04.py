"""Checks for notebook 04's exercises: 04.1 what is wrong in a tool conversation's history (made-up data); 04.2 a
run_tools conversation continued with its thinking intact (its reference request is recorded); 04.3 the cache marks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .._html import as_plain
from .._i18n import gettext as _
from .feedback import Feedback, call_answer, text_of

_SIG = "c0ffee12" * 8
_CALL = {"type": "tool_use", "id": "call_function_1234567890_1", "name": "get_weather", "input": {"city": "Oslo"}}
_ANSWER = [{"type": "thinking", "thinking": "Answer.", "signature": _SIG}, {"type": "text", "text": "\n\nIt is 3 °C."}]
_GOOD: list[dict[str, Any]] = [
    {"role": "user", "content": "Weather in Oslo?"},
    {"role": "assistant", "content": [{"type": "thinking", "thinking": "Call the tool.", "signature": _SIG}, _CALL]},
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": _CALL["id"], "content": "3 °C"}]},
    {"role": "assistant", "content": _ANSWER},
]


def _good() -> list[tuple[str, list[dict[str, Any]]]]:
    """Histories with nothing wrong: the model's own, and one whose thinking came without a signature (MiniMax sends
    such blocks and accepts them back; docs/sources.md, "Thinking in the history")."""
    no_signature = copy.deepcopy(_GOOD)
    del no_signature[3]["content"][0]["signature"]
    return [(_("a good history"), copy.deepcopy(_GOOD)), (_("a thinking block without a signature"), no_signature)]


def _broken() -> list[tuple[str, list[dict[str, Any]]]]:
    no_thinking = copy.deepcopy(_GOOD)
    no_thinking[1]["content"] = no_thinking[1]["content"][1:]
    empty_turn = copy.deepcopy(_GOOD)
    empty_turn[3]["content"] = []  # an answer cut at max_tokens with content null, put back as a turn
    orphan = copy.deepcopy(_GOOD)
    orphan[2]["content"][0]["tool_use_id"] = "call_function_1234567890_9"
    return [
        (_("an assistant message without its thinking block"), no_thinking),
        (_("an assistant message with no content at all"), empty_turn),
        (_("a tool_use with no matching tool_result"), orphan),
    ]


def check_history_problems(function: Callable[..., Any]) -> Feedback:
    """Empty list for a good history; at least one problem for each broken one."""
    feedback = Feedback("04.1", _("find what is wrong in a history"))
    if not feedback.needs_function(function):
        return feedback
    for label, history, good in [(*case, True) for case in _good()] + [(*case, False) for case in _broken()]:
        found, error = call_answer(function, history)
        if error:
            kind, _colon, message = error.partition(": ")
            feedback.miss(_("On {label} your function raised {kind}: {error}."), label=label, kind=kind, error=message)
            if good:
                return feedback
        elif good:
            wrong = _("{label} is correct and should give an empty list; yours gave {good!r}.")
            wrong = wrong.format(label=label[0].upper() + label[1:], good=found)
            feedback.ok(isinstance(found, list) and not found, _("{label} has no problems").format(label=label), wrong)
        else:
            wrong = _("It should report {label}; it returned {found!r}.")
            feedback.ok(isinstance(found, list) and bool(found), _("it finds {label}"), wrong, label=label, found=found)
    return feedback


FOLLOW_UP = "Sum the plan up in three short bullet points."
FOLLOW_UPS = (FOLLOW_UP, "用三个简短的要点总结这个计划。")
"""The follow-up as notebook 04 and its Simplified Chinese twin ask it."""


def check_follow_up(followup: Any, run: Any) -> Feedback:
    """The new run starts with the whole earlier history, unchanged, plus the follow-up, and ends in an answer."""
    feedback = Feedback("04.2", _("continue the conversation with its thinking intact"))
    history: Any = getattr(followup, "history", None)
    if not feedback.ok(
        isinstance(history, list),
        _("you passed what run_tools returned"),
        _("Set followup = helpers.run_tools(client, ..., messages=run.history + [follow-up message])."),
    ):
        return feedback
    if not isinstance(getattr(run, "history", None), list):
        feedback.miss(_("Pass the earlier run second: helpers.check('04.2', followup, run)."))
        return feedback
    earlier = as_plain(run.history)
    n = len(earlier)
    feedback.ok(
        as_plain(history[:n]) == earlier,
        _("the earlier history went back unchanged (every thinking block and signature)"),
        _("Start messages with run.history exactly as it is: do not rebuild or filter its blocks."),
    )
    asked = as_plain(history[n]) if len(history) > n else {}
    asked = asked if isinstance(asked, dict) else {}
    feedback.ok(
        asked.get("role") == "user" and text_of(asked.get("content"), " ").strip() in FOLLOW_UPS,
        _("the follow-up question comes right after it"),
        _("Append {{'role': 'user', 'content': {question!r}}} after run.history."),
        question=FOLLOW_UP,
    )
    final = getattr(followup, "final", None)
    feedback.ok(
        getattr(final, "stop_reason", None) == "end_turn" and bool(getattr(followup, "text", "")),
        _("the model answered"),
        _("The run should end with an answer (stop_reason 'end_turn')."),
    )
    return feedback


_MARK = {"type": "ephemeral"}
_TOOLS: list[dict[str, Any]] = [
    {"name": name, "description": f"{name} (a test tool)", "input_schema": {"type": "object", "properties": {}}}
    for name in ("search_trains", "get_forecast", "find_hotels")
]
_RULES = "You plan weekend trips for a small travel agency. Follow the house rules."


def _marked(block: Any) -> bool:
    return isinstance(block, dict) and block.get("cache_control") == _MARK


def _unmarked(items: Any) -> list[dict[str, Any]]:
    """Tools or system blocks with their cache_control taken out: what marking must leave unchanged."""
    return [{k: v for k, v in item.items() if k != "cache_control"} for item in items]


def _check_marks(feedback: Feedback, label: str, system: Any, result: Any) -> None:
    """One case of 04.3: the last tool and the last system block marked, nothing else changed."""
    tools, given = copy.deepcopy(_TOOLS), copy.deepcopy(system)
    if not isinstance(result, tuple) or len(result) != 2:
        feedback.miss(
            _("With {label}, return a pair (tools, system); yours gave {result!r:.80}."), label=label, result=result
        )
        return
    marked_tools, blocks = result
    expected_system = [{"type": "text", "text": given}] if isinstance(given, str) else given
    right = _("with {label}: the last tool is marked, the others unchanged")
    wrong = _(
        "With {label}: put cache_control={mark} on the last tool only (one marker caches every tool before it) "
        "and change nothing else in the definitions."
    )
    last = isinstance(marked_tools, list) and [_marked(t) for t in marked_tools] == [False, False, True]
    feedback.ok(last and _unmarked(marked_tools) == tools, right, wrong, label=label, mark=_MARK)
    feedback.ok(
        isinstance(blocks, list)
        and _unmarked(b for b in blocks if isinstance(b, dict)) == expected_system
        and [_marked(b) for b in blocks] == [False] * (len(expected_system) - 1) + [True],
        _("with {label}: the system prompt's last block is marked"),
        _(
            "With {label}: return the system prompt as a list of text blocks (a string becomes "
            "[{{'type': 'text', 'text': ...}}]) with cache_control on the last block."
        ),
        label=label,
    )


def check_cache_marks(function: Callable[..., Any]) -> Feedback:
    """Exercise 04.3: `function(tools, system)` returns new (tools, system) with the cache markers in place."""
    feedback = Feedback("04.3", _("mark the prefix for caching"))
    if not feedback.needs_function(function):
        return feedback
    cases = [
        (_("a string system prompt"), _RULES),
        (_("a system prompt of two blocks"), [{"type": "text", "text": _RULES}, {"type": "text", "text": "Be brief."}]),
    ]
    unchanged = True
    for label, system in cases:
        tools, given = copy.deepcopy(_TOOLS), copy.deepcopy(system)
        result, error = call_answer(function, tools, given)
        if error:
            feedback.miss(_("With {label} your function raised {error}."), label=label, error=error)
            continue
        unchanged = unchanged and tools == _TOOLS and given == system
        _check_marks(feedback, label, system, result)
    feedback.ok(
        unchanged,
        _("the tools and system you were given are unchanged"),
        _("Work on copies (copy.deepcopy): the unmarked definitions you were given are still used elsewhere."),
    )
    return feedback
