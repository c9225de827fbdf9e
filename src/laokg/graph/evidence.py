"""The evidence reader: one walk of the PROV/OA structure behind a node, for every reader of it
(entity cards in :mod:`laokg.query.entity`, traces in :mod:`laokg.provenance.trace`, the fact's
sources in :mod:`laokg.graph.corroboration`, the counts in :mod:`laokg.graph.stats`, the site's
search index in :mod:`laokg.publish.pages`, the excerpt check in :mod:`laokg.provenance.curation`,
a document's passages in :mod:`laokg.provenance.sources`).

A node's evidence is a ``prov:qualifiedDerivation`` (document evidence) or a
``prov:qualifiedAttribution`` (a project assertion). Document evidence has ``prov:entity`` the
passage it was read in (an ``oa:SpecificResource``: ``oa:hasSource`` the document,
``oa:hasSelector`` the selectors, whose ``oa:exact`` is the quoted excerpt), ``laokg:section``
(titled by ``dct:title``), ``laokg:footnote`` (numbered by ``laokg:footnoteNumber``) and
``laokg:citedWork``; a project assertion names whole properties (``laokg:assertedProperty``)
or single statements by value (``laokg:addsStatement``: ``rdf:predicate``, ``rdf:object`` and,
where it serves several nodes, ``rdf:subject``). Either may carry ``skos:note`` or
``rdfs:comment``.

:func:`read_evidence` returns the terms as the graph holds them, lists in the graph's order,
so each reader sorts and words them its own way; the single-path helpers walk one step each
(a node's evidence, an evidence's passages, a passage's documents, excerpts and position, and
back from a document to its passages, their evidence and the nodes it supports). It works on
any rdflib ``Graph``, including the Oxigraph store view (:mod:`laokg.query.storeview`). A
reader that asks a store with SPARQL (any engine) writes the same walk with
:func:`sparql_passage`, and one that reads N-Triples term strings with the properties named
here (:data:`PASSAGE`, :data:`DOCUMENT`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from laokg.namespaces import CITO, LAOKG, OA

#: evidence -> the passage it was read in (an ``oa:SpecificResource``)
PASSAGE = PROV.entity
#: passage -> the document it is part of
DOCUMENT = OA.hasSource
#: a footnote cites a work through one of these (CiTO)
FOOTNOTE_CITES = (CITO.citesAsEvidence, CITO.citesAsDataSource)
#: a footnote or evidence record cites a work through one of these (evidence in its own text)
CITING_PROPERTIES = (*FOOTNOTE_CITES, LAOKG.citedWork)
#: the top classes of evidence records: document evidence and project assertions (with their subclasses)
EVIDENCE_CLASSES = (LAOKG.Evidence, LAOKG.ProjectAssertion)
#: the classes of the records the structure is made of, read under the thing they support
#: rather than for their own sake: evidence, project assertions, passages and their selectors
RECORD_CLASSES = (LAOKG.DocumentEvidence, LAOKG.ProjectAssertion, OA.SpecificResource, OA.TextQuoteSelector)


@dataclass
class EvidenceRecord:
    """What the graph says about one piece of evidence (terms, in the graph's order)."""

    node: Node
    types: list[Node] = field(default_factory=list)
    #: each passage's ``oa:hasSource``, passage by passage (the first is "the" document)
    documents: list[Node] = field(default_factory=list)
    section: Node | None = None
    section_title: Node | None = None
    #: (footnote, its ``laokg:footnoteNumber`` or None)
    footnotes: list[tuple[Node, Node | None]] = field(default_factory=list)
    #: the ``oa:exact`` of each passage's selectors, passage by passage
    excerpts: list[str] = field(default_factory=list)
    cited: list[Node] = field(default_factory=list)
    asserted: list[Node] = field(default_factory=list)
    #: (property, value) of the statements named by value that concern the subject asked about
    added: list[tuple[Node, Node]] = field(default_factory=list)
    note: Node | None = None  # skos:note
    comment: Node | None = None  # rdfs:comment

    @property
    def document(self) -> Node | None:
        return self.documents[0] if self.documents else None

    @property
    def excerpt(self) -> str | None:
        return self.excerpts[0] if self.excerpts else None


def document_evidence(graph: Graph, node) -> list[Node]:
    """The document evidence of ``node`` (its ``prov:qualifiedDerivation``), in the graph's order."""
    return list(graph.objects(node, PROV.qualifiedDerivation))


def project_assertions(graph: Graph, node) -> list[Node]:
    """The project assertions about ``node`` (its ``prov:qualifiedAttribution``), in the graph's order."""
    return list(graph.objects(node, PROV.qualifiedAttribution))


def passages(graph: Graph, evidence) -> list[Node]:
    """The passages ``evidence`` was read in (its ``prov:entity``)."""
    return list(graph.objects(evidence, PASSAGE))


def passage_sources(graph: Graph, passage) -> list[Node]:
    """The documents ``passage`` is part of (its ``oa:hasSource``)."""
    return list(graph.objects(passage, DOCUMENT))


def passage_excerpts(graph: Graph, passage) -> list[str]:
    """The verbatim text of ``passage``: its selectors' ``oa:exact``."""
    return [str(t) for sel in graph.objects(passage, OA.hasSelector) for t in graph.objects(sel, OA.exact)]


def passage_position(graph: Graph, passage) -> tuple[int, int] | None:
    """(start, end): where ``passage`` is in its document's text, by its text-position selector
    (``oa:start``, ``oa:end``), or None when it has none."""
    span = None
    for sel in graph.objects(passage, OA.hasSelector):
        start = graph.value(sel, OA.start)
        if start is not None:
            span = int(str(start)), int(str(graph.value(sel, OA.end)))
    return span


def document_passages(graph: Graph, document) -> list[Node]:
    """The passages read in ``document`` (the other way along ``oa:hasSource``)."""
    return list(graph.subjects(DOCUMENT, document))


def passage_evidence(graph: Graph, passage) -> list[Node]:
    """The evidence read in ``passage`` (the other way along ``prov:entity``)."""
    return list(graph.subjects(PASSAGE, passage))


def supported_nodes(graph: Graph, evidence) -> list[Node]:
    """The nodes ``evidence`` is document evidence of (the other way along ``prov:qualifiedDerivation``)."""
    return list(graph.subjects(PROV.qualifiedDerivation, evidence))


def passage_documents(graph: Graph, evidence) -> list[Node]:
    """The documents ``evidence`` was read in: ``prov:entity`` (the passage) / ``oa:hasSource``."""
    return [doc for passage in passages(graph, evidence) for doc in passage_sources(graph, passage)]


def passage_document(graph: Graph, evidence) -> Node | None:
    """The first of :func:`passage_documents` (evidence is read in one document), or None."""
    return next((doc for passage in graph.objects(evidence, PASSAGE) for doc in graph.objects(passage, DOCUMENT)), None)


def excerpts(graph: Graph, evidence) -> list[str]:
    """The verbatim excerpts of ``evidence``: its passages' text-quote selectors' ``oa:exact``."""
    return [text for passage in passages(graph, evidence) for text in passage_excerpts(graph, passage)]


def first_excerpt(graph: Graph, evidence) -> str | None:
    """The first of :func:`excerpts`, or None."""
    return next(
        (
            str(t)
            for passage in graph.objects(evidence, PASSAGE)
            for sel in graph.objects(passage, OA.hasSelector)
            for t in graph.objects(sel, OA.exact)
        ),
        None,
    )


def sparql_passage(evidence: str, passage: str, document: str | None = None, excerpt: str | None = None) -> str:
    """The walk from evidence to its passage (and on to the passage's document and its
    selectors' excerpt, when their variables are given) as SPARQL triple patterns, for a reader
    that asks a store: ``sparql_passage("?ev", "?p", "?doc")`` is
    ``?ev <prov:entity> ?p . ?p <oa:hasSource> ?doc .`` with full IRIs."""
    found = f"{evidence} <{PASSAGE}> {passage} ."
    if document is not None:
        found += f" {passage} <{DOCUMENT}> {document}"
        found += f" ; <{OA.hasSelector}>/<{OA.exact}> {excerpt} ." if excerpt is not None else " ."
    elif excerpt is not None:
        found += f" {passage} <{OA.hasSelector}>/<{OA.exact}> {excerpt} ."
    return found


def footnotes(graph: Graph, evidence) -> list[tuple[Node, Node | None]]:
    """(footnote, its number or None) of each ``laokg:footnote`` of ``evidence``."""
    return [(fn, graph.value(fn, LAOKG.footnoteNumber)) for fn in graph.objects(evidence, LAOKG.footnote)]


def added_statements(graph: Graph, evidence, subject=None) -> list[tuple[Node, Node]]:
    """(property, value) of each statement project assertion ``evidence`` names by value
    (``laokg:addsStatement``) that is about ``subject`` (a statement without ``rdf:subject``
    is about whichever node the assertion serves)."""
    out = []
    for st in graph.objects(evidence, LAOKG.addsStatement):
        named = graph.value(st, RDF.subject)
        p, o = graph.value(st, RDF.predicate), graph.value(st, RDF.object)
        if p is not None and o is not None and (named is None or named == subject):
            out.append((p, o))
    return out


def read_evidence(graph: Graph, evidence, subject=None) -> EvidenceRecord:
    """Everything the graph says about one piece of evidence of ``subject``."""
    section = graph.value(evidence, LAOKG.section)
    return EvidenceRecord(
        node=evidence,
        types=list(graph.objects(evidence, RDF.type)),
        documents=passage_documents(graph, evidence),
        section=section,
        section_title=graph.value(section, DCTERMS.title) if section is not None else None,
        footnotes=footnotes(graph, evidence),
        excerpts=excerpts(graph, evidence),
        cited=list(graph.objects(evidence, LAOKG.citedWork)),
        asserted=list(graph.objects(evidence, LAOKG.assertedProperty)),
        added=added_statements(graph, evidence, subject),
        note=graph.value(evidence, SKOS.note),
        comment=graph.value(evidence, RDFS.comment),
    )
