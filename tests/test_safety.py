"""Read-only and no-fetch: updates, SERVICE and FROM are refused on the parsed query, not its text."""

import http.server
import json
import threading

import pytest
from rdflib import Dataset, Graph, URIRef

from laokg.errors import QueryError, UnsafeQueryError
from laokg.query.engines import EmbeddedEngine
from laokg.query.safety import check_query, no_fetch

from .query_fixtures import fixture_graph

UPDATES = [
    ("INSERT DATA { <http://e/a> <http://e/p> <http://e/b> }", "INSERT DATA"),
    ("insert data { <http://e/a> <http://e/p> 1 }", "INSERT DATA"),
    ("DELETE DATA { <http://e/a> <http://e/p> <http://e/b> }", "DELETE DATA"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE WHERE"),
    ("PREFIX ex: <http://e/>\nDELETE { ?s ex:p ?o } INSERT { ?s ex:q ?o } WHERE { ?s ex:p ?o }", "DELETE/INSERT"),
    ("WITH <http://e/g> INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "DELETE/INSERT"),
    ("LOAD <http://example.org/data.ttl>", "LOAD"),
    ("load silent <file:///etc/passwd> into graph <http://e/g>", "LOAD"),
    ("CLEAR ALL", "CLEAR"),
    ("clear default", "CLEAR"),
    ("DROP GRAPH <http://e/g>", "DROP"),
    ("drop silent all", "DROP"),
    ("CREATE GRAPH <http://e/g>", "CREATE"),
    ("ADD DEFAULT TO <http://e/g>", "ADD"),
    ("MOVE <http://e/a> TO <http://e/b>", "MOVE"),
    ("COPY <http://e/a> TO DEFAULT", "COPY"),
    ("# a comment\nPREFIX x: <http://e/>\nBASE <http://e/>\nINSERT DATA { x:a x:b x:c }", "INSERT DATA"),
    ("INSERT DATA { <http://e/a> <http://e/p> 1 } ; DROP ALL", "INSERT DATA, DROP"),
    ("\\u0049NSERT DATA { <http://e/a> <http://e/p> 1 }", "INSERT DATA"),  # \u escape for 'I'
]


@pytest.mark.parametrize("text, verb", UPDATES)
def test_updates_are_refused(text, verb):
    with pytest.raises(UnsafeQueryError) as exc:
        check_query(text)
    assert f"refused: {verb} would change data" in str(exc.value)


def test_update_refused_even_with_every_permission():
    with pytest.raises(UnsafeQueryError):
        check_query("DROP ALL", allow_service=True, allow_from=True)


SERVICES = [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "PREFIX ex: <http://example.org/>\nSELECT * { ?a ?b ?c OPTIONAL { SERVICE ex:sparql { ?s ?p ?o } } }",
    "SELECT * { ?s ?p ?o MINUS { SERVICE <http://example.org/sparql> { ?s ?p ?o } } }",
    "SELECT * { { SELECT ?s WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } } } }",
    "SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE <http://example.org/sparql> { ?s ?p ?o } } }",
    "SELECT * { ?s ?p ?o FILTER NOT EXISTS { SERVICE <http://example.org/sparql> { ?s ?p ?o } } }",
    "SELECT * { ?s ?p ?o BIND(EXISTS { SERVICE <http://example.org/sparql> { ?s ?p ?o } } AS ?e) }",
    "SELECT (EXISTS { SERVICE <http://example.org/sparql> { ?s ?p ?o } } AS ?e) { ?s ?p ?o }",
    "SELECT * { VALUES ?svc { <http://example.org/sparql> } SERVICE ?svc { ?s ?p ?o } }",
    "ASK { GRAPH ?g { SERVICE <http://example.org/sparql> { ?s ?p ?o } } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "DESCRIBE ?s WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",  # \u escape for 'S'
    "SELECT * { SeRvIcE <http://example.org/sparql> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("text", SERVICES)
def test_service_is_refused_anywhere(text):
    with pytest.raises(UnsafeQueryError, match="refused: SERVICE .* --allow-service"):
        check_query(text)
    check_query(text, allow_service=True)  # and allowed with the flag


FROMS = [
    ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM <http://example.org/g>"),
    ("select * from <file:///etc/passwd> { ?s ?p ?o }", "FROM <file:///etc/passwd>"),
    ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM NAMED <http://example.org/g>"),
    ("PREFIX ex: <http://example.org/>\nASK FROM ex:g { ?s ?p ?o }", "FROM <http://example.org/g>"),
    ("CONSTRUCT { ?s ?p ?o } FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM <http://example.org/g>"),
    ("DESCRIBE ?s FROM <http://example.org/g> WHERE { ?s ?p ?o }", "FROM <http://example.org/g>"),
]


@pytest.mark.parametrize("text, what", FROMS)
def test_from_is_refused(text, what):
    with pytest.raises(UnsafeQueryError) as exc:
        check_query(text)
    assert f"refused: {what} would load a graph" in str(exc.value) and "--allow-from" in str(exc.value)
    check_query(text, allow_from=True)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> { } INSERT DATA { }",
        "SELECT * WHERE { ?s <http://example.org/from> ?o }",
        "SELECT ?service ?insert ?from WHERE { ?service ?insert ?from }",
        "PREFIX service: <http://e/>\nSELECT * WHERE { ?s service:drop ?o }",
        'ASK { ?s ?p """\nDROP ALL\n""" }',
    ],
)
def test_words_in_strings_comments_and_names_do_not_trigger_refusals(text):
    check_query(text)


def test_syntax_errors_are_query_errors_with_position():
    with pytest.raises(QueryError, match=r"^query:2:\d+: SPARQL syntax error"):
        check_query("SELECT *\nWHERE { ?s ?p }")
    with pytest.raises(QueryError, match="Unknown namespace prefix"):
        check_query("SELECT * WHERE { ?s nope:p ?o }")


# ---------------------------------------------------------------- the no-fetch guard


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):
        type(self).hits.append(self.path)
        body = json.dumps(
            {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "http://e/remote"}}]}}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture()
def recorder():
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", _Recorder.hits
    server.shutdown()
    server.server_close()


def test_guard_stops_rdflib_service_requests_even_without_the_checker(recorder):
    url, hits = recorder
    g = Graph()
    with no_fetch(), pytest.raises(Exception, match="refused a network access"):
        list(g.query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"))
    assert hits == []


def test_guard_stops_from_loading(tmp_path):
    data = tmp_path / "other.ttl"
    data.write_text("<http://e/a> <http://e/p> <http://e/b> .\n")
    ds = Dataset()
    with no_fetch():
        rows = list(ds.query(f"SELECT * FROM <{data.as_uri()}> WHERE {{ ?s ?p ?o }}"))
    assert rows == []


def test_allow_service_really_allows(recorder):
    url, hits = recorder
    engine = EmbeddedEngine(fixture_graph())
    result = engine.run(f"SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", allow_service=True, timeout=5)
    assert [r["s"] for r in result.rows] == [URIRef("http://e/remote")] and len(hits) == 1


def test_refused_service_sends_nothing(recorder):
    url, hits = recorder
    with pytest.raises(UnsafeQueryError):
        EmbeddedEngine(fixture_graph()).run(f"SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
    assert hits == []


def test_allow_from_loads_the_named_file(tmp_path):
    data = tmp_path / "other.ttl"
    data.write_text("<http://e/a> <http://e/p> <http://e/b> .\n")
    engine = EmbeddedEngine(fixture_graph())
    result = engine.run("SELECT ?s WHERE { ?s <http://e/p> ?o }", allow_from=False)
    assert result.rows == []
    result = engine.run(f"SELECT ?s FROM <{data.as_uri()}> WHERE {{ ?s <http://e/p> ?o }}", allow_from=True)
    assert [r["s"] for r in result.rows] == [URIRef("http://e/a")]
    assert (URIRef("http://e/a"), None, None) not in fixture_graph()  # the project graph is untouched
