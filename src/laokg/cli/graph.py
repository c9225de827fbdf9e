"""The graph commands of the ``laokg`` CLI: ``validate``, ``stats``, ``export``, ``build``.

Registered on the main group by :func:`register` (called in ``laokg/cli/__init__.py``). Thin: parse options, call one
library function, print its result. Heavy imports (pySHACL) happen inside the commands so
``laokg --help`` stays fast.
"""

from __future__ import annotations

import click

from laokg.cli.common import (
    CONTEXT_SETTINGS,
    FormatChoice,
    as_of_option,
    endpoint_options,
    os_errors,
    project_options,
    read_engine_option,
    read_graph,
    text_json_option,
    write_stdout_bytes,
    write_text,
)

EXPORT_FORMATS = ("turtle", "nt", "jsonld", "xml")


@click.command("validate", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--format",
    "fmt",
    type=FormatChoice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="text for people, json (one object per result) for programs, turtle for the SHACL report graph.",
)
@project_options
@endpoint_options
@os_errors
def validate_command(fmt, root, data, endpoint, timeout, retries, user, headers):
    """Check the graph against the SHACL shapes (ontology/shapes.ttl).

    Violations make the graph non-conforming; warnings and infos are shown but do not.
    Exit status: 0 conforms, 1 does not conform, 2 input error (missing file, Turtle
    syntax error with file:line).

    \b
    Example:
      laokg validate
      laokg validate --format json | jq '.[] | select(.severity == "Violation")'
    """
    from laokg.graph.validate import format_result, validate

    graph = read_graph(root, data, endpoint, timeout, retries, user, headers) if endpoint else None
    result = validate(root, data, graph=graph)
    write_text(format_result(result, fmt))
    if not result.conforms:
        click.get_current_context().exit(1)


@click.command("stats", context_settings=CONTEXT_SETTINGS)
@text_json_option
@project_options
@read_engine_option
@endpoint_options
@os_errors
@as_of_option
def stats_command(fmt, root, data, engine, endpoint, timeout, retries, user, headers):
    """Count triples, facts, sources, footnotes, evidence, observations and entities per class.

    Entities are the graph's own nodes (IRIs under https://w3id.org/laokg/id/); facts are the
    triples about entities that are not evidence records.

    \b
    Example:
      laokg stats
      laokg stats --format json
    """
    from laokg.graph.stats import format_json, format_text, stats
    from laokg.query.oxigraph import local_engine

    graph = read_graph(root, data, endpoint, timeout, retries, user, headers) if endpoint else None
    # as `laokg query run` picks: on Oxigraph the store counts itself, nothing is parsed
    oxigraph = local_engine(engine, root, data) if graph is None else None
    result = stats(root, data, graph=graph, store=oxigraph.store if oxigraph is not None else None)
    write_text(format_json(result) if fmt == "json" else format_text(result))


# --format (RDF formats) and -o ('-' is standard output) are export's own, not text_json_option or
# output_file_option; alike in shape only with trace's options in cli/provenance.py
@click.command("export", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--format",
    "fmt",
    type=FormatChoice(EXPORT_FORMATS),
    default="turtle",
    show_default=True,
    help="turtle, nt (N-Triples), jsonld (JSON-LD with a prefix context) or xml (RDF/XML).",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    default=None,
    help="Write to FILE (atomically) instead of standard output ('-' is standard output).",
)
@project_options
@endpoint_options
@os_errors
@as_of_option
def export_command(fmt, output, root, data, endpoint, timeout, retries, user, headers):
    """Write the merged graph (ontology, vocabularies and graph files; not the shapes).

    The output is deterministic: the same triples give the same bytes (blank nodes are
    labelled canonically, statements sorted), with readable prefixes.

    \b
    Example:
      laokg export --format nt -o laokg.nt
      laokg export --format jsonld > laokg.jsonld
    """
    from laokg.graph.export import export, write_output_file

    graph = read_graph(root, data, endpoint, timeout, retries, user, headers) if endpoint else None
    payload = export(root, fmt, data, graph=graph)
    if output is None or output == "-":
        write_stdout_bytes(payload)
    else:
        write_output_file(output, payload, root)
        click.echo(f"Wrote {output} ({len(payload):,} bytes)", err=True)


# build's own options: alike in shape only with push's in cli/store.py (other names, types and help)
@click.command("build", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--dist",
    metavar="DIR",
    default=None,
    help="Output directory (default: ROOT/dist; ./dist when the graph is the installed package's data).",
)
@click.option(
    "--site", "with_site", is_flag=True, help="Also build the static website into DIST/site (see 'laokg site')."
)
@project_options
@os_errors
def build_command(dist, with_site, root, data):
    """Validate, then write the release: laokg.ttl, laokg.nt, laokg.jsonld and the
    validation report (.txt, .json) into dist/.

    Nothing is written if the graph does not conform (exit 1). Files are replaced
    atomically.

    \b
    Example:
      laokg build
      laokg build --dist /tmp/laokg-release
      laokg build --site
    """
    from laokg.graph.validate import summary

    if dist is None:
        from laokg.cli.site import output_default

        dist = output_default(root, "dist")
    if with_site:
        from laokg.cli.site import echo_warnings, format_summary
        from laokg.publish.site import build_with_site

        site = build_with_site(root, dist, data)
        echo_warnings(site)
        if site.validation is not None:  # build_with_site validates the release first
            click.echo(summary(site.validation))
        click.echo(format_summary(site))
        return
    from laokg.query.precompute import build_release

    result = build_release(root, dist, data)
    width = max(len(str(item.path)) for item in result.files)
    lines = [summary(result.validation)]
    lines += [f"  {str(item.path):<{width}}  {item.size:>10,} bytes" for item in result.files]
    write_text("\n".join(lines) + "\n")


COMMANDS = (validate_command, stats_command, export_command, build_command)


def register(group: click.Group) -> None:
    """Add the graph commands to the ``laokg`` group."""
    for command in COMMANDS:
        group.add_command(command)


__all__ = ["register", "project_options", "COMMANDS"]
