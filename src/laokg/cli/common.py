"""What every ``laokg`` command shares: help settings, the project and output options, and
the one path by which results and errors reach the terminal or a file."""

from __future__ import annotations

import functools
import io
import os
import sys
from typing import TYPE_CHECKING

import click

from laokg.errors import InputError
from laokg.query.names import FORMATS

if TYPE_CHECKING:  # the RDF-side types, imported only where a command runs
    from laokg.query.engines import QueryResult

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}


def project_options(func):
    """``--root DIR`` and ``--data FILE`` (repeatable), shared by the graph commands."""
    func = click.option(
        "--data", "data", multiple=True, metavar="FILE",
        help="Add this Turtle/N-Triples file to the data graph (repeatable).",
    )(func)
    func = click.option(
        "--root", metavar="DIR", default=None,
        help="Project root (default: $LAOKG_ROOT, else the nearest directory holding ontology/laokg.ttl).",
    )(func)
    return func


def os_errors(func):
    """Report an operating-system error (disk full, closed pipe, permission) as one line."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except BrokenPipeError:  # the reader went away (e.g. `| head`): not our error
            _silence_stdout()
            click.get_current_context().exit(0)
        except OSError as exc:
            name = getattr(exc, "filename", None)
            where = f"{name}: " if name else ""
            raise InputError(f"{where}{exc.strerror or exc}") from None

    return wrapper


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the exit-time flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def write_stdout_bytes(data: bytes) -> None:
    click.echo(data, nl=False)  # bytes go to the binary stream unchanged


def write_output(text: str, output: str | None) -> None:
    if output and output != "-":
        from laokg.graph.export import write_atomic  # one atomic writer for every command

        write_atomic(output, text.encode("utf-8"))
    else:
        click.echo(text, nl=False)


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def emit(result: QueryResult, fmt: str | None, output: str | None) -> int:
    """Render and write ``result``; return the exit code (ASK false -> 1, else 0)."""
    from laokg.query.formats import default_format, render

    fmt = fmt or default_format(result.form, to_terminal=not output and stdout_is_terminal())
    write_output(render(result, fmt), output)
    if result.form == "SELECT" and fmt == "table" and not result.rows and not output:
        click.echo("(no results)", err=True)
    if result.form == "ASK":
        return 0 if result.boolean else 1
    return 0


def output_options(func):
    """The output options every query-like command shares: ``--format`` and ``-o/--output``."""
    func = click.option(
        "-o", "--output", metavar="FILE", default=None,
        help="Write to FILE (atomically) instead of standard output.",
    )(func)
    func = click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default=None,
        help="table|csv|tsv|json for SELECT/ASK (default: table on a terminal, csv otherwise); "
             "turtle|nt|jsonld for CONSTRUCT/DESCRIBE (default: turtle).",
    )(func)
    return func
