"""The stores table of docs/servers.md, from a real run: every parity case (each saved query
with each parameter set of its tests/expected/ file, and every audit rule) on Oxigraph
(``oxigraph serve``, loaded by ``laokg push``), Virtuoso 7 (``virtuoso-t``, loaded by ``laokg
push``), Jena ARQ (Debian's jars, ``arq.sparql`` on the graph's N-Triples, one JVM per case)
and grlc (its Flask app over Oxigraph), each answer rendered as CSV and TSV and compared byte
for byte with the embedded engine's (rdflib).

    python -m tests.server_table            # all four (several minutes on 2 cores)
    python -m tests.server_table oxigraph jena

Prints the Markdown table and a line per case that differs. A store whose software is not
installed is reported as such. Virtuoso's known differences are compared by value with the
rules of tests/test_virtuoso.py (durations and computed booleans as numbers) and counted
apart; its expected failures are listed with their causes. grlc takes one value per
parameter, so the cases giving several values to one parameter are not sent to it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from .parity_support import bindings_of, embedded_outputs, parity_cases, rendered, run_all, text_of

STORES = ("oxigraph", "virtuoso", "jena", "grlc")


def _tally(
    name: str,
    how: str,
    answers: dict[str, str | None],
    want: dict[str, str],
    seconds: float,
    by_value=None,
    expected_failures=None,
) -> dict:
    same, value, differ, errors = [], [], [], []
    for label, got in answers.items():
        if got is None:
            errors.append(label)
        elif got == want[label]:
            same.append(label)
        elif by_value is not None and by_value(label, got):
            value.append(label)
        else:
            differ.append(label)
    return {
        "store": name,
        "how": how,
        "cases": len(answers),
        "same": len(same),
        "by_value": len(value),
        "by_value_cases": value,
        "differ": differ,
        "errors": errors,
        "seconds": seconds,
        "expected": sorted(set(differ) & set(expected_failures or ())),
    }


def run_oxigraph(want, work: Path) -> dict:
    from laokg.query.remote import RemoteEngine

    from .servers import Oxigraph, push_real_graph

    started = time.monotonic()
    server = Oxigraph(work / "oxigraph")
    try:
        push_real_graph(server)
        answers = run_all(RemoteEngine(server.query_url))
    finally:
        server.stop()
    return _tally(
        "Oxigraph (PyPI `oxigraph` server)", "`laokg push`, `--endpoint`", answers, want, time.monotonic() - started
    )


def run_virtuoso(want, work: Path) -> dict:
    from laokg.query.remote import RemoteEngine, RemoteLiteralWarning

    from . import test_virtuoso as tv
    from .servers import Virtuoso, push_to_virtuoso

    started = time.monotonic()
    server = Virtuoso(work / "virtuoso")
    try:
        push_to_virtuoso(server)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RemoteLiteralWarning)
            answers = run_all(RemoteEngine(server.query_url))
    finally:
        server.stop()

    def by_value(label, got):
        name = next(n for lab, n, _ in parity_cases() if lab == label)
        expected = tv._virtuoso_numbers(tv.by_value(want[label]))
        if name in tv.BOOLEAN_AS_INTEGER:
            expected = tv._booleans_as_integers(expected)
        return tv._virtuoso_numbers(got) == expected

    return _tally(
        "Virtuoso 7.2.5 (Debian)",
        "`laokg push --user dba`, `--endpoint …?default-graph-uri=urn%3Alaokg`",
        answers,
        want,
        time.monotonic() - started,
        by_value,
        tv.UNEXPLAINED,
    )


def run_jena(want, work: Path) -> dict:
    from laokg.query.binding import inject_values
    from laokg.query.remote import results_from_json

    from . import jena_support
    from .saved_query_support import real_graph

    if not jena_support.available():
        return {"store": "Jena ARQ (Debian)", "missing": "Jena is not installed (libapache-jena-java)"}
    started = time.monotonic()
    data = work / "graph.nt"
    real_graph().serialize(data, format="nt", encoding="utf-8")
    classpath = jena_support.classpath(work)
    answers = {}
    for i, (label, name, params) in enumerate(parity_cases()):
        bindings = bindings_of(name, params)
        query = work / f"q{i}.rq"
        query.write_text(inject_values(text_of(name), bindings) if bindings else text_of(name), encoding="utf-8")
        done = subprocess.run(
            ["java", "-cp", classpath, "arq.sparql", "--data", str(data), "--query", str(query), "--results=json"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        answers[label] = (
            rendered(results_from_json(done.stdout.encode("utf-8"), "SELECT")) if done.returncode == 0 else None
        )
    version = subprocess.run(
        ["java", "-cp", classpath, "arq.sparql", "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    jena = next((w for w in version if w[:1].isdigit()), "?")
    return _tally(
        f"Jena ARQ {jena} (Debian)",
        "`arq.sparql --data graph.nt`, parameters as laokg's VALUES block",
        answers,
        want,
        time.monotonic() - started,
    )


def run_grlc(want, work: Path) -> dict:
    import os

    from laokg.query.remote import results_from_json

    from .saved_query_support import ROOT
    from .servers import Oxigraph, push_real_graph
    from .test_grlc import Grlc, _grlc_params

    python = os.environ.get("LAOKG_GRLC_PYTHON") or str(ROOT / ".grlc-venv" / "bin" / "python")
    if not Path(python).exists():
        return {"store": "grlc", "missing": "grlc is not installed (set $LAOKG_GRLC_PYTHON)"}
    version = subprocess.run(
        [python, "-c", "import grlc; print(grlc.__version__)"], capture_output=True, text=True, check=False
    ).stdout.strip()
    started = time.monotonic()
    store = Oxigraph(work / "oxigraph-grlc")
    servers = [store]
    answers = {}
    skipped = 0
    try:
        push_real_graph(store)
        queries = Grlc(python, ROOT / "queries", store.query_url, work / "grlc-queries")
        servers.append(queries)
        audit = Grlc(python, ROOT / "queries" / "audit", store.query_url, work / "grlc-audit")
        servers.append(audit)
        for label, name, params in parity_cases():
            if name.startswith("audit/"):
                status, body = audit.get(Path(name).stem)
            else:
                given = _grlc_params(name, params)
                if given is None or len({k for k, _ in params}) < len(params):
                    skipped += 1
                    continue
                status, body = queries.get(name, given)
            answers[label] = rendered(results_from_json(body.encode("utf-8"), "SELECT")) if status == 200 else None
    finally:
        for s in reversed(servers):
            s.stop()
    result = _tally(
        f"grlc {version}",
        "its web API over Oxigraph (one value per parameter)",
        answers,
        want,
        time.monotonic() - started,
    )
    result["skipped"] = skipped
    return result


RUNNERS = {"oxigraph": run_oxigraph, "virtuoso": run_virtuoso, "jena": run_jena, "grlc": run_grlc}


def table(results: list[dict], total: int) -> str:
    lines = ["| store | how run | same answer, byte for byte | by value | differs | run |", "|---|---|---|---|---|---|"]
    for r in results:
        if "missing" in r:
            lines.append(f"| {r['store']} | — | not run: {r['missing']} | | | |")
            continue
        skipped = f" ({r['skipped']} of {total} not expressible)" if r.get("skipped") else ""
        differ = len(r["differ"]) + len(r["errors"])
        lines.append(
            f"| {r['store']} | {r['how']} | {r['same']} / {r['cases']}{skipped} | {r['by_value'] or '—'} | "
            f"{differ or '—'} | {r['seconds']:.0f} s |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    chosen = argv or list(STORES)
    unknown = [s for s in chosen if s not in RUNNERS]
    if unknown:
        print(f"unknown store(s): {', '.join(unknown)}; choose among {', '.join(STORES)}", file=sys.stderr)
        return 2
    want = embedded_outputs()
    work = Path(tempfile.mkdtemp(prefix="laokg-server-table-"))
    results = []
    try:
        for store in chosen:
            try:
                results.append(RUNNERS[store](want, work))
            except Exception as exc:  # a store that cannot start is a row saying so
                results.append({"store": store, "missing": f"{type(exc).__name__}: {exc}"})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table(results, len(want)))
    for r in results:
        for label in r.get("by_value_cases", []):
            print(f"- {r['store']}: {label} (same by value)")
        for label in r.get("differ", []) + r.get("errors", []):
            why = " (expected failure)" if label in r.get("expected", []) else ""
            print(f"- {r['store']}: {label}{why}")
    print(
        json.dumps({r["store"]: {k: v for k, v in r.items() if k != "store"} for r in results}, sort_keys=True),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
