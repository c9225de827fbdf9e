"""Entity cards (``laokg show``) and label search (``laokg search``) on an rdflib graph (the
parsed files, or the built store seen through :mod:`laokg.query.storeview`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, SKOS
from rdflib.term import Node

from laokg.errors import NotFoundError, ParameterError
from laokg.graph.evidence import document_evidence, project_assertions, read_evidence
from laokg.labels import LABEL_PROPERTIES, LabelIndex, curie, fold
from laokg.namespaces import DOCO, FABIO, bind_prefixes
from laokg.query.engines import QueryResult
from laokg.query.parameters import expand_iri, shown


def resolve(graph: Graph, thing: str, index: LabelIndex | None = None) -> URIRef:
    """An IRI, a CURIE or a label -> the IRI of something in ``graph``.

    Raises NotFoundError when nothing matches or a label is ambiguous (listing candidates).
    """
    index = index or LabelIndex(graph)
    try:
        iri = expand_iri(thing)
    except ParameterError as exc:
        raise NotFoundError(str(exc)) from None
    if iri is not None:
        if (iri, None, None) in graph or (None, None, iri) in graph:
            return iri
        raise NotFoundError(f"{curie(iri)} is not in the graph")
    matches = index.exact(thing)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        listed = ", ".join(f"{curie(m)} ({index.label(m)})" for m in matches)
        raise NotFoundError(f"{shown(thing)} is ambiguous: {listed}; give the IRI or CURIE")
    # things first, by the search's ranking (evidence and passages only through the thing they support)
    near = [row["thing"] for row in search(graph, thing, limit=5, index=index).rows]
    near = near or [s for s in index.close(thing) if not supported(graph, s)]
    hint = ("; did you mean: " + ", ".join(f"{index.label(s)} ({curie(s)})" for s in near)) if near else ""
    raise NotFoundError(f"nothing is called {shown(thing)}{hint}")


# ---------------------------------------------------------------- the card


@dataclass
class Evidence:
    node: Node
    kind: str
    document: Node | None = None
    section: str | None = None
    footnotes: list[str] = field(default_factory=list)
    excerpts: list[str] = field(default_factory=list)
    cited: list[Node] = field(default_factory=list)
    asserted: list[Node] = field(default_factory=list)
    added: list[tuple[Node, Node]] = field(default_factory=list)  # (property, value) named by value
    note: str | None = None


@dataclass
class Card:
    iri: URIRef
    label: str | None
    types: list[Node]
    labels: list[tuple[Node, Node]]  # (label property, label)
    properties: list[tuple[Node, Node]]
    incoming: list[tuple[Node, Node]]  # (subject, property)
    evidence: list[Evidence]


_HIDDEN = {RDF.type, PROV.qualifiedDerivation, PROV.qualifiedAttribution, *LABEL_PROPERTIES}


def _sort_key(term):
    if isinstance(term, Literal):
        v = term.toPython()
        return (0, str(type(v)), v if isinstance(v, (int, float)) else str(term))
    return (1, "", str(term))


def _term_key(graph: Graph, term):
    """:func:`_sort_key`, with a blank node ordered by what it holds, not by its label (the
    parser's: new at every parse in rdflib, its own in a store), so a card is the same on
    every run and every engine."""
    if isinstance(term, BNode):
        return (2, "", str(sorted((str(p), str(o)) for p, o in graph.predicate_objects(term))))
    return _sort_key(term)


def _evidence(graph: Graph, node, subject=None) -> Evidence:
    found = read_evidence(graph, node, subject)
    types = sorted(found.types, key=str)
    ev = Evidence(node, curie(types[0]) if types else "evidence", document=found.document)
    if found.section is not None:
        title = found.section_title
        ev.section = str(title) if title is not None else curie(found.section)
    numbers = (str(num) if num is not None else curie(fn) for fn, num in found.footnotes)
    ev.footnotes = sorted(numbers, key=lambda n: (not n.isdigit(), int(n) if n.isdigit() else 0, n))
    ev.excerpts = sorted(found.excerpts)
    ev.cited = sorted(found.cited, key=str)
    ev.asserted = sorted(found.asserted, key=str)
    ev.added = sorted(found.added, key=lambda po: (curie(po[0]), _sort_key(po[1])))
    note = found.note or found.comment
    ev.note = str(note) if note is not None else None
    return ev


def card(graph: Graph, iri: URIRef, index: LabelIndex | None = None) -> Card:
    index = index or LabelIndex(graph)
    types = sorted(graph.objects(iri, RDF.type), key=str)
    labels: list[tuple[Node, Node]] = sorted(
        ((p, o) for p in LABEL_PROPERTIES for o in graph.objects(iri, p)),
        key=lambda x: (LABEL_PROPERTIES.index(x[0]), str(x[1])),
    )
    props = sorted(
        ((p, o) for p, o in graph.predicate_objects(iri) if p not in _HIDDEN),
        key=lambda x: (curie(x[0]), _term_key(graph, x[1])),
    )
    incoming = sorted(
        ((s, p) for s, p in graph.subject_predicates(iri) if not isinstance(s, BNode)),
        key=lambda x: (curie(x[1]), str(x[0])),
    )
    evidence = [_evidence(graph, n) for n in document_evidence(graph, iri)]
    evidence += [_evidence(graph, n, iri) for n in project_assertions(graph, iri)]
    evidence += [Evidence(d, "prov:wasDerivedFrom", document=d) for d in graph.objects(iri, PROV.wasDerivedFrom)]
    evidence.sort(
        key=lambda e: (e.kind != "laokg:DocumentEvidence", str(e.document or ""), e.section or "", str(e.node))
    )
    return Card(iri, index.label(iri), types, labels, props, incoming, evidence)


def _json_term(term) -> dict[str, str | None]:
    if isinstance(term, URIRef):
        return {"iri": str(term), "curie": curie(term)}
    if isinstance(term, BNode):
        return {"bnode": str(term)}
    d: dict[str, str | None] = {"value": str(term)}
    if term.language:
        d["lang"] = term.language
    elif term.datatype:
        d["datatype"] = str(term.datatype)
    return d


def render_json(graph: Graph, c: Card, index: LabelIndex | None = None) -> str:
    index = index or LabelIndex(graph)

    def lab(t):
        d = _json_term(t)
        if isinstance(t, URIRef):
            d["label"] = index.label(t)
        return d

    data: dict[str, Any] = {
        "iri": str(c.iri),
        "curie": curie(c.iri),
        "label": c.label,
        "types": [lab(t) for t in c.types],
        "labels": [{"property": curie(p), **_json_term(o)} for p, o in c.labels],
        "properties": [{"property": curie(p), "value": lab(o)} for p, o in c.properties],
        "incoming": [{"property": curie(p), "from": lab(s)} for s, p in c.incoming],
        "evidence": [
            {
                "node": _json_term(e.node),
                "kind": e.kind,
                "document": lab(e.document) if e.document is not None else None,
                "section": e.section,
                "footnotes": e.footnotes,
                "excerpts": e.excerpts,
                "cites": [lab(w) for w in e.cited],
                "asserted_properties": [curie(p) for p in e.asserted],
                "added_statements": [{"property": curie(p), "value": lab(o)} for p, o in e.added],
                "note": e.note,
            }
            for e in c.evidence
        ],
    }
    from laokg.graph.corroboration import as_dict, fact_sources

    data["sources"] = as_dict(fact_sources(graph, c.iri))
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def describe_graph(graph: Graph, iri: URIRef) -> Graph:
    """The entity's own triples, its blank nodes, its evidence nodes and project assertions, and
    the passages the evidence quotes (with their selectors)."""
    out = bind_prefixes(Graph())
    # a worklist walk like graph/changes.py's _evidence, with its own rule of what to follow
    todo: list[Node] = [iri]
    seen: set[Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in graph.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, BNode) or (node == iri and p in (PROV.qualifiedDerivation, PROV.qualifiedAttribution)):
                todo.append(o)
            elif p == PROV.entity and node != iri and (iri, PROV.qualifiedDerivation, node) in graph:
                todo.append(o)  # the passage the evidence was read in
    return out


# ---------------------------------------------------------------- search


_SUPPORT_PREFIXES = ("Evidence: ", "Passage: ", "Project assertion: ")

#: the key of a search row holding its "quoted in" texts as a list
QUOTES = "quotes"  # QueryResult.extra key: each thing's quotes, one by one (for the text view)


def supported(graph: Graph, node) -> list:
    """The things an evidence node, or the passage it quotes, supports (sorted); [] for a
    node that is neither: what ``search`` shows a matching piece of evidence under."""
    things: set[Node] = set()
    for evidence in {node} | set(graph.subjects(PROV.entity, node)):
        for prop in (PROV.qualifiedDerivation, PROV.qualifiedAttribution):
            things.update(s for s in graph.subjects(prop, evidence) if not isinstance(s, BNode))
    return sorted(things, key=str)


def _quoted(label) -> str:
    text = str(label)
    for prefix in _SUPPORT_PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def search(
    graph: Graph, text: str, limit: int | None = None, type_: URIRef | None = None, index: LabelIndex | None = None
) -> QueryResult:
    """Things whose labels or alternative labels contain ``text`` (case/accent-insensitive).

    Rows: rank (exact, prefix, substring, words; ``quoted`` for a thing found only through a
    piece of its evidence), thing, its preferred label, the label that matched when it is
    another one, its type, and ``quotedIn``: the evidence of the thing whose label matched
    (document, section and the start of the excerpt). Evidence and the passages it quotes are
    never rows of their own: they appear under the thing they support. Things come first (best
    rank first; within a rank the things whose evidence matches too, then sources), then the
    things found only through their evidence, then vocabulary concepts.
    """
    index = index or LabelIndex(graph)
    names = ("exact", "prefix", "substring", "words")
    direct: dict = {}  # thing -> (order, rank, matched label)
    quotes: dict = {}  # thing -> [evidence labels]
    for rank, s, label in index.search(text):
        things = supported(graph, s)
        if things:
            for thing in things:
                quotes.setdefault(thing, [])
                if _quoted(label) not in quotes[thing]:
                    quotes[thing].append(_quoted(label))
            continue
        if s not in direct:
            direct[s] = (len(direct), rank, label)
    order = {n: i for i, n in enumerate(names)}

    def kind(s) -> int:  # 0 a thing, 1 a source (a document, a cited work, a footnote), 2 a vocabulary concept
        types = set(graph.objects(s, RDF.type))
        if types & {SKOS.Concept, SKOS.ConceptScheme}:
            return 2
        return 1 if any(str(t).startswith((str(FABIO), str(DOCO))) for t in types) else 0

    # things before concepts; within that, by rank, the things whose evidence also matches first
    firsts = sorted(
        (s for s in direct if kind(s) < 2),
        key=lambda s: (order.get(str(direct[s][1]), 9), kind(s), s not in quotes, direct[s][0]),
    )
    seconds = sorted(
        (s for s in quotes if s not in direct), key=lambda s: (kind(s), fold(index.label(s) or ""), str(s))
    )
    concepts = sorted(
        (s for s in direct if kind(s) == 2), key=lambda s: (order.get(str(direct[s][1]), 9), direct[s][0])
    )
    rows = []
    for s in firsts + seconds + concepts:
        types = sorted(graph.objects(s, RDF.type), key=str)
        if type_ is not None and type_ not in types:
            continue
        preferred = index.label(s)
        shown_rank, matched = (direct[s][1], direct[s][2]) if s in direct else ("quoted", None)
        row = {"rank": Literal(shown_rank), "thing": s}
        if preferred or matched is not None:
            row["label"] = Literal(preferred) if preferred else matched
        if matched is not None and preferred != str(matched):
            row["matched"] = matched
        if types:
            row["type"] = types[0]
        if quotes.get(s):
            row["quotedIn"] = Literal("; ".join(quotes[s]))
        rows.append(row)
        if limit and len(rows) >= limit:
            break
    shown = {row["thing"]: list(quotes[row["thing"]]) for row in rows if quotes.get(row["thing"])}
    return QueryResult(
        "SELECT", vars=["rank", "thing", "label", "matched", "type", "quotedIn"], rows=rows, extra={QUOTES: shown}
    )


__all__ = ["resolve", "card", "render_json", "describe_graph", "search", "fold", "OWL", "DOCO"]
