"""Every private name of the `anthropic` SDK the helpers rely on, in one place (the drift issue's rule), each named
by `tests/test_sdk_private_names.py` too, so an SDK release that moves one fails a test that says which. The helpers
need anthropic 2.x (key as `Authorization: Bearer`, transport errors passed through unwrapped, built on `httpx2`)."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import anthropic

OLDEST_SDK = (2, 0)
"""The oldest anthropic release the helpers are tested on (CI's floor step); requirements.txt says the same."""


def sdk_version(version: str = anthropic.__version__) -> tuple[int, int]:
    """(major, minor) of an anthropic version string such as '2.17.0' or '2.18.0rc1'."""
    major, minor = [*version.split("."), "0"][:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


def require_supported_sdk(version: str = anthropic.__version__) -> None:
    """Refuse an anthropic SDK older than 2.0 (nothing here is tested on 0.x or 1.x), with the command that fixes it."""
    if sdk_version(version) < OLDEST_SDK:
        raise ImportError(
            f"These notebooks need the anthropic SDK 2.x, and this environment has anthropic {version}. "
            "Upgrade it with: pip install -U 'anthropic>=2,<3' (then restart the kernel)."
        )


require_supported_sdk()  # on import, before any helper imports httpx2 (helpers/__init__.py imports this first)


# -- 1. a stream cut after it started (anthropic._streaming) -------------------------------------------------

STREAM_READER_MODULE = "anthropic._streaming"
"""Where anthropic 2.17+ turns a failed read of a started response body into `APIConnectionError`
(`iter_response_bytes`); earlier 2.x releases let the transport's own error through."""


def raised_while_reading_body(error: BaseException) -> bool:
    """True when `error` was raised by the SDK while it read a response body that had already started (a stream cut
    after its first bytes), not while it connected or waited for the headers (which the SDK retries)."""
    frames = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    return bool(frames) and frames[-1].f_globals.get("__name__") == STREAM_READER_MODULE


# -- 2. checks before the SDK serializes a request (Anthropic._prepare_options) ---------------------------------

Precheck = Callable[[str, str, dict[str, Any]], None]
"""(method, path such as "/v1/messages", body) -> None, raising to refuse the request."""


class CheckedAnthropic(anthropic.Anthropic):
    """`anthropic.Anthropic` that runs `precheck` on the body (`json_data` + `extra_json`) before the SDK serializes
    it (its own error for a NaN names neither the field nor the fix); the SDK has no public hook there."""

    precheck: Precheck | None = None

    def _prepare_options(self, options: Any) -> Any:
        body, extra = getattr(options, "json_data", None), getattr(options, "extra_json", None)
        if self.precheck is not None and (isinstance(body, dict) or isinstance(extra, dict)):
            merged = {**(body if isinstance(body, dict) else {}), **(extra if isinstance(extra, dict) else {})}
            self.precheck(str(options.method), str(options.url), merged)
        return super()._prepare_options(options)
