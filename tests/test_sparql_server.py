"""``laokg serve``: the graph in a real Oxigraph server on 127.0.0.1, its query page, and a
clean stop on Ctrl-C (SIGINT); ``--api`` adds grlc's web API over the same server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request

from .saved_query_support import ROOT, real_graph
from .servers import free_port


def _interactive():
    """Ctrl-C reaches the server as in a terminal, even when the test run itself was started
    as a background job of a non-interactive shell (which starts its children with SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(*args):
    proc = subprocess.Popen([sys.executable, "-m", "laokg", "serve", "--root", str(ROOT), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=dict(os.environ, PYTHONUNBUFFERED="1"), preexec_fn=_interactive)
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Press Ctrl-C"):
            return proc, lines
    proc.wait(30)
    raise AssertionError(f"serve stopped: {proc.returncode}: {lines} {proc.stderr.read()}")


def _count(url):
    req = urllib.request.Request(url, data=b"SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                 headers={"Content-Type": "application/sparql-query",
                                          "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return int(json.load(r)["results"]["bindings"][0]["n"]["value"])


def _stop(proc, signum=signal.SIGINT):
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, err


def test_serve_prints_its_urls_answers_and_stops_on_ctrl_c():
    port = free_port()
    proc, lines = _start("--port", str(port))
    try:
        query = f"http://127.0.0.1:{port}/query"
        assert f"SPARQL endpoint: {query}" in lines
        assert f"Query page (YASGUI): http://127.0.0.1:{port}/" in lines
        assert _count(query) == len(real_graph())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as r:
            assert "yasgui" in r.read().decode("utf-8", "replace").lower()
        # read-only: an update is refused
        req = urllib.request.Request(f"http://127.0.0.1:{port}/update", data=b"CLEAR ALL",
                                     headers={"Content-Type": "application/sparql-update"})
        try:
            urllib.request.urlopen(req, timeout=30)
            raise AssertionError("the server accepted an update")
        except urllib.error.HTTPError as exc:
            assert exc.code >= 400
    finally:
        code, err = _stop(proc)
    assert code == 0, err
    assert "Traceback" not in err
    from laokg.publish.sparql_server import port_is_free

    assert port_is_free(port)


def test_serve_stops_cleanly_on_sigterm():
    port = free_port()
    proc, _ = _start("--port", str(port))
    assert _count(f"http://127.0.0.1:{port}/query") == len(real_graph())
    code, err = _stop(proc, signal.SIGTERM)
    assert code == 0, err
    assert err.strip() == "Stopped."
    from laokg.publish.sparql_server import port_is_free

    assert port_is_free(port)


def test_serve_refuses_a_busy_port():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "laokg", "serve", "--root", str(ROOT), "--port", str(port)],
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"Error: port {port} on 127.0.0.1 is in use (choose another with --port)"]


def test_serve_api_runs_grlc_over_the_server():
    from .test_grlc import grlc_python

    python = grlc_python()
    port = free_port()
    api_port = free_port()
    while api_port == port + 1 or api_port == port:
        api_port = free_port()
    proc, lines = _start("--port", str(port), "--api", "--grlc-python", python)
    try:
        api = f"http://127.0.0.1:{port + 1}/api-local/"
        assert f"Web API (grlc): {api}" in lines
        req = urllib.request.Request(api + "instruments?type=https%3A%2F%2Fw3id.org%2Flaokg%2Fvocab%2Fdoctype%2Fdecree",
                                     headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            rows = json.load(r)["results"]["bindings"]
        assert rows and all(b["type"]["value"].endswith("/doctype/decree") for b in rows)
    finally:
        code, err = _stop(proc)
    assert code == 0, err
