"""The recorded pace follows the sheet's figures (docs/sources.md, "Measured speeds"): MiniMax-M2.1-lightning's
streams run at the 46-56 tokens/s others measured with the first event after 0.9-1.0 s, MiniMax-M2.1's first event
comes after about 2.1 s, and a model nobody measured keeps about 1.2 s. The catalogue keeps MiniMax's own figures
beside the measured ones, and the notebooks say whose figure is whose."""

from __future__ import annotations

import json

import pytest

from devtools.notebooks import NOTEBOOKS
from devtools.synth import estimate_tokens, first_token_seconds, tokens_per_second
from helpers._replay.cassettes import DEFAULT_ROOT, iter_cassette_files, load
from helpers.models import MODELS

STREAMS = [
    c
    for c in (load(p) for p in iter_cassette_files(DEFAULT_ROOT))
    if c.is_stream and c.source["kind"] == "synthesized" and "cut" not in json.dumps(c.source)
]


def _by_model(model: str) -> list:
    return [c for c in STREAMS if c.request["body"]["model"] == model]


def _pace(cassette) -> float:
    """Output tokens per second as the recording plays: the tokens of the deltas after the first over the time
    from the first delta (the first token) to the last."""
    deltas = [e for e in cassette.response["events"] if e.get("event") == "content_block_delta"]
    text = [e["data"]["delta"].get("text") or e["data"]["delta"].get("thinking") or "" for e in deltas[1:]]
    tokens = sum(estimate_tokens(t) for t in text if t)
    return tokens / (deltas[-1]["at"] - deltas[0]["at"])


def _first_token(cassette) -> float:
    return next(e["at"] for e in cassette.response["events"] if e.get("event") == "content_block_delta")


def test_lightning_streams_follow_the_measured_pace_and_first_token() -> None:
    streams = _by_model("MiniMax-M2.1-lightning")
    assert streams, "notebook 02 compares the models' speeds on a lightning stream"
    for cassette in streams:
        assert 0.9 <= _first_token(cassette) <= 1.0
        assert 46 <= _pace(cassette) <= 56, _pace(cassette)


def test_m21_first_token_follows_the_measured_figure_and_unmeasured_models_keep_about_1_2_s() -> None:
    m21 = _by_model("MiniMax-M2.1")
    assert len(m21) > 10
    assert all(2.0 <= _first_token(c) <= 2.2 for c in m21)
    for cassette in _by_model("MiniMax-M2"):
        assert 1.0 <= _first_token(cassette) <= 1.4
    assert first_token_seconds("MiniMax-M2") == (1.0, 1.4)
    assert tokens_per_second("MiniMax-M2.1") == 60  # nobody measured its pace: MiniMax's own figure


def test_the_catalogue_keeps_minimax_figures_beside_the_measured_ones() -> None:
    lightning = MODELS["MiniMax-M2.1-lightning"]
    assert lightning.tokens_per_second == 100 and "MiniMax" in lightning.tokens_per_second_source
    assert lightning.measured is not None and lightning.measured.tokens_per_second == (46, 56)
    assert lightning.measured.first_token_seconds == (0.9, 1.0)
    assert "Vercel" in lightning.measured.source and "docs/sources.md" in lightning.measured.source
    assert MODELS["MiniMax-M2"].measured is None


@pytest.mark.parametrize("notebook", ["01_quick_start.ipynb", "02_streaming.ipynb"])
def test_the_notebooks_say_which_figures_are_minimax_own_and_which_were_measured_by_others(notebook: str) -> None:
    cells = json.loads((NOTEBOOKS / notebook).read_text())["cells"]
    prose = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown").lower()
    assert "minimax's own" in prose and "measured by others" in prose
    assert "46" in prose and "56" in prose and "2.1 s" in prose
