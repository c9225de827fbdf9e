"""One error path for the whole CLI (issue 9): every command, driven through every kind of
failure (input, output, parsing, engine, filesystem), ends with exactly ONE line
``Error: ...`` on stderr, the documented exit code and no traceback; control characters
from files or data are escaped before they reach the terminal."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from laokg.cli import cli
from laokg.cli.common import write_all
from laokg.errors import OutputError, escape_control

from .coretools import PREFIXES, REAL_ROOT, make_project, write
from .query_fixtures import KG_ROOT, QUERIES

DEEP = "SELECT * WHERE " + "{" * 60 + "?s ?p ?o" + "}" * 60
DEEP_PARENS = "SELECT * WHERE { FILTER(" + "(" * 30 + "1" + ")" * 30 + ") }"


def invoke(*args, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=True, **kwargs)


def assert_one_line(result, *fragments, code=2):
    """Exactly one stderr line ``Error: ...`` holding each fragment, the exit code, no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, (result.exit_code, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output


@pytest.fixture
def project(tmp_path):
    root = make_project(tmp_path)
    shutil.copytree(REAL_ROOT / "queries" / "audit", root / "queries" / "audit")
    return root


# every command that writes a result, with arguments that succeed on the fixture project
def commands(root: Path):
    r = ["--root", root]
    return {
        "sparql": ["sparql", *r, "SELECT ?s WHERE { ?s a schema:Person }"],
        "query run": ["query", "run", "is-decree", "--queries", QUERIES, *r, "-p", "instrument=kg:somchai"],
        "query list": ["query", "list", "--queries", QUERIES],
        "query show": ["query", "show", "is-decree", "--queries", QUERIES],
        "show": ["show", *r, "kg:somchai"],
        "search": ["search", *r, "Somchai"],
        "export": ["export", *r],
        "stats": ["stats", *r],
        "validate": ["validate", *r],
        "trace": ["trace", *r, "kg:somchai"],
        "audit": ["audit", *r],
    }


# ---------------------------------------------------------------- output: full device, short writes


class FullStream:
    """A binary stream on a full disk: every write fails with ENOSPC."""

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self):
        pass


class ShortStream:
    """An unbuffered stream on a filling disk: writes at most ``chunk`` bytes a call, then 0
    once ``room`` bytes are written (as ``FileIO.write`` does on a full disk)."""

    def __init__(self, room: int, chunk: int = 7):
        self.room, self.chunk, self.data = room, chunk, bytearray()

    def write(self, data):
        n = min(len(data), self.chunk, self.room - len(self.data))
        self.data += bytes(data[:n])
        return n

    def flush(self):
        pass


@pytest.mark.parametrize("name", list(commands(Path("."))))
def test_full_device_is_one_line_for_every_command(name, project, monkeypatch):
    monkeypatch.setattr("laokg.cli.common.binary_stdout", FullStream)
    result = invoke(*commands(project)[name])
    assert_one_line(result, "standard output: cannot write: No space left on device")


def test_short_writes_are_completed_or_reported():
    stream = ShortStream(room=10_000)
    write_all(stream, b"x" * 5000)
    assert bytes(stream.data) == b"x" * 5000  # short writes are written again, never dropped
    stream = ShortStream(room=100)
    with pytest.raises(OutputError, match=r"after 100 of 5,000 bytes"):
        write_all(stream, b"x" * 5000)


def test_unbuffered_export_on_a_short_writing_stream_fails(project, monkeypatch):
    stream = ShortStream(room=1000)
    monkeypatch.setattr("laokg.cli.common.binary_stdout", lambda: stream)
    assert_one_line(invoke("export", "--root", project), "standard output: cannot write", "after 1,000 of")


def _laokg(*args, stdout, env=None):
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "laokg", *map(str, args)],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        timeout=120,
    )


@pytest.mark.parametrize("args", [["sparql", "SELECT ?s WHERE { ?s a schema:Person }"], ["export"]])
def test_dev_full_in_a_real_process(args, project):
    with open("/dev/full", "wb") as full:
        proc = _laokg(*args, "--root", project, stdout=full)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        "Error: standard output: cannot write: No space left on device "
        + proc.stderr.split("device ", 1)[1].rstrip("\n")
    ]


def test_a_filling_disk_with_unbuffered_stdout_is_an_error(project, tmp_path):
    """``PYTHONUNBUFFERED=1 laokg export > file`` on a disk that fills up: a file-size limit
    (RLIMIT_FSIZE, no privileges needed) makes the kernel write short, then fail."""
    target = tmp_path / "out.ttl"

    def limit():
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    with open(target, "wb") as out:
        proc = subprocess.run(
            [sys.executable, "-m", "laokg", "export", "--root", str(project)],
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            preexec_fn=limit,
            timeout=120,
        )
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "cannot write: File too large (after 1,024 of" in proc.stderr


# ---------------------------------------------------------------- deep nesting (RecursionError)


def test_deeply_nested_sparql_is_one_line():
    assert_one_line(invoke("sparql", DEEP), "query nested 60 levels deep", "laokg allows 20")
    assert_one_line(invoke("sparql", DEEP_PARENS), "nested 32 levels deep")


def test_deeply_nested_query_file(tmp_path):
    query = write(tmp_path / "deep.rq", "# a hostile query\n" + DEEP + "\n")
    assert_one_line(invoke("sparql", "-f", query), f"{query}:2: query nested 60 levels deep")


def test_a_deep_saved_query_does_not_break_query_list(tmp_path):
    folder = tmp_path / "queries"
    folder.mkdir()
    for good in QUERIES.glob("*.rq"):
        (folder / good.name).write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    write(folder / "deep.rq", "#+ summary: too deep\n" + DEEP + "\n")
    result = invoke("query", "list", "--queries", folder, "--format", "csv")
    assert_one_line(result, "deep.rq:2: query nested 60 levels deep")
    names = [line.split(",")[0] for line in result.stdout.splitlines()[1:]]
    assert names == sorted(p.stem for p in QUERIES.glob("*.rq"))  # the others are all listed
    assert_one_line(invoke("query", "run", "deep", "--queries", folder), "nested 60 levels deep")


def test_a_recursion_error_anywhere_is_one_line(project, monkeypatch):
    def explode(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("laokg.graph.stats.stats", explode)
    assert_one_line(invoke("stats", "--root", project), "nested too deeply")


def test_nesting_just_below_the_limit_runs():
    query = "SELECT ?x WHERE { BIND(" + "(" * 18 + "1" + ")" * 18 + " AS ?x) }"
    result = invoke("sparql", query, "--format", "csv")
    assert result.exit_code == 0 and result.stdout.splitlines() == ["x", "1"]


# ---------------------------------------------------------------- lone surrogates


SURROGATE = PREFIXES + 'kg:somchai schema:description "a\\uD800b" .\n'


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--format", "turtle"],
        ["export", "--format", "xml"],
        ["export", "--format", "nt"],
        ["export", "--format", "jsonld"],
        ["build"],
        ["stats"],
        ["validate"],
        ["sparql", "SELECT ?d WHERE { ?s schema:description ?d }"],
        ["show", "kg:somchai"],
    ],
)
def test_a_lone_surrogate_in_a_data_file_is_refused_with_file_and_line(args, project):
    data = write(project / "extra.ttl", SURROGATE)
    result = invoke(*args, "--root", project, "--data", data)
    assert_one_line(result, f"{data}:8: literal holds a lone surrogate U+D800")
    assert not (project / "dist").exists()


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "table"])
def test_a_lone_surrogate_made_by_a_query_is_an_error_naming_the_value(fmt, project):
    result = invoke("sparql", "--root", project, 'SELECT ?x WHERE { BIND("a\\uD800" AS ?x) }', "--format", fmt)
    assert_one_line(result, "cannot write row 1, ?x", "lone surrogate U+D800", "nothing written")
    assert result.stdout == ""


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld"])
def test_a_lone_surrogate_in_a_construct_is_an_error_naming_the_node(fmt, project):
    query = 'CONSTRUCT { kg:x rdfs:label ?x } WHERE { BIND("a\\uDC00" AS ?x) }'
    assert_one_line(
        invoke("sparql", "--root", project, query, "--format", fmt),
        "cannot write the value of <https://w3id.org/laokg/id/x>",
        "U+DC00",
    )


def test_the_serialiser_never_writes_a_question_mark():
    from rdflib import Graph, Literal, URIRef

    from laokg.graph.export import serialize

    graph = Graph()
    graph.add((URIRef("urn:x:s"), URIRef("urn:x:p"), Literal("a\ud800")))
    for fmt in ("turtle", "xml", "nt", "jsonld"):
        with pytest.raises(OutputError, match="<urn:x:s> <urn:x:p>: it holds a lone surrogate U\\+D800"):
            serialize(graph, fmt)


# ---------------------------------------------------------------- SHACL-SPARQL refused by pySHACL


@pytest.mark.parametrize(
    "body,what",
    [
        ("SELECT $this WHERE { VALUES ?x { 1 } $this ?p ?x }", "VALUES"),
        ("SELECT $this WHERE { SERVICE <http://127.0.0.1:9/q> { $this ?p ?o } }", "SERVICE"),
    ],
)
@pytest.mark.parametrize("command", ["validate", "build"])
def test_shacl_sparql_shapes_pyshacl_refuses(body, what, command, project):
    shapes = project / "ontology" / "shapes.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8")
        + f"""
<urn:x:Shape> a <http://www.w3.org/ns/shacl#NodeShape> ;
  <http://www.w3.org/ns/shacl#targetNode> <https://w3id.org/laokg/id/somchai> ;
  <http://www.w3.org/ns/shacl#sparql> [ <http://www.w3.org/ns/shacl#select> "{body}" ] .
""",
        encoding="utf-8",
    )
    assert_one_line(invoke(command, "--root", project), "the SHACL shapes cannot be run", what)


# ---------------------------------------------------------------- huge numbers


def test_a_5000_digit_integer_parameter_is_too_long():
    result = invoke("sparql", "SELECT ?x WHERE { BIND(?_n_integer AS ?x) }", "-p", "n=" + "9" * 5000)
    assert_one_line(result, "parameter 'n': a number of 5,000 digits is too long", "at most 4,300 digits")
    result = invoke("sparql", "SELECT ?x WHERE { BIND(?_n_integer AS ?x) }", "-p", "n=12", "--format", "csv")
    assert result.stdout.splitlines() == ["x", "12"]


def test_a_5000_digit_integer_in_a_data_file_is_too_long(project):
    data = write(project / "big.ttl", PREFIXES + "kg:somchai schema:n " + "9" * 5000 + " .\n")
    assert_one_line(
        invoke("export", "--root", project, "--data", data), f"{data}:8: a number of 5,000 digits is too long"
    )


# ---------------------------------------------------------------- control characters


def test_escape_control():
    assert escape_control("a\x1b[31mred\x07\nb\u202ec\ud800\x85") == "a\\e[31mred\\x07\\nb\\u202ec\\ud800\\x85"
    assert escape_control("Décret n° 245 — ລາວ") == "Décret n° 245 — ລາວ"


def test_escape_control_escapes_exactly_the_unsafe_characters():
    # the one-pattern scan must agree with the rule, character by character, at every code
    # point (the ranges' ends included), alone and inside text
    from laokg.errors import _escape_char, _unsafe, escape_text

    for code in range(0x110000):
        ch = chr(code)
        want = _escape_char(ch) if _unsafe(ch) else ch
        assert escape_control(ch) == want, hex(code)
        assert escape_text(f"a{ch}\nb") == (f"a{ch}\nb" if ch == "\n" else f"a{want}\nb"), hex(code)
    assert escape_control("a\u2066b\u2069c\x9fd\u2028") == "a\\u2066b\\u2069c\\x9fd\\u2028"


def test_control_characters_from_a_file_name_are_escaped(project):
    result = invoke("stats", "--root", project, "--data", "evil\x1b]0;owned\x07.ttl")
    assert_one_line(result, "evil\\e]0;owned\\x07.ttl: file not found")
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_control_characters_from_file_contents_are_escaped(project):
    data = write(project / "bad.ttl", PREFIXES + "kg:x kg:y \x1b[2J\x1b[31m .\n")
    result = invoke("validate", "--root", project, "--data", data)
    assert_one_line(result, f"{data}:8")
    assert "\x1b" not in result.stderr


def test_control_characters_in_a_parameter_are_escaped():
    result = invoke("sparql", "SELECT ?x WHERE { BIND(?_n_integer AS ?x) }", "-p", "n=1\x1b[31m")
    assert "\x1b" not in result.stderr and "[31m" in result.stderr
    assert len(result.stderr.splitlines()) == 1


# ---------------------------------------------------------------- filesystem and unexpected errors


@pytest.mark.parametrize("name", ["export", "stats", "validate", "sparql", "show", "audit", "trace", "search"])
def test_a_missing_root_is_one_line(name, tmp_path):
    args = commands(tmp_path / "nowhere")[name]
    assert_one_line(invoke(*args), "nowhere: project root not found")


def test_an_unreadable_file_is_one_line(project):
    if os.geteuid() == 0:
        target = project / "graph"  # root reads everything: a directory named like a file instead
        (target / "dir.ttl").mkdir()
        assert_one_line(invoke("stats", "--root", project), "dir.ttl")
    else:  # pragma: no cover - depends on the user
        path = project / "graph" / "people.ttl"
        path.chmod(0)
        assert_one_line(invoke("stats", "--root", project), "people.ttl")


def test_an_unexpected_exception_is_one_line(project, monkeypatch):
    def explode(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr("laokg.graph.stats.stats", explode)
    assert_one_line(invoke("stats", "--root", project), "internal error (KeyError: 'surprise')", "LAOKG_DEBUG=1")


def test_an_os_error_while_loading_is_one_line(project, monkeypatch):
    def explode(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", "/some/file")

    monkeypatch.setattr("laokg.graph.stats.stats", explode)
    assert_one_line(invoke("stats", "--root", project), "/some/file: Permission denied")


def test_memory_error_is_one_line(project, monkeypatch):
    def explode(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr("laokg.graph.stats.stats", explode)
    assert_one_line(invoke("stats", "--root", project), "out of memory")


def test_the_hook_check_sixty_levels_in_a_real_process(tmp_path):
    query = "SELECT * WHERE " + "{" * 60 + "?s ?p ?o" + "}" * 60
    proc = subprocess.run([sys.executable, "-m", "laokg", "sparql", query], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "Error: query:1: query nested 60 levels deep; laokg allows 20 levels of { }, ( ) and [ ] (rewrite it flatter)"
    ]


def test_click_usage_errors_keep_code_2():
    result = invoke("export", "--format", "nope")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Invalid value for '--format'" in result.stderr


# ---------------------------------------------------------------- every terminal message escaped (issue 17)


OSC = "\x1b]0;pwned\x07"  # sets the terminal's title
CSI = "\x1b[31m"  # red


def _no_control(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text, repr(text[:400])


def test_a_library_warning_with_control_characters_is_one_escaped_line():
    # rdflib logs "<iri> does not look like a valid URI" with the IRI's raw bytes
    query = 'SELECT ?y WHERE { BIND(IRI("http://example.org/ \\u001b[31m\\u0007") AS ?y) }'
    result = invoke("sparql", query, "--root", KG_ROOT, "--engine", "rdflib", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    _no_control(result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "Warning: rdflib: http://example.org/ \\e[31m\\x07 does not look like"
    ), lines


def test_a_number_too_long_to_convert_is_a_warning_line_not_a_traceback():
    result = invoke(
        "sparql",
        "SELECT ?x WHERE { BIND(" + "7" * 5001 + " AS ?x) }",
        "--root",
        KG_ROOT,
        "--engine",
        "rdflib",
        "--format",
        "csv",
    )
    assert result.exit_code == 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Warning: rdflib: Failed to convert Literal"), lines
    assert result.stdout.splitlines()[1] == "7" * 5001  # the value itself is written as it is


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_table_cells_escape_terminal_sequences(engine):
    query = 'SELECT ?x WHERE { BIND("a\\u001b]0;pwned\\u0007b\\u001b[31mc" AS ?x) }'
    result = invoke("sparql", query, "--root", KG_ROOT, "--engine", engine, "--format", "table")
    assert result.exit_code == 0, result.stderr
    _no_control(result.stdout)
    assert "a\\e]0;pwned\\x07b\\e[31mc" in result.stdout


def test_show_trace_and_query_show_escape_terminal_sequences(tmp_path):
    data = write(
        tmp_path / "evil.ttl",
        PREFIXES
        + f"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix org: <http://www.w3.org/ns/org#> .
kg:evil a org:Organization ;
    skos:prefLabel "Evil{OSC}{CSI} org"@en ;
    skos:altLabel "EVIL" ;
    rdfs:comment "line\\u000d{CSI}overwritten" .
""".replace("\x1b", "\\u001B").replace("\x07", "\\u0007"),
    )
    shown = invoke("show", "kg:evil", "--root", KG_ROOT, "--data", data)
    assert shown.exit_code == 0, shown.stderr
    _no_control(shown.stdout)
    assert "\r" not in shown.stdout and "Evil\\e]0;pwned\\x07\\e[31m org" in shown.stdout
    traced = invoke("trace", "kg:evil", "--root", KG_ROOT, "--data", data)
    _no_control(traced.stdout + traced.stderr)
    queries = tmp_path / "queries"
    write(queries / "evil.rq", f'#+ summary: a title\n# a comment {OSC}\nSELECT ?s WHERE {{ ?s ?p "{CSI}" }}\n')
    described = invoke("query", "show", "evil", "--queries", queries, "--root", KG_ROOT)
    assert described.exit_code == 0, described.stderr
    _no_control(described.stdout)
