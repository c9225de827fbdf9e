"""Serialise a graph deterministically (same triples -> same bytes) and write it atomically.

Blank nodes are first relabelled canonically (by a content hash when they form trees, as
Turtle's ``[ ... ]`` do; else with ``rdflib.compare.to_canonical_graph``), so their labels
depend only on the graph, never on parse order or the hash seed. Then:

* N-Triples: lines sorted;
* Turtle: rdflib's serializer (it sorts subjects, predicates and objects), writing each
  literal's lexical form unchanged;
* JSON-LD: compacted with a context of the bound prefixes; nodes and values sorted;
* RDF/XML: triples fed to rdflib's serializer in sorted order.

Every namespace used as a predicate or class gets a readable prefix (no ``ns1:``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import tempfile
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from laokg.errors import InputError, OutputError
from laokg.namespaces import PREFIXES

#: format name -> (rdflib serializer, file extension, media type)
FORMATS = {
    "turtle": ("turtle", ".ttl", "text/turtle"),
    "nt": ("nt", ".nt", "application/n-triples"),
    "jsonld": ("json-ld", ".jsonld", "application/ld+json"),
    "xml": ("xml", ".rdf", "application/rdf+xml"),
}

_SPLIT = re.compile(r"^(.*[/#])([^/#]*)$")


# ---------------------------------------------------------------- preparing the graph


def _term_key(term) -> tuple:
    return (0 if isinstance(term, URIRef) else 1 if isinstance(term, BNode) else 2, term.n3())


def _triple_key(triple) -> tuple:
    return tuple(_term_key(t) for t in triple)


def _namespaces(graph: Graph) -> list[tuple[str, str]]:
    return [(str(p), str(ns)) for p, ns in graph.namespace_manager.namespaces()]


def _fresh_prefix(ns: str, taken: set[str]) -> str:
    """A readable prefix for a namespace nobody bound: its last path segment."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", ns.lower()) if w]
    stop = {"http", "https", "www", "org", "com", "net", "ns", "ontology", "ontologies", "vocab", "schema", "terms", "core"}
    base = next((w for w in reversed(words) if w not in stop and w[0].isalpha()), "ns")
    base = base[:12]
    prefix, n = base, 2
    while prefix in taken:
        prefix, n = f"{base}{n}", n + 1
    return prefix


def _tree_labels(graph: Graph) -> dict | None:
    """Canonical labels for blank nodes that form trees below IRIs (Turtle's ``[ ... ]`` and
    ``( ... )``).

    Each blank node's label is a hash of its content (recursively) and of where it hangs
    (parent label and predicate), so it depends only on the graph. Returns None when some
    blank node is the object of two triples or lies on a cycle; then the general (slower)
    rdflib canonicalisation is used. Twin subtrees (same parent, predicate and content) are
    interchangeable, so numbering them in either order gives the same triples.
    """
    outgoing: dict = {}
    incoming: dict = {}
    for s, p, o in graph:
        if isinstance(s, BNode):
            outgoing.setdefault(s, []).append((p, o))
        if isinstance(o, BNode):
            if o in incoming:
                return None
            incoming[o] = (s, p)
    nodes = set(outgoing) | set(incoming)
    # breadth-first from the tops (blank nodes not below another blank node): parents first
    order = [n for n in nodes if not isinstance(incoming.get(n, (None,))[0], BNode)]
    index = 0
    while index < len(order):
        node = order[index]
        index += 1
        order.extend(o for _, o in outgoing.get(node, ()) if isinstance(o, BNode))
    if len(order) != len(nodes):  # some blank nodes only reachable round a cycle
        return None

    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    content: dict = {}
    for node in reversed(order):  # children before parents
        parts = sorted(
            f"{p.n3()} {'_:' + content[o] if isinstance(o, BNode) else o.n3()}" for p, o in outgoing.get(node, ())
        )
        content[node] = digest("\n".join(parts))
    labels: dict = {}
    taken: set = set()
    for node in order:  # parents before children
        parent = incoming.get(node)
        if parent is None:
            where = ""
        else:
            s, p = parent
            where = f"{labels[s].n3() if isinstance(s, BNode) else s.n3()} {p.n3()}"
        base = "c" + digest(f"{where}|{content[node]}")[:32]
        name, n = base, 1
        while name in taken:  # a twin
            name, n = f"{base}x{n}", n + 1
        taken.add(name)
        labels[node] = BNode(name)
    return labels


def canonical_triples(graph: Graph) -> list:
    """The triples of ``graph`` with canonical blank-node labels, sorted."""
    if not any(isinstance(t, BNode) for triple in graph for t in (triple[0], triple[2])):
        triples = list(graph)
    else:
        labels = _tree_labels(graph)
        if labels is None:
            from rdflib.compare import to_canonical_graph

            triples = list(to_canonical_graph(graph))
        else:
            triples = [(labels.get(s, s), p, labels.get(o, o)) for s, p, o in graph]
    triples.sort(key=_triple_key)
    return triples


def canonical_graph(graph: Graph) -> Graph:
    """A copy of ``graph`` with canonical blank-node labels, triples inserted in sorted order,
    the same prefixes, and a prefix for every namespace used by a predicate or class."""
    triples = canonical_triples(graph)
    out = Graph(bind_namespaces="none")
    bound = _namespaces(graph)
    for prefix, ns in bound:
        out.bind(prefix, ns, override=True, replace=True)
    taken = {p for p, _ in bound}
    known = {ns for _, ns in bound}
    # namespaces the Turtle/XML serialisers would otherwise call ns1, ns2, ...
    vocab = {p for _, p, _ in triples} | {o for _, p, o in triples if p == RDF.type and isinstance(o, URIRef)}
    for iri in sorted(vocab):
        match = _SPLIT.match(str(iri))
        if match and match.group(2) and not any(str(iri).startswith(ns) for ns in known):
            ns = match.group(1)
            prefix = _fresh_prefix(ns, taken)
            out.bind(prefix, ns, override=True, replace=True)
            taken.add(prefix)
            known.add(ns)
    out.addN((s, p, o, out) for s, p, o in triples)
    return out


# ---------------------------------------------------------------- serialisers


def _ntriples(graph: Graph) -> bytes:
    text = graph.serialize(format="nt", encoding="utf-8")
    lines = sorted(set(line for line in text.splitlines() if line.strip()))
    return b"\n".join(lines) + b"\n" if lines else b""


def _used_context(graph: Graph) -> dict[str, str]:
    """The bound prefixes whose namespace some IRI of the graph (or datatype) uses."""
    iris = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef):
                iris.add(str(term))
            elif isinstance(term, Literal) and term.datatype is not None:
                iris.add(str(term.datatype))
    context = {}
    for prefix, ns in sorted(_namespaces(graph)):
        if prefix and prefix != "xml" and any(iri.startswith(ns) for iri in iris):
            context[prefix] = ns
    return context


def _sort_jsonld(value):
    """Sort @graph nodes and multi-valued properties; keep @list order (it is data)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "@list" and isinstance(item, list):
                out[key] = [_sort_jsonld(v) for v in item]
            elif key == "@context":
                out[key] = item
            else:
                out[key] = _sort_jsonld(item)
        return out
    if isinstance(value, list):
        items = [_sort_jsonld(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _jsonld(graph: Graph) -> bytes:
    """Compacted JSON-LD with a prefix context, every literal as ``{"@value", "@type"}``.

    rdflib's serializer turns integers, doubles and booleans into JSON numbers whenever a
    context is given, which rewrites lexical forms ("01" -> 1, "1.0E0" -> 1.0); here its
    converter runs with native types off, so the literals come back exactly as written.
    """
    from rdflib.plugins.serializers.jsonld import Converter
    from rdflib.plugins.shared.jsonld.context import Context

    context_data = _used_context(graph)
    context = Context(context_data)
    converter = Converter(context, use_native_types=False, use_rdf_type=False)
    converter.use_native_types = False  # Converter forces it on when a context is active
    obj = converter.convert(graph)
    if isinstance(obj, list):
        obj = {"@graph": obj}
    obj = _sort_jsonld(obj)
    obj = {"@context": context_data, **{k: v for k, v in obj.items() if k != "@context"}}
    text = json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False)
    return text.encode("utf-8") + b"\n"


# Turtle's bare number/boolean tokens: a literal may be written bare only if its lexical
# form is such a token (then parsing gives back the same lexical form and datatype).
# Integers only in canonical form: rdflib's parser turns a bare 01 or +5 into "1", "5".
_BARE = {
    XSD.integer: re.compile(r"-?(0|[1-9][0-9]*)"),
    XSD.decimal: re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD.double: re.compile(r"[+-]?([0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+)"),
    XSD.boolean: re.compile(r"true|false"),
}


def _turtle(graph: Graph) -> bytes:
    """rdflib's Turtle serialiser, but literals keep their lexical form: rdflib writes
    ``"1"^^xsd:boolean`` as a bare ``1`` (an integer!) and ``"1.0E0"^^xsd:double`` as
    ``1e+00``. Here a typed literal is written bare only when its lexical form is a
    Turtle number/boolean token; otherwise as ``"lexical"^^datatype``."""
    from rdflib.plugins.serializers.turtle import TurtleSerializer

    class Serializer(TurtleSerializer):
        def label(self, node, position):
            if isinstance(node, Literal) and node.datatype in _BARE and node.language is None:
                lexical = str(node)
                if _BARE[node.datatype].fullmatch(lexical):
                    return lexical
                return node._literal_n3(use_plain=False, qname_callback=lambda dt: self.get_pname(dt, False))
            return super().label(node, position)

    stream = io.BytesIO()
    Serializer(graph).serialize(stream, encoding="utf-8")
    return stream.getvalue()


class _SortedGraph(Graph):
    """A view of a graph whose subjects and predicate-objects come out sorted, for
    serialisers (RDF/XML) that write them in store order."""

    def subjects(self, predicate=None, object=None, unique=False):  # noqa: A002
        return iter(sorted(set(super().subjects(predicate, object)), key=_term_key))

    def predicate_objects(self, subject=None, unique=False):
        pairs = set(super().predicate_objects(subject))
        return iter(sorted(pairs, key=lambda po: (_term_key(po[0]), _term_key(po[1]))))


def _rdfxml(graph: Graph) -> bytes:
    view = _SortedGraph(store=graph.store, identifier=graph.identifier, namespace_manager=graph.namespace_manager)
    return view.serialize(format="xml", encoding="utf-8")


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_writable(graph: Graph) -> None:
    """Refuse a graph holding a term no UTF-8 writer can write (a lone surrogate), naming
    the node. rdflib's Turtle and RDF/XML writers would put a ``?`` in its place."""
    for triple in graph:
        for term in triple:
            if isinstance(term, (Literal, URIRef)) and _SURROGATE.search(term):
                code = ord(_SURROGATE.search(term).group())
                s, p, _ = triple
                raise OutputError(f"cannot write the value of {s.n3()} {p.n3()}: it holds a lone surrogate "
                                  f"U+{code:04X} (not a Unicode character); nothing written")


def serialize(graph: Graph, fmt: str) -> bytes:
    """Serialise ``graph`` as ``fmt`` (turtle, nt, jsonld, xml), deterministically.

    A value that cannot be written exactly is an error (:func:`check_writable`), never altered."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    check_writable(graph)
    graph = canonical_graph(graph)
    if fmt == "nt":
        return _ntriples(graph)
    if fmt == "jsonld":
        return _jsonld(graph)
    if fmt == "xml":
        return _rdfxml(graph)
    if fmt == "turtle":
        return _turtle(graph)
    return graph.serialize(format=FORMATS[fmt][0], encoding="utf-8")


# ---------------------------------------------------------------- writing


def _stage(target: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file beside ``target``; return its path."""
    directory = target.parent
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(directory))
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:  # a replaced file keeps its mode (-o over a 0600 file stays 0600)
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def write_files_atomic(files) -> list[Path]:
    """Write each ``(path, bytes)``: all contents go to temporary files in the target
    directories first, and only when every one is written are they moved into place with
    ``os.replace``. Readers never see a half-written file, and a failure (disk full,
    permission) while staging leaves every old file as it was. OSError -> InputError."""
    staged: list[tuple[Path, str]] = []
    current = None
    try:
        for path, data in files:
            current = Path(path)
            staged.append((current, _stage(current, data)))
        for current, tmp in staged:
            os.replace(tmp, current)
    except OSError as exc:
        where = exc.filename if isinstance(exc, NotADirectoryError) and exc.filename else current
        raise InputError(f"{where}: cannot write: {exc.strerror or exc}") from None
    finally:
        for _, tmp in staged:
            if os.path.exists(tmp):
                _discard(tmp)
    return [path for path, _ in staged]


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory and
    ``os.replace``, so readers never see a half-written file. OSError -> InputError."""
    return write_files_atomic([(path, data)])[0]


def write_output_file(path: str | os.PathLike, data: bytes, root=None) -> Path:
    """Write an output file atomically (mode of a replaced file kept), refusing any path in
    the sources of the project at ``root`` (or the project found from the current directory)."""
    from laokg.graph.load import find_root, refuse_source_target

    try:
        base = find_root(root)
    except InputError:
        base = None  # not in a project (e.g. --endpoint): nothing of ours to protect
    if base is not None:
        refuse_source_target(path, base)
    return write_atomic(path, data)


def export(root=None, fmt: str = "turtle", extra=(), graph: Graph | None = None) -> bytes:
    """Load the project at ``root`` and return its data graph serialised as ``fmt`` (or ``graph``'s)."""
    from laokg.graph.load import load_data_graph

    return serialize(graph if graph is not None else load_data_graph(root, extra), fmt)


__all__ = ["FORMATS", "PREFIXES", "canonical_graph", "serialize", "write_atomic", "write_files_atomic",
           "write_output_file", "export"]
