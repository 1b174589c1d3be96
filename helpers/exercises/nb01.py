"""Checks for notebook 01's exercises: 01.1 the answer text of a message; 01.2 the next turn, thinking kept; 01.3 enough
budget to answer (its reference request is recorded); 01.4 the environment a coding tool such as Claude Code needs."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from .._html import as_plain
from .._i18n import N_
from .._i18n import gettext as _
from .feedback import Feedback, call_answer, roles, sdk_message, text_of

_SIGNATURE = "5f3c9a0b" * 8
_THINKING = {"type": "thinking", "thinking": "Let me think.", "signature": _SIGNATURE}
_SAMPLES: list[tuple[str, list[dict[str, Any]], str]] = [
    (N_("thinking then text"), [_THINKING, {"type": "text", "text": "\n\nHello!"}], "Hello!"),
    (N_("thinking only (stopped at max_tokens)"), [_THINKING], ""),
    (
        N_("two text blocks"),
        [_THINKING, {"type": "text", "text": "One."}, {"type": "text", "text": " Two."}],
        "One. Two.",
    ),
]


def answer_text(function: Callable[[Any], str]) -> Feedback:
    """Exercise 01.1: `function(message)` returns only the answer: the text blocks joined, without thinking."""
    feedback = Feedback("01.1", _("the answer text of a message"))
    if not feedback.callable_given(function):
        return feedback
    for english, sample, expected in _SAMPLES:
        label = _(english)
        result, ran = feedback.ran(function, sdk_message(sample), label=label)
        if not ran:
            continue
        if not isinstance(result, str):
            feedback.miss(_("{label}: return a str, not {kind}"), label=label, kind=type(result).__name__)
            continue
        hint = _(" (the thinking is not part of the answer)") if "think" in result.lower() else ""
        wrong = _("{label}: expected {expected!r}, got {result!r}") + hint
        feedback.ok(
            result.strip() == expected, _("{label}: {expected!r}"), wrong, label=label, expected=expected, result=result
        )
    return feedback


def next_turn(function: Callable[[list[Any], Any, str], list[Any]]) -> Feedback:
    """Exercise 01.2: `function(history, response, question)` returns the next request's messages."""
    feedback = Feedback("01.2", _("the next turn, thinking included"))
    if not feedback.callable_given(function):
        return feedback
    history = [{"role": "user", "content": "Hi!"}]
    original = copy.deepcopy(history)
    result, ran = feedback.ran(function, history, sdk_message(_SAMPLES[0][1]), "And now?")
    if not ran:
        return feedback
    if not feedback.ok(isinstance(result, list), _("it returns a list"), _("return a list of messages")):
        return feedback
    feedback.ok(
        history == original, _("the history you were given is unchanged"), _("copy the history; do not change it")
    )
    got, wrong = roles(result), _("expected roles ['user', 'assistant', 'user'], got {roles}")
    feedback.ok(got == ["user", "assistant", "user"], _("roles alternate: user, assistant, user"), wrong, roles=got)
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
        text_of(result[2].get("content")) == "And now?",
        _("the new question comes last"),
        _("the last message should be the user's new question"),
    )
    return feedback


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
    wrong = _("stop_reason is {stop!r}: the budget ran out; raise max_tokens")
    feedback.ok(stop == "end_turn", _("the model finished on its own (stop_reason 'end_turn')"), wrong, stop=stop)
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
            wrong = _("For region {region!r} return a dict of variables; yours gave {value!r}.")
            feedback.miss(wrong, region=region, value=error or env)
            continue
        url = REGIONS[region]
        right = _("{region}: ANTHROPIC_BASE_URL is {url}")
        wrong = _("{region}: set ANTHROPIC_BASE_URL to helpers.REGIONS[{region!r}] ({url}).")
        feedback.ok(env.get("ANTHROPIC_BASE_URL") == url, right, wrong, region=region, url=url)
        right = _("{region}: the key goes in ANTHROPIC_AUTH_TOKEN, and only there")
        wrong = _("{region}: put the key in ANTHROPIC_AUTH_TOKEN (what Claude Code reads), under no other name.")
        only = [k for k, v in env.items() if v == key] == ["ANTHROPIC_AUTH_TOKEN"]
        feedback.ok(env.get("ANTHROPIC_AUTH_TOKEN") == key and only, right, wrong, region=region)
    _unused, error = call_answer(function, "sk-test-key", "eu")
    feedback.ok(
        error is not None and error.split(":")[0] in ("ValueError", "KeyError"),
        _("an unknown region raises an error"),
        _("For a region that is not in helpers.REGIONS (say 'eu'), raise ValueError naming the known regions."),
    )
    return feedback
