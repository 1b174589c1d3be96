"""helpers.explain: each MiniMax error kind (from recordings and from bodies), SDK-side failures, unknown errors."""

from __future__ import annotations

import json
from pathlib import Path

import anthropic
import httpx2
import pytest

import helpers
from helpers import compat
from helpers.errors import explain, minimax_code
from helpers.streaming import IncompleteStreamError, StreamInterrupted


@pytest.fixture
def no_retry(clean_env: Path) -> anthropic.Anthropic:
    compat.reset_shown()
    client = helpers.get_client(mode="replay", recordings="05_parameters_and_errors", quiet=True)
    return client.with_options(max_retries=0)


def fail(client: anthropic.Anthropic, prompt: str) -> anthropic.APIStatusError:
    with pytest.raises(anthropic.APIStatusError) as caught:
        client.messages.create(model="MiniMax-M2.1", max_tokens=300, messages=[{"role": "user", "content": prompt}])
    return caught.value


def test_401_names_the_region_used_and_suggests_the_other(no_retry: anthropic.Anthropic) -> None:
    error = fail(no_retry, "Translate 'good night' into Spanish.")
    assert isinstance(error, anthropic.AuthenticationError)
    found = explain(error)
    assert (found.kind, found.status, found.code, found.retryable) == ("auth", 401, None, False)
    assert "'global' region (api.minimax.io)" in found.meaning and "region='cn'" in found.next_step


def test_401_from_the_china_host_suggests_global() -> None:
    request = anthropic.DefaultHttpxClient().build_request("POST", "https://api.minimaxi.com/anthropic/v1/messages")
    body = {"type": "error", "error": {"type": "authorized_error", "message": "invalid api key (2049)"}}

    response = httpx2.Response(401, json=body, request=request)
    error = anthropic.AuthenticationError("invalid api key (2049)", response=response, body=body)
    found = explain(error)
    assert "'cn' region" in found.meaning and "region='global'" in found.next_step


def test_missing_key_1004() -> None:
    body = {"type": "error", "error": {"type": "authorized_error", "message": "login fail: ... header (1004)"}}
    assert explain(body).kind == "auth-missing"


def test_quota_wall_2056_is_not_retryable(no_retry: anthropic.Anthropic) -> None:
    found = explain(fail(no_retry, "Write a haiku about autumn."))
    assert (found.kind, found.code, found.retryable) == ("quota", 2056, False)
    assert "retry" in found.meaning.lower()


def test_rate_limit_1002_is_transient_and_the_next_call_succeeds(no_retry: anthropic.Anthropic) -> None:
    found = explain(fail(no_retry, "Give me one synonym for 'quick'."))
    assert (found.kind, found.code, found.retryable, found.status) == ("rate-limit", 1002, True, 429)
    reply = no_retry.messages.create(
        model="MiniMax-M2.1", max_tokens=300, messages=[{"role": "user", "content": "Give me one synonym for 'quick'."}]
    )
    assert reply.content[-1].text.strip() == "Swift."


def test_overloaded_2064_counts_the_retries_the_sdk_made(clean_env: Path) -> None:
    client = helpers.get_client(mode="replay", recordings="05_parameters_and_errors", quiet=True, max_retries=1)
    error = fail(client, "List the three primary colours of light.")
    found = explain(error)
    assert (found.kind, found.code, found.status, found.retryable) == ("overloaded", 2064, 529, True)
    assert "retried 1 time " in found.meaning and "max_retries" in found.next_step


def test_invalid_params_2013_tool_id(no_retry: anthropic.Anthropic) -> None:
    tool = {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }
    first = [{"role": "user", "content": "What's the weather in Lisbon right now?"}]
    turn = no_retry.messages.create(model="MiniMax-M2.1", max_tokens=1000, tools=[tool], messages=first)
    result = {"type": "tool_result", "tool_use_id": "get_weather", "content": "21°C, sunny"}
    history = [*first, {"role": "assistant", "content": turn.content}, {"role": "user", "content": [result]}]
    with pytest.raises(anthropic.BadRequestError) as caught:
        no_retry.messages.create(model="MiniMax-M2.1", max_tokens=1000, tools=[tool], messages=history)
    found = explain(caught.value)
    assert (found.kind, found.code, found.retryable) == ("invalid-params", 2013, False)
    assert len(found.details) == 1 and "tool_use_id" in found.details[0]


def test_invalid_params_without_a_known_cause_lists_the_common_ones() -> None:
    body = {
        "type": "error",
        "error": {"type": "bad_request_error", "message": "invalid params (2013)", "http_code": "400"},
    }
    found = explain(body)
    assert found.kind == "invalid-params" and len(found.details) >= 3
    assert any("thinking" in d for d in found.details)


def test_insufficient_balance_as_500_and_as_402(no_retry: anthropic.Anthropic) -> None:
    found = explain(fail(no_retry, "Explain recursion in one sentence."))
    assert (found.kind, found.status, found.code, found.retryable) == ("balance", 500, 1008, False)
    body = {"type": "error", "error": {"type": "insufficient_balance_error", "message": "insufficient balance"}}
    assert explain(body).kind == "balance"


def test_unknown_errors_are_shown_as_they_are() -> None:
    body = {"type": "error", "error": {"type": "weird_error", "message": "the moon is full (9999)", "http_code": "418"}}
    found = explain(body)
    assert found.kind == "unknown" and found.message == "the moon is full (9999)" and found.code == 9999
    assert "the moon is full (9999)" in found.text()
    other = explain(KeyError("x"))
    assert other.kind == "unknown" and "KeyError" in other.title and "'x'" in other.message


def test_request_not_supported_is_explained_with_each_problem() -> None:
    error = compat.RequestNotSupportedError(helpers.check_request(model="MiniMax-M2", temperature=0))
    found = explain(error)
    assert found.kind == "not-sent" and "temperature" in found.details[0]


def test_minimax_code_skips_a_repeated_http_status() -> None:
    assert minimax_code("under high load. (2064) (529)") == 2064
    assert minimax_code("no code here") is None


def test_text_and_html_views_say_the_same_things() -> None:
    found = explain({"type": "error", "error": {"type": "rate_limit_error", "message": "x (2056)", "http_code": "429"}})
    assert "Next step:" in found.text() and "Retry? no" in found.text()
    html = found._repr_html_()
    assert "Next step:" in html and "<script" not in html
    assert json.dumps(found.next_step)  # plain data


def test_the_code_is_the_last_number_in_parentheses() -> None:
    """MiniMax ends its message with the code: a number earlier in the text is not it."""
    assert minimax_code("context of (8192) tokens exceeded (1039)") == 1039
    assert minimax_code("context of (8192) tokens exceeded (1039) (400)") == 1039


def test_another_400_code_is_shown_as_unknown_not_as_invalid_params() -> None:
    body = {
        "type": "error",
        "error": {"type": "bad_request_error", "message": "context window exceeded (1039)", "http_code": "400"},
    }
    found = explain(body)
    assert (found.kind, found.status, found.code) == ("unknown", 400, 1039)
    assert "context window exceeded (1039)" in found.text() and not found.details


def test_a_body_without_http_code_shows_no_status() -> None:
    found = explain({"type": "error", "error": {"type": "weird_error", "message": "odd"}})
    assert found.status is None and "HTTP" not in found.text() and not found.retryable
    invalid = explain({"type": "error", "error": {"type": "bad_request_error", "message": "invalid params (2013)"}})
    assert invalid.kind == "invalid-params" and invalid.status is None


REQUEST = httpx2.Request(
    "POST", "https://api.minimax.io/anthropic/v1/messages", headers={"x-stainless-retry-count": "2"}
)


FAILURES = [  # (exception, kind, who said its message, retryable): one for each row of OTHER_ERRORS at least
    (
        compat.RequestNotSupportedError(helpers.check_request(model="MiniMax-M2", temperature=0)),
        "not-sent",
        None,
        False,
    ),
    (anthropic.APITimeoutError(request=REQUEST), "timeout", None, True),
    (anthropic.APIConnectionError(request=REQUEST), "connection", "The SDK", True),
    (IncompleteStreamError("the stream ended early"), "stream-cut", "helpers.stream", True),
    (httpx2.RemoteProtocolError("peer closed connection"), "stream-cut", "The HTTP library", True),
    (
        StreamInterrupted("you stopped it", {"role": "assistant", "content": []}, "interrupt"),
        "interrupt",
        "helpers.stream",
        True,
    ),
    (json.JSONDecodeError("Expecting value", "{", 1), "malformed", "Python's JSON parser", True),
    (anthropic.AnthropicError("something odd"), "unknown", "The SDK", False),
    (KeyError("x"), "unknown", "Python", False),
]


@pytest.mark.parametrize(
    ("error", "kind", "said_by", "retryable"), FAILURES, ids=lambda value: value if isinstance(value, str) else None
)
def test_every_other_failure_has_its_card_and_names_who_said_it(error, kind, said_by, retryable) -> None:
    found = explain(error)
    assert (found.kind, found.retryable, found.status, found.code) == (kind, retryable, None, None)
    if said_by is None:
        assert not found.message and " said: " not in found.text()
    else:
        assert f"\n  {said_by} said: {found.message}\n" in found.text() and found.message
    assert type(error).__name__ in found.title or kind != "unknown"


def test_a_connection_error_counts_the_sdks_retries() -> None:
    found = explain(anthropic.APIConnectionError(request=REQUEST))
    assert found.next_step.endswith("is retried (here 2 times).")


def test_a_server_error_that_stopped_a_stream_is_explained_as_that_error() -> None:
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "high load (2064)"}}
    response = httpx2.Response(200, json=body, request=REQUEST)
    cause = anthropic.APIStatusError("high load (2064)", response=response, body=body)
    stopped = StreamInterrupted("overloaded", {"role": "assistant", "content": []}, "server")
    stopped.__cause__ = cause
    found = explain(stopped)
    assert (found.kind, found.code) == ("overloaded", 2064) and "inside its stream" in found.meaning
    assert found.details[-2:] == (explain(cause).details[-1], "What arrived before it is in the error's .partial.")
