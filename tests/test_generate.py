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
import generate


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
    themes = sorted(p.stem for p in (ROOT / "graph").glob("*.ttl")) + ["zz-generated-provenance", "time"]
    assert sorted(p.stem for p in (out / "graph").glob("*.ttl")) == sorted(
        f"c{i:04d}-{t}" for i in (1,) for t in themes
    )
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


def test_sources_over_time_every_kind_is_there_as_counted(clean):
    """Several sources per fact, roundings, disagreements and a document with two editions that
    changes one figure and drops one fact (issue 20), as the summary counts them."""
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS, PROV

    from laokg.graph.corroboration import compare_values
    from laokg.graph.load import load_data_graph
    from laokg.namespaces import LAOKG, OA, SDMX_MEAS

    out, summary = clean
    kinds = summary["time"]
    assert all(n >= 1 for n in kinds.values()) and set(kinds) == {
        "agreeing second sources",
        "third sources",
        "roundings",
        "disagreements",
        "facts both editions state",
        "figures changed by an edition",
        "facts dropped by an edition",
        "documents with two editions",
    }
    g = load_data_graph(out)

    def documents(node):
        return {
            d
            for ev in g.objects(node, PROV.qualifiedDerivation)
            for p in g.objects(ev, PROV.entity)
            for d in g.objects(p, OA.hasSource)
        }

    found = {"roundings": 0, "disagreements": 0}
    for a, b in g.subject_objects(LAOKG.disagreesWith):
        kind = compare_values(g.value(b, SDMX_MEAS.obsValue), g.value(a, SDMX_MEAS.obsValue))[0]
        found[{"rounding": "roundings", "disagreement": "disagreements"}[kind]] += 1
        assert documents(a) and documents(a).isdisjoint(documents(b))  # each value with its own source
    assert found == {"roundings": kinds["roundings"], "disagreements": kinds["disagreements"]}

    def news(node):
        return {d for d in documents(node) if "/time-" in str(d)}

    several = [n for n in set(g.subjects(PROV.qualifiedDerivation, None)) if len(documents(n)) >= 2 and news(n)]
    assert len([n for n in several if len(news(n)) == 1]) >= kinds["agreeing second sources"] - kinds["third sources"]
    # the generated bulletin's editions (the real graph's EUDiF profile has two editions too)
    editions = [(s, o) for s, o in g.subject_objects(DCTERMS.isVersionOf) if "/time-" in str(s)]
    assert len(editions) == kinds["documents with two editions"]
    ((revised, first),) = editions
    superseded = list(g.subject_objects(LAOKG.supersededBy))
    changed = [(old, new) for old, new in superseded if new != revised]
    dropped = [old for old, new in superseded if new == revised]
    assert len(changed) == kinds["figures changed by an edition"]
    assert len(dropped) == kinds["facts dropped by an edition"]
    for old, new in changed:
        assert documents(old) == {first} and documents(new) == {revised}
        assert g.value(old, SDMX_MEAS.obsValue) != g.value(new, SDMX_MEAS.obsValue)
    assert all(documents(old) == {first} for old in dropped)
    both = [n for n in set(g.subjects(PROV.qualifiedDerivation, None)) if {first, revised} <= documents(n)]
    assert len(both) == kinds["facts both editions state"]
    assert isinstance(first, URIRef) and (first, DCTERMS.issued, None) in g and (revised, DCTERMS.issued, None) in g


def test_sources_over_time_read_as_of_and_diffed(clean):
    """Between the bulletin's editions and after them: the revised figure is one change, the
    dropped fact is removed, dropped by the revised edition."""
    from laokg.graph.changes import diff

    out, summary = clean
    result = diff("2025-08-01", "2025-12-01", out)
    revised = {c["subject"] for c in result["changed"] if c.get("was")}  # its value (and label) changed
    assert len(revised) == summary["time"]["figures changed by an edition"]
    assert any(c["predicate"].endswith("#obsValue>") for c in result["changed"] if c.get("was"))
    dropped = {r["subject"] for r in result["removed"] if r.get("droppedBy", "").endswith("/time-bulletin-revised>")}
    assert len(dropped) == summary["time"]["facts dropped by an edition"]


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
    assert {
        "sh:MinCountConstraintComponent",
        "sh:MaxCountConstraintComponent",
        "sh:DatatypeConstraintComponent",
        "sh:SPARQLConstraintComponent",
    } <= kinds
    assert any(k.startswith("lksh:ProjectOwnPropertiesShape ") for k in planted)
    assert any(k.startswith("lksh:DocumentEvidenceShape ") and "SPARQL" in k for k in planted)
    assert all(1 <= n <= 2 for n in planted.values())  # 2 unless the copy has only one candidate node
    assert dict(violations(out)) == planted


def test_command_line(tmp_path, capsys):
    assert generate.main(["--triples", "100", "--out", str(tmp_path / "p")]) == 0
    assert json.loads(capsys.readouterr().out)["copies"] == 1
    with pytest.raises(SystemExit):
        generate.main(["--triples", "0", "--out", str(tmp_path / "q")])
