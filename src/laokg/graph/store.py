"""The persistent query store: an Oxigraph (RocksDB) store that ``laokg build`` writes into
its release (``dist/releases/<id>/store/``, reached as ``dist/current/store`` and
``dist/store``), so a query on a large graph opens it instead of re-parsing the Turtle. It is
part of the release: published whole with the other files by the same atomic switch
(:mod:`laokg.graph.release`).

``store.json`` beside it records the files the store was built from (path, size, modification
time) and the graph's counts; ``labels.tsv`` is the label index ``search`` reads
(:func:`label_index`). :func:`open_store` uses the built store only while that record still
matches the project's files; otherwise (or with extra ``--data`` files) it loads the Turtle
into an in-memory Oxigraph store, which is still much faster than rdflib's parser. Either way the
store holds exactly the data graph that :func:`laokg.graph.load.load_data_graph` gives.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from laokg.errors import InputError
from laokg.graph.checks import check_named, check_text, read_regular
from laokg.graph.project import data_files, find_root, project_files

STORE_DIR = "store"
MANIFEST = "store.json"


def fingerprint(root=None) -> list[list]:
    """[relative path, size, mtime_ns] of every data file of the project, in load order."""
    files, named = data_files(root)
    out = []
    for name, path in named:
        st = os.stat(path)
        out.append([name, st.st_size, st.st_mtime_ns])
    from laokg.graph.sourcefiles import source_fingerprint

    return out + source_fingerprint(files.root)  # the source texts the quotes are located in


def manifest(triples: int, root=None, stats: dict | None = None) -> bytes:
    """The text of ``store.json``: what the store was built from, and (``stats``, from the build)
    what ``laokg stats`` counts in it, so that the command on a built project reads its
    answer instead of counting a million triples again."""
    record = {"format": "oxigraph", "triples": triples, "files": fingerprint(root)}
    if stats is not None:
        record["stats"] = stats
    return (json.dumps(record, indent=1) + "\n").encode("utf-8")


def write_store(target: Path, ntriples: bytes | Path) -> Path:
    """Build an Oxigraph store in the new directory ``target`` from the N-Triples of the data
    graph, as bytes or the file holding them (read by Oxigraph as it loads; the build calls
    this inside the release being staged). Returns ``target``."""
    import pyoxigraph

    target = Path(target)
    try:
        store = pyoxigraph.Store(str(target))
        if isinstance(ntriples, os.PathLike):
            store.bulk_load(path=os.fspath(ntriples), format=pyoxigraph.RdfFormat.N_TRIPLES)
        else:
            store.bulk_load(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.optimize()
        store.flush()
        del store
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write the store: {exc.strerror or exc}", str(target)) from None
    return target


#: the label index ``laokg build`` writes into the release, read by ``search`` on the built store
LABEL_INDEX = "labels.tsv"


def label_index(triples) -> bytes:
    """The release's label index (``labels.tsv``), from the build's sorted N-Triples term
    strings: a line ``folded label TAB rank TAB subject TAB label`` (terms in N-Triples) for
    every label (:data:`laokg.labels.LABEL_PROPERTIES`, literal value) of an IRI, in the
    triples' order. The folded text (:func:`laokg.labels.fold`: no tab, no line break) is what
    :func:`laokg.query.storeview.index_candidates` searches, so that ``search`` on a built project folds no label."""
    return "".join(_label_lines(triples)).encode("utf-8")


def write_label_index(triples, path) -> None:
    """:func:`label_index` into the file ``path``, a batch of lines at a time."""
    batch: list[str] = []
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        for line in _label_lines(triples):
            batch.append(line)
            if len(batch) >= 8192:
                handle.write("".join(batch))
                batch.clear()
        handle.write("".join(batch))


def _label_lines(triples):
    from laokg.graph.triples import literal_parts, unescape
    from laokg.labels import LABEL_PROPERTIES, fold

    rank = {f"<{p}>": str(i) for i, p in enumerate(LABEL_PROPERTIES)}
    for s, p, o in triples:
        r = rank.get(p)
        if r is not None and s[0] == "<" and o[0] == '"':
            yield f"{fold(unescape(literal_parts(o).body))}\t{r}\t{s}\t{o}\n"


def release_folder(root=None) -> Path | None:
    """The folder of the published release of the project at ``root`` (``dist/releases/<id>``,
    resolved once), an old-style ``dist/`` holding a store record, or None."""
    from laokg.graph.release import current_release

    dist = find_root(root) / "dist"
    folder = current_release(dist)
    if folder is None and (dist / MANIFEST).is_file():
        folder = dist  # an old-style dist/ (before releases) still works
    return folder


def current_as_of():
    """The day the graph is read as of (:func:`laokg.graph.asof.current_as_of`), or None. Only
    :mod:`laokg.graph.asof` sets it, so while that module (which loads rdflib) was never
    imported, it is None without importing it."""
    import sys

    asof = sys.modules.get("laokg.graph.asof")
    return None if asof is None else asof.current_as_of()


def built_store(root=None) -> Path | None:
    """The store of the published release (``root/dist/releases/<id>/store``) if it was built
    from the project's current files, else None. The release is resolved once, so the record
    and the store read are of the same release even while a build switches ``current``."""
    found = _current_record(root)
    return found[0] / STORE_DIR if found is not None else None


def built_record(root=None) -> dict | None:
    """The record (``store.json``) of the published release's store, if that store was built
    from the project's current files (as :func:`built_store` decides), else None."""
    found = _current_record(root)
    return found[1] if found is not None else None


def _current_record(root=None) -> tuple[Path, dict] | None:
    base = find_root(root)
    folder = release_folder(base)
    if folder is None or current_as_of() is not None:  # the built store holds the whole graph
        return None
    try:
        record = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not (folder / STORE_DIR).is_dir() or record.get("files") != fingerprint(base):
        return None
    return folder, record


def data_size(root=None, extra=()) -> int:
    """Bytes of Turtle in the project's data files (and ``extra``): how big the graph is."""
    files = project_files(root)
    named = [check_named(e, files.root) for e in extra]  # the rule (and message) of every loader
    return sum(p.stat().st_size for p in (*files.data, *named))


#: :func:`open_store`'s ``built`` when the caller has not looked for a built store
UNCHECKED = object()


def open_store(root=None, extra=(), *, built=UNCHECKED):
    """A pyoxigraph Store holding the data graph: the built store when it is current and no
    ``extra`` files are given, else the Turtle files loaded into memory. A caller that has
    just called :func:`built_store` passes its answer as ``built`` (a path, or None), so the
    project's files are not listed and fingerprinted a second time."""
    import pyoxigraph

    if not extra:
        path = built_store(root) if built is UNCHECKED else built
        store = open_built(path) if path is not None else None
        if store is not None:
            return store  # else no store there, or a damaged one: the Turtle files are read
    if current_as_of() is not None:  # --as-of: the dated view, made once by the project loader
        from laokg.graph.load import load_data_graph, load_data_text

        text = load_data_text(root, extra)  # the view on the N-Triples text; rdflib for odd files
        data = (
            text.ntriples.encode("utf-8")
            if text is not None
            else load_data_graph(root, extra).serialize(format="nt", encoding="utf-8")
        )
        store = pyoxigraph.Store()
        store.bulk_load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store
    return load_into(pyoxigraph.Store(), root, extra)


def open_built(path):
    """The on-disk store at ``path`` (a built or cached one), opened read-only; None when it
    cannot be opened (gone, or damaged)."""
    import pyoxigraph

    try:
        return pyoxigraph.Store.read_only(str(path))
    except OSError:
        return None


def load_into(store, root=None, extra=()):
    """Load the project's Turtle files (and ``extra``) into the pyoxigraph ``store`` (in memory,
    or on disk for the first-use cache, :mod:`laokg.query.cache`), checked as every loader
    checks, with the quotes' passages located; an installed laokg whose data files are those
    its wheel was built from loads the N-Triples the wheel ships instead (:mod:`laokg.graph.prebuilt`:
    the same graph). Returns ``store``."""
    import pyoxigraph

    if not extra:
        from laokg.graph.prebuilt import prebuilt_ntriples

        shipped = prebuilt_ntriples(root)
        if shipped is not None:
            store.bulk_load(path=str(shipped), format=pyoxigraph.RdfFormat.N_TRIPLES)
            return store
    files = project_files(root)
    for path in (*files.data, *(check_named(e, files.root) for e in extra)):
        data = read_regular(path)  # as every loader reads: no FIFO, no device (laokg.graph.checks)
        fmt = pyoxigraph.RdfFormat.N_TRIPLES if path.suffix.lower() == ".nt" else pyoxigraph.RdfFormat.TURTLE
        try:
            # checked as every loader checks (literals, lists, nesting): its N-Triples, or None
            checked = check_text(path, data, path.as_uri(), turtle=fmt == pyoxigraph.RdfFormat.TURTLE)
            if checked is None:  # a syntax error: bulk_load reports it in Oxigraph's words
                store.bulk_load(data, format=fmt, base_iri=path.as_uri())
            else:
                store.bulk_load(checked, format=pyoxigraph.RdfFormat.N_TRIPLES)
        except SyntaxError as exc:
            raise InputError(f"{path}: syntax error: {exc}") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    from laokg.graph.claims import apply_to_store

    apply_to_store(store, files.root, [*files.data, *extra])
    return store


__all__ = [
    "STORE_DIR",
    "MANIFEST",
    "release_folder",
    "fingerprint",
    "manifest",
    "write_store",
    "built_store",
    "built_record",
    "label_index",
    "write_label_index",
    "LABEL_INDEX",
    "data_size",
    "open_store",
    "load_into",
]
