"""Live view of a streamed message: thinking, answer and tool calls as they arrive, for one turn.

In a notebook with ipywidgets (7.7.1 as on Colab, or 8.x) it draws a pane per content block and sends at
most `max_rate` updates a second per pane; when the turn ends the widget output is replaced by a plain line
and the static `helpers.show` view, so a saved notebook holds no widget (see docs/sources.md). Elsewhere it
prints the thinking and the text as they come, with clear markers.
"""

from __future__ import annotations

import html
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

import anthropic

from ._html import (
    ERROR_STYLE,
    META_STYLE,
    TEXT_STYLE,
    THINKING_STYLE,
    TOOL_STYLE,
    as_plain,
    in_ipython,
    paragraphs_html,
)
from .show import MessageLike, MessageView, block_text, step_html, timeline, usage_line

if TYPE_CHECKING:
    from anthropic.lib.streaming import ParsedMessageStreamEvent

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


@dataclass
class LiveBlock:
    """One content block as it forms: its type, the text (or partial JSON) so far, and what else is known."""

    index: int
    type: str
    name: str = ""
    id: str = ""
    signature: str | None = None
    done: bool = False
    parts: list[str] = field(default_factory=list)
    visible: bool = False
    """True once a text block holds more than the blank lines it often starts with."""

    @property
    def content(self) -> str:
        """Everything received so far (pieces are kept in a list: appending to one long string is quadratic)."""
        if len(self.parts) > 1:
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0] if self.parts else ""

    def add(self, piece: str) -> None:
        """Append a streamed piece; a text block becomes visible at its first non-blank piece."""
        self.parts.append(piece)
        if not self.visible and piece.strip("\n"):
            self.visible = True

    def as_block(self) -> dict[str, Any]:
        """The block in the API's shape, as far as it has arrived (tool input parsed when complete)."""
        if self.type == "thinking":
            return {"type": "thinking", "thinking": self.content, "signature": self.signature}
        if self.type == "text":
            return {"type": "text", "text": self.content}
        if self.type == "tool_use":
            try:
                value: Any = json.loads(self.content) if self.content.strip() else {}
            except ValueError:
                value = {"partial_json": self.content}
            return {"type": "tool_use", "id": self.id, "name": self.name, "input": value}
        return {"type": self.type}


@dataclass
class _Pane:
    """A block's widget and its throttle: `dirty` until the widget shows the block's latest content."""

    block: LiveBlock
    widget: Any
    holder: Any = None
    last_sent: float = float("-inf")
    dirty: bool = False
    updates: int = 0


def _tail(text: str, limit: int) -> tuple[str, int]:
    """The last `limit` characters of `text`, and how many were left out before them."""
    return (text, 0) if len(text) <= limit else (text[-limit:], len(text) - limit)


def pane_html(block: LiveBlock) -> str:
    """The live HTML of one block (the end of it when long). Thinking and text scroll, pinned to the end.

    Paragraphs are <div>s at a normal line height: the widget's own line height (28 px) would double-space them.
    """
    esc = html.escape
    shown, hidden = _tail(block.content, LIVE_TAIL_CHARS.get(block.type, 4000))
    more = f'<div style="{META_STYLE}">… {hidden:,} earlier characters (all shown at the end)</div>' if hidden else ""
    if block.type == "thinking":
        body = paragraphs_html(shown) or ("<i>(empty)</i>" if block.done else "…")
        return f'<div style="{SCROLL_STYLE}"><div style="{LIVE_THINKING_STYLE}">{more}{body}</div></div>'
    if block.type == "text":
        body = paragraphs_html(shown) or ("<i>(empty text)</i>" if block.done else "…")
        return f'<div style="{SCROLL_STYLE}"><div style="{TEXT_STYLE}">{more}{body}</div></div>'
    if block.type == "tool_use":
        state = "" if block.done else f' <span style="{META_STYLE}">(arguments arriving…)</span>'
        return (
            f'<div style="{TOOL_STYLE};line-height:1.45"><div>🔧 <b>Tool call</b> · <b>{esc(block.name)}</b>{state} '
            f'<code>{more}{esc(shown)}</code></div><div style="{META_STYLE}">id {esc(block.id)}</div></div>'
        )
    return f"<div><i>[{esc(block.type)} block]</i></div>"


class LiveView:
    """Live rendering of ONE streamed turn; make a new one per turn (e.g. per model call in a tool loop).

    Usage (this is what `helpers.stream` does)::

        view = LiveView(label="MiniMax-M2.1")
        with client.messages.stream(**params) as stream:
            for event in stream:
                view.feed(event)          # any event the SDK yields; raw events drive the view
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
        if max_rate <= 0:
            raise ValueError(f"LiveView max_rate={max_rate!r} must be a positive number of updates per second.")
        self.label = label
        self.mode = ("widgets" if widgets_available() else "print") if mode == "auto" else mode
        self.interval = 1.0 / max_rate
        self.out = out
        self.clock = clock
        self.blocks: list[LiveBlock] = []
        self.events = 0
        self.started = False
        self.ended = False
        self._panes: list[_Pane] = []
        self._box: Any = None
        self._handle: Any = None
        self._status: Any = None
        self._shared: dict[str, Any] = {}
        self._printed_head: set[int] = set()

    # -- public API -------------------------------------------------------------------------------
    @property
    def updates(self) -> int:
        """Widget updates sent so far, all panes together (0 in print mode)."""
        return sum(p.updates for p in self._panes)

    def start(self) -> LiveView:
        """Put the (empty) live view on screen. Called by the first `feed` if not called before."""
        if self.started:
            return self
        self.started = True
        if self.mode == "widgets":
            self._start_widgets()
        return self

    def feed(self, event: StreamEvent) -> None:
        """Take one stream event (an SDK event object or a dict) and update the view."""
        if not self.started:
            self.start()
        kind = _get(event, "type")
        if kind == "content_block_delta":  # by far the most frequent: first
            index = event["index"] if isinstance(event, dict) else event.index  # type: ignore[union-attr]
            self._delta(index, _get(event, "delta"))
        elif kind == "content_block_start":
            self._open(int(_get(event, "index")), _get(event, "content_block"))
        elif kind == "content_block_stop":
            self._close(int(_get(event, "index")))
        elif kind not in ("message_start", "message_delta"):
            return  # message_stop, ping, and the SDK's derived events (text, thinking, ...) add nothing
        self.events += 1

    def partial_content(self) -> list[dict[str, Any]]:
        """The content blocks received so far, in the API's shape (for an interrupted stream)."""
        return [b.as_block() for b in self.blocks]

    def finish(self, message: MessageLike) -> None:
        """End the live view and show the static view of the final `message` (widgets), or a closing line."""
        if self.ended:
            return
        self.ended = True
        self._flush_all()
        if self.mode == "widgets":
            self._end_widgets([MessageView(message)])
        elif self.mode == "print":
            self._write(f"\n── end · {usage_line(as_plain(message) or {})} ──\n")

    def fail(self, reason: str, partial: MessageLike | None = None) -> None:
        """End the live view after an interruption: keep what arrived and say clearly what happened."""
        if self.ended:
            return
        self.ended = True
        self._flush_all()
        if self.events:
            note = f"⚠️ Stream interrupted: {reason}. Kept what arrived: {len(self.blocks)} block(s)."
        else:
            note = f"⚠️ No answer: {reason}."
        if self.mode == "widgets":
            shown = partial if partial is not None else {"role": "assistant", "content": self.partial_content()}
            self._end_widgets([MessageView(shown), _Note(note)])
        elif self.mode == "print":
            self._write(f"\n── {note} ──\n")

    # -- blocks -----------------------------------------------------------------------------------
    def _open(self, index: int, start: Any) -> None:
        block = LiveBlock(index=index, type=str(_get(start, "type") or "?"))
        block.name = str(_get(start, "name") or "")
        block.id = str(_get(start, "id") or "")
        block.signature = _get(start, "signature") or None  # MiniMax sends it later, as a signature_delta
        first = str(_get(start, "thinking") or _get(start, "text") or "")
        if first:
            block.add(first)
        self.blocks.append(block)
        if self.mode == "widgets":
            self._add_pane(block)
        elif self.mode == "print":
            self._print_head(block)
            if first:
                self._print_piece(block, first, visible_before=False)

    def _find(self, index: int) -> LiveBlock | None:
        if self.blocks and self.blocks[-1].index == index:
            return self.blocks[-1]
        for block in reversed(self.blocks):
            if block.index == index:
                return block
        return None

    def _delta(self, index: int, delta: Any) -> None:
        block = self._find(index)
        if block is None:
            return
        kind = _get(delta, "type")
        piece = ""
        if kind == "thinking_delta":
            piece = _get(delta, "thinking") or ""
        elif kind == "text_delta":
            piece = _get(delta, "text") or ""
        elif kind == "input_json_delta":
            piece = _get(delta, "partial_json") or ""
        elif kind == "signature_delta":
            block.signature = _get(delta, "signature")
            return
        if not piece:
            return
        visible_before = block.visible
        block.add(piece)
        if self.mode == "print":
            self._print_piece(block, piece, visible_before)
        elif self.mode == "widgets":
            pane = self._panes[-1] if self._panes and self._panes[-1].block is block else self._pane_of(block)
            pane.dirty = True
            now = self.clock()
            if now - pane.last_sent >= self.interval:
                self._send(pane, now)

    def _close(self, index: int) -> None:
        block = self._find(index)
        if block is None:
            return
        block.done = True
        if self.mode == "widgets":
            pane = self._pane_of(block)
            pane.dirty = True
            self._send(pane, self.clock())
        elif self.mode == "print":
            if block.type == "thinking" and not block.parts:
                self._write("(empty)")
            elif block.type == "text" and not block.visible:
                self._write("(empty text)")
            self._write("\n")

    # -- print mode -------------------------------------------------------------------------------
    def _write(self, text: str) -> None:
        out = self.out or sys.stdout
        out.write(text)
        out.flush()

    def _print_head(self, block: LiveBlock) -> None:
        head = {
            "thinking": "── 💭 thinking ──",
            "text": "── 💬 answer ──",
            "tool_use": f"── 🔧 tool call {block.name} ({block.id}) ──",
        }.get(block.type, f"── [{block.type} block] ──")
        self._write(("\n" if self.blocks[:-1] else "") + head + "\n")

    def _print_piece(self, block: LiveBlock, piece: str, visible_before: bool) -> None:
        if block.type == "text" and not visible_before:
            piece = piece.lstrip("\n")  # answers after thinking often start with blank lines
            if not piece:
                return
        self._write(piece)

    # -- widget mode ------------------------------------------------------------------------------
    def _start_widgets(self) -> None:
        import ipywidgets as widgets

        # One Layout for every widget of the view and one style for its HTML widgets: each widget made with its
        # own default ones opens two more comms, which is most of what a short stream's live view costs.
        layout = widgets.Layout()
        self._status = widgets.HTML(
            value=f'<div style="{META_STYLE}">⇣ streaming {html.escape(self.label)}…</div>', layout=layout
        )
        self._shared = {"layout": layout, "style": self._status.style}
        self._box = widgets.VBox(children=[self._status], layout=layout)
        self._handle = display_widget(self._box, self.placeholder_text())

    def placeholder_text(self) -> str:
        """The text/plain of the live widget and of the line that replaces it (nbval compares them)."""
        return f"⇣ streamed live: {self.label}"

    def _add_pane(self, block: LiveBlock) -> None:
        import ipywidgets as widgets

        widget = widgets.HTML(value=pane_html(block), **self._shared)
        holder = widget
        if block.type == "thinking":
            layout = {"layout": self._shared["layout"]} if self._shared else {}
            holder = widgets.Accordion(children=[widget], **layout)
            with holder.hold_sync():  # the title and the open pane in one update
                holder.set_title(0, "💭 Thinking")
                holder.selected_index = 0
        pane = _Pane(block=block, widget=widget, holder=holder)
        self._panes.append(pane)
        if self._box is not None:
            self._box.children = (*self._box.children[:-1], holder, self._box.children[-1])

    def _pane_of(self, block: LiveBlock) -> _Pane:
        for pane in reversed(self._panes):
            if pane.block is block:
                return pane
        raise LookupError(f"no pane for block {block.index}")

    def _send(self, pane: _Pane, now: float) -> None:
        pane.widget.value = pane_html(pane.block)
        pane.last_sent = now
        pane.dirty = False
        pane.updates += 1
        if pane.block.done and pane.block.type == "thinking" and pane.holder is not pane.widget:
            signed = "" if pane.block.signature else ", no signature"
            pane.holder.set_title(0, f"💭 Thinking · {len(pane.block.content)} chars{signed}")

    def _flush_all(self) -> None:
        now = self.clock()
        for pane in self._panes:
            if pane.dirty:
                self._send(pane, now)

    def _end_widgets(self, views: list[Any]) -> None:
        from IPython.display import display

        if self._handle is not None:
            end_widget(self._handle, self.placeholder_text())
        for view in views:
            display(view)
        if self._box is not None:
            self._box.close()
            for pane in self._panes:
                pane.holder.close()
                if pane.holder is not pane.widget:
                    pane.widget.close()
            if self._status is not None:
                self._status.close()
            for shared in self._shared.values():
                shared.close()


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


def _get(obj: Any, name: str) -> Any:
    """`obj.name` for SDK events, `obj[name]` for dicts, None when absent."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


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
