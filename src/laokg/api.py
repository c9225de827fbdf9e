"""The Python API: :func:`open` and the :class:`KnowledgeGraph` it returns, with the row and card
types its methods give back (``Rows``, ``Card``). ``laokg`` re-exports them; docs/api.md documents
them with examples.

Importing this module is cheap: rdflib, pySHACL and the engines are imported when first used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from pathlib import Path

    from rdflib import Graph, URIRef

    from laokg.graph.validate import ValidationResult
    from laokg.labels import LabelIndex, NodeLabels
    from laokg.provenance.audit import AuditReport
    from laokg.provenance.trace import SourceTrace, Trace
    from laokg.query.catalogue import SavedQuery
    from laokg.query.interface import Engine, QueryResult
    from laokg.query.oxigraph import OxigraphEngine


class Rows(list):
    """The rows of a SELECT: a list of dicts, one per solution, variable name -> value.

    Values are rdflib terms — ``URIRef`` for IRIs, ``Literal`` for literals (``.toPython()``
    gives an ``int``, ``Decimal``, ``date`` … ; ``str()`` the lexical form), ``BNode`` for blank
    nodes — and ``None`` where a variable is unbound, so every row has every variable.
    ``vars`` lists the variables in the query's order.
    """

    def __init__(self, rows: Iterable[dict] = (), vars: list[str] | None = None):
        super().__init__(rows)
        self.vars = list(vars or [])

    def to_python(self) -> list[dict[str, Any]]:
        """The rows with plain Python values: IRIs as ``str``, literals via ``toPython()``."""
        return [{v: _plain(row.get(v)) for v in self.vars} for row in self]

    def to_dataframe(self):
        """A pandas DataFrame of :meth:`to_python` (needs the optional extra ``laokg[pandas]``).

        A column whose values are all numbers gets a numeric dtype (``int64``, or ``Int64``
        with gaps, for integers; ``float64`` otherwise), one of booleans ``boolean``. Where the
        rows have a ``unitMult`` column (SDMX: the value is in units of 10^unitMult), each
        ``value`` column (``value``, ``…Value``) is followed by ``<name>Scaled``, the value in
        units: 366 with unitMult 6 gives 366000000.
        """
        try:
            import pandas
        except ImportError:
            from laokg.errors import InputError

            raise InputError("to_dataframe() needs pandas: pip install 'laokg[pandas]'") from None
        records = self.to_python()
        columns: dict[str, list] = {v: [r[v] for r in records] for v in self.vars}
        if "unitMult" in columns:
            scaled: dict[str, list] = {}
            for name in self.vars:
                if (name == "value" or name.endswith("Value")) and _all_numbers(columns[name]):
                    scaled[name] = [
                        None if v is None else _scale(v, m)
                        for v, m in zip(columns[name], columns["unitMult"], strict=False)
                    ]
            ordered: dict[str, list] = {}
            for name in self.vars:
                ordered[name] = columns[name]
                if name in scaled and name + "Scaled" not in columns:
                    ordered[name + "Scaled"] = scaled[name]
            columns = ordered
        frame = pandas.DataFrame(
            {
                name: pandas.Series(_typed(values, pandas), dtype=_dtype(values))
                if values
                else pandas.Series([], dtype=object)
                for name, values in columns.items()
            },
            columns=list(columns),
        )
        return frame

    def _repr_html_(self) -> str:
        """The rows as an HTML table (Jupyter): IRIs as CURIEs, the IRI on hover."""
        from laokg.query.html import rows_html

        return rows_html(self.vars, self)


def _all_numbers(values: list) -> bool:
    from decimal import Decimal

    present = [v for v in values if v is not None]
    return bool(present) and all(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) for v in present)


def _scale(value, mult):
    """``value`` × 10^``mult`` (no unitMult: the value itself), exact for decimals."""
    from decimal import Decimal

    if mult is None:
        return value
    try:
        exponent = int(mult)
    except (TypeError, ValueError):
        return None
    result = Decimal(str(value)) * (Decimal(10) ** exponent)
    return int(result) if result == result.to_integral_value() else float(result)


def _dtype(values: list):
    """The pandas dtype of a column of plain Python values (see :meth:`Rows.to_dataframe`)."""
    present = [v for v in values if v is not None]
    if not present:
        return object
    if all(isinstance(v, bool) for v in present):
        return "boolean"
    if _all_numbers(values):
        if all(isinstance(v, int) for v in present):
            return "int64" if len(present) == len(values) else "Int64"
        return "float64"
    return object


def _typed(values: list, pandas) -> list:
    from decimal import Decimal

    if _all_numbers(values) and not all(isinstance(v, int) for v in values if v is not None):
        return [float(v) if isinstance(v, Decimal) else v for v in values]
    if _dtype(values) in ("Int64", "boolean"):
        return [pandas.NA if v is None else v for v in values]
    return values


def _plain(term):
    if term is None:
        return None
    from rdflib import Literal

    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value
    return str(term)


def _pairs(params: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """``{"type": ["doctype:decree", "doctype:law"], "from_year": 2020}`` -> ``[(name, text), …]``."""
    items = params.items() if isinstance(params, Mapping) else params
    pairs = []
    for name, value in items:
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        for v in sorted(values, key=str) if isinstance(values, (set, frozenset)) else values:
            pairs.append((name, str(v).lower() if isinstance(v, bool) else str(v)))
    return pairs


_REMOTE_LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?thing ?label WHERE {
  VALUES ?p { skos:prefLabel rdfs:label dct:title schema:name skos:altLabel }
  ?thing ?p ?label .
  FILTER(isIRI(?thing) && LCASE(STR(?label)) = LCASE(STR(?_text)))
}"""


class KnowledgeGraph:
    """One laokg graph — the project files at ``root`` (plus ``data`` files), or a SPARQL
    endpoint — with the same engines, parameter binding and safety checks as the CLI.

    Use :func:`open` to make one. The graph is loaded on first use and kept.
    """

    def __init__(
        self,
        root=None,
        data: Iterable[str] = (),
        endpoint: str | None = None,
        timeout: float | None = None,
        queries=None,
        *,
        engine: str = "auto",
        remote: dict | None = None,
        as_of=None,
    ):
        self._root_arg = root
        if as_of is not None:
            from laokg.errors import InputError
            from laokg.graph.asof import parse_day

            if endpoint:
                raise InputError(
                    "as_of reads the project's files; a store answers for what was pushed to it "
                    "(push the dated view, docs/time.md)"
                )
            as_of = parse_day(as_of) if isinstance(as_of, str) else as_of
        self.as_of = as_of  # the day the graph is read as of (docs/time.md), or None
        self._remote = dict(remote or {})  # retries, user, headers for an endpoint (laokg.query.remote)
        self._root: Path | None = None
        self.data = tuple(str(d) for d in data)
        self.endpoint = endpoint
        self._timeout = timeout
        self._queries_dir = queries
        self.engine_name = engine  # "auto", "rdflib" or "oxigraph" (embedded engines; docs/commands.md)
        self._by_query = bool(endpoint)  # labels resolved by a query to the engine, not an index
        self._graph: Graph | None = None
        self._index: LabelIndex | NodeLabels | None = None
        self._engine: Engine | None = None
        self._store_lookup = False  # labels and types read from the Oxigraph engine's store
        self._oxigraph: OxigraphEngine | None = None  # the engine, when it is the local Oxigraph store
        self._lookups: Graph | None = None  # the store's read-only graph view (laokg.query.storeview)
        self._facts_read = False  # the release's query facts registered (laokg.query.facts)

    @property
    def root(self) -> Path:
        """The project root the graph, shapes and saved queries are read from (docs/install.md)."""
        if self._root is None:
            from laokg.graph.project import find_root

            self._root = find_root(self._root_arg)
        return self._root

    def __repr__(self) -> str:
        where = f"endpoint={self.endpoint!r}" if self.endpoint else f"root={str(self.root)!r}"
        return f"<laokg.KnowledgeGraph {where}>"

    # ------------------------------------------------------------ the graph and its engine

    @property
    def timeout(self) -> float:
        from laokg.query.names import DEFAULT_TIMEOUT

        return DEFAULT_TIMEOUT if self._timeout is None else self._timeout

    def _view(self):
        """Every load inside reads the graph as of :attr:`as_of` (a no-op without it)."""
        import contextlib

        if self.as_of is None:
            return contextlib.nullcontext()
        from laokg.graph.asof import reading_as_of

        return reading_as_of(self.as_of)

    @property
    def graph(self) -> Graph:
        """The merged rdflib graph (ontology, vocabularies, graph files, ``data``)."""
        if self._graph is None:
            from laokg.query.remote import load_or_fetch

            # with an endpoint: its whole default graph, fetched by one CONSTRUCT
            with self._view():
                self._graph = load_or_fetch(
                    self._root_arg if self.endpoint else self.root,
                    self.data,
                    self.endpoint,
                    timeout=self._timeout,
                    **self._remote,
                )
        return self._graph

    @property
    def labels(self):
        """The label index (:class:`laokg.labels.LabelIndex`) of the embedded graph."""
        if self._index is None:
            from laokg.labels import LabelIndex

            if not self.endpoint and self._uses_store():
                # read node by node from the store; a label looked up by the store itself; a
                # search reads the label index the build wrote beside the store it reads, if any
                from laokg.graph.store import built_store
                from laokg.labels import NodeLabels
                from laokg.query.storeview import LABEL_INDEX, index_candidates, label_candidates

                view = self.view
                built = None if self.data else built_store(self._root_arg)
                index = built.parent / LABEL_INDEX if built is not None else None

                def candidates(text, view=view, index=index):
                    found = index_candidates(index, text) if index is not None else None
                    return found if found is not None else label_candidates(view, text)

                self._index = NodeLabels(view, self._store_engine().labelled, candidates)
            else:
                self._index = LabelIndex(self._lookup_graph())
        return self._index

    def _lookup_graph(self) -> Graph:
        """What label and type lookups read: the loaded graph, or — when queries run on the local
        Oxigraph engine — only the graph's label and type triples, read from its store (the same
        labels and types, without loading the whole graph into rdflib)."""
        if self._store_lookup:
            return self.view
        return self.graph

    def _uses_store(self) -> bool:
        self.engine  # noqa: B018 - the engine choice decides
        return self._store_lookup

    @property
    def view(self) -> Graph:
        """The graph the reading commands walk (``show``, ``trace``, ``search``, labels): with the
        local Oxigraph engine, a read-only rdflib view of its store that reads only the nodes
        it is asked about (:mod:`laokg.query.storeview`); else :attr:`graph`."""
        if self.endpoint:
            return self.graph
        self.engine  # noqa: B018 - the engine choice decides
        if self._store_lookup:
            if self._lookups is None:
                from laokg.query.storeview import store_graph

                self._lookups = store_graph(self._store_engine().store)
            return self._lookups
        return self.graph

    @property
    def engine(self) -> Engine:
        """The engine queries run on: the remote endpoint, or an embedded one — rdflib, or
        Oxigraph (``engine="oxigraph"``, or ``"auto"`` for a large graph)."""
        if self._engine is None:
            if self.endpoint:
                from laokg.query.remote import RemoteEngine
                from laokg.query.transport import RemoteOptions

                if self.data:
                    from laokg.errors import InputError

                    raise InputError("--data adds files to the local graph; it cannot be combined with --endpoint")
                self._engine = RemoteEngine(self.endpoint, RemoteOptions.from_cli(self._timeout, **self._remote))
            else:
                from laokg.query.oxigraph import local_engine

                with self._view():
                    oxigraph = local_engine(self.engine_name, self._root_arg, self.data)
                if oxigraph is not None:
                    self._engine = self._oxigraph = oxigraph
                    self._store_lookup = True  # labels and types read from the store
                else:
                    from laokg.query.engines import EmbeddedEngine

                    self._engine = EmbeddedEngine(self.graph)
        return self._engine

    def _store_engine(self) -> OxigraphEngine:
        """The local Oxigraph engine (only asked for when :attr:`_store_lookup` is set)."""
        self.engine  # noqa: B018 - the engine choice decides
        assert self._oxigraph is not None
        return self._oxigraph

    def _candidates(self, text: str):
        """Things whose label is ``text`` (ignoring case, accents, spacing): ``[(iri, label)]``."""
        engine = self.engine
        if self._by_query:
            from rdflib import Literal, URIRef

            from laokg.labels import fold

            res = engine.run(_REMOTE_LABELS, {"_text": [Literal(text)]}, source="label lookup")
            return [
                (r["thing"], str(r["label"]))
                for r in res.rows
                if isinstance(r.get("thing"), URIRef) and fold(r["label"]) == fold(text)
            ]
        if self._store_lookup and self._index is None:
            return self._store_engine().labelled(text)  # the store's labels, folded here: no index needed
        return [(iri, self.labels.label(iri) or "") for iri in self.labels.exact(text)]

    # ------------------------------------------------------------ saved queries

    @property
    def queries_dir(self) -> Path:
        from pathlib import Path

        return Path(self._queries_dir) if self._queries_dir else self.root / "queries"

    def catalogue(self, problems: list | None = None) -> list[SavedQuery]:
        """Every saved query (``queries/*.rq``), parsed and checked, by name. With a
        ``problems`` list, a file that does not load is appended there instead of raising."""
        from laokg.query.catalogue import load_catalogue

        self._use_facts()
        if problems is None:
            return load_catalogue(self.queries_dir)
        return load_catalogue(self.queries_dir, problems)

    def saved(self, name: str, *, budget=None) -> SavedQuery:
        """One saved query by name (a misspelt name is an error that suggests the nearest).
        With a ``budget``, a query the build did not parse is parsed within it (its worker)."""
        from laokg.query.catalogue import find_query

        self._use_facts()
        if budget is None:
            return find_query(self.queries_dir, name)
        from laokg.query.precompute import facts_within

        def parse_within_budget(text: str, where: str) -> None:
            computed = facts_within(text, budget, where)
            if computed and not self.endpoint:  # kept for the next run of a never-built project
                from laokg.query.cache import keep_facts

                keep_facts(self.root, computed)

        return find_query(self.queries_dir, name, before=parse_within_budget)

    def allowed_values(self, query: SavedQuery) -> dict[str, dict]:
        """What each IRI parameter of ``query`` takes, with labels:
        ``{name: {"class": [class IRIs] or [], "values": {iri: [labels, preferred first]}}}`` —
        its ``enumerate`` list, else the things of the class the query states for it (else no
        entry). ``laokg query show`` prints it; a label or a word of one selects a value."""
        from laokg.query.parameters import expand_iri, expected_classes

        resolver = _Resolver(self)
        out: dict[str, dict] = {}
        classes = None
        for p in query.parameters:
            if p.type.kind != "iri":
                continue
            if p.allowed:
                out[p.name] = {"class": [], "values": resolver.labels_of([expand_iri(a) for a in p.allowed])}
                continue
            if classes is None:
                classes = expected_classes(query.text)
            wanted = classes.get(p.variable)
            if wanted:
                found = resolver.of_class(wanted)
                out[p.name] = {
                    "class": sorted(wanted, key=str),
                    "values": dict(sorted(found.items(), key=lambda kv: ((kv[1] or [""])[0].casefold(), str(kv[0])))),
                }
        return out

    def _use_facts(self) -> None:
        """The saved queries' facts stored by the last build (laokg.query.facts), else those
        kept by the first-use cache and those an installed laokg's wheel ships: a saved query
        whose text they cover is checked without parsing it again."""
        if not self.endpoint and not self._facts_read:
            self._facts_read = True
            from laokg.query.facts import register, use_prebuilt_facts, use_release_facts

            if not use_release_facts(self.root):  # never built: the facts kept in the first-use cache
                from laokg.query.cache import cached_facts

                register(cached_facts(self.root))
                use_prebuilt_facts(self.root)  # and those an installed laokg's wheel ships

    def run(
        self,
        query,
        params=(),
        *,
        allow_service: bool = False,
        allow_from: bool = False,
        fmt: str | None = None,
        source: str | None = None,
        line_offset: int = 0,
        budget=None,
        text_format: str | None = None,
    ) -> QueryResult:
        """Run a :class:`SavedQuery` with ``params`` (a mapping, or ``(name, value)`` pairs);
        return the engine's :class:`~laokg.query.engines.QueryResult`. What the CLI calls.
        With a ``text_format``, a SELECT on an engine that writes that format itself (the
        Oxigraph engine: csv, tsv, json) comes back already written (``QueryResult.text``, no
        rows): the bytes :func:`laokg.query.formats.render` would write for its rows."""
        from laokg.query.binding import bind_parameters

        if fmt:
            from laokg.query.formats import check_format

            check_format(query.form, fmt)
        engine = self.engine
        bindings = bind_parameters(query, _pairs(params), _Resolver(self), terms=engine.terms)
        # a local engine runs within the budget (laokg.query.budget; the CLI always gives one,
        # the API none: in-process and unlimited, as a library call should be)
        # (a remote engine reads the answer in such a worker too, within the memory budget)
        local = {"budget": budget} if budget is not None else {}
        if text_format and query.form == "SELECT" and text_format in engine.writes:
            local["fmt"] = text_format
        result = engine.run(
            query.text, bindings, **self._run_options(query, allow_service, allow_from, source, line_offset), **local
        )
        if budget is not None and engine.remote:  # the row budget, once more
            from laokg.query.budget import check_rows

            check_rows(
                len(result.rows) if result.graph is None else len(result.graph),
                budget,
                "rows" if result.graph is None else "triples",
            )
        return result

    def can_stream(self, query, fmt: str | None, budget=None) -> bool:
        """Whether :meth:`stream` can run ``query``: a SELECT on a local engine that streams,
        in its budgeted worker (a deadline or memory cap, a fork), as a streamed format."""
        from laokg.query.budget import can_fork
        from laokg.query.formats import STREAMED_FORMATS

        if query.form != "SELECT" or fmt not in STREAMED_FORMATS or budget is None or budget.in_process:
            return False
        # every engine streams a SELECT (laokg.query.interface.Engine); the worker needs a fork
        # and a limit to keep
        return can_fork() and not (budget.timeout is None and budget.max_memory_mb is None)

    def _run_options(self, query, allow_service: bool, allow_from: bool, source, line_offset: int) -> dict:
        """The options :meth:`run` and :meth:`stream` give the engine alike."""
        from laokg.query.names import DEFAULT_TIMEOUT

        return {
            "allow_service": allow_service,
            "allow_from": allow_from,
            "timeout": self.timeout or DEFAULT_TIMEOUT,
            "source": source or str(query.path or query.name),
            "line_offset": line_offset,
        }

    def stream(
        self,
        query,
        params=(),
        *,
        fmt: str,
        allow_service: bool = False,
        allow_from: bool = False,
        source: str | None = None,
        line_offset: int = 0,
        budget,
    ):
        """Run the SELECT ``query`` in a budgeted worker and yield its ``fmt`` text (csv or tsv)
        chunk by chunk as the rows come: neither process holds the whole result. The bytes
        are those :meth:`run` + :func:`~laokg.query.formats.render` give. A limit hit on the way
        raises after the chunks already yielded."""
        from laokg.query.binding import bind_parameters
        from laokg.query.formats import check_format, stream_lines

        check_format(query.form, fmt)
        engine = self.engine
        bindings = bind_parameters(query, _pairs(params), _Resolver(self), terms=engine.terms)
        written = fmt in engine.streams  # the engine writes the text
        items = engine.stream_select(
            query.text,
            bindings,
            **self._run_options(query, allow_service, allow_from, source, line_offset),
            budget=budget,
            fmt=fmt if written else None,
        )
        if written:
            next(items)  # the variables: the text has its header line
            yield from items
            return
        yield from stream_lines(fmt, next(items), items)

    def query(self, name: str, /, *, allow_service: bool = False, allow_from: bool = False, **params):
        """Run the saved query ``name`` with keyword parameters (a list gives several values).

        Returns :class:`Rows` for a SELECT, ``True``/``False`` for an ASK, an rdflib ``Graph``
        for a CONSTRUCT or DESCRIBE.
        """
        return _answer(self.run(self.saved(name), params, allow_service=allow_service, allow_from=allow_from))

    @staticmethod
    def prepare(text: str, *, name: str = "query", path=None, budget=None) -> tuple[SavedQuery, int]:
        """An ad-hoc query as a :class:`SavedQuery` with the project prefixes declared, and the
        number of lines that added (for error line numbers). With a ``budget``
        (:class:`laokg.query.budget.Budget`), the text is parsed and checked within it: in its
        worker, under its deadline and memory cap (what the command line does)."""
        from laokg.query.catalogue import parse_saved_query
        from laokg.query.engines import with_project_prefixes

        full, offset = with_project_prefixes(text)
        if budget is not None:
            from laokg.query.precompute import facts_within

            facts_within(full, budget, str(path) if path else name, offset)
        sq = parse_saved_query(full, name=name, path=path, line_offset=offset)
        sq.text = full
        return sq, offset

    def sparql(self, text: str, /, *, allow_service: bool = False, allow_from: bool = False, **params):
        """Run ad-hoc, read-only SPARQL (project prefixes declared; ``?_name`` parameters bound
        from keywords). Returns what :meth:`query` returns."""
        sq, offset = self.prepare(text)
        return _answer(
            self.run(sq, params, allow_service=allow_service, allow_from=allow_from, source="query", line_offset=offset)
        )

    # ------------------------------------------------------------ things and their evidence

    def resolve(self, thing: str) -> URIRef:
        """An IRI, a CURIE (``kg:mlsw``) or a label (``"MLSW"``) -> the IRI it names."""
        from laokg.query.entity import resolve

        return resolve(self.view, str(thing), self.labels)

    def show(self, thing: str) -> Card:
        """Everything about one thing, as ``laokg show THING --format json`` gives it (a dict,
        shown as a card in Jupyter).

        A label that names several things picks a thing over a vocabulary concept (``"Ministry"``:
        a ministry, not the institution type "ministry"), an exact label over a prefix, then the
        first by label; when it had to choose, ``card.note`` says so and ``card.alternatives``
        lists the others (a ``UserWarning`` too). An IRI or CURIE is never second-guessed."""
        import json

        from laokg.query.entity import card, render_json

        iri, note, others = self._choose(str(thing))
        data = Card(json.loads(render_json(self.view, card(self.view, iri, self.labels), self.labels)))
        data.note, data.alternatives = note, others
        data.property_labels = {
            item["property"]: self._property_label(item["property"])
            for key in ("properties",)
            for item in data.get(key, [])
        }
        data.property_labels.update(
            {p: self._property_label(p) for ev in data.get("evidence", []) for p in ev.get("asserted_properties", [])}
        )
        if note:
            import warnings

            warnings.warn(note, UserWarning, stacklevel=2)
        return data

    def _property_label(self, short: str) -> str | None:
        from laokg.query.parameters import expand_iri

        try:
            iri = expand_iri(short)
        except Exception:
            return None
        return self.labels.label(iri) if iri is not None else None

    def _choose(self, text: str):
        """``(iri, note, alternatives)`` for :meth:`show`: see there."""
        from rdflib import RDF, SKOS

        from laokg.errors import ParameterError
        from laokg.labels import curie
        from laokg.query.entity import supported
        from laokg.query.parameters import expand_iri

        try:
            if expand_iri(text) is not None:
                return self.resolve(text), None, []
        except ParameterError:
            return self.resolve(text), None, []
        graph, index = self.view, self.labels

        def concept(s) -> bool:
            return bool({SKOS.Concept, SKOS.ConceptScheme} & set(graph.objects(s, RDF.type)))

        hits = [(rank, s) for rank, s, _ in index.search(text) if not supported(graph, s)]
        exact = [s for rank, s in hits if rank == "exact"]
        things = [s for s in exact if not concept(s)] or [s for rank, s in hits if rank == "prefix" and not concept(s)]
        if not things or (len(exact) == 1 and things == exact):
            return self.resolve(text), None, []  # one exact match, or none: as `laokg show`
        chosen, rest = things[0], [s for s in things[1:]] + [s for s in exact if s not in things]
        others = [(curie(s), index.label(s) or "") for s in rest]
        how = "names" if chosen in exact else "begins the names of"
        listed = "; ".join(
            f"{label} ({short})" + (" — a vocabulary concept" if concept(s) else "")
            for s, (short, label) in zip(rest, others, strict=False)
        )
        note = (
            f"{text!r} {how} several things; showing {index.label(chosen)} ({curie(chosen)}), "
            f"a thing rather than a vocabulary concept. Others: {listed}"
        )
        return chosen, note, others

    def trace(self, thing: str | None = None, *, source: str | None = None) -> Trace | SourceTrace:
        """Where ``thing`` comes from (:class:`~laokg.provenance.trace.Trace`), or, with
        ``source=``, every node that rests on that work
        (:class:`~laokg.provenance.trace.SourceTrace`)."""
        from laokg.errors import InputError
        from laokg.provenance import trace as tr

        if (thing is None) == (source is None):
            raise InputError("give either a thing or source=WORK")
        view, labels = self.view, self.labels
        if source is not None:
            return tr.trace_source(view, self.resolve(source), labels)
        assert thing is not None  # exactly one of thing and source is given (checked above)
        return tr.trace_entity(view, self.resolve(thing), labels)  # print() shows what `laokg trace` prints

    # ------------------------------------------------------------ checks

    def validate(self) -> ValidationResult:
        """SHACL validation against ``ontology/shapes.ttl`` (``.conforms``, ``.results``, ``.counts()``)."""
        from laokg.graph.load import load_shapes
        from laokg.graph.validate import run_shacl

        return run_shacl(self.graph, load_shapes(self.root))

    def audit(self, rules: Iterable[str] | None = None) -> AuditReport:
        """The source audit (``queries/audit/``), optionally only the rules with these ids."""
        from laokg.provenance import audit as au

        only = list(rules) if rules else None
        if self.engine_name != "rdflib" and not self._by_query:  # as `laokg audit` (same report)
            return au.audit_project(self._root_arg, self.data, only)
        return au.audit(self.graph, au.load_rules(au.rules_dir(self.root)), only)

    def stats(self) -> dict:
        """The counts ``laokg stats --format json`` prints."""
        import json

        from laokg.graph.stats import format_json, stats

        with self._view():
            return json.loads(format_json(stats(self.root, self.data)))


class Card(dict):
    """An entity card (:meth:`KnowledgeGraph.show`): the dict ``laokg show --format json``
    prints, shown as a card in Jupyter. ``note`` says how a label was resolved when it named
    several things (else None); ``alternatives`` lists the others as ``(curie, label)``."""

    note: str | None = None
    alternatives: list = []
    property_labels: dict = {}

    def _repr_html_(self) -> str:
        from laokg.query.html import card_html

        return card_html(self, self.property_labels, self.note)


class _Resolver:
    """Labels -> IRIs for parameter binding, with the class checks of laokg.query.parameters."""

    def __init__(self, kg: KnowledgeGraph):
        self.kg = kg

    def __call__(self, text: str):
        return self.kg._candidates(text)

    def types(self, iri) -> set:
        from rdflib import RDF, URIRef

        if self.kg._by_query:
            res = self.kg.engine.run(
                "SELECT DISTINCT ?type WHERE { ?_thing_iri a ?type }",
                {"_thing_iri": [URIRef(iri)]},
                source="type lookup",
            )
            return {r["type"] for r in res.rows if "type" in r}
        if self.kg._store_lookup:
            return self.kg._store_engine().types(iri)
        return set(self.kg.graph.objects(iri, RDF.type))

    def labels_of(self, iris) -> dict:
        """``{iri: [labels, preferred first]}`` for these IRIs (an IRI without a label maps to [])."""
        iris = list(dict.fromkeys(i for i in iris if i is not None))
        if not iris:
            return {}
        from laokg.query.binding import sparql_term

        text = (
            "SELECT ?thing ?p ?label WHERE { VALUES ?thing { "
            + " ".join(sparql_term(i) for i in iris)
            + " } VALUES ?p { "
            + _LABEL_VALUES
            + " } ?thing ?p ?label . FILTER(isLiteral(?label)) }"
        )
        return _labels_by_thing({i: [] for i in iris}, self._rows(text, "label lookup"))

    def of_class(self, classes) -> dict:
        """``{iri: [labels, preferred first]}`` of every thing of one of ``classes``."""
        from laokg.query.binding import sparql_term

        text = (
            "SELECT ?thing ?p ?label WHERE { VALUES ?class { "
            + " ".join(sparql_term(c) for c in sorted(classes, key=str))
            + " } ?thing a ?class . FILTER(isIRI(?thing)) OPTIONAL { VALUES ?p { "
            + _LABEL_VALUES
            + " } ?thing ?p ?label . FILTER(isLiteral(?label)) } }"
        )
        return _labels_by_thing({}, self._rows(text, "class lookup"))

    def _rows(self, text: str, source: str) -> list[dict]:
        """The rows of one of the lookups above (a fixed query over checked IRIs): on the built
        store straight from Oxigraph (no query checks, so no SPARQL parser is loaded), else
        through the engine."""
        if self.kg._store_lookup:
            from laokg.query.oxigraph import to_rdflib

            return [
                {v: to_rdflib(s[v]) for v in ("thing", "p", "label") if s[v] is not None}
                for s in self.kg._store_engine().store.query(text)
            ]
        return self.kg.engine.run(text, source=source).rows

    def near(self, text: str, classes) -> list:
        """Up to 8 things of ``classes`` whose label contains ``text`` (else all of them, if few)."""
        if self.kg._by_query:
            return []
        from rdflib import RDF

        graph, index = self.kg._lookup_graph(), self.kg.labels
        of_class = {s for c in classes for s in graph.subjects(RDF.type, c)}
        hits = [s for _, s, _ in index.search(text) if s in of_class]
        if not hits and len(of_class) <= 8:
            hits = sorted(of_class, key=str)
        seen, out = set(), []
        for s in hits:
            if s not in seen:
                seen.add(s)
                out.append((s, index.label(s) or ""))
        return out[:8]


_LABEL_VALUES = " ".join(
    f"<{p}>"
    for p in (
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://purl.org/dc/terms/title",
        "https://schema.org/name",
        "http://www.w3.org/2004/02/skos/core#altLabel",
    )
)
# (laokg.labels.LABEL_PROPERTIES, best first; written out so that this module imports no rdflib)


def _labels_by_thing(out: dict, rows) -> dict:
    """Rows of ``?thing ?p ?label`` -> ``{thing: [labels]}``, in the order of
    :data:`laokg.labels.LABEL_PROPERTIES`, English first, then alphabetically; each label once."""
    rank = {p[1:-1]: i for i, p in enumerate(_LABEL_VALUES.split())}
    found: dict = {}
    for row in rows:
        thing = row.get("thing")
        if thing is None:
            continue
        out.setdefault(thing, [])
        label = row.get("label")
        if label is not None:
            found.setdefault(thing, []).append(
                (rank.get(str(row.get("p")), 9), getattr(label, "language", None) not in (None, "en"), str(label))
            )
    for thing, entries in found.items():
        out[thing] = list(dict.fromkeys(text for *_, text in sorted(entries)))
    return out


def _answer(result: QueryResult):
    if result.form == "ASK":
        return bool(result.boolean)
    if result.form == "SELECT":
        return Rows(({v: row.get(v) for v in result.vars} for row in result.rows), result.vars)
    return result.graph


def open(
    root=None,
    *,
    data: Iterable[str] = (),
    endpoint: str | None = None,
    timeout: float | None = None,
    engine: str = "auto",
    as_of=None,
) -> KnowledgeGraph:
    """Open the graph laokg would read: ``root`` if given, else as the CLI chooses it
    (``$LAOKG_ROOT``, a working copy around the current directory, the installed data — see
    docs/install.md). ``data`` adds Turtle files; ``endpoint`` runs queries on a SPARQL 1.1
    endpoint instead of the embedded graph (saved queries and labels come from ``root``);
    ``engine`` picks the embedded engine as ``--engine`` does (auto, rdflib, oxigraph);
    ``as_of`` (a date or ``"YYYY[-MM[-DD]]"``) reads the graph as the sources published by
    then give it, as ``--as-of`` does (docs/time.md)."""
    return KnowledgeGraph(root, data, endpoint, timeout, engine=engine, as_of=as_of)
