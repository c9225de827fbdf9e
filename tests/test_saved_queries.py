"""Every saved query, run on the real graph, returns exactly the rows the sources imply.

The expected rows live in ``tests/expected/<query>.json`` (format: :mod:`tests.saved_query_support`),
one or more cases per query: the defaults, each parameter as a filter, and several values for
one parameter where the query accepts that. Each case names the source lines its rows come
from (``000:102`` = line 102 of seeds/000_77cab7939497e3f4.txt, ``001:6`` = the news item).
A case whose ``discrepancy`` says the graph or query disagrees with the sources is a strict
xfail: it documents the bug and fails as soon as the output matches, so the marker is removed.
"""

import pytest

from .saved_query_support import (
    EXPECTED,
    actual_rows,
    cases,
    catalogue,
    check_rows,
    query_names,
    run_embedded,
)


def _params():
    out = []
    for name in query_names():
        for i, case in enumerate(cases(name) if (EXPECTED / f"{name}.json").exists() else []):
            marks = [pytest.mark.xfail(strict=True, reason=case["discrepancy"])] if case.get("discrepancy") else []
            out.append(pytest.param(name, case, id=f"{name}-{i}", marks=marks))
    return out


def test_every_saved_query_has_expected_rows():
    missing = [n for n in query_names() if not (EXPECTED / f"{n}.json").exists()]
    assert not missing, f"saved queries without tests/expected/<query>.json: {missing}"
    stale = sorted({p.stem for p in EXPECTED.glob("*.json")} - set(query_names()))
    assert not stale, f"expected-row files for queries that no longer exist: {stale}"


def test_expected_files_match_the_queries():
    """Each file's columns are the query's SELECT variables; its parameters are the query's."""
    from .saved_query_support import expected

    for name in query_names():
        data = expected(name)
        sq = catalogue()[name]
        assert data["query"] == name
        result = run_embedded(name, cases(name)[0]["params"])
        assert result.vars == data["columns"], f"{name}: columns {result.vars} != {data['columns']}"
        params = {p.name for p in sq.parameters}
        for case in cases(name):
            assert {p for p, _ in case["params"]} <= params, f"{name}: {case['name']}: unknown parameter"
            assert set(case["order_by"]) <= set(data["columns"]) and set(case["unordered_lists"]) <= set(
                data["columns"]
            )


def test_every_parameter_is_exercised():
    """At least one case sets each parameter; every query with an enumerate list has a multi-valued case."""
    gaps = []
    for name in query_names():
        sq = catalogue()[name]
        given = [p for case in cases(name) for p, _ in case["params"]]
        for p in sq.parameters:
            if p.name not in given and not p.defaults:
                gaps.append(f"{name}: parameter '{p.name}' is never set")
            if p.defaults and p.name not in given:
                gaps.append(f"{name}: parameter '{p.name}' is only tested with its default")
            if p.allowed and not any(sum(1 for q, _ in case["params"] if q == p.name) > 1 for case in cases(name)):
                gaps.append(f"{name}: enumerated parameter '{p.name}' has no multi-valued case")
        if not any(not case["params"] for case in cases(name)) and not all(
            p.required and not p.defaults for p in sq.parameters
        ):
            gaps.append(f"{name}: no case runs the query with its defaults")
    assert not gaps, "\n".join(gaps)


@pytest.mark.parametrize("name, case", _params())
def test_saved_query_rows(name, case):
    result = run_embedded(name, case["params"])
    assert result.form == "SELECT"
    check_rows(actual_rows(result, case), case)
