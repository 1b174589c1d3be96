"""The replay core: a request in, its recorded answer out, with no sockets. `ReplayTransport` (under the SDK's
client) calls `ReplayCore.answer`; the stand-in `ReplayServer` and the browser edition call `ReplayCore.serve`, which
adds the request log, the key check and the injected faults, and send the `Answer` their own way."""

from __future__ import annotations

import email.utils
import hashlib
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import KW_ONLY, dataclass, field
from typing import Any

import httpx2

from . import sse
from .cassettes import Cassette, CassetteLibrary, api_path
from .error_body import auth_error_body, error_body

SOURCE_HEADER = "x-cassette-source"
"""On the stand-in's answers: where the recording came from, so one recorded against it stays `synthesized`."""
FAULT_HEADER = "x-replay-fault"
"""A request header that asks the stand-in for a fault on that one request (e.g. `cut:5`), from any client."""

FAULT_OPTIONS: dict[str, tuple[str, Callable[[str], float], float]] = {
    "overloaded": ("times", int, 1),
    "cut": ("after", int, 3),
    "slow": ("seconds", float, 2.0),
    "malformed": ("after", int, 3),
}
"""Each fault kind's option in a spec (`cut:5`): its name, its type and its default."""
FAULT_KINDS = tuple(FAULT_OPTIONS)
OVERLOADED_MESSAGE = (
    "The server cluster is currently under high load. Please retry after a short wait and thank you for "
    "your patience. (2064) (529)"
)
TOO_DEEP = (
    "The request body nests JSON too deeply to read (hundreds of levels of [ or {). Send the Messages API's "
    "own shape: a JSON object with model, max_tokens and messages."
)
MALFORMED_EVENT = b'event: content_block_delta\ndata: {"type":"content_block_delta","index":\n\n'


@dataclass(frozen=True)
class Fault:
    """One injected failure for the next request: overloaded (a 529, which the SDK retries); cut (the connection
    closes after `after` events, or halfway through a JSON body); slow (`seconds` before the first byte); malformed
    (after `after` events, one whose data is not JSON)."""

    kind: str
    after: int = 3
    seconds: float = 2.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault {self.kind!r}. Use one of {', '.join(FAULT_KINDS)}.")


FAULT_LIMITS = {"times": (1, 100), "after": (0, 100_000), "seconds": (0.0, 60.0)}
"""The range of each fault option: a fault header comes from any client, and must not stall or flood the server."""


def _faults(kind: str, times: float = 1, **options: Any) -> list[Fault]:
    """`times` faults of one kind with its options (`_faults("overloaded", times=2)`, `_faults("cut", after=5)`)."""
    return [Fault(kind, **options)] * int(times)


def parse_fault(spec: str) -> list[Fault]:
    """Faults from a short spec: `overloaded[:times]`, `cut[:after_events]`, `slow[:seconds]`, `malformed[:after]`,
    each option inside FAULT_LIMITS."""
    kind, _, arg = spec.strip().partition(":")
    kind, why = kind.strip().lower(), ""
    if kind in FAULT_OPTIONS:
        option, number, default = FAULT_OPTIONS[kind]
        low, high = FAULT_LIMITS[option]
        try:
            value = number(arg) if arg.strip() else default
        except ValueError:
            value = None
        if value is not None and low <= value <= high:  # also false for NaN
            return _faults(kind, **{option: value})
        why = f" ({option} must be from {low} to {high})" if value is not None else ""
    raise ValueError(
        f"Cannot read the fault {spec[:60]!r}{why}. Use overloaded[:times 1-100], cut[:after_events], "
        "slow[:seconds 0-60] or malformed[:after_events], e.g. 'overloaded:1' or 'cut:5'."
    )


LONGEST_WAIT = 20.0
"""Seconds: no single wait the helpers let the SDK make (a `retry-after` of a day would hang a notebook)."""
RETRYABLE = frozenset({408, 409, 429})


def bounded_waits(status: int, headers: Any, speed: float | None = None) -> dict[str, str]:
    """The response headers the SDK sees, its retry wait (retry-after-ms, else retry-after in seconds or a date, read
    as the SDK reads them) at most LONGEST_WAIT seconds. In replay (`speed` set) the recorded wait is scaled like the
    stream's pace, and at speed 0 a retried answer waits for nothing."""
    out = {k: v for k, v in headers.items() if k.lower() not in ("retry-after", "retry-after-ms")}
    wait = None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            wait = float(value) * scale
            break
        except ValueError:
            when = email.utils.parsedate_tz(value) if name == "retry-after" else None
            if when is not None:
                wait = float(email.utils.mktime_tz(when) - time.time())
                break
    if speed is not None and (status in RETRYABLE or status >= 500):
        wait = 0.0 if speed <= 0 else (wait / speed if wait is not None else None)
    if wait is None:
        return out
    # A tiny positive value: the SDK ignores a wait of 0 and falls back to its own backoff of up to 8 s.
    out["retry-after-ms"] = f"{max(min(wait, LONGEST_WAIT) * 1000, 0.001):.3f}"
    return out


@dataclass
class Answer(httpx2.SyncByteStream):
    """What one request gets: a status, headers, and a body (`body`) or a stream (`events`, played by iterating).
    `miss`: the "not recorded" message (the body carries it in MiniMax's 404 envelope); `delay`: a slow fault's
    wait before anything is sent; `fault` breaks the body. The transport sets `mend` and `on_close`."""

    status: int
    headers: dict[str, str]
    body: bytes | None = None
    events: list[dict[str, Any]] | None = None
    speed: float = 0.0
    fault: Fault | None = None
    delay: float = 0.0
    miss: str | None = None
    cassette: Cassette | None = None
    mend: bool = False
    on_close: Callable[[], None] | None = None

    @property
    def complete(self) -> bool:
        """False when a cut fault ends the answer early: the receiver must see less than it was promised."""
        return self.fault is None or self.fault.kind != "cut"

    def content(self) -> tuple[bytes, int]:
        """A body's bytes as sent and the content-length promised: a cut sends half of what it promises, a
        malformed body is a complete half that is not valid JSON."""
        data = self.body or b""
        if self.fault is None:
            return data, len(data)
        half = data[: len(data) // 2]
        return half, len(data) if self.fault.kind == "cut" else len(half)

    def chunks(self, stopping: threading.Event | None = None) -> Iterator[bytes]:
        """The bytes sent after the headers: a body as `content` says, or the events, each `at / speed` s after the
        start (one wait at most LONGEST_PAUSE; a time that is not a number: the last), broken as the fault says,
        mended if `mend`, ended once `stopping` is set."""
        if self.events is None:
            yield self.content()[0]
            return
        start, last, speed = time.perf_counter(), 0.0, self.speed
        after = self.fault.after if self.fault is not None else -1
        for n, event in enumerate(self.events):
            if n == after:
                if self.complete:
                    yield MALFORMED_EVENT
                else:
                    return
            if speed > 0:
                try:
                    at = float(event.get("at", 0.0))
                except (TypeError, ValueError):
                    at = last
                last = at = at if 0 <= at < math.inf else last
                delay = start + at / speed - time.perf_counter()
                if delay > sse.LONGEST_PAUSE:
                    start -= delay - sse.LONGEST_PAUSE  # later events keep their spacing from this one
                    delay = sse.LONGEST_PAUSE
                if delay > 0:
                    time.sleep(delay)
            if stopping is not None and stopping.is_set():
                return
            data = sse.encode_event(event)
            if self.mend and data.endswith(b"\n\n") and not data.startswith(sse.PASS_THROUGH):
                data = sse.mend_event(data[:-2]) + b"\n\n"
            yield data

    __iter__ = chunks  # the SDK's HTTP client reads a streamed answer as its body stream

    def close(self) -> None:
        """The body was read or abandoned: tell `on_close` once (the transport's usage log)."""
        on_close, self.on_close = self.on_close, None
        if on_close is not None:
            on_close()


def json_answer(status: int, payload: Any) -> Answer:
    """An answer with a JSON body."""
    return Answer(status, {"content-type": "application/json"}, body=json.dumps(payload, ensure_ascii=False).encode())


def error_answer(status: int, kind: str, message: str) -> Answer:
    """An answer in MiniMax's error envelope."""
    return json_answer(status, error_body(status, kind=kind, message=message))


REQUEST_LOG_SIZE = 500
"""How many requests `ReplayCore.requests` keeps (the latest): a classroom server runs for hours."""
REQUEST_LOG_BYTES = 16 * 1024 * 1024
"""The most request-body bytes the log holds in all: the oldest requests go first (a body may be 32 MiB)."""
KEPT_BODY_BYTES = 1024 * 1024
"""A body larger than this is not kept in the log at all (its size is): it was needed only to find the answer."""
CREDENTIAL_HEADERS = ("authorization", "x-api-key", "cookie", "proxy-authorization")


def key_sent(headers: Mapping[str, str]) -> str:
    """The API key a request carries (Authorization: Bearer, else x-api-key); headers named in lower case."""
    auth = headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get("x-api-key", "")


def _logged(path: str, headers: Any, key: str, body: Any, size: int) -> dict[str, Any]:
    """One request as the log keeps it: credentials never (only a SHA-256 fingerprint of the key sent), and a
    large body only by its size."""
    kept = size <= KEPT_BODY_BYTES
    return {
        "path": path,
        "headers": {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS},
        "key_sha256": hashlib.sha256(key.encode()).hexdigest() if key else None,
        "body": body if kept else f"<a body of {size:,} bytes, not kept: the log keeps bodies up to 1 MiB>",
        "body_bytes": size,
    }


class RequestLog(deque[dict[str, Any]]):
    """The latest requests served, bounded twice: at most `size` of them, and at most `budget` bytes of the bodies
    it keeps (`kept_bytes` now; the oldest go first). Iterating reads a copy: requests arrive from other threads."""

    def __init__(self, size: int = REQUEST_LOG_SIZE, budget: int = REQUEST_LOG_BYTES) -> None:
        super().__init__()
        self.size, self.budget, self.kept_bytes = size, budget, 0

    def append(self, entry: dict[str, Any]) -> None:
        super().append(entry)
        self.kept_bytes += _held(entry)
        while len(self) > self.size or (self.kept_bytes > self.budget and len(self) > 1):
            self.kept_bytes -= _held(self.popleft())

    def clear(self) -> None:
        """Forget every request (a notebook does this before counting the requests of one call)."""
        super().clear()
        self.kept_bytes = 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(list(super().__iter__()))


def _held(entry: dict[str, Any]) -> int:
    """The body bytes a log entry holds (0 when only its size was kept)."""
    return int(entry.get("body_bytes") or 0) if not isinstance(entry.get("body"), str) else len(entry["body"])


Advice = Callable[[Mapping[str, str], str], str]
"""What to do about a miss, from the request's headers (lower-case names) and path."""


@dataclass
class ReplayCore:
    """The recorded answer to any request from `library`, streams at the recorded pace x `speed`; `serve` checks
    `api_keys` (None: keyless), `reshape` varies answers (tests), `label` adds SOURCE_HEADER, `advise` ends a miss."""

    library: CassetteLibrary
    _: KW_ONLY
    speed: float = 0.0
    api_keys: set[str] | None = None
    reshape: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    label: bool = False
    advise: Advice | None = None
    faults: list[Fault] = field(default_factory=list)
    requests: RequestLog = field(default_factory=RequestLog)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.speed = sse.check_speed(self.speed)  # refused before any request: a typo would stall every stream

    def inject(self, fault: Fault | str, **options: Any) -> None:
        """Queue a fault for the next request: a Fault, a spec ('cut:5'), or a kind with options
        (`inject("cut", after=5)`, `inject("overloaded", times=2)`, `inject("slow", seconds=1.5)`)."""
        new = [fault] if isinstance(fault, Fault) else _faults(fault, **options) if options else parse_fault(fault)
        with self._lock:
            self.faults.extend(new)

    def serve(
        self, method: str, path: str, body: Any, headers: Iterable[tuple[str, str]] | Any, *, size: int | None = None
    ) -> Answer:
        """The stand-in's answer (headers: a mapping or pairs; `size`: the body's bytes): logged, its key checked as
        MiniMax checks it, any fault applied, then the recording or the miss."""
        pairs = list(headers.items() if hasattr(headers, "items") else headers)
        lower = {name.lower(): value for name, value in pairs}
        path = api_path(path.split("?", 1)[0])
        key = key_sent(lower)
        if size is None:
            size = len(json.dumps(body, ensure_ascii=False).encode()) if body is not None else 0
        with self._lock:
            self.requests.append(_logged(path, dict(pairs), key, body, size))
        if self.api_keys is not None and key not in self.api_keys:
            # The Anthropic route's 401 shape: `authentication_error`, no MiniMax code, no http_code.
            return json_answer(401, auth_error_body(key_sent=bool(key)))
        try:  # the fault the request's header asks for, else the next queued one
            fault = parse_fault(lower[FAULT_HEADER])[0] if lower.get(FAULT_HEADER) else None
        except ValueError as error:
            return error_answer(400, "bad_request_error", str(error))
        with self._lock:
            fault = fault or (self.faults.pop(0) if self.faults else None)
        if fault is not None and fault.kind == "overloaded":
            return error_answer(529, "overloaded_error", OVERLOADED_MESSAGE)
        answer = self.answer(method, path, body, lower)
        if fault is not None and fault.kind == "slow":
            answer.delay = fault.seconds
        elif fault is not None and answer.miss is None:
            answer.fault = fault
        return answer

    def answer(self, method: str, path: str, body: Any, headers: Mapping[str, str] | None = None) -> Answer:
        """The recorded answer to one request, or the miss (no log, no key check, no fault: the transport's)."""
        path = api_path(path.split("?", 1)[0])
        with self._lock:  # the library loads lazily: one thread at a time
            cassette = self.library.find(method, path, body)
            if cassette is None:
                advice = self.advise(headers or {}, path) if self.advise is not None else None
                miss = self.library.explain_miss(method, path, body, advice=advice)
        if cassette is None:
            answer = error_answer(404, "not_found_error", miss)
            answer.miss = miss
            return answer
        response = cassette.response
        if self.reshape is not None:
            response = self.reshape(json.loads(json.dumps(response)))
        headers = dict(response.get("headers") or {})
        if response["status"] >= 400 or "retry-after" in headers or "retry-after-ms" in headers:  # else unchanged
            headers = bounded_waits(response["status"], headers, self.speed)
        if self.label:
            headers[SOURCE_HEADER] = str(cassette.source.get("kind", "unknown"))
        if "events" in response:
            headers.setdefault("content-type", "text/event-stream")
            return Answer(response["status"], headers, events=response["events"], speed=self.speed, cassette=cassette)
        payload = response.get("body")
        content = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        headers.setdefault("content-type", "application/json")
        return Answer(response["status"], headers, body=content.encode(), cassette=cassette)
