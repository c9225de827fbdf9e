"""The embedded engine: SPARQL queries run by rdflib on an already loaded graph
(:class:`EmbeddedEngine`, and :func:`load_graph`, the graph it queries), and the project
prefixes an ad-hoc query gets when it does not declare them (:func:`with_project_prefixes`).

:class:`EmbeddedEngine` implements :class:`laokg.query.interface.Engine` as the Oxigraph
engine (:mod:`laokg.query.oxigraph`) and a SPARQL endpoint (:mod:`laokg.query.remote`) do: the
same query text and parameter bindings ({variable: [terms]}), the same :class:`QueryResult`,
so a saved query gives the same answer on each. The query is checked
(:func:`laokg.query.interface.prepare_query`, which puts several values of a parameter in a
``VALUES`` block), then evaluated by rdflib inside :func:`laokg.query.safety.no_fetch`, under
the :class:`~laokg.query.budget.Budget` (in a forked worker when it has a deadline or a
memory cap); one value per parameter goes in through rdflib's ``initBindings``.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import urllib.error
from pathlib import Path

from rdflib import Dataset, Graph, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from laokg.errors import EndpointError, LaokgError, QueryError
from laokg.namespaces import PREFIXES, bind_prefixes
from laokg.query.budget import Budget, check_rows, run_budgeted, send_in_batches, stream_budgeted
from laokg.query.interface import QueryResult, portable, prepare_query, unportable
from laokg.query.names import DEFAULT_TIMEOUT
from laokg.query.safety import FetchBlocked, ParsedQuery, no_fetch


def declared_prefixes(text: str) -> set[str]:
    """The prefixes the prologue of ``text`` declares (``PREFIX p: <iri>``), read by a token
    scan of the prologue only: no SPARQL parse (that happens inside the query's budget)."""
    from laokg.query.binding import tokens

    declared: set[str] = set()
    expect = None  # what the prologue needs next: None (a keyword), "pname", "iri"
    for kind, value, _, _ in tokens(text):
        if expect is None and kind == "word" and value.upper() in ("PREFIX", "BASE"):
            expect = "pname" if value.upper() == "PREFIX" else "iri"
        elif expect == "pname" and kind == "word" and value.endswith(":"):
            declared.add(value[:-1])
            expect = "iri"
        elif expect == "iri" and kind == "iri":
            expect = None
        else:
            break
    return declared


def with_project_prefixes(text: str) -> tuple[str, int]:
    """Add, on one line, ``PREFIX`` declarations for the project prefixes the query lacks.

    For ad-hoc queries only (saved queries declare their prefixes). Returns (text, lines added):
    the parse that follows subtracts them from the line numbers it reports. The query is not
    parsed here (a hostile query is parsed only within its budget); a prefix the scan of the
    prologue missed is declared twice, which SPARQL allows (the query's own, later, wins).
    """
    declared = declared_prefixes(text)
    missing = [p for p in PREFIXES if p not in declared]
    if not missing:
        return text, 0
    prologue = " ".join(f"PREFIX {p}: <{PREFIXES[p]}>" for p in missing)
    lines = text.split("\n")
    # after the leading comments (and #+ decorators), before the first line of SPARQL
    at = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), 0)
    return "\n".join(lines[:at] + [prologue] + lines[at:]), 1


# ---------------------------------------------------------------- embedded


class EmbeddedEngine:
    """rdflib in-process, on an already loaded graph."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.name = "embedded"
        self.writes: tuple[str, ...] = ()  # every format is written from its rdflib terms
        self.streams: tuple[str, ...] = ()  # its streamed rows are rdflib terms
        self.terms = "rdflib"
        self.remote = False
        self._dataset: Dataset | None = None

    # Engine.run's signature, as every engine has it (the Protocol in laokg.query.interface)
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
        """Run ``text``; with a ``budget``, in a worker process within its time, row and
        memory limits (:mod:`laokg.query.budget`); without one, in this process, unlimited.
        The query is parsed, checked and its parameters bound in that worker too."""
        if fmt is not None:
            raise QueryError(f"the {self.name} engine writes no format itself ({fmt} asked)")
        timeout = DEFAULT_TIMEOUT if timeout is None else timeout

        def evaluate() -> QueryResult:
            parsed, init, target = self._prepare(
                text, bindings, allow_service, allow_from, source, line_offset, use_values
            )
            with _evaluation(source, timeout, allow_service, allow_from):
                result = _from_rdflib(target.query(parsed.query, initBindings=init), parsed.form, budget)
                if parsed.select_star:  # rdflib's order for SELECT * is arbitrary: use the text's
                    result.vars = _star_order(parsed, result.vars)
                    # and the rows' too (JSON writes a row's keys in its order)
                    result.rows = [{v: row[v] for v in result.vars if v in row} for row in result.rows]
                return result

        if budget is None or budget.in_process:
            return evaluate()
        # in a budgeted worker: graphs travel back as triples (pickling a store is slow)
        form, payload = run_budgeted(lambda: portable(evaluate()), budget)
        return unportable(form, payload)

    # Engine.stream_select's signature, as every engine has it (laokg.query.interface)
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
    ):
        """A SELECT run in a budgeted worker that sends its rows as they come: yields the
        variable list first, then lists of at most ``batch`` rows (dicts, as in QueryResult).
        The query is parsed, checked and its parameters bound in the worker."""
        if fmt is not None:
            raise QueryError(f"the {self.name} engine streams rows, not {fmt} text")
        timeout = DEFAULT_TIMEOUT if timeout is None else timeout

        def produce(send) -> None:
            parsed, init, target = self._prepare(
                text, bindings, allow_service, allow_from, source, line_offset, use_values
            )
            if parsed.form != "SELECT":
                raise QueryError(f"{source}: only SELECT results are streamed")
            with _evaluation(source, timeout, allow_service, allow_from):
                # rdflib's processor, not Graph.query: its Result keeps every row it yields
                # (to be iterated again), so memory would grow with the result after all
                from rdflib.plugins.sparql.processor import SPARQLProcessor

                answer = SPARQLProcessor(target).query(parsed.query, init, dict(target.namespaces()))
                variables = list(answer.get("vars_") or [])
                vars_ = [str(v) for v in variables]
                send(_star_order(parsed, vars_) if parsed.select_star else vars_)
                rows = (
                    {str(v): solution[v] for v in variables if solution.get(v) is not None}
                    for solution in answer["bindings"]
                    if solution
                )  # as rdflib's Result: an empty solution gives no row
                send_in_batches(rows, send, budget, batch)

        return stream_budgeted(produce, budget)

    def _prepare(self, text, bindings, allow_service, allow_from, source, line_offset, use_values):
        """Check the query, bind the parameters, pick the graph or dataset to run on. One value
        per parameter goes in through ``initBindings``, several through ``VALUES`` blocks."""
        if use_values is None:
            use_values = any(len(v) > 1 for v in (bindings or {}).values())
        prepared = prepare_query(
            text,
            bindings,
            allow_service=allow_service,
            allow_from=allow_from,
            source=source,
            line_offset=line_offset,
            inject=use_values,
        )
        parsed = prepared.parsed
        init = {Variable(k): v[0] for k, v in prepared.bindings.items()}
        target = self.graph
        if allow_from and parsed.dataset_clause:
            # rdflib only honours FROM on a Dataset; share the store, never write into it.
            target = Dataset(store=self.graph.store, default_union=True)
        elif uses_graph_patterns(parsed):
            target = self._as_dataset()
        return parsed, init, target

    def _as_dataset(self) -> Dataset:
        """The graph as a SPARQL dataset: all of it in the default graph, no named graphs (so
        ``GRAPH <iri> { ... }`` and ``GRAPH ?g { ... }`` match nothing, as on an endpoint
        holding the data in its default graph). Built once, on first use."""
        if self._dataset is None:
            dataset = Dataset()
            default = dataset.graph(DATASET_DEFAULT_GRAPH_ID)
            default.addN((s, p, o, default) for s, p, o in self.graph)
            self._dataset = dataset
        return self._dataset


def _star_order(parsed: ParsedQuery, vars_: list[str]) -> list[str]:
    order = {v: i for i, v in enumerate(parsed.variables)}
    return sorted(vars_, key=lambda v: order.get(v, len(order)))


@contextlib.contextmanager
def _evaluation(source: str, timeout, allow_service: bool, allow_from: bool):
    """Around an rdflib evaluation: no fetches unless allowed, a socket timeout for allowed
    ones, and every rdflib or network failure as one laokg error."""
    old_timeout = socket.getdefaulttimeout()
    try:
        socket.setdefaulttimeout(timeout)  # rdflib's SERVICE/FROM fetches set none of their own
        with no_fetch(allow_service=allow_service, allow_from=allow_from):
            yield
    except FetchBlocked as exc:  # pragma: no cover - check_query refuses first
        raise QueryError(f"{source}: {exc}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise EndpointError(f"{source}: a SERVICE or FROM fetch failed: {_reason(exc)}") from None
    except LaokgError:
        raise
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # rdflib raises bare Exceptions for evaluation errors
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise QueryError(f"{source}: query evaluation failed: {msg}") from None
    finally:
        socket.setdefaulttimeout(old_timeout)


def uses_graph_patterns(parsed: ParsedQuery) -> bool:
    """Whether the query has a ``GRAPH`` pattern (rdflib needs a dataset for it)."""
    return parsed.graph_patterns


def _from_rdflib(result, form: str, budget: Budget | None = None) -> QueryResult:
    """rdflib's result as a :class:`QueryResult`; past the budget's row cap, LimitExceeded."""
    if form == "ASK":
        return QueryResult(form, boolean=bool(result.askAnswer))
    if form in ("CONSTRUCT", "DESCRIBE"):
        check_rows(len(result.graph), budget, "triples")
        g = bind_prefixes(Graph())
        for t in result.graph:
            g.add(t)
        return QueryResult(form, graph=g)
    vars_ = [str(v) for v in (result.vars or [])]
    rows: list[dict] = []
    limit = budget.max_rows if budget is not None and budget.max_rows is not None else None
    for row in result:
        if limit is not None and len(rows) >= limit:
            check_rows(len(rows) + 1, budget)
        d = {}
        for v in vars_:
            val = row[v] if v in row.labels else None
            if val is not None:
                d[v] = val
        rows.append(d)
    return QueryResult(form, vars=vars_, rows=rows)


# ---------------------------------------------------------------- remote


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return "timed out"
        if isinstance(reason, ConnectionRefusedError):
            return "connection refused"
        if isinstance(reason, socket.gaierror):
            return "host not found"
        return str(getattr(reason, "strerror", None) or reason)
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, http.client.HTTPException):
        return f"bad HTTP answer ({type(exc).__name__})"
    return str(getattr(exc, "strerror", None) or exc) or type(exc).__name__


# ---------------------------------------------------------------- loading the embedded graph


def load_graph(root: Path | str | None = None, data=()) -> Graph:
    """The graph the embedded engine queries: the project's data graph (+ extra ``data`` files)."""
    from laokg.graph.load import load_data_graph

    return load_data_graph(root, data)
