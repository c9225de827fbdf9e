"""Start-up discipline: help and option errors load no RDF library; a saved query is parsed
once per run. (Speed itself is measured by `make bench`, never asserted here.)"""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from laokg.cli import cli
from laokg.query import catalogue, safety

from .conftest import ROOT

HEAVY = ("rdflib", "pyparsing", "pyshacl", "SPARQLWrapper", "pyoxigraph")

# Runs the real entry point in a fresh interpreter, then reports which heavy modules it loaded.
PROBE = r"""
import json, sys
from laokg.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="laokg")
except SystemExit as exc:
    code = exc.code
heavy = %r
print(json.dumps({"code": code, "loaded": sorted(m for m in heavy if m in sys.modules)}))
""" % (HEAVY,)


def probe(*args):
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [
    ["--help"], ["-h"], ["--version"],
    ["query", "--help"], ["query", "run", "--help"], ["sparql", "--help"], ["validate", "--help"],
    ["export", "--help"], ["build", "--help"], ["trace", "--help"], ["audit", "--help"], ["show", "--help"],
])
def test_help_imports_no_rdf_library(args):
    got = probe(*args)
    assert got == {"code": 0, "loaded": []}


@pytest.mark.parametrize("args", [
    ["query", "run"],                       # missing argument
    ["validate", "--format", "bogus"],      # bad choice
    ["export", "--no-such-option"],         # unknown option
    ["no-such-command"],
])
def test_option_errors_import_no_rdf_library(args):
    got = probe(*args)
    assert got == {"code": 2, "loaded": []}


def test_a_command_that_queries_does_load_rdflib():
    """The probe can see an import: a real query run loads rdflib."""
    got = probe("query", "run", "instruments", "--format", "csv", "-o", "/dev/null")
    assert got["code"] == 0 and "rdflib" in got["loaded"]


def test_a_saved_query_is_parsed_once_per_run(monkeypatch):
    from rdflib.plugins.sparql import parser as sparql_parser

    calls = []
    real = sparql_parser.parseQuery
    monkeypatch.setattr(sparql_parser, "parseQuery", lambda text: calls.append(text) or real(text))
    monkeypatch.setattr(safety, "_PARSED", {})
    catalogue._cached_parse.cache_clear()
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and calls == []
    result = CliRunner().invoke(cli, ["query", "run", "instruments", "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0 and result.output.startswith("instrument")
    assert len(calls) == 1
