"""Load a project's data graph and shapes graph: as an rdflib graph (the files parsed by
:mod:`laokg.graph.parse`, merged, the short claim form expanded and the ``--as-of`` view
applied), or as checked N-Triples text parsed by Oxigraph (:class:`DataText`) for the
validation and the release that never build an rdflib graph of the data.

Where the files are and which may be read is :mod:`laokg.graph.project`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from laokg.errors import InputError
from laokg.graph import checks
from laokg.graph.parse import merge, needs_rdflib_checks, new_graph
from laokg.graph.project import project_files

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from rdflib import Graph

#: extensions accepted for extra ``--data`` files; both are parsed as Turtle (N-Triples is
#: a subset). JSON-LD and RDF/XML are refused: their rdflib parsers fetch remote contexts or
#: expand entities, and they report no line numbers.
DATA_SUFFIXES = (".ttl", ".nt")


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
    graph = merge(new_graph(), paths)
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
    merged = new_graph()
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
        if needs_rdflib_checks(text):
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

    joined = b"".join(chunks)
    chunks.clear()  # not held while the text is decoded (at 1M triples each copy is 157 MB)
    ntriples = joined.decode("utf-8")
    del joined
    ntriples = claims.apply_to_ntriples(ntriples, files.root, paths)
    day = current_as_of()  # --as-of: the dated view, filtered on the text (graph/asof.py)
    return DataText(ntriples if day is None else as_of_ntriples(ntriples, day), tuple(prefixes))


def load_shapes(root: str | os.PathLike | None = None) -> Graph:
    """The SHACL shapes graph (ontology/shapes.ttl)."""
    files = project_files(root)
    if not files.shapes.is_file():
        raise InputError(f"{files.shapes}: shapes file not found")
    return merge(new_graph(), [files.shapes])


__all__ = ["DATA_SUFFIXES", "DataText", "ascii_escaped", "load_data_graph", "load_data_text", "load_shapes"]
