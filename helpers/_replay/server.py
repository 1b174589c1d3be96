"""`ReplayServer` (public as `helpers.server`): the recordings on 127.0.0.1 as a MiniMax-like endpoint that any
Anthropic client (Python, Node.js, curl, LiteLLM, the AI SDK) uses keyless, and the "live service" tests record
against (keys checked as MiniMax checks them). A thin HTTP adapter: every answer comes from the core, unmended."""

from __future__ import annotations

import contextlib
import selectors
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import browser
from .cassettes import DEFAULT_ROOT, CassetteLibrary, parse_body
from .clients import miss_advice
from .core import TOO_DEEP, Answer, Fault, ReplayCore, error_answer

LOOPBACK = "127.0.0.1"
MAX_BODY = 32 * 1024 * 1024
"""The largest request body read (bytes); MiniMax's own context window fits well inside it."""


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
"""The host names a request to this server may use (in Host, and in Origin when a browser sends one)."""


def _host_name(url: str) -> str | None:
    """The host name in a URL (an Origin, or "//" and a Host header), lower case; None if unreadable."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _foreign(headers: Any) -> str:
    """Why a request is refused (a Host that is not loopback: DNS rebinding; an Origin of another site: a web
    page posting across origins), or "" when it may be answered."""
    host = headers.get("host")
    if host is not None and _host_name(f"//{host}") not in LOOPBACK_NAMES:
        return (
            f"This local server answers only requests addressed to it on loopback (Host 127.0.0.1 or localhost), "
            f"not Host {host[:60]!r}. Use the base URL it printed, e.g. http://{LOOPBACK}:PORT."
        )
    origin = headers.get("origin")
    if origin is not None and _host_name(origin) not in LOOPBACK_NAMES:
        return (
            f"This local server does not answer web pages of other sites (Origin {origin[:60]!r}): only clients on "
            "this computer, or pages served from 127.0.0.1 or localhost."
        )
    return ""


class _QuietHTTPServer(ThreadingHTTPServer):
    """No traceback for a client that hangs up early (a timeout, a cut stream); a classroom's worth of connects."""

    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class ReplayServer:
    """Serve cassettes over HTTP on loopback, as a context manager or with start() and stop(); `read_timeout`:
    seconds a connection may stay silent (a client that sends less than its content-length)."""

    def __init__(
        self,
        root: Path = DEFAULT_ROOT,
        *,
        port: int = 0,
        speed: float = 0.0,
        api_keys: set[str] | None = None,
        faults: Iterable[Fault | str] = (),
        read_timeout: float = 30.0,
        reshape: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        label: bool = True,
        in_process: bool | None = None,
    ) -> None:
        """`reshape` and `label` as in ReplayCore (`label=False`: record-mode tests); `in_process` (default: in a
        browser, where nothing can listen): answer this process's clients at the URL without a socket (browser.py)."""
        keyless = api_keys is None
        self.core = ReplayCore(CassetteLibrary(root), speed=speed, api_keys=api_keys, reshape=reshape, label=label)
        self.core.advise = lambda headers, path: miss_advice(headers, path, self.url, keyless=keyless)
        for fault in faults:
            self.core.inject(fault)
        self.library, self.requests, self.faults = self.core.library, self.core.requests, self.core.faults
        """The recordings, the latest requests (no credentials: see ReplayCore.requests) and the queued faults."""
        self.read_timeout = read_timeout
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._in_process = browser.IN_BROWSER if in_process is None else in_process
        if self._in_process:
            self._port = browser.claim_port(port)
            return
        self._httpd = _QuietHTTPServer((LOOPBACK, port), _Handler)
        self._httpd.replay = self  # type: ignore[attr-defined]  # what the handler answers from
        self._httpd.daemon_threads = True
        self._wake_reader, self._wake_writer = socket.socketpair()  # stop() writes here: no polling

    @property
    def port(self) -> int:
        """The port it listens on (the one the system picked when built with port=0)."""
        return self._port if self._in_process else int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL for a client: `ANTHROPIC_BASE_URL` or `base_url=`."""
        return f"http://{LOOPBACK}:{self.port}"

    def inject(self, fault: Fault | str, **options: Any) -> ReplayServer:
        """Queue a fault for the next request, as `ReplayCore.inject` does (`inject("cut", after=5)`)."""
        self.core.inject(fault, **options)
        return self

    def start(self) -> ReplayServer:
        """Serve in a background thread (daemon: it never keeps Python alive)."""
        if self._thread is not None:
            raise RuntimeError("This ReplayServer was already started; build a new one to serve again.")
        self._thread = threading.Thread(target=self._serve, name="replay-server", daemon=True)
        if self._in_process:
            browser.install()
            browser.register(self.url, self.core, self._stopping)
            return self
        self._thread.start()
        return self

    def _serve(self) -> None:
        """Answer requests until stop(): wait on the listening socket and the wake-up socket together, so
        stopping takes no poll interval (socketserver's serve_forever looks for a stop every 0.5 s)."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._httpd, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._httpd and not self._stopping.is_set():
                        self._httpd.handle_request()  # the socket is ready: this accepts without waiting

    def stop(self) -> None:
        """Stop serving and free the port; streams in progress end at their next event. Safe to call twice."""
        self._stopping.set()
        if self._in_process:
            browser.unregister(self.url)
            return
        if self._thread is not None:
            with contextlib.suppress(OSError):  # already stopped: the socket is closed
                self._wake_writer.send(b"x")  # wakes _serve at once
            self._thread.join(timeout=5)
        self._httpd.server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def __enter__(self) -> ReplayServer:
        """Start serving; the `with` block's end stops it."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    """HTTP in and out; what to answer comes from the server's ReplayCore."""

    protocol_version = "HTTP/1.1"
    replay: ReplayServer

    def setup(self) -> None:
        """Bind to the server's ReplayServer; a client silent for its `read_timeout` gives its thread back."""
        self.replay = self.server.replay  # type: ignore[attr-defined]
        self.timeout = self.replay.read_timeout  # type: ignore[misc]
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: tests and notebooks read stdout

    def do_POST(self) -> None:
        length = self._body_length()
        if length is None:
            return
        data = self.rfile.read(length)
        if len(data) < length:  # the client stopped sending (timeout) or hung up
            self.close_connection = True
            return
        refusal = _foreign(self.headers)
        if refusal:
            self._send(error_answer(403, "permission_error", refusal))
            return
        try:
            body = parse_body(data)
            del data  # the bytes are not needed once parsed: a large body is held once, not twice
            answer = self.replay.core.serve("POST", self.path, body, self.headers.items(), size=length)
        except RecursionError:  # e.g. 100,000 "[": json (and matching) recurse once per level
            answer = error_answer(400, "bad_request_error", TOO_DEEP)
        self._send(answer)

    def do_GET(self) -> None:
        refusal = _foreign(self.headers)
        if refusal:
            self._send(error_answer(403, "permission_error", refusal))
            return
        # models.list() answers 404 on MiniMax's endpoint (docs/sources.md): so does this server.
        self._send(error_answer(404, "not_found_error", "404 page not found"))

    def _body_length(self) -> int | None:
        """The content-length, checked; None (after answering 400 or 413) when it cannot be used."""
        raw = (self.headers.get("content-length") or "0").strip()
        too_big = raw.isdigit() and int(raw) > MAX_BODY
        if raw.isdigit() and not too_big:
            return int(raw)
        self.close_connection = True
        if too_big:
            self._send(error_answer(413, "bad_request_error", f"the request body is larger than {MAX_BODY >> 20} MiB"))
            return None
        message = f"content-length {raw[:30]!r} is not a whole number of bytes"
        self._send(error_answer(400, "bad_request_error", message))
        return None

    def _send(self, answer: Answer) -> None:
        """Send an answer: a body with its content-length, or a stream (chunked when a fault breaks it, so a cut
        shows as an incomplete body; else ended by closing the connection, as MiniMax does)."""
        if answer.delay and self.replay._stopping.wait(answer.delay):
            self.close_connection = True  # stopped during a slow fault's wait: send nothing
            return
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        chunked = answer.events is not None and answer.fault is not None
        if answer.events is None:
            self.send_header("content-length", str(answer.content()[1]))
        else:
            self.send_header("cache-control", "no-cache")
            self.send_header(*(("transfer-encoding", "chunked") if chunked else ("connection", "close")))
        self.end_headers()
        self.close_connection = self.close_connection or answer.events is not None or answer.fault is not None
        for data in answer.chunks(self.replay._stopping):
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data)
            self.wfile.flush()
        if chunked and answer.complete:
            self.wfile.write(b"0\r\n\r\n")


def serve(
    *,
    port: int = 8765,
    speed: float = 0.0,
    root: Path = DEFAULT_ROOT,
    faults: Iterable[str] = (),
    api_keys: set[str] | None = None,
) -> int:
    """`python -m helpers serve`: run a ReplayServer in the foreground until Ctrl-C or SIGTERM, then stop cleanly."""
    server = ReplayServer(root, port=port, speed=speed, api_keys=api_keys, faults=faults)
    done = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: done.set())
    server.start()
    print(f"Replaying {len(server.library)} recordings from {root} on {server.url}", flush=True)
    print(f"  export ANTHROPIC_BASE_URL={server.url}", flush=True)
    print("  export ANTHROPIC_API_KEY=any-text   # " + ("checked" if api_keys else "not checked: keyless"), flush=True)
    print(f"  (LiteLLM: api_base={server.url}; the Vercel AI SDK: baseURL {server.url}/v1)", flush=True)
    print("Ctrl-C stops the server.", flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            while not done.wait(0.2):
                pass
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
        print("Stopped.", file=sys.stderr, flush=True)
    return 0
