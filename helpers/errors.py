"""`helpers.explain(error)`: what an error from MiniMax (or from the way to it) means, and what to do next.

MiniMax often puts a numeric code at the end of its error message, e.g. `"... usage limit reached (2056)"`
(see docs/sources.md, Errors); some answers carry none (this route's 401s: `"invalid api key"`). The status,
the error type, the code when there is one and the message's words pick one rule in `_RULES` (the plainer ones
are rows of data in `_TABLE`): a quota wall (2056) from a transient rate limit (1002, 2062), an overload inside a
200 stream from one before it, a front end's HTML page (a wrong base URL, a failing gateway) from MiniMax's JSON.
Unknown errors are shown as they are, never hidden.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
        """The status and MiniMax code that follow the title (empty when neither is known)."""
        facts = "" if self.status is None else f" · HTTP {self.status}"
        return facts + ("" if self.code is None else _(" · MiniMax code {code}").format(code=self.code))

    def _retry(self) -> str:
        return _("yes, it can succeed later") if self.retryable else _("no, retrying will not help")

    def text(self) -> str:
        """The card as plain text, its labels in the language in use (its words were chosen by `explain`)."""
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


# -- reading an error --------------------------------------------------------------------------------


def _envelope(body: Any) -> tuple[str, str]:
    """(error type, message) from MiniMax's envelope `{"type":"error","error":{...}}`, or from any body."""
    if isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping):
            return str(inner.get("type") or ""), str(inner.get("message") or "")
        if isinstance(inner, str) and inner:  # a relay's bare {"error": "overload"}
            return "", inner
        base = body.get("base_resp")
        if isinstance(base, Mapping) and base.get("status_code"):
            return "", f"{base.get('status_msg', '')} ({base.get('status_code')})"
        return str(body.get("type") or ""), str(body.get("message") or json.dumps(body, ensure_ascii=False))
    return "", "" if body is None else page_text(str(body))


_TAG = re.compile(r"<[^>]*>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_PAGE_STATUS = re.compile(r"^\s*([45]\d\d)\b")


def page_text(body: str) -> str:
    """A page that is not JSON (nginx's HTML 404, a plain-text "404 page not found") as one short line: its
    <title> when it has one, else its text without tags."""
    title = _TITLE.search(body)
    text = html.unescape(_TAG.sub(" ", title.group(1) if title else body))
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197] + "..."


def _page_status(body: Any) -> int | None:
    """The HTTP status a page names at its start (`404 Not Found`, `502 Bad Gateway`), when the body is one."""
    found = _PAGE_STATUS.match(page_text(body)) if isinstance(body, str) else None
    return int(found.group(1)) if found else None


def _region_of_request(error: Any) -> tuple[str | None, str | None]:
    """(region name, host) the failed request went to, when the error carries its request."""
    request = getattr(error, "request", None)
    url = str(getattr(request, "url", "") or "")
    if not url:
        return None, None
    host = re.sub(r"^https?://", "", url).split("/", 1)[0]
    return region_of_url(url), host


def _retries_taken(error: Any) -> int | None:
    """How many times the SDK had already retried when this error was raised (its retry-count header)."""
    response = getattr(error, "response", None)
    request = getattr(response, "request", None) or getattr(error, "request", None)
    headers = getattr(request, "headers", None)
    value = headers.get("x-stainless-retry-count") if headers is not None else None
    return int(value) if value and str(value).isdigit() else None


# -- reading an API error ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    """What an error says, read once: the HTTP status, MiniMax's error type, message and code, and where."""

    status: int | None
    kind: str
    message: str
    error: Any
    in_stream: bool = False
    """True for an error MiniMax sent inside an HTTP 200 stream (the SDK raises it with status_code 200)."""
    page: bool = False
    """True when the body was not JSON but a page (HTML or plain text) from a front end: nginx, a load balancer."""

    @property
    def code(self) -> int | None:
        return minimax_code(self.message)

    @property
    def low(self) -> str:
        return self.message.lower()

    def explanation(
        self, kind: str, title: str, meaning: str, next_step: str, retryable: bool, *details: str
    ) -> Explanation:
        """An Explanation carrying this error's status, code and message."""
        if self.in_stream:
            details = (*details, _(_IN_STREAM))
        said_by = _("The server that answered (a page, not MiniMax's JSON)") if self.page else "MiniMax"
        return Explanation(
            kind, title, meaning, next_step, retryable, self.status, self.code, self.message, details, said_by
        )


_IN_STREAM = N_(
    "MiniMax sent this error as an event inside an HTTP 200 stream, not as an HTTP status; the SDK raises it "
    "as an APIStatusError with status_code 200 and does not retry it."
)


def _requested_model(error: Any) -> str | None:
    """The model the failed request asked for, when the error carries its request body."""
    request = getattr(error, "request", None)
    try:
        body = json.loads(request.content) if request is not None else None
    except (ValueError, TypeError, AttributeError):
        return None
    return body.get("model") if isinstance(body, dict) else None


# -- what each error means: one table ------------------------------------------------------------------

_AUTH_TYPES = ("authentication_error", "authorized_error")
_BAD_REQUEST_TYPES = ("bad_request_error", "invalid_request_error")

_TOKEN_PLAN_RATE = N_(
    "2062 is the Token Plan's own rate limit, tighter at peak hours; it frees up (2056 would be the plan's "
    "quota, which does not)."
)

_INVALID_CAUSES = (
    (
        ("tool id", "tool result"),
        N_(
            "A tool_result's tool_use_id matches no tool_use block in the assistant message "
            "just before it: send the assistant's whole content back (thinking and tool_use blocks), and copy the id "
            "exactly."
        ),
    ),
    (
        ("function arguments",),
        N_(
            "A tool_use block's input is not valid JSON (a JSON object): send back what you received unchanged, "
            "unless the model itself wrote arguments that are not an object; then send input {} and answer the call "
            "with an is_error tool_result (helpers.run_tools does)."
        ),
    ),
    (
        ("function name or parameters",),
        N_("A tool definition has an empty name or no input_schema: give every tool both."),
    ),
    (("role",), N_("A message has a role MiniMax refuses here: put the system prompt in system=, not in messages.")),
    (
        ("must not be empty", "empty content", "content is empty"),
        N_(
            "The messages list, or a message's content, is empty: every message needs content, and an assistant turn "
            "with no blocks (an answer cut at max_tokens, whose content is null) must not go back into the history."
        ),
    ),
    (
        ("chat setting",),
        N_(
            "MiniMax refused the conversation's setup, most often more than one system prompt (a system message in "
            "messages, or several): give one system= string."
        ),
    ),
    (
        ("temperature", "top_p"),
        N_(
            "temperature and top_p must lie in the model's range: (0.0, 1.0] for M2.x, [0, 2] for "
            "MiniMax-M3 (helpers.models)."
        ),
    ),
    (
        ("thinking",),
        N_(
            "MiniMax-M3 takes thinking={'type': 'adaptive'} or {'type': 'disabled'}; 'enabled' is refused. "
            "Leave thinking out for M2.x models (they always think)."
        ),
    ),
)
"""(words in MiniMax's message, the likely cause they point to) for a 2013 'invalid params' error."""

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
    region, host = _region_of_request(r.error)
    if region in REGIONS:
        other = next(name for name in REGIONS if name != region)
        went = _("The request went to the {region} region ({host}).").format(region=repr(region), host=host)
        return went, _(
            "If your key comes from the {other} console, use region={other} (or MINIMAX_REGION={name}, "
            "or region='auto' to let the helper find out). Otherwise copy the whole key again from the console."
        ).format(other=repr(other), name=other)
    where = (
        _("The request went to {host}.").format(host=host) if host else _("The endpoint that answered is not known.")
    )
    return where, _("Check the key, and that it belongs to the region of the endpoint you use (global or cn).")


def _overload(r: _Reading) -> str:
    """Whether the overload stopped a stream or turned the request away, and what the SDK already did about it."""
    if r.in_stream:
        return _(
            "The service is under high load and stopped this answer inside its stream: what arrived before "
            "the error (if anything) is all there is."
        )
    taken = _retries_taken(r.error)
    tried = (
        ngettext(
            "The SDK already retried {count} time with backoff before giving up.",
            "The SDK already retried {count} times with backoff before giving up.",
            taken,
        ).format(count=taken)
        if taken is not None
        else _("The SDK retries this status on its own (max_retries, default 2) before raising it.")
    )
    return _("The service is under high load and turned the request away before starting it. {tried}").format(
        tried=tried
    )


def _causes(r: _Reading) -> tuple[str, ...]:
    """The likely causes of a 2013 'invalid params' error that MiniMax's message points to, else the common ones."""
    found = tuple(cause for words, cause in _INVALID_CAUSES if any(w in r.low for w in words)) or _COMMON_INVALID
    return tuple(_(cause) for cause in found)


_FILLS: dict[str, Callable[[_Reading], str]] = {
    "{window}": _window,
    "{where}": lambda r: _other_region(r)[0],
    "{region_step}": lambda r: _other_region(r)[1],
    "{overload}": _overload,
    "{old}": lambda r: repr((_renamed_model(r) or ("", ""))[0]),
    "{new}": lambda r: repr((_renamed_model(r) or ("", ""))[1]),
    "{causes}": lambda r: _(". Common causes:") if len(_causes(r)) > 1 else _(":"),
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
        meaning, step = (_fill(_(text), r) for text in (self.meaning, self.next_step))
        return r.explanation(self.kind, _(self.title), meaning, step, self.retryable, *self.details(r))


def _fill(text: str, r: _Reading) -> str:
    for name, fact in _FILLS.items():
        if name in text:
            text = text.replace(name, fact(r))
    return text


_TABLE = (
    _Row(
        lambda r: r.status == 404 and (r.page or "404 page not found" in r.low),
        "wrong-address",
        N_("Nothing answers at this address (a 404 page)"),
        N_(
            "A web server or relay in front of the service answered with its own 404 page, not MiniMax's JSON error: "
            "nothing is served at the URL the request went to. Most likely the base URL or its path is wrong. "
            "MiniMax's is https://api.minimax.io/anthropic (https://api.minimaxi.com/anthropic in China), and the SDK "
            "adds /v1/messages itself; a relay or gateway documents its own."
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
            "Rephrase or remove the flagged part and send again. The same request gets the same refusal: do not retry "
            "it unchanged (build clients with max_retries=0 in batch jobs, and log which input was refused)."
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
            "MiniMax did not accept the key: it is wrong, revoked, or belongs to the other region (keys are "
            "bound to the region whose console created them). {where}"
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
            "Top up the account in the MiniMax console. Retrying will not help, although the SDK retries a 500 "
            "on its own: use max_retries=0 to fail fast."
        ),
        False,
    ),
    _Row(
        lambda r: (r.status == 429 or r.kind == "rate_limit_error") and (r.code == 2056 or "usage limit" in r.low),
        "quota",
        N_("Usage quota reached"),
        N_(
            "Your plan's usage limit is used up. This is a wall, not a burst: every retry gets the same answer "
            "until the quota resets or grows."
        ),
        N_(
            "Stop retrying. Upgrade the plan or buy credits in the MiniMax console, or wait for the quota window "
            "to reset. Build clients with max_retries=0 in batch jobs so a quota wall fails fast."
        ),
        False,
    ),
    _Row(
        lambda r: r.status == 429 or r.kind == "rate_limit_error",
        "rate-limit",
        N_("Rate limited (transient)"),
        N_("Too many requests or tokens per minute. The limit frees up within seconds to a minute."),
        N_(
            "Retry with backoff: the SDK already retries 429 (max_retries, default 2). Send fewer requests at "
            "once, or raise max_retries for batch jobs."
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


def _from_reading(reading: _Reading) -> Explanation:
    return next((row.build(reading) for row in _TABLE if row.applies(reading)), None) or _unknown(reading)


def _http_code(body: Any) -> int | None:
    """The `http_code` MiniMax puts inside some error envelopes, as a number (None when absent)."""
    inner = body.get("error") if isinstance(body, Mapping) else None
    raw = str(inner.get("http_code") or "") if isinstance(inner, Mapping) else ""
    return int(raw) if raw.isdigit() else None


# -- every other failure: one function per kind of exception ------------------------------------------


def _from_api_error(error: Any) -> Explanation:
    kind, message = _envelope(error.body)
    in_stream = error.status_code == 200  # an `error` event inside a 200 stream
    status = _http_code(error.body) if in_stream else error.status_code
    page = isinstance(error.body, str)  # not JSON: the SDK keeps the page's text as the body
    return _from_reading(_Reading(status, kind, message or str(error), error, in_stream, page))


def _from_body(body: Mapping[str, Any] | str) -> Explanation:
    """An error body alone (`err.body`): MiniMax's envelope as a dict, or a front end's page as a string."""
    kind, message = _envelope(body)
    status = _page_status(body) if isinstance(body, str) else _http_code(body)
    return _from_reading(_Reading(status, kind, message, body, page=isinstance(body, str)))


def _not_sent(error: Any) -> Explanation:
    return Explanation(
        "not-sent",
        _("Stopped before sending"),
        _("helpers' checks found something MiniMax cannot serve, so nothing was sent."),
        _("Fix each point listed and call again."),
        False,
        details=tuple(f"{f.where}: {f.message}" for f in error.findings),
    )


def _timeout(error: Any) -> Explanation:
    return Explanation(
        "timeout",
        _("The request timed out"),
        _(
            "No complete answer arrived within the client's timeout (retries included). Long answers with "
            "thinking can take a minute or more, and a stream's first byte can be slow under load."
        ),
        _(
            "Raise the timeout (timeout=120 on the client or per call), stream long answers, and keep "
            "max_retries for transient slowness."
        ),
        True,
    )


def _connection(error: Any) -> Explanation:
    if raised_while_reading_body(error):  # anthropic 2.17+: a stream cut after it started is a connection error
        return _cut(error.__cause__ or error, said_by=_("The HTTP library") if error.__cause__ else _("The SDK"))
    taken = _retries_taken(error)
    retried = (
        ngettext("(here {count} time).", "(here {count} times).", taken).format(count=taken)
        if taken
        else _("(max_retries, default 2).")
    )
    tried = _("a started stream is never retried; a connection that fails before the answer starts is retried")
    tried += " " + retried
    return Explanation(
        "connection",
        _("Could not reach the endpoint"),
        _("The connection failed or broke before an answer arrived (network, DNS, proxy or base URL)."),
        _("Check the network and the base URL (helpers.describe()); {tried}").format(tried=tried),
        True,
        message=str(error.__cause__ or error),
        said_by=_("The SDK"),
    )


def _cut(error: Any, said_by: str = "helpers.stream") -> Explanation:
    return Explanation(
        "stream-cut",
        _("The stream was cut"),
        _(
            "The stream ended before its message_stop event: the connection closed in the middle of the answer. "
            "What arrived is kept (in a StreamInterrupted's .partial, or the SDK stream's current_message_snapshot), "
            "but the answer is incomplete."
        ),
        _(
            "Keep or show the partial answer, and send the request again (streams are not retried by the SDK "
            "once they have started)."
        ),
        True,
        message=str(error),
        said_by=said_by,
    )


def _interrupted(error: Any) -> Explanation:
    """A `helpers.StreamInterrupted`: a server error is explained as that error; a cut as a cut."""
    cause = error.__cause__
    if error.kind == "server" and cause is not None:
        found = explain(cause)
        return dataclasses.replace(
            found, details=(*found.details, _("What arrived before it is in the error's .partial."))
        )
    if error.kind == "interrupt":
        return Explanation(
            "interrupt",
            _("You stopped the stream"),
            _("The stream was interrupted on purpose (Ctrl-C or the stop button). What arrived is in .partial."),
            _("Send the request again if you need the whole answer."),
            True,
            message=str(error),
            said_by="helpers.stream",
        )
    return _cut(error)


def _malformed(error: Any) -> Explanation:
    return Explanation(
        "malformed",
        _("A response or stream event was not valid JSON"),
        _("The answer arrived, but part of it could not be read: a proxy or the server sent something broken."),
        _("Send the request again; if it keeps happening, check any proxy or gateway between you and MiniMax."),
        True,
        message=str(error),
        said_by=_("Python's JSON parser"),
    )


def _sdk_other(error: Any) -> Explanation:
    return Explanation(
        "unknown",
        _("{name} from the SDK").format(name=type(error).__name__),
        _("Shown as it is: read the message below."),
        _("Read the message; helpers.describe() shows the endpoint and mode in use."),
        False,
        message=str(error),
        said_by=_("The SDK"),
    )


def _python(error: Any) -> Explanation:
    return Explanation(
        "unknown",
        _("Not a MiniMax error: {name}").format(name=type(error).__name__),
        _("This error was raised in Python, not by MiniMax; it is shown as it is."),
        _("Read the message and the traceback."),
        False,
        message=str(error),
        said_by="Python",
    )


def _is_cut_stream(error: Any) -> bool:
    """An httpx2 error saying the body ended early (e.g. an incomplete chunked read): what anthropic 2.0-2.16
    let through from a cut stream (2.17 wraps it in APIConnectionError, read in `_connection`)."""
    return isinstance(error, (httpx2.RemoteProtocolError, httpx2.ReadError))


def _handlers() -> tuple[tuple[Callable[[Any], bool], Callable[[Any], Explanation]], ...]:
    """(is it this kind of failure?, its explanation), most specific first (a timeout is also a connection error)."""
    return (
        (lambda e: isinstance(e, RequestNotSupportedError), _not_sent),
        (lambda e: isinstance(e, anthropic.APIStatusError), _from_api_error),
        (lambda e: isinstance(e, (Mapping, str)), _from_body),
        (lambda e: isinstance(e, StreamInterrupted), _interrupted),
        (lambda e: isinstance(e, IncompleteStreamError), _cut),
        (lambda e: isinstance(e, anthropic.APITimeoutError), _timeout),
        (lambda e: isinstance(e, anthropic.APIConnectionError), _connection),
        (lambda e: isinstance(e, json.JSONDecodeError), _malformed),
        (_is_cut_stream, lambda e: _cut(e, said_by=_("The HTTP library"))),
        (lambda e: isinstance(e, anthropic.AnthropicError), _sdk_other),
    )


def explain(error: BaseException | Mapping[str, Any] | str) -> Explanation:
    """Explain an exception from a MiniMax call (or its error body: a dict, or the text of a page that was not
    JSON): meaning, retry, next step.

    Notebook 05 teaches it; `explain(err)` and `explain(err.body)` agree, and so do a cut stream's
    `explain(err)` and `explain(err.__cause__)`."""
    return next((build(error) for matches, build in _handlers() if matches(error)), None) or _python(error)
