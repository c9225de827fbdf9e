"""Plant known SHACL violations into a generated project (used by generate.py --violations K).

Kinds are derived from ontology/shapes.ttl, so they follow the shapes as they change. For each
node shape with ``sh:targetClass`` (Violation severity) and each of its property shapes with an
IRI path, the first property shape (in a stable order) that allows a kind gives that kind:

* ``MinCountConstraintComponent``: a focus node's only literal value of a ``sh:minCount``
  property is removed;
* ``MaxCountConstraintComponent``: a focus node gets a second value (same datatype or
  language) of a ``sh:maxCount 1`` text property;
* ``DatatypeConstraintComponent``: a value of a ``sh:datatype`` property (other than
  xsd:string) is retyped as xsd:string;
* ``SPARQLConstraintComponent`` of ``ProjectOwnPropertiesShape``: a focus node gets an
  ``owl:sameAs`` without a project assertion; of ``DocumentEvidenceShape``: evidence gets a
  footnote of another document.

A planted copy is rewritten as one canonical N-Triples file (``cNNNN-planted.ttl``, blank
nodes canonically named), so the output stays deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, RDF, XSD

from laokg.labels import curie

SH = "http://www.w3.org/ns/shacl#"
LKSH = "https://w3id.org/laokg/shapes#"
LAOKG = "https://w3id.org/laokg/ontology#"
DOCO = "http://purl.org/spar/doco/"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
TEXT_TYPES = (None, XSD.string, RDF.langString)


def _sh(name):
    return URIRef(SH + name)


def _shape_kinds(shapes: Graph):
    """[(kind key, kind, params)] in a stable order, one per (node shape, component)."""
    kinds = []
    for shape in sorted(set(shapes.subjects(_sh("targetClass"), None))):
        if (shape, _sh("severity"), None) in shapes or (shape, _sh("deactivated"), Literal(True)) in shapes:
            continue
        classes = sorted(shapes.objects(shape, _sh("targetClass")))
        seen = set()
        for prop in sorted(shapes.objects(shape, _sh("property")), key=lambda p: str(shapes.value(p, _sh("path")))):
            path = shapes.value(prop, _sh("path"))
            if not isinstance(path, URIRef) or (prop, _sh("severity"), None) in shapes:
                continue
            has = {str(p)[len(SH) :] for p in shapes.predicates(prop, None) if str(p).startswith(SH)}
            if has & {
                "or",
                "and",
                "xone",
                "not",
                "qualifiedValueShape",
                "pattern",
                "in",
                "hasValue",
                "node",
                "class",
                "minLength",
                "maxLength",
                "minInclusive",
                "maxInclusive",
                "minExclusive",
                "maxExclusive",
            }:  # a planted value would break these too
                continue
            mincount = shapes.value(prop, _sh("minCount"))
            maxcount = shapes.value(prop, _sh("maxCount"))
            datatype = shapes.value(prop, _sh("datatype"))
            if mincount is not None and int(mincount) >= 1 and "MinCount" not in seen:
                seen.add("MinCount")
                kinds.append(("MinCount", shape, classes, path, None))
            if maxcount is not None and int(maxcount) == 1 and datatype in TEXT_TYPES and "MaxCount" not in seen:
                seen.add("MaxCount")
                kinds.append(("MaxCount", shape, classes, path, datatype))
            if datatype is not None and datatype not in TEXT_TYPES and "Datatype" not in seen:
                seen.add("Datatype")
                kinds.append(("Datatype", shape, classes, path, datatype))
    return kinds


def _curie(term) -> str:
    return "lksh:" + str(term)[len(LKSH) :] if str(term).startswith(LKSH) else str(term)


def _focus_nodes(g: Graph, classes) -> list:
    return sorted({s for c in classes for s in g.subjects(RDF.type, c) if isinstance(s, URIRef)})


def _candidates(g: Graph, kind, classes, path, datatype) -> list:
    """Focus nodes where the kind can be planted with exactly one result."""
    out = []
    for s in _focus_nodes(g, classes):
        values = list(g.objects(s, path))
        if kind == "MinCount":
            if len(values) == 1 and isinstance(values[0], Literal):
                out.append(s)
        elif kind == "MaxCount":
            if len(values) == 1 and isinstance(values[0], Literal) and values[0].datatype in TEXT_TYPES:
                out.append(s)
        elif (
            kind == "Datatype"
            and len(values) == 1
            and isinstance(values[0], Literal)
            and values[0].datatype == datatype
        ):
            out.append(s)
    return out


def _apply(g: Graph, kind, s, path):
    value = next(iter(g.objects(s, path)))
    if kind == "MinCount":
        g.remove((s, path, value))
    elif kind == "MaxCount":
        g.add((s, path, Literal(str(value) + " (planted second value)", lang=value.language, datatype=value.datatype)))
    elif kind == "Datatype":
        g.remove((s, path, value))
        g.add((s, path, Literal(str(value), datatype=XSD.string)))


def _sparql_kinds(shapes: Graph):
    kinds = []
    own = URIRef(LKSH + "ProjectOwnPropertiesShape")
    if (own, _sh("sparql"), None) in shapes:
        kinds.append(("OwnProperty", own))
    docev = URIRef(LKSH + "DocumentEvidenceShape")
    if (docev, _sh("sparql"), None) in shapes:
        kinds.append(("ForeignFootnote", docev))
    return kinds


def _sparql_candidates(g: Graph, kind):
    if kind == "OwnProperty":
        # provisions: no owl:sameAs of their own, and no project assertion for it
        return sorted(
            s
            for s in g.subjects(RDF.type, URIRef(LAOKG + "Provision"))
            if isinstance(s, URIRef) and (s, OWL.sameAs, None) not in g
        )
    footnotes = defaultdict(list)
    for fn in g.subjects(RDF.type, URIRef(DOCO + "Footnote")):
        for doc in g.objects(fn, URIRef(DCT + "isPartOf")):
            footnotes[doc].append(fn)
    out = []
    for ev in sorted(g.subjects(RDF.type, URIRef(LAOKG + "DocumentEvidence"))):
        # the document is the source of the passage the evidence was read in
        docs = [d for p in g.objects(ev, URIRef(PROV + "entity")) for d in g.objects(p, URIRef(OA + "hasSource"))]
        if isinstance(ev, URIRef) and len(docs) == 1:
            others = sorted(fn for d, fns in footnotes.items() if d != docs[0] for fn in fns)
            if others:
                out.append((ev, others[0]))
    return out


def _apply_sparql(g: Graph, kind, cand, n: int):
    if kind == "OwnProperty":
        g.add((cand, OWL.sameAs, URIRef(f"http://www.wikidata.org/entity/Q9999{n:05d}")))
    else:
        ev, fn = cand
        g.add((ev, URIRef(LAOKG + "footnote"), fn))


def plant(out: Path, copies: int, k: int) -> dict[str, int]:
    """Plant ``k`` violations of every kind into the copies of ``out``; return their counts."""
    out = Path(out)
    shapes = Graph().parse(out / "ontology" / "shapes.ttl", format="turtle")
    kinds = [
        (f"{_curie(shape)} {curie(path)} sh:{kind}ConstraintComponent", ("prop", kind, classes, path, dt))
        for kind, shape, classes, path, dt in _shape_kinds(shapes)
    ]
    kinds += [
        (f"{_curie(shape)} sh:SPARQLConstraintComponent", ("sparql", kind)) for kind, shape in _sparql_kinds(shapes)
    ]
    graphs: dict[int, Graph] = {}

    def copy_graph(i: int) -> Graph:
        if i not in graphs:
            g = Graph()
            for p in sorted((out / "graph").glob(f"c{i:04d}-*.ttl")):
                g.parse(p, format="turtle")
            graphs[i] = g
        return graphs[i]

    planted: dict[str, int] = {}
    used: set = set()
    n = 0
    for key, spec in kinds:
        done = 0
        for _ in range(k):
            i = (n % copies) + 1
            n += 1
            g = copy_graph(i)
            if spec[0] == "prop":
                _, kind, classes, path, dt = spec
                cands = [s for s in _candidates(g, kind, classes, path, dt) if (i, s) not in used]
                if cands:
                    used.add((i, cands[0]))
                    _apply(g, kind, cands[0], path)
                    done += 1
            else:
                cands = [
                    c
                    for c in _sparql_candidates(g, spec[1])
                    if (i, c if not isinstance(c, tuple) else c[0]) not in used
                ]
                if cands:
                    c = cands[0]
                    used.add((i, c if not isinstance(c, tuple) else c[0]))
                    _apply_sparql(g, spec[1], c, n)
                    done += 1
        if done:
            planted[key] = done
    for i, g in sorted(graphs.items()):
        for p in (out / "graph").glob(f"c{i:04d}-*.ttl"):
            p.unlink()
        lines = sorted(to_canonical_graph(g).serialize(format="nt").splitlines())
        header = (
            f"# laokg synthetic graph: copy c{i:04d} with planted violations (see planted.json), canonical N-Triples\n"
        )
        (out / "graph" / f"c{i:04d}-planted.ttl").write_text(
            header + "\n".join(line for line in lines if line) + "\n", encoding="utf-8"
        )
    return planted
