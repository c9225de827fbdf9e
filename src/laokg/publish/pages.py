"""The data behind each page of the site, gathered through the library's own functions:
entity cards (:func:`laokg.query.entity.card`, :func:`~laokg.query.entity.describe_graph`),
citation traces (:mod:`laokg.provenance.trace`), the source audit
(:mod:`laokg.provenance.audit`) and the saved-query catalogue (:mod:`laokg.query.catalogue`),
laid out as :mod:`laokg.provenance.views` shows terms, cards and trace statements to readers
(the views ``laokg show`` and ``laokg trace`` print from too).

Everything here returns plain dicts and lists (sorted, so the site is deterministic); the
templates only lay them out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from laokg.errors import LaokgError
from laokg.graph.evidence import RECORD_CLASSES
from laokg.graph.export import serialize
from laokg.labels import LabelIndex, curie
from laokg.provenance import views
from laokg.provenance.audit import AuditReport
from laokg.provenance.readable import date_text, figure_text
from laokg.provenance.trace import trace_entity, trace_source
from laokg.provenance.views import card_view, expand_curie, literal, statement_iris, statement_view, unit_code
from laokg.publish.paths import entity_stem, is_entity, is_unpublishable, query_page, target, type_page
from laokg.query.binding import bind_parameters
from laokg.query.catalogue import SavedQuery
from laokg.query.engines import EmbeddedEngine
from laokg.query.entity import card, describe_graph


class Terms(views.Terms):
    """The reader's views of terms (:class:`laokg.provenance.views.Terms`), each IRI with the
    path of its page on the site (:func:`laokg.publish.paths.target`) for the templates' links."""

    def __init__(self, graph: Graph, index: LabelIndex):
        super().__init__(graph, index, link=target)


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
    return {
        "term": terms.iri(URIRef(work.iri)),
        "issued": work.issued,
        "by": work.by,
        "cites": [_work(terms, w) for w in work.cites],
    }


def entity_page(graph: Graph, terms: Terms, iri: URIRef, findings: list[dict]) -> dict:
    """Everything an entity page shows: the card, the readable trace, the audit findings."""
    index = terms.index
    c = card(graph, iri, index)
    view = card_view(graph, terms, c)
    t = trace_entity(graph, iri, index)
    iris = statement_iris(graph, iri)
    evidence = []
    for n, grp in enumerate(t.evidence, 1):
        same = next(
            (
                k
                for k, earlier in enumerate(t.evidence[: n - 1], 1)
                if earlier.statements and earlier.statements == grp.statements
            ),
            None,
        )
        evidence.append(
            {
                "n": n,
                "kind": grp.kind,
                "node": terms.iri(URIRef(grp.iri)),
                "document": terms.iri(URIRef(grp.document)) if grp.document else None,
                "section": grp.section,
                "excerpt": " ".join(grp.excerpt.split()) if grp.excerpt else None,
                "footnotes": [
                    {
                        "term": terms.iri(URIRef(fn.iri)),
                        "number": fn.number,
                        "text": fn.text,
                        "works": [_work(terms, w) for w in fn.works],
                    }
                    for fn in grp.footnotes
                ],
                "cited_in_text": [_work(terms, w) for w in grp.cited_in_text],
                "asserted": [terms.predicate(p) for p in grp.asserted_properties],
                "note": grp.note,
                "same_as": same,
                "statements": [statement_view(graph, terms, iri, st, iris) for st in grp.statements],
            }
        )
    unsupported = [statement_view(graph, terms, iri, st, iris) for st in t.unsupported]
    stem = entity_stem(iri)
    from laokg.graph.corroboration import fact_sources, notable

    fs = fact_sources(graph, iri)

    def doc_term(src):
        return terms.iri(URIRef(src.document)) if src.document else None

    sources = None
    if notable(fs):  # several sources, a conflict or a supersession (docs/time.md)
        sources = {
            "sources": [{"document": doc_term(src), "title": src.title, "issued": src.issued} for src in fs.sources],
            "conflicts": [
                {
                    "other": terms.iri(URIRef(cf.other)),
                    "value": cf.value,
                    "other_value": cf.other_value,
                    "kind": cf.kind,
                    "difference": cf.difference,
                    "other_sources": [
                        {"document": doc_term(src), "title": src.title, "issued": src.issued}
                        for src in cf.other_sources
                    ],
                }
                for cf in fs.conflicts
            ],
            "superseded_by": [terms.iri(URIRef(x)) for x in fs.superseded_by],
            "supersedes": [terms.iri(URIRef(x)) for x in fs.supersedes],
        }
    return {
        **view,
        "sources": sources,
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
    header = (
        f"# laokg entity: {' '.join(label.split())}\n# <{iri}>: its statements and evidence nodes "
        f"(as `laokg show --format turtle` reports them).\n"
    )
    return header.encode("utf-8") + serialize(described, "turtle"), serialize(described, "jsonld")


def type_index(graph: Graph, terms: Terms, entities: list[URIRef]) -> list[dict]:
    """Entity types with their members, largest type first (then by name)."""
    members: dict = defaultdict(list)
    for e in entities:
        for ty in graph.objects(e, RDF.type):
            members[ty].append(e)
    out: list[dict[str, Any]] = []
    for ty, items in members.items():
        term = terms.iri(ty)
        entries = sorted((terms.iri(e) for e in items), key=lambda t: ((t["label"] or t["curie"]).casefold(), t["iri"]))
        out.append({"type": term, "page": type_page(term["curie"]), "members": entries})
    out.sort(key=lambda d: (-len(d["members"]), d["type"]["curie"]))
    untyped = sorted(
        (terms.iri(e) for e in entities if (e, RDF.type, None) not in graph),
        key=lambda t: ((t["label"] or t["curie"]).casefold(), t["iri"]),
    )
    if untyped:
        out.append(
            {
                "type": {"kind": "iri", "iri": "", "curie": "untyped", "label": "without a type", "path": None},
                "page": type_page("untyped"),
                "members": untyped,
            }
        )
    return out


def search_entries(graph: Graph, terms: Terms, entities: list[URIRef], quotes: dict | None = None) -> list[dict]:
    """The prebuilt search index: one entry per thing and per other record (``k`` 0 for a
    thing a reader looks for, 1 for a source document or cited work — what is said about a
    thing ranks after the thing —, 2 for a record such as a footnote or a period), with every label,
    its type, and for things the passages quoted as their evidence (``q``: the document's
    name and the excerpt). Evidence records and passages have no entry of their own."""
    quotes = quotes or {}
    things = thing_classes()
    works = set().union(*(_class_iris(c["classes"]) for c in CATEGORIES if c["slug"] == "sources"))
    evidence = set(RECORD_CLASSES)  # their text is shown under the thing they support ("quoted in …")
    entries = []
    for e in entities:
        types = set(graph.objects(e, RDF.type))
        if types & evidence:
            continue
        labels = [str(lab) for lab in terms.index.labels(e)]
        names = sorted(terms.iri(t)["label"] or curie(t) for t in types)
        entry: dict[str, Any] = {
            "l": labels[0] if labels else curie(e),
            "a": sorted(set(labels[1:]) - {labels[0]}) if labels else [],
            "c": curie(e),
            "t": ", ".join(names),
            "u": entity_stem(e) + ".html",
            "k": 2 if not types & things else (1 if types <= works | {ty for ty in types if ty not in things} else 0),
        }
        if entry["k"] < 2 and quotes.get(str(e)):
            entry["q"] = quotes[str(e)]
        entries.append(entry)
    entries.sort(key=lambda d: (d["k"], d["l"].casefold(), d["u"]))
    return entries


def evidence_quotes(page: dict) -> list[dict]:
    """The passages an entity page quotes as evidence, for the search index: ``{"d": document,
    "x": excerpt}``, each once, in the page's order."""
    seen, out = set(), []
    for ev in page["evidence"]:
        if ev["excerpt"] and ev["document"]:
            key = (ev["document"]["label"] or ev["document"]["curie"], ev["excerpt"])
            if key not in seen:
                seen.add(key)
                out.append({"d": key[0], "x": key[1]})
    return out


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
        return {
            "form": result.form,
            "turtle": serialize(result.graph, "turtle").decode("utf-8"),
            "triples": len(result.graph),
        }
    rows = [[terms.term(r[v]) if v in r else None for v in result.vars] for r in result.rows]
    return {"form": "SELECT", "vars": list(result.vars), "rows": rows}


def _allowed(terms: Terms, value: str) -> dict:
    """An allowed value of a parameter: as written in the query (an IRI or CURIE) and by label."""
    iri = expand_curie(value) or (value if value.startswith("http") else None)
    label = terms.index.label(URIRef(iri)) if iri else None
    return {"value": curie(URIRef(iri)) if iri else value, "label": label}


def query_pages(graph: Graph, terms: Terms, catalogue: list[SavedQuery]) -> list[dict]:
    pages = []
    for sq in sorted(catalogue, key=lambda q: q.name):
        result, problem = run_saved(graph, terms.index, sq)
        pages.append(
            {
                "name": sq.name,
                "page": query_page(sq.name),
                "summary": sq.summary,
                "description": (sq.description or "").strip(),
                "tags": list(sq.tags),
                "parameters": [
                    {
                        "name": p.name,
                        "variable": p.variable,
                        "required": p.required,
                        "describe": p.describe(),
                        "defaults": list(p.defaults),
                        "allowed": [_allowed(terms, a) for a in p.allowed],
                    }
                    for p in sq.parameters
                ],
                "text": sq.text,
                "result": result_table(terms, result),
                "problem": problem,
            }
        )
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
        works.append(
            {
                "term": terms.iri(iri),
                "title": str(row["title"]) if "title" in row else None,
                "type": str(row["type"]) if "type" in row else None,
                "year": str(row["year"]) if "year" in row else None,
                "by": str(row["by"]) if "by" in row else None,
                "footnotes": str(row["footnotes"]) if "footnotes" in row else None,
                "edition_of": terms.iri(row["editionOf"]) if isinstance(row.get("editionOf"), URIRef) else None,
                "text_held": str(row["textHeld"]).lower() == "true" if "textHeld" in row else None,
                "dependants": dependants,
            }
        )
    return works


def audit_page(terms: Terms, report: AuditReport) -> dict:
    rules = []
    for result in report.results:
        r = result.rule
        rules.append(
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity,
                "summary": r.summary,
                "description": r.description,
                "text": r.text,
                "findings": [
                    {
                        "focus": terms.iri(URIRef(f.focus)),
                        "detail": f.detail,
                        "involved": [{"role": i["role"], "term": terms.iri(URIRef(i["iri"]))} for i in f.involved],
                    }
                    for f in result.findings
                ],
            }
        )
    counts = {s: report.count(s) for s in ("violation", "warning", "info")}
    return {"rules": rules, "counts": counts, "held": sum(1 for r in report.results if not r.findings)}


__all__ = [
    "Terms",
    "entity_iris",
    "unpublishable_iris",
    "entity_page",
    "entity_rdf",
    "findings_by_node",
    "type_index",
    "search_entries",
    "evidence_quotes",
    "category_pages",
    "CATEGORIES",
    "thing_classes",
    "is_thing",
    "period_text",
    "unit_code",
    "literal",
    "query_pages",
    "run_saved",
    "bibliography",
    "audit_page",
    "asdict",
]


# ---------------------------------------------------------------- what people look for

#: The front page's groups: what a reader looks for, the classes whose members belong there,
#: and the saved queries whose answers the group's page shows. A column is
#: ``(variable, heading, link variable or None, kind)``; kind ``date`` prints a date as the
#: source gives it in words, ``period`` a reference period, ``figure`` the row's value with its
#: unit and multiplier. A third element ``{"where": VAR, "title": …}`` shows only the rows
#: where VAR is bound (the same answer, narrowed), under that title.
# config: each value's shape depends on its key (slug, name, line: str; classes: CURIEs; queries: rows)
# A table of data: its entries are alike in shape by design (duplicates pairs them).
CATEGORIES: tuple[dict[str, Any], ...] = (
    {
        "slug": "laws",
        "name": "Laws and agreements",
        "line": "Laws, decrees, ministerial agreements, memoranda of understanding, declarations, "
        "strategies and plans, with their dates and parties.",
        "classes": ("eli:LegalResource", "fabio:PolicyDocument", "laokg:Provision", "eli:LegalResourceSubdivision"),
        "queries": (
            (
                "instruments",
                (
                    ("title", "instrument", "instrument", None),
                    ("type", "type", None, None),
                    ("date", "date", None, "date"),
                    ("dateKind", "which date", None, None),
                    ("issuedBy", "issued or signed by", None, None),
                    ("parties", "countries bound", None, None),
                ),
            ),
            (
                "bilateral_agreements",
                (
                    ("partnerName", "partner country", "partner", None),
                    ("kind", "kind", None, None),
                    ("title", "agreement or step", "item", None),
                    ("date", "date", None, "date"),
                    ("signatories", "signed by", None, None),
                ),
            ),
        ),
    },
    {
        "slug": "institutions",
        "name": "Institutions",
        "line": "Ministries, their departments and missions abroad, and the other organisations the sources "
        "name, with the level at which the source's list of actors engaging the diaspora places them.",
        "classes": ("org:FormalOrganization", "org:OrganizationalUnit", "laokg:MissionAbroad"),
        "queries": (
            (
                "institutions",
                (
                    ("name", "institution", "organisation", None),
                    ("type", "type", None, None),
                    ("level", "level in the source's list of actors", None, None),
                    ("units", "units", None, None),
                ),
                {"where": "level", "title": "Named by the source as engaging the diaspora, with their level"},
            ),
            (
                "institutions",
                (
                    ("name", "institution", "organisation", None),
                    ("type", "type", None, None),
                    ("level", "level in the source's list of actors", None, None),
                    ("founded", "founded", None, "date"),
                    ("units", "units", None, None),
                ),
            ),
            (
                "missions_abroad",
                (
                    ("mission", "mission", None, None),
                    ("ministry", "ministry", None, None),
                    ("country", "country", None, None),
                    ("listedUnder", "listed under", None, None),
                ),
            ),
        ),
    },
    {
        "slug": "figures",
        "name": "Figures",
        "line": "Remittances, emigrants by destination and by sex, workers abroad and the employment-service "
        "network: each figure with its period, unit and source.",
        "classes": ("qb:Observation", "laokg:UnreportedFigure"),
        "queries": (
            (
                "remittances",
                (
                    ("observation", "figure", "observation", None),
                    ("value", "value", None, "figure"),
                    ("period", "period", None, "period"),
                    ("channel", "channel", None, None),
                    ("intermediary", "bank", None, None),
                    ("estimate", "approximate", None, "yes"),
                    ("releasedBy", "released by", None, None),
                    ("dataSource", "source it names", None, None),
                    ("document", "read in", None, None),
                ),
            ),
            (
                "statistics",
                (
                    ("label", "figure", "observation", None),
                    ("value", "value", None, "figure"),
                    ("period", "period", None, "date"),
                    ("indicator", "indicator", None, None),
                    ("breakdown", "breakdown", None, None),
                ),
            ),
            (
                "emigrants_by_sex",
                (
                    ("label", "figure", "observation", None),
                    ("percent", "value", None, "percent"),
                    ("period", "year", None, None),
                    ("destination", "destination", None, None),
                ),
            ),
        ),
    },
    {
        "slug": "rights",
        "name": "Rights",
        "line": "The political rights of Lao citizens abroad — dual citizenship, voting from abroad — "
        "with their status and restrictions.",
        "classes": ("laokg:PoliticalRight",),
        "queries": (
            (
                "political_rights",
                (
                    ("name", "right", "right", None),
                    ("status", "status", None, None),
                    ("restriction", "restriction", None, None),
                    ("exercisedAt", "where", None, None),
                    ("footnotes", "footnotes", None, None),
                ),
            ),
        ),
    },
    {
        "slug": "programmes",
        "name": "Programmes and practices",
        "line": "Projects, spotlight practices and events, with who runs them and when.",
        "classes": ("schema:Project", "laokg:Practice", "schema:Event"),
        "queries": (
            (
                "programmes",
                (
                    ("name", "programme or practice", "project", None),
                    ("funder", "funder", None, None),
                    ("implementer", "implementer", None, None),
                    ("start", "start", None, "date"),
                    ("end", "end", None, "date"),
                ),
            ),
            (
                "practices",
                (
                    ("name", "practice", "practice", None),
                    ("year", "year", None, "date"),
                    ("sectors", "sectors", None, None),
                    ("countries", "countries", None, None),
                ),
            ),
            (
                "events",
                (
                    ("name", "event", "event", None),
                    ("date", "date", None, "date"),
                    ("place", "place", None, None),
                    ("organisers", "organisers", None, None),
                ),
            ),
        ),
    },
    {
        "slug": "findings",
        "name": "Findings and obstacles",
        "line": "Trends, achievements, obstacles and government measures the sources report, "
        "and what addresses each obstacle.",
        "classes": ("laokg:Finding",),
        "queries": (
            (
                "findings",
                (
                    ("title", "finding", "finding", None),
                    ("date", "date", None, "date"),
                    ("section", "section of the source", None, None),
                ),
            ),
            (
                "obstacles",
                (
                    ("title", "obstacle", "obstacle", None),
                    ("description", "description", None, None),
                    ("addressedByName", "addressed by", "addressedBy", None),
                ),
            ),
        ),
    },
    {
        "slug": "sources",
        "name": "Sources",
        "line": "The documents the graph was read from and the works they cite.",
        "classes": ("fabio:NewsItem", "fabio:Report", "fabio:Dataset", "fabio:Database", "fabio:Expression"),
        "queries": (
            (
                "sources",
                (
                    ("title", "source", "source", None),
                    ("type", "type", None, None),
                    ("year", "year", None, None),
                    ("by", "by", None, None),
                    ("facts", "facts resting on it", None, None),
                ),
            ),
        ),
    },
    {
        "slug": "places",
        "name": "Countries, places, people and terms",
        "line": "Destination and partner countries, places, the people the sources name, "
        "and the words used for the diaspora.",
        "classes": (
            "schema:Country",
            "schema:Place",
            "schema:AdministrativeArea",
            "schema:City",
            "schema:Person",
            "schema:CollegeOrUniversity",
            "laokg:DiasporaTerm",
        ),
        "queries": (
            (
                "people",
                (
                    ("name", "person", "person", None),
                    ("post", "post", None, None),
                    ("role", "role", None, None),
                    ("about", "in", None, None),
                ),
            ),
            ("diaspora_terms", (("term", "term", None, None), ("usage", "usage", None, None))),
        ),
    },
)


def _class_iris(names) -> set[URIRef]:
    out = set()
    for name in names:
        iri = expand_curie(name)
        if iri is None:
            raise ValueError(f"not a CURIE laokg knows: {name}")
        out.add(URIRef(iri))
    return out


def thing_classes() -> set[URIRef]:
    """Every class whose members are things a reader looks for (the front page's groups);
    members of other classes (evidence, passages, selectors, periods, Data Cube structure) are
    records, reached from the things they support."""
    return set().union(*(_class_iris(c["classes"]) for c in CATEGORIES))


def is_thing(graph: Graph, iri, classes: set | None = None) -> bool:
    classes = thing_classes() if classes is None else classes
    return any(t in classes for t in graph.objects(iri, RDF.type))


def period_text(period: str | None) -> str:
    """A reference period code as words: '2025-S1' -> 'first half of 2025'; else as a date."""
    import re

    if not period:
        return "not stated"
    m = re.match(r"^(\d{4})-S([12])$", period)
    if m:
        return f"{'first' if m.group(2) == '1' else 'second'} half of {m.group(1)}"
    return date_text(period)


def _cell(graph: Graph, terms: Terms, row: dict, var: str, link: str | None, kind: str | None):

    value = row.get(var)
    if kind == "figure":
        if value is None:
            return None
        return {
            "kind": "literal",
            "text": figure_text(value, _s(row.get("unit")), _s(row.get("unitMult"))),
            "raw": str(value),
            "lang": None,
            "datatype": None,
        }
    if value is None:
        return None
    if isinstance(value, URIRef):
        return terms.iri(value)
    text = str(value)
    if kind == "date":
        text = date_text(text)
    elif kind == "period":
        text = period_text(text)
    elif kind == "yes":
        text = "yes" if text == "true" else ("no" if text == "false" else text)
    elif kind == "percent":
        text = figure_text(text, "%")
    elif isinstance(value, Literal):
        text = literal(value)["text"]
    cell = {"kind": "literal", "text": text, "raw": str(value), "lang": None, "datatype": None}
    target_iri = row.get(link) if link else None
    if isinstance(target_iri, URIRef):
        cell = {**terms.iri(target_iri), "label": text}
    return cell


def _s(value) -> str | None:
    return None if value is None else str(value)


def category_pages(graph: Graph, terms: Terms, catalogue: list[SavedQuery], entities: list[URIRef]) -> list[dict]:
    """The front page's groups, each with its members (one line each: name and type) and the
    answers of its saved queries laid out for reading (the same rows ``laokg query run`` gives)."""
    by_name = {q.name: q for q in catalogue}
    out = []
    for cat in CATEGORIES:
        classes = _class_iris(cat["classes"])
        members = [e for e in entities if any(t in classes for t in graph.objects(e, RDF.type))]
        listed = sorted(
            (
                {**terms.iri(e), "types": sorted(terms.iri(t)["label"] or curie(t) for t in graph.objects(e, RDF.type))}
                for e in members
            ),
            key=lambda t: ((t["label"] or t["curie"]).casefold(), t["iri"]),
        )
        tables = []
        for name, columns, *view in cat["queries"]:
            view = view[0] if view else {}
            sq = by_name.get(name)
            if sq is None:
                continue
            result, _problem = run_saved(graph, terms.index, sq)
            if result is None or result.form != "SELECT":
                continue
            chosen = [r for r in result.rows if not view.get("where") or r.get(view["where"]) is not None]
            rows = [[_cell(graph, terms, r, var, link, kind) for var, _h, link, kind in columns] for r in chosen]
            tables.append(
                {
                    "query": name,
                    "page": query_page(name),
                    "summary": view.get("title") or sq.summary,
                    "anchor": f"q-{name}" + (f"-{view['where']}" if view.get("where") else ""),
                    "where": view.get("where"),
                    "head": [h for _v, h, _l, _k in columns],
                    "rows": rows,
                }
            )
        out.append(
            {
                "slug": cat["slug"],
                "name": cat["name"],
                "line": cat["line"],
                "page": f"topics/{cat['slug']}.html",
                "count": len(members),
                "members": listed,
                "tables": tables,
            }
        )
    return out
