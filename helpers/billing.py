"""What each call cost (notebook 01): the transport reports every exchange of a `get_client` client to
`UsageLog.observe`; in replay the timing is the recorded one, so every cost table is the same on every run.
`helpers.usage()` is the log as a pandas DataFrame (pandas imported only then), `cost_summary()` a table per model."""

from __future__ import annotations

import html
import itertools
import threading
import unicodedata
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

import anthropic

from ._html import Displayable, grid_html
from ._html import field as field_of
from ._i18n import N_
from ._i18n import gettext as _
from .models import MODELS, PRICE_SOURCE, PRICES_AS_OF

if TYPE_CHECKING:
    import pandas

TOKENS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")
PRICES: dict[str, dict[str, float]] = {
    name: {k: v for k, v in asdict(m.price).items() if k != "assumed"} for name, m in MODELS.items() if m.price
}
"""US dollars per million tokens, from the catalogue (helpers.models), for the models whose prices are known."""

ASSUMED_PRICES = tuple(
    f"{name}: {'all' if len(m.price.assumed) == 4 else ', '.join(m.price.assumed)}"
    for name, m in MODELS.items()
    if m.price is not None and m.price.assumed
)
"""The figures in `PRICES` that the source does not list (assumed equal to M2.1's), for reports to say so."""


def price_note() -> str:
    """When and where the prices come from, for the end of every cost table (in Chinese: CNY prices are unknown)."""
    note = _("Prices as of {date}, per million tokens, from {source}. Estimates only.")
    return note.format(date=PRICES_AS_OF, source=_(PRICE_SOURCE))


def cost_usd(model: str, usage: Mapping[str, Any]) -> float | None:
    """One call's estimated price in US dollars; None (unknown, never 0) for an unknown price or input or output
    tokens given as None. As Anthropic counts, `input_tokens` excludes cache reads and writes (absent ones add 0)."""
    prices = PRICES.get(model)
    if prices is None or usage.get("input_tokens", 0) is None or usage.get("output_tokens", 0) is None:
        return None
    return sum(rate * int(usage.get(name) or 0) for name, rate in zip(TOKENS, prices.values(), strict=True)) / 1e6


@dataclass(frozen=True)
class Call:
    """One exchange as the log keeps it. Times in seconds; None where the response carries no timing, a token count
    None where the response did not give it, a cost None where the price or the tokens are unknown (never 0)."""

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
    message_id: str | None = field(default=None, repr=False, compare=False)
    """The answer's id, so a view can say where it came from (`source_of`); not a column of `usage()`."""


def call_from_exchange(exchange: Mapping[str, Any], *, call: int = 1, client: int = 1) -> Call:
    """Turn what the transport reports ({"request", "response", "source", optional "elapsed"}) into a Call, in one
    pass over a stream's events: the final usage is message_delta's (a null figure in it changes nothing, as in the
    SDK); a stream cut before it keeps message_start's, whose output_tokens (always 0 there) is dropped."""
    request = exchange["request"] if isinstance(exchange.get("request"), dict) else {}
    response, source = exchange.get("response") or {}, exchange.get("source")
    status, model, message_id = int(response.get("status") or 0), str(request.get("model") or "?"), None
    usage: dict[str, Any] = {}
    ttft = duration = None
    for event in response.get("events") or ():
        data = event["data"] if isinstance(event.get("data"), dict) else {}
        kind, at = data.get("type"), event.get("at")
        if at is not None:
            duration = float(at)
        if kind == "content_block_delta":
            ttft = duration if ttft is None and at is not None else ttft
        elif kind == "message_start":
            message = data.get("message") or {}
            model, message_id = message.get("model") or model, message.get("id")
            usage = {k: v for k, v in (message.get("usage") or {}).items() if v is not None and k != "output_tokens"}
        elif kind == "message_delta" and isinstance(data.get("usage"), dict):
            usage.update({k: v for k, v in data["usage"].items() if v is not None})
    body = response.get("body")
    if isinstance(body, dict):
        model, usage, message_id = str(body.get("model") or model), dict(body.get("usage") or {}), body.get("id")
    if exchange.get("elapsed") is not None:
        duration = float(exchange["elapsed"])
    tokens = {name: None if usage.get(name) is None else int(usage[name]) for name in TOKENS}
    return Call(
        call=call,
        client=client,
        model=model,
        stream="events" in response or request.get("stream") is True,  # an error answering a stream is one too
        status=status,
        ttft_s=round(ttft, 3) if ttft is not None else None,
        duration_s=round(duration, 3) if duration is not None else None,
        cost_usd=cost_usd(model, tokens) if status == 200 else 0.0,
        source=str(source.get("kind", "?")) if isinstance(source, dict) else "?",
        message_id=message_id if isinstance(message_id, str) else None,
        **tokens,
    )


_SESSION: list[Call] = []
_LOCK = threading.Lock()
_COUNTER = itertools.count(1)
_CLIENT_COUNTER = itertools.count(1)
_LOGS: weakref.WeakKeyDictionary[anthropic.Anthropic, UsageLog] = weakref.WeakKeyDictionary()
_SOURCES: dict[str, str] = {}  # message id -> where its answer came from ("synthesized", ...), for views' footers


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
            if entry.message_id:
                _SOURCES[entry.message_id] = entry.source


def source_of(message: Any) -> str | None:
    """Where a message logged this session came from ("synthesized", "recorded", ...), None if unknown: `show`, the
    timeline and the playground say "synthesized recording" so it is never taken for MiniMax's (01, 03, 04, 06)."""
    message_id = field_of(message, "id")
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
    import pandas as pd

    return pd.DataFrame(records(client), columns=[f.name for f in fields(Call) if f.repr])  # message_id is not one


def reset() -> None:
    """Forget every call logged so far (the numbering restarts); clients keep logging afterwards."""
    global _COUNTER
    with _LOCK:
        _SESSION.clear()
        for log in list(_LOGS.values()):
            log.calls.clear()
        _COUNTER = itertools.count(1)


_TOTALS = ("calls", *TOKENS, "cost_usd")


def _add(into: dict[str, Any], row: Mapping[str, Any]) -> None:
    """Add a row's figures to a total: anything plus an unknown (None) is unknown, never a number leaving it out."""
    for key in _TOTALS:
        value = row.get(key, 0)
        into[key] = None if into[key] is None or value is None else into[key] + value


def summarize(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Totals per model: calls, tokens (cache reads and writes too) and cost, plus a last 'total' row."""
    by_model: dict[str, dict[str, Any]] = {}
    for row in rows:
        _add(by_model.setdefault(row["model"], dict.fromkeys(_TOTALS, 0)), {**row, "calls": 1})
    result = [{"model": name, **by_model[name]} for name in sorted(by_model)]
    total = dict.fromkeys(_TOTALS, 0)
    for entry in result:
        _add(total, entry)
    return [*result, {"model": "total", **total}]


_HEADS = {
    "input_tokens": (N_("input tok"), N_("input tokens")),
    "output_tokens": (N_("output tok"), N_("output tokens")),
    "cache_read_input_tokens": (N_("cache read"), N_("cache read")),
    "cache_creation_input_tokens": (N_("cache write"), N_("cache write")),
}  # each token column's head: short in the text table, long in the HTML one


def _pad(cell: str, width: int, *, left: bool) -> str:
    """A cell padded to `width` columns of a terminal, where a Chinese character takes two."""
    width -= sum(unicodedata.east_asian_width(c) in "WF" for c in cell)
    return cell.ljust(width) if left else cell.rjust(width)


class CostSummary(Displayable):
    """A small per-model cost table ending with the price date and source: text, HTML, and deterministic. Cache reads
    and writes get their own columns when some call used the cache (notebook 04), and only then."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = summarize(rows)

    @property
    def total(self) -> float | None:
        """The cost of every call in the summary, in US dollars (None when part of it is unknown)."""
        return None if self.rows[-1]["cost_usd"] is None else float(self.rows[-1]["cost_usd"])

    @property
    def shows_cache(self) -> bool:
        """True when some call read from or wrote to the cache: the table then shows both figures."""
        return any((r[key] or 0) > 0 for r in self.rows for key in TOKENS[2:])

    def _table(self, long: bool) -> list[list[str]]:
        """The head and one row per model, in the language in use: "unknown" for None, never 0."""
        keys = (*(TOKENS if self.shows_cache else TOKENS[:2]), "cost_usd")
        table = [[_("model"), _("calls"), *(_(_HEADS[k][long]) for k in keys[:-1]), _("cost (USD)")]]
        for r in self.rows:
            name = _("total") if r is self.rows[-1] else r["model"]
            cells = [_("unknown") if r[k] is None else format(r[k], ".6f" if k == "cost_usd" else "") for k in keys]
            table.append([name, str(r["calls"]), *cells])
        return table

    def text(self) -> str:
        widths = [24, 5, 10, 10, *([11, 11] if self.shows_cache else []), 11]
        lines = [
            " ".join(_pad(c, w, left=i == 0) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
            for row in self._table(long=False)
        ]
        return "\n".join([*lines, price_note()])

    def html(self) -> str:
        rows = [[html.escape(cell) for cell in row] for row in self._table(long=True)]
        return grid_html(rows) + f'<div style="opacity:.8;font-size:90%">{html.escape(price_note())}</div>'


def cost_summary(client: anthropic.Anthropic | None = None) -> CostSummary:
    """The cost of this session's calls (or `client`'s), per model, for the end of a notebook."""
    return CostSummary(records(client))
