"""Serve the graph from a real Oxigraph server behind laokg's own HTTP front, and optionally
the saved-query catalogue as a web API through grlc itself.

:func:`start` loads the project's graph into a fresh Oxigraph store in a temporary directory
(``oxigraph load``), starts ``oxigraph serve-read-only`` on a private 127.0.0.1 port with a
query timeout, and puts :class:`laokg.publish.sparql_front.Front` on the public port: it
refuses ``SERVICE``, updates and writes, bounds slow clients, and restarts Oxigraph when a
query outlives its deadline. Oxigraph's output and the front's log lines go to a log file.
With ``api=True`` it also starts grlc's web app (from its own virtualenv, given by
``grlc_python``) serving ``queries/`` against the front. :func:`stop` ends them all (SIGTERM,
then SIGKILL after 1 s) and removes the store. Both commands come from PyPI: ``oxigraph``
(``pip install 'laokg[server]'``) and ``grlc`` (in a separate environment: its pins clash with ours).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from laokg.errors import InputError

if TYPE_CHECKING:
    from laokg.publish.sparql_front import Front, Log, OxigraphBackend

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
    raise InputError(
        f"--api needs grlc in its own environment: python3 -m venv .grlc-venv && "
        f".grlc-venv/bin/pip install grlc==1.3.11, then --grlc-python .grlc-venv/bin/python "
        f"(or set ${GRLC_ENV})"
    )


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


def _wait(url: str, proc: subprocess.Popen, what: str, log_path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise InputError(f"{what} stopped at start (exit {proc.returncode}; see {log_path})")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise InputError(f"{what} did not answer at {url} within {timeout:g} s")


@dataclass
class Served:
    """What :func:`start` started: the query URL, the YASGUI page, the grlc API (if any), the log."""

    query_url: str
    page_url: str
    triples: int
    log_path: str
    query_timeout: int
    api_url: str | None = None
    processes: list = field(default_factory=list)  # grlc, if any
    workdir: str | None = None
    front: Front | None = None
    backend: OxigraphBackend | None = None
    log: Log | None = None

    def alive(self) -> bool:
        return self.front is not None and self.front.alive() and all(p.poll() is None for p in self.processes)

    def pids(self) -> list[int]:
        """The child processes now running (Oxigraph, grlc)."""
        procs = list(self.processes) + ([self.backend.proc] if self.backend and self.backend.proc else [])
        return [p.pid for p in procs if p.poll() is None]


def start(
    root=None,
    extra=(),
    port: int | None = None,
    api: bool = False,
    api_port: int | None = None,
    grlc_python: str | None = None,
    host: str = "127.0.0.1",
    query_timeout: int | None = None,
    log_path: str | None = None,
) -> Served:
    """Load the graph into a fresh Oxigraph store and serve it read-only on ``host:port``."""
    from laokg.graph.export import serialize
    from laokg.graph.load import load_data_graph
    from laokg.graph.project import find_root
    from laokg.publish.sparql_front import DEFAULT_QUERY_TIMEOUT, Front, Log, OxigraphBackend, spawn

    command = oxigraph_command()
    python = grlc_command(grlc_python) if api else None
    port = port or 7878
    query_timeout = query_timeout or DEFAULT_QUERY_TIMEOUT
    if not port_is_free(port, host):
        raise InputError(f"port {port} on {host} is in use (choose another with --port)")
    if api:
        api_port = api_port or port + 1
        if not port_is_free(api_port, host):
            raise InputError(f"port {api_port} on {host} (for the API) is in use")
    graph = load_data_graph(root, extra)
    workdir = tempfile.mkdtemp(prefix="laokg-serve-")
    log_path = str(Path(log_path).resolve()) if log_path else str(Path(workdir) / "serve.log")
    try:
        log = Log(log_path)
    except OSError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        raise InputError(f"{log_path}: cannot write the log ({exc.strerror or exc})") from None
    served = Served(
        f"http://{host}:{port}/query",
        f"http://{host}:{port}/",
        len(graph),
        log_path,
        query_timeout,
        workdir=workdir,
        log=log,
    )
    try:
        data = Path(workdir) / "laokg.nt"
        data.write_bytes(serialize(graph, "nt"))
        store = Path(workdir) / "store"
        loaded = subprocess.run(
            [command, "load", "--location", str(store), "--file", str(data)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if loaded.returncode != 0:
            last = (loaded.stderr.strip().splitlines() or ["no message"])[-1]
            raise InputError(f"oxigraph load failed: {last}")
        data.unlink()
        served.backend = OxigraphBackend(command, str(store), query_timeout, log)
        try:
            served.backend.start()
        except RuntimeError as exc:
            raise InputError(str(exc)) from None
        served.front = Front(served.backend, host, port, log)
        try:
            served.front.start()
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
        if python is not None:  # --api
            conf = Path(workdir) / "grlc"
            conf.mkdir()
            queries = find_root(root) / "queries"
            (conf / "config.ini").write_text(
                f"[defaults]\nsparql_endpoint = {served.query_url}\ndebug = False\n\n"
                f"[local]\nlocal_sparql_dir = {queries}\n",
                encoding="utf-8",
            )
            code = (
                "from grlc.server import app; "
                f"app.run(host={host!r}, port={api_port}, threaded=True, use_reloader=False)"
            )
            gproc = spawn([python, "-c", code], log, cwd=conf)
            served.processes.append(gproc)
            served.api_url = f"http://{host}:{api_port}/api-local/"
            _wait(f"http://{host}:{api_port}/", gproc, "grlc", log_path)
        return served
    except BaseException:
        stop(served)
        raise


def stop(served: Served) -> None:
    """End everything :func:`start` started (SIGTERM, SIGKILL after 1 s) and remove its store
    (and the log, unless it was given)."""
    from laokg.publish.sparql_front import end_process

    if served.front is not None:
        served.front.stop()
    for proc in reversed(served.processes):
        end_process(proc)
    if served.backend is not None:
        served.backend.stop()
    if served.log is not None:
        served.log.close()
    if served.workdir:
        shutil.rmtree(served.workdir, ignore_errors=True)
