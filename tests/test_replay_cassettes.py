"""Every shipped recording, and a set of hand-made fixtures shaped on published captures (tests/fixtures/
real_shaped, `kind: recorded`), passes the checks of what is true of real traffic (tests/recording_checks.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from devtools.synth import EXCHANGES_DIR, build
from helpers._replay.cassettes import (
    DEFAULT_ROOT,
    Cassette,
    CassetteLibrary,
    CassetteWarning,
    file_name,
    iter_cassette_files,
    load,
    request_key,
)
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


# -- one key for the requests the Messages API reads alike ---------------------------------------------------

BASE = {
    "model": "MiniMax-M2.1",
    "max_tokens": 1000,
    "system": "Be brief.",
    "temperature": 1,
    "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "get_weather", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "14 C"}]},
    ],
    "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}],
}
TEXT = [{"type": "text", "text": "Weather in Paris?"}]


def key(body: object) -> str:
    return request_key("POST", "/v1/messages", body)


def variant(**changes: object) -> dict:
    """BASE with top-level `changes`, where `messages` may be a {index: message} dict of replacements."""
    body = json.loads(json.dumps(BASE))
    messages = changes.pop("messages", {})
    assert isinstance(messages, dict)
    for index, message in messages.items():
        body["messages"][index] = message
    return {**body, **changes}


@pytest.mark.parametrize(
    "same",
    [
        pytest.param(variant(messages={0: {"role": "user", "content": TEXT}}), id="content as one text block"),
        pytest.param(variant(system=[{"type": "text", "text": "Be brief."}]), id="system as one text block"),
        pytest.param(
            variant(
                messages={
                    2: {
                        "role": "user",
                        "content": [
                            {"type": "tool_result", "tool_use_id": "t1", "content": [{"type": "text", "text": "14 C"}]}
                        ],
                    }
                }
            ),
            id="tool result as one text block",
        ),
        pytest.param(variant(temperature=1.0, max_tokens=1000.0), id="whole floats (JupyterLite, Python)"),
        pytest.param(dict(reversed(list(BASE.items()))), id="keys in another order"),
        pytest.param(variant(stream=False), id="stream false"),
        pytest.param(variant(tool_choice={"type": "auto"}), id="tool_choice auto beside tools (AI SDK)"),
        pytest.param(
            variant(tools=[{"type": "custom", "name": "get_weather", "input_schema": {"type": "object"}}]),
            id="tool type custom (LiteLLM)",
        ),
    ],
)
def test_forms_the_api_reads_alike_have_one_key(same: dict) -> None:
    assert key(same) == key(BASE)


@pytest.mark.parametrize(
    "different",
    [
        pytest.param(variant(system=[{"type": "text", "text": "Be"}, {"type": "text", "text": " brief."}]), id="two"),
        pytest.param(
            variant(system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}]),
            id="a block with cache_control",
        ),
        pytest.param(variant(temperature=1.5), id="another number"),
        pytest.param(variant(tool_choice={"type": "any"}), id="tool_choice any"),
        pytest.param(variant(stream=True), id="stream true"),
        pytest.param(
            variant(messages={0: {"role": "user", "content": [{"type": "text", "text": "Paris?"}]}}), id="text"
        ),
    ],
)
def test_requests_the_api_reads_differently_keep_their_own_keys(different: dict) -> None:
    assert key(different) != key(BASE)


def test_a_miss_shows_differences_in_the_senders_own_shape_and_never_a_difference_of_form() -> None:
    library = CassetteLibrary(DEFAULT_ROOT / "__none__")
    library.add([Cassette({"method": "POST", "path": "/v1/messages", "body": BASE}, {"status": 200}, {"kind": "t"})])
    sent = variant(
        system=[{"type": "text", "text": "Be brief."}],
        messages={0: {"role": "user", "content": [{"type": "text", "text": "Weather in Oslo?"}]}},
        temperature=1.0,
    )
    message = library.explain_miss("POST", "/v1/messages", sent)
    what_differs = message.split("What differs (recorded vs sent):")[1].split("To get an answer")[0]
    assert what_differs.strip() == (
        '- messages[0].content[0].text: recorded "Weather in Paris?", sent "Weather in Oslo?"'
    ), what_differs
    assert "MINIMAX_API_KEY" in message  # the helpers' own advice when the caller gives none
    assert library.explain_miss("POST", "/v1/messages", sent, advice="Point X at Y.").endswith("Point X at Y.")


def _one_recording(folder: Path) -> Cassette:
    from tests.safety_support import HELLO, OK_BODY

    cassette = Cassette(
        request={"method": "POST", "path": "/v1/messages", "body": HELLO},
        response={"status": 200, "headers": {"content-type": "application/json"}, "body": OK_BODY},
        source={"kind": "synthesized"},
    )
    cassette.write(folder / "talk" / "hello.json")
    return cassette


def test_a_link_loop_or_a_link_out_of_the_library_leaves_every_recording_playing(tmp_path: Path) -> None:
    library_root = tmp_path / "library"
    recorded = _one_recording(library_root)
    (library_root / "talk" / "loop").symlink_to(library_root, target_is_directory=True)
    outside = tmp_path / "elsewhere"
    _one_recording(outside)
    (library_root / "out").symlink_to(outside, target_is_directory=True)
    library = CassetteLibrary(library_root)
    with pytest.warns(CassetteWarning) as warned:
        found = library.find("POST", "/v1/messages", recorded.request["body"])
    assert found is not None and found.path == library_root / "talk" / "hello.json"
    assert len(library) == 1, "the loop is walked once, the link out not at all"
    assert [str(w.message).split(":")[0] for w in warned] == [f"Skipped the folder {library_root / 'out'}"]


def test_an_unreadable_folder_is_named_and_the_rest_still_plays(tmp_path: Path, monkeypatch) -> None:
    from helpers._replay import cassettes

    recorded = _one_recording(tmp_path)
    (tmp_path / "locked").mkdir()
    scandir = os.scandir

    def no_entry(path: Any) -> Any:  # chmod 000 does not stop root, who runs CI containers
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(cassettes.os, "scandir", no_entry)
    library = CassetteLibrary(tmp_path)
    with pytest.warns(CassetteWarning, match=r"Skipped the folder .*locked: it cannot be read \(Permission denied"):
        assert library.find("POST", "/v1/messages", recorded.request["body"]) is not None


def test_an_index_that_failed_to_build_is_built_again_not_used_half_made(tmp_path: Path, monkeypatch) -> None:
    from helpers._replay import cassettes

    recorded = _one_recording(tmp_path)
    library, real = CassetteLibrary(tmp_path), cassettes._stat_files

    def fails_once(root: Path) -> Any:
        monkeypatch.setattr(cassettes, "_stat_files", real)
        raise OSError("the disk went away")

    monkeypatch.setattr(cassettes, "_stat_files", fails_once)
    with pytest.raises(OSError):
        library.find("POST", "/v1/messages", recorded.request["body"])
    assert library.find("POST", "/v1/messages", recorded.request["body"]) is not None
