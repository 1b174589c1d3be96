"""MiniMax's error code in a message, as in `"... usage limit reached (2056)"`: read by `helpers.explain` (errors.py)
and by `helpers.stream` for a `StreamInterrupted` (streaming.py), so neither imports the other for it."""

from __future__ import annotations

import re

_CODE = re.compile(r"\((\d{3,5})\)")

_HTTP_STATUSES = (400, 401, 402, 403, 404, 429, 500, 502, 503, 529)
"""Statuses MiniMax may repeat after its code, as in `... (2064) (529)`: never taken for the code."""


def minimax_code(message: str) -> int | None:
    """The MiniMax error code in a message: the last `(NNNN)` that is not the HTTP status repeated (an earlier number
    in parentheses is part of the text; `overloaded_error (529)` has no code: 529 is HTTP's)."""
    codes = [int(c) for c in _CODE.findall(message or "") if int(c) not in _HTTP_STATUSES]
    return codes[-1] if codes else None
