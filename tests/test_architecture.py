"""The house: subpackages that show the architecture, layered, with no import cycles.

Layers, lowest first: the shared modules (errors, namespaces, prefixes, labels, lazyre), ``graph``,
``query``, ``provenance``, ``publish``, the Python API (``laokg.api``, re-exported by
``laokg/__init__``), ``cli``. A module may import from its own layer or a lower one, never from a
higher one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "laokg"

LAYERS = {
    "errors": 0,
    "namespaces": 0,
    "prefixes": 0,
    "labels": 0,
    "lazyre": 0,
    "graph": 1,
    "query": 2,
    "provenance": 3,
    "publish": 4,
    "__init__": 5,
    "api": 5,
    "__main__": 6,
    "cli": 6,
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every laokg module ``path`` imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("laokg"):
            assert node.level == 0, f"{path}: relative import (use absolute laokg.* imports)"
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("laokg"))
    return found


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}
GRAPH = {name: {m for m in _imports(path) if m in MODULES and m != name} for name, path in MODULES.items()}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS["__init__"] if len(parts) == 1 else LAYERS[parts[1]]


def test_every_module_lives_in_a_known_room():
    top = {
        p.stem if p.is_file() else p.name for p in SRC.iterdir() if p.suffix == ".py" or (p / "__init__.py").is_file()
    }
    assert top <= set(LAYERS), f"unexpected top-level modules: {sorted(top - set(LAYERS))}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_its_own_layer_or_lower(module):
    upward = sorted(m for m in GRAPH[module] if _layer(m) > _layer(module))
    assert not upward, f"{module} imports from a higher layer: {upward}"


def test_no_import_cycles():
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)


def _private_imports(path: Path) -> list[str]:
    """Names starting with ``_`` that ``path`` imports from a laokg module, or imports under a
    private alias (``__version__`` and other dunders are public by convention)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("laokg"):
            for alias in node.names:
                for name in (alias.name, alias.asname or ""):
                    if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                        found.append(f"{node.module}.{alias.name}" + (f" as {alias.asname}" if alias.asname else ""))
    return found


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_crosses_a_module(module):
    """What one module needs of another is public (no underscore); a private name stays in its module."""
    assert not _private_imports(MODULES[module]), f"{module} imports private names: {_private_imports(MODULES[module])}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_opens_with_what_it_holds(module):
    doc = ast.get_docstring(ast.parse(MODULES[module].read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 5, f"{module} has no opening docstring saying what it holds"


@pytest.mark.parametrize("package", ["cli", "graph", "query", "provenance", "publish"])
def test_each_package_says_what_lives_there(package):
    doc = ast.get_docstring(ast.parse((SRC / package / "__init__.py").read_text(encoding="utf-8")))
    assert doc and doc.strip(), f"laokg.{package} has no docstring"
