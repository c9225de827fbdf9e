"""Citation tracing, in both directions.

``trace_entity``: from a node of the graph to every statement about it, grouped by the
evidence that supports it — the document and section it was read in, the verbatim excerpt,
the footnotes the document attaches and the works they cite, and on through those works'
own evidence where the graph has it (fact → footnote → secondary report → primary source).

``trace_source``: from a work (or a source document) to every node whose evidence depends
on it — read in it, citing it in the text, or citing it through a footnote.

Evidence in laokg is attached to nodes, not to single triples: ``prov:qualifiedDerivation`` to
document evidence, whose ``prov:entity`` is the passage it was read in (an
``oa:SpecificResource``: ``oa:hasSource`` the document, ``oa:hasSelector`` the quoted excerpt),
and ``prov:qualifiedAttribution`` to project assertions (``prov:agent`` the project). A project assertion names what
it covers: whole properties (``laokg:assertedProperty``) or single statements by value
(``laokg:addsStatement``: ``rdf:predicate`` and ``rdf:object``, and ``rdf:subject`` where the
assertion serves several nodes), so a value a source prints beside one the project adds stays
with its document evidence; document evidence may name the properties
its passage states (``laokg:statedProperty``) and then supports only those; every other
statement of a node is supported by the node's other document evidence. A statement of a node with no evidence at all
(or covered only by nothing) is listed as unsupported.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from rdflib.term import Node

from laokg.graph.evidence import (
    FOOTNOTE_CITES,
    document_evidence,
    document_passages,
    first_excerpt,
    passage_document,
    passage_evidence,
    passage_sources,
    passages,
    project_assertions,
    read_evidence,
    supported_nodes,
)
from laokg.labels import LabelIndex, curie
from laokg.namespaces import ELI, LAOKG, bind_prefixes

ELI_DATE = ELI.date_document
MAX_DEPTH = 4


@dataclass
class Statement:
    predicate: str
    object: str
    object_label: str | None = None


@dataclass
class Work:
    iri: str
    label: str | None
    issued: str | None
    by: list[str]
    cites: list[Work] = field(default_factory=list)  # the works this work's own evidence cites


@dataclass
class FootnoteRef:
    iri: str
    number: str | None
    text: str | None
    works: list[Work]


@dataclass
class EvidenceGroup:
    iri: str
    kind: str  # "document" or "project"
    document: str | None = None
    document_label: str | None = None
    section: str | None = None
    excerpt: str | None = None
    footnotes: list[FootnoteRef] = field(default_factory=list)
    cited_in_text: list[Work] = field(default_factory=list)
    asserted_properties: list[str] = field(default_factory=list)
    added_statements: list[Statement] = field(default_factory=list)  # named by value (laokg:addsStatement)
    note: str | None = None
    statements: list[Statement] = field(default_factory=list)


@dataclass
class Trace:
    iri: str
    label: str | None
    types: list[str]
    evidence: list[EvidenceGroup]
    unsupported: list[Statement]
    #: every source stating the fact, conflicting statements, supersession (laokg.graph.corroboration)
    sources: dict | None = None

    def __post_init__(self) -> None:
        # the graph and labels the trace was read from (trace_entity sets them), for print(): not
        # fields, so the JSON (to_json) and equality leave them out
        self._graph: Graph | None = None
        self._index: LabelIndex | None = None

    def __getstate__(self) -> dict:  # a pickled trace leaves the graph behind (a store view cannot go)
        return {**self.__dict__, "_graph": None, "_index": None}

    def __str__(self) -> str:  # print(trace): what `laokg trace` prints (laokg.provenance.text)
        from laokg.provenance.text import trace_text

        graph = self._graph if self._graph is not None else Graph()
        return trace_text(graph, self, self._index if self._graph is not None else None)

    def _repr_pretty_(self, p, cycle) -> None:  # IPython's text view
        p.text(str(self))

    def _repr_html_(self) -> str:  # Jupyter
        from laokg.query.html import trace_html

        return trace_html(self)


def _str(value) -> str | None:
    return None if value is None else str(value)


def _evidence_of(g: Graph, node) -> list:
    """Document evidence and project assertions of ``node``, sorted by IRI."""
    return sorted({*document_evidence(g, node), *project_assertions(g, node)}, key=str)


class _Tracer:
    def __init__(self, graph: Graph, index: LabelIndex | None = None):
        self.g = graph
        self.index = index or LabelIndex(graph)

    def statement(self, p, o) -> Statement:
        label = None if isinstance(o, Literal) else self.index.label(o)
        obj = str(o) if isinstance(o, Literal) else curie(o)
        return Statement(curie(p), obj, label)

    def work(self, iri, depth: int, seen: frozenset) -> Work:
        g = self.g
        issued = g.value(iri, DCTERMS.issued) or g.value(iri, ELI_DATE) or g.value(iri, DCTERMS.date)
        agents = [*g.objects(iri, DCTERMS.creator), *g.objects(iri, DCTERMS.publisher)]
        by = sorted({self.index.label(a) or curie(a) for a in agents})
        cites: list[Work] = []
        if depth < MAX_DEPTH:
            seen = seen | {iri}
            onward: set[Node] = set()
            for ev in document_evidence(self.g, iri):
                for fn in self.g.objects(ev, LAOKG.footnote):
                    # a footnote that cites the work itself only names it (beside other
                    # works it is cited with); it says nothing about the work's own sources
                    if not any((fn, p, iri) in self.g for p in FOOTNOTE_CITES):
                        onward.update(w for p in FOOTNOTE_CITES for w in self.g.objects(fn, p))
                onward.update(self.g.objects(ev, LAOKG.citedWork))
            cites = [self.work(w, depth + 1, seen) for w in sorted(onward - seen, key=str)]
        return Work(str(iri), self.index.label(iri), _str(issued), by, cites)

    def evidence(self, ev, seen: frozenset, subject=None) -> EvidenceGroup:
        g = self.g
        found = read_evidence(g, ev, subject)
        kind = "project" if LAOKG.ProjectAssertion in found.types else "document"
        doc = found.document
        footnotes = []
        for fn, number in sorted(found.footnotes, key=lambda f: int(str(f[1])) if f[1] is not None else 0):
            works = [self.work(w, 1, seen) for p in FOOTNOTE_CITES for w in sorted(g.objects(fn, p), key=str)]
            footnotes.append(
                FootnoteRef(str(fn), _str(number), _str(g.value(fn, DCTERMS.bibliographicCitation)), works)
            )
        in_text = [self.work(w, 1, seen) for w in sorted(found.cited, key=str)]
        added = [self.statement(p, o) for p, o in found.added] if kind == "project" else []
        return EvidenceGroup(
            iri=str(ev),
            kind=kind,
            document=_str(doc),
            document_label=self.index.label(doc) if doc is not None else None,
            section=_str(found.section_title) if found.section is not None else None,
            excerpt=found.excerpt,
            footnotes=footnotes,
            cited_in_text=in_text,
            asserted_properties=sorted(curie(p) for p in found.asserted),
            added_statements=sorted(added, key=lambda st: (st.predicate, st.object)),
            note=_str(found.note),
        )


def trace_entity(graph: Graph, iri: URIRef, index: LabelIndex | None = None) -> Trace:
    """Every statement about ``iri``, grouped by the evidence that supports it."""
    tracer = _Tracer(graph, index)
    g = graph
    statements = [
        (p, o)
        for p, o in sorted(g.predicate_objects(iri), key=lambda po: (str(po[0]), str(po[1])))
        if p not in (PROV.qualifiedDerivation, PROV.qualifiedAttribution) and not isinstance(o, BNode)
    ]
    groups = [tracer.evidence(ev, frozenset({iri}), iri) for ev in _evidence_of(g, iri)]
    project_props = {p for grp in groups if grp.kind == "project" for p in grp.asserted_properties}
    unsupported = []
    documents = [grp for grp in groups if grp.kind == "document"]
    # document evidence that lists laokg:statedProperty supports only those statements; the
    # rest of the node's statements rest on its unscoped document evidence
    scoped = {grp.iri: {curie(p) for p in g.objects(URIRef(grp.iri), LAOKG.statedProperty)} for grp in documents}
    stated_props = {p for props in scoped.values() for p in props}
    general = [grp for grp in documents if not scoped[grp.iri]]
    for p, o in statements:
        st = tracer.statement(p, o)
        covering = [
            grp
            for grp in groups
            if grp.kind == "project" and (st.predicate in grp.asserted_properties or st in grp.added_statements)
        ]
        if st.predicate == "rdf:type" and not documents:
            covering = covering or [
                grp for grp in groups if grp.kind == "project" and "rdf:type" in grp.asserted_properties
            ]
        if not covering and st.predicate in stated_props:
            covering = [grp for grp in documents if st.predicate in scoped[grp.iri]]
        elif not covering and st.predicate not in project_props:
            covering = general
        if covering:
            for grp in covering:
                grp.statements.append(st)
        else:
            unsupported.append(st)
    types = sorted(curie(t) for t in g.objects(iri, RDF.type))
    from laokg.graph.corroboration import as_dict, fact_sources

    trace = Trace(str(iri), tracer.index.label(iri), types, groups, unsupported, as_dict(fact_sources(g, iri)))
    trace._graph, trace._index = g, tracer.index
    return trace


@dataclass
class Dependant:
    iri: str
    label: str | None
    via: list[
        dict
    ]  # {"evidence": iri, "how": "footnote 10" | "cited in text" | "read in the document", "excerpt": ...}


@dataclass
class SourceTrace:
    iri: str
    label: str | None
    dependants: list[Dependant]

    def __str__(self) -> str:  # print(): what `laokg trace --source` prints (laokg.provenance.text)
        from laokg.provenance.text import source_trace_text

        return source_trace_text(self)

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        from laokg.query.html import source_trace_html

        return source_trace_html(self)


def trace_source(graph: Graph, work: URIRef, index: LabelIndex | None = None) -> SourceTrace:
    """Every node whose evidence depends on ``work``, grouped by node."""
    g = graph
    index = index or LabelIndex(graph)
    by_entity: dict = {}
    footnotes = {fn for p in FOOTNOTE_CITES for fn in g.subjects(p, work)}
    # only the evidence that can rest on the work: read in it, citing it, or under a footnote
    # citing it (looked up from the work, not every piece of evidence of the graph visited)
    candidates = {ev for passage in document_passages(g, work) for ev in passage_evidence(g, passage)}
    candidates.update(g.subjects(LAOKG.citedWork, work))
    candidates.update(ev for fn in footnotes for ev in g.subjects(LAOKG.footnote, fn))
    pairs = sorted(
        ((entity, ev) for ev in candidates for entity in supported_nodes(g, ev)),
        key=lambda x: (str(x[0]), str(x[1])),
    )
    for entity, ev in pairs:
        if (ev, RDF.type, LAOKG.ProjectAssertion) in g:
            continue  # what the project asserts does not rest on any source
        ways = []
        if passage_document(g, ev) == work:
            ways.append("read in the document")
        if (ev, LAOKG.citedWork, work) in g:
            ways.append("cited in the text")
        for fn in g.objects(ev, LAOKG.footnote):
            # a footnote that names the entity itself (a work cited beside WORK) is where the
            # entity is mentioned, not a fact of it resting on WORK
            if fn in footnotes and not any((fn, p, entity) in g for p in FOOTNOTE_CITES):
                ways.append(f"footnote {g.value(fn, LAOKG.footnoteNumber)}")
        if not ways or entity == work:
            continue
        excerpt = first_excerpt(g, ev)
        for how in ways:
            by_entity.setdefault(entity, []).append({"evidence": str(ev), "how": how, "excerpt": excerpt})
    dependants = [
        Dependant(str(e), index.label(e), sorted(v, key=lambda d: (d["how"], d["evidence"])))
        for e, v in sorted(
            by_entity.items(), key=lambda kv: ((index.label(kv[0]) or str(kv[0])).casefold(), str(kv[0]))
        )
    ]
    return SourceTrace(str(work), index.label(work), dependants)


def provenance_graph(graph: Graph, iri: URIRef) -> Graph:
    """The PROV-O subgraph behind ``iri``: its evidence, passages and their selectors, sections,
    footnotes, documents (with the work an edition belongs to) and cited works (with their own
    evidence, recursively), its project assertions and the project agent, plus the unqualified
    shortcuts: ``prov:wasDerivedFrom`` from the node to each document and cited work,
    ``prov:wasAttributedTo`` the project."""
    out = bind_prefixes(Graph())
    seen = set()

    def copy_node(node):
        for p, o in graph.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, BNode):
                for t in graph.triples((o, None, None)):
                    out.add(t)

    def walk(node, depth):
        if node in seen or depth > MAX_DEPTH:
            return
        seen.add(node)
        for attribution in graph.objects(node, PROV.qualifiedAttribution):
            out.add((node, PROV.qualifiedAttribution, attribution))
            copy_node(attribution)
            for agent in graph.objects(attribution, PROV.agent):
                out.add((node, PROV.wasAttributedTo, agent))
                for p in (RDF.type, RDFS.label):
                    for o in graph.objects(agent, p):
                        out.add((agent, p, o))
        for ev in graph.objects(node, PROV.qualifiedDerivation):
            out.add((node, PROV.qualifiedDerivation, ev))
            copy_node(ev)
            sources = set(graph.objects(ev, LAOKG.citedWork))
            for passage in passages(graph, ev):
                copy_node(passage)
                sources.update(passage_sources(graph, passage))
            for sec in graph.objects(ev, LAOKG.section):
                copy_node(sec)
            for fn in graph.objects(ev, LAOKG.footnote):
                copy_node(fn)
                sources.update(w for p in FOOTNOTE_CITES for w in graph.objects(fn, p))
            for src in sources:
                if src != node:
                    out.add((node, PROV.wasDerivedFrom, src))
                for p in (
                    RDF.type,
                    DCTERMS.title,
                    DCTERMS.issued,
                    ELI_DATE,
                    DCTERMS.date,
                    DCTERMS.creator,
                    DCTERMS.publisher,
                    DCTERMS.identifier,
                ):
                    for o in graph.objects(src, p):
                        out.add((src, p, o))
                for work in graph.objects(src, DCTERMS.isVersionOf):  # the edition's work, named
                    out.add((src, DCTERMS.isVersionOf, work))
                    for p in (RDF.type, DCTERMS.title):
                        for o in graph.objects(work, p):
                            out.add((work, p, o))
                walk(src, depth + 1)

    walk(iri, 0)
    return out


def to_json(obj) -> str:
    return json.dumps(asdict(obj), indent=2, ensure_ascii=False) + "\n"
