"""Writing files atomically: through a temporary file in the same directory and
``os.replace``, so a reader never sees half a file, and no output path inside the project's
sources. No RDF library: every command's ``-o FILE`` is written here (the release writers in
:mod:`laokg.graph.export` re-export these)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from laokg.errors import InputError


def _stage(target: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file beside ``target``; return its path."""
    directory = target.parent
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(directory))
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:  # a replaced file keeps its mode (-o over a 0600 file stays 0600)
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
    except BaseException:
        _discard(tmp)
        raise
    return tmp


def _discard(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def write_files_atomic(files) -> list[Path]:
    """Write each ``(path, bytes)``: all contents go to temporary files in the target
    directories first, and only when every one is written are they moved into place with
    ``os.replace``. Readers never see a half-written file, and a failure (disk full,
    permission) while staging leaves every old file as it was. OSError -> InputError."""
    staged: list[tuple[Path, str]] = []
    current = None
    try:
        for path, data in files:
            current = Path(path)
            staged.append((current, _stage(current, data)))
        for current, tmp in staged:
            os.replace(tmp, current)
    except OSError as exc:
        where = exc.filename if isinstance(exc, NotADirectoryError) and exc.filename else current
        raise InputError(f"{where}: cannot write: {exc.strerror or exc}") from None
    finally:
        for _, tmp in staged:
            if os.path.exists(tmp):
                _discard(tmp)
    return [path for path, _ in staged]


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory and
    ``os.replace``, so readers never see a half-written file. OSError -> InputError."""
    return write_files_atomic([(path, data)])[0]


def write_output_file(path: str | os.PathLike, data: bytes, root=None) -> Path:
    """Write an output file atomically (mode of a replaced file kept), refusing any path in
    the sources of the project at ``root`` (or the project found from the current directory)."""
    from laokg.graph.project import find_root, refuse_source_target

    try:
        base = find_root(root)
    except InputError:
        base = None  # not in a project (e.g. --endpoint): nothing of ours to protect
    if base is not None:
        refuse_source_target(path, base)
    return write_atomic(path, data)


__all__ = ["write_files_atomic", "write_atomic", "write_output_file"]
