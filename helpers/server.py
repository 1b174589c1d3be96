"""A local MiniMax-like endpoint on 127.0.0.1 that answers from the cassettes.

It lets any Anthropic client (Python, Node.js, curl) run keyless with `ANTHROPIC_BASE_URL=http://127.0.0.1:PORT`,
and it is the "live service" the tests record against: it checks keys the way MiniMax does (a missing key
or a wrong one answers 401 in MiniMax's error envelope) and streams at the recorded pace.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import selectors
import signal
import socket
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from ._replay import sse
from ._replay.cassettes import DEFAULT_ROOT, Cassette, CassetteLibrary, api_path, parse_body
from ._replay.error_body import auth_error_body, error_body
from ._replay.transport import SOURCE_HEADER

LOOPBACK = "127.0.0.1"
FAULT_HEADER = "x-replay-fault"
"""A request header that asks this server for a fault on that one request (e.g. `cut:5`), from any client."""

FAULT_KINDS = ("overloaded", "cut", "slow", "malformed")
OVERLOADED_MESSAGE = (
    "The server cluster is currently under high load. Please retry after a short wait and thank you for "
    "your patience. (2064) (529)"
)


@dataclass(frozen=True)
class Fault:
    """One injected failure, for the next request.

    overloaded: answer 529 in MiniMax's envelope instead (the SDK retries it).
    cut: close the connection after `after` stream events (or halfway through a JSON body).
    slow: wait `seconds` before sending anything (the first byte is late: timeouts).
    malformed: after `after` stream events, send one event whose data is not JSON.
    """

    kind: str
    after: int = 3
    seconds: float = 2.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault {self.kind!r}. Use one of {', '.join(FAULT_KINDS)}.")


FAULT_LIMITS = {"times": (1, 100), "after": (0, 100_000), "seconds": (0.0, 60.0)}
"""The range of each fault option: a fault header comes from any client, and must not stall or flood the server."""


def _bounded(value: str, kind: type, limit: str, default: float) -> float:
    """`value` as a number of `kind` inside FAULT_LIMITS[limit] (ValueError outside it, NaN included)."""
    number = kind(value) if value.strip() else default
    low, high = FAULT_LIMITS[limit]
    if not low <= number <= high:  # also false for NaN
        raise ValueError(f"{limit} must be from {low} to {high}")
    return number


def parse_fault(spec: str) -> list[Fault]:
    """Faults from a short spec: `overloaded[:times]`, `cut[:after_events]`, `slow[:seconds]`, `malformed[:after]`,
    each option inside FAULT_LIMITS."""
    kind, _, arg = spec.strip().partition(":")
    kind = kind.strip().lower()
    why = ""
    try:
        if kind == "overloaded":
            return [Fault("overloaded")] * int(_bounded(arg, int, "times", 1))
        if kind in ("cut", "malformed"):
            return [Fault(kind, after=int(_bounded(arg, int, "after", 3)))]
        if kind == "slow":
            return [Fault("slow", seconds=_bounded(arg, float, "seconds", 2.0))]
    except ValueError as error:
        why = f" ({error})" if "must be" in str(error) else ""
    raise ValueError(
        f"Cannot read the fault {spec[:60]!r}{why}. Use overloaded[:times 1-100], cut[:after_events], "
        "slow[:seconds 0-60] or malformed[:after_events], e.g. 'overloaded:1' or 'cut:5'."
    )


REQUEST_LOG_SIZE = 500
"""How many requests `ReplayServer.requests` keeps (the latest): a classroom server runs for hours."""
MAX_BODY = 32 * 1024 * 1024
"""The largest request body read (bytes); MiniMax's own context window fits well inside it."""
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "cookie", "proxy-authorization")


def _logged(path: str, headers: Any, body: Any) -> dict[str, Any]:
    """One request as the log keeps it: credentials never (only a SHA-256 fingerprint of the key sent)."""
    auth = headers.get("Authorization", "")
    key = auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get("x-api-key", "")
    return {
        "path": path,
        "headers": {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS},
        "key_sha256": hashlib.sha256(key.encode()).hexdigest() if key else None,
        "body": body,
    }


LIVE_BASE = "https://api.minimax.io/anthropic"
"""MiniMax's Anthropic-compatible route (global; China: https://api.minimaxi.com/anthropic)."""


@dataclass(frozen=True)
class Client:
    """A kind of client, recognised from its request headers, and how that client goes live.

    `local_base`: the base URL that client takes for this server ({url}: the server's). `live`: how to point it
    at MiniMax with a key (a placeholder or a variable name; never a key)."""

    name: str
    live: str
    local_base: str = "{url}"


GENERIC_CLIENT = Client(
    "an HTTP client this server does not recognise",
    f"point its base URL at {LIVE_BASE} (requests go to {LIVE_BASE}/v1/messages) and send your MiniMax key in "
    "the x-api-key header (or Authorization: Bearer <key>).",
)
CLIENTS: tuple[tuple[Callable[[str, str], bool], Client], ...] = (
    (
        lambda agent, lang: agent.startswith("litellm/"),
        Client(
            "LiteLLM",
            f'litellm.completion(model="anthropic/MiniMax-M2.1", api_base="{LIVE_BASE}", '
            'api_key=os.environ["MINIMAX_API_KEY"], ...), or export '
            f"ANTHROPIC_API_BASE={LIVE_BASE} and ANTHROPIC_API_KEY=<your MiniMax key> (LiteLLM adds /v1/messages).",
        ),
    ),
    (
        lambda agent, lang: "ai-sdk/" in agent,
        Client(
            "the Vercel AI SDK",
            f'createAnthropic({{ baseURL: "{LIVE_BASE}/v1", apiKey: process.env.MINIMAX_API_KEY }}) '
            f"(the AI SDK's baseURL ends in /v1), or ANTHROPIC_BASE_URL={LIVE_BASE}/v1 and "
            "ANTHROPIC_API_KEY=<your MiniMax key>.",
            "{url}/v1",
        ),
    ),
    (
        lambda agent, lang: lang == "python" or agent.startswith("anthropic/python"),
        Client(
            "the Anthropic Python SDK",
            f'anthropic.Anthropic(base_url="{LIVE_BASE}", api_key=os.environ["MINIMAX_API_KEY"]), or export '
            f"ANTHROPIC_BASE_URL={LIVE_BASE} and ANTHROPIC_API_KEY=<your MiniMax key>; clients built on it "
            "(LangChain's ChatAnthropic, pydantic-ai) take the same base_url and api_key. In this collection's "
            "notebooks, setting MINIMAX_API_KEY is enough.",
        ),
    ),
    (
        lambda agent, lang: lang == "js" or agent.startswith("anthropic/js"),
        Client(
            "the Anthropic TypeScript SDK",
            f'new Anthropic({{ baseURL: "{LIVE_BASE}", apiKey: process.env.MINIMAX_API_KEY }}), or '
            f"ANTHROPIC_BASE_URL={LIVE_BASE} and ANTHROPIC_API_KEY=<your MiniMax key>.",
        ),
    ),
    (
        lambda agent, lang: agent.startswith("curl/"),
        Client(
            "curl",
            f'curl {LIVE_BASE}/v1/messages -H "x-api-key: $MINIMAX_API_KEY" -H "anthropic-version: 2023-06-01" '
            '-H "content-type: application/json" -d @request.json',
        ),
    ),
)
"""Recognised clients, first match wins: LiteLLM and the AI SDK before the SDKs, whose headers others may copy."""


def recognise(headers: Any) -> Client:
    """The client that sent a request, from its User-Agent and x-stainless-lang headers; GENERIC_CLIENT if unknown."""
    agent = str(headers.get("user-agent") or "").strip().lower()
    lang = str(headers.get("x-stainless-lang") or "").strip().lower()
    return next((client for matches, client in CLIENTS if matches(agent, lang)), GENERIC_CLIENT)


def miss_advice(headers: Any, path: str, url: str, *, keyless: bool = True) -> str:
    """What to do about a request with no recording, said for the client that sent it (never with a key)."""
    client = recognise(headers)
    agent = "".join(c for c in str(headers.get("user-agent") or "none") if c.isprintable())[:80]
    local = client.local_base.format(url=url)
    lines = [f"Sent by {client.name} (User-Agent: {agent})."]
    if not path.startswith("/v1/"):
        lines.append(f"This server answers POST {url}/v1/messages: give {client.name} the base URL {local}.")
    lines += [
        f"This local stand-in {'needs no key and ' if keyless else ''}answers only recorded requests. "
        "To call MiniMax live, point the",
        f"client at MiniMax with your key: {client.live}",
        "(China: api.minimaxi.com instead of api.minimax.io.) To add this request to the recordings, send it",
        "through the helpers with MINIMAX_MODE=record and a key (see README: 'Recordings').",
    ]
    return "\n".join(lines)


class _QuietHTTPServer(ThreadingHTTPServer):
    """A client that hangs up early (a timeout, a cut stream) is expected here: no traceback on stderr.
    The connection queue holds a classroom's worth of simultaneous connects."""

    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class ReplayServer:
    """Serve cassettes over HTTP on loopback. Use as a context manager, or start() and stop().

    `read_timeout`: seconds a connection may stay silent (a client that sends less than its content-length)."""

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
    ) -> None:
        """`reshape` turns each recorded response into the one sent (tests use it to send the variations real
        traffic shows); `label=False` leaves out the header that marks synthesized answers, so a recording made
        against this server is labelled as a live one would be (tests of record mode only)."""
        self.library = CassetteLibrary(root)
        self.read_timeout = read_timeout
        self.reshape = reshape
        self.label = label
        self.faults: list[Fault] = []
        self._stopping = threading.Event()
        self.speed = speed
        self.api_keys = api_keys
        self.requests: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
        """The latest requests (path, headers without credentials, key_sha256, body), for tests and teaching."""
        self._lock = threading.Lock()
        for fault in faults:
            self.inject(fault)
        self._httpd = _QuietHTTPServer((LOOPBACK, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._wake_reader, self._wake_writer = socket.socketpair()  # stop() writes here: no polling

    @property
    def port(self) -> int:
        """The port it listens on (the one the system picked when built with port=0)."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL for a client: `ANTHROPIC_BASE_URL` or `base_url=`."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> ReplayServer:
        """Serve in a background thread (daemon: it never keeps Python alive)."""
        if self._thread is not None:
            raise RuntimeError("This ReplayServer was already started; build a new one to serve again.")
        self._thread = threading.Thread(target=self._serve, name="replay-server", daemon=True)
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

    def inject(self, fault: Fault | str, **options: Any) -> ReplayServer:
        """Queue a fault for the next request: a Fault, a spec ('cut:5'), or a kind with options
        (`inject("cut", after=5)`, `inject("overloaded", times=2)`, `inject("slow", seconds=1.5)`)."""
        if isinstance(fault, Fault):
            new = [fault]
        elif options:
            times = int(options.pop("times", 1))
            new = [Fault(fault, **options)] * times
        else:
            new = parse_fault(fault)
        with self._lock:
            self.faults.extend(new)
        return self

    def _next_fault(self, headers: Any) -> Fault | None:
        """The fault the request's header asks for, else the next queued one, else None."""
        asked = headers.get(FAULT_HEADER)
        if asked:
            return parse_fault(asked)[0]
        with self._lock:
            return self.faults.pop(0) if self.faults else None

    def stop(self) -> None:
        """Stop serving and free the port; streams in progress end at their next event. Safe to call twice."""
        self._stopping.set()
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

    # ------------------------------------------------------------------------------------------------
    def _authorized(self, headers: Any) -> tuple[int, dict[str, Any]] | None:
        """None when the key is accepted; else MiniMax's 401 answer."""
        if self.api_keys is None:
            return None
        auth = headers.get("Authorization", "")
        key = auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get("x-api-key", "")
        if not key or key not in self.api_keys:
            # The Anthropic route's 401 shape: `authentication_error`, no MiniMax code, no http_code.
            return 401, auth_error_body(key_sent=bool(key))
        return None

    def _lookup(self, path: str, body: Any, headers: Any) -> tuple[Cassette | None, str]:
        """The recording for this request, or None and the miss message for the client that sent it."""
        with self._lock:
            cassette = self.library.find("POST", path, body)
            if cassette is not None:
                return cassette, ""
            advice = miss_advice(headers, path, self.url, keyless=self.api_keys is None)
            return None, self.library.explain_miss("POST", path, body, advice=advice)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = server.read_timeout  # seconds a silent client may hold a thread (a body short of its length)

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: tests and notebooks read stdout

            def _send_json(self, status: int, body: Any, extra: dict[str, str] | None = None) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _body_length(self) -> int | None:
                """The content-length, checked; None (after answering 400 or 413) when it cannot be used."""
                raw = (self.headers.get("content-length") or "0").strip()
                if not raw.isdigit():
                    self.close_connection = True
                    message = f"content-length {raw[:30]!r} is not a whole number of bytes"
                    self._send_json(400, error_body(400, kind="bad_request_error", message=message))
                    return None
                if int(raw) > MAX_BODY:
                    self.close_connection = True
                    message = f"the request body is larger than {MAX_BODY // 1024 // 1024} MiB"
                    self._send_json(413, error_body(413, kind="bad_request_error", message=message))
                    return None
                return int(raw)

            def do_POST(self) -> None:
                length = self._body_length()
                if length is None:
                    return
                data = self.rfile.read(length)
                if len(data) < length:  # the client stopped sending (timeout) or hung up
                    self.close_connection = True
                    return
                body = parse_body(data)
                path = api_path(self.path.split("?", 1)[0])
                with server._lock:
                    server.requests.append(_logged(path, self.headers, body))
                refused = server._authorized(self.headers)
                if refused:
                    self._send_json(*refused)
                    return
                try:
                    fault = server._next_fault(self.headers)
                except ValueError as error:
                    self._send_json(400, error_body(400, kind="bad_request_error", message=str(error)))
                    return
                if fault is not None and fault.kind == "slow" and server._stopping.wait(fault.seconds):
                    self.close_connection = True
                    return
                if fault is not None and fault.kind == "overloaded":
                    self._send_json(529, error_body(529, kind="overloaded_error", message=OVERLOADED_MESSAGE))
                    return
                cassette, miss = server._lookup(path, body, self.headers)
                if cassette is None:
                    self._send_json(404, error_body(404, kind="not_found_error", message=miss))
                    return
                response = cassette.response
                if server.reshape is not None:
                    response = server.reshape(json.loads(json.dumps(response)))
                source = {SOURCE_HEADER: str(cassette.source.get("kind", "unknown"))} if server.label else {}
                if fault is not None and fault.kind in ("cut", "malformed"):
                    self._send_faulty(response, source, fault)
                    return
                if not cassette.is_stream:
                    self._send_json(response["status"], response.get("body"), source)
                    return
                self.send_response(response["status"])
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                for name, value in source.items():
                    self.send_header(name, value)
                self.end_headers()
                pacer = sse.Pacer(server.speed)
                for event in response["events"]:
                    pacer.wait_until(float(event.get("at", 0.0)))
                    if server._stopping.is_set():
                        break  # stopped: end the stream here rather than play on after stop()
                    self.wfile.write(sse.encode_event(event))
                    self.wfile.flush()
                self.close_connection = True

            def _send_faulty(self, response: dict[str, Any], source: dict[str, str], fault: Fault) -> None:
                """A stream (chunked, as real servers send it) that breaks as `fault` says, or a cut JSON body."""
                self.close_connection = True
                if "events" not in response:
                    data = json.dumps(response.get("body"), ensure_ascii=False).encode()
                    sent = data[: len(data) // 2]  # cut: half of what content-length promises
                    if fault.kind == "malformed":
                        data = sent  # malformed: a complete body that is not valid JSON
                    self.send_response(response["status"])
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(sent)
                    self.wfile.flush()
                    return
                self.send_response(response["status"])
                self.send_header("content-type", "text/event-stream")
                self.send_header("transfer-encoding", "chunked")
                for name, value in source.items():
                    self.send_header(name, value)
                self.end_headers()

                def chunk(data: bytes) -> None:
                    self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                    self.wfile.flush()

                for n, event in enumerate(response["events"]):
                    if n == fault.after:
                        if fault.kind == "cut":
                            return  # no terminating chunk: the client sees an incomplete body
                        chunk(b'event: content_block_delta\ndata: {"type":"content_block_delta","index":\n\n')
                    chunk(sse.encode_event(event))
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            def do_GET(self) -> None:
                # models.list() answers 404 on MiniMax's endpoint (docs/sources.md): so does this server.
                self._send_json(404, error_body(404, kind="not_found_error", message="404 page not found"))

        return Handler


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

    def stop_on_signal(signum: int, frame: Any) -> None:
        done.set()

    previous = signal.signal(signal.SIGTERM, stop_on_signal)
    server.start()
    print(f"Replaying {len(server.library)} recordings from {root} on {server.url}", flush=True)
    print(f"  export ANTHROPIC_BASE_URL={server.url}", flush=True)
    print("  export ANTHROPIC_API_KEY=any-text   # " + ("checked" if api_keys else "not checked: keyless"), flush=True)
    print(f"  (LiteLLM: api_base={server.url}; the Vercel AI SDK: baseURL {server.url}/v1)", flush=True)
    print("Ctrl-C stops the server.", flush=True)
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
        print("Stopped.", file=sys.stderr, flush=True)
    return 0
