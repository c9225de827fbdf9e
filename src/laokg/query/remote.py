"""The remote engine: any SPARQL 1.1 endpoint, reached by the SPARQL 1.1 Protocol.

A query goes out by one of the three ways the SPARQL 1.1 Protocol allows (``--method``):
``get`` (``?query=`` in the URL), ``post-form`` (an ``application/x-www-form-urlencoded`` body)
or ``post-direct`` (the query itself as an ``application/sparql-query`` body). The default,
``auto``, sends a direct POST and waits at most :data:`PROBE_SECONDS` for the status line; an
endpoint that does not answer it in time (Virtuoso 7.2 never answers a direct POST), or answers
405/415/501 (method or media type not supported) or 414 (URL too long), is asked again by the
next way (form POST, then GET) within the same total deadline, and the way that answered is
remembered for that endpoint for the rest of the process. SPARQLWrapper builds the POST
requests (:func:`protocol_request`); :func:`laokg.query.transport.request` sends them under
laokg's total deadline, retries, redirect and credential rules.

SELECT/ASK answers are read as SPARQL 1.1 Query Results JSON (a SELECT answer as it arrives,
by :class:`SelectReader`), CONSTRUCT/DESCRIBE answers as N-Triples (a line-based syntax whose
parser fetches nothing). Literals in a store's own form are made canonical or counted for one
warning (:class:`OddLiterals`). :class:`RemoteEngine` is the engine of ``--endpoint``;
:func:`load_or_fetch` gives the data graph from the project or from an endpoint.
"""

from __future__ import annotations

import contextlib
import json
import warnings

from laokg.errors import EndpointError, InputError, QueryError
from laokg.query.transport import (
    DEFAULT_TIMEOUT,
    Deadline,
    NotThisWay,
    RemoteOptions,
    Response,
    mask,
    parse_url,
    request,
    user_agent,
)

AUTO_ORDER = ("post-direct", "post-form", "get")
PROBE_SECONDS = 3.0  # auto: how long the first way may take to send its status line
_WORKING: dict[str, str] = {}  # endpoint URL -> the way that answered (auto), for this process


ACCEPT_RESULTS = "application/sparql-results+json"
ACCEPT_GRAPH = "application/n-triples"


def protocol_request(
    url: str, query: str, accept: str, form: str, method: str = "post-direct"
) -> tuple[str, str, bytes | None, dict[str, str]]:
    """A SPARQL 1.1 Protocol query request: (HTTP method, URL, body, headers) for ``method``
    (``post-direct``, ``post-form`` or ``get``). SPARQLWrapper builds the POST bodies;
    :func:`request` sends them under laokg's deadline, retry, redirect and credential rules
    (SPARQLWrapper's own sending has a per-read timeout only and follows redirects to any
    scheme ``urllib`` knows). The GET URL is built here: SPARQLWrapper appends ``?query=`` even
    to a URL that already has a query string."""
    from urllib.parse import urlencode

    if method == "get":
        joiner = "&" if "?" in url else "?"
        return "GET", url + joiner + urlencode({"query": query}), None, {"Accept": accept, "User-Agent": user_agent()}
    from SPARQLWrapper import POST, POSTDIRECTLY, URLENCODED, SPARQLWrapper

    wrapper = SPARQLWrapper(url, agent=user_agent())
    wrapper.setMethod(POST)
    wrapper.setRequestMethod(POSTDIRECTLY if method == "post-direct" else URLENCODED)
    wrapper.setOnlyConneg(True)  # the format by the Accept header only, no ?format= parameters
    with warnings.catch_warnings():  # its guess of the query form, replaced below
        warnings.simplefilter("ignore")
        wrapper.setQuery(query)
    # laokg parsed the query: the form is known (SPARQLWrapper's regex guess, which strips only
    # every other line of a run of comments, read "addresses" in obstacles.rq's header as ADD)
    wrapper.queryType = form
    wrapper.addCustomHttpHeader("Accept", accept)
    built = wrapper._createRequest()
    body = built.data
    assert body is None or isinstance(body, bytes)  # SPARQLWrapper encodes its POST bodies to bytes
    return "POST", url, body, {name.title(): value for name, value in built.header_items()}


def methods_for(url: str, options: RemoteOptions) -> tuple[str, ...]:
    """The ways to try, in order: the one chosen, or (auto) the one that answered before, else all."""
    if options.method != "auto":
        return (options.method,)
    known = _WORKING.get(url)
    return (known,) if known else AUTO_ORDER


def send_query(
    url: str, query: str, accept: str, form: str, options: RemoteOptions | None = None, **kwargs
) -> Response:
    """Send a query by the way ``options.method`` says (``auto``: probe each way in turn, see the
    module's docstring); every way shares one total deadline."""
    options = options or RemoteOptions()
    if options.timeout <= 0:
        raise EndpointError(f"timeout must be positive, got {options.timeout}")
    ways = methods_for(url, options)
    deadline = Deadline(options.timeout)
    tried = []
    for i, way in enumerate(ways):
        http_method, target, body, headers = protocol_request(url, query, accept, form, way)
        last = i == len(ways) - 1
        left = deadline.left()
        if left <= 0:
            break
        try:
            resp = request(
                target,
                http_method,
                body,
                headers,
                options.with_timeout(left),
                probe=None if last else min(PROBE_SECONDS, left),
                **kwargs,
            )
        except NotThisWay as exc:
            tried.append(f"{way}: {exc.why}")
            continue
        except EndpointError as exc:
            if tried:
                raise EndpointError(f"{exc} (after {'; '.join(tried)})") from None
            raise
        if options.method == "auto":
            _WORKING[url] = way
        return resp
    raise EndpointError(
        f"endpoint {mask(url)}: no complete answer within {options.timeout:g} s (timed out; {'; '.join(tried)})"
    )


def sparql(url: str, query: str, form: str, options: RemoteOptions | None = None, budget=None):
    """Send ``query`` to ``url`` (:func:`send_query`); return parsed rows/boolean (SELECT/ASK) or an rdflib Graph.

    A SELECT answer is read as it arrives (:class:`SelectReader`): its rows are counted against
    the ``budget``'s row cap on the way, and the body is never held whole. Other answers are
    held, and refused past the ``budget``'s memory cap."""
    from laokg.query.engines import QueryResult

    if form == "SELECT":
        vars_: list[str] = []
        rows: list[dict] = []

        def add(row):
            if budget is not None and budget.max_rows is not None and len(rows) >= budget.max_rows:
                from laokg.query.budget import check_rows

                check_rows(len(rows) + 1, budget)
            if budget is not None and not len(rows) % 1024:  # kept rows: stop cleanly at the memory budget
                from laokg.query.budget import check_memory

                check_memory(budget, "endpoint's answer")
            rows.append(row)

        select_rows(url, query, options, vars_.extend, add)
        return QueryResult(form, vars=vars_, rows=rows)
    accept = ACCEPT_RESULTS if form == "ASK" else ACCEPT_GRAPH
    cap = budget.max_memory_mb * 1024 * 1024 if budget is not None and budget.max_memory_mb else None
    resp = send_query(url, query, accept, form, options, max_body=cap)
    with _malformed(url):
        if form == "ASK":
            return results_from_json(resp.body, form)
        return QueryResult(form, graph=graph_from_ntriples(resp.body, resp.content_type))


@contextlib.contextmanager
def _malformed(url: str):
    """An answer that does not read as it should: one EndpointError line."""
    from rdflib.query import ResultException

    try:
        yield
    except (
        ValueError,
        KeyError,
        TypeError,
        UnicodeDecodeError,
        AttributeError,
        NotImplementedError,
        ResultException,
    ) as exc:
        text = " ".join(str(exc).split())
        raise EndpointError(f"endpoint {mask(url)}: malformed answer ({type(exc).__name__}: {text[:120]})") from None


def select_rows(url: str, query: str, options: RemoteOptions | None, on_vars, on_row) -> None:
    """POST the SELECT ``query``; call ``on_vars(names)`` once, then ``on_row(row)`` for each
    solution (a dict of rdflib terms, as :func:`results_from_json` gives) as the answer arrives.
    Literals in a store's own form: booleans 1/0 made canonical, the ill-typed counted for one
    warning (:class:`OddLiterals`)."""
    odd = OddLiterals()
    reader = SelectReader(on_vars, lambda row: on_row({k: odd.check(v) for k, v in row.items()}))

    def sink(chunk: bytes) -> None:
        with _malformed(url), quiet_literals():
            reader.feed(chunk)

    resp = send_query(url, query, ACCEPT_RESULTS, "SELECT", options, sink=sink)
    with _malformed(url), quiet_literals():
        if resp.body:  # not a 2xx answer (request raises for those) or a server without a body
            reader.feed(resp.body)
        reader.finish()
    odd.warn()


class SelectReader:
    """SPARQL 1.1 Query Results JSON read as it arrives, one solution at a time: the bytes go
    in by :meth:`feed`, each solution comes out as soon as it is complete (``on_row``), after
    the variables (``on_vars``), so memory holds one solution, not the answer. The members may
    come in any order (a ``results`` before its ``head`` keeps its rows until the variables
    come). Anything that is not a SELECT answer raises ValueError (or the term parser's own
    error), as :func:`results_from_json` does."""

    _WS = " \t\n\r"

    def __init__(self, on_vars, on_row):
        import codecs

        self.on_vars, self.on_row = on_vars, on_row
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.decode = __import__("json").JSONDecoder().raw_decode
        self.text, self.pos = "", 0
        self.parts: list[str] = []  # text received since the last read, not yet joined
        self.waiting = 0  # its length
        self.state = "start"  # start, key, colon, value, results, rkey, rcolon, rvalue, bindings, row, done
        self.key = None
        self.vars = None
        self.pending: list = []  # rows read before the head
        self.seen_results = False
        self.retry_at = 0  # after an incomplete value: wait until the text has this many characters

    def feed(self, data: bytes) -> None:
        piece = self.decoder.decode(data)
        self.parts.append(piece)
        self.waiting += len(piece)
        if len(self.text) - self.pos + self.waiting < self.retry_at:
            return  # a value still incomplete: read it again only once its text has doubled
        self.text = self.text[self.pos :] + "".join(self.parts)
        self.pos, self.parts, self.waiting, self.retry_at = 0, [], 0, 0
        self._advance(final=False)

    def finish(self) -> None:
        self.parts.append(self.decoder.decode(b"", final=True))
        self.text = self.text[self.pos :] + "".join(self.parts)
        self.pos, self.parts = 0, []
        self._advance(final=True)
        if self.state != "done" or self.text[self.pos :].strip(self._WS):
            raise ValueError("the answer ends before the end of its JSON object")
        if not self.seen_results:
            raise ValueError("no bindings in the answer to a SELECT query")
        if self.vars is None:
            raise ValueError("no variables (head.vars) in the answer")

    # -- the state machine

    def _skip(self) -> bool:
        text, pos, n = self.text, self.pos, len(self.text)
        while pos < n and text[pos] in self._WS:
            pos += 1
        self.pos = pos
        return pos < n

    def _value(self, final: bool):
        """The next JSON value, or None when it is not complete yet (raises if it never can be)."""
        try:
            value, end = self.decode(self.text, self.pos)
        except ValueError:
            if final:
                raise
            self.retry_at = 2 * (len(self.text) - self.pos) + (1 << 12)  # read again once it doubled
            return None
        self.pos = end
        return (value,)

    def _punct(self, allowed: str) -> str | None:
        ch = self.text[self.pos]
        if ch not in allowed:
            raise ValueError(f"unexpected {ch!r} in the answer")
        self.pos += 1
        return ch

    def _advance(self, final: bool) -> None:
        while self.state != "done" and self._skip():
            state = self.state
            if state == "start":
                self._punct("{")
                self.state = "key"
            elif state in ("key", "rkey"):
                ch = self.text[self.pos]
                if ch == "}":
                    self.pos += 1
                    self.state = "done" if state == "key" else "key"
                    continue
                if ch == ",":
                    self.pos += 1
                    continue
                got = self._value(final)
                if got is None:
                    return
                if not isinstance(got[0], str):
                    raise ValueError("a JSON object key is not a string")
                self.key = got[0]
                self.state = "colon" if state == "key" else "rcolon"
            elif state in ("colon", "rcolon"):
                self._punct(":")
                if state == "colon":
                    self.state = "results" if self.key == "results" else "value"
                else:
                    self.state = "bindings" if self.key == "bindings" else "rvalue"
            elif state == "results":
                self._punct("{")
                self.seen_results = True
                self.state = "rkey"
            elif state in ("value", "rvalue"):
                got = self._value(final)
                if got is None:
                    return
                if state == "value":
                    assert self.key is not None  # the "key" state before "value" set it
                    self._member(self.key, got[0])
                self.state = "key" if state == "value" else "rkey"
            elif state == "bindings":
                self._punct("[")
                self.state = "row"
            elif state == "row":
                ch = self.text[self.pos]
                if ch in ",]":
                    self.pos += 1
                    if ch == "]":
                        self.state = "rkey"
                    continue
                got = self._value(final)
                if got is None:
                    return
                self._row(got[0])

    def _member(self, key: str, value) -> None:
        if key == "head":
            if not isinstance(value, dict):
                raise ValueError("head is not an object")
            names = value.get("vars")
            if not isinstance(names, list) or not all(isinstance(v, str) for v in names):
                raise ValueError("no variables (head.vars) in the answer")
            self.vars = names
            self.on_vars(list(names))
            for row in self.pending:
                self.on_row(row)
            self.pending = []
        elif key == "boolean":
            raise ValueError("a boolean answer to a SELECT query")

    def _row(self, binding) -> None:
        from rdflib import Literal
        from rdflib.namespace import XSD
        from rdflib.plugins.sparql.results.jsonresults import parseJsonTerm

        if not isinstance(binding, dict):
            raise ValueError("a solution is not a JSON object")
        row = {}
        for name, term in binding.items():
            if not isinstance(term, dict):
                raise ValueError(f"the value of {name} is not a JSON object")
            value = parseJsonTerm(term)
            if isinstance(value, Literal) and value.datatype == XSD.string:
                value = Literal(str(value))  # as the other engines give it
            row[str(name)] = value
        if self.vars is None:
            self.pending.append(row)
        else:
            self.on_row(row)


def results_from_json(body: bytes, form: str):
    """SPARQL 1.1 Query Results JSON -> QueryResult, parsed by rdflib's JSON result parser;
    ``xsd:string`` literals become plain literals, as the other engines give them. An answer
    of the wrong shape raises ValueError (or the parser's own error)."""
    import io

    from rdflib import Literal
    from rdflib.namespace import XSD
    from rdflib.query import Result

    from laokg.query.engines import QueryResult

    data = json.loads(body.decode("utf-8"))  # rdflib's parser would accept a non-object
    if not isinstance(data, dict):
        raise ValueError("not a SPARQL results object")
    with quiet_literals():
        res = Result.parse(io.BytesIO(body), format="json")
    if form == "ASK" and "boolean" not in data:
        return QueryResult(form, boolean=_ask_as_bindings(data))
    if form == "ASK":
        if res.type != "ASK" or not isinstance(data.get("boolean"), bool):
            raise ValueError("no boolean in the answer to an ASK query")
        return QueryResult(form, boolean=bool(res.askAnswer))
    if res.type != "SELECT":
        raise ValueError("no bindings in the answer to a SELECT query")

    odd = OddLiterals()

    def plain(term):
        if isinstance(term, Literal) and term.datatype == XSD.string:
            return Literal(str(term))
        return odd.check(term)

    with quiet_literals():
        rows = [{str(k): plain(v) for k, v in b.items()} for b in res.bindings]
    odd.warn()
    assert res.vars is not None  # rdflib reads the head's vars of every SELECT answer
    return QueryResult(form, vars=[str(v) for v in res.vars], rows=rows)


def _ask_as_bindings(data: dict) -> bool:
    """Virtuoso 7.2 answers an ASK asked for JSON as one solution of ``?__ASK_RETVAL`` (1 or 0)."""
    try:
        (row,) = data["results"]["bindings"]
        value = row["__ASK_RETVAL"]["value"]
    except (KeyError, TypeError, ValueError):
        raise ValueError("no boolean in the answer to an ASK query") from None
    if value not in ("0", "1", "true", "false"):
        raise ValueError("no boolean in the answer to an ASK query")
    return value in ("1", "true")


@contextlib.contextmanager
def quiet_literals():
    """rdflib logs a traceback for each literal whose lexical form does not fit its datatype;
    :class:`OddLiterals` reports them in one warning instead."""
    import logging

    logger = logging.getLogger("rdflib.term")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(previous)


class OddLiterals:
    """Literals an endpoint returned in an unexpected form. ``xsd:boolean`` 1/0 (valid XSD,
    Virtuoso's form) become the canonical true/false, so answers compare equal across stores;
    a lexical form that is not valid for its datatype (Virtuoso gives ``"P60D"^^xsd:duration``
    as ``"5.184e+06"``) is kept as the endpoint gave it and counted for one warning."""

    def __init__(self):
        self.count, self.first = 0, None

    def check(self, term):
        from rdflib import Literal
        from rdflib.namespace import XSD

        if not isinstance(term, Literal) or term.datatype is None:
            return term
        if term.datatype == XSD.boolean and str(term) in ("0", "1"):
            return Literal("true" if str(term) == "1" else "false", datatype=XSD.boolean)
        if getattr(term, "ill_typed", False):
            self.count += 1
            if self.first is None:
                self.first = term
        return term

    def check_graph(self, graph):
        with quiet_literals():
            for o in graph.objects():
                self.check(o)
        self.warn()

    def warn(self, where: str = "the endpoint") -> None:
        if not self.count or self.first is None:  # the first is kept when the count goes up
            return
        from laokg.errors import escape_control

        shown = self.first.n3()
        shown = escape_control(shown[:80] + ("…" if len(shown) > 80 else ""))
        warnings.warn(
            f"{where} returned {self.count:,} literal{'s' if self.count != 1 else ''} whose form is not "
            f"valid for its datatype (first: {shown}); kept as given",
            RemoteLiteralWarning,
            stacklevel=2,
        )


class RemoteLiteralWarning(UserWarning):
    """An endpoint returned literals in a form their datatype does not allow."""


def graph_from_ntriples(body: bytes, content_type: str = ACCEPT_GRAPH):
    """Parse an N-Triples (or Turtle, if the server insists) answer; anything else is refused."""
    from rdflib import Graph

    from laokg.namespaces import bind_prefixes

    fmt = {
        "application/n-triples": "nt",
        "text/plain": "nt",
        "text/turtle": "turtle",
        "application/turtle": "turtle",
        "application/x-turtle": "turtle",
    }.get(content_type)
    if fmt is None:
        raise ValueError(f"unexpected content type {content_type or 'none'!r} (asked for N-Triples)")
    text = body.decode("utf-8")
    if fmt == "nt" and text and not text.endswith("\n"):
        raise ValueError("the answer ends in the middle of a line (truncated)")
    g = bind_prefixes(Graph())
    try:
        with quiet_literals():
            g.parse(data=text, format=fmt)
    except Exception as exc:  # rdflib's parsers raise several unrelated classes
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    OddLiterals().check_graph(g)
    return g


GRAPH_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def fetch_graph(url: str, options: RemoteOptions | None = None):
    """The endpoint's whole default graph, by one CONSTRUCT (what `show`, `stats` ... read)."""
    return sparql(url, GRAPH_QUERY, "CONSTRUCT", options).graph


class RemoteEngine:
    """A SPARQL 1.1 endpoint; parameters go in as a VALUES block built from escaped terms."""

    def __init__(self, url: str, timeout: float | RemoteOptions = DEFAULT_TIMEOUT):
        self.options = timeout if isinstance(timeout, RemoteOptions) else RemoteOptions(timeout=timeout)
        if self.options.timeout <= 0:
            raise EndpointError(f"endpoint timeout must be positive, got {self.options.timeout}")
        parse_url(url)
        self.url = url
        self.timeout = self.options.timeout
        self.name = "remote"
        self.writes: tuple[str, ...] = ()  # the answer is read into rdflib terms
        self.streams: tuple[str, ...] = ()
        self.terms = "rdflib"
        self.remote = True

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
        budget=None,
        fmt: str | None = None,
    ):
        """Run ``text`` on the endpoint. With a ``budget`` (the command line's), the query is
        checked, sent and its answer read in a worker process within the budget's memory cap
        (:mod:`laokg.query.budget`), its rows counted against the row cap as they arrive."""
        if fmt is not None:
            raise QueryError(f"the {self.name} engine writes no format itself ({fmt} asked)")
        options = self._options(timeout)

        def call():
            parsed = self._prepare(text, bindings, allow_service, allow_from, source, line_offset)
            return sparql(self.url, parsed.text, parsed.form, options, budget)

        if budget is None or budget.in_process:
            return call()
        from laokg.query.budget import run_budgeted
        from laokg.query.interface import portable, unportable

        kind, payload = run_budgeted(lambda: portable(call()), _worker_budget(budget, options), "endpoint's answer")
        return unportable(kind, payload)

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
        budget,
        batch: int = 512,
        fmt: str | None = None,
    ):
        """A SELECT whose answer is read in a budgeted worker and passed on as it arrives: yields
        the variable list first, then lists of at most ``batch`` rows (as :meth:`run`'s rows),
        so neither process holds the whole answer (an endpoint's answer of a million rows is
        written within ``--max-memory``)."""
        from laokg.query.budget import check_rows, stream_budgeted

        if fmt is not None:
            raise QueryError(f"the {self.name} engine streams rows, not {fmt} text")

        options = self._options(timeout)

        def produce(send) -> None:
            parsed = self._prepare(text, bindings, allow_service, allow_from, source, line_offset)
            if parsed.form != "SELECT":
                raise QueryError(f"{source}: only SELECT results are streamed")
            pending: list = []
            count = 0

            def row(value):
                nonlocal pending, count
                count += 1
                check_rows(count, budget)
                pending.append(value)
                if len(pending) >= batch:
                    send(pending)
                    pending = []

            select_rows(self.url, parsed.text, options, send, row)
            if pending:
                send(pending)

        return stream_budgeted(produce, _worker_budget(budget, options), "endpoint's answer")

    def _options(self, timeout) -> RemoteOptions:
        options = self.options
        if timeout is not None and timeout != options.timeout:
            options = options.with_timeout(timeout)
        return options

    @staticmethod
    def _prepare(text, bindings, allow_service, allow_from, source, line_offset):
        """The checked query with its parameters in VALUES blocks (checked again once there)."""
        from laokg.query.interface import prepare_query

        return prepare_query(
            text, bindings, allow_service=allow_service, allow_from=allow_from, source=source, line_offset=line_offset
        ).parsed


#: the worker reading an endpoint's answer is stopped this long after the endpoint's own
#: deadline, so that the deadline's message (naming the endpoint) is the one shown
_WORKER_GRACE = 5.0


def _worker_budget(budget, options: RemoteOptions):
    from dataclasses import replace

    return replace(budget, timeout=options.timeout + _WORKER_GRACE)


def load_or_fetch(
    root=None, data=(), endpoint: str | None = None, *, timeout=None, retries=None, user=None, headers=(), method=None
):
    """The graph a command reads: the project's files (plus ``data``), or with ``endpoint``
    the endpoint's whole default graph, fetched by one CONSTRUCT."""
    if not endpoint:
        from laokg.graph.load import load_data_graph

        return load_data_graph(root, data)
    if data:
        raise InputError("--data adds files to the local graph; it cannot be combined with --endpoint")
    return fetch_graph(endpoint, RemoteOptions.from_cli(timeout, retries, user, headers, method))
