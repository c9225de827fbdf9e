"""Whole releases (issue 9): ``build`` publishes a versioned directory switched in by one
atomic symlink rename under a lock. Fault injection: a crash (an exception, or the process
killed with ``os._exit``) at every filesystem step leaves either the old or the new release,
never a mix; stale temporaries are cleaned; two builds racing both finish with one whole
release published."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from laokg.graph import build, release

from .coretools import PREFIXES, make_project, write

EXPECTED = ["laokg.ttl", "laokg.nt", "laokg.jsonld", "validation-report.txt", "validation-report.json"]
NEW_PERSON = (
    PREFIXES
    + """
kg:noi a schema:Person ; schema:name "Noi" ; schema:jobTitle "Clerk" ; schema:affiliation kg:ministry ;
    prov:qualifiedDerivation ev:somchai-1 .
"""
)
#: every filesystem call publish() makes that changes something
STEPS = ("mkdir", "open", "fsync", "rename", "replace", "symlink", "unlink", "utime", "rmdir", "link")


def snapshot(dist: Path) -> dict:
    """What a reader sees through the stable names (dist/<name>): the files, the Oxigraph
    store's triples and its record (without modification times, which each test run changes)."""
    seen = {name: (dist / name).read_bytes() for name in EXPECTED if (dist / name).exists()}
    folder = release.current_release(dist) or dist  # where the engine opens the store (built_store)
    if (folder / "store").is_dir():
        import pyoxigraph

        store = pyoxigraph.Store.read_only(str(folder / "store"))
        # Oxigraph labels blank nodes afresh on every load: compare them as "_:b"
        seen["store"] = "\n".join(sorted(re.sub(r"_:\w+", "_:b", str(quad)) for quad in store))
        del store
    if (folder / "store.json").exists():
        record = json.loads((folder / "store.json").read_text(encoding="utf-8"))
        seen["store.json"] = (record["triples"], [entry[:2] for entry in record["files"]])
    dangling = [p.name for p in dist.iterdir() if p.is_symlink() and not p.exists()]
    assert not dangling, f"dangling links: {dangling}"
    return seen


@pytest.fixture
def project(tmp_path):
    root = make_project(tmp_path)
    build.build(root)
    return root


def old_and_new(project: Path) -> tuple[dict, dict]:
    old = snapshot(project / "dist")
    assert sorted(old) == sorted(EXPECTED + ["store", "store.json"])
    write(project / "graph" / "noi.ttl", NEW_PERSON)
    new = {name: data for name, data in build_contents(project)}
    assert all(old[name] != new[name] for name in ("laokg.ttl", "laokg.nt", "store", "store.json"))
    return old, new


def build_contents(project: Path):
    """The files a build of ``project`` publishes, built into a separate directory."""
    other = project.parent / "elsewhere"
    build.build(project, other)
    return snapshot(other).items()


class Crash(BaseException):
    """Stands for the process dying: not an OSError, nothing may handle it."""


def count_steps(monkeypatch, crash_at: int | None):
    """Count (and crash at the k-th of) the filesystem calls made while the release, the
    Oxigraph store included, is published."""
    calls, active = [], []
    for name in STEPS:
        real = getattr(os, name)

        def wrapped(*args, _real=real, _name=name, **kwargs):
            if active:
                calls.append(_name)
                if crash_at is not None and len(calls) == crash_at:
                    raise Crash(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(release.os, name, wrapped)
    real_publish = build.publish

    def publish(*args, **kwargs):
        active.append(True)
        try:
            return real_publish(*args, **kwargs)
        finally:
            active.clear()

    monkeypatch.setattr(build, "publish", publish)
    return calls


def fresh_old_release(project: Path) -> None:
    """dist/ holding only the old release, and the project changed for the new one."""
    shutil.rmtree(project / "dist")
    (project / "graph" / "noi.ttl").unlink()
    build.build(project)
    write(project / "graph" / "noi.ttl", NEW_PERSON)


def test_a_crash_at_every_step_leaves_the_old_or_the_new_release(project, monkeypatch):
    old, new = old_and_new(project)
    dist = project / "dist"
    fresh_old_release(project)
    calls = count_steps(monkeypatch, None)
    build.build(project)
    total = len(calls)
    monkeypatch.undo()
    assert snapshot(dist) == new and total > 10
    outcomes = set()
    for step in range(1, total + 1):
        fresh_old_release(project)
        assert snapshot(dist) == old
        count_steps(monkeypatch, step)
        with pytest.raises(Crash):
            build.build(project)
        monkeypatch.undo()
        seen = snapshot(dist)
        assert seen in (old, new), f"a mix after a crash at step {step}"
        outcomes.add("new" if seen == new else "old")
        build.build(project)  # the next build cleans up and publishes the new release
        assert snapshot(dist) == new
        leftovers = [
            p.name for folder in (dist, dist / "releases") for p in folder.iterdir() if p.name.startswith(".tmp-")
        ]
        assert leftovers == []
    assert outcomes == {"old", "new"}  # crashes before and after the switch were both tried


def old_layout(project: Path) -> None:
    """dist/ as builds wrote it before releases: plain files and the store directory."""
    dist = project / "dist"
    fresh_old_release(project)
    folder = release.current_release(dist)
    for entry in list(dist.iterdir()):
        if entry.is_symlink():
            entry.unlink()
    for entry in folder.iterdir():
        (shutil.copytree if entry.is_dir() else shutil.copy2)(entry, dist / entry.name)
    shutil.rmtree(dist / "releases")


def test_a_crash_during_the_first_build_over_an_old_dist_leaves_no_dangling_link(project, monkeypatch):
    old, new = old_and_new(project)
    dist = project / "dist"
    old_layout(project)
    assert snapshot(dist) == old and not (dist / "current").exists()
    calls = count_steps(monkeypatch, None)
    build.build(project)
    total = len(calls)
    monkeypatch.undo()
    assert snapshot(dist) == new and "link" in calls
    outcomes = set()
    for step in range(1, total + 1):
        old_layout(project)
        count_steps(monkeypatch, step)
        with pytest.raises(Crash):
            build.build(project)
        monkeypatch.undo()
        seen = snapshot(dist)  # asserts that no link dangles
        assert seen in (old, new), f"a mix after a crash at step {step} ({calls[step - 1]})"
        outcomes.add("new" if seen == new else "old")
        build.build(project)
        assert snapshot(dist) == new
        assert not [p for p in dist.iterdir() if p.name.startswith(".tmp-")]
    assert outcomes == {"old", "new"}


KILL_SCRIPT = textwrap.dedent("""
    import os, sys
    from laokg.graph import build, release
    step, calls, active = int(sys.argv[2]), [], []
    for name in {steps!r}:
        real = getattr(os, name)
        def wrapped(*a, _real=real, **k):
            if active:
                calls.append(1)
                if len(calls) == step:
                    os._exit(9)  # killed: no cleanup, no finally, no exception handlers
            return _real(*a, **k)
        setattr(release.os, name, wrapped)
    real_publish = build.publish
    def publish(*a, **k):
        active.append(1)
        try:
            return real_publish(*a, **k)
        finally:
            active.clear()
    build.publish = publish
    build.build(sys.argv[1])
""").format(steps=STEPS)


@pytest.mark.parametrize("step", [1, 3, 6, 9, 12, 14, 16, 18, 20])
def test_a_killed_build_leaves_the_old_or_the_new_release(project, step):
    old, new = old_and_new(project)
    dist = project / "dist"
    fresh_old_release(project)
    proc = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(project), str(step)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode in (0, 9), proc.stderr
    assert snapshot(dist) in (old, new)
    build.build(project)
    assert snapshot(dist) == new
    assert not [p for p in (dist / "releases").iterdir() if p.name.startswith(".tmp-")]


def test_stale_temporaries_are_cleaned(project):
    dist = project / "dist"
    (dist / "releases" / ".tmp-deadbeef-1").mkdir()
    (dist / "releases" / ".tmp-deadbeef-1" / "laokg.ttl").write_text("half", encoding="utf-8")
    os.symlink("releases/nowhere", dist / ".tmp-current-1")
    build.build(project)
    assert not list(dist.glob(".tmp-*")) and not list((dist / "releases").glob(".tmp-*"))


def test_old_releases_are_pruned(project):
    dist = project / "dist"
    for n in range(release.KEEP + 2):
        write(project / "graph" / "extra.ttl", PREFIXES + f'kg:somchai schema:description "v{n}" .\n')
        build.build(project)
    kept = [p for p in (dist / "releases").iterdir()]
    assert len(kept) == release.KEEP
    assert release.current_release(dist).resolve() in [p.resolve() for p in kept]


def test_rebuilding_the_same_content_reuses_the_release(project):
    dist = project / "dist"
    first = release.current_release(dist)
    build.build(project)
    assert release.current_release(dist) == first


RACE_SCRIPT = "import sys; from laokg.graph import build; build.build(sys.argv[1], sys.argv[2], sys.argv[3:])"


def test_two_builds_racing_publish_one_whole_release(tmp_path):
    root = make_project(tmp_path)
    dist = tmp_path / "dist"
    extra = write(tmp_path / "noi.ttl", NEW_PERSON)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACE_SCRIPT, str(root), str(dist), *data], stderr=subprocess.PIPE, text=True
        )
        for data in ([], [str(extra)])
    ]
    for proc in procs:
        assert proc.wait(timeout=300) == 0, proc.stderr.read()
    alone = {}
    for label, data in (("a", []), ("b", [extra])):
        out = tmp_path / f"alone-{label}"
        build.build(root, out, data)
        alone[label] = snapshot(out)
    assert snapshot(dist) in (alone["a"], alone["b"])
    assert len(list((dist / "releases").iterdir())) == 2  # both published, one after the other
    assert not list(dist.glob(".tmp-*"))


def test_replaced_output_files_keep_their_mode(project, tmp_path):
    from .coretools import invoke

    private = tmp_path / "private.ttl"
    private.write_text("old", encoding="utf-8")
    private.chmod(0o600)
    result = invoke("export", "--root", str(project), "-o", str(private))
    assert result.exit_code == 0
    assert private.stat().st_mode & 0o777 == 0o600 and private.read_text(encoding="utf-8") != "old"


@pytest.mark.parametrize("target", ["graph/x.ttl", "ontology/laokg.ttl", "queries/x.rq"])
def test_export_refuses_to_write_into_the_sources(project, target):
    from .coretools import invoke

    (project / "queries").mkdir(exist_ok=True)
    before = (project / "ontology" / "laokg.ttl").read_bytes()
    result = invoke("export", "--root", str(project), "-o", str(project / target))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "refusing to write into the project's sources" in result.stderr
    assert not (project / "graph" / "x.ttl").exists() and (project / "ontology" / "laokg.ttl").read_bytes() == before
