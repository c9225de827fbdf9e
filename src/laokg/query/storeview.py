"""The built store seen as a read-only rdflib graph: the reading commands on Oxigraph.

``laokg show``, ``trace``, ``search`` (and the Python API's ``show``/``trace``/``resolve``) walk
the graph node by node with rdflib's graph API (``objects``, ``value``, ``predicate_objects``,
``(s, p, o) in graph``). On a large graph, loading every triple into rdflib first costs far
more than the walk (93 % of a trace at 1M triples). :func:`store_graph` gives an rdflib
:class:`~rdflib.Graph` whose store answers each of those calls with one
``quads_for_pattern`` on the pyoxigraph store the saved queries run on (the store ``laokg
build`` wrote, or the Turtle bulk-loaded into memory; :func:`laokg.query.oxigraph.local_engine`
picks it), so a command reads only the nodes it visits. The same code then runs on both
engines, and gives the same output (tests/test_storeview.py).

Read-only: adding or removing a triple raises. Blank nodes keep Oxigraph's labels (the same
node on every call; not the labels rdflib's parser would give).
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store

from laokg.graph.store import LABEL_INDEX  # the label index the build writes (graph.store.label_index)
from laokg.namespaces import bind_prefixes
from laokg.prefixes import XSD_STRING


class OxigraphView(Store):
    """An rdflib store over a pyoxigraph ``Store`` (its default graph), read-only."""

    context_aware = False
    formula_aware = False
    transaction_aware = False
    graph_aware = False

    def __init__(self, store):
        super().__init__()
        import pyoxigraph

        self._ox = pyoxigraph
        self.store = store
        self._default = pyoxigraph.DefaultGraph()
        self._to_ox: dict = {}
        self._from_ox: dict = {}
        self._namespaces: dict[str, URIRef] = {}
        self._prefixes: dict[URIRef, str] = {}

    # ------------------------------------------------------------ terms

    def _ox_term(self, term):
        """An rdflib term -> the pyoxigraph term; None for a term the store cannot hold."""
        found = self._to_ox.get(term)
        if found is not None:
            return found
        ox = self._ox
        if isinstance(term, URIRef):
            made = ox.NamedNode(str(term))
        elif isinstance(term, BNode):
            try:
                made = ox.BlankNode(str(term))
            except ValueError:
                return None
        elif isinstance(term, Literal):
            if term.language:
                made = ox.Literal(str(term), language=term.language)
            elif term.datatype is not None:
                made = ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            else:
                made = ox.Literal(str(term))
        else:
            return None
        self._to_ox[term] = made
        return made

    def _rdflib_term(self, term):
        found = self._from_ox.get(term)
        if found is not None:
            return found
        ox = self._ox
        made: URIRef | BNode | Literal
        if isinstance(term, ox.NamedNode):
            made = URIRef(term.value)
        elif isinstance(term, ox.BlankNode):
            made = BNode(term.value)
        else:
            if term.language:
                made = Literal(term.value, lang=term.language)
            else:
                dt = term.datatype.value
                made = Literal(term.value) if dt == XSD_STRING else Literal(term.value, datatype=URIRef(dt))
        if len(self._from_ox) < 200_000:  # a walk visits few nodes; a scan must not grow this forever
            self._from_ox[term] = made
        return made

    # ------------------------------------------------------------ reading

    def triples(self, triple_pattern, context=None):
        s, p, o = triple_pattern
        pattern: list = []  # pyoxigraph terms, None for a wildcard
        for term in (s, p, o):
            if term is None:
                pattern.append(None)
                continue
            ox_term = self._ox_term(term)
            if ox_term is None:
                return  # a term the store cannot hold (e.g. a path or a variable) matches nothing
            pattern.append(ox_term)
        if isinstance(pattern[1], (self._ox.BlankNode, self._ox.Literal)) or isinstance(pattern[0], self._ox.Literal):
            return  # no triple has a literal subject or a non-IRI predicate
        conv = self._rdflib_term
        for quad in self.store.quads_for_pattern(pattern[0], pattern[1], pattern[2], self._default):
            yield (
                (
                    s if s is not None else conv(quad.subject),
                    p if p is not None else conv(quad.predicate),
                    o if o is not None else conv(quad.object),
                ),
                iter(()),
            )

    def __len__(self, context=None) -> int:
        return len(self.store)

    def contexts(self, triple=None):
        return iter(())

    # ------------------------------------------------------------ prefixes (kept here, not in the store)

    def bind(self, prefix, namespace, override=True, replace=False):
        namespace = URIRef(namespace)
        if prefix in self._namespaces and not replace and self._namespaces[prefix] != namespace:
            return
        old = self._namespaces.pop(prefix, None)
        if old is not None:
            self._prefixes.pop(old, None)
        if namespace in self._prefixes and override:
            self._namespaces.pop(self._prefixes[namespace], None)
        self._namespaces[prefix] = namespace
        self._prefixes[namespace] = prefix

    def namespace(self, prefix):
        return self._namespaces.get(prefix)

    def prefix(self, namespace):
        return self._prefixes.get(URIRef(namespace))

    def namespaces(self):
        yield from self._namespaces.items()

    # ------------------------------------------------------------ writing: refused

    def add(self, triple, context, quoted=False):
        raise TypeError("the store view is read-only")

    def addN(self, quads):
        raise TypeError("the store view is read-only")

    def remove(self, triple, context=None):
        raise TypeError("the store view is read-only")


def _sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def label_candidates(graph: Graph, text: str):
    """``(subject, rank, label)`` for the labels of the store behind ``graph`` (a
    :func:`store_graph`) that may match ``text`` in :meth:`laokg.labels.LabelIndex.search`:
    every label holding each word of the folded text (ASCII labels, compared in lower case by
    the store), and every label with a character outside ASCII (folded by the caller). A
    superset of the matches: every rank of the search needs each word inside the folded label."""
    from laokg.labels import LABEL_PROPERTIES, fold

    view = graph.store
    if not isinstance(view, OxigraphView):
        raise TypeError("label_candidates reads a store_graph (an OxigraphView)")
    words = fold(text).split()
    if not words:
        return []
    rank = {str(p): i for i, p in enumerate(LABEL_PROPERTIES)}
    values = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    contains = " && ".join(f"CONTAINS(LCASE(STR(?o)), {_sparql_string(w)})" for w in words)
    query = (
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o . "
        f'FILTER(isLiteral(?o) && !isBlank(?s)) FILTER(({contains}) || REGEX(STR(?o), "[^\\\\x00-\\\\x7F]")) }}'
    )
    conv = view._rdflib_term
    return [(conv(s), rank[p.value], conv(o)) for s, p, o in view.store.query(query)]


def index_candidates(path, text: str):
    """What :func:`label_candidates` gives for ``text`` (a superset of the labels a search can
    match: each word of the folded text inside the folded label), read from the label index
    at ``path`` (:func:`laokg.graph.store.label_index`) instead of the store; None if there is no such file."""
    import re

    from laokg.graph.triples import literal_parts, unescape
    from laokg.labels import fold

    try:
        with open(path, encoding="utf-8") as handle:
            data = handle.read()
    except OSError:
        return None
    words = fold(text).split()
    if not words:
        return []
    first = max(words, key=len)
    out, seen = [], set()
    for match in re.finditer(re.escape(first), data):
        start = data.rfind("\n", 0, match.start()) + 1
        if start in seen:
            continue
        end = data.find("\n", match.start())
        line = data[start : end if end >= 0 else len(data)]
        folded, tab, rest = line.partition("\t")
        if match.end() - start > len(folded):  # the word was found outside the folded label
            continue
        seen.add(start)
        if not all(w in folded for w in words):
            continue
        r, s, o = rest.split("\t", 2)
        parts = literal_parts(o)
        datatype = URIRef(parts.datatype) if parts.datatype and parts.datatype != XSD_STRING else None
        label = Literal(unescape(parts.body), lang=parts.language, datatype=datatype)
        out.append((URIRef(unescape(s[1:-1])), int(r), label))
    return out


def store_graph(store) -> Graph:
    """A read-only rdflib Graph reading the pyoxigraph ``store`` node by node, with the
    project's prefixes bound (as :func:`laokg.namespaces.bind_prefixes` binds them)."""
    return bind_prefixes(Graph(store=OxigraphView(store), bind_namespaces="none"))


__all__ = ["OxigraphView", "store_graph", "label_candidates", "index_candidates", "LABEL_INDEX"]
