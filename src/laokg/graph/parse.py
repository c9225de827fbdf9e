"""Parse one Turtle file into triples, with laokg's checks, its errors in ``file:line`` form,
and a per-process cache; merge parsed files into one rdflib graph.

Every file is parsed on its own, so a syntax error names its file and line
(:class:`~laokg.errors.RDFSyntaxError`). Every file is opened and its content bounded by
:mod:`laokg.graph.checks` (regular files only; literals valid for their datatype, literal
size, list length and nesting), the same in every loader, with ``file:line``. What rdflib
accepts and other tools refuse is refused here too: an IRI with a space or a quote, a literal
holding a lone surrogate, a number too long to read. Parses are cached per process, keyed by
path and a hash of the file's bytes (reading is cheap, parsing is not), so commands that load
the same files twice parse them once and an edited file is always parsed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from laokg.errors import RDFSyntaxError
from laokg.graph import checks

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from rdflib import Graph, URIRef

# rdflib is imported by the functions that parse or build graphs, so importing this module
# loads no RDF library.

# Characters that may not appear in an IRI (RFC 3987 / Turtle IRIREF); lone surrogates too.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\ud800-\udfff]')
# Turtle escapes that produce one (\uD800, \U0000DC00).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONG_NUMBER = re.compile(rf"[0-9]{{{checks.MAX_DIGITS + 1},}}")


def needs_rdflib_checks(text: str) -> bool:
    """True when Turtle ``text`` may hold what only the rdflib parse of this module reports in
    its own words (a lone surrogate, written or escaped; a number too long to read), so a
    faster parser must leave the file to it."""
    return bool(_SURROGATE_ESCAPE.search(text) or _LONG_NUMBER.search(text) or checks.LONE_SURROGATE.search(text))


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, max(offset, 0)) + 1


def _bad_syntax(path: Path, text: str, exc) -> RDFSyntaxError:
    """Turn rdflib's notation3 ``BadSyntax`` into ``file:line: message``.

    The parser is given the whole file as one string: ``exc._i`` is the character offset of
    the error in it (-1 at end of input) and ``exc.lines`` the 0-based count of newlines
    before it. The line is computed from the offset when there is one.
    """
    why = getattr(exc, "_why", None) or str(exc).splitlines()[0]
    offset = getattr(exc, "_i", None)
    lines = getattr(exc, "lines", None)
    raw = getattr(exc, "_str", b"")
    source = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else text
    line: int | None
    if isinstance(offset, int) and offset >= 0:
        line = _line_of(source, offset)
        near = source[offset:].split("\n", 1)[0].strip()
        if len(near) > 40:
            near = near[:40] + "…"
        where = f" near '{near}'" if near else " at end of line"
    elif offset == -1:
        line = text.rstrip().count("\n") + 1  # the last line with content
        where = " at end of file"
    else:
        line = lines + 1 if isinstance(lines, int) else None
        where = ""
    return RDFSyntaxError(path, line, f"Turtle syntax error: {why}{where}")


def _check_iris(path: Path, text: str, graph: Graph) -> None:
    """rdflib accepts IRIs with spaces or quotes (it only logs a warning); other tools don't.
    A literal holding a lone surrogate (written ``\\uD800``) is refused here too: no export
    could write it back."""
    from rdflib import Literal, URIRef

    seen: set[URIRef] = set()
    for triple in graph:
        obj = triple[2]
        if isinstance(obj, Literal) and (surrogate := checks.LONE_SURROGATE.search(obj)):
            match = _SURROGATE_ESCAPE.search(text)
            line = _line_of(text, match.start()) if match else None
            code = ord(surrogate.group())
            raise RDFSyntaxError(
                path,
                line,
                f"literal holds a lone surrogate U+{code:04X} (not a Unicode character; no RDF writer can write it)",
            )
        for term in triple:
            if isinstance(term, URIRef) and term not in seen:
                seen.add(term)
                match = _BAD_IRI.search(term)
                if match:
                    offset = text.find(str(term))
                    line = _line_of(text, offset) if offset >= 0 else None
                    raise RDFSyntaxError(
                        path, line, f"invalid IRI <{term}>: character {match.group()!r} is not allowed"
                    )


@contextlib.contextmanager
def _quiet_rdflib():
    """rdflib logs a warning for each odd IRI it accepts; :func:`_check_iris` reports them.

    Literals keep the lexical form the curator wrote while parsing (rdflib would otherwise
    rewrite a lexical form to its canonical one: ``"P24M"^^xsd:duration`` to ``"P2Y"``,
    ``"01"^^xsd:integer`` to ``"1"``).
    """
    import rdflib

    logger = logging.getLogger("rdflib.term")
    previous, normalize = logger.level, rdflib.NORMALIZE_LITERALS
    logger.setLevel(logging.ERROR)
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        logger.setLevel(previous)
        rdflib.NORMALIZE_LITERALS = normalize


@dataclass(frozen=True)
class _Parsed:
    key: bytes
    triples: tuple
    prefixes: tuple[tuple[str, str], ...]


_cache: dict[Path, _Parsed] = {}
_lock = threading.Lock()


def _parse(path: Path) -> _Parsed:
    raw = checks.read_regular(path)  # a FIFO or device is refused, never opened for reading
    # keyed by content, not mtime: a same-size rewrite within one clock tick is still seen
    key = hashlib.blake2b(raw, digest_size=16).digest()
    with _lock:
        hit = _cache.get(path)
    if hit is not None and hit.key == key:
        return hit
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise RDFSyntaxError(path, line, "not valid UTF-8 text") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    from rdflib.plugins.parsers.notation3 import BadSyntax

    checks.check_text(path, raw, path.as_uri())  # literals, lists, nesting (laokg.graph.checks)
    from rdflib import Graph

    graph = Graph(bind_namespaces="none")
    try:
        with _quiet_rdflib():
            graph.parse(data=text, format="turtle", publicID=path.as_uri())
    except BadSyntax as exc:
        raise _bad_syntax(path, text, exc) from None
    except Exception as exc:  # rdflib raises assorted errors on malformed input
        long_number = _LONG_NUMBER.search(text)
        if isinstance(exc, ValueError) and long_number:
            digits = len(long_number.group())
            raise RDFSyntaxError(
                path,
                _line_of(text, long_number.start()),
                f"a number of {digits:,} digits is too long (laokg reads at most "
                f"{checks.MAX_DIGITS:,} digits; write it as a string if it must stay)",
            ) from None
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise RDFSyntaxError(path, None, f"Turtle syntax error (rdflib {detail})") from None
    _check_iris(path, text, graph)
    parsed = _Parsed(
        key,
        tuple(graph),
        tuple((str(prefix), str(ns)) for prefix, ns in graph.namespace_manager.namespaces()),
    )
    with _lock:
        _cache[path] = parsed
    return parsed


def clear_cache() -> None:
    """Forget every cached parse."""
    with _lock:
        _cache.clear()


def parse_file(path: str | os.PathLike) -> Graph:
    """Parse one Turtle file (cached) into a new Graph with the laokg prefixes bound."""
    graph = new_graph()
    merge(graph, [Path(path).resolve()])
    return graph


def new_graph() -> Graph:
    """An empty Graph with the laokg prefixes bound (and no others)."""
    from rdflib import Graph

    from laokg.namespaces import bind_prefixes

    return bind_prefixes(Graph(bind_namespaces="none"))


def merge(graph: Graph, paths) -> Graph:
    """Add each file's triples to ``graph``; keep their own prefixes where they don't clash."""
    used_prefixes = {prefix for prefix, _ in graph.namespace_manager.namespaces()}
    used_ns = {str(ns) for _, ns in graph.namespace_manager.namespaces()}
    for path in paths:
        parsed = _parse(path)
        graph.addN((s, p, o, graph) for s, p, o in parsed.triples)
        for prefix, ns in parsed.prefixes:
            if prefix and prefix not in used_prefixes and ns not in used_ns:
                graph.bind(prefix, ns, override=False)
                used_prefixes.add(prefix)
                used_ns.add(ns)
    return graph


__all__ = ["clear_cache", "merge", "needs_rdflib_checks", "new_graph", "parse_file"]
