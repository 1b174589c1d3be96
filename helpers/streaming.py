"""`helpers.stream(client, **params)`: stream one message, render it live, return the final `Message`.

It is `client.messages.stream(**params)` plus a `LiveView`: the returned object is the one
`stream.get_final_message()` gives. An interrupted stream (you pressed stop, the connection dropped, the
server sent an error) keeps what arrived on screen and raises `StreamInterrupted` carrying it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, NoReturn

import anthropic
from anthropic.lib.streaming import MessageStream

from ._error_code import minimax_code
from .live import LiveView

SAMPLING_PARAMS = ("temperature", "top_p", "top_k")


class StreamInterrupted(anthropic.AnthropicError):
    """A stream stopped before `message_stop`. `.partial` is what arrived (a `Message` snapshot, or a dict
    `{"role": "assistant", "content": [...]}` if even the message header was missing); `.reason` says why
    in words; `.kind` is "interrupt", "connection" or "server"; `.__cause__` is the original error. For a
    server error, `.error_type`, `.message` and `.code` are MiniMax's (e.g. "overloaded_error", 2064)."""

    def __init__(
        self,
        reason: str,
        partial: anthropic.types.Message | dict[str, Any],
        kind: str,
        *,
        error_type: str | None = None,
        message: str | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(f"The stream was interrupted: {reason}. The part that arrived is in .partial.")
        self.reason = reason
        self.partial = partial
        self.kind = kind
        self.error_type = error_type
        self.message = message
        self.code = code

    def _render_traceback_(self) -> list[str]:
        """What IPython shows: the message alone, not the SDK's frames (code still gets the whole exception)."""
        return [f"{type(self).__name__}: {self}", "(the full traceback: run %tb in the next cell)"]


class IncompleteStreamError(anthropic.AnthropicError):
    """The event stream ended without `message_stop` and without an error: the connection closed early.
    It is the `__cause__` of a `StreamInterrupted(kind="connection")` (notebook 02 shows one)."""


def check_params(client: object, params: dict[str, Any]) -> None:
    """Refuse, before anything is sent, arguments that `messages.stream` would reject or that make no sense."""
    if isinstance(client, anthropic.AsyncAnthropic):
        raise TypeError("helpers.stream needs a synchronous anthropic.Anthropic client, not AsyncAnthropic.")
    stream_method = getattr(getattr(client, "messages", None), "stream", None)
    if not callable(stream_method):
        raise TypeError(
            f"helpers.stream(client, ...) takes an anthropic.Anthropic client (e.g. helpers.get_client()), "
            f"not {type(client).__name__}."
        )
    if "stream" in params:
        raise ValueError("helpers.stream always streams: remove stream=... from the arguments.")
    missing = [name for name in ("model", "max_tokens", "messages") if name not in params]
    if missing:
        raise ValueError(f"helpers.stream is missing {', '.join(missing)}: give model=, max_tokens= and messages=.")
    accepted = _keywords(getattr(stream_method, "__func__", stream_method))
    if accepted is None:
        return
    for name in params:
        if name in accepted:
            continue
        if name in SAMPLING_PARAMS:
            raise TypeError(
                f"This anthropic SDK ({anthropic.__version__}) does not take {name}= as an argument. "
                f'Pass it in the body instead: extra_body={{"{name}": {params[name]!r}}} (works on every version).'
            )
        raise TypeError(f"client.messages.stream() does not take {name}=; check the spelling.")


@functools.lru_cache(maxsize=16)
def _keywords(function: Callable[..., Any]) -> frozenset[str] | None:
    """The keyword names `function` takes, or None when it takes any (**kwargs) or has no signature; cached,
    as `inspect.signature` of the SDK's `stream` costs more than the rest of the checks together."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return None
    return frozenset(parameters)


def _snapshot(manager: MessageStream, view: LiveView) -> anthropic.types.Message | dict[str, Any]:
    """What arrived so far: the SDK's own message snapshot when it has one, else the view's blocks."""
    try:
        snapshot = manager.current_message_snapshot
    except (AssertionError, AttributeError):
        snapshot = None
    if snapshot is not None:
        return snapshot
    return {"role": "assistant", "content": view.partial_content()}


def stream(client: anthropic.Anthropic, *, view: LiveView | None = None, **params: Any) -> anthropic.types.Message:
    """Send `params` (as for `client.messages.create`) as a stream, render it live, return the final Message.

    Works with any `anthropic.Anthropic` client. `view` is an optional `LiveView` (one per turn); by default
    a new one is made. Errors before the stream starts (401, 429, 529 ...) are raised unchanged; a stream
    cut short raises `StreamInterrupted` with `.partial`.
    """
    check_params(client, params)
    if view is not None and not isinstance(view, LiveView):
        raise TypeError(f"view= takes a helpers.LiveView (or nothing, for a new one), not {type(view).__name__}.")
    if view is not None and (view.events or view.ended):
        raise ValueError("This LiveView already showed a turn: make a new LiveView() for each helpers.stream call.")
    view = view or LiveView(label=str(params["model"]))
    view.start()
    manager = None
    try:
        with client.messages.stream(**params) as manager:
            seen: set[str] = set()
            for event in manager:
                view.feed(event, manager)
                seen.add(getattr(event, "type", ""))
            if "message_stop" not in seen:
                raise IncompleteStreamError("the event stream ended without message_stop")
            message = manager.get_final_message()
            if "message_delta" not in seen:  # the final usage never came: the SDK's 0 is a placeholder, not a count
                message.usage.output_tokens = None  # type: ignore[assignment]
    except IncompleteStreamError as error:
        reason = "the connection closed before the message was complete (no message_stop)"
        _raise(view, manager, reason, "connection", error)
    except KeyboardInterrupt as error:
        _raise(view, manager, "stopped by you (interrupt)", "interrupt", error)
    except anthropic.APIStatusError as error:
        if error.status_code == 200:  # an error event inside the stream: the HTTP answer itself was 200
            _raise(view, manager, f"MiniMax sent an error inside the stream: {_error_text(error)}", "server", error)
        if manager is None or not view.events:
            view.fail(f"MiniMax answered HTTP {error.status_code} before the stream started")
            raise
        _raise(view, manager, f"the server sent an error: {_error_text(error)}", "server", error)
    except anthropic.APIConnectionError as error:
        # anthropic 2.17+ turns a read failure (reset, timeout) while reading a started stream into
        # APIConnectionError / APITimeoutError; earlier versions let the transport's error through (below).
        if manager is None or not view.events:
            view.fail(f"the request failed before the stream started ({type(error).__name__})")
            raise
        cause = error.__cause__ or error
        _raise(view, manager, f"the connection dropped ({type(cause).__name__}: {cause})", "connection", error)
    except anthropic.APIError as error:
        if manager is None or not view.events:
            view.fail(f"the request failed before the stream started ({type(error).__name__})")
            raise
        _raise(view, manager, f"the stream failed: {_error_text(error)}", "server", error)
    except Exception as error:
        if manager is None:
            view.fail(f"the request failed before the stream started ({type(error).__name__})")
            raise
        _raise(view, manager, f"the connection dropped ({type(error).__name__}: {error})", "connection", error)
    view.finish(message)
    return message


def _error_text(error: Exception) -> str:
    """The server's own `type: message` from an API error's body, else the error's text."""
    body = getattr(error, "body", None)
    if isinstance(body, dict):
        inner = body.get("error") if isinstance(body.get("error"), dict) else body
        if isinstance(inner, dict) and inner.get("message"):
            return f"{inner.get('type', 'error')}: {inner['message']}"
    return str(error)


def _raise(view: LiveView, manager: MessageStream | None, reason: str, kind: str, cause: BaseException) -> NoReturn:
    """End the view with what arrived and raise `StreamInterrupted` carrying it."""
    partial = _snapshot(manager, view) if manager is not None else {"role": "assistant", "content": []}
    view.fail(reason, partial)
    facts: dict[str, Any] = {}
    body = getattr(cause, "body", None)
    inner = body.get("error") if isinstance(body, dict) else None
    if kind == "server" and isinstance(inner, dict):
        message = str(inner.get("message") or "")
        facts = {"error_type": inner.get("type"), "message": message, "code": minimax_code(message)}
    raise StreamInterrupted(reason, partial, kind, **facts) from cause
