"""The remote engine's faults, each through the command line: one line ``Error: …`` naming the
URL (password masked) and exit 2, never a traceback. Small servers on 127.0.0.1 (http.server
in a thread) play each fault; the total deadline is measured around the call (it must hold
within 20 %, the point of a total deadline)."""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import sys
import threading
import time

import pytest

from .coretools import assert_one_line_error, invoke
from .servers import free_port, serve_in_thread, shut_down

ASK_TRUE = json.dumps({"head": {}, "boolean": True}).encode()
SELECT_ONE = json.dumps(
    {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "hello"}}]}}
).encode()


class Fault(http.server.BaseHTTPRequestHandler):
    """Answers every request as ``server.plan`` says; records what it was sent."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        srv = self.server
        srv.seen.append(
            {
                "time": time.monotonic(),
                "path": self.path,
                "headers": dict(self.headers),
                "body": body,
                "method": self.command,
            }
        )
        step = srv.plan[min(len(srv.seen) - 1, len(srv.plan) - 1)]
        kind = step[0]
        try:
            if kind == "status":
                _, code, headers, payload = step
                self.send_response(code)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            elif kind == "trickle":
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                while not srv.stopping.is_set():
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            elif kind == "truncate":
                _, ctype, payload = step
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload) + 1000))
                self.end_headers()
                self.wfile.write(payload)
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    do_GET = do_POST = do_PUT = _answer

    def log_message(self, *args):
        pass


@pytest.fixture()
def fault():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fault)
    server.daemon_threads = True
    server.seen, server.plan, server.stopping = [], [("status", 200, {}, b"")], threading.Event()
    server.url = serve_in_thread(server) + "/query"
    yield server
    server.stopping.set()
    shut_down(server)


def sparql(url, *extra, query="ASK { ?s ?p ?o }", env=None):
    return invoke("sparql", query, "--endpoint", url, *extra, env=env)


# ---------------------------------------------------------------- network faults


def test_refused_connection():
    url = f"http://127.0.0.1:{free_port()}/query"
    assert_one_line_error(sparql(url), url, "connection refused")


def test_unknown_host():
    url = "http://laokg-test.invalid/query"
    assert_one_line_error(sparql(url, "--timeout", "10"), url, "host not found")


def _timed(call, timeout):
    start = time.monotonic()
    result = call()
    elapsed = time.monotonic() - start
    assert elapsed <= timeout * 1.2, f"took {elapsed:.2f} s for a {timeout} s deadline"
    return result, elapsed


def test_server_that_never_answers_is_cut_at_the_deadline():
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        result, elapsed = _timed(lambda: sparql(url, "--timeout", "2"), 2)
    assert elapsed >= 1.9
    assert_one_line_error(result, url, "timed out")


def test_trickling_server_is_cut_at_the_total_deadline(fault):
    fault.plan = [("trickle",)]
    result, elapsed = _timed(lambda: sparql(fault.url, "--timeout", "2"), 2)
    assert elapsed >= 1.9
    assert_one_line_error(result, fault.url, "timed out")


# ---------------------------------------------------------------- HTTP faults


def test_500_says_what_the_server_said(fault):
    fault.plan = [("status", 500, {"Content-Type": "text/plain"}, b"store on fire")]
    assert_one_line_error(sparql(fault.url), fault.url, "HTTP 500", "store on fire")


def test_401_then_basic_auth_with_the_password_from_the_environment(fault):
    fault.plan = [("status", 401, {"WWW-Authenticate": 'Basic realm="x"'}, b"")]
    assert_one_line_error(sparql(fault.url), fault.url, "HTTP 401", "LAOKG_ENDPOINT_PASSWORD")
    fault.plan = [("status", 200, {"Content-Type": "application/sparql-results+json"}, ASK_TRUE)]
    result = sparql(fault.url, "--user", "ana", env={"LAOKG_ENDPOINT_PASSWORD": "s3cret"})
    assert result.exit_code == 0, result.output
    assert fault.seen[-1]["headers"]["Authorization"] == "Basic YW5hOnMzY3JldA=="  # ana:s3cret


def test_user_without_password_is_refused_before_sending(fault):
    assert_one_line_error(
        sparql(fault.url, "--user", "ana", env={"LAOKG_ENDPOINT_PASSWORD": None}), "LAOKG_ENDPOINT_PASSWORD"
    )
    assert fault.seen == []


def test_password_in_the_url_is_masked(fault):
    fault.plan = [("status", 403, {}, b"")]
    url = fault.url.replace("http://", "http://ana:s3cret@")
    result = sparql(url)
    assert_one_line_error(result, "ana:***@127.0.0.1", "HTTP 403")
    assert "s3cret" not in result.output


def test_429_retry_after_is_honoured(fault):
    fault.plan = [
        ("status", 429, {"Retry-After": "1"}, b"slow down"),
        ("status", 200, {"Content-Type": "application/sparql-results+json"}, ASK_TRUE),
    ]
    result = sparql(fault.url, "--timeout", "10")
    assert result.exit_code == 0, result.output
    assert len(fault.seen) == 2
    assert fault.seen[1]["time"] - fault.seen[0]["time"] >= 0.95


def test_429_with_a_retry_after_beyond_the_deadline_fails_at_once(fault):
    fault.plan = [("status", 429, {"Retry-After": "600"}, b"")]
    result, _ = _timed(lambda: sparql(fault.url, "--timeout", "3"), 3)
    assert_one_line_error(result, fault.url, "HTTP 429", "Retry-After: 600")
    assert len(fault.seen) == 1


def test_503_retries_then_reports(fault):
    fault.plan = [("status", 503, {}, b"busy")]
    assert_one_line_error(sparql(fault.url, "--retries", "1"), fault.url, "HTTP 503", "after 1 retry")
    assert len(fault.seen) == 2


def test_user_agent_and_extra_headers(fault):
    from importlib.metadata import version

    fault.plan = [("status", 200, {"Content-Type": "application/sparql-results+json"}, ASK_TRUE)]
    result = sparql(fault.url, "-H", "X-Api-Key: abc", "-H", "Accept-Language: lo")
    assert result.exit_code == 0, result.output
    headers = fault.seen[-1]["headers"]
    assert headers["User-Agent"] == f"laokg/{version('laokg')}"
    assert headers["X-Api-Key"] == "abc" and headers["Accept-Language"] == "lo"
    assert headers["Content-Type"].startswith("application/sparql-query")
    assert fault.seen[-1]["body"].endswith(b"\nASK { ?s ?p ?o }")  # after the project's PREFIX lines


def test_the_request_is_the_sparql_protocol_query_by_post(fault):
    # SPARQLWrapper builds it: the query as the body, the results format by conneg only
    fault.plan = [("status", 200, {"Content-Type": "application/sparql-results+json"}, SELECT_ONE)]
    result = sparql(fault.url, query="SELECT ?x WHERE { ?x ?p ?o }")
    assert result.exit_code == 0, result.output
    seen = fault.seen[-1]
    assert seen["method"] == "POST" and seen["path"] == "/query"  # no ?format=/output= parameters
    assert seen["headers"]["Content-Type"] == "application/sparql-query"
    assert seen["headers"]["Accept"] == "application/sparql-results+json"
    assert seen["body"].startswith(b"PREFIX ") and seen["body"].endswith(b"\nSELECT ?x WHERE { ?x ?p ?o }")
    assert "hello" in result.output


def test_a_query_whose_text_holds_an_update_keyword_is_still_a_query(fault):
    # SPARQLWrapper alone guesses the form by a regex that strips only every other line of a
    # run of comments: the second decorator line below (as in obstacles.rq) made it ADD
    fault.plan = [("status", 200, {"Content-Type": "application/sparql-results+json"}, SELECT_ONE)]
    result = sparql(
        fault.url,
        query="#+ summary: obstacles\n#+ description: what addresses them\n#+ method: GET\n"
        "SELECT ?x WHERE { ?x laokg:addresses ?y }",
    )
    assert result.exit_code == 0, result.output
    assert fault.seen[-1]["headers"]["Content-Type"] == "application/sparql-query"


def test_construct_asks_for_n_triples(fault):
    fault.plan = [
        (
            "status",
            200,
            {"Content-Type": "application/n-triples"},
            b'<http://example.org/a> <http://example.org/p> "v" .\n',
        )
    ]
    result = sparql(fault.url, query="CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert result.exit_code == 0, result.output
    assert fault.seen[-1]["headers"]["Accept"] == "application/n-triples"
    assert 'example:a example:p "v" .' in result.output


def test_bad_header_option():
    assert_one_line_error(sparql("http://127.0.0.1:1/q", "-H", "no colon here"), "-H expects 'Name: value'")


# ---------------------------------------------------------------- bodies


@pytest.mark.parametrize(
    "body",
    [
        b"<html>not json</html>",
        b'{"head": {"vars": ["x"]}}',
        b"[1, 2]",
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "nope", "value": "1"}}]}}',
    ],
)
def test_garbage_select_answer(fault, body):
    fault.plan = [("status", 200, {"Content-Type": "application/sparql-results+json"}, body)]
    assert_one_line_error(sparql(fault.url, query="SELECT ?x WHERE { ?x ?p ?o }"), fault.url, "malformed answer")


def test_truncated_select_answer(fault):
    fault.plan = [("truncate", "application/sparql-results+json", SELECT_ONE[:20])]
    assert_one_line_error(sparql(fault.url, query="SELECT ?x WHERE { ?x ?p ?o }"), fault.url, "truncated answer")


@pytest.mark.parametrize(
    "ctype, body",
    [
        ("application/n-triples", b"<http://a> <http://b> garbage .\n"),
        ("text/html", b"<html></html>"),
        ("application/n-triples", b'<http://a> <http://b> "c" .\n<http://a> <http://b'),
    ],
)
def test_garbage_construct_answer(fault, ctype, body):
    fault.plan = [("status", 200, {"Content-Type": ctype}, body)]
    assert_one_line_error(invoke("export", "--endpoint", fault.url), fault.url, "malformed answer")


def test_truncated_construct_answer(fault):
    fault.plan = [("truncate", "application/n-triples", b'<http://a> <http://b> "c" .\n')]
    assert_one_line_error(invoke("export", "--format", "nt", "--endpoint", fault.url), fault.url, "truncated answer")


# ---------------------------------------------------------------- URLs and redirects


def test_redirect_to_another_scheme_is_refused(fault):
    fault.plan = [("status", 302, {"Location": "ftp://127.0.0.1/q"}, b"")]
    assert_one_line_error(sparql(fault.url), fault.url, "redirect to ftp://127.0.0.1/q refused")


def test_redirect_within_http_is_followed(fault):
    fault.plan = [
        ("status", 307, {"Location": "/elsewhere"}, b""),
        ("status", 200, {"Content-Type": "application/sparql-results+json"}, ASK_TRUE),
    ]
    result = sparql(fault.url)
    assert result.exit_code == 0, result.output
    assert fault.seen[1]["path"] == "/elsewhere" and fault.seen[1]["method"] == "POST"


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("http://[::1/q", "malformed URL"),
        ("http:///query", "malformed URL"),
        ("http://127.0.0.1:99999/q", "malformed URL"),
        ("ftp://example.org/q", "only http:// and https://"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("localhost:7878/query", "only http:// and https://"),
    ],
)
def test_malformed_urls(url, fragment):
    assert_one_line_error(sparql(url), fragment)


@pytest.mark.parametrize(
    "command",
    [
        ["show", "MLSW"],
        ["search", "ministry"],
        ["trace", "MLSW"],
        ["trace", "--source", "kg:mou-laos-thailand-2002"],
        ["audit"],
        ["stats"],
        ["export"],
        ["validate"],
        ["query", "run", "instruments"],
    ],
)
def test_every_command_reports_an_unreachable_endpoint_in_one_line(command):
    url = f"http://127.0.0.1:{free_port()}/query"
    assert_one_line_error(invoke(*command, "--endpoint", url), url, "connection refused")


# ---------------------------------------------------------------- answers within --max-memory (issue 17)
# Before: the whole answer was read, decoded and parsed in laokg's own process; 1M rows
# reached 4.3 GB under --max-memory 200 (3.0 GB measured for CSV, 3.5 GB for JSON).


class Huge(http.server.BaseHTTPRequestHandler):
    """A SPARQL JSON answer of ``server.rows`` rows, made as it is sent (never held)."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        try:
            self.wfile.write(b'{"head": {"vars": ["s", "label"]}, "results": {"bindings": [\n')
            for start in range(0, self.server.rows, 1000):
                self.wfile.write(
                    b",\n".join(
                        b'%s{"s": {"type": "uri", "value": "http://example.org/thing/%d"}, '
                        b'"label": {"type": "literal", "xml:lang": "en", "value": "thing number %d"}}'
                        % (b"," if i and i == start else b"", i, i)
                        for i in range(start, min(start + 1000, self.server.rows))
                    )
                )
            self.wfile.write(b"\n]}}\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


# Like the fault fixture in shape (a silent handler, a server with its own state); what they
# share, starting and stopping the server, is servers.serve_in_thread/shut_down.
@pytest.fixture()
def huge():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Huge)
    server.daemon_threads = True
    server.rows = 200_000
    server.url = serve_in_thread(server) + "/sparql"
    yield server
    shut_down(server)


def _peak(*args):
    """Run laokg; return (exit code, stdout lines, stderr, its peak RSS in MB with its workers)."""
    # Linux keeps a process's peak RSS across fork and exec, so a child of this (large, late in
    # the suite) test process would report the test process's size: a small launcher starts
    # laokg and reports laokg's own peak (with its workers) on stderr's last line.
    proc = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, sys.executable, "-m", "laokg", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lines = 0
    for _ in proc.stdout:  # read as it comes: the rows are not kept here either
        lines += 1
    err, _, peak = proc.stderr.read().decode().rpartition("peak-kb ")
    proc.wait()
    return proc.returncode, lines, err, int(peak) / 1024


_LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], close_fds=True)
_, status, usage = os.wait4(child.pid, 0)
sys.stderr.write("peak-kb %d" % usage.ru_maxrss)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _select_everything(huge, fmt: str, *budget: str):
    """``laokg sparql`` asking ``huge`` for every row as ``fmt``, with the given budget options."""
    query = "SELECT ?s ?label WHERE { ?s ?p ?label }"
    return _peak("sparql", query, "--endpoint", huge.url, *budget, "--timeout", "300", "--format", fmt)


def test_a_huge_select_answer_is_streamed_within_the_memory_budget(huge):
    code, lines, err, peak = _select_everything(huge, "csv", "--max-memory", "60", "--max-rows", "0")
    assert (code, err) == (0, "")
    assert lines == huge.rows + 1
    # the answer is ~30 MB of JSON, ~150 MB as rdflib terms: laokg and its worker stay at
    # the size of the loaded program plus the budget
    assert peak < 200, f"peak RSS {peak:.0f} MB"


def test_a_huge_select_answer_kept_whole_stops_at_the_memory_budget(huge):
    code, lines, err, peak = _select_everything(huge, "json", "--max-memory", "60", "--max-rows", "0")
    assert code == 2 and lines == 0
    assert (
        err.startswith("Error: the endpoint's answer needed more than 60 MB (the memory budget)")
        and err.count("\n") == 1
    ), err
    assert peak < 200, f"peak RSS {peak:.0f} MB"


def test_a_huge_select_answer_stops_at_the_row_budget_before_it_is_all_read(huge):
    code, lines, err, _ = _select_everything(huge, "json", "--max-rows", "1000")
    assert code == 2 and "more than 1,000 rows (the row budget)" in err and err.count("\n") == 1, err
