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
from laokg.graph.export import prepare_graph, prepare_triples, write_triples_file
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


#: bytes of Turtle (the project's data files) from which each step of a build that holds the
#: graph runs in a child process of its own: its memory is returned to the system when it
#: ends, instead of adding to the next step's (docs/performance.md)
ISOLATE_ABOVE = 4_000_000


def previous_graph(dist: Path) -> Path | None:
    """The N-Triples of the release ``dist`` publishes now (the one a new build replaces), if any."""
    from laokg.graph.release import current_release

    current = current_release(dist) if dist.is_dir() else None
    if current is None:
        plain = dist / "laokg.nt"  # an old-style dist/ (plain files)
        return plain if plain.is_file() and not plain.is_symlink() else None
    path = current / "laokg.nt"
    return path if path.is_file() else None


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _same_file(a: Path, b: Path) -> bool:
    import filecmp

    return a.stat().st_size == b.stat().st_size and filecmp.cmp(a, b, shallow=False)


def changes_files(dist: Path, ntriples: bytes | Path, spool: Path | None = None) -> list[tuple[str, bytes | Path]]:
    """``changes.txt`` and ``changes.json``: the new graph against the previous release's.

    ``ntriples``: the new release's N-Triples, as bytes or as the file holding them. Each side
    is named by the SHA-256 of its N-Triples (not by release id, which hashes the release's
    files, this one included). Rebuilding an unchanged graph is not a new release: the current
    release's changes files are kept, so the build gives the same files and reuses the same
    release. The first release is compared with the empty graph. With ``spool`` (a directory)
    the files are written there, a line at a time, and their paths returned instead of bytes."""
    import hashlib

    from laokg.graph.changes import diff_taking, format_json, format_text, write_json, write_text
    from laokg.graph.triples import from_ntriples, read_ntriples

    previous = previous_graph(dist)
    if isinstance(ntriples, Path):
        empty = ntriples.stat().st_size == 0
        same = previous is not None and not empty and _same_file(previous, ntriples)
        new_name = "sha256:" + _sha256(ntriples)[:16] if not empty else ""
    else:
        empty = not ntriples
        same = previous is not None and not empty and previous.read_bytes() == ntriples
        new_name = "sha256:" + hashlib.sha256(ntriples).hexdigest()[:16] if not empty else ""
    if same and previous is not None:
        kept = [previous.parent / name for name in CHANGES_FILES]
        if all(p.is_file() and not p.is_symlink() for p in kept):
            if spool is None:
                return [(p.name, p.read_bytes()) for p in kept]
            import shutil

            return [(p.name, Path(shutil.copyfile(p, Path(spool) / p.name))) for p in kept]
    old: set = set()
    old_name = "(no previous release)"
    terms: dict[str, str] = {}  # the terms both releases hold are one string each
    if previous is not None and previous.stat().st_size:
        old_name = "sha256:" + _sha256(previous)[:16]
        old = read_ntriples(previous, terms)
    # both written by the release writers: one triple a line
    new = read_ntriples(ntriples, terms) if isinstance(ntriples, Path) else from_ntriples(ntriples.decode("utf-8"))
    del terms
    result = diff_taking(old, new, old_name, new_name or "(no previous release)")  # empties both sets
    del old, new
    if spool is None:
        return [
            (CHANGES_FILES[0], format_text(result).encode("utf-8")),
            (CHANGES_FILES[1], format_json(result).encode("utf-8")),
        ]
    out: list[tuple[str, bytes | Path]] = []
    for name, write in zip(CHANGES_FILES, (write_text, write_json), strict=True):
        path = Path(spool) / name
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            write(result, handle)
        out.append((name, path))
    return out


def _validate(base, extra) -> ValidationResult:
    """Validate the project as ``laokg validate`` does (the text handed to pyshacl-turbo)."""
    from laokg.graph.load import load_data_graph, load_data_text, load_shapes
    from laokg.graph.validate import text_for_shacl

    text = load_data_text(base, extra)
    data = None if text is not None else load_data_graph(base, extra)
    if text is not None:
        text, _ = text_for_shacl(text)
    return run_shacl(text if text is not None else data, load_shapes(base))


def _in_child(func, *args):
    """``func(*args)`` in a fresh Python process (spawned: nothing of this one is copied), its
    answer (or exception) pickled back; all the memory it took is the system's again once it
    returns."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from laokg.errors import OutputError

    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            return pool.submit(func, *args).result()
    except BrokenProcessPool:
        raise OutputError(
            f"the build's worker process ({func.__name__.strip('_')}) ended without an answer "
            "(killed, or out of memory); nothing written"
        ) from None


def isolated(base: Path, extra=()) -> bool:
    """Whether ``build`` runs its steps in child processes (:data:`ISOLATE_ABOVE`). Not while
    this process reads the graph as of a day (a state a fresh process would not share)."""
    from laokg.graph.store import current_as_of, data_size

    return current_as_of() is None and data_size(base, extra) >= ISOLATE_ABOVE


def _write_graph(base: Path, extra, spool: Path, loaded=None) -> bytes:
    """Write the data graph's release files (:data:`GRAPH_FILES`) and the label index into
    ``spool``, each file as it is made; return the store's record (``store.json``).
    ``loaded``: ``(text, wide, data)`` as validation read the project, else it is read again."""
    from laokg.graph.load import load_data_graph, load_data_text
    from laokg.graph.stats import triple_stats
    from laokg.graph.store import LABEL_INDEX, manifest, write_label_index
    from laokg.graph.triples import from_ascii_ntriples, from_ntriples

    if loaded is None:
        text = load_data_text(base, extra)
        loaded = (text, False, None if text is not None else load_data_graph(base, extra))
    text, wide, data = loaded
    del loaded
    if text is not None:
        triples = (from_ascii_ntriples if wide else from_ntriples)(text.ntriples)
        prefixes = text.prefixes
        text = None  # the triples hold the terms now
        ready = prepare_triples(triples, prefixes)
        del triples
    else:
        assert data is not None  # loaded when there is no text
        ready = prepare_graph(data)
    data = None
    for name, fmt in GRAPH_FILES:
        write_triples_file(ready, fmt, spool / name)
    write_label_index(ready.triples, spool / LABEL_INDEX)  # what `laokg search` reads on the store
    # the store's record, with what `laokg stats` counts in it (read back instead of recounting)
    return manifest(len(ready), base, stats=triple_stats(ready.triples).to_dict())


def build(root=None, dist: str | os.PathLike | None = None, extra=(), attachments=()) -> BuildResult:
    """Validate the project and write the release files into ``dist`` (default root/dist).

    ``attachments``: more ``(file name, bytes)`` for the release, written after the store's
    record (``laokg build`` adds the saved queries' facts, :mod:`laokg.query.facts`), or a
    callable giving them, called only once the graph has loaded and conforms (so a refused
    graph is refused before that work).
    Raises :class:`ValidationFailed` (and writes nothing) if the graph does not conform.

    Memory: each release file goes to a spool directory (the system's temporary directory) as
    it is written, so none is held while the next is made, and is published from there; the
    query store is bulk-loaded from the N-Triples file. A large project (:func:`isolated`)
    runs each step that holds the graph (validation, the writers, the changes, the store) in
    a child process of its own, one after the other, so at most one step's memory is in use
    and this process holds no graph.
    """
    import tempfile

    from laokg.graph.load import load_data_graph, load_data_text, load_shapes
    from laokg.graph.project import find_root, refuse_source_target
    from laokg.graph.store import LABEL_INDEX, MANIFEST, STORE_DIR, write_store

    base = find_root(root)
    isolate = isolated(base, extra)
    loaded = None
    if isolate:
        result = _in_child(_validate, base, tuple(extra))
    else:
        text = load_data_text(base, extra)  # validated as N-Triples text (as `laokg validate` does)
        data = None if text is not None else load_data_graph(base, extra)  # the rdflib loader reports odd files
        from laokg.graph.validate import text_for_shacl

        wide = False
        if text is not None:  # as `laokg validate` reads it; an escaped text is read back exactly
            text, wide = text_for_shacl(text)
        result = run_shacl(text if text is not None else data, load_shapes(base))
        loaded = (text, wide, data)
        del text, data
    if not result.conforms:
        counts = ", ".join(f"{n} {severity.lower()}{'' if n == 1 else 's'}" for severity, n in result.counts().items())
        raise ValidationFailed(
            f"the graph does not conform ({counts}); nothing written (run laokg validate for the report)"
        )
    out = Path(dist) if dist is not None else base / "dist"
    refuse_source_target(out, base, "--dist")
    attachments = list(attachments() if callable(attachments) else attachments)

    with tempfile.TemporaryDirectory(prefix="laokg-build-") as tmp:
        spool = Path(tmp)
        # serialise everything first, then publish: a serialiser error leaves dist/ untouched
        if isolate:
            record = _in_child(_write_graph, base, tuple(extra), spool)
        else:
            record = _write_graph(base, extra, spool, loaded)
        loaded = None
        contents: list[tuple[str, bytes | Path]] = [(name, spool / name) for name, _ in GRAPH_FILES]
        contents.append((REPORT_FILES[0], format_text(result).encode("utf-8")))
        contents.append((REPORT_FILES[1], format_json(result).encode("utf-8")))
        # the query store (Oxigraph) is part of the release: built in the staging directory from
        # the N-Triples above, its record (store.json) a file of the release
        ntriples = spool / "laokg.nt"
        if isolate:
            contents.extend(_in_child(changes_files, out, ntriples, spool))
        else:
            contents.extend(changes_files(out, ntriples, spool))
        contents.append((LABEL_INDEX, spool / LABEL_INDEX))
        contents.append((MANIFEST, record))
        contents.extend((name, bytes(payload)) for name, payload in attachments)

        def make_store(path: Path) -> None:
            if isolate:
                _in_child(write_store, path, ntriples)
            else:
                write_store(path, ntriples)

        paths = publish(out, contents, [(STORE_DIR, make_store, ntriples)])
        sizes = [len(payload) if isinstance(payload, bytes) else payload.stat().st_size for _, payload in contents]
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
    "isolated",
    "ISOLATE_ABOVE",
]
