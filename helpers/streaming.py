"""`helpers.stream(client, **params)`: stream one message, show it live, return the final `Message`; and the live views.

`stream` is `client.messages.stream(**params)` plus a `LiveView`, which keeps no copy of the blocks: it is handed the
SDK's own message snapshot with each event and passes the block that changed to a sink. `PrintSink` writes each new
piece under a marker; `WidgetSink` (in a notebook with ipywidgets 7.7.1, Colab's, or 8.x) draws the whole turn in one
HTML widget, throttled, that gives way at the end to a plain line and the static `helpers.show` view, so a saved
notebook holds no widget. A cut stream keeps what arrived on screen and raises `StreamInterrupted` carrying it.
`LiveTimeline` is notebook 04's live view of a tool run.
"""

from __future__ import annotations

import contextlib
import functools
import html
import inspect
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import anthropic

from ._error_code import minimax_code
from ._html import (
    ERROR_STYLE,
    META_STYLE,
    TEXT_STYLE,
    THINKING_STYLE,
    TOOL_STYLE,
    as_plain,
    display_widget,
    end_widget,
    field,
    paragraphs_html,
    terminal_safe,
    widgets_available,
)
from .show import MessageLike, MessageView, block_text, step_html, timeline, usage_line

if TYPE_CHECKING:
    from anthropic.lib.streaming import MessageStream, ParsedMessageStreamEvent

    from .tools import MaxTurnsError, ToolRun

    StreamEvent = ParsedMessageStreamEvent[Any] | anthropic.types.RawMessageStreamEvent | Mapping[str, Any]

SAMPLING_PARAMS = ("temperature", "top_p", "top_k")


def stream(client: anthropic.Anthropic, *, view: LiveView | None = None, **params: Any) -> anthropic.types.Message:
    """Send `params` (as for `client.messages.create`) as a stream, show it live, return the final Message.

    `view` is an optional `LiveView` (one per turn; by default a new one). Errors before the stream starts (401,
    429, 529 ...) are raised unchanged; a stream cut short raises `StreamInterrupted` with `.partial`.
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
                seen.add(event.type)
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
    except Exception as error:
        # anthropic 2.17+ raises APIConnectionError (or APITimeoutError) for a read failure in a started stream;
        # earlier 2.x let the transport's own error through: both are a dropped connection.
        if manager is None or (not view.events and isinstance(error, anthropic.APIError)):
            view.fail(f"the request failed before the stream started ({type(error).__name__})")
            raise
        if isinstance(error, anthropic.APIError) and not isinstance(error, anthropic.APIConnectionError):
            _raise(view, manager, f"the stream failed: {_error_text(error)}", "server", error)
        cause = error.__cause__ if isinstance(error, anthropic.APIConnectionError) and error.__cause__ else error
        _raise(view, manager, f"the connection dropped ({type(cause).__name__}: {cause})", "connection", error)
    view.finish(message)
    return message


def _error_text(error: Exception) -> str:
    """The server's own `type: message` from an API error's body, else the error's text."""
    inner = _error_body(error)
    return f"{inner.get('type', 'error')}: {inner['message']}" if inner.get("message") else str(error)


def _error_body(error: BaseException) -> dict[str, Any]:
    """The `error` object of an API error's body (or the body itself when it has none), else {}."""
    body = getattr(error, "body", None)
    inner = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else body
    return inner if isinstance(inner, dict) else {}


def _raise(view: LiveView, manager: MessageStream | None, reason: str, kind: str, cause: BaseException) -> NoReturn:
    """End the view with what arrived and raise `StreamInterrupted` carrying it (the SDK's snapshot when it has one)."""
    partial: anthropic.types.Message | dict[str, Any] | None = None
    with contextlib.suppress(AssertionError, AttributeError):
        partial = manager.current_message_snapshot if manager is not None else None
    partial = partial or {"role": "assistant", "content": view.partial_content()}
    view.fail(reason, partial)
    inner = _error_body(cause) if kind == "server" else {}
    facts: dict[str, Any] = {}
    if inner.get("type"):
        message = str(inner.get("message") or "")
        facts = {"error_type": inner.get("type"), "message": message, "code": minimax_code(message)}
    raise StreamInterrupted(reason, partial, kind, **facts) from cause


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
    for name in params:
        if accepted is None or name in accepted:
            continue
        if name in SAMPLING_PARAMS:
            raise TypeError(
                f"This anthropic SDK ({anthropic.__version__}) does not take {name}= as an argument. "
                f'Pass it in the body instead: extra_body={{"{name}": {params[name]!r}}} (works on every version).'
            )
        raise TypeError(f"client.messages.stream() does not take {name}=; check the spelling.")


@functools.lru_cache(maxsize=16)
def _keywords(function: Callable[..., Any]) -> frozenset[str] | None:
    """The keyword names `function` takes, or None when it takes any (**kwargs) or has no signature (cached:
    `inspect.signature` of the SDK's `stream` costs more than the other checks together)."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return None
    return frozenset(parameters)


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
        self.reason, self.partial, self.kind = reason, partial, kind
        self.error_type, self.message, self.code = error_type, message, code

    def _render_traceback_(self) -> list[str]:
        """What IPython shows: the message alone, not the SDK's frames (code still gets the whole exception)."""
        return [f"{type(self).__name__}: {self}", "(the full traceback: run %tb in the next cell)"]


class IncompleteStreamError(anthropic.AnthropicError):
    """The event stream ended without `message_stop` and without an error: the connection closed early.
    It is the `__cause__` of a `StreamInterrupted(kind="connection")` (notebook 02 shows one)."""


# -- the live view of one streamed turn -----------------------------------------------------------------------

MAX_UPDATES_PER_SECOND = 20.0
"""Widget updates per second: each resends the turn's HTML, so this rate, not the token rate, sets the cost."""

LIVE_TAIL_CHARS = {"thinking": 8000, "text": 20000, "tool_use": 4000}
"""How much of a block the live view shows (its end), so long thinking stays cheap to resend; the static view at
the end shows everything."""

SCROLL_STYLE = "max-height:14em;overflow-y:auto;display:flex;flex-direction:column-reverse;line-height:1.45"
"""A scrolling box pinned to its newest line (column-reverse), though each update replaces the HTML."""

LIVE_THINKING_STYLE = THINKING_STYLE.replace("max-height:16em;overflow-y:auto;", "")

LIVE_EVENTS = frozenset(
    ("content_block_delta", "content_block_start", "content_block_stop", "message_start", "message_delta")
)
"""The raw events the view counts; the three content_block ones change a block, and so what is drawn."""

DELTA_FIELDS = {"thinking_delta": "thinking", "text_delta": "text", "input_json_delta": "partial_json"}
"""Which field of a block each kind of delta adds to (`apply_event`; a signature_delta replaces the signature)."""


def placeholder_text(label: str) -> str:
    """The text/plain of a live widget and of the line that replaces it (nbval compares them)."""
    return f"⇣ streamed live: {label}"


class LiveView:
    """Live rendering of ONE streamed turn; make a new one per turn (e.g. per model call in a tool loop).

    What `helpers.stream` does: `view.start()`, then `view.feed(event, stream)` for each event of
    `client.messages.stream(...)`, then `view.finish(stream.get_final_message())`, or on a failure
    `view.fail(reason, partial)`, which keeps what arrived with a note. `mode` is "auto" (widgets in a notebook
    with ipywidgets, else print), "widgets", "print" or "off"; `out` is where print mode writes; `clock` is for tests.
    """

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
        self.label = label
        self.mode = ("widgets" if widgets_available() else "print") if mode == "auto" else mode
        self.sink: PrintSink | WidgetSink | None = None
        if self.mode == "print":
            self.sink = PrintSink(out)
        elif self.mode == "widgets":
            self.sink = WidgetSink(label, 1.0 / max_rate, clock)
        self.message: Any = None
        """What arrived: the SDK's message snapshot, or the one `apply_event` builds from events fed by hand."""
        self.events = 0
        self.started = self.ended = False

    @property
    def updates(self) -> int:
        """Widget updates sent so far (0 in print mode)."""
        return self.sink.updates if isinstance(self.sink, WidgetSink) else 0

    def start(self) -> LiveView:
        """Put the (empty) live view on screen. Called by the first `feed` if not called before."""
        if not self.started:
            self.started = True
            if isinstance(self.sink, WidgetSink):
                self.sink.start()
        return self

    def feed(self, event: StreamEvent, stream: MessageStream | None = None) -> None:
        """Take one stream event and draw the block it changed, read from `stream`'s message snapshot when given
        (what `helpers.stream` does), else from a snapshot folded from the events (dicts, `create(stream=True)`)."""
        kind = event["type"] if isinstance(event, Mapping) else event.type
        if kind not in LIVE_EVENTS:
            return  # message_stop, ping, and the SDK's derived events (text, thinking, ...) add nothing
        if not self.started:
            self.start()
        self.events += 1
        self.message = stream.current_message_snapshot if stream is not None else apply_event(self.message, event)
        if self.sink is not None and kind != "message_start" and kind != "message_delta":
            index = event["index"] if isinstance(event, Mapping) else event.index  # type: ignore[union-attr]
            content = field(self.message, "content")
            if index < len(content):
                self.sink.draw(index, content[index], kind == "content_block_stop")

    def partial_content(self) -> list[dict[str, Any]]:
        """The content blocks received so far, in the API's shape (for an interrupted stream)."""
        blocks = [dict(as_plain(b)) for b in field(self.message, "content") or []]
        for block in blocks:
            if "partial_json" in block:
                raw = block.pop("partial_json")
                try:
                    block["input"] = json.loads(raw) if raw.strip() else {}
                except ValueError:
                    block["input"] = {"partial_json": raw}
        return blocks

    def finish(self, message: MessageLike) -> None:
        """End the live view and show the static view of the final `message` (widgets), or a closing line."""
        if not self.ended and self.sink is not None:
            self.sink.end(lambda: [MessageView(message)], f"end · {usage_line(as_plain(message) or {})}")
        self.ended = True

    def fail(self, reason: str, partial: MessageLike | None = None) -> None:
        """End the live view after an interruption: keep what arrived and say clearly what happened."""
        if self.ended:
            return
        self.ended = True
        blocks = self.partial_content()
        if self.events:
            note = f"⚠️ Stream interrupted: {reason}. Kept what arrived: {len(blocks)} block(s)."
        else:
            note = f"⚠️ No answer: {reason}."
        if self.sink is not None:
            shown = partial if partial is not None else {"role": "assistant", "content": blocks}
            self.sink.end(lambda: [MessageView(shown), _Note(note)], note)


def apply_event(message: dict[str, Any] | None, event: Any) -> dict[str, Any]:
    """Fold one raw event into a plain snapshot, for events fed without the SDK's `MessageStream`."""
    message = message if message is not None else {"role": "assistant", "content": []}
    kind = field(event, "type")
    if kind == "content_block_start":
        message["content"].append(dict(as_plain(field(event, "content_block"))))
    elif kind == "content_block_delta" and field(event, "index") < len(message["content"]):
        block, delta = message["content"][field(event, "index")], as_plain(field(event, "delta"))
        if delta.get("type") == "signature_delta":
            block["signature"] = delta.get("signature")
        elif name := DELTA_FIELDS.get(delta.get("type"), ""):
            block[name] = (block.get(name) or "") + (delta.get(name) or "")
    return message


def block_body(block: Any) -> str:
    """What a block holds so far as text: its thinking or text, or a tool call's arguments as JSON."""
    kind = field(block, "type")
    if kind == "tool_use":
        raw = field(block, "partial_json")  # a snapshot built by `apply_event` keeps the raw JSON
        return raw if isinstance(raw, str) else json.dumps(field(block, "input") or {}, ensure_ascii=False)
    return str(field(block, "thinking" if kind == "thinking" else "text") or "")


class PrintSink:
    """Writes each new piece of thinking and text as it arrives, under a marker per block; a tool call's
    arguments when its block ends."""

    def __init__(self, out: TextIO | None) -> None:
        self.out = out
        self.seen: dict[int, int] = {}
        """Per block index: how many characters of its body were already written."""
        self.visible: set[int] = set()
        """The text blocks that showed more than the blank lines they start with (not re-scanned per delta)."""

    def write(self, text: str) -> None:
        """Write `text`, control characters as visible escapes: a model's answer never drives the terminal."""
        out = self.out or sys.stdout
        out.write(terminal_safe(text))
        out.flush()

    def draw(self, index: int, block: Any, done: bool) -> None:
        """Write what `block` holds beyond what was written before (its head first, its end marker when done)."""
        kind, body = field(block, "type"), block_body(block)
        if index not in self.seen:
            head = {"thinking": "── 💭 thinking ──", "text": "── 💬 answer ──"}.get(kind, f"── [{kind} block] ──")
            if kind == "tool_use":
                head = f"── 🔧 tool call {field(block, 'name')} ({field(block, 'id')}) ──"
            self.write(("\n" if self.seen else "") + head + "\n")
            self.seen[index] = 0
        if kind == "tool_use" and not done:
            return  # the arguments are written whole at the end: a partial snapshot is no prefix of the next
        new = body[self.seen[index] :]
        if kind == "text" and index not in self.visible:
            new = new.lstrip("\n")  # answers after thinking often start with blank lines
            if new:
                self.visible.add(index)
        if new:
            self.write(new)
        self.seen[index] = len(body)
        if done:
            empty = not body if kind == "thinking" else kind == "text" and not body.strip("\n")
            self.write(("(empty)" if kind == "thinking" else "(empty text)") if empty else "")
            self.write("\n")

    def end(self, views: Callable[[], list[Any]], line: str) -> None:
        """Close with one line (the usage, or what went wrong); the static `views` are for notebooks only."""
        self.write(f"\n── {line} ──\n")


class WidgetSink:
    """The whole turn in one HTML widget (thinking in a <details> element, then the answer and tool calls), sent at
    most once per `interval` seconds and when a block ends. One widget, not a pane per block: each widget opens
    comms (its own, its layout's, its style's), which were most of what a short turn cost. At the end it gives way
    to a plain line and the static views, and every widget it made is closed."""

    def __init__(self, label: str, interval: float, clock: Callable[[], float]) -> None:
        self.label, self.interval, self.clock = label, interval, clock
        self.parts: list[str] = []
        """Each block's HTML as last drawn."""
        self.dirty: dict[int, tuple[Any, bool]] = {}
        """The blocks changed since the last update: index -> (block, done)."""
        self.last_sent = float("-inf")
        self.updates = 0
        self.widget: Any = None
        self.handle: Any = None

    def start(self) -> None:
        """Show the widget with its status line."""
        import ipywidgets as widgets

        self.widget = widgets.HTML(value=self.html())
        self.handle = display_widget(self.widget, placeholder_text(self.label))

    def html(self) -> str:
        status = f'<div style="{META_STYLE}">⇣ streaming {html.escape(self.label)}…</div>'
        return status + "".join(self.parts)

    def draw(self, index: int, block: Any, done: bool) -> None:
        """Mark the block out of date and send the turn unless it was sent less than `interval` ago."""
        while index >= len(self.parts):
            self.parts.append("")
        self.dirty[index] = (block, done)
        now = self.clock()
        if done or now - self.last_sent >= self.interval:
            self.send(now)

    def send(self, now: float) -> None:
        for index, (block, done) in self.dirty.items():
            self.parts[index] = pane_html(block, done)
        self.dirty.clear()
        self.widget.value = self.html()
        self.last_sent = now
        self.updates += 1

    def end(self, views: Callable[[], list[Any]], line: str) -> None:
        """Send what is pending, replace the widget by its plain line, display `views()`, close the widget."""
        from IPython.display import display

        if self.dirty:
            self.send(self.clock())
        if self.handle is not None:  # None where display() has no frontend to update
            end_widget(self.handle, placeholder_text(self.label))
        for view in views():
            display(view)
        for widget in (self.widget.layout, getattr(self.widget, "style", None), self.widget):
            if widget is not None:
                widget.close()


def pane_html(block: Any, done: bool = False) -> str:
    """The live HTML of one block (the end of it when long). Thinking and text scroll, pinned to the end.

    Paragraphs are <div>s at a normal line height: the widget's own line height (28 px) would double-space them.
    """
    esc, kind, text = html.escape, str(field(block, "type")), block_body(block)
    limit = LIVE_TAIL_CHARS.get(kind, 4000)
    shown, hidden = (text, 0) if len(text) <= limit else (text[-limit:], len(text) - limit)
    more = f'<div style="{META_STYLE}">… {hidden:,} earlier characters (all shown at the end)</div>' if hidden else ""
    if kind == "text":
        body = paragraphs_html(shown) or ("<i>(empty text)</i>" if done else "…")
        return f'<div style="{SCROLL_STYLE}"><div style="{TEXT_STYLE}">{more}{body}</div></div>'
    if kind == "thinking":
        body = paragraphs_html(shown) or ("<i>(empty)</i>" if done else "…")
        signed = "" if field(block, "signature") else ", no signature"
        title = f"💭 Thinking · {len(text)} chars{signed}" if done else "💭 Thinking"
        return (
            f'<details open><summary style="{META_STYLE};cursor:pointer">{title}</summary>'
            f'<div style="{SCROLL_STYLE}"><div style="{LIVE_THINKING_STYLE}">{more}{body}</div></div></details>'
        )
    if kind == "tool_use":
        state = "" if done else f' <span style="{META_STYLE}">(arguments arriving…)</span>'
        name, call_id = esc(str(field(block, "name") or "")), esc(str(field(block, "id") or ""))
        return (
            f'<div style="{TOOL_STYLE};line-height:1.45"><div>🔧 <b>Tool call</b> · <b>{name}</b>{state} '
            f'<code>{more}{esc(shown)}</code></div><div style="{META_STYLE}">id {call_id}</div></div>'
        )
    return f"<div><i>[{esc(kind)} block]</i></div>"


class _Note:
    """A short notice shown after an interrupted stream's partial message."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f'<div style="{ERROR_STYLE}">{html.escape(self.text)}</div>'


# -- the live timeline of a tool conversation (notebook 04) ---------------------------------------------------

LIVE_PLACEHOLDER = "(live timeline: it ran here; the saved timeline is below)"
"""The text the live widget leaves in a saved notebook, and what a fresh run's widget says in text/plain."""


class LiveTimeline:
    """Shows each step in a widget as it happens (`run_tools(..., on_step=live.add)`), then `finish(run)` swaps the
    widget for the static timeline, which is what a saved notebook keeps. Without a notebook's widgets, it prints."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, Any]] = []
        self._widget: Any = None
        self._handle: Any = None
        if widgets_available():
            import ipywidgets

            self._widget = ipywidgets.HTML(value="")
            self._handle = display_widget(self._widget, LIVE_PLACEHOLDER)

    def add(self, block: Mapping[str, Any]) -> None:
        """Append one step (a thinking, text, tool_use or tool_result block) to the live view."""
        plain = as_plain(block)
        self.blocks.append(plain)
        if self._widget is None:
            print(f"{len(self.blocks):>2}. {block_text(plain)}")
            return
        items = "".join(step_html(f"{i}.", b) for i, b in enumerate(self.blocks, start=1))
        self._widget.value = f'<div class="minimax-timeline">{items}</div>'

    def finish(self, run: ToolRun | MaxTurnsError | Sequence[MessageLike] | None = None) -> None:
        """End the live view: its output becomes plain text, and the static timeline of `run` is displayed."""
        if self._widget is None:
            return
        from IPython.display import display

        end_widget(self._handle, LIVE_PLACEHOLDER)
        self._widget.close()
        self._widget = None
        if run is not None:
            display(timeline(run))
