"""The saved queries are plain, portable SPARQL 1.1: Oxigraph gives the same answers as rdflib.

Every query is run, for every parameter set of its expected-row file (tests/expected/), on

* the embedded engine (rdflib; one value per parameter through ``initBindings``, several
  through a ``VALUES`` block), and
* pyoxigraph (an in-memory ``Store`` loaded with the same merged graph as N-Triples, the
  parameters injected with :func:`laokg.query.binding.inject_values`, as for a remote endpoint),

and both must return the same multiset of rows. For one representative parameter set per
query, rdflib also runs the very text sent to Oxigraph (parameters injected as ``VALUES``),
so that a difference can be told apart: binding mechanism, or engine semantics. Terms are compared as N-Triples
strings (language tags case-folded, as BCP 47 tags are case-insensitive); numeric literals
by value, so ``"45"^^xsd:integer`` equals ``"45.0"^^xsd:decimal``, and ``xsd:duration``
literals by value (the graph itself only holds literals Oxigraph returns unchanged:
:func:`test_every_literal_survives_oxigraph`; byte-identical answers are tested in
test_parity.py). The parts of a
``GROUP_CONCAT`` column are compared as a multiset, since SPARQL leaves their order undefined.
Where a query has ``ORDER BY``, the engines must also agree on the order (up to ties).
Every query file, and every text with injected parameters, must parse with Oxigraph's parser.
"""

import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

import pytest
from rdflib import BNode, Literal, URIRef

from .saved_query_support import (
    NUMERIC,
    QUERIES,
    bind,
    cases,
    catalogue,
    embedded_engine,
    query_names,
    real_graph,
)
from .saved_query_support import (
    run_embedded as cached_run,
)

pyoxigraph = pytest.importorskip("pyoxigraph")

NUMERIC_IRIS = {str(dt) for dt in NUMERIC}
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_DURATION = XSD + "duration"
_DURATION = re.compile(r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def duration_value(lexical: str):
    """An xsd:duration as (months, seconds), the value space both engines agree on; None if malformed."""
    m = _DURATION.fullmatch(lexical)
    if not m or lexical in ("P", "-P") or lexical.endswith("T"):
        return None
    sign = -1 if m.group(1) else 1
    y, mo, d, h, mi = (int(g or 0) for g in m.groups()[1:6])
    s = Decimal(m.group(7) or 0)
    return (sign * (12 * y + mo), sign * (((d * 24 + h) * 60 + mi) * 60 + s))


@lru_cache(maxsize=1)
def oxigraph_store():
    """An in-memory Oxigraph store holding the same merged graph (ontology + vocab + graph)."""
    store = pyoxigraph.Store()
    data = real_graph().serialize(format="nt", encoding="utf-8")
    store.load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _literal(lexical: str, datatype: str | None, lang: str | None, separator: str | None):
    if datatype in NUMERIC_IRIS:
        try:
            return ("num", Decimal(lexical))
        except InvalidOperation:
            pass
    if datatype == XSD_DURATION and duration_value(lexical) is not None:
        return ("duration", duration_value(lexical))
    if separator is not None and not lang and datatype in (None, XSD_STRING):
        return ("list", tuple(sorted(lexical.split(separator))))
    nt = '"' + _escape(lexical) + '"'
    if lang:
        nt += "@" + lang.lower()
    elif datatype and datatype != XSD_STRING:
        nt += f"^^<{datatype}>"
    return ("term", nt)


def from_rdflib(term, separator=None):
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("term", f"<{term}>")
    if isinstance(term, BNode):
        return ("term", "_:b")
    if isinstance(term, Literal):
        return _literal(str(term), str(term.datatype) if term.datatype else None, term.language, separator)
    raise TypeError(term)


def from_oxigraph(term, separator=None):
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return ("term", f"<{term.value}>")
    if isinstance(term, pyoxigraph.BlankNode):
        return ("term", "_:b")
    if isinstance(term, pyoxigraph.Literal):
        return _literal(term.value, term.datatype.value if term.datatype else None, term.language, separator)
    raise TypeError(term)


def run_embedded(name, params):
    result = cached_run(name, params)
    return result.vars, [[r.get(v) for v in result.vars] for r in result.rows]


def run_embedded_injected(name, params):
    """rdflib on exactly the text Oxigraph gets (VALUES blocks instead of initBindings)."""
    result = embedded_engine().run(injected(name, params), source=name)
    return result.vars, [[r.get(v) for v in result.vars] for r in result.rows]


@cache
def _injected(name: str, params: tuple) -> str:
    from laokg.query.binding import inject_values

    return inject_values(catalogue()[name].text, bind(name, params))


def injected(name, params) -> str:
    """The query text with the case's parameters injected as VALUES blocks (what a remote endpoint gets)."""
    return _injected(name, tuple(tuple(p) for p in params))


def run_oxigraph(name, params):
    solutions = oxigraph_store().query(injected(name, params))
    variables = [v.value for v in solutions.variables]
    return variables, [[solution[v] for v in variables] for solution in solutions]


def _norm(vars_, rows, convert, case):
    seps = case["unordered_lists"]
    return [tuple(convert(value, seps.get(var)) for var, value in zip(vars_, row, strict=True)) for row in rows]


def _show_diff(a: Counter, b: Counter, name_a: str, name_b: str) -> str:
    lines = [f"  only in {name_a}: {row}" for row in (a - b)]
    lines += [f"  only in {name_b}: {row}" for row in (b - a)]
    return "\n".join(lines)


def _params():
    out = []
    for name in query_names():
        representative = next((i for i, c in enumerate(cases(name)) if c["params"]), None)
        for i, case in enumerate(cases(name)):
            out.append(pytest.param(name, case, i == representative, id=f"{name}-{i}"))
    return out


@pytest.mark.parametrize("name", query_names())
def test_query_file_parses_with_oxigraph(name):
    """No rdflib-only syntax: Oxigraph's parser accepts the file as it is (decorators are comments)."""
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    try:
        list(pyoxigraph.Store().query(text))
    except SyntaxError as exc:  # pragma: no cover - the failure message is the point
        pytest.fail(f"{name}.rq does not parse with Oxigraph: {exc}")


@pytest.mark.parametrize("name, case, representative", _params())
def test_same_rows_on_rdflib_and_oxigraph(name, case, representative):
    ox_vars, ox_rows = run_oxigraph(name, case["params"])
    ox = _norm(ox_vars, ox_rows, from_oxigraph, case)
    runs = {"rdflib": run_embedded(name, case["params"])}
    if representative:
        runs["rdflib on the injected text"] = run_embedded_injected(name, case["params"])
    for label, (vars_, raw) in runs.items():
        rows = _norm(vars_, raw, from_rdflib, case)
        assert vars_ == ox_vars, f"{name}: {label} projects {vars_}, oxigraph {ox_vars}"
        got, want = Counter(rows), Counter(ox)
        assert got == want, f"{name}: {label} and oxigraph differ:\n{_show_diff(got, want, label, 'oxigraph')}"
        if case["order_by"]:
            idx = [ox_vars.index(c) for c in case["order_by"]]
            keys = [tuple(r[i] for i in idx) for r in rows]
            ox_keys = [tuple(r[i] for i in idx) for r in ox]
            assert keys == ox_keys, f"{name}: {label} and oxigraph order the rows differently"


def test_every_literal_survives_oxigraph():
    """Oxigraph keeps literals by value and writes them back in canonical form
    (``xsd:positiveInteger`` becomes ``xsd:integer``, ``"P24M"`` becomes ``"P2Y"``, ``"1.50"``
    becomes ``"1.5"``). The graph therefore uses only datatypes and lexical forms that come back
    unchanged, so a store answers with the very terms the embedded engine gives."""
    from rdflib import Graph
    from rdflib.compare import to_isomorphic

    graph = real_graph()
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    back = Graph()
    back.parse(
        data=store.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.DefaultGraph()).decode("utf-8"),
        format="nt",
    )
    changed = sorted(
        {o.n3() for _, _, o in graph if isinstance(o, Literal)} - {o.n3() for _, _, o in back if isinstance(o, Literal)}
    )
    assert not changed, "literals Oxigraph rewrites: " + ", ".join(changed[:10])
    assert to_isomorphic(graph) == to_isomorphic(back)
