"""Triples as N-Triples term strings: the light model the release writers work on.

A term is its N-Triples text as Oxigraph writes it (``<iri>``, ``_:label``, ``"lexical"``,
``"lexical"@lang``, ``"lexical"^^<datatype>``), so a graph parsed by Oxigraph (the project's
files, a store, an endpoint's N-Triples) needs no conversion, and a graph from rdflib is
converted term by term through pyoxigraph, which gives the same text for the same term.
Million-triple graphs fit in plain tuples of strings, with no rdflib graph in between.

:func:`canonical` relabels blank nodes so their labels depend only on the graph: by a content
hash when they form trees (Turtle's ``[ ... ]`` and ``( ... )``), else with
``rdflib.compare.to_canonical_graph``. The hash labelling (:func:`tree_labels`) is shared
with the RDF/XML path of :mod:`laokg.graph.export`, which works on rdflib terms.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from laokg.errors import OutputError

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = f"<{RDF_NS}type>"
RDF_FIRST = f"<{RDF_NS}first>"
RDF_REST = f"<{RDF_NS}rest>"
RDF_NIL = f"<{RDF_NS}nil>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


@dataclass(frozen=True)
class Literal:
    """A literal's parts, still escaped as in N-Triples (``body`` is what sits between the quotes)."""

    body: str
    language: str | None
    datatype: str | None  # the IRI, without brackets; None for a plain string


def literal_parts(term: str) -> Literal:
    end = term.rfind('"')
    body, tail = term[1:end], term[end + 1 :]
    if tail.startswith("@"):
        return Literal(body, tail[1:], None)
    if tail.startswith("^^<"):
        return Literal(body, None, tail[3:-1])
    return Literal(body, None, None)


_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def unescape(body: str) -> str:
    """The text of an N-Triples string body (``\\n``, ``\\"``, ``\\u00e9`` ... decoded)."""
    if "\\" not in body:
        return body

    def one(match):
        short, long_, char = match.groups()
        if short or long_:
            return chr(int(short or long_, 16))
        return _SIMPLE.get(char, char)

    return _ESCAPE.sub(one, body)


# ---------------------------------------------------------------- reading


#: characters of N-Triples text split into lines at a time (a list of a million lines would
#: hold a second copy of the whole text)
_CHUNK = 1 << 22


def _lines(text: str):
    """The non-empty lines of ``text``, a chunk of lines at a time. Lines end at ``\\n`` only:
    Oxigraph escapes ``\\n`` and ``\\r`` in literals but writes U+0085, U+2028 and U+2029 as
    they are, which ``str.splitlines`` would take for line ends."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", min(start + _CHUNK, end) - 1)
        stop = end if stop < 0 else stop + 1
        yield from (line for line in text[start:stop].split("\n") if line)
        start = stop


def _triples(lines, term=None, terms: dict[str, str] | None = None) -> set[tuple[str, str, str]]:
    """The distinct triples of N-Triples lines as Oxigraph writes them (``s p o .``), each
    distinct term one string object (a graph repeats its subjects and predicates many times:
    shared, a million triples take about half the memory). ``term``: applied to each term first;
    ``terms``: the strings to share (with another graph read with the same dict)."""
    share = (terms if terms is not None else {}).setdefault
    out: set[tuple[str, str, str]] = set()
    add = out.add
    for line in lines:
        s, p, o = line.split(" ", 2)
        o = o[:-2]
        if term is not None:
            s, p, o = term(s), term(p), term(o)
        add((share(s, s), share(p, p), share(o, o)))
    return out


def from_ntriples(text: str) -> set[tuple[str, str, str]]:
    """The distinct triples of N-Triples text written by Oxigraph (``s p o .`` per line)."""
    return _triples(_lines(text))


def read_ntriples(path, terms: dict[str, str] | None = None) -> set[tuple[str, str, str]]:
    """:func:`from_ntriples` of a UTF-8 N-Triples file written by Oxigraph (or the release
    writers), read a chunk of lines at a time (never the whole text at once). ``terms``: a dict
    shared by the graphs read together (two releases), so a term they share is one string."""

    def lines():
        with open(path, encoding="utf-8", newline="\n") as handle:
            while True:
                chunk = handle.readlines(_CHUNK)
                if not chunk:
                    return
                yield from (line.rstrip("\n") for line in chunk if line != "\n")

    return _triples(lines(), terms=terms)


_WIDE = re.compile(r"\\(?:u([0-9A-F]{4})|U([0-9A-F]{8})|.)")


def _unwiden(match) -> str:
    code = int(match.group(1) or match.group(2) or "0", 16)
    return chr(code) if code >= 0x80 else match.group()


def from_ascii_ntriples(text: str) -> set[tuple[str, str, str]]:
    """:func:`from_ntriples` of N-Triples text written by Oxigraph and then made ASCII
    (:func:`laokg.graph.load.ascii_escaped`): every ``\\uXXXX``/``\\UXXXXXXXX`` escape of a
    character outside ASCII is turned back into the character, so the terms are exactly
    Oxigraph's (which writes such characters as they are and escapes only ASCII controls)."""

    def term(value: str) -> str:
        return _WIDE.sub(_unwiden, value) if "\\" in value else value

    return _triples(_lines(text), term)


_LABEL = re.compile(r"[A-Za-z0-9_]+")


def _ox_term(term):
    import pyoxigraph
    from rdflib import BNode, URIRef

    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        label = str(term)  # a label Oxigraph refuses gets a hash of itself (distinct labels stay distinct)
        return pyoxigraph.BlankNode(
            label if _LABEL.fullmatch(label) else "x" + hashlib.sha256(label.encode()).hexdigest()[:32]
        )
    datatype = pyoxigraph.NamedNode(str(term.datatype)) if term.datatype is not None else None
    return pyoxigraph.Literal(str(term), language=term.language, datatype=datatype)


def from_rdflib(graph) -> set[tuple[str, str, str]]:
    """The triples of an rdflib graph as N-Triples term strings (Oxigraph's text for each term).

    Raises :class:`OutputError` for an IRI no RDF syntax can write (Oxigraph refuses it)."""
    cache: dict = {}

    def text(term) -> str:
        try:
            return cache[term]
        except KeyError:
            try:
                cache[term] = value = str(_ox_term(term))
            except ValueError as exc:
                raise OutputError(f"cannot write the term {str(term)!r}: {exc}; nothing written") from None
            return value

    return {(text(s), text(p), text(o)) for s, p, o in graph}


def to_graph(triples, prefixes=()):
    """An rdflib graph of ``triples`` (blank-node labels kept, lexical forms as written), with
    ``prefixes`` bound."""
    import rdflib
    from rdflib import BNode, Graph, URIRef
    from rdflib import Literal as RdfLiteral

    def term(text: str):
        first = text[0]
        if first == "<":
            return URIRef(unescape(text[1:-1]))
        if first == "_":
            return BNode(text[2:])
        parts = literal_parts(text)
        return RdfLiteral(
            unescape(parts.body), lang=parts.language, datatype=URIRef(parts.datatype) if parts.datatype else None
        )

    graph = Graph(bind_namespaces="none")
    for prefix, ns in prefixes:
        graph.bind(prefix, ns, override=True, replace=True)
    previous, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        graph.addN((term(s), term(p), term(o), graph) for s, p, o in triples)
    finally:
        rdflib.NORMALIZE_LITERALS = previous
    return graph


# ---------------------------------------------------------------- canonical blank nodes


def tree_labels(triples, is_bnode, text) -> dict | None:
    """Canonical labels (``c`` + 32 hex digits) for blank nodes that form trees below IRIs.

    Each blank node's label is a hash of its content (recursively) and of where it hangs
    (parent label and predicate), so it depends only on the graph. Returns None when some
    blank node is the object of two triples or lies on a cycle; then the general (slower)
    rdflib canonicalisation is needed. Twin subtrees (same parent, predicate and content)
    are interchangeable, so numbering them in either order gives the same triples.
    ``is_bnode(term)`` and ``text(term)`` adapt it to a term model (strings or rdflib).
    """
    outgoing: dict = {}
    incoming: dict = {}
    for s, p, o in triples:
        if is_bnode(s):
            outgoing.setdefault(s, []).append((p, o))
        if is_bnode(o):
            if o in incoming:
                return None
            incoming[o] = (s, p)
    nodes = set(outgoing) | set(incoming)
    order = [n for n in nodes if n not in incoming or not is_bnode(incoming[n][0])]
    index = 0
    while index < len(order):  # breadth-first from the tops: parents first
        node = order[index]
        index += 1
        order.extend(o for _, o in outgoing.get(node, ()) if is_bnode(o))
    if len(order) != len(nodes):  # some blank nodes only reachable round a cycle
        return None

    def digest(value: str) -> str:
        return hashlib.sha256(value.encode("utf-8")).hexdigest()

    content: dict = {}
    for node in reversed(order):  # children before parents
        parts = sorted(f"{text(p)} {'_:' + content[o] if is_bnode(o) else text(o)}" for p, o in outgoing.get(node, ()))
        content[node] = digest("\n".join(parts))
    labels: dict = {}
    taken: set = set()
    for node in order:  # parents before children
        parent = incoming.get(node)
        if parent is None:
            where = ""
        else:
            s, p = parent
            where = f"{'_:' + labels[s] if is_bnode(s) else text(s)} {text(p)}"
        base = "c" + digest(f"{where}|{content[node]}")[:32]
        name, n = base, 1
        while name in taken:  # a twin
            name, n = f"{base}x{n}", n + 1
        taken.add(name)
        labels[node] = name
    return labels


def _is_bnode(term: str) -> bool:
    return term[0] == "_"


def canonical(triples) -> list[tuple[str, str, str]]:
    """The distinct ``triples`` with canonical blank-node labels, sorted by their text
    (subject, predicate, object): IRI subjects before blank ones; among objects, literals
    (``"``) before IRIs (``<``) before blank nodes (``_``). In this order the N-Triples lines
    ``s p o .`` are sorted too (a space sorts before any character that can follow a term)."""
    triples = set(triples)
    blank = [t for t in triples if t[0][0] == "_" or t[2][0] == "_"]  # the only ones relabelled
    if blank:
        labels = tree_labels(blank, _is_bnode, str)
        if labels is None:
            triples = _rdflib_canonical(triples)
        else:

            def relabel(term):
                return "_:" + labels[term] if term[0] == "_" else term

            triples.difference_update(blank)
            triples.update((relabel(s), p, relabel(o)) for s, p, o in blank)
    return sorted(triples)


def _rdflib_canonical(triples) -> set:
    from rdflib.compare import to_canonical_graph

    return from_rdflib(to_canonical_graph(to_graph(triples)))


__all__ = [
    "Literal",
    "canonical",
    "from_ascii_ntriples",
    "from_ntriples",
    "read_ntriples",
    "from_rdflib",
    "literal_parts",
    "to_graph",
    "tree_labels",
    "unescape",
]
