"""The cache figures that exchange descriptions give by hand follow the synthesizer's own estimate.

Notebook 04 (English and Chinese) teaches prompt caching on a synthesized write-then-read pair whose usage the
description states, because the synthesizer does not split input between cache and the rest by itself. Those
figures must be what the synthesizer would estimate: the cached prefix is the tools plus the system prompt, and
`input_tokens` the rest of its default estimate of the whole request. A translation (other text, other counts)
that copied the English numbers, or a hand-typed figure, fails here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devtools.synth import build, estimate_tokens

EXCHANGES = Path(__file__).resolve().parent.parent / "data" / "exchanges"


def _cached_cassettes() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(file#exchange, request body, response usage) of every cassette whose description gives cache figures."""
    found = []
    for path in sorted(EXCHANGES.glob("*.json")):
        description = json.loads(path.read_text(encoding="utf-8"))
        given = {
            e["id"]
            for e in description["exchanges"]
            if "cache_creation_input_tokens" in e.get("reply", {}).get("usage", {})
        }
        for cassette in build(description, f"data/exchanges/{path.name}"):
            name = cassette.source["from"].split("#", 1)[1]
            if name in given:
                found.append((f"{path.name}#{name}", cassette.request["body"], cassette.response["body"]["usage"]))
    return found


CASES = _cached_cassettes()


def test_both_editions_of_notebook_04_give_cache_figures() -> None:
    names = {case[0].split("#")[0] for case in CASES}
    assert {"04_interleaved_thinking.json", "zh-CN_04_interleaved_thinking.json"} <= names


@pytest.mark.parametrize(("name", "body", "usage"), CASES, ids=[c[0] for c in CASES])
def test_the_cached_prefix_and_the_rest_are_the_synthesizers_estimate(
    name: str, body: dict[str, Any], usage: dict[str, int]
) -> None:
    prefix = estimate_tokens(json.dumps(body["tools"], ensure_ascii=False)) + estimate_tokens(
        json.dumps(body["system"], ensure_ascii=False)
    )
    whole = estimate_tokens(json.dumps(body, ensure_ascii=False)) + 6  # usage_for's default input estimate
    assert usage["cache_creation_input_tokens"] + usage["cache_read_input_tokens"] == prefix, name
    assert 0 in (usage["cache_creation_input_tokens"], usage["cache_read_input_tokens"]), "a write or a read"
    assert usage["input_tokens"] == whole - prefix, name
    assert prefix >= 512, "MiniMax caches from 512 input tokens: a shorter prefix would not be written"
