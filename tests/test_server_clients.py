"""Third-party clients against the local stand-in (`helpers.server`), each installed from its package index and
writing requests its own way: LiteLLM (PyPI, in its own venv) and the Vercel AI SDK (npm, examples/node).

Each gets the recorded answer for a request the Anthropic SDK's recording answers (the same request to the
Messages API, written in the client's own shape), and a request with no recording gets the miss message naming
that client's way to go live. LiteLLM runs from `.ci/venv-clients` (or the interpreter in LITELLM_PYTHON):
    python3 -m venv .ci/venv-clients && .ci/venv-clients/bin/pip install -r tests/clients-requirements.txt
Outside CI these tests skip, saying so, when LiteLLM or Node.js is absent; REQUIRE=litellm (node) makes them fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import missing

from helpers._replay.cassettes import DEFAULT_ROOT, CassetteLibrary
from helpers.server import ReplayServer

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "examples" / "node"
CLIENTS_VENV = ROOT / ".ci" / "venv-clients"
SECRET = "sk-cp-never-echo-this-key-0123456789"
"""The key each client sends: no answer of the server may contain it."""
SYSTEM = "You are a helpful assistant."
HELLO = "Hi, how are you?"
WEATHER = "Compare the weather in Paris, Oslo and Lisbon right now. Where is it warmest?"

pytestmark = pytest.mark.slow  # other processes: a Python venv, Node.js


def recorded_text(body: dict[str, Any]) -> str:
    """The last text block of the recording that the Anthropic SDK's form of `body` finds (the expected answer)."""
    cassette = CassetteLibrary(DEFAULT_ROOT).find("POST", "/v1/messages", body)
    assert cassette is not None, f"no recording for {body}"
    return next(b["text"] for b in reversed(cassette.response["body"]["content"]) if b["type"] == "text")


def recorded_stream_text(body: dict[str, Any]) -> str:
    """The text deltas of the streamed recording that the Anthropic SDK's form of `body` finds, joined."""
    cassette = CassetteLibrary(DEFAULT_ROOT).find("POST", "/v1/messages", {**body, "stream": True})
    assert cassette is not None, f"no streamed recording for {body}"
    deltas = (e["data"].get("delta", {}) for e in cassette.response["events"] if "data" in e)
    return "".join(d.get("text", "") for d in deltas if d.get("type") == "text_delta")


HELLO_BODY = {
    "model": "MiniMax-M2.1",
    "max_tokens": 1000,
    "system": SYSTEM,
    "messages": [{"role": "user", "content": [{"type": "text", "text": HELLO}]}],
}
"""The request as the Anthropic SDK's recordings hold it (MiniMax's quick start, examples/node/quickstart.mjs)."""
HELLO_ANSWER = recorded_text(HELLO_BODY)
HELLO_STREAMED = recorded_stream_text(HELLO_BODY)


def client_env(**extra: str) -> dict[str, str]:
    """This environment without MiniMax or Anthropic settings (a learner's key must not leak into a test)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "MINIMAX_", "LITELLM_"))}
    return {**env, **extra}


@pytest.fixture
def server() -> Any:
    with ReplayServer() as running:
        yield running


# -- LiteLLM ---------------------------------------------------------------------------------------------

LITELLM_SCRIPT = r"""
import json, sys
import litellm

base, secret, system, hello, weather_prompt = sys.argv[1:6]
options = dict(model="anthropic/MiniMax-M2.1", api_base=base, api_key=secret, max_tokens=1000)
weather = {"Paris": "Paris: 14 °C, light rain", "Oslo": "Oslo: 3 °C, snow showers", "Lisbon": "Lisbon: 19 °C, sunny"}
tools = [{"type": "function", "function": {"name": "get_weather",
    "description": "Get the current weather in a city. Returns temperature and conditions.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string",
    "description": "The city name, e.g. Paris"}}, "required": ["city"]}}}]
out = {}

def attempt(name, run):
    try:
        out[name] = {"ok": run()}
    except Exception as error:
        out[name] = {"error": type(error).__name__, "message": str(error)}

hello_messages = [{"role": "system", "content": system}, {"role": "user", "content": hello}]
attempt("hello", lambda: litellm.completion(messages=hello_messages, **options).choices[0].message.content)
attempt("stream", lambda: "".join(c.choices[0].delta.content or ""
        for c in litellm.completion(messages=hello_messages, stream=True, **options)))

def tool_loop():
    messages = [{"role": "user", "content": weather_prompt}]
    calls = []
    for _ in range(3):
        message = litellm.completion(messages=messages, tools=tools, **options).choices[0].message
        messages.append(message.model_dump(exclude_none=True))
        if not message.tool_calls:
            return {"calls": calls, "text": message.content}
        for call in message.tool_calls:
            city = json.loads(call.function.arguments)["city"]
            calls.append(city)
            messages.append({"role": "tool", "tool_call_id": call.id, "content": weather[city]})
    return {"calls": calls, "text": None}

attempt("tools", tool_loop)
attempt("miss", lambda: litellm.completion(messages=[{"role": "user", "content": "Tell me about tides."}],
        **options).choices[0].message.content)
print("RESULT " + json.dumps(out))
"""


def litellm_python() -> Path:
    """The interpreter that has LiteLLM: LITELLM_PYTHON, else .ci/venv-clients; a skip (or, in CI, a failure)
    saying how to make it when there is none."""
    named = os.environ.get("LITELLM_PYTHON")
    python = (
        Path(named) if named else CLIENTS_VENV / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    )
    if not python.exists():
        missing(
            "litellm",
            f"LiteLLM is not installed for these tests ({python} is missing): python3 -m venv .ci/venv-clients && "
            ".ci/venv-clients/bin/pip install -r tests/clients-requirements.txt",
        )
    return python


@pytest.fixture(scope="module")
def litellm_run() -> Any:
    """One LiteLLM process against one server: its results by case, and the requests the server saw."""
    python = litellm_python()
    with ReplayServer() as running:
        env = client_env(LITELLM_LOCAL_MODEL_COST_MAP="True")  # never fetch the cost map from the internet
        args = [str(python), "-c", LITELLM_SCRIPT, running.url, SECRET, SYSTEM, HELLO, WEATHER]
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        requests = list(running.requests)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert done.returncode == 0 and line, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(line.removeprefix("RESULT ")), requests


def test_litellm_gets_the_recorded_answers(litellm_run: Any) -> None:
    results, requests = litellm_run
    assert results["hello"] == {"ok": HELLO_ANSWER}, results["hello"]
    assert results["stream"] == {"ok": HELLO_STREAMED}, results["stream"]
    loop = results["tools"].get("ok")
    assert loop and loop["calls"] == ["Paris", "Oslo", "Lisbon"] and "Lisbon" in loop["text"], results["tools"]
    # What makes this a test of the keying: LiteLLM writes these requests its own way, not the SDK's.
    first = requests[0]
    assert first["headers"].get("User-Agent", "").startswith("litellm/")
    assert first["body"]["system"] == [{"type": "text", "text": SYSTEM}]
    assert first["body"]["messages"][0]["content"] == [{"type": "text", "text": HELLO}]
    assert any(tool.get("type") == "custom" for r in requests for tool in r["body"].get("tools", []))


def test_litellm_miss_says_how_litellm_goes_live(litellm_run: Any) -> None:
    results, _ = litellm_run
    miss = results["miss"]
    assert miss.get("error") == "NotFoundError", miss
    text = miss["message"].replace('\\"', '"')  # LiteLLM quotes the server's JSON error body
    assert "not recorded" in text and "Sent by LiteLLM" in text
    assert 'api_base="https://api.minimax.io/anthropic"' in text and "ANTHROPIC_API_BASE=" in text
    assert "needs no key" in text and SECRET not in json.dumps(results)


# -- the Vercel AI SDK -----------------------------------------------------------------------------------


def node_script(script: str, base_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run one example of examples/node with MINIMAX_BASE_URL set (and the test's key), as a learner would."""
    node = shutil.which("node")
    if node is None:
        missing("node", "Node.js is not installed: the AI SDK examples cannot run here")
    if not (NODE_DIR / "node_modules" / "@ai-sdk" / "anthropic").is_dir():
        missing("node", "the AI SDK is not installed: run `npm ci --prefix examples/node` first")
    full = client_env(MINIMAX_BASE_URL=base_url, MINIMAX_API_KEY=SECRET, **env)
    return subprocess.run([str(node), script], cwd=NODE_DIR, env=full, capture_output=True, text=True, timeout=120)


def test_ai_sdk_example_gets_the_recorded_answer(server: ReplayServer) -> None:
    done = node_script("ai_sdk.mjs", f"{server.url}/v1")
    assert done.returncode == 0, done.stderr
    assert f"Text:\n{HELLO_ANSWER}\n" in done.stdout and done.stdout.startswith("Thinking:\n")
    (sent,) = server.requests
    assert "ai-sdk/" in sent["headers"]["user-agent"]
    assert sent["body"]["system"] == [{"type": "text", "text": SYSTEM}]
    assert sent["body"]["messages"][0]["content"] == [{"type": "text", "text": HELLO}]


def test_ai_sdk_tool_loop_replays_notebook_03(server: ReplayServer) -> None:
    done = node_script("ai_sdk_tools.mjs", f"{server.url}/v1")
    assert done.returncode == 0, done.stderr
    calls = [line for line in done.stdout.splitlines() if line.startswith("Tool call:")]
    assert calls == [f'Tool call: get_weather({{"city":"{city}"}})' for city in ("Paris", "Oslo", "Lisbon")]
    assert "Lisbon wins" in done.stdout
    assert server.requests[0]["body"]["tool_choice"] == {"type": "auto"}  # the AI SDK's own default, sent


def test_ai_sdk_miss_says_how_the_ai_sdk_goes_live(server: ReplayServer) -> None:
    done = node_script("ai_sdk.mjs", f"{server.url}/v1", PROMPT="Tell me about tides.")
    assert done.returncode == 1
    assert "404" in done.stderr and "Sent by the Vercel AI SDK" in done.stderr
    assert 'baseURL: \\"https://api.minimax.io/anthropic/v1\\"' in done.stderr and "apiKey" in done.stderr
    assert SECRET not in done.stdout + done.stderr


def test_ai_sdk_without_v1_is_told_the_base_url_it_needs(server: ReplayServer) -> None:
    """The AI SDK posts to `${baseURL}/messages`: the Anthropic SDK's base URL, given to it, misses /v1."""
    done = node_script("ai_sdk.mjs", server.url)
    assert done.returncode == 1 and server.requests[0]["path"] == "/messages"
    assert f"give the Vercel AI SDK the base URL {server.url}/v1" in done.stderr
