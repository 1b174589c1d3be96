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
from .cassettes import (
    KEPT_RESPONSE_HEADERS,
    Cassette,
    CassetteLibrary,
    NotRecordedError,
    api_path,
    file_name,
    parse_body,
)

REDACTED = "<redacted>"
SOURCE_HEADER = "x-cassette-source"
"""Set by helpers' own local server on answers that come from synthesized cassettes, so a recording of
such an answer keeps saying it was synthesized."""


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


_hx = httpx_module()


class IteratorStream(_hx.SyncByteStream):  # type: ignore[misc,name-defined]
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


Observer = Callable[[dict[str, Any]], None]
Check = Callable[[str, str, Any], None]


class _CheckedTransport(_hx.BaseTransport):  # type: ignore[misc,name-defined]
    """Runs the pre-send checks (helpers.compat) on the final body, whatever went through extra_body. They
    raise anthropic.AnthropicError subclasses, which the SDK passes through unwrapped."""

    def __init__(self, *, observer: Observer | None = None, check: Check | None = None) -> None:
        self.observer = observer
        self.check = check

    def handle_request(self, request: Any) -> Any:
        if self.check is not None:
            self.check(request.method, api_path(request.url.path), parse_body(request.read()))
        return self._handle(request)

    def _handle(self, request: Any) -> Any:
        raise NotImplementedError


class ReplayTransport(_CheckedTransport):
    """Answers every request from the recordings in `library`; streams play at the recorded pace x `speed`."""

    def __init__(
        self,
        *,
        library: CassetteLibrary,
        speed: float = 1.0,
        observer: Observer | None = None,
        check: Check | None = None,
    ) -> None:
        super().__init__(observer=observer, check=check)
        self.mode = "replay"
        self.library = library
        self.speed = speed

    def _handle(self, request: Any) -> Any:
        method, path = request.method, api_path(request.url.path)
        body = parse_body(request.read())
        cassette = self.library.find(method, path, body)
        if cassette is None:
            raise NotRecordedError(self.library.explain_miss(method, path, body))
        response = cassette.response
        headers = dict(response.get("headers") or {})
        if cassette.is_stream:
            headers.setdefault("content-type", "text/event-stream")
            chunks = sse.paced_chunks(response["events"], self.speed)
            stream = IteratorStream(chunks, on_close=lambda: self._observe(body, cassette))
            return _hx.Response(response["status"], headers=headers, stream=stream, request=request)
        payload = response.get("body")
        content = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        headers.setdefault("content-type", "application/json")
        self._observe(body, cassette)
        return _hx.Response(response["status"], headers=headers, content=content, request=request)

    def _observe(self, body: Any, cassette: Cassette) -> None:
        if self.observer:
            self.observer({"request": body, "response": cassette.response, "source": cassette.source})


class RecordTransport(_CheckedTransport):
    """Forwards every request to `upstream` (the real endpoint) and reports each exchange to `observer`; with
    `record_dir` set it also writes each completed exchange there as a recording, key scrubbed."""

    def __init__(
        self,
        *,
        record_dir: Path | None = None,
        upstream: Any = None,
        observer: Observer | None = None,
        endpoint_label: str = "",
        check: Check | None = None,
    ) -> None:
        super().__init__(observer=observer, check=check)
        self.mode = "record" if record_dir is not None else "live"
        self.record_dir = record_dir
        self.upstream = upstream if upstream is not None else _hx.HTTPTransport()
        self.endpoint_label = endpoint_label
        self._lock = threading.Lock()
        self._written: dict[str, int] = {}

    def _handle(self, request: Any) -> Any:
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
                stopped = any(e.get("event") in ("message_stop", "error") or "raw" in e for e in response["events"])
                if (state["ended"] or state["failed"]) and not stopped:
                    # Really cut while recording: labelled as recorded and cut, never as a guess.
                    source["cut"] = "the connection closed before message_stop while recording"
                # A stream the reader abandoned (stop pressed, loop left early) is not what the server
                # sent: log it, but never write it as a recording.
                complete = state["ended"] or state["failed"]
                self._done(request, body, response, source, secrets, time.perf_counter() - started, complete)

            stream = IteratorStream(chunks(), on_close=finished)
            return _hx.Response(status, headers=headers, stream=stream, request=request)

        raw = upstream.read()
        upstream.close()
        response = {"status": status, "headers": kept, "body": parse_body(raw)}
        self._done(request, body, response, source, secrets, time.perf_counter() - started)
        return _hx.Response(status, headers=headers, content=raw, request=request)

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
        if self.record_dir is None or not complete:
            return
        with self._lock:
            cassette.sequence = self._written.get(cassette.key, 0) + 1
            self._written[cassette.key] = cassette.sequence
        data = scrub(cassette.dumps(), secrets)
        target = self.record_dir / file_name(cassette)
        if _failed(cassette) and target.exists() and not _failed(_load_quietly(target)):
            return  # re-recording never replaces a good recording with a failed one (a cut, a 429, a 5xx)
        self.record_dir.mkdir(parents=True, exist_ok=True)
        target.write_text(data, encoding="utf-8")


def _failed(cassette: Cassette | None) -> bool:
    """A recording of a failure worth retrying: a cut stream, an error inside the stream, a 429 or a 5xx."""
    if cassette is None:
        return True
    status = int(cassette.response.get("status") or 0)
    events = cassette.response.get("events")
    ended = events is None or any(e.get("event") == "message_stop" for e in events)
    return status == 429 or status >= 500 or not ended or "cut" in cassette.source


def _load_quietly(path: Path) -> Cassette | None:
    """The recording in `path`, or None when it cannot be read (then it may be replaced)."""
    try:
        return Cassette.from_json(json.loads(path.read_text(encoding="utf-8")), path)
    except (OSError, ValueError, KeyError):
        return None


def make_transport(
    *,
    mode: str,
    library: CassetteLibrary | None = None,
    record_dir: Path | None = None,
    speed: float = 1.0,
    upstream: Any = None,
    observer: Observer | None = None,
    endpoint_label: str = "",
    check: Check | None = None,
) -> ReplayTransport | RecordTransport:
    """The transport for a mode: 'replay' answers from `library`; 'record' forwards and writes to
    `record_dir`; 'live' forwards only."""
    if mode == "replay":
        if library is None:
            raise ValueError("replay needs a CassetteLibrary")
        return ReplayTransport(library=library, speed=speed, observer=observer, check=check)
    return RecordTransport(
        record_dir=record_dir if mode == "record" else None,
        upstream=upstream,
        observer=observer,
        endpoint_label=endpoint_label,
        check=check,
    )


def make_http_client(transport: Any, **kwargs: Any) -> Any:
    """The SDK's default HTTP client (its timeouts and limits) with our transport underneath."""
    return anthropic.DefaultHttpxClient(transport=transport, **kwargs)
