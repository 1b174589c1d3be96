"""helpers.show: thinking apart from text, tool calls and results as such, usage; HTML and plain text;
the same output on every run."""

from __future__ import annotations

import anthropic

from helpers.show import MessageView, show

MESSAGE = {
    "id": "0123456789abcdef0123456789abcdef",
    "type": "message",
    "role": "assistant",
    "model": "MiniMax-M2.1",
    "content": [
        {"thinking": "Need <the> weather & a tool.", "signature": "ab" * 32, "type": "thinking"},
        {"text": "\n\nLet me check.", "type": "text"},
        {"type": "tool_use", "id": "call_function_1234567890_1", "name": "get_weather", "input": {"city": "上海"}},
    ],
    "usage": {"input_tokens": 222, "output_tokens": 321, "cache_read_input_tokens": 12},
    "stop_reason": "tool_use",
}


def test_plain_text_view() -> None:
    text = MessageView(MESSAGE).text()
    assert text.splitlines()[0] == "[thinking · 28 chars]"
    assert "  Need <the> weather & a tool." in text
    assert "\nLet me check.\n" in text, "leading blank lines of the answer are not shown"
    assert '[tool call · get_weather · call_function_1234567890_1]\n  {"city": "上海"}' in text
    assert text.splitlines()[-1] == "(MiniMax-M2.1 · stop: tool_use · tokens: 222 in, 321 out, 12 read from cache)"


def test_html_view_folds_thinking_and_escapes() -> None:
    html = MessageView(MESSAGE).html()
    assert html.count("<details>") == 1 and "<summary>💭 Thinking · 28 chars</summary>" in html
    assert "Need &lt;the&gt; weather &amp; a tool." in html and "<the>" not in html
    assert "<b>get_weather</b>" in html and "上海" in html
    assert html.index("<details>") < html.index("Let me check.") < html.index("get_weather")


def test_same_output_every_time_and_for_sdk_objects() -> None:
    message = anthropic.types.Message.model_validate(MESSAGE)
    assert MessageView(message).html() == MessageView(MESSAGE).html()
    assert MessageView(message).text() == MessageView(MESSAGE).text()


def test_edge_blocks_render() -> None:
    edge = {
        **MESSAGE,
        "content": [
            {"thinking": "", "type": "thinking"},
            {"text": "", "type": "text"},
        ],
        "stop_reason": "max_tokens",
    }
    text = MessageView(edge).text()
    assert "[thinking · 0 chars, no signature]" in text and "(empty)" in text and "(empty text)" in text
    assert "no signature" in MessageView(edge).html()


def test_history_with_tool_results() -> None:
    history = [
        {"role": "user", "content": "Weather in Shanghai?"},
        {"role": "assistant", "content": MESSAGE["content"]},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "call_function_1234567890_1", "content": "21°C, clear"},
                {
                    "type": "tool_result",
                    "tool_use_id": "call_function_1234567890_2",
                    "content": "boom",
                    "is_error": True,
                },
            ],
        },
    ]
    view = MessageView(history)
    text = view.text()
    assert text.startswith("── user ")
    assert "[tool result · call_function_1234567890_1]\n  21°C, clear" in text
    assert "[tool error · call_function_1234567890_2]\n  boom" in text
    assert "⚠️ tool error" in view.html()


def test_show_prints_plain_text_outside_a_notebook(capsys) -> None:
    show(MESSAGE)
    assert capsys.readouterr().out.startswith("[thinking · 28 chars]")


def test_show_rejects_what_it_cannot_show() -> None:
    import pytest

    with pytest.raises(TypeError, match="show\\(\\) takes a Message"):
        MessageView(42)
