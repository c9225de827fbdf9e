"""benchmarks/generate.py: the synthetic project validates with 0 violations, planted mode gives
exactly the planted violations per shape and constraint, output is deterministic."""

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from laokg.graph.validate import validate

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402


def tree_bytes(root: Path) -> dict:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def violations(root: Path) -> Counter:
    result = validate(root)
    return Counter(f"{r.source_shape} {r.constraint}" for r in result.results if r.severity == "Violation")


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "clean"
    summary = generate.generate(3000, out)
    return out, summary


def test_clean_project_has_copies_of_every_graph_file_and_the_real_ontology_and_queries(clean):
    out, summary = clean
    assert summary["copies"] == 1 and summary["planted"] == {}
    # copies of graph/ as loaded: each theme file, and the provenance its short form expands to
    themes = sorted(p.stem for p in (ROOT / "graph").glob("*.ttl")) + ["zz-generated-provenance"]
    assert sorted(p.stem for p in (out / "graph").glob("*.ttl")) == sorted(f"c{i:04d}-{t}" for i in (1,) for t in themes)
    assert (out / "ontology" / "shapes.ttl").read_bytes() == (ROOT / "ontology" / "shapes.ttl").read_bytes()
    assert tree_bytes(out / "queries") == tree_bytes(ROOT / "queries")


def test_clean_project_validates_with_no_violation_and_the_real_warnings_per_copy(clean):
    out, summary = clean
    result = validate(out)
    real = validate(ROOT)
    assert result.conforms and result.counts()["Violation"] == 0
    assert result.counts()["Warning"] == real.counts()["Warning"]


def test_triple_count_is_as_reported(clean):
    from laokg.graph.load import load_data_graph

    out, summary = clean
    assert len(load_data_graph(out)) == summary["triples"]


def test_labels_are_tagged_per_copy(clean):
    out, _ = clean
    text = (out / "graph" / "c0001-institutions.ttl").read_text(encoding="utf-8")
    assert '"MLSW [c0001]"@en' in text and "https://w3id.org/laokg/id/c0001/" in text
    assert "https://w3id.org/laokg/id/mlsw" not in text


def test_output_is_deterministic(tmp_path):
    a = generate.generate(3000, tmp_path / "a", violations=1)
    b = generate.generate(3000, tmp_path / "b", violations=1)
    assert a == b and tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_planted_mode_gives_exactly_the_planted_violations(tmp_path):
    out = tmp_path / "planted"
    summary = generate.generate(3000, out, violations=2)
    planted = json.loads((out / "planted.json").read_text(encoding="utf-8"))
    assert planted == summary["planted"]
    kinds = {key.split()[-1] for key in planted}
    assert {"sh:MinCountConstraintComponent", "sh:MaxCountConstraintComponent",
            "sh:DatatypeConstraintComponent", "sh:SPARQLConstraintComponent"} <= kinds
    assert any(k.startswith("lksh:ProjectOwnPropertiesShape ") for k in planted)
    assert any(k.startswith("lksh:DocumentEvidenceShape ") and "SPARQL" in k for k in planted)
    assert all(1 <= n <= 2 for n in planted.values())  # 2 unless the copy has only one candidate node
    assert dict(violations(out)) == planted


def test_command_line(tmp_path, capsys):
    assert generate.main(["--triples", "100", "--out", str(tmp_path / "p")]) == 0
    assert json.loads(capsys.readouterr().out)["copies"] == 1
    with pytest.raises(SystemExit):
        generate.main(["--triples", "0", "--out", str(tmp_path / "q")])
