"""What a check returns (`Feedback`: the points met and still missing) and the steps every `nbXX.py` shares: running
a learner's function without letting its error escape (`call_answer`, `Feedback.ran`), the SDK messages they see."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._html import Displayable
from .._i18n import gettext as _


@dataclass(repr=False)
class Feedback(Displayable):
    """The result of one check: a title, the points met and the points still missing."""

    exercise: str
    title: str
    right: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when nothing is missing."""
        return not self.missing

    def ok(self, condition: bool, right: str, missing: str, /, **values: Any) -> bool:
        """Record one point: `right` when `condition` holds, else `missing` (what to do), formatted with `values`."""
        text = right if condition else missing
        (self.right if condition else self.missing).append(text.format(**values) if values else text)
        return condition

    def miss(self, text: str, /, **values: Any) -> None:
        """Record a point missing: `text` formatted with `values`."""
        self.missing.append(text.format(**values) if values else text)

    def needs_function(self, function: object) -> bool:
        """True when `function` is callable; else record how to pass it, so the check can stop early."""
        if not callable(function):
            self.miss(_("Pass your function itself: helpers.check('{exercise}', f)."), exercise=self.exercise)
        return callable(function)

    def callable_given(self, function: object) -> bool:
        """Record whether `function` is callable, as a point met or a point missing (01.1, 01.2, 05.1, 05.2)."""
        missing = _("pass your function itself: check('{exercise}', f)")
        return self.ok(callable(function), _("you passed a function"), missing, exercise=self.exercise)

    def ran(self, function: Callable[..., Any], *args: Any, label: str = "") -> tuple[Any, bool]:
        """Run a learner's function: (its result, True), or (None, False) when it raised. Records whether it ran; on a
        `label`led case only a failure ("{label}: your function raised ...")."""
        result, error = call_answer(function, *args)
        if not label:
            self.ok(error is None, _("your function ran"), _("your function raised {error}"), error=error)
        elif error:
            self.miss(_("{label}: your function raised {error}"), label=label, error=error)
        return result, error is None

    def text(self) -> str:
        return "\n".join([self._head(), *(f"  ✓ {r}" for r in self.right), *(f"  ✗ {m}" for m in self.missing)])

    def _head(self) -> str:
        verdict = _("all done ✅") if self.passed else _("not yet ❌")
        return _("Exercise {exercise} · {title}: {verdict}").format(
            exercise=self.exercise, title=self.title, verdict=verdict
        )

    def html(self) -> str:
        # the page's own text colour on a translucent tint: dark red text is faint on a dark theme
        tint, title = ("34,197,94" if self.passed else "239,68,68"), html.escape(self._head())
        items = [f"<li>✓ {html.escape(r)}</li>" for r in self.right]
        items += [f"<li>✗ <b>{html.escape(m)}</b></li>" for m in self.missing]
        return (
            f'<div style="border-left:4px solid rgba({tint},.8);background:rgba({tint},.1);padding:4px 10px;'
            f'margin:4px 0;color:inherit"><div><b>{title}</b></div><ul style="margin:2px 0">{"".join(items)}</ul></div>'
        )


def call_answer(function: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
    """Run a learner's function: (its result, None), or (None, "TypeError: ...") when it raised."""
    try:
        return function(*args), None
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"


def sdk_message(content: list[Any], stop_reason: str = "end_turn", number: int = 0) -> Any:
    """A real SDK `Message` from MiniMax-M2.1 with `content`, so a learner's code sees exactly what a call returns."""
    from anthropic.types import Message

    message = {"id": f"{number:032x}", "type": "message", "role": "assistant", "model": "MiniMax-M2.1"}
    usage = {"input_tokens": 10, "output_tokens": 10}
    return Message.model_validate({**message, "content": content, "stop_reason": stop_reason, "usage": usage})


def text_of(content: Any, separator: str = "") -> str:
    """The text of a message's content, a string or a list of text blocks (anything else adds nothing)."""
    if isinstance(content, str):
        return content
    blocks = content if isinstance(content, list) else []
    return separator.join(b["text"] for b in blocks if isinstance(b, dict) and isinstance(b.get("text"), str))


def roles(messages: Any) -> list[Any]:
    """The role of each message of a list (None for one that is not a dict)."""
    return [m.get("role") if isinstance(m, Mapping) else None for m in messages or []]
