"""The helper package's imports, read from the source with `ast`: no module imports another in a cycle (counting
imports inside functions, which only hide a cycle; `if TYPE_CHECKING:` imports never run and do not count), and no
module imports another module's private name (issue 18: a learner who opens a file follows its imports one way)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "helpers"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The nodes under `if TYPE_CHECKING:`."""
    return {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }


def _imports(name: str) -> list[tuple[str, str]]:
    """(module imported, name imported from it, or "" for the module itself) for every import that runs."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            target = (base + ("." + node.module if node.module else "")) if node.level else (node.module or "")
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                found.append((submodule, "") if submodule in MODULES else (target, alias.name))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, "") for alias in node.names)
    return [(module, imported) for module, imported in found if module in MODULES and module != name]


def _cycles() -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    edges = {name: {module for module, _ in _imports(name)} for name in MODULES}
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        for target in edges[node]:
            if target not in order:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], order[target])
        if low[node] == order[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for name in sorted(MODULES):
        if name not in order:
            visit(name)
    return groups


def test_the_graph_reader_sees_every_kind_of_import() -> None:
    """The checks below are only as good as the reader: it must see function-level and relative imports."""
    assert ("helpers._error_code", "minimax_code") in _imports("helpers.errors")
    assert ("helpers._sdk", "") in _imports("helpers")  # `from . import _sdk`
    assert any(module == "helpers.tools" for module, _ in _imports("helpers.playground"))  # inside a function


def test_no_module_of_the_helpers_imports_another_in_a_cycle() -> None:
    assert _cycles() == [], "import cycles (function-level imports included) between these helper modules"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_another_modules_private_name(name: str) -> None:
    private = [f"{module}.{imported}" for module, imported in _imports(name) if imported.startswith("_")]
    assert not private, f"{name} imports private names of other modules: {private}"
