"""The store commands of the ``laokg`` CLI: ``push`` (Graph Store Protocol upload) and
``serve`` (the graph in a local Oxigraph server, optionally with a grlc API).

Thin: parse options, call :mod:`laokg.publish.push` / :mod:`laokg.publish.sparql_server`, print.
"""

from __future__ import annotations

import signal
import time

import click

from laokg.cli.common import CONTEXT_SETTINGS, as_of_option, chosen_method, os_errors, project_options, remote_options


# push's own options (its --timeout covers an upload: a longer default than endpoint_options'); alike
# in shape only with build's in cli/graph.py
@click.command("push", context_settings=CONTEXT_SETTINGS)
@click.argument("store_url", metavar="STORE_URL")
@click.option(
    "--graph",
    "graph",
    metavar="IRI",
    default=None,
    help="Replace this named graph (default: the store's default graph).",
)
@click.option(
    "--endpoint",
    metavar="QUERY_URL",
    default=None,
    help="The store's SPARQL query endpoint, to verify what arrived (default: STORE_URL with /store -> /query).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=120.0,
    show_default=True,
    metavar="SECONDS",
    help="Total deadline for each request (the upload, then each verification query).",
)
@remote_options
@project_options
@os_errors
@as_of_option(remote_ok=True)
def push_command(store_url, graph, endpoint, timeout, retries, user, headers, root, data):
    """Publish the validated graph to a triple store, then check what arrived.

    Refuses a graph that does not validate (exit 1). Sends the graph as N-Triples in one
    SPARQL 1.1 Graph Store Protocol PUT, which replaces the target graph. Then asks QUERY_URL
    for the triple count and the whole graph, and compares it with the local one (exit 1 if
    they differ). When the PUT fails, push re-reads the store and says whether it holds its
    previous graph, the pushed one (exit 0: only the answer was lost), or neither.

    \b
    Example:
      laokg push http://127.0.0.1:7878/store --endpoint http://127.0.0.1:7878/query
      laokg push http://localhost:3030/laokg/data --endpoint http://localhost:3030/laokg/query
    """
    from laokg.publish.push import push
    from laokg.query.transport import RemoteOptions

    options = RemoteOptions.from_cli(timeout, retries, user, headers, chosen_method())
    result = push(store_url, root, data, graph=graph, query_url=endpoint, options=options)
    where = f"graph <{result.graph}>" if result.graph else "the default graph"
    click.echo(f"Pushed {result.triples:,} triples to {result.store_url} ({where}).")
    if result.note:
        click.echo(f"Note: {result.note}.")
    if result.query_url:
        click.echo(f"Verified through {result.query_url}: {result.remote_triples:,} triples, the same graph.")
    else:
        click.echo("Not verified: give --endpoint QUERY_URL to check what arrived.")


def _interrupt(signum, frame):
    raise KeyboardInterrupt


# serve's options: alike in shape only (each its own name, range, default and help)
@click.command("serve", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--port",
    type=click.IntRange(min=1, max=65535),
    default=7878,
    show_default=True,
    help="Port of the SPARQL endpoint (on 127.0.0.1).",
)
@click.option(
    "--query-timeout",
    type=click.IntRange(min=1, max=86400),
    default=30,
    show_default=True,
    metavar="SECONDS",
    help="Server-side deadline of each query; a query past it is stopped.",
)
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Append the server's log here and keep it "
    "(default: a file in the temporary store directory, removed at stop).",
)
@click.option("--api", is_flag=True, help="Also serve the saved queries as a web API through grlc (on PORT+1).")
@click.option(
    "--grlc-python",
    metavar="PYTHON",
    default=None,
    help="The Python of grlc's own environment (default: $LAOKG_GRLC_PYTHON).",
)
@project_options
@os_errors
def serve_command(port, query_timeout, log_path, api, grlc_python, root, data):
    """Serve the graph read-only from a real Oxigraph server on 127.0.0.1.

    laokg's own HTTP front answers on PORT: it refuses SERVICE (the server would query other
    hosts), updates and writes, and bounds slow clients; Oxigraph runs behind it with a query
    deadline. Prints the SPARQL endpoint, its query page (YASGUI) and the log file; Ctrl-C,
    SIGINT or SIGTERM stops everything within 2 s and removes the temporary store. Needs the
    Oxigraph server (pip install 'laokg[server]'); --api needs grlc in its own environment
    (see docs/servers.md).

    \b
    Example:
      laokg serve
      laokg serve --port 8000 --query-timeout 10 --log serve.log
      laokg serve --port 8000 --api --grlc-python .grlc-venv/bin/python
    """
    from laokg.publish.sparql_server import start, stop

    # Both signals stop the server, also when laokg was started as a background job (which
    # inherits an ignored SIGINT); the children get default signal handling (sparql_front).
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    served = None
    try:
        served = start(
            root, data, port=port, api=api, grlc_python=grlc_python, query_timeout=query_timeout, log_path=log_path
        )
        click.echo(
            f"Serving {served.triples:,} triples (read-only; SERVICE and updates refused; "
            f"query timeout {served.query_timeout} s)."
        )
        click.echo(f"SPARQL endpoint: {served.query_url}")
        click.echo(f"Query page (YASGUI): {served.page_url}")
        if served.api_url:
            click.echo(f"Web API (grlc): {served.api_url}")
        click.echo(f"Log: {served.log_path}")
        click.echo("Press Ctrl-C to stop.")
        while served.alive():
            time.sleep(0.2)
        click.echo(f"Error: the server stopped unexpectedly (see {served.log_path})", err=True)
        click.get_current_context().exit(2)
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        if served is not None:
            # a second Ctrl-C must not cut the cleanup short (the children are stopped either way)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            stop(served)
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def register(group: click.Group) -> None:
    group.add_command(push_command)
    group.add_command(serve_command)
