"""`laokg site`: the static site (pages, RDF beside them, links, determinism, content
negotiation, CLI). The browser tests are in test_site_browser.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from laokg.publish.paths import entity_stem, relative, target
from laokg.publish.serve import make_server, negotiate
from laokg.query.entity import describe_graph
from tests.coretools import REAL_ROOT, assert_one_line_error, invoke
from tests.site_support import broken_links, parse_pages, site_bytes


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
    assert target(URIRef("https://w3id.org/laokg/id/evidence/decree-245-2020-1")) == "id/evidence/decree-245-2020-1.html"
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
    from laokg.namespaces import LAOKG
    from rdflib.namespace import PROV

    node = next(s for s, ev in sorted(graph.subject_objects(PROV.qualifiedAttribution))
                if (ev, RDF.type, LAOKG.ProjectAssertion) in graph and str(s).startswith("https://w3id.org/laokg/id/"))
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
            written = Graph().parse(data=file.read_text(encoding="utf-8"), format="json-ld" if fmt == "jsonld" else "turtle")
            assert isomorphic(written, reported), (iri, fmt)


def test_turtle_files_say_what_they_hold(site):
    text = (site / "id/decree-245-2020.ttl").read_text(encoding="utf-8")
    assert text.startswith("# laokg entity: Decree No. 245")


def test_index_by_type_lists_every_entity(site, graph):
    index = (site / "types/index.html").read_text(encoding="utf-8")
    assert "eli:LegalResource" in index
    legal = (site / "types/eli-LegalResource.html").read_text(encoding="utf-8")
    assert 'href="../id/decree-475-2021.html"' in legal


def test_search_index_covers_every_entity_and_its_variants(site, graph):
    entries = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    assert len(entries) == len(_entities(graph))
    mlsw = next(e for e in entries if e["u"] == "id/mlsw.html")
    assert "MLSW" in mlsw["a"]
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
    from laokg.namespaces import LAOKG
    from rdflib.namespace import OWL

    html = (site / "ontology.html").read_text(encoding="utf-8")
    terms = {s for cls in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for s in graph.subjects(RDF.type, cls) if str(s).startswith(str(LAOKG))}
    assert len(terms) > 40
    for term in terms:
        assert f'id="{str(term)[len(str(LAOKG)):]}"' in html, term
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
        request = urllib.request.Request(f"http://127.0.0.1:{port}/id/decree-245-2020", headers={"Accept": "text/turtle"})
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
    done = subprocess.run([sys.executable, "-m", "laokg", "site", "-o", str(out), "--root", str(REAL_ROOT)],
                          capture_output=True, text=True, env=env, timeout=900)
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
        result = invoke("site", "-o", str(tmp_path / "s"), "--no-release", "--serve", "--port", str(port),
                        "--root", str(REAL_ROOT))
    assert_one_line_error(result, "cannot listen")
