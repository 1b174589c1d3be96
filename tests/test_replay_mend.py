"""`mend_stream` and `mend_event` (helpers/_replay/sse.py): MiniMax's two stream quirks mended in the transport,
under every call a client from `get_client` makes: `helpers.stream` and a learner's own `client.messages.stream(...)`
(notebook 02 teaches it first) alike, in replay and live; what is recorded stays what the server sent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import anthropic
import httpx2
import pytest
import wire
from support import sdk_client

from helpers._replay import sse
from helpers._replay.sse import mend_event, mend_stream
from helpers._replay.transport import RecordTransport

CONTENT = [wire.start(), *wire.text(0, "Hello, ", "world.")]


def _own_stream(client: anthropic.Anthropic) -> anthropic.types.Message:
    """What notebook 02 teaches before the helper: the SDK's own stream, read to the end."""
    with client.messages.stream(**wire.REQUEST) as stream:
        for _ in stream:
            pass
        return stream.get_final_message()


def test_a_learners_own_stream_raises_an_error_sent_as_a_bare_data_line() -> None:
    """Unmended, the SDK drops the frame silently and the answer just stops; mended, it is raised as MiniMax's."""
    with pytest.raises(anthropic.APIStatusError) as caught:
        _own_stream(wire.client_for(wire.cassette([*CONTENT, wire.raw_error()])))
    assert caught.value.status_code == 200 and "2064" in str(caught.value.body)


def test_a_learners_own_stream_survives_missing_usage() -> None:
    """M3 on this route: `"usage": null` at the start and no usage at the end (the SDK 2.14+ accumulator raised
    AttributeError on it); mended, the message arrives whole and its token counts are unknown, not 0."""
    events = [wire.start(usage=None), *wire.text(0, "Hi."), *wire.end(usage=None)]
    message = _own_stream(wire.client_for(wire.cassette(events)))
    assert message.content[0].text == "Hi."
    assert message.usage.output_tokens is None and message.usage.input_tokens is None


class _Upstream:
    """The network under a live client: one MiniMax-shaped stream with both quirks, cut into awkward chunks."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        pieces = [self.body[i : i + 7] for i in range(0, len(self.body), 7)]  # event boundaries inside chunks
        headers = {"content-type": "text/event-stream"}
        return httpx2.Response(200, headers=headers, stream=_Chunks(pieces), request=request)


class _Chunks(httpx2.SyncByteStream):
    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    def __iter__(self) -> Iterator[bytes]:
        yield from self.pieces


def test_live_streams_are_mended_for_the_sdk_and_recorded_as_sent(tmp_path) -> None:
    events = [wire.start(usage=None), *wire.text(0, "Hi."), *wire.end(usage=None)]
    body = b"".join(sse.encode_event(e) for e in events).replace(b"\n", b"\r\n")  # CRLF, as some proxies send
    transport = RecordTransport(record_dir=tmp_path, upstream=_Upstream(body))
    message = _own_stream(sdk_client(transport, base_url="https://api.minimax.io/anthropic"))
    assert message.content[0].text == "Hi." and message.usage.output_tokens is None
    [recording] = [json.loads(p.read_text()) for p in tmp_path.rglob("*.json")]
    recorded = recording["response"]["events"]
    assert recorded[0]["data"]["message"]["usage"] is None, "the recording keeps what the server sent"
    assert "usage" not in recorded[-2]["data"]


def test_ordinary_events_pass_through_byte_for_byte_and_a_cut_tail_is_kept() -> None:
    events = [
        wire.start(),
        *wire.thinking(0, "Let me see."),
        *wire.tool(1, "glob", "", '{"pattern": "*"}'),
        *wire.end(),
    ]
    body = b"".join(sse.encode_event(e) for e in events)
    one_byte_at_a_time = [body[i : i + 1] for i in range(len(body))]
    assert b"".join(mend_stream(iter(one_byte_at_a_time))) == body
    assert b"".join(mend_stream(iter([body, b"event: content_block_delta\ndata: {"]))) == body + (
        b"event: content_block_delta\ndata: {"
    )


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (b'data: {"type":"error","error":{"type":"overloaded_error","message":"x (2064)"}}', b"event: error\n"),
        (b": keep-alive", b""),
        (b'data: {"type":"ping"}', b""),
        (b"event: message_delta\ndata: not json", b""),
    ],
)
def test_only_a_bare_error_envelope_gains_an_event_line(block: bytes, expected: bytes) -> None:
    assert mend_event(block) == expected + block


def test_closing_the_mended_stream_closes_the_one_under_it() -> None:
    closed: list[bool] = []

    def chunks():
        try:
            yield b"event: ping\ndata: {}\n\n"
            yield b"event: ping\ndata: {}\n\n"
        finally:
            closed.append(True)

    mended = mend_stream(chunks())
    next(mended)
    mended.close()
    assert closed == [True]
