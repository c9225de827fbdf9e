"""The data behind each page of the site, gathered through the library's own functions:
entity cards (:func:`laokg.query.entity.card`, :func:`~laokg.query.entity.describe_graph`),
citation traces (:mod:`laokg.provenance.trace`), the source audit
(:mod:`laokg.provenance.audit`) and the saved-query catalogue (:mod:`laokg.query.catalogue`).

Everything here returns plain dicts and lists (sorted, so the site is deterministic); the
templates only lay them out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from itertools import groupby

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from laokg.errors import LaokgError
from laokg.graph.export import serialize
from laokg.labels import LabelIndex, curie
from laokg.namespaces import PREFIXES
from laokg.provenance.audit import AuditReport
from laokg.provenance.trace import trace_entity, trace_source
from laokg.publish.paths import entity_stem, is_entity, is_unpublishable, query_page, target, type_page
from laokg.query.binding import bind_parameters
from laokg.query.catalogue import SavedQuery
from laokg.query.engines import EmbeddedEngine
from laokg.query.entity import card, describe_graph


def expand_curie(text: str) -> str | None:
    """``kg:mlsw`` -> the full IRI; ``<iri>`` -> iri; None if it is not a CURIE we know."""
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES:
        return str(PREFIXES[prefix]) + local
    return None


class Terms:
    """Turns RDF terms into the small dicts the templates show (label, CURIE, link)."""

    def __init__(self, graph: Graph, index: LabelIndex):
        self.graph = graph
        self.index = index

    def iri(self, iri) -> dict:
        label = self.index.label(iri)
        return {"kind": "iri", "iri": str(iri), "curie": curie(iri), "label": label,
                "path": target(iri)}

    def term(self, term, depth: int = 0) -> dict:
        if isinstance(term, Literal):
            dt = term.datatype
            shown_dt = None
            if dt is not None and dt not in (XSD.string, RDF.langString):
                shown_dt = curie(dt)
            return {"kind": "literal", "text": str(term), "lang": term.language, "datatype": shown_dt}
        if isinstance(term, BNode):
            if depth > 2:
                return {"kind": "literal", "text": "[…]", "lang": None, "datatype": None}
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
        return {"kind": "literal", "text": obj, "lang": None, "datatype": None}

    def predicate(self, text: str) -> dict:
        iri = expand_curie(text)
        return self.iri(URIRef(iri)) if iri else {"kind": "literal", "text": text, "lang": None, "datatype": None}


# ---------------------------------------------------------------- entities


def entity_iris(graph: Graph) -> list[URIRef]:
    """Every IRI the graph mints (subject or object) that can have a page, sorted."""
    found = {t for triple in graph for t in (triple[0], triple[2]) if is_entity(t)}
    return sorted(found, key=str)


def unpublishable_iris(graph: Graph) -> list[URIRef]:
    """Every IRI under the entity namespace whose name cannot be a site path (no page), sorted."""
    found = {t for triple in graph for t in triple if is_unpublishable(t)}
    return sorted(found, key=str)


def findings_by_node(report: AuditReport) -> dict[str, list[dict]]:
    """IRI -> the audit findings that concern it (as focus or as an involved node)."""
    out: dict[str, list[dict]] = defaultdict(list)
    for result in report.results:
        rule = result.rule
        for f in result.findings:
            item = {"rule": rule.id, "severity": rule.severity, "summary": rule.summary, "detail": f.detail}
            out[f.focus].append({**item, "role": "focus"})
            for inv in f.involved:
                if inv["iri"] != f.focus:
                    out[inv["iri"]].append({**item, "role": inv["role"]})
    return out


def _work(terms: Terms, work) -> dict:
    return {"term": terms.iri(URIRef(work.iri)), "issued": work.issued, "by": work.by,
            "cites": [_work(terms, w) for w in work.cites]}


def entity_page(graph: Graph, terms: Terms, iri: URIRef, findings: list[dict]) -> dict:
    """Everything an entity page shows: the card, the readable trace, the audit findings."""
    index = terms.index
    c = card(graph, iri, index)
    props = [{"prop": terms.iri(p), "values": [terms.term(o) for _, o in group]}
             for p, group in groupby(c.properties, key=lambda po: po[0])]
    incoming = [{"prop": terms.iri(p), "subjects": [terms.iri(s) for s, _ in group]}
                for p, group in groupby(c.incoming, key=lambda sp: sp[1])]
    t = trace_entity(graph, iri, index)
    values = list(graph.objects(iri))
    texts = {str(o) for o in values if not isinstance(o, URIRef)}
    iris = frozenset(name for o in values if isinstance(o, URIRef) and (name := curie(o)) not in texts)
    evidence = []
    for n, grp in enumerate(t.evidence, 1):
        same = next((k for k, earlier in enumerate(t.evidence[: n - 1], 1)
                     if earlier.statements and earlier.statements == grp.statements), None)
        evidence.append({
            "n": n,
            "kind": grp.kind,
            "node": terms.iri(URIRef(grp.iri)),
            "document": terms.iri(URIRef(grp.document)) if grp.document else None,
            "section": grp.section,
            "excerpt": " ".join(grp.excerpt.split()) if grp.excerpt else None,
            "footnotes": [{"term": terms.iri(URIRef(fn.iri)), "number": fn.number, "text": fn.text,
                           "works": [_work(terms, w) for w in fn.works]} for fn in grp.footnotes],
            "cited_in_text": [_work(terms, w) for w in grp.cited_in_text],
            "asserted": [terms.predicate(p) for p in grp.asserted_properties],
            "note": grp.note,
            "same_as": same,
            "statements": [{"prop": terms.predicate(st.predicate),
                            "object": terms.statement_object(st.object, iris)}
                           for st in grp.statements],
        })
    unsupported = [{"prop": terms.predicate(st.predicate),
                    "object": terms.statement_object(st.object, iris)} for st in t.unsupported]
    stem = entity_stem(iri)
    return {
        "iri": str(iri),
        "curie": curie(iri),
        "label": c.label or curie(iri),
        "types": [terms.iri(ty) for ty in c.types],
        "labels": [(terms.iri(p), terms.term(o)) for p, o in c.labels],
        "properties": props,
        "incoming": incoming,
        "evidence": evidence,
        "unsupported": unsupported,
        "findings": sorted(findings, key=lambda f: (f["rule"], f["role"], f["detail"])),
        "turtle": stem + ".ttl",
        "jsonld": stem + ".jsonld",
    }


def entity_rdf(graph: Graph, iri: URIRef, label: str) -> tuple[bytes, bytes]:
    """The entity as Turtle and JSON-LD: exactly what ``laokg show --format turtle|jsonld``
    reports (:func:`describe_graph`), serialised deterministically."""
    described = describe_graph(graph, iri)
    header = (f"# laokg entity: {' '.join(label.split())}\n# <{iri}>: its statements and evidence nodes "
              f"(as `laokg show --format turtle` reports them).\n")
    return header.encode("utf-8") + serialize(described, "turtle"), serialize(described, "jsonld")


def type_index(graph: Graph, terms: Terms, entities: list[URIRef]) -> list[dict]:
    """Entity types with their members, largest type first (then by name)."""
    members: dict = defaultdict(list)
    for e in entities:
        for ty in graph.objects(e, RDF.type):
            members[ty].append(e)
    out = []
    for ty, items in members.items():
        term = terms.iri(ty)
        entries = sorted((terms.iri(e) for e in items), key=lambda t: ((t["label"] or t["curie"]).casefold(), t["iri"]))
        out.append({"type": term, "page": type_page(term["curie"]), "members": entries})
    out.sort(key=lambda d: (-len(d["members"]), d["type"]["curie"]))
    untyped = sorted((terms.iri(e) for e in entities if (e, RDF.type, None) not in graph),
                     key=lambda t: ((t["label"] or t["curie"]).casefold(), t["iri"]))
    if untyped:
        out.append({"type": {"kind": "iri", "iri": "", "curie": "untyped", "label": "without a type", "path": None},
                    "page": type_page("untyped"), "members": untyped})
    return out


def search_entries(graph: Graph, terms: Terms, entities: list[URIRef]) -> list[dict]:
    """The prebuilt search index: one entry per entity with every label and its type."""
    entries = []
    for e in entities:
        labels = [str(lab) for lab in terms.index.labels(e)]
        types = sorted(terms.index.label(t) or curie(t) for t in graph.objects(e, RDF.type))
        entries.append({
            "l": labels[0] if labels else curie(e),
            "a": sorted(set(labels[1:]) - {labels[0]}) if labels else [],
            "c": curie(e),
            "t": ", ".join(types),
            "u": entity_stem(e) + ".html",
        })
    entries.sort(key=lambda d: (d["l"].casefold(), d["u"]))
    return entries


# ---------------------------------------------------------------- saved queries


def run_saved(graph: Graph, index: LabelIndex, sq: SavedQuery):
    """Run ``sq`` with its defaults on the embedded engine: (result or None, message or None)."""

    def resolver(text: str):
        return [(iri, index.label(iri) or "") for iri in index.exact(text)]

    try:
        bindings = bind_parameters(sq, [], resolver)
        return EmbeddedEngine(graph).run(sq.text, bindings, source=sq.name), None
    except LaokgError as exc:
        return None, str(exc)


def result_table(terms: Terms, result) -> dict:
    if result is None:
        return {"form": None}
    if result.form == "ASK":
        return {"form": "ASK", "boolean": result.boolean}
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        return {"form": result.form, "turtle": serialize(result.graph, "turtle").decode("utf-8"),
                "triples": len(result.graph)}
    rows = [[terms.term(r[v]) if v in r else None for v in result.vars] for r in result.rows]
    return {"form": "SELECT", "vars": list(result.vars), "rows": rows}


def query_pages(graph: Graph, terms: Terms, catalogue: list[SavedQuery]) -> list[dict]:
    pages = []
    for sq in sorted(catalogue, key=lambda q: q.name):
        result, problem = run_saved(graph, terms.index, sq)
        pages.append({
            "name": sq.name,
            "page": query_page(sq.name),
            "summary": sq.summary,
            "description": (sq.description or "").strip(),
            "tags": list(sq.tags),
            "parameters": [{"name": p.name, "variable": p.variable, "required": p.required,
                            "describe": p.describe(), "defaults": list(p.defaults), "allowed": list(p.allowed)}
                           for p in sq.parameters],
            "text": sq.text,
            "result": result_table(terms, result),
            "problem": problem,
        })
    return pages


# ---------------------------------------------------------------- bibliography and audit


def bibliography(graph: Graph, terms: Terms, sources_result) -> list[dict]:
    """Every work the ``sources`` saved query lists, with the nodes whose evidence rests on it
    (:func:`trace_source`)."""
    works = []
    for row in sources_result.rows if sources_result is not None else []:
        iri = row.get("source")
        if not isinstance(iri, URIRef):
            continue
        st = trace_source(graph, iri, terms.index)
        dependants = []
        for d in st.dependants:
            ways = sorted({v["how"] for v in d.via})
            dependants.append({"term": terms.iri(URIRef(d.iri)), "how": ways})
        works.append({
            "term": terms.iri(iri),
            "title": str(row["title"]) if "title" in row else None,
            "type": str(row["type"]) if "type" in row else None,
            "year": str(row["year"]) if "year" in row else None,
            "by": str(row["by"]) if "by" in row else None,
            "footnotes": str(row["footnotes"]) if "footnotes" in row else None,
            "dependants": dependants,
        })
    return works


def audit_page(terms: Terms, report: AuditReport) -> dict:
    rules = []
    for result in report.results:
        r = result.rule
        rules.append({
            "id": r.id, "name": r.name, "severity": r.severity, "summary": r.summary,
            "description": r.description, "text": r.text,
            "findings": [{"focus": terms.iri(URIRef(f.focus)), "detail": f.detail,
                          "involved": [{"role": i["role"], "term": terms.iri(URIRef(i["iri"]))} for i in f.involved]}
                         for f in result.findings],
        })
    counts = {s: report.count(s) for s in ("violation", "warning", "info")}
    return {"rules": rules, "counts": counts, "held": sum(1 for r in report.results if not r.findings)}


__all__ = ["Terms", "entity_iris", "unpublishable_iris", "entity_page", "entity_rdf", "findings_by_node", "type_index",
           "search_entries", "query_pages", "run_saved", "bibliography", "audit_page", "asdict"]
