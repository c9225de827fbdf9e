"""The evidence reader (laokg.graph.evidence): each step of the PROV/OA walk on a small graph
written for the test, the same answers on rdflib and on the Oxigraph store view, and the SPARQL
form of the walk giving what the Python walk gives, on both engines."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef

from laokg.graph import evidence as ev
from laokg.namespaces import KG, LAOKG, OA
from laokg.query.storeview import store_graph

# A made-up report read twice (one passage quoted with its position, one without), a footnote
# citing a made-up dataset, and a project assertion naming a property and a statement by value.
TTL = """
@prefix kg: <https://w3id.org/laokg/id/> .
@prefix ev: <https://w3id.org/laokg/id/evidence/> .
@prefix laokg: <https://w3id.org/laokg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix cito: <http://purl.org/spar/cito/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

kg:office prov:qualifiedDerivation ev:office-1, ev:office-2 ;
    prov:qualifiedAttribution ev:office-project ;
    skos:prefLabel "Harbour Office" .
kg:quay prov:qualifiedDerivation ev:office-2 .

ev:office-1 a laokg:DocumentEvidence ;
    prov:entity kg:report-p1 ;
    laokg:section kg:report-s2 ;
    laokg:footnote kg:report-fn-4 ;
    laokg:citedWork kg:tide-tables .
kg:report-p1 a oa:SpecificResource ;
    oa:hasSource kg:report ;
    oa:hasSelector kg:report-p1-quote, kg:report-p1-position .
kg:report-p1-quote a oa:TextQuoteSelector ; oa:exact "The office opened in 1931." .
kg:report-p1-position oa:start 120 ; oa:end 146 .
kg:report-s2 dct:title "History" .
kg:report-fn-4 laokg:footnoteNumber 4 ; cito:citesAsDataSource kg:harbour-dataset .

ev:office-2 a laokg:DocumentEvidence ;
    prov:entity kg:report-p2 .
kg:report-p2 a oa:SpecificResource ;
    oa:hasSource kg:report ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "It serves the quay." ] .

ev:office-project a laokg:ProjectAssertion ;
    laokg:assertedProperty skos:prefLabel ;
    laokg:addsStatement [ rdf:predicate skos:notation ; rdf:object "HO" ] ,
        [ rdf:subject kg:quay ; rdf:predicate skos:notation ; rdf:object "Q" ] ;
    skos:note "The report never names the office in full." .
"""

EV = "https://w3id.org/laokg/id/evidence/"
OFFICE, QUAY, REPORT = KG["office"], KG["quay"], KG["report"]
E1, E2, PROJECT = URIRef(EV + "office-1"), URIRef(EV + "office-2"), URIRef(EV + "office-project")
P1, P2 = KG["report-p1"], KG["report-p2"]


def _rdflib() -> Graph:
    return Graph().parse(data=TTL, format="turtle")


def _oxigraph() -> Graph:
    store = pyoxigraph.Store()
    store.load(TTL.encode("utf-8"), pyoxigraph.RdfFormat.TURTLE)
    return store_graph(store)


@pytest.fixture(params=["rdflib", "oxigraph"])
def graph(request) -> Graph:
    return _rdflib() if request.param == "rdflib" else _oxigraph()


def test_a_nodes_evidence_and_assertions(graph):
    assert sorted(ev.document_evidence(graph, OFFICE)) == [E1, E2]
    assert ev.project_assertions(graph, OFFICE) == [PROJECT]
    assert ev.project_assertions(graph, QUAY) == []


def test_the_passage_its_document_excerpts_and_position(graph):
    assert ev.passages(graph, E1) == [P1]
    assert ev.passage_sources(graph, P1) == [REPORT]
    assert ev.passage_excerpts(graph, P1) == ["The office opened in 1931."]
    assert ev.passage_position(graph, P1) == (120, 146)
    assert ev.passage_position(graph, P2) is None  # quoted, not located
    assert ev.passage_documents(graph, E2) == [REPORT] and ev.passage_document(graph, E2) == REPORT
    assert ev.excerpts(graph, E2) == ev.passage_excerpts(graph, P2) == ["It serves the quay."]
    assert ev.passage_document(graph, PROJECT) is None and ev.first_excerpt(graph, PROJECT) is None


def test_back_from_the_document(graph):
    assert sorted(ev.document_passages(graph, REPORT)) == [P1, P2]
    assert ev.passage_evidence(graph, P2) == [E2]
    assert sorted(ev.supported_nodes(graph, E2)) == [OFFICE, QUAY]
    assert ev.supported_nodes(graph, PROJECT) == []  # an assertion is attributed, not derived


def test_read_evidence_of_a_document_and_of_a_project_assertion(graph):
    found = ev.read_evidence(graph, E1, OFFICE)
    assert (found.document, found.excerpt, found.section_title) == (
        REPORT,
        "The office opened in 1931.",
        Literal("History"),
    )
    assert [(fn, int(number)) for fn, number in found.footnotes] == [(KG["report-fn-4"], 4)]
    assert found.cited == [KG["tide-tables"]]
    project = ev.read_evidence(graph, PROJECT, OFFICE)
    assert LAOKG.ProjectAssertion in project.types and project.document is None
    # only the statement about the node asked about (the other names kg:quay)
    assert [(str(p), str(o)) for p, o in project.added] == [
        (str(URIRef("http://www.w3.org/2004/02/skos/core#notation")), "HO")
    ]
    assert str(project.note) == "The report never names the office in full."


def test_the_citing_properties_and_classes():
    assert ev.CITING_PROPERTIES[: len(ev.FOOTNOTE_CITES)] == ev.FOOTNOTE_CITES
    assert ev.CITING_PROPERTIES[-1] == LAOKG.citedWork
    assert OA.SpecificResource in ev.RECORD_CLASSES and LAOKG.ProjectAssertion in ev.EVIDENCE_CLASSES


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_the_sparql_walk_finds_what_the_python_walk_finds(engine):
    graph = _rdflib()
    oracle_docs = {(e, p, d) for e in (E1, E2) for p in ev.passages(graph, e) for d in ev.passage_sources(graph, p)}
    oracle_quotes = {(e, d, x) for e, p, d in oracle_docs for x in ev.passage_excerpts(graph, p)}
    docs = f"SELECT ?e ?p ?d WHERE {{ {ev.sparql_passage('?e', '?p', '?d')} }}"
    quotes = f"SELECT ?e ?d ?x WHERE {{ {ev.sparql_passage('?e', '?p', '?d', '?x')} }}"
    alone = f"SELECT ?e ?x WHERE {{ {ev.sparql_passage('?e', '?p', excerpt='?x')} }}"
    if engine == "rdflib":

        def run(q):
            return {tuple(str(t) for t in row) for row in graph.query(q)}
    else:
        store = pyoxigraph.Store()
        store.load(TTL.encode("utf-8"), pyoxigraph.RdfFormat.TURTLE)

        def run(q):
            return {tuple(t.value for t in row) for row in store.query(q)}

    def text(rows):
        return {tuple(str(t) for t in row) for row in rows}

    assert run(docs) == text(oracle_docs)
    assert run(quotes) == text(oracle_quotes)
    assert run(alone) == {(e, x) for e, _d, x in text(oracle_quotes)}
    assert len(oracle_quotes) == 2
