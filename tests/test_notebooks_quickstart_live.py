"""The quick start, unchanged, runs live against a local MiniMax-like server with a key; record mode writes
recordings that replay to the same outputs; the key is in none of them."""

from __future__ import annotations

import hashlib
import json

import nbformat
import pytest

from devtools.notebooks import NOTEBOOKS, environment, execute, merge_streams, replay_environment
from helpers._replay.cassettes import DEFAULT_ROOT, iter_cassette_files
from helpers.server import ReplayServer

pytestmark = pytest.mark.slow  # runs notebooks in kernels against a live local server

CANARY = "sk-canary-notebook-31f0c7aa52"
NOTEBOOK = NOTEBOOKS / "01_quick_start.ipynb"
BANNER = "MiniMax · region"


def _outputs(nb) -> list[str]:
    """Each code cell's outputs as comparable text, the banner cells (which name mode and folder) blanked, and
    the cells nbval is told to ignore (the SDK-version-dependent repr of a whole Message) left out, as nbval does."""
    result = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "nbval-ignore-output" in cell.metadata.get("tags", []):
            result.append("<ignored by nbval>")
            continue
        text = json.dumps(merge_streams([dict(o) for o in cell.outputs]), sort_keys=True, ensure_ascii=False)
        result.append("<banner>" if BANNER in text else text)
    return result


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    pytest.importorskip("ipykernel")
    out = tmp_path_factory.mktemp("cassettes")
    with ReplayServer(DEFAULT_ROOT, api_keys={CANARY}) as server:
        env = replay_environment()
        env.update(
            MINIMAX_MODE="record",
            MINIMAX_API_KEY=CANARY,
            MINIMAX_BASE_URL=server.url,
            MINIMAX_CASSETTES=str(out),
        )
        with environment(env):
            live = execute(NOTEBOOK)
        requests = list(server.requests)
    return out, live, requests


def test_runs_live_unchanged_and_gives_the_stored_outputs(recorded) -> None:
    _, live, requests = recorded
    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert [c.source for c in live.cells] == [c.source for c in stored.cells], "the notebook was not changed"
    assert requests, "the notebook really sent requests to the server"
    assert all(r["key_sha256"] == hashlib.sha256(CANARY.encode()).hexdigest() for r in requests)
    assert _outputs(live) == _outputs(stored)
    banner = next(t for t in _outputs_raw(live) if BANNER in t)
    assert "mode record" in banner and CANARY not in banner


def _outputs_raw(nb) -> list[str]:
    return [json.dumps(c.outputs, ensure_ascii=False) for c in nb.cells if c.cell_type == "code"]


def test_record_mode_wrote_every_request_without_the_key(recorded) -> None:
    out, live, requests = recorded
    files = list(iter_cassette_files(out))
    assert len(files) == len(requests)
    for path in files:
        assert CANARY not in path.read_text()
    assert CANARY not in "".join(_outputs_raw(live))


def test_the_new_recordings_replay_to_the_same_outputs(recorded) -> None:
    out, _, _ = recorded
    env = replay_environment()
    env["MINIMAX_CASSETTES"] = str(out)
    with environment(env):
        replayed = execute(NOTEBOOK)
    assert _outputs(replayed) == _outputs(nbformat.read(NOTEBOOK, as_version=4))
