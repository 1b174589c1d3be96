"""helpers/_setup_hint.py: with a key but no reachable endpoint, each notebook's first live call fails with a few
lines saying what to check (not the SDK's long traceback), and never shows the key."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import anthropic
import httpx2
import pytest

from devtools.notebooks import environment, notebook_paths, replay_environment, run_notebook
from helpers import _setup_hint

CANARY = "sk-canary-setup-hint-5d21e0b7c4"
MAX_LINES = 5


@pytest.fixture(scope="module")
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that is bound (so nothing else takes it) but never listens: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_a_connection_error_reads_as_what_to_check() -> None:
    request = httpx2.Request("POST", "http://127.0.0.1:9/v1/messages")
    lines = _setup_hint.short_message(anthropic.APIConnectionError(request=request))
    assert len(lines) <= MAX_LINES
    assert lines[0] == "APIConnectionError: Could not reach the endpoint (POST http://127.0.0.1:9/v1/messages)"
    assert any(line.startswith("  Next step: Check the network and the base URL") for line in lines)
    assert "%tb" in lines[-1], "the full traceback stays one command away"


def test_a_refused_key_names_its_status() -> None:
    request = httpx2.Request("POST", "https://api.minimax.io/anthropic/v1/messages")
    response = httpx2.Response(401, request=request, json={"type": "error", "error": {"message": "invalid api key"}})
    error = anthropic.AuthenticationError("invalid api key", response=response, body=response.json())
    lines = _setup_hint.short_message(error)
    assert lines[0].startswith("AuthenticationError: ") and "HTTP 401" in lines[0]
    assert len(lines) <= MAX_LINES


def test_only_set_up_errors_are_handled() -> None:
    kinds = _setup_hint.setup_errors()
    assert issubclass(anthropic.APITimeoutError, kinds) and issubclass(anthropic.NotFoundError, kinds)
    assert not issubclass(anthropic.BadRequestError, kinds) and not issubclass(ValueError, kinds)


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", notebook_paths([*(f"0{n}_" for n in range(1, 7)), "zh-CN/0"]), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_each_notebooks_first_live_call_fails_in_a_few_lines(path, closed_port: int) -> None:
    pytest.importorskip("ipykernel")
    if "solutions" in path.parts:
        pytest.skip("the tutorials, not their solutions")
    env = replay_environment()
    env.update(MINIMAX_MODE="live", MINIMAX_API_KEY=CANARY, MINIMAX_BASE_URL=f"http://127.0.0.1:{closed_port}")
    with environment(env):
        nb, failed = run_notebook(path, timeout=120)
    assert failed and "APIConnectionError" in failed, f"expected the first live call to fail: {failed}"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert len(errors) == 1
    lines = "\n".join(errors[0].traceback).splitlines()
    assert len(lines) <= MAX_LINES, "\n".join(lines[:20])
    assert f"127.0.0.1:{closed_port}" in lines[0] and any("Next step:" in line for line in lines)
    assert CANARY not in str(nb), "the key is never shown"
