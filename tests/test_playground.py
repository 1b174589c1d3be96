"""The chat playground without widgets: the recorded conversation replays, tools are safe, totals are right."""

from __future__ import annotations

import html
import json
from pathlib import Path

import anthropic
import pytest

import helpers
from helpers import _settings as config
from helpers import playground
from helpers._replay.cassettes import DEFAULT_ROOT, load

RECORDED = [
    {"text": "Which MiniMax model should I use for a quick live demo in class?"},
    {"text": "How long would an answer of 1200 output tokens take on MiniMax-M2.1-lightning?", "tools": True},
    {"text": "Thanks! Sum up our chat in one sentence.", "tools": False, "model": "MiniMax-M2.1-lightning"},
]


@pytest.fixture
def app(clean_env: Path) -> helpers.Playground:
    return helpers.Playground(helpers.get_client(mode="replay", recordings="06_chat_playground", quiet=True))


def test_the_recorded_conversation_replays_with_tools(app: helpers.Playground, capsys) -> None:
    app.play(RECORDED)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" · ")[3] for line in lines] == ["1 model call", "3 model calls", "1 model call"]
    roles = [m["role"] for m in app.history]
    assert roles == ["user", "assistant"] * 5
    kinds = [b["type"] for m in app.history if m["role"] == "assistant" for b in m["content"]]
    assert kinds.count("thinking") == 5, "every model call's thinking stays in the history"
    assert app.history[-1]["content"][-1]["text"].strip().startswith("We chose MiniMax-M2.1-lightning")


def test_totals_match_the_recorded_usage(app: helpers.Playground) -> None:
    app.play([*RECORDED, {"text": "What does the region picker change?"}])  # + the turn a learner types in 06
    recorded = [load(p).response["body"]["usage"] for p in sorted((DEFAULT_ROOT / "06_chat_playground").glob("*.json"))]
    totals = app.totals()
    assert totals["calls"] == 6
    assert totals["input_tokens"] == sum(u["input_tokens"] for u in recorded)
    assert totals["output_tokens"] == sum(u["output_tokens"] for u in recorded)
    assert "6 calls" in app.total_line()


def test_calls_made_before_the_playground_are_not_in_its_total(clean_env: Path) -> None:
    client = helpers.get_client(mode="replay", recordings="06_chat_playground", quiet=True)
    client.messages.create(
        model="MiniMax-M2.1",
        max_tokens=1000,
        system=playground.SYSTEM,
        messages=[{"role": "user", "content": RECORDED[0]["text"]}],
    )
    app = helpers.Playground(client)
    assert app.totals()["calls"] == 0
    app.send(RECORDED[0]["text"])
    assert app.totals()["calls"] == 1 and len(helpers.usage(client)) == 2


def test_recorded_requests_use_the_playgrounds_tools_and_prompt() -> None:
    description = json.loads((DEFAULT_ROOT.parent / "exchanges" / "06_chat_playground.json").read_text())
    for exchange in description["exchanges"]:
        request = exchange["request"]
        assert request["system"] == playground.SYSTEM and request["max_tokens"] == playground.MAX_TOKENS
        assert request.get("tools", playground.TOOLS) == playground.TOOLS, "re-run synth after changing TOOLS"


def test_a_failed_turn_leaves_the_history_unchanged(app: helpers.Playground) -> None:
    with pytest.raises(helpers.NotRecordedError):
        app.send("nobody recorded this")
    assert app.history == []
    with pytest.raises(ValueError, match="Type a message"):
        app.send("   ")


def test_bad_settings_say_what_works(app: helpers.Playground) -> None:
    with pytest.raises(config.ConfigError, match=r"MiniMax-M2\.1-lightning"):
        app.settings(model="claude-3")
    with pytest.raises(config.ConfigError, match="'global' or 'cn'"):
        app.settings(region="eu")


def test_a_region_switch_uses_that_regions_client(clean_env: Path) -> None:
    made = []

    def factory(region: str):
        made.append(region)
        return helpers.get_client(mode="replay", region=region, recordings="06_chat_playground", quiet=True)

    app = helpers.Playground(factory("global"), client_factory=factory)
    app.settings(region="cn")
    assert str(app.client.base_url).startswith(config.REGIONS["cn"])
    assert made == ["global", "cn"]


def test_a_region_switch_keeps_the_notebooks_recordings_folder(clean_env: Path) -> None:
    """The Chinese notebook's playground, switched to the other region, still records into and replays first from
    its own folder (zh-CN_06_chat_playground), not the English one."""
    client = helpers.get_client(mode="replay", recordings="zh-CN_06_chat_playground", quiet=True)
    app = helpers.Playground(client)
    app.settings(region="cn")
    assert app.client is not client
    assert helpers.client.recordings_of(app.client) == "zh-CN_06_chat_playground"
    assert helpers.client.recordings_of(anthropic.Anthropic(api_key="sk-not-from-get-client")) is None


def test_a_factory_that_reuses_the_client_is_counted_once(clean_env: Path) -> None:
    client = helpers.get_client(mode="replay", recordings="06_chat_playground", quiet=True)
    app = helpers.Playground(client, client_factory=lambda region: client)
    app.send(RECORDED[0]["text"])
    app.settings(region="cn")
    assert app.client is client
    assert app.totals()["calls"] == 1


def test_calculate_is_arithmetic_only() -> None:
    assert playground.calculate("1200 / 100") == "12"
    assert playground.calculate("(2 + 3) * -4") == "-20"
    assert playground.calculate("1 / 3") == "0.333333"
    for bad in ("__import__('os')", "x + 1", "2 ** 1000", "(((10**100)**100)**100)**100", "True + 1", "(-8) ** 0.5"):
        with pytest.raises(ValueError):
            playground.calculate(bad)


def test_model_facts_cover_the_supported_models() -> None:
    assert set(playground.MODEL_FACTS) == set(config.SUPPORTED_MODELS)
    with pytest.raises(ValueError, match="unknown model"):
        playground.model_facts("gpt")


def test_without_widgets_show_says_how_to_chat(app: helpers.Playground, capsys) -> None:
    app.show()
    assert "playground.send" in capsys.readouterr().out
    app.close()
    assert "0 calls" in capsys.readouterr().out


def test_a_tools_turn_that_fails_later_offers_its_paid_part(app: helpers.Playground, monkeypatch) -> None:
    import anthropic
    import httpx2

    app.play(RECORDED[:1])
    create, calls = app.client.messages.create, []

    def second_call_overloaded(**params):
        calls.append(params)
        if len(calls) == 2:
            request = httpx2.Request("POST", "https://api.minimax.io/anthropic/v1/messages")
            raise anthropic.InternalServerError("overloaded", response=httpx2.Response(529, request=request), body=None)
        return create(**params)

    monkeypatch.setattr(app.client.messages, "create", second_call_overloaded)
    before = list(app.history)
    app.settings(tools=True)
    with pytest.raises(anthropic.InternalServerError) as raised:
        app.send(RECORDED[1]["text"])
    assert app.history == before, "nothing is added without asking"
    assert "keep_paid()" in app.notice and app.notice in raised.value.__notes__
    assert app.keep_paid() == 3  # the question, the paid answer with its tool call, the tool results
    assert app.history[: len(before)] == before and app.history[-1]["content"][0]["type"] == "tool_result"
    monkeypatch.setattr(app.client.messages, "create", create)
    with pytest.raises(ValueError, match="Nothing to keep"):
        app.keep_paid()


def test_play_with_a_turn_without_text_says_what_a_turn_needs(app: helpers.Playground) -> None:
    with pytest.raises(ValueError, match="'text'"):
        app.play([{}])
    with pytest.raises(TypeError, match="list of turns"):
        app.play("hello")  # type: ignore[arg-type]
    assert app.history == [] and app.totals()["calls"] == 0


def test_notebook_06_exported_shows_the_recorded_conversation_under_the_apps_line() -> None:
    """nbconvert (as GitHub's viewer, with no kernel) draws the saved app as its line, then the conversation the
    notebook played into it: each question, the thinking and the answer, and the bill."""
    import nbformat
    from nbconvert import HTMLExporter

    from helpers.playground import PLACEHOLDER

    path = Path(__file__).resolve().parent.parent / "notebooks" / "06_chat_playground.ipynb"
    nb = nbformat.read(path, as_version=4)
    page, _resources = HTMLExporter().from_notebook_node(nb)
    start = page.index(html.escape(PLACEHOLDER, quote=False).split("(")[0])
    questions = [
        "Which MiniMax model should I use for a quick live demo in class?",
        "How long would an answer of 1200 output tokens take on MiniMax-M2.1-lightning?",
        "Thanks! Sum up our chat in one sentence.",
    ]
    app_output = page[start : page.index("RECORDED", start)]  # up to the next cell's code
    where = [app_output.find(html.escape(q, quote=False)) for q in questions]
    assert -1 not in where and where == sorted(where), "the three recorded turns, in order, under the app's line"
    assert app_output.count("Thinking") >= 3 and "Answer" in app_output, "each answer under its thinking"
    assert "calculate" in app_output, "the tools turn shows its tool calls"
