"""`laokg validate` loads the data with Oxigraph's Turtle parser and hands pyshacl-turbo the
N-Triples text (laokg.graph.load.DataText): no rdflib graph of the data is made. The report
must be the one the rdflib-loaded graph gives — rows, text, JSON and report graph — on the real
graph and on a synthetic project with planted violations of every kind; a file that needs the
rdflib loader's checks falls back to it, with its error messages."""

import sys

import pytest
from rdflib.compare import isomorphic

from laokg.errors import RDFSyntaxError
from laokg.graph.load import DataText, load_data_graph, load_data_text, load_shapes
from laokg.graph.validate import format_json, format_text, run_shacl, validate

from .conftest import ROOT
from .coretools import copy_real_project


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


@pytest.mark.parametrize(
    "body, message",
    [
        ("<https://w3id.org/laokg/id/x y> a <https://w3id.org/laokg/ontology#Thing> .", "invalid IRI"),
        ('<https://w3id.org/laokg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "\\uD800" .', "lone surrogate"),
        (
            "<https://w3id.org/laokg/id/x> <http://www.w3.org/2000/01/rdf-schema#comment> " + "1" * 5000 + " .",
            "too long",
        ),
        ("<https://w3id.org/laokg/id/x> a <https://w3id.org/laokg/ontology#Thing>", "syntax error"),
    ],
)
def test_a_file_the_fast_loader_cannot_read_gets_the_rdflib_loaders_error(tmp_path, body, message):
    project = copy_real_project(tmp_path / "p", ("ontology", "graph"))
    (project / "graph" / "zz-bad.ttl").write_text(body + "\n", encoding="utf-8")
    assert load_data_text(project) is None
    with pytest.raises(RDFSyntaxError, match=message):
        validate(project)


def test_text_outside_ascii_gives_the_same_report(tmp_path):
    """`laokg validate` hands pyshacl-turbo the text with every character outside ASCII escaped
    (DataText.ascii: a third of the memory at scale): the same report, naming the same nodes
    and values, with their labels, as the reference (rdflib graph of the files)."""
    from laokg.graph.load import ascii_escaped

    root = copy_real_project(tmp_path / "p")
    (root / "graph" / "zz-outside-ascii.ttl").write_text(
        "@prefix kg: <https://w3id.org/laokg/id/> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/laokg/id/ບ້ານ-é> rdfs:label "ບ້ານ — é 𝔸"@lo ;\n'
        '    owl:sameAs <http://example.org/ข-𝔸> , "ລາວ — 𝔸" .\n',
        encoding="utf-8",
    )
    text = load_data_text(root)
    assert not text.ntriples.isascii() and text.ascii().ntriples.isascii()
    assert ascii_escaped("<https://w3id.org/laokg/id/ບ>") == "<https://w3id.org/laokg/id/\\u0E9A>"
    # the build reads its triples back from the ASCII text: exactly Oxigraph's terms
    from laokg.graph.triples import from_ascii_ntriples, from_ntriples

    assert from_ascii_ntriples(text.ascii().ntriples) == from_ntriples(text.ntriples)
    # (Oxigraph escapes only ASCII controls; an escaped backslash before "u00E9" is text)
    hostile = '<https://x/\u00e9> <https://p> "\\\\u00E9 \\u0001 \\\\U0001D538 \U0001d538 \u0ea5"@lo .\n'
    assert from_ascii_ntriples(ascii_escaped(hostile)) == from_ntriples(hostile)
    result = _same_report(root)
    report = format_text(result)
    assert not result.conforms and "ບ້ານ-é" in report and "ລາວ — 𝔸" in report and "ບ້ານ — é 𝔸" in report
