"""The SHACL engines give identical reports: pyshacl-turbo (the default) and pySHACL, on the real
graph and on a synthetic project with planted violations of every kind (benchmarks/generate.py)."""

import sys

import pytest
from rdflib.compare import isomorphic

from laokg.errors import InputError
from laokg.graph import validate
from laokg.graph.load import load_data_graph, load_shapes

from .conftest import ROOT


def both(root):
    data, shapes = load_data_graph(root), load_shapes(root)
    return validate.run_shacl(data, shapes, engine="turbo"), validate.run_shacl(data, shapes, engine="pyshacl")


def assert_same(turbo, plain):
    assert turbo.conforms == plain.conforms
    assert turbo.results == plain.results  # every row: severity, focus, path, value, message, shape
    assert isomorphic(turbo.report_graph, plain.report_graph)
    assert validate.format_result(turbo, "json") == validate.format_result(plain, "json")


def test_real_graph_same_report():
    turbo, plain = both(ROOT)
    assert_same(turbo, plain)
    assert turbo.conforms and turbo.counts()["Warning"] > 0  # the comparison covers some results


def test_planted_violations_same_report(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    summary = generate.generate(3000, tmp_path / "p", violations=1)
    turbo, plain = both(tmp_path / "p")
    assert_same(turbo, plain)
    assert turbo.counts()["Violation"] == sum(summary["planted"].values()) > 20


def test_default_engine_and_environment(monkeypatch):
    assert validate.DEFAULT_SHACL_ENGINE == "turbo"
    monkeypatch.setenv("LAOKG_SHACL_ENGINE", "nonsense")
    data, shapes = load_data_graph(ROOT), load_shapes(ROOT)
    with pytest.raises(InputError, match="unknown SHACL engine 'nonsense'"):
        validate.run_shacl(data, shapes)
