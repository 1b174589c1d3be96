"""`get_client()`: an ordinary `anthropic.Anthropic` client pointed at MiniMax, live or on recordings.

Three jobs, in the order a call to `get_client` does them: read the settings (region, mode, endpoint,
replay pace, recordings folder; each bad value names what is accepted), find the key (argument,
MINIMAX_API_KEY, a `.env` file, a Colab secret) and build the client. Notebook 01 teaches it.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import anthropic

from . import compat
from ._replay.cassettes import DEFAULT_ROOT, CassetteLibrary
from ._replay.transport import make_http_client, make_transport
from .billing import UsageLog, attach
from .models import TAUGHT_MODELS

# -- settings -----------------------------------------------------------------------------------------------

REGIONS: dict[str, str] = {
    "global": "https://api.minimax.io/anthropic",
    "cn": "https://api.minimaxi.com/anthropic",
}
"""The two regions MiniMax serves its Anthropic-compatible endpoint from. Keys are bound to one of them."""

REGION_CHOICES = (*REGIONS, "auto")
MODE_CHOICES = ("auto", "live", "replay", "record")
MINIMAX_HOSTS = frozenset(urlparse(url).hostname for url in REGIONS.values())

SUPPORTED_MODELS: tuple[str, ...] = TAUGHT_MODELS
"""The three models MiniMax's Anthropic-compatible page lists, which the notebooks teach (later: helpers.models)."""


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


def resolve_replay_speed(value: float | None = None) -> float:
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


# -- the key ------------------------------------------------------------------------------------------------

KEY_NAME = "MINIMAX_API_KEY"
COLAB_HOWTO = (
    f"To use a key in Colab: click the key icon in the left bar, add a secret named {KEY_NAME} with your "
    "MiniMax key as its value, switch on 'Notebook access', then re-run the setup cell. Meanwhile the next "
    "key source, or else the recordings, are used"
)
_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True)
class FoundKey:
    """A key and a human description of its source. `repr` never shows the key."""

    value: str = field(repr=False)
    source: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoKey:
    """No key was found; `notes` says what was tried and how each source could be fixed."""

    notes: tuple[str, ...] = ()
    source: str = "none found"


def _checked(value: object, source: str) -> str:
    """Reject values that cannot be a key (wrong type, blank, whitespace inside, a placeholder)."""
    if not isinstance(value, str):
        raise ConfigError(f"The API key from {source} must be a string, not {type(value).__name__}.")
    key = value.strip()
    if not key:
        raise ConfigError(f"The API key from {source} is empty. Paste the whole key from the MiniMax console.")
    if _WHITESPACE.search(key):
        raise ConfigError(
            f"The API key from {source} contains spaces or line breaks. Paste the key alone, on one line."
        )
    if key.startswith(("${", "<")) or key.upper() in {"YOUR_API_KEY", "YOUR-API-KEY", "CHANGEME"}:
        raise ConfigError(f"The API key from {source} is a placeholder, not a key. Put your real MiniMax key there.")
    return key


def find_dotenv(start: Path | None = None) -> Path | None:
    """The nearest `.env` file in `start` (default: the working directory) or any folder above it."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / ".env"
        if path.is_file():
            return path
    return None


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse `KEY=value` lines (optional `export`, quotes and comments) without touching os.environ."""
    values: dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.partition("=")
        name = name.removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[name] = value
    return values


def colab_secret(name: str = KEY_NAME) -> tuple[str | None, str | None]:
    """Ask Colab's secrets for `name`. Returns (value, None), or (None, why-not) on any failure.

    `google.colab.userdata.get` raises SecretNotFoundError, NotebookAccessError, a timeout outside the
    Colab UI, or ValueError; none of these may crash a notebook, so every exception becomes a note.
    """
    try:
        from google.colab import userdata  # type: ignore[import-not-found]
    except Exception:
        return None, None
    try:
        value = userdata.get(name)
    except Exception as error:
        kind = type(error).__name__
        if "NotFound" in kind:
            hint = f"no Colab secret named {name}: add it under the key icon in the left bar"
        elif "Access" in kind:
            hint = f"this notebook has no access to the Colab secret {name}: switch on 'Notebook access' for it"
        elif "Timeout" in kind or "timeout" in str(error).lower():
            hint = "Colab's secrets did not answer in time (they only answer inside the Colab UI)"
        elif isinstance(error, ValueError):
            hint = f"Colab's secrets rejected the name {name!r} ({kind})"
        else:
            hint = f"Colab's secrets refused the request ({kind})"
        return None, f"{hint}. {COLAB_HOWTO}"
    if not value:
        return None, f"the Colab secret {name} is empty. {COLAB_HOWTO}"
    return value, None


def find_key(api_key: str | None = None, *, dotenv_start: Path | None = None) -> FoundKey | NoKey:
    """Look for the MiniMax key in the documented order and return it with its source, or NoKey."""
    if api_key is not None:
        return FoundKey(_checked(api_key, "the api_key argument"), "the api_key argument")
    env_value = os.environ.get(KEY_NAME)
    if env_value is not None and env_value.strip():
        return FoundKey(_checked(env_value, f"the environment variable {KEY_NAME}"), f"environment ({KEY_NAME})")
    notes: list[str] = []
    dotenv = find_dotenv(dotenv_start)
    if dotenv is not None:
        value = read_dotenv(dotenv).get(KEY_NAME)
        if value:
            return FoundKey(_checked(value, f"{KEY_NAME} in {dotenv}"), f".env file ({dotenv.name})")
    value, why_not = colab_secret()
    if value:
        return FoundKey(_checked(value, f"the Colab secret {KEY_NAME}"), f"Colab secret ({KEY_NAME})")
    if why_not:
        notes.append(why_not)
    anthropic_key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
    anthropic_base = os.environ.get("ANTHROPIC_BASE_URL", "").strip()
    if anthropic_key:
        if is_minimax_url(anthropic_base):
            return FoundKey(
                _checked(anthropic_key, "ANTHROPIC_API_KEY"),
                "environment (ANTHROPIC_API_KEY, as ANTHROPIC_BASE_URL names MiniMax)",
            )
        notes.append(
            "ANTHROPIC_API_KEY is set but ANTHROPIC_BASE_URL does not name a MiniMax endpoint, "
            "so it was left alone (it may be a real Anthropic key)"
        )
    return NoKey(tuple(notes))


# -- the client ---------------------------------------------------------------------------------------------

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
    for region, url in REGIONS.items():
        probe = anthropic.Anthropic(
            api_key=key,
            base_url=url,
            max_retries=1,
            timeout=20,
            http_client=make_http_client(transport) if transport is not None else None,
        )
        try:
            probe.messages.create(
                model=SUPPORTED_MODELS[0], max_tokens=1, messages=[{"role": "user", "content": "ping"}]
            )
        except anthropic.AuthenticationError:
            failures.append(region)
            continue
        except anthropic.APIStatusError:
            pass  # anything but 401 means the key was accepted here
        _auto_regions[tag] = region
        return region
    raise ConfigError(
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
    wanted_region = resolve_region(region)
    wanted_mode = resolve_mode(mode)
    recordings = check_recordings_name(recordings or os.environ.get("MINIMAX_RECORDINGS", "").strip() or "scratch")
    for reserved in ("api_key", "auth_token", "base_url", "http_client"):
        if reserved in client_kwargs:
            raise ConfigError(
                f"get_client() sets {reserved} itself. Pass the key as api_key=..., choose the endpoint with "
                "region= or MINIMAX_BASE_URL, and give a custom HTTP client to anthropic.Anthropic directly."
            )

    found = find_key(api_key)
    if wanted_mode == "auto":
        wanted_mode = "live" if isinstance(found, FoundKey) else "replay"
    if wanted_mode in ("live", "record") and isinstance(found, NoKey):
        tried = "".join(f"\n  - {note}" for note in found.notes)
        raise ConfigError(
            f"mode={wanted_mode!r} needs a MiniMax API key, and none was found.{tried}\n"
            "Set MINIMAX_API_KEY (environment, a .env file, or a Colab secret), pass api_key=..., "
            "or use mode='replay' to run on recordings."
        )

    custom = custom_base_url()
    anthropic_base = os.environ.get("ANTHROPIC_BASE_URL", "").strip()
    if custom:
        region_name, base_url = "custom", custom
    elif wanted_region == "auto":
        if isinstance(found, FoundKey) and wanted_mode != "replay":
            region_name = detect_region(found.value)
        else:
            region_name = region_of_url(anthropic_base) or "global"
        base_url = REGIONS[region_name]
    else:
        if region is None and "MINIMAX_REGION" not in os.environ and region_of_url(anthropic_base):
            wanted_region = region_of_url(anthropic_base) or wanted_region
        region_name, base_url = wanted_region, REGIONS[wanted_region]

    key = found.value if isinstance(found, FoundKey) and wanted_mode != "replay" else REPLAY_PLACEHOLDER_KEY
    key_source = found.source if wanted_mode != "replay" else f"{found.source} (replay sends nothing)"
    library = CassetteLibrary(_cassette_root(), prefer=recordings) if wanted_mode == "replay" else None
    log = UsageLog()
    transport = make_transport(
        observer=log.observe,
        mode=wanted_mode,
        library=library,
        record_dir=_cassette_root() / recordings,
        speed=resolve_replay_speed(replay_speed),
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
