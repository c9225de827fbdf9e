"""Check the graph's verbatim excerpts against the source documents.

The documents are not part of the project: they are read from a seeds directory (by
default ``../shared/seeds`` beside the repository, or ``$LAOKG_SEEDS``). A document node
names its file with ``dct:identifier``. Text is compared after normalising whitespace,
typographic quotes and the ``*`` emphasis marks of the extracted text.
"""

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import DCTERMS
from rdflib.query import ResultRow

from laokg.errors import InputError
from laokg.graph.evidence import sparql_passage
from laokg.namespaces import LAOKG

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'})


def normalise(text: str) -> str:
    """Fold the differences that extraction introduces and a reader ignores."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES).replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def seeds_dir(root: Path | None = None) -> Path:
    """The directory holding the source documents ($LAOKG_SEEDS or ../shared/seeds)."""
    env = os.environ.get("LAOKG_SEEDS")
    if env:
        return Path(env)
    root = Path(root) if root else Path.cwd()
    return root.resolve().parent / "shared" / "seeds"


@dataclass(frozen=True)
class ExcerptProblem:
    """An excerpt that is not found verbatim in the document it claims to quote."""

    node: str
    document: str
    excerpt: str
    reason: str


_EXCERPTS = f"""
SELECT ?node ?doc ?file ?text WHERE {{
  {{ {sparql_passage("?node", "?passage", "?doc", "?text")} }}
  UNION
  {{ ?node <{DCTERMS.isPartOf}> ?doc ; <{DCTERMS.bibliographicCitation}> ?text . }}
  OPTIONAL {{ ?doc <{DCTERMS.identifier}> ?file }}
}}"""


def check_excerpts(graph: Graph, seeds: Path) -> tuple[int, list[ExcerptProblem]]:
    """Return (number of excerpts checked, problems) for every quoted text in ``graph``."""
    if not seeds.is_dir():
        raise InputError(f"{seeds}: source documents directory not found (set LAOKG_SEEDS)")
    texts: dict[str, str] = {}
    problems: list[ExcerptProblem] = []
    checked = 0
    for row in graph.query(_EXCERPTS):
        if not isinstance(row, ResultRow):  # a SELECT gives rows only
            continue
        node, doc, file, text = row
        checked += 1
        if file is None:
            problems.append(ExcerptProblem(str(node), str(doc), str(text), "document has no dct:identifier file name"))
            continue
        if str(file) not in texts:
            path = seeds / str(file)
            if not path.is_file():
                raise InputError(f"{path}: source document not found")
            texts[str(file)] = normalise(path.read_text(encoding="utf-8"))
        if normalise(str(text)) not in texts[str(file)]:
            problems.append(ExcerptProblem(str(node), str(doc), str(text), "not found verbatim in the document"))
    return checked, problems


__all__ = ["normalise", "seeds_dir", "check_excerpts", "ExcerptProblem", "LAOKG"]
