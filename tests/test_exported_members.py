"""The public API is the index in helpers/__init__.py: pinned here, like httpx's tests/test_exported_members.py.

A name added or removed changes what learners can rely on, so it must change this list on purpose."""

from __future__ import annotations

import json
import re
from pathlib import Path

import helpers

ROOT = Path(__file__).resolve().parent.parent

EXPECTED = [
    "REGIONS",
    "SUPPORTED_MODELS",
    "ConfigError",
    "LiveTimeline",
    "LiveView",
    "MaxTurnsError",
    "NotRecordedError",
    "Playground",
    "RequestNotSupportedError",
    "StreamInterrupted",
    "TruncatedToolCallError",
    "check",
    "check_request",
    "conversation",
    "cost_summary",
    "describe",
    "explain",
    "get_client",
    "run_tools",
    "set_language",
    "show",
    "stream",
    "usage",
]


def test_all_is_the_pinned_list() -> None:
    assert helpers.__all__ == EXPECTED
    assert len(EXPECTED) <= 23  # 22, and set_language (issue 21: the helpers speak the notebook's language)


def test_every_exported_name_exists_and_is_documented() -> None:
    for name in helpers.__all__:
        member = getattr(helpers, name)
        if callable(member):
            assert (member.__doc__ or "").strip(), f"helpers.{name} has no docstring"


def test_no_other_public_names_leak_into_the_package() -> None:
    public = {n for n in vars(helpers) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(helpers, n)).__name__ == "module"}
    assert public - modules - {"annotations"} == set(EXPECTED)


def _notebook_and_readme_text() -> str:
    parts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        parts.extend("".join(c["source"]) for c in cells)
    return "\n".join(parts)


def test_every_exported_name_is_used_in_a_notebook_or_the_readme() -> None:
    text = _notebook_and_readme_text()
    unused = [n for n in EXPECTED if not re.search(rf"\bhelpers\.{re.escape(n)}\b", text)]
    assert not unused, f"exported but used in no notebook and not in the README: {unused}"


def test_the_index_groups_names_by_the_notebook_that_teaches_them() -> None:
    source = (ROOT / "helpers" / "__init__.py").read_text(encoding="utf-8")
    for number in ("01", "02", "03", "04", "05", "06"):
        assert f"# {number} " in source
