"""What every query engine is: the :class:`Engine` protocol, the :class:`QueryResult` it
returns, and the preamble every engine runs before evaluating (:func:`prepare_query`: check the
query, drop empty bindings, put the parameters in ``VALUES`` blocks).

The embedded rdflib engine (:class:`laokg.query.engines.EmbeddedEngine`), the Oxigraph engine
(:class:`laokg.query.oxigraph.OxigraphEngine`) and a SPARQL endpoint
(:class:`laokg.query.remote.RemoteEngine`) implement it; the API (:mod:`laokg`) reads what an
engine can do from its attributes, set in its ``__init__``.

This module imports no RDF library: it is on the path of a saved query run on the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from rdflib import Graph

    from laokg.query.budget import Budget
    from laokg.query.safety import ParsedQuery


@dataclass
class QueryResult:
    """What a query answered: rows for SELECT, a boolean for ASK, a graph for CONSTRUCT/DESCRIBE."""

    form: str
    vars: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # variable name -> term; unbound = absent
    boolean: bool | None = None
    graph: Graph | None = None
    #: a SELECT result an engine wrote itself (``rows`` then stay empty): the text of the
    #: result in ``text_format``, the bytes laokg.query.formats.render gives for its rows
    text: str | None = None
    text_format: str | None = None
    #: what a reader shows beside the rows but no output format writes (``search``: each
    #: thing's quotes one by one, under ``"quotes"``, keyed by the thing)
    extra: dict = field(default_factory=dict)

    def tuples(self) -> list[tuple]:
        """Rows as tuples in ``vars`` order (None for unbound), e.g. for tests."""
        return [tuple(r.get(v) for v in self.vars) for r in self.rows]


def portable(result: QueryResult) -> tuple[str, Any]:
    """``result`` as something a budgeted worker sends back cheaply: a graph as its triples
    and prefixes (pickling an rdflib store is slow), anything else as it is."""
    if result.graph is not None:
        return "graph", (result.form, list(result.graph), list(result.graph.namespace_manager.namespaces()))
    return "result", result


def unportable(kind: str, payload) -> QueryResult:
    """The :class:`QueryResult` that :func:`portable` sent."""
    if kind == "result":
        return payload
    from rdflib import Graph

    form, triples, namespaces = payload
    graph = Graph(bind_namespaces="none")
    for prefix, ns in namespaces:
        graph.bind(prefix, ns, override=True, replace=True)
    graph.addN((s, p, o, graph) for s, p, o in triples)
    return QueryResult(form, graph=graph)


class Engine(Protocol):
    """A query engine. Its capabilities are attributes, set when it is made:

    * ``name``: ``"embedded"`` (rdflib), ``"oxigraph"`` or ``"remote"``;
    * ``writes``: the formats :meth:`run` writes a SELECT result in itself (``fmt=``; the
      result then holds the text, no rows);
    * ``streams``: the formats :meth:`stream_select` writes itself, chunk by chunk;
    * ``terms``: the kind of RDF terms its bindings are given in (``"rdflib"`` or
      ``"oxigraph"``: :func:`laokg.query.parameters.term_kit`);
    * ``remote``: whether the answer comes from another server (its rows are counted again
      against the row budget once they are here).
    """

    name: str
    writes: tuple[str, ...]
    streams: tuple[str, ...]
    terms: str
    remote: bool

    # each engine repeats this signature and the next: a Protocol is checked against them
    def run(
        self,
        text: str,
        bindings: dict[str, list] | None = None,
        *,
        allow_service: bool = False,
        allow_from: bool = False,
        timeout: float | None = None,
        source: str = "query",
        line_offset: int = 0,
        use_values: bool | None = None,
        budget: Budget | None = None,
        fmt: str | None = None,
    ) -> QueryResult:
        """Check and run ``text`` with ``bindings`` ({variable: [terms]}); with a ``budget``,
        within its limits (:mod:`laokg.query.budget`)."""
        ...

    def stream_select(
        self,
        text: str,
        bindings: dict[str, list] | None = None,
        *,
        allow_service: bool = False,
        allow_from: bool = False,
        timeout: float | None = None,
        source: str = "query",
        line_offset: int = 0,
        use_values: bool | None = None,
        budget: Budget,
        batch: int = 512,
        fmt: str | None = None,
    ) -> Iterator:
        """A SELECT run in a budgeted worker: yields the variable list, then batches of rows
        (or, with ``fmt`` in :attr:`streams`, chunks of text)."""
        ...


@dataclass
class Prepared:
    """A query ready to evaluate: its checked parse, the text to run, the non-empty bindings
    (empty when they went into ``VALUES`` blocks of ``text``)."""

    parsed: ParsedQuery
    text: str
    bindings: dict[str, list]


def prepare_query(
    text: str,
    bindings: dict[str, list] | None,
    *,
    allow_service: bool,
    allow_from: bool,
    source: str,
    line_offset: int,
    inject: bool = True,
    check: Callable | None = None,
) -> Prepared:
    """The preamble every engine runs (inside its budget): check the query
    (:func:`laokg.query.safety.check_query`: read-only, no SERVICE or FROM unless allowed),
    drop parameters without values, and, with ``inject``, put the others in ``VALUES`` blocks
    (:func:`laokg.query.binding.inject_values`). Without ``check`` the rewritten text is
    verified by rdflib's parse and checked again (``parsed`` is then its parse); with ``check``
    (the Oxigraph engine's :func:`~laokg.query.oxigraph.check_values`) each block is verified
    by that function and ``parsed`` stays the original's (no RDF parser is loaded)."""
    from laokg.query.safety import check_query

    parsed = check_query(
        text, allow_service=allow_service, allow_from=allow_from, source=source, line_offset=line_offset
    )
    given = {k: v for k, v in (bindings or {}).items() if v}
    if not given or not inject:
        return Prepared(parsed, text, given)
    from laokg.query.binding import inject_values

    if check is not None:
        return Prepared(parsed, inject_values(text, given, check=check), {})
    bound = inject_values(text, given)
    return Prepared(check_query(bound, allow_service=allow_service, allow_from=allow_from, source=source), bound, {})


__all__ = ["Engine", "QueryResult", "Prepared", "prepare_query", "portable", "unportable"]
