"""Fixtures for the helpers' unit tests (the replay environment itself is set in the root conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import (
    ReplayClient,
    ScriptedClient,
    ScriptedTransport,
    replay_client_for,
    scripted_client_for,
    scripted_transport_for,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No MiniMax/Anthropic variables, and a working directory with no .env above it."""
    for name in list(os.environ):
        if name.startswith(("MINIMAX_", "ANTHROPIC_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MINIMAX_REPLAY_SPEED", "0")
    monkeypatch.chdir(tmp_path)
    import helpers.client as client_module

    monkeypatch.setattr(client_module, "_banners_shown", set())
    monkeypatch.setattr(client_module, "_auto_regions", {})
    return tmp_path


# -- clients over a transport: one replay client, one scripted transport, shared by every test file ---------


@pytest.fixture
def replay_client() -> ReplayClient:
    """`replay_client(cassettes_or_library, speed=0, observer=None, **options)`: see support.replay_client_for."""
    return replay_client_for


@pytest.fixture
def scripted_transport() -> ScriptedTransport:
    """`scripted_transport(*answers)`: see support.scripted_transport_for."""
    return scripted_transport_for


@pytest.fixture
def scripted_client() -> ScriptedClient:
    """`scripted_client(*answers, **client_options)`: see support.scripted_client_for."""
    return scripted_client_for
