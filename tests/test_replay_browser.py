"""helpers/_replay/browser.py on CPython: the in-process stand-in (what ReplayServer does in a browser, where nothing
can listen) answers the SDK at the same URL with the same recordings, faults and request log as the socket server;
a key found in a browser is set aside with the reason; the routing leaves other URLs to the real transport. The
browser itself runs it in tests/test_browser_lite.py."""

from __future__ import annotations

import anthropic
import httpx2
import pytest

from helpers._replay import browser
from helpers._replay.browser import RoutedTransport
from helpers._settings import ConfigError, FoundKey, NoKey
from helpers.errors import explain
from helpers.server import ReplayServer

DEMO = [{"role": "user", "content": "In two sentences, why do we retry failed requests with backoff?"}]
MODEL = "MiniMax-M2.1"


def _elsewhere(request: httpx2.Request) -> httpx2.Response:
    return httpx2.Response(418, json={"sent to": str(request.url)})


def sdk(server: ReplayServer, **options: object) -> anthropic.Anthropic:
    """An SDK client whose transport is routed as `browser.install` routes the browser's fetch transport."""
    transport = RoutedTransport(httpx2.MockTransport(_elsewhere))
    return anthropic.Anthropic(
        base_url=server.url, api_key="any-text", http_client=httpx2.Client(transport=transport), **options
    )


@pytest.fixture
def stand_in():
    with ReplayServer(in_process=True) as server:
        yield server


def test_the_in_process_stand_in_opens_no_socket_and_answers_at_its_url(stand_in: ReplayServer) -> None:
    assert not hasattr(stand_in, "_httpd")
    assert stand_in.url.startswith("http://127.0.0.1:")
    with ReplayServer(in_process=True) as other:
        assert other.url != stand_in.url  # two stand-ins never share a URL
    message = sdk(stand_in).messages.create(model=MODEL, max_tokens=1000, messages=DEMO)
    assert message.content[-1].type == "text" and "trying again" in message.content[-1].text
    assert [r["path"] for r in stand_in.requests] == ["/v1/messages"]
    assert stand_in.requests[-1]["key_sha256"]  # the key's fingerprint only, as the socket server logs it


def test_an_overloaded_fault_is_retried_by_the_sdk_as_over_sockets(stand_in: ReplayServer) -> None:
    stand_in.inject("overloaded")
    answer = sdk(stand_in, max_retries=2).messages.create(model=MODEL, max_tokens=1000, messages=DEMO)
    assert answer.stop_reason == "end_turn"
    assert [r["headers"].get("x-stainless-retry-count") for r in stand_in.requests] == ["0", "1"]


def test_a_slow_fault_past_the_timeout_is_the_sdks_timeout(stand_in: ReplayServer) -> None:
    stand_in.inject("slow", seconds=3)
    client = sdk(stand_in).with_options(timeout=0.2, max_retries=0)
    with pytest.raises(anthropic.APITimeoutError):
        client.messages.create(model=MODEL, max_tokens=1000, messages=DEMO)


def test_a_cut_stream_keeps_what_arrived_and_fails_as_a_connection_error(stand_in: ReplayServer) -> None:
    """As over a real socket: anthropic 2.17+ raises APIConnectionError, 2.0-2.16 let httpx2's RemoteProtocolError
    through (CI's floor step runs 2.0); either way `explain` reads it as a cut stream, never as a retry."""
    stand_in.inject("cut", after=8)
    client = sdk(stand_in)
    with (
        pytest.raises((anthropic.APIConnectionError, httpx2.RemoteProtocolError)) as caught,
        client.messages.stream(model=MODEL, max_tokens=1000, messages=DEMO) as stream,
    ):
        for _event in stream:
            pass
    assert "peer closed connection" in str(caught.value.__cause__ or caught.value)
    assert stream.current_message_snapshot.content  # the events before the cut were kept
    card = explain(caught.value)
    assert card.kind == "stream-cut"  # not "Could not reach the endpoint", which would claim a retry


def test_a_miss_is_the_recordings_404_and_other_urls_go_to_the_real_transport(stand_in: ReplayServer) -> None:
    with pytest.raises(anthropic.NotFoundError, match=r"not recorded|No recording"):
        sdk(stand_in).messages.create(model=MODEL, max_tokens=7, messages=[{"role": "user", "content": "unrecorded"}])
    other = httpx2.Client(transport=RoutedTransport(httpx2.MockTransport(_elsewhere)))
    assert other.get("https://api.minimax.io/anthropic/v1/models").status_code == 418
    assert other.get("http://127.0.0.1:1/v1/messages").status_code == 418  # no stand-in there
    stand_in.stop()
    assert other.post(f"{stand_in.url}/v1/messages", json={}).status_code == 418  # stopped: routed no more


def test_a_key_found_in_a_browser_is_set_aside_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    found = FoundKey("sk-test-not-real", "MINIMAX_API_KEY")
    assert browser.keyless(found, "auto") is found  # outside a browser: unchanged
    monkeypatch.setattr(browser, "IN_BROWSER", True)
    kept = browser.keyless(found, "auto")
    assert isinstance(kept, NoKey) and "CORS" in kept.notes[0] and "proxy" not in kept.notes[0].lower()
    assert "sk-test" not in repr(kept)
    with pytest.raises(ConfigError, match="cannot call MiniMax live"):
        browser.keyless(found, "live")
    assert browser.keyless(found, "replay") is found


def test_get_client_in_a_browser_replays_and_says_why(
    clean_env: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import helpers

    monkeypatch.setattr(browser, "IN_BROWSER", True)
    monkeypatch.setenv("MINIMAX_API_KEY", "sk-test-not-real-0123456789")
    helpers.get_client()
    shown = capsys.readouterr().out
    assert "mode replay" in shown and "CORS" in shown and "sk-test" not in shown
