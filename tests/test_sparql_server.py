"""``laokg serve``: the graph in a real Oxigraph server behind laokg's front on 127.0.0.1, its
query page, and a clean stop on Ctrl-C (SIGINT); ``--api`` adds grlc's web API over the same
server. The hostile cases of issue 17: SERVICE (request forgery), Oxigraph's output (drained to
a log), a query past its deadline (stopped, no core left busy), slow clients, SIGTERM from a
background job."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from .saved_query_support import ROOT, real_graph
from .servers import free_port, serve_in_thread, shut_down


def _interactive():
    """Ctrl-C reaches the server as in a terminal, even when the test run itself was started
    as a background job of a non-interactive shell (which starts its children with SIGINT ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(*args):
    proc = subprocess.Popen(
        [sys.executable, "-m", "laokg", "serve", "--root", str(ROOT), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        preexec_fn=_interactive,
    )
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Press Ctrl-C"):
            return proc, lines
    proc.wait(30)
    raise AssertionError(f"serve stopped: {proc.returncode}: {lines} {proc.stderr.read()}")


def _count(url):
    req = urllib.request.Request(
        url,
        data=b"SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
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
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/update", data=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
        )
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
        result = subprocess.run(
            [sys.executable, "-m", "laokg", "serve", "--root", str(ROOT), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: port {port} on 127.0.0.1 is in use (choose another with --port)"
    ]


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
        req = urllib.request.Request(
            api + "instruments?type=https%3A%2F%2Fw3id.org%2Flaokg%2Fvocab%2Fdoctype%2Fdecree",
            headers={"Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(req, timeout=120) as r:
            rows = json.load(r)["results"]["bindings"]
        assert rows and all(b["type"]["value"].endswith("/doctype/decree") for b in rows)
    finally:
        code, err = _stop(proc)
    assert code == 0, err


# ---------------------------------------------------------------- issue 17: hostile clients


def _children(pid):
    """PIDs whose parent is ``pid`` (from /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d))
    return out


def _tree(pid):
    pids = [pid]
    for c in _children(pid):
        pids += _tree(c)
    return pids


def _running(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _cpu_seconds(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


def _get(port, query, timeout=60, method="GET"):
    """(status, body) of a query sent to the served endpoint."""
    url = f"http://127.0.0.1:{port}/query"
    if method == "GET":
        req = urllib.request.Request(
            url + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": "application/sparql-results+json"}
        )
    else:
        req = urllib.request.Request(
            url,
            data=query.encode("utf-8"),
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


class _Target:
    """A tiny HTTP server on 127.0.0.1 that records every request it gets."""

    def __init__(self):
        hits = self.hits = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                hits.append(self.path)
                body = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"INTERNAL"}}]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = serve_in_thread(self.server) + "/sparql"

    def close(self):
        shut_down(self.server)


def _oxigraph_of(proc):
    kids = [p for p in _tree(proc.pid) if p != proc.pid]
    assert kids, "no Oxigraph child"
    return kids


def test_service_is_refused_and_its_target_gets_no_request():
    target = _Target()
    port = free_port()
    proc, lines = _start("--port", str(port))
    try:
        hostile = [
            f"SELECT * WHERE {{ SERVICE <{target.url}> {{ ?x ?y ?z }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{target.url}> {{ ?x ?y ?z }} }}",
            # no space: Oxigraph reads SERVICE :x
            f"PREFIX : <{target.url}> SELECT * WHERE {{ service:x {{ ?x ?y ?z }} }}",
            f"SELECT * WHERE {{ BIND(<{target.url}> AS ?e) SERVICE ?e {{ ?x ?y ?z }} }}",
            f"SELECT * WHERE {{ # a comment ended by a carriage return\rSERVICE <{target.url}> {{ ?x ?y ?z }} }}",
        ]
        for query in hostile:
            for method in ("GET", "POST"):
                status, body = _get(port, query, method=method)
                assert status == 400, (query, status, body)
                assert body.startswith("refused: SERVICE"), body
                assert len(body.strip().splitlines()) == 1
        # a lone line feed in the head cannot smuggle a second request to Oxigraph
        smuggled = urllib.parse.quote(hostile[0])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(
                f"GET /logo.svg HTTP/1.1\r\nHost: x\r\nX-A: 1\nContent-Length: 0\n\n"
                f"GET /query?query={smuggled} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
            )
            assert s.recv(4096).startswith(b"HTTP/1.1 400 ")
        assert target.hits == []
        # the word in a string, an IRI, a variable or a concept's name is not a SERVICE
        ok = (
            'SELECT ?service WHERE { ?service ?p ?o FILTER(?o != "SERVICE <x> {}") '
            "FILTER(?p != <http://example.org/service>) FILTER(?o != econ:services) } LIMIT 1"
        )
        status, body = _get(port, "PREFIX econ: <https://w3id.org/laokg/vocab/economy/> " + ok)
        assert status == 200, body
        # updates, writes and unknown routes are refused by the front
        for method, path, ctype, data in [
            ("POST", "/update", "application/sparql-update", b"CLEAR ALL"),
            ("POST", "/sparql", "application/sparql-update", b"CLEAR ALL"),
            ("PUT", "/store?default", "application/n-triples", b""),
            ("POST", "/query", "application/x-www-form-urlencoded", b"update=CLEAR+ALL"),
        ]:
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", data=data, method=method, headers={"Content-Type": ctype}
            )
            try:
                urllib.request.urlopen(req, timeout=30)
                raise AssertionError(f"{method} {path} accepted")
            except urllib.error.HTTPError as exc:
                assert exc.code == 403, (path, exc.code)
        assert _count(f"http://127.0.0.1:{port}/query") == len(real_graph())
    finally:
        _stop(proc)
        target.close()


def test_oxigraph_output_is_drained_to_a_log_file(tmp_path):
    """Before: Oxigraph's stderr was an unread pipe; ~270-800 logged errors filled it and the
    server hung. Now its output goes to the log, with the front's refusals."""
    log = tmp_path / "serve.log"
    port = free_port()
    proc, lines = _start("--port", str(port), "--log", str(log))
    try:
        assert f"Log: {log}" in lines
        for child in _oxigraph_of(proc):
            for fd in (1, 2):
                assert os.readlink(f"/proc/{child}/fd/{fd}") == str(log)
        closed = free_port()
        for n in range(400):
            status, body = _get(
                port, f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{closed}/q{n}> {{ ?a ?b ?c }} }}", timeout=30
            )
            assert status == 400
        assert _count(f"http://127.0.0.1:{port}/query") == len(real_graph())
        text = log.read_text(encoding="utf-8")
        assert "Listening for requests" in text  # Oxigraph's own line
        assert text.count("refused: SERVICE") == 400
    finally:
        _stop(proc)
    assert log.exists()  # a log given with --log is kept


LONG_QUERY = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i LIMIT 1"


def _settles(pids, window=2.0, within=60.0):
    """Wait until the processes use (almost) no CPU over ``window`` s; return the CPU seconds of
    the last window, or raise if they never settle within ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        before = _cpu_seconds(pids)
        time.sleep(window)
        used = _cpu_seconds(pids) - before
        if used < 0.1 * window:
            return used
    raise AssertionError(f"still busy after {within:g} s")


def test_a_query_past_its_deadline_is_stopped_and_leaves_no_core_busy(tmp_path):
    """Oxigraph does not cancel ORDER BY: before, a query the client abandoned kept a core busy
    for minutes. Now the answer is an error soon after the deadline and the CPU use stops."""
    log = tmp_path / "serve.log"
    port = free_port()
    proc, _ = _start("--port", str(port), "--query-timeout", "2", "--log", str(log))
    try:
        started = time.monotonic()
        status, body = _get(port, LONG_QUERY, timeout=120)
        elapsed = time.monotonic() - started
        assert status == 503, (status, body[:200])
        assert body.startswith("query timeout: no answer within 2 s"), body
        assert elapsed < 60, elapsed  # 2 s + 2 s grace; generous for a loaded machine
        _settles(_tree(proc.pid))
        # restarted, and answering
        assert _count(f"http://127.0.0.1:{port}/query") == len(real_graph())
        assert "restarting Oxigraph" in log.read_text(encoding="utf-8")
        # a client that gives up early: the query is still stopped at the deadline
        with contextlib.suppress(TimeoutError, OSError):
            _get(port, LONG_QUERY, timeout=1)
        _settles(_tree(proc.pid))
        assert _count(f"http://127.0.0.1:{port}/query") == len(real_graph())
    finally:
        _stop(proc)


def test_half_sent_connections_do_not_block_queries():
    """Before: 300 connections that never finish their request held all of Oxigraph's slots."""
    port = free_port()
    proc, _ = _start("--port", str(port))
    socks = []
    try:
        for _ in range(300):
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            s.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            socks.append(s)
        for _ in range(5):
            assert _count(f"http://127.0.0.1:{port}/query") == len(real_graph())
    finally:
        for s in socks:
            s.close()
        _stop(proc)


def _stop_time(shell_cmd, signum):
    """Start `laokg serve` through ``shell_cmd`` (a format string with {cmd}), send ``signum``
    to laokg, return (seconds until laokg and all its children are gone, their count)."""
    port = free_port()
    cmd = f"{sys.executable} -m laokg serve --root {ROOT} --port {port}"
    shell = subprocess.Popen(
        ["bash", "-c", shell_cmd.format(cmd=cmd)],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                assert _count(f"http://127.0.0.1:{port}/query") == len(real_graph())
                break
            except OSError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
        laokg = [p for p in _children(shell.pid)] if shell_cmd.endswith("wait") else [shell.pid]
        assert len(laokg) == 1
        pids = _tree(laokg[0])
        assert len(pids) >= 2
        started = time.monotonic()
        os.kill(laokg[0], signum)
        while any(_running(p) for p in pids) and time.monotonic() - started < 30:
            time.sleep(0.02)
        return time.monotonic() - started, len(pids)
    finally:
        with contextlib.suppress(OSError):  # already gone
            os.killpg(shell.pid, signal.SIGKILL)
        shell.wait()


def test_serve_started_in_the_background_stops_on_sigterm_and_sigint():
    """A background job of a non-interactive shell starts with SIGINT ignored; before, the child
    inherited it, laokg waited 10 s then killed it (SIGINT was ignored by laokg itself)."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        seconds, n = _stop_time("{cmd} & wait", signum)
        print(f"background job, {signum.name}: {n} processes gone in {seconds:.2f} s")
        assert seconds < 5, seconds  # the requirement is 2 s; some margin for a loaded machine
    seconds, n = _stop_time("exec {cmd}", signal.SIGTERM)
    print(f"foreground, SIGTERM: {n} processes gone in {seconds:.2f} s")
    assert seconds < 5, seconds
