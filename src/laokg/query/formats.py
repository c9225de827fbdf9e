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

import csv
import io
import json
import re
import unicodedata

from rdflib import BNode, URIRef
from rdflib.namespace import XSD

from laokg.errors import InputError, OutputError
from laokg.labels import curie
from laokg.namespaces import PREFIXES, bind_prefixes
from laokg.query.engines import QueryResult

from laokg.query.names import FORMATS, GRAPH_FORMATS, TABULAR_FORMATS  # noqa: F401 (re-exported)


def default_format(form: str, to_terminal: bool) -> str:
    if form in ("CONSTRUCT", "DESCRIBE"):
        return "turtle"
    if form == "ASK":
        return "table"  # prints true or false
    return "table" if to_terminal else "csv"


def check_format(form: str, fmt: str) -> None:
    if form in ("CONSTRUCT", "DESCRIBE") and fmt not in GRAPH_FORMATS:
        raise InputError(f"--format {fmt} is for SELECT/ASK results; a {form} query gives a graph: use {', '.join(GRAPH_FORMATS)}")
    if form in ("SELECT", "ASK") and fmt not in TABULAR_FORMATS:
        raise InputError(f"--format {fmt} is for graphs; a {form} query gives rows: use {', '.join(TABULAR_FORMATS)}")


# ---------------------------------------------------------------- cells


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return curie(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term).replace("\r\n", "⏎").replace("\n", "⏎").replace("\t", " ")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 0 if unicodedata.combining(ch) else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(result: QueryResult) -> str:
    if result.form == "ASK":
        return ("true" if result.boolean else "false") + "\n"
    header = result.vars
    rows = [[_cell(r.get(v)) for v in header] for r in result.rows]
    widths = [max([_width(h)] + [_width(row[i]) for row in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def to_csv(result: QueryResult) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if result.form == "ASK":
        w.writerow(["boolean"])
        w.writerow(["true" if result.boolean else "false"])
        return buf.getvalue()
    w.writerow(result.vars)
    for r in result.rows:
        w.writerow([_csv_value(r.get(v)) for v in result.vars])
    return buf.getvalue()


_TSV_ESC = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _tsv_term(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    body = '"' + "".join(_TSV_ESC.get(ch, ch) for ch in str(term)) + '"'
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


def term_json(term) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    d = {"type": "literal", "value": str(term)}
    if term.language:
        d["xml:lang"] = term.language
    elif term.datatype and term.datatype != XSD.string:
        d["datatype"] = str(term.datatype)
    return d


def to_json(result: QueryResult) -> str:
    if result.form == "ASK":
        data = {"head": {}, "boolean": bool(result.boolean)}
    else:
        data = {
            "head": {"vars": result.vars},
            "results": {"bindings": [{v: term_json(r[v]) for v in result.vars if v in r} for r in result.rows]},
        }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _jsonld_context(graph) -> dict:
    """The project prefixes the graph uses, as a JSON-LD context (inline: nothing is fetched)."""
    used = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    return {p: str(ns) for p, ns in PREFIXES.items() if any(u.startswith(str(ns)) for u in used)}


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_writable(result: QueryResult) -> None:
    """Refuse a result holding a value no UTF-8 writer can write (a lone surrogate, e.g. from
    ``BIND("\\uD800" AS ?x)``), naming the row and variable; never write a ``?`` instead."""
    if result.graph is not None:
        from laokg.graph.export import check_writable as check_graph

        check_graph(result.graph)
        return
    for number, row in enumerate(result.rows, 1):
        for var, term in row.items():
            found = _SURROGATE.search(str(term)) or (getattr(term, "datatype", None) is not None
                                                     and _SURROGATE.search(str(term.datatype)))
            if found:
                raise OutputError(f"cannot write row {number:,}, ?{var}: the value holds a lone surrogate "
                                  f"U+{ord(found.group()):04X} (not a Unicode character); nothing written")


def render(result: QueryResult, fmt: str) -> str:
    """The text of ``result`` in format ``fmt``."""
    check_format(result.form, fmt)
    check_writable(result)
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        bind_prefixes(result.graph)
        if fmt == "jsonld":
            out = result.graph.serialize(format="json-ld", context=_jsonld_context(result.graph), auto_compact=True)
        else:
            out = result.graph.serialize(format={"turtle": "turtle", "nt": "nt"}[fmt])
        return out if out.endswith("\n") else out + "\n"
    return {"table": table, "csv": to_csv, "tsv": to_tsv, "json": to_json}[fmt](result)
