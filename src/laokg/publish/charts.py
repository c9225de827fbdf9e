"""Charts drawn from the graph at build time, as SVG (pygal), each labelled with its source
and period. The data comes from the saved queries (``instruments``, ``programmes``,
``events``, ``emigrants_by_destination``, ``emigrants_by_sex``, ``remittances``,
``remittance_breakdown``) and the citation trace, so a change of the model reaches the charts
through them.

pygal writes a generation date and a script into every SVG; both are removed and the chart
id is fixed, so the same graph gives the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef

from laokg.labels import LabelIndex
from laokg.provenance.readable import date_text, figure_text
from laokg.provenance.trace import trace_entity
from laokg.publish.pages import period_text, run_saved
from laokg.query.catalogue import SavedQuery

_FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"


@dataclass
class Chart:
    name: str  # file stem: charts/NAME.svg, charts/NAME.html
    title: str
    source: str
    period: str
    alt: str  # a sentence for people who cannot see the chart
    svg: bytes = b""
    svg_narrow: bytes = b""  # the same chart drawn for a phone's width (text stays >= 11 px at 390 px)
    table: dict = field(default_factory=dict)  # {"caption", "head": [...], "rows": [[...]]}
    notes: list[str] = field(default_factory=list)


#: the narrow drawing's width in SVG units: shown at most 358 px wide on a 390 px screen, its
#: 13-unit text renders at >= 11 px
NARROW = 400


def _style(narrow: bool = False):
    from pygal.style import Style

    size = 13 if narrow else 11
    return Style(
        font_family=_FONT,
        background="white",
        plot_background="white",
        foreground="#1b1b1b",
        foreground_strong="#1b1b1b",
        foreground_subtle="#6b6b6b",
        opacity=".85",
        opacity_hover=".95",
        colors=("#2f4f6f", "#b8860b", "#8a1c1c", "#3b7a57", "#5b2a86", "#7a4d00"),
        title_font_size=14 if narrow else 15,
        label_font_size=size,
        major_label_font_size=size,
        legend_font_size=size if narrow else 12,
        value_font_size=size,
        tooltip_font_size=size,
    )


def _config(narrow: bool = False, **kw):
    base = dict(
        js=[],
        style=_style(narrow),
        print_values=True,
        show_y_guides=True,
        width=NARROW if narrow else 900,
        height=480,
        legend_at_bottom=True,
        truncate_legend=-1,
        truncate_label=-1,
        margin=8 if narrow else 16,
    )
    base.update(kw)
    if narrow:
        base["title"] = None  # the page's heading and caption say it; a 400-unit title would not fit
        for key in ("x_title", "y_title"):
            if key in base:
                base[key] = None
    return base


# Each chart's build(narrow) is a pygal chart of its own data and words: they are alike in shape
# (a chart type, _config with a title and axes, labels, series), the drawing in common is _chart.
def _draw(build, name: str) -> tuple[bytes, bytes]:
    """Render ``build(narrow)`` twice: for wide screens and for phones."""
    return _render(build(False), name), _render(build(True), name + "-narrow")


def _chart(name: str, build, **fields) -> Chart:
    """The chart ``name``, drawn by ``build(narrow)`` for wide screens and phones, with the
    ``fields`` that say what it shows (title, source, period, alt, table, notes)."""
    wide, narrow = _draw(build, name)
    return Chart(name=name, svg=wide, svg_narrow=narrow, **fields)


def _render(chart, name: str) -> bytes:
    chart.uuid = name  # pygal draws a random id per chart
    svg = chart.render(is_unicode=True)
    svg = re.sub(r"<!--Generated with pygal[^>]*-->", "", svg)  # it carries today's date
    svg = re.sub(r"<script[^>]*>.*?</script>", "", svg, flags=re.S)  # tooltips config; no JS needed
    svg = re.sub(r"<script[^>]*/>", "", svg)
    return svg.encode("utf-8")


def _query(catalogue: dict[str, SavedQuery], graph: Graph, index: LabelIndex, name: str):
    sq = catalogue.get(name)
    if sq is None:
        return []
    result, _ = run_saved(graph, index, sq)
    return result.rows if result is not None and result.form == "SELECT" else []


def _s(row: dict, key: str) -> str | None:
    value = row.get(key)
    return None if value is None else str(value)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


# ---------------------------------------------------------------- timeline


_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def _year(text: str | None) -> float | None:
    """'2016-09' -> 2016.67 (mid-month), '2021' -> 2021.5 (mid-year); None if undated."""
    if not text:
        return None
    m = _DATE.match(text.strip())
    if not m:
        return None
    year, month = int(m.group(1)), m.group(2)
    return round(year + ((int(month) - 0.5) / 12 if month else 0.5), 3)


def _span(text: str | None) -> tuple[float | None, float | None]:
    if text and "/" in text:
        start, _, end = text.partition("/")
        return _year(start), _year(end)
    y = _year(text)
    return y, None


def _sources(graph: Graph, index: LabelIndex, iris) -> list[str]:
    names = set()
    for iri in iris:
        for grp in trace_entity(graph, iri, index).evidence:
            if grp.kind == "document" and grp.document_label:
                names.add(grp.document_label)
    return sorted(names)


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def timeline(graph: Graph, index: LabelIndex, catalogue: dict) -> Chart:
    """Instruments, programmes and practices, and events, dated as their saved queries date
    them: a practice's year is the ``practices`` query's ``year`` (``programmes`` lists the
    practices too, without it)."""
    import pygal

    items = []  # (start, end, kind, label, iri, shown date)
    for row in _query(catalogue, graph, index, "instruments"):
        start, end = _span(_s(row, "date"))
        items.append((start, end, "instruments", _s(row, "title") or "", row.get("instrument"), _s(row, "date")))
    practice_years = {
        row.get("practice"): _s(row, "year") for row in _query(catalogue, graph, index, "practices") if _s(row, "year")
    }
    for row in _query(catalogue, graph, index, "programmes"):
        first = _s(row, "start") or practice_years.get(row.get("project"))
        start, end = _year(first), _year(_s(row, "end"))
        shown = "/".join(x for x in (first, _s(row, "end")) if x) or None
        items.append((start, end, "programmes", _s(row, "name") or "", row.get("project"), shown))
    for row in _query(catalogue, graph, index, "events"):
        items.append((_year(_s(row, "date")), None, "events", _s(row, "name") or "", row.get("event"), _s(row, "date")))
    dated = sorted((i for i in items if i[0] is not None), key=lambda i: (i[0], i[1] or i[0], i[3]))
    undated = sorted((i for i in items if i[0] is None), key=lambda i: (i[2], i[3]))
    years: list[float] = [i[0] for i in dated if i[0] is not None] + [i[1] for i in dated if i[1] is not None]
    first_year, last_year = (int(min(years)), int(max(years))) if years else (0, 0)
    period = f"{first_year}–{last_year}" if years else "undated"
    sources = _sources(graph, index, [i[4] for i in items if isinstance(i[4], URIRef)])
    source = "; ".join(sources)
    short_source = "; ".join(_short(s, 48) for s in sources)
    n = len(dated)

    def build(narrow: bool):
        step = 10 if narrow else 5
        chart = pygal.XY(
            **_config(
                narrow,
                title=f"Instruments, programmes and events, {period}",
                x_title=f"Year (periods as bars, dates as dots). Sources: {short_source}",
                height=max(420, 34 * n + 160),
                show_y_guides=False,
                print_values=False,
                dots_size=5,
                stroke_style={"width": 9, "linecap": "butt"},
                allow_interruptions=True,
                xrange=(first_year - 1, last_year + 1),
                range=(-0.7, n - 0.3),
                legend_at_bottom=True,
                x_labels=list(range(first_year - first_year % step, last_year + 2, step)) if years else [],
                y_labels=[
                    {"label": _short(i[3], 22 if narrow else 60), "value": n - 1 - k} for k, i in enumerate(dated)
                ],
                margin_left=8 if narrow else 16,
            )
        )
        for kind in ("instruments", "programmes", "events"):
            points: list = []
            for k, item in enumerate(dated):
                if item[2] != kind:
                    continue
                y = n - 1 - k
                label = f"{item[3]} ({item[5]})"
                points.append({"value": (item[0], y), "label": label})
                if item[1] is not None:
                    points.append({"value": (item[1], y), "label": label})
                points.append(None)
            chart.add(kind, points)
        return chart

    rows = [[i[2][:-1], i[3], date_text(i[5]) if i[5] else "undated"] for i in dated + undated]
    notes = [f"Undated in the sources: {', '.join(i[3] for i in undated)}."] if undated else []
    return _chart(
        "timeline",
        build,
        title=f"Timeline of instruments, programmes and events, {period}",
        source=source,
        period=period,
        alt=(
            f"Timeline from {first_year} to {last_year}: {len(dated)} dated items — "
            + "; ".join(f"{i[3]} ({date_text(i[5] or '')})" for i in dated)
            + "."
        ),
        table={
            "caption": "Dated and undated items, oldest first",
            "head": ["kind", "name", "date as the source gives it"],
            "rows": rows,
        },
        notes=notes,
    )


# ---------------------------------------------------------------- emigrants


def emigrants_by_destination(graph: Graph, index: LabelIndex, catalogue: dict) -> Chart:
    import pygal

    rows = _query(catalogue, graph, index, "emigrants_by_destination")
    periods = sorted({p for r in rows if (p := _s(r, "period"))})
    sources = sorted({s for r in rows if (s := _s(r, "dataSource"))})
    period, source = ", ".join(periods) or "period not stated", "; ".join(sources) or "not stated"
    data = [(_s(r, "destinationName") or "", _number(_s(r, "emigrants"))) for r in rows]
    data = [d for d in data if d[1] is not None]

    def build(narrow: bool):
        chart = pygal.HorizontalBar(
            **_config(
                narrow,
                title=f"Lao emigrants by country of destination, {period}",
                x_title=f"Emigrants (number of people) — source: {source}, as printed in the EUDiF profile",
                show_legend=False,
                value_formatter=lambda v: f"{v:,.0f}",
            )
        )
        chart.x_labels = [name for name, _ in reversed(data)]
        chart.add("emigrants", [v for _, v in reversed(data)])
        return chart

    return _chart(
        "emigrants-by-destination",
        build,
        title=f"Lao emigrants by destination, {period}",
        source=source,
        period=period,
        alt="Horizontal bars: " + "; ".join(f"{name} {v:,.0f}" for name, v in data) + f" ({period}, {source}).",
        table={
            "caption": "Emigrants by destination",
            "head": ["destination", "emigrants", "period", "source"],
            "rows": [
                [
                    _s(r, "destinationName"),
                    figure_text(_s(r, "emigrants"), "persons"),
                    _s(r, "period"),
                    _s(r, "dataSource"),
                ]
                for r in rows
                if _number(_s(r, "emigrants")) is not None
            ],
        },
    )


def emigrants_by_sex(graph: Graph, index: LabelIndex, catalogue: dict) -> Chart:
    import pygal

    rows = _query(catalogue, graph, index, "emigrants_by_sex")
    groups: dict = {}
    for r in rows:
        period = _s(r, "period") or "unknown"
        where = _s(r, "destination") or "all destinations"
        estimate = _s(r, "estimate") == "true"
        key = (estimate, period, where)
        groups.setdefault(key, {})[_s(r, "sex")] = _s(r, "percent")
    ordered = sorted(groups, key=lambda k: (k[0], k[1], k[2] != "all destinations", k[2]))

    def name(key):
        estimate, period, where = key
        when = "year not stated" if period == "unknown" else period
        return f"{'estimate in the text' if estimate else 'figure box'}, {when}, {where}"

    def short(key):
        estimate, period, where = key
        if estimate:
            return "estimate (text)"
        place = "all" if where == "all destinations" else _short(where.split(" (")[0], 18)
        return f"{'' if period == 'unknown' else period + ', '}{place}"

    source = "; ".join(
        _sources(graph, index, [r.get("observation") for r in rows if isinstance(r.get("observation"), URIRef)])
    )

    def build(narrow: bool):
        chart = pygal.StackedBar(
            **_config(
                narrow,
                title=f"Lao emigrants by sex, every breakdown as printed — source: {_short(source, 60)}",
                y_title="share of emigrants (%)",
                x_title="breakdown (figure box 2024: all / EU; estimate in the text) — they disagree",
                range=(0, 100),
                value_formatter=lambda v: f"{v:g}%",
                print_zeroes=False,
                x_label_rotation=40 if narrow else 0,
            )
        )
        chart.x_labels = [short(k) for k in ordered]
        for sex, shown in (("female", "women"), ("male", "men")):
            chart.add(
                shown,
                [
                    _number(groups[k].get(sex))
                    if groups[k].get(sex) is not None
                    else {"value": None, "formatter": lambda v: ""}
                    for k in ordered
                ],
            )
        return chart

    women = [(name(k), groups[k].get("female")) for k in ordered if groups[k].get("female") is not None]
    periods = sorted({k[1] for k in ordered})
    notes = []
    if len({_number(v) for _, v in women}) > 1:
        notes.append(
            "The breakdowns disagree: women are "
            + ", ".join(f"{v}% ({n})" for n, v in women)
            + ". laokg records each as printed and corrects none."
        )
    return _chart(
        "emigrants-by-sex",
        build,
        title="Lao emigrants by sex, every breakdown as printed",
        source=source,
        period=", ".join("year not stated" if p == "unknown" else p for p in periods),
        alt="Stacked bars of the share of women and men: "
        + "; ".join(
            f"{name(k)}: women {groups[k].get('female', '—')}%, men {groups[k].get('male', '—')}%" for k in ordered
        )
        + ".",
        table={
            "caption": "Shares by sex, as printed",
            "head": ["breakdown", "women", "men"],
            "rows": [[name(k), _fmt(groups[k].get("female")), _fmt(groups[k].get("male"))] for k in ordered],
        },
        notes=notes,
    )


def _fmt(v) -> str:
    return "not given" if v is None else figure_text(v, "%")


# ---------------------------------------------------------------- remittances


def _p(row: dict) -> str:
    return _s(row, "period") or ""


def _who(row: dict) -> str:
    """Whom the graph names for a figure: who released it, else the work its document names
    as the source, else the document it was read in."""
    return _s(row, "releasedBy") or _s(row, "dataSource") or _s(row, "document") or "source not stated"


def _amount(row: dict) -> str:
    return figure_text(_s(row, "value"), _s(row, "unit"), _s(row, "unitMult"))


def remittances(graph: Graph, index: LabelIndex, catalogue: dict) -> list[Chart]:
    """The ``remittances`` rows (who released a figure: its ``releasedBy``, as ``laokg query
    run remittances`` names it) and the ``remittance_breakdown`` rows."""
    import pygal

    rows = _query(catalogue, graph, index, "remittances")
    charts = []

    # classified by unit, not by indicator code: only the World Bank figures carry a World Bank code
    totals = [r for r in rows if _s(r, "unit") == "USD" and not _s(r, "channel") and not _s(r, "intermediary")]
    totals.sort(key=lambda r: (_p(r), _who(r)))
    if totals:
        # alike in shape with the other charts' builders: each its own data and words (see _draw)
        def build(narrow: bool):
            chart = pygal.Bar(
                **_config(
                    narrow,
                    title="Remittances received by Laos, USD million, by source and period",
                    y_title="USD million",
                    x_title="period: source — different periods and sources, not a series",
                    value_formatter=lambda v: f"{v:,.2f}".rstrip("0").rstrip("."),
                    show_legend=False,
                )
            )
            # on a phone the period alone (the source is in the caption and the table)
            chart.x_labels = [
                period_text(_p(r)) if narrow else f"{period_text(_p(r))}: {_short(_who(r), 44)}" for r in totals
            ]
            chart.add("USD million", [_number(_s(r, "value")) for r in totals])
            return chart

        periods = ", ".join(period_text(_p(r)) for r in totals)
        charts.append(
            _chart(
                "remittances",
                build,
                title="Remittances received, by source and period",
                source="; ".join(sorted({_who(r) for r in totals})),
                period=periods,
                alt="Bars: " + "; ".join(f"{period_text(_p(r))}: {_amount(r)} ({_who(r)})" for r in totals) + ".",
                table={
                    "caption": "Remittance inflows",
                    "head": ["period", "amount", "approximate", "released by", "source it names", "read in"],
                    "rows": [
                        [
                            period_text(_p(r)),
                            _amount(r),
                            "yes" if _s(r, "estimate") == "true" else "",
                            _s(r, "releasedBy") or "not named",
                            _s(r, "dataSource") or "not named",
                            _s(r, "document"),
                        ]
                        for r in totals
                    ],
                },
                notes=[
                    "Different measures, shown side by side, not as a series: "
                    + "; ".join(f"{period_text(_p(r))}, {_amount(r)}, from {_who(r)}" for r in totals)
                    + "."
                ],
            )
        )
    parts = _query(catalogue, graph, index, "remittance_breakdown")
    if parts:
        by_obs = {r.get("observation"): r for r in rows}
        total_iri = {r.get("partOf") for r in parts} - {r.get("component") for r in parts}
        total_row: dict = next((by_obs[i] for i in sorted(total_iri, key=str) if i in by_obs), {})
        total_value = next((_s(r, "partOfValue") for r in parts if r.get("partOf") in total_iri), None)
        source = (
            ", ".join(
                x
                for x in (
                    _s(total_row, "document"),
                    _s(total_row, "releasedBy") and f"figures released by the {_s(total_row, 'releasedBy')}",
                )
                if x
            )
            or "not stated"
        )
        period = period_text(_p(total_row)) if total_row else "period not stated"
        bars = ([("total", _number(total_value))] if total_value else []) + [
            (_s(r, "intermediary") or _s(r, "channel") or _s(r, "label") or "", _number(_s(r, "value"))) for r in parts
        ]

        def build(narrow: bool):
            chart = pygal.HorizontalBar(
                **_config(
                    narrow,
                    title=f"How the {period} remittances break down (USD million)",
                    x_title="USD million — "
                    + "; ".join(
                        x
                        for x in (
                            _s(total_row, "releasedBy") and f"released by the {_s(total_row, 'releasedBy')}",
                            _s(total_row, "document") and f"read in: {_short(_s(total_row, 'document') or '', 60)}",
                        )
                        if x
                    ),
                    show_legend=False,
                    value_formatter=lambda v: f"{v:g}",
                )
            )
            chart.x_labels = [b[0] for b in reversed(bars)]
            chart.add("USD million", [b[1] for b in reversed(bars)])
            return chart

        charts.append(
            _chart(
                "remittance-breakdown",
                build,
                title=f"Remittances in the {period}, by channel and bank",
                source=source,
                period=period,
                alt="Horizontal bars: " + "; ".join(f"{n}: USD {v:g} million" for n, v in bars if v is not None) + ".",
                table={
                    "caption": "Breakdown",
                    "head": ["part", "channel or bank", "amount", "part of"],
                    "rows": [
                        [
                            _s(r, "label"),
                            _s(r, "intermediary") or _s(r, "channel"),
                            figure_text(_s(r, "value"), "USD", _s(r, "unitMult")),
                            figure_text(_s(r, "partOfValue"), "USD", _s(r, "unitMult")),
                        ]
                        for r in parts
                    ],
                },
            )
        )
    shares = sorted((r for r in rows if _s(r, "unit") == "%"), key=lambda r: _p(r))
    if shares:
        # alike in shape with the other charts' builders: each its own data and words (see _draw)
        def build(narrow: bool):
            chart = pygal.Bar(
                **_config(
                    narrow,
                    title="Remittances received as a share of GDP (%)",
                    y_title="% of GDP",
                    x_title="year — source: " + "; ".join(sorted({_who(r) for r in shares})),
                    show_legend=False,
                    value_formatter=lambda v: f"{v:g}%",
                )
            )
            chart.x_labels = [_p(r) or "year not stated" for r in shares]
            chart.add("% of GDP", [_number(_s(r, "value")) for r in shares])
            return chart

        charts.append(
            _chart(
                "remittances-share-of-gdp",
                build,
                title="Remittances as a share of GDP",
                source="; ".join(sorted({_who(r) for r in shares})),
                period=", ".join(_p(r) or "year not stated" for r in shares),
                alt="Bars: "
                + "; ".join(f"{_p(r) or 'year not stated'}: {_s(r, 'value')}% of GDP" for r in shares)
                + ".",
                table={
                    "caption": "Share of GDP",
                    "head": ["year", "share of GDP", "source"],
                    "rows": [[_p(r) or "year not stated", _amount(r), _who(r)] for r in shares],
                },
            )
        )
    return charts


def all_charts(graph: Graph, index: LabelIndex, catalogue: list[SavedQuery]) -> list[Chart]:
    by_name = {q.name: q for q in catalogue}
    return [
        timeline(graph, index, by_name),
        emigrants_by_destination(graph, index, by_name),
        emigrants_by_sex(graph, index, by_name),
        *remittances(graph, index, by_name),
    ]


__all__ = ["Chart", "all_charts", "timeline", "emigrants_by_destination", "emigrants_by_sex", "remittances", "Literal"]
