"""Serve the graph from a real Oxigraph server, and optionally the saved-query catalogue as a
web API through grlc itself.

:func:`start` loads the project's graph into a fresh Oxigraph store in a temporary directory
(``oxigraph load``), starts ``oxigraph serve-read-only`` bound to 127.0.0.1 and waits until it
answers; with ``api=True`` it also starts grlc's web app (from its own virtualenv, given by
``grlc_python``) serving ``queries/`` against that server. :func:`stop` ends both and removes
the store. Both commands come from PyPI: ``oxigraph`` (``pip install 'laokg[server]'``) and
``grlc`` (in a separate environment: its pins clash with ours).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from laokg.errors import InputError

GRLC_ENV = "LAOKG_GRLC_PYTHON"


def oxigraph_command() -> str:
    """The ``oxigraph`` server command (PyPI ``oxigraph``), or InputError saying how to get it."""
    found = shutil.which("oxigraph")
    if not found:
        beside = Path(sys.executable).parent / "oxigraph"
        found = str(beside) if beside.exists() else None
    if not found:
        raise InputError("the Oxigraph server is not installed: pip install 'laokg[server]' (PyPI package 'oxigraph')")
    return found


def grlc_command(python: str | None = None) -> str:
    """A Python that can ``import grlc``: ``python``, ``$LAOKG_GRLC_PYTHON`` or ROOT/.grlc-venv."""
    candidates = [python, os.environ.get(GRLC_ENV)]
    for c in candidates:
        if c:
            if not Path(c).exists():
                raise InputError(f"{c}: no such Python for grlc")
            return c
    raise InputError(f"--api needs grlc in its own environment: python3 -m venv .grlc-venv && "
                     f".grlc-venv/bin/pip install grlc==1.3.11, then --grlc-python .grlc-venv/bin/python "
                     f"(or set ${GRLC_ENV})")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on ``port`` now (as servers do, with SO_REUSEADDR: a
    connection of a stopped server still in TIME_WAIT does not hold the port)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _wait(url: str, proc: subprocess.Popen, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().strip().splitlines() if proc.stderr else []
            raise InputError(f"{what} stopped at start (exit {proc.returncode}): {err[-1] if err else 'no message'}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise InputError(f"{what} did not answer at {url} within {timeout:g} s")


def _end(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr:
        proc.stderr.close()


@dataclass
class Served:
    """What :func:`start` started: the query URL, the YASGUI page, the grlc API (if any)."""

    query_url: str
    page_url: str
    triples: int
    api_url: str | None = None
    processes: list = field(default_factory=list)
    workdir: str | None = None

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.processes)


def start(root=None, extra=(), port: int | None = None, api: bool = False, api_port: int | None = None,
          grlc_python: str | None = None, host: str = "127.0.0.1") -> Served:
    """Load the graph into a fresh Oxigraph store and serve it read-only on ``host:port``."""
    from laokg.graph.export import serialize
    from laokg.graph.load import find_root, load_data_graph

    command = oxigraph_command()
    python = grlc_command(grlc_python) if api else None
    port = port or 7878
    if not port_is_free(port, host):
        raise InputError(f"port {port} on {host} is in use (choose another with --port)")
    if api:
        api_port = api_port or port + 1
        if not port_is_free(api_port, host):
            raise InputError(f"port {api_port} on {host} (for the API) is in use")
    graph = load_data_graph(root, extra)
    workdir = tempfile.mkdtemp(prefix="laokg-serve-")
    served = Served(f"http://{host}:{port}/query", f"http://{host}:{port}/", len(graph), workdir=workdir)
    try:
        data = Path(workdir) / "laokg.nt"
        data.write_bytes(serialize(graph, "nt"))
        store = Path(workdir) / "store"
        loaded = subprocess.run([command, "load", "--location", str(store), "--file", str(data)],
                                capture_output=True, text=True)
        if loaded.returncode != 0:
            last = (loaded.stderr.strip().splitlines() or ["no message"])[-1]
            raise InputError(f"oxigraph load failed: {last}")
        proc = subprocess.Popen([command, "serve-read-only", "--location", str(store), "--bind", f"{host}:{port}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        served.processes.append(proc)
        _wait(served.query_url + "?query=ASK%7B%7D", proc, "the Oxigraph server")
        if api:
            conf = Path(workdir) / "grlc"
            conf.mkdir()
            queries = find_root(root) / "queries"
            (conf / "config.ini").write_text(
                f"[defaults]\nsparql_endpoint = {served.query_url}\ndebug = False\n\n[local]\nlocal_sparql_dir = {queries}\n",
                encoding="utf-8")
            code = ("from grlc.server import app; "
                    f"app.run(host={host!r}, port={api_port}, threaded=True, use_reloader=False)")
            gproc = subprocess.Popen([python, "-c", code], cwd=conf, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
            served.processes.append(gproc)
            served.api_url = f"http://{host}:{api_port}/api-local/"
            _wait(f"http://{host}:{api_port}/", gproc, "grlc")
        return served
    except BaseException:
        stop(served)
        raise


def stop(served: Served) -> None:
    """End every process :func:`start` started and remove its store."""
    for proc in reversed(served.processes):
        _end(proc)
    if served.workdir:
        shutil.rmtree(served.workdir, ignore_errors=True)
