"""Settings and the key search behind `get_client` (private: notebook 01 teaches what they do, `get_client`'s
banner and `describe()` say what they found). Each bad setting names what is accepted; the key is looked for in
the documented order (argument, MINIMAX_API_KEY, a `.env` file read by python-dotenv, a Colab secret, then
ANTHROPIC_API_KEY only when ANTHROPIC_BASE_URL names MiniMax) and held as a string whose `repr` hides it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from ._i18n import N_
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


_default_region = "global"


def set_default_region(region: str) -> None:
    """The region `get_client` uses when nothing names one (no region=, no MINIMAX_REGION, no ANTHROPIC_BASE_URL
    naming a MiniMax host): 'global' for the English notebooks, 'cn' for the Simplified Chinese ones (notebooks/zh-CN),
    whose learners' keys come from the China console. Their setup cell calls it; what a learner sets still wins."""
    global _default_region
    _default_region = _choice(region, name="region", env="", choices=tuple(REGIONS), default="global")


def resolve_region(region: str | None = None) -> str:
    """The region asked for: argument, else MINIMAX_REGION, else the default (set_default_region: 'global')."""
    return _choice(region, name="region", env="MINIMAX_REGION", choices=REGION_CHOICES, default=_default_region)


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


def _shown_url(parsed: Any) -> str:
    """A URL as messages may show it: scheme, host, port and path only (never a user, password, query or fragment)."""
    host = parsed.hostname or ""
    host = f"[{host}]" if ":" in host else host
    try:
        port = f":{parsed.port}" if parsed.port is not None else ""
    except ValueError:
        port = ""
    return f"{parsed.scheme}://{host}{port}{parsed.path}"


def _is_anthropic_host(host: str) -> bool:
    """True for anthropic.com and its subdomains, however spelled (case, a trailing dot)."""
    host = host.lower().rstrip(".")
    return host == "anthropic.com" or host.endswith(".anthropic.com")


def check_base_url(url: str, *, source: str) -> str:
    """Validate a custom base URL (a gateway or a local server) and return it without a trailing slash.

    A URL carrying credentials (`user:password@`, a query such as `?token=`, a fragment) is refused, and the
    message shows the URL without them: the key goes in MINIMAX_API_KEY, never in a URL that is printed and logged.
    """
    example = "Give a full base URL such as 'https://api.minimax.io/anthropic' or 'http://127.0.0.1:8765'."
    try:
        parsed = urlparse(url.strip())
        port_ok = parsed.port is None or parsed.port > 0
    except ValueError as error:  # an unclosed IPv6 bracket, a port that is not a number or above 65535
        why = "its port must be a number from 1 to 65535" if "port" in str(error).lower() else str(error)
        del url
        raise ConfigError(f"{source} is not a usable URL ({why}). {example}") from None
    shown = _shown_url(parsed)
    if parsed.username is not None or parsed.password is not None or parsed.query or parsed.fragment:
        del url, parsed  # a traceback that prints locals must not show the secret either
        raise ConfigError(
            f"{source} carries credentials (a user or password before '@', a query or a fragment); nothing was "
            f"sent. Give the bare endpoint, {shown!r}, and put the key in {KEY_NAME} (or pass api_key=...)."
        )
    if parsed.scheme not in ("http", "https") or not parsed.hostname or not port_ok:
        raise ConfigError(f"{source}={shown!r} is not a usable URL. {example}")
    if _is_anthropic_host(parsed.hostname):
        raise ConfigError(
            f"{source}={shown!r} points at Anthropic's own API. A MiniMax key must never be sent there; "
            "leave it unset to use MiniMax's endpoint for your region."
        )
    return url.strip().rstrip("/")


@dataclass(frozen=True)
class Endpoint:
    """Where requests go: the region's name (or 'custom') and its base URL."""

    region: str
    base_url: str


def custom_base_url() -> str | None:
    """MINIMAX_BASE_URL, checked, when set (no local holds it: a refused URL may carry a password)."""
    if not os.environ.get("MINIMAX_BASE_URL", "").strip():
        return None
    return check_base_url(os.environ["MINIMAX_BASE_URL"], source="MINIMAX_BASE_URL")


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


_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")


def check_recordings_name(name: str) -> str:
    """A recordings folder name: one plain folder under data/cassettes (at most 80 characters), never a path."""
    if not isinstance(name, str) or not _FOLDER_NAME.fullmatch(name) or ".." in name:
        raise ConfigError(
            f"recordings={name!r} is not a folder name we can use. Give a plain name such as '01_quick_start' "
            "(letters, digits, '_', '-', '.'; no slashes or line breaks; at most 80 characters): "
            "recordings live in data/cassettes/<name>/."
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
_PLACEHOLDER = re.compile(r"(your[-_ ]?(api[-_ ]?)?key([-_ ]?here)?|changeme|xxx+|\.\.\.|sk-\.\.\.)", re.IGNORECASE)


class HiddenKey(str):
    """A key as a `str` (the SDK takes it as one) whose `repr` never shows it, so a traceback printed with every
    frame's locals (IPython's verbose mode, a debugger, a crash reporter) shows `<key, not shown>` instead."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<key, not shown>"


_T = TypeVar("_T")


def hide_key(value: _T) -> _T:
    """`value` as a HiddenKey when it is a string, else unchanged (a wrong type is refused later, by name)."""
    return HiddenKey(value) if isinstance(value, str) and not isinstance(value, HiddenKey) else value  # type: ignore[return-value]


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
    source: str = N_("none found")


def checked_key(value: object, source: str) -> str:
    """Reject values that cannot be a key (wrong type, blank, whitespace inside, a placeholder)."""
    value = hide_key(value)
    if not isinstance(value, str):
        raise ConfigError(f"The API key from {source} must be a string, not {type(value).__name__}.")
    key = HiddenKey(value.strip())
    if not key:
        raise ConfigError(f"The API key from {source} is empty. Paste the whole key from the MiniMax console.")
    if _WHITESPACE.search(key):
        raise ConfigError(
            f"The API key from {source} contains spaces or line breaks. Paste the key alone, on one line."
        )
    if not key.isascii() or not key.isprintable():
        raise ConfigError(
            f"The API key from {source} contains a character a key never has (a control character such as NUL, "
            "or a non-ASCII letter). Copy the key again from the MiniMax console, on its own."
        )
    if key.startswith(("${", "<")) or _PLACEHOLDER.fullmatch(key):
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
    """The `KEY=value` pairs of a `.env` file as python-dotenv reads them (the reader anthropics/courses teaches):
    quotes, `export`, comments, multi-line quoted values, escaped quotes, `${VAR}` from the environment, a byte-order
    mark. It never touches os.environ. A file that is not UTF-8 raises UnicodeDecodeError (find_key makes it a note).
    """
    from dotenv import dotenv_values  # imported when a .env file is there: `import helpers` stays fast

    return {name: value for name, value in dotenv_values(path, encoding="utf-8-sig").items() if value is not None}


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


def _dotenv_key(path: Path) -> tuple[FoundKey | None, str | None]:
    """The key in a `.env` file, or (None, a note saying what is wrong with the file and how to fix it).

    A `.env` file may sit in any parent folder and belong to another project: replay never needs a key, so
    an unreadable file or a placeholder value there is a note, not an error."""
    try:
        value = read_dotenv(path).get(KEY_NAME)
    except ImportError:
        return None, f"{path} was not read: reading a .env file needs python-dotenv (pip install python-dotenv)"
    except (OSError, UnicodeDecodeError) as error:
        return None, f"{path} could not be read ({type(error).__name__}): save it as UTF-8 text, or remove it"
    if not value:
        return None, None
    try:
        return FoundKey(
            checked_key(value, f"{KEY_NAME} in {path}"), N_(".env file (.env)")
        ), None  # find_dotenv finds files named .env only
    except ConfigError as error:
        return None, f"{error} It was not used."


def find_key(api_key: str | None = None, *, dotenv_start: Path | None = None) -> FoundKey | NoKey:
    """Look for the MiniMax key in the documented order and return it with its source, or NoKey."""
    if api_key is not None:
        return FoundKey(checked_key(api_key, "the api_key argument"), N_("the api_key argument"))
    env_value = hide_key(os.environ.get(KEY_NAME))
    if isinstance(env_value, str) and env_value.strip():
        return FoundKey(
            checked_key(env_value, f"the environment variable {KEY_NAME}"), N_("environment (MINIMAX_API_KEY)")
        )
    notes: list[str] = []
    dotenv = find_dotenv(dotenv_start)
    if dotenv is not None:
        found, note = _dotenv_key(dotenv)
        if found is not None:
            return found
        if note:
            notes.append(note)
    value, why_not = colab_secret()
    value = hide_key(value)
    if value:
        return FoundKey(checked_key(value, f"the Colab secret {KEY_NAME}"), N_("Colab secret (MINIMAX_API_KEY)"))
    if why_not:
        notes.append(why_not)
    anthropic_key = HiddenKey(os.environ.get("ANTHROPIC_API_KEY", "").strip())
    anthropic_base = os.environ.get("ANTHROPIC_BASE_URL", "").strip()
    if anthropic_key:
        if is_minimax_url(anthropic_base):
            return FoundKey(
                checked_key(anthropic_key, "ANTHROPIC_API_KEY"),
                N_("environment (ANTHROPIC_API_KEY, as ANTHROPIC_BASE_URL names MiniMax)"),
            )
        notes.append(
            "ANTHROPIC_API_KEY is set but ANTHROPIC_BASE_URL does not name a MiniMax endpoint, "
            "so it was left alone (it may be a real Anthropic key)"
        )
    return NoKey(tuple(notes))
