"""The wheel carries its data: built from this checkout, installed into a fresh virtual
environment, and run from an empty directory, `laokg` and `import laokg` work.

Fast and offline: the wheel is built with `pip wheel --no-build-isolation` (hatchling is in the
test extra) and installed with `--no-deps --no-index`; the new environment sees the
dependencies already installed here through a `.pth` line, not through a download.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT


def _run(*args, cwd=None, env=None, check=True):
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, check=check)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        str(out),
        str(ROOT),
    )
    (path,) = out.glob("laokg-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """(bin directory, environment for subprocesses, empty working directory)."""
    base = tmp_path_factory.mktemp("venv")
    venv = base / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    purelib = Path(_run(str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip())
    # the dependencies installed here (rdflib, pySHACL, click ...), as plain path entries: .pth
    # files in them (this checkout's editable install) are not processed, so laokg comes from the wheel
    here = [
        p
        for p in {sysconfig.get_path("purelib"), sysconfig.get_path("platlib"), *site.getsitepackages()}
        if Path(p).is_dir()
    ]
    (purelib / "zz_test_deps.pth").write_text("\n".join(sorted(here)) + "\n", encoding="utf-8")
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "--quiet",
        "--no-deps",
        "--no-index",
        str(wheel),
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LAOKG_ROOT", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    empty = base / "empty"
    empty.mkdir()
    return venv / "bin", env, empty


def test_wheel_carries_graph_ontology_and_queries(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"laokg/data/{p.relative_to(ROOT).as_posix()}"
        for pattern in ("graph/*.ttl", "ontology/*.ttl", "ontology/vocab/*.ttl", "queries/*.rq", "queries/audit/*.rq")
        for p in ROOT.glob(pattern)
    }
    assert "laokg/data/ontology/shapes.ttl" in expected and any("/vocab/" in n for n in expected)
    assert expected <= names, sorted(expected - names)
    assert "laokg/__init__.py" in names and "laokg/cli/__init__.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert any(n.endswith(".dist-info/licenses/LICENSE-DATA") for n in names)
    metadata = next(zipfile.ZipFile(wheel).read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert "License-Expression: MIT AND CC-BY-4.0" in metadata


def test_installed_laokg_stats_from_an_empty_directory(installed):
    bindir, env, empty = installed
    result = _run(str(bindir / "laokg"), "stats", "--format", "json", cwd=empty, env=env)
    stats = json.loads(result.stdout)
    ours = json.loads(_run(sys.executable, "-m", "laokg", "stats", "--format", "json", cwd=ROOT).stdout)
    assert stats == ours


def test_installed_laokg_runs_a_saved_query(installed):
    bindir, env, empty = installed
    out = _run(
        str(bindir / "laokg"), "query", "run", "emigrants_by_destination", "--format", "csv", cwd=empty, env=env
    ).stdout
    assert out.splitlines()[0] == "destination,destinationName,iso,emigrants,period,dataSource"
    assert "https://w3id.org/laokg/id/thailand,Thailand,TH,285819,2024" in out


def test_installed_python_api(installed):
    bindir, env, empty = installed
    code = (
        "import laokg; print(laokg.__file__); print(laokg.open().root); "
        "print(laokg.open().query('emigrants_by_destination')[0])"
    )
    lines = _run(str(bindir / "python"), "-c", code, cwd=empty, env=env).stdout.splitlines()
    venv = str(bindir.parent)
    assert lines[0].startswith(venv)  # the wheel's copy, not this checkout
    assert lines[1].startswith(venv) and lines[1].endswith(os.path.join("laokg", "data"))
    assert "'emigrants': rdflib.term.Literal('285819'" in lines[2]


def test_installed_python_m_laokg(installed):
    bindir, env, empty = installed
    assert _run(str(bindir / "python"), "-m", "laokg", "--version", cwd=empty, env=env).stdout.startswith(
        "laokg, version"
    )


def test_installed_laokg_root_choices(installed, tmp_path):
    """--root and $LAOKG_ROOT win over the installed data; a wrong one is an error, not a fallback."""
    bindir, env, empty = installed
    bad = _run(str(bindir / "laokg"), "stats", "--root", str(tmp_path), cwd=empty, env=env, check=False)
    assert bad.returncode == 2 and bad.stderr.startswith("Error: ") and "not a laokg project root" in bad.stderr
    bad_env = _run(str(bindir / "laokg"), "stats", cwd=empty, env={**env, "LAOKG_ROOT": str(tmp_path)}, check=False)
    assert bad_env.returncode == 2 and "$LAOKG_ROOT" in bad_env.stderr
    good = _run(
        str(bindir / "laokg"), "query", "list", "--format", "csv", cwd=empty, env={**env, "LAOKG_ROOT": str(ROOT)}
    )
    assert "emigrants_by_destination" in good.stdout


def test_wheel_ships_graph_expanded_so_no_source_text_is_needed(wheel, installed, tmp_path):
    """A wheel has no source texts: its graph/ holds the expansion, not the short form, and an
    installed laokg answers with an empty sources directory."""
    archive = zipfile.ZipFile(wheel)
    graph = {n: archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("laokg/data/graph/")}
    assert "laokg/data/graph/zz-generated-provenance.ttl" in graph
    assert not any("laokg:quote " in body or "ontology#quote>" in body for body in graph.values())
    assert "TextPositionSelector" in graph["laokg/data/graph/zz-generated-provenance.ttl"]
    bindir, env, empty = installed
    result = _run(str(bindir / "laokg"), "validate", cwd=empty, env={**env, "LAOKG_SEEDS": str(tmp_path)})
    assert "Conforms: yes" in result.stdout


def test_installed_build_and_site_write_into_the_current_directory(installed, tmp_path):
    """With the installed data (no project around the working directory), `laokg build` and
    `laokg site` without -o write ./dist and ./dist/site, never into site-packages."""
    bindir, env, _empty = installed
    work = tmp_path / "work"
    work.mkdir()
    data = Path(
        _run(str(bindir / "python"), "-c", "import laokg.graph.project as p; print(p.installed_root())").stdout.strip()
    )
    assert data.name == "data" and str(data).startswith(str(bindir.parent))
    built = _run(str(bindir / "laokg"), "build", cwd=work, env=env)
    assert (work / "dist" / "laokg.ttl").is_file() and (work / "dist" / "laokg.nt").is_file(), built.stdout
    assert str(work / "dist") in built.stdout
    site = _run(str(bindir / "laokg"), "site", "--no-release", cwd=work, env=env)
    assert (work / "dist" / "site" / "index.html").is_file(), site.stdout
    assert not (data / "dist").exists()  # nothing was written next to the installed data
    # an explicit directory still wins
    _run(str(bindir / "laokg"), "build", "--dist", str(tmp_path / "elsewhere"), cwd=work, env=env)
    assert (tmp_path / "elsewhere" / "laokg.ttl").is_file()


_PROBE = (
    "import json, sys\nfrom laokg.cli import cli\ntry:\n    cli.main(args=sys.argv[1:], prog_name='laokg')\n"
    "except SystemExit:\n    pass\n"
    "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'rdflib', 'pyparsing', 'yaml'})))"
)


def test_installed_laokg_builds_its_store_on_first_use(installed, tmp_path):
    """The wheel ships the graph as N-Triples and the saved queries' facts (laokg/data/prebuilt):
    the first query loads them into a store in the cache, and it and the next run answer as a
    checkout does, loading no RDF library but pyoxigraph (docs/performance.md)."""
    bindir, env, empty = installed
    env = {**env, "LAOKG_CACHE": str(tmp_path / "cache")}
    args = ["query", "run", "emigrants_by_destination", "--format", "csv"]
    runs = [_run(str(bindir / "python"), "-c", _PROBE, *args, cwd=empty, env=env).stdout for _ in range(2)]
    assert [p for p in (tmp_path / "cache").iterdir() if (p / "store").is_dir()]
    for run in runs:
        *rows, loaded = run.splitlines(keepends=True)
        assert any(row.startswith("https://w3id.org/laokg/id/thailand,Thailand,TH,285819,2024,") for row in rows)
        assert json.loads(loaded) == []
    assert runs[0] == runs[1]


def test_the_wheel_ships_its_graph_as_the_release_ntriples(wheel, installed):
    """laokg/data/prebuilt/laokg.nt is what the installed Turtle exports as N-Triples (and what
    `laokg build` writes as laokg.nt), byte for byte."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"laokg/data/prebuilt/{n}" for n in ("laokg.nt", "queries.json", "prebuilt.json")} <= names
    bindir, env, empty = installed
    exported = subprocess.run(
        [str(bindir / "laokg"), "export", "--format", "nt"], cwd=empty, env=env, capture_output=True, check=True
    ).stdout
    assert zipfile.ZipFile(wheel).read("laokg/data/prebuilt/laokg.nt") == exported


_ONLY_BUILD_REQUIREMENTS = r"""
import importlib.abc, importlib.metadata as md, sys, tomllib
from pathlib import Path

from packaging.requirements import Requirement

root = Path(sys.argv[1])
requires = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]

def wanted(text):
    req = Requirement(text)
    if req.marker is None or req.marker.evaluate({"extra": ""}):
        return [req.name.lower().replace("_", "-")]
    return []

allowed, todo = set(), [n for r in requires for n in wanted(r)]
while todo:  # the build requirements and what they require here (an isolated build installs these)
    dist = todo.pop()
    if dist in allowed:
        continue
    allowed.add(dist)
    todo += [n for req in md.requires(dist) or [] for n in wanted(req)]

owners = md.packages_distributions()

class OnlyBuildRequirements(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        top = fullname.split(".")[0]
        if top in sys.stdlib_module_names or top in ("laokg", "hatch_build", "_distutils_hack"):
            return None
        dists = {d.lower().replace("_", "-") for d in owners.get(top, ())}
        if dists & allowed:
            return None
        raise ModuleNotFoundError(f"{fullname} is not among the build requirements {sorted(allowed)}")

sys.meta_path.insert(0, OnlyBuildRequirements())
sys.path.insert(0, str(root))
from hatch_build import CustomBuildHook

hook = CustomBuildHook(str(root), {}, None, None, sys.argv[2], "wheel")
build_data = {"force_include": {}}
hook.initialize("standard", build_data)
for source, target in sorted(build_data["force_include"].items(), key=lambda kv: kv[1]):
    print(target, len(list(Path(source).rglob("*"))))
hook.finalize("standard", build_data, None)
"""


def test_the_wheel_build_hook_imports_only_the_build_requirements(tmp_path):
    """An isolated build (`pip install .`, `pipx install .`, `python -m build`) installs only
    `[build-system] requires` (and what they require) before running hatch_build.py: anything
    else the hook imports fails there, while this module's wheel, built
    `--no-build-isolation`, would not notice."""
    script = tmp_path / "only_build_requirements.py"
    script.write_text(_ONLY_BUILD_REQUIREMENTS, encoding="utf-8")
    done = _run(sys.executable, str(script), str(ROOT), str(tmp_path), check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    shipped = dict(line.split() for line in done.stdout.splitlines())
    assert list(shipped) == ["laokg/data/graph", "laokg/data/ontology", "laokg/data/prebuilt", "laokg/data/queries"]
    assert int(shipped["laokg/data/graph"]) == len(list((ROOT / "graph").glob("*.ttl"))) + 1
    assert int(shipped["laokg/data/prebuilt"]) == 3
