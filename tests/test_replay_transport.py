"""Replay: a recorded request gets its recorded answer through the SDK's own parsing; a new one gets a
clear miss; streams arrive event by event at the recorded pace."""

from __future__ import annotations

import json

import anthropic
import pytest
from support import ReplayClient

import helpers
from devtools.synth import build
from helpers._replay import transport
from helpers._replay.cassettes import Cassette, CassetteLibrary, api_path, request_key
from helpers._replay.core import Answer

HELLO = {
    "model": "MiniMax-M2.1",
    "max_tokens": 1000,
    "system": "You are a helpful assistant.",
    "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi, how are you?"}]}],
}


def _library(tmp_path, cassettes: list[Cassette]) -> CassetteLibrary:
    for n, cassette in enumerate(cassettes):
        cassette.write(tmp_path / "set" / f"{n:03}.json")
    return CassetteLibrary(tmp_path)


def _exchange(**reply) -> dict:
    return {"exchanges": [{"id": "x", "request": HELLO, "forms": ["create", "stream"], "reply": reply}]}


def test_replay_hit_parses_through_the_sdk(tmp_path, replay_client: ReplayClient) -> None:
    cassettes = build(_exchange(thinking="Hm.", text="\n\nHello!"), "test")
    client = replay_client(_library(tmp_path, cassettes))
    message = client.messages.create(**HELLO)
    assert isinstance(message, anthropic.types.Message)
    assert [b.type for b in message.content] == ["thinking", "text"]
    assert message.content[1].text == "\n\nHello!"
    assert message.usage.output_tokens == cassettes[0].response["body"]["usage"]["output_tokens"]


def test_stream_and_body_of_one_exchange_agree(tmp_path, replay_client: ReplayClient) -> None:
    client = replay_client(
        _library(tmp_path, build(_exchange(thinking="Let me see.", text="\n\nHi there, friend!"), "t"))
    )
    whole = client.messages.create(**HELLO)
    with client.messages.stream(**HELLO) as stream:
        streamed = stream.get_final_message()
    assert [b.model_dump(exclude_none=True) for b in streamed.content] == [
        b.model_dump(exclude_none=True) for b in whole.content
    ]
    assert streamed.usage.output_tokens == whole.usage.output_tokens
    assert streamed.stop_reason == whole.stop_reason == "end_turn"


def test_miss_names_the_closest_recording_and_the_difference(tmp_path, replay_client: ReplayClient) -> None:
    client = replay_client(_library(tmp_path, build(_exchange(thinking="a", text="b"), "t")))
    changed = {**HELLO, "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi, who are you?"}]}]}
    with pytest.raises(helpers.NotRecordedError) as error:
        client.messages.create(**changed)
    message = str(error.value)
    assert "not recorded" in message
    assert "set/000.json" in message or "set/001.json" in message
    assert 'messages[0].content[0].text: recorded "Hi, how are you?", sent "Hi, who are you?"' in message
    assert "MINIMAX_API_KEY" in message and "MINIMAX_MODE=record" in message


def test_miss_with_nothing_recorded_says_so(tmp_path, replay_client: ReplayClient) -> None:
    with pytest.raises(helpers.NotRecordedError, match=rf"No recording in the library \({tmp_path.name}/\)") as miss:
        replay_client(CassetteLibrary(tmp_path)).messages.create(**HELLO)
    assert str(tmp_path) not in str(miss.value), "a miss names folders relative to the library, never absolute"


def test_same_request_replays_its_recordings_in_sequence(tmp_path, replay_client: ReplayClient) -> None:
    description = {
        "exchanges": [
            {
                "id": "x",
                "request": HELLO,
                "replies": [
                    {"error": {"status": 529, "message": "overloaded (2064) (529)"}},
                    {"thinking": "ok", "text": "second"},
                ],
            }
        ]
    }
    client = replay_client(_library(tmp_path, build(description, "t")))
    with pytest.raises(anthropic.APIStatusError) as error:
        client.messages.create(**HELLO)
    assert error.value.status_code == 529
    assert client.messages.create(**HELLO).content[1].text == "second"
    assert client.messages.create(**HELLO).content[1].text == "second", "the last recording repeats"


def test_matching_ignores_key_order_and_stream_false() -> None:
    body = dict(HELLO)
    reordered = dict(reversed(list(HELLO.items())))
    assert request_key("post", "/v1/messages", body) == request_key("POST", "/v1/messages", reordered)
    assert request_key("POST", "/v1/messages", {**body, "stream": False}) == request_key("POST", "/v1/messages", body)
    assert request_key("POST", "/v1/messages", {**body, "stream": True}) != request_key("POST", "/v1/messages", body)
    assert api_path("/anthropic/v1/messages") == "/v1/messages" == api_path("/v1/messages")


def test_stream_is_delivered_incrementally_at_the_recorded_pace(monkeypatch) -> None:
    cassette = build(_exchange(thinking="one two three", text="four five six seven"), "t")[1]
    times = [e["at"] for e in cassette.response["events"]]
    delays: list[float] = []
    clock = {"now": 100.0}
    monkeypatch.setattr(transport.time, "perf_counter", lambda: clock["now"])

    def fake_sleep(seconds: float) -> None:
        delays.append(seconds)
        clock["now"] += seconds

    monkeypatch.setattr(transport.time, "sleep", fake_sleep)
    chunks = Answer(200, {}, events=cassette.response["events"], speed=2.0).chunks()
    first = next(chunks)
    assert first.startswith(b"event: message_start\n") and b"message_stop" not in first
    assert clock["now"] == pytest.approx(100.0 + times[0] / 2)
    rest = list(chunks)
    assert len(rest) == len(times) - 1
    assert clock["now"] == pytest.approx(100.0 + times[-1] / 2), "the last event arrives at its time / speed"


def test_speed_zero_never_sleeps(monkeypatch) -> None:
    cassette = build(_exchange(thinking="x y", text="z"), "t")[1]
    monkeypatch.setattr(transport.time, "sleep", lambda s: pytest.fail("slept at speed 0"))
    assert b"".join(Answer(200, {}, events=cassette.response["events"]).chunks()).count(b"event: ") == len(
        cassette.response["events"]
    )


def test_raw_events_replay_verbatim(tmp_path) -> None:
    cassette = build(_exchange(thinking="x", text="y"), "t")[1]
    cassette.response["events"].insert(2, {"at": 1.0, "raw": ": keep-alive comment\n\n"})
    assert b": keep-alive comment\n\n" in b"".join(Answer(200, {}, events=cassette.response["events"]).chunks())


def test_cassette_files_are_readable_json_with_one_event_per_line(tmp_path) -> None:
    cassette = build(_exchange(thinking="x", text="y"), "t")[1]
    path = cassette.write(tmp_path / "c.json")
    text = path.read_text()
    assert json.loads(text)["response"]["events"] == cassette.response["events"]
    event_lines = [line for line in text.splitlines() if '"event": ' in line]
    assert len(event_lines) == len(cassette.response["events"])


def test_get_client_reads_no_recording_until_a_request_and_each_file_once(clean_env, monkeypatch) -> None:
    """Building a replay client costs the same whatever the library's size: files are read at the first
    request, and once per process (a later client reads only what changed)."""
    from helpers._replay import cassettes as cassettes_module

    (cassette,) = build(
        {"exchanges": [{"id": "x", "request": HELLO, "forms": ["create"], "reply": {"text": "Hi"}}]}, "t"
    )
    cassette.write(clean_env / "lib" / "set" / "one.json")
    monkeypatch.setenv("MINIMAX_CASSETTES", str(clean_env / "lib"))
    reads: list[str] = []
    real_load = cassettes_module.load
    monkeypatch.setattr(cassettes_module, "load", lambda path: reads.append(path.name) or real_load(path))
    clients = [helpers.get_client(mode="replay", recordings="set", quiet=True) for _ in range(3)]
    assert reads == []
    assert clients[0].messages.create(**HELLO).content[0].text == "Hi"
    assert clients[1].messages.create(**HELLO).content[0].text == "Hi"
    assert reads == ["one.json"]
    changed = build(
        {"exchanges": [{"id": "x", "request": HELLO, "forms": ["create"], "reply": {"text": "Hello!"}}]}, "t"
    )
    changed[0].write(clean_env / "lib" / "set" / "one.json")
    assert clients[2].messages.create(**HELLO).content[0].text == "Hello!"
    assert reads == ["one.json", "one.json"]


def test_the_scripted_transport_answers_in_order_and_fails_past_its_script(scripted_client) -> None:
    """The shared fixture the unit tests build on: a request the script did not plan for is a test failure."""
    body = {"id": "m", "type": "message", "role": "assistant", "model": "MiniMax-M2.1", "content": [],
            "stop_reason": "end_turn", "usage": {"input_tokens": 1, "output_tokens": 1}}  # fmt: skip
    error = {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down (1002)"}}
    client = scripted_client(body, (429, error))
    assert client.messages.create(**HELLO).stop_reason == "end_turn"
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(**HELLO)
    with pytest.raises(anthropic.APIConnectionError) as beyond:  # the SDK wraps what the transport raised
        client.messages.create(**HELLO)
    assert "one request more than the 2 scripted answers" in str(beyond.value.__cause__)
