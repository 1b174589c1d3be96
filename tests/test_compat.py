"""helpers.compat: the one support table, check_request's findings, and the client's pre-send enforcement."""

from __future__ import annotations

import gc
import warnings
from pathlib import Path

import anthropic
import pytest

import helpers
from helpers import compat

BASE = {"model": "MiniMax-M2.1", "max_tokens": 100, "messages": [{"role": "user", "content": "hi"}]}
SPEC = Path(__file__).resolve().parent.parent.parent / "shared" / "spec" / "minimax-anthropic-compatible-api.md"


def codes(findings: list[compat.Finding]) -> list[tuple[str, str, str]]:
    return [(f.level, f.code, f.where) for f in findings]


def test_table_covers_every_parameter_and_field_of_the_spec() -> None:
    status = {row.name: row.status for row in compat.PARAMETERS}
    names = set(status)
    for name in ("top_k", "stop_sequences", "service_tier", "mcp_servers", "context_management", "container"):
        assert status[name] == "ignored"
    assert {"model", "messages", "max_tokens", "stream", "system", "temperature", "top_p", "tools"} <= names
    assert status["thinking"] == "no effect"
    assert {r.name for r in compat.CONTENT_TYPES if r.status == "not supported"} == {"image", "document"}
    if SPEC.exists():  # every parameter the spec's table names is in ours
        text = SPEC.read_text(encoding="utf-8")
        table = text.split("### Supported Parameters", 1)[1].split("###", 1)[0]
        spec_names = {line.split("`")[1] for line in table.splitlines() if line.startswith("| `")}
        assert spec_names == names


def test_a_valid_request_has_no_findings() -> None:
    assert helpers.check_request(**BASE, extra_body={"temperature": 1.0, "top_p": 0.95}) == []


@pytest.mark.parametrize("value", [0, 0.0, -0.1, 1.01, 2, "0.5", [0.5], float("nan"), True])
def test_temperature_outside_range_is_an_error_quoting_the_range(value: object) -> None:
    found = helpers.check_request(**BASE, temperature=value)
    assert codes(found) == [("error", "temperature-range", "temperature")]
    assert "(0.0, 1.0]" in found[0].message


@pytest.mark.parametrize("where", ["keyword", "extra_body"])
def test_top_p_is_checked_wherever_it_is_given(where: str) -> None:
    params = {**BASE, "top_p": 0} if where == "keyword" else {**BASE, "extra_body": {"top_p": 1.5}}
    assert codes(helpers.check_request(**params)) == [("error", "top_p-range", "top_p")]


def test_upper_bound_is_included() -> None:
    assert helpers.check_request(**BASE, extra_body={"temperature": 1, "top_p": 1.0}) == []


def test_image_and_document_blocks_are_named_by_message_and_block() -> None:
    messages = [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": [{"type": "text", "text": "hi"}]},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "see"},
                {"type": "document", "source": {}},
                {"type": "tool_result", "tool_use_id": "x", "content": [{"type": "image", "source": {}}]},
            ],
        },
    ]
    found = helpers.check_request(model="MiniMax-M2", max_tokens=10, messages=messages)
    assert codes(found) == [
        ("error", "unsupported-content", "messages[2].content[1]"),
        ("error", "unsupported-content", "messages[2].content[2].content[0]"),
    ]
    assert "'document'" in found[0].message and "'image'" in found[1].message


def test_ignored_parameters_thinking_and_unknown_models() -> None:
    found = helpers.check_request(
        **{**BASE, "model": "claude-3-haiku"},
        stop_sequences=["x"],
        thinking={"type": "enabled", "budget_tokens": 1024},
        extra_body={"top_k": 5, "container": "c", "service_tier": "auto", "mcp_servers": [], "context_management": {}},
    )
    assert ("warning", "unknown-model", "model") in codes(found)
    assert "MiniMax-M2.1, MiniMax-M2.1-lightning, MiniMax-M2" in found[0].message
    ignored = {f.where for f in found if f.code == "ignored-parameter"}
    assert ignored == {"top_k", "stop_sequences", "service_tier", "mcp_servers", "context_management", "container"}
    assert codes(found)[-1] == ("note", "thinking-no-effect", "thinking")


@pytest.mark.parametrize("unset", [anthropic.NOT_GIVEN, anthropic.omit, None], ids=["NOT_GIVEN", "omit", "None"])
def test_unset_arguments_are_not_findings(unset: object) -> None:
    """A wrapper that forwards every argument (`temperature=NOT_GIVEN`, ...) must not be refused or warned."""
    params = {name: unset for name in ("temperature", "top_p", "top_k", "stop_sequences", "thinking")}
    assert helpers.check_request(**BASE, **params) == []
    assert helpers.check_request(**BASE, extra_body={"temperature": None, "top_k": None}) == []


def test_messages_given_as_a_tuple_are_checked() -> None:
    messages = ({"role": "user", "content": ({"type": "image", "source": {}},)},)
    found = helpers.check_request(model="MiniMax-M2.1", max_tokens=10, messages=messages)
    assert codes(found) == [("error", "unsupported-content", "messages[0].content[0]")]


def test_errors_come_first() -> None:
    found = helpers.check_request(**BASE, extra_body={"top_k": 1, "temperature": 5})
    assert [f.level for f in found] == ["error", "warning"]


# -- the client from get_client ------------------------------------------------------------------------


@pytest.fixture
def client(clean_env: Path) -> anthropic.Anthropic:
    compat.reset_shown()
    return helpers.get_client(mode="replay", recordings="05_parameters_and_errors", quiet=True)


QUESTION = "Suggest a name for a neighbourhood bakery. Answer with the name only."


def ask(client: anthropic.Anthropic, **params: object) -> anthropic.types.Message:
    body = {"model": "MiniMax-M2.1", "max_tokens": 300, "messages": [{"role": "user", "content": QUESTION}]}
    return client.messages.create(**{**body, **params})


def test_client_refuses_out_of_range_temperature_before_sending(client: anthropic.Anthropic) -> None:
    seen: list[object] = []
    client._client._transport.observer = seen.append  # type: ignore[attr-defined]
    with pytest.raises(helpers.RequestNotSupportedError, match=r"\(0\.0, 1\.0\]") as caught:
        ask(client, extra_body={"temperature": 0})
    assert isinstance(caught.value, anthropic.AnthropicError) and seen == []
    assert [f.code for f in caught.value.findings] == ["temperature-range"]


def test_client_refuses_image_blocks(client: anthropic.Anthropic) -> None:
    content = [{"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}]
    with pytest.raises(helpers.RequestNotSupportedError, match=r"messages\[0\]\.content\[0\]"):
        client.messages.create(model="MiniMax-M2.1", max_tokens=10, messages=[{"role": "user", "content": content}])


def test_check_false_sends_and_the_server_answers(clean_env: Path) -> None:
    unchecked = helpers.get_client(mode="replay", recordings="05_parameters_and_errors", quiet=True, check=False)
    with pytest.raises(anthropic.BadRequestError):
        ask(unchecked, extra_body={"temperature": 0})


def test_ignored_parameter_warns_once_per_parameter(client: anthropic.Anthropic) -> None:
    params = {
        "model": "MiniMax-M2.1",
        "max_tokens": 300,
        "stop_sequences": ["4"],
        "messages": [{"role": "user", "content": "Count from 1 to 6, separated by commas."}],
    }
    gc.collect()  # objects earlier tests left for the collector warn now, not inside the block below
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.messages.create(**params)
        client.messages.create(**params)
    assert [w.category for w in caught] == [compat.MiniMaxCompatWarning]
    assert "stop_sequences" in str(caught[0].message) and caught[0].filename == "minimax"


def test_thinking_gives_a_note(client: anthropic.Anthropic) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reply = client.messages.create(
            model="MiniMax-M2.1",
            max_tokens=300,
            thinking={"type": "disabled"},
            messages=[{"role": "user", "content": "What is 17 * 23? Answer with the number only."}],
        )
    assert [w.category for w in caught] == [compat.MiniMaxNote]
    assert reply.content[0].type == "thinking"


def test_check_hook_only_looks_at_messages() -> None:
    compat.check_hook("GET", "/v1/models", None)
    compat.check_hook("POST", "/v1/other", {"temperature": 9})
    with pytest.raises(compat.RequestNotSupportedError):
        compat.check_hook("POST", "/v1/messages", {"temperature": 9})


def test_keyword_temperature_is_refused_by_the_sdk_so_extra_body_is_the_way(client: anthropic.Anthropic) -> None:
    """anthropic 1.0 and later refuse temperature= as a keyword with TypeError before anything is built, so
    notebook 05 teaches extra_body; the transport's check still sees a value sent that way."""
    with pytest.raises(TypeError):
        ask(client, temperature=0)
    with pytest.raises(helpers.RequestNotSupportedError, match="temperature=0 "):
        ask(client, extra_body={"temperature": 0})


def test_findings_tables_and_the_refusal_speak_chinese_and_english_comes_back_unchanged() -> None:
    """Issue 21: after set_language("zh-CN") the messages, the tables' status and notes and the refusal are Chinese;
    codes, levels, `where` and the values quoted stay as they are, and English is byte for byte the same after."""
    request = {**BASE, "model": "claude-sonnet-4-5", "extra_body": {"temperature": 1.5, "top_k": 40}}
    english = [vars(f) for f in helpers.check_request(**request)]
    english_rows = compat.table_rows("parameters")
    english_error = str(compat.RequestNotSupportedError(helpers.check_request(**request)[:1]))
    helpers.set_language("zh-CN")
    try:
        chinese = helpers.check_request(**request)
        rows = {row["name"]: row for row in compat.table_rows("parameters")}
        refusal = str(compat.RequestNotSupportedError(chinese[:1]))
    finally:
        helpers.set_language(None)
    assert [(f["level"], f["code"], f["where"]) for f in english] == codes(chinese)
    assert "超出了 MiniMax 接受的范围 (0.0, 1.0]" in chinese[0].message and "temperature=1.5" in chinese[0].message
    assert "MiniMax 会忽略 top_k" in chinese[-1].message and "ignores" not in chinese[-1].message
    assert rows["top_k"]["status"] == "忽略" and rows["top_k"]["note"] == "接受但忽略"
    assert rows["thinking"]["status"] == "无效果" and "思考" in rows["thinking"]["note"]
    assert refusal.startswith("MiniMax 无法处理这个请求；没有发送任何内容。\n  - temperature: temperature=1.5 ")
    top_k = next(row for row in compat.PARAMETERS if row.name == "top_k")
    assert top_k.status == "ignored"  # code reads the English status, in any language
    helpers.set_language("en")
    try:
        assert [vars(f) for f in helpers.check_request(**request)] == english
        assert compat.table_rows("parameters") == english_rows
        assert str(compat.RequestNotSupportedError(helpers.check_request(**request)[:1])) == english_error
    finally:
        helpers.set_language(None)
    assert english_rows[0]["status"] == "supported" and english_error.startswith("MiniMax cannot serve this request")
