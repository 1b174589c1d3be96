"""Every private name of the `anthropic` SDK the helpers rely on, in one place (the drift issue's rule).

Each function below names the private attribute it reads; `tests/test_sdk_private_names.py` names each one too,
so an SDK release that moves one fails a test that says which. Nothing else in `helpers/` may reach into the SDK's
private modules or attributes.
"""

from __future__ import annotations

from types import TracebackType

STREAM_READER_MODULE = "anthropic._streaming"
"""Where anthropic 2.17+ turns a failed read of a started response body into `APIConnectionError`
(`iter_response_bytes`); earlier releases let the transport's own error through."""


def raised_while_reading_body(error: BaseException) -> bool:
    """True when `error` was raised by the SDK while it read a response body that had already started (a stream cut
    after its first bytes), not while it connected or waited for the headers (which the SDK retries)."""
    tb: TracebackType | None = error.__traceback__
    innermost = None
    while tb is not None:
        innermost = tb.tb_frame
        tb = tb.tb_next
    return innermost is not None and innermost.f_globals.get("__name__") == STREAM_READER_MODULE
