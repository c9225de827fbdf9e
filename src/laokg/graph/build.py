"""Build the release in ``dist/``: validate, then write the merged graph, the report, the query
store and what changed since the previous release.

Nothing is written unless the graph conforms (warnings are allowed and reported). The
release is published whole (:mod:`laokg.graph.release`): its files and the Oxigraph query
store (:mod:`laokg.graph.store`) go into a new versioned
directory, switched in by one atomic symlink rename under a lock, so a failed or killed
build leaves the earlier release as it was, and two builds at once never mix. A dist
directory inside the project's sources (graph/, ontology/, queries/) is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from laokg.errors import ValidationFailed
from laokg.graph.export import prepare, prepare_graph, write_triples
from laokg.graph.release import publish
from laokg.graph.validate import ValidationResult, format_json, format_text, run_shacl

#: file name -> export format of the merged data graph
GRAPH_FILES = (("laokg.ttl", "turtle"), ("laokg.nt", "nt"), ("laokg.jsonld", "jsonld"))
REPORT_FILES = ("validation-report.txt", "validation-report.json")


@dataclass(frozen=True)
class Written:
    """A file the build wrote, and its size in bytes."""

    path: Path
    size: int


@dataclass(frozen=True)
class BuildResult:
    """The files written (in order) and the validation they passed (warnings included)."""

    files: list[Written]
    validation: ValidationResult


#: the diff against the previous release, written beside each release (docs/time.md)
CHANGES_FILES = ("changes.txt", "changes.json")


def previous_graph(dist: Path) -> Path | None:
    """The N-Triples of the release ``dist`` publishes now (the one a new build replaces), if any."""
    from laokg.graph.release import current_release

    current = current_release(dist) if dist.is_dir() else None
    if current is None:
        plain = dist / "laokg.nt"  # an old-style dist/ (plain files)
        return plain if plain.is_file() and not plain.is_symlink() else None
    path = current / "laokg.nt"
    return path if path.is_file() else None


def changes_files(dist: Path, ntriples: bytes) -> list[tuple[str, bytes]]:
    """``changes.txt`` and ``changes.json``: the new graph against the previous release's.

    Each side is named by the SHA-256 of its N-Triples (not by release id, which hashes the
    release's files, this one included). Rebuilding an unchanged graph is not a new release:
    the current release's changes files are kept, so the build gives the same files and
    reuses the same release. The first release is compared with the empty graph."""
    import hashlib

    from laokg.graph.changes import diff_triples, format_json, format_text
    from laokg.graph.triples import from_ntriples

    previous = previous_graph(dist)
    old_bytes = previous.read_bytes() if previous is not None else b""
    if previous is not None and old_bytes and old_bytes == ntriples:
        kept = [previous.parent / name for name in CHANGES_FILES]
        if all(p.is_file() and not p.is_symlink() for p in kept):
            return [(p.name, p.read_bytes()) for p in kept]
    old = from_ntriples(old_bytes.decode("utf-8")) if old_bytes else set()
    new = from_ntriples(ntriples.decode("utf-8"))  # both written by the release writers: one triple a line

    def name(data: bytes) -> str:
        return "sha256:" + hashlib.sha256(data).hexdigest()[:16] if data else "(no previous release)"

    result = diff_triples(old, new, name(old_bytes), name(ntriples))
    return [
        (CHANGES_FILES[0], format_text(result).encode("utf-8")),
        (CHANGES_FILES[1], format_json(result).encode("utf-8")),
    ]


def build(root=None, dist: str | os.PathLike | None = None, extra=(), attachments=()) -> BuildResult:
    """Validate the project and write the release files into ``dist`` (default root/dist).

    ``attachments``: more ``(file name, bytes)`` for the release, written after the store's
    record (``laokg build`` adds the saved queries' facts, :mod:`laokg.query.facts`), or a
    callable giving them, called only once the graph has loaded and conforms (so a refused
    graph is refused before that work).
    Raises :class:`ValidationFailed` (and writes nothing) if the graph does not conform.
    """
    from laokg.graph.load import load_data_graph, load_data_text, load_shapes
    from laokg.graph.project import find_root, refuse_source_target
    from laokg.graph.triples import from_ascii_ntriples, from_ntriples

    base = find_root(root)
    text = load_data_text(base, extra)  # validated as N-Triples text (as `laokg validate` does)
    data = None if text is not None else load_data_graph(base, extra)  # the rdflib loader reports odd files
    from laokg.graph.validate import text_for_shacl

    wide = False
    if text is not None:  # as `laokg validate` reads it; an escaped text is read back exactly below
        text, wide = text_for_shacl(text)
    shapes = load_shapes(base)
    result = run_shacl(text if text is not None else data, shapes)
    if not result.conforms:
        counts = ", ".join(f"{n} {severity.lower()}{'' if n == 1 else 's'}" for severity, n in result.counts().items())
        raise ValidationFailed(
            f"the graph does not conform ({counts}); nothing written (run laokg validate for the report)"
        )
    out = Path(dist) if dist is not None else base / "dist"
    refuse_source_target(out, base, "--dist")
    attachments = list(attachments() if callable(attachments) else attachments)
    # serialise everything first, then write: a serialiser error leaves dist/ untouched
    if text is not None:
        ready = prepare((from_ascii_ntriples if wide else from_ntriples)(text.ntriples), text.prefixes)
    else:
        assert data is not None  # loaded when there is no text
        ready = prepare_graph(data)
    del text, data
    contents = [(name, write_triples(ready, fmt)) for name, fmt in GRAPH_FILES]
    contents.append((REPORT_FILES[0], format_text(result).encode("utf-8")))
    contents.append((REPORT_FILES[1], format_json(result).encode("utf-8")))
    # the query store (Oxigraph) is part of the release: built in the staging directory from
    # the N-Triples above, its record (store.json) a file of the release
    from laokg.graph.store import MANIFEST, STORE_DIR, manifest, write_store

    ntriples = dict(contents)["laokg.nt"]
    from laokg.graph.stats import triple_stats
    from laokg.graph.store import LABEL_INDEX, label_index

    labels = label_index(ready.triples)  # what `laokg search` reads on the store
    # the store's record, with what `laokg stats` counts in it (read back instead of recounting)
    record = manifest(len(ready), base, stats=triple_stats(ready.triples).to_dict())
    del ready  # before the changes are worked out: they read the N-Triples into a graph of their own
    contents.extend(changes_files(out, ntriples))
    contents.append((LABEL_INDEX, labels))
    contents.append((MANIFEST, record))
    contents.extend((name, bytes(payload)) for name, payload in attachments)
    paths = publish(out, contents, [(STORE_DIR, lambda path: write_store(path, ntriples), ntriples)])
    sizes = [len(payload) for _, payload in contents]
    store = paths[-1]
    sizes.append(sum(p.stat().st_size for p in store.resolve().rglob("*") if p.is_file()))
    written = [Written(path, size) for path, size in zip(paths, sizes, strict=True)]
    store_entry = written.pop()
    written.insert(len(written) - 1 - len(attachments), store_entry)  # the store, then its record
    return BuildResult(written, result)


__all__ = [
    "build",
    "BuildResult",
    "Written",
    "GRAPH_FILES",
    "REPORT_FILES",
    "CHANGES_FILES",
    "changes_files",
    "previous_graph",
]
