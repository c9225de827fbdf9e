"""The provenance commands of the ``laokg`` CLI: ``trace`` and ``audit``.

Registered on the main group by :func:`register` (see cli.py). Thin: parse options, call one
library function (:mod:`laokg.provenance.trace`, :mod:`laokg.provenance.audit`), print its result.
"""

from __future__ import annotations

import click

import laokg.cli.common as common
from laokg.cli.common import CONTEXT_SETTINGS, FormatChoice, endpoint_options, os_errors, project_options, read_graph, write_output
from laokg.errors import InputError, escape_text

TRACE_FORMATS = ("text", "json", "turtle")


@click.command("trace", context_settings=CONTEXT_SETTINGS)
@click.argument("thing", required=False)
@click.option("--source", "source", metavar="WORK", default=None,
              help="Reverse trace: every node that depends on this work or document.")
@click.option("--format", "fmt", type=FormatChoice(TRACE_FORMATS), default="text", show_default=True,
              help="text for people, json for programs, turtle for the PROV-O provenance subgraph.")
@click.option("-o", "--output", metavar="FILE", default=None, help="Write to FILE (atomically) instead of standard output.")
@project_options
@endpoint_options
@os_errors
def trace_command(thing, source, fmt, output, root, data, endpoint, timeout, retries, user, headers):
    """Show where a fact comes from, or what depends on a source.

    THING (an IRI, a CURIE such as kg:decree-245-2020, or a label) is traced to every
    statement about it, grouped by evidence: document, section, verbatim excerpt, footnotes,
    the works they cite and, where the graph has them, those works' own sources. With
    --source WORK the trace runs the other way: every node whose evidence rests on WORK,
    directly, in the text, or through a footnote.

    \b
    Example:
      laokg trace "Decree No. 245 on the Placement of Lao Workers to Work Abroad"
      laokg trace kg:obs-remittances-inflow-lao-2023 --format json
      laokg trace --source kg:mou-laos-thailand-2002
    """
    from laokg.query.entity import resolve
    from laokg.labels import LabelIndex
    from laokg.provenance import trace as tr

    if bool(thing) == bool(source):
        raise InputError("give either THING or --source WORK (see 'laokg trace --help')")
    graph = read_graph(root, data, endpoint, timeout, retries, user, headers)
    index = LabelIndex(graph)
    if source:
        result = tr.trace_source(graph, resolve(graph, source, index), index)
        if fmt == "turtle":
            raise InputError("--format turtle is for a forward trace; use text or json with --source")
        text = escape_text(tr.format_source_text(result)) if fmt == "text" else tr.to_json(result)
    else:
        iri = resolve(graph, thing, index)
        if fmt == "turtle":
            text = tr.provenance_graph(graph, iri).serialize(format="turtle")
        else:
            result = tr.trace_entity(graph, iri, index)
            text = escape_text(tr.format_trace_text(result)) if fmt == "text" else tr.to_json(result)
    write_output(text, output)


@click.command("audit", context_settings=CONTEXT_SETTINGS)
@click.option("--format", "fmt", type=FormatChoice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for programs.")
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Run only this rule (repeatable), e.g. AUD03.")
@click.option("--all", "show_all", is_flag=True, help="Also list the rules that hold.")
@click.option("-o", "--output", metavar="FILE", default=None, help="Write to FILE (atomically) instead of standard output.")
@project_options
@endpoint_options
@os_errors
def audit_command(fmt, rules, show_all, output, root, data, endpoint, timeout, retries, user, headers):
    """Report the oddities of the sources and gaps of the graph.

    Runs the check queries in queries/audit/ (each returns the offending rows) and groups
    the findings by rule, with the nodes and sources involved. Findings are not validation
    failures: the sources' oddities stay recorded as the sources have them.
    Exit status: 0 no violation-severity finding, 1 at least one, 2 input error.

    \b
    Example:
      laokg audit
      laokg audit --rule AUD03 --rule AUD07 --format json
    """
    from laokg.provenance import audit as au
    from laokg.graph.load import find_root

    from laokg.query.oxigraph import local_engine

    graph = read_graph(root, data, endpoint, timeout, retries, user, headers)
    # the rules' queries run on Oxigraph (the built store, else the Turtle loaded into memory):
    # the same rows as rdflib (tests/test_oxigraph_engine.py), and the pairwise rules (AUD11,
    # AUD12) grow with the square of the graph on rdflib (9 s of 15 on the real graph)
    engine = local_engine("oxigraph", root, data) if endpoint is None else None
    report = au.audit(graph, au.load_rules(au.rules_dir(find_root(root))), list(rules) or None, engine)
    width = common.terminal_width() if not output and common.stdout_is_terminal() else None  # wrap for people only
    text = escape_text(au.format_text(report, show_all, width)) if fmt == "text" else au.format_json(report)
    write_output(text, output)
    if report.has_violations:
        click.get_current_context().exit(1)


def register(group: click.Group) -> None:
    group.add_command(trace_command)
    group.add_command(audit_command)
