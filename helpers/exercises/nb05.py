"""Checks for the exercises at the end of notebook 05 (parameters and errors).

05.1 turn a request written for Anthropic's API into one MiniMax serves as meant; 05.2 tell the errors worth
retrying from those that are not. Both are pure functions: no model call, nothing recorded.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .._replay.error_body import error_body
from ..compat import check_request
from .feedback import Feedback, call_answer

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
_ERRORS: list[tuple[str, int, str, str, bool]] = [
    ("wrong key (401, no code)", 401, "authentication_error", "invalid api key", False),
    ("quota wall (429, 2056)", 429, "rate_limit_error", "Token Plan usage limit reached (2056)", False),
    ("rate limit (429, 1002)", 429, "rate_limit_error", "rate limit, please retry later (1002)", True),
    ("overloaded (529, 2064)", 529, "overloaded_error", _OVERLOAD, True),
    (
        "invalid params (400, 2013)",
        400,
        "bad_request_error",
        "invalid params, tool result's tool id(x) not found (2013)",
        False,
    ),
    ("insufficient balance (500, 1008)", 500, "api_error", "insufficient balance (1008)", False),
]


def minimax_params(function: Callable[[dict[str, Any]], dict[str, Any]]) -> Feedback:
    """Exercise 05.1: `function(params)` returns messages.create arguments MiniMax serves as meant, on any SDK."""
    feedback = Feedback("05.1", "a request MiniMax serves as meant")
    if not feedback.ok(callable(function), "you passed a function", "pass your function itself: check('05.1', f)"):
        return feedback
    given = copy.deepcopy(_REQUEST)
    result, error = call_answer(function, given)
    if not feedback.ok(error is None, "your function ran", f"your function raised {error}"):
        return feedback
    if not feedback.ok(isinstance(result, dict), "it returns a dict", "return a dict of messages.create arguments"):
        return feedback
    feedback.ok(given == _REQUEST, "the request you were given is unchanged", "build a new dict; do not change params")
    extra = result.get("extra_body")
    extra = extra if isinstance(extra, dict) else {}
    feedback.ok(
        "temperature" not in result
        and "top_p" not in result
        and extra.get("temperature") == 0.7
        and extra.get("top_p") == 0.9,
        "temperature and top_p travel in extra_body (works on every SDK version)",
        "move temperature and top_p into extra_body={...}, keeping their values",
    )
    findings = check_request(**result)
    left = sorted({f.where for f in findings})
    feedback.ok(
        not findings, "nothing MiniMax ignores is left", f"still in the request, and ignored by MiniMax: {left}"
    )
    kept = all(result.get(k) == _REQUEST[k] for k in ("model", "max_tokens", "messages"))
    feedback.ok(kept, "model, max_tokens and messages are kept", "keep model, max_tokens and messages as they were")
    return feedback


def worth_retrying(function: Callable[[dict[str, Any]], bool]) -> Feedback:
    """Exercise 05.2: `function(error_body)` says whether sending the same request again can succeed."""
    feedback = Feedback("05.2", "errors worth retrying")
    if not feedback.ok(callable(function), "you passed a function", "pass your function itself: check('05.2', f)"):
        return feedback
    for label, status, kind, message, expected in _ERRORS:
        result, error = call_answer(function, error_body(status, message, kind=kind))
        if error:
            feedback.ok(False, "", f"{label}: your function raised {error}")
            continue
        verdict = "retry" if expected else "do not retry"
        feedback.ok(result is expected, f"{label}: {verdict}", f"{label}: expected {expected}, got {result!r}")
    return feedback
