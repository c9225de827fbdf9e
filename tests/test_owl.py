"""The ontology is OWL 2 DL and consistent with the graph: HermiT (shipped in PyPI's
owlready2, run on Java) loads ontology/laokg.ttl, the vocabularies and graph/*.ttl and
finds them consistent, with no unsatisfiable class.

The ontology's ranges use only OWL 2 datatypes (xsd:duration and xsd:gYear are not in the
OWL 2 datatype map: those seven ranges are rdfs:Literal, and SHACL checks the datatype). The
graph's literals of such datatypes (xsd:duration, xsd:gYear, xsd:gYearMonth) are given to the
reasoner as plain literals of the same lexical form: OWL does not constrain them, the shapes do.
"""

from __future__ import annotations

import os
import shutil

import pytest

from .conftest import turtle_files

OWL2_DATATYPES_MISSING = ("duration", "gYear", "gYearMonth", "gMonth", "gDay", "gMonthDay", "date", "time")


def _reasoner_ready():
    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("java is needed by HermiT (owlready2); .ci/run installs default-jre-headless")
        pytest.skip("java is not installed (HermiT, in owlready2, runs on it)")
    return pytest.importorskip("owlready2", reason="owlready2 (test extra) is not installed")


def _owl_input(tmp_path, with_graph: bool):
    from rdflib import Graph, Literal
    from rdflib.namespace import XSD

    g = Graph()
    patterns = ["ontology/laokg.ttl", "ontology/vocab/*.ttl"] + (["graph/*.ttl"] if with_graph else [])
    for path in turtle_files(*patterns):
        g.parse(path, format="turtle")
    outside = {XSD[name] for name in OWL2_DATATYPES_MISSING}
    for s, p, o in list(g):
        if isinstance(o, Literal) and o.datatype in outside:
            g.remove((s, p, o))
            g.add((s, p, Literal(str(o))))
    path = tmp_path / "input.nt"
    g.serialize(path, format="nt", encoding="utf-8")
    return path


def _hermit(path):
    owlready2 = _reasoner_ready()
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)  # raises if inconsistent
    return world


def test_no_range_uses_a_datatype_outside_owl2():
    from rdflib import Graph
    from rdflib.namespace import RDFS, XSD

    g = Graph().parse(turtle_files("ontology/laokg.ttl")[0], format="turtle")
    bad = sorted(str(p) for p, r in g.subject_objects(RDFS.range) if r in {XSD[n] for n in OWL2_DATATYPES_MISSING})
    assert not bad, bad


def test_hermit_finds_the_ontology_and_the_graph_consistent(tmp_path):
    world = _hermit(_owl_input(tmp_path, with_graph=True))
    assert list(world.inconsistent_classes()) == []


def test_hermit_refuses_a_range_outside_owl2(tmp_path):
    # the check can fail: xsd:duration as a range is what HermiT refused before the fix
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDFS, XSD

    owlready2 = _reasoner_ready()
    path = _owl_input(tmp_path, with_graph=False)
    g = Graph().parse(path, format="nt")
    g.set((URIRef("https://w3id.org/laokg/ontology#maximumValidity"), RDFS.range, XSD.duration))
    g.serialize(path, format="nt", encoding="utf-8")
    with pytest.raises(owlready2.OwlReadyJavaError, match="duration"):
        _hermit(path)


OWN = "https://w3id.org/laokg/"
BUILT_IN = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/2002/07/owl#",
)


def test_every_outside_class_and_superproperty_the_ontology_uses_is_declared():
    # undeclared, an outside range such as schema:Country reads as a datatype to OWL 2 tools
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    g = Graph().parse(turtle_files("ontology/laokg.ttl")[0], format="turtle")
    outside = lambda t: isinstance(t, URIRef) and not str(t).startswith((OWN, *BUILT_IN))  # noqa: E731
    undeclared = set()
    for p in (RDFS.domain, RDFS.subClassOf, OWL.equivalentClass):
        undeclared |= {o for o in g.objects(None, p) if outside(o) and (o, RDF.type, OWL.Class) not in g}
    for prop, cls in g.subject_objects(RDFS.range):
        if outside(cls) and (prop, RDF.type, OWL.ObjectProperty) in g and (cls, RDF.type, OWL.Class) not in g:
            undeclared.add(cls)
    assert not sorted(undeclared), sorted(undeclared)
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty)
    wrong = []
    for sub, sup in g.subject_objects(RDFS.subPropertyOf):
        if outside(sup):
            for kind in kinds:
                if (sub, RDF.type, kind) in g and (sup, RDF.type, kind) not in g:
                    wrong.append(f"{sup} (superproperty of {sub}, a {kind.split('#')[1]})")
    assert not wrong, wrong


def test_hermit_reads_an_outside_range_as_a_class(tmp_path):
    owlready2 = _reasoner_ready()
    world = _hermit(_owl_input(tmp_path, with_graph=False))
    country = world["https://schema.org/Country"]
    assert isinstance(country, owlready2.ThingClass), country
    assert world["https://w3id.org/laokg/ontology#partnerCountry"].range == [country]
