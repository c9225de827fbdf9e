"""Spec checks: the graph against the rules of the standards it uses, not only our own shapes.

- ``tests/spec/qb/IC-*.rq``: the W3C RDF Data Cube integrity constraints IC-1 ... IC-21
  (section 11.1 "Well-formed cubes"), each the spec's query with the failing node named,
  run after the spec's normalisation algorithm (``tests/spec/normalise.ru``);
- ``tests/spec/house/*.rq``: ELI ranges, PROV-O, Web Annotation, SKOS, DCTERMS, schema.org
  and label rules as queries that must return no rows;
- one rule that needs the documents themselves: an excerpt that occurs more than once in its
  document carries ``oa:prefix``/``oa:suffix`` that make it occur once.

Every rule runs on the real graph (no rows allowed: a failure names the nodes) and on its
fixture ``tests/spec/fixtures/<rule>.ttl``, where it must name exactly the nodes whose IRI
starts with ``http://example.org/bad`` (the ``ok`` nodes are near misses that must pass).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, PROV

from laokg.namespaces import OA
from laokg.provenance.curation import normalise

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "spec"
NORMALISE = (SPEC / "normalise.ru").read_text(encoding="utf-8")
RULES = sorted((SPEC / "qb").glob("*.rq")) + sorted((SPEC / "house").glob("*.rq"))
QB = "http://purl.org/linked-data/cube#"
BAD = "http://example.org/bad"

#: rules the real graph still breaks (strict: a fixed rule must be removed from here)
KNOWN_FAILING: dict[str, str] = {}


def rule_name(path: Path) -> str:
    return path.stem


def normalised(graph: Graph) -> Graph:
    """A copy of ``graph`` after the Data Cube normalisation algorithm (phases 1 and 2)."""
    g = Graph()
    for triple in graph:
        g.add(triple)
    g.update(NORMALISE)
    return g


def _templates(graph: Graph, text: str, name: str) -> list[str]:
    """IC-20/IC-21 are templates over the parent-child properties; others run as they are."""
    if "<$p>" not in text:
        return [text]
    pcps = set(graph.objects(None, URIRef(QB + "parentChildProperty")))
    if name.startswith("IC-21"):
        props = {p for pcp in pcps for p in graph.objects(pcp, OWL.inverseOf) if isinstance(p, URIRef)}
    else:
        props = {p for p in pcps if isinstance(p, URIRef)}
    return [text.replace("<$p>", f"<{p}>") for p in sorted(props)]


def run_rule(graph: Graph, path: Path) -> list[tuple[str, str]]:
    """The (node, detail) rows a rule returns on an already normalised graph, sorted."""
    rows = set()
    for query in _templates(graph, path.read_text(encoding="utf-8"), rule_name(path)):
        for row in graph.query(query):
            rows.add((str(row.node), str(row.detail) if row.detail is not None else ""))
    return sorted(rows)


@pytest.fixture(scope="module")
def normalised_real(real_graph):
    return normalised(real_graph)


def _describe(rows):
    return "\n".join(f"  {node}: {detail}" for node, detail in rows)


@pytest.mark.parametrize("path", RULES, ids=rule_name)
def test_rule_holds_on_the_real_graph(normalised_real, path):
    name = rule_name(path)
    rows = run_rule(normalised_real, path)
    if name in KNOWN_FAILING:
        assert rows, f"{name} holds now: remove it from KNOWN_FAILING"
        pytest.xfail(f"{KNOWN_FAILING[name]} ({len(rows)} nodes)")
    assert not rows, f"{name} fails on {len(rows)} node(s):\n{_describe(rows)}"


@pytest.mark.parametrize("path", RULES, ids=rule_name)
def test_rule_names_exactly_the_bad_nodes_of_its_fixture(path):
    fixture = SPEC / "fixtures" / f"{rule_name(path)}.ttl"
    assert fixture.is_file(), f"no fixture for {rule_name(path)}"
    g = normalised(Graph().parse(fixture, format="turtle"))
    subjects = {str(s) for s in g.subjects() if isinstance(s, URIRef)}
    bad = {s for s in subjects if s.startswith(BAD)}
    assert bad, "a fixture needs at least one triggering node"
    assert any(s.startswith(("http://example.org/ok", "https://w3id.org/laokg/")) for s in subjects), (
        "a fixture needs a near miss"
    )
    named = {node for node, _detail in run_rule(g, path)}
    assert named == bad


def test_every_known_failure_is_a_rule():
    assert set(KNOWN_FAILING) <= {rule_name(p) for p in RULES}


# ---------------------------------------------------------------- excerpts that need a context

_SELECTORS = """
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?holder ?file ?exact ?prefix ?suffix WHERE {
  ?holder oa:hasSelector ?sel .
  ?sel oa:exact ?exact .
  OPTIONAL { ?sel oa:prefix ?prefix }
  OPTIONAL { ?sel oa:suffix ?suffix }
  ?holder oa:hasSource|prov:entity ?doc .
  ?doc dct:identifier ?file .
}"""


def ambiguous_excerpts(graph: Graph, seeds: Path) -> list[tuple[str, str, int]]:
    """(holder, excerpt, occurrences) for excerpts that prefix+exact+suffix do not pin down."""
    texts: dict[str, str] = {}
    found = []
    for holder, file, exact, prefix, suffix in graph.query(_SELECTORS):
        if str(file) not in texts:
            texts[str(file)] = normalise((seeds / str(file)).read_text(encoding="utf-8"))
        text = texts[str(file)]
        quote = normalise(str(exact))
        count = text.count(quote)
        if count <= 1:
            continue
        before = normalise(str(prefix)) if prefix is not None else ""
        after = normalise(str(suffix)) if suffix is not None else ""
        located = _occurrences(text, quote, before, after)
        if located != 1:
            found.append((str(holder), str(exact), located))
    return sorted(found)


def _occurrences(text: str, quote: str, before: str, after: str) -> int:
    """How many places in ``text`` hold ``quote`` preceded by ``before`` and followed by ``after``."""
    n, start = 0, 0
    while (i := text.find(quote, start)) >= 0:
        head = text[:i].rstrip()
        tail = text[i + len(quote) :].lstrip()
        if head.endswith(before.strip()) and tail.startswith(after.strip()):
            n += 1
        start = i + 1
    return n


def test_repeated_excerpts_carry_prefix_or_suffix(real_graph, seeds):
    problems = ambiguous_excerpts(real_graph, seeds)
    assert not problems, "excerpts that occur more than once without a telling oa:prefix/oa:suffix:\n" + "\n".join(
        f"  {h}: {e!r} ({n} matches)" for h, e, n in problems
    )


def test_repeated_excerpt_rule_on_a_fixture(tmp_path):
    (tmp_path / "doc.txt").write_text("the plan aims high. Later, the plan aims high again.", encoding="utf-8")
    g = Graph().parse(
        data="""
        @prefix oa: <http://www.w3.org/ns/oa#> . @prefix dct: <http://purl.org/dc/terms/> .
        <http://example.org/doc> dct:identifier "doc.txt" .
        <http://example.org/bad> oa:hasSource <http://example.org/doc> ;
            oa:hasSelector [ oa:exact "the plan aims high" ] .
        <http://example.org/bad-prefix> oa:hasSource <http://example.org/doc> ;
            oa:hasSelector [ oa:exact "plan aims high" ; oa:prefix "the" ] .
        <http://example.org/ok-once> oa:hasSource <http://example.org/doc> ;
            oa:hasSelector [ oa:exact "Later" ] .
        <http://example.org/ok-prefix> oa:hasSource <http://example.org/doc> ;
            oa:hasSelector [ oa:exact "the plan aims high" ; oa:prefix "Later," ] .
        <http://example.org/ok-suffix> oa:hasSource <http://example.org/doc> ;
            oa:hasSelector [ oa:exact "plan aims high" ; oa:suffix "again" ] .
        """,
        format="turtle",
    )
    assert [h for h, _e, _n in ambiguous_excerpts(g, tmp_path)] == [
        "http://example.org/bad",
        "http://example.org/bad-prefix",
    ]


# ---------------------------------------------------------------- evidence as PROV-O and Web Annotation define it


def test_evidence_passages_and_project_assertions_on_the_real_graph(real_graph):
    """Every document evidence derives from a passage (an oa:SpecificResource with one source and a
    text-quote selector) and carries no selector itself; every project assertion is attributed to the
    project (kg:laokg, a prov:Agent) and derived from nothing (issue 8: WA-01, PROV-01)."""
    from rdflib.namespace import RDF

    from laokg.namespaces import LAOKG

    project = URIRef("https://w3id.org/laokg/id/laokg")
    assert (project, RDF.type, PROV.Agent) in real_graph
    evidence = set(real_graph.subjects(RDF.type, LAOKG.DocumentEvidence))
    assertions = set(real_graph.subjects(RDF.type, LAOKG.ProjectAssertion))
    assert len(evidence) > 100 and len(assertions) > 20
    for ev in evidence:
        [passage] = real_graph.objects(ev, PROV.entity)
        assert (passage, RDF.type, OA.SpecificResource) in real_graph, ev
        assert str(passage) == f"{ev}-passage", "the passage's IRI is the evidence's with -passage"
        assert len(set(real_graph.objects(passage, OA.hasSource))) == 1, ev
        assert (ev, OA.hasSelector, None) not in real_graph, ev
        assert any(
            (sel, RDF.type, OA.TextQuoteSelector) in real_graph for sel in real_graph.objects(passage, OA.hasSelector)
        ), ev
    for pa in assertions:
        assert set(real_graph.objects(pa, PROV.agent)) == {project}, pa
        assert (pa, PROV.entity, None) not in real_graph, pa
        assert (None, PROV.qualifiedDerivation, pa) not in real_graph, pa
        assert (None, PROV.qualifiedAttribution, pa) in real_graph, pa
