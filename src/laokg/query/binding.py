"""Parameter values -> typed RDF terms, and how those terms reach the query.

Values are never spliced into the query text. They become rdflib terms (an IRI, a typed or
language-tagged literal) after validation, and reach the engine either as rdflib
``initBindings`` (embedded engine, one value per parameter) or as a ``VALUES`` block
(several values, or a remote endpoint) that :func:`inject_values` builds from escaped terms
and inserts as the first element of the query's top-level ``WHERE`` group. The rewritten
query is parsed again and its parse tree compared with the original: the only difference
allowed is the ``VALUES`` blocks, holding exactly the intended terms.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable

from laokg.errors import ParameterError, QueryError
from laokg.lazyre import LazyPattern
from laokg.prefixes import XSD_STRING
from laokg.query.catalogue import SavedQuery
from laokg.query.parameters import (
    BAD_IRI_CHARS,
    IRI_SCHEME,
    Resolver,
    coerce,
    expanded_iri,
    expected_classes,
    show_term,
    shown,
    term_kit,
)


def _is_label(value: str) -> bool:
    """Whether an IRI parameter's value is a label (not an IRI or CURIE, nor empty)."""
    try:
        return bool(value.strip()) and expanded_iri(value) is None
    except ParameterError:
        return False  # a malformed IRI: coerce says what is wrong with it


def _listed(terms: list, resolver) -> str:
    """Allowed values for an error: ``label (curie)`` where the resolver knows labels."""
    from rdflib import URIRef

    terms = [URIRef(t.value) if _kind(t) == "iri" and not isinstance(t, URIRef) else t for t in terms]
    labels_of = getattr(resolver, "labels_of", None)
    pool = labels_of([t for t in terms if isinstance(t, URIRef)]) if labels_of is not None else {}
    return ", ".join(f"{pool[t][0]} ({show_term(t)})" if pool.get(t) else show_term(t) for t in terms)


def bind_parameters(
    sq: SavedQuery,
    given: Iterable[tuple[str, str]],
    resolver: Resolver | None = None,
    terms: str | None = None,
) -> dict[str, list]:
    """Validate ``(name, value)`` pairs against ``sq`` -> {variable name: [terms]}: rdflib terms,
    or with ``terms="oxigraph"`` (an engine's :attr:`~laokg.query.interface.Engine.terms`)
    pyoxigraph's.

    Several pairs with the same name give several values. Defaults fill parameters not given;
    a required parameter without value, an unknown name, an ill-typed value or one outside the
    ``enumerate`` list raise ParameterError with one line saying what is allowed.
    """
    by_name = {p.name: p for p in sq.parameters}
    values: dict[str, list[str]] = {}
    for name, value in given:
        p = by_name.get(name)
        if p is None:
            # accept the variable spelling too (?_type_iri, _type_iri)
            p = next((q for q in sq.parameters if name.lstrip("?$") == q.variable), None)
        if p is None:
            takes = "; ".join(q.describe() for q in sq.parameters) if sq.parameters else "no parameters"
            raise ParameterError(f"query '{sq.name}': unknown parameter '{name}' (it takes: {takes})")
        values.setdefault(p.name, []).append(value)
    result: dict[str, list] = {}
    found: dict = {}
    kit = term_kit(terms)

    def classes() -> dict:  # the classes the query states for its IRI parameters: read only for a label
        if "classes" not in found:
            found["classes"] = (
                expected_classes(sq.text)
                if resolver is not None and (getattr(resolver, "types", None) or getattr(resolver, "of_class", None))
                else {}
            )
        return found["classes"]

    for p in sq.parameters:
        raw = values.get(p.name) or list(p.defaults)
        if not raw:
            if p.required:
                takes = "; ".join(q.describe() for q in sq.parameters)
                raise ParameterError(
                    f"query '{sq.name}': missing required parameter '{p.name}' "
                    f"(give -p {p.name}=VALUE; it takes: {takes})"
                )
            continue
        bound: list = []
        for v in raw:
            if p.type.kind == "iri" and _is_label(v):
                term = coerce(p, v, resolver, sq.name, classes().get(p.variable), kit=kit)  # a label
            else:
                term = coerce(p, v, resolver, sq.name, kit=kit)
            if p.allowed:
                allowed = [coerce(p, a, kit=kit) for a in p.allowed]
                if term not in allowed:
                    raise ParameterError(
                        f"query '{sq.name}': parameter '{p.name}' must be one of: "
                        f"{_listed(allowed, resolver)} (got {shown(v)})"
                    )
            if term not in bound:
                bound.append(term)
        result[p.variable] = bound
    return result


# ---------------------------------------------------------------- VALUES injection

_ECHAR = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _kind(term) -> str | None:
    """ "iri", "literal" or None, for an rdflib or a pyoxigraph term (read without importing
    either library: a term's class says which it is)."""
    module = type(term).__module__.split(".")[0]
    name = type(term).__name__
    if module == "rdflib":
        from rdflib import Literal, URIRef

        return "iri" if isinstance(term, URIRef) else "literal" if isinstance(term, Literal) else None
    if module == "pyoxigraph":
        return {"NamedNode": "iri", "Literal": "literal"}.get(name)
    return None


def _parts(term) -> tuple[str, str | None, str | None]:
    """(text, language, datatype IRI) of a literal of either library."""
    if type(term).__module__.split(".")[0] == "pyoxigraph":
        return term.value, term.language, (None if term.language else term.datatype.value)
    return str(term), term.language, (str(term.datatype) if term.datatype is not None else None)


def sparql_term(term) -> str:
    """An RDF term (rdflib's or pyoxigraph's) as SPARQL/N-Triples syntax, on one line, with
    every special character escaped.

    IRIs are written ``<iri>`` after checking they contain no character IRIREF forbids.
    Literals are escaped here rather than with rdflib's ``Literal.n3()``, which writes raw tabs
    (rdflib's query parser turns them into spaces) and uses triple quotes for newlines.
    """
    kind = _kind(term)
    if kind == "iri":
        iri = term.value if type(term).__module__.split(".")[0] == "pyoxigraph" else str(term)
        bad = BAD_IRI_CHARS.search(iri)
        if bad or not IRI_SCHEME.match(iri):
            raise ParameterError(f"'{iri}' is not a valid absolute IRI")
        return f"<{iri}>"
    if kind == "literal":
        text, language, datatype = _parts(term)
        body = '"' + "".join(_ECHAR.get(ch, ch) for ch in text) + '"'
        if language:
            if not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", language):
                raise ParameterError(f"'{language}' is not a valid language tag")
            return body + "@" + language
        if datatype and datatype != XSD_STRING:
            bad = BAD_IRI_CHARS.search(datatype)
            if bad or not IRI_SCHEME.match(datatype):
                raise ParameterError(f"'{datatype}' is not a valid absolute IRI")
            return body + "^^<" + datatype + ">"
        return body
    raise ParameterError(f"cannot bind {term!r}: only IRIs and literals can be parameter values")


_TOKEN = LazyPattern(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>\{) | (?P<close>\}) | (?P<lpar>\() | (?P<rpar>\))
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>(?:[A-Za-z0-9_\-.:%\u00B7-\uFFFF]|\\.)+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str):
    """The SPARQL tokens of ``text`` as (kind, text, start, end), white space and comments
    skipped: enough to find where a block may go and to prove a rewrite changed nothing else."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("ws", "comment"):
            continue
        yield kind, m.group(), m.start(), m.end()


class _Frame:
    """One ``{ ... }`` of the query text."""

    def __init__(self, kind: str, start: int, parent: _Frame | None):
        self.kind = kind  # group, data (VALUES block), exists, template
        self.start = start  # offset of '{'
        self.end = -1  # offset of the matching '}'
        self.parent = parent
        self.children: list[_Frame] = []
        self.first: str | None = None  # first token inside
        self.vars: set[str] = set()  # parameter variables occurring directly in this group

    @property
    def subselect(self) -> bool:
        return self.kind == "group" and (self.first or "").upper() == "SELECT"


def _scan(text: str, names: set[str]) -> tuple[_Frame, list[_Frame]]:
    """The top-level WHERE group and every group pattern, with the parameter variables each
    contains directly (occurrences in FILTER/BIND expressions and EXISTS patterns count for
    the enclosing group; in a sub-select's projection, for the sub-select's WHERE group)."""
    toks = list(tokens(text))
    form_at = next(
        (
            i
            for i, t in enumerate(toks)
            if t[0] == "word" and t[1].upper() in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
        ),
        None,
    )
    if form_at is None:
        raise QueryError("cannot find the query form (SELECT, CONSTRUCT, ASK, DESCRIBE)")
    construct = toks[form_at][1].upper() == "CONSTRUCT"
    if construct:
        nxt = next((t for t in toks[form_at + 1 :]), None)
        if nxt is not None and nxt[0] == "word" and nxt[1].upper() == "WHERE":
            raise QueryError(
                "parameters cannot be bound in the short form CONSTRUCT WHERE { }; "
                "write CONSTRUCT { ... } WHERE { ... }"
            )
    stack: list[_Frame] = []
    groups: list[_Frame] = []
    top: _Frame | None = None
    outside: set[str] = set()  # parameter variables outside every group (projection, ORDER BY ...)
    values_header = False
    prev = None
    for i, (kind, val, start, _end) in enumerate(toks):
        if i < form_at:
            prev = (kind, val)
            continue
        if stack and stack[-1].first is None:
            stack[-1].first = val
        if kind == "word" and val.upper() == "VALUES":
            values_header = True
        elif kind == "open":
            parent = stack[-1] if stack else None
            if values_header:
                fkind = "data"
            elif (
                construct and top is None and not any(f.kind == "template" for f in groups + stack) and i == form_at + 1
            ):
                fkind = "template"
            elif prev is not None and prev[0] == "word" and prev[1].upper() == "EXISTS":
                fkind = "exists"
            else:
                fkind = "group"
            values_header = False
            frame = _Frame(fkind, start, parent)
            if parent is not None:
                parent.children.append(frame)
            if fkind == "group":
                groups.append(frame)
                if top is None and not stack:
                    top = frame
            stack.append(frame)
        elif kind == "close":
            if not stack:
                raise QueryError("unbalanced braces in the query")
            stack.pop().end = start
        elif kind == "var" and val[1:] in names:
            owner = next((f for f in reversed(stack) if f.kind in ("group", "template")), None)
            if owner is None or owner.kind == "template":
                outside.add(val[1:])
            else:
                owner.vars.add(val[1:])
        prev = (kind, val)
    if stack:
        raise QueryError("unbalanced braces in the query")
    if top is None:
        raise QueryError("parameters need a WHERE { ... } group to bind into")
    for frame in groups:  # a sub-select's own variables belong to its WHERE group
        if frame.subselect and frame.vars:
            inner = next((c for c in frame.children if c.kind == "group"), None)
            if inner is None:  # pragma: no cover - a sub-select always has a WHERE group
                raise QueryError("cannot bind parameters into this sub-select")
            inner.vars |= frame.vars
            if frame is not top:
                frame.vars = set()
    top.vars |= set(names)  # every value is also bound for the whole query
    return top, groups


def _values_clause(bindings: dict[str, list], only: set[str]) -> str:
    blocks = []
    for var, terms in bindings.items():
        if var not in only:
            continue
        if not re.fullmatch(r"[A-Za-z0-9_]+", var):
            raise ParameterError(f"?{var} is not a valid parameter variable")
        blocks.append(f"VALUES ?{var} {{ {' '.join(sparql_term(t) for t in terms)} }}")
    return " ".join(blocks)


def inject_values(text: str, bindings: dict[str, list], check=None) -> str:
    """Bind parameters with ``VALUES ?var { terms }`` blocks, without touching anything else.

    A block goes at the start of the top-level WHERE group and at the start of every other
    group pattern in which the variable occurs (in a triple, FILTER, BIND, EXISTS ...), so
    that a parameter means the same value everywhere — as a constant in its place would, and
    as rdflib's ``initBindings`` does — even inside nested groups, where SPARQL's bottom-up
    evaluation would not see a binding made only at the top. Sub-select groups get the block
    inside their WHERE group; a top-level sub-select is wrapped in a group first.

    Raises QueryError if the query's structure does not allow it, ParameterError if a value
    cannot be written so that it reaches the engine unchanged. The result is verified: by
    default by parsing it with rdflib (with the VALUES blocks taken out, its parse tree is the
    original's). With ``check`` (the Oxigraph engine, which never loads rdflib's parser) the
    rewritten text is verified token by token (the original's tokens with the blocks' tokens
    inserted, nothing else), and ``check(clause, variable, terms)`` has the engine that will run
    the query parse each block on its own and confirm it yields exactly the intended terms.
    """
    bindings = {k: list(dict.fromkeys(v)) for k, v in bindings.items() if v}  # a value once
    if not bindings:
        return text
    original = None
    if check is None:
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql import parser as sparql_parser

        try:
            original = sparql_parser.parseQuery(text)
        except (ParseBaseException, ValueError) as exc:
            raise QueryError(f"query does not parse: {exc}") from None
    top, groups = _scan(text, set(bindings))
    edits: list[tuple[int, str]] = []
    blocks = 0
    for frame in groups:
        if not frame.vars or (frame.subselect and frame is not top):
            continue
        clause = _values_clause(bindings, frame.vars)
        blocks += len(frame.vars & set(bindings))
        if frame.subselect:  # { SELECT ... } -> { VALUES ... { SELECT ... } }
            edits.append((frame.start + 1, " " + clause + " {"))
            edits.append((frame.end, "} "))
        else:
            edits.append((frame.start + 1, " " + clause))
    new = text
    for offset, insert in sorted(edits, key=lambda e: e[0], reverse=True):
        new = new[:offset] + insert + new[offset:]
    if check is None:
        _verify(original, new, bindings, blocks, wrapped=top.subselect)
    else:
        _verify_tokens(text, new, edits)
        for var, terms in bindings.items():
            check(_values_clause(bindings, {var}), var, terms)
    return new


def _verify_tokens(text: str, new: str, edits: list[tuple[int, str]]) -> None:
    """The rewritten text tokenises as the original with the inserted tokens, nothing else
    (the inserts sit between tokens; no value runs into or out of a string, IRI or comment)."""
    expected, pos = [], 0
    for offset, insert in sorted(edits, key=lambda e: e[0]):
        expected += [(kind, value) for kind, value, _, _ in tokens(text[pos:offset])]
        expected += [(kind, value) for kind, value, _, _ in tokens(insert)]
        pos = offset
    expected += [(kind, value) for kind, value, _, _ in tokens(text[pos:])]
    if [(kind, value) for kind, value, _, _ in tokens(new)] != expected:
        raise ParameterError("a parameter value cannot be bound safely (it would change the query's tokens)")


def _canon(node):
    """A parse tree as nested tuples, so two trees compare by value (lists = ParseResults)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        return ("C", node.name, tuple((k, _canon(v)) for k, v in OrderedDict.items(node)))
    if isinstance(node, dict):
        return ("D", tuple(sorted((str(k), _canon(v)) for k, v in node.items())))
    if isinstance(node, (list, tuple, ParseResults)):
        return ("L", tuple(_canon(v) for v in node))
    return (type(node).__name__, str(node), getattr(node, "datatype", None), getattr(node, "language", None))


def _verify(original, new_text: str, bindings: dict[str, list], blocks: int, wrapped: bool) -> None:
    from pyparsing import ParseBaseException, ParseResults
    from rdflib.plugins.sparql import parser as sparql_parser
    from rdflib.plugins.sparql.algebra import translatePName, translatePrologue
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        new = sparql_parser.parseQuery(new_text)
    except (ParseBaseException, ValueError) as exc:
        raise ParameterError(f"a parameter value cannot be bound safely ({exc})") from None
    prologue = translatePrologue(new[0], None)
    found = 0

    def strip(node):
        nonlocal found
        if isinstance(node, CompValue):
            if node.name == "GroupGraphPatternSub" and "part" in node:
                parts = list(node["part"])
                seen = set()
                while parts and isinstance(parts[0], CompValue) and parts[0].name == "InlineData":
                    var = [str(v) for v in parts[0]["var"]]
                    if len(var) != 1 or var[0] not in bindings or var[0] in seen:
                        break
                    got = [translatePName(v, prologue) for v in parts[0]["value"]]
                    want = bindings[var[0]]
                    if got != want or any(type(a) is not type(b) for a, b in zip(got, want, strict=True)):
                        raise ParameterError("a parameter value cannot be written exactly in SPARQL (it would change)")
                    seen.add(var[0])
                    found += 1
                    parts.pop(0)
                OrderedDict.__setitem__(node, "part", parts)
            for v in OrderedDict.values(node):
                strip(v)
        elif isinstance(node, (list, tuple, ParseResults)):
            for v in node:
                strip(v)

    strip(new)
    if wrapped:  # undo the group put around a top-level sub-select
        where = new[1]["where"]
        parts = list(where["part"])
        if len(parts) != 1 or parts[0].name != "GroupOrUnionGraphPattern" or len(parts[0]["graph"]) != 1:
            raise QueryError("could not bind parameters around the sub-select")
        OrderedDict.__setitem__(new[1], "where", parts[0]["graph"][0])
    if found != blocks or _canon(new) != _canon(original):
        raise QueryError("binding the parameters would change the query's structure")
