"""The Python API (laokg/api.py, re-exported by laokg/__init__.py): the examples of docs/api.md,
run with doctest, and the behaviour they do not show."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys

import pytest
from rdflib import Graph, Literal, URIRef

import laokg
from laokg.errors import InputError, NotFoundError, ParameterError, QueryError

from .conftest import ROOT
from .coretools import invoke

API_DOC = ROOT / "docs" / "api.md"
KG = "https://w3id.org/laokg/id/"


def _pycon_blocks(text: str) -> str:
    """The ```pycon blocks of a page, joined (a fence would otherwise read as output)."""
    return "\n\n".join(re.findall(r"^```pycon\n(.*?)^```", text, re.M | re.S))


def test_the_examples_in_docs_api(monkeypatch, tmp_path):
    monkeypatch.setenv("LAOKG_ROOT", str(ROOT))
    monkeypatch.chdir(tmp_path)
    text = _pycon_blocks(API_DOC.read_text(encoding="utf-8"))
    assert text.count(">>>") >= 20
    test = doctest.DocTestParser().get_doctest(text, {}, "docs/api.md", str(API_DOC), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0, "docs/api.md examples fail (run: python -m doctest is not enough; see output above)"


@pytest.fixture(scope="module")
def kg():
    return laokg.open(ROOT)


def test_rows_are_dicts_of_rdflib_terms_with_every_variable(kg):
    rows = kg.query("instruments", type="doctype:law")
    assert isinstance(rows, laokg.Rows) and rows
    for row in rows:
        assert list(row) == rows.vars
        assert isinstance(row["instrument"], URIRef)
        assert isinstance(row["title"], Literal)
    assert any(value is None for row in rows for value in row.values())  # unbound -> None


def test_to_python_gives_plain_values(kg):
    plain = kg.query("emigrants_by_destination").to_python()
    assert plain[0]["emigrants"] == 285819 and type(plain[0]["emigrants"]) is int
    assert plain[0]["destination"] == KG + "thailand" and type(plain[0]["destination"]) is str


def test_to_dataframe(kg):
    import pandas  # the test extra installs it: to_dataframe is part of the API

    frame = kg.query("emigrants_by_destination").to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["destination", "destinationName", "iso", "emigrants", "period", "dataSource"]
    assert frame["emigrants"].sum() == 285819 + 176588 + 118769 + 36591 + 13292


def test_to_dataframe_without_pandas_is_a_clear_error(kg, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(InputError, match=r"pip install 'laokg\[pandas\]'"):
        kg.query("emigrants_by_destination").to_dataframe()


def test_parameters_as_lists_labels_and_rdflib_terms(kg):
    by_curie = kg.query("instruments", type=["doctype:decree", "doctype:law"])
    by_term = kg.query(
        "instruments",
        type=[
            URIRef("https://w3id.org/laokg/vocab/doctype/decree"),
            URIRef("https://w3id.org/laokg/vocab/doctype/law"),
        ],
    )
    assert by_curie == by_term and len(by_curie) == 4
    units = kg.query("institution_units", organisation="Ministry of Labour and Social Welfare")
    assert {str(r["unit"]) for r in units} >= {KG + "mlsw-employment-department"}
    again = kg.query("instrument_provisions", instrument=by_curie[0]["instrument"])  # a row value goes back in
    assert isinstance(again, laokg.Rows)


def test_construct_and_ask_forms(kg):
    assert kg.sparql("ASK { kg:mlsw a org:FormalOrganization }") is True
    assert kg.sparql("ASK { kg:mlsw a eli:LegalResource }") is False
    g = kg.sparql("CONSTRUCT { kg:mlsw skos:prefLabel ?l } WHERE { kg:mlsw skos:prefLabel ?l }")
    assert isinstance(g, Graph) and len(g) == 1


def test_same_safety_as_the_cli(kg):
    with pytest.raises(QueryError, match="read-only"):
        kg.sparql("INSERT DATA { kg:a kg:b kg:c }")
    with pytest.raises(QueryError, match="SERVICE"):
        kg.sparql("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    with pytest.raises(ParameterError, match="unknown parameter 'yaer'"):
        kg.query("instruments", yaer=2020)
    with pytest.raises(QueryError, match="no saved query named"):
        kg.query("instrumentz")


def test_show_trace_validate_audit(kg):
    assert kg.show("kg:thailand")["iri"] == KG + "thailand"
    with pytest.raises(NotFoundError):
        kg.show("no such thing at all")
    with pytest.raises(InputError):
        kg.trace()
    assert kg.trace(source="kg:mou-laos-thailand-2002").iri == KG + "mou-laos-thailand-2002"
    assert kg.audit(["AUD17"]).count("warning") == 1


def test_open_reads_laokg_root(monkeypatch, tmp_path):
    monkeypatch.setenv("LAOKG_ROOT", str(tmp_path))
    with pytest.raises(InputError, match=r"not a laokg project root.*LAOKG_ROOT"):
        _ = laokg.open().root  # the root is found on first use


def test_import_is_light():
    """`import laokg` (and so `laokg --help`'s first import) loads no rdflib, pySHACL or engine."""
    code = (
        "import sys, laokg; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'pyshacl', 'SPARQLWrapper')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------- notebooks


def test_to_dataframe_numeric_dtypes_and_scaled_values(kg):
    frame = kg.query("remittances").to_dataframe()
    assert str(frame["value"].dtype) == "float64"  # xsd:decimal, not object
    assert str(frame["unitMult"].dtype) == "Int64"  # integers with gaps
    assert str(frame["estimate"].dtype) == "boolean"
    columns = list(frame.columns)
    assert columns[columns.index("value") + 1] == "valueScaled"  # beside the printed value
    h1 = frame[frame["observation"] == KG + "obs-remittances-inflow-lao-2025-s1"].iloc[0]
    assert (h1["value"], h1["unitMult"], h1["valueScaled"]) == (366.0, 6, 366000000)
    share = frame[frame["unit"] == "%"].iloc[0]
    assert share["valueScaled"] == share["value"]  # no unitMult: the value itself
    assert str(kg.query("emigrants_by_destination").to_dataframe()["emigrants"].dtype) == "int64"
    assert "valueScaled" not in kg.query("emigrants_by_destination").to_dataframe().columns


def test_rows_html_escapes_every_value():
    rows = laokg.Rows(
        [
            {
                "thing": URIRef('https://example.org/a?b=<c>&d="e"'),
                "text": Literal("<script>alert('x')</script> & co"),
                "n": Literal(12),
            },
            {"thing": None, "text": None, "n": None},
        ],
        ["thing", "text", "n"],
    )
    html = rows._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in html
    assert 'title="https://example.org/a?b=&lt;c&gt;&amp;d=&quot;e&quot;"' in html
    assert '<td class="num">12</td>' in html and "<p>2 rows</p>" in html
    assert html.count("<tr>") == 3  # the header and two rows (an unbound value is an empty cell)


def test_rows_html_right_aligns_the_numbers_the_terminal_table_does():
    from laokg.query.formats import NUMERIC_DATATYPES

    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert {xsd + "short", xsd + "unsignedByte", xsd + "integer", xsd + "double"} <= NUMERIC_DATATYPES
    for datatype in sorted(NUMERIC_DATATYPES) + [xsd + "string", xsd + "date", xsd + "gYear"]:
        cell = Literal("7" if not datatype.endswith("date") else "2020-01-01", datatype=URIRef(datatype))
        html = laokg.Rows([{"n": cell}], ["n"])._repr_html_()
        number = datatype in NUMERIC_DATATYPES
        assert ('<td class="num">' in html) == number, datatype


def test_show_prefers_things_over_concepts_and_says_so(kg):
    with pytest.warns(UserWarning, match="'Ministry' begins the names of several things"):
        card = kg.show("Ministry")
    assert card["curie"] == "kg:mofa" and "insttype:ministry" in card.note and "a vocabulary concept" in card.note
    assert ("kg:mlsw", "Ministry of Labour and Social Welfare") in card.alternatives
    assert ("insttype:ministry", "ministry") in card.alternatives
    exact = kg.show("MLSW")  # one exact label: no choice to report
    assert exact["curie"] == "kg:mlsw" and exact.note is None and exact.alternatives == []
    assert kg.show("insttype:ministry")["curie"] == "insttype:ministry"  # a CURIE is never second-guessed
    html = card._repr_html_()
    assert "<h3>Ministry of Foreign Affairs</h3>" in html and "Evidence" in html
    assert (
        '<span title="laokg:engagementRole">diaspora engagement role</span>' in html
    )  # properties by label, CURIE on hover
    assert "@en" not in html and "&#x27;Ministry&#x27; begins" in html


def test_trace_html_and_text(kg):
    trace = kg.trace("kg:decree-245-2020")
    html = trace._repr_html_()
    assert html.startswith('<div class="laokg">') and "footnote 10" in html and "<blockquote>“A major milestone" in html
    # print(trace) prints what `laokg trace` prints: the reader's text, by label
    cli = invoke("trace", "kg:decree-245-2020", "--root", str(ROOT))
    assert cli.exit_code == 0 and str(trace) == cli.stdout and "type: Legal instrument" in str(trace)
    source = kg.trace(source="kg:ilo-2002-mou-laos-thailand")
    assert "node(s) depend on it" in source._repr_html_() and str(source).startswith("Memorandum of Understanding")
    cli = invoke("trace", "--source", "kg:ilo-2002-mou-laos-thailand", "--root", str(ROOT))
    assert str(source) == cli.stdout
