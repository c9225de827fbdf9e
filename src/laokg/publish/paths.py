"""Where things live on the site: a page per entity IRI, anchors for ontology terms and
vocabulary concepts, and relative links between pages (so the site works under any base path,
on any static host and from ``file://``).

Paths that come from data go through one function, :func:`entity_stem`: an IRI the graph mints
(``https://w3id.org/laokg/id/NAME``) becomes ``id/NAME`` only when NAME is made of
``/``-separated segments of letters, digits, ``_``, ``-`` and ``.`` that neither start nor end
with a dot (so no ``.`` or ``..`` segment and no hidden file), none a name Windows reserves
(``CON``, ``NUL``, ``COM1`` …), each at most :data:`MAX_SEGMENT` characters and all of them
at most :data:`MAX_NAME`. Anything else raises :class:`~laokg.errors.UnsafePath`: the entity
gets no page and is shown as text. Every file the site writes is checked again by
:func:`safe_site_path` and :func:`inside` (relative, no dot segments, resolved inside the
output directory) before anything is written.

Links from data are built by one function too, :func:`external_href`: only ``http`` and
``https`` IRIs become links; every other scheme (``javascript:``, ``data:``, ``file:`` …) is
shown as text.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path
from typing import TypeGuard
from urllib.parse import quote

from rdflib import URIRef

from laokg.errors import UnsafePath
from laokg.namespaces import BASE, KG, LAOKG, VOCAB

ENTITY_BASE = str(KG)  # https://w3id.org/laokg/id/
ONTOLOGY_PAGE = "ontology.html"
VOCAB_PAGE = "vocabularies.html"
#: the longest segment of an entity name, and the longest name (``id/NAME.jsonld`` stays far
#: below the 255 bytes a file name may have and the 4,096 of a path)
MAX_SEGMENT = 100
MAX_NAME = 200
#: one segment of an entity name: no leading or trailing dot (``.``, ``..``, ``.htaccess``,
#: ``name.`` which Windows strips)
_SEGMENT = rf"[A-Za-z0-9_-](?:[A-Za-z0-9_.-]{{0,{MAX_SEGMENT - 2}}}[A-Za-z0-9_-])?"
_ENTITY_NAME = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*")
#: device names Windows reserves in every directory, with any extension (``con.html`` too)
_RESERVED = re.compile(r"(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(?:\..*)?", re.IGNORECASE)
#: characters no site file name may hold: control characters, and those Windows refuses
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f\\:*?"<>|]')
MAX_SITE_PATH = 1024
_HTTP = re.compile(r"https?://[^\x00-\x20\x7f/?#\\]", re.IGNORECASE)


def entity_path_problem(iri) -> str | None:
    """Why ``iri`` (under https://w3id.org/laokg/id/) cannot have a page, or None if it can."""
    name = str(iri)[len(ENTITY_BASE) :]
    if not name:
        return "the namespace itself is not an entity"
    if len(name) > MAX_NAME:
        return f"its name is longer than {MAX_NAME} characters"
    segments = name.split("/")
    if any(s in (".", "..") for s in segments):
        return "it has a '.' or '..' segment"
    if any(len(s) > MAX_SEGMENT for s in segments):
        return f"a segment of its name is longer than {MAX_SEGMENT} characters"
    if any(_RESERVED.fullmatch(s) for s in segments):
        return "a segment of its name is a reserved device name (CON, NUL, COM1 ...)"
    if not _ENTITY_NAME.fullmatch(name):
        return (
            "its name is not made of '/'-separated segments of letters, digits, '_', '-' and '.' "
            "(not starting or ending with '.')"
        )
    return None


def entity_stem(iri) -> str:
    """``https://w3id.org/laokg/id/decree-245-2020`` -> ``id/decree-245-2020`` (no extension).
    Raises :class:`UnsafePath` for an IRI that is not an entity or cannot be a path."""
    s = str(iri)
    if not s.startswith(ENTITY_BASE):
        raise UnsafePath(f"<{s}> is not under {ENTITY_BASE}: no page")
    problem = entity_path_problem(s)
    if problem is not None:
        raise UnsafePath(f"<{s}> cannot be a site path ({problem}): no page, shown as text")
    return "id/" + s[len(ENTITY_BASE) :]


def is_entity(iri) -> TypeGuard[URIRef]:
    """An IRI the graph mints (under https://w3id.org/laokg/id/) with a name usable as a path."""
    return isinstance(iri, URIRef) and str(iri).startswith(ENTITY_BASE) and entity_path_problem(iri) is None


def is_unpublishable(iri) -> TypeGuard[URIRef]:
    """An IRI under https://w3id.org/laokg/id/ (not the namespace itself) whose name cannot be
    a path: it gets no page. ``laokg validate`` reports the same IRIs (lksh:EntityIriShape)."""
    s = str(iri)
    return (
        isinstance(iri, URIRef)
        and s.startswith(ENTITY_BASE)
        and s != ENTITY_BASE
        and entity_path_problem(s) is not None
    )


def safe_site_path(path: str) -> str:
    """``path`` if it is a safe relative site path (``/``-separated, no empty, ``.`` or ``..``
    segment, not absolute, no control or Windows-refused characters, no reserved device name,
    bounded length); else :class:`UnsafePath`. Every file the site writes is checked."""
    problem = None
    if not path or len(path) > MAX_SITE_PATH:
        problem = "empty or too long"
    elif path.startswith("/") or _BAD_CHARS.search(path):
        problem = 'absolute, or a control character or one of \\:*?"<>|'
    else:
        for seg in path.split("/"):
            if seg in ("", ".", "..") or len(seg.encode("utf-8")) > 255 or seg.endswith((".", " ")):
                problem = "an empty, '.' or '..' segment, or one too long"
            elif _RESERVED.fullmatch(seg):
                problem = "a reserved device name"
            if problem:
                break
    if problem:
        raise UnsafePath(f"refusing to write site file {path!r}: {problem}")
    return path


def inside(root: Path, path: str) -> Path:
    """``root / path`` once :func:`safe_site_path` accepts ``path`` and the resolved file
    (symbolic links followed) lies inside the resolved ``root``; else :class:`UnsafePath`."""
    safe_site_path(path)
    base = Path(root).resolve()
    full = (base / path).resolve()
    if not full.is_relative_to(base) or full == base:
        raise UnsafePath(f"refusing to write site file {path!r}: it resolves outside {root} (a symbolic link?)")
    return Path(root) / path


def external_href(iri) -> str | None:
    """The link for an IRI from data that the site does not describe: the IRI itself when it
    is ``http://`` or ``https://`` (any case) with a host and no whitespace or control
    character; None (shown as text) for every other scheme, for IRIs under the entity
    namespace that have no page, and for anything else."""
    s = str(iri)
    if not _HTTP.match(s) or any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F for c in s):
        return None
    if s.startswith(ENTITY_BASE):
        return None  # an entity without a page: no link to a page that does not exist
    return s


def anchor(text: str) -> str:
    """A stable HTML id for a term: letters, digits, ``-`` and ``_`` only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def _file_name(text: str) -> str:
    """:func:`anchor` as a file name: a reserved device name or a name over 100 characters
    keeps its first 80 and gains a short hash of the whole (stable, and never the same for
    two texts that differ)."""
    name = anchor(text)
    if len(name) > MAX_SEGMENT or _RESERVED.fullmatch(name):
        name = name[:80] + "-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return name


def target(iri) -> str | None:
    """The site path (from the site root) where ``iri`` is described, or None if it is not
    described on the site (an external IRI, or an entity IRI that cannot be a path)."""
    if is_entity(iri):
        return entity_stem(iri) + ".html"
    s = str(iri)
    if s.startswith(str(LAOKG)) or s == BASE + "ontology":
        local = s[len(str(LAOKG)) :] if s.startswith(str(LAOKG)) else ""
        return ONTOLOGY_PAGE + ("#" + anchor(local) if local else "")
    if s.startswith(VOCAB):
        return VOCAB_PAGE + "#" + anchor(s[len(VOCAB) :])
    return None


def relative(from_page: str, to_path: str) -> str:
    """The relative link from the page at ``from_page`` to the site path ``to_path``."""
    path, _, frag = to_path.partition("#")
    start = posixpath.dirname(from_page) or "."
    rel = posixpath.relpath(path, start) if path else posixpath.basename(from_page)
    return quote(rel) + ("#" + frag if frag else "")


def type_page(curie_text: str) -> str:
    return "types/" + _file_name(curie_text.replace(":", "-")) + ".html"


def query_page(name: str) -> str:
    return "queries/" + _file_name(name) + ".html"
