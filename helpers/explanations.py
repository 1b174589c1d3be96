"""What `helpers.explain` knows, as one table: each `Row` says when it applies (`when`), what the error means,
whether retrying can help, and the next step.

`explain` (errors.py) shows the first row that applies: from `API_ERRORS` for an HTTP error (or its body alone),
else from `OTHER_ERRORS`; an API error no row knows is `UNKNOWN`. A `{name}` in a row's words is filled from
`FILLS`. Codes and shapes: docs/sources.md."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anthropic
import httpx2

from ._i18n import N_, ngettext
from ._i18n import gettext as _
from ._sdk import raised_while_reading_body
from ._settings import REGIONS, region_of_url
from .compat import RequestNotSupportedError
from .models import MODELS
from .streaming import IncompleteStreamError, StreamInterrupted


@dataclass(frozen=True)
class Reading:
    """What an error says, read once by `explain`: who said what, for an API error its status, type, MiniMax's code,
    whether it came in a 200 stream or as a front end's page, and what the request asked (model, URL, retries)."""

    error: Any
    message: str
    said_by: str
    api: bool = False
    status: int | None = None
    kind: str = ""
    code: int | None = None
    in_stream: bool = False
    page: bool = False
    model: str | None = None
    url: str = ""
    retries: int | None = None

    @property
    def low(self) -> str:
        return self.message.lower()


@dataclass(frozen=True)
class Row:
    """One rule: when it applies, and what `explain` says then (words marked with N_, translated when shown)."""

    kind: str
    when: Callable[[Reading], bool]
    title: str
    meaning: str
    next_step: str
    retryable: bool | Callable[[Reading], bool] = False
    details: Callable[[Reading], tuple[str, ...]] = lambda r: ()


# -- when a row applies (most rows say it in place) -----------------------------------------------------------


def code(*codes: int) -> Callable[[Reading], bool]:
    """MiniMax's code (the `(NNNN)` ending its message) is one of these."""
    return lambda r: r.code in codes


def raised(*types: type) -> Callable[[Reading], bool]:
    """The exception is one of these types."""
    return lambda r: isinstance(r.error, types)


BAD_REQUEST_TYPES = ("bad_request_error", "invalid_request_error")
AUTH_TYPES = ("authentication_error", "authorized_error")


def invalid_params(r: Reading) -> bool:  # only 2013, or a bad request with no code: any other code is unknown
    return r.code == 2013 or (r.kind in BAD_REQUEST_TYPES and r.code is None)


def stream_cut(r: Reading) -> bool:
    """A stream that ended before message_stop: helpers.stream's errors, or httpx2's for a body that ended early
    (anthropic 2.0-2.16 let it through; 2.17+ wraps it in an APIConnectionError raised while reading the body)."""
    if isinstance(r.error, anthropic.APIConnectionError):
        return raised_while_reading_body(r.error)
    return isinstance(r.error, (StreamInterrupted, IncompleteStreamError, httpx2.RemoteProtocolError, httpx2.ReadError))


def server_side(r: Reading) -> bool:
    """5xx, or for a body read without its status (no `http_code`) an error type that says 5xx on its own."""
    return r.status >= 500 if r.status is not None else r.kind in ("api_error", "server_error", "overloaded_error")


# -- the facts a row's words and details can hold ------------------------------------------------------------


def renamed_model(r: Reading) -> tuple[str, str] | None:
    """(old name, new name) when the refused request (or MiniMax's message) names a model MiniMax renamed."""
    for name, model in MODELS.items():
        if model.renamed_to and (r.model == name or name.lower() in r.low):
            return name, model.renamed_to
    return None


def window(r: Reading) -> str:
    """The context window of the model the request asked for, in words, from the catalogue (helpers.models)."""
    asked = MODELS.get(r.model or "")
    if asked is not None and asked.context_window:
        return _("{model}'s window is {size:,} tokens").format(model=asked.name, size=asked.context_window)
    known = {name: m.context_window for name, m in MODELS.items() if m.context_window}
    sizes = " / ".join(f"{size:,}" for size in sorted(set(known.values())))
    return _("the window is {sizes} tokens for {models}").format(sizes=sizes, models=", ".join(known))


def other_region(r: Reading) -> tuple[str, str]:
    """(where the refused request went, what to do about its key): the other region when it went to one."""
    region, host = (region_of_url(r.url), re.sub(r"^https?://", "", r.url).split("/", 1)[0]) if r.url else (None, None)
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


def overload(r: Reading) -> str:
    """Whether the overload stopped a stream or turned the request away, and what the SDK already did about it."""
    if r.in_stream:
        return _(
            "The service is under high load and stopped this answer inside its stream: what arrived before the error "
            "(if anything) is all there is."
        )
    tried = _("The SDK retries this status on its own (max_retries, default 2) before raising it.")
    if r.retries is not None:
        tried = ngettext(
            "The SDK already retried {count} time with backoff before giving up.",
            "The SDK already retried {count} times with backoff before giving up.",
            r.retries,
        ).format(count=r.retries)
    away = _("The service is under high load and turned the request away before starting it. {tried}")
    return away.format(tried=tried)


def tried(r: Reading) -> str:
    """What the SDK retries of a failed connection, and how often it already did."""
    taken = r.retries
    retried = (
        ngettext("(here {count} time).", "(here {count} times).", taken) if taken else _("(max_retries, default 2).")
    )
    said = _("a started stream is never retried; a connection that fails before the answer starts is retried")
    return f"{said} {retried.format(count=taken)}"


IN_STREAM = N_(
    "MiniMax sent this error as an event inside an HTTP 200 stream, not as an HTTP status; the SDK raises it as an "
    "APIStatusError with status_code 200 and does not retry it."
)
"""Added to the details of any API error that came inside a stream."""

TOKEN_PLAN_RATE = N_(
    "2062 is the Token Plan's own rate limit, tighter at peak hours; it frees up (2056 would be the plan's quota, "
    "which does not)."
)

INVALID_CAUSES = {
    "tool id|tool result": N_(
        "A tool_result's tool_use_id matches no tool_use block in the assistant message just before it: send the "
        "assistant's whole content back (thinking and tool_use blocks), and copy the id exactly."
    ),
    "function arguments": N_(
        "A tool_use block's input is not valid JSON (a JSON object): send back what you received unchanged, unless "
        "the model itself wrote arguments that are not an object; then send input {} and answer the call with an "
        "is_error tool_result (helpers.run_tools does)."
    ),
    "tool type": N_(
        "A tool in tools= has a type MiniMax does not take here: give plain tools (name, description and "
        "input_schema, no type field)."
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

COMMON_INVALID = (
    N_("temperature or top_p outside the model's range ((0.0, 1.0] for M2.x);"),
    N_("a tool_result whose tool_use_id matches no tool call in the previous assistant message;"),
    N_("thinking blocks or tool_use blocks dropped from the history: send response.content back whole;"),
    N_("thinking={'type': 'enabled'} on MiniMax-M3, which takes only 'adaptive' or 'disabled';"),
    N_("an image or document block on a model that does not take them (only MiniMax-M3 takes images)."),
)


def causes(r: Reading) -> tuple[str, ...]:
    """The likely causes of a 2013 'invalid params' error that MiniMax's message points to, else the common ones."""
    found = tuple(cause for words, cause in INVALID_CAUSES.items() if re.search(words, r.low)) or COMMON_INVALID
    return tuple(_(cause) for cause in found)


FILLS: dict[str, Callable[[Reading], str]] = {
    "{window}": window,
    "{where}": lambda r: other_region(r)[0],
    "{region_step}": lambda r: other_region(r)[1],
    "{overload}": overload,
    "{old}": lambda r: repr((renamed_model(r) or ("", ""))[0]),
    "{new}": lambda r: repr((renamed_model(r) or ("", ""))[1]),
    "{asked}": lambda r: repr(r.model) if r.model else _("the model you asked for"),
    "{causes}": lambda r: _(". Common causes:") if len(causes(r)) > 1 else _(":"),
    "{tried}": tried,
    "{name}": lambda r: type(r.error).__name__,
}
"""The facts a row's words can hold, each read from the error only when a row uses it."""


# -- the table -------------------------------------------------------------------------------------------------

API_ERRORS = (
    Row(
        kind="wrong-address",
        when=lambda r: r.status == 404 and (r.page or "404 page not found" in r.low),
        title=N_("Nothing answers at this address (a 404 page)"),
        meaning=N_(
            "A web server or relay in front of the service answered with its own 404 page, not MiniMax's JSON error: "
            "nothing is served at the URL the request went to. Most likely the base URL or its path is wrong. "
            "MiniMax's is https://api.minimax.io/anthropic (https://api.minimaxi.com/anthropic in China), and the "
            "SDK adds /v1/messages itself; a relay or gateway documents its own."
        ),
        next_step=N_(
            "Check the base URL: helpers.describe() shows the one in use; set it with MINIMAX_BASE_URL or base_url=, "
            "ending in /anthropic, without /v1/messages. Retrying the same address will not help."
        ),
    ),
    Row(
        kind="gateway",
        when=lambda r: r.page and r.status in (502, 503, 504),
        title=N_("A gateway in front of MiniMax failed (an error page)"),
        meaning=N_(
            "A load balancer or proxy between you and the service answered with its own error page instead of "
            "MiniMax's JSON: it got no answer from the service behind it. This is usually transient."
        ),
        next_step=N_(
            "Retry in a few seconds: the SDK already retries 5xx statuses on its own (max_retries, default 2). If it "
            "lasts, check the relay or gateway you go through (helpers.describe() shows the base URL)."
        ),
        retryable=True,
    ),
    Row(
        kind="content-filter-input",
        when=lambda r: r.code == 1026 or "input new_sensitive" in r.low,
        title=N_("MiniMax's content filter refused the input"),
        meaning=N_(
            "MiniMax's moderation flagged something in the request (the system prompt, a message, a tool result or a "
            "pasted document) and did not answer. It does not say which part."
        ),
        next_step=N_(
            "Rephrase or remove the flagged part and send again. The same request gets the same refusal: do not "
            "retry it unchanged (build clients with max_retries=0 in batch jobs, and log which input was refused)."
        ),
    ),
    Row(
        kind="content-filter-output",
        when=lambda r: r.code == 1027 or "output new_sensitive" in r.low,
        title=N_("MiniMax's content filter withheld the answer"),
        meaning=N_("The model wrote an answer, but MiniMax's moderation flagged it, so none of it was returned."),
        next_step=N_(
            "Change the request so the answer stays clear of the flagged topic (rephrase the question, narrow it, or "
            "add a system instruction). Resending the same request is most likely refused again."
        ),
    ),
    Row(
        kind="model-not-in-plan",
        when=code(2061),
        title=N_("This model is not in your Token Plan"),
        meaning=N_(
            "MiniMax refused {asked} for this key: the Token Plan the key belongs to does not include that model "
            "(a plan covers some models, not all). The request itself is fine."
        ),
        next_step=N_(
            "Pick a model your plan includes (the plan's page in the MiniMax console lists them), upgrade the plan, "
            "or use a pay-as-you-go key for this model. Retrying will not help."
        ),
    ),
    Row(
        kind="server-timeout",
        when=code(1001),
        title=N_("MiniMax timed out (transient)"),
        meaning=N_(
            "MiniMax took the request but did not finish it within its own time limit. This happens on MiniMax's side "
            "and usually passes; long inputs and a large max_tokens make it more likely."
        ),
        next_step=N_(
            "Send the request again after a short wait. If it keeps happening, stream the answer, lower max_tokens "
            "or shorten the input."
        ),
        retryable=True,
    ),
    Row(
        kind="server-error",
        when=code(1013),
        title=N_("MiniMax had an internal error (transient)"),
        meaning=N_(
            "Something failed inside MiniMax's service while it handled the request; the request itself is most "
            "likely fine."
        ),
        next_step=N_(
            "Send the request again after a short wait, backing off between attempts. If the same request keeps "
            "failing, try again later."
        ),
        retryable=True,
    ),
    Row(
        kind="context-window",
        when=lambda r: invalid_params(r) and "context window" in r.low,
        title=N_("The request does not fit the model's context window"),
        meaning=N_(
            "The input (system prompt, tools, every message) plus max_tokens is more than the model can hold: "
            "{window}. max_tokens counts in full, however short the answer would be: input + max_tokens must fit."
        ),
        next_step=N_(
            "Lower max_tokens, or shorten the input: drop or summarize old turns and large tool results. Retrying "
            "unchanged gets the same answer."
        ),
    ),
    Row(
        kind="auth-missing",
        # this route's 401s carry no code; the OpenAI-compatible route's carry 1004/2049
        when=lambda r: r.code == 1004 or "login fail" in r.low or "carry the api secret key" in r.low,
        title=N_("No API key was sent"),
        meaning=N_(
            "The request carried no key MiniMax could read (MiniMax says 'login fail: Please carry the API secret "
            "key ...')."
        ),
        next_step=N_(
            "Set MINIMAX_API_KEY (environment, .env file or Colab secret) and build the client with "
            "helpers.get_client(), or pass api_key=... to anthropic.Anthropic."
        ),
    ),
    Row(
        kind="auth",
        when=lambda r: r.status == 401 or r.kind in AUTH_TYPES or r.code == 2049 or "invalid api key" in r.low,
        title=N_("The API key was refused"),
        meaning=N_(
            "MiniMax did not accept the key: it is wrong, revoked, or belongs to the other region (keys are bound to "
            "the region whose console created them). {where}"
        ),
        next_step="{region_step}",
    ),
    Row(
        kind="balance",
        when=lambda r: (
            "insufficient balance" in r.low
            or r.code == 1008
            or r.status == 402
            or r.kind == "insufficient_balance_error"
        ),
        title=N_("Insufficient balance"),
        meaning=N_(
            "The account has no credit left for this model. (MiniMax sent this as HTTP 500 at first, later as 402.)"
        ),
        next_step=N_(
            "Top up the account in the MiniMax console. Retrying will not help, although the SDK retries a 500 on "
            "its own: use max_retries=0 to fail fast."
        ),
    ),
    Row(
        kind="quota",
        when=lambda r: (r.status == 429 or r.kind == "rate_limit_error") and (r.code == 2056 or "usage limit" in r.low),
        title=N_("Usage quota reached"),
        meaning=N_(
            "Your plan's usage limit is used up. This is a wall, not a burst: every retry gets the same answer until "
            "the quota resets or grows."
        ),
        next_step=N_(
            "Stop retrying. Upgrade the plan or buy credits in the MiniMax console, or wait for the quota window to "
            "reset. Build clients with max_retries=0 in batch jobs so a quota wall fails fast."
        ),
    ),
    Row(
        kind="rate-limit",
        when=lambda r: r.status == 429 or r.kind == "rate_limit_error" or r.code == 1002,
        title=N_("Rate limited (transient)"),
        meaning=N_("Too many requests or tokens per minute. The limit frees up within seconds to a minute."),
        next_step=N_(
            "Retry with backoff: the SDK already retries 429 (max_retries, default 2). Send fewer requests at once, "
            "or raise max_retries for batch jobs."
        ),
        retryable=True,
        details=lambda r: (_(TOKEN_PLAN_RATE),) if r.code == 2062 else (),
    ),
    Row(
        kind="overloaded",
        when=lambda r: r.status == 529 or r.kind == "overloaded_error" or r.code == 2064 or r.low.strip() == "overload",
        title=N_("MiniMax is overloaded"),
        meaning="{overload}",
        next_step=N_(
            "Retry later: wait a little and send the request again. For more patience, build the client with more "
            "retries, e.g. helpers.get_client(max_retries=5) or client.with_options(max_retries=5), and back off "
            "between attempts in your own loops (a few seconds, doubling)."
        ),
        retryable=True,
    ),
    Row(
        kind="unknown-model",
        when=lambda r: (r.code == 2013 or r.kind in BAD_REQUEST_TYPES) and renamed_model(r) is not None,
        title=N_("MiniMax does not know this model name"),
        meaning=N_("MiniMax refused the model {old}: its later docs call it {new}."),
        next_step=N_(
            "Use model={new} (same model, new name). helpers.models.MODELS lists every model this collection knows."
        ),
    ),
    Row(
        kind="invalid-params",
        when=invalid_params,
        title=N_("MiniMax refused the request's parameters"),
        meaning=N_("Something in the request body is not valid for MiniMax{causes}"),
        next_step=N_(
            "Fix the request and send it again: retrying it unchanged gets the same answer. "
            "helpers.check_request(**params) catches several of these before sending."
        ),
        details=causes,
    ),
)
"""Every API error this guide knows (an HTTP error from MiniMax or a front end, or its body alone)."""

UNKNOWN = Row(
    kind="unknown",
    when=lambda r: True,
    title=N_("An error this guide does not know"),
    meaning=N_("Shown as received: read MiniMax's message below."),
    next_step=N_(
        "Retry if the status is 5xx; otherwise check the request. Search the code in MiniMax's error-code page."
    ),
    retryable=server_side,
)
"""An API error no row of `API_ERRORS` applies to: shown as received, never hidden."""

OTHER_ERRORS = (
    Row(
        kind="not-sent",
        when=raised(RequestNotSupportedError),
        title=N_("Stopped before sending"),
        meaning=N_("helpers' checks found something MiniMax cannot serve, so nothing was sent."),
        next_step=N_("Fix each point listed and call again."),
        details=lambda r: tuple(f"{f.where}: {f.message}" for f in r.error.findings),
    ),
    Row(
        kind="timeout",
        when=raised(anthropic.APITimeoutError),  # before "connection": a timeout is also a connection error
        title=N_("The request timed out"),
        meaning=N_(
            "No complete answer arrived within the client's timeout (retries included). Long answers with thinking "
            "can take a minute or more, and a stream's first byte can be slow under load."
        ),
        next_step=N_(
            "Raise the timeout (timeout=120 on the client or per call), stream long answers, and keep max_retries "
            "for transient slowness."
        ),
        retryable=True,
    ),
    Row(
        kind="interrupt",
        when=lambda r: isinstance(r.error, StreamInterrupted) and r.error.kind == "interrupt",
        title=N_("You stopped the stream"),
        meaning=N_("The stream was interrupted on purpose (Ctrl-C or the stop button). What arrived is in .partial."),
        next_step=N_("Send the request again if you need the whole answer."),
        retryable=True,
    ),
    Row(
        kind="stream-cut",
        when=stream_cut,
        title=N_("The stream was cut"),
        meaning=N_(
            "The stream ended before its message_stop event: the connection closed in the middle of the answer. What "
            "arrived is kept (in a StreamInterrupted's .partial, or the SDK stream's current_message_snapshot), but "
            "the answer is incomplete."
        ),
        next_step=N_(
            "Keep or show the partial answer, and send the request again (streams are not retried by the SDK once "
            "they have started)."
        ),
        retryable=True,
    ),
    Row(
        kind="connection",
        when=raised(anthropic.APIConnectionError),
        title=N_("Could not reach the endpoint"),
        meaning=N_("The connection failed or broke before an answer arrived (network, DNS, proxy or base URL)."),
        next_step=N_("Check the network and the base URL (helpers.describe()); {tried}"),
        retryable=True,
    ),
    Row(
        kind="malformed",
        when=raised(json.JSONDecodeError),
        title=N_("A response or stream event was not valid JSON"),
        meaning=N_(
            "The answer arrived, but part of it could not be read: a proxy or the server sent something broken."
        ),
        next_step=N_(
            "Send the request again; if it keeps happening, check any proxy or gateway between you and MiniMax."
        ),
        retryable=True,
    ),
    Row(
        kind="unknown",
        when=raised(anthropic.AnthropicError),
        title=N_("{name} from the SDK"),
        meaning=N_("Shown as it is: read the message below."),
        next_step=N_("Read the message; helpers.describe() shows the endpoint and mode in use."),
    ),
    Row(
        kind="unknown",
        when=lambda r: True,
        title=N_("Not a MiniMax error: {name}"),
        meaning=N_("This error was raised in Python, not by MiniMax; it is shown as it is."),
        next_step=N_("Read the message and the traceback."),
    ),
)
"""Every other failure, by the exception's type: the last row takes any exception at all."""
