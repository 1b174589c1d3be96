"""Every private name of the `anthropic` SDK the helpers rely on, in one place (the drift issue's rule).

The helpers need anthropic 2.x (`requirements.txt`): from 2.0 the SDK sends the key as `Authorization: Bearer`,
never reads `ANTHROPIC_AUTH_TOKEN` beside an explicit key, passes errors raised in a transport through unwrapped, and
is built on `httpx2`. Each function below names the private attribute it reads; `tests/test_sdk_private_names.py`
names each one too, so an SDK release that moves one fails a test that says which. Nothing else in `helpers/` may
reach into the SDK's private modules or attributes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import anthropic

OLDEST_SDK = (2, 0)
"""The oldest anthropic release the helpers are tested on (CI's floor step); requirements.txt says the same."""


def sdk_version(version: str = anthropic.__version__) -> tuple[int, int]:
    """(major, minor) of an anthropic version string such as '2.17.0' or '2.18.0rc1'."""
    major, minor = [*version.split("."), "0"][:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


def require_supported_sdk(version: str = anthropic.__version__) -> None:
    """Refuse an anthropic SDK older than 2.0, with the command that fixes it (0.x and 1.x send the key differently
    and are built on another HTTP library: nothing here is tested on them)."""
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
    tb: TracebackType | None = error.__traceback__
    innermost = None
    while tb is not None:
        innermost = tb.tb_frame
        tb = tb.tb_next
    return innermost is not None and innermost.f_globals.get("__name__") == STREAM_READER_MODULE


# -- 2. checks before the SDK serializes a request (Anthropic._prepare_options) ---------------------------------

Precheck = Callable[[str, str, dict[str, Any]], None]
"""(method, path such as "/v1/messages", body) -> None, raising to refuse the request."""


class CheckedAnthropic(anthropic.Anthropic):
    """`anthropic.Anthropic` that runs `precheck` on the request (its body (`json_data` merged with `extra_json`) as the
    SDK prepares it, before it serializes or retries it: the SDK's own error for a NaN ("Out of range float values
    are not JSON compliant") names neither the field nor the fix. The SDK has no public hook at that point."""

    precheck: Precheck | None = None

    def _prepare_options(self, options: Any) -> Any:
        body, extra = getattr(options, "json_data", None), getattr(options, "extra_json", None)
        if self.precheck is not None and (isinstance(body, dict) or isinstance(extra, dict)):
            merged = {**(body if isinstance(body, dict) else {}), **(extra if isinstance(extra, dict) else {})}
            self.precheck(str(options.method), str(options.url), merged)
        return super()._prepare_options(options)


# -- 3. MiniMax's stream quirks, mended under the SDK's decoder (MessageStream._raw_stream._decoder) ------------


def _server_error_frame(data: str) -> dict[str, Any] | None:
    """MiniMax's error envelope when an SSE `data:` payload is one (`{"type": "error", "error": {...}}`), else None."""
    try:
        payload = json.loads(data)
    except (TypeError, ValueError):
        return None
    if isinstance(payload, dict) and payload.get("type") == "error" and isinstance(payload.get("error"), dict):
        return payload
    return None


def _mended(sse: Any) -> Any:
    """The event with MiniMax's missing usage made explicit (unknown, None), so the SDK's accumulator does not
    fail on it: `message_start` with `"usage": null`, a `message_delta` without `usage` (docs/sources.md)."""
    if sse.event not in ("message_start", "message_delta") or not sse.data:
        return sse
    try:
        data = json.loads(sse.data)
    except ValueError:
        return sse
    holder = data.get("message") if sse.event == "message_start" else data
    if not isinstance(holder, dict) or isinstance(holder.get("usage"), dict):
        return sse
    holder["usage"] = {"input_tokens": None, "output_tokens": None}
    return type(sse)(event=sse.event, data=json.dumps(data), id=sse.id, retry=sse.retry)


class _WatchingDecoder:
    """Wraps the SDK's SSE decoder for one stream: an error envelope sent as a `data:` line with no `event:` line
    (which the SDK drops silently) is raised as the SDK raises an `event: error` frame (`_make_status_error`), and
    missing usage is made explicit. Anything else passes through unchanged."""

    def __init__(self, decoder: Any, raw_stream: Any) -> None:
        self._decoder = decoder
        self._raw = raw_stream

    def iter_bytes(self, chunks: Iterator[bytes]) -> Iterator[Any]:
        for sse in self._decoder.iter_bytes(chunks):
            if sse.event is None and sse.data:
                body = _server_error_frame(sse.data)
                if body is not None:
                    raise self._raw._client._make_status_error(str(body), body=body, response=self._raw.response)
            yield _mended(sse)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._decoder, name)


def watch_stream(manager: Any) -> bool:
    """Put `_WatchingDecoder` under the SDK stream `manager` reads (before its first event): reads
    `manager._raw_stream`, its `_decoder` and `_client`. Returns False, changing nothing, where this SDK keeps its
    stream differently (then the SDK's own behaviour applies, and the private-names test fails)."""
    raw: Any = getattr(manager, "_raw_stream", None)
    decoder = getattr(raw, "_decoder", None)
    if raw is None or decoder is None or not hasattr(decoder, "iter_bytes") or not hasattr(raw, "_client"):
        return False
    raw._decoder = _WatchingDecoder(decoder, raw)
    return True
