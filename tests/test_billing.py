"""The usage log: every call of a get_client client is logged with tokens, timing and cost, from recorded figures."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import anthropic
import pytest
from support import ReplayClient, ScriptedTransport, sdk_client

import helpers
from devtools import synth
from helpers._replay.cassettes import DEFAULT_ROOT, load
from helpers._replay.transport import make_transport
from helpers.models import MODELS

usage_module = importlib.import_module("helpers.billing")

HELLO = {
    "model": "MiniMax-M2.1",
    "max_tokens": 1000,
    "system": "You are a helpful assistant.",
    "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi, how are you?"}]}],
}


@pytest.fixture(autouse=True)
def fresh_log() -> None:
    usage_module.reset()


def test_cost_uses_the_price_table() -> None:
    tokens = {"input_tokens": 1_000_000, "output_tokens": 1_000_000, "cache_read_input_tokens": 1_000_000}
    assert usage_module.cost_usd("MiniMax-M2.1", tokens) == pytest.approx(0.30 + 1.20 + 0.03)
    assert usage_module.cost_usd("MiniMax-M2.1-lightning", {"output_tokens": 1_000_000}) == pytest.approx(2.40)
    assert usage_module.cost_usd("not-a-model", tokens) is None, "an unknown price is unknown, never 0 USD"
    assert usage_module.cost_usd("MiniMax-M3", tokens) is None, "a later model's price was not collected"


def test_price_table_covers_every_supported_model_and_is_dated() -> None:
    assert set(usage_module.PRICES) == set(helpers.SUPPORTED_MODELS)
    assert usage_module.PRICES_AS_OF[:4].isdigit() and usage_module.PRICE_SOURCE


def test_replayed_call_is_logged_with_the_recorded_usage(clean_env: Path) -> None:
    client = helpers.get_client(mode="replay", recordings="01_quick_start", quiet=True)
    client.messages.create(**HELLO)
    recorded = next(
        load(p).response["body"]["usage"]
        for p in sorted((DEFAULT_ROOT / "01_quick_start").glob("hi-how-are-you-*.json"))
    )
    frame = helpers.usage(client)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row["model"] == "MiniMax-M2.1" and row["status"] == 200 and not row["stream"]
    assert row["input_tokens"] == recorded["input_tokens"]
    assert row["output_tokens"] == recorded["output_tokens"]
    assert row["cost_usd"] == pytest.approx((0.30 * recorded["input_tokens"] + 1.20 * recorded["output_tokens"]) / 1e6)
    assert row["source"] == "synthesized"
    assert row["duration_s"] is None or row["duration_s"] != row["duration_s"]  # no timing in a JSON body


def test_each_client_keeps_its_own_log_and_usage_lists_them_all(clean_env: Path) -> None:
    first = helpers.get_client(mode="replay", recordings="01_quick_start", quiet=True)
    second = helpers.get_client(mode="replay", recordings="01_quick_start", quiet=True)
    first.messages.create(**HELLO)
    second.messages.create(**HELLO)
    second.messages.create(**HELLO)
    assert len(helpers.usage(first)) == 1
    assert len(helpers.usage(second)) == 2
    everything = helpers.usage()
    assert list(everything["call"]) == [1, 2, 3]
    assert everything["client"].nunique() == 2


def test_usage_of_a_foreign_client_says_what_to_do() -> None:
    other = anthropic.Anthropic(api_key="x", base_url="http://127.0.0.1:9")
    with pytest.raises(LookupError, match=r"helpers.get_client\(\)"):
        helpers.usage(other)


def test_stream_timing_comes_from_the_recorded_events(tmp_path: Path, replay_client: ReplayClient) -> None:
    description = {
        "recordings": "usage_test",
        "exchanges": [{"id": "s", "forms": ["stream"], "request": HELLO, "reply": {"thinking": "Hm.", "text": "Hi!"}}],
    }
    (cassette,) = synth.build(description, "test")
    cassette.write(tmp_path / "usage_test" / "s.json")
    events = cassette.response["events"]
    first_delta = next(e["at"] for e in events if e["event"] == "content_block_delta")
    final_usage = next(e["data"]["usage"] for e in events if e["event"] == "message_delta")

    log = usage_module.UsageLog()
    client = replay_client(tmp_path, observer=log.observe)
    with client.messages.stream(**HELLO) as stream:
        stream.until_done()
    (call,) = log.calls
    assert call.stream and call.ttft_s == round(first_delta, 3)
    assert call.duration_s == round(events[-1]["at"], 3)
    assert call.output_tokens == final_usage["output_tokens"]
    assert call.input_tokens == final_usage["input_tokens"]


def test_live_calls_are_timed_and_errors_cost_nothing(scripted_transport: ScriptedTransport) -> None:
    body = {"id": "0" * 32, "type": "message", "role": "assistant", "model": "MiniMax-M2.1-lightning",
            "content": [{"text": "ok", "type": "text"}], "stop_reason": "end_turn",
            "usage": {"input_tokens": 10, "output_tokens": 1000}}  # fmt: skip
    error = {"type": "error", "error": {"type": "rate_limit_error", "message": "rate limit (1002)"}}
    log = usage_module.UsageLog()
    transport = make_transport(mode="live", upstream=scripted_transport(body, (429, error)), observer=log.observe)
    client = sdk_client(transport)
    client.messages.create(model="MiniMax-M2.1-lightning", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    with pytest.raises(anthropic.RateLimitError):
        client.messages.create(model="MiniMax-M2.1", max_tokens=5, messages=[{"role": "user", "content": "x"}])
    ok, failed = log.calls
    assert ok.cost_usd == pytest.approx((0.30 * 10 + 2.40 * 1000) / 1e6)
    assert ok.duration_s is not None and ok.duration_s >= 0
    assert failed.status == 429 and failed.cost_usd == 0.0 and failed.model == "MiniMax-M2.1"


def test_cost_summary_totals_per_model() -> None:
    rows = [
        {"model": "MiniMax-M2", "input_tokens": 5, "output_tokens": 7, "cost_usd": 0.5},
        {"model": "MiniMax-M2.1", "input_tokens": 1, "output_tokens": 2, "cost_usd": 0.25},
        {"model": "MiniMax-M2", "input_tokens": 5, "output_tokens": 1, "cost_usd": 0.5},
    ]
    summary = usage_module.CostSummary(rows)
    assert [r["model"] for r in summary.rows] == ["MiniMax-M2", "MiniMax-M2.1", "total"]
    assert summary.rows[0]["calls"] == 2 and summary.rows[0]["output_tokens"] == 8
    assert summary.total == pytest.approx(1.25)
    assert "Prices as of" in summary.text() and "display:table-row" in summary._repr_html_()


def test_cost_summary_shows_cache_reads_and_writes_only_when_a_call_used_the_cache() -> None:
    """Notebook 04's two cached calls: a write, then a read, each priced at its own rate and shown in the table."""
    write = {"input_tokens": 100, "output_tokens": 10, "cache_creation_input_tokens": 1_000}
    read = {"input_tokens": 120, "output_tokens": 10, "cache_read_input_tokens": 1_000}
    assert usage_module.cost_usd("MiniMax-M2.1", write) == pytest.approx((100 * 0.30 + 10 * 1.20 + 1_000 * 0.375) / 1e6)
    assert usage_module.cost_usd("MiniMax-M2.1", read) == pytest.approx((120 * 0.30 + 10 * 1.20 + 1_000 * 0.03) / 1e6)
    rows = [
        {"model": "MiniMax-M2.1", **write, "cache_read_input_tokens": 0, "cost_usd": 0.1},
        {"model": "MiniMax-M2.1", **read, "cache_creation_input_tokens": 0, "cost_usd": 0.2},
    ]
    summary = usage_module.CostSummary(rows)
    assert summary.shows_cache and summary.rows[-1]["cache_read_input_tokens"] == 1_000
    assert "cache read" in summary.text() and "cache write" in summary._repr_html_()
    plain = usage_module.CostSummary([{"model": "MiniMax-M2.1", "input_tokens": 1, "output_tokens": 2, "cost_usd": 0}])
    assert not plain.shows_cache and "cache" not in plain.text(), "no cache columns when no call used the cache"


def test_every_shipped_recording_has_usage_the_log_can_read() -> None:
    for path in sorted(DEFAULT_ROOT.rglob("*.json")):
        cassette = load(path)
        call = usage_module.call_from_exchange({"request": cassette.request["body"], "response": cassette.response})
        events = cassette.response.get("events") or []
        cut_short = bool(events) and not any(e.get("event") == "message_delta" for e in events)
        final = [e["data"] for e in events if e.get("event") == "message_delta"]
        said = not events or any(isinstance(d.get("usage"), dict) for d in final)
        if cassette.response["status"] == 200 and not cut_short and said:  # a dropped stream never reports usage
            assert call.output_tokens > 0, f"{path} has no output tokens"
            assert call.model in MODELS, json.dumps(cassette.request["body"])[:80]
        elif cassette.response["status"] == 200 and not said:
            assert call.output_tokens is None and call.cost_usd is None, "usage no event gave is unknown, not 0"


def _stream_exchange(final_usage: dict) -> dict:
    start = {"type": "message", "model": "MiniMax-M2.1", "usage": {"input_tokens": 50, "output_tokens": 0}}
    events = [
        {"event": "message_start", "at": 0.1, "data": {"type": "message_start", "message": start}},
        {"event": "content_block_delta", "at": 0.4, "data": {"type": "content_block_delta", "index": 0}},
        {"event": "message_delta", "at": 0.9, "data": {"type": "message_delta", "usage": final_usage}},
    ]
    return {"request": {"model": "MiniMax-M2.1", "stream": True}, "response": {"status": 200, "events": events}}


def test_a_null_figure_in_the_final_usage_keeps_the_earlier_one() -> None:
    """Some servers send `"input_tokens": null` in message_delta; like the SDK, the log keeps message_start's."""
    call = usage_module.call_from_exchange(_stream_exchange({"input_tokens": None, "output_tokens": 12}))
    assert (call.input_tokens, call.output_tokens, call.ttft_s, call.duration_s) == (50, 12, 0.4, 0.9)


def test_a_cut_stream_keeps_the_start_usage_and_an_error_to_a_stream_request_is_a_stream_call() -> None:
    exchange = _stream_exchange({})
    exchange["response"]["events"] = exchange["response"]["events"][:2]  # cut before message_delta
    cut = usage_module.call_from_exchange(exchange)
    assert (cut.stream, cut.input_tokens, cut.output_tokens, cut.duration_s) == (True, 50, None, 0.4)
    assert cut.cost_usd is None, "output tokens no event gave are unknown, not 0"
    error = {"type": "error", "error": {"type": "overloaded_error", "message": "busy (2064) (529)"}}
    refused = usage_module.call_from_exchange(
        {"request": {"model": "MiniMax-M2", "stream": True}, "response": {"status": 529, "body": error}}
    )
    assert (refused.stream, refused.status, refused.model, refused.cost_usd) == (True, 529, "MiniMax-M2", 0.0)


def test_the_cost_report_gives_the_prices_date_source_and_assumptions() -> None:
    from devtools import costs

    rows = costs.per_notebook()
    assert rows and all(r["calls"] > 0 for r in rows)
    text = costs.report(rows)
    assert usage_module.PRICES_AS_OF in text and usage_module.PRICE_SOURCE in text
    assert all(assumed in text for assumed in usage_module.ASSUMED_PRICES)
    total = sum(r["cost_usd"] for r in rows if r["currency"] == "USD")
    assert f"**{total:.4f}**" in text


def test_the_chinese_edition_s_cost_is_unknown_in_cny_never_converted() -> None:
    """The Chinese notebooks call the China platform (region cn), which bills in CNY; CNY prices were not collected."""
    from devtools import costs

    rows = {r["notebook"]: r for r in costs.per_notebook()}
    chinese = rows["zh-CN_01_quick_start"]
    assert chinese["currency"] == "CNY" and chinese["cost_usd"] is None and chinese["calls"] > 0
    assert rows["01_quick_start"]["currency"] == "USD" and rows["01_quick_start"]["cost_usd"] > 0
    text = costs.report(list(rows.values()))
    assert "| zh-CN_01_quick_start | " in text and "| unknown (CNY) |" in text and "bills in CNY" in text


def test_live_mode_keeps_only_what_the_log_reads_and_logs_the_same_call() -> None:
    """Live mode does not parse every delta a second time (the SDK parses them), yet logs the same figures
    as a parser that keeps every event, on every shipped stream recording cut into odd-sized chunks."""
    from helpers._replay import sse

    streams = [c for c in map(load, sorted(DEFAULT_ROOT.rglob("*.json"))) if c.is_stream]
    assert streams
    for cassette in streams:
        wire = b"".join(sse.encode_event(e) for e in cassette.response["events"])
        full, usage_only = sse.EventParser(), sse.UsageEventParser()
        for i, start in enumerate(range(0, len(wire), 97)):
            for parser in (full, usage_only):
                parser.feed(wire[start : start + 97], at=0.01 * i)
        calls = [
            usage_module.call_from_exchange(
                {"request": cassette.request["body"], "response": {"status": 200, "events": p.finish(9.0)}}
            )
            for p in (full, usage_only)
        ]
        assert calls[0] == calls[1], cassette.path
        deltas = sum(e.get("event") == "content_block_delta" for e in full.events)
        kept = sum(e.get("event") == "content_block_delta" for e in usage_only.events)
        ends_on_a_delta = full.events[-1].get("event") == "content_block_delta"
        assert kept == min(deltas, 1 + ends_on_a_delta), cassette.path  # the first, and a cut stream's last


def test_the_cost_table_speaks_chinese_and_says_cny_is_unknown_never_converted() -> None:
    """Issue 21: in Chinese the heads and footer are translated; costs stay USD and the CNY price is 未知."""
    rows = [{"model": "MiniMax-M2.1", "input_tokens": 1, "output_tokens": 2, "cost_usd": 0.25},
            {"model": "MiniMax-M3", "input_tokens": 1, "output_tokens": 2, "cost_usd": None}]  # fmt: skip
    english = usage_module.CostSummary(rows).text()
    helpers.set_language("zh-CN")
    try:
        chinese = usage_module.CostSummary(rows)
        text, page = chinese.text(), chinese.html()
    finally:
        helpers.set_language(None)
    assert "费用（USD）" in text and "合计" in text and "未知" in text and "0.250000" in text
    assert "人民币价格：未知" in text and "人民币价格：未知" in page and "CNY" not in text.split("人民币价格")[0]
    assert english.startswith("model ") and "unknown" in english and "人民币" not in english
    assert usage_module.CostSummary(rows).text() == english
