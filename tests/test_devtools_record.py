"""`python -m devtools record` against a local MiniMax-like server that sends the shapes real traffic has
(docs/sources.md: no ping, usage keys in another order, tool input split, a body without cache-creation
tokens), then the recording checks on what it wrote: green. A stream cut while recording says so; a failed
re-recording never replaces a good one."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import anthropic
import pytest

import helpers
from devtools.notebooks import record
from helpers._replay.cassettes import DEFAULT_ROOT, iter_cassette_files, load
from helpers.server import ReplayServer
from tests import recording_checks as checks

CANARY = "sk-canary-real-record-5f1e2d3c4b"


def real_shapes() -> Any:
    """A reshape function that sends each answer with a different real variation, in turn."""
    turn = itertools.count()

    def reshape(response: dict[str, Any]) -> dict[str, Any]:
        n = next(turn)
        events = response.get("events")
        if events is None:
            usage = (response.get("body") or {}).get("usage")
            if isinstance(usage, dict) and n % 2:
                usage.pop("cache_creation_input_tokens", None)  # a body's usage without cache-creation tokens
            return response
        if n % 3 == 0:
            events[:] = [e for e in events if e.get("event") != "ping"]  # no ping
        start = events[0].get("data", {}).get("message", {})
        if isinstance(start.get("usage"), dict):
            start["usage"] = dict(sorted(start["usage"].items()))  # keys in alphabetical order (a proxy)
            start["usage"]["input_tokens"] = 3  # message_start's input tokens are unreliable
        reshaped = []
        for event in events:  # tool input split over two deltas with no leading empty one
            delta = event.get("data", {}).get("delta", {})
            if delta.get("type") == "input_json_delta":
                text = delta["partial_json"]
                if not text:
                    continue
                half = len(text) // 2
                for piece in (text[:half], text[half:]):
                    reshaped.append({**event, "data": {**event["data"], "delta": {**delta, "partial_json": piece}}})
                continue
            reshaped.append(event)
        events[:] = reshaped
        return response

    return reshape


@pytest.mark.slow  # runs notebook 01 in a kernel
def test_devtools_record_against_real_shapes_writes_recordings_the_suite_accepts(monkeypatch, tmp_path: Path) -> None:
    out = tmp_path / "cassettes"
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}, reshape=real_shapes(), label=False) as server:
        monkeypatch.setenv("MINIMAX_BASE_URL", server.url)
        monkeypatch.setenv("MINIMAX_API_KEY", CANARY)
        monkeypatch.setenv("MINIMAX_CASSETTES", str(out))
        assert record(["01_quick_start.ipynb"]) == 0
    files = list(iter_cassette_files(out))
    assert len(files) >= 5
    for path in files:
        text = path.read_text()
        assert CANARY not in text and CANARY[:14] not in text
        cassette = load(path)
        assert cassette.source["kind"] == "recorded" and cassette.source["sdk"].startswith("anthropic ")
        checks.check_shape(cassette, text)
        checks.check_parses(cassette)


def _record_client(monkeypatch, server: ReplayServer, out: Path) -> anthropic.Anthropic:
    monkeypatch.setenv("MINIMAX_BASE_URL", server.url)
    monkeypatch.setenv("MINIMAX_CASSETTES", str(out))
    monkeypatch.setenv("MINIMAX_API_KEY", CANARY)
    return helpers.get_client(mode="record", recordings="rec", quiet=True, max_retries=0)


STREAMED = {
    "model": "MiniMax-M2.1",
    "max_tokens": 1500,
    "system": "You are a helpful assistant.",
    "messages": [{"role": "user", "content": "In three short paragraphs, explain how a rainbow forms."}],
}


def _stream_files(out: Path) -> list[Path]:
    return list(iter_cassette_files(out / "rec"))


def test_a_stream_cut_while_recording_is_labelled_recorded_and_cut(clean_env, monkeypatch, tmp_path) -> None:
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}, label=False, faults=["cut:6"]) as server:
        client = _record_client(monkeypatch, server, tmp_path)
        with pytest.raises(helpers.StreamInterrupted):
            helpers.stream(client, **STREAMED)
    (path,) = _stream_files(tmp_path)
    cassette = load(path)
    assert cassette.source["kind"] == "recorded" and "cut" in cassette.source and "guess" not in cassette.source
    checks.check_parses(cassette)


def test_re_recording_never_replaces_a_good_recording_with_a_failed_one(clean_env, monkeypatch, tmp_path) -> None:
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}, label=False) as server:
        client = _record_client(monkeypatch, server, tmp_path)
        good = helpers.stream(client, **STREAMED)
        (path,) = _stream_files(tmp_path)
        before = path.read_text()
        server.inject("cut", after=6)
        with pytest.raises(helpers.StreamInterrupted):
            helpers.stream(_record_client(monkeypatch, server, tmp_path), **STREAMED)
    assert path.read_text() == before and good.stop_reason == "end_turn"
    assert json.loads(before)["response"]["events"][-1]["event"] == "message_stop"
