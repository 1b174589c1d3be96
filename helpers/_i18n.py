"""The language the helpers speak to a learner: English by default, Simplified Chinese on request (every notebook).
Standard `gettext`: each learner-facing sentence is English in the code, wrapped in `_()`, and looked up in
`locale/zh_CN/LC_MESSAGES/helpers.mo` (`python -m devtools messages`). The language follows the notebook
(`helpers.set_language("zh-CN")` or HELPERS_LANG), never the system's LANGUAGE: saved outputs must not depend on it."""

from __future__ import annotations

import functools
import gettext as _gettext
import os
import warnings
from pathlib import Path

DOMAIN = "helpers"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ENVIRONMENT = "HELPERS_LANG"
LANGUAGES = {"en": "", "zh-CN": "zh_CN"}
"""Each language a learner can choose, with its catalog's folder under locale/ ("" for English: no catalog)."""
_ALIASES = {"en": "en", "en-us": "en", "en-gb": "en", "zh": "zh-CN", "zh-cn": "zh-CN", "zh-hans": "zh-CN"}
_chosen: str | None = None  # the language set_language chose, or None to follow HELPERS_LANG
_warned: set[str] = set()


def normalize(language: str) -> str | None:
    """`"zh-CN"` for "zh-CN", "zh_CN", "zh", "zh-Hans" (any case), `"en"` for English; None when unknown."""
    return _ALIASES.get(language.strip().replace("_", "-").lower())


def set_language(language: str | None) -> None:
    """Choose the language the helpers speak: "en" (the default) or "zh-CN" (简体中文), once at a notebook's top;
    None goes back to HELPERS_LANG (English when unset). Everything they print or display from then on follows;
    code, model output and API field names are never translated."""
    global _chosen
    found = normalize(language) if isinstance(language, str) else None
    if found is None and language is not None:
        raise ValueError(
            f"set_language({language!r}): the helpers speak {' and '.join(map(repr, LANGUAGES))} "
            '(e.g. set_language("zh-CN")); pass None to follow HELPERS_LANG.'
        )
    _chosen = found


def language() -> str:
    """The language in use: set_language's choice, else HELPERS_LANG, else "en". An unknown HELPERS_LANG warns
    once and reads as English (a typo in a variable must not stop a notebook)."""
    raw = os.environ.get(ENVIRONMENT, "").strip()
    found = _chosen or (normalize(raw) if raw else "en")
    if found is None and raw not in _warned:
        _warned.add(raw)
        known = ", ".join(LANGUAGES)
        warnings.warn(
            f"{ENVIRONMENT}={raw!r} is not a language the helpers speak ({known}): using English.", stacklevel=3
        )
    return found or "en"


@functools.cache
def catalog(name: str) -> _gettext.NullTranslations:
    """The translations of one language, read from its .mo once per process (English has none: NullTranslations)."""
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[LANGUAGES[name] or "C"], fallback=True)


def gettext(message: str) -> str:
    """`message` in the language in use (imported as `_`): English is the message itself."""
    if _chosen is None and not os.environ.get(ENVIRONMENT):
        return message  # the default: no catalog read at all
    return catalog(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural sentence for `count`, in the language in use (Chinese has one form for both)."""
    if _chosen is None and not os.environ.get(ENVIRONMENT):
        return singular if count == 1 else plural
    return catalog(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Marks a sentence for extraction without translating it: translated later with `_()` when shown."""
    return message
