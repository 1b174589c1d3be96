"""Builders for tests on the shapes MiniMax really sends (docs/sources.md, "A stream" and "Errors"): an event
list in the wire's order, and a replay client that serves one cassette through the SDK's own HTTP stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anthropic

from helpers._replay.cassettes import Cassette, CassetteLibrary
from helpers._replay.transport import make_http_client, make_transport

REQUEST = {"model": "MiniMax-M2.1", "max_tokens": 500, "messages": [{"role": "user", "content": "Hi"}]}
MSG_ID = "061b09e000a972a9716f209001a3a452"
SIGNATURE = "44adca74917efbeb5fa2f28646e270693c1bebe4867747843b0a1330c3527642"


def event(name: str, data: dict[str, Any], at: float = 0.0) -> dict[str, Any]:
    return {"at": at, "event": name, "data": data}


def start(usage: Any = "default", model: str = "MiniMax-M2.1") -> dict[str, Any]:
    """message_start as the M2.5 capture has it (usage on the message, service_tier beside it)."""
    if usage == "default":
        usage = {
            "input_tokens": 2707,
            "output_tokens": 0,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
        }
    message = {
        "id": MSG_ID,
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": model,
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
        "service_tier": "standard",
    }
    return event("message_start", {"type": "message_start", "message": message})


def block_start(index: int, block: dict[str, Any]) -> dict[str, Any]:
    return event("content_block_start", {"type": "content_block_start", "index": index, "content_block": block})


def delta(index: int, payload: dict[str, Any]) -> dict[str, Any]:
    return event("content_block_delta", {"type": "content_block_delta", "index": index, "delta": payload})


def stop(index: int) -> dict[str, Any]:
    return event("content_block_stop", {"type": "content_block_stop", "index": index})


def thinking(index: int, text: str, signature: str | None = SIGNATURE) -> list[dict[str, Any]]:
    events = [
        block_start(index, {"type": "thinking", "thinking": ""}),
        delta(index, {"type": "thinking_delta", "thinking": text}),
    ]
    if signature:
        events.append(delta(index, {"type": "signature_delta", "signature": signature}))
    return [*events, stop(index)]


def text(index: int, *pieces: str) -> list[dict[str, Any]]:
    events = [block_start(index, {"type": "text", "text": ""})]
    events += [delta(index, {"type": "text_delta", "text": p}) for p in pieces]
    return [*events, stop(index)]


def tool(index: int, name: str, *partials: str, ident: str = "call_function_sy2faeqracl4_1") -> list[dict[str, Any]]:
    events = [block_start(index, {"type": "tool_use", "id": ident, "name": name, "input": {}})]
    events += [delta(index, {"type": "input_json_delta", "partial_json": p}) for p in partials]
    return [*events, stop(index)]


def end(stop_reason: str = "end_turn", usage: Any = "default") -> list[dict[str, Any]]:
    if usage == "default":
        usage = {
            "input_tokens": 9195,
            "output_tokens": 64,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 1792,
        }
    data: dict[str, Any] = {"type": "message_delta", "delta": {"stop_reason": stop_reason}}
    if usage is not None:
        data["usage"] = usage
    return [event("message_delta", data), event("message_stop", {"type": "message_stop"})]


def raw_error(error_type: str = "overloaded_error", message: str = "High traffic detected (2064)") -> dict[str, Any]:
    """An error envelope as a `data:` line with no `event:` line (captured once: the SDK drops it silently)."""
    return {"at": 0.0, "raw": f'data: {{"type":"error","error":{{"type":"{error_type}","message":"{message}"}}}}\n\n'}


def error_event(
    error_type: str = "overloaded_error", message: str = "High traffic detected (2064)", **extra: str
) -> dict[str, Any]:
    return event("error", {"type": "error", "error": {"type": error_type, "message": message, **extra}})


def cassette(
    events: list[dict[str, Any]] | None = None,
    *,
    body: Any = None,
    status: int = 200,
    request: dict[str, Any] | None = None,
) -> Cassette:
    request = dict(request or REQUEST)
    if events is not None:
        request["stream"] = True
        response = {"status": status, "headers": {"content-type": "text/event-stream"}, "events": events}
    else:
        response = {"status": status, "headers": {"content-type": "application/json"}, "body": body}
    return Cassette(
        request={"method": "POST", "path": "/v1/messages", "body": request},
        response=response,
        source={"kind": "recorded"},
    )


def client_for(*cassettes: Cassette, observer: Any = None) -> anthropic.Anthropic:
    library = CassetteLibrary(Path("/nonexistent"))
    library.add(cassettes)
    transport = make_transport(mode="replay", library=library, speed=0, observer=observer)
    return anthropic.Anthropic(
        api_key="x", base_url="https://api.minimax.io/anthropic", http_client=make_http_client(transport), max_retries=0
    )
