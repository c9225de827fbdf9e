"""Saved-query files: #+ decorators (strict), BASIL parameter names (with underscores), forms."""

from pathlib import Path

import pytest

from laokg.query.catalogue import (
    DecoratorError,
    find_query,
    load_catalogue,
    parse_saved_query,
    read_decorators,
)
from laokg.query.parameters import split_parameter
from laokg.errors import QueryError, UnsafeQueryError

FIXTURES = Path(__file__).parent / "fixtures" / "queries"

BODY = "PREFIX ex: <http://example.org/>\nSELECT ?x WHERE { ?x ex:p ?_v }\n"


def deco(*lines: str) -> str:
    return "".join(f"#+ {line}\n" for line in lines)


# ---------------------------------------------------------------- parameter names


@pytest.mark.parametrize(
    "var, expected",
    [
        ("_type_iri", ("type", True, "iri")),
        ("__type_iri", ("type", False, "iri")),
        ("_start_date", ("start_date", True, "string")),  # grlc misparses this one
        ("_start_date_xsd_date", ("start_date", True, "xsd:date")),
        ("__party_country_iri", ("party_country", False, "iri")),
        ("_year_xsd_gYear", ("year", True, "xsd:gYear")),
        ("_period_xsd_gYearMonth", ("period", True, "xsd:gYearMonth")),
        ("_n_integer", ("n", True, "xsd:integer")),
        ("_share_decimal", ("share", True, "xsd:decimal")),
        ("_name_en", ("name", True, "@en")),
        ("_name_lo", ("name", True, "@lo")),
        ("_topic_id", ("topic_id", True, "string")),  # 'id' is not in the language list
        ("_law_no", ("law_no", True, "string")),
        ("_text_literal", ("text", True, "string")),
        ("_iri", ("iri", True, "string")),  # a bare suffix is a name, not a type
        ("_x", ("x", True, "string")),
    ],
)
def test_parameter_naming_rule(var, expected):
    name, required, ptype = split_parameter(var)
    assert (name, required, ptype.label) == expected


def test_ordinary_variables_are_not_parameters():
    assert split_parameter("thing") is None


@pytest.mark.parametrize("var", ["_x_xsd_foo", "___x", "_1abc", "_a__b", "_trailing_"])
def test_malformed_parameter_variables_are_errors(var):
    with pytest.raises(ValueError):
        split_parameter(var)


def test_parameters_found_everywhere_in_the_query_but_not_in_comments_or_strings():
    text = deco("summary: s") + (
        "PREFIX ex: <http://example.org/>\n"
        "# ?_in_comment is not a parameter\n"
        "SELECT ?x WHERE { ?x ex:p ?_a_iri ; ex:q \"?_in_string\" "
        "FILTER(!BOUND(?__since_integer) || ?x > ?__since_integer) "
        "OPTIONAL { ?x ex:r ?__start_date } }"
    )
    sq = parse_saved_query(text, "t")
    assert [(p.name, p.variable, p.required, p.type.label) for p in sq.parameters] == [
        ("a", "_a_iri", True, "iri"),
        ("since", "__since_integer", False, "xsd:integer"),
        ("start_date", "__start_date", False, "string"),
    ]


def test_one_parameter_with_two_variables_is_an_error():
    text = "SELECT * WHERE { ?x <http://e/p> ?_year_integer , ?_year_xsd_gYear }"
    with pytest.raises(QueryError, match="both"):
        parse_saved_query(text, "t")


# ---------------------------------------------------------------- decorators


def test_grlc_style_decorators():
    text = deco(
        "summary: Instruments by type",
        "description: |",
        "  First line.",
        "  Second line: with a colon.",
        "tags:",
        "  - legislation",
        "  - timeline",
        "defaults:",
        "  - v: https://example.org/a",
        "enumerate:",
        "  - v:",
        "    - https://example.org/a",
        "    - https://example.org/b",
        "method: GET",
        "endpoint: http://example.org/sparql",
    ) + BODY.replace("?_v", "?_v_iri")
    sq = parse_saved_query(text, "t")
    assert sq.summary == "Instruments by type"
    assert sq.description == "First line.\nSecond line: with a colon."
    assert sq.tags == ["legislation", "timeline"]
    (p,) = sq.parameters
    assert p.defaults == ["https://example.org/a"]
    assert p.allowed == ["https://example.org/a", "https://example.org/b"]
    assert sq.extra == {"method": "GET", "endpoint": "http://example.org/sparql"}
    assert sq.form == "SELECT"
    assert sq.body.startswith("PREFIX")


def test_flow_lists_quotes_comments_and_mapping_form():
    text = deco(
        "summary: 'It''s quoted: yes'  # a comment",
        'description: "tab\\there"',
        "tags: [a, 'b c']",
        "defaults:",
        "  v: [x, y]",
    ) + BODY
    sq = parse_saved_query(text, "t")
    assert sq.summary == "It's quoted: yes"
    assert sq.description == "tab\there"
    assert sq.tags == ["a", "b c"]
    assert sq.parameters[0].defaults == ["x", "y"]


def test_values_stay_strings():
    sq = parse_saved_query(deco("summary: no", "tags: [yes, 1, null]") + BODY, "t")
    assert sq.summary == "no" and sq.tags == ["yes", "1", "null"]


def test_iri_with_hash_is_not_a_comment():
    text = deco("defaults:", "  - v: http://example.org/ns#thing") + BODY.replace("?_v", "?_v_iri")
    assert parse_saved_query(text, "t").parameters[0].defaults == ["http://example.org/ns#thing"]


@pytest.mark.parametrize(
    "lines, message",
    [
        (["summary: a", "summary: b"], "2: duplicate key 'summary'"),
        (["sumary: a"], "unknown decorator 'sumary'"),
        (["tags:", "  - a", "   - b"], "3: unexpected indentation"),
        (["  summary: a"], "1: decorators must start at the left margin"),
        (["summary a"], "1: expected 'key: value'"),
        (["tags: [a, b"], "1: while parsing a flow sequence: expected ',' or ']'"),  # PyYAML's words
        (["summary: 'open"], "1: while scanning a quoted scalar: found unexpected end of stream"),
        (["summary: a: b"], "1: mapping values are not allowed here"),
        (["summary: x", "tags: [a, b]", "description: 'd"], "3: while scanning a quoted scalar"),  # the file line
        (["summary: &x a"], "1: anchors"),
        (["summary: !!int 3"], "1: tags ('!name') are not supported"),
        (["defaults:", "  - nope: 1"], "'defaults' names unknown parameter 'nope'"),
        (["enumerate:", "  - v"], "each 'enumerate' entry must be 'parameter: value'"),
        (["tags:", "  - [a, [b]]"], "nested"),
        (["description: |"], "empty block text"),
        (["summary: {a: b}"], "'{...}' mappings are not supported"),
        (["summary:", "  - a"], "'summary' must be a single text value"),
    ],
)
def test_bad_decorators_name_file_and_line(lines, message):
    with pytest.raises(QueryError) as exc:
        parse_saved_query(deco(*lines) + BODY, "t", Path("queries/t.rq"))
    assert str(exc.value).startswith("queries/t.rq")
    assert message in str(exc.value)


def test_decorator_after_the_query_starts_is_an_error():
    with pytest.raises(DecoratorError, match=r":3: '#\+' decorator after the query"):
        read_decorators("#+ summary: a\nSELECT * WHERE { ?s ?p ?o }\n#+ tags: [x]\n", "f.rq")


def test_missing_space_and_tab_indentation():
    with pytest.raises(DecoratorError, match="space after"):
        read_decorators("#+summary: a\n", "f.rq")
    with pytest.raises(DecoratorError, match="tabs"):
        read_decorators("#+ tags:\n#+ \t- a\n", "f.rq")


def test_default_must_be_valid_for_the_parameter_type():
    text = deco("defaults:", "  - n: many") + "SELECT * WHERE { ?s ?p ?_n_integer }"
    with pytest.raises(QueryError, match="'defaults' value 'many' of parameter 'n'"):
        parse_saved_query(text, "t")


def test_default_must_be_in_enumerate():
    text = deco("defaults:", "  - v: c", "enumerate:", "  - v: [a, b]") + BODY
    with pytest.raises(QueryError, match="not in its 'enumerate' list"):
        parse_saved_query(text, "t")


def test_decorator_lists_may_use_grlc_variable_spelling():
    text = deco("defaults:", "  - v_iri: http://example.org/a") + BODY.replace("?_v", "?_v_iri")
    assert parse_saved_query(text, "t").parameters[0].defaults == ["http://example.org/a"]


# ---------------------------------------------------------------- query text


@pytest.mark.parametrize(
    "body, form",
    [
        ("ASK { ?s ?p ?o }", "ASK"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <http://example.org/a>", "DESCRIBE"),
        ("select * { ?s ?p ?o }", "SELECT"),
    ],
)
def test_query_form(body, form):
    assert parse_saved_query(body, "t").form == form


def test_syntax_error_names_file_and_line():
    with pytest.raises(QueryError, match=r"^q\.rq:3:"):
        parse_saved_query("#+ summary: x\nSELECT *\nWHERE { ?s ?p }", "q", Path("q.rq"))


def test_update_in_a_saved_query_is_refused():
    with pytest.raises(UnsafeQueryError):
        parse_saved_query("#+ summary: x\nDELETE WHERE { ?s ?p ?o }", "q")


# ---------------------------------------------------------------- the catalogue


def test_fixture_catalogue_loads():
    names = [q.name for q in load_catalogue(FIXTURES)]
    assert names == ["instruments-by-type", "is-decree", "thing-by-label", "titles-of-type", "units-of"]


def test_find_query_suggests_close_names():
    with pytest.raises(QueryError, match="did you mean: instruments-by-type"):
        find_query(FIXTURES, "instruments")
    with pytest.raises(QueryError, match="saved-query directory not found"):
        load_catalogue(FIXTURES / "nope")


def test_xsd_suffix_types():
    from rdflib.namespace import XSD

    sq = parse_saved_query("SELECT * WHERE { ?s ?p ?_d_xsd_date, ?_b_xsd_boolean }", "t")
    assert [p.type.datatype for p in sq.parameters] == [str(XSD.date), str(XSD.boolean)]
