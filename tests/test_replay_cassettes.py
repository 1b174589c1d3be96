"""Every shipped recording, and a set of hand-made fixtures shaped on published captures (tests/fixtures/
real_shaped, `kind: recorded`), passes the checks of what is true of real traffic (tests/recording_checks.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devtools.synth import EXCHANGES_DIR, build
from helpers._replay.cassettes import DEFAULT_ROOT, Cassette, file_name, iter_cassette_files, load
from tests import recording_checks as checks

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "real_shaped"
SHIPPED = list(iter_cassette_files(DEFAULT_ROOT))
FILES = SHIPPED + list(iter_cassette_files(FIXTURES))
IDS = [str(p.relative_to(DEFAULT_ROOT if p.is_relative_to(DEFAULT_ROOT) else FIXTURES.parent)) for p in FILES]


def test_there_are_recordings_and_real_shaped_fixtures() -> None:
    assert len(SHIPPED) >= 6
    fixtures = [load(p) for p in iter_cassette_files(FIXTURES)]
    assert len(fixtures) >= 10 and all(c.source["kind"] == "recorded" for c in fixtures)
    assert all("not a capture" in c.source["fixture"] for c in fixtures), "a fixture says it is hand-made"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_recording_parses_through_the_sdk(path: Path) -> None:
    checks.check_parses(load(path))


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_recording_looks_like_minimax(path: Path) -> None:
    checks.check_shape(load(path), path.read_text())


def test_synthesized_stream_and_body_forms_agree() -> None:
    """A property of the synthesizer only (one description gives both forms): two live calls never agree."""
    by_request: dict[str, dict] = {}
    for path in SHIPPED:
        cassette = load(path)
        events = cassette.response.get("events") or []
        complete = not events or (events[-1].get("event") == "message_stop" and not any("raw" in e for e in events))
        if cassette.response["status"] >= 400 or not complete or cassette.source["kind"] != "synthesized":
            continue
        body = {k: v for k, v in cassette.request["body"].items() if k != "stream"}
        key = path.parent.name + json.dumps(body, sort_keys=True)
        by_request.setdefault(key, {})["stream" if cassette.is_stream else "body"] = cassette
    pairs = [p for p in by_request.values() if len(p) == 2]
    assert pairs
    for pair in pairs:
        streamed = checks.client_for(pair["stream"])
        body = pair["stream"].request["body"]
        with streamed.messages.stream(**checks.sdk_arguments(streamed, body)) as stream:
            from_stream = stream.get_final_message()
        whole = pair["body"].response["body"]
        assert [b.model_dump(exclude_none=True) for b in from_stream.content] == whole["content"]


def test_the_checks_catch_what_real_traffic_never_has() -> None:
    """The checks can fail: a leaked key, a gap in block indexes, a stream that stops with no reason given."""
    (fixture,) = [load(p) for p in iter_cassette_files(FIXTURES) if p.name.startswith("tool-json-split")]
    leaked = json.loads(json.dumps(fixture.to_json()).replace("Find Python files.", "sk-abcdefghijklmnop"))
    with pytest.raises(AssertionError, match="credential"):
        checks.check_shape(Cassette.from_json(leaked), json.dumps(leaked))
    gap = Cassette.from_json(json.loads(json.dumps(fixture.to_json())))
    for event in gap.response["events"]:
        if event.get("data", {}).get("index") == 1:
            event["data"]["index"] = 2
    with pytest.raises(AssertionError, match="no gap"):
        checks.check_shape(gap, "")
    cut = Cassette.from_json(json.loads(json.dumps(fixture.to_json())))
    cut.response["events"] = cut.response["events"][:4]
    with pytest.raises(AssertionError, match="says why"):
        checks.check_parses(cut)


@pytest.mark.parametrize("description", sorted(EXCHANGES_DIR.glob("*.json")), ids=lambda p: p.name)
def test_synthesized_recordings_are_up_to_date(description: Path) -> None:
    """`python -m devtools synth` would write exactly the files that are committed."""
    data = json.loads(description.read_text())
    folder = DEFAULT_ROOT / data["recordings"]
    expected = build(data, f"data/exchanges/{description.name}")
    files = {p.name: load(p) for p in iter_cassette_files(folder)}
    on_disk = {name: c for name, c in files.items() if c.source["kind"] == "synthesized"}
    expected = [c for c in expected if files.get(file_name(c)) is None or file_name(c) in on_disk]
    assert sorted(file_name(c) for c in expected) == sorted(on_disk), "run `python -m devtools synth`"
    for cassette in expected:
        assert on_disk[file_name(cassette)].to_json() == cassette.to_json(), "run `python -m devtools synth`"
