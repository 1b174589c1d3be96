"""Every stream variation of the sheet (docs/sources.md, "A stream") in a shipped recording, through the views,
the live view, run_tools and the usage log (item 4 of the traffic issue)."""

from __future__ import annotations

import itertools

import anthropic
import pytest

import helpers
from helpers._replay.cassettes import DEFAULT_ROOT, iter_cassette_files, load
from helpers.billing import call_from_exchange
from helpers.show import MessageView

SHIPPED = [load(p) for p in iter_cassette_files(DEFAULT_ROOT)]
STREAMS = [c for c in SHIPPED if c.is_stream]


def _events(c) -> list[dict]:
    return c.response["events"]


def _deltas(c) -> list[dict]:
    return [e["data"]["delta"] for e in _events(c) if e.get("event") == "content_block_delta"]


def _start_usage(c):
    return _events(c)[0].get("data", {}).get("message", {}).get("usage", "absent")


def _final(c) -> dict:
    return next((e["data"] for e in _events(c) if e.get("event") == "message_delta"), {})


def _tool_json(c) -> list[list[str]]:
    """The partial_json pieces of each tool block of a stream."""
    by_index: dict[int, list[str]] = {}
    for e in _events(c):
        data = e.get("data", {})
        if data.get("delta", {}).get("type") == "input_json_delta":
            by_index.setdefault(data["index"], []).append(data["delta"]["partial_json"])
    return list(by_index.values())


def _block_types(c) -> list[str]:
    return [e["data"]["content_block"]["type"] for e in _events(c) if e.get("event") == "content_block_start"]


VARIATIONS = {
    "no ping": lambda c: (
        _events(c)[0].get("event") == "message_start" and all(e.get("event") != "ping" for e in _events(c))
    ),
    "thinking with no signature": lambda c: (
        "thinking" in _block_types(c) and not any(d["type"] == "signature_delta" for d in _deltas(c))
    ),
    "text between thinking and a tool call": lambda c: _block_types(c)[:3] == ["thinking", "text", "tool_use"],
    "tool input '{}' alone": lambda c: ["{}"] in _tool_json(c),
    "tool input split over deltas": lambda c: any(len(p) == 2 and "" not in p for p in _tool_json(c)),
    "message_start input tokens unlike the final ones": lambda c: (
        isinstance(_start_usage(c), dict)
        and (_final(c).get("usage") or {}).get("input_tokens") not in (None, _start_usage(c).get("input_tokens"))
    ),
    "message_start usage with input and output only": lambda c: (
        isinstance(_start_usage(c), dict) and set(_start_usage(c)) == {"input_tokens", "output_tokens"}
    ),
    "usage keys in alphabetical order": lambda c: (
        isinstance(_start_usage(c), dict)
        and list(_start_usage(c)) == sorted(_start_usage(c))
        and len(_start_usage(c)) > 2
    ),
    "service_tier inside usage": lambda c: "service_tier" in (_final(c).get("usage") or {}),
    "usage null at message_start": lambda c: _start_usage(c) is None,
    "message_delta without usage": lambda c: bool(_final(c)) and "usage" not in _final(c),
    "event: error inside a 200 stream": lambda c: any(e.get("event") == "error" for e in _events(c)),
    "error as a data: line with no event: line": lambda c: any(
        e.get("raw", "").startswith("data:") for e in _events(c)
    ),
}


@pytest.mark.parametrize("name", list(VARIATIONS))
def test_each_variation_is_in_a_shipped_recording(name: str) -> None:
    assert any(VARIATIONS[name](c) for c in STREAMS), f"no shipped recording has: {name}"


def test_a_body_without_cache_creation_tokens_is_shipped() -> None:
    bodies = [c.response["body"] for c in SHIPPED if not c.is_stream and c.response["status"] == 200]
    assert any("cache_creation_input_tokens" not in b["usage"] for b in bodies)


@pytest.mark.parametrize(
    "cassette", [c for c in STREAMS if c.path.parent.name == "02_streaming"], ids=lambda c: c.path.name
)
def test_views_live_view_and_usage_log_take_every_02_stream(cassette, clean_env, capsys) -> None:
    client = helpers.get_client(mode="replay", recordings="02_streaming", quiet=True, max_retries=0)
    body = {k: v for k, v in cassette.request["body"].items() if k != "stream"}
    try:
        message = helpers.stream(client, **body)
    except helpers.StreamInterrupted as error:
        assert error.kind in ("server", "connection") and "HTTP 200" not in error.reason
        assert MessageView([error.partial]).text() is not None  # the partial shows, whatever arrived
        return
    view = MessageView([message])
    assert "None" not in view.text() and view._repr_html_()
    assert capsys.readouterr().out, "the live view (plain text here) showed the stream"
    call = call_from_exchange({"request": cassette.request["body"], "response": cassette.response})
    given = (_final(cassette).get("usage") or {}).get("output_tokens")
    assert call.output_tokens == given, "the log gives the final usage, or unknown when none came"


@pytest.mark.parametrize("prompt", ["Which files are in my project folder?", "Find every Python file under src."])
def test_run_tools_runs_the_variations_through(prompt: str, clean_env) -> None:
    client = helpers.get_client(mode="replay", recordings="02_streaming", quiet=True, max_retries=0)
    (first,) = [c for c in STREAMS if c.request["body"]["messages"] == [{"role": "user", "content": prompt}]]
    tools = first.request["body"]["tools"]
    seen: list[dict] = []

    def list_files() -> str:
        seen.append({})
        return "README.md, main.py, data.csv"

    def glob(pattern: str, folder: str = ".") -> str:
        seen.append({"pattern": pattern, "folder": folder})
        return "src/app.py, src/util/io.py"

    run = helpers.run_tools(
        client,
        model="MiniMax-M2.1",
        max_tokens=600,
        messages=[{"role": "user", "content": prompt}],
        tools=tools,
        functions={t["name"]: {"list_files": list_files, "glob": glob}[t["name"]] for t in tools},
        stream=True,
    )
    assert run.final.stop_reason == "end_turn" and len(seen) == 1
    assert seen[0] in ({}, {"pattern": "**/*.py", "folder": "src"}), "the tool got the input that was streamed"
    assert isinstance(run.final, anthropic.types.Message) and "file" in run.text.lower()


LATIN = [
    c
    for c in STREAMS
    if c.source["kind"] == "synthesized"
    and c.request["body"]["model"] == "MiniMax-M2.1"
    and "chinese" not in str(c.source)
    and "exchanges/zh-CN_" not in str(c.source)  # the Chinese edition: CJK text is cut between characters
]


def _content_deltas(c) -> list[tuple[int, str]]:
    return [
        (e["data"]["index"], e["data"]["delta"].get("text") or e["data"]["delta"].get("thinking"))
        for e in _events(c)
        if e.get("event") == "content_block_delta" and e["data"]["delta"]["type"] in ("text_delta", "thinking_delta")
    ]


def test_synthesized_deltas_carry_several_tokens_and_never_cut_a_word() -> None:
    sizes = []
    for c in LATIN:
        deltas = _content_deltas(c)
        for (index, piece), (next_index, following) in itertools.pairwise(deltas):
            if index != next_index:
                continue
            sizes.append(len(piece))
            assert piece[-1].isspace() or not following[0].isalnum(), f"a word cut in half: {piece!r} + {following!r}"
            assert len(piece) <= 100
    sizes.sort()
    median = sizes[len(sizes) // 2]
    assert 20 <= median <= 60 and sizes[len(sizes) // 10] >= 12, f"median {median}"


def test_synthesized_streams_keep_the_real_pace() -> None:
    rates, firsts = [], []
    for c in LATIN:
        events = _events(c)
        firsts.append(events[0]["at"])
        deltas = [e["at"] for e in events if e.get("event") == "content_block_delta"]
        if len(deltas) >= 8:
            rates.append((len(deltas) - 1) / (deltas[-1] - deltas[0]))
    assert all(2.0 <= f <= 2.2 for f in firsts), "M2.1's first event after about 2.1 s, as others measured it"
    rates.sort()
    assert 5 <= rates[len(rates) // 2] <= 9, f"about 7 deltas a second at 60 tokens/s, got {rates}"


def test_chinese_text_streams_in_several_deltas_even_after_a_newline_or_a_latin_word() -> None:
    """A Chinese answer that opens with a blank line (as M2.x answers do) or a Latin word once came as one delta:
    the word-end rule ran to the end of a text with no spaces."""
    import random

    from devtools.synth import chunk_text

    for text in ("\n\n" + "你好！我挺好的，谢谢关心。" * 6, "MiniMax 的模型" + "会先思考再回答。" * 12):
        chunks = chunk_text(text, random.Random(7))
        assert "".join(chunks) == text and len(chunks) >= 5 and max(map(len, chunks)) <= 40
