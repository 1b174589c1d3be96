"""HTTP transports that replay cassettes or record them, plugged into the SDK's own HTTP client.

The SDK still builds every request and parses every response and stream itself; only the bytes on the
wire come from (or go to) a cassette. anthropic 1.0 and later use `httpx2`, earlier versions `httpx`:
`httpx_module()` picks whichever the installed SDK uses.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anthropic

from . import sse
from .cassettes import KEPT_RESPONSE_HEADERS, Cassette, CassetteLibrary, api_path, file_name, parse_body

REDACTED = "<redacted>"
SOURCE_HEADER = "x-cassette-source"
"""Set by helpers' own local server on answers that come from synthesized cassettes, so a recording of
such an answer keeps saying it was synthesized."""


class NotRecordedError(anthropic.AnthropicError, LookupError):
    """Replay mode got a request that no cassette holds. The message says what differs and what to do."""


@functools.cache
def httpx_module() -> ModuleType:
    """The HTTP library the installed anthropic SDK is built on (`httpx2` from 1.0 on, `httpx` before)."""
    base = anthropic.DefaultHttpxClient.__mro__
    for cls in base:
        root = cls.__module__.split(".")[0]
        if root in ("httpx2", "httpx"):
            return __import__(root)
    raise RuntimeError("Cannot tell which HTTP library this anthropic SDK uses.")


def _secrets_in(request: Any) -> list[str]:
    """Credential values a request carries, so they can be scrubbed from anything written to disk."""
    found = []
    for name in ("authorization", "x-api-key"):
        value = request.headers.get(name)
        if value:
            found.append(value)
            if value.lower().startswith("bearer "):
                found.append(value[7:].strip())
    return [s for s in found if len(s) >= 4]


def scrub(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _kept_headers(headers: Any) -> dict[str, str]:
    return {name: headers[name] for name in KEPT_RESPONSE_HEADERS if name in headers}


class _Pacer:
    """Sleeps so that event i is delivered `at[i] / speed` seconds after the request was sent."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.start = time.perf_counter()

    def wait_until(self, at: float) -> None:
        if self.speed <= 0:
            return
        delay = self.start + at / self.speed - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


def replay_chunks(cassette: Cassette, speed: float) -> Iterator[bytes]:
    """The recorded stream's bytes, one event at a time, at the recorded pace scaled by `speed`."""
    pacer = _Pacer(speed)
    for event in cassette.response["events"]:
        pacer.wait_until(float(event.get("at", 0.0)))
        yield sse.encode_event(event)


@functools.cache
def _classes(hx: ModuleType) -> tuple[type, type]:
    """Transport and stream classes bound to one HTTP library (they must subclass its base classes)."""

    class IteratorStream(hx.SyncByteStream):  # type: ignore[name-defined,misc]
        """A response body produced lazily by an iterator, with a hook that runs when it is closed."""

        def __init__(self, chunks: Iterator[bytes], on_close: Callable[[], None] | None = None) -> None:
            self._chunks = chunks
            self._on_close = on_close

        def __iter__(self) -> Iterator[bytes]:
            yield from self._chunks

        def close(self) -> None:
            close = getattr(self._chunks, "close", None)
            if close:
                close()
            if self._on_close:
                on_close, self._on_close = self._on_close, None
                on_close()

    class CassetteTransport(hx.BaseTransport):  # type: ignore[name-defined,misc]
        """Replay: answer from cassettes. Record: forward to `upstream` and write what comes back.
        Live: forward only. Every completed exchange is also reported to `observer`, if given."""

        def __init__(
            self,
            *,
            mode: str,
            library: CassetteLibrary | None = None,
            record_dir: Path | None = None,
            speed: float = 1.0,
            upstream: Any = None,
            observer: Callable[[dict[str, Any]], None] | None = None,
            endpoint_label: str = "",
            check: Callable[[str, str, Any], None] | None = None,
        ) -> None:
            self.mode = mode
            self.check = check
            self.library = library
            self.record_dir = record_dir
            self.speed = speed
            self.upstream = upstream if upstream is not None else hx.HTTPTransport()
            self.observer = observer
            self.endpoint_label = endpoint_label
            self._lock = threading.Lock()
            self._written: dict[str, int] = {}

        # -- replay -------------------------------------------------------------------------------
        def handle_request(self, request: Any) -> Any:
            if self.check is not None:
                # Pre-send checks (helpers.compat) see the final body, whatever went through extra_body.
                # They raise anthropic.AnthropicError subclasses, which the SDK passes through unwrapped.
                self.check(request.method, api_path(request.url.path), parse_body(request.read()))
            if self.mode == "replay":
                return self._replay(request)
            return self._forward(request)

        def _replay(self, request: Any) -> Any:
            assert self.library is not None
            method, path = request.method, api_path(request.url.path)
            body = parse_body(request.read())
            cassette = self.library.find(method, path, body)
            if cassette is None:
                raise NotRecordedError(self.library.explain_miss(method, path, body))
            response = cassette.response
            headers = dict(response.get("headers") or {})
            if cassette.is_stream:
                headers.setdefault("content-type", "text/event-stream")
                chunks = replay_chunks(cassette, self.speed)
                stream = IteratorStream(chunks, on_close=lambda: self._observe(body, cassette))
                return hx.Response(response["status"], headers=headers, stream=stream, request=request)
            payload = response.get("body")
            content = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            headers.setdefault("content-type", "application/json")
            self._observe(body, cassette)
            return hx.Response(response["status"], headers=headers, content=content, request=request)

        def _observe(self, body: Any, cassette: Cassette) -> None:
            if self.observer:
                self.observer({"request": body, "response": cassette.response, "source": cassette.source})

        # -- record and live ----------------------------------------------------------------------
        def _forward(self, request: Any) -> Any:
            started = time.perf_counter()
            body = parse_body(request.read())
            secrets = _secrets_in(request)
            upstream = self.upstream.handle_request(request)
            status, headers = upstream.status_code, upstream.headers
            kept = _kept_headers(headers)
            content_type = headers.get("content-type", "")
            source = self._source(headers)

            if content_type.startswith("text/event-stream"):
                parser = sse.EventParser()
                state = {"ended": False, "failed": False}

                def chunks() -> Iterator[bytes]:
                    try:
                        for chunk in upstream.stream:
                            parser.feed(chunk, time.perf_counter() - started)
                            yield chunk
                    except Exception:
                        state["failed"] = True  # the connection broke: keep what arrived, as it arrived
                        raise
                    state["ended"] = True

                def finished() -> None:
                    upstream.close()
                    response = {"status": status, "headers": kept}
                    response["events"] = parser.finish(time.perf_counter() - started)
                    # A stream the reader abandoned (stop pressed, loop left early) is not what the server
                    # sent: log it, but never write it as a recording.
                    complete = state["ended"] or state["failed"]
                    self._done(request, body, response, source, secrets, time.perf_counter() - started, complete)

                stream = IteratorStream(chunks(), on_close=finished)
                return hx.Response(status, headers=headers, stream=stream, request=request)

            raw = upstream.read()
            upstream.close()
            response = {"status": status, "headers": kept, "body": parse_body(raw)}
            self._done(request, body, response, source, secrets, time.perf_counter() - started)
            return hx.Response(status, headers=headers, content=raw, request=request)

        def _source(self, headers: Any) -> dict[str, Any]:
            today = _dt.date.today().isoformat()
            if headers.get(SOURCE_HEADER, "").startswith("synthesized"):
                return {
                    "kind": "synthesized",
                    "via": f"re-recorded from {self.endpoint_label}",
                    "date": today,
                    "note": "The server that answered served synthesized data, not MiniMax's live service.",
                }
            return {
                "kind": "recorded",
                "date": today,
                "endpoint": self.endpoint_label,
                "sdk": f"anthropic {anthropic.__version__}",
            }

        def _done(
            self,
            request: Any,
            body: Any,
            response: dict[str, Any],
            source: dict[str, Any],
            secrets: list[str],
            elapsed: float | None = None,
            complete: bool = True,
        ) -> None:
            path = api_path(request.url.path)
            cassette = Cassette(
                request={"method": request.method, "path": path, "body": body}, response=response, source=source
            )
            if self.observer:
                exchange = {"request": body, "response": response, "source": source}
                if elapsed is not None:
                    exchange["elapsed"] = elapsed  # live wall-clock seconds, request sent to response done
                self.observer(exchange)
            if self.mode != "record" or self.record_dir is None or not complete:
                return
            with self._lock:
                cassette.sequence = self._written.get(cassette.key, 0) + 1
                self._written[cassette.key] = cassette.sequence
            data = scrub(cassette.dumps(), secrets)
            self.record_dir.mkdir(parents=True, exist_ok=True)
            (self.record_dir / file_name(cassette)).write_text(data, encoding="utf-8")

    return CassetteTransport, IteratorStream


def make_transport(**kwargs: Any) -> Any:
    """A CassetteTransport for the installed SDK's HTTP library (see CassetteTransport for arguments)."""
    transport_class, _ = _classes(httpx_module())
    return transport_class(**kwargs)


def make_http_client(transport: Any, **kwargs: Any) -> Any:
    """The SDK's default HTTP client (its timeouts and limits) with our transport underneath."""
    return anthropic.DefaultHttpxClient(transport=transport, **kwargs)
