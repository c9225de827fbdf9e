"""`laokg site`: the static site (pages, RDF beside them, links, determinism, content
negotiation, CLI). The browser tests are in test_site_browser.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from laokg.publish.paths import entity_stem, relative, target
from laokg.publish.serve import make_server, negotiate
from laokg.query.entity import describe_graph
from tests.coretools import REAL_ROOT, assert_one_line_error, invoke, query_bindings
from tests.site_support import broken_links, parse_pages, site_bytes, visible_text


@pytest.fixture(scope="module")
def site(built_site):
    return built_site.out


@pytest.fixture(scope="module")
def pages(site):
    return parse_pages(site)


@pytest.fixture(scope="module")
def graph():
    from laokg.graph.load import load_data_graph

    return load_data_graph(REAL_ROOT)


@pytest.fixture(autouse=True)
def lexical_literals():
    """Parse literals as written ("P24M"^^xsd:duration stays P24M), as the project's loader does."""
    import rdflib

    previous = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    yield
    rdflib.NORMALIZE_LITERALS = previous


def _entities(graph):
    from laokg.publish.pages import entity_iris

    return entity_iris(graph)


def test_every_minted_iri_has_a_page_with_turtle_and_jsonld(site, graph, built_site):
    entities = _entities(graph)
    assert len(entities) > 300
    for iri in entities:
        stem = entity_stem(iri)
        for ext in (".html", ".ttl", ".jsonld"):
            assert (site / (stem + ext)).is_file(), stem + ext
    assert built_site.pages["entity"] == len(entities)


def test_paths_derive_from_the_iri():
    iri = URIRef("https://w3id.org/laokg/id/decree-245-2020")
    assert target(iri) == "id/decree-245-2020.html"
    assert (
        target(URIRef("https://w3id.org/laokg/id/evidence/decree-245-2020-1")) == "id/evidence/decree-245-2020-1.html"
    )
    assert target(URIRef("https://w3id.org/laokg/ontology#footnote")) == "ontology.html#footnote"
    assert target(URIRef("https://w3id.org/laokg/vocab/doctype/decree")) == "vocabularies.html#doctype-decree"
    assert target(URIRef("http://data.europa.eu/eli/ontology#LegalResource")) is None
    assert relative("id/evidence/x.html", "id/decree-245-2020.html") == "../decree-245-2020.html"
    assert relative("index.html", "ontology.html#footnote") == "ontology.html#footnote"


def test_every_internal_link_resolves(site, pages):
    assert len(pages) > 400
    assert broken_links(site, pages) == []


def test_images_have_alt_text(pages):
    assert [p for p, parser in pages.items() if parser.img_without_alt] == []


def test_entity_page_shows_card_evidence_and_audit(site):
    html = (site / "id/decree-245-2020.html").read_text(encoding="utf-8")
    assert "<h1>Decree No. 245 on the Placement of Lao Workers to Work Abroad</h1>" in html
    assert 'href="../ontology.html#objective"' in html  # own property -> its ontology anchor
    assert 'href="laos.html"' in html  # a linked value inside the graph -> its page
    assert "Footnote 10" in html and "Achievements" in html  # footnote and section of the evidence
    assert "A major milestone in migration governance" in html  # the excerpt
    assert 'href="../audit.html#AUD03"' in html  # the audit finding about it
    assert 'href="decree-245-2020.ttl"' in html and 'href="decree-245-2020.jsonld"' in html


def test_project_assertions_are_marked(site, graph):
    from rdflib.namespace import PROV

    from laokg.namespaces import LAOKG

    node = next(
        s
        for s, ev in sorted(graph.subject_objects(PROV.qualifiedAttribution))
        if (ev, RDF.type, LAOKG.ProjectAssertion) in graph and str(s).startswith("https://w3id.org/laokg/id/")
    )
    html = (site / (entity_stem(node) + ".html")).read_text(encoding="utf-8")
    assert "Project assertion" in html and "not stated by a source" in html


def test_entity_rdf_is_what_describe_reports(site, graph):
    """Every entity's Turtle and JSON-LD parse and are isomorphic to its description."""
    for iri in _entities(graph):
        expected = describe_graph(graph, iri)
        stem = site / entity_stem(iri)
        ttl = Graph().parse(stem.with_name(stem.name + ".ttl"), format="turtle")
        jsonld = Graph().parse(data=stem.with_name(stem.name + ".jsonld").read_text(encoding="utf-8"), format="json-ld")
        assert isomorphic(ttl, expected), iri
        assert isomorphic(jsonld, expected), iri


def test_entity_rdf_matches_laokg_show_for_one_entity_of_every_type(site, graph):
    seen, sample = set(), []
    for iri in _entities(graph):
        types = frozenset(graph.objects(iri, RDF.type))
        if types not in seen:
            seen.add(types)
            sample.append(iri)
    assert len(sample) > 10
    for iri in sample:
        for fmt, ext in (("turtle", ".ttl"), ("jsonld", ".jsonld")):
            shown = invoke("show", str(iri), "--format", fmt, "--root", str(REAL_ROOT))
            assert shown.exit_code == 0, shown.output
            reported = Graph().parse(data=shown.stdout, format="json-ld" if fmt == "jsonld" else "turtle")
            file = site / (entity_stem(iri) + ext)
            written = Graph().parse(
                data=file.read_text(encoding="utf-8"), format="json-ld" if fmt == "jsonld" else "turtle"
            )
            assert isomorphic(written, reported), (iri, fmt)


def test_turtle_files_say_what_they_hold(site):
    text = (site / "id/decree-245-2020.ttl").read_text(encoding="utf-8")
    assert text.startswith("# laokg entity: Decree No. 245")


def test_index_by_type_lists_every_entity(site, graph):
    index = (site / "types/index.html").read_text(encoding="utf-8")
    assert "eli:LegalResource" in index
    heading = (site / "types/org-FormalOrganization.html").read_text(encoding="utf-8")
    assert '<h1>Organisation <span class="curie">org:FormalOrganization</span></h1>' in heading
    legal = (site / "types/eli-LegalResource.html").read_text(encoding="utf-8")
    assert 'href="../id/decree-475-2021.html"' in legal


def test_search_index_lists_things_first_and_quotes_evidence_under_them(site, graph):
    from laokg.graph.evidence import RECORD_CLASSES

    entries = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    evidence = set(RECORD_CLASSES)
    records = {iri for iri in _entities(graph) if set(graph.objects(iri, RDF.type)) & evidence}
    assert len(records) > 300
    # every entity but the evidence records and passages has an entry; they have none
    assert sorted(e["u"] for e in entries) == sorted(
        entity_stem(i) + ".html" for i in _entities(graph) if i not in records
    )
    by_url = {e["u"]: e for e in entries}
    mlsw = by_url["id/mlsw.html"]
    assert "MLSW" in mlsw["a"] and mlsw["k"] == 0
    assert by_url["id/eudif-lao-2024-fn-3.html"]["k"] == 2  # a footnote is a record, listed after the things
    assert by_url["id/eudif-lao-2024.html"]["k"] == 1  # a source, listed after what it speaks of
    # the passages quoted as a thing's evidence sit under it, with the document they are quoted in
    vote = by_url["id/right-vote-from-abroad-laos.html"]
    assert vote["k"] == 0 and vote["q"] and all(q["d"] and q["x"] for q in vote["q"])
    ordered = [e["k"] for e in entries]
    assert ordered == sorted(ordered)  # things first
    script = (site / "search-index.js").read_text(encoding="utf-8")
    assert script.startswith("window.LAOKG_INDEX = ")


def test_query_pages_show_results_and_sparql(site):
    html = (site / "queries/emigrants_by_destination.html").read_text(encoding="utf-8")
    assert "Thailand" in html and "285819" in html and "SELECT" in html
    listing = (site / "queries/index.html").read_text(encoding="utf-8")
    assert 'href="emigrants_by_destination.html"' in listing


def test_bibliography_lists_works_and_what_they_support(site):
    html = (site / "bibliography.html").read_text(encoding="utf-8")
    assert "International Migrant Stock 2024" in html
    assert "footnote" in html and 'href="id/eudif-lao-2024.html"' in html


def test_audit_page_has_every_rule(site, root):
    html = (site / "audit.html").read_text(encoding="utf-8")
    for rule in sorted((root / "queries" / "audit").glob("*.rq")):
        assert f'id="{rule.stem.partition("-")[0]}"' in html


def test_downloads_list_release_files_with_checksums(site, built_site):
    import hashlib

    html = (site / "downloads.html").read_text(encoding="utf-8")
    names = [f["name"] for f in built_site.release]
    assert {"laokg.ttl", "laokg.nt", "laokg.jsonld"} <= set(names)
    sums = (site / "downloads" / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((site / "downloads" / name).read_bytes()).hexdigest() == digest
        assert digest in html


def test_ontology_page_documents_every_own_term(site, graph):
    from rdflib.namespace import OWL

    from laokg.namespaces import LAOKG

    html = (site / "ontology.html").read_text(encoding="utf-8")
    terms = {
        s
        for cls in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in graph.subjects(RDF.type, cls)
        if str(s).startswith(str(LAOKG))
    }
    assert len(terms) > 40
    for term in terms:
        assert f'id="{str(term)[len(str(LAOKG)) :]}"' in html, term
    vocab = (site / "vocabularies.html").read_text(encoding="utf-8")
    assert 'id="doctype-decree"' in vocab


def test_redirect_rules_are_written(site):
    htaccess = (site / ".htaccess").read_text(encoding="utf-8")
    assert "RewriteRule ^(id/.+)$ $1.ttl [R=303,L]" in htaccess
    assert "text/turtle" in (site / "nginx.conf").read_text(encoding="utf-8")


def test_preview_server_negotiates_content(site):
    assert negotiate(site, "/id/decree-245-2020", "text/turtle") == "/id/decree-245-2020.ttl"
    assert negotiate(site, "/id/decree-245-2020", "application/ld+json") == "/id/decree-245-2020.jsonld"
    assert negotiate(site, "/id/decree-245-2020", "text/html,*/*") == "/id/decree-245-2020.html"
    assert negotiate(site, "/id/nothing-here", "text/turtle") is None
    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/id/decree-245-2020", headers={"Accept": "text/turtle"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.url.endswith("/id/decree-245-2020.ttl")
            assert answer.headers["Content-Type"].startswith("text/turtle")
            Graph().parse(data=answer.read().decode("utf-8"), format="turtle")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/id/decree-245-2020", timeout=10) as answer:
            assert answer.url.endswith(".html") and b"<h1>" in answer.read()
    finally:
        server.shutdown()
        server.server_close()


def test_two_builds_give_the_same_bytes(site, tmp_path):
    """A second build, in another process with another hash seed, writes the same files."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = tmp_path / "again"
    done = subprocess.run(
        [sys.executable, "-m", "laokg", "site", "-o", str(out), "--root", str(REAL_ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    first, second = site_bytes(site, skip=()), site_bytes(out, skip=())
    assert sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []


def test_rebuild_removes_pages_that_are_gone(tmp_path, monkeypatch):
    from laokg.publish import site as site_module

    out = tmp_path / "s"
    out.mkdir()
    (out / site_module.MARKER).write_text("x")
    (out / "id").mkdir()
    (out / "id" / "stale.html").write_text("old")
    site_module._prune(out, {"index.html"})
    assert not (out / "id" / "stale.html").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    site_module._prune(other, set())  # not a site directory: nothing removed
    assert (other / "keep.txt").exists()


def test_cli_build_site_writes_release_and_site(tmp_path):
    result = invoke("build", "--site", "--dist", str(tmp_path / "dist"), "--root", str(REAL_ROOT))
    assert result.exit_code == 0, result.output
    assert "pages" in result.stdout and "entities" in result.stdout and "sha256" in result.stdout
    dist = tmp_path / "dist"
    assert (dist / "site" / "index.html").is_file()
    assert (dist / "laokg.ttl").read_bytes() == (dist / "site" / "downloads" / "laokg.ttl").read_bytes()
    assert "laokg.nt" in (dist / "site" / "downloads.html").read_text(encoding="utf-8")


def test_cli_site_refuses_a_file_as_directory(tmp_path):
    (tmp_path / "file").write_text("x")
    result = invoke("site", "-o", str(tmp_path / "file"), "--no-release", "--root", str(REAL_ROOT))
    assert_one_line_error(result, "not a directory")


def test_cli_site_serve_on_a_taken_port_is_one_line(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = invoke(
            "site", "-o", str(tmp_path / "s"), "--no-release", "--serve", "--port", str(port), "--root", str(REAL_ROOT)
        )
    assert_one_line_error(result, "cannot listen")


# ---------------------------------------------------------------- one reading of the graph


def cli_rows(name: str, *params: str) -> list[dict]:
    """`laokg query run NAME --format json`, as {variable: (type, value)} per row."""
    return [{k: (v["type"], v["value"]) for k, v in b.items()} for b in query_bindings(name, *params)]


def _v(row: dict, key: str) -> str | None:
    return row[key][1] if key in row else None


def _chart_rows(site, name: str) -> list[list[str]]:
    from tests.site_support import page_tables

    table = next(t for t in page_tables(site / f"charts/{name}.html") if "stack" in t["class"])
    return [[c["text"] for c in row] for row in table["rows"][1:]]


def test_timeline_dates_every_instrument_programme_practice_and_event_as_the_cli_does(site):
    from laokg.provenance.readable import date_text

    practice_years = {_v(r, "practice"): _v(r, "year") for r in cli_rows("practices")}
    expected = [("instrument", _v(r, "title"), _v(r, "date")) for r in cli_rows("instruments")]
    for r in cli_rows("programmes"):
        start = _v(r, "start") or practice_years.get(_v(r, "project"))
        expected.append(("programme", _v(r, "name"), "/".join(x for x in (start, _v(r, "end")) if x) or None))
    expected += [("event", _v(r, "name"), _v(r, "date")) for r in cli_rows("events")]
    shown = _chart_rows(site, "timeline")
    assert sorted(shown) == sorted(
        [kind, name, date_text(date) if date else "undated"] for kind, name, date in expected
    )
    # the two practices the profile dates are dated (issue 19: they were "undated in the sources")
    dated = {row[1]: row[2] for row in shown}
    assert dated["Employment Permit System (EPS)"] == "2023"
    assert dated["Establishment of employment centres for returning Laotians"] == "2022"
    note = (site / "charts/timeline.html").read_text(encoding="utf-8")
    assert (
        "Undated in the sources" in note
        and "Employment Permit System" not in note.split("Undated in the sources")[1].split("</p>")[0]
    )


def test_remittance_charts_show_every_cli_figure_with_who_released_it(site):
    rows = cli_rows("remittances")
    totals = [r for r in rows if _v(r, "unit") == "USD" and not _v(r, "channel")]
    shown = _chart_rows(site, "remittances")
    assert len(shown) == len(totals)
    for r in totals:
        amount = f"US${_v(r, 'value')} million" if _v(r, "unitMult") == "6" else None
        match = [s for s in shown if s[1] == amount]
        assert match, (amount, shown)
        assert match[0][3] == (_v(r, "releasedBy") or "not named")
        assert match[0][4] == (_v(r, "dataSource") or "not named")
        assert match[0][5] == _v(r, "document")
    h1 = next(s for s in shown if s[1] == "US$366 million")
    assert h1[3] == "Ministry of Labour and Social Welfare"  # issue 19: was "not named"
    shares = [r for r in rows if _v(r, "unit") == "%"]
    assert sorted(s[1] for s in _chart_rows(site, "remittances-share-of-gdp")) == sorted(
        f"{_v(r, 'value')} %" for r in shares
    )
    parts = cli_rows("remittance_breakdown")
    shown = _chart_rows(site, "remittance-breakdown")
    assert [(s[0], s[2]) for s in shown] == [(_v(r, "label"), f"US${_v(r, 'value')} million") for r in parts]
    page = (site / "charts/remittance-breakdown.html").read_text(encoding="utf-8")
    assert "Ministry of Labour and Social Welfare" in page


def test_emigrant_charts_show_every_cli_figure(site):
    rows = cli_rows("emigrants_by_destination")
    shown = _chart_rows(site, "emigrants-by-destination")
    assert shown == [
        [_v(r, "destinationName"), f"{int(_v(r, 'emigrants')):,} persons", _v(r, "period"), _v(r, "dataSource")]
        for r in rows
    ]
    assert shown[0][1] == "285,819 persons"
    rows = cli_rows("emigrants_by_sex")
    shown = _chart_rows(site, "emigrants-by-sex")
    assert sorted(c for s in shown for c in s[1:] if c != "not given") == sorted(f"{_v(r, 'percent')} %" for r in rows)
    assert "58.3 %" in {c for s in shown for c in s}


def _expected_cell(row: dict, var: str, kind: str | None) -> str:
    from laokg.provenance.readable import date_text, figure_text
    from laokg.publish.pages import period_text

    value = _v(row, var)
    if value is None:
        return ""
    if kind == "figure":
        return figure_text(value, _v(row, "unit"), _v(row, "unitMult"))
    if kind == "percent":
        return f"{value} %"
    if kind == "date":
        return date_text(value)
    if kind == "period":
        return period_text(value)
    if kind == "yes":
        return {"true": "yes", "false": "no"}.get(value, value)
    return value


def test_every_topic_table_is_the_cli_answer(site):
    """Every table of every front-page group shows exactly the rows `laokg query run` gives,
    in its order: literal cells as the reader's text of the CLI's value, IRI cells linking the
    page of the CLI's IRI."""
    from laokg.publish.pages import CATEGORIES
    from tests.site_support import page_tables

    checked = 0
    for cat in CATEGORIES:
        tables = [t for t in page_tables(site / f"topics/{cat['slug']}.html") if "stack" in t["class"]]
        assert len(tables) == len(cat["queries"]), cat["slug"]
        for (name, columns, *view), table in zip(cat["queries"], tables, strict=True):
            rows = cli_rows(name)
            if view and view[0].get("where"):
                rows = [r for r in rows if view[0]["where"] in r]
            body = table["rows"][1:]
            assert len(body) == len(rows), name
            for row, cells in zip(rows, body, strict=True):
                for (var, _head, link, kind), cell in zip(columns, cells, strict=True):
                    if var in row and row[var][0] == "uri":
                        assert cell["hrefs"] and cell["titles"], (name, var, cell)
                        assert target(URIRef(row[var][1])) is None or cell["hrefs"][0].endswith(
                            target(URIRef(row[var][1])).rsplit("/", 1)[-1]
                        ), (name, var)
                        continue
                    assert cell["text"] == _expected_cell(row, var, kind), (name, var, cell["text"], row.get(var))
                    if link and link in row and row[link][0] == "uri":
                        assert cell["hrefs"][0].endswith(target(URIRef(row[link][1])).rsplit("/", 1)[-1]), (name, var)
                    checked += 1
    assert checked > 500


def test_the_five_questions_are_answered_on_the_front_page_groups(site):
    """The answers behind issue 19's questions, as the CLI gives them, are on the group pages."""
    laws = (site / "topics/laws.html").read_text(encoding="utf-8")
    assert "Decree No. 245 on the Placement of Lao Workers to Work Abroad" in laws
    figures = visible_text_of(site, "topics/figures.html")
    assert "US$366 million first half of 2025 yes Ministry of Labour and Social Welfare" in figures
    rights = visible_text_of(site, "topics/rights.html")
    assert "Dual citizenship unknown (blank in the source)" in rights
    assert "with restrictions Only in legislative elections." in rights


def visible_text_of(site, path: str) -> str:
    from tests.site_support import visible_text

    return visible_text(site / path)


def test_every_entity_page_shows_every_fact_the_cli_reports_for_it(site, graph):
    """Every statement about every entity (one `laokg sparql` answer for the whole graph) is on
    the entity's page, in the row of its property (named by its label, CURIE on hover): an
    IRI as a link to it (CURIE on hover), a literal as the reader's text of the CLI's value
    (a figure with its unit and multiplier, a date as printed)."""
    from rdflib import Literal

    from laokg.labels import LABEL_PROPERTIES, curie
    from laokg.provenance.readable import literal_text, number_text, term_label
    from tests.site_support import page_tables

    query = (
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (STRSTARTS(STR(?s), 'https://w3id.org/laokg/id/') && !isBlank(?o)) }"
    )
    result = invoke("sparql", query, "--format", "json", "--root", str(REAL_ROOT))
    assert result.exit_code == 0, result.output
    facts: dict = {}
    for b in json.loads(result.stdout)["results"]["bindings"]:
        o = b["o"]
        term = (
            URIRef(o["value"])
            if o["type"] == "uri"
            else Literal(
                o["value"], lang=o.get("xml:lang"), datatype=URIRef(o["datatype"]) if "datatype" in o else None
            )
        )
        facts.setdefault(b["s"]["value"], []).append((URIRef(b["p"]["value"]), term))
    hidden = {
        RDF.type,
        URIRef("http://www.w3.org/ns/prov#qualifiedDerivation"),
        URIRef("http://www.w3.org/ns/prov#qualifiedAttribution"),
    }
    entities = _entities(graph)
    assert len(facts) > 500
    checked = 0
    for iri in entities:
        if str(iri) not in facts:
            continue
        path = site / (entity_stem(iri) + ".html")
        rows = {}
        for table in page_tables(path):
            if "props" not in table["class"]:
                continue
            for row in table["rows"]:
                if len(row) == 2 and row[0]["header"] and row[0]["titles"]:
                    rows.setdefault(row[0]["titles"][0], []).append(row)
        units = {p: o for p, o in facts[str(iri)]}
        names = {(r[0]["text"], r[1]["text"]) for rows_ in rows.values() for r in rows_}
        for p, o in facts[str(iri)]:
            if p in hidden:
                continue
            if p in LABEL_PROPERTIES and (term_label(p, None), literal_text(o)) in names:
                checked += 1  # a name given twice under one reader's name is shown once
                continue
            shown = rows.get(curie(p))
            assert shown, (str(iri), curie(p))
            cell = {
                "text": " | ".join(r[1]["text"] for r in shown),
                "titles": [t for r in shown for t in r[1]["titles"]],
                "hrefs": [h for r in shown for h in r[1]["hrefs"]],
            }
            assert shown[0][0]["text"] != curie(p), (str(iri), curie(p))  # the property by its name
            if isinstance(o, URIRef):
                assert curie(o) in cell["titles"] or any(h.endswith(str(o)) for h in cell["hrefs"]), (
                    str(iri),
                    curie(p),
                    curie(o),
                )
            elif str(p).endswith("#obsValue"):
                text = number_text(str(o))
                mult = units.get(URIRef("http://purl.org/linked-data/sdmx/2009/attribute#unitMult"))
                assert text in cell["text"], (str(iri), cell["text"])
                if mult is not None and str(mult) == "6":
                    assert f"{text} million" in cell["text"]
            else:
                assert literal_text(o) in cell["text"], (str(iri), curie(p), literal_text(o), cell["text"])
            checked += 1
        page = visible_text(path)
        assert "@en" not in page and "xsd:" not in page, str(iri)
    assert checked > 1500


def test_readers_see_labels_figures_and_dates_not_rdf(site):
    from tests.site_support import visible_text

    decree = (site / "id/decree-245-2020.html").read_text(encoding="utf-8")
    assert 'title="eli:is_about">subject</a>' in decree  # the property by name, its CURIE on hover
    assert ">eli:is_about<" not in decree and "@en" not in visible_text(site / "id/decree-245-2020.html")
    obs = site / "id/obs-remittances-inflow-lao-2025-s1.html"
    text = visible_text(obs)
    assert "Figure: US$366 million" in text and "released by Ministry of Labour and Social Welfare" in text
    assert "September 2016" in visible_text(site / "id/mou-laos-south-korea-2016.html")
    assert "285,819 persons" in visible_text(site / "id/obs-emigrant-stock-lao-thailand-2024.html")


def test_readable_formats():
    from rdflib import Literal
    from rdflib.namespace import XSD

    from laokg.provenance.readable import date_text, figure_text, literal_text

    assert figure_text("366", "USD", "6") == "US$366 million"
    assert figure_text("287.19", "USD", 6) == "US$287.19 million"
    assert figure_text("285819", "persons") == "285,819 persons"
    assert figure_text("58.3", "%") == "58.3 %"
    assert figure_text("41", "facilities") == "41 facilities"
    assert date_text("2023") == "2023" and date_text("2024-01") == "January 2024"
    assert date_text("2025-11-28") == "28 November 2025" and date_text("2021/2025") == "2021–2025"
    assert literal_text(Literal("2016-09", datatype=XSD.gYearMonth)) == "September 2016"
    assert literal_text(Literal("P24M", datatype=XSD.duration)) == "24 months"
    assert literal_text(Literal("true", datatype=XSD.boolean)) == "yes"
    assert literal_text(Literal("Décret", lang="fr")) == "Décret"


def test_front_page_lists_what_people_look_for_not_records(site):
    from tests.site_support import FRONT_PAGE_GROUPS, visible_text

    text = visible_text(site / "index.html")
    for group in FRONT_PAGE_GROUPS:
        assert group in text
    for record in ("document evidence", "SpecificResource", "DataStructureDefinition", "ProperInterval"):
        assert record not in text


def test_audit_badges_only_on_rules_that_found_something(site):
    import re

    html = (site / "audit.html").read_text(encoding="utf-8")
    sections = re.findall(r'<h2 id="(AUD\d+)">.*?</h2>.*?(?=<section|\Z)', html, flags=re.S)
    assert sections
    for block in re.split(r'<section class="rule"', html)[1:]:
        head = block.split("</h2>")[0]
        holds = "Holds: no finding." in block
        assert ('class="sev held"' in head) == holds
        assert ('class="sev violation"' in head) <= (not holds)


def _cli_card(text: str) -> dict:
    """``laokg show`` text as the parts a page shows: heading lines, then each section's rows
    (``name value``, spaces collapsed), up to the evidence."""
    lines = text.splitlines()
    parts: dict = {"heading": lines[0], "curie": lines[1].strip(), "type": "", "figure": ""}
    at = 2
    while at < len(lines) and lines[at]:
        key, _, value = lines[at].strip().partition(": ")
        parts["type" if key in ("type", "types") else key] = value
        at += 1
    section = None
    for line in lines[at:]:
        if line.startswith("Evidence"):
            break
        if not line:
            section = None
        elif section is None:
            section = line
            parts[section] = []
        else:
            parts[section].append(" ".join(line.split()))
    return parts


def _cli_statements(text: str) -> list[str]:
    """The statements ``laokg trace`` text lists under each "supports:" and under "statements
    with no evidence:", in order (``name value``, spaces collapsed)."""
    out, inside = [], False
    for line in text.splitlines():
        if line.strip() in ("supports:", "statements with no evidence:"):
            inside = True
        elif inside and line.startswith(("      ", "  ")) and not line.startswith("    supports"):
            if line.startswith("[") or not line.strip():
                inside = False
            else:
                out.append(" ".join(line.split()))
        else:
            inside = False
    return out


def test_laokg_show_and_trace_print_what_every_entity_page_shows(site, graph):
    """Issue 19: for every entity page the site builds, `laokg show` (text, every link: --all)
    prints the page's name, CURIE, types and figure, and in its Names, Properties and Incoming
    links the page's rows — the same property names with the same values, one by one, in the
    same order —; `laokg trace` lists the statements the page's evidence supports, as the page
    words them. Neither spells RDF: no property named by its CURIE, no language or datatype tag.

    The whole graph is read through the functions the two commands print (one graph, as the
    CLI opens it); the commands themselves are run for one entity of every type and must print
    exactly that."""
    import re

    import laokg
    from laokg.provenance.text import card_text
    from laokg.provenance.trace import trace_entity
    from tests.site_support import entity_view

    kg = laokg.KnowledgeGraph(REAL_ROOT)  # what `laokg show` and `laokg trace` open
    view, labels = kg.view, kg.labels
    sections = {"Names": "labels", "Properties": "properties", "Incoming links": "incoming"}
    rows = statements = 0
    problems = []  # (iri, what, the CLI's, the page's): every disagreement, not only the first
    seen_types: set = set()
    for iri in _entities(graph):
        page = entity_view(site / (entity_stem(iri) + ".html"))
        shown = card_text(view, iri, labels, max_links=None)
        traced = str(trace_entity(view, iri, labels))  # print(trace): the one trace text
        types = frozenset(graph.objects(iri, RDF.type))
        if types not in seen_types:  # the commands print exactly these texts
            seen_types.add(types)
            for args, text in ((("show", str(iri), "--all"), shown), (("trace", str(iri)), traced)):
                result = invoke(*args, "--root", str(REAL_ROOT))
                assert (result.exit_code, result.stdout) == (0, text), (args, result.output)
        cli = _cli_card(shown)
        heading = (" ".join(cli["heading"].split()), cli["curie"])
        for what, mine, theirs in (
            ("heading", heading, (page.heading, page.curie)),
            ("type and figure", (cli["type"], cli["figure"]), (page.types, page.figure)),
        ):
            if mine != theirs:
                problems.append((str(iri), what, mine, theirs))
        for name, key in sections.items():
            joiner = " from " if key == "incoming" else " "
            expected = [
                " ".join(f"{prop}{joiner}{value}".split())
                for prop, values in page.rows.get(key, [])
                for value in values
            ]
            if cli.get(name, []) != expected:
                problems.append((str(iri), name, cli.get(name, []), expected))
            rows += len(expected)
            for prop, _values in page.rows.get(key, []):
                if re.fullmatch(r"[a-z][\w-]*:\w+", prop):  # a name, not a CURIE
                    problems.append((str(iri), "a property named by its CURIE", prop, ""))
        if re.search(r'"@[a-z]{2}\b|\^\^|\(xsd:|https?://w3id', shown + traced):
            problems.append((str(iri), "RDF spelling", shown, ""))
        if _cli_statements(traced) != page.statements:
            problems.append((str(iri), "trace", _cli_statements(traced), page.statements))
        statements += len(page.statements)
    assert not problems, f"{len(problems)} disagreements, the first: {problems[:5]}"
    assert len(seen_types) > 10 and rows > 3000 and statements > 2000, (len(seen_types), rows, statements)
