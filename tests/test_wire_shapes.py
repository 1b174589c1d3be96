"""The shapes the live endpoint sends (docs/sources.md: "A stream", "Errors"), each through helpers.stream,
helpers.explain and the usage log: 401s without a code, errors inside a 200 stream, missing usage."""

from __future__ import annotations

import anthropic
import httpx2
import pytest

import helpers
from helpers.billing import UsageLog
from helpers.server import ReplayServer
from helpers.streaming import IncompleteStreamError, StreamInterrupted
from tests import wire

INVALID_KEY = {"type": "error", "error": {"type": "authentication_error", "message": "invalid api key"}}
NO_KEY = {
    "type": "error",
    "error": {
        "type": "authentication_error",
        "message": "login fail: Please carry the API secret key in the 'Authorization' field of the request header",
    },
    "request_id": "",
}


def _fail_with(body: dict, status: int) -> anthropic.APIStatusError:
    client = wire.client_for(wire.cassette(body=body, status=status))
    with pytest.raises(anthropic.APIStatusError) as caught:
        client.messages.create(**wire.REQUEST)
    return caught.value


# -- 1. 401 on this route ---------------------------------------------------------------------------------


@pytest.mark.parametrize("use_body", [False, True], ids=["exception", "body"])
def test_401_invalid_api_key_without_code_is_a_refused_key(use_body: bool) -> None:
    error = _fail_with(INVALID_KEY, 401)
    assert isinstance(error, anthropic.AuthenticationError)
    found = helpers.explain(error.body if use_body else error)
    assert found.kind == "auth" and found.code is None and not found.retryable
    assert "other region" in found.meaning and "does not know" not in found.title


@pytest.mark.parametrize("use_body", [False, True], ids=["exception", "body"])
@pytest.mark.parametrize("field", ["Authorization", "X-Api-Key"])
def test_401_login_fail_without_code_is_a_missing_key(use_body: bool, field: str) -> None:
    body = {
        **NO_KEY,
        "error": {**NO_KEY["error"], "message": NO_KEY["error"]["message"].replace("Authorization", field)},
    }
    error = _fail_with(body, 401)
    found = helpers.explain(error.body if use_body else error)
    assert found.kind == "auth-missing" and "MINIMAX_API_KEY" in found.next_step


def test_the_other_routes_401_shape_is_still_understood() -> None:
    wrong = {
        "type": "error",
        "error": {"type": "authorized_error", "message": "invalid api key (2049)", "http_code": "401"},
    }
    none = {
        "type": "error",
        "error": {"type": "authorized_error", "message": "login fail: ... (1004)", "http_code": "401"},
    }
    assert (helpers.explain(wrong).kind, helpers.explain(wrong).code) == ("auth", 2049)
    assert helpers.explain(none).kind == "auth-missing"


def test_the_local_server_answers_401_in_this_routes_shape(tmp_path) -> None:
    with ReplayServer(tmp_path, api_keys={"sk-right-key-0001"}) as server:
        wrong = httpx2.post(f"{server.url}/v1/messages", json=wire.REQUEST, headers={"x-api-key": "sk-wrong"})
        missing = httpx2.post(f"{server.url}/v1/messages", json=wire.REQUEST)
    assert wrong.status_code == missing.status_code == 401
    assert wrong.json()["error"] == {"type": "authentication_error", "message": "invalid api key"}
    assert missing.json()["error"]["message"].startswith("login fail: Please carry the API secret key")
    assert "http_code" not in missing.json()["error"] and "(" not in missing.json()["error"]["message"]


# -- 2. an error inside an HTTP 200 stream ------------------------------------------------------------------

CONTENT = [wire.start(), *wire.thinking(0, "Greet back.", None), *wire.text(1, "Hello, ")]


@pytest.mark.parametrize(
    "events",
    [
        [*CONTENT, wire.error_event()],
        [*CONTENT, wire.raw_error()],
        [wire.error_event()],
        [wire.raw_error()],
        [wire.start(), wire.raw_error()],
    ],
    ids=["event-after-content", "data-line-after-content", "event-first", "data-line-first", "data-line-after-start"],
)
def test_an_error_inside_a_200_stream_is_a_server_interruption(events: list, capsys) -> None:
    client = wire.client_for(wire.cassette(events))
    with pytest.raises(StreamInterrupted) as caught:
        helpers.stream(client, **wire.REQUEST)
    error = caught.value
    assert (error.kind, error.error_type, error.code) == ("server", "overloaded_error", 2064)
    assert error.message == "High traffic detected (2064)"
    shown = capsys.readouterr().out + error.reason
    assert "HTTP 200" not in shown and "connection" not in shown.lower()
    arrived = [b["text"] if isinstance(b, dict) else getattr(b, "text", None) for b in _content(error.partial)]
    assert ("Hello, " in arrived) == (len(events) > 2)
    found = helpers.explain(error)
    assert (found.kind, found.code, found.retryable) == ("overloaded", 2064, True)
    assert "Retry later" in found.next_step and "before starting it" not in found.meaning
    assert helpers.explain(error.__cause__).kind == found.kind


def _content(partial) -> list:
    return partial["content"] if isinstance(partial, dict) else list(partial.content)


def test_a_server_error_frame_with_http_code_500_inside_a_stream() -> None:
    events = [*CONTENT, wire.error_event("server_error", "unknown error (2064)", http_code="500")]
    with pytest.raises(StreamInterrupted) as caught:
        helpers.stream(wire.client_for(wire.cassette(events)), **wire.REQUEST)
    found = helpers.explain(caught.value)
    assert (found.kind, found.status, found.code) == ("overloaded", 500, 2064)


def test_a_cut_stream_explains_the_same_from_its_cause_without_private_names() -> None:
    client = wire.client_for(wire.cassette(CONTENT))
    with pytest.raises(StreamInterrupted) as caught:
        helpers.stream(client, **wire.REQUEST)
    assert caught.value.kind == "connection" and isinstance(caught.value.__cause__, IncompleteStreamError)
    outer, inner = helpers.explain(caught.value), helpers.explain(caught.value.__cause__)
    assert outer.kind == inner.kind == "stream-cut"
    assert "_" not in inner.title + inner.meaning.replace("message_stop", "").replace("current_message_snapshot", "")


# -- 3. usage missing ------------------------------------------------------------------------------------------


def test_usage_null_at_start_and_missing_at_the_end_still_gives_the_message() -> None:
    log = UsageLog()
    events = [wire.start(usage=None, model="MiniMax-M3"), *wire.text(0, "All ", "here."), *wire.end(usage=None)]
    client = wire.client_for(wire.cassette(events), observer=log.observe)
    message = helpers.stream(client, **wire.REQUEST)
    assert message.content[0].text == "All here." and message.stop_reason == "end_turn"
    (call,) = log.calls
    assert call.input_tokens is None and call.output_tokens is None and call.cost_usd is None


def test_message_start_input_tokens_are_not_the_final_ones() -> None:
    log = UsageLog()
    events = [
        wire.start(),
        *wire.thinking(0, "List the files."),
        *wire.tool(1, "glob", "", '{"pattern": "*"}'),
        *wire.end("tool_use"),
    ]
    message = helpers.stream(wire.client_for(wire.cassette(events), observer=log.observe), **wire.REQUEST)
    assert message.usage.input_tokens == 9195 and message.content[1].input == {"pattern": "*"}
    assert log.calls[0].input_tokens == 9195 and log.calls[0].cache_read_input_tokens == 1792
