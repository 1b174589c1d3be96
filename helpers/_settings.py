"""Settings and the key search behind `get_client` (notebook 01 teaches them). A bad setting is refused with what is
accepted; the key is looked for in the documented order (find_key) and held as a string whose `repr` hides it."""

from __future__ import annotations

import difflib
import inspect
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

import anthropic

from ._i18n import N_
from ._i18n import gettext as _
from ._replay.cassettes import DEFAULT_ROOT
from .models import TAUGHT_MODELS

REGIONS: dict[str, str] = {"global": "https://api.minimax.io/anthropic", "cn": "https://api.minimaxi.com/anthropic"}
"""The two regions MiniMax serves its Anthropic-compatible endpoint from. Keys are bound to one of them."""
SUPPORTED_MODELS: tuple[str, ...] = TAUGHT_MODELS  # the three models MiniMax's page lists (helpers.models)


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
        message = _("{source} is not a {name} we know. Use one of {accepted}.")
        raise ConfigError(message.format(source=source, name=name, accepted=", ".join(map(repr, choices))))
    return normalized


_default_region = "global"


def set_default_region(region: str) -> None:
    """The region used when nothing names one: 'cn' in the Simplified Chinese notebooks. A learner's setting wins."""
    global _default_region
    _default_region = _choice(region, name="region", env="", choices=tuple(REGIONS), default="global")


def resolve_region(region: str | None = None) -> str:
    """The region asked for: argument, else MINIMAX_REGION, else the default (set_default_region: 'global')."""
    return _choice(region, name="region", env="MINIMAX_REGION", choices=(*REGIONS, "auto"), default=_default_region)


def resolve_mode(mode: str | None = None) -> str:
    """The mode asked for: argument, else MINIMAX_MODE, else 'auto' (live with a key, replay without)."""
    return _choice(mode, name="mode", env="MINIMAX_MODE", choices=("auto", "live", "replay", "record"), default="auto")


def region_of_url(url: str) -> str | None:
    """The region whose host `url` names, or None for any other host (or no URL)."""
    hosts = {urlparse(region_url).hostname: name for name, region_url in REGIONS.items()}
    return hosts.get(urlparse(url.strip()).hostname)


def check_base_url(url: str, *, source: str) -> str:
    """A custom base URL, checked, without a trailing slash; one carrying credentials is refused without them."""
    example = _("Give a full base URL such as 'https://api.minimax.io/anthropic' or 'http://127.0.0.1:8765'.")
    try:
        parsed = urlparse(url.strip())
        port_ok = parsed.port is None or parsed.port > 0
    except ValueError as error:  # an unclosed IPv6 bracket, a port that is not a number or above 65535
        why = _("its port must be a number from 1 to 65535") if "port" in str(error).lower() else str(error)
        del url
        message = _("{source} is not a usable URL ({why}). {example}")
        raise ConfigError(message.format(source=source, why=why, example=example)) from None
    shown = f"{parsed.scheme}://{parsed.netloc.rpartition('@')[2]}{parsed.path}"  # no user, password, query, fragment
    if parsed.username is not None or parsed.password is not None or parsed.query or parsed.fragment:
        del url, parsed  # a traceback that prints locals must not show the secret either
        message = _(
            "{source} carries credentials (a user or password before '@', a query or a fragment); nothing was "
            "sent. Give the bare endpoint, {shown!r}, and put the key in MINIMAX_API_KEY (or pass api_key=...)."
        )
    elif parsed.scheme not in ("http", "https") or not parsed.hostname or not port_ok:
        message = _("{source}={shown!r} is not a usable URL. {example}")
    elif re.fullmatch(r"(.*\.)?anthropic\.com\.*", str(parsed.hostname)):
        message = _(
            "{source}={shown!r} points at Anthropic's own API. A MiniMax key must never be sent there; "
            "leave it unset to use MiniMax's endpoint for your region."
        )
    else:
        return url.strip().rstrip("/")
    raise ConfigError(message.format(source=source, shown=shown, example=example))


class Endpoint(NamedTuple):
    """Where requests go: the region's name (or 'custom') and its base URL."""

    region: str
    base_url: str


def custom_base_url() -> str | None:
    """MINIMAX_BASE_URL, checked, when set (no local holds it: a refused URL may carry a password)."""
    if not os.environ.get("MINIMAX_BASE_URL", "").strip():
        return None
    return check_base_url(os.environ["MINIMAX_BASE_URL"], source="MINIMAX_BASE_URL")


def resolve_replay_speed(value: float | None = None) -> float:
    """The pace of replayed streams (1 = recorded, 0 = instant): argument, else MINIMAX_REPLAY_SPEED, else 1."""
    raw = os.environ.get("MINIMAX_REPLAY_SPEED", "").strip()
    try:
        speed: Any = value if value is not None else float(raw or 1)
    except ValueError:
        speed = -1.0
    if isinstance(speed, bool) or not isinstance(speed, (int, float)) or not 0 <= speed < float("inf"):
        message = _(
            "{source} is not a pace we can use. Give a number >= 0: "
            "1 replays at the recorded pace, 2 twice as fast, 0 as fast as possible."
        )
        source = f"replay_speed={value!r}" if value is not None else f"MINIMAX_REPLAY_SPEED={raw!r}"
        raise ConfigError(message.format(source=source))
    return float(speed)


def check_recordings_name(name: str) -> str:
    """A recordings folder name: one plain folder under data/cassettes (at most 80 characters), never a path."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}", name) or ".." in name:
        message = _(
            "recordings={name!r} is not a folder name we can use. Give a plain name such as '01_quick_start' "
            "(letters, digits, '_', '-', '.'; no slashes or line breaks; at most 80 characters): "
            "recordings live in data/cassettes/<name>/."
        )
        raise ConfigError(message.format(name=name))
    return name


def cassette_root() -> tuple[Path, str]:
    """Where recordings live (MINIMAX_CASSETTES, else data/cassettes), and the banner's name for it."""
    raw = os.environ.get("MINIMAX_CASSETTES", "").strip()
    root, repository = (Path(raw).expanduser().resolve() if raw else DEFAULT_ROOT), DEFAULT_ROOT.parent.parent
    return root, str(root.relative_to(repository) if root.is_relative_to(repository) else root)


_RESERVED_KWARGS = ("api_key", "auth_token", "base_url", "http_client")


def check_client_kwargs(client_kwargs: dict[str, Any]) -> None:
    """Refuse, before a key is read, keyword arguments that get_client sets itself, that `anthropic.Anthropic` does
    not take (the closest names are suggested), and retries or timeouts that cannot work."""
    for reserved in _RESERVED_KWARGS:
        if reserved in client_kwargs:
            message = _(
                "get_client() sets {reserved} itself. Pass the key as api_key=..., choose the endpoint with "
                "region= or MINIMAX_BASE_URL, and give a custom HTTP client to anthropic.Anthropic directly."
            )
            raise ConfigError(message.format(reserved=reserved))
    accepted = [name for name in inspect.signature(anthropic.Anthropic).parameters if name not in _RESERVED_KWARGS]
    for name in client_kwargs:
        if name not in accepted:
            close = difflib.get_close_matches(name, accepted, n=2)
            hint = _(" Did you mean {names}?") if close else _(" It takes: {names}.")
            hint = hint.format(names=" or ".join(close) if close else ", ".join(sorted(accepted)))
            message = _("get_client() got {name}=, which anthropic.Anthropic does not take.{hint}")
            raise ConfigError(message.format(name=name, hint=hint))
    retries = client_kwargs.get("max_retries", 0)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        message = _("max_retries={value!r} must be a whole number, 0 or more (the SDK's default is 2).")
        raise ConfigError(message.format(value=retries))
    timeout = client_kwargs.get("timeout")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and not 0 < timeout < float("inf"):
        message = _("timeout={value!r} must be a number of seconds above 0, e.g. timeout=120.")
        raise ConfigError(message.format(value=timeout))


# -- the key: argument, MINIMAX_API_KEY, a `.env` file (python-dotenv), a Colab secret, then ANTHROPIC_API_KEY only
# when ANTHROPIC_BASE_URL names MiniMax ------------------------------------------------------------------------

KEY_NAME = "MINIMAX_API_KEY"
COLAB_HOWTO = N_(
    "To use a key in Colab: click the key icon in the left bar, add a secret named MINIMAX_API_KEY with your "
    "MiniMax key as its value, switch on 'Notebook access', then re-run the setup cell. Meanwhile the next "
    "key source, or else the recordings, are used"
)
_PLACEHOLDER = re.compile(r"(your[-_ ]?(api[-_ ]?)?key([-_ ]?here)?|changeme|xxx+|\.\.\.|sk-\.\.\.)", re.IGNORECASE)


class HiddenKey(str):
    """A key as a `str` whose `repr` never shows it, not even in a traceback printed with every frame's locals."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<key, not shown>"


def hide_key(value: Any) -> Any:
    """`value` as a HiddenKey when it is a string, else unchanged (a wrong type is refused later, by name)."""
    return HiddenKey(value) if isinstance(value, str) else value


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
        message = _("The API key from {source} must be a string, not {kind}.")
        raise ConfigError(message.format(source=source, kind=type(value).__name__))
    key = HiddenKey(value.strip())
    if not key:
        message = _("The API key from {source} is empty. Paste the whole key from the MiniMax console.")
    elif re.search(r"\s", key):
        message = _("The API key from {source} contains spaces or line breaks. Paste the key alone, on one line.")
    elif not key.isascii() or not key.isprintable():
        message = _(
            "The API key from {source} contains a character a key never has (a control character such as NUL, "
            "or a non-ASCII letter). Copy the key again from the MiniMax console, on its own."
        )
    elif key.startswith(("${", "<")) or _PLACEHOLDER.fullmatch(key):
        message = _("The API key from {source} is a placeholder, not a key. Put your real MiniMax key there.")
    else:
        return key
    raise ConfigError(message.format(source=source))


def read_dotenv(path: Path) -> dict[str, str]:
    """The `KEY=value` pairs of a `.env` file as python-dotenv reads them (as anthropics/courses teaches), never
    touching os.environ. A file that is not UTF-8 raises UnicodeDecodeError (find_key makes it a note)."""
    from dotenv import dotenv_values  # imported when a .env file is there: `import helpers` stays fast

    return {name: value for name, value in dotenv_values(path, encoding="utf-8-sig").items() if value is not None}


def colab_secret(name: str = KEY_NAME) -> tuple[str | None, str | None]:
    """Ask Colab's secrets for `name`: (value, None), or (None, why not); no failure may crash a notebook."""
    try:
        from google.colab import userdata  # type: ignore[import-not-found]
    except Exception:
        return None, None
    try:
        value = hide_key(userdata.get(name))
    except Exception as error:  # SecretNotFoundError, NotebookAccessError, a timeout outside the UI, ValueError
        kind = type(error).__name__
        if "NotFound" in kind:
            hint = _("no Colab secret named {name}: add it under the key icon in the left bar")
        elif "Access" in kind:
            hint = _("this notebook has no access to the Colab secret {name}: switch on 'Notebook access' for it")
        elif "Timeout" in kind or "timeout" in str(error).lower():
            hint = _("Colab's secrets did not answer in time (they only answer inside the Colab UI)")
        elif isinstance(error, ValueError):
            hint = _("Colab's secrets rejected the name {name!r} ({kind})")
        else:
            hint = _("Colab's secrets refused the request ({kind})")
        return None, f"{hint.format(name=name, kind=kind)}. {_(COLAB_HOWTO)}"
    if not value:
        return None, _("the Colab secret {name} is empty. {howto}").format(name=name, howto=_(COLAB_HOWTO))
    return value, None


def _dotenv_key() -> tuple[FoundKey | None, str | None]:
    """The key in the nearest `.env` file at or above the working folder, or (None, what is wrong with the file): it
    may belong to another project, and replay never needs a key, so its problems are notes, not errors."""
    folder = Path.cwd().resolve()
    path = next((f / ".env" for f in (folder, *folder.parents) if (f / ".env").is_file()), None)
    try:
        value = read_dotenv(path).get(KEY_NAME) if path is not None else None
    except ImportError:
        note = _("{path} was not read: reading a .env file needs python-dotenv (pip install python-dotenv)")
        return None, note.format(path=path)
    except (OSError, UnicodeDecodeError) as error:
        note = _("{path} could not be read ({kind}): save it as UTF-8 text, or remove it")
        return None, note.format(path=path, kind=type(error).__name__)
    if not value:
        return None, None
    try:
        return FoundKey(checked_key(value, f"{KEY_NAME} in {path}"), N_(".env file (.env)")), None
    except ConfigError as error:
        return None, _("{error} It was not used.").format(error=error)


def find_key(api_key: str | None = None) -> FoundKey | NoKey:
    """Look for the MiniMax key in the documented order and return it with its source, or NoKey with notes."""
    if api_key is not None:
        return FoundKey(checked_key(api_key, _("the api_key argument")), N_("the api_key argument"))
    env_value = HiddenKey(os.environ.get(KEY_NAME, ""))
    if env_value.strip():
        source = _("the environment variable {name}").format(name=KEY_NAME)
        return FoundKey(checked_key(env_value, source), N_("environment (MINIMAX_API_KEY)"))
    found, note = _dotenv_key()
    if found is not None:
        return found
    value, why_not = colab_secret()
    if value:
        source = _("the Colab secret {name}").format(name=KEY_NAME)
        return FoundKey(checked_key(value, source), N_("Colab secret (MINIMAX_API_KEY)"))
    notes = [text for text in (note, why_not) if text]
    anthropic_key = HiddenKey(os.environ.get("ANTHROPIC_API_KEY", "").strip())
    if anthropic_key and region_of_url(os.environ.get("ANTHROPIC_BASE_URL", "")):
        source = N_("environment (ANTHROPIC_API_KEY, as ANTHROPIC_BASE_URL names MiniMax)")
        return FoundKey(checked_key(anthropic_key, "ANTHROPIC_API_KEY"), source)
    if anthropic_key:
        notes.append(
            _(
                "ANTHROPIC_API_KEY is set but ANTHROPIC_BASE_URL does not name a MiniMax endpoint, "
                "so it was left alone (it may be a real Anthropic key)"
            )
        )
    return NoKey(tuple(notes))


def final_mode_for(wanted: str, found: FoundKey | NoKey) -> str:
    """'auto' becomes live with a key and replay without; live and record without a key are refused."""
    mode = ("live" if isinstance(found, FoundKey) else "replay") if wanted == "auto" else wanted
    if mode in ("live", "record") and isinstance(found, NoKey):
        message = _(
            "mode={mode!r} needs a MiniMax API key, and none was found.{tried}\n"
            "Set MINIMAX_API_KEY (environment, a .env file, or a Colab secret), pass api_key=..., "
            "or use mode='replay' to run on recordings."
        )
        raise ConfigError(message.format(mode=mode, tried="".join(f"\n  - {note}" for note in found.notes)))
    return mode
