"""Read-only, no-fetch guarantees for every query laokg runs.

The checks work on rdflib's parse of the query and its SPARQL algebra, never on the raw
text, so comments, string literals, letter case or prefixed names cannot hide anything
(a saved query whose exact text ``laokg build`` parsed and checked is not parsed again: the
facts of that parse are read from the release, :mod:`laokg.query.facts`):

* an update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, ADD, MOVE, COPY) does not parse as a
  query; if it parses as an update it is refused with :class:`UnsafeQueryError`;
* a ``SERVICE`` pattern anywhere (also inside ``OPTIONAL``, ``MINUS``, sub-queries,
  ``FILTER EXISTS``) is refused unless ``allow_service``;
* ``FROM``/``FROM NAMED`` dataset clauses are refused unless ``allow_from``.

:func:`no_fetch` is the second line of defence for the embedded engine: while it is active,
rdflib's ``SPARQL_LOAD_GRAPHS`` is off and an audit hook refuses every outbound
``urllib`` request and socket connection made from that thread.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading

from laokg.errors import LimitExceeded, QueryError, UnsafeQueryError
from laokg.query import facts as query_facts

# rdflib's SPARQL parser (pyparsing) is imported where a query is parsed: a saved query whose
# facts the build stored (laokg.query.facts) is checked without it.

#: The deepest nesting of ``{ }``, ``( )`` and ``[ ]`` (together) a query may have. rdflib's
#: parser recurses about 40 Python frames per level of parentheses and overflows the stack
#: at ~25; real queries stay far below (the saved queries reach 14). See docs/limits.md.
MAX_NESTING = 20

FORMS = {"SelectQuery": "SELECT", "ConstructQuery": "CONSTRUCT", "AskQuery": "ASK", "DescribeQuery": "DESCRIBE"}

#: rdflib update operation names -> the SPARQL keyword a user wrote.
_UPDATE_NAMES = {
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
}


class ParsedQuery:
    """A query that parsed: its text, SPARQL form and variables, and (made on first use) its
    parse tree and translated rdflib Query.

    Made either by rdflib's parser, or from the facts the build stored for exactly this text
    (:mod:`laokg.query.facts`); then the tree and the rdflib Query are parsed only if asked for
    (the rdflib engine asks; the Oxigraph engine and the checks do not).
    """

    def __init__(self, text: str, form: str, variables: list[str], *, tree=None, query=None, facts: dict | None = None):
        self.text = text
        self.form = form
        self.variables = variables  # every variable, in order of first appearance in the text
        self._tree = tree  # note: rdflib's translation rewrites parts of it (filters move out)
        self._query = query
        self.facts = facts

    def _full(self) -> None:
        full = _PARSED.get(self.text)
        if full is None:
            full = _remember(self.text, _parse_query(self.text, "query", 0))
        self._tree, self._query = full._tree, full._query

    @property
    def tree(self):
        if self._tree is None:
            self._full()
        return self._tree

    @property
    def query(self):
        if self._query is None:
            self._full()
        return self._query

    @property
    def select_star(self) -> bool:
        if self.facts is not None:
            return bool(self.facts["select_star"])
        return self.form == "SELECT" and "projection" not in self.tree[1]

    @property
    def dataset_clause(self) -> list:
        if self.facts is not None:
            return [{"named" if kind == "FROM NAMED" else "default": iri} for kind, iri in self.facts["dataset"]]
        return list(self.query.algebra.get("datasetClause") or [])

    def services(self) -> list[str]:
        """The endpoint of every SERVICE pattern in the algebra (as written)."""
        if self.facts is not None:
            return list(self.facts["services"])
        return [
            str(node.get("term")) for node in walk_algebra(self.query.algebra) if node.name == "ServiceGraphPattern"
        ]

    @property
    def graph_patterns(self) -> bool:
        """Whether the query has a ``GRAPH`` pattern."""
        if self.facts is not None:
            return bool(self.facts["graph_patterns"])
        return any(node.name == "Graph" for node in walk_algebra(self.query.algebra))


def _from_facts(text: str) -> ParsedQuery | None:
    facts = query_facts.lookup(text)
    if facts is None:
        return None
    try:
        return ParsedQuery(text, facts["form"], list(facts["variables"]), facts=facts)
    except (KeyError, TypeError):
        return None


def _syntax_error(exc, source: str, line_offset: int = 0) -> QueryError:
    line = max(1, exc.lineno - line_offset)
    near = exc.line.strip()
    near = (near[:60] + "…") if len(near) > 60 else near
    return QueryError(f"{source}:{line}:{exc.col}: SPARQL syntax error near '{near}'")


#: text -> ParsedQuery of the queries this process parsed: a saved query is parsed once per
#: run (by the catalogue, then reused by the engine), not once per use. Only successes are kept.
_PARSED: dict[str, ParsedQuery] = {}
_PARSED_MAX = 512


_OPEN, _CLOSE = "{([", "})]"


def nesting_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of ``{ ( [`` in a SPARQL text and the (1-based) line where it is
    first reached. Strings, IRIs and comments are skipped, so brackets inside them don't count.
    """
    depth = best = 0
    best_line = line = 1
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
        elif ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch in "'\"":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                if len(quote) == 1 and text[j] == "\n":
                    break
                j += 2 if text[j] == "\\" else 1
            line += text.count("\n", i, j)
            i = j + len(quote)
            continue
        elif ch == "<":
            end = i + 1
            while end < n and text[end] not in '<>"{}|^`\\' and text[end] > " ":
                end += 1
            if end < n and text[end] == ">":  # an IRI (else a less-than sign)
                i = end + 1
                continue
        elif ch in _OPEN:
            depth += 1
            if depth > best:
                best, best_line = depth, line
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        i += 1
    return best, best_line


def check_nesting(text: str, source: str = "query", line_offset: int = 0) -> None:
    """Refuse a query nested deeper than :data:`MAX_NESTING` levels, with one clear line."""
    depth, line = nesting_depth(text)
    if depth > MAX_NESTING:
        raise LimitExceeded(
            f"{source}:{max(1, line - line_offset)}: query nested {depth} levels deep; laokg allows "
            f"{MAX_NESTING} levels of {{ }}, ( ) and [ ] (rewrite it flatter)"
        )


def parse_query(text: str, source: str = "query", line_offset: int = 0, *, fresh: bool = False) -> ParsedQuery:
    """Parse and translate a SPARQL query; refuse updates; raise QueryError on syntax errors.

    ``line_offset`` is subtracted from reported line numbers (for prepended prologue lines).
    The result is memoised by text (rdflib's translated queries are reusable, as with
    ``prepareQuery``). A query nested deeper than :data:`MAX_NESTING` is refused before parsing.
    A saved query whose facts the build stored is not parsed (:mod:`laokg.query.facts`) unless
    ``fresh``.
    """
    parsed = None if fresh else (_PARSED.get(text) or _from_facts(text))
    if parsed is None:
        check_nesting(text, source, line_offset)
        try:
            parsed = _parse_query(text, source, line_offset)
        except RecursionError:
            raise LimitExceeded(
                f"{source}: query nested too deeply for the SPARQL parser (laokg allows {MAX_NESTING} levels)"
            ) from None
        _remember(text, parsed)
    return parsed


def _remember(text: str, parsed: ParsedQuery) -> ParsedQuery:
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[text] = parsed
    return parsed


def _parse_query(text: str, source: str, line_offset: int) -> ParsedQuery:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser as sparql_parser
    from rdflib.plugins.sparql.algebra import translateQuery

    try:
        tree = sparql_parser.parseQuery(text)
    except ParseBaseException as exc:
        try:
            update = sparql_parser.parseUpdate(text)
        except (ParseBaseException, ValueError):
            raise _syntax_error(exc, source, line_offset) from None
        ops = [_UPDATE_NAMES.get(getattr(r, "name", ""), str(getattr(r, "name", "update"))) for r in update.request]
        raise UnsafeQueryError(
            f"{source}: refused: {', '.join(dict.fromkeys(ops)) or 'update'} would change data; "
            "laokg runs read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)"
        ) from None
    except ValueError as exc:  # e.g. a bad \\u escape
        raise QueryError(f"{source}: SPARQL syntax error: {exc}") from None
    form = FORMS.get(tree[1].name)
    if form is None:  # pragma: no cover - the grammar only yields the four forms
        raise QueryError(f"{source}: unsupported query form {tree[1].name}")
    variables = query_variables(tree)  # before translateQuery mutates the tree
    try:
        query = translateQuery(tree)
    except RecursionError:
        raise  # parse_query says: nested too deeply
    except Exception as exc:  # rdflib raises bare Exceptions for unknown prefixes etc.
        raise QueryError(f"{source}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    return ParsedQuery(text, form, variables, tree=tree, query=query)


def query_variables(tree) -> list[str]:
    """Every variable name in an rdflib SPARQL parse tree, in order of first appearance."""
    from rdflib import Variable

    seen: dict[str, None] = {}

    def walk(node):
        if isinstance(node, Variable):
            seen.setdefault(str(node))
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            for v in node:
                walk(v)

    walk(tree)
    return list(seen)


def walk_algebra(node):
    """Yield every CompValue in an algebra tree, including inside expressions (EXISTS)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    seen: set[int] = set()
    while stack:
        cur = stack.pop()
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, CompValue):
            yield cur
            stack.extend(v for k, v in cur.items() if k != "_vars")
        elif isinstance(cur, dict):
            stack.extend(cur.values())
        elif isinstance(cur, (list, tuple)) or type(cur).__name__ == "ParseResults":
            stack.extend(cur)


def check_query(
    text: str,
    *,
    allow_service: bool = False,
    allow_from: bool = False,
    source: str = "query",
    line_offset: int = 0,
) -> ParsedQuery:
    """Parse ``text`` and refuse what laokg does not run without permission."""
    parsed = parse_query(text, source, line_offset)
    if not allow_service:
        services = parsed.services()
        if services:
            raise UnsafeQueryError(
                f"{source}: refused: SERVICE {services[0]} would query another endpoint; "
                "pass --allow-service to allow federated queries"
            )
    if not allow_from and parsed.dataset_clause:
        d = parsed.dataset_clause[0]
        kind, iri = ("FROM NAMED", d["named"]) if "named" in d else ("FROM", d["default"])
        raise UnsafeQueryError(
            f"{source}: refused: {kind} <{iri}> would load a graph from the network or disk; "
            "pass --allow-from to allow it"
        )
    return parsed


# ---------------------------------------------------------------- no-fetch guard

_guard_active: contextvars.ContextVar[bool] = contextvars.ContextVar("laokg_no_fetch", default=False)
_hook_lock = threading.Lock()
_hook_installed = False
_load_graphs_lock = threading.RLock()
_BLOCKED_EVENTS = {"urllib.Request", "socket.connect", "socket.getaddrinfo"}


class FetchBlocked(RuntimeError):
    """Raised inside rdflib when it tries to fetch while fetching is not allowed."""


def _audit(event: str, args) -> None:
    if event in _BLOCKED_EVENTS and _guard_active.get():
        raise FetchBlocked(f"laokg refused a network access ({event}) during query evaluation")


def _install_hook() -> None:
    global _hook_installed
    with _hook_lock:
        if not _hook_installed:
            sys.addaudithook(_audit)
            _hook_installed = True


@contextlib.contextmanager
def no_fetch(allow_service: bool = False, allow_from: bool = False):
    """Evaluate rdflib queries inside this block without any network or disk fetch.

    ``SPARQL_LOAD_GRAPHS`` is switched off unless ``allow_from``; outbound connections are
    refused (audit hook, this thread only) unless ``allow_service`` or ``allow_from``.
    """
    import rdflib.plugins.sparql as rsparql

    block_network = not (allow_service or allow_from)
    if block_network:
        _install_hook()
    with _load_graphs_lock:
        saved = rsparql.SPARQL_LOAD_GRAPHS
        rsparql.SPARQL_LOAD_GRAPHS = bool(allow_from)
        token = _guard_active.set(block_network)
        try:
            yield
        finally:
            _guard_active.reset(token)
            rsparql.SPARQL_LOAD_GRAPHS = saved
