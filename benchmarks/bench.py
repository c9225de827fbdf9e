"""The laokg benchmark harness (``make bench``; not part of the unit tests).

Usage:
    python benchmarks/bench.py [--scales real,10k,100k,1m] [--repeats 3] [--repeats-large N]
                               [--json FILE] [--work DIR] [--reuse] [--timeout SECONDS] [--only NAME,...]

For each scale (``real`` = a copy of this checkout's project; ``10k``, ``100k``, ``1m`` ... = a synthetic
project made by benchmarks/generate.py, cached in --work) it times whole processes, as a user
runs them, and records each one's peak memory (the child's maximum resident set, from
``wait4``):

* every command: ``--help``, ``stats`` (about the load), ``validate``, ``export`` (N-Triples),
  ``build``, ``trace``, ``audit``; after the build, the reading commands (``show``, ``trace``
  both ways, ``search``, ``stats``, ``audit``) on the built store and on ``--engine rdflib``;
  ``export`` and a saved query ``--as-of`` a date, ``diff`` between two dates and between a
  graph file and the built release;
* every saved query (``query run NAME --format csv``) with the default engine, before the
  build (Turtle parsed) and after it (the store in dist/store/);
* the baselines, side by side in the same run: ``python -c "import rdflib"`` (start-up floor),
  pyoxigraph's own load of the same files and a query on them, and Oxigraph's CLI
  (``oxigraph query``, PyPI ``oxigraph``) on the store ``laokg build`` wrote, and the other
  store kind: the release's N-Triples bulk-loaded into an in-memory store, then the query;
* every saved query paired with Oxigraph's CLI on the same store, given the exact text laokg
  evaluates (``cli: query NAME``; :func:`cli_pair_rows`), each ratio against issue 21's target;
* on the real graph, laokg's wheel as a user gets it (``wheel``; :func:`wheel_rows`): built from
  this checkout (``pip wheel .``), installed into a venv under --work, then from an empty
  directory a saved query's first run (empty cache) and later run against ``import rdflib`` in
  that venv, its answer checked against the built project's.

Each measurement is the median of --repeats runs; a run over --timeout seconds is stopped and
recorded as such. It prints a table per scale and the fitted growth exponent per command (the
slope of log time against log triples over the synthetic scales), and writes everything as JSON
(default dist/bench/bench.json).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

PY = sys.executable
LAOKG = [PY, "-m", "laokg"]
#: what `trace` follows at every scale: a decree with evidence, footnotes and cited works
TRACE_LOCAL = "decree-245-2020"
#: what `trace --source` follows back: a source document the evidence was read in
SOURCE_LOCAL = "eudif-lao-2024"
PROBE_QUERY = "instruments"  # the saved query the engine baselines run
#: the dates of the --as-of and diff measurements: before and after the news item of 2025-11-28
AS_OF, DIFF_TO = "2025-08-01", "2025-12-01"
#: values for the saved queries' parameters: local names under id/ (tagged per synthetic copy),
#: or full IRIs
PARAMS = {
    "country": {"country": "laos"},
    "evidence": {"thing": "decree-245-2020"},
    "fact_sources": {"fact": "obs-remittances-inflow-lao-2025-s1"},
    "institution_units": {"organisation": "mlsw"},
    "instrument_details": {"instrument": "decree-245-2020"},
    "instrument_provisions": {"instrument": "decree-475-2021"},
    "remittance_breakdown": {"total": "obs-remittances-inflow-lao-2025-s1"},
    "topic": {"topic": "https://w3id.org/laokg/vocab/topic/labour-migration"},
}


def parse_scale(name: str) -> int | None:
    """'real' -> None; '10k' -> 10000; '1m' -> 1000000; '2500' -> 2500."""
    name = name.lower()
    if name == "real":
        return None
    mult = {"k": 1_000, "m": 1_000_000}.get(name[-1], 1)
    return int(float(name[:-1] if mult > 1 else name) * mult)


# ---------------------------------------------------------------- running one process


TIME = shutil.which("time") or "/usr/bin/time"


def run_once(argv, timeout: float, env=None, cwd=None, stdout: Path | None = None) -> dict:
    """Run ``argv``; return seconds, peak RSS (MiB), exit code (None if it timed out). With
    ``stdout``, its standard output is written to that file (else it is discarded).

    The peak RSS comes from GNU time (``/usr/bin/time -f %M``), which starts the command from
    its own small process: a child forked from this Python process would report this
    process's memory as its own high-water mark. Without GNU time, ``wait4``'s value is used.
    Both give the largest single process; the sum over the process tree, sampled every
    :data:`TREE_SAMPLE` seconds, is reported instead when it is higher (``laokg build`` runs its
    large steps in child processes beside the parent).
    """
    import tempfile

    memfile = None
    if os.path.exists(TIME):
        fd, memfile = tempfile.mkstemp(prefix="laokg-bench-", suffix=".rss")
        os.close(fd)
        argv = [TIME, "-f", "%M", "-o", memfile, *argv]
    sink = open(stdout, "wb") if stdout is not None else subprocess.DEVNULL  # noqa: SIM115 - closed below
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(argv, stdout=sink, stderr=subprocess.PIPE, env=env, cwd=cwd, start_new_session=True)
    finally:
        if stdout is not None:
            sink.close()  # the child holds its own copy
    deadline = start + timeout
    tree_kib, sampled = 0, 0.0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        now = time.perf_counter()
        if now > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            _, status, usage = os.wait4(proc.pid, 0)
            return {"seconds": None, "mib": _peak_mib(memfile, usage), "code": None, "timeout": True}
        if now - sampled >= TREE_SAMPLE:
            tree_kib, sampled = max(tree_kib, _group_rss_kib(proc.pid)), now
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    # the largest process (GNU time), or the whole process tree at its highest sample if more:
    # `laokg build` runs its large steps in child processes, alive beside the parent
    mib = max(_peak_mib(memfile, usage), tree_kib / 1024)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": elapsed,
        "mib": mib,
        "code": proc.returncode,
        "stderr": err[-300:],
        "cpu": usage.ru_utime + usage.ru_stime,
    }  # the process's and its children's (wait4)


#: seconds between two samples of the process tree's memory (:func:`_group_rss_kib`)
TREE_SAMPLE = 0.05


def _group_rss_kib(group: int) -> int:
    """The resident memory (KiB) of every process in the process group ``group`` now: the
    command and its children (each run starts a new session). 0 where /proc is not there."""
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    total = 0
    try:
        entries = os.listdir("/proc")
    except OSError:
        return 0
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone since the listing
        # after the command name: state, ppid, pgrp, ... rss is field 24 (index 21 here)
        if int(fields[2]) == group:
            total += int(fields[21]) * page_kib
    return total


def _peak_mib(memfile, usage) -> float:
    if memfile:
        try:
            text = Path(memfile).read_text().strip().splitlines()
            os.unlink(memfile)
            return int(text[-1]) / 1024  # KiB
        except (OSError, ValueError, IndexError):
            pass
    return usage.ru_maxrss / 1024


def _load_average() -> float | None:
    """The 1-minute load average when a measurement ends (the machine is shared)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover - no load average on this platform
        return None


def measure(argv, repeats: int, timeout: float, env=None, ok=(0,)) -> dict:
    runs = []
    for _ in range(repeats):
        r = run_once(argv, timeout, env)
        runs.append(r)
        if r.get("timeout"):
            break  # no point waiting out the same limit again
    return summarise(argv, runs, timeout, ok)


def summarise(argv, runs: list[dict], timeout: float, ok=(0,)) -> dict:
    """One measurement from its runs (:func:`run_once`'s results): medians of wall and CPU
    seconds, the highest peak, the load average now."""
    done = [r for r in runs if not r.get("timeout")]
    bad = [r for r in done if r["code"] not in ok]
    out = {
        "load": _load_average(),
        "argv": [Path(a).name if a == PY else a for a in argv],
        "runs": len(runs),
        "seconds": statistics.median(r["seconds"] for r in done) if done and not bad else None,
        "all_seconds": [round(r["seconds"], 4) for r in done],
        "peak_mib": round(max(r["mib"] for r in runs), 1),
        "cpu_seconds": round(statistics.median(r["cpu"] for r in done), 3) if done and not bad else None,
    }
    if len(done) < len(runs):
        out["timeout"] = timeout
    if bad:
        out["error"] = (
            f"exit {bad[0]['code']}: {bad[0]['stderr'].strip().splitlines()[-1] if bad[0]['stderr'].strip() else ''}"
        )
    return out


# ---------------------------------------------------------------- one scale


def project_for(scale: str, work: Path, reuse: bool = False) -> tuple[Path, int]:
    """The project root for ``scale`` and its triple count (generated once, then reused; with
    ``reuse``, the project already in ``work`` is used even if this checkout's files differ)."""
    n = parse_scale(scale)
    import generate

    out = work / f"project-{scale}"
    stamp = out / "generated.json"
    source_key = _source_key()
    if stamp.is_file():
        info = json.loads(stamp.read_text())
        if info.get("source") == source_key or reuse:
            return out, info["triples"]
    if n is None:  # a copy of this checkout's project, so that its build does not touch dist/
        from laokg.graph.load import load_data_graph

        shutil.rmtree(out, ignore_errors=True)
        for part in ("ontology", "graph", "queries"):
            shutil.copytree(REPO / part, out / part)
        summary = {"copies": 0, "triples": len(load_data_graph(out))}
    else:
        summary = generate.generate(n, out)
    summary["source"] = source_key
    stamp.write_text(json.dumps(summary))
    return out, summary["triples"]


def _source_key() -> list:
    """Sizes and times of the real project's files: a changed graph regenerates the projects."""
    files = sorted(p for d in ("graph", "ontology", "queries") for p in (REPO / d).rglob("*") if p.is_file())
    return [[str(p.relative_to(REPO)), p.stat().st_size, p.stat().st_mtime_ns] for p in files]


def release_is_current(root: Path) -> bool:
    """Whether the project at ``root`` has a built release whose store laokg uses (built from
    the project's current files and source texts, laokg.graph.store.built_store)."""
    from laokg.graph.store import built_store

    return built_store(root) is not None


def _oxigraph_cli() -> str:
    """Oxigraph's CLI (PyPI ``oxigraph``), beside this Python or on PATH."""
    beside = Path(PY).parent / "oxigraph"
    return str(beside) if beside.exists() else (shutil.which("oxigraph") or "oxigraph")


def saved_queries(root: Path) -> list[str]:
    return sorted(p.stem for p in (root / "queries").glob("*.rq"))


def entity(root: Path, local: str) -> str:
    if local.startswith("http"):
        return local
    tag = "" if root.name == "project-real" else "c0001/"
    return f"https://w3id.org/laokg/id/{tag}{local}"


def trace_target(root: Path) -> str:
    return entity(root, TRACE_LOCAL)


def query_args(root: Path, name: str) -> list[str]:
    out = []
    for param, local in PARAMS.get(name, {}).items():
        out += ["-p", f"{param}={entity(root, local)}"]
    return out


PYOX_LOAD = r"""
import sys, pyoxigraph as ox
from pathlib import Path
root = Path(sys.argv[1]); s = ox.Store()
files = [root / "ontology" / "laokg.ttl", *sorted((root / "ontology" / "vocab").glob("*.ttl")),
         *sorted((root / "graph").glob("*.ttl"))]
for f in files:
    s.bulk_load(path=str(f), format=ox.RdfFormat.TURTLE, base_iri=f.as_uri())
if len(sys.argv) > 2:
    rows = list(s.query(Path(sys.argv[2]).read_text()))
"""


PYOX_NT = r"""
import sys, pyoxigraph as ox
from pathlib import Path
s = ox.Store(); s.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
rows = list(s.query(Path(sys.argv[2]).read_text()))
"""


#: the first command of a never-built project, which builds its store into the first-use cache
FIRST_USE = f"query {PROBE_QUERY} (first use: the store built into the cache)"


def bench_scale(scale: str, args, work: Path) -> dict:
    root, triples = project_for(scale, work, args.reuse)
    print(f"\n== {scale}: {triples} triples ({root})", flush=True)
    only = set(args.only.split(",")) if args.only else None
    rows: dict[str, dict] = {}
    env = dict(os.environ, PYTHONHASHSEED="0")
    # as a user runs laokg: Python keeps the modules it compiled (an installed wheel has them
    # compiled); without this, every run of a checkout would compile laokg's modules again
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # a first-use cache of the run's own (a never-built project's store is built there once),
    # emptied before the saved queries run on the never-built project, below
    cache = work / f"cache-{scale}"
    env["LAOKG_CACHE"] = str(cache)

    large = triples > 50_000
    pairs: dict = {}
    extra: dict = {}

    def go(name, argv, ok=(0,), repeats=None, force=False):
        if only and not force and not any(name.startswith(o) for o in only):
            return
        n = repeats or (args.repeats_large if large and args.repeats_large else args.repeats)
        if args.repeats_heavy and name.startswith(HEAVY):  # minutes a run at 1M
            n = min(n, args.repeats_heavy)
        res = measure(argv, n, args.timeout, env, ok)
        rows[name] = res
        shown = (
            "timeout"
            if res.get("timeout") and res["seconds"] is None
            else (f"{res['seconds']:.3f} s" if res["seconds"] is not None else res.get("error", "?"))
        )
        print(f"  {name:<42} {shown:>12}  {res['peak_mib']:8.1f} MiB  load {res['load']}", flush=True)

    r = ["--root", str(root)]
    go("baseline: python -c 'import rdflib'", [PY, "-c", "import rdflib"])
    go("baseline: python -c 'import pyoxigraph'", [PY, "-c", "import pyoxigraph"])
    go("--help", LAOKG + ["--help"])
    go("stats", LAOKG + ["stats"] + r)
    go("validate", LAOKG + ["validate"] + r, ok=(0, 1))
    go("export (nt)", LAOKG + ["export", "--format", "nt", "-o", str(work / "export.nt")] + r)
    go("trace", LAOKG + ["trace", trace_target(root)] + r)
    # the graph as of a date (issue 20): before the news item of 2025-11-28, after the profile
    go(
        f"export (nt) --as-of {AS_OF}",
        LAOKG + ["export", "--format", "nt", "--as-of", AS_OF, "-o", str(work / "export-as-of.nt")] + r,
    )
    go(
        f"query {PROBE_QUERY} --as-of {AS_OF}",
        LAOKG + ["query", "run", PROBE_QUERY, "--format", "csv", "--as-of", AS_OF] + r,
    )
    go(
        f"diff {AS_OF} {DIFF_TO}",
        LAOKG + ["diff", AS_OF, DIFF_TO, "--format", "json", "-o", str(work / "diff.json")] + r,
    )
    go("audit", LAOKG + ["audit"] + r, ok=(0, 1))
    # the saved queries before any build, with the default engine (auto: rdflib below 3 MB of
    # Turtle, else Oxigraph loading the Turtle into memory)
    rebuild = not only or any("build".startswith(o) or o.startswith("build") for o in only)
    if rebuild:  # else the release already built there is kept (and measured)
        shutil.rmtree(root / "dist", ignore_errors=True)
        # the first command of a never-built project builds its store into the cache: one run
        # of its own, from an empty cache, so that the saved queries' rows below are what the
        # target speaks of, a query after that first run
        shutil.rmtree(cache, ignore_errors=True)
        go(
            FIRST_USE,
            LAOKG + ["query", "run", PROBE_QUERY, "--format", "csv"] + query_args(root, PROBE_QUERY) + r,
            repeats=1,
        )
    for q in saved_queries(root) if rebuild else ():
        go(f"query {q} (before build)", LAOKG + ["query", "run", q, "--format", "csv"] + query_args(root, q) + r)
    if triples < 50_000:  # the other engine, on the Turtle, where it is not the default
        for q in ("instruments", "sources"):
            go(
                f"query {q} (oxigraph, no store)",
                LAOKG + ["query", "run", q, "--format", "csv", "--engine", "oxigraph"] + r,
            )
    # build into the project's own dist/ (that is where queries look for the store)
    target = root / "dist"
    go("build", LAOKG + ["build"] + r, force=not release_is_current(root))  # the rows below need a current store
    if (target / "laokg.nt").is_file() and (work / "export-as-of.nt").is_file():
        go(
            "diff (a graph file against the release)",
            LAOKG
            + [
                "diff",
                str(work / "export-as-of.nt"),
                str(target),
                "--format",
                "json",
                "-o",
                str(work / "diff-release.json"),
            ]
            + r,
        )
    if (target / "store").is_dir():
        for q in saved_queries(root):
            go(
                f"query {q} (built store)",
                LAOKG + ["query", "run", q, "--format", "csv", "--engine", "oxigraph"] + query_args(root, q) + r,
            )
        # the reading commands on the store the queries use (the default once built), and on
        # the reference engine (rdflib parsing the Turtle), side by side
        for engine in ("auto", "rdflib"):
            e = ["--engine", engine]
            where = "built store" if engine == "auto" else "rdflib"
            go(f"show ({where})", LAOKG + ["show", trace_target(root)] + e + r)
            go(f"trace ({where})", LAOKG + ["trace", trace_target(root)] + e + r)
            go(f"trace --source ({where})", LAOKG + ["trace", "--source", entity(root, SOURCE_LOCAL)] + e + r)
            go(f"search ({where})", LAOKG + ["search", "ministry", "--format", "csv"] + e + r)
            go(f"stats ({where})", LAOKG + ["stats"] + e + r)
        go("audit (built store)", LAOKG + ["audit"] + r, ok=(0, 1))
        if not only or any(o.startswith("cli") or "cli: query".startswith(o) for o in only):
            pairs = cli_pair_rows(
                root,
                target / "store",
                work,
                env,
                args.repeats_large if large and args.repeats_large else args.repeats,
                args.timeout,
                only,
            )
        if not only or any(o.startswith("rule") or "rule".startswith(o) for o in only):
            rows.update(audit_rule_rows(root, target / "store", env, args.timeout, args.repeats_heavy or 3))
        if parse_scale(scale) is None and (
            not only or any(o.startswith("wheel") or "wheel".startswith(o) for o in only)
        ):
            measured, extra["wheel"] = wheel_measurement(root, work, env, args)
            rows.update(measured)
        probe = root / "queries" / f"{PROBE_QUERY}.rq"
        # the other store kind: the release's N-Triples bulk-loaded into memory, then the query
        go(
            f"baseline: in-memory store from laokg.nt + query {PROBE_QUERY}",
            [PY, "-c", PYOX_NT, str(target / "current" / "laokg.nt"), str(probe)],
        )
        go(
            f"baseline: oxigraph CLI query {PROBE_QUERY} (store)",
            [
                _oxigraph_cli(),
                "query",
                "--location",
                str(target / "store"),
                "--query-file",
                str(probe),
                "--results-format",
                "csv",
            ],
        )
    go("baseline: pyoxigraph load", [PY, "-c", PYOX_LOAD, str(root)])
    go(
        f"baseline: pyoxigraph load + query {PROBE_QUERY}",
        [PY, "-c", PYOX_LOAD, str(root), str(root / "queries" / f"{PROBE_QUERY}.rq")],
    )
    out = {"scale": scale, "triples": triples, "root": str(root), "results": rows}
    if pairs:
        out["cli_pairs"] = pairs
    out.update(extra)
    return out


def wheel_measurement(root: Path, work: Path, env, args) -> tuple[dict, dict]:
    """The installed wheel's rows and record (:func:`wheel_rows`), its answers checked against
    the built project at ``root`` (the real graph); a step that fails is recorded and printed,
    not raised."""
    reference = work / "wheel-reference.csv"
    ref = run_once(
        LAOKG + ["query", "run", PROBE_QUERY, "--format", "csv", "--root", str(root)],
        args.timeout,
        env,
        stdout=reference,
    )
    try:
        rows, record = wheel_rows(
            work, env, args.repeats, args.timeout, args.reuse, reference if ref.get("code") == 0 else None
        )
    except (RuntimeError, OSError) as exc:
        print(f"  wheel: not measured: {exc}", flush=True)
        return {}, {"error": str(exc)}
    for name, r in rows.items():
        cpu = f" ({r['cpu_seconds']:.3f} CPU)" if r.get("cpu_seconds") is not None else ""
        shown = f"{r['seconds']:.3f} s{cpu}" if r["seconds"] is not None else r.get("error", "timeout")
        print(f"  {name:<60} {shown:>22}  {r['peak_mib']:8.1f} MiB  load {r['load']}", flush=True)
    print(
        f"  wheel: {record['wheel']} sha256 {record['sha256'][:12]}… built in {record['build_seconds']} s, venv "
        f"{'kept' if record['venv_kept'] else 'installed in ' + str(record['install_seconds']) + ' s'}; "
        f"rows {record['rows']} agree with {record['against']}: {'yes' if record['rows_agree'] else 'NO'}; "
        f"working directory left empty: {'yes' if record['empty_directory_untouched'] else 'NO'}",
        flush=True,
    )
    return rows, record


# ---------------------------------------------------------------- every saved query against Oxigraph's CLI (issue 21)

#: writes, for each saved query, the exact text laokg's Oxigraph engine evaluates (the query
#: checked, its parameters bound in VALUES blocks by the engine's own preamble): the engine's
#: evaluation is stopped where it would hand the text to the store
CLI_TEXTS = r"""
import json, sys
from pathlib import Path
import laokg
from laokg.query.oxigraph import OxigraphEngine
root, out, params = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
class Handed(Exception):
    pass
def answer(self, text, source):
    raise Handed(text)
OxigraphEngine._answer = answer
kg = laokg.KnowledgeGraph(root, engine="oxigraph")
forms = {}
for name, values in params.items():
    sq = kg.saved(name)
    try:
        kg.run(sq, values)
    except Handed as exc:
        (out / (name + ".rq")).write_text(exc.args[0], encoding="utf-8")
        forms[name] = sq.form
print(json.dumps(forms))
"""


def cli_query_texts(root: Path, out: Path, env) -> dict[str, str]:
    """Write the text laokg evaluates for every saved query (bench.py's parameters bound as
    laokg binds them) to ``out/NAME.rq``; return {name: query form}."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.rq"):
        old.unlink()
    params = {q: {p: entity(root, v) for p, v in PARAMS.get(q, {}).items()} for q in saved_queries(root)}
    proc = subprocess.run(
        [PY, "-c", CLI_TEXTS, str(root), str(out), json.dumps(params)],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"could not prepare the queries: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout)


def csv_records(path: Path) -> int | None:
    """How many result rows a SPARQL CSV file holds (its header not counted)."""
    import csv

    try:
        with open(path, encoding="utf-8", newline="") as f:
            return max(sum(1 for _ in csv.reader(f)) - 1, 0)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def cli_pair_rows(root: Path, store: Path, work: Path, env, repeats: int, timeout: float, only=None) -> dict:
    """Every saved query on the built store, laokg (``query run NAME --format csv --engine
    oxigraph``, as the "(built store)" rows) paired with Oxigraph's CLI (``oxigraph query``)
    running the same text on the same store: the two alternate in each repeat (which goes
    first alternates too), medians of wall and CPU seconds, and both answers' row counts from
    the first repeat, which must agree."""
    texts = work / "cli-queries" / root.name
    forms = cli_query_texts(root, texts, env)
    cli = _oxigraph_cli()
    outs = work / "cli-answers"
    outs.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict] = {}
    for q in saved_queries(root):
        if only and not any(f"cli: query {q}".startswith(o) for o in only):
            continue
        if forms.get(q) != "SELECT":  # every saved query is a SELECT run as CSV; anything else is not compared
            continue
        ours = LAOKG + ["query", "run", q, "--format", "csv", "--engine", "oxigraph"] + query_args(root, q)
        ours += ["--root", str(root)]
        theirs = [cli, "query", "--location", str(store), "--query-file", str(texts / f"{q}.rq")]
        theirs += ["--results-format", "csv"]
        runs: dict[str, list] = {"laokg": [], "cli": []}
        for i in range(repeats):
            order = [("laokg", ours), ("cli", theirs)]
            for who, argv in order if i % 2 == 0 else reversed(order):
                runs[who].append(run_once(argv, timeout, env, stdout=outs / f"{q}.{who}.csv" if i == 0 else None))
            if any(r[-1].get("timeout") for r in runs.values()):
                break
        a, b = summarise(ours, runs["laokg"], timeout), summarise(theirs, runs["cli"], timeout)
        got, want = csv_records(outs / f"{q}.laokg.csv"), csv_records(outs / f"{q}.cli.csv")
        row = {
            "query": q,
            "laokg": a,
            "cli": b,
            "laokg_rows": got,
            "cli_rows": want,
            "rows_agree": got is not None and got == want,
            "load": a["load"],
        }
        if a["seconds"] and b["seconds"]:
            row["ratio"] = round(a["seconds"] / b["seconds"], 2)
        if a.get("cpu_seconds") and b.get("cpu_seconds"):
            row["cpu_ratio"] = round(a["cpu_seconds"] / b["cpu_seconds"], 2)
        rows[q] = row
        print(
            f"  query {q:<28} laokg {a['seconds'] or 0:7.3f} s ({a['cpu_seconds'] or 0:.2f} CPU)  "
            f"CLI {b['seconds'] or 0:7.3f} s ({b['cpu_seconds'] or 0:.2f} CPU)  x{row.get('ratio')}  "
            f"rows {got}/{want}  load {a['load']}",
            flush=True,
        )
    return rows


#: laokg's saved query at most this many times Oxigraph's CLI on the same store; at most
#: CLI_TARGET_SLOW times where the CLI takes more than CLI_SLOW seconds
CLI_TARGET, CLI_TARGET_SLOW, CLI_SLOW = 1.5, 1.2, 1.0


def cli_targets(scales: list[dict]) -> list[dict]:
    """Issue 21's target for every saved query, at every scale its pairs were run at: laokg's
    median wall time against the CLI's (and CPU against CPU), the limit the CLI's time sets,
    whether both answered the same number of rows."""
    out = []
    for s in scales:
        for q, r in sorted(s.get("cli_pairs", {}).items()):
            a, b = r["laokg"], r["cli"]
            limit = CLI_TARGET_SLOW if (b["seconds"] or 0) > CLI_SLOW else CLI_TARGET
            # the same rule on CPU seconds (on a loaded machine the wall clock counts others' work)
            cpu_limit = CLI_TARGET_SLOW if (b.get("cpu_seconds") or 0) > CLI_SLOW else CLI_TARGET
            out.append(
                {
                    "scale": s["scale"],
                    "triples": s["triples"],
                    "query": q,
                    "seconds": a["seconds"],
                    "cli_seconds": b["seconds"],
                    "ratio": r.get("ratio"),
                    "cpu_seconds": a.get("cpu_seconds"),
                    "cli_cpu_seconds": b.get("cpu_seconds"),
                    "cpu_ratio": r.get("cpu_ratio"),
                    "limit": limit,
                    "rows": r["laokg_rows"],
                    "rows_agree": r["rows_agree"],
                    "met": r.get("ratio") is not None and r["ratio"] <= limit and r["rows_agree"],
                    "cpu_limit": cpu_limit,
                    "met_cpu": r.get("cpu_ratio") is not None and r["cpu_ratio"] <= cpu_limit and r["rows_agree"],
                    "load": r.get("load"),
                }
            )
    return out


def cli_goals(rows: list[dict]) -> list[dict]:
    """The rows :func:`cli_targets` gives, as rows of the targets table (wall time; the CPU
    ratio is in the table of the pairs)."""
    out = []
    for r in rows:
        goal = _target(
            f"{r['scale']}: query {r['query']} / oxigraph CLI (paired)",
            r["seconds"],
            r["limit"] * (r["cli_seconds"] or 0),
            "s",
            r.get("load"),
            baseline=r["cli_seconds"],
        )
        goal["met"] = r["met"]
        out.append(goal)
    return out


def cli_table(rows: list[dict]) -> str:
    lines = [
        "| scale | saved query | laokg wall / CLI wall | ratio | laokg CPU / CLI CPU | CPU ratio | limit | rows"
        " (agree) | met | CPU limit | met by CPU | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:

        def s(x):
            return "—" if x is None else f"{x:.3f} s"

        lines.append(
            f"| {r['scale']} ({r['triples']:,}) | {r['query']} | {s(r['seconds'])} / {s(r['cli_seconds'])} | "
            f"{r['ratio']} | {s(r['cpu_seconds'])} / {s(r['cli_cpu_seconds'])} | {r['cpu_ratio']} | "
            f"{r['limit']}x | {r['rows']} ({'yes' if r['rows_agree'] else '**no**'}) | "
            f"{'yes' if r['met'] else '**no**'} | {r['cpu_limit']}x | {'yes' if r['met_cpu'] else '**no**'} | "
            f"{r['load']} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- first use of an installed wheel (issue 21)

#: the names of the wheel's measurements (rows of the real scale; :func:`wheel_pairs`)
WHEEL_FIRST = f"wheel: query {PROBE_QUERY} (first run, empty cache)"
WHEEL_LATER = f"wheel: query {PROBE_QUERY} (later run, cache warm)"
WHEEL_RDFLIB = "wheel: baseline: python -c 'import rdflib' (the wheel's venv)"
#: what the wheel's venv records of the wheel installed in it (see :func:`wheel_venv`)
WHEEL_STAMP = "laokg-wheel.sha256"
#: environment variables a user's shell would not have set: the checkout's, the harness's
WHEEL_UNSET = ("LAOKG_ROOT", "LAOKG_SEEDS", "LAOKG_CACHE", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")


# The same few lines as laokg.graph.build's private _sha256, kept here: the harness's module
# level imports the standard library only (laokg is imported inside the functions that use it).
def sha256_file(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _step(argv, what: str, env=None, timeout: float | None = None) -> float:
    """Run one preparing step (not measured); return its wall seconds, raise RuntimeError with
    the end of its error output if it fails."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"{what}: stopped after {timeout:.0f} s") from exc
    if proc.returncode != 0:
        tail = [line for line in proc.stderr.splitlines() if not line.startswith("WARNING:")]
        raise RuntimeError(f"{what}: exit {proc.returncode}: {' '.join(tail[-3:])[-400:]}")
    return time.perf_counter() - start


def build_wheel(work: Path, isolation: bool = True, source: Path = REPO, timeout: float | None = None) -> Path:
    """Build laokg's wheel from the checkout at ``source`` into ``WORK/wheel/`` as a user does:
    ``pip wheel . --no-deps``, with build isolation (the build requirements come from the
    registry; ``isolation=False`` uses this environment's, offline). Return the wheel's path."""
    out = work / "wheel"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    argv = [PY, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(source)]
    if not isolation:
        argv[5:5] = ["--no-build-isolation", "--no-index"]
    _step(argv, "pip wheel", timeout=timeout)
    wheels = sorted(out.glob("laokg-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"pip wheel: expected one laokg wheel in {out}, found {len(wheels)}")
    return wheels[0]


def install_wheel(wheel: Path, venv: Path, timeout: float | None = None) -> None:
    """A fresh virtual environment at ``venv`` with ``wheel`` installed, its dependencies from
    the registry (``pip install WHEEL``, as a user installs it)."""
    _step([PY, "-m", "venv", "--without-pip", str(venv)], "python -m venv", timeout=timeout)
    python = venv / "bin" / "python"
    _step([PY, "-m", "pip", "--python", str(python), "install", "--quiet", str(wheel)], "pip install", timeout=timeout)


def wheel_venv(wheel: Path, work: Path, reuse: bool = False, install=install_wheel) -> tuple[Path, bool]:
    """The bin directory of a virtual environment under ``WORK/wheel-venv`` with ``wheel``
    installed, and whether it was kept from an earlier run. It is made afresh (``install``),
    unless ``reuse`` is given and the environment holds a wheel with the same SHA-256 (recorded
    in its ``laokg-wheel.sha256`` once the install succeeded)."""
    venv = work / "wheel-venv"
    stamp = venv / WHEEL_STAMP
    digest = sha256_file(wheel)
    if reuse and (venv / "bin" / "laokg").is_file():
        try:
            if stamp.read_text(encoding="utf-8").strip() == digest:
                return venv / "bin", True
        except OSError:
            pass
    shutil.rmtree(venv, ignore_errors=True)
    install(wheel, venv)
    stamp.write_text(digest + "\n", encoding="utf-8")
    return venv / "bin", False


def wheel_env(bindir: Path, env=None) -> dict:
    """The environment of a user who installed the wheel: the venv's bin first on PATH, none of
    the checkout's or the harness's project, cache or path settings (:data:`WHEEL_UNSET`)."""
    out = {k: v for k, v in (os.environ if env is None else env).items() if k not in WHEEL_UNSET}
    out["PATH"] = f"{bindir}{os.pathsep}{out.get('PATH', '')}"
    return out


def csv_rows(path: Path) -> list[list[str]] | None:
    """The records of a CSV file (its header first), or None if it cannot be read."""
    import csv

    try:
        with open(path, encoding="utf-8", newline="") as f:
            return list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def same_rows(a: list[list[str]] | None, b: list[list[str]] | None) -> bool:
    """Whether two CSV answers (:func:`csv_rows`) have the same header and the same records, in
    any order (two stores may order the ties of an ORDER BY differently)."""
    return a is not None and b is not None and a[:1] == b[:1] and sorted(a[1:]) == sorted(b[1:])


def _cache_stores(cache: Path) -> int:
    """How many stores a laokg cache folder holds (one per project state)."""
    return sum(1 for p in cache.glob("*/store") if p.is_dir()) if cache.is_dir() else 0


def wheel_pairs(
    bindir: Path, work: Path, repeats: int, timeout: float, env=None, reference: Path | None = None
) -> tuple[dict[str, dict], dict]:
    """The installed wheel's first use, measured from an empty directory: ``laokg query run
    instruments --format csv`` with an empty cache (a fresh one every repeat), the same with the
    cache a first run left (untimed warm-up), and ``python -c "import rdflib"`` in the same
    venv; the three alternate, each goes first in turn, whole processes. Return the three rows
    (medians of wall and CPU seconds) and what was checked: every answer's rows against
    ``reference`` (the built project's CSV) and each other, each first run built its store,
    the warm cache kept one store, the working directory stayed empty."""
    base = work / "wheel-run"
    shutil.rmtree(base, ignore_errors=True)
    empty, answers = base / "empty", base / "answers"
    empty.mkdir(parents=True)
    answers.mkdir()
    env = wheel_env(bindir, env)
    query = [str(bindir / "laokg"), "query", "run", PROBE_QUERY, "--format", "csv"]
    baseline = [str(bindir / "python"), "-c", "import rdflib"]
    warm = base / "cache-warm"
    first = run_once(query, timeout, {**env, "LAOKG_CACHE": str(warm)}, cwd=empty, stdout=answers / "warm-up.csv")
    if first.get("code") != 0:
        why = "stopped" if first.get("timeout") else f"exit {first['code']}: {first.get('stderr', '').strip()[-300:]}"
        raise RuntimeError(f"the wheel's first query run: {why}")
    runs: dict[str, list] = {"first": [], "later": [], "rdflib": []}
    order, built = [], []
    for i in range(repeats):
        cache = base / f"cache-{i}"
        steps = [
            ("first", query, {**env, "LAOKG_CACHE": str(cache)}, answers / f"first-{i}.csv"),
            ("later", query, {**env, "LAOKG_CACHE": str(warm)}, answers / f"later-{i}.csv"),
            ("rdflib", baseline, env, None),
        ]
        steps = steps[i % 3 :] + steps[: i % 3]  # each measurement goes first in turn
        order.append([who for who, *_ in steps])
        for who, argv, e, out in steps:
            runs[who].append(run_once(argv, timeout, e, cwd=empty, stdout=out))
        built.append(_cache_stores(cache) == 1)
        shutil.rmtree(cache, ignore_errors=True)  # the next first run gets an empty cache again
        if any(r[-1].get("timeout") for r in runs.values()):
            break
    rows = {
        WHEEL_FIRST: summarise(query, runs["first"], timeout),
        WHEEL_LATER: summarise(query, runs["later"], timeout),
        WHEEL_RDFLIB: summarise(baseline, runs["rdflib"], timeout),
    }
    got = {p.name: csv_rows(p) for p in sorted(answers.glob("*.csv"))}
    want = csv_rows(reference) if reference is not None else got["warm-up.csv"]
    checks = {
        "answers": len(got),
        "rows": None if want is None else max(len(want) - 1, 0),
        "rows_agree": want is not None and all(same_rows(rows_, want) for rows_ in got.values()),
        "against": "the built project" if reference is not None else "the warm-up run",
        "first_runs_built_their_store": all(built),
        "warm_cache_stores": _cache_stores(warm),
        "empty_directory_untouched": not any(empty.iterdir()),
        "order": order,
    }
    for name in (WHEEL_FIRST, WHEEL_LATER):
        rows[name]["rows"], rows[name]["rows_agree"] = checks["rows"], checks["rows_agree"]
    return rows, checks


def wheel_rows(work: Path, env, repeats: int, timeout: float, reuse: bool, reference: Path | None) -> tuple[dict, dict]:
    """Issue 21's installed-wheel measurement: build the wheel from this checkout, install it
    into a venv under WORK (kept with ``reuse`` while the wheel's SHA-256 is the same), then
    :func:`wheel_pairs`. Return its rows and a record of the wheel and the checks."""
    start = time.perf_counter()
    wheel = build_wheel(work, timeout=timeout)
    built = time.perf_counter() - start
    start = time.perf_counter()
    bindir, kept = wheel_venv(wheel, work, reuse, install=lambda w, v: install_wheel(w, v, timeout))
    installed = time.perf_counter() - start
    rows, checks = wheel_pairs(bindir, work, repeats, timeout, env, reference)
    record = {
        "wheel": wheel.name,
        "sha256": sha256_file(wheel),
        "build_seconds": round(built, 2),
        "venv": str(bindir.parent),
        "venv_kept": kept,
        "install_seconds": round(installed, 2),
        **checks,
    }
    return rows, record


AUDIT_RULES = r"""
import json, sys, time, pyoxigraph as ox
from pathlib import Path
store = ox.Store.read_only(sys.argv[1]); out = {}
for path in sorted(Path(sys.argv[2]).glob("*.rq")):
    text = path.read_text(encoding="utf-8"); best = None
    for _ in range(int(sys.argv[3])):
        start = time.process_time(); rows = sum(1 for _ in store.query(text)); took = time.process_time() - start
        best = took if best is None else min(best, took)
    out[path.name.split("-")[0]] = {"seconds": best, "rows": rows}
print(json.dumps(out))
"""


#: measurement names (prefixes) that --repeats-heavy limits
HEAVY = ("build", "validate", "export", "audit", "baseline: pyoxigraph load", "baseline: in-memory")


def audit_rule_rows(root: Path, store: Path, env, timeout: float, repeats: int = 3) -> dict:
    """Each audit rule's query on the built store, timed alone in one child process: CPU
    seconds, best of ``repeats`` (process start and labels excluded, so that the growth
    exponent of a rule is its own, issue 21)."""
    proc = subprocess.run(
        [PY, "-c", AUDIT_RULES, str(store), str(root / "queries" / "audit"), str(repeats)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    if proc.returncode != 0:
        print(f"  audit rules: error {proc.stderr.strip().splitlines()[-1:]}", flush=True)
        return {}
    rows = {}
    load = _load_average()
    for rule, got in json.loads(proc.stdout).items():
        name = f"rule {rule} (query on the store, CPU)"
        rows[name] = {
            "argv": ["store.query", rule],
            "runs": repeats,
            "seconds": got["seconds"],
            "all_seconds": [round(got["seconds"], 4)],
            "peak_mib": 0.0,
            "rows": got["rows"],
            "load": load,
        }
        print(f"  {name:<42} {got['seconds']:>10.3f} s  {got['rows']:>8} rows  load {load}", flush=True)
    return rows


# ---------------------------------------------------------------- targets (issue 21)

#: one megabyte (10^6 bytes) in MiB: the issue's limits are in MB and GB, the peaks in MiB
MB = 1e6 / 2**20

#: (measurement, seconds at most, MiB at most) at the largest synthetic scale: 300 MB is
#: 286.1 MiB, 1 GB 953.7 MiB
COMMAND_TARGETS = (
    ("show (built store)", 1.5, 300 * MB),
    ("trace (built store)", 1.5, 300 * MB),
    ("trace --source (built store)", 1.5, 300 * MB),
    ("search (built store)", 1.5, 300 * MB),
    ("stats (built store)", 3.0, 300 * MB),
    ("audit (built store)", 30.0, 300 * MB),
    ("build", None, 1000 * MB),
    ("validate", None, 1000 * MB),
)
#: the growth exponent every command and audit rule must stay within (100k -> 1M)
GROWTH_TARGET = 1.2


def issue21_targets(scales: list[dict], exps: dict) -> list[dict]:
    """Every target of issue 21 the run measured, with the measurement, its baseline and the
    ratio side by side: the commands at the largest scale (seconds and peak MiB), each saved
    query on the built store against Oxigraph's CLI on the same store and against
    ``import rdflib`` (real graph), and the growth exponent of every command and audit rule."""
    out = []
    synthetic = [s for s in scales if s["scale"] != "real"]
    if synthetic:
        big = max(synthetic, key=lambda s: s["triples"])
        res = big["results"]
        for name, seconds, mib in COMMAND_TARGETS:
            r = res.get(name)
            if r is None:
                continue
            if r.get("timeout") and r.get("seconds") is None:  # stopped: neither its time nor its peak is known
                out.append(
                    _target(
                        f"{big['scale']}: {name} (stopped after {r['timeout']:.0f} s)",
                        None,
                        seconds or mib,
                        "s" if seconds else "MiB",
                        r.get("load"),
                    )
                )
                continue
            if seconds is not None:
                out.append(_target(f"{big['scale']}: {name} time", r["seconds"], seconds, "s", r.get("load")))
                if r.get("cpu_seconds") is not None:  # what the command itself took on a loaded machine
                    out.append(_target(f"{big['scale']}: {name} CPU", r["cpu_seconds"], seconds, "s", r.get("load")))
            out.append(_target(f"{big['scale']}: {name} peak", r["peak_mib"], mib, "MiB", r.get("load")))
        cli = res.get(f"baseline: oxigraph CLI query {PROBE_QUERY} (store)")
        for name, r in sorted(res.items()):
            if name.startswith("query ") and name.endswith("(built store)") and cli and cli.get("seconds"):
                q = name.split()[1]
                if q == PROBE_QUERY:  # the CLI baseline is measured for this one query
                    limit = 1.2 if cli["seconds"] > 1 else 1.5
                    out.append(
                        _target(
                            f"{big['scale']}: query {q} / oxigraph CLI",
                            r["seconds"],
                            limit * cli["seconds"],
                            "s",
                            r.get("load"),
                            baseline=cli["seconds"],
                        )
                    )
    for s in scales:
        if s["scale"] != "real":
            continue
        base = s["results"].get("baseline: python -c 'import rdflib'")
        for name, r in sorted(s["results"].items()):
            # a built project, and a never-built one after its first run (the first-use cache)
            if base and name.startswith("query ") and name.endswith(("(built store)", "(before build)")):
                out += _rdflib_targets(f"real: {name}", r, base)
        # an installed wheel from an empty directory, against `import rdflib` in its own venv
        base = s["results"].get(WHEEL_RDFLIB)
        for name in (WHEEL_FIRST, WHEEL_LATER):
            r = s["results"].get(name)
            if r and base:
                out += _rdflib_targets(f"real: {name}", r, base, "the wheel's venv")
    for name, exp in sorted(exps.items()):
        if (
            exp is not None
            and len([s for s in synthetic if name in s["results"]]) >= 2
            and not name.startswith("baseline")
        ):
            out.append(
                {
                    "target": f"growth: {name}",
                    "measured": exp,
                    "limit": GROWTH_TARGET,
                    "unit": "exponent",
                    "met": exp <= GROWTH_TARGET,
                }
            )
    return out


#: a saved query on the real graph at most this many times `python -c "import rdflib"`
RDFLIB_TARGET = 1.5


def _rdflib_targets(name: str, r: dict, base: dict, where: str = "") -> list[dict]:
    """``r`` against ``import rdflib`` (``base``): by wall time, and by CPU time where both have
    it (on a shared machine the wall clock also counts others' work). A row whose answer did
    not agree with the built project's is not met."""
    out = []
    suffix = f" ({where})" if where else ""
    for what, key in (("", "seconds"), (" CPU", "cpu_seconds")):
        if not base.get(key) or (what and r.get(key) is None):
            continue
        row = _target(
            f"{name} / import rdflib{what}{suffix}",
            r.get(key),
            RDFLIB_TARGET * base[key],
            "s",
            r.get("load"),
            baseline=base[key],
        )
        if r.get("rows_agree") is False:
            row["met"] = False
            row["note"] = "answer differs from the built project's"
        out.append(row)
    return out


def _target(name, measured, limit, unit, load, baseline=None) -> dict:
    row = {
        "target": name,
        "measured": None if measured is None else round(measured, 3),
        "limit": round(limit, 3),
        "unit": unit,
        "met": measured is not None and measured <= limit,
        "load": load,
    }
    if baseline is not None:
        row["baseline"] = round(baseline, 3)
        row["ratio"] = None if measured is None else round(measured / baseline, 2)
    return row


def targets_table(rows: list[dict]) -> str:
    lines = ["| target | measured | limit | baseline | ratio | met | load |", "|---|---|---|---|---|---|---|"]
    for t in rows:
        lines.append(
            f"| {t['target']} | {t['measured']} {t['unit']} | {t['limit']} | {t.get('baseline', '')} | "
            f"{t.get('ratio', '')} | {'yes' if t['met'] else '**no**'} | {t.get('load', '')} |"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- report


def fit_exponent(points: list[tuple[int, float]]) -> float | None:
    pts = [(math.log(n), math.log(t)) for n, t in points if t and n]
    if len(pts) < 2:
        return None
    mx = statistics.fmean(x for x, _ in pts)
    my = statistics.fmean(y for _, y in pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return round(sum((x - mx) * (y - my) for x, y in pts) / sxx, 2) if sxx else None


def table(scales: list[dict]) -> str:
    names = []
    for s in scales:
        for name in s["results"]:
            if name not in names:
                names.append(name)
    header = (
        "| command | " + " | ".join(f"{s['scale']} ({s['triples']:,} triples)" for s in scales) + " | growth exponent |"
    )
    lines = [header, "|" + "---|" * (len(scales) + 2)]
    exps = {}
    for name in names:
        cells = []
        pts = []
        for s in scales:
            r = s["results"].get(name)
            if r is None:
                cells.append("")
                continue
            if r["seconds"] is None:
                cells.append(f"> {r['timeout']:.0f} s" if r.get("timeout") else "error")
                continue
            load = f" (load {r['load']})" if r.get("load") is not None else ""
            cpu = f" ({r['cpu_seconds']:.2f} CPU)" if r.get("cpu_seconds") is not None else ""
            cells.append(
                f"{r['seconds']:.2f} s{cpu} / {r['peak_mib']:.0f} MiB{load}"
                if r["peak_mib"]
                else f"{r['seconds']:.3f} s CPU{load}"
            )
            if s["scale"] != "real":
                pts.append((s["triples"], r["seconds"]))
        exp = fit_exponent(pts)
        exps[name] = exp
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {'' if exp is None else exp} |")
    return "\n".join(lines), exps


# ---------------------------------------------------------------- issue 20: the time targets

#: (what, measured, baseline): --as-of and diff against the plain command; the target is 1.5x
TIME_TARGETS = (
    (f"export --as-of {AS_OF}", f"export (nt) --as-of {AS_OF}", "export (nt)"),
    (
        f"query {PROBE_QUERY} --as-of {AS_OF}",
        f"query {PROBE_QUERY} --as-of {AS_OF}",
        f"query {PROBE_QUERY} (before build)",
    ),
    (f"diff {AS_OF} {DIFF_TO}", f"diff {AS_OF} {DIFF_TO}", "export (nt)"),
    ("diff graph file / release", "diff (a graph file against the release)", "export (nt)"),
)
TIME_TARGET = 1.5


def time_targets(scales: list[dict]) -> list[dict]:
    """Each scale's ratio of ``--as-of`` and ``diff`` to the plain export or query (issue 20's
    target: within 1.5x at 1M triples), by wall time and by CPU time (the process and its
    children: on a shared machine the wall clock also counts the time other work took)."""
    out = []
    for s in scales:
        for what, measured, base in TIME_TARGETS:
            m, b = s["results"].get(measured), s["results"].get(base)
            if not m or not b or m.get("seconds") is None or b.get("seconds") is None:
                continue
            row = {
                "scale": s["scale"],
                "triples": s["triples"],
                "what": what,
                "against": base,
                "seconds": m["seconds"],
                "base_seconds": b["seconds"],
                "ratio": round(m["seconds"] / b["seconds"], 2),
            }
            if m.get("cpu_seconds") and b.get("cpu_seconds"):
                row.update(
                    cpu_seconds=m["cpu_seconds"],
                    base_cpu_seconds=b["cpu_seconds"],
                    cpu_ratio=round(m["cpu_seconds"] / b["cpu_seconds"], 2),
                )
            row["met"] = row.get("cpu_ratio", row["ratio"]) <= TIME_TARGET
            out.append(row)
    return out


def time_table(rows: list[dict]) -> str:
    lines = [
        f"| scale | command | against | wall | ratio | CPU | CPU ratio | within {TIME_TARGET}x |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cpu = f"{r['cpu_seconds']:.2f} s / {r['base_cpu_seconds']:.2f} s" if "cpu_ratio" in r else ""
        lines.append(
            f"| {r['scale']} ({r['triples']:,}) | {r['what']} | {r['against']} | {r['seconds']:.2f} s / "
            f"{r['base_seconds']:.2f} s | {r['ratio']:.2f} | {cpu} | {r.get('cpu_ratio', '')} | "
            f"{'yes' if r['met'] else 'no'} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--scales", default="real,10k,100k", help="comma-separated: real, 10k, 100k, 1m ... (default: real,10k,100k)"
    )
    ap.add_argument("--repeats", type=int, default=3, help="runs per measurement; the median is reported (default 3)")
    ap.add_argument(
        "--repeats-large",
        type=int,
        default=None,
        metavar="N",
        help="runs per measurement above 50k triples (default: --repeats)",
    )
    ap.add_argument(
        "--repeats-heavy",
        type=int,
        default=None,
        metavar="N",
        help="at most N runs of the heavy measurements (build, validate, export, audit, the baselines' "
        "loads, the audit rules) at every scale (default: as the others)",
    )
    ap.add_argument("--timeout", type=float, default=600, help="seconds before a run is stopped (default 600)")
    ap.add_argument(
        "--work", type=Path, default=REPO / "dist" / "bench", help="generated projects and results (default dist/bench)"
    )
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="use the projects already generated in --work as they are, even if this checkout's graph, "
        "ontology or queries differ (with --only without build: their built release too), and the installed "
        "wheel's venv while the wheel built from this checkout has the same SHA-256",
    )
    ap.add_argument("--json", type=Path, default=None, help="results file (default WORK/bench.json)")
    ap.add_argument(
        "--only",
        default=None,
        help="comma-separated name prefixes of measurements to run (e.g. 'validate,query instruments')",
    )
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()  # the machine may be shared: the load is part of the record
    seeds = REPO / ".." / "shared" / "seeds"  # the real graph's source texts, for copies of it elsewhere
    if "LAOKG_SEEDS" not in os.environ and seeds.is_dir():
        os.environ["LAOKG_SEEDS"] = str(seeds.resolve())
    scales = [bench_scale(s.strip(), args, args.work) for s in args.scales.split(",") if s.strip()]
    text, exps = table(scales)
    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}",
        "repeats": args.repeats,
        "repeats_large": args.repeats_large or args.repeats,
        "load_average": {"start": [round(x, 2) for x in load_before], "end": [round(x, 2) for x in os.getloadavg()]},
    }
    print(
        f"\n{meta['date']} — {meta['machine']}; median of {args.repeats} whole-process runs "
        f"({meta['repeats_large']} above 50k triples); time / peak RSS\n"
    )
    print(text)
    targets = time_targets(scales)
    if targets:
        print(f"\n--as-of and diff against the plain command (issue 20: within {TIME_TARGET}x at 1M triples)\n")
        print(time_table(targets))
    goals = issue21_targets(scales, exps)
    versus = cli_targets(scales)
    if versus:
        print(
            f"\nEvery saved query against Oxigraph's CLI on the same store (issue 21: within {CLI_TARGET}x, "
            f"{CLI_TARGET_SLOW}x where the CLI takes over {CLI_SLOW:.0f} s; paired runs, medians)\n"
        )
        print(cli_table(versus))
        goals += cli_goals(versus)
    print("\nTargets (issue 21):\n")
    print(targets_table(goals))
    out = args.json or args.work / "bench.json"
    out.write_text(
        json.dumps(
            {
                "meta": meta,
                "scales": scales,
                "growth_exponents": exps,
                "time_targets": targets,
                "cli_targets": versus,
                "targets": goals,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"\nJSON: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
