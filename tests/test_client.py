"""get_client: mode choice, the banner, region auto-detection and the rules on where a key may go."""

from __future__ import annotations

import gc
import warnings

import anthropic
import pytest

import helpers
from helpers import client as config
from helpers.client import REPLAY_PLACEHOLDER_KEY, ConfigError
from helpers.server import ReplayServer

CANARY = "sk-canary-client-5d21e8b0"


def test_auto_mode_replays_without_a_key(clean_env, capsys) -> None:
    client = helpers.get_client()
    assert isinstance(client, anthropic.Anthropic)
    assert client.api_key == REPLAY_PLACEHOLDER_KEY
    assert str(client.base_url).rstrip("/") == "https://api.minimax.io/anthropic"
    banner = capsys.readouterr().out
    assert "mode replay" in banner and "key: none found" in banner
    assert config.replaying()  # what a live-only cell asks, whatever language describe() speaks


def test_replaying_is_false_live_and_in_any_language(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", CANARY)
    helpers.get_client()
    assert not config.replaying()
    monkeypatch.delenv("MINIMAX_API_KEY")
    helpers.set_language("zh-CN")
    try:
        helpers.get_client()
        assert config.replaying() and "mode replay" not in helpers.describe()
    finally:
        helpers.set_language(None)


def test_auto_mode_goes_live_with_a_key_and_never_shows_it(clean_env, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", CANARY)
    client = helpers.get_client(region="cn")
    assert client.api_key == CANARY
    assert str(client.base_url).rstrip("/") == "https://api.minimaxi.com/anthropic"
    shown = capsys.readouterr().out + helpers.describe()
    assert "mode live" in shown and "region cn" in shown and "environment (MINIMAX_API_KEY)" in shown
    assert CANARY not in shown and CANARY[:8] not in shown


def test_banner_is_printed_once_per_setup(clean_env, capsys) -> None:
    helpers.get_client()
    helpers.get_client()
    assert capsys.readouterr().out.count("MiniMax ·") == 1
    helpers.get_client(quiet=True, region="cn")
    assert capsys.readouterr().out == ""
    assert "region cn" in helpers.describe()


def test_replay_with_a_key_sends_nothing_and_uses_no_key(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("MINIMAX_API_KEY", CANARY)
    client = helpers.get_client(mode="replay", quiet=True)
    assert client.api_key == REPLAY_PLACEHOLDER_KEY
    assert "replay sends nothing" in helpers.describe()


@pytest.mark.parametrize("mode", ["live", "record"])
def test_live_and_record_need_a_key(clean_env, mode) -> None:
    with pytest.raises(ConfigError) as error:
        helpers.get_client(mode=mode)
    assert "needs a MiniMax API key" in str(error.value) and "mode='replay'" in str(error.value)


def test_bad_arguments_name_accepted_values(clean_env) -> None:
    with pytest.raises(ConfigError, match="'global', 'cn', 'auto'"):
        helpers.get_client(region="eu")
    with pytest.raises(ConfigError, match="'auto', 'live', 'replay', 'record'"):
        helpers.get_client(mode="offline")
    with pytest.raises(ConfigError, match="sets base_url itself"):
        helpers.get_client(base_url="https://example.com")


def test_client_kwargs_reach_the_sdk(clean_env) -> None:
    client = helpers.get_client(quiet=True, max_retries=5, timeout=12.5)
    assert client.max_retries == 5 and client.timeout == 12.5


def test_anthropic_base_url_of_minimax_china_selects_cn(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "https://api.minimaxi.com/anthropic")
    monkeypatch.setenv("ANTHROPIC_API_KEY", CANARY)
    client = helpers.get_client(quiet=True)
    assert client.api_key == CANARY
    assert "minimaxi.com" in str(client.base_url)


def test_real_anthropic_key_is_not_used(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", CANARY)
    client = helpers.get_client(quiet=True)
    assert client.api_key == REPLAY_PLACEHOLDER_KEY
    with pytest.raises(ConfigError):
        helpers.get_client(mode="live", quiet=True)


def test_minimax_base_url_overrides_region(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("MINIMAX_BASE_URL", "http://127.0.0.1:1")
    helpers.get_client(quiet=True)
    assert "region custom (http://127.0.0.1:1)" in helpers.describe()


def test_region_auto_finds_the_keys_region_and_remembers(clean_env, monkeypatch) -> None:
    global_key, cn_key = "sk-global-key-1234", CANARY
    with ReplayServer(api_keys={global_key}) as world, ReplayServer(api_keys={cn_key}) as china:
        monkeypatch.setattr(config, "REGIONS", {"global": world.url, "cn": china.url})
        client = helpers.get_client(region="auto", api_key=cn_key, quiet=True)
        assert str(client.base_url).rstrip("/") == china.url
        assert "region cn" in helpers.describe()
        probes = len(world.requests) + len(china.requests)
        assert probes == 2, "one refused probe (global) and one accepted (cn)"
        helpers.get_client(region="auto", api_key=cn_key, quiet=True)
        assert len(world.requests) + len(china.requests) == probes, "the answer is remembered for the process"
        assert helpers.get_client(region="auto", api_key=global_key, quiet=True).base_url.host == "127.0.0.1"
        assert "region global" in helpers.describe()


def test_region_auto_with_a_key_no_region_accepts(clean_env, monkeypatch) -> None:
    with ReplayServer(api_keys={"a-key-1"}) as world, ReplayServer(api_keys={"b-key-2"}) as china:
        monkeypatch.setattr(config, "REGIONS", {"global": world.url, "cn": china.url})
        with pytest.raises(ConfigError, match="refused \\(401\\) by every region"):
            helpers.get_client(region="auto", api_key="c-key-3", quiet=True)


def test_region_auto_in_replay_makes_no_request(clean_env) -> None:
    helpers.get_client(region="auto", quiet=True)
    assert "region global" in helpers.describe()


def test_recordings_outside_the_cassette_folder_are_refused(clean_env) -> None:
    with pytest.raises(ConfigError, match="not a folder name"):
        helpers.get_client(recordings="../../etc", quiet=True)


def test_region_probes_and_closed_clients_leave_no_open_connection(clean_env, monkeypatch) -> None:
    """The probe clients are closed after their one request, and closing a live client closes its pool."""
    with ReplayServer(api_keys={"a-key-1"}) as world, ReplayServer(api_keys={"b-key-2"}) as china:
        monkeypatch.setattr(config, "REGIONS", {"global": world.url, "cn": china.url})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            client = helpers.get_client(region="auto", api_key="b-key-2", quiet=True)
            client.close()
            gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
