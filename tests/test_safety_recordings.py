"""No paid answer is lost to the helpers' own bookkeeping, and no recording is corrupted or replaced by a worse one.

The SDK takes any exception raised under it as a connection error and sends the request again (three paid
calls, then "Connection error."), so writing a recording or logging usage must never raise into it.
"""

from __future__ import annotations

import json
import resource
import signal
import warnings
from pathlib import Path

import anthropic
import pytest

import helpers
from helpers._replay.cassettes import CassetteLibrary, CassetteWarning
from helpers.server import ReplayServer
from tests.safety_support import HELLO, Upstream, ok, recording_client, status, stream

# -- 6. writing a recording or logging usage never fails a call ------------------------------------------------


def test_a_record_folder_that_is_a_file_warns_once_and_returns_the_answer(tmp_path) -> None:
    blocked = tmp_path / "recordings"
    blocked.write_text("not a folder")
    upstream = Upstream(ok)
    client = recording_client(upstream, blocked / "sub")
    with pytest.warns(CassetteWarning, match="could not be written") as caught:
        first = client.messages.create(**HELLO)
        second = client.messages.create(**{**HELLO, "max_tokens": 21})
    assert first.content[0].text == second.content[0].text == "Hello."
    assert len(upstream.seen) == 2, "each paid request went out once"
    assert len([w for w in caught if "could not be written" in str(w.message)]) == 1, "warned once"


def test_a_usage_figure_that_is_not_a_number_does_not_fail_the_call(tmp_path) -> None:
    from helpers.billing import UsageLog

    def answer(request):
        return ok(request).__class__(200, json={**json.loads(ok(request).content), "usage": {"output_tokens": "n/a"}})

    upstream = Upstream(answer)
    client = recording_client(upstream, None, observer=UsageLog().observe)
    with pytest.warns(CassetteWarning, match="usage log"):
        message = client.messages.create(**HELLO)
    assert message.content[0].text == "Hello."
    assert len(upstream.seen) == 1


def test_a_full_disk_leaves_the_good_recording_whole_and_returns_the_answer(tmp_path) -> None:
    out = tmp_path / "out"
    recording_client(Upstream(ok), out).messages.create(**HELLO)
    (good,) = out.iterdir()
    before = good.read_text()
    upstream = Upstream(ok)
    client = recording_client(upstream, out)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (100, limits[1]))  # writes past 100 bytes fail: a full disk
    try:
        with pytest.warns(CassetteWarning, match="could not be written"):
            message = client.messages.create(**HELLO)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, previous)
    assert message.content[0].text == "Hello."
    assert len(upstream.seen) == 1
    assert [p.name for p in out.iterdir()] == [good.name], "no temporary or truncated file is left"
    assert good.read_text() == before


# -- 7. one unreadable file is skipped with a warning naming it ------------------------------------------------

BAD_FILES = {
    "empty.json": "",
    "truncated.json": '{"format": "minimax-cassette/1", "source": {"kind": "recorded"}, "request": {',
    "package.json": '{"name": "my-app", "version": "1.0.0"}',
    "no-response.json": json.dumps(
        {"format": "minimax-cassette/1", "source": {}, "request": {"method": "POST", "path": "/v1/messages"}}
    ),
    "latin1.json": b'{"x": "\xe9"}',
}


@pytest.fixture
def folder_with_bad_files(tmp_path) -> Path:
    folder = tmp_path / "cassettes" / "mine"
    recording_client(Upstream(ok), folder).messages.create(**HELLO)
    for name, text in BAD_FILES.items():
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return folder.parent


def test_unreadable_cassettes_are_skipped_each_with_a_warning_naming_it(folder_with_bad_files) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        library = CassetteLibrary(folder_with_bad_files)  # reads nothing yet: the folder is indexed at first use
        assert len(library) == 1
    messages = [str(w.message) for w in caught if issubclass(w.category, CassetteWarning)]
    for name in BAD_FILES:
        assert sum(name in m for m in messages) == 1, f"one warning names {name}"
    assert all("Delete the file" in m for m in messages)


def test_replay_and_serve_go_on_past_an_unreadable_cassette(clean_env, monkeypatch, folder_with_bad_files) -> None:
    monkeypatch.setenv("MINIMAX_CASSETTES", str(folder_with_bad_files))
    with pytest.warns(CassetteWarning):
        client = helpers.get_client(mode="replay", quiet=True)
        assert client.messages.create(**HELLO).content[0].text == "Hello."
    with pytest.warns(CassetteWarning), ReplayServer(folder_with_bad_files) as server:
        served = anthropic.Anthropic(api_key="x", base_url=server.url).messages.create(**HELLO)
    assert served.content[0].text == "Hello."


# -- 8. a worse recording never replaces a good one; a new session replaces the whole sequence ----------------


def _statuses(folder: Path) -> list[int]:
    """What replay gives for HELLO, three times in a row, from `folder`."""
    library = CassetteLibrary(folder)
    return [library.find("POST", "/v1/messages", HELLO).response["status"] for _ in range(3)]


def test_a_new_session_replaces_the_whole_sequence(tmp_path) -> None:
    out = tmp_path / "rec"
    recording_client(Upstream(status(529), status(529), ok), out, max_retries=2).messages.create(**HELLO)
    assert _statuses(out) == [529, 529, 200], "a session's retries are recorded in sequence"
    recording_client(Upstream(ok), out).messages.create(**HELLO)
    assert len(list(out.iterdir())) == 1, "the stale -2 and -3 files are gone"
    assert _statuses(out) == [200, 200, 200]


def test_failures_on_every_retry_keep_the_good_recording(tmp_path) -> None:
    out = tmp_path / "rec"
    recording_client(Upstream(ok), out).messages.create(**HELLO)
    before = {p.name: p.read_text() for p in out.iterdir()}
    client = recording_client(Upstream(status(500)), out, max_retries=2)
    with pytest.warns(CassetteWarning, match="was kept"), pytest.raises(anthropic.InternalServerError):
        client.messages.create(**HELLO)
    assert {p.name: p.read_text() for p in out.iterdir()} == before


def test_a_stream_cut_short_keeps_the_good_stream(tmp_path) -> None:
    out = tmp_path / "rec"
    recording_client(Upstream(stream()), out).messages.create(**HELLO, stream=True).close()
    with recording_client(Upstream(stream()), out).messages.stream(**HELLO) as good:
        good.get_final_message()
    before = {p.name: p.read_text() for p in out.iterdir()}
    cut_client = recording_client(Upstream(stream(cut_after=3)), out)
    with (
        pytest.warns(CassetteWarning, match="was kept"),
        pytest.raises(Exception, match="connection reset"),
        cut_client.messages.stream(**HELLO) as cut,
    ):
        cut.get_final_message()
    assert {p.name: p.read_text() for p in out.iterdir()} == before


def test_a_first_recording_is_written_even_when_it_is_an_error(tmp_path) -> None:
    out = tmp_path / "rec"
    with pytest.raises(anthropic.BadRequestError):
        recording_client(Upstream(status(400)), out).messages.create(**HELLO)
    assert _statuses(out) == [400, 400, 400], "an error answer is what there is to teach from"
