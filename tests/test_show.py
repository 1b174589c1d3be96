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


def test_html_view_labels_thinking_and_escapes() -> None:
    html = MessageView(MESSAGE).html()
    assert "<details>" not in html and "<summary>" not in html, "strict sanitizers escape them into literal text"
    assert "💭 <b>Thinking</b> · 28 chars" in html
    assert "Need &lt;the&gt; weather &amp; a tool." in html and "<the>" not in html
    assert "<b>Tool call</b> · <b>get_weather</b>" in html and "上海" in html
    assert (
        html.index("Thinking") < html.index("<b>Answer</b>") < html.index("Let me check.") < html.index("get_weather")
    )


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
    assert "⚠️ <b>Tool error</b>" in view.html() and "↩️ <b>Tool result</b>" in view.html()


def test_show_prints_plain_text_outside_a_notebook(capsys) -> None:
    show(MESSAGE)
    assert capsys.readouterr().out.startswith("[thinking · 28 chars]")


def test_show_rejects_what_it_cannot_show() -> None:
    import pytest

    with pytest.raises(TypeError, match="show\\(\\) takes a Message"):
        MessageView(42)


def test_answers_render_markdown_and_escape_the_models_html() -> None:
    answer = (
        "**Bold** and <script>alert(1)</script>\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nx = 1\n```"
    )
    view = MessageView({**MESSAGE, "content": [{"type": "text", "text": answer}]})
    html = view.html()
    assert "<strong>Bold</strong>" in html and "<li>one</li>" in html and "display:table" in html and "<pre" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert answer in view.text(), "the plain-text view keeps the raw Markdown"


def test_html_uses_only_tags_a_strict_sanitizer_keeps() -> None:
    """nbconvert --sanitize-html escapes every other tag into literal text (and drops style attributes)."""
    from nbconvert.filters.strings import clean_html

    from helpers.errors import explain
    from helpers.show import timeline

    answer = "# Title\n\nPara one.\n\nPara two  \nwith a break.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n"
    history = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "content": [*MESSAGE["content"], {"type": "text", "text": answer}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "x", "content": "a\nb", "is_error": True}]},
    ]
    views = [MessageView(history), timeline(history), explain(ValueError("boom"))]
    for view in views:
        cleaned = clean_html(view.html())
        assert "&lt;" not in cleaned.replace("&lt;the&gt;", ""), cleaned


def test_views_set_no_fixed_colours() -> None:
    """A fixed light background or dark text colour is unreadable in a dark theme (JupyterLab, Colab, VS Code)."""
    import re
    from pathlib import Path

    for path in sorted(Path("helpers").rglob("*.py")):
        source = path.read_text()
        fixed = re.findall(r"(?:background|color)\s*:\s*#[0-9a-fA-F]{3,8}", source)
        assert not fixed, f"{path}: {fixed}"


def test_footer_says_synthesized_recording() -> None:
    from helpers import billing
    from helpers.show import SYNTHESIZED, timeline

    message = {**MESSAGE, "id": "feedfacefeedfacefeedfacefeedface"}
    assert SYNTHESIZED not in MessageView(message).text()
    log = billing.UsageLog()
    log.observe(
        {
            "request": {"model": "MiniMax-M2.1"},
            "response": {"status": 200, "body": message},
            "source": {"kind": "synthesized"},
        }
    )
    assert SYNTHESIZED in MessageView(message).text() and SYNTHESIZED in MessageView(message).html()
    history = [{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": message["content"]}]
    assert SYNTHESIZED not in timeline(history).text(), "a plain history says nothing of where it came from"
    from helpers.show import Timeline

    assert SYNTHESIZED in Timeline(history, [message]).text() and SYNTHESIZED in Timeline(history, [message]).html()
