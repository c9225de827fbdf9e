"""Adding a source end to end, as docs/curation.md walks it: ``laokg source add``, ten claim
blocks in the short form, the errors a curator meets, then validate, trace and audit.

The document, tests/fixtures/claims/mekong-labour-review.txt, is written for this test (its
province and figures are invented): sections, three footnotes, a figure that contradicts the
graph (351,000 Lao workers abroad 2021-2025 against the news item's 350,600), a law, the
Ministry of Labour and Social Welfare spelt "Labour & Social", and a phrase printed twice.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from laokg.namespaces import LAOKG, OA
from tests.coretools import copy_real_project, invoke

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "claims" / "mekong-labour-review.txt"
SEEDS = Path(__import__("os").environ["LAOKG_SEEDS"])
KG, EV = "https://w3id.org/laokg/id/", "https://w3id.org/laokg/id/evidence/"

HEAD = """# Claims read in the Mekong Labour Review (a test document).

@prefix kg: <https://w3id.org/laokg/id/> .
@prefix ev: <https://w3id.org/laokg/id/evidence/> .
@prefix laokg: <https://w3id.org/laokg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix cito: <http://purl.org/spar/cito/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix eli: <http://data.europa.eu/eli/ontology#> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
@prefix sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix doctype: <https://w3id.org/laokg/vocab/doctype/> .
@prefix indicator: <https://w3id.org/laokg/vocab/indicator/> .
@prefix unit: <https://w3id.org/laokg/vocab/unit/> .
@prefix topic: <https://w3id.org/laokg/vocab/topic/> .
@prefix schema: <https://schema.org/> .
@prefix insttype: <https://w3id.org/laokg/vocab/insttype/> .
"""

# the ten claim blocks (with the quote the curator copied from `laokg source locate`)
CLAIMS = {
    "author": """kg:a-tester a schema:Person ;
    rdfs:label "A. Tester"@en ;
    skos:prefLabel "A. Tester"@en ;
    schema:name "A. Tester" ;
    laokg:quote "Written by: A. Tester" .""",
    "survey": """kg:ban-na-2025-labour-survey a fabio:Report ;
    rdfs:label "Provincial labour survey"@en ;
    dct:type doctype:report ;
    dct:title "Provincial labour survey"@en ;
    dct:publisher kg:ban-na-statistics-office ;
    dct:issued "2025"^^xsd:gYear ;
    laokg:quote "Ban Na Statistics Office (2025), *Provincial labour survey*." .""",
    "office": """kg:ban-na-statistics-office a org:FormalOrganization ;
    rdfs:label "Ban Na Statistics Office"@en ;
    skos:prefLabel "Ban Na Statistics Office"@en ;
    org:classification insttype:statistics-office ;
    prov:qualifiedAttribution ev:ban-na-statistics-office-project ;
    laokg:quote "Ban Na Statistics Office (2025)" .

ev:ban-na-statistics-office-project a laokg:ProjectAssertion ;
    rdfs:label "Project assertion: classification"@en ;
    prov:agent kg:laokg ;
    laokg:assertedProperty org:classification ;
    skos:note "The review names the office; filing it as a statistics office is """
    """the project's reading of its name."@en .""",
    "footnotes": """kg:mekong-labour-review-fn-1 cito:citesAsEvidence kg:ban-na-2025-labour-survey .

kg:mekong-labour-review-fn-2 cito:citesAsEvidence kg:mlsw-2024-register .

kg:mekong-labour-review-fn-3 cito:citesAsEvidence kg:decree-overseas-placement-2019 .""",
    "register": """kg:mlsw-2024-register a fabio:Report ;
    rdfs:label "Register of recruitment agencies"@en ;
    dct:type doctype:report ;
    dct:title "Register of recruitment agencies"@en ;
    dct:publisher kg:mlsw ;
    dct:issued "2024"^^xsd:gYear ;
    laokg:quote "Ministry of Labour & Social Welfare (2024), *Register of recruitment agencies*." .""",
    "dataset": """kg:dataset-mekong-review-workers-abroad a qb:DataSet ;
    rdfs:label "Lao citizens working abroad, 2021 to 2025, from the Mekong Labour Review"@en ;
    dct:title "Lao citizens working abroad, 2021 to 2025, from the Mekong Labour Review"@en ;
    qb:structure kg:dsd-origin-period ;
    dct:source kg:mekong-labour-review ;
    laokg:quote "Between 2021 and 2025" .""",
    "figure": """kg:obs-workers-abroad-cumulative-2021-2025-mekong a qb:Observation ;
    rdfs:label "Lao citizens working abroad, 2021-2025 (Mekong Labour Review)"@en ;
    qb:dataSet kg:dataset-mekong-review-workers-abroad ;
    laokg:indicator indicator:workers-abroad-cumulative ;
    laokg:refArea kg:laos ;
    laokg:origin kg:laos ;
    laokg:refPeriod kg:period-2021-to-2025-11-28 ;  # the period the graph gives the news item's 350,600
    sdmx-measure:obsValue 351000 ;
    sdmx-attribute:unitMeasure unit:persons ;
    laokg:quote "Between 2021 and 2025, 351,000 Lao citizens worked abroad, by the review's own count." .""",
    "law": """kg:decree-overseas-placement-2019 a eli:LegalResource ;
    rdfs:label "Decree on Overseas Placement No. 12"@en ;
    eli:type_document doctype:decree ;
    dct:title "Decree on Overseas Placement No. 12"@en ;
    eli:number "12" ;
    dct:date "2019"^^xsd:gYear ;
    eli:is_about topic:recruitment-agencies ;
    prov:qualifiedDerivation ev:decree-overseas-placement-2019-1 .""",
    "law-quote": """ev:decree-overseas-placement-2019-1 laokg:quote "sets the rules for recruitment agencies" ;
    laokg:quotePrefix "No. 12 of 2019 " .""",
    "ministry": """kg:mlsw skos:altLabel "Ministry of Labour & Social Welfare"@en ;
    prov:qualifiedDerivation ev:mlsw-9 .""",
    "ministry-quote": (
        'ev:mlsw-9 laokg:quote "The Ministry of Labour & Social Welfare keeps the register of recruitment agencies." .'
    ),
}


@pytest.fixture()
def project(tmp_path, monkeypatch):
    root = copy_real_project(tmp_path / "project")
    sources = tmp_path / "sources"
    sources.mkdir()
    for text in SEEDS.glob("*.txt"):
        shutil.copy2(text, sources / text.name)
    monkeypatch.setenv("LAOKG_SEEDS", str(sources))
    return root


def _write_claims(root: Path, blocks: dict) -> Path:
    path = root / "graph" / "mekong.ttl"
    path.write_text(HEAD + "\n" + "\n\n".join(blocks.values()) + "\n", encoding="utf-8")
    return path


def _add(root):
    return invoke(
        "source",
        "add",
        str(FIXTURE),
        "--root",
        str(root),
        "--title",
        "Mekong Labour Review",
        "--short-title",
        "Mekong review",
        "--creator",
        "kg:a-tester",
        "--issued",
        "2026",
    )


def test_source_add_registers_the_document_and_shows_what_it_read(project):
    result = _add(project)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Registered kg:mekong-labour-review (mekong-labour-review.txt, sha256 " in out
    for line in ("summary", "figures", "laws"):
        assert line in out
    assert "Footnotes (3;" in out and "Ban Na Statistics Office (2025), Provincial labour survey." in out
    copied = Path(__import__("os").environ["LAOKG_SEEDS"]) / FIXTURE.name
    assert copied.read_bytes() == FIXTURE.read_bytes()
    record = (project / "graph" / "sources.ttl").read_text(encoding="utf-8")
    assert "kg:mekong-labour-review a fabio:Report" in record and 'dct:identifier "mekong-labour-review.txt"' in record
    assert '"2026"^^xsd:gYear' in record and "laokg:sha256" in record
    # registering the same name twice is refused
    again = _add(project)
    assert again.exit_code == 2 and "already in" in again.output


def test_locate_gives_place_section_footnote_and_a_claim_block(project):
    assert _add(project).exit_code == 0
    result = invoke("source", "locate", "kg:mekong-labour-review", "351,000", "--root", str(project))
    assert result.exit_code == 0, result.output
    assert "line 11, section Figures, footnote(s) 1" in result.output
    assert 'laokg:quote "351,000" .' in result.output
    twice = invoke(
        "source", "locate", "kg:mekong-labour-review", "sets the rules for recruitment agencies", "--root", str(project)
    )
    assert "2 place(s)" in twice.output and twice.output.count("laokg:quotePrefix") == 2
    missing = invoke("source", "locate", "kg:mekong-labour-review", "no such words", "--root", str(project))
    assert missing.exit_code == 1


def _error(root, blocks):
    _write_claims(root, blocks)
    result = invoke("validate", "--root", str(root))
    assert result.exit_code == 2, result.output
    return result.output


def test_the_errors_a_curator_meets(project):
    assert _add(project).exit_code == 0
    # a straight apostrophe where the document prints a curly one ... here the reverse: the
    # curator typed a curly one; the message names file and line, the closest passage, the difference
    curly = dict(CLAIMS, figure=CLAIMS["figure"].replace("review's", "review’s"))
    out = _error(project, curly)
    assert "mekong.ttl:" in out and "quote not found" in out
    assert "closest passage (mekong-labour-review.txt, line 11)" in out
    assert "curly vs straight quotes" in out
    # the phrase printed twice, without the prefix that says which
    twice = dict(
        CLAIMS,
        **{"law-quote": 'ev:decree-overseas-placement-2019-1 laokg:quote "sets the rules for recruitment agencies" .'},
    )
    out = _error(project, twice)
    assert "found 2 times in mekong-labour-review.txt" in out and "laokg:quotePrefix" in out
    # a second inline quote on a node that has one: name the evidence instead
    two = dict(
        CLAIMS,
        ministry='kg:mlsw laokg:quote "The Ministry of Labour & Social Welfare keeps the register '
        'of recruitment agencies." .',
        **{"ministry-quote": ""},
    )
    out = _error(project, two)
    assert "carries one laokg:quote" in out and "ev:mlsw-2" in out
    # the text changed after it was registered
    _write_claims(project, CLAIMS)
    text = Path(__import__("os").environ["LAOKG_SEEDS"]) / FIXTURE.name
    text.write_text(FIXTURE.read_text(encoding="utf-8").replace("351,000", "351,500"), encoding="utf-8")
    result = invoke("validate", "--root", str(project))
    assert result.exit_code == 2
    assert "kg:mekong-labour-review" in result.output or "mekong-labour-review:" in result.output
    assert "no longer matches its recorded SHA-256" in result.output


def test_ten_claim_blocks_give_cited_facts_trace_and_audit(project):
    assert _add(project).exit_code == 0
    _write_claims(project, CLAIMS)
    result = invoke("validate", "--root", str(project))
    assert result.exit_code == 0, result.output
    assert "Conforms: yes (0 violations" in result.output

    from laokg.graph.load import load_data_graph
    from laokg.graph.parse import clear_cache

    clear_cache()
    g = load_data_graph(project)
    text = FIXTURE.read_text(encoding="utf-8")
    doc = URIRef(KG + "mekong-labour-review")
    obs = URIRef(KG + "obs-workers-abroad-cumulative-2021-2025-mekong")
    ev = URIRef(EV + "obs-workers-abroad-cumulative-2021-2025-mekong-1")
    assert (obs, PROV.qualifiedDerivation, ev) in g
    assert g.value(ev, LAOKG.section) == URIRef(KG + "mekong-labour-review-figures")
    assert g.value(ev, LAOKG.footnote) == URIRef(KG + "mekong-labour-review-fn-1")
    assert str(g.value(ev, RDFS.label)).startswith("Evidence: Mekong review, Figures: “Between 2021 and 2025, 351,000")
    passage = g.value(ev, PROV.entity)
    assert g.value(passage, OA.hasSource) == doc
    selectors = list(g.objects(passage, OA.hasSelector))
    quote = next(s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in g)
    position = next(s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in g)
    start, end = int(g.value(position, OA.start)), int(g.value(position, OA.end))
    assert text[start:end] == str(g.value(quote, OA.exact))
    assert text[:start].endswith(str(g.value(quote, OA.prefix))) and text[end:].startswith(
        str(g.value(quote, OA.suffix))
    )
    # the footnote and the section are read from the text
    fn1 = URIRef(KG + "mekong-labour-review-fn-1")
    assert g.value(fn1, DCTERMS.bibliographicCitation) == Literal(
        "Ban Na Statistics Office (2025), Provincial labour survey."
    )
    assert g.value(fn1, LAOKG.footnoteNumber).toPython() == 1
    assert g.value(URIRef(KG + "mekong-labour-review-laws"), DCTERMS.title) == Literal("Laws", lang="en")
    # the phrase printed twice: the prefix picked the decree's sentence
    law_ev = URIRef(EV + "decree-overseas-placement-2019-1")
    law_pos = next(
        s for s in g.objects(g.value(law_ev, PROV.entity), OA.hasSelector) if g.value(s, OA.start) is not None
    )
    assert text[: int(g.value(law_pos, OA.start))].endswith("No. 12 of 2019 ")
    assert g.value(law_ev, LAOKG.footnote) == URIRef(KG + "mekong-labour-review-fn-3")
    # no short form is left
    assert not list(g.triples((None, LAOKG.quote, None))) and not list(g.triples((None, LAOKG.quotePrefix, None)))

    # trace: fact -> evidence (document, section, excerpt) -> footnote -> cited work
    trace = invoke("trace", "kg:obs-workers-abroad-cumulative-2021-2025-mekong", "--root", str(project))
    assert trace.exit_code == 0, trace.output
    assert "[1] Read in Mekong Labour Review" in trace.output
    assert "section: Figures" in trace.output
    assert 'excerpt: "Between 2021 and 2025, 351,000 Lao citizens worked abroad' in trace.output
    assert "cites: Provincial labour survey — by Ban Na Statistics Office — 2025" in trace.output

    # audit: the figure that contradicts the news item's 350,600 is reported
    audit = invoke("audit", "--rule", "AUD07", "--format", "json", "--root", str(project))
    findings = json.loads(audit.output)
    rows = json.dumps(findings)
    assert (
        "obs-workers-abroad-cumulative-2021-2025-mekong" in rows and "obs-workers-abroad-cumulative-2021-2025" in rows
    )

    # source show: the passages used and what is not cited yet
    show = invoke("source", "show", "kg:mekong-labour-review", "--root", str(project))
    assert show.exit_code == 0, show.output
    assert "Most of them work in Thailand." in show.output  # nothing cites it
    assert "factual sentences support a claim" in show.output
