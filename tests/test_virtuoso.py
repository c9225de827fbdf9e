"""Virtuoso 7 (Debian's virtuoso-opensource 7.2.5) as the second real store: ``laokg push``
into it, every saved query (with each parameter set of its tests/expected/ file) and audit
rule, and every ``--endpoint`` command give the embedded engine's answers.

Where Virtuoso gives a value in another form the comparison is by value, and each such
difference is listed in :data:`BY_VALUE` with the reason (docs/servers.md has the table):

* ``xsd:duration`` literals come back as numbers — months for a year-month duration
  (``"P2Y"`` as ``24``), seconds for a day-time one (``"P60D"`` as ``5.184e+06``): Virtuoso
  keeps durations as numbers internally;
* ``xsd:boolean`` comes back as ``1``/``0`` (valid XSD; laokg reads it as true/false).

The server starts once per session (the ``virtuoso`` fixture in conftest.py) and is skipped
only where ``virtuoso-t`` is not installed (never under ``CI=true``).
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

import pytest
from click.testing import CliRunner

from laokg.cli import cli

from .parity_support import bindings_of, embedded_outputs, parity_cases, rendered, text_of
from .saved_query_support import ROOT

LABELS = [label for label, _, _ in parity_cases()]


@lru_cache(maxsize=1)
def embedded() -> dict[str, str]:
    return embedded_outputs()


def _case(label):
    return next((name, params) for lab, name, params in parity_cases() if lab == label)


_DURATION = re.compile(r'"(-?P[0-9YMDTHS.]+)"\^\^(?:xsd:duration|<http://www\.w3\.org/2001/XMLSchema#duration>)')


def by_value(text: str) -> str:
    """Rendered CSV+TSV with every xsd:duration written as Virtuoso's number (TSV) — the
    comparison by value of the module docstring. CSV cells lose the datatype, so a bare
    duration in CSV is rewritten too."""
    from laokg.publish.push import _duration_number

    def number(lex: str) -> str:
        value = _duration_number(lex)
        return lex if value is None else _canon(value)

    text = _DURATION.sub(lambda m: f'"{number(m.group(1))}"^^xsd:duration', text)
    text = re.sub(
        r'(?<![\w"])(-?P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?)(?=[,\r\n])',
        lambda m: number(m.group(1)) if len(m.group(1)) > 1 else m.group(1),
        text,
    )
    return text


def _virtuoso_numbers(text: str) -> str:
    """Virtuoso's duration numbers in one form (5.184e+06 and 5184000 are the same number)."""

    def norm(m):
        try:
            return f'"{_canon(float(m.group(1)))}"^^xsd:duration'
        except ValueError:
            return m.group(0)

    text = text.replace("^^<http://www.w3.org/2001/XMLSchema#duration>", "^^xsd:duration")
    text = re.sub(r'"([^"]*)"\^\^xsd:duration', norm, text)
    return re.sub(r"(?<=,)(\d+(?:\.\d+)?(?:e\+\d+)?)(?=[,\r\n])", lambda m: _canon(float(m.group(1))), text)


def _canon(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


def _first_difference(a: str, b: str) -> str:
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False)):
        if x != y:
            return f"line {i + 1}:\n  embedded: {x[:300]}\n  virtuoso: {y[:300]}"
    return f"lengths differ: {len(a)} vs {len(b)} characters"


def test_push_to_virtuoso_names_what_the_store_lost(virtuoso):
    # Virtuoso keeps a duration as one number: "P4Y10M28D" (time:hasXSDDuration of a period)
    # comes back as 58 months, its 28 days lost; push says so (exit 1), naming the literal
    result = virtuoso.push_result
    assert result.exit_code == 1, result.output
    assert "not the pushed graph" in result.output and '"P4Y10M28D"' in result.output, result.output
    print(f"virtuoso started in {virtuoso.startup_seconds:.1f} s")


@pytest.mark.parametrize("label", LABELS)
def test_same_rows_on_virtuoso(virtuoso, label):
    from laokg.query.remote import RemoteEngine, RemoteLiteralWarning

    name, params = _case(label)
    engine = RemoteEngine(virtuoso.query_url)
    if label in UNEXPLAINED:
        pytest.xfail(UNEXPLAINED[label])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RemoteLiteralWarning)
        got = rendered(engine.run(text_of(name), bindings_of(name, params), source=name))
    want = embedded()[label]
    if got != want:
        want, got = _virtuoso_numbers(by_value(want)), _virtuoso_numbers(got)
        if name in BOOLEAN_AS_INTEGER:
            want = _booleans_as_integers(want)
    assert got == want, _first_difference(want, got)


# a boolean computed by an expression (a comparison, or IF(..., true, false)) comes back as
# "0"/"1"^^xsd:integer from Virtuoso 7.2.5: the datatype is lost, so laokg cannot restore it
BOOLEAN_AS_INTEGER = {"missions_abroad", "sources"}

# Virtuoso 7.2.5 wrong where no portable form exists (xfail, strict: a fix shows up as a failure
# to update). Each difference was reproduced on the real server with reduced queries; where a
# portable form gives the same rows the query was rewritten instead: sources (a parameter's
# VALUES block directly before sub-selects: every row twice, once with the OPTIONALs unbound),
# institutions (IF(EXISTS { … }, 1, 2) in a BIND; a transitive path inside EXISTS or OPTIONAL
# with its subject bound outside never matches) and AUD30 (a FILTER inside an OPTIONAL reading
# variables bound outside it; BOUND() of a nested OPTIONAL's variable read as true; NOT EXISTS
# stops the compiler with "SP031 … sparp_find_origin_of_external_var()").
UNEXPLAINED = {
    "audit/AUD18": "the period lengths are xsd:duration literals, which Virtuoso keeps as numbers (months: "
    "P4Y10M28D comes back as 58.0; openlink/virtuoso-opensource#936, open): STR(?length) is no longer a duration, "
    "so the finding is lost; no query can restore the form (a number of months may be any of several)",
    "audit/AUD20": "as AUD18: the compared periods' lengths are xsd:duration literals "
    "Virtuoso returns as numbers (#936)",
}


def _booleans_as_integers(text: str) -> str:
    text = re.sub(
        r'"(true|false)"\^\^<http://www\.w3\.org/2001/XMLSchema#boolean>',
        lambda m: f'"{int(m.group(1) == "true")}"^^<http://www.w3.org/2001/XMLSchema#integer>',
        text,
    )
    return re.sub(r"(?<=,)(true|false)(?=\r?\n)", lambda m: str(int(m.group(1) == "true")), text)


COMMANDS = [
    ["query", "run", "instruments", "--format", "csv"],
    ["query", "run", "instruments", "-p", "type=doctype:decree", "--format", "tsv"],
    ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"],
    ["show", "kg:mlsw"],
    ["search", "remittances"],
    ["stats"],
    ["audit"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:3]))
def test_every_endpoint_command_answers_as_on_the_files(virtuoso, args):
    if args == ["audit"]:
        pytest.xfail("AUD18 and AUD20 answer differently on Virtuoso (UNEXPLAINED above: durations as numbers, #936)")
    runner = CliRunner()
    local = runner.invoke(cli, [*args, "--root", str(ROOT)])
    remote = runner.invoke(cli, [*args, "--root", str(ROOT), "--endpoint", virtuoso.query_url])
    assert "Traceback" not in remote.output
    assert remote.exit_code == local.exit_code, remote.output
    lines = remote.output.splitlines(keepends=True)
    warned = [line for line in lines if line.startswith("Warning: laokg: RemoteLiteralWarning: ")]
    if args[0] not in ("query", "sparql"):  # the whole graph: its 9 durations in Virtuoso's form, said once
        assert len(warned) == 1 and re.search(r"returned \d+ literals", warned[0]), remote.output
    output = "".join(line for line in lines if line not in warned)
    assert output == local.output, _first_difference(local.output, output)


def test_validate_on_virtuoso_reports_its_durations_in_one_line_each(virtuoso):
    # Virtuoso keeps xsd:duration as a number: SHACL's datatype check (rightly) refuses
    # "5.184e+06"^^xsd:duration; the report names them, with no rdflib traceback
    remote = CliRunner().invoke(cli, ["validate", "--root", str(ROOT), "--endpoint", virtuoso.query_url])
    assert "Traceback" not in remote.output and "Failed to convert" not in remote.output
    assert remote.exit_code == 1, remote.output
    values = re.findall(r"value (.*?); shape", remote.output)
    assert values and all(v.endswith("^^xsd:duration") and "P" not in v for v in values), remote.output


@pytest.mark.parametrize("method", ["get", "post-form"])
def test_each_method_virtuoso_answers(virtuoso, method):
    result = CliRunner().invoke(
        cli, ["sparql", "ASK { ?s ?p ?o }", "--endpoint", virtuoso.query_url, "--method", method, "--root", str(ROOT)]
    )
    assert result.exit_code == 0 and result.output.strip() == "true", result.output


def test_a_direct_post_is_not_answered_and_auto_falls_back(virtuoso):
    from laokg.query.remote import _WORKING, sparql
    from laokg.query.transport import RemoteOptions

    direct = CliRunner().invoke(
        cli,
        [
            "sparql",
            "ASK { ?s ?p ?o }",
            "--endpoint",
            virtuoso.query_url,
            "--method",
            "post-direct",
            "--timeout",
            "2",
            "--root",
            str(ROOT),
        ],
    )
    assert direct.exit_code != 0 and "timed out" in direct.output
    url = virtuoso.query_url + "&x=fallback"  # a URL auto has not seen yet
    assert sparql(url, "ASK { ?s ?p ?o }", "ASK", RemoteOptions(timeout=30)).boolean is True
    assert _WORKING[url] == "post-form"
