"""Where the key comes from, in which order, and the rules that keep keys where they belong."""

from __future__ import annotations

import sys
import types

import pytest

from helpers._settings import ConfigError, FoundKey, NoKey, find_key, read_dotenv

CANARY = "sk-canary-keys-7f3a9c"


def test_argument_beats_everything(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", "from-env")
    (clean_env / ".env").write_text("MINIMAX_API_KEY=from-dotenv\n")
    found = find_key("from-arg")
    assert isinstance(found, FoundKey)
    assert (found.value, found.source) == ("from-arg", "the api_key argument")


def test_environment_beats_dotenv(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", "from-env")
    (clean_env / ".env").write_text("MINIMAX_API_KEY=from-dotenv\n")
    found = find_key()
    assert found.value == "from-env" and "MINIMAX_API_KEY" in found.source


def test_dotenv_in_a_parent_folder(clean_env, monkeypatch) -> None:
    (clean_env / ".env").write_text('# my keys\nexport MINIMAX_API_KEY="from-dotenv"  \nOTHER=1\n')
    child = clean_env / "notebooks"
    child.mkdir()
    monkeypatch.chdir(child)
    found = find_key()
    assert found.value == "from-dotenv" and found.source == ".env file (.env)"


def test_dotenv_parser_handles_quotes_comments_and_export(tmp_path) -> None:
    path = tmp_path / ".env"
    path.write_text("A=1 # comment\nexport B='two words'\n#C=3\nD=\nnot a line\n")
    assert read_dotenv(path) == {"A": "1", "B": "two words", "D": ""}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("BASE=sk-from\nMINIMAX_API_KEY=${BASE}-interpolated\n", "sk-from-interpolated"),
        ('MINIMAX_API_KEY="sk-two\nlines"\n', "sk-two\nlines"),
        ('MINIMAX_API_KEY="sk-a\\"quote"\n', 'sk-a"quote'),
    ],
    ids=["interpolation", "multi-line quoted value", "escaped quote"],
)
def test_dotenv_is_read_as_python_dotenv_reads_it(tmp_path, text: str, key: str) -> None:
    """The three files the hand-written reader read differently from python-dotenv (issue 18)."""
    path = tmp_path / ".env"
    path.write_text(text)
    assert read_dotenv(path)["MINIMAX_API_KEY"] == key


def test_a_dotenv_without_python_dotenv_is_a_note_not_a_crash(clean_env, monkeypatch) -> None:
    (clean_env / ".env").write_text("MINIMAX_API_KEY=sk-in-a-file-1234\n")
    monkeypatch.setitem(sys.modules, "dotenv", None)  # as where python-dotenv is not installed
    found = find_key()
    assert isinstance(found, NoKey)
    assert any("python-dotenv" in note and "pip install python-dotenv" in note for note in found.notes)


def _fake_colab(monkeypatch, behaviour) -> None:
    userdata = types.SimpleNamespace(get=behaviour)
    colab = types.ModuleType("google.colab")
    colab.userdata = userdata
    google = types.ModuleType("google")
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)


def test_colab_secret_comes_after_dotenv(clean_env, monkeypatch) -> None:
    _fake_colab(monkeypatch, lambda name: "from-colab")
    assert find_key().value == "from-colab"
    (clean_env / ".env").write_text("MINIMAX_API_KEY=from-dotenv\n")
    assert find_key().value == "from-dotenv"


def test_colab_errors_fall_back_with_a_hint(clean_env, monkeypatch) -> None:
    class SecretNotFoundError(Exception):
        pass

    def missing(name: str) -> str:
        raise SecretNotFoundError(name)

    _fake_colab(monkeypatch, missing)
    found = find_key()
    assert isinstance(found, NoKey)
    assert any("key icon" in note for note in found.notes)


def test_anthropic_key_only_with_a_minimax_base_url(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", CANARY)
    found = find_key()
    assert isinstance(found, NoKey), "a real Anthropic key must never be picked up for MiniMax"
    assert any("left alone" in note for note in found.notes)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://api.anthropic.com")
    assert isinstance(find_key(), NoKey)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://api.minimaxi.com/anthropic")
    found = find_key()
    assert found.value == CANARY and "ANTHROPIC_API_KEY" in found.source


def test_minimax_key_beats_anthropic_key(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://api.minimax.io/anthropic")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "anthropic-var")
    monkeypatch.setenv("MINIMAX_API_KEY", "minimax-var")
    assert find_key().value == "minimax-var"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("", "empty"), ("   ", "empty"), ("sk-abc def", "spaces"), ("${YOUR_API_KEY}", "placeholder"), (42, "string")],
)
def test_malformed_keys_are_refused_with_a_reason(clean_env, value, fragment) -> None:
    with pytest.raises(ConfigError, match=fragment):
        find_key(value)


def test_found_key_repr_hides_the_key(clean_env) -> None:
    found = find_key(CANARY)
    assert CANARY not in repr(found) and CANARY[:6] not in repr(found)
