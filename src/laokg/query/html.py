"""HTML for notebooks: query rows, entity cards and traces as Jupyter shows them
(``_repr_html_``), laid out as the site's pages are (a table of rows; a card with a heading,
the IRI, the properties by label and the evidence with its quotes).

Everything from the graph is escaped (:func:`html.escape`, quotes included); IRIs are shown
by label or CURIE, with the full IRI in the ``title`` (on hover). Nothing here imports rdflib:
terms are read duck-typed (``URIRef`` and ``Literal`` are ``str`` subclasses).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from laokg.query.formats import NUMERIC_DATATYPES

_STYLE = (
    "<style>.laokg td,.laokg th{text-align:left;vertical-align:top;padding:2px 8px}"
    ".laokg td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".laokg .curie{color:#555;font-size:90%}.laokg blockquote{margin:2px 0 4px 12px;color:#333}</style>"
)


def _e(text) -> str:
    return escape(str(text), quote=True)


def _is_iri(term) -> bool:
    return type(term).__name__ == "URIRef"


def _is_number(term) -> bool:
    return str(getattr(term, "datatype", "") or "") in NUMERIC_DATATYPES


def term_html(term, label_of: Callable | None = None) -> str:
    """One value: an IRI as its label (or CURIE) with the IRI on hover; a literal as its text
    (no language tag or datatype); a blank node as ``_:id``; None as empty."""
    from laokg.labels import curie

    if term is None:
        return ""
    if _is_iri(term):
        label = label_of(term) if label_of else None
        short = curie(term)
        if label:
            return f'<span title="{_e(term)}">{_e(label)}</span> <span class="curie">{_e(short)}</span>'
        return f'<span title="{_e(term)}">{_e(short)}</span>'
    if type(term).__name__ == "BNode":
        return _e("_:" + str(term))
    return _e(term)


def rows_html(vars_: list[str], rows: list[dict], label_of: Callable | None = None, limit: int = 200) -> str:
    """A table of SELECT rows (at most ``limit``, then a line saying how many are left out)."""
    head = "".join(f"<th>{_e(v)}</th>" for v in vars_)
    body = []
    for row in rows[:limit]:
        cells = []
        for v in vars_:
            term = row.get(v)
            cls = ' class="num"' if term is not None and _is_number(term) else ""
            cells.append(f"<td{cls}>{term_html(term, label_of)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = f"<p>… and {len(rows) - limit} more rows</p>" if len(rows) > limit else ""
    count = f"<p>{len(rows)} row{'s' if len(rows) != 1 else ''}</p>"
    return (
        f'<div class="laokg">{_STYLE}<table><thead><tr>{head}</tr></thead><tbody>'
        + "".join(body)
        + f"</tbody></table>{more}{count}</div>"
    )


def _value_html(value: dict) -> str:
    """A value of ``laokg show --format json``: ``{iri, curie, label}`` or ``{value, lang|datatype}``."""
    if "iri" in value:
        name = value.get("label") or value.get("curie") or value["iri"]
        extra = f' <span class="curie">{_e(value["curie"])}</span>' if value.get("label") and value.get("curie") else ""
        return f'<span title="{_e(value["iri"])}">{_e(name)}</span>{extra}'
    if "bnode" in value:
        return _e("_:" + value["bnode"])
    return _e(value.get("value", ""))


def card_html(card: dict, property_labels: dict | None = None, note: str | None = None) -> str:
    """An entity card (``laokg show --format json``) as the site's entity page lays it out."""
    labels = property_labels or {}

    def prop(curie_: str) -> str:
        name = labels.get(curie_) or curie_
        return f'<span title="{_e(curie_)}">{_e(name)}</span>'

    out = [
        f'<div class="laokg">{_STYLE}',
        f"<h3>{_e(card.get('label') or card.get('curie') or card['iri'])}</h3>",
        f'<p><span class="curie">{_e(card.get("curie", ""))}</span> · <code>{_e(card["iri"])}</code></p>',
    ]
    if note:
        out.append(f"<p><em>{_e(note)}</em></p>")
    if card.get("types"):
        out.append("<p>Type: " + ", ".join(_value_html(t) for t in card["types"]) + "</p>")
    others = [lab for lab in card.get("labels", []) if lab.get("value") != card.get("label")]
    if others:
        out.append(
            "<p>Also called: "
            + ", ".join(_e(lab["value"]) for lab in {lab["value"]: lab for lab in others}.values())
            + "</p>"
        )
    if card.get("properties"):
        out.append("<table><tbody>")
        for item in card["properties"]:
            out.append(f"<tr><th>{prop(item['property'])}</th><td>{_value_html(item['value'])}</td></tr>")
        out.append("</tbody></table>")
    if card.get("evidence"):
        out.append("<h4>Evidence</h4><ol>")
        for ev in card["evidence"]:
            bits = []
            if ev.get("document"):
                bits.append(_value_html(ev["document"]))
            if ev.get("section"):
                bits.append(f"section: {_e(ev['section'])}")
            if ev.get("footnotes"):
                bits.append("footnote " + ", ".join(_e(n) for n in ev["footnotes"]))
            if ev.get("asserted_properties"):
                bits.append("asserted by the project: " + ", ".join(prop(p) for p in ev["asserted_properties"]))
            quotes = "".join(
                f"<blockquote>“{_e(' '.join(str(x).split()))}”</blockquote>" for x in ev.get("excerpts", [])
            )
            note_ = f"<br><small>{_e(ev['note'])}</small>" if ev.get("note") else ""
            out.append("<li>" + " — ".join(bits) + quotes + note_ + "</li>")
        out.append("</ol>")
    out.append("</div>")
    return "".join(out)


def _named(iri: str | None, label: str | None) -> str:
    from laokg.labels import curie

    if iri is None:
        return "?"
    short = curie(iri)
    return (
        f'<span title="{_e(iri)}">{_e(label)}</span> <span class="curie">{_e(short)}</span>'
        if label
        else f'<span title="{_e(iri)}">{_e(short)}</span>'
    )


def _work_html(work) -> str:
    bits = [_named(work.iri, work.label)]
    if work.by:
        bits.append("by " + _e("; ".join(work.by)))
    if work.issued:
        bits.append(_e(work.issued))
    onward = "".join(f"<li>which cites: {_work_html(w)}</li>" for w in work.cites)
    return " — ".join(bits) + (f"<ul>{onward}</ul>" if onward else "")


def trace_html(t) -> str:
    """A forward trace (:class:`laokg.provenance.trace.Trace`): what ``laokg trace`` prints, as HTML."""
    out = [f'<div class="laokg">{_STYLE}<h3>{_named(t.iri, t.label)}</h3>']
    if t.types:
        out.append(f"<p>Type: {_e(', '.join(t.types))}</p>")
    out.append("<ol>")
    for grp in t.evidence:
        if grp.kind == "project":
            item = f"Project assertion {_named(grp.iri, None)} — added by laokg, not stated by a source"
            if grp.note:
                item += f"<br><small>{_e(grp.note)}</small>"
        else:
            item = _named(grp.document, grp.document_label)
            if grp.section:
                item += f" — section: {_e(grp.section)}"
            if grp.excerpt:
                item += f"<blockquote>“{_e(' '.join(grp.excerpt.split()))}”</blockquote>"
            cites = [
                f"<li>footnote {_e(fn.number)}: {_e(fn.text or '')}"
                + ("<ul>" + "".join(f"<li>cites: {_work_html(w)}</li>" for w in fn.works) + "</ul>" if fn.works else "")
                + "</li>"
                for fn in grp.footnotes
            ]
            cites += [f"<li>cited in the text: {_work_html(w)}</li>" for w in grp.cited_in_text]
            item += (
                f"<ul>{''.join(cites)}</ul>"
                if cites
                else "<br><small>no footnote: stated by the document itself</small>"
            )
        if grp.statements:
            item += (
                "<br><small>supports: "
                + "; ".join(_e(f"{st.predicate} {st.object_label or st.object}") for st in grp.statements)
                + "</small>"
            )
        out.append(f"<li>{item}</li>")
    out.append("</ol>")
    if not t.evidence:
        out.append("<p>This node has no evidence at all.</p>")
    if t.unsupported:
        out.append(
            "<p>Statements with no evidence: "
            + "; ".join(_e(f"{st.predicate} {st.object}") for st in t.unsupported)
            + "</p>"
        )
    out.append("</div>")
    return "".join(out)


def source_trace_html(s) -> str:
    """A reverse trace (:class:`laokg.provenance.trace.SourceTrace`) as HTML."""
    out = [
        f'<div class="laokg">{_STYLE}<h3>{_named(s.iri, s.label)}</h3>',
        f"<p>{len(s.dependants)} node(s) depend on it:</p><ul>",
    ]
    for d in s.dependants:
        vias = "".join(
            f"<li>via {_e(v['how'])}"
            + (f": “{_e(' '.join(str(v['excerpt']).split()))}”" if v.get("excerpt") else "")
            + "</li>"
            for v in d.via
        )
        out.append(f"<li>{_named(d.iri, d.label)}<ul>{vias}</ul></li>")
    out.append("</ul></div>")
    return "".join(out)
