"""Citation tracing: `laokg trace THING` (fact -> evidence -> footnote -> cited work) and
`laokg trace --source WORK` (work -> every fact resting on it), on the real graph, with small
extra files (--data) for what the real graph lacks: a node without evidence, a secondary
report whose own sources are in the graph.

The last tests are regressions for weaknesses found in review: onward citations are a work's
own, nested citations are laid out cleanly, project assertions are not "readings" of a
document, and the PROV-O subgraph keeps a cited instrument's year.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from laokg.cli import cli
from laokg.graph.load import load_data_graph
from laokg.labels import LabelIndex, curie
from laokg.namespaces import CITO, LAOKG, OA
from laokg.provenance import trace as tr

from .coretools import assert_one_line_error, write

ROOT = Path(__file__).resolve().parent.parent
KG = "https://w3id.org/laokg/id/"
EV = KG + "evidence/"
ELI_DATE = URIRef("http://data.europa.eu/eli/ontology#date_document")

EUDIF = KG + "eudif-lao-2024"
SEAIP = KG + "seaip-2025-11-28"
# the work footnotes 8 and 10 cite: the ILO's 2002 copy of the Laos-Thailand MoU (000:114, 000:138),
# kept apart from the instrument kg:mou-laos-thailand-2002 (issue 8)
MOU = KG + "ilo-2002-mou-laos-thailand"
DECREE = KG + "decree-245-2020"
DECREE_TITLE = "Decree No. 245 on the Placement of Lao Workers to Work Abroad"
FN10_TEXT = (
    "ILO (2002), Memorandum of Understanding between the Royal Thai Government and the "
    "Government of Lao PDR on employment co-operation."
)
MOU_TITLE = (
    "Memorandum of Understanding between the Royal Thai Government and the Government of "
    "Lao PDR on employment cooperation"
)


def run(*args):
    return CliRunner().invoke(cli, ["trace", "--root", str(ROOT), *[str(a) for a in args]], catch_exceptions=False)


def ok(*args) -> str:
    result = run(*args)
    assert result.exit_code == 0, (result.output, result.stderr)
    return result.output


@pytest.fixture(scope="module")
def graph():
    return load_data_graph(ROOT)


@pytest.fixture(scope="module")
def index(graph):
    return LabelIndex(graph)


def trace(graph, index, name) -> tr.Trace:
    return tr.trace_entity(graph, URIRef(KG + name), index)


def by_kind(t: tr.Trace, kind: str):
    return [g for g in t.evidence if g.kind == kind]


def predicates(group) -> set[str]:
    return {s.predicate for s in group.statements}


# ---------------------------------------------------------------- forward: an instrument


def test_instrument_decree_245(graph, index):
    t = trace(graph, index, "decree-245-2020")
    assert (t.label, t.types, t.unsupported) == (DECREE_TITLE, ["eli:LegalResource"], [])
    [group] = t.evidence
    assert (group.kind, group.document, group.section) == ("document", EUDIF, "Achievements")
    assert group.document_label == "Diaspora engagement mapping — Lao People's Democratic Republic"
    assert group.excerpt.startswith("A major milestone in migration governance in Laos came into effect in 2020")
    [fn] = group.footnotes
    assert (fn.iri, fn.number, fn.text) == (KG + "eudif-lao-2024-fn-10", "10", FN10_TEXT)
    [work] = fn.works
    assert (work.iri, work.label, work.issued, work.by) == (
        MOU,
        MOU_TITLE,
        "2002",
        ["International Labour Organization"],
    )
    assert group.cited_in_text == [] and group.asserted_properties == []
    statements = {(s.predicate, s.object) for s in group.statements}
    assert {
        ("laokg:entryIntoForceYear", "2020"),
        ("eli:number", "245"),
        ("dct:title", DECREE_TITLE),
        ("rdf:type", "eli:LegalResource"),
        ("dct:spatial", "kg:laos"),
        ("eli:jurisdiction", "<http://publications.europa.eu/resource/authority/country/LAO>"),
    } <= statements
    assert not any(p == "prov:qualifiedDerivation" for p, _ in statements)


def test_instrument_decree_245_text():
    out = ok("kg:decree-245-2020")
    lines = out.splitlines()
    # the reader's language: one identifier line, the type and the properties by their names
    assert lines[:3] == [DECREE_TITLE, "  kg:decree-245-2020", "  type: Legal instrument"]
    assert "[1] Read in Diaspora engagement mapping — Lao People's Democratic Republic" in lines
    assert "    section: Achievements" in lines
    assert f"    footnote 10: {FN10_TEXT}" in lines
    assert f"      cites: {MOU_TITLE} — by International Labour Organization — 2002" in lines
    words = [" ".join(line.split()) for line in lines]
    assert "place Laos" in words and "year of entry into force 2020" in words and "type Legal instrument" in words
    assert "statements with no evidence:" not in lines
    assert not any(tag in out for tag in ("dct:", "eli:", "rdf:", "laokg:", "xsd:", "@en", "https://w3id"))


# ---------------------------------------------------------------- forward: an institution


def test_institution_mlsw(graph, index):
    t = trace(graph, index, "mlsw")
    assert t.unsupported == []
    documents, [project, roles] = by_kind(t, "document"), by_kind(t, "project")
    assert roles.iri == EV + "project-engagement-roles" and predicates(roles) == {"laokg:engagementRole"}
    assert [(g.document, g.section) for g in documents] == [(EUDIF, "Annex: List of Actors"), (SEAIP, "Article text")]
    assert documents[1].excerpt == "According to data released by the Lao Ministry of Labor and Social Welfare"
    assert project.iri == EV + "mlsw-project"
    assert project.asserted_properties == ["org:classification", "org:subOrganizationOf"]
    # the annex prints a bare year: reading it as the founding year is the project's, named by value
    assert [(st.predicate, st.object) for st in project.added_statements] == [("schema:foundingDate", "1993")]
    assert predicates(project) == {"org:classification", "org:subOrganizationOf", "schema:foundingDate"}
    assert project.note.startswith("Institution type and its place in the government added by the project.")
    for g in documents:  # what the project asserts is not credited to the documents, and vice versa
        assert not predicates(g) & {
            "org:classification",
            "org:subOrganizationOf",
            "schema:foundingDate",
            "laokg:engagementRole",
        }
        assert {"skos:prefLabel", "skos:altLabel", "org:purpose", "org:hasUnit"} <= predicates(g)


def test_institution_mlsw_text():
    out = ok("kg:mlsw")
    assert "[3] Project assertion — added by laokg, not stated by a source" in out
    assert "    supports: the same statements as [1]" in out  # the news item supports what the profile does
    assert "    (no footnote: stated by the document itself)" in out
    words = [" ".join(line.split()) for line in out.splitlines()]
    assert "part of the organisation Government of the Lao PDR" in words
    assert "founded 1993" in words


# ---------------------------------------------------------------- forward: a figure


def test_figure_remittance_inflow_world_bank(graph, index):
    """000:31-32 with 000:64: 'World Bank (2023)' is the edition of the data, not its period."""
    t = trace(graph, index, "obs-remittances-inflow-lao-world-bank")
    assert t.unsupported == [] and t.types == ["qb:Observation"]
    [project] = by_kind(t, "project")
    assert project.iri == EV + "obs-remittances-world-bank-indicator-project"
    assert [(s.predicate, s.object) for s in project.statements] == [
        ("laokg:indicator", "indicator:wb-personal-remittances-received")
    ]
    documents = by_kind(t, "document")
    assert {g.excerpt for g in documents} == {
        "Remittances inflow (USD million): **287.19**",
        "remittances from the World Bank (2023)",
    }
    in_text = next(g for g in documents if g.cited_in_text)
    [work] = in_text.cited_in_text
    assert (work.iri, work.issued, work.by) == (KG + "world-bank-2023-remittances", "2023", ["World Bank"])
    assert in_text.footnotes == []
    for g in documents:
        assert "laokg:refPeriod" not in predicates(g)
        assert ("laokg:unknownValue", "laokg:refPeriod") in {(s.predicate, s.object) for s in g.statements}
        assert ("sdmx-measure:obsValue", "287.19") in {(s.predicate, s.object) for s in g.statements}


def test_figure_text_names_the_cited_dataset():
    out = ok("kg:obs-remittances-inflow-lao-world-bank")
    assert "    cited in the text: World Bank remittance data (2023) — by World Bank — 2023" in out
    assert "laokg:refPeriod 2023" not in out and "reference period 2023" not in " ".join(out.split())
    words = [" ".join(line.split()) for line in out.splitlines()]
    assert "value US$287.19 million" in words  # the figure as the entity page writes it
    assert "unit US dollar" in words


def test_figure_366_million_evidence_is_split_per_statement(graph, index):
    """001:6: the sentence with the amount does not say who released it or where; the
    attribution ('According to data released by the Lao Ministry ...') and the release
    ('These figures were officially released this week at a conference', 001:8) are evidence
    of their own, each supporting only its statement."""
    t = trace(graph, index, "obs-remittances-inflow-lao-2025-s1")
    assert t.unsupported == []
    groups = {g.iri.rsplit("/", 1)[-1]: g for g in t.evidence}
    amount = groups["obs-remittances-inflow-lao-2025-s1-1"]
    assert ("sdmx-measure:obsValue", "366") in {(s.predicate, s.object) for s in amount.statements}
    assert not predicates(amount) & {"prov:wasAttributedTo", "laokg:releasedAt", "laokg:refPeriod"}
    assert [(s.predicate, s.object) for s in groups["seaip-mlsw-release-1"].statements] == [
        ("prov:wasAttributedTo", "kg:mlsw")
    ]
    assert [(s.predicate, s.object) for s in groups["seaip-conference-release-1"].statements] == [
        ("laokg:releasedAt", "kg:event-khammouane-safe-employment-conference-2025")
    ]
    assert predicates(groups["project-news-first-half"]) == {"laokg:refPeriod"}


def test_figure_bank_subtotal_attribution_is_the_projects(graph, index):
    """001:6: the bank sub-totals follow the ministry's total in the same paragraph, but no
    sentence attributes them to the ministry: that attribution is a project assertion."""
    t = trace(graph, index, "obs-remittances-inflow-lao-2025-s1-indochina-bank")
    [project] = [g for g in by_kind(t, "project") if "prov:wasAttributedTo" in g.asserted_properties]
    assert [(s.predicate, s.object) for s in project.statements] == [("prov:wasAttributedTo", "kg:mlsw")]
    for g in by_kind(t, "document"):
        assert "prov:wasAttributedTo" not in predicates(g)


# ---------------------------------------------------------------- forward: a country


def test_country_thailand(graph, index):
    t = trace(graph, index, "thailand")
    assert t.unsupported == []
    [project] = by_kind(t, "project")
    assert project.iri == EV + "project-country-codes"
    assert project.asserted_properties == ["laokg:inRegion", "laokg:iso3166Alpha2", "owl:sameAs"]
    assert {(s.predicate, s.object) for s in project.statements} == {
        ("laokg:inRegion", "kg:southeast-asia"),
        ("laokg:iso3166Alpha2", "TH"),
        ("owl:sameAs", "wd:Q869"),
    }
    [document] = by_kind(t, "document")
    assert document.excerpt == "Thailand\t285,819"
    assert predicates(document) == {"rdf:type", "skos:prefLabel", "rdfs:label"}  # rdfs:label repeats the name (issue 8)


# ---------------------------------------------------------------- project assertions by value (issue 18)


def statements_of(group) -> set[tuple[str, str]]:
    return {(s.predicate, s.object) for s in group.statements}


def test_by_value_the_printed_sector_stays_with_the_document(graph, index):
    """The EPS's sector EMPLOYMENT is printed by the profile; only the SDG target is the project's."""
    t = trace(graph, index, "practice-employment-permit-system")
    [project] = by_kind(t, "project")
    assert project.asserted_properties == []
    assert [(s.predicate, s.object) for s in project.added_statements] == [("dct:subject", "sdg:10.7")]
    assert {s for s in statements_of(project) if s[0] == "dct:subject"} == {("dct:subject", "sdg:10.7")}
    documented = set().union(*(statements_of(g) for g in by_kind(t, "document")))
    assert ("dct:subject", "sector:employment") in documented
    assert ("dct:subject", "sdg:10.7") not in documented


def test_by_value_the_stated_link_stays_with_the_document(graph, index):
    """The gap finding's link to the 2020 decree is stated; the link to the 2021 GDP share is the project's."""
    t = trace(graph, index, "finding-gap-remittance-policy")
    [project] = by_kind(t, "project")
    [document] = by_kind(t, "document")
    assert statements_of(project) == {("laokg:concerns", "kg:obs-remittances-share-of-gdp-lao-2021")}
    assert ("laokg:concerns", "kg:decree-sending-migrant-workers-2020") in statements_of(document)
    out = ok("kg:finding-gap-remittance-policy")
    project_part = out[out.index("] Project assertion — added by laokg") :]
    project_part = project_part[: project_part.find("\n[")] if "\n[" in project_part else project_part
    assert "Decree on the Sending Migrant Workers to Abroad 2020" not in project_part
    assert "Remittances, % of GDP, Laos, 2021" in project_part


BY_VALUE = """@prefix kg: <https://w3id.org/laokg/id/> .
@prefix ev: <https://w3id.org/laokg/id/evidence/> .
@prefix laokg: <https://w3id.org/laokg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix sdg: <https://w3id.org/laokg/vocab/sdg/> .
@prefix topic: <https://w3id.org/laokg/vocab/topic/> .

kg:test-practice-a a laokg:Practice ; skos:prefLabel "Test practice A"@en ;
    dct:subject topic:remittances, sdg:10.c, sdg:10.7 ;
    prov:qualifiedDerivation ev:test-practice-a-1 ;
    prov:qualifiedAttribution ev:test-shared-project .
kg:test-practice-b a laokg:Practice ; skos:prefLabel "Test practice B"@en ;
    dct:subject sdg:10.c ;
    prov:qualifiedDerivation ev:test-practice-a-1 ;
    prov:qualifiedAttribution ev:test-shared-project .
ev:test-practice-a-1 a laokg:DocumentEvidence ; prov:entity ev:test-practice-a-1-passage ;
    laokg:section kg:eudif-lao-2024-spotlight .
ev:test-practice-a-1-passage a oa:SpecificResource ; oa:hasSource kg:eudif-lao-2024 ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "REMITTANCES" ] .
# one assertion serving two nodes: sdg:10.c for both, sdg:10.7 only for practice B (which does not state it)
ev:test-shared-project a laokg:ProjectAssertion ; prov:agent kg:laokg ;
    laokg:addsStatement [ rdf:predicate dct:subject ; rdf:object sdg:10.c ] ,
        [ rdf:subject kg:test-practice-b ; rdf:predicate dct:subject ; rdf:object sdg:10.7 ] ;
    skos:note "The SDG targets are the project's."@en .
"""


def test_by_value_names_only_its_values_and_its_subject(tmp_path):
    path = write(tmp_path / "by-value.ttl", BY_VALUE)
    data = json.loads(ok("kg:test-practice-a", "--data", path, "--format", "json"))
    project = next(g for g in data["evidence"] if g["kind"] == "project")
    document = next(g for g in data["evidence"] if g["kind"] == "document")

    def subjects(group):
        return {s["object"] for s in group["statements"] if s["predicate"] == "dct:subject"}

    # sdg:10.7 is named for practice B only: on practice A it rests on the document, not the project
    assert subjects(project) == {"sdg:10.c"}
    assert subjects(document) == {"topic:remittances", "sdg:10.7"}
    assert project["added_statements"] == [
        {
            "predicate": "dct:subject",
            "object": "sdg:10.c",
            "object_label": project["added_statements"][0]["object_label"],
        }
    ]
    data = json.loads(ok("kg:test-practice-b", "--data", path, "--format", "json"))
    project = next(g for g in data["evidence"] if g["kind"] == "project")
    assert {s["object"] for s in project["statements"]} == {"sdg:10.c"}
    assert [s["object"] for s in project["added_statements"]] == ["sdg:10.7", "sdg:10.c"]


# ---------------------------------------------------------------- forward: no evidence

NO_EVIDENCE = """@prefix kg: <https://w3id.org/laokg/id/> .
@prefix ev: <https://w3id.org/laokg/id/evidence/> .
@prefix laokg: <https://w3id.org/laokg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix insttype: <https://w3id.org/laokg/vocab/insttype/> .

kg:orphan-agency a org:FormalOrganization ; skos:prefLabel "Orphan Agency"@en ;
    org:purpose "Does things nobody wrote down."@en .

kg:half-cited-agency a org:FormalOrganization ; skos:prefLabel "Half-cited Agency"@en ;
    org:classification insttype:ministry ;
    prov:qualifiedDerivation ev:half-cited-agency-project .
ev:half-cited-agency-project a laokg:ProjectAssertion ; laokg:assertedProperty org:classification ;
    skos:note "Type added by the project."@en .
"""


@pytest.fixture
def no_evidence(tmp_path):
    return write(tmp_path / "no-evidence.ttl", NO_EVIDENCE)


def test_node_without_evidence(no_evidence):
    lines = ok("kg:orphan-agency", "--data", no_evidence).splitlines()
    at = lines.index("statements with no evidence:")
    assert lines[at + 1 : at + 4] == [
        "  type    Organisation",
        "  name    Orphan Agency",
        "  purpose Does things nobody wrote down.",
    ]
    assert lines[-1] == "this node has no evidence at all"
    data = json.loads(ok("Orphan Agency", "--data", no_evidence, "--format", "json"))
    assert data["evidence"] == []
    assert {(s["predicate"], s["object"]) for s in data["unsupported"]} == {
        ("rdf:type", "org:FormalOrganization"),
        ("skos:prefLabel", "Orphan Agency"),
        ("org:purpose", "Does things nobody wrote down."),
    }


def test_node_with_only_a_project_assertion(no_evidence):
    data = json.loads(ok("kg:half-cited-agency", "--data", no_evidence, "--format", "json"))
    [group] = data["evidence"]
    assert group["kind"] == "project" and [s["predicate"] for s in group["statements"]] == ["org:classification"]
    assert sorted(s["predicate"] for s in data["unsupported"]) == ["rdf:type", "skos:prefLabel"]
    out = ok("kg:half-cited-agency", "--data", no_evidence)
    assert "statements with no evidence:\n  type Organisation\n  name Half-cited Agency\n" in out
    assert "this node has no evidence at all" not in out


# ---------------------------------------------------------------- reverse: --source

MOU_DEPENDANTS = {
    "kg:decree-245-2020": {"footnote 10"},
    "kg:finding-achievement-decree-245": {"footnote 10"},
    "kg:ministerial-agreement-1050-2022": {"footnote 10"},
    "kg:ministerial-agreement-1050-2022-dispute-resolution": {"footnote 10"},
    "kg:finding-achievement-ministerial-agreement-1050": {"footnote 10"},
    "kg:finding-achievement-mou-thailand-2002": {"footnote 10"},
    "kg:finding-achievement-beyond-southeast-asia": {"footnote 10"},
    "kg:finding-trend-gendered-irregular-migration": {"footnote 10"},
    "kg:south-korea": {"footnote 10"},
    "kg:japan": {"footnote 10"},
    "kg:southeast-asia": {"footnote 10"},
    "kg:finding-trend-rising-migration-to-thailand": {"footnote 8"},
    "kg:government-of-lao-pdr": {"footnote 8"},
    "kg:royal-thai-government": {"footnote 8"},
    # the instrument's title is read in the footnotes that cite the ILO's copy (000:114, 000:138)
    "kg:mou-laos-thailand-2002": {"footnote 8", "footnote 10"},
}


def test_source_mou_exact_dependants(graph, index):
    s = tr.trace_source(graph, URIRef(MOU), index)
    assert (s.iri, s.label) == (MOU, MOU_TITLE)
    got = {curie(d.iri): {v["how"] for v in d.via} for d in s.dependants}
    assert got == MOU_DEPENDANTS  # the MoU itself is not its own dependant
    agreement = next(d for d in s.dependants if d.iri == KG + "finding-achievement-ministerial-agreement-1050")
    assert [v["evidence"] for v in agreement.via] == [
        EV + "ministerial-agreement-1050-2022-1",
        EV + "ministerial-agreement-1050-2022-dispute-resolution-1",
    ]
    labels = [(d.label or d.iri).casefold() for d in s.dependants]
    assert labels == sorted(labels)


def test_source_mou_text():
    lines = ok("--source", "kg:ilo-2002-mou-laos-thailand").splitlines()
    assert lines[:3] == [MOU_TITLE, "  kg:ilo-2002-mou-laos-thailand", "  15 node(s) depend on it:"]
    at = lines.index(f"  - {DECREE_TITLE}")
    assert lines[at + 1].startswith('      via footnote 10: "A major milestone in migration governance')


def test_source_seed_document(graph, index):
    s = tr.trace_source(graph, URIRef(SEAIP), index)
    oracle = {
        str(r.e)
        for r in graph.query(
            "SELECT DISTINCT ?e WHERE { ?e prov:qualifiedDerivation ?ev . ?ev prov:entity/oa:hasSource ?doc }",
            initNs={"prov": PROV, "oa": OA},
            initBindings={"doc": URIRef(SEAIP)},
        )
    } - {SEAIP}
    assert {d.iri for d in s.dependants} == oracle
    got = {curie(d.iri): d for d in s.dependants}
    assert {
        "kg:obs-remittances-inflow-lao-2025-s1",
        "kg:mlsw",
        "kg:vany-kovongxay",
        "kg:promise-ii",
        "kg:event-khammouane-safe-employment-conference-2025",
    } <= set(got)
    assert not {"kg:decree-245-2020", "kg:seaip-2025-11-28", "kg:mofa"} & set(got)
    inflow = got["kg:obs-remittances-inflow-lao-2025-s1"]
    # one piece of evidence per statement (issue 8): the amount, who released it, where (001:6, 001:8)
    assert inflow.via == [
        {
            "evidence": EV + "obs-remittances-inflow-lao-2025-s1-1",
            "how": "read in the document",
            "excerpt": "Lao workers remitted approximately US$366 million back to Laos in the first half of this year",
        },
        {
            "evidence": EV + "seaip-conference-release-1",
            "how": "read in the document",
            "excerpt": "These figures were officially released this week "
            "at a conference on safe and legal overseas employment",
        },
        {
            "evidence": EV + "seaip-mlsw-release-1",
            "how": "read in the document",
            "excerpt": "According to data released by the Lao Ministry of Labor and Social Welfare",
        },
    ]


def test_source_cited_in_the_text():
    data = json.loads(ok("--source", "World Bank remittance data (2023)", "--format", "json"))
    assert data["iri"] == KG + "world-bank-2023-remittances"
    assert {d["iri"][len(KG) :]: [v["how"] for v in d["via"]] for d in data["dependants"]} == {
        "finding-data-disclaimer": ["cited in the text"],
        "obs-remittances-share-of-gdp-lao-world-bank": ["cited in the text"],
        "obs-remittances-inflow-lao-world-bank": ["cited in the text"],
    }


# ---------------------------------------------------------------- print(): one text layout


@pytest.mark.parametrize(
    "thing",
    # a figure with a project assertion, a finding with footnotes, a fact several sources state
    ["obs-remittances-share-of-gdp-lao-world-bank", "decree-245-2020", "obs-emigrant-stock-lao-thailand-2024"],
)
def test_printing_a_trace_prints_what_laokg_trace_prints(graph, index, thing):
    """A Trace made by the library itself (no API around it) prints the command's text."""
    t = trace(graph, index, thing)
    assert str(t) == ok(f"kg:{thing}")
    assert f"  kg:{thing}\n" in str(t) and "(kg:" not in str(t)  # the CURIE once, under the name
    assert "_graph" not in tr.to_json(t) and tr.to_json(t) == ok(f"kg:{thing}", "--format", "json")


def test_printing_a_source_trace_prints_what_laokg_trace_source_prints(graph, index):
    s = tr.trace_source(graph, URIRef(MOU), index)
    assert str(s) == ok("--source", "kg:ilo-2002-mou-laos-thailand")


def test_a_pickled_trace_keeps_its_data_and_leaves_the_graph(graph, index):
    import pickle

    t = trace(graph, index, "decree-245-2020")
    back = pickle.loads(pickle.dumps(t))
    assert back == t and back._graph is None and t._graph is graph
    assert tr.to_json(back) == tr.to_json(t) and str(back).startswith(DECREE_TITLE + "\n  kg:decree-245-2020\n")


def test_a_trace_built_by_hand_prints_in_the_same_layout():
    """Without a graph behind it a trace names things by CURIE (outside vocabularies' terms by
    their short names), laid out as `laokg trace`."""
    t = tr.Trace(
        KG + "x",
        "X",
        ["org:FormalOrganization"],
        [tr.EvidenceGroup(EV + "x-1", "document", EUDIF, "EUDiF", "Facts", "quoted", statements=[])],
        [tr.Statement("org:purpose", "Does things.")],
    )
    assert str(t).splitlines() == [
        "X",
        "  kg:x",
        "  type: Organisation",
        "",
        "[1] Read in kg:eudif-lao-2024",
        "    section: Facts",
        '    excerpt: "quoted"',
        "    (no footnote: stated by the document itself)",
        "",
        "statements with no evidence:",
        "  purpose Does things.",
    ]


# ---------------------------------------------------------------- formats


def test_json_structure_forward():
    data = json.loads(ok("kg:decree-245-2020", "--format", "json"))
    assert set(data) == {"iri", "label", "types", "evidence", "unsupported", "sources"}
    [group] = data["evidence"]
    assert set(group) == {
        "iri",
        "kind",
        "document",
        "document_label",
        "section",
        "excerpt",
        "footnotes",
        "cited_in_text",
        "asserted_properties",
        "added_statements",
        "note",
        "statements",
    }
    [fn] = group["footnotes"]
    assert set(fn) == {"iri", "number", "text", "works"}
    assert fn["works"] == [
        {"iri": MOU, "label": MOU_TITLE, "issued": "2002", "by": ["International Labour Organization"], "cites": []}
    ]
    assert all(set(s) == {"predicate", "object", "object_label"} for s in group["statements"])
    assert {"predicate": "dct:spatial", "object": "kg:laos", "object_label": "Laos"} in group["statements"]


def test_json_structure_reverse():
    data = json.loads(ok("--source", "kg:ilo-2002-mou-laos-thailand", "--format", "json"))
    assert set(data) == {"iri", "label", "dependants"}
    assert len(data["dependants"]) == len(MOU_DEPENDANTS)
    for d in data["dependants"]:
        assert set(d) == {"iri", "label", "via"}
        assert all(set(v) == {"evidence", "how", "excerpt"} and v["excerpt"] for v in d["via"])


def test_turtle_provenance_subgraph_of_an_instrument():
    g = Graph().parse(data=ok("kg:decree-245-2020", "--format", "turtle"), format="turtle")
    decree, eudif, mou, ev = URIRef(DECREE), URIRef(EUDIF), URIRef(MOU), URIRef(EV + "decree-245-2020-1")
    fn10 = URIRef(KG + "eudif-lao-2024-fn-10")
    assert set(g.objects(decree, PROV.wasDerivedFrom)) == {eudif, mou}
    assert set(g.objects(decree, PROV.qualifiedDerivation)) == {ev}
    # the evidence was read in a passage of the report (PROV-O derivation from a Web Annotation
    # specific resource: its source is the report, its selector the quote)
    passage = URIRef(EV + "decree-245-2020-1-passage")
    assert (
        (ev, RDF.type, LAOKG.DocumentEvidence) in g
        and (ev, PROV.entity, passage) in g
        and (ev, LAOKG.footnote, fn10) in g
    )
    assert (passage, RDF.type, OA.SpecificResource) in g and set(g.objects(passage, OA.hasSource)) == {eudif}
    assert (ev, OA.hasSelector, None) not in g
    selectors = {g.value(s, RDF.type): s for s in g.objects(passage, OA.hasSelector)}
    assert set(selectors) == {OA.TextQuoteSelector, OA.TextPositionSelector}  # the quote and where it stands
    selector = selectors[OA.TextQuoteSelector]
    assert str(g.value(selector, OA.exact)).startswith("A major milestone in migration governance")
    position = selectors[OA.TextPositionSelector]
    assert int(g.value(position, OA.end)) - int(g.value(position, OA.start)) == len(str(g.value(selector, OA.exact)))
    assert g.value(g.value(ev, LAOKG.section), DCTERMS.title) == Literal("Achievements", lang="en")
    assert (fn10, CITO.citesAsEvidence, mou) in g and g.value(fn10, LAOKG.footnoteNumber).toPython() == 10
    assert str(g.value(mou, DCTERMS.title)) == MOU_TITLE and g.value(mou, DCTERMS.publisher) == URIRef(KG + "ilo")
    assert str(g.value(eudif, DCTERMS.issued)) == "2025-07"  # the updated edition, the text read
    work = URIRef(KG + "eudif-lao-profile")  # the edition names its work, a fabio:Work with its title
    assert g.value(eudif, DCTERMS.isVersionOf) == work and g.value(work, RDF.type) == URIRef(
        "http://purl.org/spar/fabio/Work"
    )
    assert g.value(work, DCTERMS.title) is not None
    # only provenance: not the decree's own statements, nor unrelated nodes
    assert g.value(decree, DCTERMS.title) is None and (URIRef(KG + "mlsw"), None, None) not in g


def test_turtle_provenance_subgraph_of_a_figure():
    g = Graph().parse(data=ok("kg:obs-remittances-inflow-lao-world-bank", "--format", "turtle"), format="turtle")
    obs, dataset = URIRef(KG + "obs-remittances-inflow-lao-world-bank"), URIRef(KG + "world-bank-2023-remittances")
    assert set(g.objects(obs, PROV.wasDerivedFrom)) == {URIRef(EUDIF), dataset}
    assert str(g.value(dataset, DCTERMS.issued)) == "2023" and g.value(dataset, DCTERMS.publisher) == URIRef(
        KG + "world-bank"
    )
    project = URIRef(EV + "obs-remittances-world-bank-indicator-project")
    # what the project adds is attributed to it, not derived from anything
    assert (obs, PROV.qualifiedAttribution, project) in g and (project, RDF.type, LAOKG.ProjectAssertion) in g
    assert (obs, PROV.qualifiedDerivation, project) not in g and (project, PROV.entity, None) not in g
    agent = URIRef(KG + "laokg")
    assert (project, PROV.agent, agent) in g and (obs, PROV.wasAttributedTo, agent) in g
    assert (agent, RDF.type, PROV.Agent) in g


def test_turtle_is_for_the_forward_trace_only():
    assert_one_line_error(
        run("--source", "kg:mou-laos-thailand-2002", "--format", "turtle"), "--format turtle is for a forward trace"
    )


def test_output_file(tmp_path):
    out = tmp_path / "trace.json"
    result = run("kg:mlsw", "--format", "json", "-o", out)
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(out.read_text(encoding="utf-8"))["iri"] == KG + "mlsw"


def test_help_has_examples():
    result = CliRunner().invoke(cli, ["trace", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "--source" in result.output


# ---------------------------------------------------------------- resolving THING and WORK


@pytest.mark.parametrize(
    "thing",
    [
        DECREE_TITLE,
        DECREE_TITLE.upper(),
        "kg:decree-245-2020",
        DECREE,
        f"<{DECREE}>",
    ],
)
def test_thing_by_label_curie_or_iri(thing):
    assert json.loads(ok(thing, "--format", "json"))["iri"] == DECREE


def test_an_alternative_spelling_finds_the_node():
    assert json.loads(ok("Ministry of Labor and Social Welfare", "--format", "json"))["iri"] == KG + "mlsw"
    assert json.loads(ok("--source", "EUDI F", "--format", "json"))["iri"] == KG + "eudif"


def test_ambiguous_label_lists_the_candidates():
    result = run("EU")
    assert_one_line_error(
        result,
        "'EU' is ambiguous",
        "kg:eu-member-states (European Union (member states))",
        "kg:european-union (European Union)",
        "give the IRI or CURIE",
    )
    assert_one_line_error(run("--source", "EU"), "is ambiguous")


def test_unknown_thing():
    assert_one_line_error(run("no such thing anywhere"), "nothing is called 'no such thing anywhere'")
    assert_one_line_error(run("kg:no-such-node"), "kg:no-such-node is not in the graph")
    assert_one_line_error(run("--source", "kg:no-such-work"), "kg:no-such-work is not in the graph")


@pytest.mark.parametrize("args", [[], ["kg:mlsw", "--source", "kg:ilo"], ["--format", "json"]])
def test_thing_and_source_both_or_neither(args):
    assert_one_line_error(run(*args), "give either THING or --source WORK")


# ---------------------------------------------------------------- a chain through a secondary report

# A whole Turtle document with its own prefixes, like each data text here (and the documents
# benchmarks/generate.py writes): each reads on its own.
SECONDARY = """@prefix kg: <https://w3id.org/laokg/id/> .
@prefix ev: <https://w3id.org/laokg/id/evidence/> .
@prefix laokg: <https://w3id.org/laokg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix cito: <http://purl.org/spar/cito/> .
@prefix doco: <http://purl.org/spar/doco/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

# The ILO report, read itself: its footnote 3 cites a primary survey.
kg:ilo-2023-precarious-pathways prov:qualifiedDerivation ev:ilo-2023-own-1 .
ev:ilo-2023-own-1 a laokg:DocumentEvidence ; prov:entity kg:ilo-2023-precarious-pathways ;
    laokg:footnote kg:ilo-2023-fn-3 ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "most migrants use irregular channels" ] .
kg:ilo-2023-fn-3 a doco:Footnote ; dct:isPartOf kg:ilo-2023-precarious-pathways ;
    laokg:footnoteNumber "3"^^xsd:integer ; cito:citesAsDataSource kg:labour-force-survey-2017 .
kg:labour-force-survey-2017 a fabio:Dataset ; dct:title "Lao Labour Force Survey 2017"@en ;
    dct:publisher kg:lao-statistics-bureau ; dct:issued "2018"^^xsd:gYear .
"""


@pytest.fixture
def secondary(tmp_path):
    return write(tmp_path / "secondary.ttl", SECONDARY)


def _works(group):
    return [w for fn in group["footnotes"] for w in fn["works"]] + group["cited_in_text"]


def test_chain_fact_footnote_secondary_report_primary_source(secondary):
    data = json.loads(ok("kg:finding-trend-mous-and-remittance-monitoring", "--data", secondary, "--format", "json"))
    [group] = data["evidence"]
    [ilo] = _works(group)
    assert ilo["iri"] == KG + "ilo-2023-precarious-pathways"
    survey = next(w for w in ilo["cites"] if w["iri"] == KG + "labour-force-survey-2017")
    assert (survey["label"], survey["issued"], survey["by"]) == (
        "Lao Labour Force Survey 2017",
        "2018",
        ["Lao Statistics Bureau"],
    )
    out = ok("kg:finding-trend-mous-and-remittance-monitoring", "--data", secondary)
    assert "Lao Labour Force Survey 2017 — by Lao Statistics Bureau — 2018" in out
    turtle = Graph().parse(
        data=ok("kg:finding-trend-mous-and-remittance-monitoring", "--data", secondary, "--format", "turtle"),
        format="turtle",
    )
    assert (
        URIRef(KG + "ilo-2023-precarious-pathways"),
        PROV.wasDerivedFrom,
        URIRef(KG + "labour-force-survey-2017"),
    ) in turtle


def test_onward_citations_are_the_works_own(graph, index):
    # Footnote 7 cites ILO (2023) alone. The graph has none of the ILO report's own sources;
    # IOM (2024) and Lao News Agency (2023) are only cited beside it in EUDiF footnotes 14 and
    # 15 — and a 2023 report cannot cite a 2024 one.
    t = trace(graph, index, "finding-trend-mous-and-remittance-monitoring")
    [ilo] = t.evidence[0].footnotes[0].works
    assert ilo.iri == KG + "ilo-2023-precarious-pathways"
    assert ilo.cites == []


def test_nested_citations_are_laid_out_cleanly(secondary):
    out = ok("kg:finding-trend-mous-and-remittance-monitoring", "--data", secondary)
    assert "which cites:" in out
    assert not re.search(r"cites:\s+which cites:", out), out


def test_source_trace_does_not_present_project_assertions_as_reading(graph, index):
    s = tr.trace_source(graph, URIRef(SEAIP), index)
    promise = next(d for d in s.dependants if d.iri == KG + "promise-ii")
    project = [v for v in promise.via if v["evidence"] == EV + "promise-ii-project"]
    assert all(v["how"] != "read in the document" for v in project), project


def test_turtle_keeps_the_year_of_a_cited_instrument():
    g = Graph().parse(data=ok("kg:decree-245-2020", "--format", "turtle"), format="turtle")
    assert {str(o) for p in (DCTERMS.issued, ELI_DATE, DCTERMS.date) for o in g.objects(URIRef(MOU), p)} == {"2002"}
