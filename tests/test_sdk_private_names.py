"""`helpers/_sdk.py`: each private name of the anthropic SDK the helpers rely on, named here, so that an SDK
release that moves one fails a test saying which (the drift issue's rule: private names live in one module)."""

from __future__ import annotations

import importlib
import math

import anthropic
import pytest

import helpers
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


def test_prepare_options_is_still_the_sdks_hook_before_serializing() -> None:
    """CheckedAnthropic overrides Anthropic._prepare_options: it must still exist and still be called with the
    request's options (json_data, extra_json, method, url) before the body is serialized."""
    assert callable(getattr(anthropic.Anthropic, "_prepare_options", None)), "Anthropic._prepare_options moved"
    seen: list[tuple[str, str, dict]] = []

    def refuse(method: str, path: str, body: dict) -> None:
        seen.append((method, path, body))
        raise helpers.RequestNotSupportedError([])

    client = _sdk.CheckedAnthropic(api_key="sk-test", base_url="http://127.0.0.1:9", max_retries=0)
    client.precheck = refuse
    with pytest.raises(helpers.RequestNotSupportedError):
        client.messages.create(
            model="MiniMax-M2.1", max_tokens=5, messages=[], extra_body={"temperature": float("nan")}
        )
    [(method, path, body)] = seen  # called once, before anything was serialized or sent
    assert (method.upper(), path) == ("POST", "/v1/messages")
    assert body["model"] == "MiniMax-M2.1" and math.isnan(body["temperature"])  # extra_body merged in


@pytest.mark.parametrize(
    ("version", "refused"),
    [("0.125.0", True), ("1.17.0", True), ("2.0.0", False), ("2.18.0rc1", False), (anthropic.__version__, False)],
)
def test_an_sdk_older_than_2_is_refused_with_the_upgrade_command(version: str, refused: bool) -> None:
    if not refused:
        _sdk.require_supported_sdk(version)
        return
    with pytest.raises(ImportError, match=r"anthropic SDK 2\.x.*pip install -U 'anthropic>=2,<3'") as caught:
        _sdk.require_supported_sdk(version)
    assert version in str(caught.value)
