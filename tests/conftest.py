"""Shared fixtures: the project root and the merged real graph (parsed once per session)."""

import glob
import os
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
