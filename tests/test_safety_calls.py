"""Issue 19's low points on the public calls: a key never shows in a traceback printed with locals, and calls with
arguments that cannot work are refused by name, with what to do, before anything is sent."""

from __future__ import annotations

import pytest
from test_safety_secrets import shown_with_locals

import helpers
from helpers._settings import ConfigError, read_dotenv
from tests.safety_support import HELLO, Upstream

KEY = "sk-canary-calls-7e2d40"


@pytest.mark.parametrize(
    ("kwargs", "said"),
    [
        ({"max_retires": 0}, "Did you mean max_retries"),  # a typo in a keyword
        ({"max_retries": -1}, "0 or more"),
        ({"max_retries": "2"}, "whole number"),
        ({"timeout": 0}, "above 0"),
        ({"timeout": float("inf")}, "above 0"),
    ],
)
def test_a_client_setting_that_cannot_work_is_refused_by_name_and_the_key_is_in_no_local(
    clean_env, kwargs: dict, said: str
) -> None:
    with pytest.raises(ConfigError, match=said) as caught:
        helpers.get_client(mode="live", api_key=KEY, quiet=True, **kwargs)
    shown = shown_with_locals(caught.value)
    assert "get_client" in shown and KEY not in shown


def test_a_key_refused_for_its_shape_is_in_no_local_either(clean_env) -> None:
    with pytest.raises(ConfigError, match="spaces or line breaks") as caught:
        helpers.get_client(mode="live", api_key=KEY + " " + KEY, quiet=True)
    shown = shown_with_locals(caught.value)
    assert "checked_key" in shown and KEY not in shown


def test_the_key_the_client_holds_never_shows_in_a_repr(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", KEY)
    client = helpers.get_client(mode="live", quiet=True)
    assert client.api_key == KEY and KEY not in repr(client.api_key)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"max_tokens": 0}, "max_tokens=0 must be a whole number above 0"),
        ({"max_tokens": -5}, "max_tokens=-5"),
        ({"max_tokens": 2.5}, "max_tokens=2.5"),
        ({"model": ""}, "names no model"),
        ({"model": "   "}, "names no model"),
    ],
)
def test_an_empty_model_or_a_budget_below_one_is_refused_before_sending(clean_env, monkeypatch, change, said) -> None:
    import helpers._replay.transport as transport_module

    upstream = Upstream()
    monkeypatch.setattr(transport_module.httpx2, "HTTPTransport", lambda *a, **k: upstream)
    client = helpers.get_client(mode="live", api_key=KEY, quiet=True, max_retries=0)
    with pytest.raises(helpers.RequestNotSupportedError, match=said):
        client.messages.create(**{**HELLO, **change})
    assert not upstream.seen, "nothing may be sent"
    assert any(f.level == "error" for f in helpers.check_request(**{**HELLO, **change}))


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ([{"type": "text", "text": 5}], "'text' is not a string"),
        ([{"type": "thinking", "thinking": ["x"]}], "'thinking' is not a string"),
        ([5], "is 5, not a content block"),
        ([{"type": "tool_use", "id": "t", "name": "f", "input": {1, 2}}], "input is not JSON"),
    ],
)
def test_show_names_a_block_it_cannot_draw(content: list, said: str) -> None:
    with pytest.raises(TypeError, match=said):
        helpers.show({"role": "assistant", "content": content})


def test_a_dotenv_value_with_an_unbalanced_quote_is_never_taken_with_the_quote(tmp_path) -> None:
    path = tmp_path / ".env"
    path.write_text('MINIMAX_API_KEY="sk-half-quoted-1234\nOTHER=1\n')
    assert '"' not in read_dotenv(path).get("MINIMAX_API_KEY", "")


OSC_52 = "\x1b]52;c;c3VkbyBybSAtcmYgfg==\x07"  # writes the terminal's clipboard
OSC_8 = "\x1b]8;;https://evil.example\x1b\\click here\x1b]8;;\x1b\\"  # a link whose target is hidden


def test_show_never_writes_a_models_terminal_escape_sequences_raw(capsys) -> None:
    message = {
        "role": "assistant",
        "content": [{"type": "thinking", "thinking": OSC_52}, {"type": "text", "text": OSC_8}],
    }
    helpers.show(message)  # not in a notebook: printed as text
    printed = capsys.readouterr().out
    assert "\x1b" not in printed and "\x07" not in printed
    assert "\\x1b]52;c;" in printed and "click here" in printed, "shown as visible escapes, not dropped"


def test_the_print_mode_live_view_never_writes_a_models_escape_sequences_raw() -> None:
    import io

    from tests import wire

    events = [wire.start(), *wire.thinking(0, OSC_52), *wire.text(1, "ok ", OSC_8), *wire.end()]
    printed = io.StringIO()
    helpers.stream(
        wire.client_for(wire.cassette(events)), view=helpers.LiveView(mode="print", out=printed), **wire.REQUEST
    )
    assert "\x1b" not in printed.getvalue() and "\x07" not in printed.getvalue()
    assert "\\x1b]52;c;" in printed.getvalue() and "click here" in printed.getvalue()
