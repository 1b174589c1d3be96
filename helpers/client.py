"""`get_client()`: an ordinary `anthropic.Anthropic` client pointed at MiniMax, live or on recordings."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anthropic

from . import compat, config
from .cassettes import DEFAULT_ROOT, CassetteLibrary
from .keys import FoundKey, NoKey, find_key
from .transport import make_http_client, make_transport
from .usage import UsageLog, attach

REPLAY_PLACEHOLDER_KEY = "replay-mode-no-key"
"""What the SDK is given as a key in replay mode: it insists on one, and nothing is ever sent."""


@dataclass(frozen=True)
class Setup:
    """What `get_client` decided, for `describe()`. Holds no key."""

    region: str
    base_url: str
    mode: str
    key_source: str
    recordings: str
    cassette_dir: str
    notes: tuple[str, ...] = ()

    def line(self) -> str:
        where = {
            "replay": f"answers from recordings ({self.cassette_dir}, {self.recordings!r} first)",
            "record": f"live, and writing recordings to {self.cassette_dir}/{self.recordings}",
            "live": "live",
        }[self.mode]
        return f"MiniMax · region {self.region} ({self.base_url}) · mode {self.mode}: {where} · key: {self.key_source}"


_last_setup: Setup | None = None
_banners_shown: set[Setup] = set()
_auto_regions: dict[str, str] = {}


def describe() -> str:
    """One line on the client `get_client` built last: region, endpoint, mode and where the key came from."""
    if _last_setup is None:
        return "No client yet: call helpers.get_client() first."
    return _last_setup.line()


def _cassette_root() -> Path:
    raw = os.environ.get("MINIMAX_CASSETTES", "").strip()
    return Path(raw).expanduser().resolve() if raw else DEFAULT_ROOT


def _shown(folder: Path) -> str:
    """A folder as the banner shows it: relative to the repository when inside it."""
    try:
        return str(folder.relative_to(DEFAULT_ROOT.parent.parent))
    except ValueError:
        return str(folder)


def _fingerprint(key: str) -> str:
    """A one-way, in-memory-only tag for a key, so `region='auto'` can remember its answer per key."""
    return hashlib.sha256(key.encode()).hexdigest()


def detect_region(key: str, *, transport: Any = None) -> str:
    """Find which region `key` belongs to: a key of the other region is answered with 401.

    Sends the cheapest real request (one token) to each region in turn, and remembers the answer for
    the rest of the process.
    """
    tag = _fingerprint(key)
    if tag in _auto_regions:
        return _auto_regions[tag]
    failures = []
    for region, url in config.REGIONS.items():
        probe = anthropic.Anthropic(
            api_key=key,
            base_url=url,
            max_retries=1,
            timeout=20,
            http_client=make_http_client(transport) if transport is not None else None,
        )
        try:
            probe.messages.create(
                model=config.SUPPORTED_MODELS[0], max_tokens=1, messages=[{"role": "user", "content": "ping"}]
            )
        except anthropic.AuthenticationError:
            failures.append(region)
            continue
        except anthropic.APIStatusError:
            pass  # anything but 401 means the key was accepted here
        _auto_regions[tag] = region
        return region
    raise config.ConfigError(
        f"region='auto': the key was refused (401) by every region ({', '.join(failures)}). "
        "Check that you copied the whole key from the MiniMax console, or create a new one."
    )


def get_client(
    *,
    region: str | None = None,
    mode: str | None = None,
    api_key: str | None = None,
    recordings: str | None = None,
    quiet: bool = False,
    replay_speed: float | None = None,
    check: bool = True,
    **client_kwargs: Any,
) -> anthropic.Anthropic:
    """An `anthropic.Anthropic` client for MiniMax, live when a key is found and on recordings when not.

    region: 'global', 'cn' or 'auto' (default: MINIMAX_REGION, else 'global').
    mode: 'live', 'replay', 'record' or 'auto' (default: MINIMAX_MODE, else 'auto').
    recordings: the folder under data/cassettes that record mode writes to and replay looks in first.
    replay_speed: pace of replayed streams (1 = recorded pace, 0 = instant); default MINIMAX_REPLAY_SPEED.
    check: run helpers.compat's checks on every request before it is sent (errors raise, the rest warn once).
    Other keyword arguments go to `anthropic.Anthropic` (max_retries, timeout, default_headers, ...).
    """
    global _last_setup
    wanted_region = config.resolve_region(region)
    wanted_mode = config.resolve_mode(mode)
    recordings = config.check_recordings_name(
        recordings or os.environ.get("MINIMAX_RECORDINGS", "").strip() or "scratch"
    )
    for reserved in ("api_key", "auth_token", "base_url", "http_client"):
        if reserved in client_kwargs:
            raise config.ConfigError(
                f"get_client() sets {reserved} itself. Pass the key as api_key=..., choose the endpoint with "
                "region= or MINIMAX_BASE_URL, and give a custom HTTP client to anthropic.Anthropic directly."
            )

    found = find_key(api_key)
    if wanted_mode == "auto":
        wanted_mode = "live" if isinstance(found, FoundKey) else "replay"
    if wanted_mode in ("live", "record") and isinstance(found, NoKey):
        tried = "".join(f"\n  - {note}" for note in found.notes)
        raise config.ConfigError(
            f"mode={wanted_mode!r} needs a MiniMax API key, and none was found.{tried}\n"
            "Set MINIMAX_API_KEY (environment, a .env file, or a Colab secret), pass api_key=..., "
            "or use mode='replay' to run on recordings."
        )

    custom = config.custom_base_url()
    anthropic_base = os.environ.get("ANTHROPIC_BASE_URL", "").strip()
    if custom:
        region_name, base_url = "custom", custom
    elif wanted_region == "auto":
        if isinstance(found, FoundKey) and wanted_mode != "replay":
            region_name = detect_region(found.value)
        else:
            region_name = config.region_of_url(anthropic_base) or "global"
        base_url = config.REGIONS[region_name]
    else:
        if region is None and "MINIMAX_REGION" not in os.environ and config.region_of_url(anthropic_base):
            wanted_region = config.region_of_url(anthropic_base) or wanted_region
        region_name, base_url = wanted_region, config.REGIONS[wanted_region]

    key = found.value if isinstance(found, FoundKey) and wanted_mode != "replay" else REPLAY_PLACEHOLDER_KEY
    key_source = found.source if wanted_mode != "replay" else f"{found.source} (replay sends nothing)"
    library = CassetteLibrary(_cassette_root(), prefer=recordings) if wanted_mode == "replay" else None
    log = UsageLog()
    transport = make_transport(
        observer=log.observe,
        mode=wanted_mode,
        library=library,
        record_dir=_cassette_root() / recordings,
        speed=config.replay_speed(replay_speed),
        endpoint_label=base_url,
        check=compat.check_hook if check else None,
    )
    client = anthropic.Anthropic(
        api_key=key, base_url=base_url, http_client=make_http_client(transport), **client_kwargs
    )
    attach(client, log)  # every call this client makes is logged: helpers.usage()
    notes = found.notes if isinstance(found, NoKey) else ()
    setup = Setup(region_name, base_url, wanted_mode, key_source, recordings, _shown(_cassette_root()), notes)
    _last_setup = setup
    if not quiet and setup not in _banners_shown:
        _banners_shown.add(setup)
        print(setup.line())
        for note in setup.notes:
            print(f"  note: {note}")
    return client
