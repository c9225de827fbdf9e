"""Query facts: what laokg's checks need to know about a saved query, computed once by
``laokg build`` and kept in the release (``dist/current/queries.json``) beside the store.

Parsing a saved query with rdflib's pyparsing SPARQL grammar takes about as long as starting
Python and importing rdflib (docs/performance.md), and laokg parses every query it runs: to
find its parameters and form, to refuse updates, ``SERVICE`` and ``FROM`` (:mod:`laokg.query.safety`),
and to see which class an IRI parameter must have. Those results depend only on the query's
text, so the build computes them for every saved query and audit rule with the same full
parse and checks, and stores them keyed by the SHA-256 of the exact text. A later run that
reads a query whose text has that hash uses the stored facts instead of parsing: a changed
query (one byte) has another hash and is parsed again. Ad-hoc ``laokg sparql`` text is
always parsed. The rdflib engine still parses a query lazily when it evaluates it (it needs
rdflib's algebra); the Oxigraph engine never does.

The facts of a release are read from the project's ``dist/``, which whoever made the folder
wrote (an unpacked archive, say), so they may lie: facts claiming no ``SERVICE`` for a text with
one would have the store fetch from the network. So facts are used only for a text in which
no keyword those checks look for (``SERVICE``, ``FROM``, an update's) stands outside strings
and comments (:func:`has_checked_keyword`); such a text is parsed and checked every time, as
without facts. No saved query or audit rule has one.

This module imports no RDF library: it is read on the fast path of ``laokg query run``. The
facts are computed by :mod:`laokg.query.precompute`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from laokg.lazyre import LazyPattern

#: file name of the facts in a release
FACTS_FILE = "queries.json"
#: bumped whenever what a fact means, or how it is computed, changes (older files are ignored)
FACTS_VERSION = 1

_FACTS: dict[str, dict] = {}
_LOADED: set[str] = set()


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: the keywords of what the checks refuse (laokg.query.safety): a text with one of them is parsed
CHECKED_KEYWORDS = frozenset(
    {"SERVICE", "FROM", "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"}
)

# SPARQL's tokens that can hold a keyword's letters without being one, leftmost first as a
# lexer reads them: an IRI (its text is still looked at: a "<" may be less-than, and a "#" in
# an IRI starts no comment), a long or short string, a comment, a prefixed name (kg:a-service),
# a word; a word after "?" or "$" is a variable's name. Where this reading and SPARQL's differ,
# it sees more words than SPARQL does, never fewer.
_TOKENS = LazyPattern(
    r'<(?P<iri>[^<>"{}|^`\\\x00-\x20]*)>'
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|#[^\n\r]*"
    r"|(?:[A-Za-z][\w.-]*)?:[\w.%:-]*"
    r"|(?<![?$\w])(?P<word>[A-Za-z]+)(?!\w)"
)
_WORDS = LazyPattern(r"[A-Za-z]+")


def has_checked_keyword(text: str) -> bool:
    """Whether a keyword of :data:`CHECKED_KEYWORDS` (any case) stands in ``text`` outside its
    strings and comments, or anywhere inside something read as an IRI; or any ``\\u``/``\\U``
    escape (SPARQL reads them before its grammar: ``\\u0053ERVICE`` is ``SERVICE``)."""
    if "\\u" in text or "\\U" in text:
        return True
    for m in _TOKENS.finditer(text):
        word, iri = m.group("word"), m.group("iri")
        if word is not None and word.upper() in CHECKED_KEYWORDS:
            return True
        if iri is not None and any(w.upper() in CHECKED_KEYWORDS for w in _WORDS.findall(iri)):
            return True
    return False


def lookup(text: str) -> dict | None:
    """The stored facts of exactly this query text, or None: always None for a text with one
    of the keywords the checks look for (the module's note)."""
    if not _FACTS:
        return None
    found = _FACTS.get(text_key(text))
    if found is None or has_checked_keyword(text):
        return None
    return found


def register(mapping: dict[str, dict]) -> None:
    """Add facts ({sha256 of text: facts}) for this process."""
    _FACTS.update(mapping)


def clear() -> None:
    _FACTS.clear()
    _LOADED.clear()


def read_facts(path: Path) -> dict[str, dict]:
    """The facts in ``path`` (a ``queries.json``); {} if missing, unreadable or of another version."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    if (
        not isinstance(record, dict)
        or record.get("version") != FACTS_VERSION
        or not isinstance(record.get("queries"), dict)
    ):
        return {}
    return {k: v for k, v in record["queries"].items() if isinstance(v, dict)}


def use_release_facts(root) -> int:
    """Register the facts of the published release of the project at ``root`` (once per
    process and root). Returns how many queries they cover (0 without a built release)."""
    from laokg.graph.store import release_folder

    folder = release_folder(root)
    if folder is None:
        return 0
    key = str(folder)
    if key not in _LOADED:
        _LOADED.add(key)
        register(read_facts(folder / FACTS_FILE))
    return len(_FACTS)


def use_prebuilt_facts(root) -> None:
    """Register the facts an installed laokg's wheel ships (:mod:`laokg.graph.prebuilt`), once per
    process and root; nothing for a project without them. Keyed by each query's text, they are
    used only for the texts they were made from."""
    from laokg.graph.prebuilt import prebuilt_facts

    path = prebuilt_facts(root)
    if path is None:
        return
    key = str(path)
    if key not in _LOADED:
        _LOADED.add(key)
        register(read_facts(path))


__all__ = [
    "FACTS_FILE",
    "FACTS_VERSION",
    "lookup",
    "has_checked_keyword",
    "CHECKED_KEYWORDS",
    "register",
    "clear",
    "read_facts",
    "use_release_facts",
    "use_prebuilt_facts",
    "text_key",
]
