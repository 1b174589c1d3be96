"""Checks for notebook 05's exercises (no model call): 05.1 a request written for Anthropic's API that MiniMax serves
as meant; 05.2 the errors worth retrying; 05.3 trim old tool results so a long history fits the context window."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from .._i18n import N_
from .._i18n import gettext as _
from .._replay.error_body import error_body
from ..compat import check_request
from .feedback import Feedback

_REQUEST: dict[str, Any] = {
    "model": "MiniMax-M2.1",
    "max_tokens": 500,
    "messages": [{"role": "user", "content": "Write a limerick about a cat."}],
    "temperature": 0.7,
    "top_p": 0.9,
    "top_k": 40,
    "stop_sequences": ["END"],
    "thinking": {"type": "enabled", "budget_tokens": 1024},
}

_OVERLOAD = "The server cluster is currently under high load. Please retry after a short wait. (2064) (529)"
_INVALID = "invalid params, tool result's tool id(x) not found (2013)"
_ERRORS: list[tuple[str, int, str, str, bool]] = [
    (N_("wrong key (401, no code)"), 401, "authentication_error", "invalid api key", False),
    (N_("quota wall (429, 2056)"), 429, "rate_limit_error", "Token Plan usage limit reached (2056)", False),
    (N_("rate limit (429, 1002)"), 429, "rate_limit_error", "rate limit, please retry later (1002)", True),
    (N_("overloaded (529, 2064)"), 529, "overloaded_error", _OVERLOAD, True),
    (N_("invalid params (400, 2013)"), 400, "bad_request_error", _INVALID, False),
    (N_("insufficient balance (500, 1008)"), 500, "api_error", "insufficient balance (1008)", False),
]


def minimax_params(function: Callable[[dict[str, Any]], dict[str, Any]]) -> Feedback:
    """Exercise 05.1: `function(params)` returns messages.create arguments MiniMax serves as meant, on any SDK."""
    feedback = Feedback("05.1", _("a request MiniMax serves as meant"))
    if not feedback.callable_given(function):
        return feedback
    given = copy.deepcopy(_REQUEST)
    result, ran = feedback.ran(function, given)
    if not ran:
        return feedback
    if not feedback.ok(
        isinstance(result, dict), _("it returns a dict"), _("return a dict of messages.create arguments")
    ):
        return feedback
    feedback.ok(
        given == _REQUEST, _("the request you were given is unchanged"), _("build a new dict; do not change params")
    )
    extra = result.get("extra_body")
    moved = isinstance(extra, dict) and extra.get("temperature") == 0.7 and extra.get("top_p") == 0.9
    feedback.ok(
        moved and "temperature" not in result and "top_p" not in result,
        _("temperature and top_p travel in extra_body (works on every SDK version)"),
        _("move temperature and top_p into extra_body={...}, keeping their values"),
    )
    left = sorted({f.where for f in check_request(**result)})
    wrong = _("still in the request, and ignored by MiniMax: {left}")
    feedback.ok(not left, _("nothing MiniMax ignores is left"), wrong, left=left)
    kept = all(result.get(k) == _REQUEST[k] for k in ("model", "max_tokens", "messages"))
    feedback.ok(
        kept, _("model, max_tokens and messages are kept"), _("keep model, max_tokens and messages as they were")
    )
    return feedback


def worth_retrying(function: Callable[[dict[str, Any]], bool]) -> Feedback:
    """Exercise 05.2: `function(error_body)` says whether sending the same request again can succeed."""
    feedback = Feedback("05.2", _("errors worth retrying"))
    if not feedback.callable_given(function):
        return feedback
    for english, status, kind, message, expected in _ERRORS:
        label = _(english)
        result, ran = feedback.ran(function, error_body(status, message, kind=kind), label=label)
        if not ran:
            continue
        right, wrong = _("{label}: {verdict}"), _("{label}: expected {expected}, got {result!r}")
        verdict = _("retry") if expected else _("do not retry")
        feedback.ok(result is expected, right, wrong, label=label, verdict=verdict, expected=expected, result=result)
    return feedback


WINDOW = 204_800
"""MiniMax-M2.1's context window in tokens (helpers.models): input plus max_tokens must fit in it."""
_BUDGET = 8_000
_LOG = "\n".join(f"2025-06-01 12:{m % 60:02}:{m % 57:02} GET /api/orders/{m} 200 {m * 7 % 900} ms" for m in range(1800))


def agent_history(rounds: int = 10) -> list[dict[str, Any]]:
    """A made-up agent history (nothing is sent): a question, then `rounds` tool calls whose results are long logs,
    each assistant turn with its thinking. About 20,000 tokens a result, so ten of them do not fit the window."""
    history: list[dict[str, Any]] = [{"role": "user", "content": "Which endpoint was slowest in June? Read the logs."}]
    for day in range(1, rounds + 1):
        call = f"call_function_{day:010d}_1"
        thinking = {"type": "thinking", "thinking": f"Read day {day}'s log next.", "signature": f"{day:064x}"}
        use = {"type": "tool_use", "id": call, "name": "read_log", "input": {"day": f"2025-06-{day:02}"}}
        history.append({"role": "assistant", "content": [thinking, use]})
        log = _LOG.replace("2025-06-01", f"2025-06-{day:02}")
        history.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": call, "content": log}]})
    return history


def rough_tokens(messages: Any) -> int:
    """About how many tokens `messages` holds: its JSON at 4 characters a token (as notebook 05 estimates)."""
    return len(json.dumps(messages, ensure_ascii=False, default=str)) // 4


def _results(messages: Any) -> list[dict[str, Any]]:
    """Every tool_result block of a history, in order."""
    return [
        b
        for m in messages
        if isinstance(m, dict) and isinstance(m.get("content"), list)
        for b in m["content"]
        if isinstance(b, dict) and b.get("type") == "tool_result"
    ]


def _without_results(messages: Any) -> list[Any]:
    """The history with each tool_result's content left out: what trimming must not change."""
    return [
        {**m, "content": [{k: v for k, v in b.items() if k != "content"} for b in m["content"]]}
        if isinstance(m, dict) and isinstance(m.get("content"), list) and _results([m])
        else m
        for m in messages
    ]


def trim_tool_results(function: Callable[..., Any]) -> Feedback:
    """Exercise 05.3: `function(messages, keep)` replaces the content of all but the last `keep` tool results."""
    feedback = Feedback("05.3", _("make a long history fit"))
    if not feedback.needs_function(function):
        return feedback
    history = agent_history()
    before = copy.deepcopy(history)
    result, ran = feedback.ran(function, history, 2)
    if not ran:
        return feedback
    wrong = _("return a list of messages, not {result!r:.60}")
    if not feedback.ok(isinstance(result, list), _("it returns a list"), wrong, result=result):
        return feedback
    feedback.ok(
        history == before, _("the history you were given is unchanged"), _("build a new list; leave messages as is")
    )
    feedback.ok(
        _without_results(result) == _without_results(before),
        _("every message, thinking block, tool call and tool_use_id is still there, in order"),
        _("change only the content of old tool_result blocks: keep every message, block and tool_use_id"),
    )
    old, new = _results(before), _results(result)
    if len(new) == len(old):
        feedback.ok(
            new[-2:] == old[-2:], _("the last 2 results are untouched"), _("keep the last `keep` results as is")
        )
        notes = [b.get("content") for b in new[:-2]]
        feedback.ok(
            all(isinstance(n, str) and 0 < len(n) <= 200 for n in notes),
            _("older results are replaced by a short note"),
            _(
                "replace each older result's content with a short note (a string of 1 to 200 characters) saying it "
                "was removed, so the model knows why"
            ),
        )
    fits = rough_tokens(result) + _BUDGET <= WINDOW
    feedback.ok(fits, _("the trimmed history plus max_tokens=8000 fits the window"), _("the result still does not fit"))
    return feedback
