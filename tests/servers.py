"""Real servers for the tests, on 127.0.0.1, started and stopped by the tests themselves:
an Oxigraph server (the ``oxigraph`` command from PyPI ``oxigraph``, in the test extra)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
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


class Oxigraph:
    """``oxigraph serve`` on a fresh store in ``location``, bound to 127.0.0.1."""

    def __init__(self, location: Path, read_only: bool = False):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.query_url = self.base + "/query"
        self.store_url = self.base + "/store"
        self.update_url = self.base + "/update"
        command = [oxigraph_command(), "serve-read-only" if read_only else "serve",
                   "--location", str(location), "--bind", f"127.0.0.1:{self.port}"]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(self.query_url + "?query=ASK%7B%7D", self.proc)
        except Exception:
            self.stop()
            raise

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()

    def count(self) -> int:
        """Triples in the default graph, asked over HTTP."""
        import json

        req = urllib.request.Request(self.query_url, data=b"SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                     headers={"Content-Type": "application/sparql-query",
                                              "Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return int(json.load(r)["results"]["bindings"][0]["n"]["value"])


def push_real_graph(server: Oxigraph) -> None:
    """Load the project's graph into ``server`` with ``laokg push`` (validates, PUTs, verifies)."""
    from click.testing import CliRunner

    from laokg.cli import cli

    from .saved_query_support import ROOT

    result = CliRunner().invoke(cli, ["push", server.store_url, "--endpoint", server.query_url, "--root", str(ROOT)])
    assert result.exit_code == 0, result.output
