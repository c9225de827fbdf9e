"""Data-driven tests of the SHACL shapes (ontology/shapes.ttl) against small fixtures.

Each file in tests/shapes/ is validated together with ontology/laokg.ttl and
ontology/vocab/*.ttl (so the subclass axioms and the SKOS concepts are there) and nothing
else; a fixture brings its own documents, sections and evidence. The file name says what
it tests: ``<Shape>-ok.ttl`` or ``<Shape>-bad-<what>.ttl``, ``<Shape>`` being the local
name of a node shape in the ``lksh:`` namespace.

Header comments carry the expectations:

``# expect: <Shape> <path|-> <Violation|Warning|Info> <focus> ["<message fragment>"]``
    one line per expected top-level validation result: the named node shape that owns the
    source shape (a property shape's result belongs to the node shape that lists it), the
    sh:resultPath as a CURIE (``-`` for node-level results: sh:or, SHACL-SPARQL rules without
    ?path), the severity, the focus node, and optionally a fragment of the message.
    CURIEs use the fixture's own prefixes.
``# xfail: <reason>``
    the expectation describes what the shapes *should* do and currently do not (a shape
    defect found by this suite); the test is a strict xfail, so it fails once the shapes
    are fixed and the marker must go.

An ``-ok`` fixture has no expect line and must produce no result at all (not even a
warning). A ``-bad-`` fixture must produce exactly its expected results, no more, no fewer.
Validation goes through ``laokg.graph.validate.run_shacl`` when the package provides it (else
pySHACL with the same options); every fixture is also validated with the focused runner
the mutation test uses (tests/shape_support.py), which must give the same results.
"""

from __future__ import annotations

import functools
import re

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from . import shape_support as ss

FIXTURE_DIR = ss.ROOT / "tests" / "shapes"
FIXTURES = sorted(FIXTURE_DIR.glob("*.ttl"))
NAME = re.compile(r"^(?P<shape>[A-Za-z]+Shape)-(?:ok|bad-[a-z0-9]+(?:-[a-z0-9]+)*)\.ttl$")


@functools.cache
def shapes() -> Graph:
    return ss.load_shapes()


@functools.cache
def base() -> Graph:
    return ss.load(ss.base_files())


@functools.cache
def fixture_graph(path) -> Graph:
    return Graph().parse(path, format="turtle")


@functools.cache
def outcome(path):
    """(results, engine, data graph) of validating base + fixture, computed once per file."""
    data = base() + fixture_graph(path)
    report, engine = ss.project_report(data, shapes())
    return ss.results_of(report, shapes()), engine, data


def fixture_nodes(g: Graph) -> set:
    return {t for triple in g for t in (triple[0], triple[2]) if isinstance(t, URIRef)}


def is_ok(path) -> bool:
    return path.name.endswith("-ok.ttl")


def _param(path):
    marks = []
    _expectations, xfail = ss.read_expectations(path, fixture_graph(path))
    if xfail:
        marks.append(pytest.mark.xfail(reason=xfail, strict=True))
    return pytest.param(path, id=path.stem, marks=marks)


def _show(results) -> str:
    return (
        "\n".join(f"  {r.severity} focus={r.focus} shape={r.shape} path={r.path}\n    {r.message}" for r in results)
        or "  (none)"
    )


# ---------------------------------------------------------------- the fixtures themselves


@pytest.mark.parametrize("path", [_param(p) for p in FIXTURES])
def test_fixture(path):
    results, engine, data = outcome(path)
    expectations, _xfail = ss.read_expectations(path, fixture_graph(path))
    if is_ok(path):
        assert results == [], f"{path.name} should conform with no result ({engine}) but gave:\n{_show(results)}"
    else:
        unmatched = list(results)
        missing = []
        for expectation in expectations:
            hit = next((r for r in unmatched if expectation.matches(r)), None)
            if hit is None:
                missing.append(expectation)
            else:
                unmatched.remove(hit)
        assert not missing and not unmatched, (
            f"{path.name} ({engine}):\nexpected but not reported: {missing}\n"
            f"reported but not expected:\n{_show(unmatched)}\nall results:\n{_show(results)}"
        )
    # the focused runner of the mutation test agrees with this validation
    focused = ss.validate_focused(data, shapes(), fixture_nodes(fixture_graph(path)))
    assert focused == results, f"focused validation differs:\n{_show(focused)}\nvs\n{_show(results)}"


# ---------------------------------------------------------------- house rules and coverage


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_is_well_formed(path):
    text = path.read_text(encoding="utf-8")
    m = NAME.match(path.name)
    assert m, f"{path.name}: name it <Shape>-ok.ttl or <Shape>-bad-<what>.ttl (lowercase, hyphens)"
    shape = URIRef(ss.LKSH + m["shape"])
    assert shape in ss.targeted_shapes(shapes()), f"{m['shape']} is not a targeted node shape of shapes.ttl"
    assert text.startswith(f"# {m['shape']}, "), "start with a header comment naming the shape and what is tested"
    expectations, _xfail = ss.read_expectations(path, fixture_graph(path))
    if is_ok(path):
        assert not expectations, "an ok fixture expects nothing"
    else:
        assert expectations, "a bad fixture needs at least one '# expect:' line"
        assert any(e.shape == shape for e in expectations), f"no expectation names {m['shape']}"


def test_every_targeted_shape_has_ok_and_bad_fixtures():
    names = {p.name for p in FIXTURES}
    missing = []
    for shape in ss.targeted_shapes(shapes()):
        local = str(shape).removeprefix(ss.LKSH)
        if f"{local}-ok.ttl" not in names:
            missing.append(f"{local}-ok.ttl")
        if not any(n.startswith(f"{local}-bad-") for n in names):
            missing.append(f"{local}-bad-*.ttl")
    assert not missing, "shapes without fixtures: " + ", ".join(missing)


@pytest.mark.parametrize("path", [p for p in FIXTURES if is_ok(p)], ids=lambda p: p.stem)
def test_ok_fixture_exercises_its_shape(path):
    """The ok fixture holds at least one node its shape targets (else it conforms vacuously)."""
    shape = URIRef(ss.LKSH + NAME.match(path.name)["shape"])
    g = fixture_graph(path)
    data = base() + g
    own = set(g.subjects())
    focus = set()
    for kind in ss.target_kinds(shapes(), shape):
        focus |= ss.targets_of(data, kind) & own
    assert focus, f"no node of {path.name} is a target of {shape}"


def test_every_sparql_constraint_is_exercised():
    """Each SHACL-SPARQL constraint of a targeted shape fires in some (non-xfail) bad fixture."""
    g = shapes()
    fired = {}
    for path in FIXTURES:
        if is_ok(path) or ss.read_expectations(path, fixture_graph(path))[1]:
            continue
        for r in outcome(path)[0]:
            fired.setdefault((r.shape, r.message), path.name)
    missing = []
    for shape in ss.targeted_shapes(g):
        for constraint in g.objects(shape, SH.sparql):
            message = str(g.value(constraint, SH.message))
            stem = re.split(r"\{\?", message)[0][:40]
            if not any(s == shape and m.startswith(stem) for (s, m) in fired):
                missing.append(f"{shape} {message[:60]}")
    assert not missing, "SHACL-SPARQL constraints no bad fixture triggers:\n" + "\n".join(missing)
