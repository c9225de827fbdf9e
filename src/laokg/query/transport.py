"""The HTTP(S) client laokg reaches endpoints with: one request under a total deadline,
with retries, redirects, credentials and a size limit, and every fault as one
:class:`~laokg.errors.EndpointError` line.

Our own small ``http.client`` loop sends every request, so that every limit is ours:

* ``timeout`` is a **total deadline** for the whole request (connection, redirects, retries,
  waiting and reading the body), not a per-read timeout: every socket wait is re-armed with
  the time that remains, and a watchdog shuts the socket down when the deadline passes (a
  server trickling one byte a second cannot hold laokg longer than the deadline);
* retries with exponential backoff on 429 and 503, honouring ``Retry-After`` (seconds or an
  HTTP date) while it fits in the deadline;
* HTTP basic auth (the user name from ``--user``, the password from an environment variable,
  never from the command line), or digest auth when the server's 401 asks for it (Virtuoso's
  Graph Store endpoint ``/sparql-graph-crud-auth``); extra headers, a User-Agent ``laokg/<version>``;
* http and https only, redirects included; at most 5 redirects; credentials are not sent on
  to another host;
* an answer is kept up to a size limit, or passed on in chunks as it arrives;
* every fault is one :class:`~laokg.errors.EndpointError` line naming the URL with any
  password masked.

:func:`request` can also probe: give up on a way of sending that gets no status line in a
short window (:class:`NotThisWay`), which the SPARQL protocol client
(:mod:`laokg.query.remote`) uses to choose how to send a query. ``laokg push``
(:mod:`laokg.publish.push`) sends the Graph Store requests through it too.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import functools
import http.client
import os
import random
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from laokg.errors import EndpointError
from laokg.query.names import DEFAULT_TIMEOUT

#: retries of an answer in RETRY_STATUSES, within the deadline
DEFAULT_RETRIES = 2
#: the environment variable that holds the password for ``--user`` (never the command line)
PASSWORD_ENV = "LAOKG_ENDPOINT_PASSWORD"
MAX_REDIRECTS = 5
RETRY_STATUSES = (429, 503)
_CHUNK = 65536
_MAX_BODY = 1 << 30  # refuse answers over 1 GiB
#: the ways a SPARQL query may be sent (``--method``; :mod:`laokg.query.remote` sends it)
METHODS = ("auto", "post-direct", "post-form", "get")
DEFAULT_METHOD = "auto"
FALLBACK_STATUSES = (405, 414, 415, 501)  # "not this way": try the next one


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
    method: str = DEFAULT_METHOD  # how a query is sent: one of METHODS

    def with_timeout(self, timeout: float) -> RemoteOptions:
        return RemoteOptions(timeout, self.retries, self.user, self.password, self.headers, self.method)

    @classmethod
    def from_cli(cls, timeout=None, retries=None, user=None, headers=(), method=None) -> RemoteOptions:
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
        method = method or DEFAULT_METHOD
        if method not in METHODS:
            raise EndpointError(f"--method {method}: expected one of {', '.join(METHODS)}")
        return cls(
            timeout=timeout or DEFAULT_TIMEOUT,
            retries=DEFAULT_RETRIES if retries is None else retries,
            user=user,
            password=password,
            headers=parsed,
            method=method,
        )


@dataclass
class Response:
    """An HTTP answer: status, reason, headers (lower-case names), the body kept (empty when it
    was passed to a sink) and the URL that gave it (after redirects)."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    url: str

    @property
    def content_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()


def user_agent() -> str:
    """``laokg/<version>``, the User-Agent of every request."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"laokg/{version('laokg')}"
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "laokg"


class Deadline:
    """A point in time ``seconds`` from now; :meth:`left` is what remains of it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()


class _TimedOut(Exception):
    """The deadline passed during an exchange (reported by :func:`request` as one line)."""


class NotThisWay(Exception):
    """A probing :func:`request`: the endpoint did not answer this way in the probe window,
    or refused the way (a status of :data:`FALLBACK_STATUSES`)."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


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


def request(
    url: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict | None = None,
    options: RemoteOptions | None = None,
    what: str = "endpoint",
    *,
    sink=None,
    max_body: int | None = None,
    probe: float | None = None,
) -> Response:
    """One HTTP exchange under ``options`` (deadline, retries, redirects, auth); any fault -> EndpointError.

    A response with status >= 400 (after retries) raises too, with the server's first words.
    With ``sink``, the body of a 2xx answer is passed to ``sink(chunk)`` as it arrives (within
    the deadline) instead of being kept (``Response.body`` is then empty). ``max_body``: refuse
    (:class:`~laokg.errors.LimitExceeded`) a kept body larger than this many bytes.
    With ``probe`` (seconds), no status line within that time, or a status of
    :data:`FALLBACK_STATUSES`, raises :class:`NotThisWay` instead (the caller tries another way).
    """
    options = options or RemoteOptions()
    if options.timeout <= 0:
        raise EndpointError(f"timeout must be positive, got {options.timeout}")
    target = parse_url(url, what)
    deadline = Deadline(options.timeout)
    attempt = 0
    while True:
        try:
            resp = _follow(target, method, body, dict(headers or {}), options, deadline, what, probe, sink, max_body)
        except _TimedOut:
            raise EndpointError(
                f"{what} {mask(url)}: no complete answer within {options.timeout:g} s (timed out)"
            ) from None
        if resp.status in RETRY_STATUSES and attempt < options.retries:
            wait = _retry_after(resp.headers.get("retry-after"))
            if wait is None:
                wait = min(8.0, 0.5 * 2**attempt) * (1 + random.random() / 4)
            if wait < deadline.left():
                attempt += 1
                time.sleep(wait)
                continue
        if probe is not None and resp.status in FALLBACK_STATUSES:
            raise NotThisWay(f"HTTP {resp.status}")
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
    hints = {
        401: " (unauthorized: give --user NAME and the password in $" + PASSWORD_ENV + ")",
        403: " (forbidden)",
        404: " (not found: is this the right URL?)",
    }
    what += hints.get(resp.status, "")
    if resp.status in RETRY_STATUSES:
        what += f" after {retries} retr{'y' if retries == 1 else 'ies'}" if retries else ""
        ra = resp.headers.get("retry-after")
        if ra:
            what += f" (Retry-After: {ra})"
    return f"{what}: {detail}" if detail else what


def _follow(
    target: Target, method, body, headers, options, deadline, what, probe=None, sink=None, max_body=None
) -> Response:
    original = target
    for _ in range(MAX_REDIRECTS + 1):
        same_host = target.host == original.host
        # this hop's request, sent again below with other credentials
        exchange = functools.partial(
            _exchange,
            target,
            method,
            body,
            headers,
            options,
            deadline,
            same_host=same_host,
            probe=probe,
            sink=sink,
            max_body=max_body,
        )
        resp = exchange()
        user, password = _credentials(target, options)
        if resp.status == 401 and same_host and user is not None and "www-authenticate" not in resp.headers:
            # Virtuoso answers a Basic attempt on a digest-only path with a bare 401: ask for the challenge
            resp = exchange(authorization=False)
        challenge = resp.headers.get("www-authenticate", "")
        # answer the server's digest challenge, once
        if resp.status == 401 and same_host and challenge.lower().startswith("digest") and user is not None:
            auth = _digest_authorization(challenge, user, password or "", method, _request_path(target.path))
            if auth:
                resp = exchange(authorization=auth)
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
                raise EndpointError(
                    f"{what} {mask(target.url)}: redirect to {mask(new_url)} refused (only http and https)"
                )
            target = parse_url(new_url, what)
            if resp.status == 303:
                method, body = "GET", None
            continue
        return resp
    raise EndpointError(f"{what} {mask(original.url)}: more than {MAX_REDIRECTS} redirects")


def _credentials(target: Target, options: RemoteOptions) -> tuple[str | None, str | None]:
    user = target.user if target.user is not None else options.user
    password = target.password if target.password is not None else options.password
    return user, password


def _digest_authorization(challenge: str, user: str, password: str, method: str, uri: str) -> str | None:
    """The ``Authorization`` value answering an RFC 7616 digest challenge (MD5 or SHA-256, qop
    auth or none); None for a challenge laokg cannot answer."""
    import hashlib
    import re
    import secrets

    params = {
        k.lower(): v1 if v1 else v2
        for k, v1, v2 in re.findall(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))', challenge[len("digest") :])
    }
    realm, nonce = params.get("realm"), params.get("nonce")
    algorithm = (params.get("algorithm") or "MD5").upper()
    hashes = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}
    if realm is None or nonce is None or algorithm not in hashes:
        return None

    def h(text: str) -> str:
        return hashes[algorithm](text.encode("utf-8")).hexdigest()

    ha1 = h(f"{user}:{realm}:{password}")
    ha2 = h(f"{method}:{uri}")
    qops = [q.strip() for q in (params.get("qop") or "").split(",") if q.strip()]
    fields = [f'username="{user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"', f"algorithm={algorithm}"]
    if "auth" in qops:
        cnonce, nc = secrets.token_hex(8), "00000001"
        fields += [
            f'response="{h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")}"',
            "qop=auth",
            f"nc={nc}",
            f'cnonce="{cnonce}"',
        ]
    elif qops:
        return None  # auth-int only
    else:
        fields.append(f'response="{h(f"{ha1}:{nonce}:{ha2}")}"')
    if params.get("opaque") is not None:
        fields.append(f'opaque="{params["opaque"]}"')
    return "Digest " + ", ".join(fields)


def _exchange(
    target: Target,
    method,
    body,
    headers,
    options,
    deadline,
    same_host=True,
    probe=None,
    authorization=None,
    sink=None,
    max_body=None,
) -> Response:
    left = deadline.left()
    if left <= 0:
        raise _TimedOut()
    cls = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    conn = cls(target.host, target.port, timeout=left)
    headers = {k.title(): v for k, v in headers.items()}
    headers.setdefault("User-Agent", user_agent())
    for name, value in options.headers:
        headers[name.title()] = value
    user, password = _credentials(target, options)
    if authorization is False:  # ask without credentials (to read the server's challenge)
        pass
    elif authorization is not None:
        headers["Authorization"] = authorization
    elif user is not None and same_host:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
        headers["Authorization"] = "Basic " + token
    if body is not None:
        headers["Content-Length"] = str(len(body))
    timed_out = threading.Event()

    def expire():
        timed_out.set()
        sock = conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    window = Deadline(min(probe, left)) if probe is not None else deadline
    watchdog = threading.Timer(window.left(), expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            conn.putrequest(method, _request_path(target.path), skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            # the server may answer (401, 413 ...) and close before reading the body: read its answer
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                conn.endheaders(body)
            _rearm(conn, window)
            resp = conn.getresponse()
        except (_TimedOut, OSError, http.client.HTTPException) as exc:
            if (
                probe is not None
                and deadline.left() > 0
                and (timed_out.is_set() or window.left() <= 0 or isinstance(exc, (socket.timeout, TimeoutError)))
            ):
                raise NotThisWay(f"no answer within {probe:g} s") from None
            if (
                probe is not None
                and isinstance(exc, (ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError))
                and deadline.left() > 0
            ):
                raise NotThisWay(_reason(exc)) from None
            raise
        if probe is not None:  # the status line came in time: the rest has the whole deadline
            watchdog.cancel()
            timed_out.clear()
            watchdog = threading.Timer(max(deadline.left(), 0.001), expire)
            watchdog.daemon = True
            watchdog.start()
        streamed = sink is not None and 200 <= resp.status < 300
        chunks, size = [], 0
        while True:
            _rearm(conn, deadline)
            chunk = resp.read1(_CHUNK) if hasattr(resp, "read1") else resp.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if streamed:
                sink(chunk)
                continue
            if max_body is not None and size > max_body:
                from laokg.errors import LimitExceeded

                raise LimitExceeded(
                    f"the endpoint's answer is larger than {max_body >> 20:,} MB (the memory budget); "
                    f"raise it with --max-memory MB (0 for no limit)"
                )
            if size > _MAX_BODY:
                raise EndpointError(f"endpoint {mask(target.url)}: answer larger than {_MAX_BODY >> 20} MiB")
            chunks.append(chunk)
        if timed_out.is_set():
            raise _TimedOut()
        if resp.length:  # the server announced more bytes than it sent
            raise http.client.IncompleteRead(b"".join(chunks), resp.length)
        return Response(
            resp.status, resp.reason or "", {k.lower(): v for k, v in resp.getheaders()}, b"".join(chunks), target.url
        )
    except (EndpointError, _TimedOut, NotThisWay):
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


def _rearm(conn, deadline: Deadline) -> None:
    left = deadline.left()
    if left <= 0:
        raise _TimedOut()
    if conn.sock is not None:
        conn.sock.settimeout(left)


__all__ = [
    "DEFAULT_METHOD",
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "FALLBACK_STATUSES",
    "MAX_REDIRECTS",
    "METHODS",
    "PASSWORD_ENV",
    "RETRY_STATUSES",
    "Deadline",
    "NotThisWay",
    "RemoteOptions",
    "Response",
    "Target",
    "mask",
    "parse_url",
    "request",
    "user_agent",
]
