"""laokg.query.parsecopy: rdflib's parse of a query, made in one process, used in another
without parsing again, answering as the parse made there would."""

import pickle

import pytest

from laokg.query import parsecopy, safety

from .conftest import ROOT

#: saved queries with FILTERs (TrueFilter), EXISTS / NOT EXISTS, aggregates, sub-queries,
#: OPTIONAL, BIND and regular expressions among them
NAMES = ["instruments", "sources", "remittance_breakdown", "unknown_values", "institution_units", "statistics"]
AUDIT = ["AUD05", "AUD12", "AUD18"]


def _texts():
    out = [(n, (ROOT / "queries" / f"{n}.rq").read_text(encoding="utf-8")) for n in NAMES]
    for rule in AUDIT:
        path = next((ROOT / "queries" / "audit").glob(f"{rule}-*.rq"))
        out.append((rule, path.read_text(encoding="utf-8")))
    return out


def _answer(graph, query):
    result = graph.query(query)
    if result.type == "ASK":
        return result.askAnswer
    if result.type == "SELECT":
        return sorted(tuple(row) for row in result)
    return sorted(result.graph)


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(safety, "_PARSED", {})


@pytest.mark.parametrize(("name", "text"), _texts(), ids=[n for n, _ in _texts()])
def test_a_parse_sent_back_answers_as_the_parse_made_here(real_graph, fresh, monkeypatch, name, text):
    made = safety.parse_query(text, fresh=True)
    data = parsecopy.export_parse(text)
    assert data is not None and len(data) < parsecopy.MAX_BYTES
    monkeypatch.setattr(safety, "_PARSED", {})
    assert parsecopy.adopt_parse(text, data)
    kept = safety.parse_query(text)
    assert kept is not made and kept.form == made.form and kept.variables == made.variables
    assert kept.select_star == made.select_star
    assert _answer(real_graph, kept.query) == _answer(real_graph, made.query)


def test_what_does_not_pickle_or_is_too_big_is_not_sent(fresh, monkeypatch):
    text = (ROOT / "queries" / "instruments.rq").read_text(encoding="utf-8")
    assert parsecopy.export_parse(text) is None  # nothing parsed in this process yet
    parsed = safety.parse_query(text, fresh=True)
    parsed._query.algebra["laokg-test"] = lambda: None  # a function pickle cannot name
    assert parsecopy.export_parse(text) is None
    del parsed._query.algebra["laokg-test"]
    data = parsecopy.export_parse(text)
    monkeypatch.setattr(parsecopy, "MAX_BYTES", len(data) - 1)
    assert parsecopy.export_parse(text) is None
    assert not parsecopy.adopt_parse(text, data)


@pytest.mark.parametrize("data", [None, b"", b"not a pickle", pickle.dumps(("SELECT", []))])
def test_bytes_that_are_not_a_parse_are_not_kept(fresh, data):
    assert not parsecopy.adopt_parse("SELECT * WHERE { ?s ?p ?o }", data)
    assert safety._PARSED == {}
