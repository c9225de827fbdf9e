"""Publish the graph to a triple store by the SPARQL 1.1 Graph Store HTTP Protocol.

:func:`push` refuses a graph that does not validate, sends it as N-Triples in **one** ``PUT``
(which replaces the target graph; Oxigraph, Fuseki and GraphDB apply it in one transaction,
so a failed or interrupted upload leaves the previous graph in place), then asks the query
endpoint what arrived: the triple count, and the whole graph compared with the local one
(isomorphism, blank nodes included).

An upload whose answer is an error may still have been applied (a proxy answering 504 after
the store took it; the client's deadline passing while the store works). So push reads the
store's graph before the PUT (its count and canonical digest) and, after a failed PUT, again:
it then says whether the store holds its previous graph, the pushed one, or neither. It never
claims the previous graph was kept without having looked.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from laokg.errors import EndpointError, InputError, ValidationFailed, VerificationFailed
from laokg.query.remote import sparql
from laokg.query.transport import RemoteOptions, mask, parse_url, request


@dataclass
class PushResult:
    store_url: str  # the PUT target, masked
    query_url: str | None  # where it was verified (masked), None if not verified
    graph: str | None  # named graph IRI, None = the default graph
    triples: int
    remote_triples: int | None
    note: str | None = None  # set when the store's answer to the PUT was lost but it holds the graph


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


def _snapshot(query_url: str, graph: str | None, options: RemoteOptions) -> tuple[int, str]:
    """The store's graph now: (triple count, canonical digest). The graph itself is not kept."""
    fetched = sparql(query_url, _graph_query(graph), "CONSTRUCT", options).graph
    return len(fetched), _digest(fetched)


def _digest(graph) -> str:
    """A digest of the graph's canonical N-Triples (the release writers' blank-node labelling:
    equal digests = isomorphic graphs, blank nodes included). rdflib's ``to_isomorphic`` gives
    the same verdict but took seconds a graph on the real graph's 326 blank nodes."""
    import hashlib

    from laokg.graph.triples import canonical, from_rdflib

    text = "\n".join(" ".join(t) for t in canonical(from_rdflib(graph)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _unconfirmed(exc: EndpointError) -> bool:
    """Whether the failed PUT may still be applied later (the store may still be working on it)."""
    text = str(exc)
    return "timed out" in text or "HTTP 5" in text or "connection reset" in text or "truncated" in text


def _after_failure(
    exc: EndpointError,
    query_url: str | None,
    graph: str | None,
    options: RemoteOptions,
    before: tuple[int, str] | None,
    new: tuple[int, str],
) -> str | None:
    """What the store holds after a failed PUT: None if it holds the pushed graph, else the message."""
    if not query_url:
        return (
            f"{exc}; push failed, and what the store holds is unknown: give --endpoint QUERY_URL "
            f"to check it (a Graph Store PUT replaces the graph whole or not at all)"
        )
    try:
        now = _snapshot(query_url, graph, options)
    except EndpointError as again:
        return f"{exc}; push failed, and the store could not be re-read ({again}): what it holds is unknown"
    if now == new:
        if before == new:  # nothing shows that this PUT did anything: a wrong URL must not pass
            return (
                f"{exc}; push failed: the store holds the pushed graph ({now[0]:,} triples), but it held "
                f"it before the push too"
            )
        return None
    later = "; it may still replace it if it is working on the upload (check again later)" if _unconfirmed(exc) else ""
    if before is not None and now == before:
        return (
            f"{exc}; push failed: the store still holds its previous graph ({now[0]:,} triples, "
            f"checked by count and isomorphism){later}"
        )
    if before is None:
        return (
            f"{exc}; push failed: the store holds {now[0]:,} triples, not the pushed graph "
            f"({new[0]:,}); its graph before the push could not be read{later}"
        )
    return (
        f"{exc}; push failed: the store holds {now[0]:,} triples, neither its previous graph "
        f"({before[0]:,}) nor the pushed one ({new[0]:,}): another client may have changed it"
    )


def push(
    store_url: str,
    root=None,
    extra=(),
    graph: str | None = None,
    query_url: str | None = None,
    options: RemoteOptions | None = None,
) -> PushResult:
    """Validate the project's graph, PUT it to ``store_url`` and verify it through ``query_url``.

    A store that returns some literals in its own form (Virtuoso 7: ``xsd:duration`` as a
    number, ``xsd:boolean`` as 1/0) passes when the graphs are the same by value; the result's
    note says so."""
    import warnings

    from laokg.query.remote import RemoteLiteralWarning

    with warnings.catch_warnings():  # literals in a store's own form: compared by value, said in the result
        warnings.simplefilter("ignore", RemoteLiteralWarning)
        return _push(store_url, root, extra, graph, query_url, options)


def _push(store_url, root, extra, graph, query_url, options) -> PushResult:
    from laokg.graph.export import serialize
    from laokg.graph.load import load_data_graph, load_shapes
    from laokg.graph.validate import run_shacl, summary

    options = options or RemoteOptions()
    parse_url(store_url, "store")
    if graph is not None and (any(c in graph for c in '<>" {}|^`\\') or ":" not in graph):
        raise InputError(f"--graph '{graph}': not an absolute IRI")
    query_url = query_url or guess_query_url(store_url)
    if query_url:
        parse_url(query_url)

    data = load_data_graph(root, extra)
    result = run_shacl(data, load_shapes(root))
    if not result.conforms:
        raise ValidationFailed(
            f"the graph does not validate ({summary(result)}); nothing was sent to {mask(store_url)}"
        )
    body = serialize(data, "nt")
    target = target_url(store_url, graph)
    before = None
    if query_url:
        try:
            before = _snapshot(query_url, graph, options)
        except EndpointError:
            before = None  # the verification below will say what is wrong with the endpoint
    try:
        request(target, "PUT", body, {"Content-Type": "application/n-triples"}, options, what="store")
    except EndpointError as exc:
        problem = _after_failure(exc, query_url, graph, options, before, (len(data), _digest(data)))
        if problem:
            raise EndpointError(problem) from None
        return PushResult(
            mask(target),
            mask(query_url),
            graph,
            len(data),
            len(data),
            note=f"the store's answer to the upload was lost ({exc}); re-read, it holds the pushed "
            f"graph (count and isomorphism)",
        )
    if not query_url:
        return PushResult(mask(target), None, graph, len(data), None)
    count = remote_count(query_url, graph, options)
    if count != len(data):
        raise VerificationFailed(
            f"pushed {len(data):,} triples to {mask(target)} but {mask(query_url)} counts {count:,}"
        )
    fetched = sparql(query_url, _graph_query(graph), "CONSTRUCT", options).graph
    note = None
    if _digest(fetched) != _digest(data):
        mine, changed_here = by_value(data)
        theirs, changed_there = by_value(fetched)
        if not changed_there or _digest(mine) != _digest(theirs):
            raise VerificationFailed(
                f"{mask(query_url)} returns {len(fetched):,} triples that are not the pushed graph "
                f"(the store rewrote some terms?{_first_change(mine, theirs)})"
            )
        note = (
            f"the store returns {changed_there:,} literal{'s' if changed_there != 1 else ''} in its own form "
            f"(xsd:duration as a number of months or seconds, xsd:boolean as 1/0): compared by value, the same"
        )
    return PushResult(mask(target), mask(query_url), graph, len(data), count, note=note)


def _first_change(mine, theirs) -> str:
    """`` e.g. S P "local" became "store's"`` for the first differing triple without blank nodes."""
    from rdflib import BNode, Literal

    from laokg.errors import escape_control

    def plain(g):
        return {t for t in g if not any(isinstance(x, BNode) for x in t)}

    a, b = plain(mine), plain(theirs)
    for s, p, o in sorted(a - b):
        for _, _, o2 in sorted(x for x in b - a if x[0] == s and x[1] == p):
            if isinstance(o, Literal):
                return escape_control(f"; e.g. <{s}> <{p}>: {o.n3()} came back as {o2.n3()}")[:300]
    return ""


def _duration_number(text: str) -> float | None:
    """A duration as a store that keeps it as a number gives it: months when it has only
    year/month parts, seconds when it has only day/time parts (Virtuoso 7); None otherwise."""
    import re

    m = re.fullmatch(r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?", text)
    if m and text not in ("P", "-P") and not text.endswith("T"):
        sign = -1 if m.group(1) else 1
        y, mo, d, h, mi, sec = (m.group(i) for i in range(2, 8))
        if (y or mo) and not (d or h or mi or sec):
            return sign * float(int(y or 0) * 12 + int(mo or 0))
        if not (y or mo):
            return sign * (int(d or 0) * 86400 + int(h or 0) * 3600 + int(mi or 0) * 60 + float(sec or 0))
        return None
    try:
        return float(text)
    except ValueError:
        return None


def by_value(g):
    """``g`` with xsd:boolean and xsd:duration literals in one form (booleans true/false,
    durations as a number, see :func:`_duration_number`), and how many literals changed."""
    from rdflib import Graph

    from laokg.query.remote import quiet_literals

    out, changed = Graph(), 0
    with quiet_literals():
        for s, p, o, new in _by_value_triples(g):
            if str(new) != str(o) and not str(o).startswith("P") and str(o) not in ("true", "false"):
                changed += 1
            out.add((s, p, new))
    return out, changed


def _by_value_triples(g):
    from rdflib import Literal
    from rdflib.namespace import XSD

    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == XSD.boolean and str(o) in ("0", "1", "true", "false"):
            new = Literal("true" if str(o) in ("1", "true") else "false", datatype=XSD.boolean)
        elif isinstance(o, Literal) and o.datatype == XSD.duration and _duration_number(str(o)) is not None:
            new = Literal(repr(_duration_number(str(o))), datatype=XSD.duration)
        else:
            new = o
        yield s, p, o, new
