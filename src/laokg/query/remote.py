"""The remote engine: any SPARQL 1.1 endpoint over HTTP(S).

One request is one SPARQL Protocol POST (``application/sparql-query``). SPARQLWrapper builds
it (:func:`protocol_request`); our own small ``http.client`` loop sends it, so that every limit
is ours:

* ``timeout`` is a **total deadline** for the whole request (connection, redirects, retries,
  waiting and reading the body), not a per-read timeout: every socket wait is re-armed with
  the time that remains, and a watchdog shuts the socket down when the deadline passes (a
  server trickling one byte a second cannot hold laokg longer than the deadline);
* retries with exponential backoff on 429 and 503, honouring ``Retry-After`` (seconds or an
  HTTP date) while it fits in the deadline;
* HTTP basic auth (the user name from ``--user``, the password from an environment variable,
  never from the command line), extra headers, a User-Agent ``laokg/<version>``;
* http and https only, redirects included; at most 5 redirects; credentials are not sent on
  to another host;
* every fault is one :class:`~laokg.errors.EndpointError` line naming the URL with any
  password masked.

SELECT/ASK answers are read as SPARQL 1.1 Query Results JSON (rdflib's result parser),
CONSTRUCT/DESCRIBE answers as N-Triples (a line-based syntax whose parser fetches nothing).
"""

from __future__ import annotations

import base64
import email.utils
import http.client
import json
import os
import random
import socket
import ssl
import threading
import time
import warnings
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from laokg.errors import EndpointError, InputError

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 2
PASSWORD_ENV = "LAOKG_ENDPOINT_PASSWORD"
MAX_REDIRECTS = 5
RETRY_STATUSES = (429, 503)
_CHUNK = 65536
_MAX_BODY = 1 << 30  # refuse answers over 1 GiB


def mask(url: str) -> str:
    """``url`` with the password of ``user:password@`` replaced by ``***``."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
    except ValueError:
        return _mask_text(url)
    if "@" not in netloc:
        return url
    userinfo, _, hostport = netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    masked = f"{user}:***@{hostport}" if ":" in userinfo else f"{user}@{hostport}"
    return urlunsplit(parts._replace(netloc=masked))


def _mask_text(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    userinfo, _, tail = rest.partition("@")
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in userinfo else ''}@{tail}"


@dataclass(frozen=True)
class Target:
    """A checked http(s) URL, split for http.client."""

    url: str
    scheme: str
    host: str
    port: int | None
    path: str  # path + query, what goes on the request line
    user: str | None = None
    password: str | None = None


def parse_url(url: str, what: str = "endpoint") -> Target:
    """Check ``url`` (http/https with a host) or raise one EndpointError line."""
    shown = mask(url)
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        raise EndpointError(f"{what} {shown}: malformed URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise EndpointError(f"{what} {shown}: only http:// and https:// URLs are allowed")
    if not host:
        raise EndpointError(f"{what} {shown}: malformed URL (no host)")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise EndpointError(f"{what} {shown}: malformed URL (white space or control characters)")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(url, parts.scheme.lower(), host, port, path, parts.username, parts.password)


@dataclass
class RemoteOptions:
    """How to reach an endpoint: total deadline, retries, credentials, extra headers."""

    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    user: str | None = None
    password: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def from_cli(cls, timeout=None, retries=None, user=None, headers=()) -> "RemoteOptions":
        """Options as the commands take them: the password comes from $LAOKG_ENDPOINT_PASSWORD."""
        parsed = []
        for h in headers or ():
            name, sep, value = h.partition(":")
            if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
                raise EndpointError(f"-H expects 'Name: value', got '{h}'")
            if "\n" in value or "\r" in value:
                raise EndpointError(f"-H {name.strip()}: the value may not contain line breaks")
            parsed.append((name.strip(), value.strip()))
        password = None
        if user:
            password = os.environ.get(PASSWORD_ENV)
            if password is None:
                raise EndpointError(f"--user {user}: set the password in ${PASSWORD_ENV}")
        return cls(timeout=timeout or DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES if retries is None else retries,
                   user=user, password=password, headers=parsed)


@dataclass
class Response:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    url: str

    @property
    def content_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()


def user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"laokg/{version('laokg')}"
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "laokg"


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


class _TimedOut(Exception):
    pass


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _reason(exc: BaseException) -> str:
    if isinstance(exc, (_TimedOut, socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "host not found"
    if isinstance(exc, http.client.IncompleteRead):
        return f"truncated answer ({len(exc.partial)} bytes, then the connection closed)"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, http.client.HTTPException):
        return f"bad HTTP answer ({type(exc).__name__})"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(exc, OSError):
        return str(exc.strerror or exc) or type(exc).__name__
    return str(exc) or type(exc).__name__


def request(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None,
            options: RemoteOptions | None = None, what: str = "endpoint") -> Response:
    """One HTTP exchange under ``options`` (deadline, retries, redirects, auth); any fault -> EndpointError.

    A response with status >= 400 (after retries) raises too, with the server's first words.
    """
    options = options or RemoteOptions()
    if options.timeout <= 0:
        raise EndpointError(f"timeout must be positive, got {options.timeout}")
    target = parse_url(url, what)
    deadline = _Deadline(options.timeout)
    attempt = 0
    while True:
        try:
            resp = _follow(target, method, body, dict(headers or {}), options, deadline, what)
        except _TimedOut:
            raise EndpointError(f"{what} {mask(url)}: no complete answer within {options.timeout:g} s (timed out)") from None
        if resp.status in RETRY_STATUSES and attempt < options.retries:
            wait = _retry_after(resp.headers.get("retry-after"))
            if wait is None:
                wait = min(8.0, 0.5 * 2 ** attempt) * (1 + random.random() / 4)
            if wait < deadline.left():
                attempt += 1
                time.sleep(wait)
                continue
        if resp.status >= 400:
            raise EndpointError(f"{what} {mask(resp.url)}: {_status_line(resp, attempt)}")
        return resp


def _status_line(resp: Response, retries: int) -> str:
    text = resp.body[:400].decode("utf-8", "replace")
    if resp.content_type in ("text/html", "application/xhtml+xml"):
        text = ""
    detail = " ".join(text.split())
    if len(detail) > 200:
        detail = detail[:200] + "…"
    what = f"HTTP {resp.status} {resp.reason}".rstrip()
    hints = {401: " (unauthorized: give --user NAME and the password in $" + PASSWORD_ENV + ")",
             403: " (forbidden)", 404: " (not found: is this the right URL?)"}
    what += hints.get(resp.status, "")
    if resp.status in RETRY_STATUSES:
        what += f" after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else ""
        ra = resp.headers.get("retry-after")
        if ra:
            what += f" (Retry-After: {ra})"
    return f"{what}: {detail}" if detail else what


def _follow(target: Target, method, body, headers, options, deadline, what) -> Response:
    original = target
    for _ in range(MAX_REDIRECTS + 1):
        resp = _exchange(target, method, body, headers, options, deadline, same_host=target.host == original.host)
        if resp.status in (301, 302, 303, 307, 308):
            location = resp.headers.get("location")
            if not location:
                raise EndpointError(f"{what} {mask(target.url)}: HTTP {resp.status} redirect without a Location")
            new_url = urljoin(target.url, location)
            try:
                scheme = urlsplit(new_url).scheme.lower()
            except ValueError:
                scheme = ""
            if scheme not in ("http", "https"):
                raise EndpointError(f"{what} {mask(target.url)}: redirect to {mask(new_url)} refused (only http and https)")
            target = parse_url(new_url, what)
            if resp.status == 303:
                method, body = "GET", None
            continue
        return resp
    raise EndpointError(f"{what} {mask(original.url)}: more than {MAX_REDIRECTS} redirects")


def _exchange(target: Target, method, body, headers, options, deadline, same_host=True) -> Response:
    left = deadline.left()
    if left <= 0:
        raise _TimedOut()
    cls = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    conn = cls(target.host, target.port, timeout=left)
    headers = {k.title(): v for k, v in headers.items()}
    headers.setdefault("User-Agent", user_agent())
    for name, value in options.headers:
        headers[name.title()] = value
    user = target.user if target.user is not None else options.user
    password = target.password if target.password is not None else options.password
    if user is not None and same_host:
        token = base64.b64encode(f"{user}:{password or ''}".encode("utf-8")).decode("ascii")
        headers["Authorization"] = "Basic " + token
    if body is not None:
        headers["Content-Length"] = str(len(body))
    timed_out = threading.Event()

    def expire():
        timed_out.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    watchdog = threading.Timer(left, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.putrequest(method, _request_path(target.path), skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders(body)
        _rearm(conn, deadline)
        resp = conn.getresponse()
        chunks, size = [], 0
        while True:
            _rearm(conn, deadline)
            chunk = resp.read1(_CHUNK) if hasattr(resp, "read1") else resp.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > _MAX_BODY:
                raise EndpointError(f"endpoint {mask(target.url)}: answer larger than {_MAX_BODY >> 20} MiB")
            chunks.append(chunk)
        if timed_out.is_set():
            raise _TimedOut()
        if resp.length:  # the server announced more bytes than it sent
            raise http.client.IncompleteRead(b"".join(chunks), resp.length)
        return Response(resp.status, resp.reason or "", {k.lower(): v for k, v in resp.getheaders()},
                        b"".join(chunks), target.url)
    except EndpointError:
        raise
    except _TimedOut:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if timed_out.is_set() or deadline.left() <= 0:
            raise _TimedOut() from None
        raise EndpointError(f"endpoint {mask(target.url)}: {_reason(exc)}") from None
    finally:
        watchdog.cancel()
        conn.close()


def _request_path(path: str) -> str:
    # keep what is already percent-encoded, encode what http.client would refuse
    return quote(path, safe="/?&=%:@!$'()*+,;~-._")


def _rearm(conn, deadline: _Deadline) -> None:
    left = deadline.left()
    if left <= 0:
        raise _TimedOut()
    if conn.sock is not None:
        conn.sock.settimeout(left)


# ---------------------------------------------------------------- SPARQL on top


ACCEPT_RESULTS = "application/sparql-results+json"
ACCEPT_GRAPH = "application/n-triples"


def protocol_request(url: str, query: str, accept: str, form: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of a SPARQL 1.1 Protocol query request (POST, the query as the
    body), built by SPARQLWrapper; :func:`request` sends it under laokg's deadline, retries,
    redirect and credential rules (SPARQLWrapper's own sending has a per-read timeout only and
    follows redirects to any scheme ``urllib`` knows)."""
    from SPARQLWrapper import POST, POSTDIRECTLY, SPARQLWrapper

    wrapper = SPARQLWrapper(url, agent=user_agent())
    wrapper.setMethod(POST)
    wrapper.setRequestMethod(POSTDIRECTLY)
    wrapper.setOnlyConneg(True)  # the format by the Accept header only, no ?format= parameters
    with warnings.catch_warnings():  # its guess of the query form, replaced below
        warnings.simplefilter("ignore")
        wrapper.setQuery(query)
    # laokg parsed the query: the form is known (SPARQLWrapper's regex guess, which strips only
    # every other line of a run of comments, read "addresses" in obstacles.rq's header as ADD)
    wrapper.queryType = form
    wrapper.addCustomHttpHeader("Accept", accept)
    built = wrapper._createRequest()  # noqa: SLF001 - SPARQLWrapper's request, without its urlopen
    return built.data, {name.title(): value for name, value in built.header_items()}


def sparql(url: str, query: str, form: str, options: RemoteOptions | None = None):
    """POST ``query`` to ``url``; return parsed rows/boolean (SELECT/ASK) or an rdflib Graph."""
    from rdflib.query import ResultException

    from laokg.query.engines import QueryResult

    accept = ACCEPT_RESULTS if form in ("SELECT", "ASK") else ACCEPT_GRAPH
    body, headers = protocol_request(url, query, accept, form)
    resp = request(url, "POST", body, headers, options)
    where = f"endpoint {mask(url)}"
    try:
        if form in ("SELECT", "ASK"):
            return results_from_json(resp.body, form)
        return QueryResult(form, graph=graph_from_ntriples(resp.body, resp.content_type))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError, NotImplementedError,
            ResultException) as exc:
        text = " ".join(str(exc).split())
        raise EndpointError(f"{where}: malformed answer ({type(exc).__name__}: {text[:120]})") from None


def results_from_json(body: bytes, form: str):
    """SPARQL 1.1 Query Results JSON -> QueryResult, parsed by rdflib's JSON result parser;
    ``xsd:string`` literals become plain literals, as the other engines give them. An answer
    of the wrong shape raises ValueError (or the parser's own error)."""
    import io

    from rdflib import Literal
    from rdflib.namespace import XSD
    from rdflib.query import Result

    from laokg.query.engines import QueryResult

    data = json.loads(body.decode("utf-8"))  # rdflib's parser would accept a non-object
    if not isinstance(data, dict):
        raise ValueError("not a SPARQL results object")
    res = Result.parse(io.BytesIO(body), format="json")
    if form == "ASK":
        if res.type != "ASK" or not isinstance(data.get("boolean"), bool):
            raise ValueError("no boolean in the answer to an ASK query")
        return QueryResult(form, boolean=bool(res.askAnswer))
    if res.type != "SELECT":
        raise ValueError("no bindings in the answer to a SELECT query")

    def plain(term):
        if isinstance(term, Literal) and term.datatype == XSD.string:
            return Literal(str(term))
        return term

    rows = [{str(k): plain(v) for k, v in b.items()} for b in res.bindings]
    return QueryResult(form, vars=[str(v) for v in res.vars], rows=rows)


def graph_from_ntriples(body: bytes, content_type: str = ACCEPT_GRAPH):
    """Parse an N-Triples (or Turtle, if the server insists) answer; anything else is refused."""
    from rdflib import Graph

    from laokg.namespaces import bind_prefixes

    fmt = {"application/n-triples": "nt", "text/plain": "nt", "text/turtle": "turtle",
           "application/turtle": "turtle", "application/x-turtle": "turtle"}.get(content_type)
    if fmt is None:
        raise ValueError(f"unexpected content type {content_type or 'none'!r} (asked for N-Triples)")
    text = body.decode("utf-8")
    if fmt == "nt" and text and not text.endswith("\n"):
        raise ValueError("the answer ends in the middle of a line (truncated)")
    g = bind_prefixes(Graph())
    try:
        g.parse(data=text, format=fmt)
    except Exception as exc:  # rdflib's parsers raise several unrelated classes
        raise ValueError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    return g


GRAPH_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def fetch_graph(url: str, options: RemoteOptions | None = None):
    """The endpoint's whole default graph, by one CONSTRUCT (what `show`, `stats` ... read)."""
    return sparql(url, GRAPH_QUERY, "CONSTRUCT", options).graph


class RemoteEngine:
    """A SPARQL 1.1 endpoint; parameters go in as a VALUES block built from escaped terms."""

    name = "remote"

    def __init__(self, url: str, timeout: float | RemoteOptions = DEFAULT_TIMEOUT):
        self.options = timeout if isinstance(timeout, RemoteOptions) else RemoteOptions(timeout=timeout)
        if self.options.timeout <= 0:
            raise EndpointError(f"endpoint timeout must be positive, got {self.options.timeout}")
        parse_url(url)
        self.url = url
        self.timeout = self.options.timeout

    def run(self, text: str, bindings: dict[str, list] | None = None, *, allow_service: bool = False,
            allow_from: bool = False, timeout: float | None = None, source: str = "query", line_offset: int = 0,
            use_values: bool | None = None):
        from laokg.query.binding import inject_values
        from laokg.query.safety import check_query

        parsed = check_query(text, allow_service=allow_service, allow_from=allow_from, source=source, line_offset=line_offset)
        bindings = {k: v for k, v in (bindings or {}).items() if v}
        if bindings:
            text = inject_values(text, bindings)
            parsed = check_query(text, allow_service=allow_service, allow_from=allow_from, source=source)
        options = self.options
        if timeout is not None and timeout != options.timeout:
            options = RemoteOptions(timeout, options.retries, options.user, options.password, options.headers)
        return sparql(self.url, parsed.text, parsed.form, options)


def load_or_fetch(root=None, data=(), endpoint: str | None = None, *, timeout=None, retries=None, user=None, headers=()):
    """The graph a command reads: the project's files (plus ``data``), or with ``endpoint``
    the endpoint's whole default graph, fetched by one CONSTRUCT."""
    if not endpoint:
        from laokg.graph.load import load_data_graph

        return load_data_graph(root, data)
    if data:
        raise InputError("--data adds files to the local graph; it cannot be combined with --endpoint")
    return fetch_graph(endpoint, RemoteOptions.from_cli(timeout, retries, user, headers))
