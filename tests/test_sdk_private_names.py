"""`helpers/_sdk.py`: each private name of the anthropic SDK the helpers rely on, named here, so that an SDK
release that moves one fails a test saying which (the drift issue's rule: private names live in one module)."""

from __future__ import annotations

import importlib

import anthropic

from helpers import _sdk


def test_the_stream_reader_module_still_reads_response_bytes() -> None:
    module = importlib.import_module(_sdk.STREAM_READER_MODULE)
    major = int(anthropic.__version__.split(".")[0])
    if major >= 2:
        assert callable(getattr(module, "iter_response_bytes", None)), (
            f"anthropic {anthropic.__version__}: {_sdk.STREAM_READER_MODULE}.iter_response_bytes moved; "
            "helpers/_sdk.raised_while_reading_body must follow it"
        )


def test_an_error_raised_inside_the_stream_reader_is_recognised() -> None:
    namespace = {"__name__": _sdk.STREAM_READER_MODULE}
    exec("def read():\n    raise ConnectionError('cut')", namespace)  # a frame of that module, as the SDK's is
    try:
        namespace["read"]()
    except ConnectionError as error:
        assert _sdk.raised_while_reading_body(error)
    try:
        raise ConnectionError("refused before any answer")
    except ConnectionError as error:
        assert not _sdk.raised_while_reading_body(error)
