"""The HTTP front of ``laokg serve``: laokg's own server on the public port, in front of an
Oxigraph server bound to a private loopback port.

Oxigraph executes ``SERVICE`` (a request forger against the host's network), has no deadline
for a query whose evaluation ignores its cancellation (``ORDER BY``), and serves at most
``128 x cores`` connections, which slow clients can hold. The front:

* answers only Oxigraph's read routes (``/``, its YASGUI files, ``/query``, ``/sparql``,
  ``GET /store``); updates and writes get 403, anything else 404/405;
* checks every query (:func:`service_refusal`) and refuses ``SERVICE`` with a 400 and one
  line, then sends Oxigraph a request it rebuilt itself (the checked text as the body), so what
  runs is exactly what was checked;
* reads a request's head within :data:`HEAD_TIMEOUT` and its body within
  :data:`BODY_TIMEOUT`, holds at most :data:`MAX_CONNECTIONS` connections (a new one
  evicts the oldest that has not finished sending its request), serves them all from one
  asyncio loop (a hung client costs a socket, not a thread);
* passes the query timeout to Oxigraph (``--timeout-s``), and if Oxigraph has not finished
  :data:`GRACE` seconds after it, answers 503 and restarts Oxigraph (the only way to stop a
  query Oxigraph does not cancel), so no query keeps a core busy after its deadline;
* writes Oxigraph's output and its own log lines to a log file (never an unread pipe).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import threading
import time
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

HEAD_TIMEOUT = 10.0  #: seconds to receive a request line and headers
BODY_TIMEOUT = 30.0  #: seconds to receive a request body
WRITE_TIMEOUT = 30.0  #: seconds a client may take to accept the next piece of an answer
MAX_HEAD_BYTES = 32 * 1024
MAX_QUERY_BYTES = 1024 * 1024  #: largest request body (a query or a form)
MAX_CONNECTIONS = 256
GRACE = 2.0  #: seconds after the query timeout before Oxigraph is restarted
LOG_MAX_BYTES = 10 * 1024 * 1024  #: the log is cut to its last half past this size
DEFAULT_QUERY_TIMEOUT = 30

# ---------------------------------------------------------------- the SERVICE check

_HEXU = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"""\\[tbnrf"'\\]"""
# The four string forms exactly as Oxigraph's grammar reads them (greedy, first ''' ends a long one).
_TOKEN = re.compile(
    rf"""(?P<str>'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_HEXU}))*'''"""
    rf'''|"""(?:(?:""|")?(?:[^"\\]|{_ECHAR}|{_HEXU}))*"""'''
    rf"""|'(?:[^'\\\n\r]|{_ECHAR}|{_HEXU})*'"""
    rf"""|"(?:[^"\\\n\r]|{_ECHAR}|{_HEXU})*")"""
    r"""|(?P<badstr>['"])"""
    r"""|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)"""
    r"""|(?P<comment>\#[^\r\n]*)"""
    r"""|(?P<var>[?$][A-Za-z0-9_]+)"""
    r"""|(?P<code>\\[\s\S]|[^'"<\#?$\\]+|[<?$])""",
)
# A run of characters that may belong to one prefixed name (escapes included).
_RUN = re.compile(r"(?:[\w\-.:%\u00b7]|\\[\s\S]|[^\x00-\x7f])+")
_SERVICE = re.compile("service", re.IGNORECASE)
_WORD_BEFORE = re.compile(r"[\w\-%\u00b7]|[^\x00-\x7f]")


def _code(text: str) -> str | None:
    """``text`` with strings, IRIs, comments and variable names blanked; None if a string is malformed."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "badstr":
            return None
        out.append(m.group() if kind == "code" else " ")
    return "".join(out)


def _unescape_codepoints(text: str) -> str:
    """SPARQL 1.1's ``\\uXXXX``/``\\UXXXXXXXX`` escapes, expanded before parsing by some Oxigraph versions."""

    def sub(m):
        try:
            return chr(int(m.group()[2:], 16))
        except ValueError:
            return m.group()

    return re.sub(_HEXU, sub, text)


def _refusal_in(text: str) -> str | None:
    code = _code(text)
    if code is None:
        return "refused: a string literal is not closed or has an invalid escape"
    for run in _RUN.finditer(code):
        word = run.group()
        for m in _SERVICE.finditer(word):
            k = m.start()
            before = word[:k]
            # Inside the local part of a prefixed name, after a letter or digit: Oxigraph reads
            # the whole name (or, if its IRI is invalid, stops at the colon, and then a word
            # glued to another term is a syntax error).
            if ":" in before and _WORD_BEFORE.fullmatch(before[-1]):
                continue
            rest = word[m.end() :]
            if rest[:6].lower() == "silent":
                rest = rest[6:]
            # Otherwise Oxigraph may read SERVICE as its keyword (it needs no space after a
            # keyword): what follows is its endpoint unless it cannot start an IRI or variable.
            if not rest or ":" in rest:
                return (
                    "refused: SERVICE would make this server query another endpoint; it answers "
                    "only from its own graph (write a prefixed name containing 'service' as a full <IRI>)"
                )
    return None


def service_refusal(text: str) -> str | None:
    """Why the served endpoint refuses ``text`` (one line), or None.

    Conservative and linear: the word ``service`` outside strings, IRIs, comments and
    variable names is refused wherever Oxigraph could read it as its ``SERVICE`` keyword (its
    grammar needs no space around keywords, and a prefixed name whose IRI is invalid stops at
    its colon), checked on the text as sent and with ``\\u`` escapes expanded.
    """
    reason = _refusal_in(text)
    if reason is None and ("\\u" in text or "\\U" in text):
        reason = _refusal_in(_unescape_codepoints(text))
    return reason


# ---------------------------------------------------------------- the log


class Log:
    """An append-only log file shared by Oxigraph (its stdout/stderr) and the front."""

    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.fd = fd

    def write(self, line: str) -> None:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        clean = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in line)[:2000]
        with self._lock, contextlib.suppress(OSError):
            os.write(self.fd, f"{stamp} laokg: {clean}\n".encode("utf-8", "replace"))

    def trim(self) -> None:
        """Keep the file under :data:`LOG_MAX_BYTES` (copy the last half, truncate, append it back)."""
        with self._lock:
            try:
                size = os.fstat(self.fd).st_size
                if size <= LOG_MAX_BYTES:
                    return
                with open(self.path, "rb") as f:
                    f.seek(size - LOG_MAX_BYTES // 2)
                    tail = f.read()
                os.ftruncate(self.fd, 0)
                os.write(self.fd, b"[earlier lines removed]\n" + tail[tail.find(b"\n") + 1 :])
            except OSError:
                pass

    def close(self) -> None:
        os.close(self.fd)


# ---------------------------------------------------------------- the Oxigraph child

_libc: ctypes.CDLL | Literal[False] | None = None  # False: no C library to call


def _prepare_child_setup():
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL(None, use_errno=True)
            _libc.signal.restype = ctypes.c_void_p
            _libc.signal.argtypes = [ctypes.c_int, ctypes.c_void_p]
        except (OSError, AttributeError):
            _libc = False


def _child_setup():  # runs in the child between fork and exec: no imports, no allocation-heavy work
    signal.pthread_sigmask(signal.SIG_SETMASK, ())
    if _libc:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT):
            _libc.signal(signum, None)  # SIG_DFL: an ignored SIGINT of a background job is not inherited
        with contextlib.suppress(AttributeError):  # no prctl: not Linux
            _libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG: die with laokg, even on SIGKILL
    os.setpgid(0, 0)  # own process group: a terminal's Ctrl-C reaches laokg, which stops it


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that nothing listens on now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def end_process(proc: subprocess.Popen, wait: float = 1.0) -> None:
    """SIGTERM, then SIGKILL after ``wait`` seconds."""
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def spawn(argv: list[str], log: Log, cwd=None) -> subprocess.Popen:
    """Start a child with default signal handling, its output appended to ``log``."""
    _prepare_child_setup()
    return subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=log.fd, stderr=log.fd, cwd=cwd, preexec_fn=_child_setup, close_fds=True
    )


class OxigraphBackend:
    """``oxigraph serve-read-only`` on ``store``, bound to a private 127.0.0.1 port, restartable."""

    def __init__(self, command: str, store: str, timeout: int, log: Log):
        self.command, self.store, self.timeout, self.log = command, store, timeout, log
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.restarts = 0

    def spawn(self) -> subprocess.Popen:
        self.port = free_port()
        self.proc = proc = spawn(
            [
                self.command,
                "serve-read-only",
                "--location",
                self.store,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout-s",
                str(self.timeout),
            ],
            self.log,
        )
        return proc

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                s.sendall(b"GET /query?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                return s.recv(12).startswith(b"HTTP/1.1 ")
        except OSError:
            return False

    def start(self, wait: float = 60.0) -> None:
        proc = self.spawn()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"the Oxigraph server stopped at start (exit {proc.returncode}; see {self.log.path})"
                )
            if self.ready():
                return
            time.sleep(0.05)
        raise RuntimeError(f"the Oxigraph server did not answer within {wait:g} s (see {self.log.path})")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is not None:
            end_process(self.proc)


# ---------------------------------------------------------------- the front server

_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_READ_PATHS = {"/", "/yasgui.min.css", "/yasgui.min.js", "/logo.svg"}
_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"}


class _Reject(Exception):
    def __init__(self, status: int, reason: str, text: str):
        super().__init__(text)
        self.status, self.reason, self.text = status, reason, text


class _Conn:
    __slots__ = ("writer", "task", "started", "head_done")

    def __init__(self, writer, task):
        self.writer, self.task, self.started, self.head_done = writer, task, time.monotonic(), False


class Front:
    """The public server: runs an asyncio loop in a thread of its own."""

    def __init__(self, backend: OxigraphBackend, host: str, port: int, log: Log):
        self.backend, self.host, self.port, self.log = backend, host, port, log
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="laokg-serve-front", daemon=True)
        self.conns: dict[int, _Conn] = {}
        self.failed: str | None = None
        self._server: asyncio.Server | None = None
        # bound to the server's loop on first use (Python 3.10+), in the thread that runs it
        self._restarting = asyncio.Lock()
        self._started = threading.Event()
        self._start_error: BaseException | None = None
        self._generation = 0

    # -- lifecycle (called from the main thread)
    def start(self) -> None:
        self.thread.start()
        self._started.wait(30)
        if self._start_error is not None:
            raise self._start_error

    def alive(self) -> bool:
        return self.thread.is_alive() and self.failed is None

    def stop(self) -> None:
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self._shutdown)
            self.thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(512)
            self._server = self.loop.run_until_complete(
                asyncio.start_server(self._accept, sock=sock, limit=MAX_HEAD_BYTES)
            )
        except BaseException as exc:  # handed to the starting thread
            self._start_error = exc
            self._started.set()
            return
        self._started.set()
        self.loop.create_task(self._housekeeping())
        try:
            self.loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            for t in pending:
                t.cancel()
            self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for conn in list(self.conns.values()):
            conn.task.cancel()
            conn.writer.transport.abort()
        self.loop.stop()

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.log.trim()
            proc = self.backend.proc
            if not self.backend.alive() and not self._restarting.locked():
                self.log.write(f"the Oxigraph server exited ({proc.returncode if proc else None}); restarting it")
                await self._restart()

    async def _restart(self) -> None:
        async with self._restarting:
            generation = self._generation
            self.backend.stop()
            self._generation += 1
            self.backend.restarts += 1
            try:
                await self.loop.run_in_executor(None, self.backend.start)
            except RuntimeError as exc:
                self.failed = str(exc)
                self.log.write(f"restart failed: {exc}")
                return
            self.log.write(f"Oxigraph restarted (generation {generation + 1}, port {self.backend.port})")

    # -- connections
    async def _accept(self, reader, writer) -> None:
        task = asyncio.current_task()
        key = id(task)
        if len(self.conns) >= MAX_CONNECTIONS:
            waiting = [c for c in self.conns.values() if not c.head_done]
            if waiting:
                oldest = min(waiting, key=lambda c: c.started)
                oldest.writer.transport.abort()
                oldest.task.cancel()
            else:
                writer.write(_plain(503, "Service Unavailable", "too many connections; try again"))
                writer.transport.abort()
                return
        conn = _Conn(writer, task)
        self.conns[key] = conn
        try:
            await self._serve(reader, writer, conn)
        except (
            ConnectionError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            TimeoutError,
            asyncio.TimeoutError,
            ValueError,
        ):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            self.conns.pop(key, None)
            writer.close()

    async def _serve(self, reader, writer, conn: _Conn) -> None:
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
            except asyncio.LimitOverrunError:
                raise _Reject(431, "Request Header Fields Too Large", "request head too large") from None
            method, target, headers = _parse_head(head)
            body = await asyncio.wait_for(_read_body(reader, headers), BODY_TIMEOUT)
            conn.head_done = True
            upstream = self._route(method, target, headers, body)
        except _Reject as rej:
            if rej.status == 400 and rej.text.startswith("refused"):
                peer = writer.get_extra_info("peername")
                self.log.write(f"{peer[0] if peer else '?'}: {rej.text}")
            writer.write(_plain(rej.status, rej.reason, rej.text))
            await asyncio.wait_for(writer.drain(), WRITE_TIMEOUT)
            return
        await self._forward(upstream, method, writer)

    def _route(self, method: str, target: str, headers: dict, body: bytes) -> bytes:
        parts = urlsplit(target)
        path = parts.path
        accept = headers.get("accept", "*/*")
        if path in ("/query", "/sparql"):
            if method not in ("GET", "POST"):
                raise _Reject(405, "Method Not Allowed", f"{method} is not allowed on {path}")
            params = _params(parts.query)
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            if method == "POST":
                if ctype == "application/sparql-query":
                    params.append(("query", _utf8(body)))
                elif ctype == "application/x-www-form-urlencoded":
                    params.extend(_params(_utf8(body)))
                elif ctype == "application/sparql-update":
                    raise _Reject(403, "Forbidden", "this server is read-only: updates are refused")
                else:
                    raise _Reject(
                        415,
                        "Unsupported Media Type",
                        "send the query as application/sparql-query or application/x-www-form-urlencoded",
                    )
            if any(k == "update" for k, _ in params):
                raise _Reject(403, "Forbidden", "this server is read-only: updates are refused")
            queries = [v for k, v in params if k == "query"]
            if len(queries) > 1:
                raise _Reject(400, "Bad Request", "more than one query parameter")
            rest = urlencode([(k, v) for k, v in params if k != "query"])
            if not queries:
                return _request("GET", "/query" + ("?" + rest if rest else ""), self._host(), accept)
            reason = service_refusal(queries[0])
            if reason:
                raise _Reject(400, "Bad Request", reason)
            return _request(
                "POST",
                "/query" + ("?" + rest if rest else ""),
                self._host(),
                accept,
                queries[0].encode("utf-8"),
                "application/sparql-query; charset=utf-8",
            )
        if path == "/update":
            raise _Reject(403, "Forbidden", "this server is read-only: updates are refused")
        if path.startswith("/store"):
            if method not in ("GET", "HEAD"):
                raise _Reject(403, "Forbidden", "this server is read-only: the store cannot be changed")
            return _request(method, target, self._host(), accept)
        if path in _READ_PATHS:
            if method not in ("GET", "HEAD"):
                raise _Reject(405, "Method Not Allowed", f"{method} is not allowed on {path}")
            return _request(method, target, self._host(), accept)
        raise _Reject(404, "Not Found", f"no such resource: {path[:200]}")

    def _host(self) -> str:
        return f"{self.host}:{self.port}" if ":" not in self.host else f"[{self.host}]:{self.port}"

    async def _forward(self, upstream_request: bytes, method: str, writer) -> None:
        """Send the rebuilt request to Oxigraph and relay its answer, under the hard deadline."""
        generation = self._generation
        deadline = self.backend.timeout + GRACE
        try:
            ureader, uwriter = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.backend.port, limit=MAX_HEAD_BYTES), 10
            )
        except (OSError, asyncio.TimeoutError):
            writer.write(_plain(503, "Service Unavailable", "the query engine is restarting; try again"))
            await asyncio.wait_for(writer.drain(), WRITE_TIMEOUT)
            return
        client_open = True
        sent_head = False
        finished = False

        async def relay():
            nonlocal client_open, sent_head, finished
            uwriter.write(upstream_request)
            await uwriter.drain()
            head = await ureader.readuntil(b"\r\n\r\n")
            status_line, _, rest = head.decode("latin-1").partition("\r\n")
            lines = [status_line]
            for line in rest.split("\r\n"):
                name = line.split(":", 1)[0].strip().lower()
                if line and name not in _HOP:
                    lines.append(line)
            lines.append("Connection: close")
            out = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            while True:
                if client_open:
                    try:
                        writer.write(out)
                        await asyncio.wait_for(writer.drain(), WRITE_TIMEOUT)
                        sent_head = True
                    except (ConnectionError, asyncio.TimeoutError):
                        client_open = False
                        writer.transport.abort()
                out = await ureader.read(65536)
                if not out:
                    finished = True
                    return

        task = asyncio.ensure_future(relay())
        try:
            await asyncio.wait_for(asyncio.shield(task), deadline)
        except (asyncio.TimeoutError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            if not task.done():
                task.cancel()
            uwriter.transport.abort()
        if finished:
            return
        if (
            task.done()
            and not task.cancelled()
            and task.exception() is not None
            and not isinstance(task.exception(), asyncio.TimeoutError)
        ):
            # Oxigraph closed the connection early (a restart, a crash): nothing runs there now.
            if not sent_head and client_open:
                writer.write(_plain(502, "Bad Gateway", "the query engine closed the connection"))
            return
        # Past its deadline and Oxigraph still working: it did not cancel the query; restart it.
        self.log.write(f"a query ran past {self.backend.timeout} s + {GRACE:g} s; restarting Oxigraph to stop it")
        if client_open and not sent_head:
            writer.write(
                _plain(
                    503,
                    "Service Unavailable",
                    f"query timeout: no answer within {self.backend.timeout} s (the server's limit)",
                )
            )
            with contextlib.suppress(ConnectionError, asyncio.TimeoutError):
                await asyncio.wait_for(writer.drain(), 2)
        writer.transport.abort()
        if self._generation == generation:
            await self._restart()


def _parse_head(head: bytes):
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise _Reject(400, "Bad Request", "malformed request") from None
    lines = text[:-4].split("\r\n")
    if any(_CONTROL.search(line) for line in lines):
        # a lone CR or LF (or another control byte) could smuggle a line into the request sent on
        raise _Reject(400, "Bad Request", "control characters in the request head")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _Reject(400, "Bad Request", "malformed request line")
    method, target, _ = parts
    if not target.startswith("/") or not target.isascii():
        raise _Reject(400, "Bad Request", "the request target must be a path")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise _Reject(400, "Bad Request", "malformed header line")
        key = name.lower()
        if key in headers and key in ("content-length", "transfer-encoding", "content-type", "host"):
            raise _Reject(400, "Bad Request", f"duplicate {name} header")
        headers[key] = value.strip()
    return method, target, headers


async def _read_body(reader, headers: dict) -> bytes:
    te = headers.get("transfer-encoding", "").lower()
    if te:
        if te != "chunked":
            raise _Reject(501, "Not Implemented", f"transfer encoding {te[:40]} is not supported")
        if "content-length" in headers:
            raise _Reject(400, "Bad Request", "both Content-Length and Transfer-Encoding")
        chunks: list[bytes] = []
        total = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _Reject(400, "Bad Request", "malformed chunk size") from None
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_QUERY_BYTES:
                raise _Reject(413, "Content Too Large", f"request body larger than {MAX_QUERY_BYTES >> 10} KiB")
            chunks.append(await reader.readexactly(size))
            if await reader.readexactly(2) != b"\r\n":
                raise _Reject(400, "Bad Request", "malformed chunk")
    length = headers.get("content-length")
    if length is None:
        return b""
    if not length.isdigit():
        raise _Reject(400, "Bad Request", "malformed Content-Length")
    n = int(length)
    if n > MAX_QUERY_BYTES:
        raise _Reject(413, "Content Too Large", f"request body larger than {MAX_QUERY_BYTES >> 10} KiB")
    return await reader.readexactly(n)


def _utf8(data) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Reject(400, "Bad Request", "the request body is not UTF-8") from None


def _params(qs: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(qs, keep_blank_values=True, errors="strict", max_num_fields=1000)
    except (UnicodeDecodeError, ValueError):
        raise _Reject(400, "Bad Request", "malformed parameters (not UTF-8, or too many)") from None


def _request(method: str, target: str, host: str, accept: str, body: bytes = b"", ctype: str | None = None) -> bytes:
    accept = "".join(c for c in accept if c.isprintable())[:1000]
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", f"Accept: {accept}", "Connection: close"]
    if ctype:
        lines += [f"Content-Type: {ctype}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace") + body


def _plain(status: int, reason: str, text: str) -> bytes:
    body = (text + "\n").encode("utf-8")
    return (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1") + body
