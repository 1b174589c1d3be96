"""Colab secrets with a stand-in `google.colab` module: every error userdata.get can raise falls back with a how-to."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support import stand_in_colab_module

import helpers
from helpers._settings import COLAB_HOWTO, FoundKey, NoKey, colab_secret, find_key

CANARY = "sk-colab-canary-0123456789"


class SecretNotFoundError(Exception):
    """As google.colab.userdata defines it: a plain Exception subclass."""


class NotebookAccessError(Exception):
    """Another base class than SecretNotFoundError in Colab, so one `except` for both would miss it."""


class TimeoutException(Exception):  # noqa: N818 (Colab's own name)
    """What google.colab._message raises when no Colab UI answers (e.g. a local runtime)."""


class MessageError(Exception):
    """Colab's generic messaging failure."""


def stand_in_colab(monkeypatch: pytest.MonkeyPatch, get: Callable[[str], object]) -> list[str]:
    """Install a fake `google.colab` whose `userdata.get` behaves like `get`; returns the names asked for."""
    asked: list[str] = []

    def recorded_get(name: str) -> object:
        asked.append(name)
        return get(name)

    stand_in_colab_module(
        monkeypatch,
        "userdata",
        get=recorded_get,
        SecretNotFoundError=SecretNotFoundError,
        NotebookAccessError=NotebookAccessError,
    )
    return asked


def raising(error: BaseException) -> Callable[[str], object]:
    def get(name: str) -> object:
        raise error

    return get


FAILURES = {
    "missing secret": (SecretNotFoundError("Secret MINIMAX_API_KEY does not exist."), "no Colab secret named"),
    "no notebook access": (NotebookAccessError("Notebook does not have access"), "Notebook access"),
    "timeout": (TimeoutException("Timed out waiting for response"), "did not answer in time"),
    "bad name": (ValueError("invalid key name"), "rejected the name"),
    "other error": (MessageError("boom"), "refused the request (MessageError)"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_every_colab_error_becomes_a_note_with_a_how_to(clean_env: Path, monkeypatch, case: str) -> None:
    error, expected = FAILURES[case]
    asked = stand_in_colab(monkeypatch, raising(error))
    value, note = colab_secret()
    assert value is None and asked == ["MINIMAX_API_KEY"]
    assert note is not None and expected in note and COLAB_HOWTO in note


@pytest.mark.parametrize("case", list(FAILURES))
def test_get_client_falls_back_to_replay_and_says_how_to_add_the_secret(
    clean_env: Path, monkeypatch, capsys, case: str
) -> None:
    stand_in_colab(monkeypatch, raising(FAILURES[case][0]))
    client = helpers.get_client(recordings="01_quick_start")
    banner = capsys.readouterr().out
    assert "mode replay" in banner
    assert "add a secret named MINIMAX_API_KEY" in banner
    assert client.api_key != CANARY


def test_a_failing_secret_falls_through_to_the_next_source(clean_env: Path, monkeypatch) -> None:
    stand_in_colab(monkeypatch, raising(NotebookAccessError("no access")))
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://api.minimax.io/anthropic")
    monkeypatch.setenv("ANTHROPIC_API_KEY", CANARY)
    found = find_key()
    assert isinstance(found, FoundKey) and found.value == CANARY and "ANTHROPIC_API_KEY" in found.source


def test_a_granted_secret_is_used_and_never_shown(clean_env: Path, monkeypatch, capsys) -> None:
    stand_in_colab(monkeypatch, lambda name: CANARY)
    helpers.get_client(mode="replay", recordings="01_quick_start")
    found = find_key()
    assert isinstance(found, FoundKey) and found.source == "Colab secret (MINIMAX_API_KEY)"
    assert CANARY not in capsys.readouterr().out and CANARY not in repr(found)


def test_an_empty_secret_is_no_key(clean_env: Path, monkeypatch) -> None:
    stand_in_colab(monkeypatch, lambda name: "")
    found = find_key()
    assert isinstance(found, NoKey) and any("is empty" in note for note in found.notes)


def test_no_colab_module_means_no_note(clean_env: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "google.colab", None)
    assert colab_secret() == (None, None)
