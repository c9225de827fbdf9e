"""Publish a release as a whole: a versioned directory switched in by one atomic rename.

Layout of a dist directory::

    dist/.lock                  held (fcntl.flock) by the build that publishes
    dist/releases/<id>/         one complete release per directory; <id> is a hash of its files
    dist/current -> releases/<id>       the published release (a symlink, swapped atomically)
    dist/laokg.ttl -> current/laokg.ttl   stable names for every file of the release
    dist/store -> current/store           ... and every directory (the Oxigraph store)

Steps (:func:`publish`): take the lock; remove temporaries left by killed runs; adopt an
old-style dist/ (plain files, no releases/) as a release of its own (hard links, then the
switch to it, then the names become links: readers see the same bytes throughout); write
every file, and every directory its builder makes (the Oxigraph store), into
``releases/.tmp-<id>-<pid>/`` and fsync it; rename that directory to ``releases/<id>``; make
a temporary symlink to the new release and ``rename`` it over ``current`` (the one atomic
switch); fsync the directory; make the stable names point into ``current/`` (a name the new
release adds is created only after the switch, so no link ever dangles; one it drops is
removed); prune old releases (the newest :data:`KEEP` stay). A crash before the switch
leaves the old release published, after it the new one: never a mix. Two builds at once take
turns on the lock; the later one wins.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from pathlib import Path

from laokg.errors import InputError

LOCK = ".lock"
RELEASES = "releases"
CURRENT = "current"
TMP_PREFIX = ".tmp-"
#: how many releases stay in dist/releases (the published one always stays)
KEEP = 3


def _digest(data) -> bytes:
    """SHA-256 of ``data``: bytes, or a file (a path) read a block at a time."""
    if not isinstance(data, os.PathLike):
        return hashlib.sha256(data).digest()
    digest = hashlib.sha256()
    with open(data, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.digest()


def release_id(files) -> str:
    """A stable id for a release: a hash of its file names and contents (bytes, or the path
    of a file holding them: the same id)."""
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(name.encode("utf-8") + b"\0" + _digest(data))
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def locked(dist: Path):
    """Hold an exclusive ``flock`` on ``dist/.lock`` (a second build waits its turn)."""
    dist.mkdir(parents=True, exist_ok=True)
    fd = os.open(dist / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - no flock on this platform
            pass
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms that cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def clean_stale(dist: Path) -> list[Path]:
    """Remove temporaries of earlier, killed runs (call with the lock held)."""
    import shutil  # here: the query path reads a release, it never writes one

    removed = []
    for folder in (dist, dist / RELEASES):
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if (
                entry.name.startswith(TMP_PREFIX)
                or (entry.name.startswith(".") and entry.name.endswith(".tmp"))
                or re.fullmatch(r"\.store\.(tmp|old)-\d+", entry.name)
            ):  # the store's own, before releases held it
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        entry.unlink()
                removed.append(entry)
    return removed


def current_release(dist: Path) -> Path | None:
    link = dist / CURRENT
    if link.is_symlink():
        return dist / os.readlink(link)
    return None


def _write_release(folder: Path, files, directories=()) -> None:
    folder.mkdir(parents=True)
    for name, data in files:
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, os.PathLike):  # a file written beforehand (a large release spools)
                import shutil

                with open(data, "rb") as source:
                    shutil.copyfileobj(source, handle, 1 << 20)
            else:
                handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    for name, make in directories:  # e.g. the Oxigraph store: its builder syncs its own files
        make(folder / name)
    _fsync_dir(folder)


def _adopt_old_layout(dist: Path, names) -> None:
    """An old-style dist/ (the release's names as plain files or directories, no ``current``):
    make it a release of its own first — hard links into ``releases/<id>``, ``current``
    pointing at it — so that turning the plain names into links changes no byte a reader
    sees, and a crash at any step leaves plain old files or links to the same old files."""
    import shutil  # here: the query path reads a release, it never writes one

    plain = [n for n in names if (dist / n).exists() and not (dist / n).is_symlink()]
    if not plain or (dist / CURRENT).is_symlink():
        return
    digest = hashlib.sha256()
    for name in sorted(plain):
        digest.update(name.encode("utf-8") + b"\0")
        for path in sorted((dist / name).rglob("*")) if (dist / name).is_dir() else [dist / name]:
            if path.is_file():
                digest.update(
                    str(path.relative_to(dist)).encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest()
                )
    rid = "adopted-" + digest.hexdigest()[:16]
    releases = dist / RELEASES
    releases.mkdir(exist_ok=True)
    final = releases / rid
    if not final.is_dir():
        staging = releases / f"{TMP_PREFIX}{rid}-{os.getpid()}"
        os.mkdir(staging)
        for name in plain:
            if (dist / name).is_dir():
                shutil.copytree(dist / name, staging / name, symlinks=True, copy_function=os.link)
            else:
                os.link(dist / name, staging / name)
        _fsync_dir(staging)
        os.rename(staging, final)
        _fsync_dir(releases)
    _symlink_atomic(f"{RELEASES}/{rid}", dist / CURRENT)
    _fsync_dir(dist)
    _stable_names(dist, plain)


def _symlink_atomic(target: str, link: Path) -> None:
    """Point ``link`` at ``target`` with one rename (readers see the old or the new link)."""
    tmp = link.parent / f"{TMP_PREFIX}{link.name}-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _stable_names(dist: Path, names) -> None:
    """``dist/<name> -> current/<name>`` for every file name of the release."""
    import shutil  # here: the query path reads a release, it never writes one

    for name in names:
        link = dist / name
        target = f"{CURRENT}/{name}"
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if link.is_dir() and not link.is_symlink():  # an adopted old-style directory
            aside = dist / f"{TMP_PREFIX}{name}-old-{os.getpid()}"
            os.rename(link, aside)  # current/<name> holds the same files (hard links)
            _symlink_atomic(target, link)
            shutil.rmtree(aside, ignore_errors=True)
            continue
        _symlink_atomic(target, link)


def _drop_stale_names(dist: Path, names) -> None:
    """Remove ``dist/<name> -> current/<name>`` links the published release no longer has."""
    keep = set(names)
    for entry in dist.iterdir():
        if entry.name in keep or not entry.is_symlink():
            continue
        target = os.readlink(entry)
        if target.startswith(f"{CURRENT}/") and not entry.exists():
            os.unlink(entry)


def _prune(dist: Path, keep_id: str) -> None:
    import shutil  # here: the query path reads a release, it never writes one

    releases = dist / RELEASES
    others = [p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != keep_id]
    others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def publish(dist: str | os.PathLike, files, directories=()) -> list[Path]:
    """Publish ``files`` (``[(name, bytes or the path of a file holding them)]``) and
    ``directories`` (``[(name, make, key)]``: ``make(path)`` creates the directory ``path``;
    ``key`` (bytes, or a file's path) stands for its content in the release id) as the release
    in ``dist``, whole; return the stable paths
    (``dist/<name>``, files then directories). OSError -> :class:`InputError` naming the path."""
    dist = Path(dist)
    files = list(files)
    directories = list(directories)
    if dist.exists() and not dist.is_dir():
        raise InputError(f"{dist}: cannot write: Not a directory")
    rid = release_id(files + [(name, key) for name, _, key in directories])
    names = [name for name, _ in files] + [name for name, _, _ in directories]
    try:
        with locked(dist):
            clean_stale(dist)
            _adopt_old_layout(dist, names)
            releases = dist / RELEASES
            releases.mkdir(exist_ok=True)
            final = releases / rid
            if not final.is_dir():  # the same content is already there: reuse it
                staging = releases / f"{TMP_PREFIX}{rid}-{os.getpid()}"
                _write_release(staging, files, [(name, make) for name, make, _ in directories])
                os.rename(staging, final)
                _fsync_dir(releases)
            _symlink_atomic(f"{RELEASES}/{rid}", dist / CURRENT)  # the switch
            _fsync_dir(dist)
            _stable_names(dist, names)  # after the switch: a new name never dangles
            _drop_stale_names(dist, names)
            os.utime(final)  # newest first when pruning
            _prune(dist, rid)
    except OSError as exc:
        where = exc.filename or dist
        raise InputError(f"{where}: cannot write: {exc.strerror or exc}") from None
    return [dist / name for name in names]


__all__ = ["publish", "release_id", "locked", "clean_stale", "current_release", "KEEP"]
