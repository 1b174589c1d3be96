"""MiniMax's stream quirks, mended once in the transport under every call (`helpers.stream` and a learner's own
`client.messages.stream(...)`): an error envelope on a bare `data:` line (which the SDK drops) gains `event: error`;
usage missing from `message_start` or `message_delta` (the SDK fails) becomes unknown usage (docs/sources.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

PASS_THROUGH = (
    b"event: content_block_delta",
    b"event: content_block_start",
    b"event: content_block_stop",
    b"event: ping",
)
"""The events that are never mended: most of a stream, so they skip the parsing below."""
UNKNOWN_USAGE = {"input_tokens": None, "output_tokens": None}


def mend_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """`chunks` of an SSE body (a live one: replay mends event by event), re-cut at event boundaries, each event
    mended where MiniMax's shape needs it. An unfinished event at the end (a cut stream) is passed on as it is."""
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
