"""Counts that describe the graph: entities per class, triples, facts, sources, evidence.

Only the project's own nodes count as entities: subjects whose IRI is in the
``https://w3id.org/laokg/id/`` namespace (ontology and vocabulary terms are not entities).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from laokg.graph.evidence import (
    CITING_PROPERTIES,
    DOCUMENT,
    EVIDENCE_CLASSES,
    PASSAGE,
    passage_documents,
    passages,
    sparql_passage,
)
from laokg.namespaces import DOCO, KG, QB


@dataclass
class Stats:
    """The numbers ``laokg stats`` prints. ``classes`` maps a class (CURIE) to its entity count."""

    triples: int
    entities: int
    facts: int
    sources: int
    documents: int
    cited_works: int
    footnotes: int
    evidence: int
    observations: int
    classes: dict[str, int] = field(default_factory=dict)
    #: works read in an edition whose text is not held (:func:`laokg.graph.asof.unheld_editions_read`):
    #: ``{"edition", "work", "issued"}``, CURIEs and the date as printed
    editions_not_held: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def _is_entity(node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(KG))


def _subclasses(graph: Graph, cls: URIRef) -> set[Node]:
    """``cls`` and every class below it by rdfs:subClassOf (as the ontology declares them)."""
    return {c for c in graph.transitive_subjects(RDFS.subClassOf, cls) if c is not None}


def _instances(graph: Graph, classes) -> set:
    return {s for cls in classes for s in graph.subjects(RDF.type, cls)}


def _curie(graph: Graph, iri) -> str:
    try:
        prefix, _ns, local = graph.namespace_manager.compute_qname(iri, generate=False)
    except (KeyError, ValueError):
        return str(iri)
    return f"{prefix}:{local}" if prefix else str(iri)


def _editions_not_held(graph: Graph, curie) -> list[dict]:
    from laokg.graph.asof import unheld_editions_read

    return [
        {"edition": curie(edition), "work": curie(work), "issued": None if issued is None else str(issued)}
        for edition, work, issued in unheld_editions_read(graph)
    ]


def compute_stats(graph: Graph) -> Stats:
    """Count what the data graph holds (see the :class:`Stats` fields)."""
    # evidence records: document evidence (prov:Derivation) and project assertions (prov:Attribution)
    evidence = _instances(graph, set().union(*(_subclasses(graph, cls) for cls in EVIDENCE_CLASSES)))
    # the passages document evidence was read in (its prov:entity) are part of the evidence too
    read_in = {p for ev in evidence for p in passages(graph, ev)}
    entities = {s for s in graph.subjects(unique=True) if _is_entity(s)}
    per_class: Counter = Counter()
    for entity in entities:
        for cls in set(graph.objects(entity, RDF.type)):
            per_class[_curie(graph, cls)] += 1
    facts = sum(1 for s, _p, _o in graph if _is_entity(s) and s not in evidence and s not in read_in)
    cited = {o for prop in CITING_PROPERTIES for o in graph.objects(None, prop)}
    # the documents the evidence was read in (the seed report and news item): the passages' sources
    documents = {d for ev in evidence for d in passage_documents(graph, ev)}
    return _stats(
        per_class,
        cited,
        documents,
        triples=len(graph),
        entities=len(entities),
        facts=facts,
        footnotes=len(_instances(graph, _subclasses(graph, DOCO.Footnote))),
        evidence=len(evidence),
        observations=len(_instances(graph, _subclasses(graph, QB.Observation))),
        editions_not_held=_editions_not_held(graph, lambda iri: _curie(graph, iri)),
    )


def _stats(per_class: Counter, cited: set, documents: set, **counts) -> Stats:
    """The :class:`Stats` of counts taken on an rdflib graph (:func:`compute_stats`) or by a store
    (:func:`store_stats`): the sources are the cited works and the documents read, together; the
    classes run from the most instances to the fewest, then by name."""
    return Stats(
        sources=len(cited | documents),
        documents=len(documents),
        cited_works=len(cited),
        classes=dict(sorted(per_class.items(), key=lambda kv: (-kv[1], kv[0]))),
        **counts,
    )


def _store_values(store, query: str) -> list:
    return [tuple(solution) for solution in store.query(query)]


def store_stats(store) -> Stats:
    """:func:`compute_stats` of the graph a pyoxigraph ``store`` holds, counted by the store
    (SPARQL aggregates and the pattern API; no triple is copied into rdflib): the same
    :class:`Stats` (tests/test_stats.py checks both on the same graphs)."""
    import pyoxigraph

    from laokg.labels import namespace_manager
    from laokg.namespaces import PREFIXES

    kg = str(KG).replace("\\", "\\\\").replace('"', '\\"')
    entity = f'isIRI(?s) && STRSTARTS(STR(?s), "{kg}")'

    def instances_of(*tops) -> str:
        values = " ".join(f"<{t}>" for t in tops)
        return f"VALUES ?top {{ {values} }} ?c <{RDFS.subClassOf}>* ?top . ?s a ?c ."

    evidence_where = instances_of(*EVIDENCE_CLASSES)
    evidence = {s for (s,) in _store_values(store, f"SELECT DISTINCT ?s WHERE {{ {evidence_where} }}")}
    read_in_where = f"{evidence_where} {sparql_passage('?s', '?p')}"
    read_in = {p for (p,) in _store_values(store, f"SELECT DISTINCT ?p WHERE {{ {read_in_where} }}")}
    per_subject = _store_values(store, f"SELECT ?s (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER({entity}) }} GROUP BY ?s")
    facts = sum(int(n.value) for s, n in per_subject if s not in evidence and s not in read_in)
    manager = namespace_manager(PREFIXES)
    per_class: Counter = Counter()
    for cls, n in _store_values(
        store, f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?c FILTER({entity}) }} GROUP BY ?c"
    ):
        per_class[_curie_with(manager, cls.value) if isinstance(cls, pyoxigraph.NamedNode) else str(cls)] += int(
            n.value
        )
    citing = " ".join(f"<{p}>" for p in CITING_PROPERTIES)
    cited = {o for (o,) in _store_values(store, f"SELECT DISTINCT ?o WHERE {{ VALUES ?p {{ {citing} }} ?x ?p ?o }}")}
    documents = {
        d
        for (d,) in _store_values(
            store, f"SELECT DISTINCT ?d WHERE {{ {evidence_where} {sparql_passage('?s', '?p', '?d')} }}"
        )
    }

    def count(where: str) -> int:
        return int(_store_values(store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}")[0][0].value)

    # the same counts as compute_stats, taken by the store: alike in shape (tests/test_stats.py checks they agree)
    return _stats(
        per_class,
        cited,
        documents,
        triples=len(store),
        entities=len(per_subject),
        facts=facts,
        footnotes=count(instances_of(DOCO.Footnote)),
        evidence=len(evidence),
        observations=count(instances_of(QB.Observation)),
        editions_not_held=_editions_not_held(_editions_graph(store), lambda iri: _curie_with(manager, str(iri))),
    )


def _editions_graph(store) -> Graph:
    """What :func:`laokg.graph.asof.unheld_editions_read` reads, taken from the store: the
    editions, their works and dates, and the documents the evidence quotes with theirs."""
    import pyoxigraph
    from rdflib import Literal
    from rdflib.namespace import DCTERMS

    def term(node):
        if isinstance(node, pyoxigraph.Literal):
            return (
                Literal(node.value, lang=node.language)
                if node.language
                else Literal(node.value, datatype=URIRef(node.datatype.value))
            )
        return URIRef(node.value) if isinstance(node, pyoxigraph.NamedNode) else None

    graph = Graph()
    for edition, work, issued in _store_values(
        store,
        f"""SELECT ?e ?w ?i WHERE {{
            ?e <{DCTERMS.isVersionOf}> ?w OPTIONAL {{ ?e <{DCTERMS.issued}> ?i }} }}""",
    ):
        if term(edition) is not None and term(work) is not None:
            graph.add((term(edition), DCTERMS.isVersionOf, term(work)))
            if issued is not None:
                graph.add((term(edition), DCTERMS.issued, term(issued)))
    for doc, issued in _store_values(
        store,
        f"""SELECT DISTINCT ?d ?i WHERE {{
            ?p <{DOCUMENT}> ?d OPTIONAL {{ ?d <{DCTERMS.issued}> ?i }} }}""",
    ):
        if term(doc) is not None:
            graph.add((KG["-quoted"], DOCUMENT, term(doc)))
            if issued is not None:
                graph.add((term(doc), DCTERMS.issued, term(issued)))
    return graph


def _curie_with(manager, iri: str) -> str:
    try:
        prefix, _ns, local = manager.compute_qname(iri, generate=False)
    except (KeyError, ValueError):
        return iri
    return f"{prefix}:{local}" if prefix else iri


def triple_stats(triples) -> Stats:
    """:func:`compute_stats` of distinct triples given as N-Triples term strings
    (:mod:`laokg.graph.triples`, as ``laokg build`` holds them): one pass over the triples,
    the same :class:`Stats` (tests/test_stats.py compares the three ways of counting). The
    build records it with the store it writes (``store.json``), for :func:`stats`."""
    from laokg.labels import namespace_manager
    from laokg.namespaces import PREFIXES

    rdf_type, sub_class = f"<{RDF.type}>", f"<{RDFS.subClassOf}>"
    prov_entity, has_source = f"<{PASSAGE}>", f"<{DOCUMENT}>"
    citing = {f"<{p}>" for p in CITING_PROPERTIES}
    entity_prefix = f"<{KG}"
    count = 0
    per_subject: Counter = Counter()  # triples per entity
    instances: dict[str, set] = {}  # class -> its subjects
    entity_types: list[str] = []  # the class of every (entity, rdf:type, class) triple
    children: dict[str, list] = {}  # class -> its direct subclasses
    read_in: list[tuple[str, str]] = []  # (subject, prov:entity object)
    sources_of: dict[str, list] = {}  # node -> its oa:hasSource objects
    cited: set = set()
    for s, p, o in triples:
        count += 1
        is_entity = s.startswith(entity_prefix)
        if is_entity:
            per_subject[s] += 1
        if p == rdf_type:
            instances.setdefault(o, set()).add(s)
            if is_entity:
                entity_types.append(o)
        elif p == sub_class:
            children.setdefault(o, []).append(s)
        elif p == prov_entity:
            read_in.append((s, o))
        elif p == has_source:
            sources_of.setdefault(s, []).append(o)
        elif p in citing:
            cited.add(o)

    def below(*tops: URIRef) -> set:
        """The instances of ``tops`` and of every class below them (rdfs:subClassOf*)."""
        seen = {f"<{t}>" for t in tops}
        todo = list(seen)
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return {s for cls in seen for s in instances.get(cls, ())}

    evidence = below(*EVIDENCE_CLASSES)
    passages_read = {o for s, o in read_in if s in evidence}
    documents = {d for p in passages_read for d in sources_of.get(p, ())}
    manager = namespace_manager(PREFIXES)
    per_class: Counter = Counter()
    for cls in entity_types:
        per_class[_curie_with(manager, cls[1:-1]) if cls.startswith("<") else cls] += 1
    return Stats(
        triples=count,
        entities=len(per_subject),
        facts=sum(n for s, n in per_subject.items() if s not in evidence and s not in passages_read),
        sources=len(cited | documents),
        documents=len(documents),
        cited_works=len(cited),
        footnotes=len(below(DOCO.Footnote)),
        evidence=len(evidence),
        observations=len(below(QB.Observation)),
        classes=dict(sorted(per_class.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def recorded_stats(root=None) -> Stats | None:
    """The counts ``laokg build`` recorded with the store (:func:`triple_stats`), if the
    published store is current for the project at ``root`` (as a query decides), else None."""
    from laokg.graph.store import built_record

    record = built_record(root)
    found = record.get("stats") if record is not None else None
    if not isinstance(found, dict):
        return None
    try:
        return Stats(**found)
    except TypeError:  # a record of another shape
        return None


def stats(root=None, extra=(), graph: Graph | None = None, store=None) -> Stats:
    """Count ``graph``, or the pyoxigraph ``store`` (the counts the build recorded with it when
    it is the project's current built store, :func:`recorded_stats`; else
    :func:`store_stats`: the store counts itself), or else the project at ``root`` (plus
    ``extra`` files) parsed."""
    if graph is None and store is not None:
        recorded = recorded_stats(root) if not extra else None
        return recorded if recorded is not None else store_stats(store)
    from laokg.graph.load import load_data_graph

    return compute_stats(graph if graph is not None else load_data_graph(root, extra))


_LABELS = (
    ("triples", "Triples"),
    ("facts", "Facts (triples about entities, not evidence)"),
    ("entities", "Entities"),
    ("sources", "Sources"),
    ("documents", "  documents read"),
    ("cited_works", "  works cited"),
    ("footnotes", "Footnotes"),
    ("evidence", "Evidence records"),
    ("observations", "Statistical observations"),
)


def format_text(result: Stats) -> str:
    data = result.to_dict()
    width = max(len(label) for _, label in _LABELS)
    lines = [f"{label:<{width}}  {data[key]:>6}" for key, label in _LABELS]
    if result.classes:
        lines.append("")
        lines.append("Entities by class:")
        cwidth = max(len(c) for c in result.classes)
        lines.extend(f"  {cls:<{cwidth}}  {n:>6}" for cls, n in result.classes.items())
    for note in result.editions_not_held:
        lines.append("")
        lines.append(f"Note: edition read, text not held: {note['edition']} ({note['issued']})")
        lines.append(f"  of {note['work']}; none of that edition's statements are here.")
    return "\n".join(lines) + "\n"


def format_json(result: Stats) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


__all__ = [
    "Stats",
    "compute_stats",
    "store_stats",
    "triple_stats",
    "recorded_stats",
    "stats",
    "format_text",
    "format_json",
]
