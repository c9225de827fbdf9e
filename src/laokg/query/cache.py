"""First use of a project that was never built: its store, built once into a cache.

A checkout (or an installed laokg) without ``laokg build`` would otherwise parse its Turtle on
every run. Instead, the first command that queries it loads the Turtle into an Oxigraph store
on disk, in the cache, and every later run opens that store read-only, as it opens the store of
a built release. The saved queries' facts (:mod:`laokg.query.facts`) are kept beside it (in
``<entry>.facts/``), one file per query text, as each query is first parsed (within its
budget), so a later run of the same query parses nothing either.

* Where: ``$LAOKG_CACHE`` (a directory; ``off`` turns the cache off), else
  ``$XDG_CACHE_HOME/laokg``, else ``~/.cache/laokg``.
* Key: one entry per project folder and per state of its files: the SHA-256 of the project's
  path and of the path, size and modification time of every file the graph is read from (the
  data files and the source texts: :func:`laokg.graph.store.fingerprint`), the same of the
  modules that read them (``laokg.graph``: a laokg upgraded or edited) and pyoxigraph's
  version. Changing, adding or removing a file gives another key: the store is built again and
  the entries of the project's older states are removed.
* Concurrent first runs: each builds its store in a private temporary folder and renames it
  into place; ``rename`` is atomic and refuses a folder that is already there, so the first to
  finish wins, the others discard theirs and open the winner's. Nobody ever opens a half-built
  store, and there is one entry per key.
* Not used with ``--data`` files, ``--as-of`` (a dated view), or when the release was built
  (its own store is used).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
from pathlib import Path

#: the environment variable naming the cache folder ("off": no cache)
ENV_CACHE = "LAOKG_CACHE"
STORE = "store"
FACTS = "facts"


def cache_folder() -> Path | None:
    """The cache's folder, or None when the cache is off."""
    value = os.environ.get(ENV_CACHE)
    if value is not None:
        return None if value.strip().lower() in ("off", "0", "no", "") else Path(value)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "laokg"


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()[:24]


def entry_of(root) -> Path | None:
    """The cache entry of the project at ``root`` in the state its files are in now (whether it
    exists or not), or None when the cache is off."""
    base = cache_folder()
    if base is None:
        return None
    import pyoxigraph

    from laokg.graph.project import find_root
    from laokg.graph.store import fingerprint
    from laokg.query.facts import FACTS_VERSION

    project = find_root(root)
    state = {
        "files": fingerprint(project),
        "loader": _loader_state(),
        "pyoxigraph": pyoxigraph.__version__,
        "facts": FACTS_VERSION,
    }
    return base / f"{_digest(str(project))}-{_digest(state)}"


def current_as_of_set() -> bool:
    from laokg.graph.store import current_as_of

    return current_as_of() is not None


def _loader_state() -> list[list]:
    """[name, size, mtime_ns] of the modules that read the graph (``laokg.graph``): a laokg
    upgraded, or edited in a working copy, reads the same files into another store."""
    import laokg.graph

    folder = Path(laokg.graph.__file__).parent
    out: list[list] = []
    for path in sorted(folder.glob("*.py")):
        with contextlib.suppress(OSError):
            st = path.stat()
            out.append([path.name, st.st_size, st.st_mtime_ns])
    return out


def cached_store(root=None) -> Path | None:
    """The cached store of the project at ``root``, built now if it is not there yet; None
    when the cache is off, the graph is read as of a date, or the cache cannot be written."""
    if current_as_of_set():
        return None
    entry = entry_of(root)
    if entry is None:
        return None
    if (entry / STORE).is_dir():
        return entry / STORE
    try:
        return _build(entry, root) / STORE
    except PermissionError:
        return None  # a cache we may not write: the Turtle is loaded into memory, as without one


def _build(entry: Path, root) -> Path:
    """Build the entry in a private folder and rename it into place (see the module's note)."""
    import pyoxigraph

    from laokg.graph.store import load_into

    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = entry.parent / f".{entry.name}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        staging.mkdir()
        store = pyoxigraph.Store(str(staging / STORE))
        load_into(store, root)
        # compacted as `laokg build` compacts its store: a bulk load leaves many overlapping
        # files, and every query then reads them all (1M triples: the audit's rules 1.7x slower)
        store.optimize()
        store.flush()
        del store  # closes the store: the folder is complete
        try:
            os.rename(staging, entry)
        except OSError:
            if not (entry / STORE).is_dir():
                raise
            return entry  # another first run finished first: its store is the same
        _drop_older(entry)
        return entry
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _drop_older(entry: Path) -> None:
    """Remove the entries of the same project in other states (its files changed since)."""
    project = entry.name.split("-", 1)[0]
    for other in entry.parent.glob(f"{project}-*"):
        if not other.name.startswith(entry.name) and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


def _facts_folder(entry: Path) -> Path:
    """Where the facts of an entry's project state are kept: beside its store, in a folder of
    their own (a query may be parsed before the store is built)."""
    return entry.with_name(entry.name + "." + FACTS)


def cached_facts(root=None) -> dict[str, dict]:
    """The facts kept in the cache entry of the project at ``root`` ({} without an entry)."""
    entry = entry_of(root)
    if entry is None or not _facts_folder(entry).is_dir():
        return {}
    out: dict[str, dict] = {}
    for path in sorted(_facts_folder(entry).glob("*.json")):
        with contextlib.suppress(OSError, ValueError, UnicodeDecodeError):
            facts = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(facts, dict):
                out[path.stem] = facts
    return out


def keep_facts(root, computed: dict[str, dict]) -> None:
    """Keep ``computed`` ({text key: facts}) for the project at ``root`` in its state now, when
    the cache is on (each file written whole, then renamed into place)."""
    entry = entry_of(root)
    if entry is None or current_as_of_set():
        return
    folder = _facts_folder(entry)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    for key, facts in computed.items():
        target = folder / f"{key}.json"
        staging = target.with_name(f".{key}.{os.getpid()}.{secrets.token_hex(4)}")
        try:
            staging.write_text(json.dumps(facts, sort_keys=True), encoding="utf-8")
            os.replace(staging, target)
        except OSError:
            with contextlib.suppress(OSError):
                staging.unlink()


__all__ = ["ENV_CACHE", "cache_folder", "entry_of", "cached_store", "cached_facts", "keep_facts"]
