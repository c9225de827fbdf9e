"""Shared helpers for the query-engine tests: the fixture project root, its graph and queries."""

from functools import lru_cache
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
KG_ROOT = FIXTURES / "kg"
QUERIES = FIXTURES / "queries"


@lru_cache(maxsize=1)
def fixture_graph():
    """The fixture project's data graph, loaded as `laokg` loads a project (do not modify)."""
    from laokg.query.engines import load_graph

    return load_graph(KG_ROOT)


def fixture_query(name: str):
    from laokg.query.catalogue import find_query

    return find_query(QUERIES, name)


def resolver():
    """A label resolver on the fixture graph, as the CLI builds one."""
    from laokg.labels import LabelIndex

    index = LabelIndex(fixture_graph())
    return lambda text: [(iri, index.label(iri) or "") for iri in index.exact(text)]
