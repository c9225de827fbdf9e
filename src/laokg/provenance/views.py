"""Terms, cards and trace statements as a reader sees them: the views the site's entity pages
(:mod:`laokg.publish.pages`) and the text of ``laokg show`` and ``laokg trace``
(:mod:`laokg.provenance.text`, and so ``print(trace)``) are both laid out from, so a page and
the command line cannot tell a thing differently.

A term becomes a small dict: an IRI its label (or, for an outside vocabulary's term, the name
in :mod:`laokg.provenance.readable`) and CURIE, a literal its reading text (no tags; a date as
printed, a figure with its unit and multiplier), a blank node what it holds. Everything here
returns plain dicts and lists.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD
from rdflib.term import Node

from laokg.labels import LabelIndex, curie
from laokg.namespaces import PREFIXES, SDMX_ATTR, SDMX_MEAS
from laokg.provenance.readable import figure_text, literal_text, term_label


def expand_curie(text: str) -> str | None:
    """``kg:mlsw`` -> the full IRI; ``<iri>`` -> iri; None if it is not a CURIE we know."""
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES:
        return str(PREFIXES[prefix]) + local
    return None


def literal(term: Literal) -> dict:
    """A literal for the templates: its reading text (no tags), and the lexical form with its
    datatype for the hover title."""
    dt = term.datatype
    shown_dt = curie(dt) if dt is not None and dt not in (XSD.string, RDF.langString) else None
    return {
        "kind": "literal",
        "text": literal_text(term),
        "raw": str(term),
        "lang": term.language,
        "datatype": shown_dt,
    }


class Terms:
    """Turns RDF terms into the small dicts a reader's view holds: the kind, the reader's name
    (label), the CURIE and, when ``link`` is given, the path of the term's own page (``link``
    maps an IRI to it, or to None when the term has no page; the site passes its own)."""

    def __init__(self, graph: Graph, index: LabelIndex, link: Callable[[Node], str | None] | None = None):
        self.graph = graph
        self.index = index
        self.link = link

    def iri(self, iri) -> dict:
        """An IRI as the templates show it: the reader's name (its label, or for an outside
        vocabulary's term the name in :mod:`laokg.provenance.readable`), the CURIE for hovering."""
        label = term_label(iri, self.index.label(iri))
        path = self.link(iri) if self.link is not None else None
        return {"kind": "iri", "iri": str(iri), "curie": curie(iri), "label": label, "path": path}

    def term(self, term, depth: int = 0) -> dict:
        if isinstance(term, Literal):
            return literal(term)
        if isinstance(term, BNode):
            if depth > 2:
                return {"kind": "literal", "text": "[…]", "raw": "[…]", "lang": None, "datatype": None}
            props = sorted(self.graph.predicate_objects(term), key=lambda po: (curie(po[0]), str(po[1])))
            return {"kind": "bnode", "props": [(self.iri(p), self.term(o, depth + 1)) for p, o in props]}
        return self.iri(term)

    def statement_object(self, obj: str, iris: frozenset[str]) -> dict:
        """A trace statement's object (a CURIE, or a literal's text) as a term dict. ``iris``:
        the CURIEs of the IRI values the node has and no literal of the same text shares; only
        these become IRIs (a literal that looks like a CURIE or ``<…>`` stays a literal)."""
        iri = expand_curie(obj) if obj in iris else None
        if iri is not None:
            return self.iri(URIRef(iri))
        return {"kind": "literal", "text": obj, "raw": obj, "lang": None, "datatype": None}

    def predicate(self, text: str) -> dict:
        iri = expand_curie(text)
        return (
            self.iri(URIRef(iri))
            if iri
            else {"kind": "literal", "text": text, "raw": text, "lang": None, "datatype": None}
        )


def card_view(graph: Graph, terms: Terms, c) -> dict:
    """The card part of an entity page, as a reader sees it: the name, the CURIE, the types,
    the figure of an observation (unit and multiplier applied), the names, the properties and
    the incoming links, each property named by its label. ``laokg show`` prints exactly this
    (:mod:`laokg.provenance.text`), so the page and the CLI cannot tell a thing differently."""
    props: list[dict[str, Any]] = [
        {"prop": terms.iri(p), "values": [terms.term(o) for _, o in group]}
        for p, group in groupby(c.properties, key=lambda po: po[0])
    ]
    incoming = [
        {"prop": terms.iri(p), "subjects": [terms.iri(s) for s, _ in group]}
        for p, group in groupby(c.incoming, key=lambda sp: sp[1])
    ]
    figure = figure_of(graph, c.properties)
    if figure is not None:
        for row in props:
            if row["prop"]["iri"] == str(SDMX_MEAS.obsValue):
                row["values"] = [{**v, "text": figure} for v in row["values"]]
    names, seen = [], set()
    for p, o in c.labels:  # a name given twice under one reader's name (skos:prefLabel and rdfs:label) once
        pair = (terms.iri(p), terms.term(o))
        key = (pair[0]["label"] or pair[0]["curie"], pair[1].get("text"))
        if key not in seen:
            seen.add(key)
            names.append(pair)
    return {
        "iri": str(c.iri),
        "curie": curie(c.iri),
        "label": c.label or curie(c.iri),
        "types": [terms.iri(ty) for ty in c.types],
        "figure": figure,
        "labels": names,
        "properties": props,
        "incoming": incoming,
    }


def statement_iris(graph: Graph, iri: URIRef) -> frozenset[str]:
    """The CURIEs of the IRI values ``iri`` has that no literal value of the same text shares:
    the objects of its trace statements that are IRIs (see :meth:`Terms.statement_object`)."""
    values = list(graph.objects(iri))
    texts = {str(o) for o in values if not isinstance(o, URIRef)}
    return frozenset(name for o in values if isinstance(o, URIRef) and (name := curie(o)) not in texts)


def statement_view(graph: Graph, terms: Terms, iri: URIRef, st, iris: frozenset[str]) -> dict:
    """A trace statement of ``iri`` (:class:`laokg.provenance.trace.Statement`) as a reader sees
    it: the property by its label; an IRI by its label; a literal as the reader's text of the
    node's literal of that property with that text (a date as printed, a figure with its unit
    and multiplier), else as the statement's text."""
    prop = terms.predicate(st.predicate)
    obj = terms.statement_object(st.object, iris)
    if obj["kind"] == "literal" and prop["kind"] == "iri":
        p = URIRef(prop["iri"])
        lit = next((o for o in graph.objects(iri, p) if isinstance(o, Literal) and str(o) == st.object), None)
        if lit is not None:
            obj = literal(lit)
            if p == SDMX_MEAS.obsValue:
                obj = {**obj, "text": figure_of(graph, list(graph.predicate_objects(iri))) or obj["text"]}
    return {"prop": prop, "object": obj}


def unit_code(graph: Graph, unit) -> str | None:
    """A unit concept's code (skos:notation, e.g. ``USD``, ``%``), else its label."""
    if unit is None:
        return None
    code = graph.value(unit, SKOS.notation)
    return str(code) if code is not None else (str(graph.value(unit, SKOS.prefLabel) or "") or None)


def figure_of(graph: Graph, properties) -> str | None:
    """An observation's value as people write it (unit and multiplier applied), from its card."""
    values = dict((p, o) for p, o in properties)
    value = values.get(SDMX_MEAS.obsValue)
    if value is None:
        return None
    return figure_text(value, unit_code(graph, values.get(SDMX_ATTR.unitMeasure)), values.get(SDMX_ATTR.unitMult))


__all__ = [
    "Terms",
    "card_view",
    "expand_curie",
    "figure_of",
    "literal",
    "statement_iris",
    "statement_view",
    "unit_code",
]
