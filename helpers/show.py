"""Every static view: a message or a conversation (`show`, `conversation`, notebooks 01 and 03) and a tool run's
`timeline` (04), thinking apart from the answer, with stop reason and tokens: HTML in a notebook (one block's HTML is in
`_html.py`), plain text in a terminal; nothing in it depends on time or randomness."""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anthropic

from ._html import (
    META_STYLE,
    Displayable,
    as_json,
    as_plain,
    block_html,
    block_kind,
    blocks,
    in_ipython,
    result_text,
    step_html,
    terminal_safe,
)
from ._i18n import N_
from ._i18n import gettext as _
from .billing import source_of

if TYPE_CHECKING:
    from .tools import MaxTurnsError, ToolRun

MessageLike = anthropic.types.Message | Mapping[str, Any]  # a response, or a message dict as in `messages=[...]`
SYNTHESIZED = N_("synthesized recording (not an answer MiniMax gave)")  # the footer of a synthesized answer


def show(value: MessageLike | Sequence[MessageLike]) -> None:
    """Display a `Message`, a message dict or a history: HTML in a notebook, plain text elsewhere."""
    view = MessageView(value)
    if in_ipython():
        from IPython.display import display

        display(view)
    else:
        print(view.text())


def conversation(messages: Iterable[MessageLike]) -> MessageView:
    """A view of a whole history (user turns, assistant turns, tool results), for display or printing."""
    return MessageView(list(messages))


def block_text(block: Mapping[str, Any]) -> str:
    """Plain-text rendering of one content block, control characters shown as escapes (`terminal_safe`)."""
    kind = block.get("type")
    if kind == "thinking":
        thinking = block.get("thinking") or ""
        sig = "" if block.get("signature") else _(", no signature")
        body = "\n".join("  " + line for line in thinking.strip("\n").splitlines()) or "  " + _("(empty)")
        out = _("[thinking · {count} chars{signature}]").format(count=len(thinking), signature=sig) + f"\n{body}"
    elif kind == "text":
        out = (block.get("text") or "").lstrip("\n") or _("(empty text)")
    elif kind == "tool_use":
        head = _("[tool call · {name} · {id}]").format(name=block.get("name"), id=block.get("id"))
        out = f"{head}\n  {as_json(block.get('input', {}))}"
    elif kind == "tool_result":
        label = _("tool error") if block.get("is_error") else _("tool result")
        body = "\n".join("  " + line for line in result_text(block.get("content")).splitlines())
        out = f"[{label} · {block.get('tool_use_id')}]\n{body}"
    else:
        out = block_kind(kind)
    return terminal_safe(out)


def known_tokens(message: Any, name: str) -> int | None:
    """A response's `input_tokens` or `output_tokens`, None when unsaid (no usage, null, or a stream's placeholder 0
    when its `message_delta` never came: docs/sources.md)."""
    plain = message if isinstance(message, Mapping) else as_plain(message)
    value = (plain.get("usage") or {}).get(name)
    if value is None or (name == "output_tokens" and plain.get("stop_reason") is None):
        return None
    return int(value)


def tokens_text(message: Any) -> str:
    """`tokens: 12 in, 34 out`, a figure the response did not give as `input unknown` or `output unknown`."""
    inp, out = known_tokens(message, "input_tokens"), known_tokens(message, "output_tokens")
    sent = _("input unknown") if inp is None else _("{count} in").format(count=inp)
    got = _("output unknown") if out is None else _("{count} out").format(count=out)
    return _("tokens: {input}, {output}").format(input=sent, output=got)


def usage_line(message: Mapping[str, Any]) -> str:
    """`model · stop: reason · tokens: ...` (cache reads and writes too), and the synthesized footer when it is one."""
    usage = message.get("usage") or {}
    bits = [message.get("model") or "?", _("stop: {reason}").format(reason=message.get("stop_reason") or "-")]
    if usage:
        tokens = tokens_text(message)
        if usage.get("cache_read_input_tokens"):
            tokens += _(", {count} read from cache").format(count=usage["cache_read_input_tokens"])
        if usage.get("cache_creation_input_tokens"):
            tokens += _(", {count} written to cache").format(count=usage["cache_creation_input_tokens"])
        bits.append(tokens)
    if source_of(message) == "synthesized":
        bits.append(_(SYNTHESIZED))
    return " · ".join(str(b) for b in bits)


# -- a message, a conversation --------------------------------------------------------------------


class MessageView(Displayable):
    """What `show()` displays: a message or a list of messages; `note` is a last line (the playground's)."""

    def __init__(self, value: MessageLike | Sequence[MessageLike], *, note: str = "") -> None:
        self.note, plain = note, as_plain(value)
        self.single = isinstance(plain, dict)
        if not isinstance(plain, (list, dict)):
            raise TypeError(
                "show() takes a Message from client.messages.create, a message dict, or a list of them "
                f"(a conversation history), not {type(value).__name__}."
            )
        listed = [plain] if self.single else plain
        self.messages: list[dict[str, Any]] = [
            m if isinstance(m, dict) else {"role": "?", "content": m} for m in listed
        ]
        for number, message in enumerate(self.messages):
            content = message.get("content")
            if content is not None and not isinstance(content, (str, list)):
                raise TypeError(
                    "show(): a message's content is a string or a list of content blocks "
                    f"(e.g. [{{'type': 'text', 'text': '...'}}]), not {type(content).__name__}."
                )
            for index, block in enumerate(content if isinstance(content, list) else []):
                _check_block(block, f"message {number}, block {index}")

    def text(self) -> str:
        out: list[str] = []
        for message in self.messages:
            if not self.single:
                out.append(f"── {message.get('role', '?')} " + "─" * 40)
            out.extend(block_text(b) for b in blocks(message.get("content")))
            if message.get("type") == "message" or "stop_reason" in message:
                out.append(f"({usage_line(message)})")
        return "\n".join(out + ([f"({_(self.note)})"] if self.note else []))

    def html(self) -> str:
        parts: list[str] = ['<div class="minimax-message">']
        for message in self.messages:
            if not self.single:
                parts.append(f'<div style="{META_STYLE}"><b>{html.escape(str(message.get("role", "?")))}</b></div>')
            answer = message.get("role") != "user"
            parts.extend(block_html(b, answer=answer) for b in blocks(message.get("content")))
            if message.get("type") == "message" or "stop_reason" in message:
                parts.append(f'<div style="{META_STYLE}">{html.escape(usage_line(message))}</div>')
        if self.note:
            parts.append(f'<div style="{META_STYLE}">{html.escape(_(self.note))}</div>')
        return "".join(parts) + "</div>"


def _check_block(block: Any, where: str) -> None:
    """A clear TypeError, before anything is drawn, for a block no view can show."""
    if not isinstance(block, Mapping) or not isinstance(block.get("type"), str):
        raise TypeError(
            f"show(): {where} is {block!r:.60}, not a content block: each block is a dict with a 'type', "
            "e.g. {'type': 'text', 'text': '...'} (or what the SDK returned, unchanged)."
        )
    name = block["type"] if block["type"] in ("text", "thinking") else None
    if name is not None and not isinstance(block.get(name) or "", str):
        raise TypeError(f"show(): {where} is a {name} block whose {name!r} is not a string: give it as text.")
    try:
        as_json(block.get("input", {}) if block["type"] == "tool_use" else None)
    except (TypeError, ValueError) as error:
        raise TypeError(f"show(): {where} is a tool call whose input is not JSON ({error}): use a dict.") from None


# -- the timeline of a tool conversation ---------------------------------------------------------------------


def timeline(value: ToolRun | MaxTurnsError | Sequence[MessageLike]) -> Timeline:
    """The timeline of a `ToolRun` (from run_tools), a `MaxTurnsError` error, or a plain history list."""
    history = getattr(value, "history", value)
    if not isinstance(history, list):
        raise TypeError(
            "timeline() takes what run_tools returns (or the MaxTurnsError it raised), or a list of messages, "
            f"not {type(value).__name__}."
        )
    return Timeline(history, getattr(value, "responses", None))


class Timeline(Displayable):
    """The steps of a tool conversation by model call: what each turn thought, called and got back."""

    def __init__(self, history: Sequence[MessageLike], responses: Sequence[MessageLike] | None = None) -> None:
        self.history = [as_plain(m) for m in history]
        self.responses = list(responses or [])

    def steps(self) -> list[tuple[str, list[tuple[int, dict[str, Any]]]]]:
        """(heading, numbered blocks) for the question (its blocks numbered 0), then for each model call with the tool
        results it led to (numbered from 1 across the run)."""
        out: list[tuple[str, list[tuple[int, dict[str, Any]]]]] = []
        first_answer = next((i for i, m in enumerate(self.history) if m.get("role") == "assistant"), len(self.history))
        if first_answer:
            out.append((N_("question"), [(0, b) for b in blocks(self.history[first_answer - 1].get("content"))]))
        turn, number = 0, itertools.count(1)
        # an answer with no content (MiniMax's null at max_tokens) ends a run without a turn in the history
        answered = [r for r in self.responses if blocks(as_plain(r).get("content"))]
        # responses belong to the last model calls: a history that was continued holds earlier ones too
        skipped = sum(m.get("role") == "assistant" for m in self.history) - len(answered)
        for message in self.history[first_answer:]:
            content = blocks(message.get("content"))
            numbered = [(next(number), b) for b in content]
            if message.get("role") == "assistant":
                heading = _("model call {number}").format(number=turn + 1)
                if 0 <= turn - skipped < len(answered):
                    heading += " · " + _usage(answered[turn - skipped])
                out.append((heading, numbered))
                turn += 1
            elif out and all(b.get("type") == "tool_result" for b in content):
                out[-1][1].extend(numbered)
            else:
                out.append((N_("user"), numbered))
        if self.responses and self.responses[-1] not in answered:
            heading = _("model call {number}").format(number=turn + 1)
            out.append((f"{heading} · {_usage(self.responses[-1])} · {_('no content')}", []))
        return out

    def footer(self) -> str:
        """ "synthesized recording" when any model call of the run was answered from one, else empty."""
        return _(SYNTHESIZED) if any(source_of(r) == "synthesized" for r in self.responses) else ""

    def text(self) -> str:
        lines: list[str] = []
        for heading, numbered in self.steps():
            shown = _(heading)  # "question" and "user" are kept in English by steps(): html() reads them
            lines.append(f"── {shown} " + "─" * max(4, 60 - len(shown)))
            for step, block in numbered:
                body = block_text(block).splitlines() or [""]
                lines.append((f"{step:>2}. " if step else "    ") + body[0])
                lines.extend("    " + line for line in body[1:])
        return "\n".join(lines + ([f"({self.footer()})"] if self.footer() else []))

    def html(self) -> str:
        parts = ['<div class="minimax-timeline">']
        for heading, numbered in self.steps():
            parts.append(
                f'<div style="{META_STYLE};border-top:1px solid rgba(127,127,127,.35);margin-top:6px">'
                f"<b>{html.escape(_(heading))}</b></div>"
            )
            answer = heading not in ("question", "user")
            parts.extend(step_html(f"{step}." if step else "", block, answer=answer) for step, block in numbered)
        if self.footer():
            parts.append(f'<div style="{META_STYLE}">{html.escape(self.footer())}</div>')
        return "".join(parts) + "</div>"


def _usage(response: MessageLike) -> str:
    """A model call's stop reason and tokens, for its heading."""
    plain = as_plain(response)
    return _("stop: {reason}").format(reason=plain.get("stop_reason")) + f" · {tokens_text(plain)}"
