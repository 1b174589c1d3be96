"""Server-sent events as MiniMax sends them (`event: <name>` and `data: <compact JSON>`, a blank line after
each), and the replay pace's limits (the core's `Answer.chunks` keeps the pace)."""

from __future__ import annotations

import json
from typing import Any


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
        name, data_lines, other = None, [], False
        for line in text.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data_lines.append(line[5:].removeprefix(" "))
            elif line.strip():
                other = True
        record: dict[str, Any] = {"at": round(at, 4)}
        data_text = "\n".join(data_lines)
        try:
            data = json.loads(data_text) if data_text else None
        except ValueError:
            data = None
        if name is None or data is None or other or not complete:
            record["raw"] = text + ("\n\n" if complete else "")
        else:
            record["event"] = name
            record["data"] = data
        self.events.append(record)
        delta = isinstance(record.get("data"), dict) and record["data"].get("type") == "content_block_delta"
        self._seen_delta, self._skipped = self.usage_only and (self._seen_delta or delta), None


class UsageEventParser(EventParser):
    """An EventParser for live mode that keeps what the usage log reads (`helpers.billing`): every event but the
    content deltas after the first (the time to first token) and before the last, so the text of a long stream,
    which the SDK parses anyway, is not parsed a second time."""

    usage_only = True


LONGEST_PAUSE = 20.0
"""Seconds: the longest a replayed stream waits for one event (a recording that says `"at": 1e9` or Infinity
must not hang a notebook); the events after a shortened wait keep their recorded spacing."""
SLOWEST_SPEED = 0.01
"""The slowest replay pace accepted (besides 0, instant): slower is a typo that would stretch a stream for hours."""


def check_speed(speed: Any) -> float:
    """`speed` as a replay pace: 0 (instant) or a finite number from SLOWEST_SPEED up; ValueError otherwise."""
    ok = isinstance(speed, (int, float)) and not isinstance(speed, bool)
    if not ok or not (speed == 0 or SLOWEST_SPEED <= speed < float("inf")):
        raise ValueError(
            f"A replay speed of {speed!r} cannot be used: give 0 (as fast as possible) or a pace from "
            f"{SLOWEST_SPEED} up (1 = the recorded pace, 2 = twice as fast, 0.5 = half as fast)."
        )
    return float(speed)
