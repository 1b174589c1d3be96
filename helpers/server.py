"""A local MiniMax-like endpoint on 127.0.0.1 that answers from the cassettes.

It lets any Anthropic client (Python, Node.js, curl) run keyless with `ANTHROPIC_BASE_URL=http://127.0.0.1:PORT`,
and it is the "live service" the tests record against: it checks keys the way MiniMax does (a missing key
or a wrong one answers 401 in MiniMax's error envelope) and streams at the recorded pace.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import sse
from .cassettes import DEFAULT_ROOT, CassetteLibrary, api_path, parse_body
from .transport import SOURCE_HEADER, _Pacer

LOOPBACK = "127.0.0.1"


def error_envelope(status: int, kind: str, message: str) -> dict[str, Any]:
    """MiniMax's error body (wire-format.md, Errors)."""
    return {"type": "error", "error": {"type": kind, "message": message, "http_code": str(status)}}


class ReplayServer:
    """Serve cassettes over HTTP on loopback. Use as a context manager, or start() and stop()."""

    def __init__(
        self,
        root: Path = DEFAULT_ROOT,
        *,
        port: int = 0,
        speed: float = 0.0,
        api_keys: set[str] | None = None,
    ) -> None:
        self.library = CassetteLibrary(root)
        self.speed = speed
        self.api_keys = api_keys
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((LOOPBACK, port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="replay-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> ReplayServer:
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
        if not key:
            return 401, error_envelope(
                401,
                "authorized_error",
                "login fail: Please carry the API secret key in the 'Authorization' field of the request header (1004)",
            )
        if key not in self.api_keys:
            return 401, error_envelope(401, "authorized_error", "invalid api key (2049)")
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

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

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = parse_body(self.rfile.read(length))
                path = api_path(self.path.split("?", 1)[0])
                with server._lock:
                    server.requests.append({"path": path, "headers": dict(self.headers), "body": body})
                refused = server._authorized(self.headers)
                if refused:
                    self._send_json(*refused)
                    return
                with server._lock:
                    cassette = server.library.find("POST", path, body)
                    miss = None if cassette else server.library.explain_miss("POST", path, body)
                if cassette is None:
                    self._send_json(404, error_envelope(404, "not_found_error", miss or "not recorded"))
                    return
                response = cassette.response
                source = {SOURCE_HEADER: str(cassette.source.get("kind", "unknown"))}
                if not cassette.is_stream:
                    self._send_json(response["status"], response.get("body"), source)
                    return
                self.send_response(response["status"])
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")
                self.send_header(SOURCE_HEADER, source[SOURCE_HEADER])
                self.end_headers()
                pacer = _Pacer(server.speed)
                for event in response["events"]:
                    pacer.wait_until(float(event.get("at", 0.0)))
                    self.wfile.write(sse.encode_event(event))
                    self.wfile.flush()
                self.close_connection = True

            def do_GET(self) -> None:
                # models.list() answers 404 on MiniMax's endpoint (wire-format.md): so does this server.
                self._send_json(404, error_envelope(404, "not_found_error", "404 page not found"))

        return Handler
