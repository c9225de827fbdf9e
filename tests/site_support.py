"""Helpers for the site tests: parse the built pages, resolve their links."""

from __future__ import annotations

import os
import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


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
            if target.startswith("..") or not (site / target).exists():
                bad.append((page, link))
            elif parts.fragment and target.endswith(".html") and parts.fragment not in pages[target].ids:
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
