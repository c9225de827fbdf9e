"""Helpers for the site tests: parse the built pages, resolve their links; what the front page
lists."""

from __future__ import annotations

import os
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: the groups the front page lists, in its order (what people look for, not record types)
FRONT_PAGE_GROUPS = (
    "Laws and agreements",
    "Institutions",
    "Figures",
    "Rights",
    "Programmes and practices",
    "Findings and obstacles",
    "Sources",
)


class PageParser(HTMLParser):
    """Links (href, src, action, xlink:href) and element ids of one HTML page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.img_without_alt = 0

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if "id" in d:
            self.ids.add(d["id"])
        if tag == "img" and "alt" not in d:
            self.img_without_alt += 1
        for key in ("href", "src", "action", "xlink:href"):
            if d.get(key):
                self.links.append(d[key])


def parse_pages(site: Path) -> dict[str, PageParser]:
    pages = {}
    for dirpath, _dirs, names in os.walk(site):
        for name in names:
            if name.endswith(".html"):
                path = Path(dirpath) / name
                parser = PageParser()
                parser.feed(path.read_text(encoding="utf-8"))
                pages[path.relative_to(site).as_posix()] = parser
    return pages


def broken_links(site: Path, pages: dict[str, PageParser]) -> list[tuple[str, str]]:
    """Every internal link (relative URL) whose file, or whose #fragment in it, is missing."""
    bad = []
    for page, parser in sorted(pages.items()):
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue  # external
            path = unquote(parts.path)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
            if (
                target.startswith("..")
                or not (site / target).exists()
                or parts.fragment
                and target.endswith(".html")
                and parts.fragment not in pages[target].ids
            ):
                bad.append((page, link))
    return bad


def site_bytes(site: Path, skip=("downloads/",)) -> dict[str, bytes]:
    out = {}
    for dirpath, _dirs, names in os.walk(site):
        for name in names:
            path = Path(dirpath) / name
            rel = path.relative_to(site).as_posix()
            if not rel.startswith(skip):
                out[rel] = path.read_bytes()
    return out


class TableParser(HTMLParser):
    """Every table of a page (nested tables are not used by the site): its rows, each a list of
    cells ``{"text", "header", "titles", "hrefs", "label"}`` — the cell's visible text (spaces
    collapsed), whether it is a ``th``, the ``title`` attributes and links inside it, and its
    ``data-label``."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._cell = None
        self._caption = None

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if tag == "table":
            self.tables.append({"class": d.get("class") or "", "caption": "", "rows": []})
        elif tag == "caption" and self.tables:
            self._caption = []
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables and self.tables[-1]["rows"]:
            self._cell = {"text": [], "header": tag == "th", "titles": [], "hrefs": [], "label": d.get("data-label")}
            self.tables[-1]["rows"][-1].append(self._cell)
        elif self._cell is not None:
            if d.get("title"):
                self._cell["titles"].append(d["title"])
            if d.get("href"):
                self._cell["hrefs"].append(d["href"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._cell["text"] = " ".join("".join(self._cell["text"]).split())
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"].append(data)
        if self._caption is not None:
            self._caption.append(data)


def page_tables(path: Path) -> list[dict]:
    parser = TableParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tables


class TextParser(HTMLParser):
    """The text a reader sees in ``main`` (no attributes, no script)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._in_main = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self._in_main += 1
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main -= 1
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if self._in_main and not self._skip:
            self.parts.append(data)


def visible_text(path: Path) -> str:
    parser = TextParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return " ".join(" ".join(parser.parts).split())


class EntityParser(HTMLParser):
    """What an entity page says about its entity, as a reader sees it: the heading (``h1``),
    the CURIE, the figure, the types and, per section (``labels``, ``properties``,
    ``incoming``), each row's property name and its values one by one (an item of a list, or
    the whole cell), spaces collapsed."""

    def __init__(self):
        super().__init__()
        self.heading = ""
        self.curie = ""
        self.figure = ""
        self.types = ""
        self.rows: dict[str, list[tuple[str, list[str]]]] = {}
        self._section = None
        self._where = None  # "h1", "curie", "figure", "types", "th", "td", "li"
        self._text: list[str] = []
        self._depth = {"li": 0, "dl": 0}
        self._row: list | None = None
        #: the statements each piece of evidence supports (``ul.statements``), then those with none
        self.statements: list[str] = []
        self._statements = False

    def _flush(self) -> str:
        text = " ".join("".join(self._text).split())
        self._text = []
        return text

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        cls = d.get("class") or ""
        if self._where in ("td", "li", "statement") and tag in ("dl", "dt", "dd"):
            # a blank node's statements, written out as the CLI writes them: [ name value; … ]
            if tag == "dl":
                self._text.append("[ ")
                self._first = True
            elif tag == "dt":
                if not self._first:
                    self._text = ["".join(self._text).rstrip(), "; "]
                self._first = False
            else:
                self._text.append(" ")
            return
        if tag == "section":
            self._section = d.get("aria-labelledby")
        elif tag == "h1":
            self._where, self._text = "h1", []
        elif tag == "span" and cls == "curie" and self.heading and not self.curie:
            self._where, self._text = "curie", []
        elif tag == "strong" and self._where == "figure-p":
            self._where, self._text = "figure", []
        elif tag == "p" and cls == "figure":
            self._where = "figure-p"
        elif tag == "p" and cls == "types":
            self._where, self._text = "types", []
        elif tag == "ul" and cls == "statements":
            self._statements = True
        elif tag == "li" and self._statements:
            self._where, self._text = "statement", []
        elif tag == "tr" and self._section in ("labels", "properties", "incoming"):
            self._row = []
        elif tag == "th" and self._row is not None:
            self._where, self._text = "th", []
        elif tag == "td" and self._row is not None:
            self._where, self._text = "td", []
            self._row.append([])
        elif tag == "li" and self._where in ("td", "li") and self._row is not None:
            self._where, self._text = "li", []

    def handle_endtag(self, tag):
        if tag == "dl" and self._where in ("td", "li", "statement"):
            self._text = ["".join(self._text).rstrip(), " ]"]
        elif tag == "h1" and self._where == "h1":
            self.heading, self._where = self._flush(), None
        elif tag == "span" and self._where == "curie":
            self.curie, self._where = self._flush().strip("()"), None
        elif tag == "strong" and self._where == "figure":
            self.figure, self._where = self._flush(), None
        elif tag == "p" and self._where == "types":
            self.types, self._where = self._flush().partition(": ")[2], None
        elif tag == "ul" and self._statements:
            self._statements = False
        elif tag == "li" and self._where == "statement":
            self.statements.append(self._flush())
            self._where = None
        elif tag == "th" and self._where == "th":
            self._row.append(self._flush())
            self._where = None
        elif tag == "li" and self._where == "li":
            self._row[-1].append(self._flush())
            self._where = "td"
        elif tag == "td" and self._where == "td":
            text = self._flush()
            if not self._row[-1]:
                self._row[-1].append(text)
            self._where = None
        elif tag == "tr" and self._row is not None:
            if len(self._row) == 2 and isinstance(self._row[0], str) and isinstance(self._row[1], list):
                self.rows.setdefault(self._section, []).append((self._row[0], self._row[1]))
            self._row = None

    def handle_data(self, data):
        if self._where in ("h1", "curie", "figure", "types", "th", "td", "li", "statement"):
            self._text.append(data)


def entity_view(path: Path) -> EntityParser:
    parser = EntityParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser
