"""The query commands end to end (in-process): query list|show|run, sparql; errors are one line."""

import json

import pytest
from click.testing import CliRunner

from laokg.cli import cli

from .coretools import assert_one_line_error
from .docs_examples import ROOT as REAL
from .docs_examples import _terminal
from .query_fixtures import KG_ROOT, QUERIES

KG = "https://w3id.org/laokg/id/"
FIX = ["--root", str(KG_ROOT)]
Q = ["--queries", str(QUERIES)]


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.mark.parametrize(
    "command", [["query"], ["query", "list"], ["query", "show"], ["query", "run"], ["sparql"], ["show"], ["search"]]
)
def test_every_command_has_help_with_an_example(command):
    for flag in ("-h", "--help"):
        result = run(*command, flag)
        assert result.exit_code == 0 and "Example:" in result.output


# ---------------------------------------------------------------- query list / show


def test_query_list():
    result = run("query", "list", *Q, "--format", "table")
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "parameters", "tags", "summary"]
    assert lines[2].split()[:3] == ["instruments-by-type", "[type]", "[from_year]"]
    assert any(line.startswith("is-decree ") and " instrument " in line for line in lines)


def test_query_list_by_tag_and_as_json():
    result = run("query", "list", *Q, "--tag", "LEGISLATION", "--format", "json")
    data = json.loads(result.output)
    assert [b["name"]["value"] for b in data["results"]["bindings"]] == ["instruments-by-type"]
    assert_one_line_error(
        run("query", "list", *Q, "--tag", "nope"), "no saved query is tagged nope", "legislation, test, timeline"
    )


def test_query_show():
    result = run("query", "show", "instruments-by-type", *Q)
    assert result.exit_code == 0
    out = result.output
    assert out.startswith("instruments-by-type: Legal instruments of one or more types, oldest first")
    assert "  type  (iri, optional; variable ?_type_iri)" in out
    assert "      default: doctype:law" in out
    assert (
        "      allowed (a label, a word of one, or the CURIE):\n        law  (doctype:law)\n"
        "        decree  (doctype:decree)\n"
        "        memorandum of understanding  (doctype:memorandum-of-understanding; also:\n          MOU, MoU)\n"
    ) in out
    assert "  from_year  (xsd:integer, optional; variable ?__from_year_integer)" in out
    assert "SPARQL:\nPREFIX eli:" in out and "#+" not in out.split("SPARQL:")[1]


def test_query_show_unknown():
    assert_one_line_error(
        run("query", "show", "instrument", *Q), "no saved query named 'instrument'", "did you mean: instruments-by-type"
    )


# ---------------------------------------------------------------- query run


def test_run_with_defaults_csv():
    result = run("query", "run", "instruments-by-type", *Q, *FIX)  # not a terminal: csv
    assert result.exit_code == 0
    assert result.stdout_bytes == f"instrument,title,date\r\n{KG}labour-law-2013,Labour Law,2013\r\n".encode()


def test_run_several_values_labels_and_curies():
    result = run(
        "query",
        "run",
        "instruments-by-type",
        *Q,
        *FIX,
        "-p",
        "type=Decree",
        "-p",
        "type=memorandum OF understanding",
        "-p",
        "from_year=2016",
        "--format",
        "csv",
    )
    lines = result.output.splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [
        KG + "mou-thailand-2016",
        KG + "decree-245-2020",
        KG + "decree-475-2021",
    ]


def test_run_tsv_and_json():
    tsv = run("query", "run", "instruments-by-type", *Q, *FIX, "--format", "tsv").output
    assert (
        tsv.splitlines()[1]
        == f'<{KG}labour-law-2013>\t"Labour Law"@en\t"2013"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    )
    data = json.loads(run("query", "run", "instruments-by-type", *Q, *FIX, "--format", "json").output)
    assert data["results"]["bindings"][0]["date"] == {
        "type": "literal",
        "value": "2013",
        "datatype": "http://www.w3.org/2001/XMLSchema#gYear",
    }


def test_run_writes_file_atomically(tmp_path):
    out = tmp_path / "laws.csv"
    result = run("query", "run", "instruments-by-type", *Q, *FIX, "-o", str(out))
    assert result.exit_code == 0 and result.output == ""
    assert out.read_text().startswith("instrument,title,date")
    assert [p.name for p in tmp_path.iterdir()] == ["laws.csv"]


def test_run_ask_sets_exit_code():
    yes = run("query", "run", "is-decree", *Q, *FIX, "-p", "instrument=kg:decree-245-2020")
    no = run("query", "run", "is-decree", *Q, *FIX, "-p", "instrument=Labour Law")
    assert (yes.exit_code, yes.output) == (0, "true\n")
    assert (no.exit_code, no.output) == (1, "false\n")


def test_run_construct_formats():
    ttl = run("query", "run", "titles-of-type", *Q, *FIX, "-p", "type=doctype:law").output
    assert "kg:labour-law-2013 eli:type_document doctype:law" in ttl
    nt = run("query", "run", "titles-of-type", *Q, *FIX, "-p", "type=doctype:law", "--format", "nt").output
    assert len(nt.strip().splitlines()) == 2
    bad = run("query", "run", "titles-of-type", *Q, *FIX, "-p", "type=doctype:law", "--format", "csv")
    assert_one_line_error(bad, "--format csv is for SELECT/ASK results")


@pytest.mark.parametrize(
    "params, fragments",
    [
        (
            ["-p", "type=kg:mlsw"],
            [
                "must be one of: law (doctype:law), decree (doctype:decree), "
                "memorandum of understanding (doctype:memorandum-of-understanding)",
                "(got 'kg:mlsw')",
            ],
        ),
        (
            ["-p", "typo=law"],
            [
                "unknown parameter 'typo'",
                "it takes: type (iri; optional; default doctype:law",
                "from_year (xsd:integer; optional)",
            ],
        ),
        (["-p", "from_year=twenty"], ["parameter 'from_year' expects xsd:integer such as 2020, got 'twenty'"]),
        (["-p", "type"], ["-p expects NAME=VALUE, got 'type'"]),
        (["-p", "type=Thailand"], ["must be one of"]),
        (["-p", "from_year=1\n} #"], ["got '1\\n} #'"]),
    ],
)
def test_run_bad_parameters_are_one_line_errors(params, fragments):
    assert_one_line_error(run("query", "run", "instruments-by-type", *Q, *FIX, *params), *fragments)


def test_run_missing_and_ambiguous():
    assert_one_line_error(run("query", "run", "is-decree", *Q, *FIX), "missing required parameter 'instrument'")
    amb = run("query", "run", "is-decree", *Q, *FIX, "-p", "instrument=employment department")
    assert_one_line_error(
        amb,
        "is ambiguous",
        "kg:employment-department (Employment Department)",
        "kg:provincial-employment-department (Provincial Employment Office)",
    )


def test_run_unreachable_endpoint():
    result = run(
        "query", "run", "instruments-by-type", *Q, *FIX, "--endpoint", "http://127.0.0.1:9/query", "--timeout", "2"
    )
    assert_one_line_error(result, "Error: endpoint http://127.0.0.1:9/query:")


# ---------------------------------------------------------------- sparql


def test_sparql_adhoc_with_project_prefixes():
    result = run("sparql", "SELECT ?o WHERE { kg:mlsw org:hasUnit ?o }", *FIX, "--format", "csv")
    assert result.output == f"o\n{KG}employment-department\n"


def test_sparql_from_file_and_stdin(tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("#+ summary: units\nSELECT ?o WHERE { ?_org_iri org:hasUnit ?o }\n")
    result = run("sparql", "-f", str(rq), *FIX, "-p", "org=MLSW", "--format", "csv")
    assert result.output == f"o\n{KG}employment-department\n"
    result = run("sparql", "-f", "-", *FIX, input="ASK { kg:mlsw a org:FormalOrganization }")
    assert (result.exit_code, result.output) == (0, "true\n")


def test_sparql_needs_exactly_one_query():
    assert_one_line_error(run("sparql", *FIX), "give a query as argument or with -f FILE")
    assert_one_line_error(run("sparql", "ASK {}", "-f", "x.rq", *FIX), "give a query")
    assert_one_line_error(run("sparql", "-f", "/nonexistent.rq", *FIX), "/nonexistent.rq: cannot read")


@pytest.mark.parametrize(
    "query, fragments",
    [
        ("INSERT DATA { kg:a kg:b kg:c }", ["refused: INSERT DATA would change data"]),
        ("drop all", ["refused: DROP"]),
        (
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            ["refused: SERVICE http://example.org/sparql", "--allow-service"],
        ),
        (
            "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
            ["refused: FROM <file:///etc/passwd>", "--allow-from"],
        ),
        (
            "SELECT * FROM NAMED <http://example.org/g> WHERE { ?s ?p ?o }",
            ["refused: FROM NAMED <http://example.org/g>"],
        ),
        ("SELECT * WHERE { ?s ?p }", ["query:1:", "SPARQL syntax error"]),
        ("SELECT * WHERE { ?s nope:p ?o }", ["Unknown namespace prefix"]),
    ],
)
def test_sparql_refusals_and_errors(query, fragments):
    assert_one_line_error(run("sparql", query, *FIX), *fragments)


def test_sparql_ask_false_exit_1():
    result = run("sparql", "ASK { kg:mlsw a eli:LegalResource }", *FIX)
    assert (result.exit_code, result.output) == (1, "false\n")


def test_missing_project_root_is_one_line(tmp_path):
    assert_one_line_error(run("sparql", "ASK {}", "--root", str(tmp_path)), "not a laokg project root")


# ---------------------------------------------------------------- the help examples work

HELP_COMMANDS = [["query"], ["query", "list"], ["query", "show"], ["query", "run"], ["sparql"], ["show"], ["search"]]


def _examples():
    import shlex

    for command in HELP_COMMANDS:
        text = run(*command, "--help").output
        block = text.split("Example:", 1)[1].split("\n\n", 1)[0]
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("laokg "):
                yield shlex.split(line)[1:]


@pytest.mark.parametrize("args", list(_examples()), ids=lambda a: " ".join(a)[:60])
def test_help_examples_run_on_the_real_graph(args, tmp_path, monkeypatch):
    if "--endpoint" in args:
        pytest.skip("needs a running endpoint (covered in test_sparql.py)")
    if "-f" in args and "--format" not in args[args.index("-f") - 1 : args.index("-f")]:
        (tmp_path / args[args.index("-f") + 1]).write_text("SELECT ?s WHERE { ?s a org:FormalOrganization } LIMIT 1\n")
    root = KG_ROOT.parent.parent.parent
    monkeypatch.setenv("LAOKG_ROOT", str(root))
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code in (0, 1), result.output  # 1: an ASK that answers false
    assert "Error" not in result.output


# ---------------------------------------------------------------- frictions (issue 7), on the real graph


def _real(*args):
    from click.testing import CliRunner

    from laokg.cli import cli

    from .conftest import ROOT

    return CliRunner().invoke(cli, [*args, "--root", str(ROOT)])


def test_a_label_resolves_only_to_the_class_the_query_expects():
    """institution_units states `?_organisation_iri a org:FormalOrganization`: 'Ministry' is the
    SKOS concept insttype:ministry, not an organisation; among organisations it begins two names
    -> an error listing both."""
    bad = _real("query", "run", "institution_units", "-p", "organisation=Ministry")
    assert bad.exit_code == 2 and bad.stdout == ""
    assert bad.stderr.strip() == (
        "Error: query 'institution_units': parameter 'organisation': 'Ministry' is ambiguous, it could be: "
        "Ministry of Labour and Social Welfare (kg:mlsw), Ministry of Foreign Affairs (kg:mofa); "
        "give one of them (repeat -p organisation=… for several)"
    )
    concept = _real(
        "query", "run", "institution_units", "-p", "organisation=institution types"
    )  # a scheme, not an organisation
    assert (
        concept.exit_code == 2
        and "expects a org:FormalOrganization: nothing is labelled 'institution types'" in concept.stderr
    )
    good = _real("query", "run", "institution_units", "-p", "organisation=MLSW", "--format", "csv")
    assert good.exit_code == 0 and "https://w3id.org/laokg/id/mlsw-employment-department" in good.stdout


def test_expected_classes_come_from_the_query_text():
    from rdflib import URIRef

    from laokg.query.parameters import expected_classes

    text = (
        "PREFIX org: <http://www.w3.org/ns/org#> "
        "SELECT * WHERE { ?_o_iri a org:FormalOrganization ; org:hasUnit ?u . ?u a ?t }"
    )
    assert expected_classes(text) == {"_o_iri": {URIRef("http://www.w3.org/ns/org#FormalOrganization")}}


def test_did_you_mean_for_query_names_and_things():
    q = _real("query", "run", "instrumnts")
    assert q.exit_code == 2 and "did you mean: instruments" in q.stderr
    thing = _real("show", "Tailand")
    assert thing.exit_code == 2 and "did you mean: Thailand (kg:thailand)" in thing.stderr


@pytest.mark.parametrize(
    "alias, canonical", [("ttl", "turtle"), ("json-ld", "jsonld"), ("TTL", "turtle"), ("n-triples", "nt")]
)
def test_format_aliases(alias, canonical):
    q = "CONSTRUCT { kg:mlsw skos:prefLabel ?l } WHERE { kg:mlsw skos:prefLabel ?l }"
    assert _real("sparql", q, "--format", alias).stdout == _real("sparql", q, "--format", canonical).stdout != ""


def test_show_and_trace_print_excerpts_without_markdown():
    for command in ("show", "trace"):
        out = _real(command, "kg:finding-obstacle-lack-of-migration-framework").stdout
        assert 'excerpt: "Lack of migration framework: Policies' in out and "**" not in out


def test_select_star_json_is_the_same_bytes_under_any_hash_seed():
    """rdflib gives SELECT * variables in a hash-seeded order: laokg writes the text's order,
    in the head and in each binding's keys (the keys once followed rdflib's order)."""
    import os
    import subprocess
    import sys

    query = "SELECT * WHERE { VALUES (?zeta ?alpha) { (1 UNDEF) (UNDEF 2) } BIND(3 AS ?mid) BIND(4 AS ?beta) }"
    args = [
        sys.executable,
        "-c",
        "from laokg.cli import main; main()",
        "sparql",
        "--root",
        str(KG_ROOT),
        "--engine",
        "rdflib",
        "--format",
        "json",
        query,
    ]
    procs = [
        subprocess.Popen(
            args, env=dict(os.environ, PYTHONHASHSEED=str(seed)), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for seed in range(6)
    ]
    outputs = set()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-500:]
        outputs.add(out)
    assert len(outputs) == 1
    data = json.loads(outputs.pop())
    assert data["head"]["vars"] == ["zeta", "alpha", "mid", "beta"]
    assert [list(b) for b in data["results"]["bindings"]] == [["zeta", "mid", "beta"], ["alpha", "mid", "beta"]]


# ---------------------------------------------------------------- the real project, as a user types


def at_terminal(*args, columns=80):
    """``laokg ARGS`` on the real project, as at a terminal of ``columns`` columns."""
    env = {"COLUMNS": str(columns), "LINES": "24", "LAOKG_ROOT": str(REAL), "NO_COLOR": "1"}
    with _terminal():
        return CliRunner(env=env).invoke(cli, list(args), prog_name="laokg")


@pytest.mark.parametrize("columns", [80, 60])
def test_query_list_fits_the_terminal(columns):
    from wcwidth import wcswidth

    result = at_terminal("query", "list", columns=columns)
    assert result.exit_code == 0, result.output
    lines = result.output.rstrip("\n").split("\n")
    if columns == 80:  # a table; narrower, a record per query
        assert lines[0].split() == ["name", "parameters", "tags", "summary"]
    too_wide = [line for line in lines if wcswidth(line) > columns]
    assert not too_wide, too_wide
    assert "diaspora_institutions" in result.output


@pytest.mark.parametrize(
    "args, rows",
    [
        (["institutions", "-p", "level=national"], ["kg:lftu", "kg:mofa", "kg:mlsw"]),
        (
            ["institutions", "-p", "level=NATIONAL level"],
            ["kg:lftu", "kg:mofa", "kg:mlsw"],
        ),  # an alternative label, any case
        (["institutions", "-p", "level=régional"], ["kg:asean"]),  # accents do not matter; a prefix
        (
            ["institutions", "-p", "level=ministerial"],
            ["kg:lftu", "kg:mofa", "kg:mlsw"],
        ),  # exact altLabel beats the prefix of sub-ministerial
        (["institutions", "-p", "type=trade", "-p", "type=central"], ["kg:lftu", "kg:central-bank-of-laos"]),
        (
            ["topic", "-p", "topic=trafficking"],
            ["kg:mou-laos-thailand-2002", "kg:promise-ii", "kg:finding-risks-faced-by-migrant-workers"],
        ),
        (
            ["diaspora_institutions", "-p", "role=outreach"],
            ["kg:committee-on-lao-overseas-affairs", "kg:lao-front-for-national-development"],
        ),
        (
            ["institution_units", "-p", "organisation=foreign affairs"],  # a class the query states: its things
            [
                "kg:mofa",
                *(
                    f"kg:mofa-{d}-department"
                    for d in ("asia-pacific-africa", "consular", "europe-america", "lao-overseas-affairs")
                ),
                *(
                    f"kg:lao-mission-{c}"
                    for c in ("australia", "belgium", "france", "germany", "sweden", "switzerland", "united-kingdom")
                ),
            ],
        ),
    ],
)
def test_parameters_in_plain_words(args, rows):
    from laokg.labels import curie

    result = at_terminal("query", "run", *args, "--format", "csv")
    assert result.exit_code == 0, result.output
    got = list(dict.fromkeys(curie(line.split(",")[0]) for line in result.output.splitlines()[1:]))
    assert got == rows


@pytest.mark.parametrize(
    "args, fragments",
    [
        (
            ["topic", "-p", "topic=migration"],
            [
                "'migration' is ambiguous, it could be:",
                "irregular migration (topic:irregular-migration)",
                "labour migration (topic:labour-migration)",
                "migration data (topic:migration-data)",
                "repeat -p topic=",
            ],
        ),
        (
            ["institutions", "-p", "level=nationl"],
            [
                "parameter 'level' must be one of: regional level (level:regional)",
                "(got 'nationl'); nearest: national institutions (level:national)",
            ],
        ),
        (
            ["institutions", "-p", "level=kg:mlsw"],
            [
                "must be one of: regional level (level:regional), national institutions (level:national)",
                "(got 'kg:mlsw')",
            ],
        ),
        (
            ["institutions", "-p", "type=bank"],
            [
                "'bank' is ambiguous",
                "central bank (insttype:central-bank)",
                "commercial bank (insttype:commercial-bank)",
            ],
        ),
        (
            ["institution_units", "-p", "organisation=minstry"],
            [
                "expects a org:FormalOrganization: nothing is labelled 'minstry'",
                "nearest: Ministry of Labour and Social Welfare (kg:mlsw)",
            ],
        ),
    ],
)
def test_parameter_misses_list_the_nearest_values_with_labels(args, fragments):
    assert_one_line_error(at_terminal("query", "run", *args), *fragments)


def test_query_show_lists_allowed_values_by_label():
    out = at_terminal("query", "show", "institutions").output
    assert "      allowed (a label, a word of one, or the CURIE):" in out
    assert "        national institutions  (level:national; also: national, national level)" in out
    assert "        trade union  (insttype:trade-union)" in out
    topic = at_terminal("query", "show", "topic").output
    assert "        return and reintegration  (topic:return-reintegration)" in topic
    units = at_terminal("query", "show", "institution_units").output
    assert (
        "any org:FormalOrganization; those in the graph" in units
        and "Ministry of Foreign Affairs  (kg:mofa; also: MOFA)" in units
    )
    section = out[out.index("\nparameters:") : out.index("\nSPARQL:")]  # the values wrap at 80 columns
    assert all(len(line) <= 80 for line in section.split("\n")), section


def test_label_resolution_runs_only_for_labels():
    """An IRI or CURIE is bound as it is, without reading labels or the query's classes."""
    import laokg

    kg = laokg.open(REAL, engine="rdflib")
    calls = []
    original = laokg.api._Resolver.labels_of

    def spy(self, iris):
        calls.append(iris)
        return original(self, iris)

    laokg.api._Resolver.labels_of = spy
    try:
        assert [str(r["organisation"]).rsplit("/", 1)[1] for r in kg.query("institutions", level="level:regional")] == [
            "asean"
        ]
        assert calls == []
        assert len(kg.query("institutions", level="regional")) == 1
        assert len(calls) == 1
    finally:
        laokg.api._Resolver.labels_of = original


def test_the_same_labels_on_every_engine():
    """rdflib, the built store (Oxigraph) and the Turtle in Oxigraph resolve a label alike."""
    import laokg

    answers = {
        engine: [
            r["organisation"]
            for r in laokg.open(REAL, engine=engine).query("institutions", level="national", type="ministry")
        ]
        for engine in ("rdflib", "oxigraph")
    }
    assert answers["rdflib"] == answers["oxigraph"] and len(answers["rdflib"]) == 2


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv"])
def test_search_formats_write_things_with_quotes(fmt):
    """A thing found with quotes under it is written in every format (the quotes, one by one,
    are for the text view only: the ``quotedIn`` column holds them joined)."""
    result = CliRunner(env={"LAOKG_ROOT": str(REAL)}).invoke(cli, ["search", "emigrants", "--format", fmt])
    assert result.exit_code == 0, result.output
    if fmt == "json":
        bindings = json.loads(result.output)["results"]["bindings"]
        assert any("quotedIn" in b for b in bindings)
        assert all(set(b) <= {"rank", "thing", "label", "matched", "type", "quotedIn"} for b in bindings)
    else:
        assert "quotedIn" in result.output.splitlines()[0]
