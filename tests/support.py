"""Small shared pieces of the test suite."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import types
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest

from helpers._replay.cassettes import Cassette, CassetteLibrary
from helpers._replay.transport import IteratorStream, make_http_client, make_transport

ReplayClient = Callable[..., anthropic.Anthropic]
"""The `replay_client` fixture (tests/conftest.py): builds a client answering from cassettes."""
ScriptedClient = Callable[..., anthropic.Anthropic]
"""The `scripted_client` fixture: builds a client whose requests get scripted answers."""
ScriptedTransport = Callable[..., Any]
"""The `scripted_transport` fixture: builds a MockTransport giving scripted answers."""


def load_file(path: Path) -> Any:
    """Import a Python file that is not in a package (scripts/start.py, jupyter-config/...), as its runner would."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stand_in_colab_module(monkeypatch: pytest.MonkeyPatch, name: str, **attributes: object) -> types.ModuleType:
    """Install `google.colab.<name>` (userdata, drive) with `attributes`, and the `google.colab` and `google`
    packages above it, for the duration of one test: Colab's own modules, as the code under test imports them."""
    module = types.ModuleType(f"google.colab.{name}")
    for attribute, value in attributes.items():
        setattr(module, attribute, value)
    colab = types.ModuleType("google.colab")
    setattr(colab, name, module)
    google = types.ModuleType("google")
    google.colab = colab  # type: ignore[attr-defined]
    for dotted, installed in (("google", google), ("google.colab", colab), (module.__name__, module)):
        monkeypatch.setitem(sys.modules, dotted, installed)
    return module


def missing(feature: str, reason: str) -> None:
    """Skip a test whose tool is absent here, but fail it where CI requires the feature
    (REQUIRE=node,browser): a missing install step must not pass as a skip."""
    required = {f.strip() for f in os.environ.get("REQUIRE", "").split(",") if f.strip()}
    if feature in required:
        pytest.fail(f"{reason} (and REQUIRE={os.environ['REQUIRE']} says it must run here)")
    pytest.skip(reason, allow_module_level=True)


def stop_process(process: subprocess.Popen[Any], timeout: float) -> None:
    """Stop a server a test started: ask it to end, and kill it if it has not within `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def sdk_client(transport: Any, **options: Any) -> anthropic.Anthropic:
    """An `anthropic.Anthropic` over `transport`, through the SDK's default HTTP client (as get_client builds it)."""
    options.setdefault("api_key", "test-key")
    options.setdefault("base_url", "https://api.minimax.io/anthropic")
    options.setdefault("max_retries", 0)
    return anthropic.Anthropic(http_client=make_http_client(transport), **options)


def replay_client_for(
    source: CassetteLibrary | Path | Cassette | Iterable[Cassette],
    *,
    speed: float = 0.0,
    observer: Callable[[dict[str, Any]], None] | None = None,
    **options: Any,
) -> anthropic.Anthropic:
    """A client answering from a CassetteLibrary, a folder of cassettes, or cassettes held in memory, through
    the real ReplayTransport (the `replay_client` fixture)."""
    if isinstance(source, CassetteLibrary):
        library = source
    elif isinstance(source, Path):
        library = CassetteLibrary(source)
    else:
        library = CassetteLibrary(Path("/nonexistent"))
        library.add([source] if isinstance(source, Cassette) else source)
    transport = make_transport(mode="replay", library=library, speed=speed, observer=observer)
    return sdk_client(transport, **options)


def scripted_response(answer: Any, request: Any) -> Any:
    """One scripted answer as a response: a dict is a 200 JSON body, `(status, body)` an error, bytes or a
    list/iterator of byte chunks an SSE stream, a callable is called with the request."""
    if callable(answer):
        return answer(request)
    if isinstance(answer, dict):
        return httpx2.Response(200, json=answer, request=request)
    if isinstance(answer, tuple):
        status, body = answer
        return httpx2.Response(status, json=body, request=request)
    chunks = iter([answer] if isinstance(answer, bytes) else answer)
    headers = {"content-type": "text/event-stream"}
    return httpx2.Response(200, headers=headers, stream=IteratorStream(chunks), request=request)


def scripted_transport_for(*answers: Any) -> Any:
    """An httpx2 MockTransport answering each request with the next answer (see `scripted_response`);
    one answer alone answers every request. A request beyond the script fails the test (the
    `scripted_transport` fixture)."""
    pending = list(answers)

    def handler(request: Any) -> Any:
        if len(answers) == 1:
            return scripted_response(answers[0], request)
        if not pending:
            raise AssertionError(f"one request more than the {len(answers)} scripted answers")
        return scripted_response(pending.pop(0), request)

    return httpx2.MockTransport(handler)


def scripted_client_for(*answers: Any, **options: Any) -> anthropic.Anthropic:
    """An `anthropic.Anthropic` over `scripted_transport_for(*answers)` (the `scripted_client` fixture)."""
    return sdk_client(scripted_transport_for(*answers), **options)
