"""Secrets go to MiniMax's endpoint only, as the one credential it needs, and are never written or shown.

Every test plants a canary (a key, a token or a password nobody else uses) and looks for it where it must
not be: headers sent elsewhere, output, messages, cassettes, file names, tracebacks with their locals.
Runs under every anthropic version requirements.txt allows (CI runs it under the lowest as well).
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest
from support import replay_client_for, sdk_client

import helpers
from helpers._replay.transport import RecordTransport
from helpers._settings import check_base_url
from helpers.client import ConfigError, detect_region
from tests.safety_support import HELLO, OK_BODY

KEY = "sk-canary-safety-key-5d1e7a"
TOKEN = "oauth-canary-token-0b9f3c"
PASSWORD = "pw-canary-url-44e1d2"


class Upstream:
    """A fake network: answers every request with `answer(request)` and keeps each request's URL and headers."""

    def __init__(self, answer: Any = None) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.answer = answer or (lambda request: httpx2.Response(200, json=OK_BODY))

    def handle_request(self, request: Any) -> Any:
        self.seen.append((str(request.url), dict(request.headers)))
        request.read()
        return self.answer(request)


def shown_with_locals(error: BaseException) -> str:
    """The traceback of `error` as `traceback` prints it with every frame's locals, the test's own frames left
    out (they hold the canary on purpose)."""
    frames = [(f, n) for f, n in traceback.walk_tb(error.__traceback__) if "/tests/" not in f.f_code.co_filename]
    summary = traceback.StackSummary.extract(iter(frames), capture_locals=True)
    return "".join(summary.format()) + "".join(traceback.format_exception_only(type(error), error))


def _everything_sent(upstream: Upstream) -> str:
    return json.dumps(upstream.seen)


def _patch_upstream(monkeypatch: pytest.MonkeyPatch, upstream: Upstream) -> None:
    """Make every client the helpers build send through `upstream` instead of the network."""
    import helpers._replay.transport as transport_module

    monkeypatch.setattr(transport_module.httpx2, "HTTPTransport", lambda *a, **k: upstream)


# -- 1. ANTHROPIC_AUTH_TOKEN never goes to MiniMax ------------------------------------------------------------


def test_auth_token_is_not_sent_by_get_client_clients(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TOKEN)
    upstream = Upstream()
    _patch_upstream(monkeypatch, upstream)
    client = helpers.get_client(mode="live", api_key=KEY, quiet=True)
    client.messages.create(**HELLO)
    client.with_options(max_retries=0).messages.create(**HELLO)  # a copy of the client re-reads the environment
    assert len(upstream.seen) == 2
    assert TOKEN not in _everything_sent(upstream)
    assert KEY in _everything_sent(upstream)


def test_auth_token_is_not_sent_by_the_region_probes(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TOKEN)
    upstream = Upstream()
    assert detect_region(KEY, transport=upstream) == "global"
    assert upstream.seen and TOKEN not in _everything_sent(upstream)


def test_auth_token_is_not_sent_by_the_playgrounds_other_region(clean_env, monkeypatch) -> None:
    from helpers.playground import Playground

    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TOKEN)
    upstream = Upstream()
    _patch_upstream(monkeypatch, upstream)
    monkeypatch.setenv("MINIMAX_API_KEY", KEY)
    playground = Playground(helpers.get_client(mode="live", quiet=True), recordings="scratch")
    playground.settings(region="cn")  # the playground builds a client of its own for the other region
    playground.send("Hello")
    assert upstream.seen[-1][0].startswith("https://api.minimaxi.com/")
    assert TOKEN not in _everything_sent(upstream)


# -- 2. credentials inside MINIMAX_BASE_URL ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{PASSWORD}@gateway.example/anthropic",
        f"https://{PASSWORD}@gateway.example/anthropic",
        f"https://gateway.example/anthropic?token={PASSWORD}",
        f"https://gateway.example/anthropic#{PASSWORD}",
    ],
)
def test_a_base_url_with_credentials_is_refused_without_showing_them(clean_env, monkeypatch, capsys, url) -> None:
    monkeypatch.setenv("MINIMAX_BASE_URL", url)
    with pytest.raises(ConfigError) as caught:
        helpers.get_client(mode="replay")
    message = str(caught.value)
    assert "MINIMAX_BASE_URL" in message and "gateway.example" in message
    assert PASSWORD not in message
    assert PASSWORD not in capsys.readouterr().out
    shown = shown_with_locals(caught.value)
    assert "check_base_url" in shown
    assert PASSWORD not in shown


# -- 3. a key typed into a message never names a file ---------------------------------------------------------


def test_a_key_typed_in_a_message_is_not_in_the_cassettes_file_name(tmp_path) -> None:
    transport = RecordTransport(record_dir=tmp_path, upstream=Upstream())
    client = sdk_client(transport, api_key=KEY, base_url="http://127.0.0.1:9", max_retries=2)
    client.messages.create(**{**HELLO, "messages": [{"role": "user", "content": f"my key is {KEY} ok?"}]})
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert KEY.lower() not in files[0].name and "canary" not in files[0].name
    assert KEY not in files[0].read_text()


# -- 4. a redirect never takes the key to another host --------------------------------------------------------


def test_a_redirect_to_another_host_gets_no_key(tmp_path) -> None:
    def answer(request: Any) -> Any:
        if request.url.host == "api.minimax.io":
            return httpx2.Response(307, headers={"location": "https://collector.example/v1/messages"})
        return httpx2.Response(200, json=OK_BODY)

    upstream = Upstream(answer)
    transport = RecordTransport(upstream=upstream, endpoint_label="https://api.minimax.io/anthropic")
    client = sdk_client(transport, api_key=KEY)
    with pytest.raises(anthropic.AnthropicError, match=r"collector\.example"):
        client.messages.create(**HELLO)
    assert [url for url, _ in upstream.seen] == ["https://api.minimax.io/anthropic/v1/messages"]


def test_a_redirect_on_the_same_host_is_followed() -> None:
    def answer(request: Any) -> Any:
        if request.url.path.startswith("/anthropic/"):
            return httpx2.Response(307, headers={"location": "https://api.minimax.io/v2/anthropic/v1/messages"})
        return httpx2.Response(200, json=OK_BODY)

    upstream = Upstream(answer)
    transport = RecordTransport(upstream=upstream, endpoint_label="https://api.minimax.io/anthropic")
    client = sdk_client(transport, api_key=KEY)
    assert client.messages.create(**HELLO).content[0].text == "Hello."
    assert len(upstream.seen) == 2


# -- 5. the Anthropic guard and tracebacks ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["https://api.anthropic.com./v1", "https://API.Anthropic.COM", "https://eu.api.anthropic.com.:443/"]
)
def test_anthropic_hosts_are_refused_in_every_spelling(url) -> None:
    with pytest.raises(ConfigError, match="Anthropic's own API"):
        check_base_url(url, source="MINIMAX_BASE_URL")


def test_a_traceback_with_locals_does_not_show_the_key(tmp_path) -> None:
    def answer(request: Any) -> Any:
        raise httpx2.ConnectError("the network is down")

    transport = RecordTransport(record_dir=tmp_path, upstream=Upstream(answer))
    client = sdk_client(transport, api_key=KEY, base_url="http://127.0.0.1:9")
    with pytest.raises(anthropic.APIConnectionError) as caught:
        client.messages.create(**HELLO)
    shown = shown_with_locals(caught.value)
    shown += "".join(shown_with_locals(e) for e in (caught.value.__cause__, caught.value.__context__) if e)
    assert "the network is down" in shown and "secrets = <2 secret(s), not shown>" in shown
    assert KEY not in shown


def test_nothing_in_a_record_session_holds_the_canary(clean_env, monkeypatch, tmp_path, capsys) -> None:
    """One end-to-end sweep: record a call with a canary key and auth token, and look everywhere."""
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("MINIMAX_CASSETTES", str(tmp_path / "out"))
    upstream = Upstream()
    _patch_upstream(monkeypatch, upstream)
    client = helpers.get_client(mode="record", api_key=KEY, recordings="canary")
    client.messages.create(**HELLO)
    written = [p for p in Path(tmp_path / "out").rglob("*") if p.is_file()]
    assert written
    for path in written:
        assert KEY not in path.read_text() and KEY.lower() not in str(path)
    out = capsys.readouterr()
    assert KEY not in out.out + out.err and TOKEN not in out.out + out.err
    assert KEY not in helpers.describe() and KEY not in repr(helpers.usage())


# -- 6. a key the model echoes back in a stream, split across deltas, is not written --------------------------


def _stream_echoing(key: str) -> bytes:
    """A MiniMax-shaped stream whose thinking and text both echo `key`, cut in pieces across deltas."""
    from helpers._replay.sse import encode_event

    def event(data: dict[str, Any]) -> bytes:
        return encode_event({"event": data["type"], "data": data})

    def deltas(index: int, kind: str, field: str, pieces: list[str]) -> list[bytes]:
        return [
            event({"type": "content_block_delta", "index": index, "delta": {"type": kind, field: piece}})
            for piece in pieces
        ]

    message = {"id": "m1", "type": "message", "role": "assistant", "model": "MiniMax-M2.1", "content": []}
    message |= {"stop_reason": None, "usage": {"input_tokens": 5, "output_tokens": 0}}
    return b"".join(
        [
            event({"type": "message_start", "message": message}),
            event({"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}),
            *deltas(0, "thinking_delta", "thinking", ["They said ", key[:6], key[6:15], key[15:] + " earlier."]),
            event({"type": "content_block_stop", "index": 0}),
            event({"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}),
            *deltas(1, "text_delta", "text", ["Your key is ", key[:3], key[3:], ", twice: ", key[:20], key[20:]]),
            event({"type": "content_block_stop", "index": 1}),
            event({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 9}}),
            event({"type": "message_stop"}),
        ]
    )


def test_a_key_echoed_across_stream_deltas_is_not_written(tmp_path) -> None:
    upstream = Upstream(
        lambda request: httpx2.Response(
            200, content=_stream_echoing(KEY), headers={"content-type": "text/event-stream"}
        )
    )
    transport = RecordTransport(record_dir=tmp_path, upstream=upstream)
    client = sdk_client(transport, api_key=KEY, base_url="http://127.0.0.1:9", max_retries=0)
    live = client.messages.create(**HELLO, stream=True)
    assert KEY in "".join(getattr(e.delta, "text", "") for e in live if e.type == "content_block_delta")
    (written,) = list(tmp_path.iterdir())
    assert KEY not in written.read_text()
    replayed = replay_client_for(tmp_path, speed=0)
    message = replayed.messages.create(**HELLO, stream=True)
    blocks: dict[int, str] = {}
    for event in message:
        if event.type == "content_block_delta":
            piece = getattr(event.delta, "text", None) or getattr(event.delta, "thinking", "")
            blocks[event.index] = blocks.get(event.index, "") + piece
    assert blocks == {
        0: "They said <redacted> earlier.",
        1: "Your key is <redacted>, twice: <redacted>",
    }
