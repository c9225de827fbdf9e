"""`laokg validate` loads the data with Oxigraph's Turtle parser and hands pyshacl-turbo the
N-Triples text (laokg.graph.load.DataText): no rdflib graph of the data is made. The report
must be the one the rdflib-loaded graph gives — rows, text, JSON and report graph — on the real
graph and on a synthetic project with planted violations of every kind; a file that needs the
rdflib loader's checks falls back to it, with its error messages."""

import shutil
import sys

import pytest
from rdflib.compare import isomorphic

from laokg.errors import RDFSyntaxError
from laokg.graph.load import DataText, load_data_graph, load_data_text, load_shapes
from laokg.graph.validate import format_json, format_text, run_shacl, validate

from .conftest import ROOT


def _same_report(root):
    fast = validate(root)
    reference = run_shacl(load_data_graph(root), load_shapes(root))
    assert format_json(fast) == format_json(reference)
    assert format_text(fast) == format_text(reference)
    assert fast.results == reference.results and fast.conforms == reference.conforms
    assert isomorphic(fast.report_graph, reference.report_graph)
    return fast


def test_real_graph_same_report():
    assert isinstance(load_data_text(ROOT), DataText)
    _same_report(ROOT)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    out = tmp_path_factory.mktemp("planted") / "p"
    generate.generate(8000, out, violations=2)
    return out


def test_planted_violations_same_report(planted):
    result = _same_report(planted)
    assert not result.conforms and result.counts()["Violation"] > 0


def test_prefixes_are_merged_as_the_rdflib_loader_merges_them():
    text = load_data_text(ROOT)
    graph = load_data_graph(ROOT)
    assert dict(text.prefixes) == {p: str(ns) for p, ns in graph.namespace_manager.namespaces()}


@pytest.mark.parametrize("body, message", [
    ('<https://w3id.org/laokg/id/x y> a <https://w3id.org/laokg/ontology#Thing> .', "invalid IRI"),
    ('<https://w3id.org/laokg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "\\uD800" .', "lone surrogate"),
    ('<https://w3id.org/laokg/id/x> <http://www.w3.org/2000/01/rdf-schema#comment> ' + "1" * 5000 + " .", "too long"),
    ('<https://w3id.org/laokg/id/x> a <https://w3id.org/laokg/ontology#Thing>', "syntax error"),
])
def test_a_file_the_fast_loader_cannot_read_gets_the_rdflib_loaders_error(tmp_path, body, message):
    project = tmp_path / "p"
    for part in ("ontology", "graph"):
        shutil.copytree(ROOT / part, project / part)
    (project / "graph" / "zz-bad.ttl").write_text(body + "\n", encoding="utf-8")
    assert load_data_text(project) is None
    with pytest.raises(RDFSyntaxError, match=message):
        validate(project)
