"""A fake network for the safety tests: it answers from a script and keeps what each request carried."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import anthropic
import httpx2

from helpers._replay.transport import IteratorStream, RecordTransport, make_http_client

OK_BODY = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "MiniMax-M2.1",
    "content": [{"type": "text", "text": "Hello."}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 3, "output_tokens": 2},
}
HELLO = {"model": "MiniMax-M2.1", "max_tokens": 20, "messages": [{"role": "user", "content": "Hello"}]}
STREAM_EVENTS = [
    ("message_start", {"type": "message_start", "message": {**OK_BODY, "content": [], "stop_reason": None}}),
    ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi"}}),
    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 2}}),
    ("message_stop", {"type": "message_stop"}),
]


def sse(events: list[tuple[str, dict[str, Any]]]) -> list[bytes]:
    return [f"event: {name}\ndata: {json.dumps(data)}\n\n".encode() for name, data in events]


def ok(request: Any) -> Any:
    return httpx2.Response(200, json=OK_BODY)


def status(code: int) -> Callable[[Any], Any]:
    def answer(request: Any) -> Any:
        return httpx2.Response(
            code, json={"type": "error", "error": {"type": "api_error", "message": f"busy ({code})"}}
        )

    return answer


def stream(cut_after: int | None = None) -> Callable[[Any], Any]:
    """A streamed answer; with `cut_after`, the connection breaks after that many events."""

    def answer(request: Any) -> Any:
        def chunks() -> Iterator[bytes]:
            for n, chunk in enumerate(sse(STREAM_EVENTS)):
                if n == cut_after:
                    raise httpx2.ReadError("connection reset")
                yield chunk

        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=IteratorStream(chunks()))

    return answer


class Upstream:
    """Answers request n with script[n] (the last one repeats) and keeps each request's URL and headers."""

    def __init__(self, *script: Callable[[Any], Any]) -> None:
        self.script = list(script) or [ok]
        self.seen: list[tuple[str, dict[str, str]]] = []

    def handle_request(self, request: Any) -> Any:
        self.seen.append((str(request.url), dict(request.headers)))
        request.read()
        return self.script[min(len(self.seen) - 1, len(self.script) - 1)](request)


def recording_client(upstream: Upstream, record_dir: Any, **options: Any) -> anthropic.Anthropic:
    """An SDK client whose requests go to `upstream` through a RecordTransport writing to `record_dir`."""
    observer = options.pop("observer", None)
    transport = RecordTransport(record_dir=record_dir, upstream=upstream, observer=observer)
    return anthropic.Anthropic(
        api_key="sk-test-key-0000", base_url="http://127.0.0.1:9", http_client=make_http_client(transport), **options
    )
