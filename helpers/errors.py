"""`helpers.explain(error)`: what an error from MiniMax (or from the way to it) means, and what to do next.

MiniMax puts a numeric code at the end of its error message, e.g. `"invalid api key (2049)"` (see
docs/sources.md, Errors). The code, with the HTTP status, tells a quota wall (2056) from a
transient rate limit (1002), or a wrong key from a key of the other region. Unknown errors are shown as
they are, never hidden.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .client import REGIONS, region_of_url
from .show import ERROR_STYLE, Displayable

_CODE = re.compile(r"\((\d{3,5})\)")

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
        return facts + ("" if self.code is None else f" · MiniMax code {self.code}")

    def _retry(self) -> str:
        return "yes, it can succeed later" if self.retryable else "no, retrying will not help"

    def text(self) -> str:
        lines = [self.title + self._facts()]
        if self.message:
            lines.append(f"  {self.said_by} said: {self.message}")
        lines.append(f"  What it means: {self.meaning}")
        lines.extend(f"    - {d}" for d in self.details)
        lines.append(f"  Retry? {self._retry()}")
        lines.append(f"  Next step: {self.next_step}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def html(self) -> str:
        esc = html.escape
        parts = [f"<div>⚠️ <b>{esc(self.title)}</b>{self._facts()}</div>"]
        if self.message:
            parts.append(f"<div>{esc(self.said_by)} said: <code>{esc(self.message)}</code></div>")
        parts.append(f"<div><b>What it means:</b> {esc(self.meaning)}</div>")
        if self.details:
            parts.append("<ul style='margin:2px 0'>" + "".join(f"<li>{esc(d)}</li>" for d in self.details) + "</ul>")
        parts.append(f"<div><b>Retry?</b> {self._retry()}</div>")
        parts.append(f"<div><b>Next step:</b> {esc(self.next_step)}</div>")
        return f'<div style="{STYLE}">{"".join(parts)}</div>'


# -- reading an error --------------------------------------------------------------------------------


_HTTP_STATUSES = (400, 401, 402, 403, 404, 429, 500, 502, 503, 529)
"""Statuses MiniMax may repeat after its code, as in `... (2064) (529)`: never taken for the code."""


def minimax_code(message: str) -> int | None:
    """The MiniMax error code in a message: the last `(NNNN)` that is not the HTTP status repeated.

    The code ends the message; an earlier number in parentheses (a limit, an id) is part of the text."""
    codes = [int(c) for c in _CODE.findall(message or "")]
    codes = [c for c in codes if c not in _HTTP_STATUSES] or codes
    return codes[-1] if codes else None


def _envelope(body: Any) -> tuple[str, str]:
    """(error type, message) from MiniMax's envelope `{"type":"error","error":{...}}`, or from any body."""
    if isinstance(body, Mapping):
        inner = body.get("error")
        if isinstance(inner, Mapping):
            return str(inner.get("type") or ""), str(inner.get("message") or "")
        base = body.get("base_resp")
        if isinstance(base, Mapping) and base.get("status_code"):
            return "", f"{base.get('status_msg', '')} ({base.get('status_code')})"
        return str(body.get("type") or ""), str(body.get("message") or json.dumps(body, ensure_ascii=False))
    return "", "" if body is None else str(body)


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


# -- the explanations --------------------------------------------------------------------------------


def _auth(status: int | None, code: int | None, message: str, error: Any) -> Explanation:
    region, host = _region_of_request(error)
    if code == 1004:
        return Explanation(
            "auth-missing",
            "No API key was sent",
            "The request carried no key MiniMax could read.",
            "Set MINIMAX_API_KEY (environment, .env file or Colab secret) and build the client with "
            "helpers.get_client(), or pass api_key=... to anthropic.Anthropic.",
            False,
            status,
            code,
            message,
        )
    if region in REGIONS:
        other = next(name for name in REGIONS if name != region)
        where = f"The request went to the {region!r} region ({host})."
        step = (
            f"If your key comes from the {other!r} console, use region={other!r} (or MINIMAX_REGION={other}, "
            "or region='auto' to let the helper find out). Otherwise copy the whole key again from the console."
        )
    else:
        where = f"The request went to {host}." if host else "The endpoint that answered is not known."
        step = "Check the key, and that it belongs to the region of the endpoint you use."
    return Explanation(
        "auth",
        "The API key was refused",
        "MiniMax did not accept the key: it is wrong, revoked, or belongs to the other region (keys are "
        "bound to the region whose console created them). " + where,
        step,
        False,
        status,
        code,
        message,
    )


def _rate(status: int | None, code: int | None, message: str, error: Any) -> Explanation:
    if code == 2056 or "usage limit" in message.lower():
        return Explanation(
            "quota",
            "Usage quota reached",
            "Your plan's usage limit is used up. This is a wall, not a burst: every retry gets the same answer "
            "until the quota resets or grows.",
            "Stop retrying. Upgrade the plan or buy credits in the MiniMax console, or wait for the quota window "
            "to reset. Build clients with max_retries=0 in batch jobs so a quota wall fails fast.",
            False,
            status,
            code,
            message,
        )
    return Explanation(
        "rate-limit",
        "Rate limited (transient)",
        "Too many requests or tokens per minute. The limit frees up within seconds to a minute.",
        "Retry with backoff: the SDK already retries 429 (max_retries, default 2). Send fewer requests at "
        "once, or raise max_retries for batch jobs.",
        True,
        status,
        code,
        message,
    )


def _overloaded(status: int | None, code: int | None, message: str, error: Any) -> Explanation:
    taken = _retries_taken(error)
    tried = (
        f"The SDK already retried {taken} time{'s' if taken != 1 else ''} with backoff before giving up."
        if taken is not None
        else "The SDK retries this status on its own (max_retries, default 2) before raising it."
    )
    return Explanation(
        "overloaded",
        "MiniMax is overloaded",
        "The service is under high load and turned the request away before starting it. " + tried,
        "Wait a little and try again. For more patience, build the client with more retries, e.g. "
        "helpers.get_client(max_retries=5) or client.with_options(max_retries=5), and back off between "
        "attempts in your own loops (a few seconds, doubling).",
        True,
        status,
        code,
        message,
    )


def _invalid(status: int | None, code: int | None, message: str, error: Any) -> Explanation:
    low = message.lower()
    details: list[str] = []
    if "tool id" in low or "tool result" in low:
        details.append(
            "A tool_result's tool_use_id matches no tool_use block in the assistant message just before it: "
            "send the assistant's whole content back (thinking and tool_use blocks), and copy the id exactly."
        )
    if "function arguments" in low:
        details.append("A tool_use block's input is not valid JSON: send back the input you received unchanged.")
    if "role" in low:
        details.append("A message has a role MiniMax refuses here: put the system prompt in system=, not in messages.")
    if "temperature" in low or "top_p" in low:
        details.append("temperature and top_p must lie in (0.0, 1.0].")
    if not details:
        details = [
            "temperature or top_p outside (0.0, 1.0];",
            "a tool_result whose tool_use_id matches no tool call in the previous assistant message;",
            "thinking blocks or tool_use blocks dropped from the history: send response.content back whole;",
            "an image or document block (not supported).",
        ]
    return Explanation(
        "invalid-params",
        "MiniMax refused the request's parameters",
        "Something in the request body is not valid for MiniMax. Common causes:"
        if len(details) > 1
        else "Something in the request body is not valid for MiniMax:",
        "Fix the request and send it again: retrying it unchanged gets the same answer. "
        "helpers.check_request(**params) catches several of these before sending.",
        False,
        status,
        code,
        message,
        tuple(details),
    )


def _balance(status: int | None, code: int | None, message: str, error: Any) -> Explanation:
    return Explanation(
        "balance",
        "Insufficient balance",
        "The account has no credit left for this model. (MiniMax sent this as HTTP 500 at first, later as 402.)",
        "Top up the account in the MiniMax console. Retrying will not help, although the SDK retries a 500 "
        "on its own: use max_retries=0 to fail fast.",
        False,
        status,
        code,
        message,
    )


def _from_status(status: int | None, kind: str, message: str, error: Any) -> Explanation:
    """Pick the explanation from the HTTP status (None when unknown), MiniMax's error type and its code."""
    code = minimax_code(message)
    low = message.lower()
    if status == 401 or kind == "authorized_error" or code in (1004, 2049):
        return _auth(status, code, message, error)
    if "insufficient balance" in low or code == 1008 or status == 402 or kind == "insufficient_balance_error":
        return _balance(status, code, message, error)
    if status == 429 or kind == "rate_limit_error":
        return _rate(status, code, message, error)
    if status == 529 or kind == "overloaded_error" or code == 2064:
        return _overloaded(status, code, message, error)
    # Only 2013 (or a bad request with no code at all) is "invalid params": any other code is shown as unknown.
    if code == 2013 or (kind == "bad_request_error" and code is None):
        return _invalid(status, code, message, error)
    return Explanation(
        "unknown",
        "An error this guide does not know",
        "Shown as received: read MiniMax's message below.",
        "Retry if the status is 5xx; otherwise check the request. Search the code in MiniMax's error-code page.",
        status is not None and status >= 500,
        status,
        code,
        message or kind or "(no message)",
    )


def explain(error: BaseException | Mapping[str, Any]) -> Explanation:
    """Explain an exception from a MiniMax call (or an error body, as a dict): meaning, retry, next step."""
    import anthropic

    from .compat import RequestNotSupportedError

    if isinstance(error, RequestNotSupportedError):
        return Explanation(
            "not-sent",
            "Stopped before sending",
            "helpers' checks found something MiniMax cannot serve, so nothing was sent.",
            "Fix each point listed and call again.",
            False,
            details=tuple(f"{f.where}: {f.message}" for f in error.findings),
        )
    if isinstance(error, anthropic.APIStatusError):
        kind, message = _envelope(error.body)
        return _from_status(error.status_code, kind, message or str(error), error)
    if isinstance(error, Mapping):
        kind, message = _envelope(error)
        inner = error.get("error")
        raw_status = inner.get("http_code") if isinstance(inner, Mapping) else None
        status = int(str(raw_status)) if str(raw_status or "").isdigit() else None
        return _from_status(status, kind, message, error)
    if isinstance(error, anthropic.APITimeoutError):
        return Explanation(
            "timeout",
            "The request timed out",
            "No complete answer arrived within the client's timeout (retries included). Long answers with "
            "thinking can take a minute or more, and a stream's first byte can be slow under load.",
            "Raise the timeout (timeout=120 on the client or per call), stream long answers, and keep "
            "max_retries for transient slowness.",
            True,
        )
    if isinstance(error, anthropic.APIConnectionError):
        return Explanation(
            "connection",
            "Could not reach the endpoint",
            "The connection failed or broke before an answer arrived (network, DNS, proxy, or a cut stream).",
            "Check the network and the base URL (helpers.describe()); the SDK already retried.",
            True,
            message=str(error.__cause__ or error),
            said_by="The SDK",
        )
    if type(error).__name__ == "StreamInterrupted" and hasattr(error, "partial"):
        return Explanation(
            "stream-cut",
            "The stream was interrupted",
            f"The stream stopped before its end ({getattr(error, 'reason', 'no reason given')}). What arrived "
            "is kept in the error's .partial.",
            "Show or keep the partial answer, and send the request again if you need the whole answer.",
            True,
            message=str(error),
            said_by="helpers.stream",
        )
    if isinstance(error, json.JSONDecodeError):
        return Explanation(
            "malformed",
            "A response or stream event was not valid JSON",
            "The answer arrived, but part of it could not be read: a proxy or the server sent something broken.",
            "Send the request again; if it keeps happening, check any proxy or gateway between you and MiniMax.",
            True,
            message=str(error),
            said_by="Python's JSON parser",
        )
    if _is_cut_stream(error):
        return Explanation(
            "stream-cut",
            "The stream was cut",
            "The connection closed in the middle of a streamed answer: what arrived before the cut is kept in "
            "the stream's current_message_snapshot, but the answer is incomplete.",
            "Keep or show the partial answer, and send the request again (streams are not retried by the SDK "
            "once they have started).",
            True,
            message=str(error),
            said_by="The HTTP library",
        )
    if isinstance(error, anthropic.AnthropicError):
        return Explanation(
            "unknown",
            f"{type(error).__name__} from the SDK",
            "Shown as it is: read the message below.",
            "Read the message; helpers.describe() shows the endpoint and mode in use.",
            False,
            message=str(error),
            said_by="The SDK",
        )
    return Explanation(
        "unknown",
        f"Not a MiniMax error: {type(error).__name__}",
        "This error was raised in Python, not by MiniMax; it is shown as it is.",
        "Read the message and the traceback.",
        False,
        message=str(error),
        said_by="Python",
    )


def _is_cut_stream(error: Any) -> bool:
    """An httpx/httpx2 error saying the body ended early (e.g. an incomplete chunked read)."""
    name = type(error).__name__
    return name in ("RemoteProtocolError", "ReadError") and type(error).__module__.split(".")[0] in (
        "httpx",
        "httpx2",
    )
