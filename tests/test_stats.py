"""laokg.graph.stats and ``laokg stats``."""

import json

import pytest

from laokg.graph import load, stats

from .coretools import PREFIXES, REAL_ROOT, assert_clean_exit, invoke, make_project, requires_real, write


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def test_counts_of_the_fixture_project(project):
    result = stats.stats(project)
    graph = load.load_data_graph(project)
    assert result.triples == len(graph)
    # kg: entities: report, footnote, news item, ministry, somchai, obs-1 + 4 evidence records
    # + the 3 passages the document evidence was read in
    assert result.entities == 13
    assert result.evidence == 4  # DocumentEvidence x3 (laokg:Evidence) + ProjectAssertion (prov:Attribution)
    assert result.footnotes == 1
    assert result.observations == 1
    assert result.documents == 1  # the report the evidence was read in
    assert result.cited_works == 1  # the news item the footnote cites
    assert result.sources == 2
    assert result.classes == {
        "laokg:DocumentEvidence": 3,
        "doco:Footnote": 1,
        "fabio:NewsItem": 1,
        "fabio:Report": 1,
        "laokg:ProjectAssertion": 1,
        "oa:SpecificResource": 3,
        "org:FormalOrganization": 1,
        "qb:Observation": 1,
        "schema:Person": 1,
    }


def test_facts_are_triples_about_entities_that_are_not_evidence(project):
    graph = load.load_data_graph(project)
    evidence_triples = sum(1 for s, _, _ in graph if str(s).startswith("https://w3id.org/laokg/id/evidence/"))
    entity_triples = sum(1 for s, _, _ in graph if str(s).startswith("https://w3id.org/laokg/id/"))
    assert stats.compute_stats(graph).facts == entity_triples - evidence_triples == 23


def test_ontology_and_vocabulary_terms_are_not_entities(project):
    result = stats.stats(project)
    assert not any(cls.startswith(("owl:", "skos:")) for cls in result.classes)


def test_a_source_both_read_and_cited_counts_once(project):
    write(
        project / "graph" / "more.ttl",
        PREFIXES
        + """
@prefix cito: <http://purl.org/spar/cito/> .
@prefix doco: <http://purl.org/spar/doco/> .
kg:news-2023-fn a doco:Footnote ; cito:citesAsEvidence kg:report-2024 ; cito:citesAsDataSource kg:news-2023 .
""",
    )
    result = stats.stats(project)
    assert (result.documents, result.cited_works, result.sources, result.footnotes) == (1, 2, 2, 2)


def test_untyped_evidence_subclasses_come_from_the_ontology(project):
    write(
        project / "graph" / "sub.ttl",
        PREFIXES
        + """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
laokg:TranslatedEvidence a owl:Class ; rdfs:subClassOf laokg:DocumentEvidence .
ev:t-1 a laokg:TranslatedEvidence ; prov:entity ev:t-1-passage .
ev:t-1-passage a <http://www.w3.org/ns/oa#SpecificResource> ; <http://www.w3.org/ns/oa#hasSource> kg:report-2024 .
""",
    )
    assert stats.stats(project).evidence == 5


def test_cli_text(project):
    result = invoke("stats", "--root", str(project))
    assert_clean_exit(result, 0)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Triples", str(stats.stats(project).triples)]
    assert "Entities by class:" in lines
    assert any(line.split() == ["schema:Person", "1"] for line in lines)


def test_cli_json(project):
    result = invoke("stats", "--root", str(project), "--format", "json")
    assert_clean_exit(result, 0)
    data = json.loads(result.stdout)
    assert data == stats.stats(project).to_dict()
    assert set(data) == {
        "triples",
        "entities",
        "facts",
        "sources",
        "documents",
        "cited_works",
        "footnotes",
        "evidence",
        "observations",
        "classes",
        "editions_not_held",
    }


def test_cli_help_has_an_example():
    result = invoke("stats", "--help")
    assert_clean_exit(result, 0)
    assert "Example:" in result.stdout


# Each command's test file runs that command's --help and that command on the real project
# (as test_validate.py, test_build.py and test_export.py do): the calls look alike, what is
# asserted is the command's own.
@requires_real
def test_real_graph_stats():
    result = invoke("stats", "--root", str(REAL_ROOT), "--format", "json")
    assert_clean_exit(result, 0)
    data = json.loads(result.stdout)
    assert data["triples"] == len(load.load_data_graph(REAL_ROOT))
    assert data["documents"] == 2  # the EUDiF profile and the news item
    assert data["sources"] >= data["cited_works"] > 0
    assert data["footnotes"] > 0 and data["evidence"] > 0 and data["observations"] > 0
    assert 0 < data["facts"] < data["triples"]
    assert sum(data["classes"].values()) >= data["entities"]


# ---------------------------------------------------------------- counted by the build, read back


def _triple_stats(root):
    from laokg.graph.export import data_triples

    return stats.triple_stats(data_triples(root).triples)


def test_counted_on_term_strings_as_on_the_graph(project):
    # a subclass declared in the data, a work both read and cited, untyped evidence subclasses:
    # the cases of the tests above (with one more level of subclass) in one file, written out
    # again on purpose, as those tests pin each count alone and this one compares two counters
    write(
        project / "graph" / "more.ttl",
        PREFIXES
        + """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix cito: <http://purl.org/spar/cito/> .
@prefix doco: <http://purl.org/spar/doco/> .
laokg:TranslatedEvidence a owl:Class ; rdfs:subClassOf laokg:DocumentEvidence .
laokg:CheckedTranslation a owl:Class ; rdfs:subClassOf laokg:TranslatedEvidence .
ev:t-1 a laokg:CheckedTranslation ; prov:entity ev:t-1-passage .
ev:t-1-passage a <http://www.w3.org/ns/oa#SpecificResource> ; <http://www.w3.org/ns/oa#hasSource> kg:report-2024 .
kg:news-2023-fn a doco:Footnote ; cito:citesAsEvidence kg:report-2024 ; cito:citesAsDataSource kg:news-2023 .
kg:odd a <urn:x:Thing>, kg:LocalClass ; <urn:x:p> [ <urn:x:q> "x" ] .
""",
    )
    ours, theirs = _triple_stats(project), stats.compute_stats(load.load_data_graph(project))
    assert ours == theirs
    assert ours.evidence == 5 and ours.classes["urn:x:Thing"] == ours.classes["kg:LocalClass"] == 1


@requires_real
def test_counted_on_term_strings_on_the_real_graph():
    assert _triple_stats(REAL_ROOT) == stats.compute_stats(load.load_data_graph(REAL_ROOT))


def test_counted_on_term_strings_on_a_synthetic_project(tmp_path):
    import sys

    sys.path.insert(0, str(REAL_ROOT / "benchmarks"))
    import generate

    generate.generate(3000, tmp_path / "p")
    ours = _triple_stats(tmp_path / "p")
    assert ours == stats.compute_stats(load.load_data_graph(tmp_path / "p")) and ours.footnotes > 0


def test_the_build_records_the_counts_and_stats_reads_them(project):
    from laokg.graph import build
    from laokg.graph.store import MANIFEST, built_record

    build.build(project)
    counted = stats.stats(project)  # rdflib on the Turtle
    assert built_record(project)["stats"] == counted.to_dict()
    # the command on the built store answers from the record: planted counts show it is read
    record_path = project / "dist" / "current" / MANIFEST
    record = json.loads(record_path.read_text(encoding="utf-8"))
    record["stats"]["footnotes"] = 4242
    record_path.unlink()  # a file of the release (a hard link target elsewhere stays intact)
    record_path.write_text(json.dumps(record), encoding="utf-8")
    result = invoke("stats", "--root", str(project), "--format", "json")
    assert_clean_exit(result, 0)
    assert json.loads(result.stdout)["footnotes"] == 4242
    # the reference engine, and the store with extra data, count for themselves
    result = invoke("stats", "--root", str(project), "--format", "json", "--engine", "rdflib")
    assert json.loads(result.stdout) == counted.to_dict()
    # an edited project: the record is stale, the store is not used, the counts are new
    write(project / "graph" / "more.ttl", PREFIXES + "kg:extra a <urn:x:Thing> .\n")
    result = invoke("stats", "--root", str(project), "--format", "json")
    assert_clean_exit(result, 0)
    data = json.loads(result.stdout)
    assert data["footnotes"] == counted.footnotes and data["triples"] == counted.triples + 1


def test_a_record_without_counts_is_counted_by_the_store(project):
    from laokg.graph import build
    from laokg.graph.store import MANIFEST

    build.build(project)
    record_path = project / "dist" / "current" / MANIFEST
    record = json.loads(record_path.read_text(encoding="utf-8"))
    del record["stats"]  # a release built before the counts were recorded
    record_path.unlink()
    record_path.write_text(json.dumps(record), encoding="utf-8")
    assert stats.recorded_stats(project) is None
    result = invoke("stats", "--root", str(project), "--format", "json", "--engine", "oxigraph")
    assert json.loads(result.stdout) == stats.stats(project).to_dict()
