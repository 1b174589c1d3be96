"""What differs under Pyodide (the browser edition), in one place: no sockets, so `install()` answers a running
stand-in's URL in-process from its core (`route`, in front of httpx2's fetch transport); streamed chunks as bytes
(httpx2-jsfetch yields memoryviews); its cosmetic transport-option warning off; and no live call from a page
(MiniMax's CORS preflight refuses the `x-api-key` header: `LIVE_IN_BROWSER`)."""

from __future__ import annotations

import itertools
import sys
import threading
import warnings
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx2

from .._settings import ConfigError, FoundKey, NoKey
from .cassettes import parse_body
from .core import TOO_DEEP, Answer, ReplayCore, error_answer
from .transport import IteratorStream

IN_BROWSER = sys.platform == "emscripten"
LIVE_IN_BROWSER = (
    "This notebook runs in your browser (JupyterLite), which cannot call MiniMax live: MiniMax's endpoint is "
    "reported not to allow the x-api-key header in the browser's CORS check, so the browser would refuse the "
    "call. Your key is not sent anywhere; the notebook stays on its recordings. To call MiniMax live, run the "
    "notebook in Python on your computer (python3 scripts/start.py), in Colab, or on a Jupyter server."
)
IGNORED_OPTIONS = r"The following transport option\(s\) are not supported on Emscripten"

_servers: dict[str, tuple[ReplayCore, threading.Event]] = {}
_ports = itertools.count(8765)
_lock = threading.Lock()


def claim_port(port: int) -> int:
    """A port for an in-process stand-in: the one asked for, else the next one no running stand-in uses."""
    with _lock:
        while not port or f"127.0.0.1:{port}" in _servers:
            port = next(_ports)
        return port


def register(url: str, core: ReplayCore, stopping: threading.Event) -> None:
    """Answer requests to `url` (http://127.0.0.1:PORT) from `core` until `unregister(url)`."""
    with _lock:
        _servers[urlsplit(url).netloc] = (core, stopping)


def unregister(url: str) -> None:
    """Stop answering requests to `url`."""
    with _lock:
        _servers.pop(urlsplit(url).netloc, None)


def route(request: httpx2.Request) -> httpx2.Response | None:
    """The in-process answer when `request` goes to a running stand-in's URL, else None (send it as usual)."""
    with _lock:
        found = (
            _servers.get(f"127.0.0.1:{request.url.port}") if request.url.host in ("127.0.0.1", "localhost") else None
        )
    if found is None:
        return None
    core, stopping = found
    try:
        body = parse_body(request.read())
        answer = core.serve(request.method, request.url.path, body, request.headers.items(), size=len(request.content))
    except RecursionError:
        answer = error_answer(400, "bad_request_error", TOO_DEEP)
    return respond(answer, request, stopping)


def _body(answer: Answer, request: httpx2.Request, stopping: threading.Event) -> Iterator[bytes]:
    """An answer's bytes as a server would send them: a cut ends them early, as a closed connection does."""
    yield from answer.chunks(stopping)
    if not answer.complete:
        data, promised = answer.content()
        sent = (
            f"received {len(data)} bytes, expected {promised}" if answer.events is None else "incomplete chunked read"
        )
        message = f"peer closed connection without sending complete message body ({sent})"
        raise httpx2.RemoteProtocolError(message, request=request)


def respond(answer: Answer, request: httpx2.Request, stopping: threading.Event) -> httpx2.Response:
    """The httpx2 response for a core's answer, streamed at the recorded pace, after a slow fault's wait (past the
    request's read timeout: the timeout a client sees)."""
    timeout = (request.extensions.get("timeout") or {}).get("read")
    if timeout is not None and answer.delay > timeout:
        stopping.wait(timeout)
        raise httpx2.ReadTimeout("timed out", request=request)
    stopping.wait(answer.delay)
    headers = dict(answer.headers)
    if answer.events is None and answer.fault is None:
        headers["content-length"] = str(len(answer.body or b""))
    return httpx2.Response(
        answer.status, headers=headers, stream=IteratorStream(_body(answer, request, stopping)), request=request
    )


class RoutedTransport(httpx2.BaseTransport):
    """`route` in front of another transport (what `install` does to the browser's fetch transport)."""

    def __init__(self, upstream: httpx2.BaseTransport) -> None:
        self.upstream = upstream

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return route(request) or self.upstream.handle_request(request)


def keyless(found: FoundKey | NoKey, mode: str) -> FoundKey | NoKey:
    """In a browser, a key found is set aside, never sent: auto mode replays with a note saying why (live and
    record refuse with the same words). Elsewhere `found` as it is."""
    if not IN_BROWSER or not isinstance(found, FoundKey) or mode == "replay":
        return found
    if mode in ("live", "record"):
        raise ConfigError(f"mode={mode!r}: {LIVE_IN_BROWSER}")
    return NoKey(notes=(LIVE_IN_BROWSER,), source=f"{found.source}, set aside in the browser")


def install() -> None:
    """In the browser only (once): the stand-in's route, streamed chunks as bytes, the cosmetic warning off."""
    if not IN_BROWSER:
        return
    import httpx2_jsfetch  # type: ignore[import-not-found]  # httpx2's transport on Emscripten

    fetch = httpx2_jsfetch.JavascriptFetchTransport
    if getattr(fetch, "_replay_routed", False):
        return
    sent = fetch.handle_request
    fetch.handle_request = lambda self, request: route(request) or sent(self, request)
    fetch._replay_routed = True
    chunks = httpx2_jsfetch.EmscriptenStream.__iter__
    httpx2_jsfetch.EmscriptenStream.__iter__ = lambda self: (bytes(chunk) for chunk in chunks(self))
    warnings.filterwarnings("ignore", message=IGNORED_OPTIONS, category=UserWarning)
