"""show, trace (both ways), search and stats read the Oxigraph store when the queries do
(laokg.query.storeview, laokg.graph.stats.store_stats) and give byte-identical output to the
reference engine (rdflib on the parsed Turtle), on the real graph and on a synthetic project:
for every node with evidence, every work or document something cites, and every label word."""

import os
import re
import sys

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF

from laokg.cli import cli
from laokg.graph import build
from laokg.graph.stats import compute_stats, format_json, format_text, store_stats
from laokg.graph.store import open_store
from laokg.labels import LabelIndex, NodeLabels
from laokg.namespaces import CITO, LAOKG, OA
from laokg.provenance import trace as tr
from laokg.provenance.text import card_text
from laokg.query.engines import QueryResult, load_graph
from laokg.query.entity import card, describe_graph, render_json, search
from laokg.query.formats import render
from laokg.query.oxigraph import OxigraphEngine
from laokg.query.storeview import label_candidates, store_graph

from .conftest import ROOT
from .coretools import copy_real_project


def _pair(root):
    """(graph, its label index) on rdflib, and on the store as the commands read it: the view,
    labels node by node, a label resolved and a search pre-filtered by the store."""
    graph = load_graph(root)
    store = open_store(root)
    view = store_graph(store)
    labels = NodeLabels(view, OxigraphEngine(store).labelled, lambda text: label_candidates(view, text))
    return (graph, LabelIndex(graph)), (view, labels)


@pytest.fixture(scope="module")
def real():
    return _pair(ROOT)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    out = tmp_path_factory.mktemp("syn") / "p"
    generate.generate(6000, out)
    return _pair(out)


@pytest.fixture(params=["real", "synthetic"])
def pair(request):
    return request.getfixturevalue(request.param)


def _things(graph) -> list:
    """Every node with evidence or a label (sorted), the nodes the reading commands are asked about."""
    nodes = {s for s in graph.subjects(PROV.qualifiedDerivation, None)}
    nodes |= {s for s in graph.subjects(PROV.qualifiedAttribution, None)}
    nodes |= {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
    return sorted(nodes, key=str)


def _works(graph) -> list:
    """Every work or document a piece of evidence rests on."""
    works = {o for p in (CITO.citesAsEvidence, CITO.citesAsDataSource, LAOKG.citedWork) for o in graph.objects(None, p)}
    works |= set(graph.objects(None, OA.hasSource))
    return sorted(works, key=str)


_BNODE = re.compile(r'"bnode": "[^"]+"|_:[A-Za-z0-9]+')


def _blank(text: str) -> str:
    """Blank nodes' labels are the parser's (rdflib draws new ones on every parse, Oxigraph
    keeps its own): the one part of a card that may differ, and only in the label."""
    return _BNODE.sub("_:b", text)


def _cards(graph, index, iri) -> str:
    c = card(graph, iri, index)
    return _blank(
        card_text(graph, iri, index, max_links=None)
        + render_json(graph, c, index)
        + render(QueryResult("DESCRIBE", graph=describe_graph(graph, iri)), "turtle")
    )


def _trace(graph, index, iri) -> str:
    t = tr.trace_entity(graph, iri, index)
    return _blank(str(t) + tr.to_json(t))


def _same_provenance(view, graph, iri) -> bool:
    """The PROV-O subgraphs are the same graph. (Their Turtle orders blank nodes by label, which
    differs between two rdflib parses as much as between the engines: compared as graphs.)"""
    from rdflib.compare import isomorphic

    return isomorphic(tr.provenance_graph(view, iri), tr.provenance_graph(graph, iri))


def test_the_view_sees_the_same_triples(pair):
    (graph, _), (view, _) = pair
    assert len(view) == len(graph)
    assert set(view.predicates(unique=True)) == set(graph.predicates(unique=True))


def test_show_is_the_same_on_both_engines(pair):
    (graph, index), (view, vindex) = pair
    things = _things(graph)
    assert len(things) > 50
    for iri in things:
        assert _cards(view, vindex, iri) == _cards(graph, index, iri), iri


def test_trace_is_the_same_on_both_engines(pair):
    (graph, index), (view, vindex) = pair
    traced = [s for s in _things(graph) if (s, PROV.qualifiedDerivation, None) in graph]
    assert len(traced) > 20
    for iri in traced:
        assert _trace(view, vindex, iri) == _trace(graph, index, iri), iri
        assert _same_provenance(view, graph, iri), iri


def test_reverse_trace_is_the_same_on_both_engines(pair):
    (graph, index), (view, vindex) = pair
    works = _works(graph)
    assert len(works) > 5
    depending = 0
    for work in works:
        ours = tr.to_json(tr.trace_source(view, work, vindex))
        assert ours == tr.to_json(tr.trace_source(graph, work, index)), work
        depending += '"dependants": []' not in ours
    assert depending > 0


def test_search_is_the_same_on_both_engines(pair):
    (graph, index), (view, vindex) = pair
    words = sorted({w for lits in index._labels.values() for _, lit in lits for w in str(lit).split()[:2]})[::7]
    assert len(words) > 20
    hostile = ['a"b', "back\\slash", "x') || true || ('", "}} SELECT", "\u00e9", "côte", "ß", "  "]
    for word in words + ["ministry", "decree 245", "ministere", "Ministère"] + hostile:
        for fmt in ("csv", "tsv", "json"):
            assert render(search(view, word, index=vindex), fmt) == render(search(graph, word, index=index), fmt), word


def _index_pair(root, tmp_path):
    """(graph, its label index), and the store's view with a search answered from the label
    index the build writes (labels.tsv), as `laokg search` on a built project reads it."""
    from laokg.graph.export import data_triples
    from laokg.graph.store import label_index
    from laokg.query.storeview import index_candidates

    path = tmp_path / "labels.tsv"
    path.write_bytes(label_index(data_triples(root).triples))
    graph = load_graph(root)
    view = store_graph(open_store(root))
    labels = NodeLabels(view, None, lambda text: index_candidates(path, text))
    return (graph, LabelIndex(graph)), (view, labels), path


@pytest.mark.parametrize("which", ["real", "synthetic"])
def test_search_from_the_label_index_is_the_same(which, tmp_path, tmp_path_factory):
    root = ROOT
    if which == "synthetic":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import generate

        root = tmp_path / "p"
        generate.generate(4000, root)
        # labels a search must fold: accents, Lao script, astral characters, a tab and a line break
        (root / "graph" / "zz-labels.ttl").write_text(
            "@prefix kg: <https://w3id.org/laokg/id/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            'kg:odd-1 rdfs:label "Ministère\\tdu  Travail\\n(ລາວ) 𝔸"@fr ; skos:altLabel "MINISTRY of labour" .\n'
            'kg:odd-2 skos:prefLabel "ministry"^^<http://www.w3.org/2001/XMLSchema#string> , "a\\"b back\\\\slash" .\n'
            '<https://w3id.org/laokg/id/ບ້ານ> rdfs:label "ບ້ານ ministry"@lo .\n',
            encoding="utf-8",
        )
    (graph, index), (view, labels), path = _index_pair(root, tmp_path)
    assert path.read_bytes() == _index_pair(root, tmp_path)[2].read_bytes()  # the same bytes every build
    words = sorted({w for lits in index._labels.values() for _, lit in lits for w in str(lit).split()[:2]})[::11]
    assert len(words) > 20
    hostile = ['a"b', "back\\slash", "\t", "\u00e9", "côte", "ß", "  ", "ministère du", "ລາວ", "𝔸", "labour ministry"]
    for word in words + ["ministry", "decree 245", "ministere", "Ministère"] + hostile:
        for fmt in ("csv", "json"):
            assert render(search(view, word, index=labels), fmt) == render(search(graph, word, index=index), fmt), word


def test_search_on_a_built_project_reads_the_label_index(built):
    from laokg.graph.store import LABEL_INDEX

    runner = CliRunner()
    before = runner.invoke(cli, ["search", "ministry", "--format", "csv", "--root", str(built)])
    assert before.exit_code == 0 and before.output.count("\n") > 1
    index = built / "dist" / "current" / LABEL_INDEX
    lines = index.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if "ministry" not in line.split("\t")[0]]
    # an index naming no ministry: the built project's search answers from it
    index.unlink()
    index.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    after = runner.invoke(cli, ["search", "ministry", "--format", "csv", "--root", str(built)])
    assert after.exit_code != 0 or after.output.count("\n") <= 1, after.output
    # no index (a release built before it): the store is searched, the same rows as before
    index.unlink()
    again = runner.invoke(cli, ["search", "ministry", "--format", "csv", "--root", str(built)])
    assert again.output == before.output


def test_labels_node_by_node_are_the_index_labels(pair):
    (graph, index), (_, labels) = pair
    for node in _things(graph):
        assert labels.labels(node) == index.labels(node) and labels.display(node) == index.display(node)
    for text in sorted({str(lit) for lits in index._labels.values() for _, lit in lits})[::5]:
        assert labels.exact(text) == index.exact(text), text


def test_stats_are_the_same_counted_by_the_store(real, synthetic):
    for root, ((graph, _), _) in ((ROOT, real), (None, synthetic)):
        store = open_store(root) if root else None
        if store is None:
            continue
        ours, theirs = store_stats(store), compute_stats(graph)
        assert format_text(ours) == format_text(theirs) and format_json(ours) == format_json(theirs)
        assert ours.triples == len(graph) and ours.evidence > 0 and ours.classes


def test_stats_of_the_synthetic_store(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    generate.generate(3000, tmp_path / "p")
    ours, theirs = store_stats(open_store(tmp_path / "p")), compute_stats(load_graph(tmp_path / "p"))
    assert format_json(ours) == format_json(theirs) and ours.footnotes > 0 and ours.observations > 0


def test_the_view_is_read_only(real):
    _, (view, _) = real
    with pytest.raises(TypeError):
        view.add((URIRef("urn:x"), RDF.type, URIRef("urn:y")))
    with pytest.raises(TypeError):
        view.remove((None, None, None))
    # terms the store cannot hold match nothing instead of failing
    assert (Literal("x"), None, None) not in view and (None, Literal("x"), None) not in view


# ---------------------------------------------------------------- the commands read the built store


@pytest.fixture
def built(tmp_path):
    dst = copy_real_project(tmp_path / "p")
    build.build(dst)
    return dst


COMMANDS = [
    ["show", "MLSW"],
    ["show", "kg:decree-245-2020", "--format", "json"],
    ["show", "kg:decree-245-2020", "--format", "turtle"],
    ["trace", "kg:decree-245-2020"],
    ["trace", "--source", "kg:mou-laos-thailand-2002", "--format", "json"],
    ["search", "ministry", "--format", "csv"],
    ["stats", "--format", "json"],
    ["audit", "--format", "json"],
]


def test_the_reading_commands_answer_from_the_built_store(built):
    runner = CliRunner()

    def run(args):
        result = runner.invoke(cli, args + ["--root", str(built)], catch_exceptions=False)
        return result.exit_code, result.output

    reference = {tuple(a): run(a + (["--engine", "rdflib"] if a[0] != "audit" else [])) for a in COMMANDS}
    assert all(code in (0, 1) and out.count("\n") > 1 for code, out in reference.values())
    # Turtle that cannot be parsed, with the files' sizes and times kept: the store stays current,
    # and only a command that reads the store can still answer
    for path in (built / "graph").glob("*.ttl"):
        st = path.stat()
        path.write_bytes(b"#" * st.st_size)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    for args in COMMANDS:
        assert run(args) == reference[tuple(args)], args
    # the PROV-O subgraph: the same graph (its Turtle orders blank nodes by the parser's labels)
    from rdflib import Graph
    from rdflib.compare import isomorphic

    code, turtle = run(["trace", "kg:decree-245-2020", "--format", "turtle"])
    assert code == 0 and isomorphic(
        Graph().parse(data=turtle, format="turtle"),
        tr.provenance_graph(load_graph(ROOT), URIRef("https://w3id.org/laokg/id/decree-245-2020")),
    )
    assert run(["show", "MLSW", "--engine", "rdflib"])[0] != 0  # the reference engine parses the files
