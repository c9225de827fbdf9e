"""Cards and traces as text for people: what ``laokg show`` and ``laokg trace`` print, and what
``print(trace)`` prints for a :class:`~laokg.provenance.trace.Trace` or
:class:`~laokg.provenance.trace.SourceTrace` (the one text layout of a trace).

The text is laid out from the same data the site's entity page shows
(:func:`laokg.provenance.views.card_view`, :func:`~laokg.provenance.views.statement_view`, the
:class:`~laokg.provenance.views.Terms` of a graph and :mod:`laokg.provenance.readable`): properties
and classes by their labels, literals without language or datatype tags, dates as printed,
figures with their unit and multiplier applied, linked things by their label. The heading
keeps one identifier line, the CURIE to pass to the next command; CURIEs and IRIs otherwise
stay in the program formats (``--format json``, Turtle), which this module does not touch.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from laokg.graph.corroboration import Conflict, FactSources, Source, fact_sources, format_fact_sources, notable
from laokg.labels import LabelIndex, curie, plain_text
from laokg.provenance.views import Terms, card_view, statement_iris, statement_view
from laokg.query.entity import card

#: property names longer than this do not widen the name column (their value follows one space on)
NAME_WIDTH = 28


def term_text(t: dict | None) -> str:
    """A term dict of :class:`Terms` as text: an IRI by its label (the CURIE when it has none),
    a literal by its reader's text, a blank node as ``[ name value; … ]``."""
    if t is None:
        return "—"
    if t["kind"] == "iri":
        return t["label"] or t["curie"]
    if t["kind"] == "bnode":
        return "[ " + "; ".join(" ".join(x for x in (term_text(p), term_text(o)) if x) for p, o in t["props"]) + " ]"
    return " ".join(str(t["text"]).split())


def _rows(pairs: list[tuple[str, str]], lead: str = "  ") -> list[str]:
    """``name  value`` lines, the values aligned after the longest name (up to NAME_WIDTH)."""
    if not pairs:
        return []
    width = min(NAME_WIDTH, max(len(name) for name, _ in pairs))
    return [f"{lead}{name:<{width}} {value}" for name, value in pairs]


def _heading(label: str, iri, types: list[dict], figure: str | None = None) -> list[str]:
    out = [label, f"  {curie(iri)}"]
    if types:
        out.append(f"  type{'s' if len(types) > 1 else ''}: " + ", ".join(term_text(t) for t in types))
    if figure:
        out.append(f"  figure: {figure}")
    return out


def _sources(fs: FactSources, terms: Terms) -> list[str]:
    if not notable(fs):  # several sources, a conflict or a supersession (docs/time.md)
        return []
    return [""] + format_fact_sources(fs, lambda other: term_text(terms.iri(URIRef(other))))


def _fact_sources_of(data: dict) -> FactSources:
    """The :class:`~laokg.graph.corroboration.FactSources` a trace holds as a dict (its ``sources``)."""
    conflicts = [
        Conflict(
            **{
                **c,
                "sources": [Source(**s) for s in c["sources"]],
                "other_sources": [Source(**s) for s in c["other_sources"]],
            }
        )
        for c in data["conflicts"]
    ]
    return FactSources(
        data["node"],
        data["value"],
        [Source(**s) for s in data["sources"]],
        conflicts,
        data["superseded_by"],
        data["supersedes"],
    )


def card_text(graph: Graph, iri: URIRef, index: LabelIndex | None = None, max_links: int | None = 12) -> str:
    """``laokg show`` as text: the heading (name, CURIE, types, the figure of an observation),
    the names, the properties and the incoming links (at most ``max_links`` per property; None:
    all) as the entity's page shows them, then the evidence."""
    index = index or LabelIndex(graph)
    terms = Terms(graph, index)
    c = card(graph, iri, index)
    view = card_view(graph, terms, c)
    out = _heading(view["label"], iri, view["types"], view["figure"])
    if view["labels"]:
        out += ["", "Names"] + _rows([(term_text(p), term_text(v)) for p, v in view["labels"]])
    if view["properties"]:
        out += ["", "Properties"]
        out += _rows([(term_text(row["prop"]), term_text(v)) for row in view["properties"] for v in row["values"]])
    if view["incoming"]:
        out += ["", "Incoming links"]
        pairs = []
        for row in view["incoming"]:
            name, subjects = term_text(row["prop"]), row["subjects"]
            shown = subjects if max_links is None else subjects[:max_links]
            pairs += [(name, "from " + term_text(s)) for s in shown]
            if len(shown) < len(subjects):
                pairs.append((name, f"… and {len(subjects) - len(shown)} more (--all lists them)"))
        out += _rows(pairs)
    out.append("")
    out.append("Evidence" if c.evidence else "Evidence: none recorded")

    def iri_name(node) -> str:
        return term_text(terms.iri(node))

    # worded as trace_text words a trace's evidence groups, from other data: kept apart (see there)
    for i, ev in enumerate(c.evidence, 1):
        if ev.kind == "laokg:ProjectAssertion":
            out.append(f"  [{i}] Project assertion — added by laokg, not stated by a source")
        elif ev.document is not None:
            out.append(f"  [{i}] Read in {iri_name(ev.document)}")
        else:
            out.append(f"  [{i}] {term_text(terms.predicate(ev.kind))}")
        if ev.section:
            out.append(f"      section: {ev.section}")
        if ev.footnotes:
            out.append(f"      footnote{'s' if len(ev.footnotes) > 1 else ''}: {', '.join(ev.footnotes)}")
        for ex in ev.excerpts:
            out.append(f'      excerpt: "{plain_text(ex)}"')
        if ev.cited:
            out.append("      cites: " + ", ".join(iri_name(w) for w in ev.cited))
        if ev.asserted:
            out.append("      properties the project adds: " + ", ".join(iri_name(p) for p in ev.asserted))
        for p, o in ev.added:
            out.append(f"      the project adds: {iri_name(p)} {term_text(terms.term(o))}")
        if ev.note:
            out.append(f"      why: {ev.note}")
    out += _sources(fact_sources(graph, iri), terms)
    return "\n".join(out) + "\n"


def _work_lines(work, lead: str) -> list[str]:
    """A cited work: its name, who made it and when; the works it cites in turn indented under it."""
    bits = [work.label or curie(work.iri)]
    if work.by:
        bits.append("by " + "; ".join(work.by))
    if work.issued:
        bits.append(work.issued)
    lines = [lead + " — ".join(bits)]
    pad = " " * (len(lead) - len(lead.lstrip()) + 2)
    for onward in work.cites:
        lines.extend(_work_lines(onward, pad + "which cites: "))
    return lines


def trace_text(graph: Graph, t, index: LabelIndex | None = None) -> str:
    """``laokg trace`` as text: the trace ``t`` (:class:`laokg.provenance.trace.Trace` of a node
    of ``graph``) with its supported statements read as the entity page's evidence reads them.
    Names come from ``graph``: given an empty graph (a trace built by hand) things are named by
    CURIE (outside vocabularies' terms by their short names), in the same layout."""
    index = index or LabelIndex(graph)
    terms = Terms(graph, index)
    iri = URIRef(t.iri)
    iris = statement_iris(graph, iri)
    types = [terms.predicate(ty) for ty in t.types]

    def statements(sts) -> list[tuple[str, str]]:
        views = [statement_view(graph, terms, iri, st, iris) for st in sts]
        return [(term_text(v["prop"]), term_text(v["object"])) for v in views]

    lines = _heading(t.label or curie(iri), iri, types)
    for n, grp in enumerate(t.evidence, 1):
        if grp.kind == "project":
            lines.append(f"\n[{n}] Project assertion — added by laokg, not stated by a source")
            if grp.asserted_properties:
                lines.append(
                    "    properties the project adds: "
                    + ", ".join(term_text(terms.predicate(p)) for p in grp.asserted_properties)
                )
            if grp.note:
                lines.append(f"    why: {grp.note}")
        else:
            # worded as card_text words the card's evidence, from other data: a trace's group has the
            # footnotes' texts and the works they cite (and those works' own citations), a card's
            # record the footnote numbers and every excerpt, so the two blocks stay apart
            document = term_text(terms.iri(URIRef(grp.document))) if grp.document else "an unnamed document"
            lines.append(f"\n[{n}] Read in {document}")
            if grp.section:
                lines.append(f"    section: {grp.section}")
            if grp.excerpt:
                lines.append(f'    excerpt: "{plain_text(grp.excerpt)}"')
            for fn in grp.footnotes:
                lines.append(f"    footnote {fn.number}: {fn.text}")
                for w in fn.works:
                    lines.extend(_work_lines(w, "      cites: "))
            for w in grp.cited_in_text:
                lines.extend(_work_lines(w, "    cited in the text: "))
            if not grp.footnotes and not grp.cited_in_text:
                lines.append("    (no footnote: stated by the document itself)")
        same = next(
            (
                k
                for k, earlier in enumerate(t.evidence[: n - 1], 1)
                if earlier.statements and earlier.statements == grp.statements
            ),
            None,
        )
        if same:
            lines.append(f"    supports: the same statements as [{same}]")
        elif grp.statements:
            lines.append("    supports:")
            lines.extend(_rows(statements(grp.statements), "      "))
    if t.unsupported:
        lines.append("\nstatements with no evidence:")
        lines.extend(_rows(statements(t.unsupported)))
    if not t.evidence:
        lines.append("\nthis node has no evidence at all")
    if t.sources:
        lines += _sources(_fact_sources_of(t.sources), terms)
    return "\n".join(lines) + "\n"


def source_trace_text(s) -> str:
    """``laokg trace --source`` as text: the work, then every node resting on it, by name, with
    how it depends on the work (and the excerpt that says so)."""
    lines = [s.label or curie(s.iri), f"  {curie(s.iri)}", f"  {len(s.dependants)} node(s) depend on it:"]
    for d in s.dependants:
        lines.append(f"  - {d.label or curie(d.iri)}")
        for via in d.via:
            excerpt = f': "{plain_text(via["excerpt"])}"' if via.get("excerpt") else ""
            lines.append(f"      via {via['how']}{excerpt}")
    return "\n".join(lines) + "\n"


__all__ = ["card_text", "trace_text", "source_trace_text", "term_text"]
