"""laokg.graph.export and ``laokg export``: deterministic serialisation, prefixes, atomic writes, and
independent parsers (pyoxigraph always; serdi and rapper when installed, required on CI)."""

import json
import os
import stat
import subprocess
import sys

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from laokg.graph import export, load, parse

from .coretools import REAL_ROOT, assert_clean_exit, invoke, make_project, need_binary, requires_real, write

RDFLIB_FORMAT = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def _parse_back(data: bytes, fmt: str) -> Graph:
    """Parse an export keeping lexical forms as written, as laokg.graph.load does ("P24M" stays)."""
    import rdflib

    previous = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        return Graph().parse(data=data, format=RDFLIB_FORMAT[fmt])
    finally:
        rdflib.NORMALIZE_LITERALS = previous


def _relabelled_copy(graph: Graph) -> Graph:
    """The same triples, inserted in reverse order, with fresh blank-node labels."""
    fresh: dict = {}

    def term(t):
        return fresh.setdefault(t, BNode()) if isinstance(t, BNode) else t

    copy = Graph()
    for prefix, ns in graph.namespace_manager.namespaces():
        copy.bind(prefix, ns, override=True, replace=True)
    for s, p, o in sorted(graph, reverse=True):
        copy.add((term(s), p, term(o)))
    return copy


@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_round_trip_is_isomorphic(project, fmt):
    graph = load.load_data_graph(project)
    data = export.serialize(graph, fmt)
    back = _parse_back(data, fmt)
    assert isomorphic(graph, back)


@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_same_triples_same_bytes(project, fmt):
    graph = load.load_data_graph(project)
    assert export.serialize(graph, fmt) == export.serialize(_relabelled_copy(graph), fmt)


EX = "http://example.org/"
BNODE_SHAPES = {
    "twin subtrees": """
        ex:a ex:sel [ ex:exact "x" ; ex:in [ ex:n 1 ] ] , [ ex:exact "x" ; ex:in [ ex:n 1 ] ] , [ ex:exact "y" ] .
        [ ex:root true ] . [ ex:root true ] .""",
    "shared blank node": """
        _:s ex:v 1 . ex:a ex:p _:s . ex:b ex:p _:s .""",
    "cycle": """
        _:x ex:next _:y . _:y ex:next _:x . ex:a ex:p _:x .""",
    "long list": "ex:a ex:items (" + " ".join(str(i) for i in range(1500)) + ") .",
}


@pytest.mark.parametrize("shape", list(BNODE_SHAPES))
@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_blank_node_structures_are_canonical(shape, fmt):
    """Trees use the fast labelling; shared nodes, cycles and deep lists fall back to
    rdflib's canonicalisation. Either way: same bytes for any labelling, same graph back."""
    graph = Graph().parse(data=f"@prefix ex: <{EX}> .\n" + BNODE_SHAPES[shape], format="turtle")
    data = export.serialize(graph, fmt)
    assert data == export.serialize(_relabelled_copy(graph), fmt)
    back = Graph().parse(data=data, format=RDFLIB_FORMAT[fmt])
    assert len(back) == len(graph)
    if shape == "long list":  # rdflib's isomorphic() takes minutes on 1500 chained blank nodes
        head = back.value(URIRef(EX + "a"), URIRef(EX + "items"))
        assert [int(item) for item in Collection(back, head)] == list(range(1500))
    else:
        assert isomorphic(graph, back)


def test_ntriples_lines_are_sorted(project):
    lines = export.serialize(load.load_data_graph(project), "nt").decode().splitlines()
    assert lines == sorted(lines) and len(lines) == len(set(lines))


def test_turtle_uses_the_laokg_prefixes(project):
    text = export.serialize(load.load_data_graph(project), "turtle").decode()
    assert "@prefix kg: <https://w3id.org/laokg/id/> ." in text
    assert "kg:somchai" in text
    assert "ns1:" not in text


@pytest.mark.parametrize("fmt", ["turtle", "xml"])
def test_unbound_predicate_namespaces_get_readable_prefixes(project, tmp_path, fmt):
    extra = write(
        tmp_path / "odd.ttl",
        '<https://w3id.org/laokg/id/x> <http://example.org/terms/colour> "red" ;'
        " a <http://example.org/things#Widget> .\n",
    )
    data = export.serialize(load.load_data_graph(project, [extra]), fmt).decode()
    assert "ns1" not in data
    assert "example" in data and "terms/" in data


def test_jsonld_has_a_prefix_context_and_keeps_list_order(project, tmp_path):
    graph = load.load_data_graph(project)
    head = BNode()
    items = [Literal(x) for x in ("zeta", "alpha", "mu")]
    Collection(graph, head, items)
    graph.add((URIRef("https://w3id.org/laokg/id/somchai"), URIRef("https://schema.org/knowsAbout"), head))
    doc = json.loads(export.serialize(graph, "jsonld"))
    assert list(doc)[0] == "@context"
    assert doc["@context"]["kg"] == "https://w3id.org/laokg/id/"
    assert doc["@context"]["schema"] == "https://schema.org/"
    assert "sh" not in doc["@context"]  # only prefixes the graph uses
    somchai = next(node for node in doc["@graph"] if node["@id"] == "kg:somchai")
    assert [item["@value"] if isinstance(item, dict) else item for item in somchai["schema:knowsAbout"]["@list"]] == [
        "zeta",
        "alpha",
        "mu",
    ]
    assert isomorphic(graph, Graph().parse(data=json.dumps(doc), format="json-ld"))


@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_literals_keep_their_lexical_forms(tmp_path, fmt):
    """No format rewrites what the curator wrote ("01", "1.0E0", "P24M" stay as they are)."""
    path = write(
        tmp_path / "lex.ttl",
        """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:i "01"^^xsd:integer ; ex:d "1.0E0"^^xsd:double ; ex:b "1"^^xsd:boolean ;
     ex:dec "1.50"^^xsd:decimal ; ex:dur "P24M"^^xsd:duration ; ex:n 366 .
""",
    )
    graph = parse.parse_file(path)
    back = _parse_back(export.serialize(graph, fmt), fmt)
    assert sorted(o.n3() for o in back.objects()) == sorted(o.n3() for o in graph.objects())


def test_unknown_format_is_an_input_error(project):
    from laokg.errors import InputError

    with pytest.raises(InputError, match="unknown export format"):
        export.serialize(load.load_data_graph(project), "csv")


# ---------------------------------------------------------------- writing


def test_write_atomic_replaces_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out" / "g.ttl"
    export.write_atomic(target, b"one")
    export.write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["g.ttl"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    from laokg.errors import InputError

    target = tmp_path / "g.ttl"
    target.write_bytes(b"old")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(InputError, match="g.ttl: cannot write: No space left on device"):
        export.write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["g.ttl"]


@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_cli_stdout_and_file_are_the_same_bytes(project, tmp_path, fmt):
    out = tmp_path / f"g.{fmt}"
    to_stdout = invoke("export", "--root", str(project), "--format", fmt)
    assert_clean_exit(to_stdout, 0)
    to_file = invoke("export", "--root", str(project), "--format", fmt, "-o", str(out))
    assert_clean_exit(to_file, 0)
    assert out.read_bytes() == to_stdout.stdout_bytes
    assert to_file.stdout == ""
    dash = invoke("export", "--root", str(project), "--format", fmt, "-o", "-")
    assert dash.stdout_bytes == to_stdout.stdout_bytes


def test_cli_default_format_is_turtle(project):
    result = invoke("export", "--root", str(project))
    assert_clean_exit(result, 0)
    assert result.stdout.startswith("@prefix ")


def test_cli_unwritable_output_exits_2(project, tmp_path):
    blocker = write(tmp_path / "file", "x")
    result = invoke("export", "--root", str(project), "-o", str(blocker / "g.ttl"))
    assert_clean_exit(result, 2)
    assert result.stderr == f"Error: {blocker}: cannot write: Not a directory\n"


def test_cli_bad_format_is_a_usage_error(project):
    result = invoke("export", "--root", str(project), "--format", "csv")
    assert_clean_exit(result, 2)


def test_cli_help_has_an_example():
    result = invoke("export", "--help")
    assert_clean_exit(result, 0)
    assert "Example:" in result.stdout


# ---------------------------------------------------------------- the real project


def _export_in_subprocess(fmt: str, seed: str) -> bytes:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    env.pop("LAOKG_ROOT", None)
    proc = subprocess.run(
        [sys.executable, "-m", "laokg", "export", "--root", str(REAL_ROOT), "--format", fmt],
        capture_output=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    return proc.stdout


@pytest.fixture(scope="module")
def real_exports(tmp_path_factory):
    """Each format exported once, and written to files for the external parsers."""
    if not (REAL_ROOT / "graph").is_dir():
        pytest.skip("the real graph is not there yet")
    folder = tmp_path_factory.mktemp("real")
    graph = load.load_data_graph(REAL_ROOT)
    paths = {}
    for fmt, (_, suffix, _) in export.FORMATS.items():
        paths[fmt] = folder / f"laokg{suffix}"
        paths[fmt].write_bytes(export.serialize(graph, fmt))
    return graph, paths


@requires_real
@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_real_export_is_deterministic_across_processes(fmt):
    """Two runs with different hash seeds give identical bytes."""
    assert _export_in_subprocess(fmt, "1") == _export_in_subprocess(fmt, "2")


@requires_real
@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_real_export_parses_back_isomorphic(real_exports, fmt):
    graph, paths = real_exports
    data = paths[fmt].read_bytes()
    assert b"ns1:" not in data
    back = _parse_back(data, fmt)
    assert isomorphic(graph, back)


@requires_real
@pytest.mark.parametrize("fmt", list(export.FORMATS))
def test_real_export_parses_with_pyoxigraph(real_exports, fmt):
    import pyoxigraph

    graph, paths = real_exports
    formats = {
        "turtle": pyoxigraph.RdfFormat.TURTLE,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "jsonld": pyoxigraph.RdfFormat.JSON_LD,
        "xml": pyoxigraph.RdfFormat.RDF_XML,
    }
    quads = list(pyoxigraph.parse(path=str(paths[fmt]), format=formats[fmt]))
    assert len(quads) == len(graph)


@requires_real
@pytest.mark.parametrize("fmt,syntax", [("turtle", "turtle"), ("nt", "ntriples")])
def test_real_export_parses_with_serdi(real_exports, fmt, syntax):
    serdi = need_binary("serdi", "serdi")
    graph, paths = real_exports
    proc = subprocess.run([serdi, "-i", syntax, "-o", "ntriples", str(paths[fmt])], capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    assert len([line for line in proc.stdout.splitlines() if line.strip()]) == len(graph)


@requires_real
@pytest.mark.parametrize("fmt,syntax", [("turtle", "turtle"), ("nt", "ntriples"), ("xml", "rdfxml")])
def test_real_export_parses_with_rapper(real_exports, fmt, syntax):
    rapper = need_binary("rapper", "raptor2-utils")
    graph, paths = real_exports
    proc = subprocess.run(
        [rapper, "-q", "-i", syntax, "-o", "ntriples", str(paths[fmt])], capture_output=True, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    assert len([line for line in proc.stdout.splitlines() if line.strip()]) == len(graph)
