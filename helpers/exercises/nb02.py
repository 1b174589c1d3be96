"""Checks for the exercises of notebook 02 (streaming). They check properties any correct answer has, so they
pass on recordings and live alike."""

from __future__ import annotations

import json
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from .._i18n import gettext as _
from .feedback import Feedback, call_answer

DELTA_TYPES = ("thinking_delta", "text_delta")


def count_the_stream(counts: Mapping[str, int], answer: str) -> Feedback:
    """02.1: count the events (and the delta types) of a raw `stream=True` response, and collect the answer."""
    fb = Feedback("02.1", _("count a raw stream"))
    if not isinstance(counts, Mapping):
        fb.miss(_("counts should be a dict of event type -> number, not {kind}"), kind=type(counts).__name__)
        return fb
    fb.ok(
        counts.get("message_start") == 1, _("one message_start"), _("count message_start events (there is exactly one)")
    )
    fb.ok(
        counts.get("message_stop") == 1, _("one message_stop"), _("count message_stop too: it ends every full stream")
    )
    starts, stops = counts.get("content_block_start", 0), counts.get("content_block_stop", 0)
    wrong = _("count content_block_start and content_block_stop: every block opens and closes (thinking, then text)")
    fb.ok(starts >= 2 and starts == stops, _("{starts} blocks opened and closed"), wrong, starts=starts)
    deltas = counts.get("content_block_delta", 0)
    kinds = {kind: counts.get(kind, 0) for kind in (*DELTA_TYPES, "signature_delta")}
    fb.ok(
        all(kinds[k] > 0 for k in DELTA_TYPES),
        _("thinking_delta and text_delta counted"),
        _("also count each content_block_delta by event.delta.type (thinking_delta, text_delta, signature_delta)"),
    )
    fb.ok(
        deltas > 0 and deltas == sum(kinds.values()),
        _("every content_block_delta has one delta type"),
        _("the delta types should add up to the number of content_block_delta events"),
    )
    text = answer if isinstance(answer, str) else ""
    fb.ok(
        any(all(w in text.lower() for w in words) for words in COLOURS),
        _("the answer text was collected from the text deltas"),
        _("join the text of every text_delta into `answer` (it should name red, green and blue)"),
    )
    fb.ok(
        bool(text) and not text.startswith("\n"),
        _("leading blank lines removed"),
        _("strip the blank lines the answer starts with: answer.lstrip()"),
    )
    return fb


COLOURS = (("red", "green", "blue"), ("红", "绿", "蓝"))
"""The three primary colours of light as the English and the Chinese notebook's answers name them."""


def _recorded_streams() -> list[list[tuple[float, Any]]]:
    """Every complete recorded stream of notebook 02, as (seconds after the request, event) pairs; each event has
    the SDK event's attributes (`event.type`, `event.delta.type`, ...), kept lenient: MiniMax's shapes vary."""
    from .._replay.cassettes import DEFAULT_ROOT, load

    def attributes(data: Any) -> Any:
        return json.loads(json.dumps(data), object_hook=lambda fields: SimpleNamespace(**fields))

    streams = []
    for path in sorted((DEFAULT_ROOT / "02_streaming").glob("*.json")):
        events = load(path).response.get("events") or []
        if not any((e.get("data") or {}).get("type") == "message_stop" for e in events):
            continue  # the dropped stream has no end
        pairs = [
            (float(e["at"]), attributes(e["data"]))
            for e in events
            if (e.get("data") or {}).get("type") != "ping"  # the SDK never shows ping events
        ]
        streams.append(pairs)
    return streams


def _expected_times(pairs: list[tuple[float, Any]]) -> dict[str, float | None]:
    first = next((at for at, e in pairs if e.type == "content_block_delta"), None)
    text = next((at for at, e in pairs if e.type == "content_block_delta" and e.delta.type == "text_delta"), None)
    return {"first_token": first, "first_answer_token": text}


def first_token_timer(function: Any) -> Feedback:
    """02.2: `function(pairs)` returns the time to the first token and to the first answer token of a stream,
    from (seconds, event) pairs. Checked on every complete recorded stream of notebook 02."""
    fb = Feedback("02.2", _("a first-token timer"))
    if not fb.needs_function(function):
        return fb
    streams = _recorded_streams()
    wrong: list[str] = []
    for number, pairs in enumerate(streams, start=1):
        expected = _expected_times(pairs)
        result, error = call_answer(function, list(pairs))
        if error:
            wrong.append(_("stream {number}: your function raised {error}").format(number=number, error=error))
            continue
        if not isinstance(result, Mapping) or set(result) != set(expected):
            keys = _("stream {number}: return a dict with the keys 'first_token' and 'first_answer_token'")
            wrong.append(keys.format(number=number))
            continue
        for key, value in expected.items():
            got = result[key]
            if not (got is None if value is None else isinstance(got, (int, float)) and abs(got - value) < 1e-6):
                hint = _("None: this stream has no such delta") if value is None else _("the time of that first delta")
                text = _("stream {number}: {key} is {got!r}; it should be {hint}")
                wrong.append(text.format(number=number, key=key, got=got, hint=hint))
    right = _("right on all {count} recorded streams (thinking first, a tool call with no answer text, ...)")
    fb.ok(not wrong, right.format(count=len(streams)), "; ".join(wrong[:3]))
    return fb
