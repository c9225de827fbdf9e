"""The Oxigraph engine: saved and ad-hoc queries on a pyoxigraph store (the store ``laokg build``
wrote to dist/store/, or the Turtle loaded into memory; see :mod:`laokg.graph.store`).

It takes the same query text and bindings as the embedded rdflib engine and returns the same
:class:`~laokg.query.interface.QueryResult` with rdflib terms, so every output format is shared;
asked for csv, tsv or json (``fmt=``, what ``laokg query run`` asks for), it writes a SELECT's
text itself, straight from Oxigraph's terms (:func:`laokg.query.formats.write_solutions`, the
same bytes), so a large result makes no rdflib term per cell and only text leaves the worker.
The query is checked by :func:`laokg.query.safety.check_query` as on every engine (read-only,
no SERVICE unless allowed); parameters go in through ``VALUES`` blocks
(:func:`laokg.query.binding.inject_values`), as for a remote endpoint. FROM / FROM NAMED
would name graphs of the store, not load anything: they are refused on this engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from laokg.errors import ParameterError, QueryError
from laokg.prefixes import XSD_STRING
from laokg.query.budget import Budget, check_rows, run_budgeted, send_in_batches, stream_budgeted
from laokg.query.interface import QueryResult, portable, prepare_query, unportable
from laokg.query.names import ENGINES

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from pathlib import Path

    from rdflib import Graph, URIRef

# rdflib is imported where its terms are made (to_rdflib, results with rows or a graph): a
# SELECT written as text by this engine, with parameters given as IRIs or values, loads none

#: "auto" picks Oxigraph above this many bytes of Turtle (about 30k triples); below it the
#: graph is small enough that rdflib's parse costs little and nothing else is needed.
AUTO_BYTES = 3_000_000


def to_rdflib(term):
    """A pyoxigraph term -> the equal rdflib term (None stays None)."""
    import pyoxigraph
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        return Literal(term.value) if dt == XSD_STRING else Literal(term.value, datatype=URIRef(dt))
    raise QueryError(f"unsupported term from Oxigraph: {term!r}")  # pragma: no cover - RDF-star


def to_oxigraph(term):
    """An rdflib IRI or literal (or a pyoxigraph one, returned as it is) -> the equal pyoxigraph term."""
    import pyoxigraph

    if isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.Literal)):
        return term
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
        return pyoxigraph.Literal(str(term))
    raise ParameterError(f"cannot bind {term!r}: only IRIs and literals can be parameter values")


def check_values(clause: str, var: str, terms: list) -> None:
    """Oxigraph's own reading of one ``VALUES ?var { ... }`` block (as :func:`inject_values`
    inserts it) must be exactly ``terms``: the block is run alone on an empty store and its
    solutions compared with the terms as Oxigraph stores them (Oxigraph keeps some literals in
    canonical form, e.g. ``"01"^^xsd:integer`` as ``"1"``; the query would see that form too)."""
    import pyoxigraph

    store = pyoxigraph.Store()
    subject = pyoxigraph.NamedNode("urn:laokg:check")
    try:
        for i, term in enumerate(terms):
            store.add(pyoxigraph.Quad(subject, pyoxigraph.NamedNode(f"urn:laokg:value:{i}"), to_oxigraph(term)))
        want = [
            next(iter(store.quads_for_pattern(subject, pyoxigraph.NamedNode(f"urn:laokg:value:{i}"), None))).object
            for i in range(len(terms))
        ]
        answer = store.query("SELECT * WHERE { " + clause + " }")
        assert isinstance(answer, pyoxigraph.QuerySolutions)  # a SELECT answers with solutions
        got = [solution[var] for solution in answer]
        names = [v.value for v in answer.variables]
    except (SyntaxError, ValueError, TypeError, OSError, StopIteration, KeyError) as exc:
        raise ParameterError(
            f"a parameter value cannot be bound safely ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
        ) from None
    if names != [var] or got != want:
        raise ParameterError("a parameter value cannot be written exactly in SPARQL (it would change)")


class OxigraphEngine:
    """pyoxigraph in-process, on a store holding the data graph."""

    def __init__(self, store, location: Path | None = None):
        self.store = store
        #: the folder of the on-disk store ``store`` reads (opened read-only), None for a store
        #: in memory: a caller may open the same store again (:func:`laokg.graph.store.open_built`)
        self.location = location
        self.name = "oxigraph"
        #: the formats :meth:`run` writes a SELECT result in itself (``fmt=``), and
        #: :meth:`stream_select` streams as text
        self.writes: tuple[str, ...] = ("csv", "tsv", "json")
        self.streams: tuple[str, ...] = ("csv", "tsv")
        self.terms = "oxigraph"  # bindings as pyoxigraph terms: no rdflib term is made for them
        self.remote = False

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
        """Run ``text``; with a ``budget`` within its limits (:mod:`laokg.query.budget`: a worker
        process forked with the store open, killed at the deadline; the row cap checked here).
        With ``fmt`` (one of :attr:`writes`), a SELECT's rows come back already written in that
        format (``QueryResult.text``, the bytes :func:`laokg.query.formats.render` gives for the
        rows): written straight from Oxigraph's terms, in the worker, so no rdflib term is made
        for each cell and only the text crosses back from the worker."""
        if fmt is not None and fmt not in self.writes:
            raise QueryError(f"the oxigraph engine writes {', '.join(self.writes)}, not {fmt}")

        def evaluate() -> QueryResult:  # checked and bound inside the budget too
            parsed, bound = self._prepare(text, bindings, allow_service, allow_from, source, line_offset)
            return self._evaluate(bound, parsed, source, budget, fmt)

        if budget is None or budget.in_process:
            return evaluate()
        kind, payload = run_budgeted(lambda: portable(evaluate()), budget)
        return unportable(kind, payload)

    @staticmethod
    def _prepare(text, bindings, allow_service, allow_from, source, line_offset):
        """(the checked query, its text with the parameters bound in VALUES blocks)."""
        prepared = prepare_query(
            text,
            bindings,
            allow_service=allow_service,
            allow_from=allow_from,
            source=source,
            line_offset=line_offset,
            check=check_values,
        )
        if prepared.parsed.dataset_clause:
            raise QueryError(
                f"{source}: FROM / FROM NAMED are not supported on the oxigraph engine (use --engine rdflib)"
            )
        return prepared.parsed, prepared.text

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
        variable list first, then lists of at most ``batch`` rows (as :meth:`run`'s rows).
        With ``fmt`` (csv or tsv), the worker writes each batch itself, straight from
        Oxigraph's terms, and the items after the variables are text: the chunks
        :func:`laokg.query.formats.stream_lines` would write for those rows."""
        if fmt is not None and fmt not in self.streams:
            raise QueryError(f"the oxigraph engine streams csv and tsv, not {fmt}")

        def produce(send) -> None:  # checked and bound inside the budget too
            parsed, bound = self._prepare(text, bindings, allow_service, allow_from, source, line_offset)
            if parsed.form != "SELECT":
                raise QueryError(f"{source}: only SELECT results are streamed")
            answer = self._answer(bound, source)
            vars_ = self._vars(answer, parsed)
            send(vars_)
            if fmt is not None:
                self._send_text(fmt, vars_, answer, send, budget, batch)
                return
            rows = ({v: to_rdflib(solution[v]) for v in vars_ if solution[v] is not None} for solution in answer)
            send_in_batches(rows, send, budget, batch)

        return stream_budgeted(produce, budget)

    def label_graph(self) -> Graph:
        """The store's label triples (:data:`laokg.labels.LABEL_PROPERTIES`) and ``rdf:type``
        triples of IRIs, as an rdflib graph: what label resolution and class checks read."""
        from rdflib import Graph
        from rdflib.namespace import RDF

        from laokg.labels import LABEL_PROPERTIES

        values = " ".join(f"<{p}>" for p in (*LABEL_PROPERTIES, RDF.type))
        graph = Graph(bind_namespaces="none")
        answer = self.store.query(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o . FILTER(isIRI(?s)) }}"
        )
        graph.addN((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object), graph) for t in answer)
        return graph

    def labelled(self, text: str) -> list[tuple[URIRef, str]]:
        """``[(iri, its preferred label)]`` of the things with a label equal to ``text`` once
        folded (:func:`laokg.labels.fold`), sorted by IRI: what
        :meth:`laokg.labels.LabelIndex.exact` and ``.label`` give on the same graph."""
        from rdflib import URIRef

        from laokg.labels import LABEL_PROPERTIES, fold

        rank = {str(p): i for i, p in enumerate(LABEL_PROPERTIES)}
        values = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
        key = fold(text)
        labels: dict[str, list] = {}
        for s, p, o in self.store.query(
            f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o . FILTER(isIRI(?s) && isLiteral(?o)) }}"
        ):
            labels.setdefault(s.value, []).append((rank[p.value], o))
        out = []
        for iri in sorted(labels):
            entries = labels[iri]
            if any(fold(o.value) == key for _, o in entries):
                best = min(entries, key=lambda e: (e[0], e[1].language not in (None, "en"), e[1].value))
                out.append((URIRef(iri), best[1].value))
        return out

    def types(self, iri) -> set:
        """The classes of ``iri`` (its ``rdf:type`` values) in the store."""
        import pyoxigraph

        rdf_type = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        return {
            to_rdflib(q.object) for q in self.store.quads_for_pattern(pyoxigraph.NamedNode(str(iri)), rdf_type, None)
        }

    def _answer(self, text, source):
        try:
            return self.store.query(text)
        except SyntaxError as exc:
            raise QueryError(f"{source}: Oxigraph cannot parse the query: {str(exc).splitlines()[0]}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(
                f"{source}: query evaluation failed: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            ) from None

    def _send_text(self, fmt, vars_, answer, send, budget, batch) -> None:
        """Send the ``fmt`` text of the solutions, ``batch`` rows at a time: the header with the
        first batch (sent even when empty), each row counted against the row budget before its
        batch is sent (as send_in_batches counts them)."""
        import itertools

        from laokg.query.formats import write_solutions

        solutions = iter(answer)
        order = self._order(answer, vars_)
        count = 0
        while True:
            rows = self._tuples(itertools.islice(solutions, batch), vars_, budget, count, order)
            if count and not rows:
                return
            send(write_solutions(fmt, vars_, rows, header=not count))
            if not rows:
                return
            count += len(rows)

    @staticmethod
    def _order(answer, vars_: list[str]) -> list[int] | None:
        """Where each of ``vars_`` is in the answer's solutions, or None when they are in the
        answer's own order (a solution then reads as a tuple in one call)."""
        names = [v.value for v in answer.variables]
        return None if names == vars_ else [names.index(v) for v in vars_]

    @staticmethod
    def _tuples(
        solutions, vars_: list[str], budget: Budget | None, count: int = 0, order: list[int] | None = None
    ) -> list[tuple]:
        """The solutions as tuples of pyoxigraph terms (None where unbound) in ``vars_`` order
        (``order``: see :meth:`_order`), each counted against the row budget (``count`` rows
        came before them)."""
        limit = budget.max_rows if budget is not None else None
        rows: list[tuple] = []
        for solution in solutions:
            if limit is not None and count + len(rows) >= limit:
                check_rows(count + len(rows) + 1, budget)
            rows.append(tuple(solution) if order is None else tuple([solution[i] for i in order]))
        return rows

    @staticmethod
    def _vars(answer, parsed) -> list[str]:
        vars_ = [v.value for v in answer.variables]
        if parsed.select_star:  # the text's order, as on the embedded engine
            order = {v: i for i, v in enumerate(parsed.variables)}
            vars_.sort(key=lambda v: order.get(v, len(order)))
        return vars_

    def _evaluate(self, text, parsed, source, budget, fmt=None) -> QueryResult:
        answer = self._answer(text, source)
        if parsed.form == "ASK":
            return QueryResult("ASK", boolean=bool(answer))
        if parsed.form in ("CONSTRUCT", "DESCRIBE"):
            from rdflib import Graph

            from laokg.namespaces import bind_prefixes

            g = bind_prefixes(Graph())
            for t in answer:
                g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
                check_rows(len(g), budget, "triples")
            return QueryResult(parsed.form, graph=g)
        vars_ = self._vars(answer, parsed)
        if fmt is not None:
            from laokg.query.formats import write_solutions

            tuples = self._tuples(answer, vars_, budget, order=self._order(answer, vars_))
            return QueryResult("SELECT", vars=vars_, text=write_solutions(fmt, vars_, tuples), text_format=fmt)
        rows: list[dict] = []
        for solution in answer:
            check_rows(len(rows) + 1, budget)
            row = {}
            for v in vars_:
                value = solution[v]
                if value is not None:
                    row[v] = to_rdflib(value)
            rows.append(row)
        return QueryResult("SELECT", vars=vars_, rows=rows)


def _choice(name: str, root, data):
    """(engine name, the built store or None) for ``--engine name``: the one place the "auto"
    rule lives. The built store is looked up (files listed and fingerprinted) at most once."""
    if name not in ENGINES:
        raise QueryError(f"unknown engine {name!r} (choose from {', '.join(ENGINES)})")
    if name == "rdflib":
        return name, None
    from laokg.graph.store import built_store, data_size

    built = None if data else built_store(root)
    if built is None and not data:  # never built (or since changed): the store built on first use
        from laokg.query.cache import cached_store

        built = cached_store(root)
    if name == "auto":
        name = "oxigraph" if built is not None or data_size(root, data) > AUTO_BYTES else "rdflib"
    return name, built


def choose_engine(name: str, root=None, data=()) -> str:
    """ "rdflib" or "oxigraph" for ``--engine name``. "auto": Oxigraph when ``laokg build`` left a
    store that is current (and no ``--data`` files are added), or when the graph is large (more
    than :data:`AUTO_BYTES` of Turtle); else rdflib, which needs no build."""
    return _choice(name, root, data)[0]


def oxigraph_engine(root=None, data=()) -> OxigraphEngine:
    from laokg.graph.store import open_store

    return OxigraphEngine(open_store(root, data))


def local_engine(name: str, root=None, data=()) -> OxigraphEngine | None:
    """The Oxigraph engine if :func:`choose_engine` picks "oxigraph" for ``--engine name``
    (opened as :func:`oxigraph_engine` opens it), else None (rdflib). The same choice and the
    same store, with the project's files listed and fingerprinted once instead of twice."""
    name, built = _choice(name, root, data)
    if name == "rdflib":
        return None
    from laokg.graph.store import open_built, open_store

    if built is not None and not data:
        store = open_built(built)
        if store is not None:
            return OxigraphEngine(store, built)
    return OxigraphEngine(open_store(root, data, built=None))


__all__ = [
    "ENGINES",
    "AUTO_BYTES",
    "OxigraphEngine",
    "choose_engine",
    "oxigraph_engine",
    "local_engine",
    "to_rdflib",
    "to_oxigraph",
    "check_values",
]
