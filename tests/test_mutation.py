"""Mutation test on the real graph: delete one required triple, and the graph must break.

The data graph is ontology/laokg.ttl + ontology/vocab/*.ttl + graph/*.ttl with the evidence
their short form expands to, as ``laokg validate`` sees it. The "required triples" are derived
from ontology/shapes.ttl itself
(tests/shape_support.py, :func:`required_pairs`), so a new shape or property is covered
without editing this file. Walking every targeted node shape (sh:targetClass, and also
sh:targetSubjectsOf/ObjectsOf/Node) whose constraint has Violation severity:

* a property shape with ``sh:minCount n ≥ 1`` requires its path on each focus node;
* ``sh:qualifiedValueShape`` + ``sh:qualifiedMinCount ≥ 1`` requires values that conform to
  the qualified shape (e.g. PracticeShape: a dct:subject from the sector scheme);
* ``sh:hasValue v`` requires the triple with exactly that value;
* a node-level ``sh:or`` of property shapes with min counts requires one of the paths
  (SourceWorkShape: dct:publisher or dct:creator; DocumentCitedShape: document evidence or a
  project assertion covering rdf:type);
* ``sh:class C`` (or an ``sh:or`` of sh:class shapes) on a property requires ``rdf:type C``
  (or a subclass) on each existing value — the type of an evidence node, of a document, of a
  country named as refArea …;
* ``sh:node S`` applies S's requirements to each value, so the text selector behind
  oa:hasSelector needs ``rdf:type oa:TextQuoteSelector`` and ``oa:exact``, an indicator needs
  ``skos:inScheme indicator:``, and so on.

A "pair" is (shape, listed target, path chain, requirement), e.g.
``PassageShape[oa:SpecificResource] oa:hasSource``. Rule for choosing triples: a triple is
a mutation candidate only if it is the ONLY value that satisfies the requirement for that
node — removing it must leave the requirement unmet. A triple whose removal is legitimately
covered by a redundant one (a node with two document-evidence links, a practice with two
sector subjects, an organisation with a second name in another triple) is not a candidate:
the graph rightly still conforms without it. SHACL-SPARQL rules are not "required triples";
tests/test_shapes.py covers them with fixtures.

For each pair one candidate is tested (the first in a stable sort), plus a sample of
SAMPLE_SIZE candidates over all pairs drawn with a fixed seed. Each test validates only the
affected focus node, before (must have no violation) and after the deletion (must have at
least one). That uses :func:`shape_support.validate_focused`, which retargets the shapes to
the focus node: pySHACL's own ``focus_nodes`` option (0.40) restricts class targets and
SHACL-SPARQL constraints correctly, but it also filters the value nodes of nested shape
checks (sh:node, sh:or members, qualified value shapes), so that e.g. deleting ``oa:exact``
from a selector or ``rdf:type fabio:Report`` from a document goes unnoticed (measured: the
focused validation reports conforms=True in 0.05 s, the full one a violation in 5 s).
A test below checks that the retargeted validation reports exactly what a full validation
reports for the same nodes.
"""

from __future__ import annotations

import random

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from . import shape_support as ss

SAMPLE_SIZE = 40
SEED = 20261122

DATA = ss.load_real()
SHAPES = ss.load_shapes()
PAIRS = ss.required_pairs(DATA, SHAPES)


def _short(term) -> str:
    if isinstance(term, BNode):
        return "[]"
    if isinstance(term, Literal):
        text = str(term)
        return repr(text[:30].encode("ascii", "replace").decode() + ("..." if len(text) > 30 else ""))
    return DATA.namespace_manager.normalizeUri(term)


def _id(candidate: ss.Candidate) -> str:
    s, p, o = candidate.triple
    subject = f"[] of {_short(candidate.focus)}" if isinstance(s, BNode) else _short(s)
    return f"{candidate.pair} :: {subject} {_short(p)} {_short(o)}"


def _per_pair():
    params = []
    for name in sorted(PAIRS):
        candidates = PAIRS[name]
        if candidates:
            params.append(pytest.param(candidates[0], id=name))
        else:
            params.append(
                pytest.param(
                    None,
                    id=name,
                    marks=pytest.mark.skip(reason="no triple in the graph is the only value for this requirement"),
                )
            )
    return params


def _sample():
    seen, pool = set(), []
    for name in sorted(PAIRS):
        for candidate in PAIRS[name]:
            if candidate.triple not in seen:
                seen.add(candidate.triple)
                pool.append(candidate)
    pool.sort(key=lambda c: c.key)
    chosen = random.Random(SEED).sample(pool, min(SAMPLE_SIZE, len(pool)))
    return [pytest.param(c, id=_id(c)) for c in chosen]


PER_PAIR = _per_pair()
SAMPLE = _sample()


@pytest.fixture(scope="module")
def baseline():
    """Violations of every focus node used below, on the unmutated graph (one validation)."""
    foci = {p.values[0].focus for p in PER_PAIR + SAMPLE if p.values[0] is not None}
    results = ss.validate_focused(DATA, SHAPES, foci)
    return {f: [r for r in results if r.focus == f and r.severity == "Violation"] for f in foci}


def _mutate_and_validate(candidate: ss.Candidate):
    size = len(DATA)
    assert candidate.triple in DATA
    DATA.remove(candidate.triple)
    try:
        results = ss.validate_focused(DATA, SHAPES, [candidate.focus])
    finally:
        DATA.add(candidate.triple)
    assert len(DATA) == size
    return [r for r in results if r.severity == "Violation"]


def _check(candidate: ss.Candidate, baseline):
    assert baseline[candidate.focus] == [], f"{candidate.focus} has violations before any mutation"
    violations = _mutate_and_validate(candidate)
    assert violations, (
        f"deleting {_id(candidate)} left {candidate.focus} conforming: the shapes do not enforce {candidate.pair}"
    )
    assert all(r.focus == candidate.focus for r in violations)


def test_required_pairs_are_derived_from_the_shapes():
    """Sanity of the derivation: the obvious requirements are found and most pairs are testable."""
    names = set(PAIRS)
    for expected in (
        "CitedShape[schema:Country] prov:qualifiedDerivation|prov:qualifiedAttribution (sh:or)",
        "DocumentEvidenceShape[laokg:DocumentEvidence] prov:entity/-> rdf:type oa:SpecificResource",
        "PassageShape[oa:SpecificResource] oa:hasSelector (qualified)",  # a quote selector beside the position
        "PassageShape[oa:SpecificResource] oa:hasSource",
        "ProjectAssertionShape[laokg:ProjectAssertion] prov:agent/-> rdf:type prov:Agent",
        "SourceWorkShape[fabio:Report] dct:publisher|dct:creator (sh:or)",
        "SeedDocumentShape[objectsOf oa:hasSource] dct:identifier",
        "PracticeShape[laokg:Practice] dct:subject (qualified)",
    ):
        assert expected in names, f"{expected!r} not derived; have e.g. {sorted(names)[:5]}"
    testable = [n for n in names if PAIRS[n]]
    assert len(testable) >= 0.8 * len(names), f"only {len(testable)} of {len(names)} pairs have a candidate triple"


@pytest.mark.parametrize("candidate", PER_PAIR)
def test_deleting_the_only_required_triple_breaks_conformance(candidate, baseline):
    _check(candidate, baseline)


@pytest.mark.parametrize("candidate", SAMPLE)
def test_sampled_required_triple(candidate, baseline):
    _check(candidate, baseline)


def test_focused_validation_matches_full_validation():
    """The retargeted validation gives, for its focus nodes, exactly the full validation's results
    — including nested sh:node/sh:or failures and SHACL-SPARQL rules (one full run, ~2-5 s)."""
    g = ss.load_real()
    mutated = set()

    def first(pred, obj=None, subj=None):
        return sorted(g.triples((subj, pred, obj)), key=lambda t: (str(t[0]), str(t[2])))[0]

    from rdflib import Namespace

    OA = Namespace("http://www.w3.org/ns/oa#")
    ORG = Namespace("http://www.w3.org/ns/org#")
    LAOKG = Namespace("https://w3id.org/laokg/ontology#")
    DOCO = Namespace("http://purl.org/spar/doco/")
    # a selector loses its excerpt (nested sh:node under the passage)
    passage = sorted(g.subjects(OA.hasSelector, None), key=str)[0]
    [selector] = [o for o in g.objects(passage, OA.hasSelector) if (o, RDF.type, OA.TextQuoteSelector) in g]
    g.remove((selector, OA.exact, None))
    mutated.add(passage)
    # a section loses its type (sh:class on laokg:section values)
    section = sorted(g.subjects(RDF.type, DOCO.Section), key=str)[0]
    g.remove((section, RDF.type, DOCO.Section))
    mutated |= set(g.subjects(LAOKG.section, section))
    # an organisation no longer lists its unit (SHACL-SPARQL, unit side)
    org, _, unit = first(ORG.hasUnit)
    g.remove((org, ORG.hasUnit, unit))
    mutated.add(unit)
    # a footnote takes another footnote's number (SHACL-SPARQL warning)
    footnotes = sorted(g.subjects(RDF.type, DOCO.Footnote), key=str)[:2]
    number = g.value(footnotes[0], LAOKG.footnoteNumber)
    g.set((footnotes[1], LAOKG.footnoteNumber, number))
    mutated |= set(footnotes)
    # and a few untouched nodes
    mutated |= set(sorted((s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef)), key=str)[::97])

    full = ss.results_of(ss.pyshacl_report(g, SHAPES), SHAPES)
    focused = ss.validate_focused(g, SHAPES, mutated)
    assert focused == [r for r in full if r.focus in mutated]
    assert {r.focus for r in full if r.severity == "Violation"} >= {passage, unit}


def test_every_target_selects_nodes_in_the_real_graph():
    """A target that selects nothing (a misspelt class, a class no longer used) makes its
    requirements untestable here and its constraints dead; list them."""
    empty = [
        f"{ss.pair_name(SHAPES, ss.Requirement(shape, kind, (), (), '')).strip()}"
        for shape in ss.targeted_shapes(SHAPES)
        for kind in ss.target_kinds(SHAPES, shape)
        if not ss.targets_of(DATA, kind)
    ]
    assert not empty, "targets selecting no node of the real graph: " + ", ".join(empty)
