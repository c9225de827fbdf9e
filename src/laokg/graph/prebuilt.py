"""What an installed laokg ships besides its Turtle, so that its first command is as quick as
a built project's: the data graph as N-Triples, made when the wheel is built.

The wheel's ``laokg/data/prebuilt/`` (beside ``ontology/``, ``graph/`` and ``queries/``) holds

* ``laokg.nt``: the data graph of the installed files, as :func:`laokg.graph.load.load_data_text`
  reads it (checked, claims expanded), written as ``laokg build`` writes its ``laokg.nt``;
* ``queries.json``: the saved queries' facts (:mod:`laokg.query.facts`, keyed by the SHA-256 of
  each query's text, so a query edited since is parsed as usual);
* ``prebuilt.json``: the SHA-256 of every data file the N-Triples were made from.

The first command that needs a store loads ``laokg.nt`` into it with Oxigraph's N-Triples
parser (:func:`laokg.graph.store.load_into`), instead of reading the Turtle files with every
check and expanding the claims again; its saved query is not parsed either. The N-Triples are
used only for the data installed with the wheel (:data:`WHEEL_DATA`), and only while every data
file is the one they were made from: an edited installed file, and any other project, is read
from its Turtle.
hatch_build.py calls :func:`prebuilt_files` (and :func:`laokg.query.precompute.compute_facts`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from laokg.graph.checks import read_regular
from laokg.graph.load import load_data_text
from laokg.graph.project import data_files, find_root

#: the folder of an installed project that holds what the wheel's build made
FOLDER = "prebuilt"
#: the one project whose ``prebuilt/`` is read: the data installed with laokg's wheel. A
#: checkout or any other folder may hold a ``prebuilt/`` too (copied, or planted by whoever
#: made the folder); its N-Triples would enter the store unchecked, so it is never read.
WHEEL_DATA = Path(__file__).resolve().parents[1] / "data"
NTRIPLES = "laokg.nt"
RECORD = "prebuilt.json"
FACTS = "queries.json"


def content_fingerprint(root=None) -> list[list[str]]:
    """[relative path, SHA-256] of every data file of the project, in load order. By content, not
    modification time: installing a wheel gives its files new times, not new bytes."""
    return [[name, hashlib.sha256(read_regular(path)).hexdigest()] for name, path in data_files(root)[1]]


def prebuilt_files(root) -> dict[str, bytes]:
    """``laokg.nt`` and ``prebuilt.json`` for the project at ``root`` (laid out as it will be
    installed: the expanded graph/). Raises InputError if the data do not load as N-Triples."""
    from laokg.errors import InputError
    from laokg.graph.export import prepare_triples, write_triples
    from laokg.graph.triples import from_ntriples

    text = load_data_text(root)
    if text is None:
        raise InputError(f"{root}: the data do not load as N-Triples text (run laokg validate)")
    record = {"files": content_fingerprint(root)}
    # written as `laokg build` writes its laokg.nt: sorted, blank nodes labelled canonically, so
    # that the wheel is the same bytes from one build to the next
    ntriples = write_triples(prepare_triples(from_ntriples(text.ntriples), text.prefixes), "nt")
    return {
        NTRIPLES: ntriples,
        RECORD: (json.dumps(record, indent=1) + "\n").encode("utf-8"),
    }


def prebuilt_ntriples(root=None) -> Path | None:
    """The shipped ``laokg.nt`` of the project at ``root`` if it is the data installed with the
    wheel and the N-Triples were made from its data files as they are now, else None (another
    project, no ``prebuilt/``, or a file changed since)."""
    base = _wheel_data(root)
    if base is None:
        return None
    folder = base / FOLDER
    ntriples = folder / NTRIPLES
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(record, dict) or not ntriples.is_file():
        return None
    return ntriples if record.get("files") == content_fingerprint(root) else None


def prebuilt_facts(root=None) -> Path | None:
    """Where the shipped saved queries' facts are (the file may not exist); None for a project
    that is not the data installed with the wheel."""
    base = _wheel_data(root)
    return None if base is None else base / FOLDER / FACTS


def _wheel_data(root) -> Path | None:
    base = find_root(root)
    return base if base.resolve() == WHEEL_DATA else None


__all__ = [
    "FOLDER",
    "NTRIPLES",
    "RECORD",
    "FACTS",
    "content_fingerprint",
    "prebuilt_files",
    "prebuilt_ntriples",
    "prebuilt_facts",
]
