"""Read a source document's plain text: its headings, sections, footnotes and superscripts.

The texts are extractions of printed documents (PDF or web page to text): no markup says
what a heading or a footnote is, so this module reads the layout a printed page leaves:

- a **footnote** is a paragraph of one line that starts with its number, printed either as
  superscript digits (``¹⁰ ILO (2002), …``) or as plain digits (``6 IOM (2023), …``),
  followed by a space and the note's text;
- a **footnote mark** in the running text is a run of superscript digits (``…abroad”.¹``);
  the run is one number (``¹⁰`` is 10);
- a **heading** is a short paragraph of one line with no full stop at its end, not a list
  item, not a footnote and not a row of figures (the candidates a curator chooses from);
- the document's **sections** are the headings its record names in its outline (a document
  reuses the look of a heading for field names and sub-headings, which reading alone cannot
  tell from a section), each running to the next; without an outline every heading opens a
  section.

Offsets are in Unicode code points of the text as stored (what ``oa:TextPositionSelector``
counts, after the Web Annotation model), lines 1-based.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_SUPER = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_DIGITS = str.maketrans(_SUPER, "0123456789")
SUPERSCRIPT_RUN = re.compile(f"[{_SUPER}]+")
_FOOTNOTE_LINE = re.compile(rf"^[ \t]*([{_SUPER}]+|[0-9]{{1,3}})[ \t]+(\S.*?)[ \t]*$")
_FIGURE_ROW = re.compile(r"\t|^[\W\d\s%.,]+$")


def sha256_file(path: Path) -> str:
    """The SHA-256 (hex) of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_text(path: Path) -> str:
    """A source text as stored: UTF-8, line ends as written (offsets count them)."""
    return Path(path).read_bytes().decode("utf-8")


def superscript_number(marks: str) -> int:
    return int(marks.translate(_SUPER_DIGITS))


@dataclass(frozen=True)
class Paragraph:
    text: str
    start: int
    end: int
    line: int


def paragraphs(text: str) -> list[Paragraph]:
    """Blocks of non-blank lines, with offsets of their text (stripped of outer blanks)."""
    out = []
    for match in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text):
        block = match.group()
        lead = len(block) - len(block.lstrip())
        body = block.strip()
        if body:
            start = match.start() + lead
            out.append(Paragraph(body, start, start + len(body), text.count("\n", 0, start) + 1))
    return out


@dataclass(frozen=True)
class Footnote:
    number: int
    text: str  # as printed, emphasis marks kept
    start: int  # offset of the note's text (after its number)
    end: int
    line: int

    @property
    def citation(self) -> str:
        """The note's text as a citation: emphasis marks (``*``) dropped, spaces folded."""
        return re.sub(r"\s+", " ", self.text.replace("*", "")).strip()


def footnotes(text: str) -> list[Footnote]:
    """Every footnote the text prints, in order (a number printed twice is kept twice)."""
    out = []
    for para in paragraphs(text):
        if "\n" in para.text:
            continue
        match = _FOOTNOTE_LINE.match(para.text)
        if not match or not re.search(r"[A-Za-z]", match.group(2)):
            continue
        marks, body = match.groups()
        number = superscript_number(marks) if marks[0] in _SUPER else int(marks)
        if number == 0:
            continue
        start = para.start + match.start(2)
        out.append(Footnote(number, body, start, start + len(body), para.line))
    return out


@dataclass(frozen=True)
class Mark:
    number: int
    start: int
    end: int


def marks(text: str, notes: list[Footnote] | None = None) -> list[Mark]:
    """Footnote marks in the running text (superscript runs outside the footnotes' own
    number prefixes)."""
    notes = footnotes(text) if notes is None else notes
    note_heads = {n.start for n in notes}
    out = []
    for match in SUPERSCRIPT_RUN.finditer(text):
        after = match.end()
        while after < len(text) and text[after] in " \t":
            after += 1
        if after in note_heads:
            continue  # the number that opens a footnote
        out.append(Mark(superscript_number(match.group()), match.start(), match.end()))
    return out


def headings(text: str) -> list[Paragraph]:
    """Candidate headings: short one-line paragraphs that read as a title."""
    notes = {n.line for n in footnotes(text)}
    out = []
    for para in paragraphs(text):
        line = para.text
        if "\n" in line or para.line in notes or len(line) > 80:
            continue
        if line.startswith(("- ", "* ", "Written by")) or _FIGURE_ROW.search(line):
            continue
        if line.rstrip("*").rstrip().endswith((".", ",", ";", ":")) and not line.endswith(":"):
            continue
        if not re.search(r"[A-Za-z]", line):
            continue
        out.append(para)
    return out


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    heading: str  # as printed ("" for the beginning of the text)
    start: int
    end: int
    line: int


def slugify(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "section"


@dataclass(frozen=True)
class OutlineEntry:
    slug: str
    start_text: str  # "" = the beginning of the text; else the heading or first words as printed
    title: str
    line: int  # line of the entry in the outline literal (1-based)


def parse_outline(spec: str) -> list[OutlineEntry]:
    """``slug | where it starts | title`` per line; ``(start)`` is the beginning of the text;
    the title defaults to the heading as printed. Blank lines and ``#`` comments are skipped.
    Raises ValueError naming the line."""
    out = []
    for number, raw in enumerate(spec.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) not in (2, 3) or not cells[0] or not cells[1]:
            raise ValueError(f"outline line {number}: expected 'slug | heading as printed [| title]', got {line!r}")
        slug, where = cells[0], cells[1]
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
            raise ValueError(f"outline line {number}: {slug!r} is not a slug (lower-case letters, digits, hyphens)")
        start_text = "" if where == "(start)" else where
        title = cells[2] if len(cells) == 3 and cells[2] else where
        out.append(OutlineEntry(slug, start_text, title, number))
    return out


def sections(text: str, outline: list[OutlineEntry] | None = None) -> list[Section]:
    """The sections of the text, in order. With an outline, each entry's start text must open
    exactly one paragraph (ValueError otherwise); without, every candidate heading opens one,
    and text before the first heading is a section of its own."""
    paras = paragraphs(text)
    starts: list[tuple[int, str, str, str, int]] = []
    if outline:
        for entry in outline:
            if not entry.start_text:
                starts.append((0, entry.slug, entry.title, "", 1))
                continue
            hits = [p for p in paras if p.text.startswith(entry.start_text)]
            if len(hits) != 1:
                how = "no paragraph of the text starts" if not hits else f"{len(hits)} paragraphs of the text start"
                raise ValueError(f"outline line {entry.line}: {how} with {entry.start_text!r}")
            starts.append((hits[0].start, entry.slug, entry.title, entry.start_text, hits[0].line))
    else:
        heads = headings(text)
        if not heads or heads[0].start > 0 and text[: heads[0].start].strip():
            starts.append((0, "start", "Beginning of the document", "", 1))
        seen: dict[str, int] = {}
        for para in heads:
            slug = slugify(para.text)
            seen[slug] = seen.get(slug, 0) + 1
            if seen[slug] > 1:
                slug = f"{slug}-{seen[slug]}"
            starts.append((para.start, slug, para.text.strip("*» ").strip(), para.text, para.line))
    starts.sort()
    out = []
    for i, (start, slug, title, heading, line) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        out.append(Section(slug, title, heading, start, end, line))
    return out


def section_at(secs: list[Section], offset: int) -> Section | None:
    for sec in secs:
        if sec.start <= offset < sec.end:
            return sec
    return secs[-1] if secs and offset >= secs[-1].start else None


def find_all(text: str, needle: str) -> list[int]:
    out, at = [], text.find(needle)
    while at >= 0 and needle:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def footnotes_after(text: str, start: int, end: int, notes: list[Footnote], mark_list: list[Mark]) -> list[int]:
    """The footnote numbers a quote at ``[start, end)`` carries, as a reader assigns them:

    1. a quote from a footnote's own text: that footnote;
    2. the marks inside the quote and those that follow it to the end of its sentence (a mark
       after the closing punctuation counts: ``abroad”.¹``);
    3. else, when the quote's paragraph has one mark and it closes the paragraph, that mark:
       a note that closes a paragraph gives the source of the whole paragraph.
    """
    for note in notes:
        if note.start <= start and end <= note.end:
            return [note.number]
    stop = _sentence_end(text, end)
    numbers = [m.number for m in mark_list if start <= m.start < end or end <= m.start < stop]
    if not numbers:
        para_start = text.rfind("\n", 0, start)  # extracted paragraphs and list items are lines
        para_end = text.find("\n", end)
        para_start = 0 if para_start < 0 else para_start
        para_end = len(text) if para_end < 0 else para_end
        inside = [m for m in mark_list if para_start <= m.start < para_end]
        if len(inside) == 1 and not text[inside[0].end : para_end].strip() and inside[0].start >= end:
            numbers = [inside[0].number]
    return list(dict.fromkeys(numbers))


def _sentence_end(text: str, end: int) -> int:
    """Offset up to which a mark still belongs to the quote ending at ``end``: the end of its
    sentence (``.``/``?``/``!``/``;``, closing quotes, then marks), or of its line."""
    n = len(text)
    i = end
    if text[max(end - 1, 0) : end] in (".", "?", "!", ";") or text[max(end - 2, 0) : end] in (".”", '."', ".*"):
        i = end  # the quote closes its sentence: only marks right after it
        while i < n and text[i] in "”\"’')*":
            i += 1
        while i < n and text[i] in _SUPER:
            i += 1
        return i
    while i < n and text[i] != "\n":
        ch = text[i]
        if ch in ".?!;":
            j = i + 1
            while j < n and text[j] in "”\"’')*":
                j += 1
            while j < n and text[j] in _SUPER:
                j += 1
            return j
        if ch in _SUPER:
            j = i
            while j < n and text[j] in _SUPER:
                j += 1
            return j
        i += 1
    return i


__all__ = [
    "Footnote",
    "Mark",
    "Paragraph",
    "Section",
    "OutlineEntry",
    "sha256_file",
    "read_text",
    "paragraphs",
    "footnotes",
    "marks",
    "headings",
    "sections",
    "section_at",
    "parse_outline",
    "slugify",
    "find_all",
    "line_of",
    "footnotes_after",
    "superscript_number",
]
