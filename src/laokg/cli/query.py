"""The query commands of the ``laokg`` CLI: ``query list|show|run``, ``sparql``, ``show``, ``search``.

Registered on the main group by :func:`register` (called in ``laokg/cli/__init__.py``). Thin: parse options, call the
library, format the result with :mod:`laokg.query.formats`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from laokg.cli.common import (
    CONTEXT_SETTINGS,
    FormatChoice,
    as_of_option,
    chosen_method,
    emit,
    output_file_option,
    output_options,
    project_options,
    read_engine_option,
    remote_options,
    write_output,
)
from laokg.cli.common import (
    endpoint_options as graph_endpoint_options,
)
from laokg.errors import InputError, NotFoundError, ParameterError, error_line, escape_text
from laokg.query.names import DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, ENGINES, FORMATS

# The RDF side (rdflib, the pyparsing SPARQL grammar) is imported inside the commands that use
# it, so `laokg --help` and option errors load no RDF library (tests/test_startup.py).
if TYPE_CHECKING:
    from laokg.query.catalogue import SavedQuery

# ---------------------------------------------------------------- shared options


root_options = project_options  # --root DIR, --data FILE: the same on every command


def engine_options(func):
    """Where a query runs and what it may do: shared by ``query run`` and ``sparql``."""
    # --endpoint and --timeout are declared here, not taken from common.endpoint_options: a query's
    # endpoint replaces the engine and --timeout 0 means no limit (see the comment there)
    func = click.option(
        "--allow-from",
        is_flag=True,
        help="Allow FROM / FROM NAMED (the embedded engine then loads those graphs from the network or disk).",
    )(func)
    func = click.option("--allow-service", is_flag=True, help="Allow SERVICE (federated queries to other endpoints).")(
        func
    )
    func = budget_options(func)
    func = remote_options(func)
    func = click.option(
        "--timeout",
        type=click.FloatRange(min=0),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Time budget of the query: the embedded engine's worker is stopped "
        "then; a remote endpoint (and SERVICE/FROM fetches) must answer within it. "
        "0: no limit on the embedded engine (docs/limits.md).",
    )(func)
    func = click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="auto",
        show_default=True,
        help="Local engine: rdflib, oxigraph (the store `laokg build` wrote to dist/store/ "
        "when current, else the Turtle loaded into memory), or auto (oxigraph when there "
        "is a current store or the graph is large, else rdflib; see docs/performance.md).",
    )(func)
    func = click.option(
        "--endpoint", metavar="URL", default=None, help="Run on this SPARQL 1.1 endpoint instead of the embedded graph."
    )(func)
    func = root_options(func)
    return func


def budget_options(func):
    """``--max-rows``, ``--max-memory``, ``--in-process``: the query budget besides --timeout.

    The values go to ``ctx.meta['laokg.budget']`` (read by :func:`_budget`), so the commands'
    own signatures stay as they are."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, max_rows, max_memory, in_process, **kwargs):
        click.get_current_context().meta["laokg.budget"] = (max_rows, max_memory, in_process)
        return func(*args, **kwargs)

    # three different options, alike in shape (duplicates pairs --max-memory with --max-rows)
    wrapper = click.option(
        "--in-process",
        is_flag=True,
        help="Run the query in this process: no worker, so no time or memory budget "
        "on the embedded engine (the row budget still holds).",
    )(wrapper)
    wrapper = click.option(
        "--max-memory",
        type=click.IntRange(min=0),
        default=DEFAULT_MAX_MEMORY_MB,
        show_default=True,
        metavar="MB",
        help="Memory budget of the query worker (0: no limit).",
    )(wrapper)
    wrapper = click.option(
        "--max-rows",
        type=click.IntRange(min=0),
        default=DEFAULT_MAX_ROWS,
        show_default=True,
        metavar="N",
        help="Row budget: at most N rows (SELECT) or triples (CONSTRUCT) (0: no limit).",
    )(wrapper)
    return wrapper


def _budget(timeout):
    from laokg.query.budget import Budget

    max_rows, max_memory, in_process = click.get_current_context().meta.get("laokg.budget", (None, None, False))
    return Budget.from_options(timeout, max_rows, max_memory, in_process)


def param_option(func):
    return click.option(
        "-p",
        "--param",
        "params",
        multiple=True,
        metavar="NAME=VALUE",
        help="A parameter value; repeat for several values of one parameter.",
    )(func)


def _pairs(params) -> list[tuple[str, str]]:
    pairs = []
    for item in params:
        if "=" not in item:
            raise ParameterError(f"-p expects NAME=VALUE, got '{item}'")
        name, value = item.split("=", 1)
        pairs.append((name.strip(), value))
    return pairs


def _kg(root, data=(), endpoint=None, timeout=None, queries=None, engine="auto", remote=None):
    """The Python API's graph for these options (the CLI is a thin layer over it)."""
    import laokg

    return laokg.KnowledgeGraph(root, data, endpoint, timeout, queries, engine=engine, remote=remote)


def _engine_kg(where: dict, queries=None):
    """The graph :func:`engine_options` name: ``where`` holds those options' values (``root``,
    ``data``, ``endpoint``, ``engine``, ``timeout``, ``retries``, ``user``, ``headers``), as
    ``query run`` and ``sparql`` receive them."""
    remote = {
        "retries": where["retries"],
        "user": where["user"],
        "headers": where["headers"],
        "method": chosen_method(),
    }
    return _kg(where["root"], where["data"], where["endpoint"], where["timeout"], queries, where["engine"], remote)


def _run(kg, sq: SavedQuery, params, allow_service, allow_from, fmt, output, *, source: str, line_offset: int = 0):
    from laokg.cli.common import stdout_is_terminal, write_text
    from laokg.query.formats import default_format

    budget = _budget(kg._timeout)
    to_stdout = not output or output == "-"
    shown = fmt or (default_format(sq.form, to_terminal=stdout_is_terminal()) if to_stdout else None)
    if to_stdout and kg.can_stream(sq, shown, budget):  # rows written as they come
        for chunk in kg.stream(
            sq,
            _pairs(params),
            fmt=shown,
            allow_service=allow_service,
            allow_from=allow_from,
            source=source,
            line_offset=line_offset,
            budget=budget,
        ):
            write_text(chunk)
        return
    # the format emit writes; csv/tsv/json are written by the engine when it can (the Oxigraph
    # engine writes them straight from its terms), else emit renders the rows
    written = fmt or default_format(sq.form, to_terminal=not output and stdout_is_terminal())
    result = kg.run(
        sq,
        _pairs(params),
        allow_service=allow_service,
        allow_from=allow_from,
        fmt=fmt,
        source=source,
        line_offset=line_offset,
        budget=budget,
        text_format=written,
    )
    code = emit(result, fmt, output)
    if code:
        click.get_current_context().exit(code)


# ---------------------------------------------------------------- query list / show / run


@click.group("query", context_settings=CONTEXT_SETTINGS)
def query_group():
    """Saved queries: list them, show one, run one with parameters.

    \b
    Example:
      laokg query list --tag legislation
      laokg query show instruments
      laokg query run instruments -p type=doctype:decree
    """


@query_group.command("list", context_settings=CONTEXT_SETTINGS)
@click.option("--tag", "tags", multiple=True, metavar="TAG", help="Only queries with this tag (repeat: any of them).")
@click.option("--queries", metavar="DIR", default=None, help="Saved-query directory (default: ROOT/queries).")
@click.option("--root", metavar="DIR", default=None, help="Project root.")
@output_options
def query_list(tags, queries, root, fmt, output):
    """List the saved queries: name, parameters, tags and summary.

    \b
    Example:
      laokg query list
      laokg query list --tag remittances --format json
    """
    from rdflib import Literal

    from laokg.query.engines import QueryResult

    problems: list = []
    catalogue = _kg(root, queries=queries).catalogue(problems)
    wanted = {t.lower() for t in tags}
    rows = []
    for sq in catalogue:
        if wanted and not wanted & {t.lower() for t in sq.tags}:
            continue
        params = " ".join(
            ("" if p.required and not p.defaults else "[") + p.name + ("" if p.required and not p.defaults else "]")
            for p in sq.parameters
        )
        rows.append(
            {
                "name": Literal(sq.name),
                "parameters": Literal(params),
                "tags": Literal(", ".join(sq.tags)),
                "summary": Literal(sq.summary),
            }
        )
    if wanted and not rows:
        known = sorted({t for sq in catalogue for t in sq.tags})
        raise NotFoundError(f"no saved query is tagged {', '.join(tags)} (tags: {', '.join(known) or 'none'})")
    emit(QueryResult("SELECT", vars=["name", "parameters", "tags", "summary"], rows=rows), fmt, output)
    if problems:  # the good ones are listed; each bad file is one line, and the exit code says so
        for problem in problems:
            click.echo(error_line(str(problem)), err=True)
        click.get_current_context().exit(2)


def describe_saved(sq: SavedQuery, values: dict | None = None, width: int = 80) -> str:
    """``query show``: the query's decorators, parameters and SPARQL. With ``values``
    (:meth:`laokg.KnowledgeGraph.allowed_values`), each IRI parameter's allowed values are
    listed by label, one a line: ``label  (curie; also: other labels)``."""
    import textwrap

    from laokg.labels import curie

    values = values or {}
    lines = [f"{sq.name}: {sq.summary}" if sq.summary else sq.name]
    if sq.description:
        lines += ["", sq.description.strip()]
    lines += ["", f"form:  {sq.form}"]
    if sq.tags:
        lines.append(f"tags:  {', '.join(sq.tags)}")
    if sq.path:
        lines.append(f"file:  {sq.path}")
    lines += ["", "parameters:" if sq.parameters else "parameters: none"]
    for p in sq.parameters:
        need = "required" if p.required and not p.defaults else "optional"
        lines.append(f"  {p.name}  ({p.type.label}, {need}; variable ?{p.variable})")
        if p.defaults:
            lines.append(f"      default: {', '.join(p.show(v) for v in p.defaults)}")
        known = values.get(p.name)
        if known and known["values"]:
            of = " or ".join(curie(c) for c in known["class"])
            head = (
                "allowed (a label, a word of one, or the CURIE):"
                if not of
                else f"any {of}; those in the graph (a label, a word of one, or the CURIE):"
            )
            lines.append(f"      {head}")
            for iri, labels in known["values"].items():
                name = labels[0] if labels else curie(iri)
                also = f"; also: {', '.join(labels[1:])}" if len(labels) > 1 else ""
                text = f"{name}  ({curie(iri)}{also})"
                lines += textwrap.wrap(
                    text,
                    width=max(40, width),
                    initial_indent="        ",
                    subsequent_indent="          ",
                    break_on_hyphens=False,
                )
        elif p.allowed:
            lines.append(f"      allowed: {', '.join(p.show(v) for v in p.allowed)}")
    lines += ["", "SPARQL:", (sq.body or sq.text).strip("\n")]
    return "\n".join(lines) + "\n"


@query_group.command("show", context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@click.option("--queries", metavar="DIR", default=None, help="Saved-query directory (default: ROOT/queries).")
@click.option("--root", metavar="DIR", default=None, help="Project root.")
@click.option("-o", "--output", metavar="FILE", default=None, help="Write to FILE instead of standard output.")
def query_show(name, queries, root, output):
    """Show a saved query: description, parameters (type, default, allowed values), SPARQL.

    \b
    Example:
      laokg query show instruments
    """
    kg = _kg(root, queries=queries)
    sq = kg.saved(name)
    write_output(escape_text(describe_saved(sq, kg.allowed_values(sq))), output)


@query_group.command("run", context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@param_option
@click.option("--queries", metavar="DIR", default=None, help="Saved-query directory (default: ROOT/queries).")
@engine_options
@output_options
@as_of_option
def query_run(name, params, queries, allow_service, allow_from, fmt, output, **where):
    """Run a saved query. Values are bound as typed RDF terms, never pasted into the text.

    A parameter takes several values with several -p (they are alternatives). Where an IRI
    is expected, give a full IRI, a CURIE (kg:mlsw, doctype:decree) or a label.
    ASK queries print true/false and exit 0/1.

    \b
    Example:
      laokg query run instruments -p type=doctype:decree -p type=doctype:law
      laokg query run instruments -p type=decree -p fromYear=2020 --format csv -o decrees.csv
      laokg query run instruments --endpoint http://localhost:7878/query
    """
    kg = _engine_kg(where, queries)
    sq = kg.saved(name, budget=_budget(kg._timeout))  # a query the build did not parse: parsed within the budget
    _run(kg, sq, params, allow_service, allow_from, fmt, output, source=str(sq.path or name))


# ---------------------------------------------------------------- sparql


@click.command("sparql", context_settings=CONTEXT_SETTINGS)
@click.argument("query", required=False)
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Read the query from this .rq file ('-' for standard input).",
)
@param_option
@engine_options
@output_options
@as_of_option
def sparql_command(query, file, params, allow_service, allow_from, fmt, output, **where):
    """Run an ad-hoc SPARQL query (read-only) on the graph or an endpoint.

    The project prefixes (kg:, laokg:, eli:, dct:, skos: ...) are declared for you. Updates
    are refused; SERVICE and FROM need --allow-service / --allow-from. ?_name variables
    are parameters, bound with -p as in 'query run'.

    \b
    Example:
      laokg sparql "SELECT ?law ?title WHERE { ?law a eli:LegalResource ; dct:title ?title }"
      laokg sparql -f my-question.rq --format json
      laokg sparql "ASK { kg:mlsw a org:FormalOrganization }"
    """
    if bool(query) == bool(file):
        raise InputError("give a query as argument or with -f FILE (one of them)")
    if file:
        if file == "-":
            text, source = sys.stdin.read(), "<stdin>"
        else:
            from laokg.query.catalogue import read_named_query

            text, source = read_named_query(file, where["root"]), file
    else:
        text, source = query, "query"
    kg = _engine_kg(where)
    sq, offset = kg.prepare(
        text,
        name=Path(source).stem if file else "query",
        path=Path(file) if file and file != "-" else None,
        budget=_budget(kg._timeout),
    )
    _run(kg, sq, params, allow_service, allow_from, fmt, output, source=source, line_offset=offset)


# ---------------------------------------------------------------- show / search


@click.command("show", context_settings=CONTEXT_SETTINGS)
@click.argument("thing")
@root_options
@click.option(
    "--format",
    "fmt",
    type=FormatChoice(["text", "json", "turtle", "nt", "jsonld"]),
    default="text",
    show_default=True,
    help="text card, JSON card, or the entity's triples and evidence as RDF.",
)
@output_file_option
@click.option("--all", "show_all", is_flag=True, help="List every incoming link (default: 12 per property).")
@read_engine_option
@graph_endpoint_options
@as_of_option
def show_command(thing, root, data, fmt, output, show_all, engine, endpoint, timeout, retries, user, headers):
    """Show everything about one thing: types, labels, properties, incoming links, evidence.

    THING is an IRI, a CURIE (kg:mlsw) or a label ("Ministry of Labour and Social
    Welfare", "MLSW"; case and accents do not matter).

    \b
    Example:
      laokg show MLSW
      laokg show kg:decree-245-2020 --format json
    """
    from laokg.query.engines import QueryResult
    from laokg.query.entity import card, describe_graph, render_json
    from laokg.query.formats import render

    kg = _kg(
        root,
        data,
        endpoint,
        timeout,
        engine=engine,
        remote={"retries": retries, "user": user, "headers": headers, "method": chosen_method()},
    )
    graph, index = kg.view, kg.labels
    iri = kg.resolve(thing)
    if fmt == "text":
        from laokg.provenance.text import card_text

        text = escape_text(card_text(graph, iri, index, max_links=None if show_all else 12))
    elif fmt == "json":
        text = render_json(graph, card(graph, iri, index), index)
    else:
        text = render(QueryResult("DESCRIBE", graph=describe_graph(graph, iri)), fmt)
    write_output(text, output)


@click.command("search", context_settings=CONTEXT_SETTINGS)
@click.argument("text", nargs=-1, required=True)
@click.option("--type", "type_", metavar="CLASS", default=None, help="Only things of this class (CURIE or IRI).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many results.")
@root_options
@output_options
@read_engine_option
@graph_endpoint_options
@as_of_option
def search_command(text, type_, limit, root, data, fmt, output, engine, endpoint, timeout, retries, user, headers):
    """Find things by label or alternative label (case- and accent-insensitive).

    Ranked exact match > prefix (of the label or one of its words) > substring >
    all the words, in any order.

    \b
    Example:
      laokg search ministry
      laokg search "labour law" --type eli:LegalResource --format csv
    """
    from laokg.query.entity import search
    from laokg.query.parameters import expand_iri

    words = " ".join(text)
    cls = None
    if type_:
        cls = expand_iri(type_)
        if cls is None:
            raise InputError(f"--type expects a CURIE or IRI such as eli:LegalResource, got '{type_}'")
    kg = _kg(
        root,
        data,
        endpoint,
        timeout,
        engine=engine,
        remote={"retries": retries, "user": user, "headers": headers, "method": chosen_method()},
    )
    result = search(kg.view, words, limit=limit, type_=cls, index=kg.labels)
    if not result.rows:
        click.echo(escape_text(f"nothing matches '{words}'"), err=True)
        return
    from laokg.cli.common import stdout_is_terminal

    if fmt is None and not output and stdout_is_terminal():  # for people: each thing, its quotes under it
        from laokg.cli.common import terminal_width

        write_output(format_search_text(result, terminal_width()), None)
        return
    emit(result, fmt, output)


def format_search_text(result, width: int = 80) -> str:
    """``laokg search`` at a terminal: one block per thing — its label, CURIE and type, the
    other label that matched, and each piece of its evidence that matched as "quoted in …" —
    wrapped to ``width`` columns."""
    import textwrap

    from laokg.labels import curie
    from laokg.query.entity import QUOTES

    width = max(width, 40)
    out = []
    for row in result.rows:
        kind = f" ({curie(row['type'])})" if row.get("type") is not None else ""
        head = f"{row.get('label') or curie(row['thing'])}  {curie(row['thing'])}{kind}"
        out += textwrap.wrap(head, width=width, subsequent_indent="    ", break_on_hyphens=False) or [head]
        lines = []
        if row.get("matched") is not None:
            lines.append(f"matched: {row['matched']}")
        lines += [f"quoted in {q}" for q in result.extra.get(QUOTES, {}).get(row["thing"], [])]
        for line in lines:
            out += textwrap.wrap(
                line, width=width, initial_indent="    ", subsequent_indent="      ", break_on_hyphens=False
            )
    return "\n".join(out) + "\n"


def register(group: click.Group) -> None:
    """Add the query commands to the main ``laokg`` group."""
    for command in (query_group, sparql_command, show_command, search_command):
        group.add_command(command)


__all__ = ["register", "describe_saved", "FORMATS"]
