"""Many sources over time (issue 20), on the fixture of tests/fixtures/time: one figure from
four sources (two agree, one rounds, one differs), a bulletin in two editions (the second
changes one figure and drops one fact), the graph ``--as-of`` before, between and after the
editions on rdflib, Oxigraph and a pushed Oxigraph server, and ``laokg diff`` across them
(dates, releases, git revisions)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from laokg.graph.asof import as_of, editions_read, parse_day
from laokg.graph.corroboration import compare_values, fact_sources, rounds_to
from laokg.namespaces import KG

from .coretools import FIXTURE, assert_clean_exit, copy_real_project, invoke

HERE = Path(__file__).resolve().parent
TIME_GRAPH = HERE / "fixtures" / "time" / "graph" / "time.ttl"
QUERIES = HERE.parent / "queries"

BEFORE, FIRST, BETWEEN, AFTER = "2024-02-01", "2024-06-15", "2024-08-01", "2025-03-01"

FIGURE = """SELECT ?obs ?value WHERE { ?obs <http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?value }
ORDER BY ?obs"""


def make_time_project(tmp_path: Path, name: str = "time") -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURE, target)
    for old in (target / "graph").glob("*.ttl"):
        old.unlink()
    shutil.copy(TIME_GRAPH, target / "graph" / "time.ttl")
    shutil.copytree(QUERIES / "audit", target / "queries" / "audit")  # the project's audit rules, unchanged
    return target


@pytest.fixture
def project(tmp_path):
    return make_time_project(tmp_path)


@pytest.fixture
def graph(project):
    from laokg.graph.load import load_data_graph

    return load_data_graph(project)


def _subjects(g: Graph) -> set[str]:
    return {
        str(s)[len(str(KG)) :]
        for s in g.subjects()
        if isinstance(s, URIRef) and str(s).startswith(str(KG)) and "/evidence/" not in str(s)
    }


# ---------------------------------------------------------------- dates and the view


def test_partial_dates_count_from_their_last_day():
    assert str(parse_day("2024-02")) == "2024-02-29"
    assert str(parse_day("2023")) == "2023-12-31"
    assert str(parse_day("2025-07-04")) == "2025-07-04"


@pytest.mark.parametrize("bad", ["2025-13-01", "2025-02-30", "yesterday", "20250101", "2025-1-1", ""])
def test_a_bad_date_is_a_usage_error(bad, project):
    result = invoke("stats", "--root", str(project), "--as-of", bad)
    assert result.exit_code == 2
    assert "--as-of" in result.output and "Traceback" not in result.output


def test_each_work_is_read_in_its_latest_edition_then(graph):
    def read(day):
        return sorted(str(d)[len(str(KG)) :] for d in editions_read(graph, parse_day(day)))

    assert read(BEFORE) == []
    assert read(FIRST) == ["bulletin-ed1", "daily-news", "ministry-release"]
    assert read(BETWEEN) == ["bulletin-ed1", "daily-news", "ministry-release", "radio-news", "weekly-news"]
    assert read(AFTER) == ["bulletin-ed2", "daily-news", "ministry-release", "radio-news", "weekly-news"]


def test_as_of_before_between_and_after_the_editions(graph):
    before, between, after = (_subjects(as_of(graph, d)) for d in (BEFORE, BETWEEN, AFTER))
    # before anything was published: no fact, no document record (undated kg:bulletin, the work, stays)
    assert before == {"bulletin"}
    # between: the first edition's figure and fact; the revised figure is not known yet
    assert {
        "obs-remittances",
        "skills-fund",
        "labour-office",
        "obs-workers",
        "obs-workers-weekly",
        "obs-workers-radio",
    } <= between
    assert "obs-remittances-revised" not in between and "bulletin-ed2" not in between
    # after: the revised figure replaces the first; the dropped fact is gone from the view; the
    # fact both editions state stays (on the second edition's evidence only)
    assert "obs-remittances-revised" in after and "obs-remittances" not in after and "skills-fund" not in after
    assert "labour-office" in after and "bulletin-ed1" in after  # an earlier edition's record stays
    view = as_of(graph, AFTER)
    evidence = {
        str(e) for e in view.objects(KG["labour-office"], URIRef("http://www.w3.org/ns/prov#qualifiedDerivation"))
    }
    assert evidence == {str(KG) + "evidence/labour-office-ed2"}
    # nothing is deleted from the graph itself: the superseded statements are kept, marked
    assert (
        KG["obs-remittances"],
        URIRef("https://w3id.org/laokg/ontology#supersededBy"),
        KG["obs-remittances-revised"],
    ) in graph
    assert (KG["skills-fund"], None, None) in graph


def test_the_view_leaves_no_orphan_scaffolding(graph):
    from rdflib import BNode

    view = as_of(graph, AFTER)
    named = set(view.objects())
    for s in set(view.subjects()):
        assert not isinstance(s, BNode) or s in named
        if "/evidence/" in str(s):
            assert s in named, s


# ---------------------------------------------------------------- several sources, rounding, conflicts


@pytest.mark.parametrize(
    "a, b, kind",
    [
        (350567, 350600, "rounding"),
        (350600, 350567, "rounding"),
        (350567, 341000, "disagreement"),
        (350567, 350567, "same"),
        (350000, 350567, "rounding"),
        (350500, 350567, "disagreement"),
        (Decimal("1.5"), Decimal("1.51"), "rounding"),
        (Decimal("1.51"), Decimal("2.29"), "disagreement"),
        (287, Decimal("287.19"), "rounding"),
        (290, Decimal("287.19"), "rounding"),
        (300, Decimal("287.19"), "rounding"),
        (280, Decimal("287.19"), "disagreement"),
        (0, 5, "disagreement"),
    ],
)
def test_rounding_is_told_from_disagreement(a, b, kind):
    from rdflib import Literal

    assert compare_values(Literal(a), Literal(b))[0] == kind


def test_rounding_rule_uses_the_rounded_values_own_figures():
    assert rounds_to(Decimal(350600), Decimal(350567))
    assert not rounds_to(Decimal(350567), Decimal(350600))
    assert rounds_to(Decimal(350600), Decimal(350550))  # half up
    assert not rounds_to(Decimal(350600), Decimal(350549))


def test_every_source_of_a_figure_agreeing_or_not(graph):
    fs = fact_sources(graph, KG["obs-workers"])
    assert [(s.title, s.issued) for s in fs.sources] == [
        ("Ministry release on workers abroad", "2024-06-10"),
        ("Daily news: workers abroad", "2024-06-12"),
    ]
    conflicts = {
        c.other[len(str(KG)) :]: (c.value, c.other_value, c.kind, c.difference, [s.title for s in c.other_sources])
        for c in fs.conflicts
    }
    assert conflicts == {
        "obs-workers-weekly": ("350567", "350600", "rounding", "+33 (0.01 %)", ["Weekly digest"]),
        "obs-workers-radio": ("350567", "341000", "disagreement", "-9567 (-2.73 %)", ["Evening radio bulletin"]),
    }
    # the link is read in both directions
    back = fact_sources(graph, KG["obs-workers-radio"])
    assert [c.other for c in back.conflicts] == [str(KG["obs-workers"])]
    assert back.conflicts[0].kind == "disagreement"


def test_trace_names_both_values_both_sources_and_the_difference(project):
    result = invoke("trace", "kg:obs-workers", "--root", str(project))
    assert_clean_exit(result, 0)
    out = result.output
    assert "sources of this fact (2):" in out
    assert "  - Ministry release on workers abroad, 2024-06-10" in out
    assert "conflict: 350567 here against 341000 in kg:obs-workers-radio, difference -9567 (-2.73 %)" in out
    assert "    there: Evening radio bulletin, 2024-07" in out
    assert (
        "rounding: 350567 here against 350600 in kg:obs-workers-weekly, difference +33 (0.01 %) — one is the other "
        "rounded to its own significant figures"
    ) in out
    data = json.loads(invoke("trace", "kg:obs-remittances", "--root", str(project), "--format", "json").output)
    assert data["sources"]["superseded_by"] == [str(KG["obs-remittances-revised"])]
    assert [s["title"] for s in data["sources"]["sources"]] == ["Labour bulletin, first edition"]
    assert data["sources"]["sources"][0]["edition_of"] == str(KG["bulletin"])


def test_trace_as_of_sees_only_what_was_stated_then(project):
    between = invoke("trace", "kg:obs-workers", "--root", str(project), "--as-of", FIRST)
    assert_clean_exit(between, 0)
    assert "conflict" not in between.output and "rounding" not in between.output  # not yet published
    gone = invoke("trace", "kg:skills-fund", "--root", str(project), "--as-of", AFTER)
    assert gone.exit_code != 0 and "skills-fund" in gone.output


def _fact_sources(project, fact: str, *extra: str):
    """``laokg query run fact_sources -p fact=kg:FACT --format csv`` on ``project``, with ``extra``."""
    args = ["--root", str(project), "--queries", str(QUERIES), "-p", f"fact=kg:{fact}", "--format", "csv"]
    return invoke("query", "run", "fact_sources", *args, *extra)


def test_fact_sources_query(project):
    def rows(fact, engine, *extra):
        result = _fact_sources(project, fact, "--engine", engine, *extra)
        assert_clean_exit(result, 0)
        return [line.split(",")[:4] for line in result.output.splitlines()[1:]]

    k = str(KG)
    for engine in ("rdflib", "oxigraph"):
        assert rows("obs-workers", engine) == [
            ["states", k + "obs-workers", "350567", k + "ministry-release"],
            ["states", k + "obs-workers", "350567", k + "daily-news"],
            ["disagrees", k + "obs-workers-weekly", "350600", k + "weekly-news"],
            ["disagrees", k + "obs-workers-radio", "341000", k + "radio-news"],
        ]
        assert rows("skills-fund", engine) == [
            ["states", k + "skills-fund", "", k + "bulletin-ed1"],
            ["superseded by", k + "bulletin-ed2", "", k + "bulletin-ed2"],
        ]
        assert rows("obs-workers", engine, "--as-of", FIRST) == [
            ["states", k + "obs-workers", "350567", k + "ministry-release"],
            ["states", k + "obs-workers", "350567", k + "daily-news"],
        ]


# ---------------------------------------------------------------- --as-of on every engine and a store


def _figures(project, engine, day):
    result = invoke("sparql", FIGURE, "--root", str(project), "--engine", engine, "--as-of", day, "--format", "csv")
    assert_clean_exit(result, 0)
    return result.output


@pytest.mark.parametrize(
    "day, expected",
    [
        (BEFORE, []),
        (FIRST, [("obs-remittances", "120"), ("obs-workers", "350567")]),
        (
            BETWEEN,
            [
                ("obs-remittances", "120"),
                ("obs-workers", "350567"),
                ("obs-workers-radio", "341000"),
                ("obs-workers-weekly", "350600"),
            ],
        ),
        (
            AFTER,
            [
                ("obs-remittances-revised", "125"),
                ("obs-workers", "350567"),
                ("obs-workers-radio", "341000"),
                ("obs-workers-weekly", "350600"),
            ],
        ),
    ],
)
def test_as_of_same_answer_on_rdflib_and_oxigraph(project, day, expected):
    rdflib_out = _figures(project, "rdflib", day)
    assert rdflib_out == _figures(project, "oxigraph", day)
    rows = [tuple(line.split(",")) for line in rdflib_out.splitlines()[1:]]
    assert [(o[len(str(KG)) :], v) for o, v in rows] == expected


def test_as_of_ignores_a_built_store(project):
    assert_clean_exit(invoke("build", "--root", str(project)), 0)
    assert _figures(project, "oxigraph", FIRST) == _figures(project, "rdflib", FIRST)
    whole = invoke("sparql", FIGURE, "--root", str(project), "--engine", "oxigraph", "--format", "csv")
    assert "obs-remittances-revised" in whole.output and "obs-remittances-revised" not in _figures(
        project, "oxigraph", FIRST
    )


def test_export_stats_and_audit_take_as_of(project):
    export = invoke("export", "--root", str(project), "--as-of", BETWEEN, "--format", "nt")
    assert_clean_exit(export, 0)
    assert "obs-remittances-revised" not in export.output and "obs-remittances>" in export.output
    stats_after = invoke("stats", "--root", str(project), "--as-of", AFTER, "--format", "json")
    stats_all = invoke("stats", "--root", str(project), "--format", "json")
    assert json.loads(stats_after.output)["triples"] < json.loads(stats_all.output)["triples"]
    for day in (BEFORE, BETWEEN, AFTER):
        audit = invoke("audit", "--root", str(project), "--as-of", day, "--format", "json")
        assert_clean_exit(audit, audit.exit_code)
        assert audit.exit_code in (0, 1), audit.output
        json.loads(audit.output)


def test_as_of_with_an_endpoint_is_refused(project):
    result = invoke("stats", "--root", str(project), "--as-of", AFTER, "--endpoint", "http://127.0.0.1:9/query")
    assert result.exit_code == 2
    assert "push the dated view" in result.output


def test_api_reads_as_of(project):
    from laokg.graph.asof import reading_as_of
    from laokg.graph.load import load_data_graph

    with reading_as_of(BETWEEN):
        inside = load_data_graph(project)
    assert len(inside) < len(load_data_graph(project))
    assert (KG["obs-remittances-revised"], None, None) not in inside


@pytest.mark.parametrize("day", [FIRST, AFTER])
def test_as_of_view_pushed_to_an_oxigraph_server_answers_the_same(project, tmp_path, day):
    from .servers import Oxigraph

    server = Oxigraph(tmp_path / f"store-{day}")
    try:
        pushed = invoke(
            "push", server.store_url, "--endpoint", server.query_url, "--root", str(project), "--as-of", day
        )
        assert_clean_exit(pushed, 0)
        remote = invoke("sparql", FIGURE, "--endpoint", server.query_url, "--root", str(project), "--format", "csv")
        assert_clean_exit(remote, 0)
        assert remote.output == _figures(project, "rdflib", day)
        rows = _fact_sources(project, "obs-workers", "--endpoint", server.query_url)
        local = _fact_sources(project, "obs-workers", "--as-of", day)
        assert rows.output == local.output
    finally:
        server.stop()


# ---------------------------------------------------------------- diff


def test_diff_between_and_after_the_editions(project):
    result = invoke("diff", BETWEEN, AFTER, "--root", str(project), "--format", "json")
    assert_clean_exit(result, 0)
    data = json.loads(result.output)
    assert data["summary"] == {"added": 4, "removed": 2, "changed": 1, "evidence": 4}
    changed = data["changed"][0]
    assert (changed["subject"], changed["was"], changed["from"], changed["to"]) == (
        f"<{KG}obs-remittances-revised>",
        f"<{KG}obs-remittances>",
        '"120"^^<http://www.w3.org/2001/XMLSchema#integer>',
        '"125"^^<http://www.w3.org/2001/XMLSchema#integer>',
    )
    assert [s["title"] for s in changed["sourcesFrom"]] == ["Labour bulletin, first edition"]
    assert [s["title"] for s in changed["sourcesTo"]] == ["Labour bulletin, revised edition"]
    removed = {(r["subject"], r["predicate"]): r for r in data["removed"]}
    name = removed[(f"<{KG}skills-fund>", "<https://schema.org/name>")]
    assert name["droppedBy"] == f"<{KG}bulletin-ed2>" and name["sources"][0]["issued"] == "2024-03"
    # the fact both editions state is not a fact change, only an evidence change under it
    assert {e["subject"]: (len(e["added"]), len(e["removed"])) for e in data["evidence"]}[f"<{KG}labour-office>"] == (
        1,
        1,
    )
    assert not any("labour-office" in f["subject"] for f in data["added"] + data["removed"] + data["changed"])
    # added facts name the source that brought them
    text = invoke("diff", BETWEEN, AFTER, "--root", str(project)).output
    assert "~ kg:obs-remittances-revised (was kg:obs-remittances) sdmx-measure:obsValue: 120 -> 125" in text
    assert "dropped by the later edition kg:bulletin-ed2" in text


def test_diff_before_the_first_source_lists_everything_as_added(project):
    data = json.loads(invoke("diff", BEFORE, FIRST, "--root", str(project), "--format", "json").output)
    assert data["summary"]["removed"] == 0 and data["summary"]["changed"] == 0
    added = {(a["subject"], a["predicate"]): a for a in data["added"]}
    fig = added[(f"<{KG}obs-workers>", "<http://purl.org/linked-data/sdmx/2009/measure#obsValue>")]
    assert [s["title"] for s in fig["sources"]] == ["Daily news: workers abroad", "Ministry release on workers abroad"]
    # no evidence node, passage or selector is listed as a fact
    assert not any("/evidence/" in a["subject"] or "TextQuoteSelector" in a["object"] for a in data["added"])


def test_diff_is_byte_identical_across_hash_seeds(project):
    outs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run(
            [sys.executable, "-m", "laokg", "diff", BETWEEN, AFTER, "--root", str(project), "--format", "json"],
            capture_output=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        outs.add(done.stdout)
    assert len(outs) == 1


def test_diff_of_two_graph_files_and_a_release(project, tmp_path):
    from laokg.graph.asof import reading_as_of

    old = tmp_path / "old.nt"
    with reading_as_of(BETWEEN):
        old.write_text(invoke("export", "--root", str(project), "--as-of", BETWEEN, "--format", "nt").output)
    assert_clean_exit(invoke("build", "--root", str(project)), 0)
    result = invoke("diff", str(old), str(project / "dist"), "--root", str(project), "--format", "json")
    assert_clean_exit(result, 0)
    data = json.loads(result.output)
    # the release holds the whole graph: the first edition's statements are still there, marked
    assert any(a["subject"] == f"<{KG}obs-remittances-revised>" for a in data["added"])
    assert not any(r["subject"] == f"<{KG}skills-fund>" for r in data["removed"])
    missing = invoke("diff", str(tmp_path / "nowhere"), str(project / "dist"), "--root", str(project))
    assert missing.exit_code == 2


def test_build_writes_the_changes_against_the_previous_release(project):

    dist = project / "dist"
    assert_clean_exit(invoke("build", "--root", str(project)), 0)
    first = json.loads((dist / "changes.json").read_text())
    assert first["from"] == "(no previous release)" and first["summary"]["removed"] == 0
    release = os.readlink(dist / "current")
    # a rebuild of the same graph is not a new release: the same release, its changes kept
    assert_clean_exit(invoke("build", "--root", str(project)), 0)
    second = json.loads((dist / "changes.json").read_text())
    assert second == first
    assert os.readlink(dist / "current") == release
    # an edit: the figure of the first edition changes in place
    ttl = project / "graph" / "time.ttl"
    ttl.write_text(ttl.read_text().replace("sdmx-measure:obsValue 120 ;", "sdmx-measure:obsValue 121 ;"))
    assert_clean_exit(invoke("build", "--root", str(project)), 0)
    changes = json.loads((dist / "changes.json").read_text())
    assert changes["from"] == second["to"]
    assert [(c["subject"], c["from"][:5], c["to"][:5]) for c in changes["changed"]] == [
        (f"<{KG}obs-remittances>", '"120"', '"121"')
    ]
    assert "120 -> 121" in (dist / "changes.txt").read_text()


def test_diff_of_git_revisions(project):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
    )

    def git(*args):
        return subprocess.run(["git", "-C", str(project), *args], check=True, capture_output=True, env=env)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "first")
    ttl = project / "graph" / "time.ttl"
    ttl.write_text(ttl.read_text().replace('schema:name "Skills fund"', 'schema:name "Skills and training fund"'))
    git("commit", "-qam", "second")
    result = invoke("diff", "HEAD~1", "HEAD", "--root", str(project), "--format", "json")
    assert_clean_exit(result, 0)
    data = json.loads(result.output)
    assert data["summary"] == {"added": 0, "removed": 0, "changed": 1, "evidence": 0}
    assert data["changed"][0]["to"] == '"Skills and training fund"'
    bad = invoke("diff", "no-such-rev", "HEAD", "--root", str(project))
    assert bad.exit_code == 2 and "no-such-rev" in bad.output
    hostile = invoke("diff", "--root", str(project), "--", "--output=/tmp/laokg-hostile", "HEAD")
    assert hostile.exit_code == 2 and not Path("/tmp/laokg-hostile").exists()


# ---------------------------------------------------------------- the site


def test_site_entity_pages_and_changes_page(project):
    from laokg.publish.site import build_with_site

    dist = project / "dist"
    build_with_site(project)
    page = (dist / "site" / "id" / "obs-workers.html").read_text()
    assert '<h3 id="sources">Sources of this fact</h3>' in page
    assert "Conflict: 350567 here against 341000" in page and "Rounding: 350567 here against 350600" in page
    assert "Superseded by" in (dist / "site" / "id" / "obs-remittances.html").read_text()
    first = (dist / "site" / "changes.html").read_text()
    assert "(no previous release)" in first
    # the next release changes one figure: the page names it, and carries no script or style
    ttl = project / "graph" / "time.ttl"
    ttl.write_text(ttl.read_text().replace("sdmx-measure:obsValue 341000 ;", "sdmx-measure:obsValue 342000 ;"))
    build_with_site(project)
    changes = (dist / "site" / "changes.html").read_text()
    assert "1 changed" in changes.replace("\n", " ")
    assert (
        "&lt;https://w3id.org/laokg/id/obs-workers-radio&gt; &lt;http://purl.org/linked-data/sdmx/2009/measure#obsValue&gt;"
        in changes
    )
    assert "<script" not in changes.replace("<script src=", "") and "style=" not in changes and "<style" not in changes
    assert (dist / "site" / "downloads" / "changes.json").is_file()
    assert 'href="changes.html"' in (dist / "site" / "downloads.html").read_text()


def test_python_api_as_of(project):
    import laokg
    from laokg.errors import InputError

    for engine in ("rdflib", "oxigraph"):
        between = laokg.open(project, as_of=BETWEEN, engine=engine)
        after = laokg.open(project, as_of=AFTER, engine=engine)
        text = "SELECT ?v WHERE { ?o <http://purl.org/linked-data/sdmx/2009/measure#obsValue> ?v } ORDER BY ?v"
        assert [int(r["v"]) for r in between.sparql(text)] == [120, 341000, 350567, 350600]
        assert [int(r["v"]) for r in after.sparql(text)] == [125, 341000, 350567, 350600]
        assert after.stats()["triples"] < laokg.open(project, engine=engine).stats()["triples"]
        assert after.audit() is not None
    with pytest.raises(InputError):
        laokg.open(project, as_of="2025-13-01")
    with pytest.raises(InputError):
        laokg.open(project, as_of=AFTER, endpoint="http://127.0.0.1:9/query")


@pytest.mark.parametrize("day", [BEFORE, FIRST, BETWEEN, AFTER, "2030"])
def test_the_text_view_is_the_graph_view(graph, project, day):
    """The loaders' fast path (the view filtered on N-Triples text) gives the same graph as the
    rdflib view, on the fixture and on the real graph."""
    from rdflib.compare import isomorphic

    from laokg.graph.asof import as_of_ntriples
    from laokg.graph.load import load_data_graph, load_data_text

    for root, g in ((project, graph), (HERE.parent, load_data_graph(HERE.parent))):
        text = Graph().parse(data=as_of_ntriples(load_data_text(root).ntriples, day), format="nt")
        assert isomorphic(text, as_of(g, day))


# ---------------------------------------------------------------- the Lao profile's two editions (the real graph)

PROFILE, FIRST_EDITION, UPDATED = KG["eudif-lao-profile"], KG["eudif-lao-2024-first-edition"], KG["eudif-lao-2024"]
LAO_BEFORE, LAO_BETWEEN, LAO_AFTER = "2024-01-15", "2025-03-31", "2025-08-01"
DCT = "http://purl.org/dc/terms/"


@pytest.fixture(scope="module")
def real():
    from laokg.graph.load import load_data_graph

    return load_data_graph(HERE.parent)


def test_the_lao_profile_is_one_work_in_two_editions(real):
    """The profile prints "January 2024" and "Updated July 2025": two editions of one work; the
    text held (and quoted by all evidence) is the updated one, which keeps its IRI."""
    from laokg.graph.asof import document_dates, unheld_editions_read
    from laokg.namespaces import LAOKG, OA

    dates = document_dates(real)
    assert (str(dates[FIRST_EDITION]), str(dates[UPDATED])) == ("2024-01-31", "2025-07-31")
    assert set(real.objects(FIRST_EDITION, URIRef(DCT + "isVersionOf"))) == {PROFILE}
    assert set(real.objects(UPDATED, URIRef(DCT + "isVersionOf"))) == {PROFILE}
    assert (UPDATED, URIRef(DCT + "modified"), None) not in real  # the two dates are two editions now
    assert (FIRST_EDITION, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), LAOKG.UnheldEdition) in real
    quoted = set(real.objects(None, OA.hasSource))
    assert UPDATED in quoted and FIRST_EDITION not in quoted and PROFILE not in quoted
    # without a date every work is read in its latest edition: the updated one, held
    assert unheld_editions_read(real) == []

    def read(day):
        return {d for d in editions_read(real, parse_day(day)) if d in (FIRST_EDITION, UPDATED)}

    assert read(LAO_BEFORE) == set()
    assert read(LAO_BETWEEN) == {FIRST_EDITION}
    assert read(LAO_AFTER) == {UPDATED}


def test_as_of_before_between_and_after_the_lao_editions(real):
    from laokg.graph.asof import unheld_editions_read
    from laokg.namespaces import OA

    decree, event = KG["decree-245-2020"], KG["event-annual-gathering-2024"]
    before, between, after = (as_of(real, day) for day in (LAO_BEFORE, LAO_BETWEEN, LAO_AFTER))
    # before January 2024 is out: no profile at all (work, editions, statements)
    for node in (PROFILE, FIRST_EDITION, UPDATED, decree, event, KG["eudif-lao-2024-achievements"]):
        assert (node, None, None) not in before, node
    # between: the first edition's record and the work are there; none of the statements,
    # since its text is not held; the updated edition, its sections and footnotes are not out yet
    assert (FIRST_EDITION, URIRef(DCT + "issued"), None) in between
    assert (FIRST_EDITION, URIRef(DCT + "isVersionOf"), PROFILE) in between
    assert (PROFILE, URIRef(DCT + "title"), None) in between
    for node in (UPDATED, decree, event, KG["eudif-lao-2024-achievements"], KG["eudif-lao-2024-fn-10"]):
        assert (node, None, None) not in between and (None, None, node) not in between, node
    assert not set(between.objects(None, OA.hasSource)) & {UPDATED, FIRST_EDITION}
    assert [e for e, _w, _d in unheld_editions_read(between)] == [FIRST_EDITION]
    assert [e for e, _w, _d in unheld_editions_read(real, LAO_BETWEEN)] == [FIRST_EDITION]
    # the first edition's record keeps the project's word that its text is not held
    assertion = KG["evidence/project-eudif-lao-first-edition-not-held"]
    assert (FIRST_EDITION, URIRef("http://www.w3.org/ns/prov#qualifiedAttribution"), assertion) in between
    # after July 2025: everything, the earlier edition's record included
    for node in (PROFILE, FIRST_EDITION, UPDATED, decree, event):
        assert (node, None, None) in after, node
    assert unheld_editions_read(after) == [] and unheld_editions_read(real, LAO_AFTER) == []
    assert len(before) < len(between) < len(after)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_stats_notes_an_edition_whose_text_is_not_held(engine):
    root = str(HERE.parent)
    between = invoke("stats", "--root", root, "--engine", engine, "--as-of", LAO_BETWEEN)
    assert_clean_exit(between, 0)
    assert between.output.endswith(
        "Note: edition read, text not held: kg:eudif-lao-2024-first-edition (2024-01)\n"
        "  of kg:eudif-lao-profile; none of that edition's statements are here.\n"
    )
    data = json.loads(
        invoke("stats", "--root", root, "--engine", engine, "--as-of", LAO_BETWEEN, "--format", "json").output
    )
    assert data["editions_not_held"] == [
        {"edition": "kg:eudif-lao-2024-first-edition", "work": "kg:eudif-lao-profile", "issued": "2024-01"}
    ]
    after = invoke("stats", "--root", root, "--engine", engine, "--as-of", LAO_AFTER, "--format", "json")
    assert json.loads(after.output)["editions_not_held"] == []


DOCUMENTS = """PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?doc ?issued ?work WHERE { ?doc dct:issued ?issued OPTIONAL { ?doc dct:isVersionOf ?work }
  FILTER (STRSTARTS(STR(?doc), "https://w3id.org/laokg/id/eudif-lao")) } ORDER BY ?doc"""


@pytest.mark.parametrize(
    "day, expected",
    [
        (LAO_BEFORE, []),
        (LAO_BETWEEN, [("eudif-lao-2024-first-edition", "2024-01", "eudif-lao-profile")]),
        (
            LAO_AFTER,
            [
                ("eudif-lao-2024", "2025-07", "eudif-lao-profile"),
                ("eudif-lao-2024-first-edition", "2024-01", "eudif-lao-profile"),
            ],
        ),
    ],
)
def test_the_lao_editions_as_of_on_rdflib_and_oxigraph(day, expected):
    out = {}
    for engine in ("rdflib", "oxigraph"):
        result = invoke(
            "sparql", DOCUMENTS, "--root", str(HERE.parent), "--engine", engine, "--as-of", day, "--format", "csv"
        )
        assert_clean_exit(result, 0)
        out[engine] = result.output
    assert out["rdflib"] == out["oxigraph"]
    k = str(KG)
    rows = [
        tuple(v[len(k) :] if v.startswith(k) else v for v in line.split(",")) for line in out["rdflib"].splitlines()[1:]
    ]
    assert rows == expected
    sources = {
        engine: invoke(
            "query", "run", "sources", "--root", str(HERE.parent), "--engine", engine, "--as-of", day, "--format", "csv"
        ).output
        for engine in ("rdflib", "oxigraph")
    }
    assert sources["rdflib"] == sources["oxigraph"]
    listed = {line.split(",")[0] for line in sources["rdflib"].splitlines()[1:]}
    assert ({k + "eudif-lao-2024-first-edition", k + "eudif-lao-2024"} & listed) == {k + d for d, _i, _w in expected}


def test_diff_across_the_lao_editions_lists_the_profile_as_added_by_the_update(real):
    result = invoke("diff", LAO_BETWEEN, LAO_AFTER, "--root", str(HERE.parent), "--format", "json")
    assert_clean_exit(result, 0)
    data = json.loads(result.output)
    # nothing the first edition stated is known, so nothing is removed or changed: all is added
    assert (data["summary"]["removed"], data["summary"]["changed"]) == (0, 0)
    assert data["summary"]["added"] > 1000
    updated = {
        "document": str(UPDATED),
        "editionOf": str(PROFILE),
        "issued": "2025-07",
        "title": "Diaspora engagement mapping — Lao People's Democratic Republic",
    }
    added = {(a["subject"], a["predicate"], a["object"]): a["sources"] for a in data["added"]}
    decree = added[
        (
            f"<{KG}decree-245-2020>",
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
            "<http://data.europa.eu/eli/ontology#LegalResource>",
        )
    ]
    assert decree == [updated]
    # the one fact the project knows came with the update says so, as the project's reading
    came = added[
        (f"<{KG}event-annual-gathering-2024>", "<https://w3id.org/laokg/ontology#firstStatedIn>", f"<{UPDATED}>")
    ]
    assert {s["title"] for s in came} >= {"laokg (project)"}
    # each fact added is stated by the updated edition (or is the project's): none by the news
    # item of 28 November 2025, which is in neither view
    assert all(s["document"] in (str(UPDATED), None) for srcs in added.values() for s in srcs)
    text = invoke("diff", LAO_BETWEEN, LAO_AFTER, "--root", str(HERE.parent))
    assert_clean_exit(text, 0)
    assert text.output.startswith(
        f"Changes from {LAO_BETWEEN} to {LAO_AFTER}: {data['summary']['added']} added, 0 removed, 0 changed"
    )


def test_source_add_edition_of(tmp_path, monkeypatch):
    """``laokg source add --edition-of DOC``: the record names DOC's work (DOC itself, or the
    work DOC is an edition of), so a dated view reads the latest edition only."""
    root = copy_real_project(tmp_path / "project")
    sources = tmp_path / "sources"
    sources.mkdir()
    monkeypatch.setenv("LAOKG_SEEDS", str(sources))
    review = HERE / "fixtures" / "claims" / "mekong-labour-review.txt"

    def add(text: Path, issued: str, *more: str) -> None:
        """``laokg source add TEXT`` with the review's title and creator, issued ``issued``."""
        common = ["--title", "Mekong Labour Review", "--creator", "kg:a-tester", "--issued", issued]
        assert_clean_exit(invoke("source", "add", str(text), "--root", str(root), *common, *more), 0)

    add(review, "2026")
    second_text = tmp_path / "mekong-labour-review-revised.txt"
    second_text.write_bytes(review.read_bytes())
    add(second_text, "2027-02", "--id", "mekong-labour-review-revised", "--edition-of", "kg:mekong-labour-review")
    third_text = tmp_path / "mekong-labour-review-third.txt"
    third_text.write_bytes(review.read_bytes())
    add(third_text, "2028", "--id", "mekong-labour-review-third", "--edition-of", "kg:mekong-labour-review-revised")
    record = (root / "graph" / "sources.ttl").read_text(encoding="utf-8")
    assert record.count("dct:isVersionOf kg:mekong-labour-review ;") == 2  # both name the first's work
    # each revises the edition it names, which was issued before it
    assert "dct:isVersionOf kg:mekong-labour-review ;\n    prov:wasRevisionOf kg:mekong-labour-review ;" in record
    assert "prov:wasRevisionOf kg:mekong-labour-review-revised ;" in record
    assert record.count("@prefix prov:") == 1
    missing = invoke(
        "source", "add", str(second_text), "--root", str(root), "--id", "another", "--edition-of", "kg:no-such-document"
    )
    assert missing.exit_code == 2 and "kg:no-such-document" in missing.output


@pytest.mark.parametrize(
    ("edition_of", "issued", "revised"),
    [
        ("kg:eudif-lao-profile", "2026-01", "kg:eudif-lao-2024"),  # a work: its latest edition
        ("kg:eudif-lao-2024", "2026", "kg:eudif-lao-2024"),
        ("kg:eudif-lao-2024", "2024-01", None),  # an older edition found later revises nothing
        ("kg:eudif-lao-2024", "2025", None),  # 2025 is not wholly before 2025-07
        ("kg:eudif-lao-2024", None, None),  # undated: not placed
    ],
)
def test_source_add_edition_of_records_the_edition_it_revises(tmp_path, monkeypatch, edition_of, issued, revised):
    root = copy_real_project(tmp_path / "project")
    sources = tmp_path / "sources"
    shutil.copytree(Path(os.environ["LAOKG_SEEDS"]), sources)
    monkeypatch.setenv("LAOKG_SEEDS", str(sources))
    text = tmp_path / "profile-next.txt"
    text.write_bytes((HERE / "fixtures" / "claims" / "mekong-labour-review.txt").read_bytes())
    args = ["source", "add", str(text), "--root", str(root), "--id", "profile-next", "--edition-of", edition_of]
    result = invoke(*args, *(["--issued", issued] if issued else []))
    assert_clean_exit(result, 0)
    block = (root / "graph" / "sources.ttl").read_text(encoding="utf-8").split("kg:profile-next a ", 1)[1]
    block = block.split(" .\n", 1)[0]
    assert "dct:isVersionOf kg:eudif-lao-profile ;" in block
    if revised:
        assert f"prov:wasRevisionOf {revised} ;" in block
    else:
        assert "wasRevisionOf" not in block


def test_an_edition_whose_text_is_not_held_cannot_be_read_in():
    for args in (
        ("source", "show", "kg:eudif-lao-2024-first-edition"),
        ("source", "locate", "kg:eudif-lao-2024-first-edition", "Thailand"),
    ):
        result = invoke(*args, "--root", str(HERE.parent))
        assert_clean_exit(result, 2)
        assert "an edition whose text is not held (laokg:UnheldEdition)" in result.output


def test_the_audit_between_the_lao_editions_reports_nothing_about_the_first():
    """As of 2025-03-31 the profile is its first edition, recorded but not held: not a source
    "nothing cites" (AUD14), not a duplicate of its work (AUD12), not a fact without evidence."""
    result = invoke("audit", "--root", str(HERE.parent), "--as-of", LAO_BETWEEN, "--format", "json")
    assert_clean_exit(result, 0)
    findings = [f for rule in json.loads(result.output)["rules"] for f in rule["findings"]]
    assert not [f for f in findings if "eudif-lao" in f["focus"]]
