"""Answers identical everywhere: every saved query (with each parameter set of its
tests/expected/ file) and every audit rule gives byte-identical CSV (and TSV, which keeps
datatypes and language tags) on

* the embedded engine (rdflib),
* pyoxigraph (an in-memory Store holding the same graph),
* a real Oxigraph server (``oxigraph serve`` on 127.0.0.1, loaded by ``laokg push``) queried
  through the remote engine (``--endpoint``),

and the embedded answers, plus ``laokg audit --format json``, are the same bytes under three
``PYTHONHASHSEED`` values (separate processes).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import lru_cache

import pytest

from .parity_support import (
    PyoxigraphEngine,
    bindings_of,
    embedded_outputs,
    parity_cases,
    rendered,
    seed_outputs,
    text_of,
)
from .saved_query_support import ROOT, real_graph

pyoxigraph = pytest.importorskip("pyoxigraph")

LABELS = [label for label, _, _ in parity_cases()]
SEEDS = ("0", "1", "2")


@lru_cache(maxsize=1)
def embedded() -> dict[str, str]:
    return embedded_outputs()


@lru_cache(maxsize=1)
def pyoxigraph_engine():
    return PyoxigraphEngine(real_graph())


def _case(label):
    return next((name, params) for lab, name, params in parity_cases() if lab == label)


def _first_difference(a: str, b: str) -> str:
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False)):
        if x != y:
            return f"line {i + 1}:\n  embedded: {x[:300]}\n  other:    {y[:300]}"
    return f"lengths differ: {len(a)} vs {len(b)} characters"


def test_every_query_and_rule_is_covered():
    names = {name for _, name, _ in parity_cases()}
    assert {p.stem for p in (ROOT / "queries").glob("*.rq")} <= names
    assert {"audit/" + p.name for p in (ROOT / "queries" / "audit").glob("*.rq")} <= names


@pytest.mark.parametrize("label", LABELS)
def test_same_bytes_on_pyoxigraph(label):
    name, params = _case(label)
    got = rendered(pyoxigraph_engine().run(text_of(name), bindings_of(name, params), source=name))
    want = embedded()[label]
    assert got == want, _first_difference(want, got)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from .servers import Oxigraph, push_real_graph

    srv = Oxigraph(tmp_path_factory.mktemp("oxigraph-parity"))
    try:
        push_real_graph(srv)
        yield srv
    finally:
        srv.stop()


@pytest.mark.parametrize("label", LABELS)
def test_same_bytes_on_an_oxigraph_server(server, label):
    from laokg.query.remote import RemoteEngine

    name, params = _case(label)
    engine = RemoteEngine(server.query_url)
    got = rendered(engine.run(text_of(name), bindings_of(name, params), source=name))
    want = embedded()[label]
    assert got == want, _first_difference(want, got)


def test_same_bytes_under_three_hash_seeds():
    here = seed_outputs()
    procs = {}
    for seed in SEEDS:
        env = dict(os.environ, PYTHONHASHSEED=seed)
        procs[seed] = subprocess.Popen(
            [sys.executable, "-m", "tests.parity_support"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
    for seed, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
        theirs = json.loads(out)
        assert set(theirs) == set(here)
        differ = [label for label in here if theirs[label] != here[label]]
        assert not differ, f"PYTHONHASHSEED={seed} changes: {', '.join(differ)}"
