"""Self-checks for the exercises at the end of notebooks 01 to 05.

A learner calls `helpers.check("01.2", answer)` and gets a `Feedback`: what is right, what is missing.
Each notebook's checks live in their own module (`nb01.py`, ...), registered with `@exercise("01.2")`.
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..show import Displayable

_REGISTRY: dict[str, Callable[..., Feedback]] = {}
_MODULES = ("nb01", "nb02", "nb03", "nb04", "nb05")


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

    def ok(self, condition: bool, right: str, missing: str) -> bool:
        """Record one point: `right` when `condition` holds, else `missing` (what to do about it)."""
        (self.right if condition else self.missing).append(right if condition else missing)
        return condition

    def needs_function(self, function: object) -> bool:
        """True when `function` is callable; else record how to pass it, so the check can stop early."""
        if callable(function):
            return True
        self.missing.append(f"Pass your function itself: helpers.check('{self.exercise}', f).")
        return False

    def text(self) -> str:
        head = f"Exercise {self.exercise} · {self.title}: " + ("all done ✅" if self.passed else "not yet ❌")
        lines = [head, *(f"  ✓ {r}" for r in self.right), *(f"  ✗ {m}" for m in self.missing)]
        return "\n".join(lines)

    def html(self) -> str:
        # the page's own text colour on a translucent tint: dark red text is faint on a dark theme
        tint = "34,197,94" if self.passed else "239,68,68"
        verdict = "all done ✅" if self.passed else "not yet ❌"
        items = [f"<li>✓ {html.escape(r)}</li>" for r in self.right]
        items += [f"<li>✗ <b>{html.escape(m)}</b></li>" for m in self.missing]
        return (
            f'<div style="border-left:4px solid rgba({tint},.8);background:rgba({tint},.1);padding:4px 10px;'
            f'margin:4px 0;color:inherit"><div><b>Exercise {html.escape(self.exercise)} · '
            f'{html.escape(self.title)}: {verdict}</b></div><ul style="margin:2px 0">{"".join(items)}</ul></div>'
        )


def exercise(exercise_id: str) -> Callable[[Callable[..., Feedback]], Callable[..., Feedback]]:
    """Register a checker under an id like "03.1" (notebook 03, exercise 1)."""

    def register(function: Callable[..., Feedback]) -> Callable[..., Feedback]:
        _REGISTRY[exercise_id] = function
        return function

    return register


def call_answer(function: Callable[..., Any], *args: Any) -> tuple[Any, str | None]:
    """Run a learner's function: (its result, None), or (None, "TypeError: ...") when it raised."""
    try:
        return function(*args), None
    except Exception as error:
        return None, f"{type(error).__name__}: {error}"


def _load_all() -> None:
    """Import every notebook's checks, so that each registers its exercises."""
    for name in _MODULES:
        importlib.import_module(f"{__name__}.{name}")


def check(exercise_id: str, *args: Any, **kwargs: Any) -> Feedback:
    """Check a learner's answer to exercise `exercise_id` (e.g. "01.2") and say what is right and missing."""
    _load_all()
    if exercise_id not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY)) or "none yet"
        raise KeyError(f"No exercise {exercise_id!r}. Known exercises: {known}.")
    return _REGISTRY[exercise_id](*args, **kwargs)
