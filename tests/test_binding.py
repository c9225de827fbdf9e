"""Parameter values become typed RDF terms; VALUES injection never changes the query's structure."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef, Variable, namespace
from rdflib.plugins.sparql import parser as sparql_parser
from rdflib.plugins.sparql.algebra import translateQuery

from laokg.errors import ParameterError, QueryError
from laokg.query.binding import bind_parameters, inject_values, sparql_term
from laokg.query.catalogue import parse_saved_query
from laokg.query.engines import EmbeddedEngine
from laokg.query.parameters import coerce, expand_iri
from laokg.query.safety import walk_algebra

from .query_fixtures import fixture_graph, fixture_query, resolver

KG = "https://w3id.org/laokg/id/"
DOCTYPE = "https://w3id.org/laokg/vocab/doctype/"


def param(var: str):
    return parse_saved_query(f"SELECT * WHERE {{ ?s ?p ?{var} }}", "t").parameters[0]


# ---------------------------------------------------------------- typed terms


@pytest.mark.parametrize(
    "var, raw, term",
    [
        ("_n_integer", "007", Literal("7", datatype=namespace.XSD.integer)),
        ("_n_integer", "-3", Literal("-3", datatype=namespace.XSD.integer)),
        ("_x_decimal", "12.50", Literal("12.50", datatype=namespace.XSD.decimal)),
        ("_d_xsd_date", "2020-06-30", Literal("2020-06-30", datatype=namespace.XSD.date)),
        ("_y_xsd_gYear", "2020", Literal("2020", datatype=namespace.XSD.gYear)),
        ("_m_xsd_gYearMonth", "2020-06", Literal("2020-06", datatype=namespace.XSD.gYearMonth)),
        ("_b_xsd_boolean", "TRUE", Literal("true", datatype=namespace.XSD.boolean)),
        ("_t_xsd_dateTime", "2020-06-30T12:00:00Z", Literal("2020-06-30T12:00:00Z", datatype=namespace.XSD.dateTime)),
        ("_name_en", "Labour Law", Literal("Labour Law", lang="en")),
        ("_text", " keeps  spaces ", Literal(" keeps  spaces ")),
        ("_i_iri", "kg:mlsw", URIRef(KG + "mlsw")),
        ("_i_iri", "<https://example.org/a#b>", URIRef("https://example.org/a#b")),
        ("_i_iri", "https://example.org/a", URIRef("https://example.org/a")),
        ("_i_iri", "urn:isbn:123", URIRef("urn:isbn:123")),
    ],
)
def test_values_become_typed_terms(var, raw, term):
    got = coerce(param(var), raw)
    assert got == term and type(got) is type(term)
    if isinstance(term, Literal):
        assert got.datatype == term.datatype and got.language == term.language


# a data table, one row per ill-typed value: its rows are alike by design
@pytest.mark.parametrize(
    "var, raw, message",
    [
        ("_n_integer", "1.5", "expects xsd:integer such as 2020, got '1.5'"),
        ("_n_integer", "", "expects xsd:integer"),
        ("_d_xsd_date", "2020-02-30", "expects xsd:date such as 2020-06-30"),
        ("_d_xsd_date", "30/06/2020", "expects xsd:date"),
        ("_y_xsd_gYear", "20", "expects xsd:gYear"),
        ("_m_xsd_gYearMonth", "2020-13", "expects xsd:gYearMonth"),
        ("_b_xsd_boolean", "maybe", "expects xsd:boolean"),
        ("_x_decimal", "1e3", "expects xsd:decimal"),
        ("_i_iri", "https://example.org/a b", "expects an IRI or a CURIE"),
        ("_i_iri", "<https://example.org/a>b>", "not a valid IRI"),
        ("_i_iri", "<relative>", "not an absolute IRI"),
        ("_i_iri", 'https://example.org/"x', "not a valid IRI"),
        ("_text", "a \\u0022 b", "\\u escape"),
    ],
)
def test_ill_typed_values_are_one_line_errors(var, raw, message):
    with pytest.raises(ParameterError) as exc:
        coerce(param(var), raw)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_expand_iri():
    assert expand_iri("doctype:law") == URIRef(DOCTYPE + "law")
    assert expand_iri("sdg:10.7") == URIRef("https://w3id.org/laokg/vocab/sdg/10.7")
    assert expand_iri("Labour Law") is None  # a label
    assert expand_iri("unknownprefix:x") is None  # not a project prefix: treated as a label
    with pytest.raises(ParameterError):
        expand_iri("kg:a>b")


# ---------------------------------------------------------------- binding a saved query


def test_defaults_apply_and_values_override():
    sq = fixture_query("instruments-by-type")
    assert bind_parameters(sq, []) == {"_type_iri": [URIRef(DOCTYPE + "law")]}
    assert bind_parameters(sq, [("type", "doctype:decree")]) == {"_type_iri": [URIRef(DOCTYPE + "decree")]}


def test_several_values_for_one_parameter():
    sq = fixture_query("instruments-by-type")
    got = bind_parameters(
        sq, [("type", "doctype:decree"), ("type", "law"), ("type", "doctype:decree"), ("from_year", "2015")], resolver()
    )
    assert got == {
        "_type_iri": [URIRef(DOCTYPE + "decree"), URIRef(DOCTYPE + "law")],
        "__from_year_integer": [Literal("2015", datatype=namespace.XSD.integer)],
    }


def test_enumerate_is_enforced_and_listed():
    sq = fixture_query("instruments-by-type")
    with pytest.raises(
        ParameterError,
        match=r"must be one of: doctype:law, doctype:decree, doctype:memorandum-of-understanding \(got 'kg:mlsw'\)",
    ):
        bind_parameters(sq, [("type", "kg:mlsw")])
    with pytest.raises(ParameterError, match="must be one of: doctype:law"):
        bind_parameters(sq, [("type", "Thailand")], resolver())


def test_labels_resolve_case_and_accent_insensitively():
    sq = fixture_query("is-decree")
    assert bind_parameters(sq, [("instrument", "decree 245")], resolver()) == {
        "_instrument_iri": [URIRef(KG + "decree-245-2020")]
    }
    sq = parse_saved_query("SELECT * WHERE { ?_org_iri ?p ?o }", "t")
    assert bind_parameters(sq, [("org", "MINISTERE DU TRAVAIL")], resolver()) == {"_org_iri": [URIRef(KG + "mlsw")]}


def test_ambiguous_and_unknown_labels():
    sq = parse_saved_query("SELECT * WHERE { ?_unit_iri ?p ?o }", "t")
    with pytest.raises(ParameterError) as exc:
        bind_parameters(sq, [("unit", "employment department")], resolver())
    msg = str(exc.value)
    assert "ambiguous" in msg and "kg:employment-department" in msg and "kg:provincial-employment-department" in msg
    with pytest.raises(ParameterError, match="nothing is labelled 'Atlantis'"):
        bind_parameters(sq, [("unit", "Atlantis")], resolver())
    with pytest.raises(ParameterError, match="expects an IRI or a CURIE"):
        bind_parameters(sq, [("unit", "Atlantis")], None)


def test_missing_and_unknown_parameters_list_what_is_allowed():
    sq = fixture_query("is-decree")
    with pytest.raises(
        ParameterError,
        match=r"missing required parameter 'instrument' "
        r"\(give -p instrument=VALUE; it takes: instrument \(iri; required\)\)",
    ):
        bind_parameters(sq, [])
    with pytest.raises(
        ParameterError, match=r"unknown parameter 'instrumnet' \(it takes: instrument \(iri; required\)\)"
    ):
        bind_parameters(sq, [("instrumnet", "kg:x")])
    none = parse_saved_query("SELECT * WHERE { ?s ?p ?o }", "t")
    with pytest.raises(ParameterError, match="it takes: no parameters"):
        bind_parameters(none, [("x", "1")])


def test_variable_spelling_is_accepted():
    sq = fixture_query("is-decree")
    assert bind_parameters(sq, [("_instrument_iri", "kg:x")]) == {"_instrument_iri": [URIRef(KG + "x")]}


# ---------------------------------------------------------------- VALUES injection


def where_parts(text):
    return list(sparql_parser.parseQuery(text)[1]["where"]["part"])


def test_values_go_first_in_the_where_group_and_every_group_using_the_parameter():
    text = (
        "PREFIX ex: <http://example.org/>  # { not a brace\n"
        "SELECT ?x (EXISTS { ?x ex:q ?_v } AS ?e) WHERE {\n"
        '  ?x ex:p "} {" .  # } comment ?_v\n'
        "  { ?x ex:r ?_v } UNION { ?x ex:s ?y } UNION { BIND(?_v AS ?x) }\n"
        "  OPTIONAL { ?x ex:t ?z FILTER(?z != ?_v) }\n"
        "  FILTER NOT EXISTS { ?x ex:u ?_v }\n"
        "} ORDER BY ?x"
    )
    new = inject_values(text, {"_v": [Literal("a"), URIRef("http://example.org/b")]})
    top = where_parts(new)
    assert top[0].name == "InlineData" and list(top[0]["var"]) == [Variable("_v")]
    union = top[2]["graph"]
    assert [g["part"][0].name for g in union] == ["InlineData", "TriplesBlock", "InlineData"]
    optional = top[3]["graph"]["part"]
    assert optional[0].name == "InlineData"
    assert new.count("VALUES ?_v") == 4  # top, two union branches, the OPTIONAL; not inside EXISTS
    assert new.count('VALUES ?_v { "a" <http://example.org/b> }') == 4


def test_subselect_gets_values_in_its_own_where_group():
    text = "SELECT ?x WHERE { ?x <http://e/p> ?y { SELECT ?x (?_v AS ?w) WHERE { ?x <http://e/q> ?z } } }"
    new = inject_values(text, {"_v": [Literal("a")]})
    assert new == (
        'SELECT ?x WHERE { VALUES ?_v { "a" } ?x <http://e/p> ?y { SELECT ?x (?_v AS ?w) WHERE '
        '{ VALUES ?_v { "a" } ?x <http://e/q> ?z } } }'
    )


def test_construct_template_is_skipped():
    text = "CONSTRUCT { ?x <http://e/p> ?_v } WHERE { ?x <http://e/q> ?_v }"
    new = inject_values(text, {"_v": [Literal(1)]})
    assert new.startswith("CONSTRUCT { ?x <http://e/p> ?_v } WHERE { VALUES ?_v {")


def test_construct_where_short_form_cannot_take_values():
    with pytest.raises(QueryError, match="short form"):
        inject_values("CONSTRUCT WHERE { ?x <http://e/q> ?_v }", {"_v": [Literal(1)]})


def test_top_level_subselect_is_wrapped():
    text = "SELECT ?x WHERE { SELECT ?x WHERE { ?x <http://e/q> ?_v } LIMIT 5 }"
    new = inject_values(text, {"_v": [Literal("a")]})
    g = fixture_graph()
    assert list(g.query(new)) == []  # parses and runs


def test_several_parameters_give_several_values_blocks():
    text = "SELECT * WHERE { ?x ?_p ?_o }"
    new = inject_values(text, {"_p": [namespace.RDFS.label], "_o": [Literal("x"), Literal("y", lang="en")]})
    parts = where_parts(new)
    assert [p.name for p in parts[:2]] == ["InlineData", "InlineData"]


def test_sparql_term_escapes_everything_on_one_line():
    assert sparql_term(Literal('a"b\\c\nd\te')) == '"a\\"b\\\\c\\nd\\te"'
    assert sparql_term(Literal("x", lang="en")) == '"x"@en'
    assert (
        sparql_term(Literal("2020", datatype=namespace.XSD.gYear)) == '"2020"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    )
    with pytest.raises(ParameterError):
        sparql_term(URIRef("http://e/a>b"))


# ---------------------------------------------------------------- hostile values (property-based)

HOSTILE = st.one_of(
    st.sampled_from(
        [
            'a "quoted" } # not a comment',
            "} UNION { ?thing ?p ?o }",
            "line one\nline two\ttabbed",
            "<https://w3id.org/laokg/id/mlsw>",
            "ພາສາລາວ — ‘quotes’ \\ backslash",
            '" } ?thing ?p ?o . FILTER(true) } #',
            "'''",
            '"""',
            "\\",
            '\\\\"',
            "#",
            ">",
            "}",
            "{",
            "\r\n",
            "\x00",
            "x" * 5000,
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60),
    st.text(alphabet="\"'{}<>#\\\n\r\t .?$;,()|^`" + "a", max_size=40),
)

QUERY = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?thing WHERE { ?thing rdfs:label ?_text . }\nORDER BY ?thing"
)


def expected_things(value: str):
    return sorted(s for s in fixture_graph().subjects(namespace.RDFS.label, Literal(value)))


def structure(text: str) -> str:
    """The query's algebra with the VALUES contents blanked out."""
    algebra = translateQuery(sparql_parser.parseQuery(text)).algebra
    for node in walk_algebra(algebra):
        if node.name == "values":
            node["res"] = [{k: "VALUE" for k in r} for r in node["res"]]
    return repr(algebra)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE)
def test_hostile_values_never_change_the_query_structure(value):
    sq = fixture_query("thing-by-label")
    try:
        bindings = bind_parameters(sq, [("text", value)])
    except ParameterError:
        assert "\\u" in value.lower()  # the only refusal for a plain string
        return
    assert bindings == {"_text": [Literal(value)]}
    new = inject_values(sq.text, bindings)
    assert structure(new) == structure(inject_values(sq.text, {"_text": [Literal("benign")]}))
    values = [n for n in walk_algebra(translateQuery(sparql_parser.parseQuery(new)).algebra) if n.name == "values"]
    assert [n["res"] for n in values] == [[{Variable("_text"): Literal(value)}]]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE)
def test_hostile_values_return_only_the_intended_binding(value):
    sq = fixture_query("thing-by-label")
    try:
        bindings = bind_parameters(sq, [("text", value)])
    except ParameterError:
        return
    engine = EmbeddedEngine(fixture_graph())
    expected = expected_things(value)
    for use_values in (False, True):  # initBindings and VALUES give the same, exact answer
        result = engine.run(sq.text, bindings, use_values=use_values)
        assert [r["thing"] for r in result.rows] == expected
    # two values at once (always a VALUES block): exactly the union
    both = engine.run(sq.text, {"_text": [Literal(value), Literal("} UNION { ?thing ?p ?o }")]})
    assert sorted(r["thing"] for r in both.rows) == sorted(set(expected) | {URIRef(KG + "odd-brace")})


@pytest.mark.parametrize(
    "label, thing",
    [
        ('a "quoted" } # not a comment', "odd-quote"),
        ("} UNION { ?thing ?p ?o }", "odd-brace"),
        ("line one\nline two\ttabbed", "odd-newline"),
        ("<https://w3id.org/laokg/id/mlsw>", "odd-angle"),
        ("ພາສາລາວ — ‘quotes’ \\ backslash", "odd-unicode"),
    ],
)
def test_hostile_labels_match_exactly_themselves(label, thing):
    engine = EmbeddedEngine(fixture_graph())
    sq = fixture_query("thing-by-label")
    for use_values in (False, True):
        rows = engine.run(sq.text, bind_parameters(sq, [("text", label)]), use_values=use_values).rows
        assert rows == [{"thing": URIRef(KG + thing)}]


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.text(alphabet='<>"{}|^`\\ :/#kg', max_size=20).map(lambda s: "kg:" + s),
        st.text(alphabet='<>"{}|^`\\ :/#ab', max_size=20).map(lambda s: "https://example.org/" + s),
    )
)
def test_hostile_iri_values_are_refused_or_bound_exactly(value):
    sq = fixture_query("is-decree")
    try:
        bindings = bind_parameters(sq, [("instrument", value)], resolver())
    except ParameterError as exc:
        assert "\n" not in str(exc)
        return
    (term,) = bindings["_instrument_iri"]
    assert isinstance(term, URIRef)
    new = inject_values(sq.text, bindings)
    values = [n for n in walk_algebra(translateQuery(sparql_parser.parseQuery(new)).algebra) if n.name == "values"]
    assert [n["res"] for n in values] == [[{Variable("_instrument_iri"): term}]]


@pytest.mark.parametrize(
    "iri,expected",
    [
        ("https://w3id.org/laokg/id/mlsw", "kg:mlsw"),
        ("https://w3id.org/laokg/id/evidence/x-1", "ev:x-1"),  # the longer namespace wins
        ("https://w3id.org/laokg/vocab/sdg/10.7", "sdg:10.7"),  # the project's own SDG concepts (issue 8)
        ("http://metadata.un.org/sdg/10.7", "<http://metadata.un.org/sdg/10.7>"),  # the UN's IRI: no project prefix
        ("https://w3id.org/laokg/id/a.", "<https://w3id.org/laokg/id/a.>"),  # no CURIE ends in '.'
        ("https://w3id.org/laokg/id/a%20b", "<https://w3id.org/laokg/id/a%20b>"),
        ("https://w3id.org/laokg/id/x/y", "<https://w3id.org/laokg/id/x/y>"),
        ("http://www.w3.org/XML/1998/namespace#lang", "<http://www.w3.org/XML/1998/namespace#lang>"),
        ("http://example.org/x", "<http://example.org/x>"),
    ],
)
def test_curie_uses_only_the_project_prefixes_and_valid_local_names(iri, expected):
    from laokg.labels import curie

    assert curie(URIRef(iri)) == expected
