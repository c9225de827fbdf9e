"""Serialise a graph deterministically (same triples -> same bytes) and write it atomically.

Blank nodes are first relabelled canonically (:func:`laokg.graph.triples.canonical`), so their
labels depend only on the graph, never on parse order or the hash seed. Then:

* N-Triples, Turtle and JSON-LD: :mod:`laokg.graph.writers`, from the sorted triples as
  N-Triples term strings (a project's data never becomes an rdflib graph on this path, so a
  million-triple release takes seconds per format);
* RDF/XML: triples fed to rdflib's serializer in sorted order.

Every namespace used as a predicate or class gets a readable prefix (no ``ns1:``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from rdflib import BNode, Graph, Literal, URIRef

from laokg.errors import InputError, OutputError
from laokg.graph import checks, writers
from laokg.graph import triples as tr
from laokg.graph.atomic import write_atomic, write_files_atomic, write_output_file
from laokg.namespaces import PREFIXES

#: format name -> (rdflib serializer, file extension, media type)
FORMATS = {
    "turtle": ("turtle", ".ttl", "text/turtle"),
    "nt": ("nt", ".nt", "application/n-triples"),
    "jsonld": ("json-ld", ".jsonld", "application/ld+json"),
    "xml": ("xml", ".rdf", "application/rdf+xml"),
}


def _term_key(term) -> tuple:
    return (0 if isinstance(term, URIRef) else 1 if isinstance(term, BNode) else 2, term.n3())


def _namespaces(graph: Graph) -> list[tuple[str, str]]:
    return [(str(p), str(ns)) for p, ns in graph.namespace_manager.namespaces()]


@dataclass(frozen=True)
class Triples:
    """A graph ready to write: canonical, sorted triples (N-Triples term strings) and the
    prefixes to write them with (the bound ones plus a readable one per unbound vocabulary
    namespace)."""

    triples: list[tuple[str, str, str]]
    prefixes: list[tuple[str, str]]

    def __len__(self) -> int:
        return len(self.triples)

    @cached_property
    def shape(self):
        """Subjects, references and lists (:func:`laokg.graph.writers.structure`), made once
        for the Turtle and the JSON-LD."""
        return writers.structure(self.triples)


def prepare_triples(triples, prefixes) -> Triples:
    """:class:`Triples` from N-Triples term strings and ``(prefix, namespace)`` pairs."""
    ordered = tr.canonical(triples)
    return Triples(ordered, writers.complete_prefixes(ordered, prefixes))


def prepare_graph(graph: Graph) -> Triples:
    """:class:`Triples` from an rdflib graph (refusing what no writer can write exactly)."""
    check_writable(graph)
    return prepare_triples(tr.from_rdflib(graph), _namespaces(graph))


def canonical_graph(graph: Graph) -> Graph:
    """A copy of ``graph`` with canonical blank-node labels, triples inserted in sorted order,
    the same prefixes, and a prefix for every namespace used by a predicate or class."""
    ready = prepare_graph(graph)
    return tr.to_graph(ready.triples, ready.prefixes)


class _SortedGraph(Graph):
    """A view of a graph whose subjects and predicate-objects come out sorted, for
    serialisers (RDF/XML) that write them in store order."""

    def subjects(self, predicate=None, object=None, unique=False):  # rdflib's Graph.subjects
        return iter(sorted(set(super().subjects(predicate, object)), key=_term_key))

    def predicate_objects(self, subject=None, unique=False):
        pairs = set(super().predicate_objects(subject))
        return iter(sorted(pairs, key=lambda po: (_term_key(po[0]), _term_key(po[1]))))


def _rdfxml(graph: Graph) -> bytes:
    view = _SortedGraph(store=graph.store, identifier=graph.identifier, namespace_manager=graph.namespace_manager)
    return view.serialize(format="xml", encoding="utf-8")


def check_writable(graph: Graph) -> None:
    """Refuse a graph holding a term no UTF-8 writer can write (a lone surrogate), naming
    the node. rdflib's Turtle and RDF/XML writers would put a ``?`` in its place."""
    for triple in graph:
        for term in triple:
            if isinstance(term, (Literal, URIRef)) and (match := checks.LONE_SURROGATE.search(term)):
                code = ord(match.group())
                s, p, _ = triple
                raise OutputError(
                    f"cannot write the value of {s.n3()} {p.n3()}: it holds a lone surrogate "
                    f"U+{code:04X} (not a Unicode character); nothing written"
                )


def write_triples(ready: Triples, fmt: str) -> bytes:
    """Serialise prepared triples as ``fmt`` (turtle, nt, jsonld, xml)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt == "nt":
        return writers.ntriples(ready.triples)
    if fmt == "turtle":
        return writers.turtle(ready.triples, ready.prefixes, ready.shape)
    if fmt == "jsonld":
        return writers.jsonld(ready.triples, ready.prefixes, ready.shape)
    return _rdfxml(tr.to_graph(ready.triples, ready.prefixes))


def write_triples_file(ready: Triples, fmt: str, path) -> None:
    """:func:`write_triples` into the file ``path``; N-Triples, Turtle and JSON-LD are written a
    batch at a time (their text is never held whole: hundreds of megabytes at a million triples)."""
    if fmt == "nt":
        writers.write_ntriples(ready.triples, path)
    elif fmt == "turtle":
        writers.write_turtle(ready.triples, ready.prefixes, path, ready.shape)
    elif fmt == "jsonld":
        writers.write_jsonld(ready.triples, ready.prefixes, path, ready.shape)
    else:
        data = write_triples(ready, fmt)
        with open(path, "wb") as handle:
            handle.write(data)


def serialize(graph: Graph, fmt: str) -> bytes:
    """Serialise ``graph`` as ``fmt`` (turtle, nt, jsonld, xml), deterministically.

    A value that cannot be written exactly is an error (:func:`check_writable`), never altered."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    return write_triples(prepare_graph(graph), fmt)


def data_triples(root=None, extra=()) -> Triples:
    """The project's data graph, prepared for writing: parsed by Oxigraph when every file
    allows it (no rdflib graph), else through the rdflib loader (which reports what it finds)."""
    from laokg.graph.load import load_data_graph, load_data_text

    text = load_data_text(root, extra)
    if text is None:
        return prepare_graph(load_data_graph(root, extra))
    return prepare_triples(tr.from_ntriples(text.ntriples), text.prefixes)


# ---------------------------------------------------------------- writing


def export(root=None, fmt: str = "turtle", extra=(), graph: Graph | None = None) -> bytes:
    """Load the project at ``root`` and return its data graph serialised as ``fmt`` (or ``graph``'s)."""
    if graph is not None:
        return serialize(graph, fmt)
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    return write_triples(data_triples(root, extra), fmt)


__all__ = [
    "FORMATS",
    "PREFIXES",
    "Triples",
    "canonical_graph",
    "data_triples",
    "prepare_triples",
    "prepare_graph",
    "serialize",
    "write_triples",
    "write_triples_file",
    "write_atomic",
    "write_files_atomic",
    "write_output_file",
    "export",
]
