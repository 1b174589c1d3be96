"""Bad input gets the helpers' own clear message before anything is sent; a bad `.env` never stops replay."""

from __future__ import annotations

import json

import httpx2
import pytest

import helpers
import helpers.tools
from helpers._settings import ConfigError, read_dotenv
from helpers.compat import RequestNotSupportedError
from tests.safety_support import HELLO, OK_BODY, Upstream, recording_client

KEY = "sk-canary-inputs-3c8e21"


@pytest.fixture
def sent(clean_env, monkeypatch) -> Upstream:
    """Every client get_client builds sends to this fake network (nothing leaves the machine)."""
    import helpers._replay.transport as transport_module

    upstream = Upstream()
    monkeypatch.setattr(transport_module.httpx2, "HTTPTransport", lambda *a, **k: upstream)
    return upstream


# -- 9. run_tools: tool definitions checked before the first call; Ctrl-C keeps the history -----------------

BROKEN_SCHEMAS = [
    {"type": "object", "properties": {"city": {"type": "strin"}}},
    {"type": "object", "required": "city"},
    "not a schema",
    {"type": "string"},
]


@pytest.mark.parametrize("schema", BROKEN_SCHEMAS)
def test_a_malformed_input_schema_is_refused_before_the_paid_call(tmp_path, schema) -> None:
    upstream = Upstream()
    tool = {"name": "lookup", "description": "Look a city up.", "input_schema": schema}
    with pytest.raises(ValueError, match="input_schema"):
        helpers.run_tools(
            recording_client(upstream, None),
            model="MiniMax-M2.1",
            max_tokens=100,
            messages=[{"role": "user", "content": "Paris?"}],
            tools=[tool],
            functions={"lookup": lambda city: city},
        )
    assert upstream.seen == [], "nothing was sent"


def test_ctrl_c_inside_a_tool_keeps_the_history_so_far() -> None:
    calls = [
        {"type": "tool_use", "id": "call_1", "name": "quick", "input": {}},
        {"type": "tool_use", "id": "call_2", "name": "stuck", "input": {}},
        {"type": "tool_use", "id": "call_3", "name": "quick", "input": {}},
    ]

    def answer(request):
        return httpx2.Response(200, json={**OK_BODY, "content": calls, "stop_reason": "tool_use"})

    def quick() -> str:
        """Answer at once."""
        return "done"

    def stuck() -> str:
        """Never finish (the user presses Ctrl-C)."""
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as caught:
        helpers.run_tools(
            recording_client(Upstream(answer), None), model="MiniMax-M2.1", max_tokens=100,
            messages=[{"role": "user", "content": "Go"}], tools=[quick, stuck],
        )  # fmt: skip
    assert isinstance(caught.value, helpers.tools.ToolsInterrupted)
    history = caught.value.history
    assert [m["role"] for m in history] == ["user", "assistant", "user"]
    assert history[1]["content"] == calls
    first, second, third = history[2]["content"]
    assert first == {"type": "tool_result", "tool_use_id": "call_1", "content": "done"}
    assert second["tool_use_id"] == "call_2" and second["is_error"] and third["tool_use_id"] == "call_3"
    assert len(caught.value.responses) == 1


# -- 13. a bad .env gives a note in replay, and is read as a person means it ---------------------------------


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfeM\x00I\x00N\x00I\x00", b"MINIMAX_API_KEY=your-key-here\n", b"MINIMAX_API_KEY=sk-ab\x00cd\n"],
)
def test_a_bad_dotenv_in_a_parent_folder_does_not_stop_replay(clean_env, monkeypatch, capsys, content) -> None:
    (clean_env / ".env").write_bytes(content)
    child = clean_env / "notebooks"
    child.mkdir()
    monkeypatch.chdir(child)
    helpers.get_client()
    out = capsys.readouterr().out
    assert "mode replay" in out and "note:" in out and ".env" in out
    with pytest.raises(ConfigError, match="needs a MiniMax API key"):
        helpers.get_client(mode="live", quiet=True)


def test_a_dotenv_with_a_bom_and_a_quoted_value_with_a_comment(tmp_path) -> None:
    path = tmp_path / ".env"
    path.write_text("\ufeffMINIMAX_API_KEY=\"sk-quoted-1234\"  # my work key\nOTHER='a # b' # note\n", "utf-8")
    assert read_dotenv(path) == {"MINIMAX_API_KEY": "sk-quoted-1234", "OTHER": "a # b"}


# -- 14. bad input is refused with a message naming the fix, before anything is sent -------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"extra_body": {"temperature": float("nan")}}, "temperature"),
        ({"extra_body": {"temperature": float("inf")}}, "temperature"),
        ({"extra_body": {"metadata": {"score": float("-inf")}}}, "metadata.score"),
        ({"messages": []}, "messages is empty"),
        ({"messages": [{"role": "system", "content": "Be brief."}]}, "system="),
        ({"messages": [{"role": "tool", "content": "x"}]}, "'user' or 'assistant'"),
    ],
)
def test_a_request_that_cannot_work_is_refused_before_sending(sent, change, expected) -> None:
    client = helpers.get_client(mode="live", api_key=KEY, quiet=True)
    with pytest.raises(RequestNotSupportedError, match=expected):
        client.messages.create(**{**HELLO, **change})
    assert sent.seen == []


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ({"recordings": "01_quick_start\n"}, "recordings="),
        ({"recordings": "x" * 300}, "at most 80"),
        ({"env": "http://[::1:8080/anthropic"}, "MINIMAX_BASE_URL"),
        ({"env": "http://127.0.0.1:99999"}, "port"),
        ({"env": "http://127.0.0.1:0"}, "MINIMAX_BASE_URL"),
        ({"api_key": "sk-ab\x00cd"}, "control character"),
        ({"api_key": "sk-clé-1234"}, "non-ASCII"),
    ],
)
def test_a_setting_that_cannot_work_is_refused_by_name(sent, monkeypatch, setting, expected) -> None:
    if "env" in setting:
        monkeypatch.setenv("MINIMAX_BASE_URL", setting.pop("env"))
    with pytest.raises(ConfigError, match=expected):
        helpers.get_client(mode="live", **{"api_key": KEY, **setting}, quiet=True)
    assert sent.seen == []


def test_wrong_arguments_to_the_helpers_get_clear_errors(clean_env) -> None:
    client = helpers.get_client(mode="replay", quiet=True)
    with pytest.raises(TypeError, match="LiveView"):
        helpers.stream(client, view="x", **HELLO)
    with pytest.raises(TypeError, match="tools= takes a list"):
        helpers.run_tools(client, tools=None, **HELLO)
    with pytest.raises(TypeError, match="content is a string or a list"):
        helpers.show({"content": 5})


def test_the_playground_calculator_answers_an_error_for_not_a_number() -> None:
    from helpers.playground import FUNCTIONS, calculate

    for expression in ("1e309-1e309", "1e309", "-1e309*0"):
        with pytest.raises(ValueError, match="too large"):
            calculate(expression)
    result = helpers.tools.run_tool_call(
        {"id": "c1", "name": "calculate", "input": {"expression": "1e309-1e309"}},
        {t.name: t for t in helpers.tools.collect_tools(__import__("helpers.playground").playground.TOOLS, FUNCTIONS)},
    )
    assert result["is_error"] and "nan" not in json.dumps(result).lower()


@pytest.mark.parametrize("command", [["synth", "nosuch"], ["regenerate", "nosuch"], ["record", "nosuch"]])
def test_devtools_names_that_match_nothing_exit_non_zero(command, capsys) -> None:
    from devtools.__main__ import main

    assert main(command) != 0
    assert "nosuch" in capsys.readouterr().err
