"""The replay server over real sockets: faults (529 then success, cut stream, slow first byte, malformed event),
per-request faults by header, loopback only, clean stop, the `serve` command, and the Node.js quick start."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import anthropic
import pytest
from support import missing

import helpers
from helpers.__main__ import main as helpers_main
from helpers.errors import explain
from helpers.server import FAULT_HEADER, Fault, ReplayServer, parse_fault

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "examples" / "node"
PROMPT = "In two sentences, why do we retry failed requests with backoff?"
PARAMS = {"model": "MiniMax-M2.1", "max_tokens": 1000, "messages": [{"role": "user", "content": PROMPT}]}


@pytest.fixture
def server() -> ReplayServer:
    with ReplayServer() as running:
        yield running


def client_for(server: ReplayServer, **options: object) -> anthropic.Anthropic:
    options.setdefault("api_key", "any-text")
    return anthropic.Anthropic(base_url=server.url, **options)


def test_sdk_retries_a_529_and_succeeds(server: ReplayServer) -> None:
    server.inject("overloaded")
    message = client_for(server, max_retries=2).messages.create(**PARAMS)
    assert message.stop_reason == "end_turn" and message.content[-1].type == "text"
    assert [r["headers"].get("x-stainless-retry-count") for r in server.requests] == ["0", "1"]


def test_529_beyond_the_retry_budget_is_raised_and_explained(server: ReplayServer) -> None:
    server.inject("overloaded", times=2)
    with pytest.raises(anthropic.APIStatusError) as caught:
        client_for(server, max_retries=1).messages.create(**PARAMS)
    assert caught.value.status_code == 529
    found = explain(caught.value)
    assert found.kind == "overloaded" and found.code == 2064 and "retried 1 time " in found.meaning


def test_cut_stream_raises_and_keeps_the_partial_content(server: ReplayServer) -> None:
    server.inject("cut", after=8)
    client = client_for(server, max_retries=0)
    seen: list[str] = []
    with pytest.raises(Exception) as caught, client.messages.stream(**PARAMS) as stream:
        for event in stream:
            seen.append(event.type)
    partial = stream.current_message_snapshot
    assert partial.content and partial.content[0].type == "thinking" and partial.content[0].thinking
    assert "message_stop" not in seen
    found = explain(caught.value)
    # On every SDK version (anthropic 2.17+ raises APIConnectionError here, earlier ones the HTTP library's error):
    # a cut, with what arrived kept, and never a claim that the SDK retried it.
    assert found.kind == "stream-cut" and found.retryable, found.text()
    assert "already retried" not in found.text() and "not retried" in found.next_step


def test_helpers_stream_reports_a_cut_as_a_connection_loss_over_real_sockets(server: ReplayServer, capsys) -> None:
    server.inject("cut", after=8)
    with pytest.raises(helpers.StreamInterrupted) as caught:
        helpers.stream(client_for(server, max_retries=0), **PARAMS)
    assert caught.value.kind == "connection", caught.value.reason
    assert "connection dropped" in caught.value.reason and "server sent" not in capsys.readouterr().out
    outer, inner = explain(caught.value), explain(caught.value.__cause__)
    assert outer.kind == inner.kind == "stream-cut"
    assert "already retried" not in outer.text() + inner.text()


def test_cut_json_body_is_a_connection_error(server: ReplayServer) -> None:
    server.inject(Fault("cut"))
    with pytest.raises(anthropic.APIConnectionError) as caught:
        client_for(server, max_retries=0).messages.create(**PARAMS)
    found = explain(caught.value)
    assert found.kind == "connection" and "already retried" not in found.text(), found.text()


def test_slow_first_byte_times_out_within_its_bound(server: ReplayServer) -> None:
    server.inject("slow", seconds=20)
    started = time.monotonic()
    with pytest.raises(anthropic.APITimeoutError) as caught:
        client_for(server, max_retries=0, timeout=0.5).messages.create(**PARAMS)
    elapsed = time.monotonic() - started
    print(f"timeout 0.5 s raised after {elapsed:.2f} s")
    assert elapsed < 10, "the timeout must fire long before the server's 20 s delay"
    assert explain(caught.value).kind == "timeout"


def test_malformed_event_raises(server: ReplayServer) -> None:
    server.inject("malformed", after=4)
    with pytest.raises(ValueError) as caught, client_for(server, max_retries=0).messages.stream(**PARAMS) as stream:
        stream.get_final_message()
    assert explain(caught.value).kind == "malformed"


def test_fault_by_request_header_applies_to_that_request_only(server: ReplayServer) -> None:
    client = client_for(server, max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as caught:
        client.messages.create(**PARAMS, extra_headers={FAULT_HEADER: "overloaded"})
    assert caught.value.status_code == 529
    assert client.messages.create(**PARAMS).stop_reason == "end_turn"


def test_faults_from_the_constructor_play_in_order() -> None:
    with ReplayServer(faults=["overloaded:2"]) as running:
        assert [f.kind for f in running.faults] == ["overloaded", "overloaded"]
        assert client_for(running, max_retries=2).messages.create(**PARAMS).stop_reason == "end_turn"
        assert len(running.requests) == 3 and running.faults == []


@pytest.mark.parametrize("spec", ["explode", "cut:many", "slow:soon"])
def test_unreadable_fault_specs_say_what_works(spec: str) -> None:
    with pytest.raises(ValueError, match="overloaded"):
        parse_fault(spec)


def test_listens_on_loopback_only_and_stops_cleanly() -> None:
    running = ReplayServer().start()
    assert running._httpd.server_address[0] == "127.0.0.1"
    port = running.port
    running.inject("slow", seconds=30)
    running.stop()
    assert running._thread is not None and not running._thread.is_alive()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/messages", data=b"{}", timeout=2)


def test_stop_wakes_the_server_instead_of_waiting_for_a_poll() -> None:
    """socketserver's serve_forever noticed a stop only at its next 0.5 s poll: ten servers took about 5 s."""
    started = time.perf_counter()
    for _ in range(10):
        ReplayServer().start().stop()
    assert time.perf_counter() - started < 1.5


def test_a_server_never_started_stops_and_frees_its_port() -> None:
    """stop() without start() used to wait forever for a serve loop that never ran (it runs in a thread here,
    so a regression fails the test instead of hanging the suite)."""
    idle = ReplayServer()
    port = idle.port
    stopper = threading.Thread(target=idle.stop, daemon=True)
    stopper.start()
    stopper.join(timeout=30)
    assert not stopper.is_alive(), "stop() hung on a server that was never started"
    idle.stop()  # twice is fine
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/messages", data=b"{}", timeout=2)
    with ReplayServer() as running, pytest.raises(RuntimeError, match="already started"):
        running.start()


def test_a_stream_in_progress_ends_when_the_server_stops() -> None:
    running = ReplayServer(speed=1.0).start()  # recorded pace: the stream takes seconds to play
    client = client_for(running, max_retries=0)
    seen: list[str] = []
    with client.messages.stream(**PARAMS) as stream:
        for event in stream:  # the server closes the connection: the body just ends, before message_stop
            seen.append(event.type)
            if event.type == "content_block_delta" and len(seen) == 5:
                running.stop()
    assert "content_block_delta" in seen and "message_stop" not in seen


# -- `python -m helpers serve` and other clients ---------------------------------------------------------


@pytest.fixture
def served() -> str:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "helpers", "serve", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = process.stdout.readline() if process.stdout else ""
        assert "http://127.0.0.1:" in first, first
        yield first.rsplit(" on ", 1)[1].strip()
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
        assert process.returncode == 0 and "Stopped." in err


@pytest.mark.slow  # a fresh interpreter
def test_serve_help_lists_port_and_faults() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "helpers", "serve", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0 and "--port" in done.stdout and "--fault" in done.stdout and "127.0.0.1" in done.stdout


@pytest.mark.parametrize("args", [["--port", "70000"], ["--port", "http"], ["--speed", "-1"]])
def test_serve_refuses_a_bad_port_or_speed_before_starting(args: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        helpers_main(["serve", *args])
    assert exited.value.code == 2 and "is not a" in capsys.readouterr().err


def test_serve_on_a_taken_port_says_so_without_a_traceback(capsys) -> None:
    with ReplayServer() as taken:
        assert helpers_main(["serve", "--port", str(taken.port)]) == 1
    err = capsys.readouterr().err
    assert f"Cannot listen on 127.0.0.1:{taken.port}" in err and "--port" in err and "Traceback" not in err


@pytest.mark.slow  # a server process
def test_serve_answers_a_plain_http_client(served: str) -> None:
    body = json.dumps(
        {
            "model": "MiniMax-M2.1",
            "max_tokens": 300,
            "messages": [{"role": "user", "content": "Say good morning in French."}],
            "metadata": {"user_id": "learner-42"},
        }
    ).encode()
    request = urllib.request.Request(
        f"{served}/v1/messages", data=body, headers={"content-type": "application/json", "x-api-key": "k"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.load(response)
    assert answer["content"][-1]["text"].strip() == "Bonjour !"


@pytest.mark.slow  # Node and a server process
def test_node_quick_start_runs_against_the_server(served: str) -> None:
    node = shutil.which("node")
    if node is None:
        missing("node", "Node.js is not installed: the Node quick start cannot run here")
    if not (NODE_DIR / "node_modules" / "@anthropic-ai" / "sdk").is_dir():
        missing("node", "the Node SDK is not installed: run `npm ci --prefix examples/node` first")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "MINIMAX_"))}
    env.update({"ANTHROPIC_BASE_URL": served, "ANTHROPIC_API_KEY": "any-text"})
    done = subprocess.run([node, "quickstart.mjs"], cwd=NODE_DIR, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Thinking:\n") and "Text:\n" in done.stdout and "doing well" in done.stdout


# -- any client: one key for what the API reads alike, and a miss that names the sender's way to go live ---------

SECRET = "sk-cp-never-echo-this-key-0123456789"


def post(server: ReplayServer, body: object, headers: dict[str, str], path: str = "/v1/messages") -> tuple[int, str]:
    """POST `body` as JSON with exactly these headers (and the secret key): the status and the error message."""
    request = urllib.request.Request(
        f"{server.url}{path}", data=json.dumps(body).encode(), headers={**headers, "x-api-key": SECRET}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)["content"][-1]["text"]
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)["error"]["message"]


HELLO_BLOCKS = {
    "max_tokens": 1000.0,  # as a host that prints every number as a float would send it
    "model": "MiniMax-M2.1",
    "system": [{"type": "text", "text": "You are a helpful assistant."}],
    "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi, how are you?"}]}],
}


def test_the_api_s_equivalent_forms_find_the_sdk_s_recording(server: ReplayServer) -> None:
    """Blocks for strings, keys in another order, 1000.0 for 1000: the recording the Anthropic SDK gets."""
    recorded = client_for(server).messages.create(
        model="MiniMax-M2.1",
        max_tokens=1000,
        system="You are a helpful assistant.",
        messages=[{"role": "user", "content": "Hi, how are you?"}],
    )
    status, text = post(server, HELLO_BLOCKS, {"content-type": "application/json"})
    assert status == 200 and text == recorded.content[-1].text


@pytest.mark.parametrize(
    ("headers", "names", "advice"),
    [
        ({"User-Agent": "curl/8.5.0"}, "curl", 'curl https://api.minimax.io/anthropic/v1/messages -H "x-api-key'),
        ({"User-Agent": "Python-urllib/3.11"}, "an HTTP client this server does not recognise", "x-api-key header"),
        ({"User-Agent": "Anthropic/JS 0.71.0", "x-stainless-lang": "js"}, "the Anthropic TypeScript SDK", "baseURL:"),
        ({"User-Agent": "litellm/1.110.2"}, "LiteLLM", "ANTHROPIC_API_BASE=https://api.minimax.io/anthropic"),
    ],
)
def test_a_miss_names_the_sender_and_its_way_to_go_live(
    server: ReplayServer, headers: dict[str, str], names: str, advice: str
) -> None:
    status, message = post(server, {**HELLO_BLOCKS, "max_tokens": 7}, {"content-type": "application/json", **headers})
    assert status == 404 and "max_tokens: recorded 1000, sent 7" in message
    assert f"Sent by {names} (User-Agent: {headers['User-Agent']})" in message and advice in message
    assert "needs no key" in message and SECRET not in message


def test_a_miss_from_the_python_sdk_names_its_base_url_and_the_notebooks_variable(server: ReplayServer) -> None:
    with pytest.raises(anthropic.NotFoundError) as caught:
        client_for(server, max_retries=0, api_key=SECRET).messages.create(**{**PARAMS, "max_tokens": 7})
    message = caught.value.message
    assert "Sent by the Anthropic Python SDK" in message
    assert 'base_url="https://api.minimax.io/anthropic"' in message and "ANTHROPIC_BASE_URL=" in message
    assert "MINIMAX_API_KEY" in message and SECRET not in message


def test_a_server_that_checks_keys_does_not_call_itself_keyless() -> None:
    with ReplayServer(api_keys={SECRET}) as running:
        status, message = post(running, {**HELLO_BLOCKS, "max_tokens": 7}, {"User-Agent": "curl/8.5.0"})
    assert status == 404 and "needs no key" not in message and "answers only recorded requests" in message


def test_a_wrong_path_is_told_the_base_url_this_server_takes(server: ReplayServer) -> None:
    status, message = post(server, HELLO_BLOCKS, {"User-Agent": "curl/8.5.0"}, path="/anthropic/messages")
    assert status == 404 and f"This server answers POST {server.url}/v1/messages" in message


@pytest.mark.slow  # a curl process
def test_real_curl_is_recognised(server: ReplayServer) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    body = json.dumps({**HELLO_BLOCKS, "max_tokens": 7})
    done = subprocess.run(
        [curl, "-s", f"{server.url}/v1/messages", "-H", "content-type: application/json", "-d", body],
        capture_output=True,
        text=True,
        timeout=30,
    )
    message = json.loads(done.stdout)["error"]["message"]
    assert "Sent by curl (User-Agent: curl/" in message and '-H "x-api-key: $MINIMAX_API_KEY"' in message
