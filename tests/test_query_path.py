"""The saved-query path on a built project loads no RDF library it does not use: rdflib,
pyparsing and PyYAML stay out of ``sys.modules`` (a fresh interpreter runs the real entry
point), and the answer is byte for byte the rdflib engine's. Also: the pieces that make it so
(the plain prefix table, values bound as pyoxigraph terms, typed literals written without
rdflib) agree with their rdflib counterparts, and every engine declares its capabilities."""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef

from laokg.cli import cli

from .conftest import ROOT
from .coretools import copy_real_project

PROBE = r"""
import json, sys
from laokg.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="laokg")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "loaded": sorted({m.split(".")[0] for m in sys.modules
                                                   if m.split(".")[0] in ("rdflib", "pyparsing", "yaml")})}))
"""

K = "https://w3id.org/laokg/id/"
#: saved queries with parameters of every kind: an IRI, a CURIE, several values, a literal
#: (defaults in the decorators), none at all
RUNS = [
    ["instruments"],
    ["instruments", "-p", "type=doctype:decree", "-p", "type=doctype:law"],
    ["country", "-p", f"country={K}laos"],
    ["institution_units", "-p", "organisation=kg:mlsw"],
    ["topic", "-p", "topic=https://w3id.org/laokg/vocab/topic/labour-migration"],
    ["remittance_breakdown", "-p", f"total={K}obs-remittances-inflow-lao-2025-s1"],
    ["emigrants_by_destination"],
    ["statistics"],
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the project, built (its store and query facts in dist/)."""
    from laokg.query.precompute import build_release

    dst = copy_real_project(tmp_path_factory.mktemp("built") / "p")
    build_release(dst)
    return dst


def _probe(*args, cwd=None):
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True, cwd=cwd)
    return json.loads(out.stdout.strip().splitlines()[-1]), out.stdout


@pytest.mark.parametrize("run", RUNS, ids=lambda r: "-".join(r[:1] + [a.split("=")[0] for a in r[2::2]]))
@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_a_saved_query_on_the_store_loads_no_rdf_library(built, tmp_path, run, fmt):
    out = tmp_path / f"out.{fmt}"
    got, _ = _probe("query", "run", *run, "--format", fmt, "--root", str(built), "-o", str(out))
    assert got == {"code": 0, "loaded": []}
    reference = CliRunner().invoke(
        cli, ["query", "run", *run, "--format", fmt, "--root", str(built), "--engine", "rdflib"], catch_exceptions=False
    )
    assert reference.exit_code == 0
    assert out.read_text(encoding="utf-8") == reference.output


def test_rows_streamed_to_standard_output_load_no_rdf_library(built):
    """csv to stdout is streamed chunk by chunk from the worker: still no rdflib."""
    args = ["query", "run", "instruments", "-p", "type=doctype:decree", "--format", "csv", "--root", str(built)]
    got, stdout = _probe(*args)
    assert got == {"code": 0, "loaded": []}
    reference = CliRunner().invoke(cli, [*args, "--engine", "rdflib"], catch_exceptions=False)
    assert stdout[: -len(stdout.splitlines(keepends=True)[-1])] == reference.output


def test_a_bad_parameter_is_refused_without_rdflib(built):
    got, _ = _probe(
        "query",
        "run",
        "institution_units",
        "-p",
        "organisation=<not an iri>",
        "--root",
        str(built),
        "--format",
        "csv",
        "-o",
        "/dev/null",
    )
    assert got == {"code": 2, "loaded": []}


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_durations_in_the_answer_are_written_without_rdflib(built, tmp_path, fmt):
    """instrument_provisions answers xsd:duration values ("P60D"): written as Oxigraph gives
    them, the same bytes as the rdflib engine's, without importing rdflib. --in-process, so that
    the probe sees what the writing imported (in the worker it would not: issue 21 measured
    this query at 1.6x `import rdflib`, the other 28 at most 1.5x)."""
    out = tmp_path / f"out.{fmt}"
    args = ["query", "run", "instrument_provisions", "-p", f"instrument={K}decree-475-2021", "--format", fmt]
    got, _ = _probe(*args, "--root", str(built), "-o", str(out), "--in-process")
    assert got == {"code": 0, "loaded": []}
    assert "P60D" in out.read_text(encoding="utf-8")
    reference = CliRunner().invoke(cli, [*args, "--root", str(built), "--engine", "rdflib"], catch_exceptions=False)
    assert reference.exit_code == 0
    assert out.read_text(encoding="utf-8") == reference.output


def test_the_probe_sees_rdflib_when_the_rdflib_engine_runs(built):
    """The probe can fail: the same query on rdflib's engine does load it."""
    got, _ = _probe(
        "query", "run", "instruments", "--engine", "rdflib", "--root", str(built), "--format", "csv", "-o", "/dev/null"
    )
    assert got["code"] == 0 and "rdflib" in got["loaded"]


def test_the_plain_prefix_table_is_the_namespaces_table():
    from laokg.namespaces import PREFIXES
    from laokg.prefixes import PREFIX_IRIS

    assert list(PREFIX_IRIS.items()) == [(p, str(ns)) for p, ns in PREFIXES.items()]


def test_values_bound_as_pyoxigraph_terms_equal_rdflib_ones():
    """The Oxigraph engine's bindings (terms="oxigraph") are the rdflib engine's terms, made
    by pyoxigraph, and write the same SPARQL text."""
    from laokg.query.binding import bind_parameters, sparql_term
    from laokg.query.catalogue import find_query
    from laokg.query.oxigraph import to_oxigraph

    cases = [
        ("instruments", [("type", "doctype:decree"), ("type", "<https://w3id.org/laokg/vocab/doctype/law>")]),
        ("emigrants_by_destination", []),
    ]
    for name, pairs in cases:
        sq = find_query(ROOT / "queries", name)
        by_rdflib = bind_parameters(sq, pairs)
        by_oxigraph = bind_parameters(sq, pairs, terms="oxigraph")
        assert by_rdflib.keys() == by_oxigraph.keys()
        for var, terms in by_rdflib.items():
            assert [to_oxigraph(t) for t in terms] == by_oxigraph[var]
            assert [sparql_term(t) for t in terms] == [sparql_term(t) for t in by_oxigraph[var]]


@pytest.mark.parametrize(
    "value,datatype",
    [
        ("2020", "integer"),
        ("12.5", "decimal"),
        ("2020-06-30", "date"),
        ("true", "boolean"),
        ("2020-06", "gYearMonth"),
        ("2020", "gYear"),
        ("tab\there", "string"),
        ('é\n"q"', "string"),
    ],
)
def test_literal_parameters_write_the_same_sparql_on_both_kinds(value, datatype):
    from laokg.query.binding import sparql_term
    from laokg.query.parameters import Parameter, ParamType, coerce, term_kit

    xsd = "http://www.w3.org/2001/XMLSchema#" + datatype
    p = Parameter("x", "_x", True, ParamType("literal", xsd))
    a, b = coerce(p, value), coerce(p, value, kit=term_kit("oxigraph"))
    assert isinstance(a, Literal) and isinstance(b, pyoxigraph.Literal)
    assert sparql_term(a) == sparql_term(b)


# typed literals whose lexical form formats._kept lets through, and their edges
KEPT_SAMPLES = {
    "integer": ["0", "7", "-7", "123456789012345678", "1234567890123456789", "01", "-0", "+1", "1.0", ""],
    "decimal": ["1.5", "-0.25", "0.0", "-0.0", "100.10", "1.", ".5", "1", "1e3", "01.5"],
    "date": ["2020-06-30", "1999-12-31", "2020-02-30", "2020-13-01", "0999-01-01", "2020-06-30Z", "20200-01-01"],
    "gYear": ["2020", "1000", "0999", "-2020", "2020Z"],
    "gYearMonth": ["2020-06", "2020-13", "2020-00", "2020-06Z"],
    "boolean": ["true", "false", "1", "0", "TRUE"],
    "duration": [
        *("P2Y", "P60D", "P6M", "P1Y10M", "P4Y10M28D", "P1Y400D", "P999999Y11M999999D"),
        *("P24M", "P12M", "P1Y0M", "P0D", "PT0S", "P0Y", "P01D", "PT1H", "PT36H", "P1W", "-P1D", "-P1Y1D", "P"),
    ],
    "double": ["1.5E3", "1.0", "INF"],
}


@pytest.mark.parametrize("datatype", sorted(KEPT_SAMPLES))
def test_typed_literals_written_without_rdflib_are_rdflibs_text(datatype):
    """A literal written as it comes (no rdflib Literal made) is written exactly as rdflib writes it."""
    from laokg.query.formats import _kept

    xsd = "http://www.w3.org/2001/XMLSchema#" + datatype
    kept = 0
    for value in KEPT_SAMPLES[datatype]:
        if _kept(value, xsd):
            kept += 1
            assert str(Literal(value, datatype=URIRef(xsd))) == value, value
    assert kept or datatype == "double"  # the fast path is used where it is claimed


def test_written_text_is_the_same_with_and_without_the_fast_path(monkeypatch):
    from laokg.query import formats

    rows = [
        tuple(
            pyoxigraph.Literal(v, datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#" + dt))
            for dt, v in (
                ("integer", "42"),
                ("date", "2020-06-30"),
                ("decimal", "12.5"),
                ("boolean", "true"),
                ("duration", "P4Y10M28D"),
            )
        )
    ]
    vars_ = ["a", "b", "c", "d", "e"]
    fast = {fmt: formats.write_solutions(fmt, vars_, rows) for fmt in ("csv", "tsv", "json")}
    monkeypatch.setattr(formats, "_kept", lambda value, datatype: False)
    assert fast == {fmt: formats.write_solutions(fmt, vars_, rows) for fmt in ("csv", "tsv", "json")}


def test_every_engine_declares_its_capabilities_when_made(real_graph):
    """The API reads what an engine can do from attributes its __init__ sets (the Engine
    protocol), not by probing for methods."""
    from laokg.query.engines import EmbeddedEngine
    from laokg.query.oxigraph import OxigraphEngine
    from laokg.query.remote import RemoteEngine

    engines = [
        EmbeddedEngine(real_graph),
        OxigraphEngine(pyoxigraph.Store()),
        RemoteEngine("http://127.0.0.1:9/sparql"),
    ]
    for engine in engines:
        assert {"name", "writes", "streams", "terms", "remote"} <= set(vars(engine)), type(engine).__name__
        assert callable(engine.run) and callable(engine.stream_select)
    assert [e.terms for e in engines] == ["rdflib", "oxigraph", "rdflib"]
    assert [e.remote for e in engines] == [False, False, True]
    assert set(engines[1].streams) <= set(engines[1].writes)


# ---------------------------------------------------------------- first use: the store cache


@pytest.fixture
def never_built(tmp_path):
    """A copy of the project that was never built, and a cache folder of its own."""
    return copy_real_project(tmp_path / "p"), tmp_path / "cache"


def _run(project, cache, *args):
    import os

    env = {**os.environ, "LAOKG_CACHE": str(cache)}
    return subprocess.Popen(
        [sys.executable, "-c", PROBE, "query", "run", *args, "--root", str(project), "--format", "csv"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _answer(proc):
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    *rows, last = out.splitlines(keepends=True)
    return "".join(rows), json.loads(last)


def _entries(cache):
    return sorted(p.name for p in cache.iterdir()) if cache.is_dir() else []


def test_a_never_built_project_builds_its_store_once_and_answers_from_it(never_built):
    project, cache = never_built
    reference = CliRunner().invoke(
        cli, ["query", "run", "instruments", "--root", str(project), "--format", "csv"], catch_exceptions=False
    )  # the cache is off in the tests: rdflib's answer
    first, _ = _answer(_run(project, cache, "instruments"))
    assert first == reference.output
    stores = [n for n in _entries(cache) if not n.endswith(".facts")]
    assert len(stores) == 1 and (cache / stores[0] / "store").is_dir()
    # the query's facts were kept: the next run parses nothing and loads no RDF library
    second, loaded = _answer(_run(project, cache, "instruments"))
    assert second == first and loaded == {"code": 0, "loaded": []}
    assert [n for n in _entries(cache) if not n.endswith(".facts")] == stores


def test_the_first_use_store_is_compacted_as_the_builds(never_built, tmp_path):
    """A bulk load leaves overlapping files that every query reads (at 1M triples the audit's
    rules took 1.7x as long on the cache's store as on the build's): the cache compacts its store
    as `laokg build` does, into as many files as the build's store of the same graph."""
    from laokg.graph.load import load_data_graph
    from laokg.graph.store import write_store

    project, cache = never_built
    _answer(_run(project, cache, "instruments"))
    (entry,) = [n for n in _entries(cache) if not n.endswith(".facts")]
    built = write_store(tmp_path / "built", load_data_graph(project).serialize(format="nt", encoding="utf-8"))
    assert len(list((cache / entry / "store").glob("*.sst"))) == len(list(built.glob("*.sst")))


def test_two_first_runs_at_once_give_the_same_answer_and_one_store(never_built):
    project, cache = never_built
    runs = [_run(project, cache, "instruments", "-p", "type=doctype:decree") for _ in range(2)]
    answers = [_answer(p)[0] for p in runs]
    assert answers[0] == answers[1] and answers[0].startswith("instrument,")
    entries = _entries(cache)
    assert len([n for n in entries if not n.endswith(".facts")]) == 1
    assert not [n for n in entries if n.startswith(".")]  # no staging folder left behind


def test_changing_a_source_file_builds_the_store_again(never_built):
    project, cache = never_built
    before, _ = _answer(_run(project, cache, "instruments"))
    old = [n for n in _entries(cache) if not n.endswith(".facts")]
    ttl = sorted((project / "graph").rglob("*.ttl"))[0]
    ttl.write_text(ttl.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    after, _ = _answer(_run(project, cache, "instruments"))
    new = [n for n in _entries(cache) if not n.endswith(".facts")]
    assert after == before and len(new) == 1 and new != old  # a new key; the old state's entry is gone


def test_an_added_triple_is_in_the_rebuilt_store(never_built):
    project, cache = never_built
    query = ["sources"]
    before, _ = _answer(_run(project, cache, *query))
    extra = project / "graph" / "zz-test-extra.ttl"
    extra.write_text(
        "# a work added by this test\n"
        "@prefix kg: <https://w3id.org/laokg/id/> .\n@prefix dct: <http://purl.org/dc/terms/> .\n"
        'kg:test-extra-work dct:title "A work added by the cache test"@en .\n',
        encoding="utf-8",
    )
    reference = CliRunner().invoke(
        cli, ["query", "run", *query, "--root", str(project), "--format", "csv"], catch_exceptions=False
    )
    after, _ = _answer(_run(project, cache, *query))
    assert after == reference.output
    (entry,) = [p for p in cache.iterdir() if not p.name.endswith(".facts")]
    store = pyoxigraph.Store.read_only(str(entry / "store"))
    titles = [
        q.object.value
        for q in store.quads_for_pattern(pyoxigraph.NamedNode("https://w3id.org/laokg/id/test-extra-work"), None, None)
    ]
    assert titles == ["A work added by the cache test"]


def test_the_cache_is_off_when_asked(never_built, monkeypatch):
    from laokg.query.cache import cache_folder, cached_store

    project, cache = never_built
    monkeypatch.setenv("LAOKG_CACHE", "off")
    assert cache_folder() is None and cached_store(project) is None
    monkeypatch.setenv("LAOKG_CACHE", str(cache))
    assert cached_store(project) == next(p for p in cache.iterdir() if not p.name.endswith(".facts")) / "store"
