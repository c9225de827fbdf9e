"""House rules for the hand-written Turtle sources (ontology/, ontology/vocab/, graph/)."""

import re

import pytest
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.namespace import OWL, RDFS, SKOS

from .conftest import turtle_files

FILES = turtle_files("ontology/*.ttl", "ontology/vocab/*.ttl", "graph/*.ttl")
ONTOLOGY = URIRef("https://w3id.org/laokg/ontology")
KG = "https://w3id.org/laokg/id/"
SLUG = re.compile(r"^https://w3id\.org/laokg/id/(evidence/)?[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_file_starts_with_a_header_comment(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# ") and len(first) > 20, "start with a comment saying what the file holds"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_file_declares_only_prefixes_it_uses(path):
    text = path.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("@prefix") and not line.startswith("#"))
    for prefix in re.findall(r"^@prefix ([\w-]*): ", text, re.M):
        assert re.search(rf"(?<![\w:-]){re.escape(prefix)}:", body), f"unused prefix {prefix}:"


@pytest.mark.parametrize(
    "path",
    turtle_files("ontology/laokg.ttl", "ontology/vocab/*.ttl", "graph/*.ttl"),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_data_prefixes_are_the_projects_bound_prefixes(path):
    # a graph read back from a store has only laokg's bound prefixes: an export from an endpoint
    # writes the same bytes as a local one only if every prefix of the data files is among them
    from laokg.namespaces import PREFIXES

    for prefix, iri in re.findall(r"^@prefix ([\w-]*): <([^>]*)>", path.read_text(encoding="utf-8"), re.M):
        assert str(PREFIXES.get(prefix)) == iri, f"{prefix}: <{iri}> is not in laokg.namespaces.PREFIXES"


@pytest.mark.parametrize("path", turtle_files("graph/*.ttl"), ids=lambda p: p.name)
def test_graph_files_use_blank_nodes_only_for_selectors(path):
    """Blank nodes only where a node has no identity of its own: a passage's text selector and
    a statement a project assertion names by value (laokg:addsStatement)."""
    g = Graph().parse(path, format="turtle")
    from laokg.namespaces import LAOKG, OA

    for node in set(g.subjects()) | set(g.objects()):
        if isinstance(node, BNode):
            assert (None, OA.hasSelector, node) in g or (None, LAOKG.addsStatement, node) in g, (
                "only text selectors and statements named by value may be blank nodes"
            )


def test_entity_iris_are_readable_slugs(real_graph):
    for s in set(real_graph.subjects()):
        if isinstance(s, URIRef) and str(s).startswith(KG):
            assert SLUG.match(str(s)), f"not a lowercase-hyphen slug: {s}"
            assert (s, RDF.type, None) in real_graph, f"{s} has no rdf:type"


def test_every_object_iri_in_the_project_namespace_is_described(real_graph):
    subjects = set(real_graph.subjects())
    dangling = {
        o for o in real_graph.objects() if isinstance(o, URIRef) and str(o).startswith(KG) and o not in subjects
    }
    assert not dangling, f"referenced but never described: {sorted(dangling)}"


def test_every_ontology_term_is_labelled_defined_and_attributed(real_graph):
    """laokg's own terms; the outside terms the ontology declares for OWL 2 DL are described by
    their own vocabularies (as lksh:OntologyTermShape checks)."""
    terms = {
        t
        for cls in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.SymmetricProperty)
        for t in real_graph.subjects(RDF.type, cls)
        if str(t).startswith("https://w3id.org/laokg/")
    }
    assert len(terms) > 40
    for term in terms:
        assert real_graph.value(term, RDFS.label), f"{term}: rdfs:label"
        assert real_graph.value(term, SKOS.definition), f"{term}: skos:definition"
        assert (term, RDFS.isDefinedBy, ONTOLOGY) in real_graph, f"{term}: rdfs:isDefinedBy"


def test_every_laokg_term_used_is_declared(real_graph):
    ns = "https://w3id.org/laokg/ontology#"
    declared = set(real_graph.subjects(RDFS.isDefinedBy, ONTOLOGY))
    used = {p for p in real_graph.predicates() if str(p).startswith(ns)}
    used |= {o for o in real_graph.objects(None, RDF.type) if str(o).startswith(ns)}
    assert used - declared == set()
