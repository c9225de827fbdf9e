"""Shared fixtures: the project root and the merged real graph (parsed once per session)."""

import glob
from pathlib import Path

import pytest
from rdflib import Graph

ROOT = Path(__file__).resolve().parent.parent


def turtle_files(*patterns):
    return [Path(p) for pattern in patterns for p in sorted(glob.glob(str(ROOT / pattern)))]


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def real_graph():
    """ontology + vocab + graph, merged, exactly as `laokg validate` sees it."""
    g = Graph()
    for path in turtle_files("ontology/laokg.ttl", "ontology/vocab/*.ttl", "graph/*.ttl"):
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """`laokg site` built once per session (with the release files), for the site tests."""
    from laokg.publish.site import build_site

    return build_site(ROOT, tmp_path_factory.mktemp("site") / "site")
