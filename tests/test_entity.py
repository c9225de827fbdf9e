"""laokg show (entity cards with evidence) and laokg search (labels, ranked, accent-insensitive)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from laokg.cli import cli
from laokg.errors import NotFoundError
from laokg.labels import LabelIndex, curie, fold
from laokg.query.entity import card, resolve, search

from .query_fixtures import KG_ROOT, fixture_graph

KG = "https://w3id.org/laokg/id/"
FIX = ["--root", str(KG_ROOT)]


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# ---------------------------------------------------------------- labels


def test_fold_ignores_case_accents_and_spacing():
    assert fold("  Ministère   du TRAVAIL ") == "ministere du travail"
    assert fold("ÉLI") == fold("eli")


def test_curie():
    assert curie(KG + "mlsw") == "kg:mlsw"
    assert curie(KG + "evidence/mlsw-1") == "ev:mlsw-1"  # the longest namespace wins
    assert curie("http://example.org/x") == "<http://example.org/x>"
    assert curie(KG + "a/b") == "<https://w3id.org/laokg/id/a/b>"


# ---------------------------------------------------------------- resolve


@pytest.mark.parametrize(
    "thing",
    ["kg:mlsw", KG + "mlsw", f"<{KG}mlsw>", "MLSW", "ministere du travail", "MINISTRY OF LABOUR AND SOCIAL WELFARE"],
)
def test_resolve_iri_curie_or_label(thing):
    assert resolve(fixture_graph(), thing) == URIRef(KG + "mlsw")


def test_resolve_errors():
    g = fixture_graph()
    with pytest.raises(
        NotFoundError,
        match="'employment department' is ambiguous: kg:employment-department .*kg:provincial-employment-department",
    ):
        resolve(g, "employment department")
    with pytest.raises(NotFoundError, match="nothing is called 'employment'; did you mean: Employment Department"):
        resolve(g, "employment")
    with pytest.raises(NotFoundError, match="kg:nothing-here is not in the graph"):
        resolve(g, "kg:nothing-here")


# ---------------------------------------------------------------- card


def test_card_content():
    g = fixture_graph()
    c = card(g, URIRef(KG + "mlsw"))
    assert c.label == "Ministry of Labour and Social Welfare"
    assert [curie(t) for t in c.types] == ["org:FormalOrganization"]
    assert [(curie(p), str(o)) for p, o in c.properties] == [("org:hasUnit", KG + "employment-department")]
    assert [(curie(s), curie(p)) for s, p in c.incoming] == [
        ("kg:decree-245-2020", "eli:responsibility_of_agent"),
        ("kg:employment-department", "org:unitOf"),
    ]
    doc, project = c.evidence
    assert doc.kind == "laokg:DocumentEvidence" and doc.document == URIRef(KG + "report-2024")
    assert doc.section == "Annex: List of Actors"
    assert doc.footnotes == ["2", "10"]  # numerically sorted
    assert doc.excerpts == ["MLSW is responsible for leading national and regional efforts"]
    assert project.kind == "laokg:ProjectAssertion" and [curie(p) for p in project.asserted] == ["org:hasUnit"]


def test_show_text_card():
    result = run("show", "MLSW", *FIX)
    assert result.exit_code == 0
    out = result.output
    # the reader's language: one identifier line (the CURIE for the next command), then names
    assert out.startswith("Ministry of Labour and Social Welfare\n  kg:mlsw\n  type: Organisation\n")
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "also called Ministère du Travail" in lines  # no language tag
    assert "has unit Employment Department" in lines  # org:hasUnit by its name, the unit by its label
    assert "responsibility of from Decree No. 245 on the Placement of Lao Workers to Work Abroad" in lines
    assert "[1] Read in Diaspora engagement mapping" in lines
    assert (
        "  [1] Read in Diaspora engagement mapping\n      section: Annex: List of Actors\n      footnotes: 2, 10\n"
    ) in out
    assert '      excerpt: "MLSW is responsible for leading national and regional efforts"' in out
    assert "      properties the project adds: has unit" in out
    assert "https://" not in out and "@fr" not in out and "org:" not in out
    assert "kg:" not in out.replace("  kg:mlsw\n", "", 1)  # the one identifier line


def test_show_typed_values_and_no_evidence():
    out = run("show", "kg:labour-law-2013", *FIX).output
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert "date of the document 2013" in lines  # no datatype
    assert "type of document law" in lines
    assert "xsd:" not in out and "eli:" not in out
    assert "Evidence: none recorded" in out


def test_show_json_and_rdf(tmp_path):
    data = json.loads(run("show", "kg:decree-245-2020", *FIX, "--format", "json").output)
    assert (
        data["curie"] == "kg:decree-245-2020"
        and data["label"] == "Decree No. 245 on the Placement of Lao Workers to Work Abroad"
    )
    assert {
        "property": "eli:responsibility_of_agent",
        "value": {"iri": KG + "mlsw", "curie": "kg:mlsw", "label": "Ministry of Labour and Social Welfare"},
    } in data["properties"]
    assert data["evidence"][0]["excerpts"] == ["Decree No. 245 on the Placement of Lao Workers"]
    out = tmp_path / "mlsw.ttl"
    assert run("show", "MLSW", *FIX, "--format", "turtle", "-o", str(out)).exit_code == 0
    g = Graph().parse(out)
    # 7 about kg:mlsw; the evidence (5), its passage (3) with the selector (2); the project assertion (4)
    assert (URIRef(KG + "evidence/mlsw-1"), None, None) in g and len(g) == 21
    assert (URIRef(KG + "evidence/mlsw-1-passage"), None, None) in g


def test_show_errors_are_one_line():
    for args, fragment in (
        (["show", "employment department", *FIX], "is ambiguous"),
        (["show", "Atlantis", *FIX], "nothing is called 'Atlantis'"),
        (["show", "kg:a>b", *FIX], "is not a valid IRI"),
    ):
        result = run(*args)
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1 and fragment in result.stderr


def test_show_a_figure_and_an_institution_as_people_write_them():
    """Issue 19: a figure with its unit and multiplier applied, things by label, no tags; the
    JSON card keeps the lexical value, its datatype, the CURIEs and the IRIs."""
    real = ["--root", str(Path(__file__).resolve().parent.parent)]
    out = run("show", "kg:obs-remittances-inflow-lao-2025-s1", *real).output
    lines = [" ".join(line.split()) for line in out.splitlines()]
    assert lines[:4] == [
        "Remittances from Lao workers abroad, USD million, first half of 2025",
        "kg:obs-remittances-inflow-lao-2025-s1",
        "type: Figure",
        "figure: US$366 million",
    ]
    assert {
        "value US$366 million",
        "unit US dollar",
        "released by Ministry of Labour and Social Welfare",
        "estimate yes",
    } <= set(lines)
    card = out[: out.index("\nEvidence")]  # (a curator's note in the evidence may name a CURIE)
    assert "sdmx" not in card and "^^" not in card and card.count("kg:") == 1
    assert "figure: 285,819 persons" in run("show", "kg:obs-emigrant-stock-lao-thailand-2024", *real).output
    data = json.loads(run("show", "kg:obs-remittances-inflow-lao-2025-s1", *real, "--format", "json").output)
    [value] = [p["value"] for p in data["properties"] if p["property"] == "sdmx-measure:obsValue"]
    assert value == {"value": "366", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    institution = [" ".join(line.split()) for line in run("show", "kg:mlsw", *real).output.splitlines()]
    assert institution[:3] == ["Ministry of Labour and Social Welfare", "kg:mlsw", "type: Organisation"]
    assert institution.count("name Ministry of Labour and Social Welfare") == 1  # prefLabel and label: once
    assert "part of the organisation Government of the Lao PDR" in institution


def test_show_did_you_mean_lists_things_not_their_evidence():
    real = ["--root", str(Path(__file__).resolve().parent.parent)]
    result = run("show", "vote", *real)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert (
        "did you mean: Right to vote in national elections for citizens residing abroad "
        "(kg:right-vote-from-abroad-laos)"
    ) in result.stderr
    assert "Evidence:" not in result.stderr and "Passage:" not in result.stderr and "ev:" not in result.stderr


# ---------------------------------------------------------------- search


def test_search_ranks_exact_then_prefix_then_substring_things_before_concepts():
    rows = search(fixture_graph(), "law").rows
    ranks = [(str(r["rank"]), curie(r["thing"])) for r in rows]
    assert ranks[0] == ("prefix", "kg:labour-law-2013")
    assert ranks[-1] == ("exact", "doctype:law")  # a vocabulary concept: after the things
    things = [r for r, thing in ranks if not thing.startswith("doctype:")]
    order = {"exact": 0, "prefix": 1, "substring": 2, "words": 3, "quoted": 4}
    assert [order[r] for r in things] == sorted(order[r] for r in things)


def test_search_shows_evidence_under_the_thing_it_supports(tmp_path):
    """A piece of evidence or a passage whose label matches is never a hit of its own: the
    thing it supports is, with the evidence as "quoted in"; a thing found only that way comes
    after the things whose own labels match."""
    from rdflib import Graph

    graph = Graph()
    graph.parse(
        data="""
        @prefix kg: <https://w3id.org/laokg/id/> . @prefix ev: <https://w3id.org/laokg/id/evidence/> .
        @prefix prov: <http://www.w3.org/ns/prov#> . @prefix oa: <http://www.w3.org/ns/oa#> .
        @prefix laokg: <https://w3id.org/laokg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        kg:ballot rdfs:label "Ballots cast abroad" ; prov:qualifiedDerivation ev:b .
        kg:right rdfs:label "Right to vote from abroad" ; prov:qualifiedDerivation ev:r .
        kg:paper rdfs:label "Elections report" ; prov:qualifiedDerivation ev:p .
        ev:r a laokg:DocumentEvidence ; rdfs:label "Evidence: Report, Rights: “citizens may vote abroad”" ;
            prov:entity ev:r-passage .
        ev:r-passage a oa:SpecificResource ; rdfs:label "Passage: Report, Rights: “citizens may vote abroad”" .
        ev:p a laokg:DocumentEvidence ; rdfs:label "Evidence: Report, Elections: “no vote was held”" .
        ev:b a laokg:DocumentEvidence ; rdfs:label "Evidence: Report, Ballots: “ballots”" .
    """,
        format="turtle",
    )
    rows = search(graph, "vote").rows
    assert [(str(r["rank"]), curie(r["thing"])) for r in rows] == [("prefix", "kg:right"), ("quoted", "kg:paper")]
    assert str(rows[0]["quotedIn"]) == "Report, Rights: “citizens may vote abroad”"  # evidence and passage: once
    assert str(rows[1]["quotedIn"]) == "Report, Elections: “no vote was held”" and "matched" not in rows[1]


def test_search_accents_alt_labels_and_type():
    rows = search(fixture_graph(), "MINISTERE").rows
    assert [(curie(r["thing"]), str(r["label"]), str(r["matched"])) for r in rows] == [
        ("kg:mlsw", "Ministry of Labour and Social Welfare", "Ministère du Travail")
    ]
    typed = search(fixture_graph(), "decree", type_=URIRef("http://data.europa.eu/eli/ontology#LegalResource")).rows
    assert [curie(r["thing"]) for r in typed] == ["kg:decree-245-2020", "kg:decree-475-2021"]


def test_search_substring_and_words():
    rows = search(fixture_graph(), "ploymen").rows
    assert {str(r["rank"]) for r in rows} == {"substring"}
    rows = search(fixture_graph(), "decree 245").rows
    assert [(str(r["rank"]), curie(r["thing"])) for r in rows] == [
        ("exact", "kg:decree-245-2020")
    ]  # altLabel "Decree 245"
    rows = search(fixture_graph(), "245 placement").rows
    assert [(str(r["rank"]), curie(r["thing"])) for r in rows] == [("words", "kg:decree-245-2020")]


def test_search_cli():
    result = run("search", "employment", "department", *FIX, "--format", "csv")
    lines = result.output.splitlines()
    assert lines[0].split(",") == ["rank", "thing", "label", "matched", "type", "quotedIn"]
    rows = [line.split(",")[:2] for line in lines[1:]]
    assert rows[:2] == [["exact", KG + "employment-department"], ["exact", KG + "provincial-employment-department"]]
    result = run("search", "zzzz", *FIX)
    assert result.exit_code == 0 and result.stdout == "" and "nothing matches 'zzzz'" in result.stderr
    limited = run("search", "e", *FIX, "--limit", "2", "--format", "csv")
    assert len(limited.output.strip().splitlines()) == 3
    bad = run("search", "x", "--type", "Not A Class", *FIX)
    assert bad.exit_code == 2 and "--type expects a CURIE or IRI" in bad.stderr


def test_label_index_prefers_preferred_labels():
    index = LabelIndex(fixture_graph())
    assert index.label(URIRef(KG + "mlsw")) == "Ministry of Labour and Social Welfare"
    assert index.display(URIRef(KG + "thailand")) == "Thailand (kg:thailand)"


def test_show_names_the_statements_a_project_assertion_adds_by_value():
    """Issue 18: the card says which values the project adds, not only which properties."""
    real = ["--root", str(Path(__file__).resolve().parent.parent)]
    out = run("show", "kg:practice-employment-permit-system", *real).output
    assert "      the project adds: subject SDG target 10.7" in out
    assert "properties the project adds: subject" not in out  # the printed sector EMPLOYMENT is not the project's
    data = json.loads(run("show", "kg:practice-employment-permit-system", *real, "--format", "json").output)
    [project] = [e for e in data["evidence"] if e["kind"] == "laokg:ProjectAssertion"]
    assert project["asserted_properties"] == []
    assert [(a["property"], a["value"]["curie"]) for a in project["added_statements"]] == [("dct:subject", "sdg:10.7")]


def test_search_at_a_terminal_shows_quotes_under_each_thing():
    from .docs_examples import ROOT, _terminal

    env = {"COLUMNS": "80", "LINES": "24", "LAOKG_ROOT": str(ROOT), "NO_COLOR": "1"}
    with _terminal():
        result = CliRunner(env=env).invoke(cli, ["search", "vote"], prog_name="laokg")
    lines = result.output.splitlines()
    assert lines[0] == "Right to vote in national elections for citizens residing abroad"  # the right first
    assert lines[1] == "    kg:right-vote-from-abroad-laos (laokg:PoliticalRight)"
    assert lines[2].startswith("    quoted in EUDiF Lao profile, Facts & figures: “Right to vote")
    assert not any(line.startswith(("Evidence:", "Passage:")) for line in lines) and all(
        len(line) <= 80 for line in lines
    )
