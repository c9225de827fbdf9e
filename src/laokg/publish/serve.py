"""``laokg site --serve``: preview the site on 127.0.0.1 with Python's http.server, applying
the same content negotiation as the site's ``.htaccess`` (an entity IRI path ``/id/NAME``
answers 303 to ``NAME.ttl``, ``NAME.jsonld`` or ``NAME.html`` by the Accept header) and sending
the site's Content-Security-Policy with every answer, as the .htaccess and nginx rules do."""

from __future__ import annotations

import functools
import os
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from laokg.errors import InputError

#: Accept media type -> file extension, first match wins (as in the .htaccess rules)
NEGOTIATED = (("text/turtle", ".ttl"), ("application/ld+json", ".jsonld"))


def negotiate(directory: Path, path: str, accept: str) -> str | None:
    """Where ``/id/NAME`` redirects for the ``accept`` header, or None (serve as is)."""
    clean = path.split("?", 1)[0].split("#", 1)[0]
    if not clean.startswith("/id/") or Path(clean).suffix in (".html", ".ttl", ".jsonld"):
        return None
    local = directory / clean.lstrip("/")
    for media, ext in NEGOTIATED:
        if media in (accept or "") and Path(str(local) + ext).is_file():
            return clean + ext
    if Path(str(local) + ".html").is_file():
        return clean + ".html"
    return None


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".ttl": "text/turtle; charset=utf-8",
        ".jsonld": "application/ld+json",
        ".html": "text/html; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".svg": "image/svg+xml",
    }

    def end_headers(self):
        from laokg.publish.site import HEADER_POLICY

        self.send_header("Content-Security-Policy", HEADER_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def do_GET(self):  # http.server's naming
        where = negotiate(Path(self.directory), self.path, self.headers.get("Accept", ""))
        if where is not None:
            self.send_response(303)
            self.send_header("Location", where)
            self.send_header("Vary", "Accept")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    do_HEAD = do_GET

    def log_message(self, format, *args):  # quiet: the preview is not a log
        pass


def make_server(directory: str | os.PathLike, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A preview server for the site in ``directory`` (not started; call serve_forever)."""
    directory = Path(directory)
    if not (directory / "index.html").is_file():
        raise InputError(f"{directory}: no site here (no index.html); run laokg site first")
    handler = functools.partial(_Handler, directory=str(directory))
    try:
        return ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


__all__ = ["make_server", "negotiate"]
