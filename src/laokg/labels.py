"""Labels: find things by what people call them, and show IRIs the way people read them.

Matching is case- and accent-insensitive (:func:`fold`: Unicode NFKD, combining marks dropped,
case folded, whitespace collapsed), so ``"ministere"`` finds ``"Ministère"``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS, NamespaceManager

from laokg.namespaces import PREFIXES, SCHEMA

#: Properties whose values name a thing, best first (the first found is the display label).
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title, SCHEMA.name, SKOS.altLabel)

_WS = re.compile(r"\s+")


def fold(text: str) -> str:
    """Fold case, accents and whitespace: the key labels are compared on."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WS.sub(" ", stripped.casefold()).strip()


#: what Turtle and SPARQL accept after ``prefix:`` without escapes (rdflib's qnames also allow a
#: trailing '.' and %-escapes, which these do not)
_LOCAL = re.compile(r"[A-Za-z0-9_\-]([A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?|")


@functools.lru_cache(maxsize=8)
def _namespace_manager(prefixes: tuple) -> NamespaceManager:
    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, ns in prefixes:
        manager.bind(prefix, ns, override=True, replace=True)
    return manager


def namespace_manager(prefixes=PREFIXES) -> NamespaceManager:
    """An rdflib ``NamespaceManager`` with just ``prefixes`` (default: the project's) bound."""
    return _namespace_manager(tuple((p, str(ns)) for p, ns in prefixes.items()))


def curie(iri, prefixes=PREFIXES) -> str:
    """``https://w3id.org/laokg/id/mlsw`` -> ``kg:mlsw``; the full IRI in <> if no prefix fits."""
    try:
        prefix, _ns, local = namespace_manager(prefixes).compute_qname(str(iri), generate=False)
    except (KeyError, ValueError):
        return f"<{iri}>"
    if prefix not in prefixes or not _LOCAL.fullmatch(local):
        return f"<{iri}>"
    return f"{prefix}:{local}"


class LabelIndex:
    """Every label of every subject of a graph, for lookup and search."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self._by_fold: dict[str, set] = defaultdict(set)
        self._labels: dict[URIRef, list[tuple[int, Literal]]] = defaultdict(list)
        for rank, prop in enumerate(LABEL_PROPERTIES):
            for s, o in graph.subject_objects(prop):
                if isinstance(o, Literal) and isinstance(s, URIRef):  # not a blank node
                    self._by_fold[fold(o)].add(s)
                    self._labels[s].append((rank, o))

    def labels(self, node) -> list[Literal]:
        """All labels of ``node``, preferred label first, English before other languages."""
        return [
            lit
            for _, lit in sorted(
                self._labels.get(node, []), key=lambda x: (x[0], x[1].language not in (None, "en"), str(x[1]))
            )
        ]

    def label(self, node) -> str | None:
        labels = self.labels(node)
        return str(labels[0]) if labels else None

    def display(self, node) -> str:
        """``Label (curie)`` for an IRI with a label, else the CURIE; literals as their text."""
        if isinstance(node, Literal):
            return str(node)
        if isinstance(node, BNode):
            return "_:" + str(node)
        label = self.label(node)
        return f"{label} ({curie(node)})" if label else curie(node)

    def close(self, text: str, n: int = 5) -> list[URIRef]:
        """Subjects whose label is spelt like ``text`` (difflib ratio >= 0.75 on folded labels)."""
        import difflib

        hits = difflib.get_close_matches(fold(text), list(self._by_fold), n=n, cutoff=0.75)
        out: list[URIRef] = []
        for h in hits:
            out += [s for s in sorted(self._by_fold[h], key=str) if s not in out]
        return out[:n]

    def exact(self, text: str) -> list[URIRef]:
        """Subjects with a label equal to ``text`` (folded), sorted."""
        return sorted(self._by_fold.get(fold(text), ()), key=str)

    def search(self, text: str, limit: int | None = None) -> list[tuple[str, URIRef, Literal]]:
        """Subjects whose label contains ``text`` (folded): ``(rank, subject, label)``.

        ``rank`` is ``exact``, ``prefix`` (a label starts with the text, or else one of its
        words does), ``substring``, or ``words`` (every word of the text occurs in the label);
        results are ordered exact > label prefix > word prefix > substring > words, then by label.
        A subject appears once, with its best-ranked label.
        """
        key = fold(text)
        if not key:
            return []
        # 0 exact, 1 the label starts with the text, 2 one of its words does, 3 anywhere inside,
        # 4 every word of the text is in the label, in any order ("decree 245" -> "Decree No. 245")
        names = {0: "exact", 1: "prefix", 2: "prefix", 3: "substring", 4: "words"}
        words = key.split()
        best: dict[URIRef, tuple[int, int, str, Literal]] = {}
        for s, entries in self._labels.items():
            for prop_rank, lit in entries:
                f = fold(lit)
                if f == key:
                    order = 0
                elif f.startswith(key):
                    order = 1
                elif any(w.startswith(key) for w in re.split(r"[\s\-(/,.'\"]+", f)):
                    order = 2
                elif key in f:
                    order = 3
                elif len(words) > 1 and all(w in f for w in words):
                    order = 4
                else:
                    continue
                cand = (order, prop_rank, f, lit)
                if s not in best or cand < best[s]:
                    best[s] = cand
        hits = sorted(best.items(), key=lambda kv: (kv[1][0], kv[1][2], str(kv[0])))
        result = [(names[c[0]], s, c[3]) for s, c in hits]
        return result[:limit] if limit else result


class NodeLabels(LabelIndex):
    """The labels of a graph read node by node: what :class:`LabelIndex` answers, without
    reading every label first. ``label``/``labels``/``display`` look at the node asked about
    (``graph.objects``); ``exact`` asks ``exact`` (a callable: text -> ``[(iri, label)]``, e.g.
    the Oxigraph engine's ``labelled``) when given; ``search`` and ``close``, which must see every
    label, build the whole index on first use. For a graph read from a store, where one node
    costs a lookup and every label a scan (laokg.query.storeview)."""

    def __init__(self, graph: Graph, exact=None, candidates=None):  # no full index until needed
        self.graph = graph
        self._exact = exact
        #: text -> ``[(subject, property rank, label)]``: a superset of the labels ``search``
        #: matches (e.g. found by the store), so a search folds those only
        self._candidates = candidates
        self._full: LabelIndex | None = None
        self._cache: dict = {}

    def _index(self) -> LabelIndex:
        if self._full is None:
            self._full = LabelIndex(self.graph)
        return self._full

    def labels(self, node) -> list[Literal]:
        if self._full is not None:
            return self._full.labels(node)
        found = self._cache.get(node)
        if found is None:
            entries = (
                []
                if isinstance(node, (BNode, Literal))
                else [
                    (rank, o)
                    for rank, prop in enumerate(LABEL_PROPERTIES)
                    for o in self.graph.objects(node, prop)
                    if isinstance(o, Literal)
                ]
            )
            found = [
                lit for _, lit in sorted(entries, key=lambda x: (x[0], x[1].language not in (None, "en"), str(x[1])))
            ]
            self._cache[node] = found
        return found

    def exact(self, text: str) -> list[URIRef]:
        if self._exact is not None and self._full is None:
            return sorted({iri for iri, _ in self._exact(text)}, key=str)
        return self._index().exact(text)

    def close(self, text: str, n: int = 5) -> list[URIRef]:
        return self._index().close(text, n)

    def search(self, text: str, limit: int | None = None) -> list[tuple[str, URIRef, Literal]]:
        if self._candidates is None or self._full is not None:
            return self._index().search(text, limit)
        some = LabelIndex.__new__(LabelIndex)  # an index of the candidate labels only
        some.graph, some._by_fold, some._labels = self.graph, defaultdict(set), defaultdict(list)
        for s, rank, lit in self._candidates(text):
            some._labels[s].append((rank, lit))
        return some.search(text, limit)


def plain_text(excerpt: str) -> str:
    """An excerpt as a person reads it: one line, without the source's markdown emphasis
    (``**bold**``, ``__bold__``). The graph keeps the excerpt verbatim; only the text output
    of ``show`` and ``trace`` uses this."""
    import re

    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), str(excerpt))
    return " ".join(text.split())
