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
