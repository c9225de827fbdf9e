"""Saved-query files: #+ decorators (strict), BASIL parameter names (with underscores), forms."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from laokg.cli import cli
from laokg.errors import InputError, QueryError, UnsafeQueryError
from laokg.provenance.audit import load_rules
from laokg.query.catalogue import (
    DecoratorError,
    find_query,
    load_catalogue,
    parse_saved_query,
    read_decorators,
    read_named_query,
)
from laokg.query.parameters import split_parameter
from laokg.query.precompute import compute_facts

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
        'SELECT ?x WHERE { ?x ex:p ?_a_iri ; ex:q "?_in_string" '
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
    text = (
        deco(
            "summary: 'It''s quoted: yes'  # a comment",
            'description: "tab\\there"',
            "tags: [a, 'b c']",
            "defaults:",
            "  v: [x, y]",
        )
        + BODY
    )
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


# ---------------------------------------------------------------- queries/ under the project-file rules (issue 17)


SECRET = "hunter2-first-line-of-a-private-file"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path):
    """A project (the fixture's queries, an audit rule) and a private file beside it."""
    root = tmp_path / "p"
    shutil.copytree(REPO / "tests" / "fixtures" / "core", root)
    shutil.copytree(FIXTURES, root / "queries")
    (root / "queries" / "audit").mkdir()
    shutil.copy(REPO / "queries" / "audit" / "AUD01-fact-without-evidence.rq", root / "queries" / "audit")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "notes.rq").write_text(SECRET + "\n", encoding="utf-8")
    return root


def _list(root, *more):
    return CliRunner().invoke(cli, ["query", "list", "--root", str(root), *more], catch_exceptions=True)


def test_a_saved_query_symlinked_out_of_the_project_is_refused_quoting_nothing(project, tmp_path):
    link = project / "queries" / "x.rq"
    os.symlink(tmp_path / "private" / "notes.rq", link)
    result = _list(project, "--format", "csv")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {link}: a symlink that leads outside the project; laokg reads only files inside {project.resolve()}\n"
    )
    assert SECRET not in result.output and "private" not in result.output
    assert "units-of" in result.stdout  # the others are still listed
    ran = CliRunner().invoke(cli, ["query", "run", "x", "--root", str(project)], catch_exceptions=True)
    assert ran.exit_code == 2 and SECRET not in ran.output and "leads outside the project" in ran.stderr


def test_a_symlink_inside_the_project_is_a_saved_query(project):
    os.symlink(project / "queries" / "units-of.rq", project / "queries" / "units-again.rq")
    assert "units-again" in [q.name for q in load_catalogue(project / "queries")]


@pytest.mark.parametrize("where", ["queries", "queries/audit"])
def test_a_fifo_among_the_saved_queries_is_refused_without_hanging(project, where):
    """`query list`, `audit` and `build` read these files: run in a subprocess with a timeout
    (a regression blocks on the FIFO for ever)."""
    fifo = project / where / ("AUD99-pipe.rq" if "audit" in where else "pipe.rq")
    os.mkfifo(fifo)
    command = ["query", "list", "--format", "csv"] if where == "queries" else ["audit"]
    done = subprocess.run(
        [sys.executable, "-m", "laokg", *command, "--root", str(project)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and done.stderr.endswith(f"Error: {fifo}: not a regular file\n")
    code = (
        "from pathlib import Path; from laokg.query.precompute import compute_facts; "
        f"compute_facts(Path({str(project / 'queries')!r}))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)  # build's step: skips it, ends


def test_audit_rules_follow_the_same_rules(project, tmp_path):
    link = project / "queries" / "audit" / "AUD98-leak.rq"
    os.symlink(tmp_path / "private" / "notes.rq", link)
    with pytest.raises(InputError) as caught:
        load_rules(project / "queries" / "audit")
    assert str(caught.value).startswith(f"{link}: a symlink that leads outside the project")
    assert SECRET not in str(caught.value)


def test_compute_facts_leaves_out_what_it_may_not_read(project, tmp_path):
    before = compute_facts(project / "queries")
    os.symlink(tmp_path / "private" / "notes.rq", project / "queries" / "leak.rq")
    shutil.copy(REPO / "queries" / "country.rq", tmp_path / "private" / "country.rq")
    os.symlink(tmp_path / "private" / "country.rq", project / "queries" / "country.rq")
    assert compute_facts(project / "queries") == before


def test_a_query_file_named_on_the_command_line(project, tmp_path):
    named = tmp_path / "elsewhere" / "q.rq"
    named.parent.mkdir()
    named.write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    assert read_named_query(named, project).startswith("SELECT")  # anywhere, named directly
    link = tmp_path / "elsewhere" / "leak.rq"
    os.symlink(tmp_path / "private" / "notes.rq", link)
    for args in (["sparql", "-f", str(link)], ["query", "run", str(link)]):
        result = CliRunner().invoke(cli, [*args, "--root", str(project)], catch_exceptions=True)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"Error: {link}: a symlink that leads outside the project; laokg follows a symlink "
            "you name only into the project (name the file it leads to instead)\n"
        )


def test_a_fifo_named_with_sparql_f_is_refused(project, tmp_path):
    os.mkfifo(tmp_path / "pipe.rq")
    done = subprocess.run(
        [sys.executable, "-m", "laokg", "sparql", "-f", str(tmp_path / "pipe.rq"), "--root", str(project)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stderr == f"Error: {tmp_path / 'pipe.rq'}: not a regular file\n"


def test_saved_query_text_is_read_as_before(project):
    """CRLF line ends become LF (as Path.read_text gives them): the facts' keys are unchanged."""
    (project / "queries" / "crlf.rq").write_bytes(b"#+ summary: x\r\nSELECT * WHERE { ?s ?p ?o }\r\n")
    query = next(q for q in load_catalogue(project / "queries") if q.name == "crlf")
    assert query.text == "#+ summary: x\nSELECT * WHERE { ?s ?p ?o }\n"
    (project / "queries" / "latin1.rq").write_bytes(b"# caf\xe9\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryError, match=r"latin1.rq:1: not UTF-8 text"):
        find_query(project / "queries", "latin1")
