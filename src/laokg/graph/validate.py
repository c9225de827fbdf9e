"""Validate the data graph against the SHACL shapes (pyshacl-turbo, or pySHACL by name), and format the report.

The data graph is ontology + vocabularies + graph files (see :mod:`laokg.graph.load`); the shapes
graph is ``ontology/shapes.ttl``. pySHACL runs with no inference, in advanced mode (so
SHACL-SPARQL constraints and ``sh:SPARQLTarget`` work), and with warnings and infos allowed:
only ``sh:Violation`` results make the graph non-conforming (laokg's own verdict, in the text
output and the exit status); the others are still reported.

Results are counted as the SHACL specification and Apache Jena count them: one per
``sh:result`` of the report. pySHACL also adds the results of a failed ``sh:node`` shape as
nested ``sh:detail`` results; they stay in the report graph but are not counted again. The
report graph's ``sh:conforms`` follows the specification (true only when there are no
results at all, whatever their severity), which pySHACL's ``allow_warnings`` changes.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from laokg.errors import InputError
from laokg.namespaces import SCHEMA, SH, bind_prefixes

if TYPE_CHECKING:  # load imports this module's callers; only the type is needed here
    from laokg.graph.load import DataText

SEVERITIES = ("Violation", "Warning", "Info")
FORMATS = ("text", "json", "turtle")
#: the label a validation result shows beside its focus node (rdfs:label first, no altLabel:
#: a report names a node as its data names it; laokg.labels.LABEL_PROPERTIES ranks labels for search)
FOCUS_LABEL_PROPERTIES = (RDFS.label, SKOS.prefLabel, DCTERMS.title, SCHEMA.name)


@dataclass(frozen=True)
class ResultRow:
    """One SHACL validation result, with terms written as CURIEs where a prefix is bound."""

    severity: str
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    source_shape: str
    constraint: str | None = None


@dataclass
class ValidationResult:
    """The outcome: ``conforms`` is False only if there is at least one Violation."""

    conforms: bool
    results: list[ResultRow]
    report_graph: Graph = field(repr=False)
    #: the same rows with full IRIs (what ``--format json`` writes, as ``audit`` does)
    iri_results: list[ResultRow] = field(default_factory=list, repr=False)

    def counts(self) -> dict[str, int]:
        counter = Counter(row.severity for row in self.results)
        return {severity: counter.get(severity, 0) for severity in SEVERITIES}


# ---------------------------------------------------------------- running pySHACL

_sparql_lock = threading.RLock()
#: prepared (parsed and translated) SPARQL queries by (text, base, prefixes), kept for the
#: process: the shapes' SHACL-SPARQL query texts are few and fixed
_PREPARED: dict = {}


def prepared_query(text: str, base=None, init_ns=None):
    """The query ``text`` prepared by rdflib's ``prepareQuery``, memoised by text."""
    from rdflib.plugins.sparql import prepareQuery

    key = (text, base, tuple(sorted((str(k), str(v)) for k, v in (init_ns or {}).items())))
    if (prepared := _PREPARED.get(key)) is None:
        prepared = _PREPARED[key] = prepareQuery(text, initNs=init_ns, base=base)
    return prepared


@functools.cache
def _preparing_processor():
    from rdflib.plugins.sparql.processor import SPARQLProcessor

    class PreparingProcessor(SPARQLProcessor):
        """rdflib's SPARQL processor, running query texts through :func:`prepared_query`."""

        # the signature (and argument names, for keyword callers) of rdflib's
        # SPARQLProcessor.query, which itself adds ``base`` to Processor.query's
        def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # type: ignore[override]
            if isinstance(strOrQuery, str):
                strOrQuery = prepared_query(strOrQuery, base, initNs)
            return super().query(strOrQuery, initBindings, initNs, base, DEBUG)

    return PreparingProcessor


def __getattr__(name: str):
    # the processor class is made on first use (rdflib's SPARQL engine stays out of start-up)
    if name == "PreparingProcessor":
        return _preparing_processor()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@contextlib.contextmanager
def prepared_sparql():
    """While pySHACL runs, rdflib's "sparql" query processor plugin prepares each text once.

    pySHACL hands rdflib the same SHACL-SPARQL query text once per focus node, and rdflib
    parses and translates it every time (a pySHACL validation of the laokg graph takes 34 s so,
    3-5 s with each text prepared once). The
    processor is swapped through rdflib's plugin registry (``rdflib.plugin.register``, the
    documented extension point), not by patching rdflib's classes; evaluation is unchanged.
    """
    from rdflib import plugin
    from rdflib.query import Processor

    with _sparql_lock:
        plugin.register("sparql", Processor, __name__, "PreparingProcessor")
        try:
            yield
        finally:
            plugin.register("sparql", Processor, "rdflib.plugins.sparql.processor", "SPARQLProcessor")


#: SHACL engines with pySHACL's ``validate()`` API. "turbo" (pyshacl-turbo, a Rust engine) is the
#: default: measured on this project it gives the same report as pySHACL (tests/test_shacl_engines.py,
#: on the real graph and on planted violations) about 40x faster, and it grows linearly where
#: pySHACL's SHACL-SPARQL constraints grow quadratically (docs/performance.md).
SHACL_ENGINES = ("turbo", "pyshacl")
DEFAULT_SHACL_ENGINE = "turbo"


def run_shacl(data, shapes: Graph, engine: str | None = None) -> ValidationResult:
    """See :func:`_run_shacl`; rdflib's traceback for each literal whose form does not fit its
    datatype (a store's own form, Virtuoso's numeric durations) is silenced: the report names them."""
    import logging

    logger = logging.getLogger("rdflib.term")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return _run_shacl(data, shapes, engine)
    finally:
        logger.setLevel(previous)


def _run_shacl(data, shapes: Graph, engine: str | None = None) -> ValidationResult:
    """Validate ``data`` against ``shapes``; return the result rows sorted by severity.

    ``data``: an rdflib Graph, or the data graph as :class:`~laokg.graph.load.DataText`
    (N-Triples text, which pyshacl-turbo parses natively: no rdflib graph of the data is made;
    the report is the same, tests/test_validate_scale.py). ``engine`` is one of
    :data:`SHACL_ENGINES` (default: $LAOKG_SHACL_ENGINE, else turbo).
    """
    import os

    from laokg.graph.load import DataText

    engine = engine or os.environ.get("LAOKG_SHACL_ENGINE") or DEFAULT_SHACL_ENGINE
    if engine not in SHACL_ENGINES:
        raise InputError(f"unknown SHACL engine {engine!r} (choose from {', '.join(SHACL_ENGINES)})")
    if engine == "turbo":
        import pyshacl_turbo as shacl
    else:
        import pyshacl as shacl  # type: ignore[no-redef]  # the same API: the engine chosen by name

    text = None
    if isinstance(data, DataText):
        if engine == "turbo" and _native_input(data) is not None:
            text = data
        else:
            graph = data.prefix_graph()
            graph.parse(data=data.ntriples, format="nt")
            data = graph
    # advanced mode copies the data graph only because SHACL rules may add triples; with no
    # sh:rule in the shapes validation is read-only, so skip the copy (text input is never changed)
    inplace = text is None and (None, SH.rule, None) not in shapes
    try:
        with prepared_sparql() if engine == "pyshacl" else contextlib.nullcontext():
            conforms, report, _text = shacl.validate(
                data if text is None else _native_input(text),
                shacl_graph=shapes,
                ont_graph=None,
                inference="none",
                advanced=True,
                allow_warnings=True,
                allow_infos=True,
                abort_on_first=False,
                meta_shacl=False,
                inplace=inplace,
            )
    except Exception as exc:  # pySHACL reports bad shapes (e.g. a SPARQL syntax error) this way
        name = type(exc).__name__
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else name
        raise InputError(f"the SHACL shapes cannot be run ({name}): {detail}") from None
    if not isinstance(report, Graph):
        # pySHACL returns (False, ValidationFailure, text) for shapes it refuses to run
        # (a SHACL-SPARQL constraint using SERVICE, VALUES, MINUS ...): an input error
        detail = " ".join(str(getattr(report, "message", None) or report or _text).split())
        raise InputError(f"the SHACL shapes cannot be run: {detail}")
    bind_prefixes(report)
    _spec_conforms(report)
    _plain_strings(report)
    if text is not None:  # the prefixes, and the labels of the nodes the report names
        data = text.label_graph(
            {f for r in _top_results(report) if (f := report.value(r, SH.focusNode)) is not None},
            FOCUS_LABEL_PROPERTIES,
        )
    rows = _rows(report, data, shapes)
    return ValidationResult(bool(conforms), [r for r, _ in rows], report, [r for _, r in rows])


def _native_input(text):
    """The N-Triples as pyshacl-turbo's own input record, parsed by its Rust parser (the form it
    makes itself of a pyoxigraph store's dump); None if this pyshacl-turbo has no such record
    (then the text is loaded into an rdflib graph first)."""
    try:
        from pyshacl_turbo.rdf import Input
    except ImportError:  # pragma: no cover - another pyshacl-turbo layout
        return None
    try:
        return Input(text.ntriples, "nt", None, {}, dict(text.prefixes), preserve_ids=True)
    except TypeError:  # pragma: no cover
        return None


def _plain_strings(report: Graph) -> None:
    """``"x"^^xsd:string`` is the same RDF 1.1 term as ``"x"``: write it plain in the report
    (as the query outputs do), whichever way the engine was given the data."""
    from rdflib.namespace import XSD

    typed = [(s, p, o) for s, p, o in report if isinstance(o, Literal) and o.datatype == XSD.string]
    for s, p, o in typed:
        report.remove((s, p, o))
        report.add((s, p, Literal(str(o))))


def _top_results(report: Graph) -> list:
    """The results a report lists with sh:result (not the nested sh:detail ones)."""
    return [r for node in report.subjects(RDF.type, SH.ValidationReport) for r in report.objects(node, SH.result)]


def _spec_conforms(report: Graph) -> None:
    """Set sh:conforms as SHACL 3.6.1 defines it: true iff the report has no results."""
    value = Literal(not _top_results(report))
    for node in list(report.subjects(RDF.type, SH.ValidationReport)):
        report.set((node, SH.conforms, value))


def validate(root=None, extra=(), graph: Graph | None = None) -> ValidationResult:
    """Load the project at ``root`` (plus ``extra`` data files) and validate it; or validate
    ``graph`` (e.g. fetched from an endpoint) against the project's shapes."""
    from laokg.graph.load import DataText, load_data_graph, load_data_text, load_shapes

    # the project's data as N-Triples text parsed by Oxigraph (no rdflib graph: 50x faster to
    # load); the rdflib loader when a file needs its checks and error messages
    data = graph if graph is not None else (load_data_text(root, extra) or load_data_graph(root, extra))
    if isinstance(data, DataText):
        data, _ = text_for_shacl(data)
    shapes = load_shapes(root)
    return run_shacl(data, shapes)


def text_for_shacl(text: DataText) -> tuple[DataText, bool]:
    """``text`` as :func:`run_shacl` reads it best, and whether it was escaped: as ASCII
    (:meth:`DataText.ascii`, a third of the memory at 1M) when pyshacl-turbo's own parser
    reads it, else unchanged."""
    if _native_engine():
        return text.ascii(), True
    return text, False


def _native_engine() -> bool:
    """Whether :func:`run_shacl` (with the default engine) hands N-Triples text to
    pyshacl-turbo's own parser."""
    import os

    if (os.environ.get("LAOKG_SHACL_ENGINE") or DEFAULT_SHACL_ENGINE) != "turbo":
        return False
    try:
        from pyshacl_turbo.rdf import Input  # noqa: F401
    except ImportError:  # pragma: no cover - another pyshacl-turbo layout
        return False
    return True


# ---------------------------------------------------------------- report rows


def _term(graph: Graph | None, node, top: bool = True) -> str | None:
    """A readable rendering: CURIE for IRIs with a bound prefix, N3 for literals.

    With no ``graph``, IRIs are written in full: plain at the top, ``<…>`` inside a path.
    """
    if node is None:
        return None
    if graph is None:
        if isinstance(node, URIRef):
            return str(node) if top else f"<{node}>"
        return node.n3() if isinstance(node, Literal) else f"_:{node}"
    if isinstance(node, URIRef):
        try:
            prefix, _ns, local = graph.namespace_manager.compute_qname(node, generate=False)
        except (KeyError, ValueError):
            return f"<{node}>"
        return f"{prefix}:{local}" if prefix else f"<{node}>"
    if isinstance(node, Literal):
        return node.n3(graph.namespace_manager)
    return f"_:{node}"


def _path(graph: Graph, node, depth: int = 0, full: bool = False) -> str | None:
    """Render a SHACL property path in SPARQL property-path syntax (``full``: full IRIs)."""
    if node is None:
        return None
    if not isinstance(node, BNode) or depth > 10:
        return _term(None if full else graph, node, top=depth == 0)
    if (node, RDF.first, None) in graph:
        return "/".join(_path(graph, item, depth + 1, full) or "?" for item in Collection(graph, node))
    for prop, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(node, prop)
        if inner is not None:
            text = _path(graph, inner, depth + 1, full)
            bare = re.sub(r"<[^>]*>", "", text or "")  # a full IRI's '/' does not make a sequence
            return template.format(f"({text})" if "/" in bare or "|" in bare else text)
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return (
            "(" + "|".join(_path(graph, item, depth + 1, full) or "?" for item in Collection(graph, alternatives)) + ")"
        )
    return _term(None if full else graph, node, top=depth == 0)


def label_of(graph: Graph, node) -> str | None:
    """The node's label (rdfs:label, skos:prefLabel, dct:title, schema:name), English first."""
    for prop in FOCUS_LABEL_PROPERTIES:
        values = [v for v in graph.objects(node, prop) if isinstance(v, Literal)]
        if values:
            values.sort(key=lambda v: (v.language not in ("en", None), v.language or "", str(v)))
            return str(values[0])
    return None


def _shape_name(report: Graph, shapes: Graph, shape, full: bool = False) -> str:
    if not isinstance(shape, BNode):
        return _term(None if full else shapes, shape) or str(shape)
    for graph in (shapes, report):
        parent = graph.value(predicate=SH.property, object=shape)
        path = graph.value(shape, SH.path)
        if parent is not None or path is not None:
            owner = _shape_name(report, shapes, parent, full) if parent is not None else "[]"
            return f"{owner} {_path(graph, path, full=full)}" if path is not None else owner
    return "[anonymous shape]"


_SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def _rows(report: Graph, data: Graph, shapes: Graph) -> list[tuple[ResultRow, ResultRow]]:
    """Each result as (row with CURIEs, the same row with full IRIs), in the CURIE rows' order."""
    rows: list[tuple[ResultRow, ResultRow]] = []
    for result in _top_results(report):
        severity_node = report.value(result, SH.resultSeverity)
        severity = _SEVERITY_NAMES.get(severity_node, _term(report, severity_node) or "Violation")
        focus = report.value(result, SH.focusNode)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        component = report.value(result, SH.sourceConstraintComponent)
        component_name = _term(report, component)
        shape = report.value(result, SH.sourceShape)
        message = " / ".join(messages) if messages else (component_name or "constraint not satisfied")

        # the row with CURIEs (terms shortened by ``data``'s prefixes), then with full IRIs
        with_curies, with_iris = (
            ResultRow(
                severity=severity,
                focus=_term(graph, focus) or "",
                focus_label=label_of(data, focus) if focus is not None else None,
                path=_path(report, report.value(result, SH.resultPath), full=graph is None),
                value=_term(graph, report.value(result, SH.value)),
                message=message,
                source_shape=_shape_name(report, shapes, shape, graph is None) if shape is not None else "",
                constraint=_term(None if graph is None else report, component),
            )
            for graph in (data, None)
        )
        rows.append((with_curies, with_iris))
    rank = {name: i for i, name in enumerate(SEVERITIES)}
    rows.sort(
        key=lambda pair: (
            rank.get(pair[0].severity, 9),
            pair[0].focus,
            pair[0].path or "",
            pair[0].source_shape,
            pair[0].message,
            pair[0].value or "",
            pair[1].focus,
            pair[1].value or "",
        )
    )
    return rows


# ---------------------------------------------------------------- formatting


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary(result: ValidationResult) -> str:
    counts = result.counts()
    parts = ", ".join(_plural(counts[s], s.lower()) for s in SEVERITIES)
    line = f"Conforms: {'yes' if result.conforms else 'no'} ({parts})"
    if result.conforms and (counts["Warning"] or counts["Info"]):
        # laokg lets warnings and infos pass; SHACL 3.6.1's sh:conforms is false for any result
        line += "; SHACL sh:conforms: false (it counts warnings and infos too)"
    return line


def format_text(result: ValidationResult) -> str:
    """Readable report: results grouped by severity, then one summary line."""
    lines: list[str] = []
    for severity in SEVERITIES:
        rows = [row for row in result.results if row.severity == severity]
        if not rows:
            continue
        lines.append(f"{_plural(len(rows), severity)}:")
        for row in rows:
            focus = f"{row.focus} ({row.focus_label})" if row.focus_label else row.focus
            lines.append(f"  {focus}")
            lines.append(f"    {row.message}")
            details = []
            if row.path:
                details.append(f"path {row.path}")
            if row.value is not None and row.value != row.focus:
                details.append(f"value {row.value}")
            details.append(f"shape {row.source_shape}")
            lines.append("    " + "; ".join(details))
        lines.append("")
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def format_json(result: ValidationResult) -> str:
    """A JSON list with one object per result, IRIs in full (conformance is the exit status)."""
    return json.dumps([asdict(row) for row in result.iri_results], indent=2, ensure_ascii=False) + "\n"


def format_turtle(result: ValidationResult) -> str:
    """The SHACL validation report graph as Turtle."""
    from laokg.graph.export import serialize

    return serialize(result.report_graph, "turtle").decode("utf-8")


def format_result(result: ValidationResult, fmt: str) -> str:
    if fmt == "text":
        return format_text(result)
    if fmt == "json":
        return format_json(result)
    if fmt == "turtle":
        return format_turtle(result)
    raise ValueError(f"unknown format {fmt!r}")


__all__ = [
    "ResultRow",
    "ValidationResult",
    "validate",
    "run_shacl",
    "label_of",
    "format_text",
    "format_json",
    "format_turtle",
    "format_result",
    "summary",
]
