"""The graph as of a date: what the sources published by that date say.

Rules (docs/time.md):

- The documents are the objects of ``oa:hasSource`` (the sources of the evidence's passages)
  and the editions of a work (subjects of ``dct:isVersionOf``), read or not. A document's date
  is its ``dct:issued``, or its last ``dct:modified`` when it has one (the text read is then
  the document as modified; the EUDiF profile, January 2024 and updated July 2025, is two
  editions instead, see docs/time.md); a partial date counts as the *last* day
  it names (``"2024-01"^^xsd:gYearMonth`` is published by 2024-01-31, ``"2023"^^xsd:gYear``
  by 2023-12-31), so a document counts only once it is surely out. A document with no
  ``dct:issued`` cannot be placed in time and is left out of every dated view.
- An edition names its work with ``dct:isVersionOf`` (a document with none is its own work).
  As of a day, each work is read in its latest edition published by then (two editions of one
  day both count).
- Evidence (``prov:qualifiedDerivation``) stays when its passage's document is such an edition.
  A node with derivations none of which stays is dropped, with every triple naming it; so are
  the documents not yet published (or undated) and their sections and footnotes
  (``dct:isPartOf``). The record of a document published by then, and of the work it is an
  edition of, stays even when its evidence goes (an earlier edition's record, or one dated by a
  later edition's imprint: the EUDiF profile's first edition); its evidence goes. A node with
  no derivation at all (structure, vocabularies, data sets) stays. Project assertions
  (``prov:qualifiedAttribution``) stay with the node they annotate and go with it.
- What a dropped node leaves behind (its evidence, passages, selectors, blank nodes nothing
  names any more) is dropped too.

:func:`as_of` returns a new rdflib graph; the input is not changed.
"""

from __future__ import annotations

import calendar
import contextlib
import contextvars
import datetime as _dt
import re
from collections import Counter
from operator import itemgetter

from rdflib import BNode, Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF
from rdflib.term import Identifier

from laokg.errors import InputError
from laokg.namespaces import LAOKG, OA

#: types of the nodes that only carry provenance (dropped when nothing names them)
SCAFFOLDING_TYPES = frozenset(
    {
        LAOKG.DocumentEvidence,
        LAOKG.ProjectAssertion,
        OA.SpecificResource,
        OA.TextQuoteSelector,
        OA.TextPositionSelector,
    }
)

_DAY = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def parse_day(text: str) -> _dt.date:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` as the last day it names (InputError otherwise)."""
    match = _DAY.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise InputError(f"not a date: {text!r} (expected YYYY-MM-DD, YYYY-MM or YYYY)")
    year, month, day = match.groups()
    try:
        if day is not None:
            return _dt.date(int(year), int(month), int(day))
        if month is not None:
            return _dt.date(int(year), int(month), calendar.monthrange(int(year), int(month))[1])
        return _dt.date(int(year), 12, 31)
    except ValueError as exc:
        raise InputError(f"not a date: {text!r} ({exc})") from None


def literal_day(value) -> _dt.date | None:
    """The last day a ``dct:issued`` literal names (xsd:date, dateTime, gYearMonth, gYear), or None."""
    if not isinstance(value, Literal):
        return None
    text = str(value).strip()[:10]
    try:
        return parse_day(text)
    except InputError:
        return None


def documents(graph: Graph) -> set:
    """The documents a dated view places in time: those the evidence reads (``oa:hasSource``)
    and every edition of a work (``dct:isVersionOf``), whether its text is held or not."""
    return set(graph.objects(None, OA.hasSource)) | set(graph.subjects(DCTERMS.isVersionOf, None))


def document_dates(graph: Graph) -> dict:
    """Every document (:func:`documents`) -> its date (the last day ``dct:issued`` names), or None."""
    dates = {}
    for doc in documents(graph):
        days = [d for d in (literal_day(v) for v in graph.objects(doc, DCTERMS.issued)) if d is not None]
        # the text read is the document as modified: it counts from its last dct:modified
        modified = [d for d in (literal_day(v) for v in graph.objects(doc, DCTERMS.modified)) if d is not None]
        dates[doc] = max(modified) if modified and days else (min(days) if days else None)
    return dates


def work_of(graph: Graph, doc) -> object:
    """The work a document is an edition of (``dct:isVersionOf``), or the document itself."""
    works = sorted(graph.objects(doc, DCTERMS.isVersionOf), key=str)
    return works[0] if works else doc


def editions_read(graph: Graph, day: _dt.date) -> set:
    """The documents read as of ``day``: each work's latest edition published by then."""
    latest: dict = {}
    for doc, date in document_dates(graph).items():
        if date is None or date > day:
            continue
        work = work_of(graph, doc)
        best = latest.get(work)
        if best is None or date > best[0]:
            latest[work] = (date, {doc})
        elif date == best[0]:
            best[1].add(doc)
    return {doc for _, docs in latest.values() for doc in docs}


def unheld_editions_read(graph: Graph, day=None) -> list:
    """The editions read (as of ``day``; without one, each work's latest edition) that no
    evidence quotes: their text is not held, so the view holds none of their work's statements.
    Sorted ``(edition, work, issued literal)`` triples."""
    if isinstance(day, str):
        day = parse_day(day)
    if day is None:
        dates = [d for d in document_dates(graph).values() if d is not None]
        if not dates:
            return []
        day = max(dates)
    quoted = set(graph.objects(None, OA.hasSource))
    read = {doc for doc in editions_read(graph, day) if doc not in quoted}

    def issued(doc) -> list[Identifier]:  # every object a parsed graph holds is an Identifier, which orders
        return sorted(o for o in graph.objects(doc, DCTERMS.issued) if isinstance(o, Identifier))

    return sorted(
        ((doc, work_of(graph, doc), next(iter(issued(doc)), None)) for doc in read if work_of(graph, doc) != doc),
        key=lambda t: (str(t[1]), str(t[0])),
    )


def _evidence_document(graph: Graph, evidence) -> set:
    return {doc for passage in graph.objects(evidence, PROV.entity) for doc in graph.objects(passage, OA.hasSource)}


def dropped_nodes(graph: Graph, day: _dt.date) -> set:
    """The nodes :func:`as_of` drops before the clean-up of what they leave behind."""
    read = editions_read(graph, day)
    dates = document_dates(graph)
    unpublished = {doc for doc, date in dates.items() if date is None or date > day}
    # the records of the documents published by then, and of their works, stay
    published = {doc for doc, date in dates.items() if date is not None and date <= day}
    kept_records = published | {work_of(graph, doc) for doc in published}
    dropped = set()
    stays = {}
    for evidence in set(graph.objects(None, PROV.qualifiedDerivation)):
        sources = _evidence_document(graph, evidence)
        stays[evidence] = bool(sources & read) or not sources
        if not stays[evidence]:
            dropped.add(evidence)
    for node in set(graph.subjects(PROV.qualifiedDerivation, None)) - kept_records:
        if not any(stays.get(e, True) for e in graph.objects(node, PROV.qualifiedDerivation)):
            dropped.add(node)
    # a document not yet published (or undated) goes, with its record; an earlier edition's
    # record stays (it was published), only its evidence goes
    dropped |= unpublished
    # the parts of those documents (sections, footnotes), and the parts of those parts
    frontier = set(unpublished)
    while frontier:
        parts = {part for whole in frontier for part in graph.subjects(DCTERMS.isPartOf, whole)} - dropped
        dropped |= parts
        frontier = parts
    return dropped


def as_of(graph: Graph, day) -> Graph:
    """The graph as the sources published by ``day`` (a date or a ``YYYY[-MM[-DD]]`` string) give it."""
    if isinstance(day, str):
        day = parse_day(day)
    dropped = dropped_nodes(graph, day)
    # project assertions go with what they annotate
    for node in list(dropped):
        dropped.update(graph.objects(node, PROV.qualifiedAttribution))
    out = Graph()
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace, override=True, replace=True)
    for triple in graph:
        s, _, o = triple
        if s in dropped or o in dropped:
            continue
        out.add(triple)
    _drop_orphans(out)
    return out


#: the day every loader reads the graph as of (None: the whole graph); set by ``--as-of``
_AS_OF: contextvars.ContextVar = contextvars.ContextVar("laokg_as_of", default=None)


def current_as_of() -> _dt.date | None:
    """The day the loaders read the graph as of, or None."""
    return _AS_OF.get()


def set_as_of(day) -> contextvars.Token:
    """Make every loader (:func:`laokg.graph.load.load_data_graph`, the Oxigraph store) read the
    graph as of ``day`` (a date, a ``YYYY[-MM[-DD]]`` string, or None for the whole graph);
    returns the token :func:`reset_as_of` takes."""
    if isinstance(day, str):
        day = parse_day(day)
    return _AS_OF.set(day)


def reset_as_of(token: contextvars.Token) -> None:
    _AS_OF.reset(token)


@contextlib.contextmanager
def reading_as_of(day):
    """``with reading_as_of("2025-03-31"): ...``: every load inside reads the dated view."""
    token = set_as_of(day)
    try:
        yield
    finally:
        reset_as_of(token)


def _drop_orphans(graph: Graph) -> None:
    """Remove, until none is left, scaffolding and blank nodes that nothing names any more."""
    while True:
        named = set(graph.objects())
        orphans = set()
        for subject in set(graph.subjects()):
            if subject in named:
                continue
            if isinstance(subject, BNode) or any(t in SCAFFOLDING_TYPES for t in graph.objects(subject, RDF.type)):
                orphans.add(subject)
        if not orphans:
            return
        for subject in orphans:
            graph.remove((subject, None, None))


__all__ = [
    "as_of",
    "as_of_ntriples",
    "as_of_views",
    "as_of_changes",
    "current_as_of",
    "set_as_of",
    "reset_as_of",
    "reading_as_of",
    "parse_day",
    "literal_day",
    "documents",
    "document_dates",
    "editions_read",
    "dropped_nodes",
    "work_of",
    "unheld_editions_read",
    "SCAFFOLDING_TYPES",
]


# ---------------------------------------------------------------- the same view on N-Triples text


def _lexical(literal: str) -> str:
    return literal[1 : literal.index('"', 1)] if literal.startswith('"') else ""


def _days(pairs, documents, pick) -> dict:
    """``{document: day}`` from (document, N-Triples date literal) pairs of the ``documents``
    given, ``pick`` (min or max) choosing among a document's several dates."""
    days: dict = {}
    for doc, lit in pairs:
        if doc in documents:
            d = literal_day(Literal(_lexical(lit)))
            if d is not None:
                days[doc] = pick(d, days.get(doc, d))
    return days


def as_of_ntriples(text: str, day) -> str:
    """:func:`as_of` on canonical N-Triples text (one triple a line, single spaces, as Oxigraph
    writes it): the same triples, without building an rdflib graph (the fast path of the
    loaders)."""
    if isinstance(day, str):
        day = parse_day(day)
    triples, by_pred = _split_ntriples(text)
    kept = _kept(triples, by_pred, day)
    return "\n".join([t[3] for t in kept]) + "\n" if kept else ""


def as_of_views(text: str, days, keep=()) -> tuple[list, list]:
    """:func:`as_of_ntriples` for several ``days`` at once, the text read once: each view as a set
    of ``(subject, predicate, object)`` N-Triples terms, and the whole text's triples whose
    predicate (``<iri>``) is in ``keep``."""
    triples, by_pred = _split_ntriples(text)
    views = []
    shared = _orphan_index(triples)
    for day in days:
        day = parse_day(day) if isinstance(day, str) else day
        views.append(frozenset((s, p, o) for s, p, o, _ in _kept(triples, by_pred, day, shared)))
    keep = set(keep)
    return views, [(s, p, o) for s, p, o, _ in triples if p in keep] if keep else []


def as_of_changes(text: str, old_day, new_day, keep=()) -> tuple[set, set, set, list]:
    """Two dated views of one text as what they share and what each holds alone: ``(common,
    only_old, only_new, kept)`` as sets of ``(subject, predicate, object)`` N-Triples terms
    (``kept``: the whole text's triples whose predicate is in ``keep``). Only the triples a view
    leaves out are looked at twice, so this costs about one view (``laokg diff DATE DATE``)."""
    triples, by_pred = _split_ntriples(text)
    shared = _orphan_index(triples)
    out = []
    for day in (old_day, new_day):
        day = parse_day(day) if isinstance(day, str) else day
        dropped, removed, gone = _removed(triples, by_pred, day, shared)
        if removed:
            gone += [t for t in triples if t[0] in removed and t[0] not in dropped and t[2] not in dropped]
        out.append({t[:3] for t in gone})
    left_old, left_new = out  # what each view leaves out
    common = {t[:3] for t in triples}
    common -= left_old
    common -= left_new
    keep = set(keep)
    return common, left_new - left_old, left_old - left_new, [t[:3] for t in triples if t[1] in keep] if keep else []


def _iri(term) -> str:
    return f"<{term}>"


HAS_SOURCE, ENTITY, DERIVED = _iri(OA.hasSource), _iri(PROV.entity), _iri(PROV.qualifiedDerivation)
ATTRIBUTED, ISSUED, VERSION_OF = _iri(PROV.qualifiedAttribution), _iri(DCTERMS.issued), _iri(DCTERMS.isVersionOf)
PART_OF, TYPE, MODIFIED = _iri(DCTERMS.isPartOf), _iri(RDF.type), _iri(DCTERMS.modified)


def _split_ntriples(text: str) -> tuple[list, dict]:
    triples = []
    by_pred: dict = {p: [] for p in (HAS_SOURCE, ENTITY, DERIVED, ATTRIBUTED, ISSUED, VERSION_OF, PART_OF, MODIFIED)}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        s, p, o = line.split(" ", 2)
        o = o[:-2] if o.endswith(" .") else o.rstrip(" .")
        triples.append((s, p, o, line))
        bucket = by_pred.get(p)
        if bucket is not None:
            bucket.append((s, o))
    return triples, by_pred


def _orphan_index(triples: list) -> tuple:
    """What the clean-up of :func:`_kept` reads, the same for every day: how many triples name
    each node, the nodes typed as scaffolding, and the objects of every blank or scaffolding
    node's triples."""
    scaffolding_types = {_iri(t) for t in SCAFFOLDING_TYPES}
    named = Counter(map(itemgetter(2), triples))
    typed = {s for s, p, o, _ in triples if p == TYPE and o in scaffolding_types}
    objects: dict = {}
    for s, o in [(t[0], t[2]) for t in triples if t[0][0] == "_" or t[0] in typed]:
        objects.setdefault(s, []).append(o)
    return named, typed, objects


def _kept(triples: list, by_pred: dict, day, orphan_index: tuple | None = None) -> list:
    """The ``triples`` (``(s, p, o, line)``) of the view as of ``day``."""
    dropped, removed, _ = _removed(triples, by_pred, day, orphan_index)
    kept = [t for t in triples if t[0] not in dropped and t[2] not in dropped]
    if removed:
        kept = [t for t in kept if t[0] not in removed]
    return kept


def _removed(triples: list, by_pred: dict, day, orphan_index: tuple | None = None) -> tuple[set, set, list]:
    """What the view as of ``day`` leaves out: the nodes dropped with every triple naming them,
    the orphans dropped with their own triples, and the triples that name a dropped node."""
    sources = {s: o for s, o in by_pred[HAS_SOURCE]}  # passage -> document (one each)
    documents = set(sources.values()) | {doc for doc, _ in by_pred[VERSION_OF]}
    issued = _days(by_pred[ISSUED], documents, min)
    issued.update(
        _days(by_pred[MODIFIED], issued, max)
    )  # the text read is the document as modified (see document_dates)
    work: dict[str, str] = {}  # document -> its work (N-Triples terms)
    for doc, w in sorted(by_pred[VERSION_OF]):
        work.setdefault(doc, w)
    latest: dict = {}
    for doc in documents:
        date = issued.get(doc)
        if date is None or date > day:
            continue
        key = work.get(doc, doc)
        best = latest.get(key)
        if best is None or date > best[0]:
            latest[key] = (date, {doc})
        elif date == best[0]:
            best[1].add(doc)
    read = {doc for _, docs in latest.values() for doc in docs}
    unpublished = {doc for doc in documents if issued.get(doc) is None or issued[doc] > day}
    published = documents - unpublished
    kept_records = published | {work.get(doc, doc) for doc in published}
    evidence_docs: dict = {}
    for ev, passage in by_pred[ENTITY]:
        if passage in sources:
            evidence_docs.setdefault(ev, set()).add(sources[passage])
    stays = {}
    derivations: dict = {}
    for node, ev in by_pred[DERIVED]:
        derivations.setdefault(node, []).append(ev)
        docs = evidence_docs.get(ev, set())
        stays[ev] = bool(docs & read) or not docs
    dropped = {ev for ev, ok in stays.items() if not ok}
    dropped |= {
        node
        for node, evs in derivations.items()
        if node not in kept_records and not any(stays.get(e, True) for e in evs)
    }
    dropped |= unpublished
    parts: dict = {}
    for part, whole in by_pred[PART_OF]:
        parts.setdefault(whole, []).append(part)
    frontier = set(unpublished)
    while frontier:
        new = {part for whole in frontier for part in parts.get(whole, ())} - dropped
        dropped |= new
        frontier = new
    for node, assertion in by_pred[ATTRIBUTED]:
        if node in dropped:
            dropped.add(assertion)
    gone = [t for t in triples if t[0] in dropped or t[2] in dropped]
    # what nothing names any more: scaffolding and blank nodes, until none is left (a work list:
    # a node whose last naming triple goes is looked at again)
    named_all, _, objects = orphan_index if orphan_index is not None else _orphan_index(triples)
    named = named_all.copy()
    named.subtract(t[2] for t in gone)
    # (a node whose triples all went is looked at too: it has nothing left to remove)
    orphans = [s for s in objects if s not in dropped and not named.get(s)]
    removed: set = set()
    while orphans:
        node = orphans.pop()
        if node in removed:
            continue
        removed.add(node)
        for o in objects[node]:
            named[o] -= 1
            if not named[o] and o in objects and o not in removed and o not in dropped:
                orphans.append(o)
    return dropped, removed, gone
