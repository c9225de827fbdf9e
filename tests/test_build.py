"""laokg.graph.build and ``laokg build``: validate, then write dist/ atomically, or write nothing."""

import contextlib
import json
import os

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from laokg.errors import ValidationFailed
from laokg.graph import build, export, load, parse

from .coretools import PREFIXES, REAL_ROOT, assert_clean_exit, invoke, make_project, requires_real, write

#: what `laokg build` writes; the library's build() alone writes all but the saved queries' facts
EXPECTED = [
    "laokg.ttl",
    "laokg.nt",
    "laokg.jsonld",
    "validation-report.txt",
    "validation-report.json",
    "changes.txt",
    "changes.json",
    "labels.tsv",
    "store",
    "store.json",
    "queries.json",
]
LIBRARY = EXPECTED[:-1]

NO_NAME = (
    PREFIXES
    + """
kg:anon a schema:Person ; schema:jobTitle "Clerk" ; schema:affiliation kg:ministry .
"""
)
NO_JOB = (
    PREFIXES
    + """
kg:noi a schema:Person ; schema:name "Noi" ; schema:affiliation kg:ministry .
"""
)


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path)


def test_build_writes_the_release_into_root_dist(project):
    result = build.build(project)
    dist = project / "dist"
    assert [item.path.name for item in result.files] == LIBRARY
    # the stable names, the published release, the lock; no temporary files left
    assert sorted(p.name for p in dist.iterdir()) == sorted(LIBRARY + [".lock", "current", "releases"])
    # the Oxigraph store is part of the release, published by the same switch
    assert sorted(p.name for p in (dist / "current").iterdir()) == sorted(LIBRARY)
    for item in result.files:
        assert item.path.parent == dist and item.path.is_symlink()
        assert item.path.resolve().parent == (dist / "current").resolve()
        if item.path.is_dir():  # the Oxigraph store
            assert item.size == sum(p.stat().st_size for p in item.path.resolve().rglob("*") if p.is_file()) > 0
        else:
            assert item.size == item.path.stat().st_size > 0
    assert result.validation.conforms


def test_built_files_are_the_exports_and_the_report(project):
    result = build.build(project)
    dist = project / "dist"
    graph = load.load_data_graph(project)
    assert (dist / "laokg.ttl").read_bytes() == export.serialize(graph, "turtle")
    assert (dist / "laokg.nt").read_bytes() == export.serialize(graph, "nt")
    assert isomorphic(graph, Graph().parse(dist / "laokg.jsonld", format="json-ld"))
    assert (dist / "validation-report.txt").read_text().endswith("Conforms: yes (0 violations, 0 warnings, 0 infos)\n")
    assert json.loads((dist / "validation-report.json").read_text()) == []
    assert result.validation.results == []


def test_warnings_do_not_stop_the_build_and_are_in_the_report(project):
    write(project / "graph" / "noi.ttl", NO_JOB)
    build.build(project)
    report = (project / "dist" / "validation-report.txt").read_text()
    assert "kg:noi (Noi)" in report and "1 warning" in report
    rows = json.loads((project / "dist" / "validation-report.json").read_text())
    assert [row["severity"] for row in rows] == ["Warning"]


def test_non_conforming_graph_writes_nothing(project):
    write(project / "graph" / "anon.ttl", NO_NAME)
    with pytest.raises(
        ValidationFailed, match=r"does not conform \(1 violation, 0 warnings, 0 infos\); nothing written"
    ):
        build.build(project)
    assert not (project / "dist").exists()


def test_non_conforming_graph_leaves_an_earlier_release_untouched(project):
    build.build(project)
    before = {p.name: p.read_bytes() for p in (project / "dist").iterdir() if p.is_file()}
    write(project / "graph" / "anon.ttl", NO_NAME)
    with pytest.raises(ValidationFailed):
        build.build(project)
    assert {p.name: p.read_bytes() for p in (project / "dist").iterdir() if p.is_file()} == before


def test_a_failed_write_leaves_the_earlier_release_whole(project, monkeypatch):
    from laokg.errors import InputError

    build.build(project)
    before = {p.name: p.read_bytes() for p in (project / "dist").iterdir() if p.is_file()}
    write(project / "graph" / "noi.ttl", NO_JOB)  # a change, so every file would differ
    from laokg.graph import release

    real_fdopen = release.os.fdopen
    opened = []

    def fdopen(fd, *args, **kwargs):
        if len(opened) == 3:
            os.close(fd)
            raise OSError(28, "No space left on device", "validation-report.txt")
        opened.append(fd)
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(release.os, "fdopen", fdopen)
    with pytest.raises(InputError, match="validation-report.txt: cannot write: No space left on device"):
        build.build(project)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in (project / "dist").iterdir() if p.is_file()} == before


def test_dist_option(project, tmp_path):
    out = tmp_path / "release" / "v1"
    result = build.build(project, out)
    assert {item.path.parent for item in result.files} == {out}
    assert not (project / "dist").exists()


def test_cli_build(project):
    result = invoke("build", "--root", str(project))
    assert_clean_exit(result, 0)
    lines = result.stdout.splitlines()
    assert lines[0] == "Conforms: yes (0 violations, 0 warnings, 0 infos)"
    assert [line.split()[0].rsplit("/", 1)[-1] for line in lines[1:]] == EXPECTED
    assert all(line.rstrip().endswith("bytes") for line in lines[1:])


def test_root_before_the_command(project, tmp_path):
    """``laokg --root DIR build`` (and any command, nested ones too) is ``laokg build --root DIR``."""
    result = invoke("--root", str(project), "build")
    assert_clean_exit(result, 0)
    assert (project / "dist" / "laokg.ttl").is_file()
    assert invoke("--root", str(project), "stats").stdout == invoke("stats", "--root", str(project)).stdout
    nested = invoke("--root", str(project), "query", "list")  # this project has no queries/: the error names it
    assert nested.stderr == invoke("query", "list", "--root", str(project)).stderr
    assert str(project / "queries") in nested.stderr
    # the command's own --root wins
    other = make_project(tmp_path, "other")
    assert_clean_exit(invoke("--root", str(project), "build", "--root", str(other)), 0)
    assert (other / "dist" / "laokg.ttl").is_file()
    assert_clean_exit(invoke("--root", str(tmp_path / "nowhere"), "stats"), 2)


def test_cli_build_non_conforming_exits_1(project):
    write(project / "graph" / "anon.ttl", NO_NAME)
    result = invoke("build", "--root", str(project))
    assert_clean_exit(result, 1)
    assert result.stderr.startswith("Error: the graph does not conform")
    assert result.stderr.count("\n") == 1
    assert not (project / "dist").exists()


def test_cli_build_unwritable_dist_exits_2(project, tmp_path):
    blocker = write(tmp_path / "dist-is-a-file", "x")
    result = invoke("build", "--root", str(project), "--dist", str(blocker))
    assert_clean_exit(result, 2)
    assert result.stderr == f"Error: {blocker}: cannot write: Not a directory\n"


@pytest.mark.parametrize("target", ["ontology", "graph", "queries", "graph/sub"])
def test_build_refuses_to_write_into_the_sources(project, target):
    (project / "queries").mkdir(exist_ok=True)
    before = sorted(p.name for p in (project / "ontology").iterdir())
    result = invoke("build", "--root", str(project), "--dist", str(project / target))
    assert_clean_exit(result, 2)
    assert "refusing to write into the project's sources" in result.stderr and result.stderr.count("\n") == 1
    assert sorted(p.name for p in (project / "ontology").iterdir()) == before


def test_cli_help_has_an_example():
    result = invoke("build", "--help")
    assert_clean_exit(result, 0)
    assert "Example:" in result.stdout


@requires_real
def test_real_build(tmp_path):
    result = invoke("build", "--root", str(REAL_ROOT), "--dist", str(tmp_path))
    assert_clean_exit(result, 0)
    assert sorted(p.name for p in (tmp_path / "current").iterdir()) == sorted(EXPECTED)
    graph = load.load_data_graph(REAL_ROOT)
    assert isomorphic(graph, parse.parse_file(tmp_path / "laokg.ttl"))  # keeps lexical forms, as load does
    assert (tmp_path / "laokg.nt").read_bytes() == export.serialize(graph, "nt")


#: a person whose name holds the characters Oxigraph writes as they are and str.splitlines
#: takes for line ends, and characters outside Latin-1 (the text is made ASCII for validation)
ODD_LINES = (
    PREFIXES
    + """
kg:noi a schema:Person ; schema:name "Noi\u2028Line\u0085Next\u2029ນ້ອຍ" ; schema:jobTitle "Clerk" ;
    schema:affiliation kg:ministry ; prov:qualifiedDerivation ev:somchai-1 .
"""
)
MORE = (
    PREFIXES
    + '\nkg:kham a schema:Person ; schema:name "Kham" ; schema:jobTitle "Clerk\u2028Two" ;'
    + " schema:affiliation kg:ministry .\n"
)


@contextlib.contextmanager
def pyoxigraph_store(dist):
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(dist / "store"))
    try:
        yield store
    finally:
        del store


def _release_bytes(dist) -> dict:
    """Every file of the published release (not the store: bulk loads label blank nodes at random)."""
    current = (dist / "current").resolve()
    return {p.name: p.read_bytes() for p in current.iterdir() if p.is_file()}


def test_literals_with_line_separators_are_built_and_diffed(project):
    write(project / "graph" / "noi.ttl", ODD_LINES)
    build.build(project)
    dist = project / "dist"
    name = '"Noi\u2028Line\u0085Next\u2029ນ້ອຍ"'
    assert f"<https://w3id.org/laokg/id/noi> <https://schema.org/name> {name} .\n" in (dist / "laokg.nt").read_text()
    assert name in {f["object"] for f in json.loads((dist / "changes.json").read_text())["added"]}
    write(project / "graph" / "kham.ttl", MORE)
    build.build(project)  # the previous release's N-Triples read back line by line
    changes = json.loads((dist / "changes.json").read_text())
    assert changes["summary"] == {"added": 4, "removed": 0, "changed": 0, "evidence": 0}
    assert {f["object"] for f in changes["added"]} >= {'"Kham"', '"Clerk\u2028Two"'}


def test_a_large_project_is_built_in_child_processes_into_the_same_bytes(project, tmp_path, monkeypatch):
    """Above ISOLATE_ABOVE validation and the changes run in child processes and the release
    files are spooled to disk: the release is byte for byte the one built in one process."""
    write(project / "graph" / "noi.ttl", ODD_LINES)
    calls = []
    real = build._in_child

    def in_child(func, *args):
        calls.append(func.__name__)
        return real(func, *args)

    monkeypatch.setattr(build, "_in_child", in_child)
    one, two = tmp_path / "one", tmp_path / "two"
    releases = []
    for step in range(2):
        if step:
            write(project / "graph" / "kham.ttl", MORE)
        for dist, threshold in ((one, 10**12), (two, 0)):
            monkeypatch.setattr(build, "ISOLATE_ABOVE", threshold)
            result = build.build(project, dist)
            assert result.validation.conforms
            releases.append((_release_bytes(dist), result.validation.results, result.validation.iri_results))
        assert releases[-2] == releases[-1]
    assert calls == ["_validate", "_write_graph", "changes_files", "write_store"] * 2
    assert json.loads(releases[-1][0]["changes.json"])["summary"]["added"] == 4
    assert sorted(releases[-1][0]) == sorted(n for n in LIBRARY if n != "store")
    current = (two / "current").resolve()
    assert build.build(project, two).validation.conforms  # unchanged: the same release, changes kept
    assert (two / "current").resolve() == current and _release_bytes(two) == releases[-1][0]
    with pyoxigraph_store(two) as store:
        assert len(store) == len((two / "laokg.nt").read_text(encoding="utf-8").split("\n")) - 1


def test_a_large_project_that_does_not_conform_writes_nothing(project, monkeypatch):
    monkeypatch.setattr(build, "ISOLATE_ABOVE", 0)
    write(project / "graph" / "anon.ttl", NO_NAME)
    with pytest.raises(ValidationFailed, match="does not conform"):
        build.build(project)
    assert not (project / "dist").exists()


def test_changes_written_to_a_spool_are_the_same_bytes(project, tmp_path, monkeypatch):
    from laokg.graph import changes

    build.build(project)
    write(project / "graph" / "noi.ttl", ODD_LINES)
    ready = export.data_triples(project)
    data = export.write_triples(ready, "nt")
    expected = dict(build.changes_files(project / "dist", data))
    (tmp_path / "new.nt").write_bytes(data)
    for batch in (1, 3, 10**6):  # write_text and write_json, a batch of lines or pieces at a time
        monkeypatch.setattr(changes, "_TEXT_BATCH", batch)
        monkeypatch.setattr(changes, "_JSON_BATCH", batch)
        spool = tmp_path / f"spool-{batch}"
        spool.mkdir()
        got = build.changes_files(project / "dist", tmp_path / "new.nt", spool)
        assert {name: path.read_bytes() for name, path in got} == expected
    assert json.loads(expected["changes.json"])["summary"]["added"] == 4


def test_diff_taking_is_the_diff_and_frees_both_sides(project):
    from laokg.graph import changes

    before = set(export.data_triples(project).triples)
    write(project / "graph" / "noi.ttl", ODD_LINES)
    after = set(export.data_triples(project).triples)
    expected = changes.diff_triples(before, after, "a", "b")
    old, new = set(before), set(after)
    assert changes.diff_taking(old, new, "a", "b") == expected and expected["summary"]["added"] == 4
    assert old == set() and new == set()


def test_a_worker_process_that_dies_is_an_error_not_a_hang():
    from laokg.errors import OutputError

    with pytest.raises(OutputError, match=r"worker process \(exit\) ended without an answer .*nothing written"):
        build._in_child(os._exit, 9)  # killed: no answer, no exception pickled back
    assert build._in_child(sorted, [3, 1, 2]) == [1, 2, 3]
