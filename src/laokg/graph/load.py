"""Find the project root and its files, keep them inside it, and load them: into rdflib graphs
(parsed once per file, with each file's checks), or as checked N-Triples text through Oxigraph.

A project root holds ``ontology/laokg.ttl`` (required), ``ontology/vocab/*.ttl``,
``ontology/shapes.ttl``, ``graph/*.ttl`` and ``queries/``. :func:`find_root` chooses it, in
this order (documented in docs/install.md, the one place users read it):

1. the ``root`` argument (``--root DIR``);
2. ``$LAOKG_ROOT``;
3. the nearest directory at or above the current directory that holds ``ontology/laokg.ttl``
   (a working copy you are standing in);
4. the data installed with the package: ``laokg/data/`` inside a wheel install, or, for an
   editable install, the working copy it was installed from.

A root given by 1 or 2 that is not a project root is an error, never replaced by 3 or 4.

Every file is parsed on its own, so a syntax error names its file and line
(:class:`~laokg.errors.RDFSyntaxError`). Every file is opened and its content bounded by
:mod:`laokg.graph.checks` (regular files only; literals valid for their datatype, literal
size, list length and nesting), the same in every loader, with ``file:line``. Parses are
cached per process, keyed by path and a hash of the file's bytes (reading is cheap, parsing
is not), so commands that load the same files twice parse them once and an edited file is
always parsed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import stat
import threading
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from laokg.errors import InputError, RDFSyntaxError
from laokg.graph import checks

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from rdflib import Graph, URIRef

# rdflib is imported by the functions that parse or build graphs: finding the project and its
# files (what a saved query on the built store needs) loads no RDF library.

ENV_ROOT = "LAOKG_ROOT"
MARKER = Path("ontology") / "laokg.ttl"

#: extensions accepted for extra ``--data`` files; both are parsed as Turtle (N-Triples is
#: a subset). JSON-LD and RDF/XML are refused: their rdflib parsers fetch remote contexts or
#: expand entities, and they report no line numbers.
DATA_SUFFIXES = (".ttl", ".nt")

# Characters that may not appear in an IRI (RFC 3987 / Turtle IRIREF); lone surrogates too.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\ud800-\udfff]')
# Turtle escapes that produce one (\uD800, \U0000DC00).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\\U0000[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONG_NUMBER = re.compile(rf"[0-9]{{{checks.MAX_DIGITS + 1},}}")


# ---------------------------------------------------------------- the project root


def _is_root(path: Path) -> bool:
    return (path / MARKER).is_file()


def find_root(root: str | os.PathLike | None = None) -> Path:
    """Return the project root (absolute), or raise InputError saying how to set it."""
    given = root if root is not None else os.environ.get(ENV_ROOT) or None
    if given is not None:
        path = Path(given).expanduser()
        how = "--root" if root is not None else f"${ENV_ROOT}"
        if not path.exists():
            raise InputError(f"{path}: project root not found ({how})")
        if not path.is_dir():
            raise InputError(f"{path}: project root is not a directory ({how})")
        if not _is_root(path):
            raise InputError(f"{path}: not a laokg project root: no {MARKER} ({how})")
        return path.resolve()
    cwd = Path.cwd().resolve()
    for candidate in (cwd, *cwd.parents):
        if _is_root(candidate):
            return candidate
    installed = installed_root()
    if installed is not None:
        return installed
    raise InputError(f"no laokg project found at or above {cwd}: no {MARKER} (use --root DIR or set ${ENV_ROOT})")


#: the project's source folders: laokg never writes into them
SOURCE_DIRS = ("graph", "ontology", "queries")


def refuse_source_target(path: str | os.PathLike, root: Path, what: str = "-o") -> None:
    """Raise InputError if writing ``path`` (a file or directory) would write into the
    project's sources (graph/, ontology/, queries/ under ``root``), symlinks resolved."""
    target = Path(path).expanduser()
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError):
        return
    for name in SOURCE_DIRS:
        source = (Path(root) / name).resolve()
        if resolved == source or source in resolved.parents:
            raise InputError(
                f"{path}: refusing to write into the project's sources ({name}/); "
                f"give {what} a path outside graph/, ontology/ and queries/"
            )


def installed_root() -> Path | None:
    """The data that came with the installed package, or None.

    A wheel carries graph/, ontology/ and queries/ as ``laokg/data/`` (see hatch_build.py); an
    editable install (``pip install -e .``, ``make run``) has no copy and reads the working
    copy it was installed from: ``src/laokg/graph/load.py`` -> the directory above ``src/``.
    """
    package = Path(__file__).resolve().parents[1]
    data = package / "data"
    if _is_root(data):
        return data
    checkout = package.parents[1]
    if package.parent.name == "src" and (checkout / "pyproject.toml").is_file() and _is_root(checkout):
        return checkout
    return None


@dataclass(frozen=True)
class ProjectFiles:
    """The Turtle files of a project, in load order."""

    root: Path
    ontology: Path
    vocab: tuple[Path, ...]
    shapes: Path
    graph: tuple[Path, ...]

    @property
    def data(self) -> tuple[Path, ...]:
        """Everything that goes into the data graph (not the shapes)."""
        return (self.ontology, *self.vocab, *self.graph)


def project_files(root: str | os.PathLike | None = None) -> ProjectFiles:
    """List the project's files; raise InputError if the ontology or graph/ is missing."""
    base = find_root(root)
    ontology = base / MARKER
    vocab_dir = base / "ontology" / "vocab"
    graph_dir = base / "graph"
    if not graph_dir.is_dir():
        raise InputError(f"{graph_dir}: graph directory not found")
    names = [entry.name for entry in os.scandir(graph_dir)]  # one listing for both questions
    unknown = sorted(
        n for n in names if not n.startswith(".") and not n.endswith(".ttl") and PurePath(n).suffix != ".ttl"
    )
    if unknown:
        listed = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
        raise InputError(
            f"{graph_dir}: holds files laokg does not read: {listed} "
            "(graph/ holds only *.ttl files; move the others elsewhere)"
        )
    vocab = tuple(sorted(vocab_dir.glob("*.ttl"))) if vocab_dir.is_dir() else ()
    # what graph_dir.glob("*.ttl") gives, sorted (names in one folder sort as their paths do)
    graph = tuple(graph_dir / n for n in sorted(n for n in names if os.path.normcase(n).endswith(".ttl")))
    check_all_inside((ontology, *vocab, *graph, base / "ontology" / "shapes.ttl"), base)
    return ProjectFiles(base, ontology, vocab, base / "ontology" / "shapes.ttl", graph)


def check_inside(path: Path, root: Path) -> None:
    """Refuse a project file that is (or links to) something outside the project, or that
    is not a regular file (a device, a FIFO, a directory). The message quotes nothing of
    where a symlink leads."""
    if not (path.exists() or path.is_symlink()):
        return  # reported as missing where it is read
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise InputError(f"{path}: a symlink that leads nowhere (or round in a loop)") from None
    inside = Path(root).resolve()
    if resolved != inside and inside not in resolved.parents:
        raise InputError(f"{path}: a symlink that leads outside the project; laokg reads only files inside {inside}")
    checks.check_regular(path, resolved)


def check_all_inside(paths, root: Path) -> None:
    """:func:`check_inside` for each of ``paths``, with the same refusals and messages, in
    time that does not grow with the depth of the folders: a path that is a regular file
    itself (not a symlink) resolves to its folder's resolved path plus its name, so what the
    check asks of it is asked once per folder; any other path (a symlink, a FIFO, a folder,
    one that cannot be read) gets the full :func:`check_inside`. A 1M-triple project has
    thousands of graph files: resolving each one took half a second per listing."""
    inside = Path(root).resolve()
    folders: dict[str, tuple[bool, bool]] = {}  # folder -> (inside the project, a system folder)
    for path in paths:
        text = os.fspath(path)
        try:
            mode = os.lstat(text).st_mode
        except OSError:
            mode = 0
        if not stat.S_ISREG(mode):
            check_inside(path, root)
            continue
        parent = os.path.dirname(text)
        verdict = folders.get(parent)
        if verdict is None:
            folder = Path(path).parent.resolve()
            verdict = folders[parent] = (folder == inside or inside in folder.parents, checks.in_system_dir(folder))
        if not verdict[0]:
            raise InputError(
                f"{path}: a symlink that leads outside the project; laokg reads only files inside {inside}"
            )
        if verdict[1]:
            raise checks.system_file_error(path)


# ---------------------------------------------------------------- parsing one file


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
    graph = _new_graph()
    _merge(graph, [Path(path).resolve()])
    return graph


# ---------------------------------------------------------------- merged graphs


def _new_graph() -> Graph:
    from rdflib import Graph

    from laokg.namespaces import bind_prefixes

    return bind_prefixes(Graph(bind_namespaces="none"))


def _merge(graph: Graph, paths) -> Graph:
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


def _extra_paths(extra, root=None) -> list[Path]:
    paths = []
    for item in extra or ():
        path = Path(item).expanduser()
        if path.suffix.lower() not in DATA_SUFFIXES:
            raise InputError(f"{path}: unsupported data file (expected {' or '.join(DATA_SUFFIXES)})")
        paths.append(checks.check_named(path, root))  # the rule for files named on the command line
    return paths


def load_data_graph(root: str | os.PathLike | None = None, extra=()) -> Graph:
    """The data graph: ontology/laokg.ttl + ontology/vocab/*.ttl + graph/*.ttl (+ ``extra``).

    The shapes are not included. Returns a new Graph the caller may change.
    """
    from laokg.graph import claims

    files = project_files(root)
    paths = [*files.data, *_extra_paths(extra, files.root)]
    graph = _merge(_new_graph(), paths)
    claims.apply_to_graph(graph, files.root, paths)  # the short form -> evidence, passages, selectors
    from laokg.graph.asof import as_of, current_as_of

    day = current_as_of()  # --as-of: the graph as the sources published by then give it
    return graph if day is None else as_of(graph, day)


@dataclass(frozen=True)
class DataText:
    """The data graph as N-Triples text, parsed by Oxigraph's Turtle parser (which keeps every
    literal as written), for a validation that never builds an rdflib graph of the data
    (:func:`laokg.graph.validate.run_shacl` hands the text to pyshacl-turbo's native parser).

    ``prefixes``: the files' prefixes merged as :func:`load_data_graph` merges them, so CURIEs
    in a report are the same. :meth:`label_graph` gives the labels of a few nodes."""

    ntriples: str
    prefixes: tuple[tuple[str, str], ...]

    def prefix_graph(self) -> Graph:
        from rdflib import Graph

        graph = Graph(bind_namespaces="none")
        for prefix, ns in self.prefixes:
            graph.bind(prefix, ns, override=True, replace=True)
        return graph

    def label_graph(self, nodes, properties) -> Graph:
        """A small graph with the prefixes and every ``properties`` triple of ``nodes``."""
        graph = self.prefix_graph()
        from rdflib import URIRef

        subjects = {ascii_escaped(f"<{n}>") if isinstance(n, URIRef) else f"_:{n}" for n in nodes}
        predicates = {ascii_escaped(f"<{p}>") for p in properties}
        lines = []
        for line in self.ntriples.splitlines():
            subject, _, rest = line.partition(" ")
            if subject in subjects and rest.partition(" ")[0] in predicates:
                lines.append(line)
        if lines:
            graph.parse(data="\n".join(lines) + "\n", format="nt")
        return graph

    def ascii(self) -> DataText:
        """The same triples with every character outside ASCII written as an N-Triples
        ``\\uXXXX`` / ``\\UXXXXXXXX`` escape (the same terms). A Python string holding one
        character outside Latin-1 takes 2–4 bytes for every character, and a native parser
        handed it keeps a UTF-8 copy besides: as ASCII the text takes one byte a character,
        once (at 1M triples: 157 MB instead of 314 + 157 MB). Only for readers that decode
        escapes (pyshacl-turbo's parser, rdflib's N-Triples parser); the release writers take
        the text as Oxigraph wrote it."""
        return DataText(ascii_escaped(self.ntriples), self.prefixes)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _escape_char(match) -> str:
    code = ord(match.group())
    return f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"


def ascii_escaped(text: str) -> str:
    """N-Triples ``text`` with its characters outside ASCII escaped (:meth:`DataText.ascii`)."""
    return text if text.isascii() else _NON_ASCII.sub(_escape_char, text)


def load_data_text(root: str | os.PathLike | None = None, extra=()) -> DataText | None:
    """The data graph (as :func:`load_data_graph` merges it) as :class:`DataText`, parsed with
    pyoxigraph; None when a file needs the rdflib loader (a syntax error, or anything its
    checks report: an odd IRI, a lone surrogate, a number too long), which then reports
    it in its own words."""
    import pyoxigraph

    files = project_files(root)
    paths = [*files.data, *_extra_paths(extra, files.root)]
    chunks: list[bytes] = []
    merged = _new_graph()
    used_prefixes = {prefix for prefix, _ in merged.namespace_manager.namespaces()}
    used_ns = {str(ns) for _, ns in merged.namespace_manager.namespaces()}
    prefixes = [(prefix, str(ns)) for prefix, ns in merged.namespace_manager.namespaces()]
    for path in paths:
        if not path.is_file():
            return None
        try:
            raw = checks.read_regular(path)
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        if text.startswith("\ufeff"):
            text = text[1:]
        if _SURROGATE_ESCAPE.search(text) or _LONG_NUMBER.search(text) or checks.LONE_SURROGATE.search(text):
            return None
        try:
            parser = pyoxigraph.parse(
                text, format=pyoxigraph.RdfFormat.TURTLE, base_iri=path.as_uri(), rename_blank_nodes=True
            )
            chunks.append(checks.ntriples_of(path, raw, path.as_uri(), parser))  # checked: literals, lists, nesting
            declared = dict(parser.prefixes)
        except (SyntaxError, ValueError, OSError):
            return None
        for prefix, ns in declared.items():
            if prefix and prefix not in used_prefixes and ns not in used_ns:
                prefixes.append((prefix, ns))
                used_prefixes.add(prefix)
                used_ns.add(ns)
    from laokg.graph import claims
    from laokg.graph.asof import as_of_ntriples, current_as_of

    ntriples = claims.apply_to_ntriples(b"".join(chunks).decode("utf-8"), files.root, paths)
    day = current_as_of()  # --as-of: the dated view, filtered on the text (graph/asof.py)
    return DataText(ntriples if day is None else as_of_ntriples(ntriples, day), tuple(prefixes))


def load_shapes(root: str | os.PathLike | None = None) -> Graph:
    """The SHACL shapes graph (ontology/shapes.ttl)."""
    files = project_files(root)
    if not files.shapes.is_file():
        raise InputError(f"{files.shapes}: shapes file not found")
    return _merge(_new_graph(), [files.shapes])


__all__ = [
    "ENV_ROOT",
    "ProjectFiles",
    "find_root",
    "refuse_source_target",
    "installed_root",
    "project_files",
    "parse_file",
    "load_data_graph",
    "load_data_text",
    "DataText",
    "load_shapes",
    "clear_cache",
]
