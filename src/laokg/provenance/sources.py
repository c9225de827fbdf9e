"""Curating source documents: register one, locate a phrase in it, see what it supports.

- :func:`add_source` registers a document: copies its text into the sources directory
  (``$LAOKG_SEEDS`` or ../shared/seeds), writes its record (title, publisher, date, URL,
  licence, file name, SHA-256, short title) at the end of ``graph/sources.ttl`` and returns the
  sections and footnotes the build reads in it.
- :func:`locate` says where a phrase stands in a registered document (section, footnote,
  line) and gives a claim block ready to fill in.
- :func:`show` lists the passages the graph quotes from a document and the factual
  sentences nothing cites yet, with the share of its factual sentences that support a claim.

Library functions return plain data; the CLI (``laokg source``) formats them.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from laokg.errors import InputError
from laokg.graph import claims, sourcetext
from laokg.graph.evidence import (
    document_passages,
    passage_evidence,
    passage_excerpts,
    passage_position,
    supported_nodes,
)
from laokg.namespaces import LAOKG

KINDS = {"report": ("fabio:Report", "doctype:report"), "news-item": ("fabio:NewsItem", "doctype:news-item")}
_PREFIXES = {
    "kg": "https://w3id.org/laokg/id/",
    "laokg": "https://w3id.org/laokg/ontology#",
    "doctype": "https://w3id.org/laokg/vocab/doctype/",
    "fabio": "http://purl.org/spar/fabio/",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _date(text: str) -> str:
    if re.fullmatch(r"\d{4}", text):
        return f'"{text}"^^xsd:gYear'
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return f'"{text}"^^xsd:gYearMonth'
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return f'"{text}"^^xsd:date'
    raise InputError(f"--issued {text!r}: give the date as printed, as YYYY, YYYY-MM or YYYY-MM-DD")


def _curie(text: str, what: str) -> str:
    if re.fullmatch(r"kg:[a-z0-9]+(?:-[a-z0-9]+)*", text):
        return text
    raise InputError(f"{what} {text!r}: give a kg: name such as kg:ministry-of-labour")


@dataclass
class SourceRecord:
    iri: str
    file: str
    sha256: str
    copied_to: Path
    graph_file: Path
    block: str
    sections: list = field(default_factory=list)
    footnotes: list = field(default_factory=list)
    headings: list = field(default_factory=list)


def add_source(
    root,
    file,
    *,
    slug: str | None = None,
    title: str | None = None,
    kind: str = "report",
    short_title: str | None = None,
    publisher: str | None = None,
    creator: str | None = None,
    issued: str | None = None,
    url: str | None = None,
    licence: str | None = None,
    edition_of: str | None = None,
) -> SourceRecord:
    """Register the text ``file``: copy it into the sources directory, append its record to
    graph/sources.ttl, and return what the build reads in it. ``edition_of`` (``kg:DOC``): the
    text is an edition of DOC's work (``dct:isVersionOf`` the work DOC is an edition of, or DOC
    itself), read instead of DOC from its own date on (docs/time.md)."""
    from laokg.graph.project import find_root

    base = find_root(root)
    source = Path(file)
    if not source.is_file():
        raise InputError(f"{file}: file not found")
    try:
        text = source.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{file}: not UTF-8 text (convert the document to plain UTF-8 text first)") from None
    if kind not in KINDS:
        raise InputError(f"--type {kind!r}: one of {', '.join(KINDS)}")
    folder = claims.sources_dir(base)
    if not folder.is_dir():
        raise InputError(f"{folder}: sources directory not found (create it, or set ${claims.ENV_SOURCES})")
    target = folder / source.name
    digest = sourcetext.sha256_file(source)
    if target.exists() and target.resolve() != source.resolve() and sourcetext.sha256_file(target) != digest:
        raise InputError(f"{target}: another text with this name is already in the sources directory")
    slug = slug or sourcetext.slugify(source.stem)
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
        raise InputError(f"--id {slug!r}: lower-case letters, digits and hyphens")
    graph_file = base / "graph" / "sources.ttl"
    existing = graph_file.read_text(encoding="utf-8") if graph_file.is_file() else ""
    if re.search(rf"^kg:{re.escape(slug)}\s", existing, re.M):
        raise InputError(f"kg:{slug} is already in {graph_file}; choose another --id")
    heads = sourcetext.headings(text)
    title = title or (heads[0].text.strip("*# ") if heads else source.stem)
    cls, doctype = KINDS[kind]
    lines = [f"kg:{slug} a {cls}", f"rdfs:label {_lit(title)}@en", f"dct:type {doctype}", f"dct:title {_lit(title)}@en"]
    # one plain `if` per optional field: each checks and writes its value its own way (a CURIE, a
    # date, an edition's links, an IRI), so a table of fields would need a function per row
    if creator:
        lines.append(f"dct:creator {_curie(creator, '--creator')}")
    if publisher:
        lines.append(f"dct:publisher {_curie(publisher, '--publisher')}")
    if issued:
        lines.append(f"dct:issued {_date(issued)}")
    if edition_of:
        work, revised = _edition_links(existing, _curie(edition_of, "--edition-of"), issued, graph_file)
        lines.append(f"dct:isVersionOf {work}")
        if revised:
            lines.append(f"prov:wasRevisionOf {revised}")
    if url:
        lines.append(f"schema:url <{_iri(url)}>")
    if licence:
        lines.append(f"dct:license <{_iri(licence)}>")
    lines += [
        f"dct:identifier {_lit(source.name)}",
        f"laokg:shortTitle {_lit(short_title or title)}",
        f'laokg:sha256 "{digest}"',
    ]
    if len(sourcetext.find_all(text, title)) == 1:
        lines.append(f"laokg:quote {_lit(title)}")  # the document's own evidence: its title as printed
    block = " ;\n    ".join(lines) + " .\n"
    if target.resolve() != source.resolve():
        shutil.copyfile(source, target)
    used = [p for p in _PREFIXES if re.search(rf"(?<![\w-]){p}:", block)]  # only the prefixes the file uses
    body = _with_prefixes(existing or "# laokg graph: the source documents.\n", used)
    graph_file.write_text(body.rstrip("\n") + "\n\n" + block, encoding="utf-8")
    notes = sourcetext.footnotes(text)
    return SourceRecord(
        f"{claims.KG}{slug}", source.name, digest, target, graph_file, block, sourcetext.sections(text), notes, heads
    )


def _edition_links(existing: str, doc: str, issued: str | None, graph_file: Path) -> tuple[str, str | None]:
    """(the work, the edition revised) for a new edition of ``doc`` (a kg: CURIE registered in
    graph/sources.ttl) issued ``issued``. The work is the one ``doc`` is an edition of, else
    ``doc`` itself. The edition revised is ``doc`` when it is an edition (a work: its latest
    edition), and only when both dates are given and ``doc``'s is the earlier one: an older
    edition found later revises nothing, and an undated one is not placed (docs/time.md)."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCTERMS, RDF
    from rdflib.term import Node

    graph = Graph()
    try:
        graph.parse(data=existing, format="turtle")
    except Exception as exc:  # the file's own errors are reported by the loaders
        raise InputError(f"{graph_file}: cannot read it to find {doc}: {exc}") from None
    node = URIRef(claims.KG + doc.split(":", 1)[1])
    if (node, None, None) not in graph:
        raise InputError(f"--edition-of {doc}: no such document in {graph_file}")
    works = sorted(graph.objects(node, DCTERMS.isVersionOf), key=str)
    work = works[0] if works else node

    def dated(n) -> str | None:
        return next((str(d) for d in sorted(graph.objects(n, DCTERMS.issued), key=str)), None)

    previous: Node | None = node
    if (node, RDF.type, URIRef("http://purl.org/spar/fabio/Work")) in graph:  # a work: its latest edition
        editions = [e for e in graph.subjects(DCTERMS.isVersionOf, node) if dated(e)]
        previous = max(editions, key=lambda e: (dated(e), str(e)), default=None)
    when = dated(previous) if previous is not None else None
    earlier = bool(issued and when) and _before(when or "", issued or "")
    return _kg(work), (_kg(previous) if earlier else None)


def _before(first: str, second: str) -> bool:
    """Whether a date printed ``first`` (YYYY, YYYY-MM or YYYY-MM-DD) is wholly before ``second``:
    compared at the coarser of the two precisions, so 2026 is not before 2026-05."""
    n = min(len(first), len(second))
    return first[:n] < second[:n]


def _kg(node) -> str:
    text = str(node)
    return f"kg:{text[len(claims.KG) :]}" if text.startswith(claims.KG) else f"<{text}>"


def _iri(text: str) -> str:
    if not re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", text):
        raise InputError(f"{text!r}: not an http(s) IRI")
    return text


def _with_prefixes(text: str, names) -> str:
    have = set(re.findall(r"^@prefix ([\w-]*): ", text, re.M))
    missing = [f"@prefix {n}: <{_PREFIXES[n]}> .\n" for n in names if n not in have]
    if not missing:
        return text
    lines = text.splitlines(keepends=True)
    last = max((i for i, line in enumerate(lines) if line.startswith("@prefix")), default=None)
    if last is None:
        head = [i for i, line in enumerate(lines) if line.startswith("#")]
        at = (head[-1] + 1) if head else 0
        return "".join(lines[:at]) + "\n" + "".join(missing) + "".join(lines[at:])
    return "".join(lines[: last + 1]) + "".join(missing) + "".join(lines[last + 1 :])


# ---------------------------------------------------------------- a registered document


def _registered(graph, doc: str, root):
    """(document IRI, claims.Document) for ``doc`` (an IRI, a kg: CURIE or the file name),
    read with the outline and short title its record gives (graph/ as written, before the
    expansion removes them)."""
    from laokg.graph.parse import parse_file
    from laokg.graph.project import project_files

    iri = URIRef(claims.KG + doc[3:]) if doc.startswith("kg:") else URIRef(doc)
    file = graph.value(iri, DCTERMS.identifier)
    if file is None:
        for subject in graph.subjects(DCTERMS.identifier, Literal(doc)):
            iri, file = subject, Literal(doc)
    if file is None and (iri, RDF.type, LAOKG.UnheldEdition) in graph:
        raise InputError(
            f"{doc}: an edition whose text is not held (laokg:UnheldEdition): nothing can be "
            "read in it; register its text with laokg source add FILE --edition-of … when it is found"
        )
    if file is None:
        raise InputError(f"{doc}: not a registered document (laokg source add FILE registers one)")
    record = {}
    for path in project_files(root).graph:
        for p in (claims.OUTLINE, claims.SHORT_TITLE, claims.SHA256):
            value = parse_file(path).value(iri, p)
            if value is not None:
                record[p] = str(value)
    document = claims.read_document(
        iri,
        str(file),
        record.get(claims.SHA256),
        record.get(claims.OUTLINE),
        record.get(claims.SHORT_TITLE),
        claims.sources_dir(root),
    )
    return iri, document


@dataclass
class Place:
    line: int
    start: int
    end: int
    section: str | None
    footnote: int | None  # the footnote whose text it is in
    footnotes: list  # footnote numbers the quote carries
    block: str


def locate(root, doc: str, phrase: str) -> tuple[str, list[Place]]:
    """Where ``phrase`` stands in the registered document ``doc``: (document file, places)."""
    from laokg.graph.load import load_data_graph
    from laokg.graph.project import find_root

    base = find_root(root)
    graph = load_data_graph(base)
    iri, document = _registered(graph, doc, base)
    secs = document.sections
    starts = sourcetext.find_all(document.text, phrase)
    places = []
    for start in starts:
        end = start + len(phrase)
        note = next((n.number for n in document.notes if n.start <= start < n.end), None)
        numbers = sourcetext.footnotes_after(document.text, start, end, document.notes, document.marks)
        section = sourcetext.section_at(secs, start)
        lines = ["kg:NEW-NODE a CLASS ;", '    rdfs:label "…"@en ;']
        if len(starts) > 1:
            prefix = _distinguishing_prefix(document.text, start, starts)
            lines = lines[:2] + ["    prov:qualifiedDerivation ev:NEW-NODE-1 ."]
            block = (
                "\n".join(lines)
                + f"\n\nev:NEW-NODE-1 laokg:quote {_lit(phrase)} ;\n    laokg:quotePrefix {_lit(prefix)} ."
            )
        else:
            block = "\n".join(lines) + f"\n    laokg:quote {_lit(phrase)} ."
        places.append(
            Place(
                sourcetext.line_of(document.text, start),
                start,
                end,
                section.title if section else None,
                note,
                numbers,
                block,
            )
        )
    return document.file, places


def _distinguishing_prefix(text: str, start: int, starts: list[int]) -> str:
    """The shortest run of words before ``start`` that no other occurrence shares."""
    for size in range(4, 80, 4):
        words = text[max(0, start - size) : start].lstrip()
        if words and all(not text[:s].endswith(words) for s in starts if s != start):
            return words
    return text[max(0, start - 80) : start]


# ---------------------------------------------------------------- what a document supports


@dataclass
class Passage:
    start: int
    end: int
    line: int
    section: str | None
    excerpt: str
    nodes: list


@dataclass
class Sentence:
    start: int
    end: int
    line: int
    text: str
    cited: bool


@dataclass
class SourceReport:
    iri: str
    file: str
    passages: list
    sentences: list

    @property
    def factual(self) -> int:
        return len(self.sentences)

    @property
    def cited(self) -> int:
        return sum(1 for s in self.sentences if s.cited)

    @property
    def share(self) -> float:
        return self.cited / self.factual if self.factual else 0.0


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[”\"’']*[¹²³⁴⁵⁶⁷⁸⁹⁰]*|$)")


def factual_sentences(text: str, notes) -> list[tuple[int, int, str]]:
    """Sentences of the running text that state something checkable: a figure, a date or a
    name (a capitalised word past the first). Headings, footnotes and one-word lines are not."""
    note_lines = {n.line for n in notes}
    heads = {h.start for h in sourcetext.headings(text)}
    out = []
    for para in sourcetext.paragraphs(text):
        if para.start in heads:
            continue
        offset = para.start
        for line in para.text.split("\n"):
            line_start = text.find(line, offset)
            offset = line_start + len(line)
            if sourcetext.line_of(text, line_start) in note_lines:
                continue
            for match in _SENTENCE.finditer(line):
                sentence = match.group().strip()
                if len(sentence.split()) < 4:
                    continue
                words = sentence.split()
                if re.search(r"\d", sentence) or any(w[:1].isupper() for w in words[1:]):
                    s = line_start + match.start() + (len(match.group()) - len(match.group().lstrip()))
                    out.append((s, s + len(sentence), sentence))
    return out


def show(root, doc: str) -> SourceReport:
    """The passages the graph quotes from ``doc`` and its factual sentences, cited or not."""

    from laokg.graph.load import load_data_graph
    from laokg.graph.project import find_root

    base = find_root(root)
    graph = load_data_graph(base)
    iri, document = _registered(graph, doc, base)
    passages = []
    for passage in document_passages(graph, iri):
        span = passage_position(graph, passage)  # (start, end) offsets in the text
        excerpt = next(reversed(passage_excerpts(graph, passage)), "")
        if span is None:
            hits = sourcetext.find_all(document.text, excerpt)
            if not hits:
                continue
            span = hits[0], hits[0] + len(excerpt)
        start, end = span
        nodes = sorted(str(n) for ev in passage_evidence(graph, passage) for n in supported_nodes(graph, ev))
        section = next(
            (
                str(graph.value(s, DCTERMS.title))
                for ev in passage_evidence(graph, passage)
                for s in graph.objects(ev, LAOKG.section)
            ),
            None,
        )
        passages.append(Passage(start, end, sourcetext.line_of(document.text, start), section, excerpt, nodes))
    passages.sort(key=lambda p: (p.start, p.end))
    spans = [(p.start, p.end) for p in passages]
    sentences = [
        Sentence(s, e, sourcetext.line_of(document.text, s), t, any(a < e and s < b for a, b in spans))
        for s, e, t in factual_sentences(document.text, document.notes)
    ]
    return SourceReport(str(iri), document.file, passages, sentences)


__all__ = [
    "SourceRecord",
    "Place",
    "Passage",
    "Sentence",
    "SourceReport",
    "add_source",
    "locate",
    "show",
    "factual_sentences",
    "KINDS",
]
