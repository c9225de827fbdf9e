"""laokg.graph.claims and laokg.graph.sourcetext: reading a source text, expanding the short
form in the three loaders, and the errors at the place the quote is written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import RDF

from laokg.errors import QuoteError, SourceTextError
from laokg.graph import claims, sourcetext
from laokg.graph.load import load_data_graph, load_data_text
from laokg.graph.parse import clear_cache
from laokg.namespaces import LAOKG, OA

from .coretools import copy_real_project

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ["LAOKG_SEEDS"])
EUDIF = SEEDS / "000_77cab7939497e3f4.txt"


def test_footnotes_marks_and_headings_of_the_eudif_profile():
    text = sourcetext.read_text(EUDIF)
    notes = sourcetext.footnotes(text)
    assert [n.number for n in notes] == list(range(1, 17))  # superscript and plain-digit numbers
    assert (
        notes[0].citation
        == "Vientiane Times (2023), Party, government attach great importance to Lao expatriates abroad."
    )
    marks = [m.number for m in sourcetext.marks(text, notes)]
    assert marks.count(10) == 4 and 14 in marks and 16 in marks and 0 not in marks  # ¹⁰ is ten, printed four times
    heads = [h.text for h in sourcetext.headings(text)]
    assert "Facts & figures" in heads and "» Trends" in heads and not any(h.startswith("Written by") for h in heads)


def test_a_quote_carries_the_footnote_that_follows_it_or_closes_its_paragraph():
    text = (
        "A claim here.¹ Another claim, and more. Last one.²\nOnly one mark closes this paragraph.³\n\n"
        "¹ One.\n\n² Two.\n\n³ Three.\n"
    )
    notes = sourcetext.footnotes(text)
    marks = sourcetext.marks(text, notes)
    at = text.find("A claim here")
    assert sourcetext.footnotes_after(text, at, at + 12, notes, marks) == [1]
    at = text.find("Another claim")
    assert sourcetext.footnotes_after(text, at, at + 13, notes, marks) == []  # two marks in the paragraph
    at = text.find("Only one mark")
    assert sourcetext.footnotes_after(text, at, at + 13, notes, marks) == [3]  # the paragraph's one closing mark
    at = text.find("Two")
    assert sourcetext.footnotes_after(text, at, at + 3, notes, marks) == [2]  # a quote from the footnote itself


def test_outline_errors_name_the_line():
    with pytest.raises(ValueError, match="outline line 2"):
        sourcetext.parse_outline("intro | (start)\nNot A Slug | Heading")
    with pytest.raises(ValueError, match="no paragraph of the text starts with 'Missing'"):
        sourcetext.sections("Title\n\nBody text.\n", sourcetext.parse_outline("start | (start)\nmissing | Missing"))


def test_the_three_loaders_give_the_same_expanded_graph():
    clear_cache()
    graph = load_data_graph(ROOT)
    text = load_data_text(ROOT)
    from laokg.graph.store import open_store

    store = open_store(ROOT, built=None)
    assert len(store) == len(graph)
    parsed = Graph().parse(data=text.ntriples, format="nt")
    assert to_isomorphic(parsed) == to_isomorphic(graph)
    assert not list(graph.triples((None, LAOKG.quote, None))) and not list(graph.triples((None, LAOKG.outline, None)))
    evidence = set(graph.subjects(RDF.type, LAOKG.DocumentEvidence))
    positions = set(graph.subjects(RDF.type, OA.TextPositionSelector))
    assert len(evidence) == len(positions) == 157  # every quote has a position


def test_every_position_points_at_its_quote():
    graph = load_data_graph(ROOT)
    texts = {}
    for passage, doc in graph.subject_objects(OA.hasSource):
        file = str(graph.value(doc, URIRef("http://purl.org/dc/terms/identifier")))
        text = texts.setdefault(file, sourcetext.read_text(SEEDS / file))
        selectors = list(graph.objects(passage, OA.hasSelector))
        exact = next(str(graph.value(s, OA.exact)) for s in selectors if graph.value(s, OA.exact) is not None)
        start, end = next(
            (int(graph.value(s, OA.start)), int(graph.value(s, OA.end)))
            for s in selectors
            if graph.value(s, OA.start) is not None
        )
        assert text[start:end] == exact


@pytest.fixture()
def project(tmp_path, monkeypatch):
    root = copy_real_project(tmp_path / "project")
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    monkeypatch.setenv("LAOKG_SEEDS", str(sources))
    clear_cache()
    return root


def test_a_changed_source_text_is_refused_by_name_and_changes_the_store_record(project):
    from laokg.graph.store import fingerprint

    before = fingerprint(project)
    news = Path(os.environ["LAOKG_SEEDS"]) / "001_0dc215fcf61f1eb9.txt"
    news.write_text(news.read_text(encoding="utf-8") + "\nAn added line.\n", encoding="utf-8")
    assert fingerprint(project) != before
    with pytest.raises(SourceTextError, match="seaip-2025-11-28: the text .* no longer matches its recorded SHA-256"):
        load_data_graph(project)
    with pytest.raises(SourceTextError):
        load_data_text(project)


def test_a_missing_source_text_names_the_directory(project, monkeypatch, tmp_path):
    monkeypatch.setenv("LAOKG_SEEDS", str(tmp_path / "nowhere"))
    with pytest.raises(SourceTextError, match="source text 000_77cab7939497e3f4.txt not found in .*nowhere"):
        load_data_graph(project)


def test_a_quote_not_in_the_document_is_an_error_at_its_line_with_the_difference(project):
    path = project / "graph" / "legislation.ttl"
    text = path.read_text(encoding="utf-8")
    wrong = text.replace(
        "A major milestone in migration governance in Laos came into effect in 2020",
        "A major mile-stone in migration governance in Laos came into effect in 2020",
        1,
    )
    assert wrong != text
    path.write_text(wrong, encoding="utf-8")
    with pytest.raises(QuoteError) as info:
        load_data_graph(project)
    message = str(info.value)
    line = wrong[: wrong.find("A major mile-stone")].count("\n") + 1
    assert message.startswith(f"{path}:{line}: decree-245-2020-1: quote not found")
    assert "closest passage (000_77cab7939497e3f4.txt, line 124)" in message
    assert "quote has '-'" in message


def test_no_short_form_triple_leaks_into_the_expanded_text(project):
    clear_cache()
    text = load_data_text(project).ntriples
    for p in claims.SHORT_FORM:
        assert f" <{p}> " not in text  # never as a predicate (the ontology still defines the terms)
