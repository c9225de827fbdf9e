"""``laokg push``: the validated graph into a real Oxigraph server (Graph Store Protocol PUT),
verified through its query endpoint; refused and interrupted pushes leave the previous graph;
and every graph-reading command gives, with ``--endpoint``, the bytes and exit code it gives
on the project files."""

from __future__ import annotations

import socket
import time
import urllib.parse

import pytest
from rdflib import URIRef

from .coretools import assert_one_line_error, invoke
from .saved_query_support import ROOT, real_graph
from .servers import Oxigraph, serve_in_thread, shut_down

EXTRA = """@prefix ex: <http://example.org/laokg-push/> .
ex:a ex:b "an extra triple" .
"""
INVALID = """@prefix doco: <http://purl.org/spar/doco/> .
<https://w3id.org/laokg/id/bad-footnote> a doco:Footnote .
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    srv = Oxigraph(tmp_path_factory.mktemp("oxigraph-push"))
    yield srv
    srv.stop()


def _push(store, *extra):
    return invoke("push", srv_store(store), "--endpoint", store.query_url, "--root", str(ROOT), *extra)


def srv_store(store):
    return store.store_url


def _remote_graph(store, graph=None):
    from laokg.publish.push import _graph_query
    from laokg.query.remote import sparql

    return sparql(store.query_url, _graph_query(graph), "CONSTRUCT").graph


def test_push_round_trip_is_isomorphic(store):
    from rdflib.compare import isomorphic

    result = _push(store)
    assert result.exit_code == 0, result.output
    n = len(real_graph())
    assert f"Pushed {n:,} triples to {store.store_url}?default (the default graph)." in result.output
    assert f"Verified through {store.query_url}: {n:,} triples, the same graph." in result.output
    assert store.count() == n
    assert isomorphic(_remote_graph(store), real_graph())


def test_a_second_push_replaces(store, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    assert _push(store, "--data", str(extra)).exit_code == 0
    assert store.count() == len(real_graph()) + 1
    assert _push(store).exit_code == 0
    assert store.count() == len(real_graph())


def test_a_graph_that_does_not_validate_is_not_sent(store, tmp_path):
    assert _push(store).exit_code == 0
    bad = tmp_path / "bad.ttl"
    bad.write_text(INVALID, encoding="utf-8")
    assert_one_line_error(_push(store, "--data", str(bad)), "does not validate", "nothing was sent", code=1)
    assert store.count() == len(real_graph())


def test_an_interrupted_upload_leaves_the_previous_graph(store):
    """A client killed mid-upload: the PUT's body stops half-way and the connection closes."""
    from laokg.graph.export import serialize

    assert _push(store).exit_code == 0
    body = serialize(real_graph(), "nt")
    with socket.create_connection(("127.0.0.1", store.port)) as s:
        s.sendall(
            f"PUT /store?default HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/n-triples\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + b'<http://example.org/only-this> <http://example.org/p> "x" .\n'
            + body[: len(body) // 2]
        )
    time.sleep(0.5)  # let the server see the connection close
    assert store.count() == len(real_graph())
    assert (URIRef("http://example.org/only-this"), None, None) not in _remote_graph(store)


def test_a_failed_push_says_the_previous_graph_is_kept(store, tmp_path):
    assert _push(store).exit_code == 0
    extra = tmp_path / "extra.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    result = invoke(
        "push", store.base + "/nope", "--endpoint", store.query_url, "--root", str(ROOT), "--data", str(extra)
    )
    assert_one_line_error(
        result,
        "HTTP 404",
        "the store still holds its previous graph",
        f"({len(real_graph()):,} triples, checked by count and isomorphism)",
    )
    assert "may still replace" not in result.stderr  # a 404 is not an upload in progress
    # the same graph again to a wrong URL: the store holds it, but this push did nothing
    result = invoke("push", store.base + "/nope", "--endpoint", store.query_url, "--root", str(ROOT))
    assert_one_line_error(result, "HTTP 404", "held it before the push too")


class _Proxy:
    """A Graph Store proxy on 127.0.0.1 in front of ``store``: each PUT is forwarded (or not),
    then answered with ``status`` after ``delay`` seconds, as a gateway that lost the answer."""

    def __init__(self, store, status=504, delay=0.0, forward=True, rewrite=None):
        import http.server
        import urllib.request

        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PUT(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if rewrite:
                    body = rewrite(body)
                if forward:
                    req = urllib.request.Request(
                        store.base + self.path,
                        data=body,
                        method="PUT",
                        headers={"Content-Type": self.headers["Content-Type"]},
                    )
                    with urllib.request.urlopen(req, timeout=60) as r:
                        proxy.store_status = r.status
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", "16")
                    self.end_headers()
                    self.wfile.write(b"gateway timeout\n")
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.store_status = None
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.store_url = serve_in_thread(self.server) + "/store"

    def close(self):
        shut_down(self.server)


def _push_through(proxy, store, *extra):
    return invoke("push", proxy.store_url, "--endpoint", store.query_url, "--root", str(ROOT), *extra)


def test_a_504_after_the_store_applied_the_put_says_it_holds_the_new_graph(store, tmp_path):
    """Before: "the store keeps its previous graph" while it held the new one (issue 17)."""
    assert _push(store).exit_code == 0
    extra = tmp_path / "extra.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    proxy = _Proxy(store, status=504)
    try:
        result = _push_through(proxy, store, "--data", str(extra), "--retries", "0")
    finally:
        proxy.close()
    assert proxy.store_status in (200, 201, 204)
    n = len(real_graph()) + 1
    assert store.count() == n
    assert result.exit_code == 0, result.output
    assert "HTTP 504" in result.stdout
    assert "holds the pushed graph" in result.stdout
    assert "previous graph" not in result.output
    assert f"Verified through {store.query_url}: {n:,} triples, the same graph." in result.stdout


def test_an_answer_later_than_the_client_deadline_is_checked_too(store, tmp_path):
    assert _push(store).exit_code == 0
    extra = tmp_path / "extra.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    proxy = _Proxy(store, status=204, delay=8.0)
    try:
        result = _push_through(proxy, store, "--data", str(extra), "--timeout", "4", "--retries", "0")
    finally:
        proxy.close()
    assert store.count() == len(real_graph()) + 1
    assert result.exit_code == 0, result.output
    assert "timed out" in result.stdout and "holds the pushed graph" in result.stdout


def test_a_504_before_the_store_got_the_put_says_the_previous_graph_is_there(store, tmp_path):
    assert _push(store).exit_code == 0
    extra = tmp_path / "extra.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    proxy = _Proxy(store, status=504, forward=False)
    try:
        result = _push_through(proxy, store, "--data", str(extra), "--retries", "0")
    finally:
        proxy.close()
    assert store.count() == len(real_graph())
    assert_one_line_error(
        result,
        "HTTP 504",
        "the store still holds its previous graph",
        f"({len(real_graph()):,} triples",
        "may still replace it",
    )


def test_a_store_holding_neither_graph_is_reported(store, tmp_path):
    assert _push(store).exit_code == 0
    extra = tmp_path / "extra.ttl"
    extra.write_text(EXTRA, encoding="utf-8")
    proxy = _Proxy(store, status=504, rewrite=lambda body: body.split(b"\n", 1)[0] + b"\n")
    try:
        result = _push_through(proxy, store, "--data", str(extra), "--retries", "0")
    finally:
        proxy.close()
    assert store.count() == 1
    assert_one_line_error(
        result,
        "HTTP 504",
        "the store holds 1 triples, neither its previous graph",
        f"({len(real_graph()):,}) nor the pushed one ({len(real_graph()) + 1:,})",
    )
    assert _push(store).exit_code == 0


def test_without_a_query_endpoint_a_failed_push_says_the_state_is_unknown(store, tmp_path):
    proxy = _Proxy(store, status=504, forward=False)
    try:
        result = invoke("push", proxy.store_url.replace("/store", "/data"), "--root", str(ROOT), "--retries", "0")
    finally:
        proxy.close()
    assert_one_line_error(result, "HTTP 504", "what the store holds is unknown", "--endpoint")


def test_push_into_a_named_graph(store):
    iri = "https://w3id.org/laokg/graph/release"
    result = _push(store, "--graph", iri)
    assert result.exit_code == 0, result.output
    assert f"?graph={urllib.parse.quote(iri, safe='')}" in result.output
    assert len(_remote_graph(store, iri)) == len(real_graph())


def test_push_needs_an_http_store():
    assert_one_line_error(invoke("push", "ftp://example.org/store"), "only http:// and https://")


# ---------------------------------------------------------------- every command on the endpoint

COMMANDS = [
    ["show", "MLSW"],
    ["show", "kg:decree-245-2020", "--format", "json"],
    ["show", "MLSW", "--format", "nt"],
    ["search", "ministry"],
    ["search", "labour law", "--format", "csv"],
    ["trace", "kg:decree-245-2020"],
    ["trace", "kg:decree-245-2020", "--format", "json"],
    ["trace", "--source", "kg:mou-laos-thailand-2002"],
    ["audit"],
    ["audit", "--format", "json"],
    ["stats"],
    ["stats", "--format", "json"],
    ["export"],
    ["export", "--format", "nt"],
    ["export", "--format", "jsonld"],
    ["validate"],
    ["validate", "--format", "json"],
    ["query", "run", "instruments", "-p", "type=doctype:decree", "--format", "csv"],
    ["query", "run", "instruments", "-p", "country=Thailand", "--format", "tsv"],
    ["sparql", "ASK { kg:mlsw a org:FormalOrganization }"],
    ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_same_output_and_exit_code_with_endpoint(store, command):
    assert _push(store).exit_code == 0
    local = invoke(*command, "--root", str(ROOT))
    remote = invoke(*command, "--root", str(ROOT), "--endpoint", store.query_url)
    assert (remote.exit_code, remote.stdout) == (local.exit_code, local.stdout), remote.stderr
    assert local.exit_code in (0, 1), local.output
