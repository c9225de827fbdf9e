"""Start-up discipline: help and option errors load no RDF library; a saved query is parsed
once per run. (Speed itself is measured by `make bench`, never asserted here.)"""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from laokg.cli import cli
from laokg.query import catalogue, safety
from laokg.query import facts as query_facts

from .conftest import ROOT
from .coretools import copy_real_project

HEAVY = ("rdflib", "pyparsing", "pyshacl", "SPARQLWrapper", "pyoxigraph")

# Runs the real entry point in a fresh interpreter, then reports which heavy modules it loaded.
PROBE = r"""
import json, sys
from laokg.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="laokg")
except SystemExit as exc:
    code = exc.code
heavy = HEAVY_NAMES
print(json.dumps({"code": code, "loaded": sorted(m for m in heavy if m in sys.modules)}))
""".replace("HEAVY_NAMES", repr(HEAVY))


def probe(*args):
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["-h"],
        ["--version"],
        ["query", "--help"],
        ["query", "run", "--help"],
        ["sparql", "--help"],
        ["validate", "--help"],
        ["export", "--help"],
        ["build", "--help"],
        ["trace", "--help"],
        ["audit", "--help"],
        ["show", "--help"],
    ],
)
def test_help_imports_no_rdf_library(args):
    got = probe(*args)
    assert got == {"code": 0, "loaded": []}


@pytest.mark.parametrize(
    "args",
    [
        ["query", "run"],  # missing argument
        ["validate", "--format", "bogus"],  # bad choice
        ["export", "--no-such-option"],  # unknown option
        ["no-such-command"],
    ],
)
def test_option_errors_import_no_rdf_library(args):
    got = probe(*args)
    assert got == {"code": 2, "loaded": []}


def test_a_command_that_queries_does_load_rdflib():
    """The probe can see an import: a query run on rdflib's engine loads rdflib."""
    got = probe("query", "run", "instruments", "--engine", "rdflib", "--format", "csv", "-o", "/dev/null")
    assert got["code"] == 0 and "rdflib" in got["loaded"]


@pytest.fixture
def project(tmp_path):
    """A copy of the project without a built release."""
    return copy_real_project(tmp_path / "p")


class _Parses:
    """Counts rdflib SPARQL parses in this process and in the budgeted workers it forks (a
    query is parsed in its worker, so each parse appends one line to a file)."""

    def __init__(self, path):
        self.path = path

    def __len__(self):
        return self.path.read_text().count("\n") if self.path.exists() else 0


def _count_parses(monkeypatch, tmp_path):
    import os

    from rdflib.plugins.sparql import parser as sparql_parser

    calls = _Parses(tmp_path / "parses.log")
    real = sparql_parser.parseQuery

    def counted(text):
        fd = os.open(calls.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, b"parse\n")
        finally:
            os.close(fd)
        return real(text)

    monkeypatch.setattr(sparql_parser, "parseQuery", counted)
    monkeypatch.setattr(safety, "_PARSED", {})
    monkeypatch.setattr(query_facts, "_FACTS", {})
    monkeypatch.setattr(query_facts, "_LOADED", set())
    catalogue._cached_parse.cache_clear()
    return calls


def test_a_saved_query_is_parsed_once_per_run(monkeypatch, project, tmp_path):
    calls = _count_parses(monkeypatch, tmp_path)
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and len(calls) == 0
    result = CliRunner().invoke(
        cli, ["query", "run", "instruments", "--format", "csv", "--root", str(project)], catch_exceptions=False
    )
    assert result.exit_code == 0 and result.output.startswith("instrument")
    # Once, in the budgeted parse worker: its facts and the parse itself come back
    # (laokg.query.parsecopy), so the evaluation worker, which needs rdflib's parse tree, finds
    # it; a built project parses nothing.
    assert len(calls) == 1


@pytest.mark.parametrize("engine", ["rdflib", "auto"])
def test_the_rdflib_engine_parses_a_query_once_never_built_and_uncached(monkeypatch, project, tmp_path, engine):
    """A never-built project without the first-use cache answers on the rdflib engine: the
    saved query (and an ad-hoc one) is parsed once, in its budget, and the answer is the one
    the parse in the evaluating worker gave before."""
    monkeypatch.setenv("LAOKG_CACHE", "off")
    calls = _count_parses(monkeypatch, tmp_path)
    args = ["query", "run", "instruments", "--format", "csv", "--engine", engine, "--root", str(project)]
    once = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert once.exit_code == 0 and len(calls) == 1
    (tmp_path / "again").mkdir()
    calls = _count_parses(monkeypatch, tmp_path / "again")
    monkeypatch.setattr("laokg.query.parsecopy.MAX_BYTES", 0)  # nothing taken back: parsed where evaluated
    twice = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert twice.exit_code == 0 and len(calls) == 2 and twice.output == once.output
    monkeypatch.undo()
    monkeypatch.setenv("LAOKG_CACHE", "off")
    (tmp_path / "adhoc").mkdir()
    calls = _count_parses(monkeypatch, tmp_path / "adhoc")
    sparql = ["sparql", "SELECT ?s WHERE { ?s a eli:LegalResource } ORDER BY ?s LIMIT 3", "--engine", engine]
    adhoc = CliRunner().invoke(cli, sparql + ["--format", "csv", "--root", str(project)], catch_exceptions=False)
    assert adhoc.exit_code == 0 and adhoc.output.count("\n") == 4 and len(calls) == 1


def test_after_a_build_a_saved_query_is_not_parsed_at_all(monkeypatch, project, tmp_path):
    """The build stored the saved queries' facts: a run on the store parses nothing, and
    loads neither rdflib's SPARQL engine, pyparsing nor PyYAML (a fresh interpreter)."""
    from laokg.graph.validate import summary  # noqa: F401 - the build's imports, before counting
    from laokg.query.precompute import build_release

    build_release(project)
    calls = _count_parses(monkeypatch, tmp_path)
    args = ["query", "run", "instruments", "--format", "csv", "--root", str(project)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0 and result.output.startswith("instrument") and len(calls) == 0
    rdflib_run = CliRunner().invoke(cli, args + ["--engine", "rdflib"], catch_exceptions=False)
    assert rdflib_run.output == result.output  # (rdflib's engine parses it, lazily, in its worker)
    probe_ = r"""
import json, sys
from laokg.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="laokg")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("pyparsing", "yaml")
                                                 or m.startswith("rdflib.plugins.sparql"))}))
"""
    for fmt in ("csv", "json", "tsv", "table"):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                probe_,
                "query",
                "run",
                "instruments",
                "--format",
                fmt,
                "--root",
                str(project),
                "-o",
                "/dev/null",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(out.stdout.strip().splitlines()[-1]) == {"code": 0, "loaded": []}, fmt


def test_the_lazy_command_table_names_what_each_module_registers():
    """laokg.cli.MODULES (command -> the module registering it, imported when the command is
    asked for) is exactly what the modules' register() functions add."""
    import importlib

    import click

    from laokg.cli import MODULES

    registered = {}
    for module in sorted(set(MODULES.values())):
        group = click.Group("probe")
        importlib.import_module(f"laokg.cli.{module}").register(group)
        registered.update(dict.fromkeys(group.commands, module))
    assert registered == MODULES
    assert sorted(cli.load_all()) == sorted(MODULES)


MODULES_PROBE = r"""
import json, sys
from laokg.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="laokg")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(m for m in sys.modules if m.startswith("laokg.cli."))}))
"""


def test_a_command_imports_only_its_own_module_of_commands():
    out = subprocess.run(
        [sys.executable, "-c", MODULES_PROBE, "query", "run", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"code": 0, "modules": ["laokg.cli.common", "laokg.cli.query"]}


def test_help_still_lists_every_command_and_root_reaches_each():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    from laokg.cli import MODULES

    listed = result.output.split("Commands:", 1)[1]
    assert all(f"  {name} " in listed for name in MODULES)
    result = CliRunner().invoke(cli, ["--root", "/nonexistent-laokg-root", "stats"])
    assert result.exit_code == 2 and "nonexistent-laokg-root" in result.output
