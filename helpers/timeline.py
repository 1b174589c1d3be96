"""A timeline of a tool conversation: thinking, tool call, result, thinking, ..., answer, step by step.

`timeline(run)` is the static view (HTML in a notebook, plain text elsewhere, deterministic, so it can be saved
and checked). `LiveTimeline` shows the same steps in a widget while `run_tools` works, then leaves the static
view in the saved notebook (a saved widget output would break JupyterLab and GitHub).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from .display import Displayable
from .live import display_widget, end_widget, widgets_available
from .render import META_STYLE, _blocks, as_plain, block_html, block_text

LIVE_PLACEHOLDER = "(live timeline: it ran here; the saved timeline is below)"
"""The text the live widget leaves in a saved notebook, and what a fresh run's widget says in text/plain."""
STEP_STYLE = "display:flex;gap:8px;align-items:flex-start"
NUMBER_STYLE = "min-width:2.2em;color:#6b7280;font-family:monospace;padding-top:6px"


def _usage(response: Any) -> str:
    """A model call's stop reason and tokens, for its heading."""
    plain = as_plain(response)
    usage = plain.get("usage") or {}
    return (
        f"stop: {plain.get('stop_reason')} · tokens: {usage.get('input_tokens', 0)} in, "
        f"{usage.get('output_tokens', 0)} out"
    )


def _step_html(number: str, block: Mapping[str, Any]) -> str:
    """One numbered step: the same in the static timeline and the live one."""
    return (
        f'<div style="{STEP_STYLE}"><div style="{NUMBER_STYLE}">{number}</div>'
        f'<div style="flex:1">{block_html(block)}</div></div>'
    )


class Timeline(Displayable):
    """The steps of a tool conversation, grouped by model call: what each turn thought, called and got back."""

    def __init__(self, history: list[Any], responses: list[Any] | None = None) -> None:
        self.history = [as_plain(m) for m in history]
        self.responses = list(responses or [])

    def turns(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """(heading, blocks) for the question, then for each model call with the tool results it led to."""
        out: list[tuple[str, list[dict[str, Any]]]] = []
        first_answer = next((i for i, m in enumerate(self.history) if m.get("role") == "assistant"), len(self.history))
        question = self.history[first_answer - 1] if first_answer else None
        if question is not None:
            out.append(("question", _blocks(question.get("content"))))
        turn = 0
        # responses belong to the last model calls: a history that was continued holds earlier ones too
        skipped = sum(m.get("role") == "assistant" for m in self.history) - len(self.responses)
        for message in self.history[first_answer:]:
            blocks = _blocks(message.get("content"))
            if message.get("role") == "assistant":
                heading = f"model call {turn + 1}"
                if 0 <= turn - skipped < len(self.responses):
                    heading += " · " + _usage(self.responses[turn - skipped])
                out.append((heading, blocks))
                turn += 1
            elif out and all(b.get("type") == "tool_result" for b in blocks):
                out[-1] = (out[-1][0], out[-1][1] + blocks)
            else:
                out.append(("user", blocks))
        return out

    def text(self) -> str:
        lines: list[str] = []
        step = 0
        for heading, blocks in self.turns():
            lines.append(f"── {heading} " + "─" * max(4, 60 - len(heading)))
            for block in blocks:
                if heading != "question":
                    step += 1
                prefix = f"{step:>2}. " if heading != "question" else "    "
                body = block_text(block).splitlines() or [""]
                lines.append(prefix + body[0])
                lines.extend("    " + line for line in body[1:])
        return "\n".join(lines)

    def html(self) -> str:
        parts = ['<div class="minimax-timeline">']
        step = 0
        for heading, blocks in self.turns():
            parts.append(
                f'<div style="{META_STYLE};border-top:1px solid #e5e7eb;margin-top:6px">'
                f"<b>{html.escape(heading)}</b></div>"
            )
            for block in blocks:
                number = ""
                if heading != "question":
                    step += 1
                    number = f"{step}."
                parts.append(_step_html(number, block))
        parts.append("</div>")
        return "".join(parts)


def timeline(value: Any) -> Timeline:
    """The timeline of a `ToolRun` (from run_tools), a `MaxTurnsError` error, or a plain history list."""
    history = getattr(value, "history", value)
    if not isinstance(history, list):
        raise TypeError(
            "timeline() takes what run_tools returns (or the MaxTurnsError it raised), or a list of messages, "
            f"not {type(value).__name__}."
        )
    return Timeline(history, getattr(value, "responses", None))


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
        items = "".join(_step_html(f"{i}.", b) for i, b in enumerate(self.blocks, start=1))
        self._widget.value = f'<div class="minimax-timeline">{items}</div>'

    def finish(self, run: Any = None) -> None:
        """End the live view: its output becomes plain text, and the static timeline of `run` is displayed."""
        if self._widget is None:
            return
        from IPython.display import display

        end_widget(self._handle, LIVE_PLACEHOLDER)
        self._widget.close()
        self._widget = None
        if run is not None:
            display(timeline(run))
