"""What is true of every real recording of MiniMax's Anthropic-compatible endpoint (docs/sources.md), as
checks any recording must pass: shipped, synthesized, hand-made fixtures shaped on captures, or newly recorded.

They check real traffic's facts (the SDK parses it in both forms, ids and key order, usage consistent, no
credential, a cut says why), never the synthesizer's habits (one ping, a code in every error, a `guess` note on
every cut, identical content in the stream and body forms: two live calls never agree)."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path
from typing import Any

import anthropic

import helpers
from helpers._replay.cassettes import Cassette, CassetteLibrary
from helpers._replay.transport import make_http_client, make_transport
from helpers.models import MODELS
from helpers.streaming import StreamInterrupted

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
TOOL_ID = re.compile(r"^call_function_([0-9]{10}|[a-z0-9]{12})_[0-9]+$")
SECRET = re.compile(r"(sk-[A-Za-z0-9_-]{8,}|Bearer\s+\S{8,}|\"x-api-key\"|\"authorization\")", re.IGNORECASE)


def client_for(cassette: Cassette) -> anthropic.Anthropic:
    """A client that answers only from `cassette`, through the SDK's own HTTP stack, at full speed."""
    library = CassetteLibrary(Path("/nonexistent"))
    library.add([cassette])
    transport = make_transport(mode="replay", library=library, speed=0)
    return anthropic.Anthropic(
        api_key="x", base_url="https://api.minimax.io/anthropic", http_client=make_http_client(transport), max_retries=0
    )


def sdk_arguments(client: anthropic.Anthropic, body: dict) -> dict:
    """The body as messages.stream() arguments: what is not a keyword on this SDK goes in extra_body."""
    accepted = set(inspect.signature(client.messages.stream).parameters)
    kwargs = {k: v for k, v in body.items() if k in accepted and k != "stream"}
    extra = {k: v for k, v in body.items() if k not in accepted and k != "stream"}
    return {**kwargs, "extra_body": extra} if extra else kwargs


def error_frame(event: dict[str, Any]) -> bool:
    """An error inside a 200 stream: an `event: error` frame, or an error envelope on a bare `data:` line."""
    if event.get("event") == "error":
        return True
    raw = event.get("raw", "")
    return raw.startswith("data:") and '"type":"error"' in raw.replace(" ", "")


def _malformed(event: dict[str, Any]) -> bool:
    return "raw" in event and not error_frame(event)


def check_parses(cassette: Cassette) -> None:
    """The SDK reads the recording in the form it was made: an error raises its status; a body is a Message;
    a stream's events all parse, and helpers.stream returns the message, or says why it could not."""
    body = cassette.request["body"]
    status = cassette.response["status"]
    if status >= 400:
        try:
            client_for(cassette).post("/v1/messages", body=body, cast_to=anthropic.types.Message)
        except anthropic.APIStatusError as error:
            assert error.status_code == status
            return
        raise AssertionError(f"an HTTP {status} recording did not raise")
    if not cassette.is_stream:
        message = client_for(cassette).post("/v1/messages", body=body, cast_to=anthropic.types.Message)
        assert message.content or message.stop_reason == "max_tokens"
        return
    events = cassette.response["events"]
    ended = any(e.get("event") == "message_stop" for e in events)
    broken = any(error_frame(e) or _malformed(e) for e in events)
    raw_body = {k: v for k, v in body.items() if k != "stream"}
    try:  # the raw SDK loop: every event it yields is a typed event
        for event in client_for(cassette).messages.create(**sdk_arguments(client_for(cassette), raw_body), stream=True):
            assert event.type
    except (anthropic.APIStatusError, json.JSONDecodeError, ValueError):
        assert broken, "the raw SDK loop failed on a stream with no error frame and no malformed event"
    try:
        message = helpers.stream(client_for(cassette), **sdk_arguments(client_for(cassette), raw_body))
    except StreamInterrupted as interrupted:
        assert not ended or broken, "a complete stream was reported as interrupted"
        if any(error_frame(e) for e in events):
            assert interrupted.kind == "server" and interrupted.message, "an error frame is MiniMax's error"
        else:
            source = cassette.source
            assert source.get("cut") or source.get("guess"), "a cut stream says why: recorded and cut, or a guess"
        return
    assert ended and not broken, "helpers.stream returned a message from a stream that did not end"
    final = next((e["data"] for e in reversed(events) if e.get("event") == "message_delta"), {})
    usage = final.get("usage") or {}
    if usage.get("output_tokens") is not None:
        assert message.usage.output_tokens == usage["output_tokens"], "the final message_delta usage counts"
    starts = [e["data"] for e in events if e.get("event") == "content_block_start"]
    assert len(message.content) == len(starts)


def check_shape(cassette: Cassette, text: str) -> None:
    """The facts real recordings share (docs/sources.md): ids, key order, event order, usage, no credential."""
    assert not SECRET.search(text), "a credential-like string is in the file"
    source = cassette.source
    assert source.get("kind") in {"recorded", "synthesized"}
    if source["kind"] == "recorded":
        assert re.match(r"^\d{4}-\d{2}-\d{2}$", source.get("date", "")), "a capture carries its date"
    body = cassette.request["body"]
    assert cassette.request["method"] == "POST" and cassette.request["path"] == "/v1/messages"
    assert body["model"] in MODELS, f"{body['model']!r} is not in the catalogue (helpers.models)"
    response = cassette.response
    if response["status"] >= 400:
        envelope = response["body"]
        if isinstance(envelope, str):  # a front end's page, not JSON (nginx 404, a load balancer's 502)
            assert response["status"] in (404, 502, 503, 504) and envelope.strip(), "a page names a front-end status"
            return
        if set(envelope) == {"error"}:  # a relay's bare {"error": "overload"}
            assert isinstance(envelope["error"], str) and response["status"] == 529
            return
        assert envelope["type"] == "error" and isinstance(envelope["error"]["message"], str)
        assert isinstance(envelope["error"]["type"], str) and envelope["error"]["type"]
        assert envelope.get("request_id", "") == "" or HEX32.match(envelope["request_id"])
        if "http_code" in envelope["error"]:
            assert envelope["error"]["http_code"] == str(response["status"])
        return
    if cassette.is_stream:
        _check_stream(response["events"])
    else:
        _check_body(response["body"])


def _check_stream(events: list[dict[str, Any]]) -> None:
    named = [e for e in events if "event" in e]
    assert [e["at"] for e in events] == sorted(e["at"] for e in events), "arrival times only grow"
    assert all(e["event"] == e["data"]["type"] for e in named)
    if not named or named[0]["event"] == "error":
        return  # the stream's first event was an error
    assert named[0]["event"] == "message_start"
    message = named[0]["data"]["message"]
    assert HEX32.match(message["id"]) and message["content"] == []
    usage = message.get("usage")
    assert usage is None or all(isinstance(v, int) for k, v in usage.items() if k.endswith("_tokens"))
    starts = [e["data"] for e in named if e["event"] == "content_block_start"]
    assert [s["index"] for s in starts] == list(range(len(starts))), "block indexes count up from 0 with no gap"
    for s in starts:
        block = s["content_block"]
        if block["type"] == "thinking":
            assert "signature" not in block, "a thinking block starts without a signature"
        if block["type"] == "tool_use":
            assert TOOL_ID.match(block["id"]) and block["input"] == {}
    for e in named:
        delta = e["data"].get("delta", {})
        if delta.get("type") == "signature_delta":
            assert HEX64.match(delta["signature"])
        if e["event"] == "message_delta":
            assert "stop_sequence" not in delta
            final = e["data"].get("usage")
            assert final is None or isinstance(final.get("output_tokens"), int)


def _check_body(message: dict[str, Any]) -> None:
    assert HEX32.match(message["id"]) and "stop_sequence" not in message
    if "base_resp" in message:
        assert list(message)[-1] == "base_resp"
    usage = message.get("usage") or {}
    assert isinstance(usage.get("output_tokens"), int) and isinstance(usage.get("input_tokens"), int)
    for block in message["content"] or []:  # null with stop_reason max_tokens (a real M2.5 body)
        if block["type"] == "tool_use":
            assert TOOL_ID.match(block["id"]), block["id"]
        if block["type"] == "thinking":
            assert next(iter(block)) == "thinking" and list(block)[-1] == "type"
            assert block.get("signature") is None or HEX64.match(block["signature"])
        if block["type"] == "text":
            assert list(block) == ["text", "type"]
