"""Region, mode, base URL and replay-speed settings: defaults, environment, and clear errors."""

from __future__ import annotations

import pytest

from helpers import _settings as config
from helpers._settings import ConfigError


def test_region_defaults_to_global(clean_env) -> None:
    assert config.resolve_region() == "global"


def test_region_from_environment_and_argument_wins(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("MINIMAX_REGION", "CN")
    assert config.resolve_region() == "cn"
    assert config.resolve_region("auto") == "auto"


@pytest.mark.parametrize("bad", ["europe", "", "glob al"])
def test_bad_region_names_the_accepted_values(clean_env, bad) -> None:
    with pytest.raises(ConfigError) as error:
        config.resolve_region(bad)
    message = str(error.value)
    assert repr(bad) in message
    for accepted in ("'global'", "'cn'", "'auto'"):
        assert accepted in message


def test_bad_region_from_environment_names_the_variable(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("MINIMAX_REGION", "us")
    with pytest.raises(ConfigError, match="MINIMAX_REGION='us'"):
        config.resolve_region()


def test_mode_defaults_to_auto_and_rejects_unknown(clean_env, monkeypatch) -> None:
    assert config.resolve_mode() == "auto"
    monkeypatch.setenv("MINIMAX_MODE", "Replay")
    assert config.resolve_mode() == "replay"
    with pytest.raises(ConfigError) as error:
        config.resolve_mode("playback")
    for accepted in ("'auto'", "'live'", "'replay'", "'record'"):
        assert accepted in str(error.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.minimax.io/anthropic", "global"),
        ("https://api.minimaxi.com/anthropic/", "cn"),
        ("https://api.anthropic.com", None),
        ("http://127.0.0.1:8000", None),
    ],
)
def test_region_of_url(url, expected) -> None:
    assert config.region_of_url(url) == expected


def test_custom_base_url_is_checked(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("MINIMAX_BASE_URL", "http://127.0.0.1:9999/")
    assert config.custom_base_url() == "http://127.0.0.1:9999"
    monkeypatch.setenv("MINIMAX_BASE_URL", "localhost:9999")
    with pytest.raises(ConfigError, match="not a usable URL"):
        config.custom_base_url()
    monkeypatch.setenv("MINIMAX_BASE_URL", "https://api.anthropic.com")
    with pytest.raises(ConfigError, match="never be sent there"):
        config.custom_base_url()


def test_replay_speed(clean_env, monkeypatch) -> None:
    monkeypatch.delenv("MINIMAX_REPLAY_SPEED")
    assert config.resolve_replay_speed() == 1.0
    monkeypatch.setenv("MINIMAX_REPLAY_SPEED", "2.5")
    assert config.resolve_replay_speed() == 2.5
    for bad in ("fast", "-1", "nan", "inf"):
        monkeypatch.setenv("MINIMAX_REPLAY_SPEED", bad)
        with pytest.raises(ConfigError, match="number >= 0"):
            config.resolve_replay_speed()


def test_replay_speed_argument_wins_and_is_checked(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("MINIMAX_REPLAY_SPEED", "3")
    assert config.resolve_replay_speed(0) == 0.0
    assert config.resolve_replay_speed(None) == 3.0
    for bad in (-0.5, float("nan"), float("inf"), "2", True):
        with pytest.raises(ConfigError, match="replay_speed="):
            config.resolve_replay_speed(bad)


@pytest.mark.parametrize("bad", ["../elsewhere", "a/b", "", ".hidden", "x..y", 3])
def test_recordings_must_be_a_plain_folder_name(bad) -> None:
    with pytest.raises(ConfigError, match="not a folder name"):
        config.check_recordings_name(bad)
    assert config.check_recordings_name("01_quick_start") == "01_quick_start"


def test_a_default_region_applies_only_where_nothing_names_one(clean_env, monkeypatch) -> None:
    """The Chinese notebooks' setup cell says set_default_region("cn"): their learners' keys come from the China
    console. Whatever the learner set still wins: region=, MINIMAX_REGION, an ANTHROPIC_BASE_URL naming a region."""
    import helpers

    monkeypatch.setattr(config, "_default_region", "global")  # put back after the test, whatever it sets
    helpers.client.set_default_region("cn")
    assert config.resolve_region() == "cn"
    helpers.get_client(quiet=True)
    assert "region cn (https://api.minimaxi.com/anthropic)" in helpers.describe()
    helpers.get_client(region="global", quiet=True)
    assert "region global" in helpers.describe()
    monkeypatch.setenv("MINIMAX_REGION", "global")
    assert config.resolve_region() == "global"
    monkeypatch.delenv("MINIMAX_REGION")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://api.minimax.io/anthropic")
    helpers.get_client(quiet=True)
    assert "region global" in helpers.describe(), "MiniMax's own setup (ANTHROPIC_BASE_URL) still picks the region"


@pytest.mark.parametrize("bad", ["auto", "eu", ""])
def test_a_default_region_must_be_a_region(clean_env, monkeypatch, bad) -> None:
    monkeypatch.setattr(config, "_default_region", "global")
    with pytest.raises(ConfigError, match="'global', 'cn'"):
        config.set_default_region(bad)
    assert config.resolve_region() == "global"


def test_setting_errors_and_key_notes_speak_the_language_in_use(clean_env, monkeypatch) -> None:
    """Issue 21: a ConfigError and a key-search note are Chinese after set_language("zh-CN"), English after None."""
    import helpers

    (clean_env / ".env").write_text("MINIMAX_API_KEY=your-key-here\n")
    monkeypatch.chdir(clean_env)
    try:
        helpers.set_language("zh-CN")
        with pytest.raises(ConfigError, match="不是我们认识的 region"):
            config.resolve_region("moon")
        (note,) = config.find_key().notes
        assert "占位符" in note and "没有使用它" in note
    finally:
        helpers.set_language(None)
    with pytest.raises(ConfigError, match="is not a region we know"):
        config.resolve_region("moon")
    assert config.find_key().notes[0].endswith("Put your real MiniMax key there. It was not used.")
