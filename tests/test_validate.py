"""laokg.graph.validate and ``laokg validate``: SHACL with pySHACL, result rows, report formats."""

import json

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from laokg.errors import InputError
from laokg.graph import load, validate
from laokg.namespaces import SH

from .coretools import PREFIXES, REAL_ROOT, assert_clean_exit, invoke, make_project, requires_real, write

# Fixture documents, each whole and each breaking one rule of the shapes (no job title, no
# name, an untitled source): alike by design, so a test plants exactly one fault.
NO_JOB = (
    PREFIXES
    + """
kg:noi a schema:Person ;
    schema:name "Noi" ;
    schema:affiliation kg:ministry ;
    prov:qualifiedDerivation ev:noi-1 .
ev:noi-1 a laokg:DocumentEvidence ; prov:entity ev:noi-1-passage .
ev:noi-1-passage a <http://www.w3.org/ns/oa#SpecificResource> ; <http://www.w3.org/ns/oa#hasSource> kg:report-2024 .
"""
)

NO_NAME = (
    PREFIXES
    + """
kg:anon a schema:Person ;
    schema:jobTitle "Clerk"@en ;
    schema:affiliation kg:ministry ;
    prov:qualifiedDerivation ev:anon-1 .
ev:anon-1 a laokg:DocumentEvidence ; prov:entity ev:anon-1-passage .
ev:anon-1-passage a <http://www.w3.org/ns/oa#SpecificResource> ; <http://www.w3.org/ns/oa#hasSource> kg:report-2024 .
"""
)

UNTITLED_SOURCE = (
    PREFIXES
    + """
kg:leaflet a <http://purl.org/spar/fabio/Leaflet> .
ev:leaflet-1 a laokg:DocumentEvidence ; prov:entity ev:leaflet-1-passage .
ev:leaflet-1-passage a <http://www.w3.org/ns/oa#SpecificResource> ; <http://www.w3.org/ns/oa#hasSource> kg:leaflet .
"""
)


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def test_clean_project_conforms(project):
    result = validate.validate(project)
    assert result.conforms is True
    assert result.results == []
    assert result.counts() == {"Violation": 0, "Warning": 0, "Info": 0}
    assert (None, RDF.type, SH.ValidationReport) in result.report_graph


def test_warnings_alone_conform_but_are_reported(project):
    write(project / "graph" / "noi.ttl", NO_JOB)
    result = validate.validate(project)
    assert result.conforms is True
    assert [(r.severity, r.focus, r.path) for r in result.results] == [("Warning", "kg:noi", "schema:jobTitle")]
    row = result.results[0]
    assert row.focus_label == "Noi"
    assert row.message == "A job title helps readers."
    assert row.source_shape == "lksh:PersonShape schema:jobTitle"
    assert row.constraint == "sh:MinCountConstraintComponent"


def test_violation_does_not_conform(project):
    write(project / "graph" / "anon.ttl", NO_NAME)
    result = validate.validate(project)
    assert result.conforms is False
    violations = [r for r in result.results if r.severity == "Violation"]
    assert [(r.focus, r.path, r.message) for r in violations] == [("kg:anon", "schema:name", "A person needs a name.")]
    assert violations[0].focus_label is None  # no label to show


def test_info_results_and_sequence_paths(project):
    write(
        project / "graph" / "orgless.ttl",
        PREFIXES
        + """
kg:ministry2 a <http://www.w3.org/ns/org#FormalOrganization> .
kg:kham a schema:Person ; schema:name "Kham" ; schema:jobTitle "Adviser" ; schema:affiliation kg:ministry2 .
""",
    )
    result = validate.validate(project)
    assert result.conforms is True
    infos = [r for r in result.results if r.severity == "Info"]
    assert [(r.focus, r.path) for r in infos] == [("kg:kham", "schema:affiliation/schema:name")]


def test_inverse_paths_are_rendered(project):
    write(
        project / "graph" / "orphan.ttl",
        PREFIXES + "ev:orphan a laokg:DocumentEvidence ; prov:entity ev:orphan-passage .\n",
    )
    result = validate.validate(project)
    (row,) = result.results
    assert (row.severity, row.focus, row.path) == ("Violation", "ev:orphan", "^prov:qualifiedDerivation")


def test_shacl_sparql_target_and_constraint_run(project):
    """sh:SPARQLTarget and sh:sparql need pySHACL's advanced mode."""
    write(project / "graph" / "leaflet.ttl", UNTITLED_SOURCE)
    result = validate.validate(project)
    rows = [r for r in result.results if r.source_shape == "lksh:SourceTitleShape"]
    assert [(r.severity, r.focus, r.message) for r in rows] == [
        ("Violation", "kg:leaflet", "A source document needs a title.")
    ]
    assert rows[0].constraint == "sh:SPARQLConstraintComponent"


def test_results_are_sorted_violations_first(project):
    write(project / "graph" / "noi.ttl", NO_JOB)
    write(project / "graph" / "anon.ttl", NO_NAME)
    result = validate.validate(project)
    assert [r.severity for r in result.results] == ["Violation", "Warning"]


def test_memoised_sparql_gives_the_same_report_and_is_undone(project):
    import pyshacl
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    write(project / "graph" / "leaflet.ttl", UNTITLED_SOURCE)
    before = SPARQLProcessor.query
    data, shapes = load.load_data_graph(project), load.load_shapes(project)
    ours = validate.run_shacl(data, shapes)
    assert SPARQLProcessor.query is before
    conforms, plain, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert conforms == ours.conforms
    assert isomorphic(plain, ours.report_graph)


def test_broken_shapes_are_an_input_error(project):
    shapes = project / "ontology" / "shapes.ttl"
    shapes.write_text(shapes.read_text().replace("FILTER NOT EXISTS", "FILTER NOT EXIST"))
    with pytest.raises(InputError, match="SHACL shapes cannot be run"):
        validate.validate(project)


def test_label_of_prefers_english():
    from rdflib import URIRef
    from rdflib.namespace import SKOS

    g = Graph()
    node = URIRef("https://w3id.org/laokg/id/x")
    g.add((node, SKOS.prefLabel, Literal("ລາວ", lang="lo")))
    g.add((node, SKOS.prefLabel, Literal("Lao", lang="en")))
    assert validate.label_of(g, node) == "Lao"
    assert validate.label_of(g, URIRef("https://w3id.org/laokg/id/y")) is None


# ---------------------------------------------------------------- the CLI


def test_cli_clean_exit_0(project):
    result = invoke("validate", "--root", str(project))
    assert_clean_exit(result, 0)
    assert result.stdout == "Conforms: yes (0 violations, 0 warnings, 0 infos)\n"


def test_cli_warnings_exit_0_and_are_shown(project):
    write(project / "graph" / "noi.ttl", NO_JOB)
    result = invoke("validate", "--root", str(project))
    assert_clean_exit(result, 0)
    assert result.stdout == (
        "1 Warning:\n"
        "  kg:noi (Noi)\n"
        "    A job title helps readers.\n"
        "    path schema:jobTitle; shape lksh:PersonShape schema:jobTitle\n"
        "\n"
        "Conforms: yes (0 violations, 1 warning, 0 infos); "
        "SHACL sh:conforms: false (it counts warnings and infos too)\n"
    )


def test_cli_violation_exit_1_grouped_by_severity(project):
    write(project / "graph" / "noi.ttl", NO_JOB)
    write(project / "graph" / "anon.ttl", NO_NAME)
    result = invoke("validate", "--root", str(project))
    assert_clean_exit(result, 1)
    out = result.stdout
    assert (
        out.index("1 Violation:")
        < out.index("1 Warning:")
        < out.index("Conforms: no (1 violation, 1 warning, 0 infos)")
    )
    assert out.endswith("Conforms: no (1 violation, 1 warning, 0 infos)\n")


def test_cli_json(project):
    write(project / "graph" / "anon.ttl", NO_NAME)
    result = invoke("validate", "--root", str(project), "--format", "json")
    assert_clean_exit(result, 1)
    rows = json.loads(result.stdout)
    assert rows == [  # full IRIs, as in audit --format json
        {
            "severity": "Violation",
            "focus": "https://w3id.org/laokg/id/anon",
            "focus_label": None,
            "path": "https://schema.org/name",
            "value": None,
            "message": "A person needs a name.",
            "source_shape": "https://w3id.org/laokg/shapes#PersonShape https://schema.org/name",
            "constraint": "http://www.w3.org/ns/shacl#MinCountConstraintComponent",
        }
    ]


def test_cli_turtle_is_the_report_graph(project):
    write(project / "graph" / "anon.ttl", NO_NAME)
    result = invoke("validate", "--root", str(project), "--format", "turtle")
    assert_clean_exit(result, 1)
    assert "ns1:" not in result.stdout
    report = Graph().parse(data=result.stdout, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    assert len(list(report.subjects(RDF.type, SH.ValidationResult))) == 1


def test_cli_extra_data_file(project, tmp_path):
    extra = write(tmp_path / "more.ttl", NO_NAME)
    result = invoke("validate", "--root", str(project), "--data", str(extra))
    assert_clean_exit(result, 1)


def test_cli_help_has_an_example():
    result = invoke("validate", "--help")
    assert_clean_exit(result, 0)
    assert "Example:" in result.stdout


# ---------------------------------------------------------------- the real project
# Alike in shape to test_stats.py's real-project test on purpose: each command's test file
# runs its own command on the real project and asserts that command's own result.


@requires_real
def test_real_graph_conforms():
    result = invoke("validate", "--root", str(REAL_ROOT))
    assert_clean_exit(result, 0)
    assert "Conforms: yes" in result.stdout


@requires_real
def test_real_graph_json_report_is_valid():
    result = invoke("validate", "--root", str(REAL_ROOT), "--format", "json")
    assert_clean_exit(result, 0)
    rows = json.loads(result.stdout)
    assert all(row["severity"] in ("Warning", "Info") for row in rows)


# ---------------------------------------------------------------- counting as the spec and Jena do

NESTED_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:employer ; sh:node ex:OrgShape ] ;
    sh:property [ sh:path ex:job ; sh:minCount 1 ; sh:severity sh:Warning ] .
ex:OrgShape a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""
ONE_NESTED_VIOLATION = """
@prefix ex: <http://example.org/> .
ex:p a ex:Person ; ex:employer ex:o ; ex:job "clerk" .
"""
ONE_WARNING = """
@prefix ex: <http://example.org/> .
ex:p a ex:Person ; ex:employer ex:o .
ex:o ex:name "Ministry" .
"""


def _run(data_text, shapes_text=NESTED_SHAPES):
    return validate.run_shacl(
        Graph().parse(data=data_text, format="turtle"), Graph().parse(data=shapes_text, format="turtle")
    )


def _report_conforms(result):
    (node,) = result.report_graph.subjects(RDF.type, SH.ValidationReport)
    return result.report_graph.value(node, SH.conforms)


def test_a_failed_sh_node_counts_once_though_pyshacl_nests_details():
    result = _run(ONE_NESTED_VIOLATION)
    assert (None, SH.detail, None) in result.report_graph  # pySHACL's nested result is there ...
    assert result.counts() == {"Violation": 1, "Warning": 0, "Info": 0}  # ... but counted once
    assert [(r.focus, r.constraint) for r in result.results] == [("ex:p", "sh:NodeConstraintComponent")]
    assert "1 violation," in validate.summary(result)
    assert _report_conforms(result) == Literal(False)


def test_report_conforms_follows_the_spec_while_laokg_verdict_allows_warnings():
    result = _run(ONE_WARNING)
    assert result.conforms is True  # laokg's verdict: warnings do not fail the graph
    assert validate.summary(result) == (
        "Conforms: yes (0 violations, 1 warning, 0 infos); SHACL sh:conforms: false (it counts warnings and infos too)"
    )
    assert _report_conforms(result) == Literal(False)  # SHACL 3.6.1: conforms iff no results
    clean = _run(
        ONE_WARNING.replace(
            "ex:p a ex:Person ; ex:employer ex:o .", 'ex:p a ex:Person ; ex:employer ex:o ; ex:job "x" .'
        )
    )
    assert clean.results == [] and _report_conforms(clean) == Literal(True)


def test_cli_turtle_report_with_warnings_only_exits_0_but_does_not_conform(project):
    write(project / "graph" / "noi.ttl", NO_JOB)
    result = invoke("validate", "--root", str(project), "--format", "turtle")
    assert_clean_exit(result, 0)
    report = Graph().parse(data=result.stdout, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    text = invoke("validate", "--root", str(project))
    assert_clean_exit(text, 0)
    assert "Conforms: yes (0 violations, 1 warning, 0 infos)" in text.stdout


def _jena_rows(report_text):
    return _report_rows(Graph().parse(data=report_text, format="turtle"))


def _report_rows(report):
    """(sh:conforms, sorted (focus IRI, severity) of the report's top-level results)."""
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    rows = sorted(
        (str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1])
        for r in report.objects(node, SH.result)
    )
    return report.value(node, SH.conforms), rows


@pytest.mark.parametrize("data_text", [ONE_NESTED_VIOLATION, ONE_WARNING], ids=["nested-violation", "warning"])
def test_counts_and_conforms_agree_with_apache_jena(tmp_path, data_text):
    from . import jena_support

    jena_support.require()
    (tmp_path / "shapes.ttl").write_text(NESTED_SHAPES, encoding="utf-8")
    (tmp_path / "data.ttl").write_text(data_text, encoding="utf-8")
    ours = _run(data_text)
    jena = _jena_rows(jena_support.shacl_validate(tmp_path / "shapes.ttl", tmp_path / "data.ttl", tmp_path))
    assert jena == _report_rows(ours.report_graph)
    assert len(jena[1]) == len(ours.results) == 1


@requires_real
def test_real_graph_counts_agree_with_apache_jena(tmp_path):
    from . import jena_support

    jena_support.require()
    data, shapes = load.load_data_graph(REAL_ROOT), load.load_shapes(REAL_ROOT)
    data.serialize(tmp_path / "data.ttl", format="turtle")
    shapes.serialize(tmp_path / "shapes.ttl", format="turtle")
    ours = validate.run_shacl(data, shapes)
    jena = _jena_rows(jena_support.shacl_validate(tmp_path / "shapes.ttl", tmp_path / "data.ttl", tmp_path))
    assert jena == _report_rows(ours.report_graph)
    assert len(jena[1]) == len(ours.results)


def test_pyshacl_runs_with_prepared_queries_and_leaves_rdflibs_processor_alone():
    from rdflib import plugin
    from rdflib.plugins.sparql.processor import SPARQLProcessor
    from rdflib.query import Processor

    from laokg.graph import validate as v

    with v.prepared_sparql():
        assert plugin.get("sparql", Processor).__name__ == "PreparingProcessor"
        text = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
        assert v.prepared_query(text) is v.prepared_query(text)
    assert plugin.get("sparql", Processor) is SPARQLProcessor


def test_json_writes_paths_in_full_and_text_keeps_curies():
    data = Graph().parse(data="@prefix ex: <http://example.org/> . ex:a a ex:T .", format="turtle")
    shapes = Graph().parse(
        data="""
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:T ;
    sh:property [ sh:path ( ex:p [ sh:inversePath ex:q ] ) ; sh:minCount 1 ] .
""",
        format="turtle",
    )
    result = validate.run_shacl(data, shapes)
    (row,) = result.results
    (full,) = json.loads(validate.format_json(result))
    assert (row.focus, row.path) == ("ex:a", "ex:p/^ex:q")
    assert full["focus"] == "http://example.org/a"
    assert full["path"] == "<http://example.org/p>/^<http://example.org/q>"
    assert full["source_shape"] == "http://example.org/S <http://example.org/p>/^<http://example.org/q>"


# ---------------------------------------------------------------- literals valid for their datatype (issue 17)


@pytest.mark.parametrize(
    "literal, expected",
    [
        ('"twelve"^^xsd:integer', "xsd:integer (expected a whole number, e.g. 12)"),
        ('"24 months"^^xsd:duration', "xsd:duration (expected PnYnMnDTnHnMnS, e.g. P24M or PT1H30M)"),
        ('"2024-13"^^xsd:gYearMonth', "xsd:gYearMonth (expected YYYY-MM, e.g. 2024-03)"),
        ('"maybe"^^xsd:boolean', "xsd:boolean (expected true, false, 1 or 0)"),
    ],
)
def test_an_ill_typed_literal_on_any_subject_is_refused_with_file_and_line(project, literal, expected):
    """No shape constrains schema:value on a thing that has no type: the datatype check is the
    loader's, so `validate` cannot pass it (it did before)."""
    bad = write(
        project / "graph" / "bad.ttl", PREFIXES + f"\n<https://example.org/anything> schema:value {literal} .\n"
    )
    lexical = literal.split('"')[1]
    result = invoke("validate", "--root", str(project))
    assert_clean_exit(result, 2)
    assert result.stderr == f'Error: {bad}:9: "{lexical}" is not a valid {expected}\n'
    with pytest.raises(InputError, match=rf"bad.ttl:9: \"{lexical}\" is not a valid"):
        validate.validate(project)
