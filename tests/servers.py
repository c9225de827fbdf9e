"""Real servers for the tests, on 127.0.0.1, started and stopped by the tests themselves:
an Oxigraph server (the ``oxigraph`` command from PyPI ``oxigraph``, in the test extra) and
Virtuoso; the start and stop of any server process (also grlc's, tests/test_grlc.py); and
in-process ``http.server`` servers run on a thread."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_command() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        if os.environ.get("CI"):
            pytest.fail("the oxigraph server (PyPI 'oxigraph', in the test extra) is not installed")
        pytest.skip("the oxigraph server (PyPI 'oxigraph') is not installed")
    return found


def wait_for(url: str, proc: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    """Poll ``url`` until it answers (any HTTP status), or fail."""
    # laokg.publish.sparql_server._wait polls the same way, but it is part of what the tests
    # check (`laokg serve`), names a log file and raises the user-facing InputError; the test
    # servers write no log, so a failure here shows the server's own stderr instead.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


def stop_process(proc: subprocess.Popen, stop: int = signal.SIGTERM, grace: float = 10.0) -> None:
    """End a server process: signal ``stop``, SIGKILL if it outlives ``grace`` seconds; close its stderr."""
    if proc.poll() is None:
        proc.send_signal(stop)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr:
        proc.stderr.close()


def await_start(
    url: str, proc: subprocess.Popen, stop: int = signal.SIGTERM, grace: float = 10.0, timeout: float = 60.0
) -> None:
    """:func:`wait_for` ``url``; a server that does not come up is stopped (:func:`stop_process`)."""
    try:
        wait_for(url, proc, timeout)
    except Exception:
        stop_process(proc, stop, grace)
        raise


def serve_in_thread(server) -> str:
    """Run an ``http.server`` server bound to 127.0.0.1 on a daemon thread; its base URL."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def shut_down(server) -> None:
    """Stop a server started with :func:`serve_in_thread` and close its socket."""
    server.shutdown()
    server.server_close()


class Oxigraph:
    """``oxigraph serve`` on a fresh store in ``location``, bound to 127.0.0.1."""

    def __init__(self, location: Path, read_only: bool = False):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.query_url = self.base + "/query"
        self.store_url = self.base + "/store"
        self.update_url = self.base + "/update"
        command = [
            oxigraph_command(),
            "serve-read-only" if read_only else "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{self.port}",
        ]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        await_start(self.query_url + "?query=ASK%7B%7D", self.proc, signal.SIGINT)

    def stop(self) -> None:
        stop_process(self.proc, signal.SIGINT)

    def count(self) -> int:
        """Triples in the default graph, asked over HTTP."""
        import json

        req = urllib.request.Request(
            self.query_url,
            data=b"SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        )
        with urllib.request.urlopen(req, timeout=30) as r:
            return int(json.load(r)["results"]["bindings"][0]["n"]["value"])


def push_real_graph(server: Oxigraph) -> None:
    """Load the project's graph into ``server`` with ``laokg push`` (validates, PUTs, verifies)."""
    from click.testing import CliRunner

    from laokg.cli import cli

    from .saved_query_support import ROOT

    result = CliRunner().invoke(cli, ["push", server.store_url, "--endpoint", server.query_url, "--root", str(ROOT)])
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- Virtuoso (issue 22)

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {d}
CheckpointInterval = 60
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}/www
MaxClientConnections = 5
ServerThreads = 5

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""

VIRTUOSO_GRAPH = "urn:laokg"


def virtuoso_command() -> str:
    found = shutil.which("virtuoso-t")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("virtuoso-t (Debian virtuoso-opensource-7-bin) is not installed; .ci/run installs it")
        pytest.skip("virtuoso-t (Debian virtuoso-opensource-7-bin) is not installed")
    return found


class Virtuoso:
    """``virtuoso-t -f`` on a fresh database in ``location``, its SQL and HTTP ports on 127.0.0.1.

    Its SPARQL default graph is the union of every graph (system graphs included), so the
    tests push the project's graph into :data:`VIRTUOSO_GRAPH` and query through
    ``/sparql?default-graph-uri=…`` (the SPARQL 1.1 Protocol's own parameter)."""

    user, password = "dba", "dba"  # a fresh database's administrator (loopback only, deleted after)

    def __init__(self, location: Path):
        command = virtuoso_command()
        self.location = Path(location)
        (self.location / "www").mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        ini = self.location / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(d=self.location, sql=free_port(), http=self.port), encoding="utf-8")
        self.base = f"http://127.0.0.1:{self.port}"
        self.sparql_url = self.base + "/sparql"
        self.query_url = self.sparql_url + "?default-graph-uri=" + VIRTUOSO_GRAPH.replace(":", "%3A")
        self.store_url = self.base + "/sparql-graph-crud-auth"
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [command, "-f", "-c", str(ini)],
            cwd=self.location,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        await_start(self.sparql_url + "?query=ASK%7B%7D", self.proc, grace=30, timeout=180)
        self.startup_seconds = time.monotonic() - self.started

    def stop(self) -> None:
        stop_process(self.proc, grace=30)

    def push_args(self) -> list[str]:
        return ["push", self.store_url, "--graph", VIRTUOSO_GRAPH, "--endpoint", self.sparql_url, "--user", self.user]


def push_to_virtuoso(server: Virtuoso):
    """``laokg push`` the project's graph into ``server`` (digest auth, verified); the result."""
    from click.testing import CliRunner

    from laokg.cli import cli

    from .saved_query_support import ROOT

    return CliRunner().invoke(
        cli, [*server.push_args(), "--root", str(ROOT)], env={"LAOKG_ENDPOINT_PASSWORD": server.password}
    )
