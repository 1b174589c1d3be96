"""Regions, modes and endpoints: turn arguments and environment variables into one checked setting.

Everything here is plain data and validation, so it can be tested without a network or an SDK.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import urlparse

REGIONS: dict[str, str] = {
    "global": "https://api.minimax.io/anthropic",
    "cn": "https://api.minimaxi.com/anthropic",
}
"""The two regions MiniMax serves its Anthropic-compatible endpoint from. Keys are bound to one of them."""

REGION_CHOICES = (*REGIONS, "auto")
MODE_CHOICES = ("auto", "live", "replay", "record")
MINIMAX_HOSTS = frozenset(urlparse(url).hostname for url in REGIONS.values())

SUPPORTED_MODELS: tuple[str, ...] = ("MiniMax-M2.1", "MiniMax-M2.1-lightning", "MiniMax-M2")
"""The only models the Anthropic-compatible endpoint serves (spec: Supported Models)."""


class ConfigError(ValueError):
    """A setting (argument or environment variable) has a value we cannot use; the message says which values work."""


def _choice(value: str | None, *, name: str, env: str, choices: tuple[str, ...], default: str) -> str:
    """Return the argument, else the environment variable, else the default, checked against `choices`."""
    source = f"{name}={value!r}"
    if value is None:
        raw = os.environ.get(env, "").strip()
        value, source = (raw, f"{env}={raw!r}") if raw else (default, "")
    normalized = value.strip().lower() if isinstance(value, str) else value
    if normalized not in choices:
        accepted = ", ".join(repr(c) for c in choices)
        raise ConfigError(f"{source} is not a {name} we know. Use one of {accepted}.")
    return normalized


def resolve_region(region: str | None = None) -> str:
    """The region asked for: argument, else MINIMAX_REGION, else 'global'."""
    return _choice(region, name="region", env="MINIMAX_REGION", choices=REGION_CHOICES, default="global")


def resolve_mode(mode: str | None = None) -> str:
    """The mode asked for: argument, else MINIMAX_MODE, else 'auto' (live with a key, replay without)."""
    return _choice(mode, name="mode", env="MINIMAX_MODE", choices=MODE_CHOICES, default="auto")


def is_minimax_url(url: str | None) -> bool:
    """True when `url` points at one of MiniMax's own hosts (either region)."""
    if not url:
        return False
    return urlparse(url.strip()).hostname in MINIMAX_HOSTS


def region_of_url(url: str) -> str | None:
    """The region whose host `url` names, or None for any other host."""
    host = urlparse(url.strip()).hostname
    for name, region_url in REGIONS.items():
        if urlparse(region_url).hostname == host:
            return name
    return None


def check_base_url(url: str, *, source: str) -> str:
    """Validate a custom base URL (a gateway or a local server) and return it without a trailing slash."""
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(
            f"{source}={url!r} is not a usable URL. Give a full base URL such as "
            f"'https://api.minimax.io/anthropic' or 'http://127.0.0.1:8765'."
        )
    if parsed.hostname.endswith("anthropic.com"):
        raise ConfigError(
            f"{source}={url!r} points at Anthropic's own API. A MiniMax key must never be sent there; "
            "leave it unset to use MiniMax's endpoint for your region."
        )
    return url.strip().rstrip("/")


@dataclass(frozen=True)
class Endpoint:
    """Where requests go: the region's name (or 'custom') and its base URL."""

    region: str
    base_url: str


def custom_base_url() -> str | None:
    """MINIMAX_BASE_URL, checked, when set."""
    raw = os.environ.get("MINIMAX_BASE_URL", "").strip()
    return check_base_url(raw, source="MINIMAX_BASE_URL") if raw else None


def replay_speed(value: float | None = None) -> float:
    """The pace of replayed streams, as a factor on recorded timing: 1 = real pace (default), 0 = as fast as
    possible. The argument wins; else MINIMAX_REPLAY_SPEED."""
    if value is not None:
        source, speed = f"replay_speed={value!r}", value
    else:
        raw = os.environ.get("MINIMAX_REPLAY_SPEED", "").strip()
        if not raw:
            return 1.0
        source = f"MINIMAX_REPLAY_SPEED={raw!r}"
        try:
            speed = float(raw)
        except ValueError:
            speed = -1.0
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not 0 <= speed < float("inf"):
        raise ConfigError(
            f"{source} is not a pace we can use. Give a number >= 0: "
            "1 replays at the recorded pace, 2 twice as fast, 0 as fast as possible."
        )
    return float(speed)


_FOLDER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def check_recordings_name(name: str) -> str:
    """A recordings folder name: one plain folder under data/cassettes, never a path elsewhere."""
    if not isinstance(name, str) or not _FOLDER_NAME.match(name) or ".." in name:
        raise ConfigError(
            f"recordings={name!r} is not a folder name we can use. Give a plain name such as '01_quick_start' "
            "(letters, digits, '_', '-', '.'; no slashes): recordings live in data/cassettes/<name>/."
        )
    return name
