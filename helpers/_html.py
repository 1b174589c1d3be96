"""The HTML and widget plumbing behind every view (private): `Displayable`, styles for light and dark themes, HTML
that strict sanitizers keep (Markdown through markdown-it-py's render rules), the readers `as_plain` and `field`, and
the live widgets the streaming view and the playground share."""

from __future__ import annotations

import functools
import html
import importlib.util
import json
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._i18n import gettext as _


class Displayable:
    """A view with `text()` and `html()`: Jupyter picks the HTML, a terminal the text (dataclasses: `repr=False`)."""

    def text(self) -> str:
        raise NotImplementedError

    def html(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return self.text()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text())

    def _repr_html_(self) -> str:
        return self.html()


# Every view reads in light and dark themes (JupyterLab, Colab, VS Code): text keeps the page's own colour and
# boxes are tinted with translucent colours. Structure uses only tags that strict sanitizers keep (nbconvert
# --sanitize-html keeps div, pre, span, code, b, i, ul/ol/li, table/tr/td, a) and labels are words, so a view
# stripped of its styles still says which part is thinking, answer or tool call (docs/sources.md).
BOX = "border-radius:4px;padding:4px 8px;margin:4px 0;color:inherit"
THINKING_STYLE = (
    "border-left:3px solid rgba(127,127,127,.55);background:rgba(127,127,127,.08);padding:2px 10px;"
    "margin:2px 0 4px 0;max-height:16em;overflow-y:auto;color:inherit;line-height:1.45"
)
TEXT_STYLE = "margin:4px 0;color:inherit;line-height:1.45"
TOOL_STYLE = f"border:1px solid rgba(99,102,241,.6);background:rgba(99,102,241,.12);{BOX}"
RESULT_STYLE = f"border:1px solid rgba(34,197,94,.6);background:rgba(34,197,94,.12);{BOX}"
ERROR_STYLE = f"border:1px solid rgba(239,68,68,.65);background:rgba(239,68,68,.12);{BOX}"
META_STYLE = "opacity:.8;font-size:90%;margin:2px 0;color:inherit"
LABEL_STYLE = "opacity:.8;font-size:90%;margin:6px 0 0 0;color:inherit"
PRE_STYLE = (
    "white-space:pre-wrap;margin:2px 0;font-family:var(--jp-code-font-family,monospace);font-size:90%;"
    "color:inherit;background:none"
)
"""A tool result in monospace, so a table printed by pandas keeps its columns."""
PARAGRAPH_STYLE = "margin:0 0 .5em 0;white-space:pre-wrap"


GRID_STYLE = "display:table;border-collapse:collapse;margin:.3em 0"
ROW_STYLE = "display:table-row"
CELL_STYLE = "display:table-cell;border:1px solid rgba(127,127,127,.45);padding:2px 6px"
CELL_GAP = '<span style="display:none"> | </span>'
"""Tables are <div>/<span> grids (a sanitizer escapes the <tbody> its parser adds); unstyled, cells read " | "."""


def grid_html(rows: Iterable[Iterable[str]], *, header: bool = True) -> str:
    """Rows of cells (already HTML) as a table that survives strict sanitizers; the first row bold if `header`."""
    out = []
    for number, row in enumerate(rows):
        cells = (f'<span style="{CELL_STYLE}">{f"<b>{c}</b>" if header and not number else c}</span>' for c in row)
        out.append(f'<div style="{ROW_STYLE}">{CELL_GAP.join(cells)}</div>')
    return f'<div style="{GRID_STYLE}">{"".join(out)}</div>'


def paragraphs_html(text: str) -> str:
    """Plain text (thinking) as one <div> per paragraph: line breaks survive even where styles are stripped."""
    chunks = [c for c in re.split(r"\n\s*\n", text.strip("\n")) if c.strip()]
    return "".join(f'<div style="{PARAGRAPH_STYLE}">{html.escape(c)}</div>' for c in chunks)


_PRE = '<pre style="background:rgba(127,127,127,.12);padding:6px 8px;border-radius:4px;color:inherit">'
_HR = '<div style="border-top:1px solid rgba(127,127,127,.45);margin:.5em 0"></div>\n'


def _cell(renderer: Any, tokens: Any, idx: int, *_: Any) -> str:
    """A table cell (<th> or <td>, with its alignment) as a <span> of the grid, bold in the header; the gap after."""
    token, following = tokens[idx], tokens[idx + 1].type if idx + 1 < len(tokens) else ""
    bold = token.tag == "th"
    if token.nesting < 0:
        return ("</b>" if bold else "") + "</span>" + (CELL_GAP if following in ("th_open", "td_open") else "")
    align = token.attrGet("style")
    return f'<span style="{f"{align};" if align else ""}{CELL_STYLE}">' + ("<b>" if bold else "")


def _tag(markup: str, hideable: bool = False) -> Callable[..., str]:
    """A render rule writing `markup`; nothing for a paragraph markdown-it hides (a tight list's)."""
    return lambda renderer, tokens, idx, *_: "" if hideable and tokens[idx].hidden else markup


_TAGS: dict[str, Callable[..., str]] = {
    "paragraph_open": _tag('<div style="margin:0 0 .6em 0">', hideable=True),
    "paragraph_close": _tag("</div>\n", hideable=True),
    "heading_open": _tag('<div style="margin:.6em 0 .3em 0;font-size:105%"><b>'),
    "heading_close": _tag("</b></div>\n"),
    "table_open": _tag(f'<div style="{GRID_STYLE}">'),
    "table_close": _tag("</div>\n"),
    **dict.fromkeys(("thead_open", "thead_close", "tbody_open", "tbody_close"), _tag("")),
    "tr_open": _tag(f'<div style="{ROW_STYLE}">'),
    "tr_close": _tag("</div>"),
    **dict.fromkeys(("th_open", "td_open", "th_close", "td_close"), _cell),
    "hardbreak": _tag("\n"),
    "hr": _tag(_HR),
}
"""markdown-it's block tags as ones strict sanitizers keep (a stripped <p> shows as text): <div>s and grids."""


@functools.cache
def _renderer() -> Any:
    """markdown-it-py (CommonMark plus tables, no images, raw HTML off) with `_TAGS` as its render rules."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")
    for name, rule in _TAGS.items():
        md.add_render_rule(name, rule)
    for name in ("fence", "code_block"):
        default = md.renderer.rules[name]  # type: ignore[attr-defined]
        md.add_render_rule(name, lambda renderer, *args, default=default: default(*args).replace("<pre>", _PRE, 1))
    return md


def markdown_html(text: str) -> str:
    """A model answer's Markdown as HTML that strict sanitizers keep, any HTML in it escaped (notebook 01)."""
    return str(_renderer().render(text)).strip()


# -- one content block as HTML: show's views, the live timeline's steps, the playground -----------------------

STEP_STYLE = "display:flex;gap:8px;align-items:flex-start"
NUMBER_STYLE = "min-width:2.2em;opacity:.8;font-family:monospace;padding-top:6px;color:inherit"


def as_json(value: Any) -> str:
    """`value` as JSON, non-ASCII text kept readable."""
    return json.dumps(value, ensure_ascii=False)


def blocks(content: Any) -> list[dict[str, Any]]:
    """A message's content as plain block dicts: a string is one text block, null none."""
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in as_plain(list(content or [])) if isinstance(b, dict)]


def block_kind(kind: Any) -> str:
    """`[image block]`: a block no view draws, by its type."""
    return _("[{kind} block]").format(kind=kind)


def result_text(content: Any) -> str:
    """A tool result's content as text: its text blocks, and the kind of any other block."""
    if isinstance(content, str):
        return content
    return "\n".join(
        b.get("text", "") if b.get("type") == "text" else block_kind(b.get("type")) for b in blocks(content)
    )


def block_html(block: Mapping[str, Any], *, answer: bool = True) -> str:
    """One block as HTML labelled in words, the answer's Markdown rendered (`answer=False`: a user's, unlabelled)."""
    kind, esc = block.get("type"), html.escape
    if kind == "thinking":
        thinking = block.get("thinking") or ""
        sig = "" if block.get("signature") else _(", no signature")
        chars = _("{count} chars").format(count=len(thinking))
        return (
            f'<div style="{LABEL_STYLE}">💭 <b>{_("Thinking")}</b> · {chars}{sig}</div>'
            f'<div style="{THINKING_STYLE}">{paragraphs_html(thinking) or "<i>" + _("(empty)") + "</i>"}</div>'
        )
    if kind == "text":
        text = (block.get("text") or "").lstrip("\n")
        label = f'<div style="{LABEL_STYLE}">💬 <b>{_("Answer")}</b></div>' if answer else ""
        body = markdown_html(text) if text.strip() else f"<i>{_('(empty text)')}</i>"
        return f'{label}<div style="{TEXT_STYLE}">{body}</div>'
    if kind == "tool_use":
        return (
            f'<div style="{TOOL_STYLE}"><div>🔧 <b>{_("Tool call")}</b> · <b>{esc(str(block.get("name")))}</b> '
            f"<code>{esc(as_json(block.get('input', {})))}</code></div>"
            f'<div style="{META_STYLE}">id {esc(str(block.get("id")))}</div></div>'
        )
    if kind == "tool_result":
        error = bool(block.get("is_error"))
        label = f"⚠️ <b>{_('Tool error')}</b>" if error else f"↩️ <b>{_('Tool result')}</b>"
        result_for = _("for {id}").format(id=esc(str(block.get("tool_use_id"))))
        return (
            f'<div style="{ERROR_STYLE if error else RESULT_STYLE}"><div>{label} '
            f'<span style="{META_STYLE}">{result_for}</span></div>'
            f'<pre style="{PRE_STYLE}">{esc(result_text(block.get("content")))}</pre></div>'
        )
    return f"<div><i>{block_kind(esc(str(kind)))}</i></div>"


def step_html(number: str, block: Mapping[str, Any], *, answer: bool = True) -> str:
    """One numbered step: the same in the static timeline and the live one."""
    return (
        f'<div style="{STEP_STYLE}"><div style="{NUMBER_STYLE}">{number}</div>'
        f'<div style="flex:1">{block_html(block, answer=answer)}</div></div>'
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """`text` with control characters but newline and tab as `\\x1b`-style escapes: an answer cannot drive a terminal
    (OSC 52 writes the clipboard, OSC 8 hides a link's target)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def field(value: Any, name: str) -> Any:
    """One field of a dict or an SDK object (a message, a block), None when it has none."""
    return value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)


def as_plain(value: Any) -> Any:
    """SDK objects as plain dicts and lists; a tool input that is not an object (notebook 03) kept, unwarned."""
    if hasattr(value, "model_dump"):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Pydantic serializer warnings", category=UserWarning)
            return value.model_dump(exclude_none=True)
    if isinstance(value, Mapping):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_plain(v) for v in value]
    return value


def in_ipython() -> bool:
    """True inside a Jupyter kernel (a notebook, Colab), where views are HTML; False in a terminal."""
    ipython = sys.modules.get("IPython")  # a kernel has always imported it; a plain interpreter need not
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and type(shell).__name__ != "TerminalInteractiveShell"


def widgets_available() -> bool:
    """True inside a notebook kernel that has ipywidgets: the only place a live widget can be seen."""
    return in_ipython() and importlib.util.find_spec("ipywidgets") is not None


def display_widget(widget: Any, text: str) -> Any:
    """Display `widget` with a fixed text/plain; return the handle `end_widget` updates. A raw bundle: ipywidgets 7
    (Colab's) would publish `display(widget)` without the display_id, so it could never leave the saved notebook."""
    from IPython.display import display

    view = {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}
    return display({"text/plain": text, "application/vnd.jupyter.widget-view+json": view}, raw=True, display_id=True)


def end_widget(handle: Any, text: str) -> None:
    """Replace a widget shown by `display_widget` with plain `text`: what the saved notebook keeps."""
    handle.update({"text/plain": text}, raw=True)


# -- the live widget of one streamed turn (helpers.stream's WidgetSink) ---------------------------------------

LIVE_TAIL_CHARS = {"thinking": 8000, "text": 20000, "tool_use": 4000}
"""How much of a block the live widget resends (its end), so long thinking stays cheap; the static view shows all."""
SCROLL_STYLE = "max-height:14em;overflow-y:auto;display:flex;flex-direction:column-reverse;line-height:1.45"
LIVE_THINKING_STYLE = THINKING_STYLE.replace("max-height:16em;overflow-y:auto;", "")


def block_body(block: Any) -> str:
    """What a block holds so far as text: its thinking or text, or a tool call's arguments as JSON."""
    kind = field(block, "type")
    if kind == "tool_use":
        raw = field(block, "partial_json")  # a snapshot folded from events by hand keeps the raw JSON
        return raw if isinstance(raw, str) else json.dumps(field(block, "input") or {}, ensure_ascii=False)
    return str(field(block, "thinking" if kind == "thinking" else "text") or "")


def pane_html(block: Any, done: bool = False) -> str:
    """The live HTML of one block (its end when long), scrolling pinned to the end, at a normal line height."""
    esc, kind, text = html.escape, str(field(block, "type")), block_body(block)
    limit = LIVE_TAIL_CHARS.get(kind, 4000)
    shown, more = text[-limit:], ""
    if len(text) > limit:
        hidden = _("… {count} earlier characters (all shown at the end)").format(count=f"{len(text) - limit:,}")
        more = f'<div style="{META_STYLE}">{hidden}</div>'
    empty = _("(empty)") if kind == "thinking" else _("(empty text)")
    body = paragraphs_html(shown) or (f"<i>{empty}</i>" if done else "…")
    if kind == "text":
        return f'<div style="{SCROLL_STYLE}"><div style="{TEXT_STYLE}">{more}{body}</div></div>'
    if kind == "thinking":
        title = "💭 " + _("Thinking")
        if done:
            signed = "" if field(block, "signature") else _(", no signature")
            title += " · " + _("{count} chars").format(count=len(text)) + signed
        return (
            f'<details open><summary style="{META_STYLE};cursor:pointer">{title}</summary>'
            f'<div style="{SCROLL_STYLE}"><div style="{LIVE_THINKING_STYLE}">{more}{body}</div></div></details>'
        )
    if kind == "tool_use":
        state = "" if done else f' <span style="{META_STYLE}">{_("(arguments arriving…)")}</span>'
        name, call_id = esc(str(field(block, "name") or "")), esc(str(field(block, "id") or ""))
        return (
            f'<div style="{TOOL_STYLE};line-height:1.45"><div>🔧 <b>{_("Tool call")}</b> · <b>{name}</b>{state} '
            f'<code>{more}{esc(shown)}</code></div><div style="{META_STYLE}">id {call_id}</div></div>'
        )
    return f"<div><i>{block_kind(esc(kind))}</i></div>"


class WidgetSink:
    """One turn in ONE HTML widget (each widget opens comms, most of a short turn's cost), resent at most every
    `interval` seconds (each update is a message: a fast stream sends few) and when the answer is complete; at the end
    a plain line and the static views replace it, all closed."""

    def __init__(self, label: str, interval: float, clock: Callable[[], float]) -> None:
        self.label, self.interval, self.clock = label, interval, clock
        self.parts: list[str] = []  # each block's HTML as last sent
        self.dirty: dict[int, tuple[Any, bool]] = {}  # the blocks changed since: index -> (block, done)
        self.last_sent, self.updates = float("-inf"), 0
        self.widget: Any = None
        self.handle: Any = None
        self.line = ""

    def start(self, line: str = "") -> None:
        """Show the widget with its plain `line`, what stays (the status line unless given: the live timeline's)."""
        import ipywidgets

        self.line = line or _("⇣ streamed live: {label}").format(label=self.label)
        self.widget = ipywidgets.HTML(value="" if line else self.html())
        self.handle = display_widget(self.widget, self.line)

    def html(self) -> str:
        status = _("⇣ streaming {label}…").format(label=html.escape(self.label))
        return f'<div style="{META_STYLE}">{status}</div>' + "".join(self.parts)

    def draw(self, index: int, block: Any, done: bool) -> None:
        """Mark the block out of date and send the turn unless it was sent less than `interval` ago."""
        while index >= len(self.parts):
            self.parts.append("")
        self.dirty[index] = (block, done)
        now = self.clock()
        if now - self.last_sent >= self.interval:
            self.send(now)

    def flush(self) -> None:
        """Send what is pending, if anything: the answer is complete, so no later event would."""
        if self.dirty:
            self.send(self.clock())

    def send(self, now: float) -> None:
        for index, (block, done) in self.dirty.items():
            self.parts[index] = pane_html(block, done)
        self.dirty.clear()
        self.widget.value = self.html()
        self.last_sent, self.updates = now, self.updates + 1

    def end(self, views: Callable[[], list[Any]], line: Callable[[], str]) -> None:
        """Send what is pending, replace the widget by its plain line, close the widgets, display `views()`."""
        from IPython.display import display

        self.flush()
        if self.handle is not None:  # None where display() has no frontend to update
            end_widget(self.handle, self.line)
        for widget in (self.widget.layout, getattr(self.widget, "style", None), self.widget):
            if widget is not None:
                widget.close()
        for view in views():
            display(view)


@dataclass(repr=False)
class Note(Displayable):
    """A short notice in a red box, shown after an interrupted stream's partial message."""

    note: str

    def text(self) -> str:
        return self.note

    def html(self) -> str:
        return f'<div style="{ERROR_STYLE}">{html.escape(self.note)}</div>'
