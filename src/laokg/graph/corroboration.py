"""Every source that states a fact, agreeing or not, and how two values differ.

The model (docs/time.md): a second source's statement of a fact is one more
``prov:qualifiedDerivation`` on the same node; a different value is a node of its own with
its own evidence, linked by ``laokg:disagreesWith`` (either direction); a statement a later
edition changes or drops carries ``laokg:supersededBy``.

The rounding rule (:func:`compare_values`): two numbers are *the same*, *a rounding* (one
equals the other rounded to the first one's own significant figures: 350,600 has four,
350,567 rounded to the hundreds is 350,600), or *a disagreement* (anything else). A value's
significant figures are its digits without trailing zeros (350,600 -> 3506; 1.50 as written
in a decimal literal -> 1.5, since RDF keeps the value, not its print).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS

from laokg.graph.evidence import document_evidence, passage_excerpts, passage_sources, passages, project_assertions
from laokg.labels import curie
from laokg.namespaces import LAOKG, SDMX_MEAS


@dataclass
class Source:
    """One document that states the fact (or the project, for a project assertion)."""

    document: str | None
    title: str
    issued: str | None
    edition_of: str | None = None
    excerpt: str | None = None


@dataclass
class Conflict:
    """Another statement of the fact with a different value, and how the two differ."""

    other: str
    value: str | None
    other_value: str | None
    kind: str  # "rounding" or "disagreement" (or "different" for values that are not numbers)
    difference: str | None
    sources: list[Source]
    other_sources: list[Source]


@dataclass
class FactSources:
    node: str
    value: str | None
    sources: list[Source]
    conflicts: list[Conflict] = field(default_factory=list)
    superseded_by: list[str] = field(default_factory=list)
    supersedes: list[str] = field(default_factory=list)


def _decimal(value) -> Decimal | None:
    if not isinstance(value, Literal):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def rounds_to(rounded: Decimal, exact: Decimal) -> bool:
    """``rounded`` equals ``exact`` rounded (half up) to ``rounded``'s own significant figures."""
    if rounded == exact or rounded == 0:
        return False
    exponent = rounded.normalize().as_tuple().exponent
    if not isinstance(exponent, int):  # 'n', 'N', 'F': not a finite number
        return False
    return exact.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP) == rounded


def compare_values(a, b) -> tuple[str, str | None]:
    """(kind, difference) for two values: kind "same", "rounding", "disagreement" (numbers),
    or "same"/"different" for other terms; difference is ``b - a`` with its share of ``a``."""
    x, y = _decimal(a), _decimal(b)
    if x is None or y is None:
        return ("same" if a == b else "different"), None
    if x == y:
        return "same", "0"
    diff = y - x
    share = f" ({(diff / x * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} %)" if x != 0 else ""
    text = f"{'+' if diff > 0 else ''}{diff.normalize():f}{share}"
    return ("rounding" if rounds_to(x, y) or rounds_to(y, x) else "disagreement"), text


def document_title(graph: Graph, node) -> str:
    """A document's title (its first ``dct:title``, else ``rdfs:label``, else its IRI)."""
    for prop in (DCTERMS.title, RDFS.label):
        values = sorted(str(v) for v in graph.objects(node, prop))
        if values:
            return values[0]
    return str(node)


def first_text(values) -> str | None:
    """The first of ``values`` as text, in text order (None if there is none)."""
    values = sorted(str(v) for v in values)
    return values[0] if values else None


def sources_of(graph: Graph, node) -> list[Source]:
    """The documents whose evidence supports ``node`` (with their dates and editions), sorted
    by date then IRI; the project, if a project assertion annotates it."""
    found: dict = {}
    for evidence in document_evidence(graph, node):
        for passage in passages(graph, evidence):
            for doc in passage_sources(graph, passage):
                excerpt = first_text(passage_excerpts(graph, passage))
                previous = found.get(str(doc))
                if previous is not None and (previous.excerpt or "") <= (excerpt or ""):
                    continue
                found[str(doc)] = Source(
                    str(doc),
                    document_title(graph, doc),
                    first_text(graph.objects(doc, DCTERMS.issued)),
                    first_text(graph.objects(doc, DCTERMS.isVersionOf)),
                    excerpt,
                )
    out = sorted(found.values(), key=lambda s: (s.issued or "", s.document or ""))
    if project_assertions(graph, node):
        out.append(Source(None, "laokg (project assertion)", None))
    return out


def _value(graph: Graph, node):
    values = sorted(graph.objects(node, SDMX_MEAS.obsValue), key=str)
    return values[0] if values else None


def fact_sources(graph: Graph, node: URIRef) -> FactSources:
    """Every source of ``node``'s fact, the statements that disagree with it (in either
    direction of ``laokg:disagreesWith``) with their sources, and what supersedes it."""
    value = _value(graph, node)
    others = sorted(
        set(graph.objects(node, LAOKG.disagreesWith)) | set(graph.subjects(LAOKG.disagreesWith, node)), key=str
    )
    conflicts = []
    for other in others:
        other_value = _value(graph, other)
        kind, difference = (
            compare_values(value, other_value) if value is not None and other_value is not None else ("different", None)
        )
        conflicts.append(
            Conflict(
                str(other),
                None if value is None else str(value),
                None if other_value is None else str(other_value),
                kind,
                difference,
                sources_of(graph, node),
                sources_of(graph, other),
            )
        )
    return FactSources(
        str(node),
        None if value is None else str(value),
        sources_of(graph, node),
        conflicts,
        sorted(str(o) for o in graph.objects(node, LAOKG.supersededBy)),
        sorted(str(s) for s in graph.subjects(LAOKG.supersededBy, node)),
    )


def notable(fs: FactSources) -> bool:
    """Worth showing beside the evidence: more than one document, a conflict, or a supersession."""
    documents = [s for s in fs.sources if s.document is not None]  # the project is not a second source
    return len(documents) > 1 or bool(fs.conflicts or fs.superseded_by or fs.supersedes)


def _source_line(s: Source) -> str:
    when = f", {s.issued}" if s.issued else ""
    edition = f", an edition of {curie(s.edition_of)}" if s.edition_of else ""
    return f"{s.title}{when}{edition}"


def format_fact_sources(fs: FactSources, curie=str) -> list[str]:
    """Text lines (for ``trace`` and ``show``): sources, conflicts, supersession."""
    lines = [f"sources of this fact ({len(fs.sources)}):"]
    lines += [f"  - {_source_line(s)}" for s in fs.sources] or ["  (none)"]
    for c in fs.conflicts:
        lines.append(
            f"{'rounding' if c.kind == 'rounding' else 'conflict'}: {c.value} here against {c.other_value} "
            f"in {curie(c.other)}"
            + (f", difference {c.difference}" if c.difference else "")
            + (" — one is the other rounded to its own significant figures" if c.kind == "rounding" else "")
        )
        lines += [f"    here:  {_source_line(s)}" for s in c.sources]
        lines += [f"    there: {_source_line(s)}" for s in c.other_sources]
    lines += [f"superseded by: {curie(s)}" for s in fs.superseded_by]
    lines += [f"supersedes: {curie(s)}" for s in fs.supersedes]
    return lines


def as_dict(fs: FactSources) -> dict:
    return asdict(fs)


__all__ = [
    "Source",
    "document_title",
    "first_text",
    "Conflict",
    "FactSources",
    "fact_sources",
    "sources_of",
    "compare_values",
    "rounds_to",
    "format_fact_sources",
    "as_dict",
    "notable",
]
