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
from .servers import Oxigraph

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
        s.sendall(f"PUT /store?default HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/n-triples\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n".encode() + b"<http://example.org/only-this> <http://example.org/p> \"x\" .\n"
                  + body[: len(body) // 2])
    time.sleep(0.5)  # let the server see the connection close
    assert store.count() == len(real_graph())
    assert (URIRef("http://example.org/only-this"), None, None) not in _remote_graph(store)


def test_a_failed_push_says_the_previous_graph_is_kept(store):
    assert _push(store).exit_code == 0
    result = invoke("push", store.base + "/nope", "--endpoint", store.query_url, "--root", str(ROOT))
    assert_one_line_error(result, "HTTP 404", "keeps its previous graph",
                          f"still holds {len(real_graph()):,} triples")


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
    ["show", "MLSW"], ["show", "kg:decree-245-2020", "--format", "json"], ["show", "MLSW", "--format", "nt"],
    ["search", "ministry"], ["search", "labour law", "--format", "csv"],
    ["trace", "kg:decree-245-2020"], ["trace", "kg:decree-245-2020", "--format", "json"],
    ["trace", "--source", "kg:mou-laos-thailand-2002"],
    ["audit"], ["audit", "--format", "json"], ["stats"], ["stats", "--format", "json"],
    ["export"], ["export", "--format", "nt"], ["export", "--format", "jsonld"], ["validate"],
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
