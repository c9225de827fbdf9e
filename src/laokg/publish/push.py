"""Publish the graph to a triple store by the SPARQL 1.1 Graph Store HTTP Protocol.

:func:`push` refuses a graph that does not validate, sends it as N-Triples in **one** ``PUT``
(which replaces the target graph; Oxigraph, Fuseki and GraphDB apply it in one transaction,
so a failed or interrupted upload leaves the previous graph in place), then asks the query
endpoint what arrived: the triple count, and the whole graph compared with the local one
(isomorphism, blank nodes included).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from laokg.errors import EndpointError, InputError, ValidationFailed, VerificationFailed
from laokg.query.remote import RemoteOptions, mask, parse_url, request, sparql


@dataclass
class PushResult:
    store_url: str  # the PUT target, masked
    query_url: str | None  # where it was verified (masked), None if not verified
    graph: str | None  # named graph IRI, None = the default graph
    triples: int
    remote_triples: int | None


def target_url(store_url: str, graph: str | None) -> str:
    """The Graph Store Protocol URL: ``STORE?default`` or ``STORE?graph=<encoded IRI>``."""
    joiner = "&" if "?" in store_url else "?"
    return store_url + joiner + ("graph=" + quote(graph, safe="") if graph else "default")


def guess_query_url(store_url: str) -> str | None:
    """Oxigraph's layout: ``…/store`` is paired with ``…/query``."""
    base = store_url.split("?", 1)[0]
    return base[: -len("/store")] + "/query" if base.endswith("/store") else None


def _count_query(graph: str | None) -> str:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"


def _graph_query(graph: str | None) -> str:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}"


def remote_count(query_url: str, graph: str | None, options: RemoteOptions) -> int:
    res = sparql(query_url, _count_query(graph), "SELECT", options)
    try:
        return int(res.rows[0]["n"])
    except (IndexError, KeyError, ValueError):
        raise EndpointError(f"endpoint {mask(query_url)}: malformed answer to a COUNT query") from None


def push(store_url: str, root=None, extra=(), graph: str | None = None, query_url: str | None = None,
         options: RemoteOptions | None = None) -> PushResult:
    """Validate the project's graph, PUT it to ``store_url`` and verify it through ``query_url``."""
    from rdflib.compare import to_isomorphic

    from laokg.graph.export import serialize
    from laokg.graph.load import load_data_graph, load_shapes
    from laokg.graph.validate import run_shacl, summary

    options = options or RemoteOptions()
    parse_url(store_url, "store")
    if graph is not None:
        if any(c in graph for c in '<>" {}|^`\\') or ":" not in graph:
            raise InputError(f"--graph '{graph}': not an absolute IRI")
    query_url = query_url or guess_query_url(store_url)
    if query_url:
        parse_url(query_url)

    data = load_data_graph(root, extra)
    result = run_shacl(data, load_shapes(root))
    if not result.conforms:
        raise ValidationFailed(f"the graph does not validate ({summary(result)}); nothing was sent to {mask(store_url)}")
    body = serialize(data, "nt")
    target = target_url(store_url, graph)
    try:
        request(target, "PUT", body, {"Content-Type": "application/n-triples"}, options, what="store")
    except EndpointError as exc:
        kept = ""
        if query_url:
            try:
                kept = f"; the store still holds {remote_count(query_url, graph, options):,} triples there"
            except EndpointError:
                kept = ""
        raise EndpointError(f"{exc}; push failed: the store keeps its previous graph (a Graph Store PUT "
                            f"replaces it in one step or not at all){kept}") from None
    if not query_url:
        return PushResult(mask(target), None, graph, len(data), None)
    count = remote_count(query_url, graph, options)
    if count != len(data):
        raise VerificationFailed(f"pushed {len(data):,} triples to {mask(target)} but {mask(query_url)} counts {count:,}")
    fetched = sparql(query_url, _graph_query(graph), "CONSTRUCT", options).graph
    if to_isomorphic(fetched) != to_isomorphic(data):
        raise VerificationFailed(f"{mask(query_url)} returns {len(fetched):,} triples that are not the pushed graph "
                                 f"(the store rewrote some terms?)")
    return PushResult(mask(target), mask(query_url), graph, len(data), count)
