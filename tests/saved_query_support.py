"""Shared helpers for the saved-query tests: the real graph (loaded once per process), the
saved-query catalogue, the expected-row files in ``tests/expected/`` and the row comparison.

Expected-row files (one per saved query, ``tests/expected/<query>.json``)::

    {
      "query": "instruments",
      "columns": ["instrument", "type", ...],        # the query's SELECT variables, in order
      "order_by": ["date", "title"],                 # projected columns the ORDER BY sorts on
      "unordered_lists": {"issuedBy": "; "},         # GROUP_CONCAT columns: order inside is undefined
      "cases": [
        {"name": "...", "params": [["type", "doctype:decree"], ...],   # as `-p type=doctype:decree`
         "sources": ["000:102 <the source line the rows come from>", ...],
         "discrepancy": "...",                       # optional: the output differs from the sources
         "rows": [["kg:decree-245-2020", "doctype:decree", ..., null], ...]}
      ]
    }

Values in ``rows``: IRIs as CURIEs (``kg:mlsw``, :func:`laokg.labels.curie`), literals by their
lexical form (``"2016/2025"``, ``"2024-11-12"``) or, for numbers and booleans, as JSON numbers
and booleans compared by value (``287.19`` decimal, ``285819`` integer); ``null`` = unbound.
A case with a ``discrepancy`` records what the sources imply and is expected to fail until the
graph or query is fixed (strict xfail: it fails loudly once it passes).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
EXPECTED = Path(__file__).resolve().parent / "expected"

NUMERIC = {
    XSD.integer,
    XSD.decimal,
    XSD.double,
    XSD.float,
    XSD.int,
    XSD.long,
    XSD.short,
    XSD.byte,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.negativeInteger,
    XSD.nonPositiveInteger,
    XSD.unsignedInt,
    XSD.unsignedLong,
    XSD.unsignedShort,
    XSD.unsignedByte,
}


# ---------------------------------------------------------------- the graph, once per process


@lru_cache(maxsize=1)
def real_graph():
    """ontology + vocab + graph, merged as the embedded engine sees them (do not modify)."""
    from laokg.graph.load import load_data_graph

    return load_data_graph(ROOT)


@lru_cache(maxsize=1)
def embedded_engine():
    from laokg.query.engines import EmbeddedEngine

    return EmbeddedEngine(real_graph())


@lru_cache(maxsize=1)
def label_index():
    from laokg.labels import LabelIndex

    return LabelIndex(real_graph())


def resolver(text: str):
    """Label -> candidate IRIs, as `laokg query run` resolves a label given for an IRI."""
    index = label_index()
    return [(iri, index.label(iri) or "") for iri in index.exact(text)]


@lru_cache(maxsize=1)
def catalogue():
    from laokg.query.catalogue import load_catalogue

    return {sq.name: sq for sq in load_catalogue(QUERIES)}


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES.glob("*.rq"))


# ---------------------------------------------------------------- expected rows


@cache
def expected(name: str) -> dict:
    with open(EXPECTED / f"{name}.json", encoding="utf-8") as f:
        return json.load(f, parse_float=Decimal)


def cases(name: str) -> list[dict]:
    """The cases of a query's expected file, with the file's defaults filled in."""
    data = expected(name)
    out = []
    for case in data["cases"]:
        case = dict(case)
        case.setdefault("columns", data["columns"])
        case.setdefault("order_by", data.get("order_by", []))
        case.setdefault("unordered_lists", data.get("unordered_lists", {}))
        case.setdefault("params", [])
        out.append(case)
    return out


def bind(name: str, params) -> dict:
    """Validate and type a case's parameters as the CLI does (labels resolved on the real graph)."""
    from laokg.query.binding import bind_parameters

    return bind_parameters(catalogue()[name], [tuple(p) for p in params], resolver)


@cache
def _run_embedded(name: str, params: tuple, use_values):
    return embedded_engine().run(catalogue()[name].text, bind(name, params), source=name, use_values=use_values)


def run_embedded(name: str, params, use_values=None):
    """The embedded engine's QueryResult for a query and its ``[(name, value), ...]`` parameters.

    Cached per process (both test modules run the same cases; do not modify the result).
    ``use_values=True`` forces VALUES injection instead of rdflib ``initBindings``.
    """
    return _run_embedded(name, tuple(tuple(p) for p in params), use_values)


# ---------------------------------------------------------------- comparing rows


_CURIE_PREFIXES = None


def _is_curie(text: str) -> bool:
    global _CURIE_PREFIXES
    if _CURIE_PREFIXES is None:
        from laokg.namespaces import PREFIXES

        _CURIE_PREFIXES = set(PREFIXES)
    m = re.fullmatch(r"([A-Za-z][A-Za-z0-9_\-]*):(\S*)", text)
    return bool(m and m.group(1) in _CURIE_PREFIXES) or (text.startswith("<") and text.endswith(">"))


def _number(value) -> Decimal:
    return Decimal(str(value))


def canon_term(term, separator: str | None = None):
    """An rdflib term (or None) -> a comparable value: ("iri", curie), ("num", Decimal),
    ("bool", b), ("str", lexical) or, for a GROUP_CONCAT column, ("list", sorted parts)."""
    from laokg.labels import curie

    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("iri", curie(term))
    if isinstance(term, BNode):
        return ("bnode", "_:")
    if isinstance(term, Literal):
        if term.datatype in NUMERIC:
            try:
                return ("num", _number(term))
            except InvalidOperation:
                return ("str", str(term))
        if term.datatype == XSD.boolean:
            return ("bool", str(term).strip().lower() in ("true", "1"))
        if separator is not None:
            return ("list", tuple(sorted(str(term).split(separator))))
        return ("str", str(term))
    raise TypeError(f"unexpected term {term!r}")


def canon_expected(value, separator: str | None = None):
    """A JSON value of an expected row -> the same comparable form as :func:`canon_term`."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, Decimal, float)):
        return ("num", _number(value))
    if isinstance(value, str):
        if separator is not None:
            return ("list", tuple(sorted(value.split(separator))))
        return ("iri", value) if _is_curie(value) else ("str", value)
    raise TypeError(f"unexpected expected value {value!r}")


def show(value) -> str:
    if value is None:
        return "null"
    kind, v = value
    if kind == "list":
        return "[" + " | ".join(v) + "]"
    if kind == "str":
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def show_row(row) -> str:
    return "(" + ", ".join(show(v) for v in row) + ")"


def actual_rows(result, case) -> list[tuple]:
    seps = case["unordered_lists"]
    return [tuple(canon_term(r.get(c), seps.get(c)) for c in case["columns"]) for r in result.rows]


def expected_rows(case) -> list[tuple]:
    seps = case["unordered_lists"]
    cols = case["columns"]
    rows = []
    for row in case["rows"]:
        assert len(row) == len(cols), f"expected row has {len(row)} values for {len(cols)} columns: {row}"
        rows.append(tuple(canon_expected(v, seps.get(c)) for c, v in zip(cols, row, strict=True)))
    return rows


def diff_rows(got: list[tuple], want: list[tuple]) -> str:
    """A readable multiset difference ('' when equal)."""
    g, w = Counter(got), Counter(want)
    if g == w:
        return ""
    lines = []
    for row, n in (w - g).items():
        lines.append(f"  missing    {f'{n}x ' if n > 1 else ''}{show_row(row)}")
    for row, n in (g - w).items():
        lines.append(f"  unexpected {f'{n}x ' if n > 1 else ''}{show_row(row)}")
    return "\n".join(lines)


def order_keys(rows: list[tuple], columns: list[str], order_by: list[str]) -> list[tuple]:
    idx = [columns.index(c) for c in order_by]
    return [tuple(row[i] for i in idx) for row in rows]


def check_rows(got: list[tuple], case: dict) -> None:
    """Assert ``got`` are exactly the case's rows, in ORDER BY order (ties in any order)."""
    want = expected_rows(case)
    diff = diff_rows(got, want)
    assert not diff, f"rows differ ({len(got)} returned, {len(want)} expected):\n{diff}"
    if case["order_by"]:
        got_keys = order_keys(got, case["columns"], case["order_by"])
        want_keys = order_keys(want, case["columns"], case["order_by"])
        assert got_keys == want_keys, (
            "rows are right but their order is not (ORDER BY "
            + ", ".join(case["order_by"])
            + "):\n"
            + "\n".join(
                f"  got {show_row(a)}   want {show_row(b)}" for a, b in zip(got_keys, want_keys, strict=False) if a != b
            )
        )
