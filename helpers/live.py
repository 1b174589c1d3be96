"""Live view of a streamed message: thinking, answer and tool calls as they arrive, for one turn.

The view accumulates nothing itself: `helpers.stream` hands it the SDK's own message snapshot
(`MessageStream.current_message_snapshot`) with each event, and it passes the block that changed to one of two sinks.
`PrintSink` writes each new piece of thinking and text with clear markers. `WidgetSink` (in a notebook with
ipywidgets 7.7.1 as on Colab, or 8.x) draws a pane per block, at most `max_rate` updates a second per pane, and at the
end gives way to a plain line and the static `helpers.show` view, so a saved notebook holds no widget
(see docs/sources.md). Events fed by hand (dicts, or `create(stream=True)`) build a small snapshot with `apply_event`.
"""

from __future__ import annotations

import html
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

import anthropic

from ._html import (
    ERROR_STYLE,
    META_STYLE,
    TEXT_STYLE,
    THINKING_STYLE,
    TOOL_STYLE,
    as_plain,
    field,
    in_ipython,
    paragraphs_html,
    terminal_safe,
)
from .show import MessageLike, MessageView, block_text, step_html, timeline, usage_line

if TYPE_CHECKING:
    from anthropic.lib.streaming import MessageStream, ParsedMessageStreamEvent

    from .tools import MaxTurnsError, ToolRun

    StreamEvent = ParsedMessageStreamEvent[Any] | anthropic.types.RawMessageStreamEvent | Mapping[str, Any]
    """What `LiveView.feed` takes: an event from `messages.stream(...)` or `create(stream=True)`, or a dict."""

MAX_UPDATES_PER_SECOND = 20.0
"""Per pane. Each update resends the pane's whole HTML, so the rate, not the token rate, sets the cost."""

LIVE_TAIL_CHARS = {"thinking": 8000, "text": 20000, "tool_use": 4000}
"""How much of a block the live pane shows (its end): long thinking stays cheap to resend. The static
view at the end shows everything."""

SCROLL_STYLE = "max-height:14em;overflow-y:auto;display:flex;flex-direction:column-reverse;line-height:1.45"
"""A scrolling box that stays pinned to its newest line (column-reverse), even though each update
replaces the pane's HTML."""

LIVE_THINKING_STYLE = THINKING_STYLE.replace("max-height:16em;overflow-y:auto;", "")
"""The static view's thinking box without its own scrolling: the live pane around it scrolls, pinned to the end."""

LIVE_EVENTS = frozenset(
    ("content_block_delta", "content_block_start", "content_block_stop", "message_start", "message_delta")
)
"""The raw events the view counts; the three content_block ones change a block, and so what is drawn."""


def block_body(block: Any) -> str:
    """What a block holds so far as text: its thinking or text, or a tool call's arguments as JSON."""
    kind = field(block, "type")
    if kind == "tool_use":
        raw = field(block, "partial_json")  # a snapshot built by `apply_event` keeps the raw JSON
        return raw if isinstance(raw, str) else json.dumps(field(block, "input") or {}, ensure_ascii=False)
    return str(field(block, "thinking" if kind == "thinking" else "text") or "")


def pane_html(block: Any, done: bool = False) -> str:
    """The live HTML of one block (the end of it when long). Thinking and text scroll, pinned to the end.

    Paragraphs are <div>s at a normal line height: the widget's own line height (28 px) would double-space them.
    """
    esc, kind, text = html.escape, str(field(block, "type")), block_body(block)
    limit = LIVE_TAIL_CHARS.get(kind, 4000)
    shown, hidden = (text, 0) if len(text) <= limit else (text[-limit:], len(text) - limit)
    more = f'<div style="{META_STYLE}">… {hidden:,} earlier characters (all shown at the end)</div>' if hidden else ""
    if kind in ("thinking", "text"):
        empty = ("<i>(empty)</i>" if kind == "thinking" else "<i>(empty text)</i>") if done else "…"
        style = LIVE_THINKING_STYLE if kind == "thinking" else TEXT_STYLE
        return f'<div style="{SCROLL_STYLE}"><div style="{style}">{more}{paragraphs_html(shown) or empty}</div></div>'
    if kind == "tool_use":
        state = "" if done else f' <span style="{META_STYLE}">(arguments arriving…)</span>'
        name, call_id = esc(str(field(block, "name") or "")), esc(str(field(block, "id") or ""))
        return (
            f'<div style="{TOOL_STYLE};line-height:1.45"><div>🔧 <b>Tool call</b> · <b>{name}</b>{state} '
            f'<code>{more}{esc(shown)}</code></div><div style="{META_STYLE}">id {call_id}</div></div>'
        )
    return f"<div><i>[{esc(kind)} block]</i></div>"


DELTA_FIELDS = {
    "thinking_delta": "thinking",
    "text_delta": "text",
    "input_json_delta": "partial_json",
    "signature_delta": "signature",
}
"""Which field of a block each kind of delta adds to (`apply_event`)."""


def apply_event(message: dict[str, Any] | None, event: Any) -> dict[str, Any]:
    """Fold one raw event into a plain snapshot: for events fed without the SDK's `MessageStream` (dicts in tests,
    `create(stream=True)`); `helpers.stream` uses the SDK's own snapshot instead."""
    message = message if message is not None else {"role": "assistant", "content": []}
    kind = field(event, "type")
    if kind == "content_block_start":
        message["content"].append(dict(as_plain(field(event, "content_block"))))
    elif kind == "content_block_delta" and field(event, "index") < len(message["content"]):
        block, delta = message["content"][field(event, "index")], as_plain(field(event, "delta"))
        name = DELTA_FIELDS.get(delta.get("type"), "")
        if name == "signature":
            block["signature"] = delta.get("signature")
        elif name:
            block[name] = (block.get(name) or "") + (delta.get(name) or "")
    return message


class LiveView:
    """Live rendering of ONE streamed turn; make a new one per turn (e.g. per model call in a tool loop).

    Usage (this is what `helpers.stream` does)::

        view = LiveView(label="MiniMax-M2.1")
        with client.messages.stream(**params) as stream:
            for event in stream:
                view.feed(event, stream)  # the view draws from the stream's own message snapshot
            message = stream.get_final_message()
        view.finish(message)              # live panes give way to the static helpers.show view

    On a failure call `view.fail(reason, partial)` instead of `finish`: what arrived stays on screen with
    a note saying what happened. `mode` is "auto" (widgets in a notebook with ipywidgets, else print),
    "widgets", "print" or "off". `out` is where print mode writes; `clock` is injectable for tests.
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
        self.started = False
        self.ended = False

    @property
    def updates(self) -> int:
        """Widget updates sent so far, all panes together (0 in print mode)."""
        return sum(p.updates for p in self.sink.panes) if isinstance(self.sink, WidgetSink) else 0

    def start(self) -> LiveView:
        """Put the (empty) live view on screen. Called by the first `feed` if not called before."""
        if not self.started:
            self.started = True
            if isinstance(self.sink, WidgetSink):
                self.sink.start()
        return self

    def feed(self, event: StreamEvent, stream: MessageStream | None = None) -> None:
        """Take one stream event and draw the block it changed, read from `stream`'s message snapshot when given
        (what `helpers.stream` does), else from the snapshot the view folds the events into."""
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

    def placeholder_text(self) -> str:
        """The text/plain of the live widget and of the line that replaces it (nbval compares them)."""
        return placeholder_text(self.label)


def placeholder_text(label: str) -> str:
    """The text/plain of a live widget and of the line that replaces it (nbval compares them)."""
    return f"⇣ streamed live: {label}"


class PrintSink:
    """Writes each new piece of thinking and text as it arrives, under a marker per block; a tool call's
    arguments when its block ends."""

    def __init__(self, out: TextIO | None) -> None:
        self.out = out
        self.seen: dict[int, int] = {}
        """Per block index: how many characters of its body were already taken care of."""
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
        before = self.seen[index]
        new = body[before:]
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


@dataclass
class Pane:
    """A block's widget and its throttle: `dirty` until the widget shows the block's latest content."""

    block: Any
    widget: Any
    holder: Any
    done: bool = False
    last_sent: float = float("-inf")
    dirty: bool = False
    updates: int = 0


class WidgetSink:
    """A pane per block in one box, each refreshed at most once per `interval` seconds (and when its block ends);
    at the end the box gives way to a plain line and the static views, and every widget it made is closed."""

    def __init__(self, label: str, interval: float, clock: Callable[[], float]) -> None:
        self.label, self.interval, self.clock = label, interval, clock
        self.panes: list[Pane] = []
        self.shared: dict[str, Any] = {}
        self.box: Any = None
        self.status: Any = None
        self.handle: Any = None

    def start(self) -> None:
        """Show the box with its status line. One Layout and one style are shared by every widget of the view:
        each widget made with its own default ones opens two more comms, most of what a short stream's view costs."""
        import ipywidgets as widgets

        layout = widgets.Layout()
        status = f'<div style="{META_STYLE}">⇣ streaming {html.escape(self.label)}…</div>'
        self.status = widgets.HTML(value=status, layout=layout)
        self.shared = {"layout": layout, "style": self.status.style}
        self.box = widgets.VBox(children=[self.status], layout=layout)
        self.handle = display_widget(self.box, placeholder_text(self.label))

    def draw(self, index: int, block: Any, done: bool) -> None:
        """Mark the block's pane out of date and refresh it unless it was refreshed less than `interval` ago."""
        if index >= len(self.panes):
            self._add_pane(block)  # drawn as it starts: nothing to resend unless it also ends
            if not done:
                return
        pane = self.panes[index]
        pane.block, pane.done, pane.dirty = block, done, True
        now = self.clock()
        if done or now - pane.last_sent >= self.interval:
            self._send(pane, now)

    def _add_pane(self, block: Any) -> None:
        import ipywidgets as widgets

        widget = holder = widgets.HTML(value=pane_html(block), **self.shared)
        if field(block, "type") == "thinking":
            holder = widgets.Accordion(children=[widget], layout=self.shared["layout"])
            with holder.hold_sync():  # the title and the open pane in one update
                holder.set_title(0, "💭 Thinking")
                holder.selected_index = 0
        self.panes.append(Pane(block=block, widget=widget, holder=holder))
        self.box.children = (*self.box.children[:-1], holder, self.box.children[-1])

    def _send(self, pane: Pane, now: float) -> None:
        pane.widget.value = pane_html(pane.block, pane.done)
        pane.last_sent, pane.dirty = now, False
        pane.updates += 1
        if pane.done and pane.holder is not pane.widget:
            signed = "" if field(pane.block, "signature") else ", no signature"
            pane.holder.set_title(0, f"💭 Thinking · {len(block_body(pane.block))} chars{signed}")

    def end(self, views: Callable[[], list[Any]], line: str) -> None:
        """Send what is pending, replace the widget by its plain line, display `views()`, close every widget."""
        from IPython.display import display

        now = self.clock()
        for pane in self.panes:
            if pane.dirty:
                self._send(pane, now)
        if self.handle is not None:
            end_widget(self.handle, placeholder_text(self.label))
        for view in views():
            display(view)
        made = [self.box, self.status, *self.shared.values()]
        made += [w for p in self.panes for w in {id(p.holder): p.holder, id(p.widget): p.widget}.values()]
        for widget in made:
            if widget is not None:
                widget.close()


class _Note:
    """A short notice shown after an interrupted stream's partial message."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f'<div style="{ERROR_STYLE}">{html.escape(self.text)}</div>'


def widgets_available() -> bool:
    """True inside a notebook kernel that has ipywidgets: the only place a live widget can be seen."""
    if not in_ipython():
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def display_widget(widget: Any, text: str) -> Any:
    """Display `widget` with a fixed text/plain and return the display handle that `end_widget` updates.

    A raw bundle, not `display(widget)`: ipywidgets 7 (Colab's) publishes its own output without the
    display_id, so the widget could never be replaced and would stay in the saved notebook.
    """
    from IPython.display import display

    bundle = {
        "text/plain": text,
        "application/vnd.jupyter.widget-view+json": {
            "version_major": 2,
            "version_minor": 0,
            "model_id": widget.model_id,
        },
    }
    return display(bundle, raw=True, display_id=True)


def end_widget(handle: Any, text: str) -> None:
    """Replace a widget shown by `display_widget` with plain `text`: what the saved notebook keeps."""
    handle.update({"text/plain": text}, raw=True)


# -- the live timeline of a tool conversation (notebook 04) --------------------------------------------------

LIVE_PLACEHOLDER = "(live timeline: it ran here; the saved timeline is below)"
"""The text the live widget leaves in a saved notebook, and what a fresh run's widget says in text/plain."""


class LiveTimeline:
    """Shows each step in a widget as it happens (`run_tools(..., on_step=live.add)`), then `finish(run)`
    swaps the widget for the static timeline, which is what a saved notebook keeps. Outside a notebook, or
    without ipywidgets, each step is printed instead."""

    def __init__(self) -> None:
        self.blocks: list[dict[str, Any]] = []
        self._widget: Any = None
        self._handle: Any = None
        if not widgets_available():
            return
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
