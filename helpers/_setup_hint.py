"""A live call that fails because of the set-up (no network, a wrong base URL, a refused key) shown in a notebook
as a few lines from `helpers.explain` (notebook 05) instead of the SDK's 240-line traceback. `get_client` installs it
for a live client only, as IPython's handler for exactly those errors; `%tb` still shows the full traceback."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


def setup_errors() -> tuple[type[BaseException], ...]:
    """The SDK errors a wrong set-up raises: no connection (or a timeout), 401, 403, and 404 (a wrong base URL)."""
    import anthropic

    return (
        anthropic.APIConnectionError,
        anthropic.AuthenticationError,
        anthropic.PermissionDeniedError,
        anthropic.NotFoundError,
    )


def short_message(error: BaseException) -> list[str]:
    """The few lines shown for a set-up error: what happened (and where), what to check, where the rest is."""
    from .errors import explain

    found = explain(error)
    request = getattr(error, "request", None)
    where = f" ({request.method} {request.url})" if request is not None else ""
    status = f" · HTTP {found.status}" if found.status is not None else ""
    lines = [f"{type(error).__name__}: {found.title}{status}{where}"]
    if found.message:
        lines.append(f"  {found.said_by} said: {found.message}")
    lines.append(f"  Next step: {found.next_step}")
    lines.append("  helpers.describe() shows the endpoint, mode and key source in use; %tb shows the full traceback.")
    return lines


def _handler(
    shell: Any, kind: type[BaseException], error: BaseException, tb: TracebackType | None, tb_offset: Any = None
) -> list[str]:
    """IPython's custom exception handler: shows the short message through `_showtraceback`."""
    lines = short_message(error)
    show = getattr(shell, "_showtraceback", None)
    if show is None:
        print("\n".join(lines), file=sys.stderr)
    else:
        show(kind, error, lines)
    return lines


def watch() -> None:
    """Show set-up errors of live calls briefly in this IPython session (nothing happens outside IPython)."""
    ipython_module = sys.modules.get("IPython")  # never imported here: only a running IPython has it loaded
    shell = ipython_module.get_ipython() if ipython_module is not None else None
    if shell is not None:
        shell.set_custom_exc(setup_errors(), _handler)
