"""`get_client()`: an ordinary `anthropic.Anthropic` client pointed at MiniMax, live or on recordings.

Three jobs, in the order a call to `get_client` does them: read the settings (region, mode, endpoint,
replay pace, recordings folder; each bad value names what is accepted), find the key (argument,
MINIMAX_API_KEY, a `.env` file, a Colab secret) and build the client. Notebook 01 teaches it.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import inspect
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import anthropic

from . import compat
from ._replay.cassettes import DEFAULT_ROOT, CassetteLibrary
from ._replay.transport import make_http_client, make_transport
from ._sdk import CheckedAnthropic
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


def _hidden(value: _T) -> _T:
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
    source: str = "none found"


def _checked(value: object, source: str) -> str:
    """Reject values that cannot be a key (wrong type, blank, whitespace inside, a placeholder)."""
    value = _hidden(value)
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
        return FoundKey(_checked(value, f"{KEY_NAME} in {path}"), f".env file ({path.name})"), None
    except ConfigError as error:
        return None, f"{error} It was not used."


def find_key(api_key: str | None = None, *, dotenv_start: Path | None = None) -> FoundKey | NoKey:
    """Look for the MiniMax key in the documented order and return it with its source, or NoKey."""
    if api_key is not None:
        return FoundKey(_checked(api_key, "the api_key argument"), "the api_key argument")
    env_value = _hidden(os.environ.get(KEY_NAME))
    if isinstance(env_value, str) and env_value.strip():
        return FoundKey(_checked(env_value, f"the environment variable {KEY_NAME}"), f"environment ({KEY_NAME})")
    notes: list[str] = []
    dotenv = find_dotenv(dotenv_start)
    if dotenv is not None:
        found, note = _dotenv_key(dotenv)
        if found is not None:
            return found
        if note:
            notes.append(note)
    value, why_not = colab_secret()
    value = _hidden(value)
    if value:
        return FoundKey(_checked(value, f"the Colab secret {KEY_NAME}"), f"Colab secret ({KEY_NAME})")
    if why_not:
        notes.append(why_not)
    anthropic_key = HiddenKey(os.environ.get("ANTHROPIC_API_KEY", "").strip())
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


def _precheck(transport: Any, method: str, path: str, body: dict[str, Any]) -> None:
    """Before the SDK serializes a request: refuse NaN or an infinity by name (the SDK's own error names neither
    field nor fix), then run the transport's checks, so a refused request is never retried or half-sent."""
    findings = compat.check_numbers(body)
    if findings:
        raise compat.RequestNotSupportedError(findings)
    if transport.check is not None:
        transport.check(method, path, body)


def _probe(key: str, region: str, transport: Any) -> str:
    """One-token request to `region` with `key`: 'yes' (answered), 'no' (401: not this region's key) or
    'unknown' (busy, rate-limited, failing, unreachable: says nothing about the key). Another 4xx means the
    key got past authentication, so it is this region's."""
    url = REGIONS[region]
    probe = anthropic.Anthropic(
        api_key=key,
        base_url=url,
        max_retries=0,
        timeout=20,
        http_client=make_http_client(make_transport(mode="live", upstream=transport, endpoint_label=url)),
    )
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


def detect_region(key: str, *, transport: Any = None) -> str:
    """Find which region `key` belongs to: a key of the other region is answered with 401.

    Sends the cheapest real request (one token) to each region in turn. Only an answer or a 401 decides: a 429,
    500, 529 or an unreachable host says nothing about the key, so the other region is tried and nothing is
    remembered; a decided answer is remembered for the rest of the process.
    """
    tag = _fingerprint(key)
    if tag in _auto_regions:
        return _auto_regions[tag]
    answers = {}
    for region in REGIONS:
        answers[region] = _probe(key, region, transport)
        if answers[region] == "yes":
            _auto_regions[tag] = region
            return region
    undecided = [region for region, answer in answers.items() if answer == "unknown"]
    if undecided:
        return undecided[0]  # not remembered: the next get_client asks again
    raise ConfigError(
        f"region='auto': the key was refused (401) by every region ({', '.join(answers)}). "
        "Check that you copied the whole key from the MiniMax console, or create a new one."
    )


_RESERVED_KWARGS = ("api_key", "auth_token", "base_url", "http_client")


def _check_client_kwargs(client_kwargs: dict[str, Any]) -> None:
    """Refuse, before a key is read or anything is built, keyword arguments that get_client sets itself, that
    `anthropic.Anthropic` does not take (a typo: the closest names are suggested), and retries or timeouts that
    cannot work."""
    for reserved in _RESERVED_KWARGS:
        if reserved in client_kwargs:
            raise ConfigError(
                f"get_client() sets {reserved} itself. Pass the key as api_key=..., choose the endpoint with "
                "region= or MINIMAX_BASE_URL, and give a custom HTTP client to anthropic.Anthropic directly."
            )
    accepted = [name for name in inspect.signature(anthropic.Anthropic).parameters if name not in _RESERVED_KWARGS]
    for name in client_kwargs:
        if name not in accepted:
            close = difflib.get_close_matches(name, accepted, n=2)
            hint = f" Did you mean {' or '.join(close)}?" if close else f" It takes: {', '.join(sorted(accepted))}."
            raise ConfigError(f"get_client() got {name}=, which anthropic.Anthropic does not take.{hint}")
    retries = client_kwargs.get("max_retries", 0)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ConfigError(f"max_retries={retries!r} must be a whole number, 0 or more (the SDK's default is 2).")
    timeout = client_kwargs.get("timeout")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and not 0 < timeout < float("inf"):
        raise ConfigError(f"timeout={timeout!r} must be a number of seconds above 0, e.g. timeout=120.")


def _final_mode(wanted: str, found: FoundKey | NoKey) -> str:
    """'auto' becomes live with a key and replay without; live and record without a key are refused."""
    mode = ("live" if isinstance(found, FoundKey) else "replay") if wanted == "auto" else wanted
    if mode in ("live", "record") and isinstance(found, NoKey):
        tried = "".join(f"\n  - {note}" for note in found.notes)
        raise ConfigError(
            f"mode={mode!r} needs a MiniMax API key, and none was found.{tried}\n"
            "Set MINIMAX_API_KEY (environment, a .env file, or a Colab secret), pass api_key=..., "
            "or use mode='replay' to run on recordings."
        )
    return mode


def _endpoint(region: str | None, wanted_region: str, mode: str, found: FoundKey | NoKey) -> Endpoint:
    """Where requests go: MINIMAX_BASE_URL, else the region (found by probing for 'auto' with a live key,
    else taken from ANTHROPIC_BASE_URL when it names a MiniMax region and no region was asked for)."""
    custom = custom_base_url()
    if custom:
        return Endpoint("custom", custom)
    anthropic_base = os.environ.get("ANTHROPIC_BASE_URL", "").strip()
    if wanted_region == "auto":
        if isinstance(found, FoundKey) and mode != "replay":
            name = detect_region(found.value)
        else:
            name = region_of_url(anthropic_base) or "global"
        return Endpoint(name, REGIONS[name])
    if region is None and "MINIMAX_REGION" not in os.environ and region_of_url(anthropic_base):
        wanted_region = region_of_url(anthropic_base) or wanted_region
    return Endpoint(wanted_region, REGIONS[wanted_region])


def _build(
    endpoint: Endpoint, mode: str, key: str, recordings: str, speed: float, check: bool, client_kwargs: dict[str, Any]
) -> anthropic.Anthropic:
    # `key` is a HiddenKey (or the replay placeholder): no frame of this chain shows the key in its locals
    """The SDK client on our transport (replay, record or live), with its usage log attached."""
    library = CassetteLibrary(_cassette_root(), prefer=recordings) if mode == "replay" else None
    log = UsageLog()
    transport = make_transport(
        observer=log.observe,
        mode=mode,
        library=library,
        record_dir=_cassette_root() / recordings,
        speed=speed,
        endpoint_label=endpoint.base_url,
        check=compat.check_hook if check else None,
    )
    client = CheckedAnthropic(
        api_key=key, base_url=endpoint.base_url, http_client=make_http_client(transport), **client_kwargs
    )
    client.precheck = functools.partial(_precheck, transport)
    attach(client, log)  # every call this client makes is logged: helpers.usage()
    return client


def live_client(
    base_url: str, key: str, *, source: str = "base_url", check: bool = True, **client_kwargs: Any
) -> anthropic.Anthropic:
    """A live client on `base_url` built as `get_client` builds one, for tools that choose the endpoint themselves
    (`python -m devtools doctor`): the URL checked as MINIMAX_BASE_URL is (no credentials, never Anthropic's API),
    the key checked, one credential only, and a redirect off the endpoint's host refused, not followed."""
    _check_client_kwargs(client_kwargs)
    url = check_base_url(base_url, source=source)
    endpoint = Endpoint(region_of_url(url) or "custom", url)
    key = _hidden(key)
    return _build(endpoint, "live", _checked(key, "the api_key argument"), "scratch", 1.0, check, client_kwargs)


def _announce(setup: Setup, quiet: bool) -> None:
    """Remember the setup for describe() and print its banner once per distinct setup."""
    global _last_setup
    _last_setup = setup
    if not quiet and setup not in _banners_shown:
        _banners_shown.add(setup)
        print(setup.line())
        for note in setup.notes:
            print(f"  note: {note}")


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
    api_key = _hidden(api_key)  # from here on, no local of this chain shows the key
    wanted_region = resolve_region(region)
    wanted_mode = resolve_mode(mode)
    recordings = check_recordings_name(recordings or os.environ.get("MINIMAX_RECORDINGS", "").strip() or "scratch")
    _check_client_kwargs(client_kwargs)
    speed = resolve_replay_speed(replay_speed)
    found = find_key(api_key)
    final_mode = _final_mode(wanted_mode, found)
    endpoint = _endpoint(region, wanted_region, final_mode, found)
    live = isinstance(found, FoundKey) and final_mode != "replay"
    key = found.value if isinstance(found, FoundKey) and live else REPLAY_PLACEHOLDER_KEY
    client = _build(endpoint, final_mode, key, recordings, speed, check, client_kwargs)
    key_source = found.source if final_mode != "replay" else f"{found.source} (replay sends nothing)"
    notes = found.notes if isinstance(found, NoKey) else ()
    _announce(
        Setup(endpoint.region, endpoint.base_url, final_mode, key_source, recordings, _shown(_cassette_root()), notes),
        quiet,
    )
    return client
