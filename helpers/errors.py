"""`helpers.explain(error)` (notebook 05): what an error from MiniMax, or from the way to it, means and what to do.

`_read` reads an error once (who said what; for an API error its status, type and MiniMax's code, as in `"... usage
limit reached (2056)"`, docs/sources.md) and the first row of `_TABLE` (API errors) or `_FAILURES` (any other
exception) that applies is the card. Unknown errors are shown as received, never hidden."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import anthropic
import httpx2

from ._error_code import minimax_code  # also helpers.errors.minimax_code, as before
from ._html import ERROR_STYLE, Displayable
from ._i18n import N_, ngettext
from ._i18n import gettext as _
from ._sdk import raised_while_reading_body
from ._settings import REGIONS, region_of_url
from .compat import RequestNotSupportedError
from .models import MODELS
from .streaming import IncompleteStreamError, StreamInterrupted

STYLE = ERROR_STYLE + ";padding:6px 10px;line-height:1.45"
"""The card: a translucent red tint and the page's own text colour, readable in light and dark themes."""


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

    def __str__(self) -> str:
        return self.text()

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
        return f'<div style="{STYLE}">{"".join(parts)}</div>'


# -- reading an error once ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    """What an error says: who said what; for an API error (`api`) its HTTP status, error type and code, whether it
    came inside an HTTP 200 stream (`in_stream`) and whether its body was a front end's page, not MiniMax's JSON."""

    error: Any
    message: str
    said_by: str
    api: bool = False
    status: int | None = None
    kind: str = ""
    in_stream: bool = False
    page: bool = False

    @property
    def code(self) -> int | None:
        return minimax_code(self.message) if self.api else None

    @property
    def low(self) -> str:
        return self.message.lower()


def _read(error: Any) -> _Reading:
    """An API error, or its body alone (`err.body`: MiniMax's envelope as a dict, a front end's page as a string),
    read as MiniMax's answer; any other exception as its message and who said it."""
    if isinstance(error, (anthropic.APIStatusError, Mapping, str)):
        body = error.body if isinstance(error, anthropic.APIStatusError) else error
        status, kind, message = _envelope(body)
        page, in_stream = isinstance(body, str), getattr(error, "status_code", None) == 200
        if isinstance(error, anthropic.APIStatusError):  # in a 200 stream, the status is the body's http_code
            status, message = (status if in_stream else error.status_code), message or str(error)
        said_by = _("The server that answered (a page, not MiniMax's JSON)") if page else "MiniMax"
        return _Reading(error, message, said_by, True, status, kind, in_stream, page)
    cause = error.__cause__ if isinstance(error, anthropic.APIConnectionError) else None
    said_by = next((_(by) for types, by in _SPEAKERS if isinstance(error, types)), "Python")
    if cause is not None and raised_while_reading_body(error):  # anthropic 2.17+: a cut stream's httpx2 error
        said_by = _("The HTTP library")
    quiet = isinstance(error, (RequestNotSupportedError, anthropic.APITimeoutError))
    return _Reading(error, "" if quiet else str(cause or error), said_by)


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


def _retries_taken(error: Any) -> int | None:
    """How many times the SDK had already retried when this error was raised (its retry-count header)."""
    request = getattr(getattr(error, "response", None), "request", None) or getattr(error, "request", None)
    value = request.headers.get("x-stainless-retry-count") if request is not None else None
    return int(value) if value and str(value).isdigit() else None


def _requested_model(error: Any) -> str | None:
    """The model the failed request asked for, when the error carries its request body."""
    try:
        body = json.loads(error.request.content)
    except (ValueError, TypeError, AttributeError):
        return None
    return body.get("model") if isinstance(body, dict) else None


# -- the facts a card's words can hold ----------------------------------------------------------------

_IN_STREAM = N_(
    "MiniMax sent this error as an event inside an HTTP 200 stream, not as an HTTP status; the SDK raises it as an "
    "APIStatusError with status_code 200 and does not retry it."
)
_AUTH_TYPES = ("authentication_error", "authorized_error")
_BAD_REQUEST_TYPES = ("bad_request_error", "invalid_request_error")
_TOKEN_PLAN_RATE = N_(
    "2062 is the Token Plan's own rate limit, tighter at peak hours; it frees up (2056 would be the plan's quota, "
    "which does not)."
)
_INVALID_CAUSES = {
    "tool id|tool result": N_(
        "A tool_result's tool_use_id matches no tool_use block in the assistant message just before it: send the "
        "assistant's whole content back (thinking and tool_use blocks), and copy the id exactly."
    ),
    "function arguments": N_(
        "A tool_use block's input is not valid JSON (a JSON object): send back what you received unchanged, unless "
        "the model itself wrote arguments that are not an object; then send input {} and answer the call with an "
        "is_error tool_result (helpers.run_tools does)."
    ),
    "function name or parameters": N_("A tool definition has an empty name or no input_schema: give every tool both."),
    "role": N_("A message has a role MiniMax refuses here: put the system prompt in system=, not in messages."),
    "must not be empty|empty content|content is empty": N_(
        "The messages list, or a message's content, is empty: every message needs content, and an assistant turn "
        "with no blocks (an answer cut at max_tokens, whose content is null) must not go back into the history."
    ),
    "chat setting": N_(
        "MiniMax refused the conversation's setup, most often more than one system prompt (a system message in "
        "messages, or several): give one system= string."
    ),
    "temperature|top_p": N_(
        "temperature and top_p must lie in the model's range: (0.0, 1.0] for M2.x, [0, 2] for MiniMax-M3 "
        "(helpers.models)."
    ),
    "thinking": N_(
        "MiniMax-M3 takes thinking={'type': 'adaptive'} or {'type': 'disabled'}; 'enabled' is refused. Leave "
        "thinking out for M2.x models (they always think)."
    ),
}
"""The likely cause of a 2013 'invalid params' error, by the words (a regex) in MiniMax's message."""

_COMMON_INVALID = (
    N_("temperature or top_p outside the model's range ((0.0, 1.0] for M2.x);"),
    N_("a tool_result whose tool_use_id matches no tool call in the previous assistant message;"),
    N_("thinking blocks or tool_use blocks dropped from the history: send response.content back whole;"),
    N_("thinking={'type': 'enabled'} on MiniMax-M3, which takes only 'adaptive' or 'disabled';"),
    N_("an image or document block on a model that does not take them (only MiniMax-M3 takes images)."),
)


def _renamed_model(r: _Reading) -> tuple[str, str] | None:
    """(old name, new name) when the refused request (or MiniMax's message) names a model MiniMax renamed."""
    asked = _requested_model(r.error)
    for name, model in MODELS.items():
        if model.renamed_to and (asked == name or name.lower() in r.low):
            return name, model.renamed_to
    return None


def _window(r: _Reading) -> str:
    """The context window of the model the request asked for, in words, from the catalogue (helpers.models)."""
    asked = MODELS.get(_requested_model(r.error) or "")
    if asked is not None and asked.context_window:
        return _("{model}'s window is {size:,} tokens").format(model=asked.name, size=asked.context_window)
    known = {name: m.context_window for name, m in MODELS.items() if m.context_window}
    sizes = " / ".join(f"{size:,}" for size in sorted(set(known.values())))
    return _("the window is {sizes} tokens for {models}").format(sizes=sizes, models=", ".join(known))


def _other_region(r: _Reading) -> tuple[str, str]:
    """(where the refused request went, what to do about its key): the other region when it went to one."""
    url = str(getattr(getattr(r.error, "request", None), "url", "") or "")
    region, host = (region_of_url(url), re.sub(r"^https?://", "", url).split("/", 1)[0]) if url else (None, None)
    if region in REGIONS:
        other = next(name for name in REGIONS if name != region)
        went = _("The request went to the {region} region ({host}).").format(region=repr(region), host=host)
        return went, _(
            "If your key comes from the {other} console, use region={other} (or MINIMAX_REGION={name}, or "
            "region='auto' to let the helper find out). Otherwise copy the whole key again from the console."
        ).format(other=repr(other), name=other)
    where = (
        _("The request went to {host}.").format(host=host) if host else _("The endpoint that answered is not known.")
    )
    return where, _("Check the key, and that it belongs to the region of the endpoint you use (global or cn).")


def _overload(r: _Reading) -> str:
    """Whether the overload stopped a stream or turned the request away, and what the SDK already did about it."""
    if r.in_stream:
        return _(
            "The service is under high load and stopped this answer inside its stream: what arrived before the error "
            "(if anything) is all there is."
        )
    taken = _retries_taken(r.error)
    tried = _("The SDK retries this status on its own (max_retries, default 2) before raising it.")
    if taken is not None:
        tried = ngettext(
            "The SDK already retried {count} time with backoff before giving up.",
            "The SDK already retried {count} times with backoff before giving up.",
            taken,
        ).format(count=taken)
    return _("The service is under high load and turned the request away before starting it. {tried}").format(
        tried=tried
    )


def _tried(r: _Reading) -> str:
    """What the SDK retries of a failed connection, and how often it already did."""
    taken = _retries_taken(r.error)
    retried = (
        ngettext("(here {count} time).", "(here {count} times).", taken) if taken else _("(max_retries, default 2).")
    )
    tried = _("a started stream is never retried; a connection that fails before the answer starts is retried")
    return f"{tried} {retried.format(count=taken)}"


def _causes(r: _Reading) -> tuple[str, ...]:
    """The likely causes of a 2013 'invalid params' error that MiniMax's message points to, else the common ones."""
    found = tuple(cause for words, cause in _INVALID_CAUSES.items() if re.search(words, r.low)) or _COMMON_INVALID
    return tuple(_(cause) for cause in found)


_FILLS: dict[str, Callable[[_Reading], str]] = {
    "{window}": _window,
    "{where}": lambda r: _other_region(r)[0],
    "{region_step}": lambda r: _other_region(r)[1],
    "{overload}": _overload,
    "{old}": lambda r: repr((_renamed_model(r) or ("", ""))[0]),
    "{new}": lambda r: repr((_renamed_model(r) or ("", ""))[1]),
    "{causes}": lambda r: _(". Common causes:") if len(_causes(r)) > 1 else _(":"),
    "{tried}": _tried,
    "{name}": lambda r: type(r.error).__name__,
}
"""The facts a row's words can hold, each read from the error only when a row uses it."""


@dataclass(frozen=True)
class _Row:
    """One rule as data: when it applies, and what `explain` says then. A `{name}` in its words is filled from
    `_FILLS` (the asked model's context window, the region the request went to, ...)."""

    applies: Callable[[_Reading], bool]
    kind: str
    title: str
    meaning: str
    next_step: str
    retryable: bool
    details: Callable[[_Reading], tuple[str, ...]] = lambda r: ()

    def build(self, r: _Reading) -> Explanation:
        words = "\0".join(_(text) for text in (self.title, self.meaning, self.next_step))
        for name, fact in _FILLS.items():
            words = words.replace(name, fact(r)) if name in words else words
        title, meaning, step = words.split("\0")
        details = (*self.details(r), _(_IN_STREAM)) if r.in_stream else self.details(r)
        return Explanation(
            self.kind, title, meaning, step, self.retryable, r.status, r.code, r.message, details, r.said_by
        )


_TABLE = (
    _Row(
        lambda r: r.status == 404 and (r.page or "404 page not found" in r.low),
        "wrong-address",
        N_("Nothing answers at this address (a 404 page)"),
        N_(
            "A web server or relay in front of the service answered with its own 404 page, not MiniMax's JSON error: "
            "nothing is served at the URL the request went to. Most likely the base URL or its path is wrong. "
            "MiniMax's is https://api.minimax.io/anthropic (https://api.minimaxi.com/anthropic in China), and the "
            "SDK adds /v1/messages itself; a relay or gateway documents its own."
        ),
        N_(
            "Check the base URL: helpers.describe() shows the one in use; set it with MINIMAX_BASE_URL or base_url=, "
            "ending in /anthropic, without /v1/messages. Retrying the same address will not help."
        ),
        False,
    ),
    _Row(
        lambda r: r.page and r.status in (502, 503, 504),
        "gateway",
        N_("A gateway in front of MiniMax failed (an error page)"),
        N_(
            "A load balancer or proxy between you and the service answered with its own error page instead of "
            "MiniMax's JSON: it got no answer from the service behind it. This is usually transient."
        ),
        N_(
            "Retry in a few seconds: the SDK already retries 5xx statuses on its own (max_retries, default 2). If it "
            "lasts, check the relay or gateway you go through (helpers.describe() shows the base URL)."
        ),
        True,
    ),
    _Row(
        lambda r: r.code == 1026 or "input new_sensitive" in r.low,
        "content-filter-input",
        N_("MiniMax's content filter refused the input"),
        N_(
            "MiniMax's moderation flagged something in the request (the system prompt, a message, a tool result or a "
            "pasted document) and did not answer. It does not say which part."
        ),
        N_(
            "Rephrase or remove the flagged part and send again. The same request gets the same refusal: do not "
            "retry it unchanged (build clients with max_retries=0 in batch jobs, and log which input was refused)."
        ),
        False,
    ),
    _Row(
        lambda r: r.code == 1027 or "output new_sensitive" in r.low,
        "content-filter-output",
        N_("MiniMax's content filter withheld the answer"),
        N_("The model wrote an answer, but MiniMax's moderation flagged it, so none of it was returned."),
        N_(
            "Change the request so the answer stays clear of the flagged topic (rephrase the question, narrow it, or "
            "add a system instruction). Resending the same request is most likely refused again."
        ),
        False,
    ),
    _Row(
        lambda r: (r.code == 2013 or (r.code is None and r.kind in _BAD_REQUEST_TYPES)) and "context window" in r.low,
        "context-window",
        N_("The request does not fit the model's context window"),
        N_(
            "The input (system prompt, tools, every message) plus max_tokens is more than the model can hold: "
            "{window}. max_tokens counts in full, however short the answer would be: input + max_tokens must fit."
        ),
        N_(
            "Lower max_tokens, or shorten the input: drop or summarize old turns and large tool results. Retrying "
            "unchanged gets the same answer."
        ),
        False,
    ),
    # This route's 401s carry no code ("login fail: ...", "invalid api key"); the other route's carry 1004/2049.
    _Row(
        lambda r: r.code == 1004 or "login fail" in r.low or "carry the api secret key" in r.low,
        "auth-missing",
        N_("No API key was sent"),
        N_(
            "The request carried no key MiniMax could read (MiniMax says 'login fail: Please carry the API secret "
            "key ...')."
        ),
        N_(
            "Set MINIMAX_API_KEY (environment, .env file or Colab secret) and build the client with "
            "helpers.get_client(), or pass api_key=... to anthropic.Anthropic."
        ),
        False,
    ),
    _Row(
        lambda r: r.status == 401 or r.kind in _AUTH_TYPES or r.code == 2049 or "invalid api key" in r.low,
        "auth",
        N_("The API key was refused"),
        N_(
            "MiniMax did not accept the key: it is wrong, revoked, or belongs to the other region (keys are bound to "
            "the region whose console created them). {where}"
        ),
        "{region_step}",
        False,
    ),
    _Row(
        lambda r: (
            "insufficient balance" in r.low
            or r.code == 1008
            or r.status == 402
            or r.kind == "insufficient_balance_error"
        ),
        "balance",
        N_("Insufficient balance"),
        N_("The account has no credit left for this model. (MiniMax sent this as HTTP 500 at first, later as 402.)"),
        N_(
            "Top up the account in the MiniMax console. Retrying will not help, although the SDK retries a 500 on "
            "its own: use max_retries=0 to fail fast."
        ),
        False,
    ),
    _Row(
        lambda r: (r.status == 429 or r.kind == "rate_limit_error") and (r.code == 2056 or "usage limit" in r.low),
        "quota",
        N_("Usage quota reached"),
        N_(
            "Your plan's usage limit is used up. This is a wall, not a burst: every retry gets the same answer until "
            "the quota resets or grows."
        ),
        N_(
            "Stop retrying. Upgrade the plan or buy credits in the MiniMax console, or wait for the quota window to "
            "reset. Build clients with max_retries=0 in batch jobs so a quota wall fails fast."
        ),
        False,
    ),
    _Row(
        lambda r: r.status == 429 or r.kind == "rate_limit_error",
        "rate-limit",
        N_("Rate limited (transient)"),
        N_("Too many requests or tokens per minute. The limit frees up within seconds to a minute."),
        N_(
            "Retry with backoff: the SDK already retries 429 (max_retries, default 2). Send fewer requests at once, "
            "or raise max_retries for batch jobs."
        ),
        True,
        lambda r: (_(_TOKEN_PLAN_RATE),) if r.code == 2062 else (),
    ),
    _Row(
        lambda r: r.status == 529 or r.kind == "overloaded_error" or r.code == 2064 or r.low.strip() == "overload",
        "overloaded",
        N_("MiniMax is overloaded"),
        "{overload}",
        N_(
            "Retry later: wait a little and send the request again. For more patience, build the client with more "
            "retries, e.g. helpers.get_client(max_retries=5) or client.with_options(max_retries=5), and back off "
            "between attempts in your own loops (a few seconds, doubling)."
        ),
        True,
    ),
    _Row(
        lambda r: (r.code == 2013 or r.kind in _BAD_REQUEST_TYPES) and _renamed_model(r) is not None,
        "unknown-model",
        N_("MiniMax does not know this model name"),
        N_("MiniMax refused the model {old}: its later docs call it {new}."),
        N_("Use model={new} (same model, new name). helpers.models.MODELS lists every model this collection knows."),
        False,
    ),
    # Only 2013 (or a bad request with no code at all) is "invalid params": any other code is shown as unknown.
    _Row(
        lambda r: r.code == 2013 or (r.kind in _BAD_REQUEST_TYPES and r.code is None),
        "invalid-params",
        N_("MiniMax refused the request's parameters"),
        N_("Something in the request body is not valid for MiniMax{causes}"),
        N_(
            "Fix the request and send it again: retrying it unchanged gets the same answer. "
            "helpers.check_request(**params) catches several of these before sending."
        ),
        False,
        _causes,
    ),
)
"""Every API error this guide knows, most specific first: the first row that applies explains the error, and an
error no row applies to is shown as received (`_unknown`)."""


def _unknown(r: _Reading) -> Explanation:
    return Explanation(
        "unknown",
        _("An error this guide does not know"),
        _("Shown as received: read MiniMax's message below."),
        _("Retry if the status is 5xx; otherwise check the request. Search the code in MiniMax's error-code page."),
        r.status is not None and r.status >= 500,
        r.status,
        r.code,
        r.message or r.kind or _("(no message)"),
        (_(_IN_STREAM),) if r.in_stream else (),
    )


def _is(*types: type) -> Callable[[_Reading], bool]:
    return lambda r: isinstance(r.error, types)


def _is_cut(r: _Reading) -> bool:
    """A stream that ended before message_stop: helpers.stream's errors, or httpx2's for a body that ended early
    (anthropic 2.0-2.16 let it through; 2.17+ wraps it in an APIConnectionError raised while reading the body)."""
    if isinstance(r.error, anthropic.APIConnectionError):
        return raised_while_reading_body(r.error)
    return isinstance(r.error, (StreamInterrupted, IncompleteStreamError, httpx2.RemoteProtocolError, httpx2.ReadError))


_FAILURES = (
    _Row(
        _is(RequestNotSupportedError),
        "not-sent",
        N_("Stopped before sending"),
        N_("helpers' checks found something MiniMax cannot serve, so nothing was sent."),
        N_("Fix each point listed and call again."),
        False,
        lambda r: tuple(f"{f.where}: {f.message}" for f in r.error.findings),
    ),
    _Row(
        _is(anthropic.APITimeoutError),
        "timeout",
        N_("The request timed out"),
        N_(
            "No complete answer arrived within the client's timeout (retries included). Long answers with thinking "
            "can take a minute or more, and a stream's first byte can be slow under load."
        ),
        N_(
            "Raise the timeout (timeout=120 on the client or per call), stream long answers, and keep max_retries "
            "for transient slowness."
        ),
        True,
    ),
    _Row(
        lambda r: isinstance(r.error, StreamInterrupted) and r.error.kind == "interrupt",
        "interrupt",
        N_("You stopped the stream"),
        N_("The stream was interrupted on purpose (Ctrl-C or the stop button). What arrived is in .partial."),
        N_("Send the request again if you need the whole answer."),
        True,
    ),
    _Row(
        _is_cut,
        "stream-cut",
        N_("The stream was cut"),
        N_(
            "The stream ended before its message_stop event: the connection closed in the middle of the answer. What "
            "arrived is kept (in a StreamInterrupted's .partial, or the SDK stream's current_message_snapshot), but "
            "the answer is incomplete."
        ),
        N_(
            "Keep or show the partial answer, and send the request again (streams are not retried by the SDK once "
            "they have started)."
        ),
        True,
    ),
    _Row(
        _is(anthropic.APIConnectionError),
        "connection",
        N_("Could not reach the endpoint"),
        N_("The connection failed or broke before an answer arrived (network, DNS, proxy or base URL)."),
        N_("Check the network and the base URL (helpers.describe()); {tried}"),
        True,
    ),
    _Row(
        _is(json.JSONDecodeError),
        "malformed",
        N_("A response or stream event was not valid JSON"),
        N_("The answer arrived, but part of it could not be read: a proxy or the server sent something broken."),
        N_("Send the request again; if it keeps happening, check any proxy or gateway between you and MiniMax."),
        True,
    ),
    _Row(
        _is(anthropic.AnthropicError),
        "unknown",
        N_("{name} from the SDK"),
        N_("Shown as it is: read the message below."),
        N_("Read the message; helpers.describe() shows the endpoint and mode in use."),
        False,
    ),
    _Row(
        lambda r: True,
        "unknown",
        N_("Not a MiniMax error: {name}"),
        N_("This error was raised in Python, not by MiniMax; it is shown as it is."),
        N_("Read the message and the traceback."),
        False,
    ),
)
"""Every other failure, by the exception's type, most specific first (a timeout is also a connection error)."""

_SPEAKERS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    ((StreamInterrupted, IncompleteStreamError), "helpers.stream"),
    (json.JSONDecodeError, N_("Python's JSON parser")),
    ((httpx2.RemoteProtocolError, httpx2.ReadError), N_("The HTTP library")),
    (anthropic.AnthropicError, N_("The SDK")),
)
"""Who says an exception's message, by its type (any other exception: Python)."""


def explain(error: BaseException | Mapping[str, Any] | str) -> Explanation:
    """Explain an exception from a MiniMax call (or its error body: a dict, or the text of a page that was not
    JSON): meaning, retry, next step.

    Notebook 05 teaches it; `explain(err)` and `explain(err.body)` agree, and so do a cut stream's
    `explain(err)` and `explain(err.__cause__)`."""
    if isinstance(error, StreamInterrupted) and error.kind == "server" and error.__cause__ is not None:
        found = explain(error.__cause__)  # a server error that stopped a stream: explained as that error
        return replace(found, details=(*found.details, _("What arrived before it is in the error's .partial.")))
    reading = _read(error)
    rows = _TABLE if reading.api else _FAILURES
    return next((row.build(reading) for row in rows if row.applies(reading)), None) or _unknown(reading)
