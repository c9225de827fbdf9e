"""What the parity tests compare: every saved query (with each parameter set of its
``tests/expected/`` file) and every audit rule, rendered as CSV and as TSV (TSV keeps the
datatypes and language tags CSV drops), on one engine.

``python -m tests.parity_support`` prints the whole table as JSON: the hash-seed test runs
it in subprocesses under different ``PYTHONHASHSEED`` values.
"""

from __future__ import annotations

import json
import sys
from functools import cache, lru_cache

from .saved_query_support import QUERIES, bind, cases, catalogue, query_names, real_graph

AUDIT = QUERIES / "audit"


@lru_cache(maxsize=1)
def parity_cases() -> list[tuple[str, str, tuple]]:
    """(label, query text, parameters) for every saved query case and audit rule."""
    out = []
    for name in query_names():
        seen = set()
        for case in cases(name):
            params = tuple(tuple(p) for p in case["params"])
            if params in seen:
                continue
            seen.add(params)
            shown = " ".join(f"{k}={v}" for k, v in params)
            out.append((f"{name} {shown}".strip(), name, params))
    for path in sorted(AUDIT.glob("*.rq")):
        out.append((f"audit/{path.stem.split('-')[0]}", "audit/" + path.name, ()))
    return out


@cache
def text_of(name: str) -> str:
    if name.startswith("audit/"):
        return (QUERIES / name).read_text(encoding="utf-8")
    return catalogue()[name].text


def bindings_of(name: str, params: tuple) -> dict:
    if name.startswith("audit/"):
        return {}
    return bind(name, params)


def rendered(result) -> str:
    """CSV then TSV of a QueryResult: the bytes the parity tests compare."""
    from laokg.query.formats import render

    return render(result, "csv") + "\n" + render(result, "tsv")


def run_all(engine) -> dict[str, str]:
    """label -> rendered answer, for an engine with ``run(text, bindings, source=...)``."""
    return {
        label: rendered(engine.run(text_of(name), bindings_of(name, params), source=name))
        for label, name, params in parity_cases()
    }


def embedded_outputs() -> dict[str, str]:
    from laokg.query.engines import EmbeddedEngine

    return run_all(EmbeddedEngine(real_graph()))


# ---------------------------------------------------------------- pyoxigraph in process


# Written out here, not imported from laokg (query/oxigraph.py's to_rdflib, graph/claims.py's
# apply_to_store): this engine is the parity tests' independent reference, so a fault in
# laokg's own conversion of Oxigraph terms cannot stand on both sides of a comparison and pass.
def _rdflib_term(term):
    import pyoxigraph
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value if term.datatype else None
    if dt and dt != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(term.value, datatype=URIRef(dt))
    return Literal(term.value)


class PyoxigraphEngine:
    """The same merged graph in an in-memory pyoxigraph Store; parameters injected as VALUES."""

    def __init__(self, graph):
        import pyoxigraph

        self.store = pyoxigraph.Store()
        self.store.load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)

    def run(self, text, bindings=None, source="query"):
        from laokg.query.binding import inject_values
        from laokg.query.engines import QueryResult

        if bindings:
            text = inject_values(text, {k: v for k, v in bindings.items() if v})
        solutions = self.store.query(text)
        if isinstance(solutions, bool):
            return QueryResult("ASK", boolean=solutions)
        variables = [v.value for v in solutions.variables]
        rows = []
        for solution in solutions:
            rows.append({v: _rdflib_term(solution[v]) for v in variables if solution[v] is not None})
        return QueryResult("SELECT", vars=variables, rows=rows)


def audit_json() -> str:
    """``laokg audit --format json`` on the real graph, as the command prints it."""
    from click.testing import CliRunner

    from laokg.cli import cli

    from .saved_query_support import ROOT

    result = CliRunner().invoke(cli, ["audit", "--format", "json", "--root", str(ROOT)])
    return result.output


def seed_outputs() -> dict[str, str]:
    """Everything the hash-seed test compares, from one process."""
    out = embedded_outputs()
    out["laokg audit --format json"] = audit_json()
    return out


if __name__ == "__main__":  # pragma: no cover - run by test_parity in subprocesses
    json.dump(seed_outputs(), sys.stdout, ensure_ascii=False, sort_keys=True)
