"""helpers/_i18n.py and its catalogs (issue 21): every sentence the code wraps in `_()` has a Simplified Chinese
translation with the same placeholders, the compiled .mo says what the .po says, and real surfaces (an explain card
for a 529, show's footer, an exercise's feedback, a replay miss, the banner, the playground) come out in Chinese
when asked and byte for byte in English otherwise, switching back included."""

from __future__ import annotations

import gettext
import json
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import anthropic
import pytest

import helpers
from devtools import messages
from helpers import _i18n
from helpers.client import Setup
from helpers.errors import explain
from helpers.playground import Playground, TurnSummary
from helpers.show import MessageView

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "data" / "cassettes" / "01_quick_start" / "hi-how-are-you-2de7cb5fd6.json"
BRACES = re.compile(r"\{[^{}]*\}")


@pytest.fixture(autouse=True)
def english_after(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts and ends on the default: no choice made, HELPERS_LANG unset."""
    monkeypatch.delenv(_i18n.ENVIRONMENT, raising=False)
    _i18n.set_language(None)
    yield
    _i18n.set_language(None)


# -- the catalogs ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted() -> messages.Extracted:
    return messages.extract()


@pytest.fixture(scope="module")
def catalog() -> dict[messages.MessageId, tuple[str, ...]]:
    """The zh_CN .po as {msgid: its translations} (one for a sentence, each plural form for a plural one)."""
    found = {}
    for message in messages.read("zh_CN"):
        if message.id:
            strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
            found[message.id] = tuple(strings)
    return found


def test_every_call_holds_literal_text(extracted: messages.Extracted) -> None:
    assert extracted.problems == []
    assert len(extracted.messages) > 300  # the reader sees the package's sentences (none would pass vacuously)


def test_every_sentence_has_a_chinese_translation_and_none_is_left_over(extracted, catalog) -> None:
    missing = [m for m in extracted.messages if not all(catalog.get(m, ("",)))]
    obsolete = [m for m in catalog if m not in extracted.messages]
    assert not missing, f"untranslated (run python -m devtools messages, fill the .po): {missing[:5]}"
    assert not obsolete, f"in the .po but no longer in the code: {obsolete[:5]}"


def test_the_template_lists_the_same_sentences(extracted: messages.Extracted) -> None:
    with messages.TEMPLATE.open("rb") as file:
        pot = {m.id for m in messages.read_po(file) if m.id}
    assert pot == set(extracted.messages)


def _english(message: messages.MessageId) -> tuple[str, ...]:
    return (message,) if isinstance(message, str) else message


def test_placeholders_are_the_same_in_both_languages(catalog) -> None:
    """`{name}`, `{count:,}`, `{value!r}` (and literal `{'type': ...}` examples) kept exactly, in every form."""
    wrong = []
    for message, translations in catalog.items():
        for english in _english(message):
            for chinese in translations:
                if set(BRACES.findall(english)) != set(BRACES.findall(chinese)):
                    wrong.append((english, chinese))
    assert not wrong, wrong[:3]


def test_no_translation_is_english_left_in_place(catalog) -> None:
    """Every translation holds some Chinese, or else Chinese punctuation around placeholders and names that stay
    English ("SDK", "token")."""
    chinese = re.compile(r"[\u4e00-\u9fff：，]")
    kept = {"SDK", "token"}
    untranslated = [
        m
        for m, t in catalog.items()
        if not all(chinese.search(s) or set(re.findall(r"[A-Za-z]+", BRACES.sub("", s))) <= kept for s in t)
    ]
    assert untranslated == []


def test_glossary_terms_are_used(catalog) -> None:
    """The words of docs/glossary.zh-CN.md where an English sentence uses the term in prose (not in code)."""
    terms = {"thinking": "思考", "signature": "签名", "tool result": "工具结果", "system prompt": "系统提示词"}
    code = re.compile(r"\{[^{}]*\}|'[^']*'|`[^`]*`|\w+[=_.(]\S*|\S*_\w+")
    wrong = []
    for message, translations in catalog.items():
        prose = code.sub(" ", _english(message)[0])
        for term, word in terms.items():
            if re.search(rf"\b{term}s?\b", prose, re.IGNORECASE) and not all(word in t for t in translations):
                wrong.append((term, translations[0]))
    assert not wrong, wrong[:3]


def test_the_compiled_catalog_says_what_the_po_says(catalog) -> None:
    """The committed .mo (what the helpers read) holds exactly the .po's translations: no step forgotten."""
    with messages.mo_path("zh_CN").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    table = {k: v for k, v in compiled._catalog.items() if k != ""}  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for message, translations in catalog.items():
        if isinstance(message, str):
            expected[message] = translations[0]
        else:
            expected.update({(message[0], index): text for index, text in enumerate(translations)})
    assert table == expected


# -- choosing the language ----------------------------------------------------------------------------------


def test_english_is_the_default_and_reads_no_catalog() -> None:
    code = (
        "import helpers, helpers._i18n as i; "
        "helpers.explain({'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'x (2064)'}}); "
        "print(i.language(), i.catalog.cache_info().currsize)"
    )
    env = {k: v for k, v in os.environ.items() if k != _i18n.ENVIRONMENT}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["en", "0"]


def test_set_language_accepts_the_usual_spellings_and_refuses_others() -> None:
    for spelling in ("zh-CN", "zh_CN", "zh", "ZH-hans"):
        helpers.set_language(spelling)
        assert _i18n.language() == "zh-CN"
    helpers.set_language("en")
    assert _i18n.language() == "en"
    with pytest.raises(ValueError, match="'en' and 'zh-CN'"):
        helpers.set_language("fr")


def test_the_environment_variable_chooses_until_set_language_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPERS_LANG", "zh_CN")
    assert _i18n.gettext("Next step:") == "下一步："
    helpers.set_language("en")
    assert _i18n.gettext("Next step:") == "Next step:"
    helpers.set_language(None)
    assert _i18n.gettext("Next step:") == "下一步："


def test_an_unknown_environment_value_warns_once_and_stays_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPERS_LANG", "klingon")
    with pytest.warns(UserWarning, match="HELPERS_LANG='klingon'"):
        assert _i18n.language() == "en"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _i18n.gettext("Next step:") == "Next step:"


# -- the surfaces, in both languages -------------------------------------------------------------------------


def _both(render) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """(English by default, Chinese, English after switching back) of one rendering."""
    english = render()
    helpers.set_language("zh-CN")
    chinese = render()
    helpers.set_language("en")
    return english, chinese, render()


def test_an_explain_card_for_a_529(clean_env: Path) -> None:
    client = helpers.get_client(mode="replay", recordings="05_parameters_and_errors", quiet=True, max_retries=1)
    with pytest.raises(anthropic.APIStatusError) as caught:
        client.messages.create(
            model="MiniMax-M2.1",
            max_tokens=300,
            messages=[{"role": "user", "content": "List the three primary colours of light."}],
        )
    english, chinese, again = _both(lambda: (explain(caught.value).text(), explain(caught.value).html()))
    assert english[0].startswith("MiniMax is overloaded · HTTP 529 · MiniMax code 2064\n  MiniMax said: ")
    assert "  Retry? yes, it can succeed later\n  Next step: Retry later" in english[0]
    assert "retried 1 time with backoff" in english[0] and "<b>What it means:</b>" in english[1]
    assert chinese[0].startswith("MiniMax 过载 · HTTP 529 · MiniMax 错误码 2064\n  MiniMax 说：")
    assert "SDK 已经按退避策略重试了 1 次" in chinese[0] and "要重试吗？可以" in chinese[0]
    assert "<b>含义：</b>" in chinese[1] and "What it means" not in chinese[1]
    assert again == english


def test_shows_footer_on_a_recorded_message(clean_env: Path) -> None:
    """A message replayed from a (synthesized) recording: its usage line and the footer saying whose answer it is."""
    client = helpers.get_client(mode="replay", recordings="01_quick_start", quiet=True)
    message = client.messages.create(**json.loads(RECORDED.read_text(encoding="utf-8"))["request"]["body"])
    english, chinese, again = _both(lambda: (MessageView(message).text(), MessageView(message).html()))
    usage = message.usage
    tokens = f"tokens: {usage.input_tokens} in, {usage.output_tokens} out"
    footer = f"({message.model} · stop: end_turn · {tokens} · synthesized recording (not an answer MiniMax gave))"
    assert english[0].endswith(footer) and "💭 <b>Thinking</b>" in english[1] and "💬 <b>Answer</b>" in english[1]
    tokens = f"token：输入 {usage.input_tokens}，输出 {usage.output_tokens}"
    assert chinese[0].endswith(
        f"({message.model} · 停止原因：end_turn · {tokens} · 合成的录制（不是 MiniMax 给出的回答）)"
    )
    assert "💭 <b>思考</b>" in chinese[1] and "💬 <b>回答</b>" in chinese[1]
    assert again == english


def test_an_exercise_failure() -> None:
    english, chinese, again = _both(lambda: helpers.check("01.1", "not a function").text())
    assert english == (
        "Exercise 01.1 · the answer text of a message: not yet ❌\n  ✗ pass your function itself: check('01.1', f)"
    )
    assert chinese == "练习 01.1 · 取出一条消息的回答文本：还没完成 ❌\n  ✗ 请传入函数本身：check('01.1', f)"
    assert again == english


def test_a_replay_miss(clean_env: Path) -> None:
    client = helpers.get_client(mode="replay", recordings="01_quick_start", quiet=True)

    def miss() -> str:
        with pytest.raises(helpers.NotRecordedError) as caught:
            client.messages.create(
                model="MiniMax-M2.1", max_tokens=50, messages=[{"role": "user", "content": "Never recorded, surely."}]
            )
        return str(caught.value)

    english, chinese, again = _both(miss)
    assert english.startswith("This request is not recorded, so replay mode has no answer for it.\n  Sent: POST ")
    assert "  What differs (recorded vs sent):" in english and "To get an answer: set MINIMAX_API_KEY" in english
    assert chinese.startswith("这个请求没有被录制，所以回放模式没有它的回答。\n  发送的请求：POST ")
    assert "（模型 'MiniMax-M2.1'，1 条消息）" in chinese and "  不同之处（录制的 vs 发送的）：" in chinese
    assert "想要得到回答：设置 MINIMAX_API_KEY" in chinese
    assert again == english


def test_the_banner() -> None:
    setup = Setup("global", "https://api.minimax.io/anthropic", "replay", "none found", "scratch", "data/cassettes")
    english, chinese, again = _both(setup.line)
    assert english == (
        "MiniMax · region global (https://api.minimax.io/anthropic) · mode replay: answers from recordings "
        "(data/cassettes, 'scratch' first) · key: none found (replay sends nothing)"
    )
    assert chinese.startswith("MiniMax · 区域 global（https://api.minimax.io/anthropic）· 模式 replay：")
    assert chinese.endswith("密钥：未找到（回放不发送任何请求）")
    assert again == english


def test_the_playground(clean_env: Path) -> None:
    client = helpers.get_client(mode="replay", recordings="06_chat_playground", quiet=True)
    playground = Playground(client)
    turn = TurnSummary(1, "MiniMax-M2.1", True, 2, "Hi")
    english, chinese, again = _both(lambda: (playground.html(), playground.total_line(), turn.line()))
    assert english[0].endswith(">No messages yet: type below and press Send.</div>")
    assert english[1:] == (
        "0 calls · 0 input and 0 output tokens · about 0.0000 USD",
        "turn 1 · MiniMax-M2.1 · tools on · 2 model calls · 'Hi'",
    )
    assert chinese[0].endswith(">还没有消息：在下面输入，然后点击“发送”。</div>")
    assert chinese[1:] == (
        "0 次调用 · 输入 0 个 token，输出 0 个 token · 约 0.0000 美元",
        "第 1 轮 · MiniMax-M2.1 · 工具已开启 · 2 次模型调用 · 'Hi'",
    )
    assert again == english
