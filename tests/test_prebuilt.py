"""laokg.graph.prebuilt: the N-Triples and query facts an installed laokg ships, used only while
every data file is the one they were made from (tests/test_packaging.py runs them from a wheel)."""

from __future__ import annotations

import json
import shutil

import pyoxigraph
import pytest

from laokg.graph import export, prebuilt
from laokg.graph.load import load_data_graph
from laokg.graph.store import load_into
from laokg.query import facts

from .conftest import ROOT

MARKER = "<http://example.org/test/shipped> <http://example.org/test/says> <http://example.org/test/so> .\n"


@pytest.fixture(scope="module")
def made():
    return prebuilt.prebuilt_files(ROOT)


def _with_prebuilt(folder, made):
    for name in ("ontology", "graph", "queries"):
        shutil.copytree(ROOT / name, folder / name)
    (folder / prebuilt.FOLDER).mkdir()
    for name, body in made.items():
        (folder / prebuilt.FOLDER / name).write_bytes(body)
    return folder


@pytest.fixture
def project(tmp_path, made, monkeypatch):
    """A copy of this checkout's data with its prebuilt/ folder, standing for the data installed
    with the wheel (the one project whose prebuilt/ is read)."""
    monkeypatch.setattr(prebuilt, "WHEEL_DATA", tmp_path.resolve())
    return _with_prebuilt(tmp_path, made)


def test_the_shipped_ntriples_are_the_release_ntriples(made):
    assert made[prebuilt.NTRIPLES] == export.serialize(load_data_graph(ROOT), "nt")


def test_the_record_names_every_data_file_with_its_content_digest(made):
    record = json.loads(made[prebuilt.RECORD])
    names = [name for name, _ in record["files"]]
    assert names[0] == "ontology/laokg.ttl" and any(n.startswith("graph/") for n in names)
    assert all(len(digest) == 64 for _, digest in record["files"])


def test_used_while_the_data_files_are_those_it_was_made_from(project):
    assert prebuilt.prebuilt_ntriples(project) == project / prebuilt.FOLDER / prebuilt.NTRIPLES
    touched = sorted((project / "graph").glob("*.ttl"))[0]
    before = touched.read_bytes()
    touched.write_bytes(before + b"\n# edited\n")  # same graph, other bytes: not the files it was made from
    assert prebuilt.prebuilt_ntriples(project) is None
    touched.write_bytes(before)
    assert prebuilt.prebuilt_ntriples(project) is not None
    touched.unlink()
    assert prebuilt.prebuilt_ntriples(project) is None


def test_a_damaged_record_is_not_used(project):
    (project / prebuilt.FOLDER / prebuilt.RECORD).write_text("{not json", encoding="utf-8")
    assert prebuilt.prebuilt_ntriples(project) is None


def test_no_prebuilt_folder_in_a_checkout():
    assert prebuilt.prebuilt_ntriples(ROOT) is None


def test_another_projects_prebuilt_folder_is_never_read(tmp_path_factory, made, monkeypatch):
    """A folder that is not the wheel's data may hold a prebuilt/ whose record matches its files
    (copied, or planted): its N-Triples would skip every check, so the Turtle is read instead."""
    monkeypatch.setattr(prebuilt, "WHEEL_DATA", tmp_path_factory.mktemp("the-wheels-data").resolve())
    other = _with_prebuilt(tmp_path_factory.mktemp("other"), made)
    shipped = other / prebuilt.FOLDER / prebuilt.NTRIPLES
    shipped.write_bytes(shipped.read_bytes() + MARKER.encode())
    text = (other / "queries" / "instruments.rq").read_text(encoding="utf-8")
    record = {"version": facts.FACTS_VERSION, "queries": {facts.text_key(text): {"form": "ASK"}}}
    (other / prebuilt.FOLDER / prebuilt.FACTS).write_text(json.dumps(record), encoding="utf-8")
    assert prebuilt.prebuilt_ntriples(other) is None and prebuilt.prebuilt_facts(other) is None
    assert not _holds_marker(load_into(pyoxigraph.Store(), other))
    facts.clear()
    try:
        facts.use_prebuilt_facts(other)
        assert facts.lookup(text) is None
    finally:
        facts.clear()


def _holds_marker(store) -> bool:
    return bool(list(store.quads_for_pattern(pyoxigraph.NamedNode("http://example.org/test/shipped"), None, None)))


def test_the_store_is_loaded_from_the_shipped_ntriples_while_they_hold(project):
    shipped = project / prebuilt.FOLDER / prebuilt.NTRIPLES
    shipped.write_bytes(shipped.read_bytes() + MARKER.encode())  # what only the shipped file says
    store = load_into(pyoxigraph.Store(), project)
    assert _holds_marker(store) and len(store) == len(load_data_graph(ROOT)) + 1
    touched = project / "graph" / sorted(p.name for p in (project / "graph").glob("*.ttl"))[0]
    touched.write_bytes(touched.read_bytes() + b"\n# edited\n")
    store = load_into(pyoxigraph.Store(), project)  # read from the Turtle: the marker is not there
    assert not _holds_marker(store) and len(store) == len(load_data_graph(ROOT))


def test_extra_files_are_read_from_the_turtle(project, tmp_path_factory):
    shipped = project / prebuilt.FOLDER / prebuilt.NTRIPLES
    shipped.write_bytes(shipped.read_bytes() + MARKER.encode())
    extra = tmp_path_factory.mktemp("extra") / "more.ttl"
    extra.write_text("<http://example.org/test/a> <http://example.org/test/b> 1 .\n", encoding="utf-8")
    assert not _holds_marker(load_into(pyoxigraph.Store(), project, [str(extra)]))


def test_the_shipped_query_facts_are_registered(project):
    text = (project / "queries" / "instruments.rq").read_text(encoding="utf-8")
    record = {"version": facts.FACTS_VERSION, "queries": {facts.text_key(text): {"form": "SELECT"}}}
    (project / prebuilt.FOLDER / prebuilt.FACTS).write_text(json.dumps(record), encoding="utf-8")
    facts.clear()
    try:
        facts.use_prebuilt_facts(project)
        assert facts.lookup(text) == {"form": "SELECT"}
    finally:
        facts.clear()
