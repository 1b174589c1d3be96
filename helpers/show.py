"""Every static view: a message or a conversation (`show`, `conversation`, notebook 01 and 03) and a tool
conversation's timeline (`timeline`, notebook 04): thinking folded apart from the answer, tool calls and
results shown as such, stop reason and token usage.

The same view is rich HTML in JupyterLab and Colab (thinking in a collapsible <details>), the saved
output GitHub shows, and plain text in a terminal. Nothing in it depends on time or randomness.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
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


THINKING_STYLE = "color:#6b7280;border-left:3px solid #d1d5db;padding:2px 10px;margin:4px 0;white-space:pre-wrap"
TEXT_STYLE = "white-space:pre-wrap;margin:4px 0"
TOOL_STYLE = "border:1px solid #c7d2fe;background:#eef2ff;border-radius:4px;padding:4px 8px;margin:4px 0"
RESULT_STYLE = "border:1px solid #bbf7d0;background:#f0fdf4;border-radius:4px;padding:4px 8px;margin:4px 0"
ERROR_STYLE = "border:1px solid #fecaca;background:#fef2f2;border-radius:4px;padding:4px 8px;margin:4px 0"
META_STYLE = "color:#6b7280;font-size:90%;margin:2px 0"


def as_plain(value: Any) -> Any:
    """SDK objects (pydantic models) as plain dicts and lists; plain data unchanged."""
    if hasattr(value, "model_dump"):
        return value.model_dump(exclude_none=True)
    if isinstance(value, Mapping):
        return {k: as_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_plain(v) for v in value]
    return value


def _blocks(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in as_plain(list(content or [])) if isinstance(b, dict)]


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=None, sort_keys=False)


def _result_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for block in _blocks(content):
        parts.append(block.get("text", "") if block.get("type") == "text" else f"[{block.get('type')} block]")
    return "\n".join(parts)


def _usage_line(message: Mapping[str, Any]) -> str:
    usage = message.get("usage") or {}
    bits = [message.get("model") or "?", f"stop: {message.get('stop_reason') or '-'}"]
    if usage:

        def count(name: str) -> Any:
            return "?" if usage.get(name) is None else usage[name]  # a figure the response did not give

        tokens = f"tokens: {count('input_tokens')} in, {count('output_tokens')} out"
        cached = usage.get("cache_read_input_tokens") or 0
        written = usage.get("cache_creation_input_tokens") or 0
        if cached:
            tokens += f", {cached} read from cache"
        if written:
            tokens += f", {written} written to cache"
        bits.append(tokens)
    return " · ".join(str(b) for b in bits)


# -- one block ------------------------------------------------------------------------------------


def block_text(block: Mapping[str, Any]) -> str:
    """Plain-text rendering of one content block."""
    kind = block.get("type")
    if kind == "thinking":
        thinking = block.get("thinking") or ""
        sig = "" if block.get("signature") else ", no signature"
        body = "\n".join("  " + line for line in thinking.strip("\n").splitlines()) or "  (empty)"
        return f"[thinking · {len(thinking)} chars{sig}]\n{body}"
    if kind == "text":
        return (block.get("text") or "").lstrip("\n") or "(empty text)"
    if kind == "tool_use":
        return f"[tool call · {block.get('name')} · {block.get('id')}]\n  {_json(block.get('input', {}))}"
    if kind == "tool_result":
        label = "tool error" if block.get("is_error") else "tool result"
        body = "\n".join("  " + line for line in _result_text(block.get("content")).splitlines())
        return f"[{label} · {block.get('tool_use_id')}]\n{body}"
    return f"[{kind} block]"


def block_html(block: Mapping[str, Any]) -> str:
    """HTML rendering of one content block (thinking collapsible, tool calls and results boxed)."""
    kind = block.get("type")
    esc = html.escape
    if kind == "thinking":
        thinking = block.get("thinking") or ""
        sig = "" if block.get("signature") else ", no signature"
        return (
            f"<details><summary>💭 Thinking · {len(thinking)} chars{sig}</summary>"
            f'<div style="{THINKING_STYLE}">{esc(thinking.strip(chr(10))) or "<i>(empty)</i>"}</div></details>'
        )
    if kind == "text":
        text = (block.get("text") or "").lstrip("\n")
        return f'<div style="{TEXT_STYLE}">{esc(text) or "<i>(empty text)</i>"}</div>'
    if kind == "tool_use":
        return (
            f'<div style="{TOOL_STYLE}">🔧 <b>{esc(str(block.get("name")))}</b> '
            f"<code>{esc(_json(block.get('input', {})))}</code>"
            f'<br><small style="color:#6b7280">tool call {esc(str(block.get("id")))}</small></div>'
        )
    if kind == "tool_result":
        error = bool(block.get("is_error"))
        label = "⚠️ tool error" if error else "↩️ tool result"
        return (
            f'<div style="{ERROR_STYLE if error else RESULT_STYLE}">{label} '
            f"<small>for {esc(str(block.get('tool_use_id')))}</small>"
            f'<div style="white-space:pre-wrap">{esc(_result_text(block.get("content")))}</div></div>'
        )
    return f"<div><i>[{esc(str(kind))} block]</i></div>"


# -- a message, a conversation --------------------------------------------------------------------


class MessageView(Displayable):
    """What `show()` displays: a message or a list of messages, with text, HTML and pretty reprs."""

    def __init__(self, value: Any) -> None:
        plain = as_plain(value)
        if isinstance(plain, list):
            self.messages = [m if isinstance(m, dict) else {"role": "?", "content": m} for m in plain]
            self.single = False
        elif isinstance(plain, dict):
            self.messages = [plain]
            self.single = True
        else:
            raise TypeError(
                "show() takes a Message from client.messages.create, a message dict, or a list of them "
                f"(a conversation history), not {type(value).__name__}."
            )

    def _is_response(self, message: Mapping[str, Any]) -> bool:
        return message.get("type") == "message" or "stop_reason" in message

    def text(self) -> str:
        out: list[str] = []
        for message in self.messages:
            if not self.single:
                out.append(f"── {message.get('role', '?')} " + "─" * 40)
            out.extend(block_text(b) for b in _blocks(message.get("content")))
            if self._is_response(message):
                out.append(f"({_usage_line(message)})")
        return "\n".join(out)

    def html(self) -> str:
        parts: list[str] = ['<div class="minimax-message">']
        for message in self.messages:
            if not self.single:
                parts.append(f'<div style="{META_STYLE}"><b>{html.escape(str(message.get("role", "?")))}</b></div>')
            parts.extend(block_html(b) for b in _blocks(message.get("content")))
            if self._is_response(message):
                parts.append(f'<div style="{META_STYLE}">{html.escape(_usage_line(message))}</div>')
        parts.append("</div>")
        return "".join(parts)


def _in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ != "TerminalInteractiveShell"


def show(value: Any) -> None:
    """Display a `Message` (or a message dict, or a whole history) as a static view: HTML in a notebook,
    plain text elsewhere."""
    view = MessageView(value)
    if _in_ipython():
        from IPython.display import display

        display(view)
    else:
        print(view.text())


def conversation(messages: Iterable[Any]) -> MessageView:
    """A view of a whole history (user turns, assistant turns, tool results), for display or printing."""
    return MessageView(list(messages))


# -- the timeline of a tool conversation ---------------------------------------------------------------------

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
