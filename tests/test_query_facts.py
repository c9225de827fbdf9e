"""The saved queries' facts that `laokg build` stores (laokg.query.facts): checks made from them
refuse and allow exactly what checks made from rdflib's parse do; they are used only for the
exact text they were computed from; after a build every saved query answers with the same
bytes on the store (the default then) as on rdflib; VALUES bound without rdflib's parser are
verified by the engine that runs them."""

import shutil

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from laokg.cli import cli
from laokg.errors import ParameterError, UnsafeQueryError
from laokg.query import facts as query_facts
from laokg.query import safety
from laokg.query.binding import inject_values
from laokg.query.catalogue import load_catalogue, parse_saved_query
from laokg.query.oxigraph import check_values, choose_engine
from laokg.query.precompute import facts_of

from .conftest import ROOT
from .coretools import copy_real_project
from .test_safety import FROMS, SERVICES

QUERIES = sorted(load_catalogue(ROOT / "queries"), key=lambda q: q.name)


@pytest.fixture
def fresh(monkeypatch):
    """No facts and no memoised parses: each test registers what it needs."""
    monkeypatch.setattr(query_facts, "_FACTS", {})
    monkeypatch.setattr(query_facts, "_LOADED", set())
    monkeypatch.setattr(safety, "_PARSED", {})


def _from_facts(text):
    facts = facts_of(text)
    query_facts.register({query_facts.text_key(text): facts})
    safety._PARSED.clear()
    parsed = safety.parse_query(text)
    assert parsed.facts is facts  # really made from the facts, not parsed
    return parsed


def _refusal(text, **allow):
    try:
        safety.check_query(text, **allow)
    except UnsafeQueryError as exc:
        return str(exc)
    return None


OTHERS = [
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT ?s (COUNT(*) AS ?n) WHERE { ?s a ?type } GROUP BY ?s",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("text", SERVICES + [t for t, _ in FROMS] + OTHERS + [q.text for q in QUERIES[:6]])
def test_facts_give_the_same_checks_as_the_parse(fresh, text):
    parsed = safety.parse_query(text)
    expected = [_refusal(text), _refusal(text, allow_service=True), _refusal(text, allow_from=True)]
    shape = (
        parsed.form,
        parsed.variables,
        parsed.select_star,
        parsed.services(),
        [{k: str(v) for k, v in d.items() if k != "_vars"} for d in parsed.dataset_clause],
        parsed.graph_patterns,
    )
    safety._PARSED.clear()
    if query_facts.has_checked_keyword(text):  # facts never speak for a text with SERVICE, FROM ...
        query_facts.register({query_facts.text_key(text): facts_of(text)})
        assert safety.parse_query(text).facts is None
        assert [_refusal(text), _refusal(text, allow_service=True), _refusal(text, allow_from=True)] == expected
        return
    known = _from_facts(text)
    assert (
        known.form,
        known.variables,
        known.select_star,
        known.services(),
        known.dataset_clause,
        known.graph_patterns,
    ) == shape
    assert [_refusal(text), _refusal(text, allow_service=True), _refusal(text, allow_from=True)] == expected
    assert known.query is not None and known.tree is not None  # rdflib's parse, when an engine asks for it


def test_facts_serve_only_their_exact_text(fresh):
    text = "SELECT * WHERE { ?s ?p ?o }"
    _from_facts(text)
    changed = text.replace("?o }", "?o SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    with pytest.raises(UnsafeQueryError):
        safety.check_query(changed)
    assert safety.parse_query(text + " ").facts is None


@pytest.mark.parametrize(
    "text",
    [
        *SERVICES,
        *(t for t, _ in FROMS),
        "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
        "PREFIX x: <http://example.org/#>  SELECT * FROM <http://example.org/g> { ?s ?p ?o }",  # '#' in an IRI
        "SELECT * { ?s ?p ?o .SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * { ?s ?p ?o } # a comment\nfrom <http://example.org/g>",
        "SELECT * { ?s <http://example.org/from> ?o }",  # an IRI's words count too
    ],
)
def test_a_text_with_a_checked_keyword_is_never_taken_from_facts(text):
    assert query_facts.has_checked_keyword(text)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?from WHERE { ?from <http://example.org/p> "SERVICE" } # FROM <g>',
        "SELECT * { ?s ?p kg:employment-service-facilities . ?s ?p $delete }",
        'SELECT * { ?s ?p """a " FROM <g>""" FILTER(?a<?b) }',
    ],
)
def test_keywords_in_strings_comments_names_and_variables_are_not_keywords(text):
    assert not query_facts.has_checked_keyword(text)


def test_no_saved_query_or_audit_rule_loses_its_facts():
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").rglob("*.rq"))]
    assert len(texts) > 30 and not [t for t in texts if query_facts.has_checked_keyword(t)]


def test_planted_facts_do_not_let_a_service_query_run(built, tmp_path, fresh):
    """dist/ is written by whoever made the folder: facts planted in its queries.json that say
    a query has no SERVICE (copied from a harmless query's) do not spare that query the check."""
    import json

    project = tmp_path / "p"
    shutil.copytree(built, project, symlinks=True)
    hostile = "SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }\n"
    (project / "queries" / "hostile.rq").write_text("#+ summary: planted\n" + hostile, encoding="utf-8")
    facts_file = project / "dist" / "current" / query_facts.FACTS_FILE
    record = json.loads(facts_file.read_text(encoding="utf-8"))
    lie = dict(facts_of("SELECT ?s WHERE { ?s ?p ?o }"))
    assert lie["services"] == []
    for text in ("#+ summary: planted\n" + hostile, hostile):
        record["queries"][query_facts.text_key(text)] = lie
    facts_file.write_text(json.dumps(record), encoding="utf-8")
    for engine in ("auto", "rdflib", "oxigraph"):
        result = CliRunner().invoke(cli, ["query", "run", "hostile", "--root", str(project), "--engine", engine])
        assert result.exit_code == UnsafeQueryError.exit_code, (engine, result.output)
        assert "SERVICE" in result.output, (engine, result.output)


@pytest.mark.parametrize("sq", QUERIES, ids=[q.name for q in QUERIES])
def test_a_saved_query_reads_the_same_from_its_facts(fresh, sq):
    query_facts.register({query_facts.text_key(sq.text): facts_of(sq.text)})
    from_facts = parse_saved_query(sq.text, sq.name, sq.path)
    assert from_facts == sq


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from laokg.query.precompute import build_release

    project = copy_real_project(tmp_path_factory.mktemp("facts") / "p")
    build_release(project)
    return project


def test_the_build_stores_the_facts_of_every_saved_query_and_rule(built):
    stored = query_facts.read_facts(built / "dist" / "current" / query_facts.FACTS_FILE)
    texts = [p.read_text(encoding="utf-8") for p in sorted((built / "queries").rglob("*.rq"))]
    assert len(texts) > 30 and set(stored) == {query_facts.text_key(t) for t in texts}
    for text in texts[:5]:
        assert stored[query_facts.text_key(text)] == facts_of(text)


def test_auto_uses_a_current_store_and_rdflib_without_one(built, tmp_path):
    assert choose_engine("auto", built) == "oxigraph"
    assert choose_engine("auto", built, [str(ROOT / "graph" / "people.ttl")]) == "rdflib"  # --data: no store
    plain = copy_real_project(tmp_path / "plain")
    assert choose_engine("auto", plain) == "rdflib"


def _cases(sq):
    """The parameter sets tests/expected/ runs this query with (else none)."""
    import json

    path = ROOT / "tests" / "expected" / f"{sq.name}.json"
    if not path.is_file():
        return [[]]
    cases = json.loads(path.read_text(encoding="utf-8")).get("cases") or [{}]
    return [[f"{name}={value}" for name, value in case.get("params", [])] for case in cases]


@pytest.mark.parametrize("sq", QUERIES, ids=[q.name for q in QUERIES])
def test_after_a_build_every_saved_query_gives_the_same_bytes(built, sq):
    """The default (auto) engine on a built project is the store: its answers must be rdflib's,
    byte for byte, in every format, with every parameter set tests/expected/ uses."""
    fmts = ("csv", "tsv", "json", "table") if sq.form in ("SELECT", "ASK") else ("turtle", "nt")
    for number, params in enumerate(_cases(sq)):
        for fmt in fmts if number == 0 else fmts[:1]:
            args = ["query", "run", sq.name, "--root", str(built), "--format", fmt]
            for param in params:
                args += ["-p", param]
            auto = CliRunner().invoke(cli, args)
            reference = CliRunner().invoke(cli, args + ["--engine", "rdflib"])
            assert (auto.exit_code, auto.output) == (reference.exit_code, reference.output), (fmt, params)
            assert auto.exit_code in (0, 1)


# ---------------------------------------------------------------- VALUES without rdflib's parser

TEXT = "SELECT ?x WHERE { ?x ?p ?_v_iri . OPTIONAL { ?x ?q ?_v_iri } }"


@pytest.mark.parametrize(
    "terms",
    [
        [URIRef("http://example.org/a")],
        [Literal("x")],
        [Literal('quote " } UNION { ?s ?p ?o } #')],
        [Literal("line\nbreak\ttab\\")],
        [Literal("ລາວ", lang="lo")],
        [Literal("2020", datatype=XSD.gYear)],
        [Literal("5", datatype=XSD.positiveInteger)],
        [Literal("a"), Literal("b"), URIRef("http://example.org/c")],
    ],
)
def test_values_checked_by_oxigraph_give_the_text_rdflibs_check_gives(terms):
    bindings = {"_v_iri": terms}
    assert inject_values(TEXT, bindings, check=check_values) == inject_values(TEXT, bindings)


def test_check_values_refuses_a_block_that_is_not_exactly_the_terms():
    with pytest.raises(ParameterError):
        check_values('VALUES ?v { "a" "b" }', "v", [Literal("a")])
    with pytest.raises(ParameterError):
        check_values('VALUES ?v { "a" } } UNION { VALUES ?v { "b" }', "v", [Literal("a")])
    with pytest.raises(ParameterError):
        check_values('VALUES ?w { "a" }', "v", [Literal("a")])
    check_values('VALUES ?v { "a" }', "v", [Literal("a")])


def test_token_check_refuses_an_insert_that_changes_the_query():
    from laokg.query.binding import _verify_tokens

    text = 'SELECT * WHERE { ?s ?p "x" }'
    _verify_tokens(text, text[:16] + " VALUES ?p { <http://e/p> }" + text[16:], [(16, " VALUES ?p { <http://e/p> }")])
    bad = ' VALUES ?p { "open }'
    with pytest.raises(ParameterError):
        _verify_tokens(text, text[:16] + bad + text[16:], [(16, ' VALUES ?p { "y" }')])
