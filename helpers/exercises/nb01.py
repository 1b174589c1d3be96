"""Checks for the exercises at the end of notebook 01 (quick start).

01.1 pull the answer text out of a message; 01.2 build the next turn without losing the thinking;
01.3 give a reasoning model enough budget to answer (a model call: its reference request is recorded); 01.4 the
environment a coding tool such as Claude Code needs for MiniMax (no model call).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .._html import as_plain
from .._i18n import N_
from .._i18n import gettext as _
from .feedback import Feedback, call_answer

_SIGNATURE = "5f3c9a0b" * 8
_THINKING = {"type": "thinking", "thinking": "Let me think.", "signature": _SIGNATURE}
_SAMPLES: list[tuple[str, dict[str, Any], str]] = [
    (
        N_("thinking then text"),
        {"role": "assistant", "content": [_THINKING, {"type": "text", "text": "\n\nHello!"}]},
        "Hello!",
    ),
    (N_("thinking only (stopped at max_tokens)"), {"role": "assistant", "content": [_THINKING]}, ""),
    (
        N_("two text blocks"),
        {
            "role": "assistant",
            "content": [_THINKING, {"type": "text", "text": "One."}, {"type": "text", "text": " Two."}],
        },
        "One. Two.",
    ),
]


def _message(data: dict[str, Any]) -> Any:
    """A real SDK `Message` built from a sample, so the learner's code sees exactly what a call returns."""
    from anthropic.types import Message

    return Message.model_validate(
        {
            "id": "0" * 32,
            "type": "message",
            "model": "MiniMax-M2.1",
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 10, "output_tokens": 10},
            **data,
        }
    )


def answer_text(function: Callable[[Any], str]) -> Feedback:
    """Exercise 01.1: `function(message)` returns only the answer: the text blocks joined, without thinking."""
    feedback = Feedback("01.1", _("the answer text of a message"))
    if not feedback.ok(
        callable(function), _("you passed a function"), _("pass your function itself: check('01.1', f)")
    ):
        return feedback
    for english, sample, expected in _SAMPLES:
        label = _(english)
        result, error = call_answer(function, _message(sample))
        if error:
            feedback.ok(False, "", _("{label}: your function raised {error}").format(label=label, error=error))
            continue
        if not isinstance(result, str):
            feedback.ok(
                False, "", _("{label}: return a str, not {kind}").format(label=label, kind=type(result).__name__)
            )
            continue
        feedback.ok(
            result.strip() == expected,
            _("{label}: {expected!r}").format(label=label, expected=expected),
            _("{label}: expected {expected!r}, got {result!r}").format(label=label, expected=expected, result=result)
            + (_(" (the thinking is not part of the answer)") if "think" in result.lower() else ""),
        )
    return feedback


def next_turn(function: Callable[[list[Any], Any, str], list[Any]]) -> Feedback:
    """Exercise 01.2: `function(history, response, question)` returns the next request's messages."""
    feedback = Feedback("01.2", _("the next turn, thinking included"))
    if not feedback.ok(
        callable(function), _("you passed a function"), _("pass your function itself: check('01.2', f)")
    ):
        return feedback
    history = [{"role": "user", "content": "Hi!"}]
    original = copy.deepcopy(history)
    response = _message(_SAMPLES[0][1])
    result, error = call_answer(function, history, response, "And now?")
    if not feedback.ok(error is None, _("your function ran"), _("your function raised {error}").format(error=error)):
        return feedback
    if not feedback.ok(isinstance(result, list), _("it returns a list"), _("return a list of messages")):
        return feedback
    feedback.ok(
        history == original, _("the history you were given is unchanged"), _("copy the history; do not change it")
    )
    roles = [m.get("role") if isinstance(m, dict) else None for m in result]
    feedback.ok(
        roles == ["user", "assistant", "user"],
        _("roles alternate: user, assistant, user"),
        _("expected roles ['user', 'assistant', 'user'], got {roles}").format(roles=roles),
    )
    if len(result) != 3 or not all(isinstance(m, dict) for m in result):
        return feedback
    content = as_plain(result[1].get("content"))
    sent = [b for b in content if isinstance(b, dict)] if isinstance(content, list) else []
    kinds = [b.get("type") for b in sent]
    feedback.ok(
        "thinking" in kinds,
        _("the thinking block goes back"),
        _("send the whole response.content back: the thinking block is missing"),
    )
    thinking = next((b for b in sent if b.get("type") == "thinking"), {})
    feedback.ok(
        thinking.get("signature") == _SIGNATURE,
        _("with its signature, unchanged"),
        _("keep each block exactly as received (the signature was lost or changed)"),
    )
    feedback.ok(
        "text" in kinds, _("the text block goes back"), _("the text block of the response is missing from the history")
    )
    feedback.ok(
        _user_text(result[2]) == "And now?",
        _("the new question comes last"),
        _("the last message should be the user's new question"),
    )
    return feedback


def _user_text(message: dict[str, Any]) -> str:
    """The text of a user message, whether its content is a string or a list of text blocks."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b["text"] for b in content if isinstance(b, dict) and isinstance(b.get("text"), str))
    return ""


def enough_budget(response: Any) -> Feedback:
    """Exercise 01.3: a response to "Explain why the sky is blue." that finished, with thinking and an answer."""
    feedback = Feedback("01.3", _("enough max_tokens for thinking and an answer"))
    message = as_plain(response)
    if not feedback.ok(
        isinstance(message, dict) and message.get("type") == "message",
        _("you passed a response from client.messages.create"),
        _("pass the Message that client.messages.create returned"),
    ):
        return feedback
    kinds = [b.get("type") for b in message.get("content") or []]
    stop = message.get("stop_reason")
    feedback.ok(
        stop == "end_turn",
        _("the model finished on its own (stop_reason 'end_turn')"),
        _("stop_reason is {stop!r}: the budget ran out; raise max_tokens").format(stop=stop),
    )
    feedback.ok("thinking" in kinds, _("it thought first"), _("no thinking block: is this a MiniMax M2.x response?"))
    feedback.ok(
        "text" in kinds, _("it wrote an answer (a text block)"), _("no text block yet: the thinking used it all")
    )
    return feedback


_CODING_CASES = (("sk-test-global-key", "global"), ("sk-test-cn-key", "cn"))


def coding_tool_env(function: Callable[[str, str], Any]) -> Feedback:
    """Exercise 01.4: `function(key, region)` returns the variables a coding tool reads: the region's base URL in
    ANTHROPIC_BASE_URL and the key in ANTHROPIC_AUTH_TOKEN (MiniMax's AI coding tools guide, docs/sources.md)."""
    from ..client import REGIONS

    feedback = Feedback("01.4", _("the settings for a coding tool"))
    if not feedback.needs_function(function):
        return feedback
    for key, region in _CODING_CASES:
        env, error = call_answer(function, key, region)
        if error or not isinstance(env, dict):
            feedback.ok(
                False,
                "",
                _("For region {region!r} return a dict of variables; yours gave {value!r}.").format(
                    region=region, value=error or env
                ),
            )
            continue
        feedback.ok(
            env.get("ANTHROPIC_BASE_URL") == REGIONS[region],
            _("{region}: ANTHROPIC_BASE_URL is {url}").format(region=region, url=REGIONS[region]),
            _("{region}: set ANTHROPIC_BASE_URL to helpers.REGIONS[{region!r}] ({url}).").format(
                region=region, url=REGIONS[region]
            ),
        )
        feedback.ok(
            env.get("ANTHROPIC_AUTH_TOKEN") == key
            and [k for k, v in env.items() if v == key] == ["ANTHROPIC_AUTH_TOKEN"],
            _("{region}: the key goes in ANTHROPIC_AUTH_TOKEN, and only there").format(region=region),
            _("{region}: put the key in ANTHROPIC_AUTH_TOKEN (what Claude Code reads), under no other name.").format(
                region=region
            ),
        )
    _unused, error = call_answer(function, "sk-test-key", "eu")
    feedback.ok(
        error is not None and error.split(":")[0] in ("ValueError", "KeyError"),
        _("an unknown region raises an error"),
        _("For a region that is not in helpers.REGIONS (say 'eu'), raise ValueError naming the known regions."),
    )
    return feedback
