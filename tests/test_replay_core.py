"""The replay core (`helpers/_replay/core.py`): one core behind both replay engines, usable in-process with no
sockets (as the browser edition will use it), with the stand-in's key check, faults and log, and the same bytes
over HTTP as in-process."""

from __future__ import annotations

import ast
import hashlib
import http.client
import json
import socket
from pathlib import Path

import pytest

from helpers._replay import core as core_module
from helpers._replay.cassettes import DEFAULT_ROOT, CassetteLibrary
from helpers._replay.clients import miss_advice
from helpers._replay.core import FAULT_HEADER, MALFORMED_EVENT, ReplayCore
from helpers._replay.transport import ReplayTransport
from helpers.server import ReplayServer

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "In two sentences, why do we retry failed requests with backoff?"
BODY = {"model": "MiniMax-M2.1", "max_tokens": 1000, "messages": [{"role": "user", "content": PROMPT}]}
STREAM = {**BODY, "stream": True}
KEY = "sk-core-test-key-0123456789"


@pytest.fixture(scope="module")
def library() -> CassetteLibrary:
    return CassetteLibrary(DEFAULT_ROOT)


def test_an_in_process_caller_gets_every_answer_with_no_socket(library, monkeypatch) -> None:
    def no_sockets(*args: object, **kwargs: object) -> None:
        raise AssertionError("the replay core opened a socket")

    monkeypatch.setattr(socket, "socket", no_sockets)
    core = ReplayCore(library)
    answer = core.serve("POST", "/v1/messages", BODY, {"X-Api-Key": KEY})
    assert answer.status == 200 and answer.headers["content-type"] == "application/json"
    assert json.loads(answer.body or b"")["content"][-1]["type"] == "text"
    streamed = core.serve("POST", "/anthropic/v1/messages?beta=true", STREAM, [("x-api-key", KEY)])
    wire = b"".join(streamed.chunks())
    assert streamed.body is None and wire.startswith(b"event: message_start\n") and b"event: message_stop" in wire
    missed = core.serve("POST", "/v1/messages", {**BODY, "max_tokens": 7}, {"User-Agent": "curl/8.5.0"})
    assert missed.status == 404 and missed.miss and "max_tokens: recorded 1000, sent 7" in missed.miss
    assert json.loads(missed.body or b"")["error"]["message"] == missed.miss


def test_the_stand_in_s_rules_hold_in_process(library) -> None:
    core = ReplayCore(library, api_keys={KEY})
    assert core.serve("POST", "/v1/messages", BODY, {}).status == 401
    assert core.serve("POST", "/v1/messages", BODY, {"Authorization": "Bearer wrong-key"}).status == 401
    assert core.serve("POST", "/v1/messages", BODY, {"Authorization": f"Bearer {KEY}"}).status == 200
    bad = core.serve("POST", "/v1/messages", BODY, {"x-api-key": KEY, FAULT_HEADER: "slow:1e9"})
    assert bad.status == 400 and b"Cannot read the fault" in (bad.body or b"")
    assert len(core.requests) == 4 and KEY not in repr(list(core.requests))
    assert core.requests[-1]["key_sha256"] == hashlib.sha256(KEY.encode()).hexdigest()


def test_faults_apply_in_process_as_over_http(library) -> None:
    core = ReplayCore(library)
    for spec in ("overloaded", "slow:1.5", "cut:4", "malformed:2", "cut"):
        core.inject(spec)
    assert core.serve("POST", "/v1/messages", BODY, {}).status == 529
    assert core.serve("POST", "/v1/messages", BODY, {}).delay == 1.5
    whole = list(core.answer("POST", "/v1/messages", STREAM).chunks())
    cut = core.serve("POST", "/v1/messages", STREAM, {})
    assert list(cut.chunks()) == whole[:4] and not cut.complete
    malformed = list(core.serve("POST", "/v1/messages", STREAM, {}).chunks())
    assert malformed == [*whole[:2], MALFORMED_EVENT, *whole[2:]]
    sent, promised = core.serve("POST", "/v1/messages", BODY, {}).content()
    assert promised > len(sent) > 0, "a cut JSON body promises more than it sends"
    assert core.serve("POST", "/v1/messages", BODY, {}).fault is None, "each fault is for one request"


def _raw_post(server: ReplayServer, body: object) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/v1/messages", body=json.dumps(body), headers={"x-api-key": KEY})
    data = connection.getresponse().read()
    connection.close()
    return data


def test_the_server_sends_the_core_s_bytes_unmended(library) -> None:
    """The stand-in sends what the recording holds (the transport mends streams for the SDK; the server does not)."""
    expected = ReplayCore(library).answer("POST", "/v1/messages", STREAM)
    with ReplayServer() as server:
        assert _raw_post(server, STREAM) == b"".join(expected.chunks())
        assert _raw_post(server, BODY) == ReplayCore(library).answer("POST", "/v1/messages", BODY).body


def test_both_engines_answer_through_the_core_and_only_it_looks_recordings_up(library) -> None:
    server = ReplayServer()
    try:
        assert isinstance(server.core, ReplayCore) and server.core.requests is server.requests
    finally:
        server.stop()
    assert isinstance(ReplayTransport(library=library).core, ReplayCore)
    for adapter in ("helpers/_replay/server.py", "helpers/_replay/transport.py"):
        text = (ROOT / adapter).read_text(encoding="utf-8")
        for logic in (".find(", "explain_miss", "encode_event", "Pacer(", "recognise(", "auth_error_body("):
            assert logic not in text, f"{adapter} repeats the core's {logic!r}: call helpers._replay.core instead"


def test_no_function_in_the_replay_engines_is_over_60_lines() -> None:
    files = [ROOT / "helpers/server.py", *sorted((ROOT / "helpers/_replay").glob("*.py"))]
    functions = sorted(
        ((node.end_lineno or 0) - node.lineno + 1, f"{path.name}:{node.name}")
        for path in files
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    )
    lines = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in files)
    print(f"helpers/server.py + helpers/_replay/: {lines} lines, {len(functions)} functions")
    assert functions[-1][0] <= 60, functions[-3:]


def test_the_miss_advice_is_the_server_s_and_the_transport_keeps_the_notebooks_own(library) -> None:
    core = ReplayCore(library, advise=lambda headers, path: miss_advice(headers, path, "http://x", keyless=True))
    headers = {"user-agent": "litellm/1.110.2"}
    assert "LiteLLM" in (core.answer("POST", "/v1/messages", {**BODY, "max_tokens": 7}, headers).miss or "")
    plain = ReplayCore(library).answer("POST", "/v1/messages", {**BODY, "max_tokens": 7}, headers).miss or ""
    assert "LiteLLM" not in plain and "MINIMAX_" in plain
    assert core_module.SOURCE_HEADER not in ReplayCore(library).answer("POST", "/v1/messages", BODY).headers
