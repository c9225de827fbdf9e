"""Where the source documents' texts are, and what :mod:`laokg.graph.store`'s record keeps of
them: the small part of :mod:`laokg.graph.sourcetext` every saved query needs (the built store
is current only while the texts its quotes were located in are unchanged), in a module that
costs nothing to import.
"""

from __future__ import annotations

import os
from pathlib import Path

#: the environment variable naming the folder of source texts
ENV_SOURCES = "LAOKG_SEEDS"


def sources_dir(root: Path | None = None) -> Path:
    """The directory holding the source texts: ``$LAOKG_SEEDS``, else ``../shared/seeds``
    beside the project root."""
    env = os.environ.get(ENV_SOURCES)
    if env:
        return Path(env)
    root = Path(root) if root else Path.cwd()
    return root.resolve().parent / "shared" / "seeds"


def source_fingerprint(root: Path | None = None) -> list[list]:
    """[name, size, mtime_ns] of each file in the sources directory (for the store's record)."""
    folder = sources_dir(root)
    out: list[list] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return out
    for entry in entries:
        if entry.is_file():
            st = entry.stat()
            out.append([f"sources/{entry.name}", st.st_size, st.st_mtime_ns])
    return out


__all__ = ["ENV_SOURCES", "sources_dir", "source_fingerprint"]
