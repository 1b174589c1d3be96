"""The HTML plumbing behind every view (private: no notebook needs to open it): `Displayable` (a view with `text()` and
`html()`), the styles that read in light and dark themes, tables and paragraphs that survive strict sanitizers, the
model's Markdown rendered by markdown-it-py's render rules, and `as_plain`, the one reader for "a field of a dict or
an SDK object", and the widget plumbing (`display_widget`, `end_widget`) the live view and the playground share.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any


class Displayable:
    """A view with `text()` and `html()`: Jupyter picks the HTML, a terminal or `print` the text.

    Subclasses that are dataclasses must say `repr=False`, or the generated repr hides the text form.
    """

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
"""A tool result as its tool wrote it: monospace, so a table printed by pandas keeps its columns lined up."""
PARAGRAPH_STYLE = "margin:0 0 .5em 0;white-space:pre-wrap"


GRID_STYLE = "display:table;border-collapse:collapse;margin:.3em 0"
ROW_STYLE = "display:table-row"
CELL_STYLE = "display:table-cell;border:1px solid rgba(127,127,127,.45);padding:2px 6px"
CELL_GAP = '<span style="display:none"> | </span>'
"""Tables are <div>/<span> grids: a sanitizer would escape the <tbody> its parser adds to a <table>, and where
styles are stripped each row is a line with its cells joined by the (otherwise hidden) " | "."""


def grid_html(rows: Iterable[Iterable[str]], *, header: bool = True) -> str:
    """Rows of cells (already HTML) as a table that survives strict sanitizers; the first row bold if `header`."""
    out = []
    for number, row in enumerate(rows):
        cells = [f"<b>{c}</b>" if header and number == 0 else c for c in row]
        out.append(
            f'<div style="{ROW_STYLE}">'
            + CELL_GAP.join(f'<span style="{CELL_STYLE}">{c}</span>' for c in cells)
            + "</div>"
        )
    return f'<div style="{GRID_STYLE}">{"".join(out)}</div>'


def paragraphs_html(text: str) -> str:
    """Plain text (thinking) as one <div> per paragraph: line breaks survive even where styles are stripped."""
    chunks = [c for c in re.split(r"\n\s*\n", text.strip("\n")) if c.strip()]
    return "".join(f'<div style="{PARAGRAPH_STYLE}">{html.escape(c)}</div>' for c in chunks)


_MARKDOWN: Any = None
_PRE = '<pre style="background:rgba(127,127,127,.12);padding:6px 8px;border-radius:4px;color:inherit">'
_HR = '<div style="border-top:1px solid rgba(127,127,127,.45);margin:.5em 0"></div>\n'


def _cell_open(bold: bool) -> Callable[[Any], str]:
    """A table cell (<th> or <td>, with its alignment) as a <span> of the grid; a header cell's text in bold."""

    def render(token: Any) -> str:
        align = token.attrGet("style")
        style = f"{align};{CELL_STYLE}" if align else CELL_STYLE
        return f'<span style="{style}">' + ("<b>" if bold else "")

    return render


_TAGS: dict[str, Callable[[Any], str]] = {
    "paragraph_open": lambda t: '<div style="margin:0 0 .6em 0">',
    "paragraph_close": lambda t: "</div>\n",
    "heading_open": lambda t: '<div style="margin:.6em 0 .3em 0;font-size:105%"><b>',
    "heading_close": lambda t: "</b></div>\n",
    "table_open": lambda t: f'<div style="{GRID_STYLE}">',
    "table_close": lambda t: "</div>\n",
    "thead_open": lambda t: "",
    "thead_close": lambda t: "",
    "tbody_open": lambda t: "",
    "tbody_close": lambda t: "",
    "tr_open": lambda t: f'<div style="{ROW_STYLE}">',
    "tr_close": lambda t: "</div>",
    "th_open": _cell_open(bold=True),
    "td_open": _cell_open(bold=False),
    "hardbreak": lambda t: "\n",
    "hr": lambda t: _HR,
}
"""markdown-it's block tags rendered as the ones strict sanitizers keep (a stripped <p> would show as literal text):
paragraphs and headings as <div>s, tables as <div>/<span> grids, line breaks as newlines in a pre-wrapped box."""


def _renderer() -> Any:
    """markdown-it-py (CommonMark plus tables, no images, raw HTML off) with `_TAGS` as its render rules."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")

    def rule(render: Callable[[Any], str]) -> Callable[..., str]:
        return lambda renderer, tokens, idx, options, env: "" if tokens[idx].hidden else render(tokens[idx])

    def cell_close(bold: bool) -> Callable[..., str]:
        def render(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
            following = tokens[idx + 1].type if idx + 1 < len(tokens) else ""
            return ("</b>" if bold else "") + "</span>" + (CELL_GAP if following in ("th_open", "td_open") else "")

        return render

    def preformatted(default: Callable[..., str]) -> Callable[..., str]:
        return lambda renderer, *args: default(*args).replace("<pre>", _PRE, 1)  # default: already bound

    for name, render in _TAGS.items():
        md.add_render_rule(name, rule(render))
    md.add_render_rule("th_close", cell_close(bold=True))
    md.add_render_rule("td_close", cell_close(bold=False))
    for name in ("fence", "code_block"):
        md.add_render_rule(name, preformatted(md.renderer.rules[name]))  # type: ignore[attr-defined]
    return md


def markdown_html(text: str) -> str:
    """A model answer's Markdown (bold, lists, code, tables) as HTML, with any HTML in the answer escaped.

    Rendered by markdown-it-py through the render rules above, so the output uses only tags that strict
    sanitizers keep. Notebook 01 shows it; the plain-text view keeps the raw text."""
    global _MARKDOWN
    if _MARKDOWN is None:
        _MARKDOWN = _renderer()
    out: str = _MARKDOWN.render(text)
    return out.strip()


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    """`text` with every control character but newline and tab shown as `\\x1b`-style escapes, so a model's answer
    printed to a terminal cannot drive it (an OSC 52 sequence writes the clipboard, OSC 8 hides a link's target)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def field(value: Any, name: str) -> Any:
    """One field of a dict or an SDK object (a message, a content block), None when it has none: the one reader
    for code that takes either (what a learner builds by hand, or what the SDK returned)."""
    return value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)


def as_plain(value: Any) -> Any:
    """SDK objects (pydantic models) as plain dicts and lists; plain data unchanged. A tool input that is not an
    object (a model's broken call, notebook 03) is kept as it came, without pydantic's warning about its type."""
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
    """True inside a Jupyter kernel (a notebook, Colab), where views are displayed as HTML; False in a terminal."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ != "TerminalInteractiveShell"


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
    """Display `widget` with a fixed text/plain and return the display handle `end_widget` updates. A raw bundle,
    not `display(widget)`: ipywidgets 7 (Colab's) publishes its own output without the display_id, so the widget
    could never be replaced and would stay in the saved notebook."""
    from IPython.display import display

    view = {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}
    return display({"text/plain": text, "application/vnd.jupyter.widget-view+json": view}, raw=True, display_id=True)


def end_widget(handle: Any, text: str) -> None:
    """Replace a widget shown by `display_widget` with plain `text`: what the saved notebook keeps."""
    handle.update({"text/plain": text}, raw=True)
