"""Bounded waits and a sturdy local server: no wait the helpers allow is longer than 20 s, replay at speed 0
never sleeps, region='auto' is decided only by an answer or a 401, and `helpers serve` survives a classroom."""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anthropic
import httpx2
import pytest

import helpers
import helpers.client as client_module
from helpers.client import detect_region
from helpers.server import ReplayServer
from tests.safety_support import HELLO, OK_BODY, STREAM_EVENTS, Upstream, recording_client, sse

KEY = "sk-canary-waits-7e0a55"


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Every sleep the SDK asks for, recorded instead of slept."""
    asked: list[float] = []
    monkeypatch.setattr(anthropic._base_client.time, "sleep", asked.append)
    return asked


def busy(retry_after: str):
    def answer(request: Any) -> Any:
        body = {"type": "error", "error": {"type": "rate_limit_error", "message": "rate limit (1002)"}}
        return httpx2.Response(429, headers={"retry-after": retry_after}, json=body)

    return answer


def ok(request: Any) -> Any:
    return httpx2.Response(200, json=OK_BODY)


# -- 10. bounded waits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("retry_after", ["86400", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_a_huge_retry_after_is_capped_at_20_seconds_live(clean_env, monkeypatch, sleeps, retry_after) -> None:
    import helpers._replay.transport as transport_module

    upstream = Upstream(busy(retry_after), ok)
    monkeypatch.setattr(transport_module.httpx2, "HTTPTransport", lambda *a, **k: upstream)
    client = helpers.get_client(mode="live", api_key=KEY, quiet=True, max_retries=1)
    assert client.messages.create(**HELLO).content[0].text == "Hello."
    assert len(upstream.seen) == 2 and sleeps and max(sleeps) <= 20


def test_replay_at_speed_0_never_sleeps_for_a_recorded_retry_after(clean_env, monkeypatch, sleeps, tmp_path) -> None:
    recording_client(Upstream(busy("30"), ok), tmp_path / "rec", max_retries=1).messages.create(**HELLO)
    sleeps.clear()
    monkeypatch.setenv("MINIMAX_CASSETTES", str(tmp_path))
    client = helpers.get_client(mode="replay", recordings="rec", replay_speed=0, quiet=True, max_retries=1)
    assert client.messages.create(**HELLO).content[0].text == "Hello."
    assert len(sleeps) == 1 and sleeps[0] <= 0.001, "the retry happened, without a wait"


# -- 11. region='auto': only an answer or a 401 decides ------------------------------------------------------


def by_host(global_answer, cn_answer):
    def answer(request: Any) -> Any:
        return (global_answer if request.url.host == "api.minimax.io" else cn_answer)(request)

    return answer


def refused(request: Any) -> Any:
    body = {"type": "error", "error": {"type": "authentication_error", "message": "invalid api key"}}
    return httpx2.Response(401, json=body)


def failing(code: int):
    def answer(request: Any) -> Any:
        return httpx2.Response(
            code, json={"type": "error", "error": {"type": "api_error", "message": f"busy ({code})"}}
        )

    return answer


def unreachable(request: Any) -> Any:
    raise httpx2.ConnectError("no route to host")


@pytest.mark.parametrize("trouble", [failing(529), failing(500), failing(429), unreachable])
def test_trouble_in_the_global_region_tries_china_and_is_not_cached(clean_env, trouble) -> None:
    upstream = Upstream(by_host(trouble, ok))
    assert detect_region(KEY, transport=upstream) == "cn"
    assert [url.split("/")[2] for url, _ in upstream.seen] == ["api.minimax.io", "api.minimaxi.com"]


@pytest.mark.parametrize("trouble", [failing(529), unreachable])
def test_an_undecided_probe_is_asked_again_next_time(clean_env, trouble) -> None:
    first = Upstream(by_host(trouble, refused))
    assert detect_region(KEY, transport=first) == "global", "China refused the key, so it is not China's"
    later = Upstream(by_host(ok, refused))
    assert detect_region(KEY, transport=later) == "global"
    assert len(later.seen) == 1, "the first answer was not remembered; this one is"
    assert client_module._auto_regions


# -- 12. a sturdy `helpers serve` -----------------------------------------------------------------------------


def _post(port: int, headers: dict[str, str], body: bytes = b"{}") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/v1/messages", body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def test_the_servers_log_is_bounded_and_holds_no_credentials(tmp_path) -> None:
    with ReplayServer(tmp_path) as server:
        for n in range(520):
            _post(server.port, {"x-api-key": KEY, "Authorization": f"Bearer {KEY}", "x-n": str(n)})
        assert len(server.requests) == 500
        assert server.requests[-1]["headers"]["x-n"] == "519"
        assert server.requests[-1]["key_sha256"] == hashlib.sha256(KEY.encode()).hexdigest()
        assert KEY not in repr(list(server.requests))


def test_the_servers_log_is_bounded_by_bytes_and_keeps_no_large_body(tmp_path) -> None:
    from helpers._replay.core import KEPT_BODY_BYTES, REQUEST_LOG_BYTES

    medium = b'{"messages": "' + b"x" * (KEPT_BODY_BYTES - 100) + b'"}'  # kept, just under the per-body limit
    with ReplayServer(tmp_path) as server:
        for n in range(REQUEST_LOG_BYTES // len(medium) + 8):
            assert _post(server.port, {"x-n": str(n)}, medium)[0] == 404
        held = sum(len(r["body"]["messages"]) for r in server.requests)
        assert held <= REQUEST_LOG_BYTES and server.requests.kept_bytes <= REQUEST_LOG_BYTES
        assert server.requests[-1]["headers"]["x-n"] == str(REQUEST_LOG_BYTES // len(medium) + 7), "newest kept"
        large = b'{"messages": "' + b"y" * (3 * KEPT_BODY_BYTES) + b'"}'
        assert _post(server.port, {"x-n": "large"}, large)[0] == 404
        last = server.requests[-1]
        assert last["headers"]["x-n"] == "large" and last["body_bytes"] == len(large)
        assert "not kept" in last["body"] and len(last["body"]) < 200
        server.requests.clear()
        assert len(server.requests) == 0 and server.requests.kept_bytes == 0 and not list(server.requests)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Host": "attacker.example:8765"}, 403),  # DNS rebinding: a page's own name resolving to 127.0.0.1
        ({"Host": "127.0.0.1.attacker.example"}, 403),
        ({"Origin": "https://attacker.example"}, 403),  # a cross-origin simple POST from a web page
        ({"Origin": "null"}, 403),
        ({"Host": "localhost:8765", "Origin": "http://localhost:8888"}, 404),  # a local page: answered
        ({"Host": "[::1]:8765"}, 404),
    ],
)
def test_the_server_answers_only_loopback_hosts_and_origins(tmp_path, headers, status) -> None:
    with ReplayServer(tmp_path) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.putrequest("POST", "/v1/messages", skip_host="Host" in headers)
        body = json.dumps(HELLO).encode()
        for name, value in {**headers, "content-length": str(len(body))}.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        answered = json.loads(response.read())
        connection.close()
        assert response.status == status, answered
        if status == 403:
            assert answered["error"]["type"] == "permission_error" and not server.requests, "refused before use"


def test_a_body_nested_100000_deep_is_answered_400(tmp_path) -> None:
    with ReplayServer(tmp_path) as server:
        status, data = _post(server.port, {"content-type": "application/json"}, b"[" * 100_000)
        assert status == 400 and "nests JSON too deeply" in json.loads(data)["error"]["message"]
        assert _post(server.port, {}, json.dumps(HELLO).encode())[0] == 404, "the server goes on answering"


def test_a_miss_from_the_server_names_no_absolute_folder(tmp_path) -> None:
    with ReplayServer(tmp_path) as server:
        status, data = _post(server.port, {}, json.dumps(HELLO).encode())
    message = json.loads(data)["error"]["message"]
    assert status == 404 and f"({tmp_path.name}/)" in message and str(tmp_path) not in message


def test_the_server_answers_40_simultaneous_new_connections(tmp_path) -> None:
    with ReplayServer(tmp_path) as server:
        sockets = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(40)]
        for s in sockets:
            s.sendall(b"GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answers = [s.recv(64) for s in sockets]
        for s in sockets:
            s.close()
    assert all(a.startswith(b"HTTP/1.1 404") for a in answers)
    assert server._httpd.request_queue_size >= 64


@pytest.mark.parametrize(("length", "status"), [("abc", 400), ("-5", 400), ("1e3", 400), (str(10**12), 413)])
def test_a_bad_content_length_is_answered(tmp_path, length, status) -> None:
    with ReplayServer(tmp_path) as server:
        assert _post(server.port, {"content-length": length}, b"")[0] == status


def test_a_body_shorter_than_its_content_length_frees_the_thread(tmp_path) -> None:
    with ReplayServer(tmp_path, read_timeout=0.5) as server:
        started = time.perf_counter()
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            s.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}")
            assert s.recv(64) == b"", "the server hung up on the silent client"
        assert time.perf_counter() - started < 5


@pytest.mark.parametrize("fault", ["overloaded:1000", "slow:nan", "slow:1e9", "cut:-1", "cut:abc", "slow:inf"])
def test_fault_headers_out_of_range_are_answered_400(tmp_path, fault) -> None:
    with ReplayServer(tmp_path) as server:
        started = time.perf_counter()
        status, body = _post(server.port, {"x-replay-fault": fault})
    assert status == 400 and b"Cannot read the fault" in body
    assert time.perf_counter() - started < 5


# -- 14 (last part). a stream that only drips keep-alives ends within its timeout ----------------------------


class _Dripping(BaseHTTPRequestHandler):
    """Starts a stream, then sends only `: keep-alive` comments (for at most 8 s)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        try:
            self.wfile.write(b"".join(sse(STREAM_EVENTS[:2])))
            for _ in range(80):
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            return


def test_a_stream_of_keep_alives_ends_within_its_timeout(clean_env, monkeypatch) -> None:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Dripping)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("MINIMAX_BASE_URL", f"http://127.0.0.1:{httpd.server_address[1]}")
        client = helpers.get_client(mode="live", api_key=KEY, quiet=True, timeout=1.0, max_retries=0)
        started = time.perf_counter()
        with pytest.raises(helpers.StreamInterrupted, match="keep-alives"):
            helpers.stream(client, **HELLO)
        assert time.perf_counter() - started < 4
    finally:
        httpd.shutdown()
        httpd.server_close()


# -- 13. replay waits are bounded, whatever a recording or a setting says --------------------------------------


@pytest.mark.parametrize("at", [1e9, float("inf"), "Infinity", "soon"])
def test_a_recorded_event_time_far_away_waits_at_most_20_seconds(monkeypatch, at) -> None:
    from support import replay_client_for

    import helpers._replay.core as core_module
    from helpers._replay.cassettes import Cassette

    slept: list[float] = []
    monkeypatch.setattr(core_module.time, "sleep", slept.append)
    events = [
        {"at": at if n == 2 else 0.01 * n, "event": name, "data": data} for n, (name, data) in enumerate(STREAM_EVENTS)
    ]
    events[-1]["at"] = 2e9 if at == 1e9 else events[-1]["at"]  # one more far-away event after it: no second long wait
    cassette = Cassette(
        request={"method": "POST", "path": "/v1/messages", "body": {**HELLO, "stream": True}},
        response={"status": 200, "headers": {"content-type": "text/event-stream"}, "events": events},
        source={"kind": "synthesized"},
    )
    client = replay_client_for([cassette], speed=1.0)
    text = "".join(
        e.delta.text for e in client.messages.create(**HELLO, stream=True) if e.type == "content_block_delta"
    )
    assert text == "Hi"
    assert slept and max(slept) <= 20.0 and sum(slept) <= 41.0


@pytest.mark.parametrize("speed", [1e-9, -1.0, float("nan"), float("inf")])
def test_a_nonsense_replay_speed_is_refused_before_anything_is_sent(clean_env, speed) -> None:
    with pytest.raises(ValueError, match=r"replay_speed|replay speed"):
        helpers.get_client(mode="replay", replay_speed=speed, quiet=True)
    with pytest.raises(ValueError, match=r"replay speed .* cannot be used"):
        ReplayServer(speed=speed)
