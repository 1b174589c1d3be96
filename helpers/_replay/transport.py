"""The `httpx2` transports under the SDK's own client (anthropic 2.x): replay answers from the recordings, record
and live forward to MiniMax. The SDK still builds every request and parses every answer; only the bytes differ."""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import re
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import anthropic
import httpx2

from . import sse
from .cassettes import (
    KEPT_RESPONSE_HEADERS,
    Cassette,
    CassetteLibrary,
    CassetteWarning,
    NotRecordedError,
    api_path,
    file_name,
    load,
    numbered,
    parse_body,
    write_atomic,
)
from .core import SOURCE_HEADER, ReplayCore, bounded_waits
from .error_body import error_body

REDACTED = "<redacted>"
_DELTA_TEXT = {"text_delta": "text", "thinking_delta": "thinking", "input_json_delta": "partial_json"}


class Secrets(list[str]):
    """The credential values a request carries (its Authorization or x-api-key header, and the key after "Bearer "),
    longest first, to scrub from anything written; its repr shows only how many, so a traceback never shows a key."""

    def __init__(self, request: Any) -> None:
        values = [value for name in ("authorization", "x-api-key") if (value := request.headers.get(name))]
        values += [value[7:].strip() for value in values if value.lower().startswith("bearer ")]
        super().__init__(sorted({value for value in values if len(value) >= 4}, key=len, reverse=True))

    def __repr__(self) -> str:
        return f"<{len(self)} secret(s), not shown>"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by "<redacted>" (longest first, so no part of one is left)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def scrub_split(pieces: list[str], secrets: Iterable[str]) -> list[str]:
    """`pieces` (a block's deltas, in order) scrubbed over their joined text, so a secret split across pieces goes
    too: "<redacted>" where it starts, its other characters dropped, the pieces keeping their number and order."""
    joined, hidden, starts = "".join(pieces), set[int](), set[int]()
    for secret in sorted(secrets, key=len, reverse=True):
        for match in re.finditer(re.escape(secret), joined):
            span = range(match.start(), match.end())
            if not hidden.intersection(span):
                hidden.update(span)
                starts.add(match.start())
    if not hidden:  # the usual case: no secret in the text, nothing to rebuild character by character
        return pieces
    out, position = [], 0
    for piece in pieces:
        kept = enumerate(piece, position)
        out.append("".join(REDACTED if i in starts else c for i, c in kept if i in starts or i not in hidden))
        position += len(piece)
    return out


def scrub_stream(events: list[dict[str, Any]], secrets: Iterable[str]) -> None:
    """Scrub a stream's deltas in place over each block's joined text: a key the model echoes back is often split
    across deltas, which scrubbing each delta alone misses."""
    blocks: dict[tuple[Any, str], list[dict[str, Any]]] = {}
    for event in events:
        data = event.get("data")
        if not isinstance(data, dict) or data.get("type") != "content_block_delta":
            continue
        delta = data.get("delta")
        field = _DELTA_TEXT.get(str(delta.get("type"))) if isinstance(delta, dict) else None
        if isinstance(delta, dict) and field and isinstance(delta.get(field), str):
            blocks.setdefault((data.get("index"), field), []).append(delta)
    for (_, field), deltas in blocks.items():
        for delta, text in zip(deltas, scrub_split([d[field] for d in deltas], secrets), strict=True):
            delta[field] = text


class RedirectRefusedError(anthropic.AnthropicError):
    """The endpoint redirected a request to another host. The key is never sent off the endpoint's host, so the
    redirect was not followed."""


def _redirected(endpoint: str, elsewhere: str) -> str:
    return (
        f"{endpoint} redirected the request to {elsewhere}. The key is only ever sent to {endpoint}, so the "
        f"redirect was not followed and nothing was sent to {elsewhere}. If the endpoint moved, set "
        "MINIMAX_BASE_URL to its new address."
    )


def _origin(url: Any) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL (a string or an httpx URL), host lowercased, trailing dot removed."""
    parsed = urlsplit(str(url))
    try:
        port = parsed.port
    except ValueError:
        port = None
    return parsed.scheme, (parsed.hostname or "").rstrip("."), port or {"http": 80, "https": 443}.get(parsed.scheme)


class IteratorStream(httpx2.SyncByteStream):
    """A response body produced lazily by an iterator, with a hook that runs when it is closed."""

    def __init__(self, chunks: Iterator[bytes], on_close: Callable[[], None] | None = None) -> None:
        self._chunks, self._on_close = chunks, on_close

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close:
            close()
        on_close, self._on_close = self._on_close, None
        if on_close:
            on_close()


Observer = Callable[[dict[str, Any]], None]
Check = Callable[[str, str, Any], None]


class _CheckedTransport(httpx2.BaseTransport):
    """What both transports share: the pre-send checks (helpers.compat) on the final body, whatever went through
    extra_body (they raise AnthropicErrors, which the SDK passes through), the observer, and warnings once."""

    def __init__(self, *, observer: Observer | None = None, check: Check | None = None) -> None:
        self.observer, self.check = observer, check
        self._warned: set[str] = set()

    def _checked_body(self, request: Any) -> Any:
        """The request's JSON body, after the pre-send checks passed it."""
        body = parse_body(request.read())
        if self.check is not None:
            self.check(request.method, api_path(request.url.path), body)
        return body

    def _warn_once(self, kind: str, message: str) -> None:
        """One warning per kind of trouble per client: the answer itself is never lost over it."""
        if kind not in self._warned:
            self._warned.add(kind)
            warnings.warn(message, CassetteWarning, stacklevel=2)

    def _report(self, exchange: dict[str, Any]) -> None:
        """Give an exchange to the observer (the usage log). Its failure must not fail the call: the SDK would
        take it for a connection error and send the paid request again."""
        try:
            if self.observer is not None:
                self.observer(exchange)
        except Exception as error:
            self._warn_once(
                "observer",
                f"The usage log could not take an answer ({type(error).__name__}: {error}); the answer was "
                "returned as usual, and helpers.usage() leaves that call out.",
            )


class ReplayTransport(_CheckedTransport):
    """Answers every request from the recordings in `library` through the replay core (the local server's too);
    streams play at the recorded pace x `speed`, mended (`sse.mend_event`) as every call's stream is."""

    def __init__(
        self,
        *,
        library: CassetteLibrary,
        speed: float = 1.0,
        observer: Observer | None = None,
        check: Check | None = None,
    ) -> None:
        super().__init__(observer=observer, check=check)
        self.core, self.speed = ReplayCore(library, speed=speed), speed

    def handle_request(self, request: Any) -> Any:
        body = self._checked_body(request)
        answer = self.core.answer(request.method, request.url.path, body)
        if answer.cassette is None:
            raise NotRecordedError(answer.miss)
        exchange = {"request": body, "response": answer.cassette.response, "source": answer.cassette.source}
        if answer.events is None:
            self._report(exchange)
            return httpx2.Response(answer.status, headers=answer.headers, content=answer.body, request=request)
        answer.mend, answer.on_close = True, lambda: self._report(exchange)
        return httpx2.Response(answer.status, headers=answer.headers, stream=answer, request=request)


class _Exchange(NamedTuple):
    """One forwarded request and what came back, for the usage log and the recording."""

    request: Any
    body: Any
    response: dict[str, Any]
    source: dict[str, Any]
    secrets: Secrets
    started: float


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
        self.record_dir, self.endpoint_label = record_dir, endpoint_label
        self.upstream: Any = upstream if upstream is not None else httpx2.HTTPTransport()
        self._lock = threading.Lock()
        self._written: dict[str, int] = {}
        self._earlier_good: dict[str, bool] = {}  # per request: a good recording from before this session
        self._staged: dict[str, list[tuple[int, str]]] = {}  # written once this session's sequence succeeds
        self._token = f"{os.getpid()} {uuid.uuid4().hex}"  # names this session in the claims it writes
        self._claimed: dict[str, bool] = {}  # per request: whether this session may write its sequence

    def close(self) -> None:
        """Close the connection pool underneath (a test's `handle_request`-only upstream has none) and release this
        session's claims; httpx calls this when the SDK's client is closed."""
        close = getattr(self.upstream, "close", None)
        if close is not None:
            close()
        with self._lock:
            for stem, mine in self._claimed.items():
                if mine and self.record_dir is not None:
                    _release(_claim_path(self.record_dir, stem), self._token)
            self._claimed = {}

    def handle_request(self, request: Any) -> Any:
        started, body = time.perf_counter(), self._checked_body(request)
        if self.endpoint_label and _origin(request.url) != _origin(self.endpoint_label):
            raise RedirectRefusedError(_redirected(_origin(self.endpoint_label)[1], request.url.host))
        secrets = Secrets(request)
        upstream = self.upstream.handle_request(request)
        status, headers = upstream.status_code, upstream.headers
        location = headers.get("location") if status in (301, 302, 303, 307, 308) else None
        target = request.url.join(location) if location else request.url
        if _origin(target) != _origin(request.url):
            # answered as an error instead of followed: the SDK raises APIStatusError, no client sends the key on
            upstream.close()
            message = _redirected(request.url.host, target.host)
            error = error_body(status, message, kind="redirect_refused", http_code=False)
            return httpx2.Response(status, json=error, request=request)
        response = {
            "status": status,
            "headers": {name: headers[name] for name in KEPT_RESPONSE_HEADERS if name in headers},
        }
        exchange = _Exchange(request, body, response, self._source(headers), secrets, started)
        if headers.get("content-type", "").startswith("text/event-stream"):
            stream = self._relay(upstream, exchange)
            return httpx2.Response(status, headers=bounded_waits(status, headers), stream=stream, request=request)
        raw = upstream.read()
        upstream.close()
        response["body"] = parse_body(raw)
        self._done(exchange)
        return httpx2.Response(status, headers=bounded_waits(status, headers), content=raw, request=request)

    def _relay(self, upstream: Any, exchange: _Exchange) -> IteratorStream:
        """The stream's chunks as they arrive, parsed as they pass (a recording keeps every event, live mode what
        the usage log reads), given up (ReadTimeout) after the read timeout of keep-alives only; done when closed."""
        request, response, source, started = exchange.request, exchange.response, exchange.source, exchange.started
        parser = sse.EventParser() if self.record_dir is not None else sse.UsageEventParser()
        timeout = (request.extensions or {}).get("timeout") or {}
        patience = timeout.get("read") if isinstance(timeout, dict) else None
        ended = []  # read to its end, or broken: not abandoned by the reader

        def chunks() -> Iterator[bytes]:
            last_event, seen = time.perf_counter(), 0
            try:
                for chunk in upstream.stream:
                    parser.feed(chunk, time.perf_counter() - started)
                    if _data_events(parser.events) > seen:
                        last_event, seen = time.perf_counter(), _data_events(parser.events)
                    elif isinstance(patience, (int, float)) and time.perf_counter() - last_event > patience:
                        raise httpx2.ReadTimeout(
                            f"no event for {patience:g} s, only keep-alives: the stream was given up (timeout)"
                        )
                    yield chunk
            except Exception:
                ended.append(True)  # the connection broke: keep what arrived, as it arrived
                raise
            ended.append(True)

        def finished() -> None:
            upstream.close()
            response["events"] = parser.finish(time.perf_counter() - started)
            stopped = any(e.get("event") in ("message_stop", "error") or "raw" in e for e in response["events"])
            if ended and not stopped:  # really cut while recording: labelled so, never as a guess
                source["cut"] = "the connection closed before message_stop while recording"
            # A stream the reader abandoned (stop pressed) is not what the server sent: logged, never recorded.
            self._done(exchange, complete=bool(ended))

        return IteratorStream(sse.mend_stream(chunks()), on_close=finished)  # recorded as sent, mended for the SDK

    def _source(self, headers: Any) -> dict[str, Any]:
        """Where the recording comes from: MiniMax, or a stand-in that served synthesized data."""
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

    def _done(self, exchange: _Exchange, complete: bool = True) -> None:
        """Report the exchange (with its live wall-clock seconds, request sent to response done) and, when
        recording and complete, write it; a failed write keeps the answer and says why, once."""
        request, body, response, source, secrets, started = exchange
        self._report(
            {"request": body, "response": response, "source": source, "elapsed": time.perf_counter() - started}
        )
        if self.record_dir is None or not complete:
            return
        cassette = Cassette(
            {"method": request.method, "path": api_path(request.url.path), "body": body}, response, source
        )
        try:
            self._record(cassette, secrets)
        except Exception as error:  # a full disk, a folder that is a file, a name too long: keep the answer
            self._warn_once(
                "write",
                f"The recording could not be written to {self.record_dir} ({type(error).__name__}: {error}). "
                "The answer was returned as usual; earlier recordings were left as they were. Check that the "
                "folder can be written (free space, permissions, a short MINIMAX_RECORDINGS name).",
            )

    def _record(self, cassette: Cassette, secrets: Secrets) -> None:
        """Write one exchange of this session's sequence, which replaces the earlier one whole (no stale -2, -3): only
        if this session claimed the request, so two kernels never interleave their exchanges; held back while an
        earlier good recording exists and this one has not ended well (a transient failure never wins)."""
        assert self.record_dir is not None
        scrubbed = Cassette.from_json(json.loads(scrub(cassette.dumps(), secrets)))
        if scrubbed.is_stream:
            scrub_stream(scrubbed.response["events"], secrets)
        stem = file_name(scrubbed).removesuffix(".json")  # named from the scrubbed text: no key in a file name
        with self._lock:
            if stem not in self._claimed:  # the first session to claim it (across kernels) writes the sequence
                self._claimed[stem] = _claim(_claim_path(self.record_dir, stem), self._token)
                if not self._claimed[stem]:
                    self._warn_once(
                        f"claimed {stem}",
                        f"Another session (a second kernel?) is recording the same request into "
                        f"{self.record_dir.name}/ right now: this session's exchanges for {stem}.json are not "
                        "written, so the two sequences do not mix. Record it again once the other session has "
                        "finished.",
                    )
            if not self._claimed[stem]:
                return
            sequence = scrubbed.sequence = self._written[stem] = self._written.get(stem, 0) + 1
            if stem not in self._earlier_good:
                self._earlier_good[stem] = _ends_well(_sequence_on_disk(self.record_dir, stem))
            staged = self._staged.setdefault(stem, [])
            staged.append((sequence, scrubbed.dumps()))
            if self._earlier_good[stem] and not _succeeded(cassette.response):
                self._warn_once(
                    f"kept {stem}",
                    f"No good answer this time (HTTP {cassette.response['status']}"
                    f"{', stream incomplete' if cassette.is_stream else ''}): the earlier recording {stem}.json "
                    "was kept. Record again later to replace it.",
                )
                return
            self._earlier_good[stem] = False  # from now on this session's sequence is the recording
            self._staged[stem] = []
            for number, text in staged:
                write_atomic(self.record_dir / numbered(stem, number), text)
            for number, path in _sequence_on_disk(self.record_dir, stem):
                if number > sequence:
                    path.unlink(missing_ok=True)  # left from a longer sequence of an earlier session


def _claim_path(folder: Path, stem: str) -> Path:
    """The claim file of one request's sequence in `folder`, in the system's temporary folder (shared by every
    kernel on this computer), so the recordings folder holds recordings only."""
    digest = hashlib.sha256(f"{folder.resolve()}\0{stem}".encode()).hexdigest()[:24]
    claims = Path(tempfile.gettempdir()) / "minimax-recording-claims"
    claims.mkdir(exist_ok=True)
    return claims / f"{digest}.claim"


def _claim(path: Path, token: str) -> bool:
    """Claim `path` for this session with an exclusive create; a claim whose process has ended is taken over."""
    for _ in range(2):
        try:
            descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if _alive(path):
                return False
            path.unlink(missing_ok=True)  # left by a session that ended without closing: stale
            continue
        with os.fdopen(descriptor, "w") as claim:
            claim.write(token)
        return True
    return False


def _alive(path: Path) -> bool:
    """Whether the claim is held by another process that is still running (an unreadable claim counts as one).
    This process's own older claim is not: a cell run again in the same kernel records as before."""
    try:
        pid = int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return True
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # running, as another user
        pass
    return True


def _release(path: Path, token: str) -> None:
    """Remove this session's claim (only its own)."""
    with contextlib.suppress(OSError):
        if path.read_text() == token:
            path.unlink()


def _data_events(events: list[dict[str, Any]]) -> int:
    """How many of the parsed stream events carry data (keep-alive comments such as `: ping` do not)."""
    return sum(1 for e in events if "event" in e or "data:" in e.get("raw", ""))


def _sequence_on_disk(folder: Path, stem: str) -> list[tuple[int, Path]]:
    """The recorded sequence of one request in `folder`: (sequence number, file), in order."""
    found = [(1, folder / f"{stem}.json")] if (folder / f"{stem}.json").is_file() else []
    suffixes = ((path.stem[len(stem) + 1 :], path) for path in folder.glob(f"{stem}-*.json"))
    return sorted(found + [(int(suffix), path) for suffix, path in suffixes if suffix.isdigit()])


def _succeeded(response: dict[str, Any]) -> bool:
    """An answer worth keeping: a success status, and for a stream every event up to message_stop."""
    if not isinstance(response.get("status"), int) or response["status"] >= 400:
        return False
    events = response.get("events")
    return events is None or any(
        isinstance(e.get("data"), dict) and e["data"].get("type") == "message_stop" for e in events
    )


def _ends_well(sequence: list[tuple[int, Path]]) -> bool:
    """Whether a recorded sequence ends in a good answer (an unreadable file counts as not good)."""
    try:
        return bool(sequence) and _succeeded(load(sequence[-1][1]).response)
    except (OSError, ValueError):
        return False


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
    if mode != "replay":
        record_dir = record_dir if mode == "record" else None
        return RecordTransport(
            record_dir=record_dir, upstream=upstream, observer=observer, endpoint_label=endpoint_label, check=check
        )
    if library is None:
        raise ValueError("replay needs a CassetteLibrary")
    return ReplayTransport(library=library, speed=speed, observer=observer, check=check)


def make_http_client(transport: Any, **kwargs: Any) -> anthropic.DefaultHttpxClient:
    """The SDK's default HTTP client (its timeouts and limits) with our transport underneath."""
    return anthropic.DefaultHttpxClient(transport=transport, **kwargs)
