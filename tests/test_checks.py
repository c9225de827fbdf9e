"""laokg.graph.checks: how files are opened, XSD literals, and the bounds on literals, lists
and nesting, each refusal one ``file:line`` (issue 17)."""

import os
import signal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from laokg.errors import InputError, RDFSyntaxError
from laokg.graph import checks

from .coretools import PREFIXES, write

XSD = checks.XSD


@pytest.fixture
def alarm():
    """Fail (rather than hang) if an open or read blocks: SIGALRM interrupts the call."""

    def ring(signum, frame):
        raise TimeoutError("blocked on a FIFO")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# ---------------------------------------------------------------- opening


def test_read_regular_reads_a_file(tmp_path):
    assert checks.read_regular(write(tmp_path / "a.ttl", "x")) == b"x"


def test_a_fifo_is_refused_without_blocking_or_reading(tmp_path, alarm):
    os.mkfifo(tmp_path / "pipe.ttl")
    with pytest.raises(InputError, match=r"pipe.ttl: not a regular file$"):
        checks.read_regular(tmp_path / "pipe.ttl")


@pytest.mark.parametrize("target", ["/dev/zero", "/proc/self/environ"])
def test_devices_and_kernel_files_are_refused_by_what_is_open(tmp_path, target, alarm):
    os.symlink(target, tmp_path / "data.ttl")
    with pytest.raises(InputError, match=r"data.ttl: (not a regular file|a system file)"):
        checks.read_regular(tmp_path / "data.ttl")


def test_a_missing_file(tmp_path):
    with pytest.raises(InputError, match="gone.ttl: file not found"):
        checks.read_regular(tmp_path / "gone.ttl")


SECRET = "hunter2-secret-line"


@pytest.fixture
def secret(tmp_path):
    return write(tmp_path / "private" / "notes.txt", SECRET + "\n")


def test_a_named_file_may_live_anywhere(tmp_path):
    data = write(tmp_path / "elsewhere" / "more.ttl", PREFIXES)
    assert checks.check_named(data, tmp_path / "project") == data.resolve()


def test_a_named_symlink_out_of_the_project_is_refused_naming_only_the_link(tmp_path, secret):
    project = tmp_path / "project"
    project.mkdir()
    link = tmp_path / "bundle" / "data.ttl"
    link.parent.mkdir()
    os.symlink(secret, link)
    with pytest.raises(InputError) as caught:
        checks.check_named(link, project)
    assert str(caught.value) == (
        f"{link}: a symlink that leads outside the project; laokg follows a symlink "
        "you name only into the project (name the file it leads to instead)"
    )
    assert "private" not in str(caught.value) and SECRET not in str(caught.value)


def test_a_named_symlink_beside_its_target_is_refused_too(tmp_path):
    """Even in its own folder: a link planted beside the file a user names is not followed."""
    write(tmp_path / "real.ttl", PREFIXES)
    os.symlink(tmp_path / "real.ttl", tmp_path / "link.ttl")
    with pytest.raises(InputError, match="a symlink that leads outside the project"):
        checks.check_named(tmp_path / "link.ttl", None)


def test_a_named_symlink_into_the_project_is_followed(tmp_path):
    project = tmp_path / "project"
    target = write(project / "graph" / "a.ttl", PREFIXES)
    os.symlink(target, tmp_path / "a.ttl")
    assert checks.check_named(tmp_path / "a.ttl", project) == target.resolve()


@pytest.mark.parametrize(
    "kind, message",
    [
        ("fifo", "not a regular file"),
        ("dev", "a system file"),
        ("dangling", "a symlink that leads nowhere"),
        ("dir", "not a regular file"),
        ("missing", "file not found"),
    ],
)
def test_named_files_that_are_not_regular_files(tmp_path, kind, message, alarm):
    path = tmp_path / "x.ttl"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev":
        os.symlink("/dev/zero", path)
    elif kind == "dangling":
        os.symlink(tmp_path / "nowhere", path)
    elif kind == "dir":
        path.mkdir()
    with pytest.raises(InputError, match=message):
        checks.check_named(path, tmp_path)


def test_enclosing_root_is_the_nearest_project(tmp_path):
    project = tmp_path / "p"
    write(project / "ontology" / "laokg.ttl", "")
    (project / "queries" / "audit").mkdir(parents=True)
    assert checks.enclosing_root(project / "queries" / "audit") == project
    assert checks.enclosing_root(tmp_path / "loose") == tmp_path / "loose"


# ---------------------------------------------------------------- XSD literals

VALID = {
    "integer": ["12", "-0", "+7", "007", "9" * 5000],
    "nonNegativeInteger": ["0", "+3", "-0", "1" + "0" * 60],
    "positiveInteger": ["1", "0001"],
    "nonPositiveInteger": ["0", "-5"],
    "negativeInteger": ["-1"],
    "long": ["9223372036854775807", "-9223372036854775808"],
    "int": ["2147483647"],
    "short": ["-32768"],
    "byte": ["127", "-128"],
    "unsignedLong": ["18446744073709551615"],
    "unsignedInt": ["4294967295"],
    "unsignedShort": ["65535"],
    "unsignedByte": ["255", "0"],
    "decimal": ["12.5", "-.5", "1.", "+3", "0"],
    "double": ["1.5E3", "1e-7", "INF", "-INF", "+INF", "NaN", ".5", "12"],
    "float": ["3.4e38", "-0"],
    "boolean": ["true", "false", "1", "0"],
    "date": [
        "2024-03-01",
        "2024-02-29",
        "2000-02-29",
        "-0044-03-15",
        "0000-01-01",
        "2024-03-01Z",
        "2024-03-01+14:00",
        "12024-12-31-05:30",
    ],
    "dateTime": ["2024-03-01T09:30:00", "2024-03-01T24:00:00", "2024-03-01T23:59:59.999Z"],
    "dateTimeStamp": ["2024-03-01T09:30:00Z"],
    "time": ["09:30:00", "00:00:00.5+01:00"],
    "gYear": ["2024", "-0044", "0000", "2024Z"],
    "gYearMonth": ["2024-03", "2024-12+05:00"],
    "gMonth": ["--03"],
    "gDay": ["---31"],
    "gMonthDay": ["--02-29", "--12-31"],
    "duration": ["P24M", "PT1H30M", "P1Y2M3DT4H5M6.5S", "-P1D", "PT0S", "P0D"],
    "yearMonthDuration": ["P2Y", "P24M", "-P1Y6M"],
    "dayTimeDuration": ["P3D", "PT1H", "-PT0.5S"],
    "hexBinary": ["", "0FB7", "ab"],
    "base64Binary": ["", "aGVsbG8=", "aGVs bG8=", "YQ=="],
    "language": ["en", "lo-LA", "en-GB-oxendict"],
    "normalizedString": ["two words"],
    "token": ["two words", "x", ""],
    "string": ["anything at all\n\t"],
    "anyURI": ["not even a URI"],
}

INVALID = {
    "integer": ["twelve", "1.0", " 12", "12 ", "", "+", "1e3", "١٢"],
    "nonNegativeInteger": ["-1", "-" + "1" * 60],
    "positiveInteger": ["0", "-0"],
    "nonPositiveInteger": ["1"],
    "negativeInteger": ["0"],
    "long": ["9223372036854775808", "9" * 5000],
    "int": ["2147483648"],
    "short": ["32768"],
    "byte": ["128", "-129"],
    "unsignedLong": ["-1", "18446744073709551616"],
    "unsignedInt": ["4294967296"],
    "unsignedShort": ["65536"],
    "unsignedByte": ["256"],
    "decimal": [".", "1e3", "INF", "1,5", "twelve"],
    "double": ["nan", "inf", "1e", "E3", "1.5.3", "Infinity"],
    "float": ["one"],
    "boolean": ["True", "yes", "TRUE", " true"],
    "date": [
        "2023-02-29",
        "2024-02-30",
        "2024-04-31",
        "2024-13-01",
        "2024-00-10",
        "24-03-01",
        "2024-3-1",
        "2024-03-01T00:00:00",
        "2024-03-01+15:00",
        "2024-03-01+14:30",
        "01-03-2024",
        "2024/03/01",
    ],
    "dateTime": ["2024-03-01", "2024-03-01T24:30:00", "2024-03-01T9:30:00", "2024-02-30T00:00:00"],
    "dateTimeStamp": ["2024-03-01T09:30:00"],
    "time": ["25:00:00", "09:60:00", "9:30"],
    "gYear": ["24", "2024-01", "year 2024", "+2024"],
    "gYearMonth": ["2024-13", "2024"],
    "gMonth": ["03", "--13"],
    "gDay": ["---32", "--01"],
    "gMonthDay": ["--02-30", "--04-31", "--13-01"],
    "duration": ["P", "PT", "P1YT", "24 months", "P1.5Y", "PT1.S", "1D"],
    "yearMonthDuration": ["P1D", "PT1H", "P"],
    "dayTimeDuration": ["P1Y", "P1M", "PT"],
    "hexBinary": ["0FB", "zz"],
    "base64Binary": ["aGVsbG8", "a===", "!!!!"],
    "language": ["englishlanguage", "en_GB", ""],
    "normalizedString": ["two\nlines"],
    "token": [" lead", "trail ", "two  spaces", "tab\there"],
}


@pytest.mark.parametrize("name, lexical", [(n, v) for n, values in VALID.items() for v in values])
def test_valid_literals_pass(name, lexical):
    assert checks.literal_problem(lexical, XSD + name) is None


@pytest.mark.parametrize("name, lexical", [(n, v) for n, values in INVALID.items() for v in values])
def test_invalid_literals_are_named_with_what_was_expected(name, lexical):
    problem = checks.literal_problem(lexical, XSD + name)
    assert problem is not None and f"is not a valid xsd:{name} (expected " in problem


def test_a_misspelt_xsd_datatype_is_refused_and_other_datatypes_are_not_judged():
    assert checks.literal_problem("12", XSD + "interger") == "xsd:interger is not an XSD datatype"
    assert checks.literal_problem("twelve", "http://example.org/myInteger") is None
    assert checks.literal_problem("x", XSD + "NCName") is None  # an XSD type laokg does not check


def test_the_message_shows_a_long_value_shortened():
    problem = checks.literal_problem("x" * 500, XSD + "integer")
    assert problem.startswith('"' + "x" * 60 + '…" is not a valid xsd:integer')


def test_bounded_integers_name_their_range():
    assert checks.literal_problem("300", XSD + "byte").endswith("(expected a whole number from -128 to 127)")
    assert checks.literal_problem("0", XSD + "positiveInteger").endswith("(expected a whole number from 1)")


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.integers().map(lambda v: (str(v), "integer")),
        st.decimals(allow_nan=False, allow_infinity=False).map(lambda v: (format(v, "f"), "decimal")),
        st.floats().map(lambda v: (repr(v).replace("inf", "INF").replace("nan", "NaN"), "double")),
        st.dates().map(lambda v: (v.isoformat().rjust(10, "0"), "date")),
        st.datetimes().map(lambda v: (v.isoformat(), "dateTime")),
        st.times().map(lambda v: (v.isoformat(), "time")),
        st.booleans().map(lambda v: (str(v).lower(), "boolean")),
        st.binary(max_size=20).map(lambda v: (v.hex(), "hexBinary")),
    )
)
def test_what_python_writes_for_a_value_is_valid(pair):
    lexical, name = pair
    assert checks.literal_problem(lexical, XSD + name) is None


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="0123456789+-.eE:TZPYMDHS -", max_size=12),
    st.sampled_from(["integer", "decimal", "double", "date", "dateTime", "boolean", "gYear"]),
)
def test_what_laokg_accepts_rdflib_can_read(lexical, name):
    """No false acceptance: a lexical form laokg passes is one rdflib converts to a value."""
    if checks.literal_problem(lexical, XSD + name) is None and not lexical.startswith("-0000"):
        literal = Literal(lexical, datatype=URIRef(XSD + name))
        assert literal.ill_typed is not True, (lexical, name)


def test_the_real_graphs_datatypes_are_all_checked():
    """Every XSD datatype the real graph uses is one laokg checks (or a plain string/URI)."""
    import pyoxigraph

    from .coretools import REAL_ROOT

    used = set()
    for path in sorted((REAL_ROOT / "graph").glob("*.ttl")):
        for quad in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
            if isinstance(quad.object, pyoxigraph.Literal) and quad.object.datatype.value.startswith(XSD):
                used.add(quad.object.datatype.value[len(XSD) :])
    assert used and used - {"string", "anyURI"} <= set(checks._FORMS) | set(checks._INTEGERS)


# ---------------------------------------------------------------- file:line from the checker


def _check(tmp_path, text, name="data.ttl"):
    path = write(tmp_path / name, text)
    checks.check_text(path, path.read_bytes(), path.as_uri())
    return path


def _refusal(tmp_path, text, name="data.ttl"):
    with pytest.raises(RDFSyntaxError) as caught:
        _check(tmp_path, text, name)
    return caught.value


def test_an_ill_typed_literal_names_file_and_line(tmp_path):
    error = _refusal(tmp_path, PREFIXES + '\nkg:a schema:name "A" .\nkg:a schema:value "twelve"^^xsd:integer .\n')
    assert error.line == 10 and str(error).endswith(
        ':10: "twelve" is not a valid xsd:integer (expected a whole number, e.g. 12)'
    )


def test_the_line_of_a_literal_that_ends_its_line(tmp_path):
    """Oxigraph reads one token past a literal (``^^`` may follow on the next line); the
    line reported is still the literal's."""
    text = PREFIXES + 'kg:a schema:startDate "2023-02-30"^^xsd:date ,\n    "2024-01-01"^^xsd:date .\n'
    assert _refusal(tmp_path, text).line == 8
    text = PREFIXES + 'kg:a schema:name "A" ;\n   schema:value "x"^^xsd:boolean\n\n   .\n'
    assert _refusal(tmp_path, text).line == 9


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    before=st.lists(
        st.sampled_from(
            [
                'kg:b schema:name "B" .',
                "# a comment",
                "",
                'kg:c schema:value 12 ;\n  schema:name "C" .',
                'kg:d schema:value ( 1 2 [ schema:name "x" ] ) .',
            ]
        ),
        max_size=6,
    ),
    after=st.lists(st.sampled_from(['kg:e schema:name "E" .', "# twelve", ""]), max_size=3),
    literal=st.sampled_from(
        ['"twelve"^^xsd:integer', '"2024-13-01"^^xsd:date', '"P"^^xsd:duration', '"yes"^^xsd:boolean']
    ),
)
def test_the_reported_line_is_the_line_of_the_literal(tmp_path, before, after, literal):
    head = PREFIXES + "".join(line + "\n" for line in before)
    text = head + f"kg:x schema:value {literal} .\n" + "".join(line + "\n" for line in after)
    assert _refusal(tmp_path, text).line == head.count("\n") + 1


def test_numbers_written_bare_are_always_valid(tmp_path):
    _check(tmp_path, PREFIXES + "kg:a schema:value 12, -1.5, 1e3, true .\n")


def test_a_literal_of_the_limit_passes_and_one_more_character_is_refused(tmp_path):
    ok = "x" * checks.MAX_LITERAL
    _check(tmp_path, PREFIXES + f'kg:a schema:description "{ok}" .\n')
    error = _refusal(tmp_path, PREFIXES + f'kg:a schema:name "A" .\n\nkg:a schema:description "{ok}y" .\n')
    assert error.line == 10
    assert error.message == (
        f"a literal of {checks.MAX_LITERAL + 1:,} characters; laokg reads literals of at most "
        f"{checks.MAX_LITERAL:,} characters (docs/limits.md)"
    )


def test_a_literal_past_oxigraphs_token_limit_is_one_line_not_out_of_memory(tmp_path):
    big = "a" * (checks.OXIGRAPH_TOKEN_LIMIT + 10)
    error = _refusal(tmp_path, PREFIXES + f'kg:a schema:name "A" .\nkg:a schema:description "{big}" .\n')
    assert error.line == 9
    assert error.message.startswith(
        f"a literal or IRI longer than {checks.OXIGRAPH_TOKEN_LIMIT:,} bytes (Oxigraph's token limit)"
    )


def _list(n):
    return "( " + " ".join(str(i) for i in range(n)) + " )"


def test_a_list_of_the_limit_passes_and_one_more_item_is_refused(tmp_path):
    _check(tmp_path, PREFIXES + f"kg:a schema:value {_list(checks.MAX_LIST)} .\n")
    error = _refusal(
        tmp_path, PREFIXES + 'kg:a schema:name "A" .\n' + f"kg:a schema:value\n  {_list(checks.MAX_LIST + 1)} .\n"
    )
    assert error.line == 10
    assert (
        error.message == f"a list of {checks.MAX_LIST + 1:,} items; "
        f"laokg reads lists of at most {checks.MAX_LIST:,} items (docs/limits.md)"
    )


def test_a_list_written_as_triples_is_counted_the_same(tmp_path):
    n = checks.MAX_LIST + 1
    rdf = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    lines = ["<https://w3id.org/laokg/id/a> <https://schema.org/value> _:n0 ."]
    for i in range(n):
        nxt = f"_:n{i + 1}" if i + 1 < n else f"{rdf}nil>"
        lines.append(f'_:n{i} {rdf}first> "{i}" .')
        lines.append(f"_:n{i} {rdf}rest> {nxt} .")
    error = _refusal(tmp_path, "\n".join(lines) + "\n", "data.nt")
    assert error.line == 1 and "a list of 10,001 items" in error.message


def test_a_cycle_of_list_nodes_ends(tmp_path):
    rdf = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    _check(
        tmp_path, f'_:a {rdf}rest> _:b .\n_:b {rdf}rest> _:a .\n_:a {rdf}first> "1" .\n_:c <http://e/p> _:c .\n', "c.nt"
    )


@pytest.mark.parametrize("shape", ["brackets", "lists", "labelled"])
def test_nesting_to_the_limit_passes_and_one_level_more_is_refused(tmp_path, shape):
    def nested(depth):
        if shape == "brackets":
            return "kg:a schema:value " + "[ schema:value " * depth + '"x"' + " ]" * depth + " .\n"
        if shape == "lists":
            return "kg:a schema:value " + "( " * depth + '"x"' + " )" * depth + " .\n"
        return (
            "kg:a schema:value _:n1 .\n"
            + "".join(f"_:n{i} schema:value _:n{i + 1} .\n" for i in range(1, depth))
            + f'_:n{depth} schema:name "x" .\n'
        )

    _check(tmp_path, PREFIXES + nested(checks.MAX_DEPTH))
    error = _refusal(tmp_path, PREFIXES + "\n" + nested(checks.MAX_DEPTH + 1))
    assert error.line == 9
    assert error.message == (
        f"blank nodes or lists nested {checks.MAX_DEPTH + 1} levels deep; laokg reads at most "
        f"{checks.MAX_DEPTH} levels (docs/limits.md)"
    )


def test_a_syntax_error_is_left_to_the_loaders_parser(tmp_path):
    """A file Oxigraph cannot parse is not judged here: the loader's parser reports its syntax
    error in its own words (so every loader gives the same answer: the syntax error)."""
    for text in (
        'kg:a schema:value schema:value schema:value .\nkg:b schema:value "twelve"^^xsd:integer .\n',
        'kg:b schema:value "twelve"^^xsd:integer .\nkg:a schema:value schema:value schema:value .\n',
    ):
        path = write(tmp_path / "data.ttl", PREFIXES + text)
        assert checks.check_text(path, path.read_bytes(), path.as_uri()) is None


def test_literals_are_reported_before_lists_and_nesting(tmp_path):
    text = PREFIXES + f'kg:a schema:value {_list(checks.MAX_LIST + 1)} .\nkg:b schema:value "x"^^xsd:integer .\n'
    assert "is not a valid xsd:integer" in _refusal(tmp_path, text).message


def test_a_byte_order_mark_is_not_a_problem(tmp_path):
    path = tmp_path / "bom.ttl"
    path.write_bytes(b"\xef\xbb\xbf" + (PREFIXES + 'kg:a schema:value "x"^^xsd:integer .\n').encode())
    with pytest.raises(RDFSyntaxError, match=r"bom.ttl:8: \"x\" is not a valid xsd:integer"):
        checks.check_text(path, path.read_bytes(), path.as_uri())
