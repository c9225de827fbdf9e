"""Saved-query parameters: names and types (the BASIL convention), and values as RDF terms.

:func:`split_parameter` reads ``?_name_type`` variables; :func:`coerce` turns one raw value
(an IRI, a CURIE, a typed literal or a label) into the parameter's term, or raises a one-line
:class:`~laokg.errors.ParameterError`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import laokg.prefixes as prefixes
from laokg.errors import ParameterError
from laokg.graph.checks import MAX_DIGITS
from laokg.lazyre import LazyPattern

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from rdflib import URIRef

# No RDF library at module level: a saved query run on the store binds its values as
# pyoxigraph terms (:func:`term_kit`), and rdflib is imported only where its terms are made.


class _XsdNames:
    """``XSD.integer`` -> the IRI text of xsd:integer (what this module compares datatypes with)."""

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return prefixes.XSD + name

    def __str__(self) -> str:
        return prefixes.XSD


XSD = _XsdNames()


def curie(iri) -> str:
    """:func:`laokg.labels.curie`, imported when first used (it loads rdflib)."""
    import laokg.labels

    return laokg.labels.curie(iri)


class TermKit:
    """How one engine's terms are made from text: rdflib's (the embedded engine, an endpoint,
    the API's rows) or pyoxigraph's (the Oxigraph engine: no rdflib term is made at all); or
    ``"plain"`` tuples, for checking values (a saved query's defaults) without either library."""

    def __init__(self, kind: str):
        self.kind = kind

    def iri(self, value: str):
        if self.kind == "plain":
            return ("iri", value)
        if self.kind == "oxigraph":
            import pyoxigraph

            return pyoxigraph.NamedNode(value)
        from rdflib import URIRef

        return URIRef(value)

    def literal(self, value: str, datatype: str | None = None, lang: str | None = None):
        if self.kind == "plain":
            return ("literal", value, None if lang else (datatype or prefixes.XSD_STRING), lang)
        if self.kind == "oxigraph":
            import pyoxigraph

            if lang is not None:
                return pyoxigraph.Literal(value, language=lang)
            return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(datatype) if datatype else None)
        from rdflib import Literal, URIRef

        if lang is not None:
            return Literal(value, lang=lang)
        return Literal(value, datatype=URIRef(datatype)) if datatype else Literal(value)

    def is_iri(self, term) -> bool:
        if self.kind == "plain":
            return isinstance(term, tuple) and term[0] == "iri"
        if self.kind == "oxigraph":
            import pyoxigraph

            return isinstance(term, pyoxigraph.NamedNode)
        from rdflib import URIRef

        return isinstance(term, URIRef)

    def convert(self, term):
        """An IRI another part of laokg found (a label's thing: an rdflib URIRef) in this kit's terms."""
        return self.iri(str(term)) if self.kind == "oxigraph" else term


_KITS = {"rdflib": TermKit("rdflib"), "oxigraph": TermKit("oxigraph"), "plain": TermKit("plain")}


def term_kit(kind: str | None = None) -> TermKit:
    """The :class:`TermKit` of an engine's ``terms`` (default rdflib)."""
    return _KITS[kind or "rdflib"]


# ---------------------------------------------------------------- parameter types

#: ``_xsd_<name>`` suffixes and the datatype each binds.
XSD_SUFFIXES = {
    "string": XSD.string,
    "integer": XSD.integer,
    "decimal": XSD.decimal,
    "double": XSD.double,
    "boolean": XSD.boolean,
    "date": XSD.date,
    "dateTime": XSD.dateTime,
    "gYear": XSD.gYear,
    "gYearMonth": XSD.gYearMonth,
    "positiveInteger": XSD.positiveInteger,
    "nonNegativeInteger": XSD.nonNegativeInteger,
}

#: Language suffixes recognised at the end of a parameter variable (a closed list, so that
#: names like ``topic_id`` or ``law_no`` are not mistaken for Indonesian or Norwegian).
LANGUAGES = ("en", "fr", "lo", "th", "vi", "km", "ko", "ja", "zh", "de", "es", "pt", "ru", "ms", "my")

_NAME_RE = LazyPattern(r"^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*$")


@dataclass(frozen=True)
class ParamType:
    """The RDF term type a parameter binds: ``kind`` is ``iri``, ``literal`` or ``lang``."""

    kind: str
    datatype: str | None = None  # for kind == "literal"; None means xsd:string
    lang: str | None = None  # for kind == "lang"

    @property
    def label(self) -> str:
        if self.kind == "iri":
            return "iri"
        if self.kind == "lang":
            return f"@{self.lang}"
        if self.datatype is None or self.datatype == str(XSD.string):
            return "string"
        return "xsd:" + self.datatype[len(str(XSD)) :]


STRING = ParamType("literal")
IRI = ParamType("iri")


def split_parameter(var: str) -> tuple[str, bool, ParamType] | None:
    """Split a variable name (without ``?``) into ``(name, required, type)``.

    Returns ``None`` for an ordinary variable (not starting with ``_``); raises
    :class:`ValueError` with a readable reason for a malformed parameter variable.
    """
    if not var.startswith("_"):
        return None
    required = not var.startswith("__")
    rest = var[1:] if required else var[2:]
    ptype = STRING
    m = re.search(r"_xsd_([A-Za-z]+)$", rest)
    if m:
        if m.group(1) not in XSD_SUFFIXES:
            known = ", ".join("_xsd_" + k for k in XSD_SUFFIXES)
            raise ValueError(f"?{var}: unknown type suffix _xsd_{m.group(1)} (known: {known})")
        ptype = ParamType("literal", str(XSD_SUFFIXES[m.group(1)]))
        rest = rest[: m.start()]
    else:
        for suffix, t in (
            ("_iri", IRI),
            ("_literal", STRING),
            ("_integer", ParamType("literal", str(XSD.integer))),
            ("_decimal", ParamType("literal", str(XSD.decimal))),
        ):
            if rest.endswith(suffix) and len(rest) > len(suffix):
                ptype, rest = t, rest[: -len(suffix)]
                break
        else:
            m = re.search(r"_([a-z]{2,3})$", rest)
            if m and m.group(1) in LANGUAGES:
                ptype, rest = ParamType("lang", lang=m.group(1)), rest[: m.start()]
    if not _NAME_RE.match(rest):
        raise ValueError(
            f"?{var}: a parameter variable is ?_name or ?__name (optional) with an optional type suffix; "
            f"the name must start with a letter and contain letters, digits and single underscores"
        )
    return rest, required, ptype


# ---------------------------------------------------------------- the saved query


@dataclass
class Parameter:
    """One parameter of a saved query."""

    name: str
    variable: str  # the SPARQL variable name without '?', e.g. '_type_iri'
    required: bool
    type: ParamType
    defaults: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)  # from `enumerate`; empty = any value

    def show(self, value: str) -> str:
        """A decorator value as people read it (IRIs as CURIEs where a project prefix fits)."""
        if self.type.kind == "iri" and "://" in value:
            short = curie(value.strip("<>"))
            return value if short.startswith("<") else short
        return value

    def describe(self) -> str:
        """A compact one-line description, e.g. ``type (iri; optional; default doctype:law)``."""
        bits = [self.type.label, "required" if self.required and not self.defaults else "optional"]
        if self.defaults:
            bits.append("default " + ", ".join(self.show(v) for v in self.defaults))
        if self.allowed:
            bits.append("one of " + ", ".join(self.show(v) for v in self.allowed))
        return f"{self.name} ({'; '.join(bits)})"


#: A label resolver: text -> every IRI having that label (case/accent-insensitive), with a label.
#: It may also have ``types(iri) -> set of class IRIs`` and ``near(text, classes) -> [(iri, label)]``
#: (things of those classes whose label resembles the text): then a parameter whose query
#: states its class (``?_org_iri a org:FormalOrganization``) only resolves to things of that
#: class, and a miss lists the near things of that class.
Resolver = Callable[[str], list[tuple[Any, str]]]


def expected_classes(text: str, parse: bool = False) -> dict[str, set]:
    """``{variable: {class IRI}}`` for every ``?var a <Class>`` (``rdf:type``) triple pattern with
    a constant class in the query — how a saved query declares what an IRI parameter must be.

    Read from the facts the build stored for this exact text (:mod:`laokg.query.facts`) when
    there are some (unless ``parse``), else found in rdflib's algebra of the query."""
    if not parse:
        from laokg.query.facts import lookup

        facts = lookup(text)
        if facts is not None and isinstance(facts.get("classes"), dict):
            from rdflib import URIRef

            return {var: {URIRef(c) for c in classes} for var, classes in facts["classes"].items()}
    from rdflib import RDF, URIRef, Variable

    found: dict[str, set] = {}

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "triples" and isinstance(value, list):
                    for triple in value:
                        if (
                            len(triple) == 3
                            and isinstance(triple[0], Variable)
                            and triple[1] == RDF.type
                            and isinstance(triple[2], URIRef)
                        ):
                            found.setdefault(str(triple[0]), set()).add(triple[2])
                else:
                    walk(value)
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)

    try:
        from laokg.query.safety import parse_query

        walk(parse_query(text).query.algebra)  # the parse this process made already, if any
    except Exception:
        return {}
    return found


def shown(value: str, limit: int = 60) -> str:
    """A user's value, quoted for a one-line message: control characters escaped, long text cut."""
    text = str(value)
    cut = len(text) > limit
    text = text[:limit]
    text = "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)
    return "'" + text + ("…" if cut else "") + "'"


IRI_SCHEME = LazyPattern(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
BAD_IRI_CHARS = LazyPattern(r'[<>"{}|^`\\\x00-\x20\x7f]')
_CURIE = LazyPattern(r"^([A-Za-z][A-Za-z0-9_\-]*):(.*)$")


def expand_iri(value: str, kit: TermKit | None = None):
    """A full IRI (optionally in ``<>``) or a CURIE with a project prefix -> URIRef (or the
    IRI term of ``kit``).

    Returns None when ``value`` is neither (so it may be a label). Raises ParameterError for
    something that is clearly meant as an IRI but is not a valid one.
    """
    iri = expanded_iri(value)
    return None if iri is None else term_kit(kit.kind if kit else None).iri(iri)


def expanded_iri(value: str) -> str | None:
    """:func:`expand_iri`'s IRI as text."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        v = v[1:-1]
        if not IRI_SCHEME.match(v):
            raise ParameterError(f"{shown(value)} is not an absolute IRI")
    m = _CURIE.match(v)
    if m and m.group(1) in prefixes.PREFIX_IRIS:
        bad = BAD_IRI_CHARS.search(v)
        if bad:  # checked before the term is made (rdflib would warn about an invalid URI)
            raise ParameterError(f"{shown(value)} is not a valid IRI (character {bad.group()!r} is not allowed)")
        iri = prefixes.PREFIX_IRIS[m.group(1)] + m.group(2)
    elif (
        IRI_SCHEME.match(v)
        and " " not in v
        and (v.split(":", 1)[1].startswith("//") or v.startswith(("urn:", "mailto:", "tag:")))
    ):
        iri = v
    else:
        return None
    bad = BAD_IRI_CHARS.search(iri)
    if bad:
        raise ParameterError(f"{shown(value)} is not a valid IRI (character {bad.group()!r} is not allowed)")
    return iri


# ---------------------------------------------------------------- literals

_DATE = LazyPattern(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$")
_GYEAR = LazyPattern(r"^-?\d{4,}(Z|[+-]\d{2}:\d{2})?$")
_GYEARMONTH = LazyPattern(r"^-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d{2}:\d{2})?$")
_DATETIME = LazyPattern(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_EXAMPLES = {
    str(XSD.integer): "2020",
    str(XSD.positiveInteger): "7",
    str(XSD.nonNegativeInteger): "0",
    str(XSD.decimal): "12.5",
    str(XSD.double): "1.5e3",
    str(XSD.boolean): "true",
    str(XSD.date): "2020-06-30",
    str(XSD.dateTime): "2020-06-30T12:00:00",
    str(XSD.gYear): "2020",
    str(XSD.gYearMonth): "2020-06",
}


# MAX_DIGITS (graph/checks.py): the most digits a number may have, in the data and in a parameter


class _TooLong(ValueError):
    """A number with more than :data:`MAX_DIGITS` digits."""


def _literal(value: str, datatype: str, kit: TermKit) -> Any:
    """A typed literal in canonical form; ValueError if ``value`` is not of the type."""
    dt = datatype

    def Literal(text: str, datatype: str | None = None):
        return kit.literal(text, datatype)

    v = value.strip()
    if dt in (XSD.integer, XSD.positiveInteger, XSD.nonNegativeInteger, XSD.decimal):
        digits = sum(ch.isdigit() for ch in v)
        if digits > MAX_DIGITS and re.fullmatch(r"[+-]?[0-9.]+", v):
            raise _TooLong(digits)
    if dt in (XSD.integer, XSD.positiveInteger, XSD.nonNegativeInteger):
        if not re.fullmatch(r"[+-]?\d+", v):
            raise ValueError
        n = int(v)
        if (dt == XSD.positiveInteger and n < 1) or (dt == XSD.nonNegativeInteger and n < 0):
            raise ValueError
        return Literal(str(n), datatype=dt)
    if dt == XSD.decimal:
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", v):
            raise ValueError
        from decimal import Decimal, InvalidOperation  # here: decimal costs its import on every run

        try:
            return Literal(str(Decimal(v)), datatype=dt)
        except InvalidOperation:
            raise ValueError from None
    if dt == XSD.double:
        try:
            float(v)
        except ValueError:
            raise ValueError from None
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN", v):
            raise ValueError
        return Literal(v, datatype=dt)
    if dt == XSD.boolean:
        if v.lower() not in ("true", "false", "1", "0"):
            raise ValueError
        return Literal("true" if v.lower() in ("true", "1") else "false", datatype=dt)
    if dt == XSD.date:
        if not _DATE.match(v):
            raise ValueError
        try:
            datetime.date.fromisoformat(v[:10])
        except ValueError:
            raise ValueError from None
        return Literal(v, datatype=dt)
    if dt == XSD.dateTime:
        if not _DATETIME.match(v):
            raise ValueError
        return Literal(v, datatype=dt)
    if dt == XSD.gYear:
        if not _GYEAR.match(v):
            raise ValueError
        return Literal(v, datatype=dt)
    if dt == XSD.gYearMonth:
        if not _GYEARMONTH.match(v):
            raise ValueError
        return Literal(v, datatype=dt)
    return Literal(value)  # xsd:string: any text, unchanged


def _check_text(value: str, param: Parameter) -> None:
    # SPARQL pre-processes \uXXXX / \UXXXXXXXX escapes in the whole query text, so such a
    # sequence inside a value could not reach the engine unchanged in a VALUES block.
    if re.search(r"\\[uU][0-9A-Fa-f]{4}", value):
        raise ParameterError(
            f"parameter '{param.name}': a value may not contain a \\u escape sequence (SPARQL would decode it)"
        )


def coerce(
    param: Parameter,
    value: str,
    resolver: Resolver | None = None,
    query_name: str = "",
    classes: set | None = None,
    kit: TermKit | None = None,
) -> Any:
    """Turn one raw value into the parameter's RDF term (rdflib's, or ``kit``'s), or raise a
    one-line ParameterError."""
    kit = kit or term_kit()
    where = f"query '{query_name}': " if query_name else ""
    _check_text(value, param)
    t = param.type
    if t.kind == "iri":
        try:
            iri = expand_iri(value, kit)
        except ParameterError as exc:
            raise ParameterError(f"{where}parameter '{param.name}': {exc}") from None
        if iri is not None:
            return iri
        return kit.convert(_resolve_label(param, value, resolver, where, classes))
    if t.kind == "lang":
        return kit.literal(value, lang=t.lang)
    try:
        return _literal(value, t.datatype or str(XSD.string), kit)
    except _TooLong as exc:
        raise ParameterError(
            f"{where}parameter '{param.name}': a number of {exc.args[0]:,} digits is too long "
            f"(laokg takes at most {MAX_DIGITS:,} digits)"
        ) from None
    except ValueError:
        example = _EXAMPLES.get(t.datatype or "", "")
        hint = f" such as {example}" if example else ""
        raise ParameterError(f"{where}parameter '{param.name}' expects {t.label}{hint}, got {shown(value)}") from None


def _resolve_label(
    param: Parameter, value: str, resolver: Resolver | None, where: str, classes: set | None = None
) -> URIRef:
    if not value.strip():
        raise ParameterError(f"{where}parameter '{param.name}' expects an IRI, a CURIE or a label, got an empty value")
    if resolver is None:
        raise ParameterError(
            f"{where}parameter '{param.name}' expects an IRI or a CURIE (e.g. kg:mlsw), got {shown(value)}"
        )
    # the values a label may name: the ``enumerate`` list, else the things of the class the query
    # states, with all their labels -> exact label, else an unambiguous prefix (rule: docs/queries.md)
    labels_of = getattr(resolver, "labels_of", None)
    of_class = getattr(resolver, "of_class", None)
    if param.allowed and labels_of is not None:
        pool = labels_of([expand_iri(a) for a in param.allowed])
        return _pick(param, value, pool, where, "allowed value", listed_on_miss=True)
    if classes and of_class is not None:
        pool = of_class(classes)
        wanted = " or ".join(sorted(curie(c) for c in classes))
        return _pick(param, value, pool, where, wanted, listed_on_miss=len(pool) <= 12)
    candidates = resolver(value)
    if param.allowed:
        allowed = [expand_iri(a) for a in param.allowed]
        candidates = [c for c in candidates if c[0] in allowed]
        if not candidates:
            raise ParameterError(
                f"{where}parameter '{param.name}' must be one of: "
                f"{', '.join(show_term(a) for a in allowed)} (got {shown(value)})"
            )
    types = getattr(resolver, "types", None)
    if classes and types is not None:
        wanted = " or ".join(sorted(curie(c) for c in classes))
        of_class = [c for c in candidates if types(c[0]) & set(classes)]
        if not of_class:
            others = ", ".join(f"{curie(i)} ({label})" for i, label in sorted(set(candidates), key=lambda c: str(c[0])))
            near = getattr(resolver, "near", None)
            close = near(value, classes) if near else []
            hint = (
                f"; {wanted} things like it: " + ", ".join(f"{curie(i)} ({label})" for i, label in close)
                if close
                else ""
            )
            what = f" ({others} is not one)" if others else ""
            raise ParameterError(
                f"{where}parameter '{param.name}' expects a {wanted}: none is labelled {shown(value)}{what}{hint}"
            )
        candidates = of_class
    distinct: dict[Any, str] = {}  # IRI -> its first label
    for iri, label in candidates:
        distinct.setdefault(iri, label)
    if not distinct:
        raise ParameterError(
            f"{where}parameter '{param.name}': nothing is labelled {shown(value)} (give an IRI or CURIE, "
            f"or try laokg search)"
        )
    if len(distinct) > 1:
        listed = ", ".join(f"{curie(i)} ({label})" for i, label in sorted(distinct.items(), key=lambda kv: str(kv[0])))
        raise ParameterError(
            f"{where}parameter '{param.name}': {shown(value)} is ambiguous: {listed}; give the IRI or CURIE"
        )
    return next(iter(distinct))


_WORD_SPLIT = re.compile(r"[\s\-(/,.'\"]+")


def label_matches(text: str, pool: dict) -> tuple[str, list]:
    """The values of ``pool`` (``{iri: [labels]}``) that ``text`` names, and how: ``("exact", …)``
    when a label equals it (case, accents and spacing aside), else ``("prefix", …)`` when a
    label, or one of its words, starts with it, else ``("none", [])``. Sorted by IRI."""
    from laokg.labels import fold

    key = fold(text)
    if not key:
        return "none", []
    folded = {iri: [fold(label) for label in labels] for iri, labels in pool.items()}
    exact = sorted((iri for iri, labels in folded.items() if key in labels), key=str)
    if exact:
        return "exact", exact
    at_word = re.compile(r"(?:^|[\s\-(/,.'\"])" + re.escape(key))  # the start of the label or of a word in it
    prefix = sorted((iri for iri, labels in folded.items() if any(at_word.search(f) for f in labels)), key=str)
    return ("prefix", prefix) if prefix else ("none", [])


def nearest(text: str, pool: dict, n: int = 5) -> list:
    """Up to ``n`` values of ``pool`` whose labels are spelt most like ``text`` (difflib on the
    folded labels, and labels that contain it), closest first."""
    import difflib

    from laokg.labels import fold

    key = fold(text)
    scored = []
    for iri, labels in pool.items():
        best = 0.0
        for label in labels:
            f = fold(label)
            ratio = difflib.SequenceMatcher(None, key, f).ratio()
            words = max((difflib.SequenceMatcher(None, key, w).ratio() for w in _WORD_SPLIT.split(f) if w), default=0.0)
            best = max(best, ratio, words, 0.9 if key and key in f else 0.0)
        if best >= 0.6:
            scored.append((-best, str(iri), iri))
    return [iri for _, _, iri in sorted(scored)[:n]]


def _named(iri, pool: dict) -> str:
    labels = pool.get(iri) or []
    return f"{labels[0]} ({curie(iri)})" if labels else curie(iri)


def _pick(param: Parameter, value: str, pool: dict, where: str, what: str, listed_on_miss: bool) -> URIRef:
    """The one value of ``pool`` that ``value`` names (:func:`label_matches`), or a one-line
    ParameterError listing the candidates (ambiguous) or the nearest values (a miss)."""
    how, found = label_matches(value, pool)
    if len(found) == 1:
        return found[0]
    if found:
        listed = ", ".join(_named(i, pool) for i in found)
        raise ParameterError(
            f"{where}parameter '{param.name}': {shown(value)} is ambiguous, it could be: {listed}; "
            f"give one of them (repeat -p {param.name}=… for several)"
        )
    close = nearest(value, pool)
    if what == "allowed value":
        allowed = ", ".join(_named(i, pool) for i in pool)
        hint = f"; nearest: {', '.join(_named(i, pool) for i in close)}" if close else ""
        raise ParameterError(f"{where}parameter '{param.name}' must be one of: {allowed} (got {shown(value)}){hint}")
    if close:
        hint = "; nearest: " + ", ".join(_named(i, pool) for i in close)
    elif listed_on_miss and pool:
        hint = "; " + what + " values: " + ", ".join(_named(i, pool) for i in sorted(pool, key=str))
    else:
        hint = " (give an IRI or CURIE, or try laokg search)"
    raise ParameterError(f"{where}parameter '{param.name}' expects a {what}: nothing is labelled {shown(value)}{hint}")


def show_term(term) -> str:
    """A term as a message shows it: an IRI as a CURIE, a literal as its lexical form."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return curie(term.value)
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    from rdflib import URIRef

    return curie(term) if isinstance(term, URIRef) else str(term)
