"""The engines: embedded (rdflib) and remote (a real Oxigraph server) give the same answers.

The remote tests start ``oxigraph serve`` (the binary of the PyPI package ``oxigraph``) on
127.0.0.1 with a free port and a temporary store, load the fixture graph through the Graph
Store protocol, and run the same saved queries on both engines.
"""

import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from laokg.errors import EndpointError, QueryError
from laokg.query.binding import bind_parameters
from laokg.query.engines import EmbeddedEngine
from laokg.query.remote import RemoteEngine

from .query_fixtures import fixture_graph, fixture_query, resolver

KG = "https://w3id.org/laokg/id/"


def _oxigraph_binary():
    found = shutil.which("oxigraph")
    if found:
        return found
    candidate = Path(sys.prefix) / "bin" / "oxigraph"
    return str(candidate) if candidate.exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")
    port = _free_port()
    store = tmp_path_factory.mktemp("oxigraph")
    # open for the fixture's whole life (the server writes to it), closed in the finally below
    log = open(store / "server.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(store / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"oxigraph serve exited: {(store / 'server.log').read_text()}")
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph serve did not start")
        body = fixture_graph().serialize(format="nt").encode("utf-8")
        request = urllib.request.Request(
            base + "/store?default", data=body, method="PUT", headers={"Content-Type": "application/n-triples"}
        )
        assert urllib.request.urlopen(request, timeout=10).status in (200, 201, 204)
        yield base + "/query"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
        log.close()


def both(oxigraph):
    return EmbeddedEngine(fixture_graph()), RemoteEngine(oxigraph, timeout=10)


# ---------------------------------------------------------------- embedded engine


def test_embedded_select_rows_are_typed_terms():
    sq = fixture_query("instruments-by-type")
    result = EmbeddedEngine(fixture_graph()).run(sq.text, bind_parameters(sq, [("type", "doctype:decree")]))
    assert result.vars == ["instrument", "title", "date"]
    assert (
        result.tuples()
        == [
            (
                URIRef(KG + "decree-475-2021"),
                Literal("Decree No. 475 on visas", lang="en"),
                Literal("2021", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear")),
            ),
            (
                URIRef(KG + "decree-245-2020"),
                Literal("Decree No. 245 on the Placement of Lao Workers to Work Abroad", lang="en"),
                Literal("2020-06-30", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")),
            ),
        ][::-1]
    )


def test_embedded_optional_parameter_unbound_and_bound():
    sq = fixture_query("instruments-by-type")
    engine = EmbeddedEngine(fixture_graph())
    everything = engine.run(sq.text, bind_parameters(sq, [("type", "doctype:decree"), ("type", "doctype:law")]))
    recent = engine.run(
        sq.text, bind_parameters(sq, [("type", "doctype:decree"), ("type", "doctype:law"), ("from_year", "2020")])
    )
    assert len(everything.rows) == 3
    assert [r["instrument"] for r in recent.rows] == [URIRef(KG + "decree-245-2020"), URIRef(KG + "decree-475-2021")]


def test_embedded_select_star_keeps_the_text_order():
    result = EmbeddedEngine(fixture_graph()).run("SELECT * WHERE { ?thing a ?class ; ?property ?value } LIMIT 1")
    assert result.vars == ["thing", "class", "property", "value"]


def test_embedded_evaluation_errors_are_query_errors():
    with pytest.raises(QueryError):
        EmbeddedEngine(fixture_graph()).run("SELECT (SUM(?o) AS ?x) ?s WHERE { ?s ?p ?o }")


# ---------------------------------------------------------------- same answers on a real server

CASES = [
    ("instruments-by-type", []),
    ("instruments-by-type", [("type", "doctype:decree")]),
    ("instruments-by-type", [("type", "doctype:decree"), ("type", "MoU"), ("type", "law")]),
    ("instruments-by-type", [("type", "doctype:decree"), ("type", "law"), ("from_year", "2016")]),
    ("thing-by-label", [("text", "} UNION { ?thing ?p ?o }")]),
    ("thing-by-label", [("text", 'a "quoted" } # not a comment')]),
    ("thing-by-label", [("text", "line one\nline two\ttabbed")]),
    ("thing-by-label", [("text", "ພາສາລາວ — ‘quotes’ \\ backslash")]),
    ("thing-by-label", [("text", "<https://w3id.org/laokg/id/mlsw>")]),
    ("thing-by-label", [("text", "no such label")]),
    ("units-of", [("organisation", "MLSW")]),
    ("units-of", [("organisation", "kg:national-assembly")]),
    ("units-of", [("organisation", "MLSW"), ("name", "EMPLOYMENT")]),
    ("units-of", [("organisation", "MLSW"), ("name", "nothing")]),
    ("units-of", [("organisation", "MLSW"), ("organisation", "kg:national-assembly")]),
]


@pytest.mark.parametrize("name, params", CASES)
def test_same_rows_embedded_and_remote(oxigraph, name, params):
    sq = fixture_query(name)
    bindings = bind_parameters(sq, params, resolver())
    embedded, remote = both(oxigraph)
    local = embedded.run(sq.text, bindings)
    distant = remote.run(sq.text, bindings)
    assert distant.vars == local.vars
    assert distant.rows == local.rows
    if all(len(v) == 1 for v in bindings.values()):  # initBindings and VALUES agree too
        assert embedded.run(sq.text, bindings, use_values=True).rows == local.rows
    if name == "thing-by-label" and params[0][1] != "no such label":
        assert len(local.rows) == 1  # exactly the thing with that label, nothing else


@pytest.mark.parametrize(
    "instrument, answer", [("kg:decree-245-2020", True), ("Labour Law", False), ("DECREE NO. 475 ON VISAS", True)]
)
def test_same_ask_embedded_and_remote(oxigraph, instrument, answer):
    sq = fixture_query("is-decree")
    embedded, remote = both(oxigraph)
    bindings = bind_parameters(sq, [("instrument", instrument)], resolver())
    assert embedded.run(sq.text, bindings).boolean is answer
    assert remote.run(sq.text, bindings).boolean is answer


def test_same_graph_embedded_and_remote(oxigraph):
    sq = fixture_query("titles-of-type")
    embedded, remote = both(oxigraph)
    bindings = bind_parameters(sq, [("type", "doctype:decree")])
    local, distant = embedded.run(sq.text, bindings).graph, remote.run(sq.text, bindings).graph
    assert len(local) == 4 and isomorphic(local, distant)


def test_remote_refuses_before_sending(oxigraph):
    from laokg.errors import UnsafeQueryError

    remote = RemoteEngine(oxigraph)
    with pytest.raises(UnsafeQueryError):
        remote.run("DROP ALL")
    with pytest.raises(UnsafeQueryError):
        remote.run("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert remote.run("ASK { ?s ?p ?o }").boolean is True  # the data is still there


def test_remote_bad_query_is_one_line(oxigraph):
    remote = RemoteEngine(oxigraph.replace("/query", "/nope"))
    with pytest.raises(EndpointError) as exc:
        remote.run("ASK { ?s ?p ?o }")
    assert "HTTP 404" in str(exc.value) and "\n" not in str(exc.value)


# ---------------------------------------------------------------- endpoint failures


def test_unreachable_endpoint():
    port = _free_port()  # nothing listens there
    with pytest.raises(EndpointError, match=f"endpoint http://127.0.0.1:{port}/query: connection refused"):
        RemoteEngine(f"http://127.0.0.1:{port}/query", timeout=2).run("ASK { ?s ?p ?o }")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/q", "localhost:7878/query", ""])
def test_only_http_endpoints(url):
    with pytest.raises(EndpointError, match="only http:// and https://"):
        RemoteEngine(url)


class _Status(http.server.BaseHTTPRequestHandler):
    status = 503
    body = b"busy"

    def do_POST(self):
        self.send_response(self.status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def status_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Status)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/query"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "status, expected",
    [
        (503, "HTTP 503 Service Unavailable"),
        (429, "HTTP 429 Too Many Requests"),
        (403, "HTTP 403 Forbidden"),
        (500, "HTTP 500 Internal Server Error: busy"),
        (200, "malformed answer"),
    ],
)
def test_http_errors_become_endpoint_errors(status_server, status, expected):
    _Status.status = status
    with pytest.raises(EndpointError) as exc:
        RemoteEngine(status_server, timeout=5).run("SELECT * WHERE { ?s ?p ?o }")
    assert expected in str(exc.value) and "\n" not in str(exc.value)


def test_timeout():
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        start = time.monotonic()
        with pytest.raises(EndpointError, match="timed out"):
            RemoteEngine(f"http://127.0.0.1:{port}/query", timeout=1).run("ASK { ?s ?p ?o }")
        assert time.monotonic() - start < 10


def test_query_is_sent_by_post_as_sparql_query():
    seen = {}

    class Capture(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            seen["type"] = self.headers["Content-Type"]
            seen["accept"] = self.headers["Accept"]
            seen["body"] = self.rfile.read(int(self.headers["Content-Length"])).decode()
            body = b'{"head": {}, "boolean": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        # BASE with 'insert' in it would make SPARQLWrapper's regex guess an update: we set the form ourselves
        text = "BASE <http://example.org/insert/>\nASK { ?s ?p ?_v }"
        result = RemoteEngine(f"http://127.0.0.1:{server.server_address[1]}/query").run(text, {"_v": [Literal("x")]})
    finally:
        server.shutdown()
        server.server_close()
    assert result.boolean is True
    assert seen["type"] == "application/sparql-query"
    assert "application/sparql-results+json" in seen["accept"]
    assert seen["body"] == 'BASE <http://example.org/insert/>\nASK { VALUES ?_v { "x" } ?s ?p ?_v }'


# ---------------------------------------------------------------- GRAPH patterns (issue 9)


@pytest.mark.parametrize(
    "query,expected",
    [
        ("SELECT ?s WHERE { GRAPH <https://w3id.org/laokg/> { ?s ?p ?o } }", ["s"]),
        ("SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }", ["g,s"]),
        ("SELECT (COUNT(*) AS ?n) WHERE { { kg:mlsw a ?t } UNION { GRAPH ?g { kg:mlsw a ?t } } }", ["n", "1"]),
    ],
)
def test_graph_patterns_run_on_a_dataset_without_named_graphs(query, expected):
    """All data is in the default graph: GRAPH matches nothing, the rest answers as before."""
    from click.testing import CliRunner

    from laokg.cli import cli

    root = Path(__file__).resolve().parent / "fixtures" / "kg"
    result = CliRunner().invoke(cli, ["sparql", "--root", str(root), query, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == expected
