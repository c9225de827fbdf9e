"""The publishing command of the ``laokg`` CLI: ``site``. Thin: parse options, call
:func:`laokg.publish.site.build_site`, print what it wrote; ``--serve`` then previews it."""

from __future__ import annotations

import click

from laokg.cli.common import CONTEXT_SETTINGS, os_errors, project_options
from laokg.errors import escape_control


def format_summary(result) -> str:
    pages = result.pages
    lines = [
        f"Wrote {result.out}: {pages['html']:,} pages ({pages['entity']:,} entities), "
        f"{len(result.files):,} files, {result.size:,} bytes"
    ]
    for item in result.release:
        lines.append(f"  {item['path']:<34} {item['size']:>10,} bytes  sha256 {item['sha256']}")
    return "\n".join(lines)


def echo_warnings(result) -> None:
    """One ``Warning:`` line on stderr (escaped) per thing of the data the site left out."""
    for warning in result.warnings:
        click.echo("Warning: " + escape_control(warning), err=True)


def output_default(root, sub: str) -> str | None:
    """Where a command writes when not told: ``./<sub>`` (the current directory) when the
    graph is the data installed with the package (a wheel: site-packages/laokg/data, which is
    no place to write), else None: the library's default under the project root."""
    from pathlib import Path

    from laokg.graph.project import find_root, installed_root

    installed = installed_root()
    if installed is None or installed.name != "data" or find_root(root) != installed:
        return None
    return str(Path.cwd() / sub)


@click.command("site", context_settings=CONTEXT_SETTINGS)
@click.option(
    "-o",
    "--output",
    "out",
    metavar="DIR",
    default=None,
    help="Site directory (default: ROOT/dist/site; ./dist/site when the graph is the installed "
    "package's data). Files of an earlier build there are replaced.",
)
@click.option(
    "--release/--no-release",
    default=True,
    show_default=True,
    help="Validate and include the release files (Turtle, N-Triples, JSON-LD, report) under downloads/.",
)
@click.option("--serve", is_flag=True, help="Then preview the site on http://127.0.0.1:PORT/ (Ctrl-C stops).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port for --serve.")
@project_options
@os_errors
def site_command(out, release, serve, port, root, data):
    """Build the static website: a page per entity (with its Turtle and JSON-LD), the index
    by type, search, bibliography, saved queries, audit, charts, ontology and downloads.

    The site needs no server (any static host, or file://); .htaccess and nginx.conf in it
    serve HTML to browsers and RDF to programs at the entity IRIs (docs/site.md).
    Exit status: 0 written, 1 the graph does not conform (nothing written), 2 input error.
    An entity IRI that cannot be a file name (a '..' segment, a reserved name, too long ...)
    gets no page and one "Warning:" line on stderr; the rest of the site is written.

    \b
    Example:
      laokg site -o /tmp/laokg-site
      laokg site --serve --port 8000
    """
    from laokg.publish.site import build_site

    if out is None:
        out = output_default(root, "dist/site")
    result = build_site(root, out, data, release=release)
    echo_warnings(result)
    click.echo(format_summary(result))
    if serve:
        from laokg.publish.serve import make_server

        server = make_server(result.out, port)
        click.echo(f"Serving {result.out} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


def register(group: click.Group) -> None:
    group.add_command(site_command)


__all__ = ["register", "site_command", "format_summary", "echo_warnings"]
