"""laokg.graph.load, .parse and .project: finding the project root, loading the data and shapes, syntax errors."""

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from laokg.errors import InputError, RDFSyntaxError
from laokg.graph import checks, load, parse, project
from laokg.namespaces import KG, LAOKG, SCHEMA, SH

from .coretools import PREFIXES, REAL_ROOT, assert_clean_exit, invoke, make_project, requires_real, write


@pytest.fixture(autouse=True)
def _no_env_root(monkeypatch):
    monkeypatch.delenv(project.ENV_ROOT, raising=False)


# ---------------------------------------------------------------- the project root


def test_find_root_explicit(tmp_path):
    root = make_project(tmp_path)
    assert project.find_root(root) == root.resolve()
    assert project.find_root(str(root)) == root.resolve()


def test_find_root_from_environment(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    monkeypatch.setenv(project.ENV_ROOT, str(root))
    assert project.find_root() == root.resolve()


def test_explicit_root_beats_environment(tmp_path, monkeypatch):
    one, two = make_project(tmp_path, "one"), make_project(tmp_path, "two")
    monkeypatch.setenv(project.ENV_ROOT, str(one))
    assert project.find_root(two) == two.resolve()


def test_find_root_walks_up_from_the_current_directory(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    monkeypatch.chdir(root / "graph")
    assert project.find_root() == root.resolve()


def test_find_root_falls_back_to_the_checkout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert project.find_root() == REAL_ROOT


@pytest.mark.parametrize("kind", ["missing", "file", "not-a-project"])
def test_bad_root_is_an_input_error(tmp_path, kind):
    path = tmp_path / "x"
    if kind == "file":
        path.write_text("")
    elif kind == "not-a-project":
        path.mkdir()
    with pytest.raises(InputError) as info:
        project.find_root(path)
    assert str(path) in str(info.value)


def test_bad_environment_root_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv(project.ENV_ROOT, str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match=r"\$LAOKG_ROOT"):
        project.find_root()


def test_project_files_are_listed_in_order(tmp_path):
    root = make_project(tmp_path)
    write(root / "graph" / "aaa.ttl", "# first\n")
    files = project.project_files(root)
    assert files.ontology.name == "laokg.ttl"
    assert [p.name for p in files.vocab] == ["sector.ttl"]
    assert [p.name for p in files.graph] == ["aaa.ttl", "people.ttl", "sources.ttl"]
    assert files.data == (files.ontology, *files.vocab, *files.graph)
    assert files.shapes not in files.data


def test_vocab_directory_is_optional(tmp_path):
    root = make_project(tmp_path)
    for path in (root / "ontology" / "vocab").iterdir():
        path.unlink()
    (root / "ontology" / "vocab").rmdir()
    assert project.project_files(root).vocab == ()
    assert len(load.load_data_graph(root)) > 0


def test_missing_graph_directory_is_an_input_error(tmp_path):
    root = make_project(tmp_path)
    for path in (root / "graph").iterdir():
        path.unlink()
    (root / "graph").rmdir()
    with pytest.raises(InputError, match="graph directory not found"):
        load.load_data_graph(root)


# ---------------------------------------------------------------- the graphs


def test_data_graph_merges_ontology_vocab_and_graph_but_not_shapes(tmp_path):
    root = make_project(tmp_path)
    g = load.load_data_graph(root)
    assert (LAOKG.Evidence, RDF.type, None) in g  # ontology
    assert (URIRef("https://w3id.org/laokg/vocab/sector/employment"), SKOS.inScheme, None) in g  # vocab
    assert (KG.somchai, SCHEMA.name, Literal("Somchai")) in g  # graph
    assert (None, RDF.type, SH.NodeShape) not in g  # shapes stay out


def test_data_graph_binds_laokg_prefixes_and_keeps_file_prefixes(tmp_path):
    root = make_project(tmp_path)
    g = load.load_data_graph(root)
    bound = {prefix: str(ns) for prefix, ns in g.namespace_manager.namespaces()}
    assert bound["kg"] == str(KG)
    assert bound["laokg"] == str(LAOKG)
    assert bound["dct"] == "http://purl.org/dc/terms/"
    assert bound["vann"] == "http://purl.org/vocab/vann/"  # declared only in the fixture ontology
    assert not any(prefix.startswith("ns") and prefix[2:].isdigit() for prefix in bound)


def test_a_file_prefix_never_rebinds_a_laokg_prefix(tmp_path):
    root = make_project(tmp_path)
    write(root / "graph" / "odd.ttl", "@prefix kg: <http://example.org/other/> .\nkg:x kg:y kg:z .\n")
    g = load.load_data_graph(root)
    assert str(dict(g.namespace_manager.namespaces())["kg"]) == str(KG)


def test_shapes_graph(tmp_path):
    root = make_project(tmp_path)
    shapes = load.load_shapes(root)
    assert (None, RDF.type, SH.NodeShape) in shapes
    assert (KG.somchai, None, None) not in shapes


def test_missing_shapes_is_an_input_error(tmp_path):
    root = make_project(tmp_path)
    (root / "ontology" / "shapes.ttl").unlink()
    with pytest.raises(InputError, match="shapes.ttl: shapes file not found"):
        load.load_shapes(root)


def test_extra_data_files(tmp_path):
    root = make_project(tmp_path)
    extra = write(tmp_path / "extra.ttl", PREFIXES + 'kg:x a schema:Person ; schema:name "X" .\n')
    nt = write(tmp_path / "extra.nt", '<https://w3id.org/laokg/id/y> <https://schema.org/name> "Y" .\n')
    g = load.load_data_graph(root, [extra, nt])
    assert (KG.x, SCHEMA.name, Literal("X")) in g
    assert (KG.y, SCHEMA.name, Literal("Y")) in g


@pytest.mark.parametrize("name,message", [("extra.jsonld", "unsupported data file"), ("gone.ttl", "file not found")])
def test_bad_extra_data_file(tmp_path, name, message):
    root = make_project(tmp_path)
    if name.endswith(".jsonld"):
        write(tmp_path / name, "{}")
    with pytest.raises(InputError, match=message):
        load.load_data_graph(root, [tmp_path / name])


def test_returned_graphs_are_independent(tmp_path):
    root = make_project(tmp_path)
    first = load.load_data_graph(root)
    first.remove((None, None, None))
    assert len(load.load_data_graph(root)) > 0


def test_parses_are_cached_and_edits_are_seen(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    load.load_data_graph(root)
    calls = []
    from rdflib import Graph

    original = Graph.parse
    monkeypatch.setattr(Graph, "parse", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    load.load_data_graph(root)
    assert calls == []  # nothing parsed again
    people = root / "graph" / "people.ttl"
    # same size, same second: only the content differs
    stat = people.stat()
    people.write_text(people.read_text().replace('"Somchai"', '"Somchan"'))
    os.utime(people, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    g = load.load_data_graph(root)
    assert calls == [1]
    assert (KG.somchai, SCHEMA.name, Literal("Somchan")) in g


# ---------------------------------------------------------------- syntax errors


BAD_FILES = [
    # (description, text, line of the error, words the message contains)
    ("extra term", "@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b ex:c ex:d .\n", 3, "end of statement"),
    ("unbound prefix", "@prefix ex: <http://e/> .\n\n\nfoo:a ex:b ex:c .\n", 4, 'Prefix "foo:" not bound'),
    (
        "after a multi-line string",
        '@prefix ex: <http://e/> .\nex:a ex:b """one\ntwo\nthree""" .\nex:a ex:b ex:c ;; . oops\n',
        5,
        "near 'oops'",
    ),
    (
        "newline in a string",
        '@prefix ex: <http://e/> .\n\nex:a ex:b "abc .\nex:x ex:y ex:z .\n',
        3,
        "newline found in string",
    ),
    ("missing final dot", "@prefix ex: <http://e/> .\nex:a ex:b ex:c\n\n", 2, "end of file"),
    (
        "CRLF line ends",
        "@prefix ex: <http://e/> .\r\nex:a ex:b ex:c .\r\nex:a ex:b ex:c ex:d .\r\n",
        3,
        "end of statement",
    ),
    (
        "non-ASCII before",
        '@prefix ex: <http://e/> .\nex:a ex:b "ສະບາຍດີ ສະບາຍດີ" .\nex:a ex:b "ລາວ" ex:oops .\n',
        3,
        "near 'ex:oops .'",
    ),
    ("IRI with a space", "@prefix ex: <http://e/> .\n\nex:a ex:b <http://x y> .\n", 3, "invalid IRI <http://x y>"),
]


@pytest.mark.parametrize("text,line,words", [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_syntax_error_names_file_and_line(tmp_path, text, line, words):
    path = tmp_path / "bad.ttl"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(RDFSyntaxError) as info:
        parse.parse_file(path)
    error = info.value
    assert error.line == line
    assert str(error).startswith(f"{path}:{line}: ")
    assert words in str(error)
    assert "\n" not in str(error)


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_bytes(b'@prefix ex: <http://e/> .\nex:a ex:b "caf\xe9" .\n')
    with pytest.raises(RDFSyntaxError, match=r"bad\.ttl:2: not valid UTF-8"):
        parse.parse_file(path)


def test_other_parser_failures_are_syntax_errors_without_a_line(tmp_path):
    path = write(tmp_path / "bad.ttl", '@prefix ex: <http://e/> .\nex:a ex:b "x"^^ .\n')
    with pytest.raises(RDFSyntaxError) as info:
        parse.parse_file(path)
    assert info.value.line is None
    assert str(info.value).startswith(f"{path}: Turtle syntax error")


_line = st.sampled_from(
    [
        "ex:a ex:b ex:c .",
        "# a comment with a \" quote and a ' quote",
        "",
        'ex:a ex:b """two\nlines""" .',
        'ex:a ex:b "ລາວ"@lo .',
        "ex:a ex:b [ ex:c ex:d ] .",
        "ex:a ex:b ( ex:c\n  ex:d ) .",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(_line, max_size=12), crlf=st.booleans())
def test_reported_line_is_the_line_of_the_error(tmp_path, before, crlf):
    """Whatever valid Turtle comes first (comments, multi-line strings, lists), the error
    is reported on the line where the bad statement stands."""
    lines = ["@prefix ex: <http://e/> ."] + before
    bad_line = "\n".join(lines).count("\n") + 2
    text = "\n".join(lines + ["ex:a ex:b ex:c ex:d .", "ex:e ex:f ex:g ."]) + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    path = tmp_path / "prop.ttl"
    path.write_bytes(text.encode("utf-8"))
    with pytest.raises(RDFSyntaxError) as info:
        parse.parse_file(path)
    assert info.value.line == bad_line


# ---------------------------------------------------------------- through the CLI


@pytest.mark.parametrize("command", [["validate"], ["stats"], ["export"], ["build"]])
def test_cli_syntax_error_is_one_line_and_exit_2(tmp_path, command):
    root = make_project(tmp_path)
    bad = write(
        root / "graph" / "broken.ttl",
        PREFIXES + '\nkg:x a schema:Person ;\n    schema:name "X" \n    schema:jobTitle "Y" .\n',
    )
    result = invoke(*command, "--root", str(root))
    assert_clean_exit(result, 2)
    assert (
        result.stderr
        == f"Error: {bad.resolve()}:11: Turtle syntax error: expected '.' or '}}' or ']' at end of statement "
        "near 'schema:jobTitle \"Y\" .'\n"
    )
    assert result.stdout == ""
    assert not (root / "dist").exists()


@pytest.mark.parametrize("command", [["validate"], ["stats"], ["export"], ["build"]])
def test_cli_missing_root_exits_2(tmp_path, command):
    result = invoke(*command, "--root", str(tmp_path / "nowhere"))
    assert_clean_exit(result, 2)
    assert result.stderr == f"Error: {tmp_path / 'nowhere'}: project root not found (--root)\n"


def test_cli_root_from_environment(tmp_path):
    root = make_project(tmp_path)
    result = invoke("stats", "--format", "json", env={"LAOKG_ROOT": str(root)})
    assert_clean_exit(result, 0)
    assert '"observations": 1' in result.stdout


def test_cli_missing_data_file_exits_2(tmp_path):
    root = make_project(tmp_path)
    result = invoke("stats", "--root", str(root), "--data", str(tmp_path / "gone.ttl"))
    assert_clean_exit(result, 2)
    assert result.stderr.startswith("Error: ") and "gone.ttl: file not found" in result.stderr


# ---------------------------------------------------------------- the real project


@requires_real
def test_real_project_loads():
    g = load.load_data_graph(REAL_ROOT)
    assert len(g) > 1000
    assert (None, RDF.type, SH.NodeShape) not in g
    shapes = load.load_shapes(REAL_ROOT)
    assert (None, RDF.type, SH.NodeShape) in shapes


# ---------------------------------------------------------------- only regular files inside the project (issue 9)


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ"])
def test_a_symlink_leaving_the_project_is_refused_quoting_nothing_of_it(tmp_path, target):
    root = make_project(tmp_path)
    os.symlink(target, root / "graph" / "leak.ttl")
    result = invoke("stats", "--root", str(root), env={"SECRET_TOKEN": "hunter2"})
    assert_clean_exit(result, 2)
    assert result.stderr == (
        f"Error: {root / 'graph' / 'leak.ttl'}: a symlink that leads outside the project; "
        f"laokg reads only files inside {root.resolve()}\n"
    )
    for secret in ("root:", "hunter2", "passwd", "environ", "SECRET"):
        assert secret not in result.stderr


def test_a_symlink_to_turtle_outside_the_project_is_not_merged(tmp_path):
    root = make_project(tmp_path)
    outside = write(tmp_path / "elsewhere" / "more.ttl", PREFIXES + 'kg:outsider schema:name "Out" .\n')
    os.symlink(outside, root / "graph" / "more.ttl")
    result = invoke("export", "--root", str(root), "--format", "nt")
    assert_clean_exit(result, 2)
    assert "outsider" not in result.stdout and "leads outside the project" in result.stderr


def test_a_symlink_inside_the_project_is_read(tmp_path):
    root = make_project(tmp_path)
    write(root / "shared" / "more.ttl", PREFIXES + 'kg:insider schema:name "In" .\n')
    os.symlink(root / "shared" / "more.ttl", root / "graph" / "more.ttl")
    assert (KG.insider, SCHEMA.name, Literal("In")) in load.load_data_graph(root)


def test_a_dangling_symlink_is_one_line(tmp_path):
    root = make_project(tmp_path)
    os.symlink(tmp_path / "nowhere.ttl", root / "graph" / "gone.ttl")
    with pytest.raises(InputError, match="gone.ttl: a symlink that leads nowhere"):
        load.load_data_graph(root)


def test_files_of_unknown_kind_in_graph_are_reported(tmp_path):
    root = make_project(tmp_path)
    write(root / "graph" / "notes.txt", "to do")
    write(root / "graph" / "people.TTL.bak", "")
    write(root / "graph" / ".hidden-editor-state", "")  # hidden files are not ours to judge
    result = invoke("validate", "--root", str(root))
    assert_clean_exit(result, 2)
    assert result.stderr == (
        f"Error: {root / 'graph'}: holds files laokg does not read: notes.txt, people.TTL.bak "
        "(graph/ holds only *.ttl files; move the others elsewhere)\n"
    )


def test_a_directory_or_fifo_named_ttl_is_not_a_regular_file(tmp_path):
    root = make_project(tmp_path)
    os.mkfifo(root / "graph" / "pipe.ttl")
    with pytest.raises(InputError, match="pipe.ttl: not a regular file"):
        load.load_data_graph(root)


@pytest.mark.parametrize("target", ["/dev/zero", "/proc/self/environ"])
def test_data_files_from_system_file_systems_are_refused(tmp_path, target):
    link = tmp_path / "data.ttl"
    os.symlink(target, link)
    root = make_project(tmp_path)
    with pytest.raises(InputError, match="data.ttl: a system file"):
        load.load_data_graph(root, [link])


# ---------------------------------------------------------------- many files at once (issue 11, 1M triples)


def _layout(tmp_path, kind):
    """A project whose graph/ holds one file of ``kind``, and the paths project_files checks."""
    root = make_project(tmp_path / "p")
    graph = root / "graph"
    if kind == "symlink outside":
        os.symlink(write(tmp_path / "elsewhere" / "more.ttl", PREFIXES), graph / "more.ttl")
    elif kind == "symlink inside":
        os.symlink(write(root / "shared" / "more.ttl", PREFIXES), graph / "more.ttl")
    elif kind == "dangling symlink":
        os.symlink(tmp_path / "nowhere.ttl", graph / "gone.ttl")
    elif kind == "fifo":
        os.mkfifo(graph / "pipe.ttl")
    elif kind == "directory":
        (graph / "folder.ttl").mkdir()
    elif kind == "graph folder outside":  # regular files, in a folder that leads outside
        outside = tmp_path / "outside-graph"
        os.rename(graph, outside)
        os.symlink(outside, graph)
    elif kind == "graph folder inside":
        os.rename(graph, root / "kept")
        os.symlink(root / "kept", graph)
    elif kind == "root through a symlink":
        os.symlink(root, tmp_path / "alias")
        root = tmp_path / "alias"
    files = [
        root / "ontology" / "laokg.ttl",
        *sorted((root / "ontology" / "vocab").glob("*.ttl")),
        *sorted((root / "graph").glob("*.ttl")),
        root / "ontology" / "shapes.ttl",
        root / "graph" / "absent.ttl",
    ]
    return root, files


def _refusal(check):
    try:
        check()
    except InputError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize(
    "kind",
    [
        "regular",
        "symlink outside",
        "symlink inside",
        "dangling symlink",
        "fifo",
        "directory",
        "graph folder outside",
        "graph folder inside",
        "root through a symlink",
    ],
)
def test_checking_many_files_at_once_refuses_what_the_one_file_check_refuses(tmp_path, kind):
    """check_all_inside (one resolve per folder for regular files) says what check_inside
    says of the first file it refuses, with the same message; and accepts what it accepts."""
    root, files = _layout(tmp_path, kind)

    def one_by_one():
        for path in files:
            project.check_inside(path, root)

    want = _refusal(one_by_one)
    assert _refusal(lambda: project.check_all_inside(files, root)) == want
    assert (want is None) == (kind in ("regular", "symlink inside", "graph folder inside", "root through a symlink"))
    if want is None:
        assert [p.name for p in project.project_files(root).graph] == [
            p.name for p in sorted((root / "graph").glob("*.ttl"))
        ]
    else:
        with pytest.raises(InputError, match="^" + re.escape(want) + "$"):
            project.project_files(root)


def test_many_files_are_listed_in_path_order(tmp_path):
    root = make_project(tmp_path)
    for name in ("b.ttl", "a-b.ttl", "a.ttl", "A.ttl", "a_b.ttl", "ä.ttl", "a.b.ttl", "10.ttl", "9.ttl", ".hidden.ttl"):
        write(root / "graph" / name, PREFIXES)
    assert list(project.project_files(root).graph) == sorted((root / "graph").glob("*.ttl"))  # pathlib's own order


# ------------------------------------------------- hostile data: one answer from every command (issue 17)


#: kind -> (the Turtle after PREFIXES, the line reported, the message)
HOSTILE = {
    "ill-typed literal": (
        'kg:somchai schema:name "S" .\nkg:somchai schema:birthDate "1980-02-30"^^xsd:date .\n',
        9,
        '"1980-02-30" is not a valid xsd:date (expected YYYY-MM-DD, e.g. 2024-03-01)',
    ),
    "misspelt datatype": ('\nkg:somchai schema:value "12"^^xsd:interger .\n', 9, "xsd:interger is not an XSD datatype"),
    "long list": (
        "kg:somchai schema:value ( " + " ".join(map(str, range(checks.MAX_LIST + 1))) + " ) .\n",
        8,
        f"a list of {checks.MAX_LIST + 1:,} items; laokg reads lists of at most {checks.MAX_LIST:,} items "
        "(docs/limits.md)",
    ),
    "deep nesting": (
        "\n\nkg:somchai schema:value " + "( " * (checks.MAX_DEPTH + 1) + "1" + " )" * (checks.MAX_DEPTH + 1) + " .\n",
        10,
        f"blank nodes or lists nested {checks.MAX_DEPTH + 1} levels deep; laokg reads at most "
        f"{checks.MAX_DEPTH} levels (docs/limits.md)",
    ),
    "long literal": (
        'kg:somchai schema:description "' + "x" * (checks.MAX_LITERAL + 1) + '" .\n',
        8,
        f"a literal of {checks.MAX_LITERAL + 1:,} characters; laokg reads literals of at most "
        f"{checks.MAX_LITERAL:,} characters (docs/limits.md)",
    ),
}

#: every command that loads the graph, on each of laokg's three loaders (Oxigraph to N-Triples
#: for validate/export/build, rdflib for stats/show/sparql, the in-memory Oxigraph store)
LOADING = {
    "validate": ["validate"],
    "export": ["export", "--format", "nt"],
    "build": ["build", "--dist", "{tmp}/dist"],
    "stats": ["stats"],
    "show": ["show", "kg:somchai"],
    "sparql": ["sparql", "--engine", "rdflib", "ASK {}"],
    "sparql on Oxigraph": ["sparql", "--engine", "oxigraph", "ASK {}"],
    "site": ["site", "-o", "{tmp}/site"],
}


@pytest.mark.parametrize("command", sorted(LOADING))
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_data_gets_one_answer_with_file_and_line_from_every_command(tmp_path, kind, command):
    root = make_project(tmp_path)
    text, line, message = HOSTILE[kind]
    hostile = write(root / "graph" / "hostile.ttl", PREFIXES + text)
    args = [a.replace("{tmp}", str(tmp_path)) for a in LOADING[command]]
    result = invoke(*args, "--root", str(root))
    assert_clean_exit(result, 2)
    assert result.stderr == f"Error: {hostile}:{line}: {message}\n"
    assert not (tmp_path / "dist").exists() and not (tmp_path / "site").exists()


@pytest.mark.parametrize("command", ["validate", "stats", "sparql on Oxigraph"])
def test_hostile_data_given_with_data_gets_the_same_answer(tmp_path, command):
    root = make_project(tmp_path)
    text, line, message = HOSTILE["ill-typed literal"]
    extra = write(tmp_path / "extra" / "more.ttl", PREFIXES + text)
    args = [a.replace("{tmp}", str(tmp_path)) for a in LOADING[command]]
    result = invoke(*args, "--root", str(root), "--data", str(extra))
    assert_clean_exit(result, 2)
    assert result.stderr == f"Error: {extra}:{line}: {message}\n"


@pytest.mark.parametrize("command", ["validate", "sparql"])
def test_a_literal_past_oxigraphs_token_limit_is_file_line_not_out_of_memory(tmp_path, command):
    root = make_project(tmp_path)
    big = write(
        root / "graph" / "big.ttl",
        PREFIXES + '\nkg:somchai schema:description "' + "x" * (checks.OXIGRAPH_TOKEN_LIMIT + 1) + '" .\n',
    )
    result = invoke(*LOADING[command], "--root", str(root))
    assert_clean_exit(result, 2)
    assert result.stderr == (
        f"Error: {big}:9: a literal or IRI longer than {checks.OXIGRAPH_TOKEN_LIMIT:,} bytes "
        f"(Oxigraph's token limit); laokg reads literals of at most {checks.MAX_LITERAL:,} "
        "characters (docs/limits.md)\n"
    )


def test_the_library_loaders_refuse_what_the_commands_refuse(tmp_path):
    root = make_project(tmp_path)
    write(root / "graph" / "hostile.ttl", PREFIXES + HOSTILE["ill-typed literal"][0])
    for loader in (load.load_data_graph, load.load_data_text):
        parse.clear_cache()
        with pytest.raises(RDFSyntaxError, match=r"hostile.ttl:9: \"1980-02-30\" is not a valid xsd:date"):
            loader(root)


def test_a_valid_literal_of_every_checked_kind_loads(tmp_path):
    root = make_project(tmp_path)
    write(
        root / "graph" / "typed.ttl",
        PREFIXES + 'kg:somchai schema:value 12, 1.5, 1e3, true, "P24M"^^xsd:duration, '
        '"2024"^^xsd:gYear, "2024-02"^^xsd:gYearMonth, "2024-02-29"^^xsd:date, "-5"^^xsd:nonPositiveInteger, '
        '"2024-02-29T12:00:00Z"^^xsd:dateTime, "en"^^xsd:language, "anything"^^xsd:anyURI .\n',
    )
    assert len(load.load_data_graph(root)) == len(load.load_data_graph(make_project(tmp_path, "plain"))) + 12
    assert load.load_data_text(root) is not None


# ---------------------------------------------------------------- files named with --data (issue 17)

SECRET = "hunter2-first-line-of-a-private-file"


def test_a_data_symlink_to_another_file_prints_nothing_of_it(tmp_path):
    root = make_project(tmp_path)
    private = write(tmp_path / "private" / "notes.txt", SECRET + "\nmore\n")
    link = tmp_path / "bundle" / "data.ttl"
    link.parent.mkdir()
    os.symlink(private, link)
    for command in (["validate"], ["stats"], ["sparql", "--engine", "oxigraph", "ASK {}"], ["export"]):
        result = invoke(*command, "--root", str(root), "--data", str(link))
        assert_clean_exit(result, 2)
        assert result.stderr == (
            f"Error: {link}: a symlink that leads outside the project; laokg follows a "
            "symlink you name only into the project (name the file it leads to instead)\n"
        )
        assert SECRET not in result.output and "private" not in result.output


def test_a_data_file_named_directly_may_live_outside_the_project(tmp_path):
    root = make_project(tmp_path)
    extra = write(tmp_path / "elsewhere" / "more.ttl", PREFIXES + 'kg:outsider schema:name "Out" .\n')
    assert (KG.outsider, SCHEMA.name, Literal("Out")) in load.load_data_graph(root, [extra])


def test_a_data_symlink_into_the_project_is_followed(tmp_path):
    root = make_project(tmp_path)
    target = write(root / "extra" / "more.ttl", PREFIXES + 'kg:insider schema:name "In" .\n')
    os.symlink(target, tmp_path / "more.ttl")
    assert (KG.insider, SCHEMA.name, Literal("In")) in load.load_data_graph(root, [tmp_path / "more.ttl"])


def test_a_data_fifo_is_refused_and_never_opened(tmp_path):
    """In a subprocess with a timeout: a regression would block on the FIFO for ever."""
    import subprocess
    import sys

    root = make_project(tmp_path)
    os.mkfifo(tmp_path / "pipe.ttl")
    done = subprocess.run(
        [sys.executable, "-m", "laokg", "validate", "--root", str(root), "--data", str(tmp_path / "pipe.ttl")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stderr == f"Error: {tmp_path / 'pipe.ttl'}: not a regular file\n"


def test_a_project_file_swapped_for_a_fifo_after_the_listing_is_not_read(tmp_path, monkeypatch):
    """The file is judged by what is open (fstat), not by the earlier check: no TOCTOU hang."""
    import signal

    root = make_project(tmp_path)
    files = project.project_files(root)
    monkeypatch.setattr(load, "project_files", lambda r=None: files)
    people = root / "graph" / "people.ttl"
    people.unlink()
    os.mkfifo(people)
    parse.clear_cache()

    def ring(signum, frame):
        raise TimeoutError("blocked on a FIFO")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(10)
    try:
        assert load.load_data_text(root) is None  # left to the rdflib loader, which reports it
        with pytest.raises(InputError, match="people.ttl: not a regular file"):
            load.load_data_graph(root)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
