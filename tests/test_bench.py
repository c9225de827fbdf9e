"""benchmarks/bench.py: what a measurement reports (not how fast anything is)."""

from __future__ import annotations

import sys

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench

TWO_CHILDREN = """
import multiprocessing, time
def hold():
    block = b"x" * (100 * 1024 * 1024)  # written, so resident
    time.sleep(1.0)
if __name__ == "__main__":
    children = [multiprocessing.Process(target=hold) for _ in range(2)]
    for c in children:
        c.start()
    for c in children:
        c.join()
"""


@pytest.mark.skipif(not bench.os.path.isdir("/proc"), reason="the process tree is read from /proc")
def test_the_peak_counts_every_process_of_the_tree():
    """Two children holding 100 MiB each at once: the peak is the tree's (over 150 MiB), not
    the largest process's (about 110 MiB), as `laokg build`'s child processes need."""
    run = bench.run_once([sys.executable, "-c", TWO_CHILDREN], timeout=120)
    assert run["code"] == 0
    assert run["mib"] > 150


def test_a_single_process_peak_is_kept():
    run = bench.run_once([sys.executable, "-c", "b = b'x' * (80 * 1024 * 1024)"], timeout=120)
    assert run["code"] == 0 and run["mib"] > 80


# ---------------------------------------------------------------- the installed wheel (issue 21)


def test_the_wheel_venv_is_kept_only_with_reuse_and_the_same_wheel(tmp_path):
    """The venv is made afresh unless --reuse is given and the wheel's SHA-256 is the one
    installed in it; an install that failed is never taken for a kept one (the install itself
    is injected here: it downloads the dependencies)."""
    installs = []

    def install(wheel, venv):
        installs.append(wheel.read_bytes())
        (venv / "bin").mkdir(parents=True)
        (venv / "bin" / "laokg").write_text(f"from {wheel.name}\n")

    def broken(wheel, venv):
        (venv / "bin").mkdir(parents=True)
        (venv / "bin" / "laokg").write_text("half an install\n")
        raise RuntimeError("pip install: exit 1")

    wheel = tmp_path / "laokg-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"wheel one")
    work = tmp_path / "work"
    work.mkdir()
    bindir, kept = bench.wheel_venv(wheel, work, reuse=True, install=install)
    assert (bindir, kept, len(installs)) == (work / "wheel-venv" / "bin", False, 1)
    assert bench.wheel_venv(wheel, work, reuse=True, install=install) == (bindir, True)
    assert len(installs) == 1
    assert bench.wheel_venv(wheel, work, reuse=False, install=install) == (bindir, False)  # no --reuse
    assert len(installs) == 2
    wheel.write_bytes(b"wheel two")  # another wheel, same name: a new venv
    assert bench.wheel_venv(wheel, work, reuse=True, install=install) == (bindir, False)
    assert installs[-1] == b"wheel two"
    wheel.write_bytes(b"wheel three")
    with pytest.raises(RuntimeError):
        bench.wheel_venv(wheel, work, reuse=True, install=broken)
    assert bench.wheel_venv(wheel, work, reuse=True, install=install) == (bindir, False)
    assert installs[-1] == b"wheel three"


def test_the_wheel_runs_without_the_checkouts_settings(tmp_path):
    """A user's shell after `pip install laokg`: none of the harness's project, seeds, cache or
    Python path settings reach the wheel's runs, and its venv comes first on PATH."""
    planted = {name: str(tmp_path / name) for name in bench.WHEEL_UNSET}
    env = bench.wheel_env(tmp_path / "venv" / "bin", {**planted, "PATH": "/usr/bin", "PYTHONHASHSEED": "0"})
    assert not set(bench.WHEEL_UNSET) & set(env)
    assert env["PATH"] == f"{tmp_path / 'venv' / 'bin'}{bench.os.pathsep}/usr/bin"
    assert env["PYTHONHASHSEED"] == "0"


def test_answers_agree_on_their_records_in_any_order():
    header = ["instrument", "title"]
    want = [header, ["https://w3id.org/laokg/id/a", "A, with a comma"], ["https://w3id.org/laokg/id/b", 'B "quoted"']]
    assert bench.same_rows([header, want[2], want[1]], want)
    assert not bench.same_rows([header, want[1]], want)  # a record missing
    assert not bench.same_rows([header, want[1], want[1], want[2]], want)  # one too many
    assert not bench.same_rows([header, want[1], ["https://w3id.org/laokg/id/b", "B"]], want)  # a value differs
    assert not bench.same_rows([["instrument", "name"], *want[1:]], want)  # another header
    assert not bench.same_rows(None, want) and not bench.same_rows(want, None)


def _result(seconds, cpu, **extra):
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_mib": 40.0, "load": 1.0, "runs": 3, **extra}


def test_the_wheel_targets_are_set_against_import_rdflib_in_its_venv():
    """The wheel's first and later runs against `import rdflib` in the wheel's venv (not the
    checkout's), by wall and CPU time, with the ratio; an answer that differs from the built
    project's is not met whatever its time."""
    results = {
        bench.WHEEL_RDFLIB: _result(0.20, 0.10),
        bench.WHEEL_FIRST: _result(0.40, 0.14, rows_agree=True),
        bench.WHEEL_LATER: _result(0.25, 0.16, rows_agree=False),
        "baseline: python -c 'import rdflib'": _result(1.0, 1.0),  # the checkout's: not this target's
        "query instruments (before build)": _result(0.2, 0.11),
    }
    got = {t["target"]: t for t in bench.issue21_targets([{"scale": "real", "triples": 6548, "results": results}], {})}
    first = got[f"real: {bench.WHEEL_FIRST} / import rdflib (the wheel's venv)"]
    assert (first["baseline"], first["ratio"], first["limit"], first["met"]) == (0.2, 2.0, 0.3, False)
    first_cpu = got[f"real: {bench.WHEEL_FIRST} / import rdflib CPU (the wheel's venv)"]
    assert (first_cpu["baseline"], first_cpu["ratio"], first_cpu["met"]) == (0.1, 1.4, True)
    later = got[f"real: {bench.WHEEL_LATER} / import rdflib (the wheel's venv)"]
    assert later["ratio"] == 1.25 and later["met"] is False and "differs" in later["note"]
    # the never-built checkout (after its first run) is a target too, against the checkout's baseline
    assert got["real: query instruments (before build) / import rdflib"]["baseline"] == 1.0


def test_the_memory_limits_are_the_issues_megabytes_not_mebibytes():
    """300 MB is 286.1 MiB and 1 GB 953.7 MiB: a 290 MiB audit (304 MB) is over its limit, a
    950 MiB build within."""
    results = {
        "audit (built store)": {**_result(20.0, 19.0), "peak_mib": 290.0},
        "show (built store)": {**_result(0.5, 0.2), "peak_mib": 286.0},
        "build": {**_result(90.0, 85.0), "peak_mib": 950.0},
        "validate": {**_result(40.0, 30.0), "peak_mib": 960.0},
    }
    got = {t["target"]: t for t in bench.issue21_targets([{"scale": "1m", "triples": 10**6, "results": results}], {})}
    assert (got["1m: audit (built store) peak"]["limit"], got["1m: audit (built store) peak"]["met"]) == (
        286.102,
        False,
    )
    assert got["1m: show (built store) peak"]["met"] is True
    assert (got["1m: build peak"]["limit"], got["1m: build peak"]["met"]) == (953.674, True)
    assert got["1m: validate peak"]["met"] is False


def _offline_install(wheel, venv):
    """The wheel into a fresh venv, its dependencies taken from this environment (a .pth line)
    instead of the registry: what bench.install_wheel does, offline and quick."""
    import site
    import subprocess
    import sysconfig

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    here = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib"), *site.getsitepackages()}
    (bench.Path(purelib) / "zz_test_deps.pth").write_text("\n".join(sorted(p for p in here if bench.os.path.isdir(p))))
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index"]
    subprocess.run([*pip, str(wheel)], check=True, capture_output=True)


@pytest.mark.slow
def test_the_wheel_measurement_from_an_empty_directory(tmp_path):
    """The whole measurement on laokg's real wheel (built here without isolation and installed
    offline, the two steps that need the registry in `make bench`): three alternating rows,
    each going first once; each first run built its own store in an empty cache; the answers
    agree with the checkout's; nothing is written into the working directory."""
    from click.testing import CliRunner

    from laokg.cli import cli

    work = tmp_path / "work"
    work.mkdir()
    wheel = bench.build_wheel(work, isolation=False)
    bindir, kept = bench.wheel_venv(wheel, work, install=_offline_install)
    assert not kept and (bindir / "laokg").is_file()
    reference = tmp_path / "reference.csv"
    answer = CliRunner().invoke(cli, ["query", "run", bench.PROBE_QUERY, "--format", "csv", "--root", str(ROOT)])
    assert answer.exit_code == 0
    reference.write_text(answer.output, encoding="utf-8")
    rows, checks = bench.wheel_pairs(bindir, work, repeats=3, timeout=300, reference=reference)
    assert list(rows) == [bench.WHEEL_FIRST, bench.WHEEL_LATER, bench.WHEEL_RDFLIB]
    for row in rows.values():
        assert row["runs"] == 3 and row["seconds"] > 0 and row["cpu_seconds"] > 0 and "error" not in row
    assert [order[0] for order in checks["order"]] == ["first", "later", "rdflib"]
    assert checks["rows_agree"] and checks["rows"] == len(answer.output.splitlines()) - 1 > 0
    assert checks["answers"] == 1 + 3 + 3  # the warm-up and every timed run of the query
    assert checks["first_runs_built_their_store"] and checks["warm_cache_stores"] == 1
    assert checks["empty_directory_untouched"]
    # a planted reference that differs by one value is caught
    (work / "wheel-run" / "answers" / "warm-up.csv").write_text(answer.output.replace(",", ";", 1), encoding="utf-8")
    assert not bench.same_rows(
        bench.csv_rows(work / "wheel-run" / "answers" / "warm-up.csv"), bench.csv_rows(reference)
    )
