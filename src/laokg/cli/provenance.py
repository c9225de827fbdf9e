"""The provenance commands of the ``laokg`` CLI: ``trace`` and ``audit``.

Registered on the main group by :func:`register` (called in ``laokg/cli/__init__.py``). Thin: parse options, call one
library function (:mod:`laokg.provenance.trace`, :mod:`laokg.provenance.audit`), print its result.
"""

from __future__ import annotations

import click

import laokg.cli.common as common
from laokg.cli.common import (
    CONTEXT_SETTINGS,
    FormatChoice,
    as_of_option,
    endpoint_options,
    os_errors,
    output_file_option,
    project_options,
    read_engine_option,
    read_graph,
    text_json_option,
    write_output,
)
from laokg.errors import InputError, escape_text

TRACE_FORMATS = ("text", "json", "turtle")


# --format adds turtle to text_json_option's choices, so trace declares its own (alike in shape
# only with export's in cli/graph.py)
@click.command("trace", context_settings=CONTEXT_SETTINGS)
@click.argument("thing", required=False)
@click.option(
    "--source",
    "source",
    metavar="WORK",
    default=None,
    help="Reverse trace: every node that depends on this work or document.",
)
@click.option(
    "--format",
    "fmt",
    type=FormatChoice(TRACE_FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for programs, turtle for the PROV-O provenance subgraph.",
)
@output_file_option
@project_options
@read_engine_option
@endpoint_options
@os_errors
@as_of_option
def trace_command(thing, source, fmt, output, root, data, engine, endpoint, timeout, retries, user, headers):
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
    import laokg
    from laokg.provenance import trace as tr
    from laokg.provenance.text import source_trace_text, trace_text
    from laokg.query.entity import resolve

    if bool(thing) == bool(source):
        raise InputError("give either THING or --source WORK (see 'laokg trace --help')")
    # the graph walked node by node: the store the queries use when the engine is Oxigraph
    kg = laokg.KnowledgeGraph(
        root, data, endpoint, timeout, engine=engine, remote={"retries": retries, "user": user, "headers": headers}
    )
    graph, index = kg.view, kg.labels
    if source:
        backward = tr.trace_source(graph, resolve(graph, source, index), index)
        if fmt == "turtle":
            raise InputError("--format turtle is for a forward trace; use text or json with --source")
        text = escape_text(source_trace_text(backward)) if fmt == "text" else tr.to_json(backward)
    else:
        iri = resolve(graph, thing, index)
        if fmt == "turtle":
            text = tr.provenance_graph(graph, iri).serialize(format="turtle")
        else:
            result = tr.trace_entity(graph, iri, index)
            text = escape_text(trace_text(graph, result, index)) if fmt == "text" else tr.to_json(result)
    write_output(text, output)


@click.command("audit", context_settings=CONTEXT_SETTINGS)
@text_json_option
@click.option("--rule", "rules", multiple=True, metavar="ID", help="Run only this rule (repeatable), e.g. AUD03.")
@click.option("--all", "show_all", is_flag=True, help="Also list the rules that hold.")
@output_file_option
@project_options
@endpoint_options
@os_errors
@as_of_option
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
    from laokg.graph.project import find_root
    from laokg.provenance import audit as au

    if endpoint is None:  # the rules on Oxigraph, the store closed before the report is written
        report = au.audit_project(root, data, list(rules) or None)
    else:
        graph = read_graph(root, data, endpoint, timeout, retries, user, headers)
        report = au.audit(graph, au.load_rules(au.rules_dir(find_root(root))), list(rules) or None)
        del graph
    au.give_back_freed_memory()
    width = common.terminal_width() if not output and common.stdout_is_terminal() else None  # wrap for people only
    text = escape_text(au.format_text(report, show_all, width)) if fmt == "text" else au.format_json(report)
    write_output(text, output)
    if report.has_violations:
        click.get_current_context().exit(1)


@click.group("source", context_settings=CONTEXT_SETTINGS)
def source_group():
    """Register source documents, locate phrases in them, see what they support.

    \b
    Example:
      laokg source add review.txt --title "Mekong Labour Review" --publisher kg:mekong-institute --issued 2026
      laokg source locate kg:review "41,250"
      laokg source show kg:review
    """


@source_group.command("add", context_settings=CONTEXT_SETTINGS)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--id", "slug", metavar="SLUG", default=None, help="The document's name, kg:SLUG (default: from the file name)."
)
@click.option("--title", default=None, help="Its title as printed (default: its first heading).")
@click.option("--type", "kind", type=click.Choice(["report", "news-item"]), default="report", show_default=True)
@click.option("--short-title", default=None, help="The short name its evidence labels begin with (default: the title).")
@click.option("--publisher", metavar="KG", default=None, help="Publisher, a kg: name (e.g. kg:iom).")
@click.option("--creator", metavar="KG", default=None, help="Author, a kg: name.")
@click.option("--issued", metavar="DATE", default=None, help="Date as printed: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--url", default=None, help="Where the document is published.")
@click.option("--licence", default=None, help="Its licence, an IRI.")
@click.option(
    "--edition-of",
    "edition_of",
    metavar="KG",
    default=None,
    help=(
        "The text is a later (or earlier) edition of this registered document; with --issued, a "
        "later one is recorded as revising it (docs/time.md)."
    ),
)
@click.option("--root", metavar="DIR", default=None, help="Project root.")
@os_errors
def source_add_command(
    file, slug, title, kind, short_title, publisher, creator, issued, url, licence, edition_of, root
):
    """Register FILE (plain UTF-8 text) as a source document.

    Copies FILE into the sources directory ($LAOKG_SEEDS, else ../shared/seeds), appends its
    record with the text's SHA-256 to graph/sources.ttl and shows the headings and footnotes
    the build reads in it. Then write claims with laokg:quote (docs/curation.md).

    \b
    Example:
      laokg source add review.txt --title "Mekong Labour Review" --issued 2026-03
    """
    from laokg.provenance import sources as so

    record = so.add_source(
        root,
        file,
        slug=slug,
        title=title,
        kind=kind,
        short_title=short_title,
        publisher=publisher,
        creator=creator,
        issued=issued,
        url=url,
        licence=licence,
        edition_of=edition_of,
    )
    out = [
        f"Registered kg:{record.iri.rsplit('/', 1)[-1]} ({record.file}, sha256 {record.sha256[:16]}…)",
        f"  text copied to {record.copied_to}",
        f"  record appended to {record.graph_file}",
        "",
        f"Sections ({len(record.sections)}; every heading opens one unless the record gives laokg:outline):",
    ]
    out += [f"  line {s.line:>4}  {s.slug:<32} {s.title}" for s in record.sections]
    out += [
        "",
        f"Footnotes ({len(record.footnotes)}; cite their works with cito:citesAsEvidence "
        f"on kg:{record.iri.rsplit('/', 1)[-1]}-fn-N):",
    ]
    out += [f"  line {n.line:>4}  {n.number:>3}  {n.citation[:90]}" for n in record.footnotes]
    write_output("\n".join(out) + "\n", None)


@source_group.command("locate", context_settings=CONTEXT_SETTINGS)
@click.argument("doc")
@click.argument("phrase")
@click.option("--root", metavar="DIR", default=None, help="Project root.")
@os_errors
def source_locate_command(doc, phrase, root):
    """Show where PHRASE stands in the registered document DOC, and a claim block for it.

    DOC is kg:NAME or the file name. Each place gives line, section and footnotes; a phrase
    found more than once gets a block with the prefix that tells its place apart.
    Exit status 1 when the phrase is not in the document.

    \b
    Example:
      laokg source locate kg:eudif-lao-2024 "Decree No. 245"
    """
    from laokg.provenance import sources as so

    file, places = so.locate(root, doc, phrase)
    if not places:
        out = [f"{phrase!r} is not in {file}"]
        click.echo("\n".join(out))
        click.get_current_context().exit(1)
    out = [f"{phrase!r} in {file}: {len(places)} place(s)"]
    for place in places:
        where = (
            f"footnote {place.footnote}"
            if place.footnote
            else ("footnote(s) " + ", ".join(map(str, place.footnotes)) if place.footnotes else "no footnote")
        )
        out += [
            "",
            f"line {place.line}, section {place.section or '(none)'}, {where}, offsets {place.start}-{place.end}",
            "",
            place.block,
        ]
    write_output("\n".join(out) + "\n", None)


@source_group.command("show", context_settings=CONTEXT_SETTINGS)
@click.argument("doc")
@click.option("--root", metavar="DIR", default=None, help="Project root.")
@os_errors
def source_show_command(doc, root):
    """List the passages the graph quotes from DOC and the factual sentences nothing cites.

    \b
    Example:
      laokg source show kg:seaip-2025-11-28
    """
    from laokg.provenance import sources as so

    report = so.show(root, doc)
    out = [
        f"{report.file}: {len(report.passages)} passage(s) quoted; {report.cited} of {report.factual} factual "
        f"sentences support a claim ({report.share:.0%})",
        "",
        "Passages used:",
    ]
    for p in report.passages:
        out.append(f"  line {p.line:>4}  [{p.section or '-'}] {p.excerpt[:70]!r} -> {len(p.nodes)} node(s)")
    out += ["", "Factual sentences nothing cites yet:"]
    out += [f"  line {s.line:>4}  {s.text[:100]}" for s in report.sentences if not s.cited] or ["  (none)"]
    write_output("\n".join(out) + "\n", None)


@click.command("diff", context_settings=CONTEXT_SETTINGS)
@click.argument("old")
@click.argument("new")
@text_json_option
@output_file_option
@click.option("--root", metavar="DIR", default=None, help="Project root (for git revisions and dates).")
@os_errors
def diff_command(old, new, fmt, output, root):
    """What changed from OLD to NEW: facts added, removed and changed, with their sources.

    OLD and NEW are each a release (a dist/ directory, a release directory or a graph file),
    a git revision of the project (its graph built from that revision's files), or a date
    (YYYY-MM-DD, YYYY-MM or YYYY: the project's graph as of that day, see --as-of).
    A fact is changed when its subject has one value of the property on each side and the
    values differ; evidence changes are listed under the subject they support (docs/time.md).

    \b
    Example:
      laokg diff HEAD~3 HEAD
      laokg diff 2025-08-01 2025-12-01 --format json
    """
    from laokg.graph.changes import diff, format_json, format_text

    result = diff(old, new, root)
    write_output(format_json(result) if fmt == "json" else format_text(result), output, root)


def register(group: click.Group) -> None:
    group.add_command(diff_command)
    group.add_command(trace_command)
    group.add_command(audit_command)
    group.add_command(source_group)
