"""Find the MiniMax API key and say where it came from, without ever exposing the key itself.

Order: the argument, MINIMAX_API_KEY, a `.env` file, a Colab secret named MINIMAX_API_KEY, and last
ANTHROPIC_API_KEY, but only when ANTHROPIC_BASE_URL names a MiniMax endpoint (the spec's own setup), so a
user's real Anthropic key is never sent to MiniMax.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .config import ConfigError, is_minimax_url

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
