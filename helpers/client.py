"""`get_client()`: an ordinary `anthropic.Anthropic` client pointed at MiniMax, live or on recordings (notebook 01),
from the settings and the key that `_settings.py` finds, built on the replay transport."""

from __future__ import annotations

import hashlib
import os
import weakref
from typing import Any, NamedTuple

import anthropic

from . import _settings as settings
from . import _setup_hint, compat
from ._i18n import gettext as _
from ._replay import browser
from ._replay.cassettes import CassetteLibrary
from ._replay.transport import make_http_client, make_transport
from ._sdk import CheckedAnthropic
from ._settings import REGIONS, SUPPORTED_MODELS, ConfigError, Endpoint, set_default_region  # noqa: F401
from .billing import UsageLog, attach

REPLAY_PLACEHOLDER_KEY = "replay-mode-no-key"
"""What the SDK is given as a key in replay mode: it insists on one, and nothing is ever sent."""


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

    region: 'global', 'cn' or 'auto' (default: MINIMAX_REGION, else 'global', or what set_default_region chose).
    mode: 'live', 'replay', 'record' or 'auto' (default: MINIMAX_MODE, else 'auto').
    recordings: the folder under data/cassettes that record mode writes to and replay looks in first.
    replay_speed: pace of replayed streams (1 = recorded pace, 0 = instant); default MINIMAX_REPLAY_SPEED.
    check: run helpers.compat's checks on every request before it is sent (errors raise, the rest warn once).
    Other keyword arguments go to `anthropic.Anthropic` (max_retries, timeout, default_headers, ...).
    """
    api_key = settings.hide_key(api_key)  # from here on, no local of this chain shows the key
    wanted_region, wanted_mode = settings.resolve_region(region), settings.resolve_mode(mode)
    recordings = recordings or os.environ.get("MINIMAX_RECORDINGS", "").strip() or "scratch"
    recordings = settings.check_recordings_name(recordings)
    settings.check_client_kwargs(client_kwargs)
    speed = settings.resolve_replay_speed(replay_speed)
    found = browser.keyless(settings.find_key(api_key), wanted_mode)  # a page cannot call MiniMax live (CORS)
    final_mode = settings.final_mode_for(wanted_mode, found)
    endpoint = _endpoint(region, wanted_region, final_mode, found)
    live = isinstance(found, settings.FoundKey) and final_mode != "replay"
    key = found.value if isinstance(found, settings.FoundKey) and live else REPLAY_PLACEHOLDER_KEY
    client = _build(endpoint, final_mode, key, recordings, speed, check, client_kwargs)
    if live:  # a set-up error (no network, wrong URL, refused key) is shown in a few lines in a notebook
        _setup_hint.watch()
    notes = found.notes if isinstance(found, settings.NoKey) else ()
    shown = settings.cassette_root()[1]
    setup = Setup(endpoint.region, endpoint.base_url, final_mode, found.source, recordings, shown, notes)
    global _last_setup
    _last_setup = _setups[client] = setup
    if not quiet and setup not in _banners_shown:  # the banner once per distinct setup
        _banners_shown.add(setup)
        print("\n".join([setup.line(), *(_("  note: {note}").format(note=note) for note in notes)]))
    return client


class Setup(NamedTuple):
    """What `get_client` decided, for `describe()` and the banner. Holds no key."""

    region: str
    base_url: str
    mode: str
    key_source: str
    recordings: str
    cassette_dir: str
    notes: tuple[str, ...] = ()

    def line(self) -> str:
        """The banner, in the language in use (helpers.set_language)."""
        where = {
            "replay": _("answers from recordings ({folder}, {recordings} first)"),
            "record": _("live, and writing recordings to {folder}/{name}"),
            "live": _("live"),
        }[self.mode].format(folder=self.cassette_dir, recordings=repr(self.recordings), name=self.recordings)
        key = _(self.key_source) + (_(" (replay sends nothing)") if self.mode == "replay" else "")
        return _("MiniMax · region {region} ({url}) · mode {mode}: {where} · key: {key}").format(
            region=self.region, url=self.base_url, mode=self.mode, where=where, key=key
        )


_last_setup: Setup | None = None
_setups: weakref.WeakKeyDictionary[anthropic.Anthropic, Setup] = weakref.WeakKeyDictionary()
_banners_shown: set[Setup] = set()
_auto_regions: dict[str, str] = {}


def describe() -> str:
    """One line on the client `get_client` built last: region, endpoint, mode and where the key came from."""
    return _last_setup.line() if _last_setup else _("No client yet: call helpers.get_client() first.")


def recordings_of(client: anthropic.Anthropic) -> str | None:
    """The recordings folder `client` was built with by `get_client`; None for any other client."""
    setup = _setups.get(client)
    return setup.recordings if setup else None


def replaying() -> bool:
    """True when the last client answers from recordings: live-only cells check it (notebooks 01, 03-05)."""
    return _last_setup is not None and _last_setup.mode == "replay"


def detect_region(key: str, *, transport: Any = None) -> str:
    """The region `key` belongs to (the other region answers 401), by a one-token request to each in turn. Only an
    answer or a 401 decides, and is remembered for the process (by a one-way hash, in memory only)."""
    tag = hashlib.sha256(key.encode()).hexdigest()
    if tag in _auto_regions:
        return _auto_regions[tag]
    answers = {}
    for region in REGIONS:
        answers[region] = _probe(key, region, transport)
        if answers[region] == "yes":
            _auto_regions[tag] = region
            return region
    if undecided := [region for region, answer in answers.items() if answer == "unknown"]:
        return undecided[0]  # not remembered: the next get_client asks again
    message = _(
        "region='auto': the key was refused (401) by every region ({regions}). "
        "Check that you copied the whole key from the MiniMax console, or create a new one."
    )
    raise ConfigError(message.format(regions=", ".join(answers)))


def _probe(key: str, region: str, transport: Any) -> str:
    """One-token request: 'yes' (a 4xx past authentication too), 'no' (401), or 'unknown' (says nothing of the key)."""
    url = REGIONS[region]
    http_client = make_http_client(make_transport(mode="live", upstream=transport, endpoint_label=url))
    probe = anthropic.Anthropic(api_key=key, base_url=url, max_retries=0, timeout=20, http_client=http_client)
    try:
        probe.messages.create(model=SUPPORTED_MODELS[0], max_tokens=1, messages=[{"role": "user", "content": "ping"}])
    except anthropic.AuthenticationError:
        return "no"
    except anthropic.APIStatusError as error:  # past the key check, unless busy, limited or failing
        return "unknown" if error.status_code in (408, 409, 429) or error.status_code >= 500 else "yes"
    except anthropic.APIError:
        return "unknown"
    finally:
        probe.close()  # its connection pool: a probe client is never used again
    return "yes"


def _endpoint(region: str | None, wanted: str, mode: str, found: settings.FoundKey | settings.NoKey) -> Endpoint:
    """Where requests go: MINIMAX_BASE_URL, else the region (probed for 'auto' with a live key; else one that
    ANTHROPIC_BASE_URL names when no region was asked for, or 'global')."""
    if custom := settings.custom_base_url():
        return Endpoint("custom", custom)
    named = settings.region_of_url(os.environ.get("ANTHROPIC_BASE_URL", ""))
    if wanted == "auto" and isinstance(found, settings.FoundKey) and mode != "replay":
        wanted = detect_region(found.value)
    elif wanted == "auto" or (region is None and "MINIMAX_REGION" not in os.environ and named):
        wanted = named or "global"
    return Endpoint(wanted, REGIONS[wanted])


def _build(
    endpoint: Endpoint, mode: str, key: str, recordings: str, speed: float, check: bool, client_kwargs: dict[str, Any]
) -> anthropic.Anthropic:
    """The SDK client on our transport, its usage log attached; `key` is a HiddenKey, shown in no frame's locals."""
    root, log = settings.cassette_root()[0], UsageLog()
    library = CassetteLibrary(root, prefer=recordings) if mode == "replay" else None
    hook = compat.check_hook if check else None
    transport = make_transport(
        observer=log.observe,
        mode=mode,
        library=library,
        record_dir=root / recordings,
        speed=speed,
        endpoint_label=endpoint.base_url,
        check=hook,
    )
    client = CheckedAnthropic(
        api_key=key, base_url=endpoint.base_url, http_client=make_http_client(transport), **client_kwargs
    )

    def precheck(method: str, path: str, body: dict[str, Any]) -> None:
        """Before the SDK serializes a request: NaN or an infinity refused by name, then compat's checks."""
        findings = compat.check_numbers(body)
        if findings:
            raise compat.RequestNotSupportedError(findings)
        if hook is not None:
            hook(method, path, body)

    client.precheck = precheck  # a refused request is never retried or half-sent
    attach(client, log)  # every call this client makes is logged: helpers.usage()
    return client


def live_client(base_url: str, key: str, *, check: bool = True, **client_kwargs: Any) -> anthropic.Anthropic:
    """A live client on `base_url`, checked and built as `get_client` builds one, for `python -m devtools doctor`."""
    settings.check_client_kwargs(client_kwargs)
    url = settings.check_base_url(base_url, source="base_url")
    endpoint = Endpoint(settings.region_of_url(url) or "custom", url)
    key = settings.checked_key(settings.hide_key(key), "the api_key argument")
    return _build(endpoint, "live", key, "scratch", 1.0, check, client_kwargs)
