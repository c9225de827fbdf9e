"""Shared fixtures: the project root and the merged real graph (parsed once per session)."""

import glob
import os
import types
from pathlib import Path

import pytest
from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent

# graph/ locates its quotes in the source texts (laokg.graph.claims): tests that copy the
# project to a temporary folder (where ../shared/seeds is not beside it) read them from here
os.environ.setdefault("LAOKG_SEEDS", str(ROOT.parent / "shared" / "seeds"))


def turtle_files(*patterns):
    return [Path(p) for pattern in patterns for p in sorted(glob.glob(str(ROOT / pattern)))]


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def real_graph():
    """ontology + vocab + graph, merged and the claims expanded, exactly as `laokg validate`
    sees it."""
    from laokg.graph.load import load_data_graph

    g = Graph()
    for triple in load_data_graph(ROOT):
        g.add(triple)
    return g


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """`laokg site` built once per session (with the release files), for the site tests."""
    from laokg.publish.site import build_site

    return build_site(ROOT, tmp_path_factory.mktemp("site") / "site")


# ---------------------------------------------------------------- markers
# Registered in pyproject.toml. Applied here, centrally, so a new test is marked by what it uses
# rather than by a decorator someone must remember: a test (or a fixture it requests) whose code
# names one of the helpers below needs that external tool; whole modules that are about one tool
# or that are measured as slow are listed by name. `make test-fast` deselects them all.

#: marker -> names whose use in a test's or fixture's code means the test needs that tool
USES = {
    "browser": {"Browser", "axe_path", "chromium_path"},
    "jena": {"jena_support"},
    "grlc": {"grlc_python"},
    "server": {"Oxigraph", "push_real_graph", "free_port", "oxigraph_command"},
    "virtuoso": {"virtuoso", "Virtuoso"},
}

#: marker -> test modules (file stems) marked as a whole
MODULES = {
    "browser": {"test_site_browser"},
    "grlc": {"test_grlc"},
    "scale": {"test_validate_scale"},
    # measured with --durations (docs/contributing.md): each file costs more CPU than the
    # rest of the fast subset together
    "slow": set(),
}


def _names(code: types.CodeType) -> set[str]:
    found = set(code.co_names) | set(code.co_varnames) | set(code.co_freevars)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found |= _names(const)
    return found


def _used_names(item) -> set[str]:
    found: set[str] = set()
    function = getattr(item, "function", None)
    if function is not None and hasattr(function, "__code__"):
        found |= _names(function.__code__)
    info = getattr(item, "_fixtureinfo", None)
    for defs in (info.name2fixturedefs.values() if info else ()):
        for fixturedef in defs:
            func = getattr(fixturedef, "func", None)
            if func is not None and hasattr(func, "__code__"):
                found |= _names(func.__code__)
    return found


def pytest_collection_modifyitems(config, items):
    for item in items:
        stem = item.path.stem if getattr(item, "path", None) else ""
        used = _used_names(item)
        for marker, names in USES.items():
            if used & names or marker in stem:
                item.add_marker(marker)
        for marker, stems in MODULES.items():
            if stem in stems:
                item.add_marker(marker)
