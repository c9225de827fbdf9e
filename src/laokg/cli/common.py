"""What every ``laokg`` command shares: help settings, the project and output options, and
the one path by which results and errors reach the terminal or a file."""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import sys
from typing import TYPE_CHECKING

import click

from laokg.errors import LaokgError, OutputError, error_line, escape_control
from laokg.query.names import FORMATS

if TYPE_CHECKING:  # the RDF-side types, imported only where a command runs
    from laokg.query.engines import QueryResult

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}

#: other common names of the RDF and result formats, accepted by every --format
FORMAT_ALIASES = {
    "ttl": "turtle",
    "json-ld": "jsonld",
    "ntriples": "nt",
    "n-triples": "nt",
    "rdfxml": "xml",
    "rdf/xml": "xml",
    "text/turtle": "turtle",
}


class FormatChoice(click.Choice):
    """``click.Choice`` of format names that also takes the usual aliases (``ttl``, ``json-ld``…)."""

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            alias = FORMAT_ALIASES.get(value.lower())
            if alias in self.choices:
                value = alias
        return super().convert(value, param, ctx)


def project_options(func):
    """``--root DIR`` and ``--data FILE`` (repeatable), shared by the graph commands."""
    func = click.option(
        "--data",
        "data",
        multiple=True,
        metavar="FILE",
        help="Add this Turtle/N-Triples file to the data graph (repeatable).",
    )(func)
    func = click.option(
        "--root",
        metavar="DIR",
        default=None,
        help="Project root (default: $LAOKG_ROOT, else the nearest directory holding ontology/laokg.ttl, "
        "else the data installed with laokg; see docs/install.md).",
    )(func)
    return func


def _remember_as_of(ctx, param, value):
    if value is None:
        return None
    from laokg.errors import InputError
    from laokg.graph.asof import parse_day

    try:
        ctx.meta["laokg.as_of"] = parse_day(value)
    except InputError as exc:
        raise click.BadParameter(str(exc)) from None
    return None


def as_of_option(func=None, *, remote_ok: bool = False):
    """``--as-of DATE``: the command reads the graph as the sources published by DATE give it
    (:mod:`laokg.graph.asof`, docs/time.md). With ``--endpoint`` (a store answers for the
    graph pushed to it) it is refused unless ``remote_ok`` (``push`` sends the dated view)."""
    if func is None:
        return lambda f: as_of_option(f, remote_ok=remote_ok)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        day = click.get_current_context().meta.get("laokg.as_of")
        if day is None:
            return func(*args, **kwargs)
        if kwargs.get("endpoint") and not remote_ok:
            fail(
                "--as-of reads the project's files; a store answers for what was pushed to it "
                "(push the dated view: laokg push STORE_URL --as-of DATE, see docs/time.md)"
            )
        from laokg.graph.asof import reading_as_of

        with reading_as_of(day):
            return func(*args, **kwargs)

    return click.option(
        "--as-of",
        metavar="DATE",
        default=None,
        expose_value=False,
        callback=_remember_as_of,
        help="Read the graph as the sources published by DATE (YYYY-MM-DD, YYYY-MM or YYYY) give it, "
        "each document in its latest edition then (docs/time.md).",
    )(wrapper)


# ---------------------------------------------------------------- the one error path


def fail(message: str, code: int = 2) -> None:
    """Print ``Error: message`` (control characters escaped) as ONE line on stderr and exit."""
    with contextlib.suppress(OSError, ValueError):  # stderr itself is gone: the exit code still tells
        click.echo(error_line(message), err=True)
    click.get_current_context().exit(code)


def _os_message(exc: OSError) -> str:
    name = getattr(exc, "filename", None)
    where = f"{name}: " if name else ""
    return f"{where}{exc.strerror or exc}"


class _TerminalWarnings:
    """What libraries log (rdflib's "does not look like a valid URI", its traceback for a
    number too long to convert ...) or warn, shown as ONE escaped line each on stderr —
    ``Warning: <library>: <first line>`` — never a traceback, never a raw control character;
    the same message once per command, at most :attr:`LIMIT` of them."""

    LIMIT = 20

    def __init__(self):
        import logging

        class Handler(logging.Handler):
            def emit(handler, record):  # the handler's own self is not needed
                try:
                    message = record.getMessage()
                except Exception:  # a malformed log call
                    message = str(record.msg)
                self.show(record.name.split(".")[0], message)

        self.handler = Handler(logging.WARNING)
        self.seen: set = set()

    def show(self, library: str, message: str) -> None:
        first = message.strip().splitlines()[0] if message.strip() else ""
        if (library, first) in self.seen or len(self.seen) > self.LIMIT:
            return
        self.seen.add((library, first))
        line = (
            f"Warning: {library}: {first}" if len(self.seen) <= self.LIMIT else "Warning: more warnings were left out"
        )
        with contextlib.suppress(OSError, ValueError):
            click.echo(escape_control(line), err=True)

    def install(self) -> None:
        """Route library logging and Python warnings here (again, for each command: a new
        command shows its own warnings)."""
        import logging
        import warnings

        self.seen = set()
        root = logging.getLogger()
        if self.handler not in root.handlers:
            root.addHandler(self.handler)

        def showwarning(message, category, filename, lineno, file=None, line=None):
            self.show(
                getattr(category, "__module__", "python").split(".")[0] or "python", f"{category.__name__}: {message}"
            )

        warnings.showwarning = showwarning


_WARNINGS = _TerminalWarnings()


def run_reporting_errors(ctx: click.Context, call):
    """Run ``call()``; turn every failure into one line and a documented exit code.

    laokg's own errors keep their code (1 findings, 2 usage/input); Ctrl-C (SIGINT) is
    ``Error: interrupted`` and exit 130 (never click's "Aborted!"); an operating-system
    error (disk full, permission), a RecursionError (input nested too deeply), an encoding
    error, MemoryError or any unexpected exception is exit 2 with one line — never a
    traceback (``LAOKG_DEBUG=1`` re-raises unexpected exceptions for debugging).
    """
    _WARNINGS.install()
    try:
        return call()
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
        raise
    except KeyboardInterrupt:  # Ctrl-C: one line and 128 + SIGINT, as a shell expects
        fail("interrupted", 130)
    except LaokgError as exc:
        if isinstance(exc, OutputError):
            _silence_stdout()
        fail(str(exc), exc.exit_code)
    except BrokenPipeError:  # the reader went away (e.g. `| head`): not our error
        _silence_stdout()
        ctx.exit(0)
    except RecursionError:
        fail("input nested too deeply to process (see docs/limits.md: nesting)", 2)
    except MemoryError:
        fail("out of memory (see docs/limits.md for the query budgets)", 2)
    except OSError as exc:
        _silence_stdout()
        fail(_os_message(exc), 2)
    except UnicodeError as exc:
        fail(f"cannot encode or decode text: {exc}", 2)
    except Exception as exc:  # the promise is one line, never a traceback
        if os.environ.get("LAOKG_DEBUG"):
            raise
        detail = str(exc).splitlines()[0] if str(exc) else ""
        fail(
            f"internal error ({type(exc).__name__}{': ' + detail if detail else ''}); "
            "please report it (LAOKG_DEBUG=1 shows the traceback)",
            2,
        )


def os_errors(func):
    """Kept for commands registered outside the ``laokg`` group: the same one error path."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return run_reporting_errors(click.get_current_context(), lambda: func(*args, **kwargs))

    return wrapper


def _silence_stdout() -> None:
    """After a failed write, point stdout at /dev/null so the exit-time flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


# ---------------------------------------------------------------- checked writes


def write_all(stream, data: bytes, name: str = "standard output") -> None:
    """Write every byte of ``data`` to the binary ``stream`` and flush it.

    An unbuffered stream (``PYTHONUNBUFFERED=1``, ``python -u``) returns how much it wrote
    and may write less (a filling disk): the rest is written again, and a write of nothing
    or an OSError becomes :class:`OutputError` — never a silently truncated output.
    """
    view = memoryview(data)
    try:
        while view:
            written = stream.write(view)
            if written is None:  # a non-blocking stream that would block: wait by flushing
                stream.flush()
                continue
            if written <= 0:
                raise OSError(errno.ENOSPC, "short write: nothing more could be written")
            view = view[written:]
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        done = len(data) - len(view)
        raise OutputError(
            f"{name}: cannot write: {exc.strerror or exc} (after {done:,} of {len(data):,} bytes)"
        ) from None


def encode_output(text: str) -> bytes:
    """``text`` as UTF-8; a lone surrogate (not Unicode) is an error that shows where it is."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        before = text[max(0, exc.start - 30) : exc.start].rsplit("\n", 1)[-1]
        raise OutputError(
            f"the output holds a lone surrogate U+{ord(text[exc.start]):04X} (not valid Unicode) "
            f"after '{before}'; nothing written"
        ) from None


def binary_stdout():
    """The binary stream under ``sys.stdout`` (click's test runner replaces sys.stdout too)."""
    return getattr(sys.stdout, "buffer", sys.stdout)


def write_stdout_bytes(data: bytes) -> None:
    """Write ``data`` to standard output, checked (see :func:`write_all`)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stdout.flush()  # anything click printed before goes first
    write_all(binary_stdout(), data)


def write_text(text: str) -> None:
    """Write ``text`` (UTF-8) to standard output, checked."""
    write_stdout_bytes(encode_output(text))


def write_output(text: str, output: str | None, root=None) -> None:
    data = encode_output(text)
    if output and output != "-":
        from laokg.graph.atomic import write_output_file  # one atomic, guarded writer for every command

        ctx = click.get_current_context(silent=True)
        if root is None and ctx is not None:
            root = ctx.params.get("root")
        write_output_file(output, data, root)
    else:
        write_stdout_bytes(data)


def terminal_width() -> int:
    """Columns for tables: $COLUMNS, else the terminal's width, else 80."""
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def emit(result: QueryResult, fmt: str | None, output: str | None) -> int:
    """Render and write ``result``; return the exit code (ASK false -> 1, else 0)."""
    from laokg.query.formats import default_format, render

    fmt = fmt or default_format(result.form, to_terminal=not output and stdout_is_terminal())
    write_output(render(result, fmt, width=terminal_width()), output)
    if result.form == "SELECT" and fmt == "table" and not result.rows and not output:
        click.echo("(no results)", err=True)
    if result.form == "ASK":
        return 0 if result.boolean else 1
    return 0


def output_file_option(func):
    """``-o/--output FILE``: the command writes FILE (atomically) instead of standard output."""
    return click.option(
        "-o",
        "--output",
        metavar="FILE",
        default=None,
        help="Write to FILE (atomically) instead of standard output.",
    )(func)


def text_json_option(func):
    """``--format text|json`` for a report: text for people (the default), json for programs."""
    return click.option(
        "--format",
        "fmt",
        type=FormatChoice(["text", "json"]),
        default="text",
        show_default=True,
        help="text for people, json for programs.",
    )(func)


def output_options(func):
    """The output options every query-like command shares: ``--format`` and ``-o/--output``."""
    func = output_file_option(func)
    func = click.option(
        "--format",
        "fmt",
        type=FormatChoice(FORMATS),
        default=None,
        help="table|csv|tsv|json for SELECT/ASK (default: table on a terminal, csv otherwise); "
        "turtle|nt|jsonld for CONSTRUCT/DESCRIBE (default: turtle).",
    )(func)
    return func


def remote_options(func):
    """How to reach a remote endpoint: ``--retries``, ``--user``, ``-H``; with ``--endpoint`` and
    ``--timeout`` (added here unless the command has them already, as ``query run`` does)."""
    # these option declarations are alike in shape only (duplicates pairs them with endpoint_options'
    # and cli/query.py's): each is its own option, with its own type, default and help
    func = click.option(
        "-H",
        "--header",
        "headers",
        multiple=True,
        metavar="'NAME: VALUE'",
        help="An extra HTTP header for the endpoint (repeatable).",
    )(func)
    func = click.option(
        "--user",
        metavar="NAME",
        default=None,
        help="HTTP basic auth user for the endpoint; the password is read from $LAOKG_ENDPOINT_PASSWORD.",
    )(func)
    func = click.option(
        "--retries",
        type=click.IntRange(min=0, max=10),
        default=2,
        show_default=True,
        help="Retries on HTTP 429/503 (honouring Retry-After), within the --timeout deadline.",
    )(func)
    func = click.option(
        "--method",
        type=click.Choice(["auto", "post-direct", "post-form", "get"]),
        default="auto",
        show_default=True,
        expose_value=False,
        callback=_remember_method,
        help="How the query is sent (SPARQL 1.1 Protocol): auto tries a direct POST, then a "
        "form POST, then GET, each for a few seconds, and keeps the one that answers.",
    )(func)
    return func


def _remember_method(ctx, param, value):
    ctx.meta["laokg.method"] = value
    return value


def chosen_method() -> str:
    """The ``--method`` of the running command (``auto`` outside one)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get("laokg.method", "auto") if ctx is not None else "auto"


def endpoint_options(func):
    """``--endpoint URL --timeout SECONDS`` plus :func:`remote_options`, for the commands that
    read the whole graph (show, search, trace, audit, stats, export, validate)."""
    from laokg.query.names import DEFAULT_TIMEOUT

    # not cli/query.py's engine_options: there --endpoint replaces the engine and --timeout 0 lifts
    # the embedded engine's limit; here the endpoint is read once, within a deadline of at least 0.1 s
    func = remote_options(func)
    func = click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Total deadline for the endpoint's answer (connection, retries and reading).",
    )(func)
    func = click.option(
        "--endpoint",
        metavar="URL",
        default=None,
        help="Read the graph from this SPARQL 1.1 endpoint (one CONSTRUCT) instead of the project files.",
    )(func)
    return func


def read_engine_option(func):
    """``--engine`` for the commands that read the graph node by node (show, search, trace,
    stats): the engine ``laokg query run`` would pick (laokg.query.oxigraph.choose_engine)."""
    from laokg.query.names import ENGINES

    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="auto",
        show_default=True,
        help="Read the graph from: rdflib (the Turtle files parsed), oxigraph (the store "
        "`laokg build` wrote, else the Turtle loaded into Oxigraph), or auto (as "
        "`laokg query run` picks; see docs/performance.md).",
    )(func)


def read_graph(root, data, endpoint=None, timeout=None, retries=None, user=None, headers=()):
    """The graph a command reads: the project's files, or the endpoint's default graph."""
    from laokg.query.remote import load_or_fetch

    return load_or_fetch(
        root, data, endpoint, timeout=timeout, retries=retries, user=user, headers=headers, method=chosen_method()
    )
