"""Claims in the short form, expanded into the provenance pattern (PROV-O + Web Annotation).

A curator writes a fact once, with the words of the source that state it::

    kg:decree-245-2020 a eli:LegalResource ; … ;
        laokg:quote "A major milestone in migration governance in Laos came into effect in 2020" .

and, where a passage needs a name of its own (it supports several nodes, or only some
statements of one, or needs a prefix to be told from a second occurrence), on the evidence::

    ev:seaip-mlsw-release-1 laokg:quote "According to data released by the Lao Ministry" ;
        laokg:statedProperty laokg:reportedBy .
    kg:obs-… prov:qualifiedDerivation ev:seaip-mlsw-release-1 .

A document is registered once (graph/sources.ttl) with its file name (``dct:identifier``),
the SHA-256 of its text (``laokg:sha256``), a short title for labels (``laokg:shortTitle``)
and, where its headings need choosing, an outline (``laokg:outline``, see
:func:`laokg.graph.sourcetext.parse_outline`). Its sections and printed footnotes are read
from the text; the curator adds only what reading cannot know (``cito:citesAsEvidence`` on a
footnote ``kg:<document>-fn-<n>``).

:func:`expand` turns the short form into the full pattern every reader walks: for each quote a
``laokg:DocumentEvidence`` (``ev:<subject>-<n>``, numbered in the order the quotes stand in
the documents, skipping numbers already used), its passage ``…-passage`` (an
``oa:SpecificResource``) with an ``oa:TextQuoteSelector`` (``oa:exact``, ``oa:prefix``,
``oa:suffix``) and an ``oa:TextPositionSelector`` (``oa:start``/``oa:end`` in code points of
the stored text), ``laokg:section``, the footnotes whose marks follow the quote (unless the
curator wrote ``laokg:footnote`` on the evidence), labels; the sections and footnotes of each
document. The short-form triples are removed; ``laokg:sha256`` stays (it says which text was
read). A quote that is not in its document, or is in it more than once without a prefix or
suffix that singles one out, is a :class:`~laokg.errors.QuoteError` at its file and line
that shows the closest passage and how it differs; a text that no longer matches its
checksum is a :class:`~laokg.errors.SourceTextError`.

The same expansion serves the three loaders: the rdflib graph (:func:`apply_to_graph`), the
N-Triples text that validation and the build read (:func:`apply_to_ntriples`) and the
Oxigraph store (:func:`apply_to_store`). A graph without short-form triples is returned as it
is, without reading any source text (an installed wheel ships the graph already expanded).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from laokg.errors import QuoteError, SourceTextError
from laokg.graph import sourcetext
from laokg.graph.sourcefiles import ENV_SOURCES, source_fingerprint, sources_dir
from laokg.namespaces import LAOKG, OA

KG = "https://w3id.org/laokg/id/"
EV = "https://w3id.org/laokg/id/evidence/"
DOCO_SECTION = URIRef("http://purl.org/spar/doco/Section")
DOCO_FOOTNOTE = URIRef("http://purl.org/spar/doco/Footnote")

QUOTE, QUOTED_FROM = LAOKG.quote, LAOKG.quotedFrom
QUOTE_PREFIX, QUOTE_SUFFIX = LAOKG.quotePrefix, LAOKG.quoteSuffix
OUTLINE, SHORT_TITLE, SHA256 = LAOKG.outline, LAOKG.shortTitle, LAOKG.sha256

#: the curator's short form: removed from the expanded graph
SHORT_FORM = (QUOTE, QUOTED_FROM, QUOTE_PREFIX, QUOTE_SUFFIX, OUTLINE, SHORT_TITLE)
#: what the expansion reads besides the short form
READS = (*SHORT_FORM, SHA256, DCTERMS.identifier, LAOKG.footnote)
#: characters of context written as oa:prefix / oa:suffix
CONTEXT = 32
#: characters of the excerpt shown in a label
LABEL_LENGTH = 60


def has_short_form(predicates) -> bool:
    return any(p in SHORT_FORM for p in predicates)


# ---------------------------------------------------------------- documents


@dataclass
class Document:
    iri: URIRef
    file: str
    text: str
    short_title: str
    sections: list[sourcetext.Section]
    notes: list[sourcetext.Footnote]
    marks: list[sourcetext.Mark]

    @property
    def slug(self) -> str:
        return str(self.iri)[len(KG) :] if str(self.iri).startswith(KG) else str(self.iri).rsplit("/", 1)[-1]

    def section_iri(self, section: sourcetext.Section) -> URIRef:
        return URIRef(f"{KG}{self.slug}-{section.slug}")

    def footnote_iris(self) -> list[tuple[sourcetext.Footnote, URIRef]]:
        seen: dict[int, int] = {}
        out = []
        for note in self.notes:
            seen[note.number] = seen.get(note.number, 0) + 1
            tail = "" if seen[note.number] == 1 else f"-{seen[note.number]}"
            out.append((note, URIRef(f"{KG}{self.slug}-fn-{note.number}{tail}")))
        return out


def read_document(
    iri, file: str, sha: str | None, outline: str | None, short_title: str | None, folder: Path, where=None
) -> Document:
    """Read one registered document's text, check its checksum, read its outline."""
    path = folder / file
    if "/" in file or "\\" in file or file.startswith("."):
        raise SourceTextError(f"{iri}: dct:identifier {file!r} is not a plain file name in the sources directory")
    if not path.is_file():
        raise SourceTextError(
            f"{iri}: source text {file} not found in {folder} (set ${ENV_SOURCES} to the "
            "directory that holds the source documents)"
        )
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if sha is not None and digest != sha:
        raise SourceTextError(
            f"{iri}: the text {path} no longer matches its recorded SHA-256 (recorded {sha[:12]}…, "
            f"now {digest[:12]}…); if the document was meant to change, register it again "
            "(laokg source add) and check its quotes"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceTextError(f"{iri}: source text {path} is not UTF-8") from None
    try:
        entries = sourcetext.parse_outline(outline) if outline else None
        secs = sourcetext.sections(text, entries)
    except ValueError as exc:
        path_, line = where(str(outline)[:40]) if where and outline else (None, None)
        raise QuoteError(path_ or str(iri), line, f"{iri} laokg:outline: {exc}") from None
    notes = sourcetext.footnotes(text)
    return Document(URIRef(iri), file, text, short_title or file, secs, notes, sourcetext.marks(text, notes))


# ---------------------------------------------------------------- locating a quote


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_FOLD).replace("*", "")).strip()


_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00ad": ""})


def closest_passage(text: str, quote: str) -> tuple[int, str]:
    """(offset, passage) of the text most like ``quote`` (difflib), for an error message."""
    size = len(quote)
    best, best_at = -1.0, 0
    starts = [0, *(m.end() for m in re.finditer(r"\s+", text))]
    head = quote[:12]
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(quote)
    for at in starts:
        window = text[at : at + size + 8]
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best or matcher.quick_ratio() <= best:
            continue
        ratio = matcher.ratio() + (0.05 if window.startswith(head) else 0.0)
        if ratio > best:
            best, best_at = ratio, at
    return best_at, text[best_at : best_at + size + 8]


def describe_difference(quote: str, passage: str) -> list[str]:
    """What differs between the quote and the passage, in words a curator acts on."""
    out = []
    matcher = difflib.SequenceMatcher(None, quote, passage, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        mine, theirs = quote[i1:i2], passage[j1:j2]
        if i2 == len(quote) and tag in ("insert", "replace") and not mine:
            continue
        note = ""
        if _fold(mine) == _fold(theirs) and (mine or theirs):
            if any(c in mine + theirs for c in "‘’“”'\""):
                note = " (curly vs straight quotes)"
            elif "\n" in mine + theirs:
                note = " (a line break)"
            elif "*" in mine + theirs:
                note = " (emphasis marks *…* of the extracted text)"
            else:
                note = " (spacing)"
        elif "-" in mine + theirs and mine.replace("-", "").strip() == theirs.replace("-", "").strip():
            note = " (a hyphenation)"
        out.append(f"quote has {mine!r}, document has {theirs!r}{note}")
        if len(out) >= 6:
            break
    return out


@dataclass
class Located:
    document: Document
    start: int
    end: int


def _trim_tail(passage: str, quote: str) -> str:
    """The passage cut to about the quote's length, at a word end."""
    return passage[: len(quote) + 2].rstrip()


def locate(
    quote: str,
    docs: list[Document],
    prefix: str = "",
    suffix: str = "",
    only: URIRef | None = None,
    where=None,
    what: str = "",
) -> Located:
    """Where ``quote`` stands: exactly one place in exactly one of ``docs`` (``only`` when the
    claim names its document). Raises QuoteError otherwise."""
    candidates = [d for d in docs if only is None or d.iri == only]
    path, line = where(quote) if where else (None, None)
    if only is not None and not candidates:
        raise QuoteError(
            path or what,
            line,
            f"{what}: laokg:quotedFrom {only} is not a registered document (one with dct:identifier and laokg:sha256)",
        )
    found: list[tuple[Document, int]] = []
    for doc in candidates:
        for at in sourcetext.find_all(doc.text, prefix + quote + suffix):
            found.append((doc, at + len(prefix)))
    if len(found) == 1:
        doc, at = found[0]
        return Located(doc, at, at + len(quote))
    if not found:
        lines = [f"{what}: quote not found in {_names(candidates)}: {quote[:80]!r}{'…' if len(quote) > 80 else ''}"]
        best = None
        for doc in candidates:
            at, passage = closest_passage(doc.text, quote)
            score = difflib.SequenceMatcher(None, quote, passage, autojunk=False).ratio()
            if best is None or score > best[0]:
                best = (score, doc, at, _trim_tail(passage, quote))
        if best is not None and best[0] > 0.5:
            _, doc, at, passage = best
            lines.append(f"closest passage ({doc.file}, line {sourcetext.line_of(doc.text, at)}): {passage!r}")
            lines.extend(describe_difference(quote, passage))
        raise QuoteError(path or what, line, "; ".join(lines))  # one line: the CLI prints one Error line
    docs_hit = {d.iri for d, _ in found}
    if len(docs_hit) > 1:
        raise QuoteError(
            path or what,
            line,
            f"{what}: quote found in {len(docs_hit)} documents "
            f"({_names([d for d in candidates if d.iri in docs_hit])}); "
            "name one with laokg:quotedFrom",
        )
    doc = found[0][0]
    places = ", ".join(
        f"line {sourcetext.line_of(doc.text, at)} (after {doc.text[max(0, at - 20) : at]!r})" for _, at in found[:4]
    )
    raise QuoteError(
        path or what,
        line,
        f"{what}: quote found {len(found)} times in {doc.file}: {places}; "
        "write the words before it as laokg:quotePrefix (or after it as "
        "laokg:quoteSuffix) on the evidence to say which",
    )


def _names(docs) -> str:
    return ", ".join(d.file for d in docs) or "no registered document"


# ---------------------------------------------------------------- the expansion


@dataclass
class Expansion:
    """What :func:`expand` does to the graph: the triples to add (the short form is removed
    by predicate, :data:`SHORT_FORM`)."""

    add: list = field(default_factory=list)
    evidence: int = 0


def excerpt_label(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("*", "")).strip()
    return text if len(text) <= LABEL_LENGTH else text[: LABEL_LENGTH - 1].rstrip() + "…"


def _local(iri) -> str:
    text = str(iri)
    for base in (EV, KG):
        if text.startswith(base):
            return text[len(base) :]
    return re.split(r"[/#]", text)[-1]


def expand(triples, root: Path | None = None, where=None, folder: Path | None = None) -> Expansion:
    """Expand the short form found in ``triples`` (an iterable of (s, p, o) rdflib terms: at
    least every triple whose predicate is in :data:`READS`, and the ``rdf:type`` triples of
    evidence nodes). ``where(text)`` gives (file, line) of a literal for error messages."""
    triples = list(triples)
    by_pred: dict = {}
    for s, p, o in triples:
        by_pred.setdefault(p, []).append((s, o))
    if not any(by_pred.get(p) for p in SHORT_FORM):
        return Expansion()
    folder = Path(folder) if folder is not None else sources_dir(root)
    values: dict[URIRef, dict] = {p: {} for p in READS}  # property -> subject -> its values
    for p in READS:
        for s, o in by_pred.get(p, ()):
            values[p].setdefault(s, []).append(o)

    def one(p, s):
        got = values[p].get(s)
        return str(got[0]) if got else None

    # documents: a node with a file name and a checksum, or with an outline / short title
    registered = sorted(set(values[SHA256]) | set(values[OUTLINE]) | set(values[SHORT_TITLE]), key=str)
    docs = []
    for iri in registered:
        file = one(DCTERMS.identifier, iri)
        if file is None:
            path, line = where(one(SHORT_TITLE, iri) or one(OUTLINE, iri) or "") if where else (None, None)
            raise QuoteError(
                path or str(iri), line, f"{iri}: a registered document needs its file name (dct:identifier)"
            )
        docs.append(read_document(iri, file, one(SHA256, iri), one(OUTLINE, iri), one(SHORT_TITLE, iri), folder, where))
    out = Expansion()
    add = out.add
    en = "en"
    for doc in docs:
        for sec in doc.sections:
            node = doc.section_iri(sec)
            add.append((node, RDF.type, DOCO_SECTION))
            add.append((node, RDFS.label, Literal(sec.title, lang=en)))
            add.append((node, DCTERMS.title, Literal(sec.title, lang=en)))
            add.append((node, DCTERMS.isPartOf, doc.iri))
        for note, node in doc.footnote_iris():
            add.append((node, RDF.type, DOCO_FOOTNOTE))
            add.append((node, RDFS.label, Literal(f"{doc.short_title}, footnote {note.number}", lang=en)))
            add.append((node, DCTERMS.isPartOf, doc.iri))
            add.append((node, LAOKG.footnoteNumber, Literal(str(note.number), datatype=XSD.integer)))
            add.append((node, DCTERMS.bibliographicCitation, Literal(note.citation)))

    # quotes: on an evidence node (its IRI given) or on a fact node (numbered here)
    evidence_types = {s for s, o in by_pred.get(RDF.type, ()) if o == LAOKG.DocumentEvidence}
    placed: list[tuple[URIRef | None, URIRef, str, Located]] = []
    for subject, quote in sorted(by_pred.get(QUOTE, ()), key=lambda so: (str(so[0]), str(so[1]))):
        what = _local(subject)
        if len(values[QUOTE].get(subject, ())) > 1 and str(subject).startswith(EV):
            path, line = where(str(quote)) if where else (None, None)
            raise QuoteError(
                path or what, line, f"{what}: an evidence node holds one quote (write one node per passage)"
            )
        only = values[QUOTED_FROM].get(subject)
        located = locate(
            str(quote),
            docs,
            one(QUOTE_PREFIX, subject) or "",
            one(QUOTE_SUFFIX, subject) or "",
            URIRef(only[0]) if only else None,
            where,
            what,
        )
        placed.append((subject, quote, what, located))
    used = set(evidence_types) | {s for s, _, _, _ in placed if str(s).startswith(EV)}
    for subject, quote, what, located in placed:
        if str(subject).startswith(EV):
            ev = URIRef(str(subject))
        else:
            if len(values[QUOTE].get(subject, ())) > 1:
                path, line = where(str(quote)) if where else (None, None)
                raise QuoteError(
                    path or what,
                    line,
                    f"{what}: a node carries one laokg:quote (its evidence is "
                    f"ev:{what}-N, N the first number free); write each further "
                    f'quote as a named evidence node, ev:{what}-2 laokg:quote "…" , '
                    f"and link it with prov:qualifiedDerivation",
                )
            n = 1
            while URIRef(f"{EV}{_local(subject)}-{n}") in used:
                n += 1
            ev = URIRef(f"{EV}{_local(subject)}-{n}")
            used.add(ev)
            add.append((subject, PROV.qualifiedDerivation, ev))
        _evidence(add, ev, str(quote), located, ev in values[LAOKG.footnote])
        out.evidence += 1
    return out


def _evidence(add, ev: URIRef, quote: str, located: Located, footnotes_given: bool) -> None:
    doc, start, end = located.document, located.start, located.end
    section = sourcetext.section_at(doc.sections, start)
    label = f"{doc.short_title}, {section.title if section else 'untitled'}: “{excerpt_label(quote)}”"
    passage = URIRef(f"{ev}-passage")
    digest = hashlib.blake2b(str(ev).encode("utf-8"), digest_size=8).hexdigest()
    quote_sel, position_sel = BNode(f"q{digest}"), BNode(f"p{digest}")
    add.append((ev, RDF.type, LAOKG.DocumentEvidence))
    add.append((ev, RDFS.label, Literal(f"Evidence: {label}", lang="en")))
    add.append((ev, PROV.entity, passage))
    if section is not None:
        add.append((ev, LAOKG.section, doc.section_iri(section)))
    if not footnotes_given:
        numbers = sourcetext.footnotes_after(doc.text, start, end, doc.notes, doc.marks)
        iris: dict[int, URIRef] = {}
        for note, iri in doc.footnote_iris():
            iris.setdefault(note.number, iri)
        for number in numbers:
            if number in iris:
                add.append((ev, LAOKG.footnote, iris[number]))
    add.append((passage, RDF.type, OA.SpecificResource))
    add.append((passage, RDFS.label, Literal(f"Passage: {label}", lang="en")))
    add.append((passage, OA.hasSource, doc.iri))
    add.append((passage, OA.hasSelector, quote_sel))
    add.append((passage, OA.hasSelector, position_sel))
    add.append((quote_sel, RDF.type, OA.TextQuoteSelector))
    add.append((quote_sel, OA.exact, Literal(quote)))
    add.append((quote_sel, OA.prefix, Literal(doc.text[max(0, start - CONTEXT) : start])))
    add.append((quote_sel, OA.suffix, Literal(doc.text[end : end + CONTEXT])))
    add.append((position_sel, RDF.type, OA.TextPositionSelector))
    add.append((position_sel, OA.start, Literal(str(start), datatype=XSD.integer)))
    add.append((position_sel, OA.end, Literal(str(end), datatype=XSD.integer)))


# ---------------------------------------------------------------- where a literal is written


def literal_finder(paths):
    """``where(text)`` → (path, line) of the first file among ``paths`` whose Turtle holds the
    start of ``text`` (as a Turtle string would write it), or (None, None)."""
    cache: dict = {}

    def where(text: str):
        head = text[:40]
        forms = {head, head.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")}
        for path in paths:
            body = cache.get(path)
            if body is None:
                try:
                    body = cache[path] = Path(path).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    body = cache[path] = ""
            for form in forms:
                at = body.find(form) if form else -1
                if at >= 0:
                    return str(path), body.count("\n", 0, at) + 1
        return None, None

    return where


# ---------------------------------------------------------------- the three loaders


def apply_to_graph(graph, root: Path | None = None, paths=()) -> None:
    """Expand the short form in an rdflib graph, in place."""
    if not any(True for p in SHORT_FORM for _ in graph.triples((None, p, None))):
        return
    reads = [(s, p, o) for p in READS for s, _, o in graph.triples((None, p, None))]
    reads += [(s, RDF.type, LAOKG.DocumentEvidence) for s in graph.subjects(RDF.type, LAOKG.DocumentEvidence)]
    result = expand(reads, root, literal_finder(paths))
    for p in SHORT_FORM:
        graph.remove((None, p, None))
    graph.addN((s, p, o, graph) for s, p, o in result.add)


_SHORT_FORM_NT = tuple(f"<{p}>" for p in SHORT_FORM)


def apply_to_ntriples(text: str, root: Path | None = None, paths=()) -> str:
    """Expand the short form in N-Triples text (one triple a line)."""
    if not any(f" {p} " in text for p in _SHORT_FORM_NT):  # as a predicate (the ontology defines them)
        return text
    from rdflib import Graph

    wanted = tuple(f" <{p}> " for p in READS) + (f" <{RDF.type}> <{LAOKG.DocumentEvidence}> ",)
    short = tuple(f" {p} " for p in _SHORT_FORM_NT)
    kept, reads = [], []
    for line in text.splitlines():
        if any(w in line for w in wanted):
            reads.append(line)
        if not any(s in line for s in short):
            kept.append(line)
    graph = Graph(bind_namespaces="none")
    graph.parse(data="\n".join(reads) + "\n", format="nt")
    result = expand(list(graph), root, literal_finder(paths))
    import pyoxigraph as ox

    # written by Oxigraph, as the rest of the text is: the same escapes, so the same canonical
    # blank-node labels as the rdflib path gets (a tab in a literal is written once, one way)
    data = ox.serialize(
        [ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in result.add], format=ox.RdfFormat.N_TRIPLES
    )
    body = cast(bytes, data).decode("utf-8")  # with no output file, serialize returns the bytes
    return "\n".join(kept) + "\n" + body


def _to_ox(term):
    import pyoxigraph as ox

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def apply_to_store(store, root: Path | None = None, paths=()) -> None:
    """Expand the short form in a pyoxigraph Store (the default graph), in place."""
    import pyoxigraph as ox

    def nodes(p):
        return list(store.quads_for_pattern(None, ox.NamedNode(str(p)), None, ox.DefaultGraph()))

    if not any(nodes(p) for p in SHORT_FORM):
        return

    def to_rd(term):
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))

    reads = [(to_rd(q.subject), to_rd(q.predicate), to_rd(q.object)) for p in READS for q in nodes(p)]
    reads += [
        (to_rd(q.subject), RDF.type, LAOKG.DocumentEvidence)
        for q in store.quads_for_pattern(
            None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(LAOKG.DocumentEvidence)), ox.DefaultGraph()
        )
    ]
    result = expand(reads, root, literal_finder(paths))
    for p in SHORT_FORM:
        for quad in nodes(p):
            store.remove(quad)

    store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), ox.DefaultGraph()) for s, p, o in result.add)


__all__ = [
    "SHORT_FORM",
    "READS",
    "ENV_SOURCES",
    "Document",
    "Expansion",
    "Located",
    "sources_dir",
    "read_document",
    "locate",
    "closest_passage",
    "describe_difference",
    "expand",
    "excerpt_label",
    "literal_finder",
    "apply_to_graph",
    "apply_to_ntriples",
    "apply_to_store",
    "source_fingerprint",
    "has_short_form",
]
