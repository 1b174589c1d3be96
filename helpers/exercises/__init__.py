"""Self-checks for the exercises at the end of notebooks 01 to 05: `helpers.check("01.2", answer)` gives a
`Feedback` (feedback.py), what is right and what is missing. `CHECKS` lists them; their code is in `nb01.py` ..."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import nb01, nb02, nb03, nb04, nb05
from .feedback import Feedback, call_answer


def check(exercise_id: str, *args: Any, **kwargs: Any) -> Feedback:
    """Check a learner's answer to exercise `exercise_id` (e.g. "01.2") and say what is right and missing."""
    if exercise_id not in CHECKS:
        raise KeyError(f"No exercise {exercise_id!r}. Known exercises: {', '.join(CHECKS)}.")
    return CHECKS[exercise_id](*args, **kwargs)


CHECKS: dict[str, Callable[..., Feedback]] = {
    "01.1": nb01.answer_text,
    "01.2": nb01.next_turn,
    "01.3": nb01.enough_budget,
    "01.4": nb01.coding_tool_env,
    "02.1": nb02.count_the_stream,
    "02.2": nb02.first_token_timer,
    "03.1": nb03.check_definition,
    "03.2": nb03.check_safe_results,
    "03.3": nb03.bounded_loop,
    "04.1": nb04.check_history_problems,
    "04.2": nb04.check_follow_up,
    "04.3": nb04.check_cache_marks,
    "05.1": nb05.minimax_params,
    "05.2": nb05.worth_retrying,
    "05.3": nb05.trim_tool_results,
}
"""Every exercise id (notebook.number) and the function that checks it."""

__all__ = ["CHECKS", "Feedback", "call_answer", "check"]
