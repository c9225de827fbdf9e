"""Every third-party package that src/laokg imports is declared in pyproject.toml (as a
dependency, or in an extra when the import is optional), so that nothing arrives only because
another package happens to pull it in; and the one library whose API is called positionally
(pyshacl-turbo) has an upper bound."""

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "laokg"

#: imports that may only come from an extra: module -> the extra that declares it
OPTIONAL = {"pandas": "pandas"}


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    """The normalised distribution name of a PEP 508 requirement."""
    return re.sub(r"[-_.]+", "-", re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)).lower()


def imported_modules(source: str) -> set[str]:
    """Top-level names of the absolute imports in a module's source (relative imports are ours)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def third_party(modules: set[str]) -> set[str]:
    return {m for m in modules if m not in sys.stdlib_module_names and m != "laokg" and m != "__future__"}


def distribution(module: str) -> str:
    names = importlib.metadata.packages_distributions().get(module)
    if not names:
        pytest.fail(f"'{module}' is imported by src/laokg but no installed distribution provides it")
    return _name(names[0])


def src_imports() -> dict[str, list[str]]:
    """third-party module -> the src files importing it"""
    where: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        for module in third_party(imported_modules(path.read_text(encoding="utf-8"))):
            where.setdefault(module, []).append(str(path.relative_to(ROOT)))
    return where


def test_the_scan_finds_imports_of_every_form():
    source = (
        "import os, yaml.x\nfrom rdflib.namespace import RDF\nfrom . import x\nfrom .y import z\n"
        "def f():\n    import prettytable\n"
    )
    assert third_party(imported_modules(source)) == {"yaml", "rdflib", "prettytable"}


def test_every_imported_package_is_declared():
    project = _pyproject()["project"]
    declared = {_name(r) for r in project["dependencies"]}
    extras = {extra: {_name(r) for r in reqs} for extra, reqs in project["optional-dependencies"].items()}
    missing = []
    for module, files in sorted(src_imports().items()):
        dist = distribution(module)
        if dist not in (extras.get(OPTIONAL[module], set()) if module in OPTIONAL else declared):
            missing.append(f"{dist} (imported as '{module}' in {', '.join(files)})")
    assert not missing, "imported but not declared in pyproject.toml: " + "; ".join(missing)


def test_nothing_declared_goes_unused():
    used = {distribution(m) for m in src_imports()}
    unused = [r for r in _pyproject()["project"]["dependencies"] if _name(r) not in used]
    assert not unused, f"declared but never imported by src/laokg: {unused}"


def test_the_positionally_called_api_has_an_upper_bound():
    turbo = [r for r in _pyproject()["project"]["dependencies"] if _name(r) == "pyshacl-turbo"]
    assert turbo and "<" in turbo[0], turbo
    assert "pyshacl_turbo.rdf import Input" in (SRC / "graph" / "validate.py").read_text(encoding="utf-8")
