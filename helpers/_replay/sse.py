"""Server-sent events as MiniMax sends them (`event: <name>` and `data: <compact JSON>`, a blank line after each),
the replay pace's limits (the core's `Answer.chunks` keeps the pace), and MiniMax's stream quirks, mended under every
call (`helpers.stream` and a learner's own `client.messages.stream(...)`): an error envelope on a bare `data:` line
(which the SDK drops) gains `event: error`; usage missing from `message_start` or `message_delta` (the SDK fails)
becomes unknown usage (docs/sources.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

LONGEST_PAUSE = 20.0
"""Seconds: the longest a replayed stream waits for one event (a recording that says `"at": 1e9` or Infinity
must not hang a notebook); the events after a shortened wait keep their recorded spacing."""
SLOWEST_SPEED = 0.01
"""The slowest replay pace accepted (besides 0, instant): slower is a typo that would stretch a stream for hours."""
PASS_THROUGH = (
    b"event: content_block_delta",
    b"event: content_block_start",
    b"event: content_block_stop",
    b"event: ping",
)
"""The events that are never mended: most of a stream, so they skip the parsing in `mend_event`."""
UNKNOWN_USAGE = {"input_tokens": None, "output_tokens": None}


def encode_event(event: dict[str, Any]) -> bytes:
    """One recorded event (`event` name plus `data` JSON, or `raw` text kept verbatim) as wire bytes."""
    if "raw" in event:
        return str(event["raw"]).encode("utf-8")
    data = event["data"]
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event['event']}\ndata: {payload}\n\n".encode()


class EventParser:
    """Split an incoming byte stream into events, remembering when each one was complete (a recording keeps them
    all; `UsageEventParser` keeps less)."""

    usage_only = False
    _skipped: tuple[bytes, float] | None

    def __init__(self) -> None:
        self._buffer = b""
        self.events: list[dict[str, Any]] = []
        self._seen_delta, self._skipped = False, None

    def feed(self, chunk: bytes, at: float) -> None:
        self._buffer += chunk.replace(b"\r\n", b"\n")
        if b"\n\n" not in self._buffer:
            return
        *blocks, self._buffer = self._buffer.split(b"\n\n")  # one split per chunk: no copying per event
        for block in blocks:
            if self._seen_delta and block.startswith(b"event: content_block_delta\n"):
                self._skipped = (block, at)
            else:
                self._add(block, at)

    def finish(self, at: float) -> list[dict[str, Any]]:
        if self._buffer.strip():
            self._add(self._buffer, at, complete=False)
        elif self._skipped is not None:  # a stream cut among the deltas ends on one: its time is the stream's end
            self._add(*self._skipped)
        self._buffer = b""
        return self.events

    def _add(self, block: bytes, at: float, complete: bool = True) -> None:
        text = block.decode("utf-8", errors="replace")
        lines = text.split("\n")
        names = [line[6:].strip() for line in lines if line.startswith("event:")]
        data_text = "\n".join(line[5:].removeprefix(" ") for line in lines if line.startswith("data:"))
        other = any(line.strip() and not line.startswith(("event:", "data:")) for line in lines)
        try:
            data = json.loads(data_text) if data_text else None
        except ValueError:
            data = None
        record: dict[str, Any] = {"at": round(at, 4)}
        if not names or data is None or other or not complete:
            record["raw"] = text + ("\n\n" if complete else "")
        else:
            record["event"], record["data"] = names[-1], data
        self.events.append(record)
        delta = isinstance(data, dict) and "event" in record and data.get("type") == "content_block_delta"
        self._seen_delta, self._skipped = self.usage_only and (self._seen_delta or delta), None


class UsageEventParser(EventParser):
    """An EventParser for live mode that keeps what the usage log reads (`helpers.billing`): every event but the
    content deltas after the first (the time to first token) and before the last, so the text of a long stream,
    which the SDK parses anyway, is not parsed a second time."""

    usage_only = True


def check_speed(speed: Any) -> float:
    """`speed` as a replay pace: 0 (instant) or a finite number from SLOWEST_SPEED up; ValueError otherwise."""
    ok = isinstance(speed, (int, float)) and not isinstance(speed, bool)
    if not ok or not (speed == 0 or SLOWEST_SPEED <= speed < float("inf")):
        raise ValueError(
            f"A replay speed of {speed!r} cannot be used: give 0 (as fast as possible) or a pace from "
            f"{SLOWEST_SPEED} up (1 = the recorded pace, 2 = twice as fast, 0.5 = half as fast)."
        )
    return float(speed)


def mend_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """`chunks` of a live SSE body (replay mends event by event), re-cut at event boundaries, each event mended
    where MiniMax's shape needs it. An unfinished event at the end (a cut stream) is passed on as it is."""
    buffer = b""
    try:
        for chunk in chunks:
            buffer += chunk.replace(b"\r\n", b"\n")
            if b"\n\n" not in buffer:
                continue
            *blocks, buffer = buffer.split(b"\n\n")
            yield b"".join(mend_event(block) + b"\n\n" for block in blocks)
        if buffer:
            yield buffer
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def mend_event(block: bytes) -> bytes:
    """One event (its lines, without the blank line after it), mended if it is one of the two quirks."""
    if block.startswith(PASS_THROUGH):
        return block
    lines = block.split(b"\n")
    names = [line[6:].strip().decode(errors="replace") for line in lines if line.startswith(b"event:")]
    try:
        data = json.loads(b"\n".join(line[5:].removeprefix(b" ") for line in lines if line.startswith(b"data:")))
    except ValueError:  # no data line, or data that is not JSON
        return block
    if not names:
        error = isinstance(data, dict) and data.get("type") == "error" and isinstance(data.get("error"), dict)
        return b"event: error\n" + block if error else block
    holder: Any = data.get("message") if names[0] == "message_start" and isinstance(data, dict) else data
    usage_missing = isinstance(holder, dict) and not isinstance(holder.get("usage"), dict)
    if names[0] in ("message_start", "message_delta") and usage_missing:
        holder["usage"] = dict(UNKNOWN_USAGE)
        return f"event: {names[0]}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'))}".encode()
    return block
