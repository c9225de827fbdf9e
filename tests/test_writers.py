"""laokg.graph.writers: the release's N-Triples, Turtle and JSON-LD, written from canonical
term strings. Every shape of data must read back as the same graph in rdflib and Oxigraph;
the layout is checked where it is the point (JSON-LD is exactly json.dumps(indent=2))."""

import json

import pyoxigraph
import pytest
import rdflib
from rdflib import Graph
from rdflib.compare import isomorphic

from laokg.graph import export, load, writers

from .coretools import requires_real

RDFLIB = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}
OXIGRAPH = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
}
HEAD = "@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"

CASES = {
    "nested trees": 'ex:a ex:sel [ ex:exact "x" ; ex:in [ ex:n 1 ; ex:m [ ex:k true ] ] ] .',
    "deep chain (deeper than nesting)": "ex:a ex:next " + "[ ex:next " * 12 + "ex:end" + " ]" * 12 + " .",
    "cycle of blank nodes used once": "_:x ex:next _:y . _:y ex:next _:x . ex:a ex:p ex:b .",
    "shared blank node": "_:s ex:v 1 . ex:a ex:p _:s . ex:b ex:p _:s .",
    "unreferenced blank node": '[ ex:root true ; ex:name "r" ] .',
    "lists": 'ex:a ex:items ( 1 "two" ( ex:x ex:y ) [ ex:z 3 ] ) ; ex:none () .',
    "broken list": "ex:a ex:items _:c . _:c <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> 1 ; ex:extra 2 ;"
    " <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil> .",
    "awkward local names": "<http://example.org/a/b> ex:p <http://example.org/x.> , <http://example.org/(y)> ,"
    " <http://example.org/> , <http://example.org/%41> , <urn:isbn:123> .",
    "strings": 'ex:a ex:s "line one\\nline \\"two\\"\\\\ end" , "tab\\there" , "cr\\r\\nlf" , '
    '"""ends with a quote\\"""" ,'
    ' "ends with a backslash\\\\" , "quotes \\"\\"\\" inside\\n" , "é ☃ \\u0001" ; ex:lang "Huk"@lo-latn .',
    "typed literals": 'ex:a ex:i "01"^^xsd:integer , 366 , -0 , "1.0E0"^^xsd:double , 1.5e3 , "1"^^xsd:boolean , true ,'
    ' "1.50"^^xsd:decimal , .5 , "P24M"^^xsd:duration , "x"^^<http://other.example/dt> .',
    "types": "ex:a a ex:One , ex:Two , _:t ; ex:p 1 . _:t ex:q 2 .",
}


def _graph(body: str) -> Graph:
    previous, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return Graph().parse(data=HEAD + body, format="turtle")
    finally:
        rdflib.NORMALIZE_LITERALS = previous


def _parse(data: bytes, fmt: str) -> Graph:
    previous, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return Graph().parse(data=data, format=RDFLIB[fmt])
    finally:
        rdflib.NORMALIZE_LITERALS = previous


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("fmt", list(RDFLIB))
def test_every_shape_reads_back_the_same_in_rdflib_and_oxigraph(case, fmt):
    graph = _graph(CASES[case])
    data = export.serialize(graph, fmt)
    back = _parse(data, fmt)
    assert isomorphic(graph, back), data.decode()
    assert sorted(o.n3() for o in back.objects() if isinstance(o, rdflib.Literal)) == sorted(
        o.n3() for o in graph.objects() if isinstance(o, rdflib.Literal)
    )
    assert len(list(pyoxigraph.parse(data, format=OXIGRAPH[fmt]))) == len(graph)


def test_turtle_layout():
    text = export.serialize(_graph(CASES["nested trees"] + CASES["lists"]), "turtle").decode()
    assert text.startswith("@prefix ex: <http://example.org/> .\n")
    assert "@prefix xsd:" not in text  # only the prefixes it uses
    assert 'ex:sel [ ex:exact "x" ;' in text
    assert 'ex:items ( 1 "two" ( ex:x ex:y ) [ ex:z 3 ] )' in text
    assert "ex:none () ;" in text
    assert text.endswith(" .\n")


def test_turtle_predicates_type_then_label_then_iri_order():
    graph = _graph('ex:a ex:zz 1 ; <http://www.w3.org/2000/01/rdf-schema#label> "A" ; a ex:T ; ex:aa 2 .')
    text = export.serialize(graph, "turtle").decode()
    block = text.split("\n\n")[-1]
    assert block.index(" a ex:T") < block.index("rdfs:label") < block.index("ex:aa") < block.index("ex:zz")


def test_turtle_writes_awkward_local_names_as_full_iris():
    text = export.serialize(_graph(CASES["awkward local names"]), "turtle").decode()
    for iri in (
        "<http://example.org/a/b>",
        "<http://example.org/x.>",
        "<http://example.org/(y)>",
        "<http://example.org/%41>",
        "<urn:isbn:123>",
    ):
        assert iri in text
    assert "        ex:,\n" in text  # the namespace itself is a valid prefixed name


def test_turtle_keeps_lexical_forms_bare_only_when_canonical():
    text = export.serialize(_graph(CASES["typed literals"]), "turtle").decode()
    assert '"01"^^xsd:integer' in text and '"1"^^xsd:boolean' in text and '"P24M"^^xsd:duration' in text
    assert " 366" in text and "true" in text and "1.5e3" in text
    assert '"x"^^<http://other.example/dt>' in text


def test_multiline_strings_are_long_strings():
    text = export.serialize(_graph(CASES["strings"]), "turtle").decode()
    assert '"""line one\nline \\"two\\"\\\\ end"""' in text


def test_cycle_is_written_once():
    text = export.serialize(_graph(CASES["cycle of blank nodes used once"]), "turtle").decode()
    assert text.count("ex:next") == 2


@pytest.mark.parametrize("case", list(CASES))
def test_jsonld_is_laid_out_as_json_dumps_indent_2(case):
    data = export.serialize(_graph(CASES[case]), "jsonld").decode()
    assert data == json.dumps(json.loads(data), indent=2, ensure_ascii=False) + "\n"


def test_jsonld_nodes_are_sorted_and_values_exact():
    doc = json.loads(export.serialize(_graph(CASES["typed literals"] + CASES["types"]), "jsonld"))
    ids = [node["@id"] for node in doc["@graph"]]
    assert ids == sorted(ids)
    node = next(n for n in doc["@graph"] if n["@id"] == "ex:a")
    assert node["@type"] == ["ex:One", "ex:Two"]
    assert {"@type": "xsd:integer", "@value": "01"} in node["ex:i"]
    assert "rdf:type" in node  # a blank-node class stays a plain value
    assert doc["@context"] == {
        "ex": "http://example.org/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }


def test_empty_graph():
    assert export.serialize(Graph(), "nt") == b""
    assert export.serialize(Graph(), "turtle") == b""
    assert json.loads(export.serialize(Graph(), "jsonld")) == {"@context": {}}


def test_unbound_vocabulary_gets_a_readable_prefix():
    prefixes = writers.complete_prefixes([("<http://a.example/x>", "<http://example.org/terms/colour>", '"red"')], [])
    assert prefixes == [("example", "http://example.org/terms/")]  # "terms" is too generic a word


@requires_real
@pytest.mark.parametrize("fmt", list(RDFLIB))
def test_oxigraph_text_and_rdflib_graph_give_the_same_bytes(fmt):
    """build/export read the project with Oxigraph; an rdflib graph of the same data (site,
    push, an endpoint's answer) must give the same bytes."""
    assert export.write_triples(export.data_triples(), fmt) == export.serialize(load.load_data_graph(), fmt)


def test_jsonld_lone_node_sits_beside_the_context():
    doc = json.loads(export.serialize(_graph('ex:a ex:p "x"@en .'), "jsonld"))
    assert doc == {"@context": {"ex": "http://example.org/"}, "@id": "ex:a", "ex:p": {"@language": "en", "@value": "x"}}


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        'q"é\n',
        {"@id": "ex:a"},
        {"@value": "1", "@type": "xsd:integer"},
        {"@language": "en", "@value": "x\u2028"},
        {"@list": [{"@id": "ex:a"}, "b"]},
    ],
)
def test_value_order_key_is_sorted_keys_json(value):
    assert writers._sorted_json(value) == json.dumps(value, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("batch", [1, 2, 8192])
@pytest.mark.parametrize("case", [*CASES, "empty", "lone node"])
def test_writing_to_a_file_gives_the_same_bytes(case, batch, monkeypatch, tmp_path):
    """write_ntriples, write_turtle and write_jsonld (the build's, a batch at a time, the
    prefixes or context put in front afterwards) write what ntriples, turtle and jsonld give."""
    monkeypatch.setattr(writers, "_BATCH", batch)
    body = {**CASES, "empty": "", "lone node": 'ex:a ex:p "x" ; ex:q ex:b .'}[case]
    ready = export.prepare_graph(_graph(body))
    expected = {
        "nt": writers.ntriples(ready.triples),
        "turtle": writers.turtle(ready.triples, ready.prefixes),
        "jsonld": writers.jsonld(ready.triples, ready.prefixes),
    }
    for fmt, data in expected.items():
        path = tmp_path / f"out.{fmt}"
        export.write_triples_file(ready, fmt, path)
        assert path.read_bytes() == data, fmt
        assert sorted(p.name for p in tmp_path.iterdir()) == [f"out.{fmt}"]  # no body file left
        path.unlink()
