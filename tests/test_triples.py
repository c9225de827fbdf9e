"""laokg.graph.triples: N-Triples term strings, conversion from rdflib, canonical blank nodes."""

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from laokg.errors import OutputError
from laokg.graph import triples as tr

EX = "http://example.org/"


def test_from_ntriples_keeps_literals_with_spaces_and_drops_duplicates():
    line = '<http://a/s> <http://a/p> "a b . c"@en .\n'
    assert tr.from_ntriples(line + line + "\n") == {("<http://a/s>", "<http://a/p>", '"a b . c"@en')}


def test_literal_parts():
    assert tr.literal_parts('"x"@en') == tr.Literal("x", "en", None)
    assert tr.literal_parts('"1"^^<http://www.w3.org/2001/XMLSchema#integer>').datatype.endswith("#integer")
    assert tr.literal_parts('"a\\"b"') == tr.Literal('a\\"b', None, None)


@pytest.mark.parametrize("text", ["plain", 'q"uote', "back\\slash", "new\nline\r\t", "é☃\U0001f600", "\x01\x7f"])
def test_unescape_inverts_oxigraph_escaping(text):
    written = str(pyoxigraph.Literal(text))
    assert tr.unescape(tr.literal_parts(written).body) == text


def test_from_rdflib_gives_oxigraph_text(monkeypatch):
    import rdflib

    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)
    graph = Graph()
    graph.add((URIRef(EX + "s"), URIRef(EX + "p"), Literal("a\nb", lang="en")))
    graph.add(
        (URIRef(EX + "s"), URIRef(EX + "p"), Literal("01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer")))
    )
    assert tr.from_rdflib(graph) == {
        (f"<{EX}s>", f"<{EX}p>", '"a\\nb"@en'),
        (f"<{EX}s>", f"<{EX}p>", '"01"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    }


def test_from_rdflib_refuses_an_unwritable_iri():
    graph = Graph()
    graph.add((URIRef(EX + "s"), URIRef(EX + "p"), URIRef("not an iri")))
    with pytest.raises(OutputError, match="cannot write"):
        tr.from_rdflib(graph)


def test_distinct_odd_blank_labels_stay_distinct():
    graph = Graph()
    graph.add((BNode("a-b"), URIRef(EX + "p"), Literal(1)))
    graph.add((BNode("a_b"), URIRef(EX + "p"), Literal(2)))
    assert len({s for s, _, _ in tr.from_rdflib(graph)}) == 2


def _labelled(triples):
    return {t for triple in triples for t in triple if t.startswith("_:")}


def test_canonical_is_sorted_and_independent_of_labels():
    a = {
        ("<http://a/s>", "<http://a/p>", "_:x1"),
        ("_:x1", "<http://a/q>", '"v"'),
        ("<http://a/s>", "<http://a/p>", '"w"'),
    }
    b = {
        ("<http://a/s>", "<http://a/p>", "_:other"),
        ("_:other", "<http://a/q>", '"v"'),
        ("<http://a/s>", "<http://a/p>", '"w"'),
    }
    assert tr.canonical(a) == tr.canonical(b)
    assert tr.canonical(a) == sorted(tr.canonical(a))
    lines = [" ".join(t) + " ." for t in tr.canonical(a)]
    assert lines == sorted(lines)
    assert all(label.startswith("_:c") for label in _labelled(tr.canonical(a)))


def test_canonical_falls_back_for_shared_nodes_and_keeps_the_graph():
    triples = {
        ("<http://a/s>", "<http://a/p>", "_:n"),
        ("<http://a/t>", "<http://a/p>", "_:n"),
        ("_:n", "<http://a/v>", '"1"'),
    }
    renamed = {tuple("_:zz" if t == "_:n" else t for t in triple) for triple in triples}
    out = tr.canonical(triples)
    assert out == tr.canonical(renamed)
    assert isomorphic(tr.to_graph(out), tr.to_graph(triples))


def test_to_rdflib_keeps_lexical_forms():
    graph = tr.to_graph([("<http://a/s>", "<http://a/p>", '"01"^^<http://www.w3.org/2001/XMLSchema#integer>')])
    assert next(graph.objects()).n3() == '"01"^^<http://www.w3.org/2001/XMLSchema#integer>'


#: characters Oxigraph writes as they are in a literal, and str.splitlines takes for line ends
LINE_LIKE = "\u0085\u2028\u2029\x1c"


def test_from_ntriples_splits_lines_at_newlines_only():
    literal = pyoxigraph.Literal(f"one{LINE_LIKE}two")
    line = f"<http://a/s> <http://a/p> {literal} .\n"
    assert LINE_LIKE[:3] in line  # written as they are (\x1c is escaped)
    assert tr.from_ntriples(line + "<http://a/s> <http://a/q> <http://a/o> .\n") == {
        ("<http://a/s>", "<http://a/p>", str(literal)),
        ("<http://a/s>", "<http://a/q>", "<http://a/o>"),
    }


def _text(n: int) -> str:
    return "".join(f'<http://a/s{i % 7}> <http://a/p{i % 3}> "v{i}\u2028é" .\n' for i in range(n))


@pytest.mark.parametrize("chunk", [1, 7, 40, 1 << 22])
def test_chunked_reading_gives_every_triple(monkeypatch, tmp_path, chunk):
    monkeypatch.setattr(tr, "_CHUNK", chunk)
    text = _text(50)
    expected = {(f"<http://a/s{i % 7}>", f"<http://a/p{i % 3}>", f'"v{i}\u2028é"') for i in range(50)}
    assert tr.from_ntriples(text) == expected
    path = tmp_path / "g.nt"
    path.write_text(text + "\n", encoding="utf-8")  # a blank line is skipped
    assert tr.read_ntriples(path) == expected
    from laokg.graph.load import ascii_escaped

    assert tr.from_ascii_ntriples(ascii_escaped(text)) == expected


def test_a_term_is_one_string_however_often_it_occurs(tmp_path):
    path = tmp_path / "g.nt"
    path.write_text(_text(30), encoding="utf-8")
    for triples in (tr.from_ntriples(_text(30)), tr.read_ntriples(path)):
        assert len({id(t) for triple in triples for t in triple}) == len({t for triple in triples for t in triple})
    terms: dict = {}
    first, second = tr.read_ntriples(path, terms), tr.read_ntriples(path, terms)
    shared = {id(t) for triple in first for t in triple}
    assert all(id(t) in shared for triple in second for t in triple)
