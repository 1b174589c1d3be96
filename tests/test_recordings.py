"""Every shipped recording: parses through the SDK (body and stream), looks like MiniMax's wire format,
agrees between its streaming and non-streaming forms, carries no credential, and says where it came from."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import anthropic
import pytest
from support import ReplayClient

from devtools.synth import EXCHANGES_DIR, build
from helpers._replay.cassettes import DEFAULT_ROOT, file_name, iter_cassette_files, load
from helpers.client import SUPPORTED_MODELS

FILES = list(iter_cassette_files(DEFAULT_ROOT))
IDS = [str(p.relative_to(DEFAULT_ROOT)) for p in FILES]
HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
TOOL_ID = re.compile(r"^call_function_([0-9]{10}|[a-z0-9]{12})_[0-9]+$")
SECRET = re.compile(r"(sk-[A-Za-z0-9_-]{8,}|Bearer\s+\S{8,}|\"x-api-key\"|\"authorization\")", re.IGNORECASE)


def _sdk_arguments(client: anthropic.Anthropic, body: dict) -> dict:
    """The body as messages.stream() arguments: what is not a keyword on this SDK goes in extra_body."""
    accepted = set(inspect.signature(client.messages.stream).parameters)
    kwargs = {k: v for k, v in body.items() if k in accepted and k != "stream"}
    extra = {k: v for k, v in body.items() if k not in accepted and k != "stream"}
    return {**kwargs, "extra_body": extra} if extra else kwargs


def _is_fault(cassette) -> bool:
    """A deliberately broken stream: a malformed event, or a connection cut before message_stop."""
    events = cassette.response.get("events")
    if not events:
        return False
    return any("raw" in e for e in events) or events[-1].get("event") != "message_stop"


def test_there_are_recordings() -> None:
    assert len(FILES) >= 6


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_recording_parses_through_the_sdk(path: Path, replay_client: ReplayClient) -> None:
    cassette = load(path)
    body = cassette.request["body"]
    client = replay_client(cassette)
    status = cassette.response["status"]
    if status >= 400:
        with pytest.raises(anthropic.APIStatusError) as error:
            client.post("/v1/messages", body=body, cast_to=anthropic.types.Message)
        assert error.value.status_code == status
        return
    if not cassette.is_stream:
        message = client.post("/v1/messages", body=body, cast_to=anthropic.types.Message)
        assert message.content or message.stop_reason == "max_tokens"
        return
    if _is_fault(cassette):
        assert "guess" in cassette.source, "a broken stream says in its source that the break is made up"
        try:
            with client.messages.stream(**_sdk_arguments(client, body)) as stream:
                cut = stream.get_final_message()
        except Exception:  # a malformed event may raise whatever the SDK raises
            return
        assert cut.stop_reason is None, "a stream cut before message_delta has no stop reason"
        return
    with client.messages.stream(**_sdk_arguments(client, body)) as stream:
        message = stream.get_final_message()
    final_usage = cassette.response["events"][-2]["data"]["usage"]
    assert message.usage.output_tokens == final_usage["output_tokens"]


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_recording_looks_like_minimax(path: Path) -> None:
    cassette = load(path)
    text = path.read_text()
    assert not SECRET.search(text), "a credential-like string is in the file"
    assert cassette.source.get("kind") in {"recorded", "synthesized"}
    if cassette.source["kind"] == "recorded":
        assert re.match(r"^\d{4}-\d{2}-\d{2}$", cassette.source.get("date", "")), "a capture carries its date"
    body = cassette.request["body"]
    assert cassette.request["method"] == "POST" and cassette.request["path"] == "/v1/messages"
    assert body["model"] in SUPPORTED_MODELS
    if cassette.response["status"] >= 400:
        envelope = cassette.response["body"]
        assert envelope["type"] == "error" and re.search(r"\(\d{4}\)", envelope["error"]["message"])
        return
    if cassette.is_stream:
        if _is_fault(cassette):
            return
        events = cassette.response["events"]
        names = [e["event"] for e in events]
        assert names[:2] == ["message_start", "ping"] and names[-2:] == ["message_delta", "message_stop"]
        assert all(e["event"] == e["data"]["type"] for e in events)
        assert [e["at"] for e in events] == sorted(e["at"] for e in events)
        message = events[0]["data"]["message"]
        starts = [e["data"] for e in events if e["event"] == "content_block_start"]
        assert [s["index"] for s in starts] == list(range(len(starts))), "block indexes count up from 0"
        blocks = [s["content_block"] for s in starts]
        for s in starts:
            block = s["content_block"]
            if block["type"] == "thinking":
                assert "signature" not in block
        assert "stop_sequence" not in events[-2]["data"]["delta"]
    else:
        message = cassette.response["body"]
        blocks = message["content"]
        assert list(message)[-1] == "base_resp" and "stop_sequence" not in message
    assert HEX32.match(message["id"])
    for block in blocks:
        if block["type"] == "tool_use":
            assert TOOL_ID.match(block["id"]), block["id"]
        if block["type"] == "thinking" and not cassette.is_stream:
            assert list(block)[-1] == "type" and (block.get("signature") is None or HEX64.match(block["signature"]))


def test_stream_and_body_forms_agree(replay_client: ReplayClient) -> None:
    by_request: dict[str, dict] = {}
    for path in FILES:
        cassette = load(path)
        if cassette.response["status"] >= 400 or _is_fault(cassette):
            continue
        body = {k: v for k, v in cassette.request["body"].items() if k != "stream"}
        key = path.parent.name + json.dumps(body, sort_keys=True)
        by_request.setdefault(key, {})["stream" if cassette.is_stream else "body"] = cassette
    pairs = [p for p in by_request.values() if len(p) == 2]
    for pair in pairs:
        streamed = replay_client(pair["stream"])
        body = pair["stream"].request["body"]
        with streamed.messages.stream(**_sdk_arguments(streamed, body)) as stream:
            from_stream = stream.get_final_message()
        whole = pair["body"].response["body"]
        assert [b.model_dump(exclude_none=True) for b in from_stream.content] == whole["content"]
        assert from_stream.usage.output_tokens == whole["usage"]["output_tokens"]


@pytest.mark.parametrize("description", sorted(EXCHANGES_DIR.glob("*.json")), ids=lambda p: p.name)
def test_synthesized_recordings_are_up_to_date(description: Path) -> None:
    """`python -m devtools synth` would write exactly the files that are committed."""
    data = json.loads(description.read_text())
    folder = DEFAULT_ROOT / data["recordings"]
    expected = build(data, f"data/exchanges/{description.name}")
    files = {p.name: load(p) for p in iter_cassette_files(folder)}
    on_disk = {name: c for name, c in files.items() if c.source["kind"] == "synthesized"}
    expected = [c for c in expected if files.get(file_name(c)) is None or file_name(c) in on_disk]
    assert sorted(file_name(c) for c in expected) == sorted(on_disk), "run `python -m devtools synth`"
    for cassette in expected:
        assert on_disk[file_name(cassette)].to_json() == cassette.to_json(), "run `python -m devtools synth`"
