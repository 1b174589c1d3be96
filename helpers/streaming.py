"""`helpers.stream(client, **params)`: stream one message, show it live, return the final `Message` (notebook 02).

`LiveView` hands the block an event changed, from the SDK's own message snapshot, to a sink (`PrintSink`, or
`_html.WidgetSink`: one widget that gives way to the static `show` view). A cut stream raises `StreamInterrupted` with
what arrived. `LiveTimeline` is notebook 04's live view of a tool run."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import anthropic

from ._error_code import minimax_code
from ._html import Note, WidgetSink, as_plain, block_body, block_kind, field, terminal_safe, widgets_available
from ._i18n import N_
from ._i18n import gettext as _
from .show import MessageLike, MessageView, block_text, step_html, timeline, usage_line

if TYPE_CHECKING:
    from anthropic.lib.streaming import MessageStream, ParsedMessageStreamEvent

    from .tools import MaxTurnsError, ToolRun

    StreamEvent = ParsedMessageStreamEvent[Any] | anthropic.types.RawMessageStreamEvent | Mapping[str, Any]

SAMPLING_PARAMS = ("temperature", "top_p", "top_k")


def stream(client: anthropic.Anthropic, *, view: LiveView | None = None, **params: Any) -> anthropic.types.Message:
    """Send `params` (as for `client.messages.create`) as a stream shown live by `view` (a new `LiveView` per turn);
    return the final Message. Errors before the stream starts are raised unchanged; a cut stream `StreamInterrupted`."""
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
                if event.type in LIVE_EVENTS:  # not the SDK's derived events (text, thinking, ...): half the calls
                    view.feed(event, manager)
                seen.add(event.type)
            if "message_stop" not in seen:
                raise IncompleteStreamError("the event stream ended without message_stop")
            message = manager.get_final_message()
            if "message_delta" not in seen:  # the final usage never came: the SDK's 0 is a placeholder, not a count
                message.usage.output_tokens = None  # type: ignore[assignment]
    except (Exception, KeyboardInterrupt) as error:
        reason, kind = _why(error, manager is None or (not view.events and isinstance(error, anthropic.APIError)))
        if not kind:
            view.fail(reason)
            raise
        partial: anthropic.types.Message | dict[str, Any] | None = None
        with contextlib.suppress(AssertionError, AttributeError):  # the SDK's snapshot, when it has one
            partial = manager.current_message_snapshot if manager is not None else None
        partial = partial or {"role": "assistant", "content": view.partial_content()}
        view.fail(reason, partial)
        raise StreamInterrupted(reason, partial, kind, **_facts(error, kind)) from error
    view.finish(message)
    return message


def _why(error: BaseException, before: bool) -> tuple[str, str]:
    """Why a stream stopped, in words, and its kind ("" before the stream started: raised unchanged). A failed read
    is an APIConnectionError from anthropic 2.17, the transport's own error before."""
    status = error.status_code if isinstance(error, anthropic.APIStatusError) else None
    if isinstance(error, IncompleteStreamError):
        return _("the connection closed before the message was complete (no message_stop)"), "connection"
    if isinstance(error, KeyboardInterrupt):
        return _("stopped by you (interrupt)"), "interrupt"
    if status == 200:  # an error event inside the stream: the HTTP answer itself was 200
        return _("MiniMax sent an error inside the stream: {error}").format(error=_error_text(error)), "server"
    if before and status:
        why = _("MiniMax answered HTTP {status} before the stream started")
        if isinstance(getattr(error, "body", None), str):  # a front end's page, not MiniMax's JSON
            why = _(
                "a front end answered HTTP {status} with its own page, not MiniMax's JSON, before the stream started"
            )
        return why.format(status=status), ""
    if status:
        return _("the server sent an error: {error}").format(error=_error_text(error)), "server"
    if before:
        return _("the request failed before the stream started ({error})").format(error=type(error).__name__), ""
    if isinstance(error, anthropic.APIError) and not isinstance(error, anthropic.APIConnectionError):
        return _("the stream failed: {error}").format(error=_error_text(error)), "server"
    cause = error.__cause__ if isinstance(error, anthropic.APIConnectionError) and error.__cause__ else error
    return _("the connection dropped ({error})").format(error=f"{type(cause).__name__}: {cause}"), "connection"


def _error_body(error: BaseException) -> dict[str, Any]:
    """The `error` object of an API error's body (or the body itself when it has none), else {}."""
    body = getattr(error, "body", None)
    inner = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else body
    return inner if isinstance(inner, dict) else {}


def _error_text(error: BaseException) -> str:
    """The server's own `type: message` from an API error's body, else the error's text."""
    inner = _error_body(error)
    return f"{inner.get('type', 'error')}: {inner['message']}" if inner.get("message") else str(error)


def _facts(error: BaseException, kind: str) -> dict[str, Any]:
    """A server error's `error_type`, `message` and MiniMax `code`, for `StreamInterrupted`; else none."""
    inner = _error_body(error) if kind == "server" else {}
    message = str(inner.get("message") or "")
    return {"error_type": inner["type"], "message": message, "code": minimax_code(message)} if inner.get("type") else {}


def check_params(client: object, params: dict[str, Any]) -> None:
    """Refuse, before anything is sent, arguments that `messages.stream` would reject or that make no sense."""
    if isinstance(client, anthropic.AsyncAnthropic):
        raise TypeError("helpers.stream needs a synchronous anthropic.Anthropic client, not AsyncAnthropic.")
    method = getattr(getattr(client, "messages", None), "stream", None)
    if not callable(method):
        raise TypeError(
            f"helpers.stream(client, ...) takes an anthropic.Anthropic client (e.g. helpers.get_client()), "
            f"not {type(client).__name__}."
        )
    if "stream" in params:
        raise ValueError("helpers.stream always streams: remove stream=... from the arguments.")
    missing = [name for name in ("model", "max_tokens", "messages") if name not in params]
    if missing:
        raise ValueError(f"helpers.stream is missing {', '.join(missing)}: give model=, max_tokens= and messages=.")
    accepted = _keywords(getattr(method, "__func__", method))
    for name in [n for n in params if accepted is not None and n not in accepted]:
        if name in SAMPLING_PARAMS:
            raise TypeError(
                f"This anthropic SDK ({anthropic.__version__}) does not take {name}= as an argument. "
                f'Pass it in the body instead: extra_body={{"{name}": {params[name]!r}}} (works on every version).'
            )
        raise TypeError(f"client.messages.stream() does not take {name}=; check the spelling.")


@functools.lru_cache(maxsize=16)
def _keywords(function: Callable[..., Any]) -> frozenset[str] | None:
    """The keywords `function` takes, None when any (**kwargs) or unknown (cached: `inspect.signature` is slow)."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return None
    any_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    return None if any_keyword else frozenset(parameters)


class StreamInterrupted(anthropic.AnthropicError):
    """A stream stopped before `message_stop`: `.partial` is what arrived (a `Message` snapshot, or a message dict),
    `.reason` says why, `.kind` is "interrupt", "connection" or "server", `.__cause__` the original error; a server
    error's `.error_type`, `.message` and `.code` are MiniMax's (e.g. "overloaded_error", 2064)."""

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
        text = _("The stream was interrupted: {reason}. The part that arrived is in .partial.")
        super().__init__(text.format(reason=reason))
        self.reason, self.partial, self.kind = reason, partial, kind
        self.error_type, self.message, self.code = error_type, message, code

    def _render_traceback_(self) -> list[str]:
        """What IPython shows: the message alone, not the SDK's frames (code still gets the whole exception)."""
        return [f"{type(self).__name__}: {self}", _("(the full traceback: run %tb in the next cell)")]


class IncompleteStreamError(anthropic.AnthropicError):
    """The stream ended without `message_stop` or an error (a `StreamInterrupted(kind="connection")`'s cause)."""


# -- the live view of one streamed turn -----------------------------------------------------------------------

MAX_UPDATES_PER_SECOND = 12.5
"""Widget updates per second (one every 80 ms; the kernel's own print output flushes every 200 ms): each resends the
turn's HTML as one message, so this rate, not the token rate, sets the cost (issue 18)."""
LIVE_EVENTS: dict[str, bool | None] = {"content_block_start": False, "content_block_delta": False}
LIVE_EVENTS.update(content_block_stop=True, message_start=None, message_delta=None)
"""The raw events the view counts, and whether the block they change is then done (None: they change none)."""
DELTA_FIELDS = {"thinking_delta": "thinking", "text_delta": "text", "input_json_delta": "partial_json"}
"""Which field of a block each kind of delta adds to (`apply_event`; a signature_delta replaces the signature)."""


class LiveView:
    """The live view of ONE streamed turn: `start()`, `feed(event, stream)` per event, then `finish(message)` or
    `fail(reason, partial)`. `mode`: "auto" (widgets in a notebook with ipywidgets, else print), "widgets", "print"
    or "off"; `out`: where print mode writes; `clock`: for tests."""

    def __init__(
        self,
        label: str = "streamed reply",
        *,
        mode: str = "auto",
        max_rate: float = MAX_UPDATES_PER_SECOND,
        out: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if mode not in ("auto", "widgets", "print", "off"):
            raise ValueError(f"LiveView mode={mode!r} is not one we know: use 'auto', 'widgets', 'print' or 'off'.")
        if not max_rate > 0:  # also refuses NaN, which compares false with everything
            raise ValueError(f"LiveView max_rate={max_rate!r} must be a positive number of updates per second.")
        self.mode = ("widgets" if widgets_available() else "print") if mode == "auto" else mode
        self.sink: PrintSink | WidgetSink | None = None
        if self.mode != "off":
            self.sink = PrintSink(out) if self.mode == "print" else WidgetSink(label, 1.0 / max_rate, clock)
        self.message: Any = None  # the SDK's message snapshot, or the one `apply_event` folds from events fed by hand
        self.events = 0
        self.started = self.ended = False

    @property
    def updates(self) -> int:
        """Widget updates sent so far (0 in print mode)."""
        return getattr(self.sink, "updates", 0)

    def start(self) -> None:
        """Put the (empty) live view on screen; the first `feed` calls it if nothing did."""
        if not self.started and isinstance(self.sink, WidgetSink):
            self.sink.start()
        self.started = True

    def feed(self, event: StreamEvent, stream: MessageStream | None = None) -> None:
        """Draw the block `event` changed, from `stream`'s snapshot, else from one folded from events fed by hand."""
        kind = getattr(event, "type", None)  # an SDK event; a dict fed by hand is read by key
        sdk_event = kind is not None
        if not sdk_event:
            kind = event["type"]  # type: ignore[index]
        if kind not in LIVE_EVENTS:
            return  # message_stop, ping, and the SDK's derived events (text, thinking, ...) add nothing
        if not self.started:
            self.start()
        self.events += 1
        self.message = stream.current_message_snapshot if stream is not None else apply_event(self.message, event)
        done = LIVE_EVENTS[kind]
        if self.sink is not None and done is not None:
            index = event.index if sdk_event else event["index"]  # type: ignore[index,union-attr]
            content = self.message["content"] if isinstance(self.message, dict) else self.message.content
            if index < len(content):
                self.sink.draw(index, content[index], done)
        elif kind == "message_delta" and isinstance(self.sink, WidgetSink):
            self.sink.flush()  # the content is complete: what the throttle held is sent now

    def partial_content(self) -> list[dict[str, Any]]:
        """The content blocks received so far, in the API's shape (for an interrupted stream)."""
        blocks = [dict(as_plain(b)) for b in field(self.message, "content") or []]
        for block in [b for b in blocks if "partial_json" in b]:
            raw = block.pop("partial_json")
            try:
                block["input"] = json.loads(raw) if raw.strip() else {}
            except ValueError:
                block["input"] = {"partial_json": raw}
        return blocks

    def finish(self, message: MessageLike) -> None:
        """End with the static view of the final `message` (widgets), or a closing line (print)."""
        if not self.ended and self.sink is not None:
            line = lambda: _("end · {usage}").format(usage=usage_line(as_plain(message) or {}))  # noqa: E731
            self.sink.end(lambda: [MessageView(message)], line)
        self.ended = True

    def fail(self, reason: str, partial: MessageLike | None = None) -> None:
        """End after an interruption: keep what arrived and say clearly what happened."""
        if self.ended:
            return
        self.ended = True
        blocks = self.partial_content()
        note = _("⚠️ No answer: {reason}.").format(reason=reason)
        if self.events:
            note = _("⚠️ Stream interrupted: {reason}. Kept what arrived: {count} block(s).")
            note = note.format(reason=reason, count=len(blocks))
        if self.sink is not None:
            shown = partial if partial is not None else {"role": "assistant", "content": blocks}
            self.sink.end(lambda: [MessageView(shown), Note(note)], lambda: note)


def apply_event(message: dict[str, Any] | None, event: Any) -> dict[str, Any]:
    """Fold one raw event into a plain snapshot, for events fed without the SDK's `MessageStream`."""
    message = message if message is not None else {"role": "assistant", "content": []}
    kind, content = field(event, "type"), message["content"]
    if kind == "content_block_start":
        content.append(dict(as_plain(field(event, "content_block"))))
    elif kind == "content_block_delta" and field(event, "index") < len(content):
        block, delta = content[field(event, "index")], as_plain(field(event, "delta"))
        if delta.get("type") == "signature_delta":
            block["signature"] = delta.get("signature")
        elif name := DELTA_FIELDS.get(delta.get("type"), ""):
            block[name] = (block.get(name) or "") + (delta.get(name) or "")
    return message


@dataclasses.dataclass
class PrintSink:
    """Writes each new piece of thinking and text under a marker per block, control characters escaped (an answer
    never drives the terminal), a tool call's arguments when its block ends."""

    out: TextIO | None
    seen: dict[int, int] = dataclasses.field(default_factory=dict)  # per block: the characters written
    visible: set[int] = dataclasses.field(default_factory=set)  # the text blocks past their leading blank lines

    def draw(self, index: int, block: Any, done: bool) -> None:
        """Write what `block` holds beyond what was written (its head first, its end marker when done)."""
        kind = field(block, "type")
        pieces = []
        if index not in self.seen:
            head = {"thinking": "💭 " + _("thinking"), "text": "💬 " + _("answer")}.get(kind)
            if kind == "tool_use":
                head = "🔧 " + _("tool call {name} ({id})").format(name=field(block, "name"), id=field(block, "id"))
            pieces.append(("\n" if self.seen else "") + f"── {head or block_kind(kind)} ──\n")
            self.seen[index] = 0
        body = block_body(block) if kind == "tool_use" else str(field(block, kind) or "")
        if kind != "tool_use" or done:  # a call's arguments are written whole: a partial snapshot is no prefix
            new = body[self.seen[index] :]
            if kind == "text" and index not in self.visible:
                new = new.lstrip("\n")  # answers after thinking often start with blank lines
                if new:
                    self.visible.add(index)
            pieces.append(new)
            self.seen[index] = len(body)
        if done:
            empty = not body if kind == "thinking" else kind == "text" and not body.strip("\n")
            pieces.append(((_("(empty)") if kind == "thinking" else _("(empty text)")) if empty else "") + "\n")
        if any(pieces):
            out = self.out or sys.stdout
            out.write(terminal_safe("".join(pieces)))
            out.flush()

    def end(self, views: Callable[[], list[Any]], line: Callable[[], str]) -> None:
        """Close with one line (the usage, or what went wrong); `views` are for notebooks only."""
        out = self.out or sys.stdout
        out.write(terminal_safe(f"\n── {line()} ──\n"))
        out.flush()


# -- the live timeline of a tool conversation (notebook 04) ---------------------------------------------------

LIVE_PLACEHOLDER = N_("(live timeline: it ran here; the saved timeline is below)")  # the live widget's text/plain


class LiveTimeline:
    """Each step in a widget as it happens (`run_tools(..., on_step=live.add)`); `finish(run)` swaps it for the static
    timeline, what a saved notebook keeps. Without a notebook's widgets, it prints."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, Any]] = []
        self._sink = WidgetSink("", 0.0, time.monotonic) if widgets_available() else None
        if self._sink is not None:
            self._sink.start(_(LIVE_PLACEHOLDER))

    def add(self, block: Mapping[str, Any]) -> None:
        """Append one step (a thinking, text, tool_use or tool_result block) to the live view."""
        plain = as_plain(block)
        self.blocks.append(plain)
        if self._sink is None:
            print(f"{len(self.blocks):>2}. {block_text(plain)}")
            return
        items = "".join(step_html(f"{i}.", b) for i, b in enumerate(self.blocks, start=1))
        self._sink.widget.value = f'<div class="minimax-timeline">{items}</div>'

    def finish(self, run: ToolRun | MaxTurnsError | Sequence[MessageLike] | None = None) -> None:
        """End the live view: its output becomes plain text, then the static timeline of `run` is displayed."""
        if self._sink is not None:
            self._sink.end(lambda: [] if run is None else [timeline(run)], lambda: "")
            self._sink = None
