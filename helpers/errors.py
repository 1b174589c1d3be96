"""`helpers.explain(error)` (notebook 05): what an error from MiniMax, or from the way to it, means and what to do.

It reads an error once (`read`), picks the first row of explanations.py's table that applies (`row_for`) and shows
it as a card (`Explanation`). Unknown errors are shown as received."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import anthropic
import httpx2

from ._error_code import minimax_code  # also helpers.errors.minimax_code, as before
from ._html import ERROR_STYLE, Displayable
from ._i18n import N_
from ._i18n import gettext as _
from ._sdk import raised_while_reading_body
from .compat import RequestNotSupportedError
from .explanations import API_ERRORS, FILLS, IN_STREAM, OTHER_ERRORS, UNKNOWN, Reading, Row
from .streaming import IncompleteStreamError, StreamInterrupted


def explain(error: BaseException | Mapping[str, Any] | str) -> Explanation:
    """Explain an exception from a MiniMax call (or its error body: a dict, or a page's text): meaning, retry, next
    step. Notebook 05 teaches it; `explain(err)` and `explain(err.body)` agree."""
    if isinstance(error, StreamInterrupted) and error.kind == "server" and error.__cause__ is not None:
        found = explain(error.__cause__)  # a server error that stopped a stream: explained as that error
        return replace(found, details=(*found.details, _("What arrived before it is in the error's .partial.")))
    reading = read(error)
    return card(row_for(reading), reading)


def row_for(reading: Reading) -> Row:
    """The first row that applies: of `API_ERRORS` for an API error or a body (else `UNKNOWN`), or `OTHER_ERRORS`."""
    rows = API_ERRORS if reading.api else OTHER_ERRORS
    return next((row for row in rows if row.when(reading)), UNKNOWN)


def card(row: Row, r: Reading) -> Explanation:
    """The row's words, translated, with each `{fact}` in them filled from the reading (explanations.FILLS)."""
    words = "\0".join(_(text) for text in (row.title, row.meaning, row.next_step))
    for name, fact in FILLS.items():
        words = words.replace(name, fact(r)) if name in words else words
    title, meaning, step = words.split("\0")
    details = (*row.details(r), _(IN_STREAM)) if r.in_stream else row.details(r)
    retryable = row.retryable(r) if callable(row.retryable) else row.retryable
    message = r.message or ((r.kind or _("(no message)")) if row is UNKNOWN else "")
    return Explanation(row.kind, title, meaning, step, retryable, r.status, r.code, message, details, r.said_by)


# -- reading an error once ------------------------------------------------------------------------------------


def read(error: Any) -> Reading:
    """An API error, or its body alone (`err.body`: MiniMax's envelope as a dict, a front end's page as a string),
    read as MiniMax's answer; any other exception as its message and who said it."""
    sent = _sent(error)
    if isinstance(error, (anthropic.APIStatusError, Mapping, str)):
        body = error.body if isinstance(error, anthropic.APIStatusError) else error
        status, kind, message = _envelope(body)
        page, in_stream = isinstance(body, str), getattr(error, "status_code", None) == 200
        if isinstance(error, anthropic.APIStatusError):  # in a 200 stream, the status is the body's http_code
            status, message = (status if in_stream else error.status_code), message or str(error)
        said_by = _("The server that answered (a page, not MiniMax's JSON)") if page else "MiniMax"
        return Reading(error, message, said_by, True, status, kind, minimax_code(message), in_stream, page, **sent)
    cause = error.__cause__ if isinstance(error, anthropic.APIConnectionError) else None
    said_by = next((_(by) for types, by in _SPEAKERS if isinstance(error, types)), "Python")
    if cause is not None and raised_while_reading_body(error):  # anthropic 2.17+: a cut stream's httpx2 error
        said_by = _("The HTTP library")
    quiet = isinstance(error, (RequestNotSupportedError, anthropic.APITimeoutError))
    return Reading(error, "" if quiet else str(cause or error), said_by, **sent)


_SPEAKERS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    ((StreamInterrupted, IncompleteStreamError), "helpers.stream"),
    (json.JSONDecodeError, N_("Python's JSON parser")),
    ((httpx2.RemoteProtocolError, httpx2.ReadError), N_("The HTTP library")),
    (anthropic.AnthropicError, N_("The SDK")),
)
"""Who says an exception's message, by its type (any other exception: Python)."""


def _envelope(body: Any) -> tuple[int | None, str, str]:
    """(status, error type, message) from MiniMax's envelope `{"type":"error","error":{...}}` (its http_code), or
    from any other body: a relay's `{"error": "overload"}`, a `base_resp`, a page (the status it names, its text)."""
    if not isinstance(body, Mapping):
        text = "" if body is None else page_text(str(body))
        found = re.match(r"\s*([45]\d\d)\b", text)
        return (int(found.group(1)) if found else None), "", text
    inner, base = body.get("error"), body.get("base_resp")
    if isinstance(inner, Mapping):
        code = str(inner.get("http_code") or "")
        return (int(code) if code.isdigit() else None), str(inner.get("type") or ""), str(inner.get("message") or "")
    if isinstance(inner, str) and inner:
        return None, "", inner
    if isinstance(base, Mapping) and base.get("status_code"):
        return None, "", f"{base.get('status_msg', '')} ({base.get('status_code')})"
    return None, str(body.get("type") or ""), str(body.get("message") or json.dumps(body, ensure_ascii=False))


def page_text(body: str) -> str:
    """A page that is not JSON (nginx's HTML 404, a plain-text "404 page not found") as one short line: its
    <title> when it has one, else its text without tags."""
    title = re.search(r"<title[^>]*>(.*?)</title>", body, re.IGNORECASE | re.DOTALL)
    text = " ".join(html.unescape(re.sub(r"<[^>]*>", " ", title.group(1) if title else body)).split())
    return text if len(text) <= 200 else text[:197] + "..."


def _sent(error: Any) -> dict[str, Any]:
    """What the request behind an error asked: its model, URL and the SDK's retries so far (its retry-count header),
    when the error carries it (httpx2's errors raise on `.request` when they have none)."""
    request: Any = None
    for holder in (getattr(error, "response", None), error):
        try:
            request = getattr(holder, "request", None)
        except RuntimeError:
            continue
        if request is not None:
            break
    retries = request.headers.get("x-stainless-retry-count") if request is not None else None
    try:
        body = json.loads(request.content)
    except (ValueError, TypeError, AttributeError, RuntimeError):
        body = None
    return {
        "model": body.get("model") if isinstance(body, dict) else None,
        "url": str(getattr(request, "url", "") or ""),
        "retries": int(retries) if retries and str(retries).isdigit() else None,
    }


# -- the card -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Explanation(Displayable):
    """An error in plain words: what happened, whether retrying can help, and the next step."""

    kind: str
    title: str
    meaning: str
    next_step: str
    retryable: bool
    status: int | None = None
    code: int | None = None
    message: str = ""
    details: tuple[str, ...] = field(default_factory=tuple)
    said_by: str = "MiniMax"

    def _facts(self) -> str:
        facts = "" if self.status is None else f" · HTTP {self.status}"
        return facts + ("" if self.code is None else _(" · MiniMax code {code}").format(code=self.code))

    def _retry(self) -> str:
        return _("yes, it can succeed later") if self.retryable else _("no, retrying will not help")

    def text(self) -> str:
        lines = [self.title + self._facts()]
        if self.message:
            lines.append("  " + _("{speaker} said: {message}").format(speaker=self.said_by, message=self.message))
        lines.append("  " + _("What it means: {meaning}").format(meaning=self.meaning))
        lines.extend(f"    - {d}" for d in self.details)
        lines.append("  " + _("Retry? {answer}").format(answer=self._retry()))
        lines.append("  " + _("Next step: {step}").format(step=self.next_step))
        return "\n".join(lines)

    def html(self) -> str:
        esc = html.escape
        parts = [f"<div>⚠️ <b>{esc(self.title)}</b>{self._facts()}</div>"]
        if self.message:
            said = _("{speaker} said: {message}").format(
                speaker=esc(self.said_by), message=f"<code>{esc(self.message)}</code>"
            )
            parts.append(f"<div>{said}</div>")
        parts.append(f"<div><b>{_('What it means:')}</b> {esc(self.meaning)}</div>")
        if self.details:
            parts.append("<ul style='margin:2px 0'>" + "".join(f"<li>{esc(d)}</li>" for d in self.details) + "</ul>")
        parts.append(f"<div><b>{_('Retry?')}</b> {self._retry()}</div>")
        parts.append(f"<div><b>{_('Next step:')}</b> {esc(self.next_step)}</div>")
        return f'<div style="{ERROR_STYLE};padding:6px 10px;line-height:1.45">{"".join(parts)}</div>'
