"""The saved-query catalogue works with grlc itself (PyPI ``grlc``, run from its own
virtualenv because its pins clash with ours): grlc serves ``queries/`` (its local-files mode:
``local_sparql_dir`` in its ``config.ini``) against a real Oxigraph server loaded with the
graph, and every saved query, with and without its optional parameters, returns through grlc
the rows ``laokg query run`` returns. A second grlc instance serves ``queries/audit``.

grlc's environment: ``$LAOKG_GRLC_PYTHON`` or ``ROOT/.grlc-venv/bin/python`` (``.ci/run``
creates it: ``python3 -m venv .grlc-venv && .grlc-venv/bin/pip install grlc==1.3.11``).
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .parity_support import parity_cases, rendered
from .saved_query_support import ROOT, bind, catalogue, query_names
from .servers import Oxigraph, await_start, free_port, push_real_graph, stop_process

GRLC_VERSION = "1.3.11"


def grlc_python() -> str:
    candidates = [os.environ.get("LAOKG_GRLC_PYTHON"), str(ROOT / ".grlc-venv" / "bin" / "python")]
    for c in candidates:
        if c and Path(c).exists():
            probe = subprocess.run(
                [c, "-c", "import grlc, sys; sys.stdout.write(grlc.__version__)"], capture_output=True, text=True
            )
            if probe.returncode == 0:
                return c
    message = (
        "grlc is not installed: python3 -m venv .grlc-venv && "
        f".grlc-venv/bin/pip install grlc=={GRLC_VERSION} (or set $LAOKG_GRLC_PYTHON)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class Grlc:
    """grlc's Flask app on 127.0.0.1, serving the .rq files of ``folder`` against ``endpoint``."""

    def __init__(self, python: str, folder: Path, endpoint: str, workdir: Path):
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "config.ini").write_text(
            f"[defaults]\nsparql_endpoint = {endpoint}\ndebug = False\n\n[local]\nlocal_sparql_dir = {folder}\n",
            encoding="utf-8",
        )
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        code = (
            "from grlc.server import app; "
            f"app.run(host='127.0.0.1', port={self.port}, threaded=False, use_reloader=False)"
        )
        self.proc = subprocess.Popen(
            [python, "-c", code], cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        await_start(self.base + "/", self.proc)

    def stop(self):
        stop_process(self.proc)

    def get(self, path: str, params: list[tuple[str, str]] = ()) -> tuple[int, str]:
        url = f"{self.base}/api-local/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def spec(self) -> dict:
        with urllib.request.urlopen(self.base + "/api-local/swagger", timeout=300) as r:
            return json.load(r)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    python = grlc_python()
    store = Oxigraph(tmp_path_factory.mktemp("oxigraph-grlc"))
    started = [store]
    try:
        push_real_graph(store)
        work = tmp_path_factory.mktemp("grlc")
        queries = Grlc(python, ROOT / "queries", store.query_url, work / "queries")
        started.append(queries)
        audit = Grlc(python, ROOT / "queries" / "audit", store.query_url, work / "audit")
        started.append(audit)
        yield queries, audit
    finally:
        for s in reversed(started):
            s.stop()


def _grlc_value(term) -> str:
    """What a user types into grlc for a parameter: the full IRI, or the literal's lexical form."""
    return str(term)


def _grlc_params(name: str, params) -> list[tuple[str, str]] | None:
    """The case's parameters as grlc query arguments; None when grlc cannot express them
    (several values for one parameter: grlc takes one)."""
    sq = catalogue()[name]
    bound = bind(name, params)
    given = {p for p, _ in params}
    out = []
    for p in sq.parameters:
        terms = bound.get(p.variable)
        if not terms or p.name not in given:
            continue
        if len(terms) > 1:
            return None
        out.append((p.name, _grlc_value(terms[0])))
    return out


def _cases():
    out = []
    for label, name, params in parity_cases():
        if name.startswith("audit/"):
            continue
        if len({k for k, _ in params}) < len(params):
            continue  # several values for one parameter: laokg-only (grlc takes one value per parameter)
        out.append(pytest.param(name, params, id=label))
    return out


def _as_result(text: str):
    from laokg.query.remote import results_from_json

    return results_from_json(text.encode("utf-8"), "SELECT")


@pytest.mark.parametrize("name, params", _cases())
def test_every_saved_query_through_grlc(servers, name, params):
    from .saved_query_support import run_embedded

    grlc_params = _grlc_params(name, params)
    status, body = servers[0].get(name, grlc_params)
    assert status == 200, f"grlc answered {status}: {body[:300]}"
    try:
        got = _as_result(body)
    except ValueError:
        pytest.fail(f"grlc did not return SPARQL results: {body[:300]}")
    want = run_embedded(name, params)
    assert rendered(got) == rendered(want)


def test_every_optional_parameter_is_exercised_through_grlc():
    """Each optional parameter is given, alone, in at least one single-valued case."""
    from .saved_query_support import cases

    missing = []
    for name in query_names():
        given = set()
        for case in cases(name):
            gp = _grlc_params(name, [tuple(p) for p in case["params"]])
            given |= {n for n, _ in gp or []}
        for p in catalogue()[name].parameters:
            if p.name not in given:
                missing.append(f"{name}: {p.name}")
    assert not missing, "parameters no expected case gives through grlc: " + ", ".join(missing)


def test_grlc_exposes_every_query_with_laokg_parameter_names(servers):
    spec = servers[0].spec()
    paths = spec["paths"]
    for name in query_names():
        op = paths.get(f"/{name}", {}).get("get")
        assert op is not None, f"grlc does not serve {name}"
        grlc_names = sorted(
            p["name"]
            for p in op.get("parameters", [])
            if p.get("in") == "query" and p["name"] not in ("endpoint", "page")
        )
        assert grlc_names == sorted(p.name for p in catalogue()[name].parameters), name


@pytest.mark.parametrize("path", sorted((ROOT / "queries" / "audit").glob("*.rq")), ids=lambda p: p.stem.split("-")[0])
def test_every_audit_rule_through_a_second_grlc(servers, path):
    from laokg.query.engines import EmbeddedEngine

    from .saved_query_support import real_graph

    status, body = servers[1].get(path.stem)
    assert status == 200, f"grlc answered {status}: {body[:300]}"
    got = _as_result(body)
    want = EmbeddedEngine(real_graph()).run(path.read_text(encoding="utf-8"), source=path.name)
    assert rendered(got) == rendered(want)
