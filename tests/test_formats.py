"""Result formats: table, SPARQL CSV/TSV/JSON, RDF; atomic -o; format/form mismatches."""

import csv
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib import namespace as ns

from laokg.cli.common import write_output
from laokg.errors import InputError
from laokg.query.engines import QueryResult
from laokg.query.formats import check_format, default_format, render

KG = "https://w3id.org/laokg/id/"


@pytest.fixture()
def result():
    return QueryResult(
        "SELECT",
        vars=["thing", "label", "year", "note"],
        rows=[
            {
                "thing": URIRef(KG + "mlsw"),
                "label": Literal('Ministère, "MLSW"', lang="fr"),
                "year": Literal("1993", datatype=ns.XSD.gYear),
            },
            {"thing": URIRef("http://example.org/x y"), "label": Literal("two\nlines\ttab"), "note": BNode("b0")},
        ],
    )


def test_table_is_aligned_and_shortens_iris(result):
    lines = render(result, "table").splitlines()
    assert lines[0].split() == ["thing", "label", "year", "note"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].startswith("kg:mlsw ")
    assert "two⏎lines tab" in lines[3] and "_:b0" in lines[3]
    # columns line up: each column starts at the same offset in every line
    start = lines[0].index("label")
    assert lines[2][start:].startswith("Ministère") and lines[3][start:].startswith("two")


def test_table_handles_wide_characters():
    r = QueryResult(
        "SELECT",
        vars=["a", "b"],
        rows=[{"a": Literal("ລາວ"), "b": Literal("x")}, {"a": Literal("日本"), "b": Literal("y")}],
    )
    lines = render(r, "table").splitlines()
    # "日本" takes 4 terminal columns, "ລາວ" 3: column b starts at the same screen column
    assert lines[3] == "日本  y" and lines[2] == "ລາວ   x" and lines[0] == "a     b"


def test_csv_follows_sparql_csv(result):
    text = render(result, "csv")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["thing", "label", "year", "note"]
    assert rows[1] == [KG + "mlsw", 'Ministère, "MLSW"', "1993", ""]
    assert rows[2] == ["http://example.org/x y", "two\nlines\ttab", "", "_:b0"]


def test_tsv_keeps_term_types(result):
    lines = render(result, "tsv").splitlines()
    assert lines[0] == "?thing\t?label\t?year\t?note"
    assert lines[1].split("\t") == [
        f"<{KG}mlsw>",
        '"Ministère, \\"MLSW\\""@fr',
        '"1993"^^<http://www.w3.org/2001/XMLSchema#gYear>',
        "",
    ]
    assert lines[2].split("\t")[1] == '"two\\nlines\\ttab"'


def test_json_is_sparql_results_json(result):
    data = json.loads(render(result, "json"))
    assert data["head"] == {"vars": ["thing", "label", "year", "note"]}
    first, second = data["results"]["bindings"]
    assert first == {
        "thing": {"type": "uri", "value": KG + "mlsw"},
        "label": {"type": "literal", "value": 'Ministère, "MLSW"', "xml:lang": "fr"},
        "year": {"type": "literal", "value": "1993", "datatype": str(ns.XSD.gYear)},
    }
    assert second["note"] == {"type": "bnode", "value": "b0"} and "year" not in second


def test_ask_formats():
    yes, no = QueryResult("ASK", boolean=True), QueryResult("ASK", boolean=False)
    assert render(yes, "table") == "true\n" and render(no, "table") == "false\n"
    assert json.loads(render(no, "json")) == {"head": {}, "boolean": False}
    assert render(yes, "csv").splitlines() == ["boolean", "true"]


def test_graph_formats():
    g = Graph()
    g.add((URIRef(KG + "a"), ns.DCTERMS.title, Literal("A", lang="en")))
    r = QueryResult("CONSTRUCT", graph=g)
    assert 'kg:a dct:title "A"@en' in render(r, "turtle")
    assert render(r, "nt").strip() == f'<{KG}a> <http://purl.org/dc/terms/title> "A"@en .'
    data = json.loads(render(r, "jsonld"))
    assert data["@context"] == {"dct": "http://purl.org/dc/terms/", "kg": KG}
    assert data["@id"] == "kg:a"


def test_defaults():
    assert default_format("SELECT", True) == "table"
    assert default_format("SELECT", False) == "csv"
    assert default_format("ASK", False) == "table"
    assert default_format("CONSTRUCT", True) == "turtle"


@pytest.mark.parametrize(
    "form, fmt", [("SELECT", "turtle"), ("ASK", "jsonld"), ("CONSTRUCT", "csv"), ("DESCRIBE", "table")]
)
def test_format_must_fit_the_query_form(form, fmt):
    with pytest.raises(InputError, match=f"--format {fmt} is for"):
        check_format(form, fmt)


def test_write_output_replaces_whole_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old and longer than the new text")
    write_output("new\n", str(target))
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left


def test_write_output_creates_a_missing_directory(tmp_path):
    write_output("x\n", str(tmp_path / "new" / "x.csv"))
    assert (tmp_path / "new" / "x.csv").read_text() == "x\n"


def test_write_output_under_a_file_is_one_input_error(tmp_path):
    (tmp_path / "plain").write_text("a file, not a directory")
    with pytest.raises(InputError, match="cannot write"):
        write_output("x", str(tmp_path / "plain" / "x.csv"))


# ---------------------------------------------------------------- tables that fit the terminal


def _num(n):
    return Literal(str(n), datatype=ns.XSD.integer)


def test_table_right_aligns_numbers():
    r = QueryResult(
        "SELECT",
        vars=["country", "n"],
        rows=[{"country": Literal("Thailand"), "n": _num(285819)}, {"country": Literal("Canada"), "n": _num(7)}],
    )
    assert render(r, "table", width=80).splitlines() == [
        "country        n",
        "-" * 16,
        "Thailand  285819",
        "Canada         7",
    ]


def test_long_cells_wrap_within_their_column_and_csv_keeps_them_whole():
    text = "word " * 40
    r = QueryResult(
        "SELECT", vars=["thing", "note"], rows=[{"thing": URIRef(KG + "mlsw"), "note": Literal(text.strip())}]
    )
    lines = render(r, "table", width=40).splitlines()
    assert max(len(line) for line in lines) <= 40 and len(lines) > 3
    assert lines[2].startswith("kg:mlsw  word word") and lines[3].startswith("         word")
    assert text.strip() in render(r, "csv")


def test_too_many_columns_become_records():
    names = [f"column{i}" for i in range(12)]
    r = QueryResult("SELECT", vars=names, rows=[{n: Literal(f"value {n}") for n in names[:11]}])
    lines = render(r, "table", width=80).splitlines()
    assert lines[0] == "-[ 1 ]" + "-" * 74
    assert lines[1].split() == ["column0", "value", "column0"] and len(lines) == 12  # column11 unbound: left out
    assert max(len(line) for line in lines) <= 80


def test_iris_never_break():
    iri = URIRef(KG + "decree-sending-migrant-workers-2020")
    r = QueryResult("SELECT", vars=["thing", "note"], rows=[{"thing": iri, "note": Literal("a b c " * 30)}])
    lines = render(r, "table", width=60).splitlines()
    assert lines[2].startswith("kg:decree-sending-migrant-workers-2020  a b c")
    assert max(len(line) for line in lines) <= 60


def test_wide_characters_count_double_when_fitting():
    r = QueryResult("SELECT", vars=["a", "b"], rows=[{"a": Literal("日本語 " * 20), "b": Literal("x")}])
    from wcwidth import wcswidth

    assert max(wcswidth(line) for line in render(r, "table", width=30).splitlines()) <= 30


@pytest.mark.parametrize(
    "command",
    [
        "laokg query list",
        "laokg query run instruments",
        "laokg query run instrument_provisions -p instrument=kg:decree-475-2021",
        "laokg audit",
        "laokg search ministry",
        "laokg query run sources",
    ],
)
def test_real_tables_fit_an_80_column_terminal(command, tmp_path):
    """The issue's measurement: at 80 columns no line is wider than 80 (they were up to 466)."""
    from wcwidth import wcswidth

    from .docs_examples import Example
    from .docs_examples import run as run_example

    lines = run_example(Example(tmp_path / "x.md", 0, command, [], 0), tmp_path)
    assert len(lines) > 5
    assert max(wcswidth(line) for line in lines) <= 80


def _as_rdflib_result(result):
    from rdflib import Variable
    from rdflib.query import Result

    res = Result("SELECT")
    res.vars = [Variable(v) for v in result.vars]
    res.bindings = [
        {
            Variable(k): (Literal(str(t)) if isinstance(t, Literal) and t.datatype == ns.XSD.string else t)
            for k, t in row.items()
            if t is not None
        }
        for row in result.rows
    ]
    return res


ODD = QueryResult(
    "SELECT",
    vars=["a", "b", "c"],
    rows=[
        {"a": URIRef("https://w3id.org/laokg/id/x"), "b": Literal('comma, "quote"\nnewline'), "c": BNode("b0")},
        {"b": Literal("5", datatype=ns.XSD.positiveInteger)},
        {"a": Literal("ລາວ", lang="lo"), "c": Literal("x", datatype=ns.XSD.string)},
        {},
        {"a": Literal(" lead\r\nspace "), "b": Literal("")},
    ],
)


@pytest.mark.parametrize("rows", [ODD, None], ids=["odd-terms", "fixture"])
def test_csv_and_json_are_the_bytes_rdflibs_serializers_write(rows, result):
    """laokg writes CSV and JSON without rdflib's result serializers (they load its SPARQL
    engine); the bytes and keys must stay the ones those serializers give."""
    rows = rows or result
    theirs = _as_rdflib_result(rows)
    assert render(rows, "csv") == theirs.serialize(format="csv").decode("utf-8")
    want = json.loads(theirs.serialize(format="json"))
    got = render(rows, "json")
    assert got == json.dumps({"head": want.pop("head"), **want}, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- written straight from Oxigraph's terms (issue 11)

XSD = "http://www.w3.org/2001/XMLSchema#"

#: literals of every kind, written as N-Triples terms and read by Oxigraph (which keeps some in
#: canonical form, as a store answer would); rdflib normalises others again ("1000"^^xsd:double
#: is written 1000.0): the text written from Oxigraph's terms must be rdflib's
ODD_TERMS = [
    "<https://w3id.org/laokg/id/x>",
    "<http://example.org/x%20y?q=1#f>",
    "_:b0",
    '""',
    '"plain"',
    '"comma, \\"quote\\"\\nnewline"',
    '" lead\\r\\nspace "',
    '"tab\\tand\\\\backslash"',
    '"ລາວ"@lo',
    '"Ministère"@fr-CA',
    '"x"^^<' + XSD + "string>",
    '"😀 wide ＡＢ"',
    '"01"^^<' + XSD + "integer>",
    '"+5"^^<' + XSD + "integer>",
    '"1.50"^^<' + XSD + "decimal>",
    '"1E3"^^<' + XSD + "double>",
    '"0.0"^^<' + XSD + "float>",
    '"1"^^<' + XSD + "boolean>",
    '"abc"^^<' + XSD + "integer>",
    '"2020-01-01T00:00:00Z"^^<' + XSD + "dateTime>",
    '"2020-02-30"^^<' + XSD + "date>",
    '"1993"^^<' + XSD + "gYear>",
    '"P2Y"^^<' + XSD + "duration>",
    '"5"^^<' + XSD + "positiveInteger>",
    '"x, y"^^<https://example.org/custom>',
    '"https://x.org/a"^^<' + XSD + "anyURI>",
]


def _oxigraph_rows(terms_by_row: list[list]) -> tuple[list[str], list[tuple]]:
    """Rows of pyoxigraph terms as a store answer gives them: each term loaded into a store
    from its N-Triples text (None: unbound) and read back by a SELECT."""
    import pyoxigraph

    width = max(len(r) for r in terms_by_row)
    vars_ = [f"v{i}" for i in range(width)]
    lines = []
    for n, row in enumerate(terms_by_row):
        lines.append(f'<urn:row:{n}> <urn:number> "{n}"^^<{XSD}integer> .')
        # a row may be shorter than the widest: its missing terms are unbound
        lines += [f"<urn:row:{n}> <urn:{v}> {t} ." for v, t in zip(vars_, row, strict=False) if t is not None]
    store = pyoxigraph.Store()
    store.load("\n".join(lines).encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    where = " ".join(f"OPTIONAL {{ ?row <urn:{v}> ?{v} }}" for v in vars_)
    answer = store.query(
        f"SELECT {' '.join('?' + v for v in vars_)} WHERE {{ ?row <urn:number> ?n {where} }} ORDER BY ?n"
    )
    return vars_, [tuple(s[v] for v in vars_) for s in answer]


def _rdflib_result(vars_, rows) -> QueryResult:
    """The same rows as the engine made them before: rdflib terms from to_rdflib."""
    from laokg.query.oxigraph import to_rdflib

    return QueryResult(
        "SELECT",
        vars=vars_,
        rows=[{v: to_rdflib(t) for v, t in zip(vars_, row, strict=True) if t is not None} for row in rows],
    )


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
@pytest.mark.parametrize("layout", ["one column", "three columns", "unbound cells", "one empty column", "no rows"])
def test_oxigraph_terms_are_written_as_their_rdflib_terms_are(fmt, layout):
    from laokg.query.formats import write_solutions

    terms = [[t] for t in ODD_TERMS]
    if layout == "three columns":
        terms = [ODD_TERMS[i : i + 3] for i in range(0, len(ODD_TERMS), 3)]
    elif layout == "unbound cells":
        terms = [[t, None, t] for t in ODD_TERMS] + [[None, None, None]]
    elif layout == "one empty column":  # csv quotes a lone empty field
        terms = [['""'], [None], ['""']]
    elif layout == "no rows":
        terms = [["<https://w3id.org/laokg/id/x>"]]
    vars_, rows = _oxigraph_rows(terms)
    if layout == "no rows":
        rows = []
    want = render(_rdflib_result(vars_, rows), fmt)
    assert write_solutions(fmt, vars_, rows) == want
    if fmt != "json" and rows:  # a later batch of a stream: the same lines without the header
        ending = "\r\n" if fmt == "csv" else "\n"
        assert write_solutions(fmt, vars_, rows, header=False) == want[want.index(ending) + len(ending) :]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.text(st.characters(blacklist_categories=("Cs",))),
            st.sampled_from(["", "@en", "^^<" + XSD + "string>", "^^<" + XSD + "token>"]),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_string_is_written_as_rdflib_writes_it(values):
    import pyoxigraph

    from laokg.query.formats import write_solutions

    rows = [
        (
            pyoxigraph.Literal(text, language="en")
            if kind == "@en"
            else pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(kind[3:-1]))
            if kind.startswith("^^")
            else pyoxigraph.Literal(text),
            pyoxigraph.NamedNode("https://w3id.org/laokg/id/x"),
        )
        for text, kind in values
    ]
    for fmt in ("csv", "tsv", "json"):
        assert write_solutions(fmt, ["a", "b"], rows) == render(_rdflib_result(["a", "b"], rows), fmt)


def test_oxigraph_terms_cannot_hold_a_lone_surrogate():
    """Why write_solutions needs no check_writable: neither a pyoxigraph term nor an Oxigraph
    query can carry a lone surrogate (if this ever changes, the check must come back)."""
    import pyoxigraph

    for make in (
        lambda: pyoxigraph.Literal("a\ud800b"),
        lambda: pyoxigraph.NamedNode("https://x.org/\udc00"),
        lambda: pyoxigraph.Store().query('SELECT ?x WHERE { BIND("\\uD800" AS ?x) }'),
        lambda: pyoxigraph.Store().query('SELECT ?x WHERE { BIND("\ud800" AS ?x) }'),
    ):
        with pytest.raises((ValueError, SyntaxError, UnicodeError, TypeError)):
            make()


def test_a_result_written_by_the_engine_is_rendered_as_it_was_written():
    text = QueryResult("SELECT", vars=["a"], text="a\r\nx\r\n", text_format="csv")
    assert render(text, "csv") == "a\r\nx\r\n"
    from laokg.errors import OutputError

    with pytest.raises(OutputError, match="written as csv, not tsv"):
        render(text, "tsv")
