"""helpers.stream and LiveView: print fallback, widget throttling, awkward blocks, interruptions, checks."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest
from support import ScriptedClient

import helpers
from helpers._html import LIVE_TAIL_CHARS, WidgetSink, pane_html
from helpers.streaming import MAX_UPDATES_PER_SECOND, LiveView, StreamInterrupted, check_params

ROOT = Path(__file__).resolve().parent.parent
RAINBOW = "In three short paragraphs, explain how a rainbow forms."
HAIKU = "Write a haiku about the sea, then explain its imagery in two sentences."
SYSTEM = "You are a helpful assistant."


def rainbow_params() -> dict[str, Any]:
    return {
        "model": "MiniMax-M2.1",
        "max_tokens": 1500,
        "system": SYSTEM,
        "messages": [{"role": "user", "content": RAINBOW}],
    }


def stream_the_dropped_haiku(client: anthropic.Anthropic) -> Any:
    """The request whose recording (02_streaming) is cut mid-answer: helpers.stream must raise on it."""
    return helpers.stream(
        client,
        model="MiniMax-M2.1",
        max_tokens=800,
        system=SYSTEM,
        messages=[{"role": "user", "content": [{"type": "text", "text": HAIKU}]}],
    )


def sse(events: list[dict[str, Any]]) -> list[bytes]:
    return [f"event: {e['type']}\ndata: {json.dumps(e, ensure_ascii=False)}\n\n".encode() for e in events]


def message_events(blocks: list[dict[str, Any]], *, stop: bool = True) -> list[dict[str, Any]]:
    """A MiniMax-shaped stream for `blocks` (dicts with type and the pieces of content to stream)."""
    start = {
        "id": "0" * 32,
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": "MiniMax-M2.1",
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 0},
    }
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(blocks):
        kind = block["type"]
        head: dict[str, Any] = {"type": kind}
        head.update({"thinking": ""} if kind == "thinking" else {"text": ""} if kind == "text" else {})
        if kind == "tool_use":
            head.update({"id": "call_function_1234567890_1", "name": block["name"], "input": {}})
        events.append({"type": "content_block_start", "index": index, "content_block": head})
        field = {"thinking": "thinking", "text": "text", "tool_use": "partial_json"}[kind]
        delta_type = {"thinking": "thinking_delta", "text": "text_delta", "tool_use": "input_json_delta"}[kind]
        for piece in block["pieces"]:
            events.append({"type": "content_block_delta", "index": index, "delta": {"type": delta_type, field: piece}})
        if block.get("signature"):
            delta = {"type": "signature_delta", "signature": block["signature"]}
            events.append({"type": "content_block_delta", "index": index, "delta": delta})
        events.append({"type": "content_block_stop", "index": index})
    if stop:
        usage = {"input_tokens": 5, "output_tokens": 9}
        events.append({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": usage})
        events.append({"type": "message_stop"})
    return events


AWKWARD = [
    {"type": "thinking", "pieces": ["用户", "想知道", "。" * 3]},  # no signature
    {"type": "text", "pieces": ["\n\n", "你好", "！ Hello."]},
    {"type": "text", "pieces": []},  # an empty block
    {"type": "tool_use", "name": "get_weather", "pieces": ["", '{"location": ', '"Paris, FR"}']},
]


# -- print fallback -------------------------------------------------------------------------------


def test_plain_process_prints_marked_thinking_and_answer(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    client = helpers.get_client(recordings="02_streaming", mode="replay", quiet=True)
    message = helpers.stream(client, **rainbow_params())
    out = capsys.readouterr().out
    assert "── 💭 thinking ──" in out and "── 💬 answer ──" in out
    assert "explanation of rainbows" in out and "Sunlight looks white" in out
    assert "── 💬 answer ──\nSunlight" in out, "leading blank lines of the answer are not printed"
    assert "stop: end_turn" in out
    with client.messages.stream(**rainbow_params()) as reference:
        expected = reference.get_final_message()
    assert message.model_dump() == expected.model_dump()


@pytest.mark.slow  # a fresh interpreter
def test_plain_process_from_the_command_line_prints(tmp_path: Path) -> None:
    script = (
        "import helpers\n"
        "c = helpers.get_client(recordings='02_streaming', mode='replay', quiet=True, replay_speed=0)\n"
        f"helpers.stream(c, model='MiniMax-M2.1', max_tokens=1500, system={SYSTEM!r}, "
        f"messages=[{{'role': 'user', 'content': {RAINBOW!r}}}])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "── 💭 thinking ──" in done.stdout and "── 💬 answer ──" in done.stdout


def test_awkward_blocks_print_correctly(capsys: pytest.CaptureFixture[str], scripted_client: ScriptedClient) -> None:
    message = helpers.stream(
        scripted_client(sse(message_events(AWKWARD))), model="MiniMax-M2.1", max_tokens=50, messages=[]
    )
    out = capsys.readouterr().out
    assert "用户想知道。。。" in out
    assert "── 💬 answer ──\n你好！ Hello." in out
    assert "(empty text)" in out
    assert '── 🔧 tool call get_weather (call_function_1234567890_1) ──\n{"location": "Paris, FR"}' in out
    assert message.content[0].signature in (None, "")
    assert message.content[3].input == {"location": "Paris, FR"}


# -- widgets ---------------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_widget_updates_are_throttled(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("ipywidgets")
    clock = FakeClock()
    view = LiveView(mode="widgets", clock=clock)
    pieces = [f"w{i} " for i in range(2000)]
    sink = view.sink
    assert isinstance(sink, WidgetSink)
    seen_live = []
    for event in message_events([{"type": "thinking", "pieces": pieces}, {"type": "text", "pieces": pieces}]):
        clock.now += 0.001  # 1000 deltas a second, far above the update rate
        view.feed(event)
        if event["type"] == "content_block_delta" and event["delta"].get("thinking") == "w1000 ":
            seen_live.append(sink.widget.value)
    # 4 s of stream at most MAX_UPDATES_PER_SECOND (12.5) updates/s, plus the sends at each block's start and end
    assert MAX_UPDATES_PER_SECOND <= 12.5, "notebook 02 and the README say 12.5 a second at most"
    assert 40 <= view.updates <= 4 * MAX_UPDATES_PER_SECOND + 4, view.updates
    assert seen_live and "w900" in seen_live[0] and "w1000" not in seen_live[0], "refreshed while the block streams"
    assert "w1999" in sink.widget.value.split("Thinking", 1)[1] and sink.widget.value.count("w1999") == 2
    view.finish({"type": "message", "model": "MiniMax-M2.1", "content": view.partial_content(), "stop_reason": "x"})
    capsys.readouterr()


def test_widget_shows_awkward_blocks(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("ipywidgets")
    view = LiveView(mode="widgets", clock=FakeClock())
    for event in message_events([*AWKWARD, {"type": "thinking", "pieces": []}]):
        view.feed(event)
    assert isinstance(view.sink, WidgetSink)
    thinking, text, empty, tool, empty_thinking = view.sink.parts
    assert "用户想知道" in thinking and "<details open>" in thinking and "no signature" in thinking
    assert text.count("你好") == 1 and "\n\n你好" not in text
    assert "(empty text)" in empty
    assert "(empty)" in empty_thinking
    assert "get_weather" in tool and "Paris, FR" in tool
    assert view.sink.widget.value.endswith(empty_thinking), "the widget shows every block"
    capsys.readouterr()


def test_long_blocks_send_only_their_end() -> None:
    html = pane_html({"type": "thinking", "thinking": "x" * 50_000 + "THE END"})
    assert "THE END" in html and len(html) < LIVE_TAIL_CHARS["thinking"] + 1000
    assert "earlier characters" in html


def test_a_live_view_shows_one_turn_only(capsys: pytest.CaptureFixture[str], scripted_client: ScriptedClient) -> None:
    view = LiveView(mode="print")
    chunks = sse(message_events([{"type": "text", "pieces": ["Hi"]}]))
    helpers.stream(scripted_client(chunks), view=view, model="MiniMax-M2.1", max_tokens=50, messages=[])
    sent: list[Any] = []
    client = scripted_client(chunks)
    client._client.event_hooks["request"].append(sent.append)
    with pytest.raises(ValueError, match="new LiveView"):
        helpers.stream(client, view=view, model="MiniMax-M2.1", max_tokens=50, messages=[])
    assert sent == [], "refused before anything was sent"
    capsys.readouterr()


def test_a_thinking_block_signed_at_its_start_shows_as_signed() -> None:
    view = LiveView(mode="off")
    start = {"type": "thinking", "thinking": "", "signature": "ab" * 32}
    view.feed({"type": "content_block_start", "index": 0, "content_block": start})
    assert view.partial_content() == [{"type": "thinking", "thinking": "", "signature": "ab" * 32}]


def test_live_view_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="mode"):
        LiveView(mode="fancy")
    with pytest.raises(ValueError, match="max_rate"):
        LiveView(max_rate=0)
    with pytest.raises(ValueError, match="max_rate=nan must be a positive number"):
        LiveView(max_rate=float("nan"))  # NaN compares false with everything: it would never throttle


# -- interruptions ---------------------------------------------------------------------------------


def test_dropped_stream_keeps_the_partial_message(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    client = helpers.get_client(recordings="02_streaming", mode="replay", quiet=True)
    with pytest.raises(StreamInterrupted) as caught:
        stream_the_dropped_haiku(client)
    error = caught.value
    assert error.kind == "connection"
    assert [b.type for b in error.partial.content] == ["thinking", "text"]
    assert error.partial.stop_reason is None
    out = capsys.readouterr().out
    assert "Stream interrupted" in out and "Grey waves" in out


def test_server_error_mid_stream(capsys: pytest.CaptureFixture[str], scripted_client: ScriptedClient) -> None:
    events = message_events([{"type": "thinking", "pieces": ["Let me see"]}], stop=False)
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "busy (2064)"}}
    chunks = [*sse(events), b"event: error\ndata: " + json.dumps(error).encode() + b"\n\n"]
    with pytest.raises(StreamInterrupted) as caught:
        helpers.stream(scripted_client(chunks), model="MiniMax-M2.1", max_tokens=50, messages=[])
    assert caught.value.kind == "server"
    assert "overloaded_error: busy (2064)" in caught.value.reason
    assert caught.value.partial.content[0].thinking == "Let me see"
    assert isinstance(caught.value.__cause__, anthropic.APIStatusError)
    assert "Stream interrupted" in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["interrupt", "connection"])
def test_interrupt_and_connection_loss(
    kind: str, capsys: pytest.CaptureFixture[str], scripted_client: ScriptedClient
) -> None:
    events = sse(message_events([{"type": "text", "pieces": ["Hello", " world"]}], stop=False))

    def chunks() -> Iterator[bytes]:
        yield from events
        raise KeyboardInterrupt if kind == "interrupt" else httpx2.ReadError("connection reset")

    with pytest.raises(StreamInterrupted) as caught:
        helpers.stream(scripted_client(chunks()), model="MiniMax-M2.1", max_tokens=50, messages=[])
    assert caught.value.kind == kind
    assert caught.value.partial.content[0].text == "Hello world"
    out = capsys.readouterr().out
    assert "Hello world" in out and ("stopped by you" in out if kind == "interrupt" else "dropped" in out)


def test_errors_before_the_stream_are_raised_unchanged(
    capsys: pytest.CaptureFixture[str], scripted_client: ScriptedClient
) -> None:
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "high load (2064) (529)"}}
    with pytest.raises(anthropic.APIStatusError) as caught:
        helpers.stream(scripted_client((529, body)), model="MiniMax-M2.1", max_tokens=50, messages=[])
    assert not isinstance(caught.value, StreamInterrupted)
    assert caught.value.status_code == 529
    assert "No answer" in capsys.readouterr().out


# -- arguments ---------------------------------------------------------------------------------


def test_bad_arguments_are_refused_before_sending(scripted_client: ScriptedClient) -> None:
    client = scripted_client([])
    with pytest.raises(ValueError, match="always streams"):
        check_params(client, {"model": "MiniMax-M2.1", "max_tokens": 5, "messages": [], "stream": True})
    with pytest.raises(ValueError, match="max_tokens"):
        check_params(client, {"model": "MiniMax-M2.1", "messages": []})
    with pytest.raises(TypeError, match=r"anthropic\.Anthropic"):
        check_params(object(), {"model": "MiniMax-M2.1", "max_tokens": 5, "messages": []})
    with pytest.raises(TypeError, match="AsyncAnthropic"):
        check_params(anthropic.AsyncAnthropic(api_key="x"), {})


def test_sampling_arguments_point_at_extra_body(scripted_client: ScriptedClient) -> None:
    import inspect

    client = scripted_client([])
    if "temperature" in inspect.signature(client.messages.stream).parameters:
        pytest.skip("this SDK still takes temperature= as an argument")
    with pytest.raises(TypeError, match=r'extra_body=\{"temperature": 0.5\}'):
        check_params(client, {"model": "MiniMax-M2.1", "max_tokens": 5, "messages": [], "temperature": 0.5})


def test_replay_speed_argument(clean_env: Path) -> None:
    client = helpers.get_client(recordings="02_streaming", mode="replay", quiet=True, replay_speed=2.5)
    assert client._client._transport.speed == 2.5
    with pytest.raises(helpers.ConfigError, match="replay_speed"):
        helpers.get_client(mode="replay", quiet=True, replay_speed=-1)


@pytest.mark.slow  # a fresh interpreter
def test_import_helpers_loads_no_widgets() -> None:
    code = "import sys, helpers; print(sorted(m for m in ('ipywidgets', 'IPython', 'pandas') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- exercises -------------------------------------------------------------------------------------


def test_exercise_checks_pass_on_right_answers_only(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    client = helpers.get_client(recordings="02_streaming", mode="replay", quiet=True)
    counts: dict[str, int] = {}
    answer = ""
    question = "Name the three primary colours of light, comma-separated."
    for event in client.messages.create(
        model="MiniMax-M2.1", max_tokens=600, messages=[{"role": "user", "content": question}], stream=True
    ):
        counts[event.type] = counts.get(event.type, 0) + 1
        if event.type == "content_block_delta":
            counts[event.delta.type] = counts.get(event.delta.type, 0) + 1
            if event.delta.type == "text_delta":
                answer += event.delta.text
    assert helpers.check("02.1", counts, answer.lstrip()).passed
    assert not helpers.check("02.1", counts, answer).passed
    assert not helpers.check("02.1", {}, "").passed
    capsys.readouterr()


def test_the_view_draws_from_the_streams_own_snapshot_not_a_copy_of_its_own() -> None:
    """Given the stream, the view writes what the SDK's message snapshot holds: it folds no events itself."""

    snapshot = {"content": [{"type": "text", "text": "from the SDK's snapshot"}]}
    stream = types.SimpleNamespace(current_message_snapshot=snapshot)
    printed = io.StringIO()
    view = LiveView(mode="print", out=printed)
    for event in message_events([{"type": "text", "pieces": ["not", "this"]}], stop=False)[1:]:
        view.feed(event, stream)  # type: ignore[arg-type]
    assert printed.getvalue() == "── 💬 answer ──\nfrom the SDK's snapshot\n"
    assert view.partial_content() == [{"type": "text", "text": "from the SDK's snapshot"}]
