"""Where things live on the site: a page per entity IRI, anchors for ontology terms and
vocabulary concepts, and relative links between pages (so the site works under any base path,
on any static host and from ``file://``)."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

from rdflib import URIRef

from laokg.namespaces import BASE, KG, LAOKG, VOCAB

ENTITY_BASE = str(KG)  # https://w3id.org/laokg/id/
ONTOLOGY_PAGE = "ontology.html"
VOCAB_PAGE = "vocabularies.html"
_SAFE_LOCAL = re.compile(r"[A-Za-z0-9_\-.]+(/[A-Za-z0-9_\-.]+)*")


def is_entity(iri) -> bool:
    """An IRI the graph mints (under https://w3id.org/laokg/id/) with a name usable as a path."""
    if not isinstance(iri, URIRef):
        return False
    s = str(iri)
    return s.startswith(ENTITY_BASE) and bool(_SAFE_LOCAL.fullmatch(s[len(ENTITY_BASE):]))


def entity_stem(iri) -> str:
    """``https://w3id.org/laokg/id/decree-245-2020`` -> ``id/decree-245-2020`` (no extension)."""
    return "id/" + str(iri)[len(ENTITY_BASE):]


def anchor(text: str) -> str:
    """A stable HTML id for a term: letters, digits, ``-`` and ``_`` only."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


def target(iri) -> str | None:
    """The site path (from the site root) where ``iri`` is described, or None if it is not
    described on the site (an external IRI)."""
    if is_entity(iri):
        return entity_stem(iri) + ".html"
    s = str(iri)
    if s.startswith(str(LAOKG)) or s == BASE + "ontology":
        local = s[len(str(LAOKG)):] if s.startswith(str(LAOKG)) else ""
        return ONTOLOGY_PAGE + ("#" + anchor(local) if local else "")
    if s.startswith(VOCAB):
        return VOCAB_PAGE + "#" + anchor(s[len(VOCAB):])
    return None


def relative(from_page: str, to_path: str) -> str:
    """The relative link from the page at ``from_page`` to the site path ``to_path``."""
    path, _, frag = to_path.partition("#")
    start = posixpath.dirname(from_page) or "."
    rel = posixpath.relpath(path, start) if path else posixpath.basename(from_page)
    return quote(rel) + ("#" + frag if frag else "")


def type_page(curie_text: str) -> str:
    return "types/" + anchor(curie_text.replace(":", "-")) + ".html"


def query_page(name: str) -> str:
    return "queries/" + anchor(name) + ".html"
