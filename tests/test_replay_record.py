"""Record mode over a real socket against a local MiniMax-like server, with a canary key that must
appear in no file afterwards; what was recorded replays to the same message."""

from __future__ import annotations

import hashlib

import anthropic
import pytest

import helpers
from devtools.synth import build
from helpers._replay.cassettes import CassetteLibrary, load
from helpers.server import ReplayServer

CANARY = "sk-canary-record-9b7e4411c0de"
HELLO = {
    "model": "MiniMax-M2.1",
    "max_tokens": 500,
    "messages": [{"role": "user", "content": "Tell me a fact about octopuses."}],
}


@pytest.fixture
def server(tmp_path):
    description = {
        "exchanges": [
            {
                "id": "fact",
                "request": HELLO,
                "forms": ["create", "stream"],
                "reply": {
                    "thinking": "A fun, true fact: octopuses have three hearts.",
                    "text": "\n\nOctopuses have three hearts.",
                },
            }
        ]
    }
    for n, cassette in enumerate(build(description, "test")):
        cassette.write(tmp_path / "served" / f"{n}.json")
    with ReplayServer(tmp_path / "served", api_keys={CANARY}) as running:
        yield running


def _record_client(clean_env, monkeypatch, server, out):
    monkeypatch.setenv("MINIMAX_BASE_URL", server.url)
    monkeypatch.setenv("MINIMAX_CASSETTES", str(out))
    monkeypatch.setenv("MINIMAX_API_KEY", CANARY)
    return helpers.get_client(mode="record", recordings="recorded")


def test_record_writes_cassettes_without_the_key(clean_env, monkeypatch, server, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    client = _record_client(clean_env, monkeypatch, server, out)
    message = client.messages.create(**HELLO)
    with client.messages.stream(**HELLO) as stream:
        deltas = [text for text in stream.text_stream]
        streamed = stream.get_final_message()
    assert "".join(deltas) == streamed.content[1].text == message.content[1].text

    assert server.requests[-1]["key_sha256"] == hashlib.sha256(CANARY.encode()).hexdigest()
    assert CANARY not in repr(list(server.requests)), "the server's log keeps no key"

    files = sorted((out / "recorded").glob("*.json"))
    assert len(files) == 2
    for path in files:
        text = path.read_text()
        assert CANARY not in text and CANARY[:12] not in text
        assert "authorization" not in text.lower() and "x-api-key" not in text.lower()
    assert CANARY not in capsys.readouterr().out
    stream_file = next(p for p in files if p.name.endswith("-stream-" + p.name.split("-stream-")[-1]))
    events = load(stream_file).response["events"]
    assert events[0]["event"] == "message_start" and events[-1]["event"] == "message_stop"
    assert [e["at"] for e in events] == sorted(e["at"] for e in events), "arrival times only grow"
    assert load(files[0]).source["kind"] == "synthesized", "a synthesized answer stays labelled synthesized"


def test_recordings_replay_to_the_same_message(clean_env, monkeypatch, server, tmp_path) -> None:
    out = tmp_path / "out"
    client = _record_client(clean_env, monkeypatch, server, out)
    live = client.messages.create(**HELLO)
    monkeypatch.delenv("MINIMAX_BASE_URL")
    monkeypatch.delenv("MINIMAX_API_KEY")
    replayed = helpers.get_client(mode="replay", quiet=True).messages.create(**HELLO)
    assert replayed.model_dump() == live.model_dump()
    assert len(CassetteLibrary(out)) == 1


def test_key_found_in_a_body_is_scrubbed(clean_env, monkeypatch, server, tmp_path) -> None:
    out = tmp_path / "out"
    client = _record_client(clean_env, monkeypatch, server, out)
    echo = {**HELLO, "messages": [{"role": "user", "content": f"my key is {CANARY}"}]}
    with pytest.raises(anthropic.NotFoundError):
        client.messages.create(**echo)
    (written,) = (out / "recorded").glob("*.json")
    text = written.read_text()
    assert CANARY not in text and "<redacted>" in text


def test_live_mode_with_a_wrong_key_gets_minimax_401(clean_env, monkeypatch, server) -> None:
    monkeypatch.setenv("MINIMAX_BASE_URL", server.url)
    client = helpers.get_client(mode="live", api_key="sk-wrong-key-000", quiet=True, max_retries=0)
    with pytest.raises(anthropic.AuthenticationError) as caught:
        client.messages.create(**HELLO)
    assert caught.value.body["error"] == {"type": "authentication_error", "message": "invalid api key"}


def test_server_listens_on_loopback_only(server) -> None:
    assert server.url.startswith("http://127.0.0.1:")


def test_a_stream_the_reader_abandons_is_not_written(clean_env, monkeypatch, server, tmp_path) -> None:
    out = tmp_path / "out"
    client = _record_client(clean_env, monkeypatch, server, out)
    with client.messages.stream(**HELLO) as stream:
        next(iter(stream))  # read one event, then leave: what was saved would not be what the server sent
    assert not list(out.rglob("*.json")), "an abandoned stream was written as a recording"
    with client.messages.stream(**HELLO) as stream:
        stream.get_final_message()
    (written,) = (out / "recorded").glob("*.json")
    assert load(written).response["events"][-1]["event"] == "message_stop"


def test_two_kernels_recording_one_request_do_not_interleave(tmp_path) -> None:
    """A second kernel (another process) holds the request's claim: this one writes nothing for it and says why;
    once that kernel has ended, its claim is stale and the request records as usual."""
    import subprocess
    import sys
    import warnings

    import httpx2
    from support import sdk_client

    from helpers._replay.cassettes import CassetteWarning
    from helpers._replay.transport import RecordTransport, _claim_path
    from tests.safety_support import HELLO, OK_BODY

    def record() -> list[str]:
        transport = RecordTransport(
            record_dir=tmp_path, upstream=httpx2.MockTransport(lambda r: httpx2.Response(200, json=OK_BODY))
        )
        client = sdk_client(transport)
        client.messages.create(**HELLO)
        client.messages.create(**HELLO)
        return sorted(p.name for p in tmp_path.glob("*.json"))

    first = record()
    stem = min(first, key=len).removesuffix(".json")  # the sequence's first file: stem.json, then stem-2.json
    claim = _claim_path(tmp_path, stem)
    claim.unlink(missing_ok=True)
    for path in tmp_path.glob("*.json"):
        path.unlink()
    other = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from pathlib import Path; from helpers._replay.transport import _claim\n"
            f"import os, sys; _claim(Path({str(claim)!r}), f'{{os.getpid()}} other')\n"
            "print('claimed', flush=True); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "claimed"
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            assert record() == [], "the other kernel's sequence is left alone"
        assert any(issubclass(w.category, CassetteWarning) and "Another session" in str(w.message) for w in said)
    finally:
        other.communicate("", timeout=30)
    assert record() == first, "a claim whose kernel has ended is taken over"
