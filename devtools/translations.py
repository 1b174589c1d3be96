"""Keep each translated notebook in step with its English twin: `python -m devtools translations`.

The d2l idea of keeping the English source beside its translation (`*_origin.md`), checked instead of remembered:
a translation stores, in its metadata, a hash of every English cell it was translated from (`stamp`), and
`problems` names the cells whose English changed since, or whose structure differs: the same cells in the same
order (with the same ids), and in each code cell the same syntax tree once string literals are masked (prompts and
labels may be translated, code may not). Glossary terms (docs/glossary.zh-CN.md) are checked per cell pair.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .notebooks import NOTEBOOKS, TRANSLATIONS, english_paths

ROOT = NOTEBOOKS.parent
LANGUAGES = TRANSLATIONS
GLOSSARY = {"zh-CN": ROOT / "docs" / "glossary.zh-CN.md"}
METADATA_KEY = "translation"


@dataclass(frozen=True)
class Pair:
    """One English notebook and the path of its translation (which may not exist yet)."""

    english: Path
    translation: Path
    language: str


def pairs(language: str = "zh-CN") -> list[Pair]:
    """Every English notebook (solutions included) with where its translation lives: notebooks/<language>/..."""
    return [Pair(p, NOTEBOOKS / language / p.relative_to(NOTEBOOKS), language) for p in english_paths()]


def _shown(path: Path) -> str:
    """A path as a maintainer reads it: from the repository's root when it is inside."""
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _read(path: Path) -> dict[str, Any]:
    notebook: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return notebook


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def cell_hash(cell: dict[str, Any]) -> str:
    """A short hash of what a translator reads in one English cell: its type and source (never its outputs)."""
    return hashlib.sha256(f"{cell.get('cell_type')}\n{_source(cell)}".encode()).hexdigest()[:16]


def _label(index: int, cell: dict[str, Any]) -> str:
    """How a problem names a cell: its number (from 1, as JupyterLab counts) and the start of its first line."""
    first = next((line for line in _source(cell).splitlines() if line.strip()), "")
    return f"cell {index + 1} ({cell.get('cell_type')}: {first[:50]!r})"


def stamp(pair: Pair) -> None:
    """Record, in the translation's metadata, the English cells it now matches (run after translating them)."""
    english, translation = _read(pair.english), _read(pair.translation)
    translation.setdefault("metadata", {})[METADATA_KEY] = {
        "language": pair.language,
        "source": _shown(pair.english),
        "cells": [cell_hash(cell) for cell in english["cells"]],
    }
    text = json.dumps(translation, indent=1, sort_keys=True, ensure_ascii=False)  # as nbformat writes it
    pair.translation.write_text(text + "\n", encoding="utf-8")


class _MaskStrings(ast.NodeTransformer):
    """Replaces every string literal (f-string text included) with "", so translated prompts compare equal."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.copy_location(ast.Constant(""), node) if isinstance(node.value, str) else node


def code_shape(source: str) -> str:
    """The syntax tree of one code cell with its strings masked, as text to compare (IPython syntax allowed)."""
    from IPython.core.inputtransformer2 import TransformerManager

    python = TransformerManager().transform_cell(source)
    try:
        tree = ast.parse(python)
    except SyntaxError as error:
        return f"<not Python: {error.msg}>"
    return ast.dump(_MaskStrings().visit(tree), annotate_fields=False)


def structure_problems(english: dict[str, Any], translation: dict[str, Any]) -> list[str]:
    """Where the translation's cells differ from the English ones in number, type or code."""
    ours, theirs = english["cells"], translation["cells"]
    if len(ours) != len(theirs):
        return [f"{len(theirs)} cells where the English notebook has {len(ours)}: translate cell by cell"]
    problems = []
    for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        if a.get("cell_type") != b.get("cell_type"):
            problems.append(f"{_label(index, a)} is a {b.get('cell_type')} cell in the translation")
        elif a.get("id") != b.get("id"):  # tests and tools name cells by id (tests/test_browser_lite.py)
            problems.append(f"{_label(index, a)} has the id {b.get('id')!r} in the translation, {a.get('id')!r} here")
        elif a.get("cell_type") == "code" and code_shape(_source(a)) != code_shape(_source(b)):
            problems.append(f"{_label(index, a)}: the code differs (only strings and comments may be translated)")
    return problems


def stale_cells(english: dict[str, Any], translation: dict[str, Any]) -> list[str]:
    """The English cells changed since the translation was stamped, by name; all of them if it never was."""
    stored = translation.get("metadata", {}).get(METADATA_KEY, {}).get("cells")
    if not isinstance(stored, list):
        return ["never stamped: run `python -m devtools translations --stamp` after translating"]
    cells = english["cells"]
    if len(stored) != len(cells):
        return [f"the English notebook had {len(stored)} cells when translated and has {len(cells)} now"]
    return [_label(i, cell) for i, (cell, old) in enumerate(zip(cells, stored, strict=True)) if cell_hash(cell) != old]


def load_glossary(language: str = "zh-CN") -> dict[str, str]:
    """The glossary's terms, English to translation, from its Markdown table (| English | 中文 | note |)."""
    terms = {}
    for line in GLOSSARY[language].read_text(encoding="utf-8").splitlines():
        columns = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(columns) >= 2 and columns[0] and not set(columns[0]) <= set("-: "):
            terms[columns[0].strip("`")] = columns[1].strip("`")
    terms.pop("English", None)
    return terms


_PROSE_ONLY = re.compile(r"```.*?```|`[^`]*`|\]\([^)]*\)|<[^>]+>", re.DOTALL)
"""Code (fenced and inline), link targets and HTML tags: names that stay in English in every language."""


def glossary_problems(english: dict[str, Any], translation: dict[str, Any], glossary: dict[str, str]) -> list[str]:
    """Markdown cells that use a glossary term in English whose translation lacks the glossary's word for it."""
    problems = []
    for index, (a, b) in enumerate(zip(english["cells"], translation["cells"], strict=False)):
        if a.get("cell_type") != "markdown":
            continue
        prose = _PROSE_ONLY.sub(" ", _source(a))
        for term, word in glossary.items():
            if re.search(rf"\b{re.escape(term)}(s|es)?\b", prose, re.IGNORECASE) and word not in _source(b):
                problems.append(f"{_label(index, a)} says {term!r}: the translation should say {word!r}")
    return problems


def problems(pair: Pair) -> list[str]:
    """Everything wrong with one translation: missing, out of step with its English twin, or off the glossary."""
    if not pair.translation.exists():
        return [f"{_shown(pair.translation)} does not exist yet"]
    english, translation = _read(pair.english), _read(pair.translation)
    found = [f"changed in English since translated: {c}" for c in stale_cells(english, translation)]
    found += structure_problems(english, translation)
    return found + glossary_problems(english, translation, load_glossary(pair.language))


def main(stamp_paths: list[str], language: str = "zh-CN") -> int:
    """Print each translation's state (exit 1 if any is missing or out of step); `--stamp` records the given ones."""
    failing = 0
    for pair in pairs(language):
        if stamp_paths and any(s in pair.translation.name for s in stamp_paths) and pair.translation.exists():
            stamp(pair)
            print(f"stamped {_shown(pair.translation)}")
        found = problems(pair)
        failing += bool(found)
        print(f"{'ok  ' if not found else 'TODO'} {_shown(pair.translation)}")
        for problem in found:
            print(f"       {problem}")
    return 1 if failing else 0
