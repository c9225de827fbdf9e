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
    write(project / "graph" / "more.ttl", PREFIXES + """
@prefix cito: <http://purl.org/spar/cito/> .
@prefix doco: <http://purl.org/spar/doco/> .
kg:news-2023-fn a doco:Footnote ; cito:citesAsEvidence kg:report-2024 ; cito:citesAsDataSource kg:news-2023 .
""")
    result = stats.stats(project)
    assert (result.documents, result.cited_works, result.sources, result.footnotes) == (1, 2, 2, 2)


def test_untyped_evidence_subclasses_come_from_the_ontology(project):
    write(project / "graph" / "sub.ttl", PREFIXES + """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
laokg:TranslatedEvidence a owl:Class ; rdfs:subClassOf laokg:DocumentEvidence .
ev:t-1 a laokg:TranslatedEvidence ; prov:entity ev:t-1-passage .
ev:t-1-passage a <http://www.w3.org/ns/oa#SpecificResource> ; <http://www.w3.org/ns/oa#hasSource> kg:report-2024 .
""")
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
        "triples", "entities", "facts", "sources", "documents", "cited_works",
        "footnotes", "evidence", "observations", "classes", "editions_not_held",
    }


def test_cli_help_has_an_example():
    result = invoke("stats", "--help")
    assert_clean_exit(result, 0)
    assert "Example:" in result.stdout


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
