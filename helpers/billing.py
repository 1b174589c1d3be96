"""What each call cost: a log of every exchange a `get_client` client makes (model, tokens, timing, price).

The transport reports each completed exchange to `UsageLog.observe`; in replay the timing comes from the
recorded event times, so the log (and every cost table in a notebook) is the same on every run.
`helpers.usage()` returns the log as a pandas DataFrame (pandas is imported only then).
"""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import anthropic

from ._html import Displayable, field, grid_html
from .models import MODELS, PRICE_SOURCE, PRICES_AS_OF

if TYPE_CHECKING:
    import pandas

PRICES: dict[str, dict[str, float]] = {
    name: {
        "input": m.price.input,
        "output": m.price.output,
        "cache_read": m.price.cache_read,
        "cache_write": m.price.cache_write,
    }
    for name, m in MODELS.items()
    if m.price is not None
}
"""US dollars per million tokens, from the catalogue (helpers.models), for the models whose prices are known."""

ASSUMED_PRICES = tuple(
    f"{name}: {'all' if len(m.price.assumed) == 4 else ', '.join(m.price.assumed)}"
    for name, m in MODELS.items()
    if m.price is not None and m.price.assumed
)
"""The figures in `PRICES` that the source does not list (assumed equal to M2.1's), for reports to say so."""


def price_note() -> str:
    """When and where the prices come from: every table that shows a cost ends with it."""
    return f"Prices as of {PRICES_AS_OF}, per million tokens, from {PRICE_SOURCE}. Estimates only."


COLUMNS = (
    "call",
    "client",
    "model",
    "stream",
    "status",
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "ttft_s",
    "duration_s",
    "cost_usd",
    "source",
)


def cost_usd(model: str, usage: Mapping[str, Any]) -> float | None:
    """The estimated price of one call in US dollars, from `PRICES`; None (unknown, never 0) for a model whose
    price is not known or input or output tokens given as None (a response that did not say them).

    Follows Anthropic's usage convention: `input_tokens` excludes the tokens read from or written to the cache.
    Cache figures a response leaves out add nothing (it reported no cache use).
    """
    price = PRICES.get(model)
    if price is None or any(usage.get(name, 0) is None for name in ("input_tokens", "output_tokens")):
        return None
    total = (
        price["input"] * int(usage.get("input_tokens") or 0)
        + price["output"] * int(usage.get("output_tokens") or 0)
        + price["cache_read"] * int(usage.get("cache_read_input_tokens") or 0)
        + price["cache_write"] * int(usage.get("cache_creation_input_tokens") or 0)
    )
    return total / 1_000_000


@dataclass(frozen=True)
class Call:
    """One exchange as the log keeps it. Times are in seconds; None where the response carries no timing, a
    token count None where the response did not give it (`"usage": null`, a field left out), a cost None where
    the model's price or the tokens are unknown. Unknown is never shown as 0."""

    call: int
    client: int
    model: str
    stream: bool
    status: int
    input_tokens: int | None
    output_tokens: int | None
    cache_read_input_tokens: int | None
    cache_creation_input_tokens: int | None
    ttft_s: float | None
    duration_s: float | None
    cost_usd: float | None
    source: str


def _stream_facts(events: list[dict[str, Any]]) -> tuple[str | None, dict[str, Any], float | None, float | None]:
    """Model, final usage, time to the first content delta and time of the last event, from a stream's events.

    A stream cut before its `message_delta` keeps `message_start`'s usage; a figure no event gave stays absent."""
    model, usage, first, last = None, {}, None, None
    for event in events:
        data: dict[str, Any] = event["data"] if isinstance(event.get("data"), dict) else {}
        kind = data.get("type")
        at = event.get("at")
        if at is not None:
            last = float(at)
        if kind == "message_start":
            message = data.get("message") or {}
            model = message.get("model") or model
            usage = {k: v for k, v in (message.get("usage") or {}).items() if v is not None}
            if kind == "message_start":
                usage.pop("output_tokens", None)  # always 0 at the start: the final figure comes in message_delta
        elif kind == "content_block_delta" and first is None and at is not None:
            first = float(at)
        elif kind == "message_delta" and isinstance(data.get("usage"), dict):
            # The final usage is the one that counts (docs/sources.md); a null figure in it changes nothing,
            # as in the SDK's own accumulation.
            usage.update({name: value for name, value in data["usage"].items() if value is not None})
    return model, usage, first, last


def call_from_exchange(exchange: Mapping[str, Any], *, call: int = 1, client: int = 1) -> Call:
    """Turn what the transport reports ({"request", "response", "source", optional "elapsed"}) into a Call."""
    request: dict[str, Any] = exchange["request"] if isinstance(exchange.get("request"), dict) else {}
    response = exchange.get("response") or {}
    status = int(response.get("status") or 0)
    model = str(request.get("model") or "?")
    usage: dict[str, Any] = {}
    ttft = duration = None
    is_stream = "events" in response
    if is_stream:
        streamed_model, usage, ttft, duration = _stream_facts(response.get("events") or [])
        model = streamed_model or model
    elif isinstance(response.get("body"), dict):
        body = response["body"]
        model = str(body.get("model") or model)
        usage = dict(body.get("usage") or {})
    if exchange.get("elapsed") is not None:
        duration = round(float(exchange["elapsed"]), 3)
    tokens = {
        name: None if usage.get(name) is None else int(usage[name])
        for name in ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
    }
    source = exchange.get("source") or {}
    return Call(
        call=call,
        client=client,
        model=model,
        stream=is_stream or request.get("stream") is True,  # an error answering a stream request is still one
        status=status,
        ttft_s=round(ttft, 3) if ttft is not None else None,
        duration_s=round(duration, 3) if duration is not None else None,
        cost_usd=cost_usd(model, tokens) if status == 200 else 0.0,
        source=str(source.get("kind", "?")) if isinstance(source, dict) else "?",
        **tokens,
    )


_SESSION: list[Call] = []
_LOCK = threading.Lock()
_COUNTER = itertools.count(1)
_CLIENT_COUNTER = itertools.count(1)
_LOGS: weakref.WeakKeyDictionary[anthropic.Anthropic, UsageLog] = weakref.WeakKeyDictionary()


class UsageLog:
    """The calls of one client. Every call also lands in the session log that `usage()` reads."""

    def __init__(self) -> None:
        self.client_number = next(_CLIENT_COUNTER)
        self.calls: list[Call] = []

    def observe(self, exchange: Mapping[str, Any]) -> None:
        """The transport's observer: called once per completed exchange (replay, record and live)."""
        with _LOCK:
            entry = call_from_exchange(exchange, call=next(_COUNTER), client=self.client_number)
            self.calls.append(entry)
            _SESSION.append(entry)
            _remember_source(exchange, entry.source)

    def __len__(self) -> int:
        """How many calls this client has logged."""
        return len(self.calls)


_SOURCES: dict[str, str] = {}
"""Message id -> where its answer came from ("synthesized", "recorded", "live"), for the views' footers."""


def _message_id(response: Mapping[str, Any]) -> str | None:
    """The id of the message in a reported response: the body's, or a stream's `message_start`."""
    body = response.get("body")
    if isinstance(body, dict) and isinstance(body.get("id"), str):
        return str(body["id"])
    for event in response.get("events") or []:
        data = event.get("data") if isinstance(event, dict) else None
        if isinstance(data, dict) and data.get("type") == "message_start":
            message = data.get("message") or {}
            return message.get("id") if isinstance(message.get("id"), str) else None
    return None


def _remember_source(exchange: Mapping[str, Any], source: str) -> None:
    response = exchange.get("response")
    message_id = _message_id(response) if isinstance(response, Mapping) else None
    if message_id:
        _SOURCES[message_id] = source


def source_of(message: Any) -> str | None:
    """Where a message logged this session came from ("synthesized", "recorded", ...), None if unknown.

    `helpers.show`, the timeline and the playground transcript use it to say "synthesized recording" in their
    footer, so a synthesized answer is never taken for MiniMax's (notebooks 01, 03, 04, 06)."""
    message_id = field(message, "id")
    return _SOURCES.get(message_id) if isinstance(message_id, str) else None


def attach(client: anthropic.Anthropic, log: UsageLog) -> None:
    """Remember which log belongs to `client`, so `usage(client)` can find it."""
    _LOGS[client] = log


def log_of(client: anthropic.Anthropic) -> UsageLog:
    """The log of a client made by `helpers.get_client`; a clear error for any other client."""
    try:
        return _LOGS[client]
    except (KeyError, TypeError):
        raise LookupError(
            "This client keeps no usage log: only clients from helpers.get_client() do. "
            "Call helpers.usage() with no argument for every call of this session."
        ) from None


def records(client: anthropic.Anthropic | None = None) -> list[dict[str, Any]]:
    """The log as plain dicts: every call of this session, or only those of `client`."""
    with _LOCK:
        calls = list(_SESSION) if client is None else list(log_of(client).calls)
    return [asdict(c) for c in calls]


def usage(client: anthropic.Anthropic | None = None) -> pandas.DataFrame:
    """Every call made so far (or only `client`'s) as a pandas DataFrame, one row per call, with its cost."""
    rows = records(client)
    import pandas as pd

    return pd.DataFrame(rows, columns=list(COLUMNS))


def reset() -> None:
    """Forget every call logged so far (the numbering restarts); clients keep logging afterwards."""
    global _COUNTER
    with _LOCK:
        _SESSION.clear()
        for log in list(_LOGS.values()):
            log.calls.clear()
        _COUNTER = itertools.count(1)


def _plus(total: Any, value: Any) -> Any:
    """A sum where None means unknown: anything plus an unknown is unknown."""
    return None if total is None or value is None else total + value


_TOTALS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "cost_usd")
"""The figures a summary adds up per model."""


def summarize(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Totals per model: calls, tokens (cache reads and writes too) and cost, plus a last 'total' row. A total with
    an unknown part is unknown (None), never a number that leaves the part out."""
    by_model: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = by_model.setdefault(row["model"], {"model": row["model"], "calls": 0, **dict.fromkeys(_TOTALS, 0)})
        entry["calls"] += 1
        for key in _TOTALS:
            entry[key] = _plus(entry[key], row.get(key, 0))
    result = [by_model[m] for m in sorted(by_model)]
    total = {"model": "total", "calls": 0, **dict.fromkeys(_TOTALS, 0)}
    for entry in result:
        for key in ("calls", *_TOTALS):
            total[key] = _plus(total[key], entry[key])
    return [*result, total]


def _shown(value: Any, spec: str = "") -> str:
    """A figure as a table shows it: "unknown" for None (never 0)."""
    return "unknown" if value is None else format(value, spec)


class CostSummary(Displayable):
    """A small per-model cost table with the price date and source: text, HTML, and deterministic. Cache reads
    and writes get their own columns when some call used the cache (notebook 04), and only then."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = summarize(rows)

    @property
    def total(self) -> float | None:
        """The cost of every call in the summary, in US dollars (None when part of it is unknown)."""
        cost = self.rows[-1]["cost_usd"]
        return None if cost is None else float(cost)

    @property
    def shows_cache(self) -> bool:
        """True when some call read from or wrote to the cache: the table then shows both figures."""
        return any(
            (r[key] or 0) > 0 for r in self.rows for key in ("cache_read_input_tokens", "cache_creation_input_tokens")
        )

    def _cells(self, r: dict[str, Any]) -> list[str]:
        """One row's figures as the table shows them ("unknown" for None), cache columns only when shown."""
        cache = ("cache_read_input_tokens", "cache_creation_input_tokens") if self.shows_cache else ()
        tokens = [_shown(r[key]) for key in ("input_tokens", "output_tokens", *cache)]
        return [str(r["calls"]), *tokens, _shown(r["cost_usd"], ".6f")]

    def _names(self) -> list[str]:
        cache = ["cache read", "cache write"] if self.shows_cache else []
        return ["calls", "input tok", "output tok", *cache, "cost (USD)"]

    def text(self) -> str:
        widths = [5, 10, 10, *([11, 11] if self.shows_cache else []), 11]
        lines = [f"{'model':24} " + " ".join(f"{n:>{w}}" for n, w in zip(self._names(), widths, strict=True))]
        for r in self.rows:
            cells = self._cells(r)
            lines.append(f"{r['model']:24} " + " ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)))
        lines.append(price_note())
        return "\n".join(lines)

    def html(self) -> str:
        import html

        names = ["model", *(n.replace(" tok", " tokens") for n in self._names())]
        body = [[html.escape(str(r["model"])), *self._cells(r)] for r in self.rows]
        note = html.escape(price_note())
        return grid_html([names, *body]) + f'<div style="opacity:.8;font-size:90%">{note}</div>'


def cost_summary(client: anthropic.Anthropic | None = None) -> CostSummary:
    """The cost of this session's calls (or `client`'s), per model, for the end of a notebook."""
    return CostSummary(records(client))
