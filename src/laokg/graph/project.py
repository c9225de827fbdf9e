"""The project: where its root is, which files it holds, and the rule that keeps reading and
writing inside it.

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

:func:`project_files` lists the files in load order and refuses one that is (or links to)
something outside the project or is not a regular file; :func:`refuse_source_target` keeps
laokg's outputs out of the sources. This module imports no RDF library: finding the project
and its files is all a saved query on the built store needs. Parsing is
:mod:`laokg.graph.parse`; merging the files into the data graph is :mod:`laokg.graph.load`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePath

from laokg.errors import InputError
from laokg.graph import checks

ENV_ROOT = "LAOKG_ROOT"
MARKER = Path("ontology") / "laokg.ttl"


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
    copy it was installed from: ``src/laokg/graph/project.py`` -> the directory above ``src/``.
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
    thousands of graph files, and resolving each one costs half a second per listing."""
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


def data_files(root=None):
    """(project files, [(path relative to the root, path)] of every data file, in load order):
    what :func:`laokg.graph.store.fingerprint` and :func:`laokg.graph.prebuilt.content_fingerprint` walk."""
    files = project_files(root)
    prefix = len(os.path.join(str(files.root), ""))  # every file is files.root / "folder" / ... (project_files)
    return files, [(str(path)[prefix:], path) for path in files.data]


__all__ = [
    "data_files",
    "ENV_ROOT",
    "MARKER",
    "SOURCE_DIRS",
    "ProjectFiles",
    "check_all_inside",
    "check_inside",
    "find_root",
    "installed_root",
    "project_files",
    "refuse_source_target",
]
