"""Ontology documentation for the site: every class and property laokg defines (label,
definition, alignments, domain and range), every controlled vocabulary (SKOS concept schemes
with their concepts), and a class diagram drawn with Graphviz ``dot`` when it is installed.

Why our own page rather than pyLODE: the site needs the ontology and the vocabularies on
pages with the site's navigation, stylesheet and relative links (entity pages link each
property to its anchor here), and a class diagram that also shows the standard classes each
laokg class is aligned to and how the graph's instances use them; pyLODE renders one
standalone document per ontology without a diagram.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from laokg.errors import InputError
from laokg.labels import curie
from laokg.namespaces import BASE, LAOKG, VOCAB
from laokg.publish.paths import anchor

ONTOLOGY_IRI = URIRef(BASE + "ontology")
# two tables of (term, the words the page shows for it), alike in shape only: alignments, then kinds
_ALIGN = (
    (RDFS.subClassOf, "subclass of"),
    (OWL.equivalentClass, "equivalent class"),
    (RDFS.subPropertyOf, "subproperty of"),
    (OWL.equivalentProperty, "equivalent property"),
    (SKOS.exactMatch, "exact match"),
    (SKOS.closeMatch, "close match"),
    (SKOS.broadMatch, "broader match"),
    (OWL.inverseOf, "inverse of"),
)
_KINDS = (
    (OWL.Class, "class"),
    (OWL.ObjectProperty, "object property"),
    (OWL.DatatypeProperty, "datatype property"),
    (OWL.AnnotationProperty, "annotation property"),
    (RDF.Property, "property"),
)


def _text(graph: Graph, node, prop) -> str | None:
    values = sorted(
        (o for o in graph.objects(node, prop) if isinstance(o, Literal)),
        key=lambda lit: (lit.language not in (None, "en"), str(lit)),
    )
    return str(values[0]) if values else None


def _refs(terms, graph: Graph, node, prop) -> list[dict]:
    return [terms.iri(o) for o in sorted(graph.objects(node, prop), key=str) if isinstance(o, URIRef)]


def ontology_terms(graph: Graph, terms) -> dict:
    """Classes and properties of the laokg namespace, and any other laokg IRI the graph uses
    (so every link to the ontology page has its anchor)."""
    ns = str(LAOKG)
    used = {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(ns)}
    classes: list[dict] = []
    properties: list[dict] = []
    for iri in sorted(used, key=str):
        kinds = [name for cls, name in _KINDS if (iri, RDF.type, cls) in graph]
        extra = [curie(t) for t in sorted(graph.objects(iri, RDF.type), key=str) if t not in {c for c, _ in _KINDS}]
        item = {
            "anchor": anchor(str(iri)[len(ns) :]),
            "term": terms.iri(iri),
            "kinds": kinds + extra,
            "label": _text(graph, iri, RDFS.label),
            "definition": _text(graph, iri, SKOS.definition) or _text(graph, iri, RDFS.comment),
            "alignments": [
                {"how": how, "targets": _refs(terms, graph, iri, p)} for p, how in _ALIGN if (iri, p, None) in graph
            ],
            "domain": _refs(terms, graph, iri, RDFS.domain),
            "range": _refs(terms, graph, iri, RDFS.range),
            "instances": len(set(graph.subjects(RDF.type, iri))),
            "uses": len(set(graph.subject_objects(iri))),
        }
        (classes if "class" in kinds else properties).append(item)
    head = {
        "iri": str(ONTOLOGY_IRI),
        "title": _text(graph, ONTOLOGY_IRI, DCTERMS.title),
        "description": _text(graph, ONTOLOGY_IRI, DCTERMS.description),
        "version": _text(graph, ONTOLOGY_IRI, OWL.versionInfo),
        "license": _refs(terms, graph, ONTOLOGY_IRI, DCTERMS.license),
    }
    return {"head": head, "classes": classes, "properties": properties}


def vocabularies(graph: Graph, terms) -> dict:
    """Every SKOS concept scheme under the laokg vocabulary base, with its concepts, and any
    other vocabulary IRI the graph uses."""
    schemes = sorted({s for s in graph.subjects(RDF.type, SKOS.ConceptScheme) if str(s).startswith(VOCAB)}, key=str)
    members: dict = defaultdict(set)
    for c in graph.subjects(RDF.type, SKOS.Concept):
        for s in [*graph.objects(c, SKOS.inScheme), *graph.objects(c, SKOS.topConceptOf)]:
            members[s].add(c)
    done: set = set(schemes)
    out = []
    for s in schemes:
        concepts = []
        for c in sorted(
            members.get(s, ()), key=lambda c: ((_text(graph, c, SKOS.prefLabel) or str(c)).casefold(), str(c))
        ):
            done.add(c)
            concepts.append(
                {
                    "anchor": anchor(str(c)[len(VOCAB) :]) if str(c).startswith(VOCAB) else anchor(str(c)),
                    "term": terms.iri(c),
                    "label": _text(graph, c, SKOS.prefLabel) or _text(graph, c, RDFS.label),
                    "notation": _text(graph, c, SKOS.notation),
                    "definition": _text(graph, c, SKOS.definition) or _text(graph, c, SKOS.scopeNote),
                    "matches": [
                        {"how": how, "targets": _refs(terms, graph, c, p)} for p, how in _ALIGN if (c, p, None) in graph
                    ],
                    "broader": _refs(terms, graph, c, SKOS.broader),
                    "uses": len(set(graph.subjects(None, c))) - len(set(graph.subjects(SKOS.broader, c))),
                }
            )
        out.append(
            {
                "anchor": anchor(str(s)[len(VOCAB) :]),
                "term": terms.iri(s),
                "label": _text(graph, s, SKOS.prefLabel) or _text(graph, s, RDFS.label),
                "definition": _text(graph, s, SKOS.definition) or _text(graph, s, DCTERMS.description),
                "concepts": concepts,
            }
        )
    used = {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(VOCAB)}
    others = [{"anchor": anchor(str(i)[len(VOCAB) :]), "term": terms.iri(i)} for i in sorted(used - done, key=str)]
    return {"schemes": out, "others": others}


# ---------------------------------------------------------------- the class diagram


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def class_diagram_dot(graph: Graph) -> str:
    """The laokg classes, the standard classes they specialise, and the object properties
    between them (from rdfs:domain/rdfs:range), as Graphviz source (sorted: deterministic)."""
    ns = str(LAOKG)
    classes = sorted({c for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(ns)}, key=str)
    nodes: set = set(classes)
    edges = []
    for c in classes:
        for sup in sorted(graph.objects(c, RDFS.subClassOf), key=str):
            if isinstance(sup, URIRef):
                nodes.add(sup)
                edges.append((curie(c), curie(sup), "subClassOf", "empty"))
    for p in sorted({p for p in graph.subjects(RDF.type, OWL.ObjectProperty) if str(p).startswith(ns)}, key=str):
        for d in sorted(graph.objects(p, RDFS.domain), key=str):
            for r in sorted(graph.objects(p, RDFS.range), key=str):
                if isinstance(d, URIRef) and isinstance(r, URIRef) and (d in classes or r in classes):
                    nodes.update((d, r))
                    edges.append((curie(d), curie(r), curie(p), "vee"))
    lines = [
        "digraph laokg {",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, bgcolor="white", '
        'label="laokg classes, the standard classes they specialise, and object properties (domain → range)", '
        "labelloc=t];",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for n in sorted(nodes, key=curie):
        own = str(n).startswith(ns)
        fill = "#dbe7f3" if own else "#f2f2f2"
        lines.append(f"  {_dot_id(curie(n))} [fillcolor={_dot_id(fill)}];")
    for a, b, label, head in edges:
        style = ', style="dashed"' if label == "subClassOf" else ""
        lines.append(f"  {_dot_id(a)} -> {_dot_id(b)} [label={_dot_id(label)}, arrowhead={head}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot_source: str) -> bytes | None:
    """The diagram as SVG through Graphviz ``dot`` (None when dot is not installed)."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    try:
        done = subprocess.run(
            [exe, "-Tsvg"], input=dot_source.encode("utf-8"), capture_output=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise InputError(f"graphviz dot failed: {exc}") from None
    svg = done.stdout.decode("utf-8")
    # drop the generator comment: it names the Graphviz version, not the graph
    svg = re.sub(r"<!-- Generated by graphviz[^>]*-->\s*", "", svg)
    return svg.encode("utf-8")


__all__ = ["ontology_terms", "vocabularies", "class_diagram_dot", "render_svg"]
