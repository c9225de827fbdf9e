"""Write query results: a table for people, CSV/TSV/JSON for programs, RDF for graphs.

SELECT   table (default on a terminal), csv (default otherwise), tsv, json
ASK      ``true``/``false`` (default, any destination); csv/tsv with a header line;
         json is SPARQL results JSON ``{"boolean": ...}``; the exit code is 0 for true, 1 for false
CONSTRUCT / DESCRIBE   turtle (default), nt, jsonld

* table: aligned columns, IRIs shortened to CURIEs with the project prefixes, literals as
  their text (newlines shown as ``⏎``), unbound cells empty;
* csv: SPARQL 1.1 Query Results CSV (RFC 4180, IRIs in full, literals as their lexical form);
* tsv: SPARQL 1.1 Query Results TSV (terms in N-Triples/Turtle syntax, types kept);
* json: SPARQL 1.1 Query Results JSON.

:func:`write_output` writes to stdout, or to a file atomically (temporary file in the same
directory, then renamed over the target), so a failed run never leaves half a file.
"""

from __future__ import annotations

import functools
import json
import re
import shutil

from laokg.errors import InputError, OutputError, escape_control
from laokg.graph.checks import LONE_SURROGATE
from laokg.prefixes import XSD, XSD_STRING
from laokg.query.interface import QueryResult

# rdflib (its terms), the labels and the namespaces are imported by the functions that write
# rdflib terms: the Oxigraph engine's own text (write_solutions) is written without them
from laokg.query.names import FORMATS, GRAPH_FORMATS, TABULAR_FORMATS  # noqa: F401 (re-exported)


def default_format(form: str, to_terminal: bool) -> str:
    if form in ("CONSTRUCT", "DESCRIBE"):
        return "turtle"
    if form == "ASK":
        return "table"  # prints true or false
    return "table" if to_terminal else "csv"


def check_format(form: str, fmt: str) -> None:
    if form in ("CONSTRUCT", "DESCRIBE") and fmt not in GRAPH_FORMATS:
        raise InputError(
            f"--format {fmt} is for SELECT/ASK results; a {form} query gives a graph: use {', '.join(GRAPH_FORMATS)}"
        )
    if form in ("SELECT", "ASK") and fmt not in TABULAR_FORMATS:
        raise InputError(f"--format {fmt} is for graphs; a {form} query gives rows: use {', '.join(TABULAR_FORMATS)}")


# ---------------------------------------------------------------- cells


def _cell(term) -> str:
    """A table cell: one line, every control character (an OSC or CSI sequence in a literal,
    a carriage return) shown as an escape (:func:`laokg.errors.escape_control`)."""
    from rdflib import BNode, URIRef

    from laokg.labels import curie

    if term is None:
        return ""
    if isinstance(term, URIRef):
        return escape_control(curie(term))
    if isinstance(term, BNode):
        return escape_control(f"_:{term}")
    return escape_control(str(term).replace("\r\n", "⏎").replace("\n", "⏎").replace("\t", " "))


#: the numeric XSD datatypes: their cells are right-aligned in a table (here and in the
#: notebook HTML of :mod:`laokg.query.html`)
NUMERIC_DATATYPES = frozenset(
    "http://www.w3.org/2001/XMLSchema#" + t
    for t in (
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
)
MIN_COLUMN = 16  # a text column narrower than this (or its own width) reads badly: records instead
MAX_WORD = 30  # a longer word may be broken


def _numeric(column: list) -> bool:
    from rdflib import Literal

    cells = [t for t in column if t is not None]
    return bool(cells) and all(isinstance(t, Literal) and str(t.datatype) in NUMERIC_DATATYPES for t in cells)


def _fit(widths: list[int], floors: list[int], budget: int, least: list[int]) -> list[int]:
    """Column widths that fit ``budget``: each column keeps at least its floor (its longest
    word, so names and CURIEs do not break) when the floors fit, else at least ``least``; the
    widest columns are cut back to one common cap, the largest that fits."""
    if sum(widths) <= budget:
        return widths
    floors = [min(w, f) for w, f in zip(widths, floors, strict=True)]
    if sum(floors) > budget:  # cut the widest floors back, the first column (the key) last
        rest = _capped(floors[1:], least[1:], budget - floors[0])
        floors = [floors[0], *rest] if sum(rest) + floors[0] <= budget else _capped(floors, least, budget)
    return _capped(widths, floors, budget)


def _capped(widths: list[int], floors: list[int], budget: int) -> list[int]:
    """``widths`` with the widest cut back to the largest common cap that fits ``budget``
    (never below ``floors``)."""
    cap = max(widths, default=0)
    while cap > 1 and sum(max(f, min(w, cap)) for w, f in zip(widths, floors, strict=True)) > budget:
        cap -= 1
    return [max(f, min(w, cap)) for w, f in zip(widths, floors, strict=True)]


def _prettytable(header: list[str], rows: list[list[str]], widths: list[int], right: list[bool], show_header=True):
    from prettytable import HRuleStyle, PrettyTable, VRuleStyle

    t = PrettyTable(header)
    t.border, t.vrules = True, VRuleStyle.NONE
    t.hrules = HRuleStyle.HEADER if show_header else HRuleStyle.NONE
    t.header = show_header
    t.horizontal_char = t.junction_char = "-"
    t.left_padding_width, t.right_padding_width = 0, 1
    for row in rows:
        t.add_row(row)
    for name, w, r in zip(header, widths, right, strict=True):
        t.align[name] = "r" if r else "l"
        t.max_width[name] = w
        if not show_header:
            t.min_width[name] = w if name == "field" else 0
    # drop the blank left border (vertical rules are off) and trailing spaces
    return [line[1:].rstrip() for line in t.get_string().split("\n")]


def table(result: QueryResult, width: int | None = None) -> str:
    """An aligned table (prettytable) no wider than ``width`` columns (default: the terminal's):
    long cells wrap within their column, numbers are right-aligned, wide characters count
    double. When the columns cannot fit side by side even so, each row is shown as a record
    (one ``name  value`` line per bound variable, like psql's expanded display). CSV/TSV/JSON
    keep the full values."""
    from rdflib import URIRef

    if result.form == "ASK":
        return ("true" if result.boolean else "false") + "\n"
    from wcwidth import wcswidth

    if width is None:
        width = shutil.get_terminal_size((80, 24)).columns
    header = result.vars
    terms = [[r.get(v) for v in header] for r in result.rows]
    cells = [[_cell(t) for t in row] for row in terms]
    right = [_numeric([row[i] for row in terms]) for i in range(len(header))]
    titles = [wcswidth(h) for h in header]
    natural = [max([titles[i]] + [wcswidth(row[i]) for row in cells]) for i in range(len(header))]
    words = [max([titles[i]] + [wcswidth(w) for row in cells for w in row[i].split()]) for i in range(len(header))]
    budget = width - 2 * (len(header) - 1)  # columns are two spaces apart
    # IRIs never break; another word may, but keeps three quarters of its width: if even that
    # does not fit, the rows become records
    iris = (
        [all(isinstance(t, URIRef) for t in col if t is not None) and any(col) for col in zip(*terms, strict=True)]
        if terms
        else [False] * len(header)
    )
    least = [
        natural[i] if iris[i] else max(titles[i], min(natural[i], MIN_COLUMN), min(words[i], MAX_WORD) * 3 // 4)
        for i in range(len(header))
    ]
    if sum(least) > budget:
        return _records(header, cells, right, width)
    fitted = _fit(
        natural,
        [n if iri else max(t, min(w, MAX_WORD)) for n, iri, t, w in zip(natural, iris, titles, words, strict=True)],
        budget,
        least,
    )
    lines = _prettytable(header, cells, fitted, right)
    # the header rule runs as far as the widest line, not into the trailing padding
    lines[1] = lines[1][: max(wcswidth(line) for line in lines[:1] + lines[2:])]
    return "\n".join(lines) + "\n"


def _records(header: list[str], cells: list[list[str]], right: list[bool], width: int) -> str:
    """Each row as a block: a ``-[ n ]---`` rule, then ``name  value`` for each bound variable."""
    from wcwidth import wcswidth

    label = max(wcswidth(h) for h in header)
    value = max(width - label - 2, MIN_COLUMN)
    out = []
    for n, row in enumerate(cells, 1):
        rule = f"-[ {n} ]"
        out.append(rule + "-" * max(width - len(rule), 0))
        pairs = [[h, c] for h, c in zip(header, row, strict=True) if c]
        if pairs:
            out += _prettytable(["field", "value"], pairs, [label, value], [False, False], show_header=False)
    return "\n".join(out) + "\n"


def _simple(term):
    """``"x"^^xsd:string`` is the same RDF 1.1 term as ``"x"``: write it without the datatype."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _csv_cell(term) -> str:
    from rdflib import BNode

    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV (IRIs and literals as their text, blank nodes as
    ``_:label``, CRLF line ends), written with Python's ``csv`` module exactly as rdflib's CSV
    result serializer writes it (tests/test_formats.py compares the bytes). Not through
    rdflib's serializer itself: that module loads rdflib's whole SPARQL engine and its
    pyparsing grammar, which a query on the Oxigraph store never needs (docs/performance.md)."""
    import csv
    import io

    if result.form == "ASK":  # the CSV spec covers SELECT only; a one-column table reads well
        return "boolean\r\n" + ("true" if result.boolean else "false") + "\r\n"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=",")
    writer.writerow(result.vars)
    writer.writerows([_csv_cell(row.get(v)) for v in result.vars] for row in result.rows)
    return out.getvalue()


_TSV_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_TSV_TABLE = str.maketrans(_TSV_ESC)  # the same replacements, done by str.translate


# _csv_cell, _tsv_term and _json_term write rdflib terms; _ox_writers writes pyoxigraph terms the same way
def _tsv_term(term) -> str:
    from rdflib import BNode, URIRef
    from rdflib.namespace import XSD

    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    body = '"' + str(term).translate(_TSV_TABLE) + '"'
    if term.language:
        return f"{body}@{term.language}"
    if term.datatype and term.datatype != XSD.string:
        return f"{body}^^<{term.datatype}>"
    return body


def to_tsv(result: QueryResult) -> str:
    if result.form == "ASK":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join("?" + v for v in result.vars)]
    lines += ["\t".join(_tsv_term(r.get(v)) for v in result.vars) for r in result.rows]
    return "\n".join(lines) + "\n"


#: the formats whose SELECT results laokg writes as the rows come (:func:`stream_lines`)
STREAMED_FORMATS = ("csv", "tsv")


def stream_lines(fmt: str, vars_: list[str], batches):
    """The csv or tsv text of a SELECT result whose rows arrive in ``batches`` (lists of
    rows), chunk by chunk: the header first, then one chunk per batch. Each chunk is written
    by the same writer as the collected output (:func:`to_csv`, :func:`to_tsv`) minus its
    header line, so the bytes are identical. A value that cannot be written (a lone
    surrogate) stops it with OutputError naming the row."""
    if fmt not in STREAMED_FORMATS:
        raise InputError(f"--format {fmt} cannot be streamed")
    write = {"csv": to_csv, "tsv": to_tsv}[fmt]
    ending = "\r\n" if fmt == "csv" else "\n"
    batches = iter(batches)
    first: list[dict] = next(batches, [])  # checked before anything is written
    check_writable(QueryResult("SELECT", vars=vars_, rows=first))
    text = write(QueryResult("SELECT", vars=list(vars_), rows=first))
    yield text
    number = len(first)
    for rows in batches:
        check_writable(
            QueryResult("SELECT", vars=vars_, rows=rows),
            first=number + 1,
            written=f"the output stops after row {number:,}",
        )
        number += len(rows)
        text = write(QueryResult("SELECT", vars=list(vars_), rows=rows))
        yield text[text.index(ending) + len(ending) :]


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON, laid out with an indent for people: the keys and values
    rdflib's JSON result serializer writes (tests/test_formats.py compares them), written with
    ``json`` (rdflib's serializer would load its SPARQL engine and pyparsing grammar)."""
    if result.form == "ASK":
        data = {"head": {}, "boolean": bool(result.boolean)}
    else:
        bindings = [{k: _json_term(_simple(t)) for k, t in row.items() if t is not None} for row in result.rows]
        data = {"head": {"vars": list(result.vars)}, "results": {"bindings": bindings}}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _json_term(term) -> dict:
    """One RDF term as SPARQL 1.1 Query Results JSON (the keys in rdflib's order)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.datatype is not None:
            out["datatype"] = str(term.datatype)
        if term.language is not None:
            out["xml:lang"] = term.language
        return out
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    raise OutputError(f"cannot write {term!r} as a SPARQL JSON term")


def _jsonld_context(graph) -> dict:
    """The project prefixes the graph uses, as a JSON-LD context (inline: nothing is fetched)."""
    from rdflib import URIRef

    from laokg.namespaces import PREFIXES

    used = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    return {p: str(ns) for p, ns in PREFIXES.items() if any(u.startswith(str(ns)) for u in used)}


def check_writable(result: QueryResult, first: int = 1, written: str = "nothing written") -> None:
    """Refuse a result holding a value no UTF-8 writer can write (a lone surrogate, e.g. from
    ``BIND("\\uD800" AS ?x)``), naming the row and variable; never write a ``?`` instead."""
    if result.graph is not None:
        from laokg.graph.export import check_writable as check_graph

        check_graph(result.graph)
        return
    for number, row in enumerate(result.rows, first):
        for var, term in row.items():
            found = LONE_SURROGATE.search(str(term)) or (
                getattr(term, "datatype", None) is not None and LONE_SURROGATE.search(str(term.datatype))
            )
            if found:
                raise OutputError(
                    f"cannot write row {number:,}, ?{var}: the value holds a lone surrogate "
                    f"U+{ord(found.group()):04X} (not a Unicode character); {written}"
                )


def render(result: QueryResult, fmt: str, width: int | None = None) -> str:
    """The text of ``result`` in format ``fmt`` (a table no wider than ``width``)."""
    check_format(result.form, fmt)
    if result.text is not None:  # written by the engine (write_solutions), checked there
        if result.text_format != fmt:
            raise OutputError(f"the result was written as {result.text_format}, not {fmt}")
        return result.text
    check_writable(result)
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        from rdflib import Graph

        from laokg.graph.export import serialize  # canonical: the same triples give the same bytes
        from laokg.namespaces import bind_prefixes

        graph = result.graph if result.graph is not None else Graph()  # no graph: no triples
        bind_prefixes(graph)
        out = serialize(graph, fmt).decode("utf-8")
        return out if out.endswith("\n") else out + "\n"
    if fmt == "table":
        return table(result, width)
    return {"csv": to_csv, "tsv": to_tsv, "json": to_json}[fmt](result)


# ---------------------------------------------------------------- straight from Oxigraph's terms
#
# The Oxigraph engine writes a SELECT result's csv/tsv/json text from pyoxigraph's own terms
# (in its worker), not from rdflib terms made for each cell: the same bytes as the writers
# above give for the rdflib terms :func:`laokg.query.oxigraph.to_rdflib` makes of them
# (tests/test_formats.py compares the two on every kind of term). IRIs, blank nodes, plain and
# language-tagged strings are written directly; a literal of any other datatype goes through
# rdflib's Literal (once per distinct literal), because rdflib normalises some lexical forms
# ("01"^^xsd:integer is written "1") and the bytes must stay those of the rdflib path.

WRITTEN_FORMATS = ("csv", "tsv", "json")
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _ox_kinds():
    import pyoxigraph

    return pyoxigraph.NamedNode, pyoxigraph.BlankNode


@functools.lru_cache(maxsize=1 << 16)
def _typed(value: str, datatype: str):
    """The rdflib literal ``to_rdflib`` makes of a typed pyoxigraph literal."""
    from rdflib import Literal, URIRef

    return Literal(value, datatype=URIRef(datatype))


#: typed literals whose lexical form rdflib keeps exactly as written, by datatype: the
#: canonical forms Oxigraph writes. A literal that matches is written as it comes, without
#: making an rdflib Literal (and without importing rdflib); any other goes through
#: :func:`_typed` (tests/test_formats.py compares both on every pattern and its edges).
#: Not graph/writers.py's ``_BARE``, though alike in shape: that table says which literals Turtle
#: may write as bare tokens; this one which lexical forms rdflib keeps unchanged.
_KEPT = {
    XSD + "integer": re.compile(r"0|-?[1-9][0-9]{0,17}"),
    XSD + "decimal": re.compile(r"-?(0|[1-9][0-9]{0,17})\.[0-9]{1,17}"),
    XSD + "date": re.compile(r"[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"),
    XSD + "gYear": re.compile(r"[1-9][0-9]{3}"),
    XSD + "gYearMonth": re.compile(r"[1-9][0-9]{3}-(0[1-9]|1[0-2])"),
    XSD + "boolean": re.compile(r"true|false"),
    # a positive duration in years, months (under 12) and days, no part zero, no time part:
    # Oxigraph's canonical form, which rdflib writes back unchanged (it rewrites "P24M", "PT0S",
    # "PT36H", and refuses a negative duration with years and days)
    XSD + "duration": re.compile(r"P(?=[1-9])([1-9][0-9]{0,5}Y)?([1-9]M|1[01]M)?([1-9][0-9]{0,5}D)?"),
}


def _kept(value: str, datatype: str) -> bool:
    """Whether rdflib writes the typed literal ``value``^^``datatype`` exactly as ``value``."""
    pattern = _KEPT.get(datatype)
    return pattern is not None and pattern.fullmatch(value) is not None


def _ox_writers():
    """(csv cell, tsv term, json term) functions of one pyoxigraph term (or None)."""
    # the same cases as _csv_cell, _tsv_term and _json_term, kept apart on purpose: these read
    # pyoxigraph terms without making rdflib ones (nor importing rdflib), and hand only the
    # literals whose text rdflib would change to those writers (tests/test_formats.py compares them)
    named, blank = _ox_kinds()

    def csv_cell(term) -> str:
        if term is None:
            return ""
        if isinstance(term, blank):
            return f"_:{term.value}"
        if isinstance(term, named):
            return term.value
        datatype = term.datatype.value
        if datatype in (XSD_STRING, _LANG_STRING) or _kept(term.value, datatype):
            return term.value
        return _csv_cell(_typed(term.value, datatype))

    def tsv_term(term) -> str:
        if term is None:
            return ""
        if isinstance(term, named):
            return f"<{term.value}>"
        if isinstance(term, blank):
            return f"_:{term.value}"
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return '"' + term.value.translate(_TSV_TABLE) + '"'
        if datatype == _LANG_STRING:
            return '"' + term.value.translate(_TSV_TABLE) + '"@' + term.language
        if _kept(term.value, datatype):
            return f'"{term.value}"^^<{datatype}>'
        return _tsv_term(_typed(term.value, datatype))

    def json_term(term) -> dict:
        if isinstance(term, named):
            return {"type": "uri", "value": term.value}
        if isinstance(term, blank):
            return {"type": "bnode", "value": term.value}
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return {"type": "literal", "value": term.value}
        if datatype == _LANG_STRING:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        if _kept(term.value, datatype):
            return {"type": "literal", "value": term.value, "datatype": datatype}
        return _json_term(_typed(term.value, datatype))

    return csv_cell, tsv_term, json_term


def write_solutions(fmt: str, vars_: list[str], rows: list[tuple], *, header: bool = True) -> str:
    """The ``fmt`` (csv, tsv or json) text of a SELECT result whose ``rows`` are tuples of
    pyoxigraph terms (None where unbound) in ``vars_`` order: the bytes :func:`render` gives
    for the same result in rdflib terms. Without ``header`` (csv/tsv), only the rows' lines:
    what :func:`stream_lines` writes for a later batch. No :func:`check_writable` here: a
    pyoxigraph term cannot hold a lone surrogate (its strings are Rust strings, valid UTF-8;
    pyoxigraph refuses one in a term and Oxigraph's parser in a query; tests/test_formats.py)."""
    csv_cell, tsv_term, json_term = _ox_writers()
    if fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, delimiter=",")
        if header:
            writer.writerow(vars_)
        writer.writerows([csv_cell(t) for t in row] for row in rows)
        text = out.getvalue()
    elif fmt == "tsv":
        lines = ["\t".join("?" + v for v in vars_)] if header else []
        lines += ["\t".join([tsv_term(t) for t in row]) for row in rows]
        text = "\n".join(lines) + "\n" if lines else ""
    elif fmt == "json":
        bindings = [{v: json_term(t) for v, t in zip(vars_, row, strict=True) if t is not None} for row in rows]
        text = (
            json.dumps({"head": {"vars": list(vars_)}, "results": {"bindings": bindings}}, ensure_ascii=False, indent=2)
            + "\n"
        )
    else:
        raise InputError(f"--format {fmt}: not written from Oxigraph's terms")
    return text
