"""Keep the helpers' message catalogs in step with the code: `python -m devtools messages [--check]`.

The helpers speak gettext (helpers/_i18n.py): each learner-facing sentence is an English literal in `_("...")`,
`N_("...")` (marked now, translated when shown) or `ngettext("one", "many", n)`. This command reads those calls
with `ast` (a call whose text is not a literal is named as a problem: gettext can only look up a fixed sentence,
so write `_("{n} calls").format(n=n)`, never an f-string), writes the template helpers/locale/helpers.pot,
merges it into each language's .po (new sentences added untranslated, removed ones dropped: the .po is what
translators edit and review), compiles the .po into the .mo the helpers read at run time, and lists the
sentences still without a translation (exit 1 while any is). `--check` only reports, changing no file.

Babel (already in the locks through JupyterLab) reads and writes the .po and .mo files, so the helpers need
nothing but the standard library at run time, and the .mo is committed beside its .po
(tests/test_i18n.py checks the two agree).
"""

from __future__ import annotations

import ast
import datetime
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from helpers._i18n import DOMAIN, LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "helpers"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
LOCALES = tuple(folder for folder in LANGUAGES.values() if folder)
"""Each language's catalog folder, as helpers/_i18n.py reads them (English has none: its sentences are the code's)."""
KEYWORDS = {"_": 1, "N_": 1, "ngettext": 2}
"""The calls that hold a sentence, with how many literal arguments each takes (singular and plural)."""
DATE = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
"""A fixed header date: the files change only when a sentence does."""

HEADER = (
    "# The helpers' learner-facing sentences (helpers/_i18n.py), one language per .po: edit the msgstr lines,\n"
    "# then run `python -m devtools messages` to merge and compile. Terms follow docs/glossary.zh-CN.md.\n#"
)
HEADERS = {"project": "helpers", "version": "1", "copyright_holder": "", "msgid_bugs_address": ""}
MessageId = str | tuple[str, str]


@dataclass
class Extracted:
    """Every sentence found in the helpers (each with the files that use it), and the calls that hold none."""

    messages: dict[MessageId, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def extract(package: Path = PACKAGE) -> Extracted:
    """The sentences of every `_()`, `N_()` and `ngettext()` call in the package, in file and line order."""
    found = Extracted()
    first: dict[MessageId, tuple[str, int]] = {}
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS):
                continue
            arguments = node.args[: KEYWORDS[node.func.id]]
            texts = [_literal(arg) for arg in arguments]
            if any(isinstance(arg, (ast.JoinedStr, ast.BinOp, ast.Call)) for arg in arguments) or node.keywords:
                shown = ast.unparse(node)
                found.problems.append(f"{where}:{node.lineno}: {shown[:80]}: give {node.func.id}() literal text")
                continue
            if any(t is None for t in texts):
                continue  # a variable holding a sentence marked with N_() where it was written
            key: MessageId = texts[0] if len(texts) == 1 else (texts[0], texts[1])  # type: ignore[assignment]
            files = found.messages.setdefault(key, [])
            if where not in files:
                files.append(where)
            first[key] = min(first.get(key, (where, node.lineno)), (where, node.lineno))
    found.messages = dict(sorted(found.messages.items(), key=lambda item: first[item[0]]))
    return found


def template(extracted: Extracted) -> Catalog:
    """The .pot: every sentence, untranslated."""
    pot = Catalog(domain=DOMAIN, header_comment=HEADER, creation_date=DATE, revision_date=DATE, fuzzy=False, **HEADERS)
    for message, files in extracted.messages.items():
        pot.add(message, locations=[(f, None) for f in files])  # type: ignore[misc]  # files only: less churn
    return pot


def po_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def read(locale: str) -> Catalog:
    """A language's .po as Babel reads it (an empty catalog when it does not exist yet)."""
    path = po_path(locale)
    if not path.exists():
        return Catalog(
            locale=locale,
            domain=DOMAIN,
            header_comment=HEADER,
            creation_date=DATE,
            revision_date=DATE,
            fuzzy=False,
            last_translator="",
            language_team="",
            **HEADERS,
        )
    with path.open("rb") as file:
        return read_po(file, locale=locale, domain=DOMAIN)


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=116, ignore_obsolete=True, include_lineno=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    """The compiled catalog (fuzzy entries left out, as msgfmt does)."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def untranslated(catalog: Catalog) -> list[Any]:
    """The sentences of a .po with an empty translation (or any empty plural form)."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        if not all(strings):
            missing.append(message.id)
    return missing


def merged(locale: str, pot: Catalog) -> Catalog:
    """The .po with the template's sentences: translations kept, new sentences empty, removed ones dropped."""
    catalog = read(locale)
    catalog.update(pot, no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    catalog.revision_date = DATE
    catalog.fuzzy = False
    return catalog


def _shown(message: MessageId) -> str:
    text = message if isinstance(message, str) else message[0]
    return repr(text if len(text) <= 90 else text[:87] + "...")


def main(check: bool = False) -> int:
    """Extract, merge and compile (or, with `check`, only report); exit 1 while a sentence lacks a translation,
    a call holds no literal text, or (with `check`) a file is out of step."""
    extracted = extract()
    for problem in extracted.problems:
        print(f"not extractable: {problem}")
    pot = template(extracted)
    failing = bool(extracted.problems)
    for locale in LOCALES:
        catalog = merged(locale, pot)
        po, mo = _po_bytes(catalog), mo_bytes(catalog)
        stale = [p for p, data in ((po_path(locale), po), (mo_path(locale), mo)) if _differs(p, data)]
        if check:
            for path in stale:
                print(f"out of step: {path.relative_to(ROOT)} (run python -m devtools messages)")
            failing |= bool(stale)
        else:
            po_path(locale).parent.mkdir(parents=True, exist_ok=True)
            for path, data in ((po_path(locale), po), (mo_path(locale), mo)):
                if path in stale:
                    path.write_bytes(data)
                    print(f"wrote {path.relative_to(ROOT)}")
        missing = untranslated(catalog)
        print(f"{locale}: {len(extracted.messages) - len(missing)} of {len(extracted.messages)} sentences translated")
        for message in missing:
            print(f"  untranslated: {_shown(message)}")
        failing |= bool(missing)
    template_bytes = _po_bytes(pot)
    if not check:
        TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
        if _differs(TEMPLATE, template_bytes):
            TEMPLATE.write_bytes(template_bytes)
            print(f"wrote {TEMPLATE.relative_to(ROOT)}")
    elif _differs(TEMPLATE, template_bytes):
        print(f"out of step: {TEMPLATE.relative_to(ROOT)} (run python -m devtools messages)")
        failing = True
    return 1 if failing else 0


def _differs(path: Path, data: bytes) -> bool:
    return not path.exists() or path.read_bytes() != data
