"""The saved-query catalogue follows its own conventions (DESIGN.md §4, README "query conventions").

* Every query has a one-line summary, a description and at least one tag (grlc decorators).
* Parameters (``?_name`` required, ``?__name`` optional, BASIL type suffixes) are used
  consistently and the grlc way (grlc pastes values into the text): names without '_', no
  parameter in the SELECT list, never BOUND(); an optional one only inside
  ``FILTER (!COALESCE(isIRI(?__name), false) || ...)`` or ``COALESCE(?__name, <default>)`` so the
  query runs without it; one parameter name has one type across the catalogue; defaults and
  ``enumerate`` values are real nodes of the graph with a label (so ``laokg query show`` can
  name them); and the summary or description tells the user how the parameter is given.
"""

import re

import pytest
from rdflib import URIRef

from .saved_query_support import catalogue, query_names, real_graph

#: Known gaps, each a strict xfail naming the query and what is missing.
KNOWN_GAPS: dict = {}

_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<other>[\s\S])"
)


def code(text: str) -> str:
    """The query text with comments (and decorators) blanked and string contents emptied,
    so that '#', '(' or a variable name inside a string or comment is not mistaken for code."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "comment":
            out.append(" " * len(m.group()))
        elif kind == "string":
            out.append('"' + " " * (len(m.group()) - 2) + '"')
        else:
            out.append(m.group())
    return "".join(out)


def filter_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every ``FILTER (...)`` / ``FILTER EXISTS {...}`` expression in cleaned text."""
    spans = []
    for m in re.finditer(r"\bFILTER\b", text, re.IGNORECASE):
        i = m.end()
        while i < len(text) and text[i].isspace():
            i += 1
        if i < len(text) and text[i] == "(":
            opener, closer = "(", ")"
        else:  # FILTER NOT EXISTS { ... } / FILTER EXISTS { ... } / FILTER regex(...)
            j = min((p for p in (text.find("(", i), text.find("{", i)) if p != -1), default=-1)
            if j == -1:
                continue
            i = j
            opener, closer = text[i], ")" if text[i] == "(" else "}"
        depth = 0
        for k in range(i, len(text)):
            if text[k] == opener:
                depth += 1
            elif text[k] == closer:
                depth -= 1
                if depth == 0:
                    spans.append((m.start(), k + 1))
                    break
    return spans


def _xfail_if_known(name, rule):
    reason = KNOWN_GAPS.get((name, rule))
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


def _by_rule(rule):
    return [pytest.param(n, id=n, marks=_xfail_if_known(n, rule)) for n in query_names()]


@pytest.mark.parametrize("name", _by_rule("decorators"))
def test_summary_description_tags(name):
    sq = catalogue()[name]
    assert sq.summary.strip(), f"{name}: no '#+ summary:'"
    assert "\n" not in sq.summary and len(sq.summary) <= 100, f"{name}: the summary should be one short line"
    assert sq.description.strip(), f"{name}: no '#+ description:'"
    assert sq.description.strip() != sq.summary.strip(), f"{name}: the description only repeats the summary"
    assert sq.tags, f"{name}: no '#+ tags:'"
    for tag in sq.tags:
        assert re.fullmatch(r"[a-z][a-z0-9-]*", tag), f"{name}: tag '{tag}' is not a lower-case word"
    assert not sq.extra, (
        f"{name}: decorators other than summary/description/tags/defaults/enumerate: {sorted(sq.extra)}"
    )
    assert re.fullmatch(r"[a-z][a-z0-9_]*", name), f"{name}: query file names are lower_snake_case"


def _guard(var: str):
    """``!COALESCE(isIRI(?__x), false)`` (isLiteral for literal parameters): "not given"."""
    return re.compile(
        r"!\s*COALESCE\s*\(\s*is(IRI|URI|Literal)\s*\(\s*" + re.escape(var) + r"\s*\)\s*,\s*false\s*\)", re.IGNORECASE
    )


def parameter_problems(sq) -> list[str]:
    """What is wrong with how a saved query uses its parameters ([] if nothing).

    grlc pastes a given value into the text in place of the variable and leaves a parameter
    not given as an unbound variable, so that a query runs the same in grlc and laokg:

    * names are letters and digits only (grlc allows no underscore inside a name);
    * a parameter never appears in the SELECT list (``SELECT <iri>`` is not SPARQL);
    * an optional parameter is never tested with ``BOUND()`` (``BOUND(<iri>)`` is not SPARQL):
      it is used only inside ``FILTER (!COALESCE(isIRI(?__x), false) || ...)`` (``isLiteral``
      for a literal parameter), or as ``COALESCE(?__x, <default>)`` with the default of its
      ``defaults:`` decorator, so the query runs without it.
    """
    problems = []
    text = code(sq.text)
    body_start = text.index("{")
    select_clause = text[:body_start]
    spans = filter_spans(text)
    for p in sq.parameters:
        if not re.fullmatch(r"[a-z][a-zA-Z0-9]*", p.name):
            problems.append(f"parameter '{p.name}' is not a grlc name (letters and digits, lowerCamelCase, no '_')")
        var = "?" + p.variable
        occurrences = [m.start() for m in re.finditer(re.escape(var) + r"(?![A-Za-z0-9_])", text)]
        if not any(pos >= body_start for pos in occurrences):
            problems.append(f"{var} is never used in the query's patterns")
        if any(pos < body_start for pos in occurrences) and re.search(r"\bSELECT\b", select_clause, re.IGNORECASE):
            problems.append(f"{var} is in the SELECT list (grlc would write SELECT <value>)")
        bound_test = re.compile(r"BOUND\s*\(\s*" + re.escape(var) + r"\s*\)", re.IGNORECASE)
        if bound_test.search(text[body_start:]):
            problems.append(f"{var} is tested with BOUND() (grlc pastes the value: BOUND(<iri>) is not SPARQL)")
            continue
        if p.required:
            continue
        guard = _guard(var)
        default = re.compile(r"COALESCE\s*\(\s*" + re.escape(var) + r"\s*,\s*<([^>]*)>\s*\)", re.IGNORECASE)
        for pos in occurrences:
            if pos < body_start:
                continue
            inside = [(a, b) for a, b in spans if a <= pos < b]
            if inside and any(guard.search(text[a:b]) for a, b in inside):
                continue
            m = (
                default.match(text, text.rfind("COALESCE", 0, pos + 1))
                if "COALESCE" in text[max(0, pos - 40) : pos]
                else None
            )
            if m and m.start() <= pos < m.end():
                if [m.group(1)] != [str(d) for d in p.defaults]:
                    problems.append(
                        f"{var}: the COALESCE default <{m.group(1)}> is not the decorator's default {p.defaults}"
                    )
                continue
            problems.append(
                f"optional parameter {var} is used outside a FILTER (!COALESCE(isIRI({var}), false) || ...) or a "
                f"COALESCE({var}, <default>), so the query changes meaning when it is not given "
                f"(at: {' '.join(text[max(0, pos - 40) : pos + 40].split())!r})"
            )
    return problems


@pytest.mark.parametrize("name", _by_rule("used"))
def test_parameters_used_consistently(name):
    problems = parameter_problems(catalogue()[name])
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(
    "body, problem",
    [
        ("SELECT ?s WHERE { ?s ?p ?__x_iri }", "used outside a FILTER"),
        ("SELECT ?s WHERE { ?s ?p ?o FILTER (?o = ?__x_iri) }", "used outside a FILTER"),
        (
            "SELECT ?s WHERE { ?s ?p ?o FILTER (!COALESCE(isIRI(?__x_iri), false) || ?o = ?__x_iri) "
            "OPTIONAL { ?s ?q ?__x_iri } }",
            "used outside a FILTER",
        ),
        ("SELECT ?s WHERE { ?s ?p ?o FILTER (!BOUND(?__x_iri) || ?o = ?__x_iri) }", "tested with BOUND"),
        ("SELECT ?s WHERE { ?s ?p ?_x_iri FILTER (!BOUND(?_x_iri) || true) }", "tested with BOUND"),
        ("SELECT ?s ?__x_iri WHERE { ?s ?p ?o }", "never used in the query's patterns"),
        ("SELECT ?_x_iri ?o WHERE { ?_x_iri ?p ?o }", "in the SELECT list"),
        (
            "SELECT ?s WHERE { ?s ?p ?o "
            "FILTER (!COALESCE(isLiteral(?__from_year_integer), false) || ?o >= ?__from_year_integer) }",
            "not a grlc name",
        ),
        (
            "SELECT ?s WHERE { BIND (COALESCE(?__x_iri, <http://example.org/other>) AS ?x) ?s ?p ?x }",
            "is not the decorator's default",
        ),
    ],
)
def test_parameter_rule_catches_misuse(body, problem):
    from laokg.query.catalogue import parse_saved_query

    head = "#+ summary: s\n#+ description: d\n#+ tags: [t]\n"
    if "example.org/other" in body:
        head += "#+ defaults:\n#+   - x: http://example.org/default\n"
    sq = parse_saved_query(head + body, "synthetic")
    assert any(problem in msg for msg in parameter_problems(sq)), parameter_problems(sq)


def test_parameter_rule_accepts_guarded_filters():
    from laokg.query.catalogue import parse_saved_query

    body = (
        "SELECT ?s WHERE { ?s ?p ?o . ?s ?q ?_y_iri # a comment naming ?__x_iri\n"
        ' BIND ("FILTER ?__x_iri" AS ?label)'
        " FILTER (!COALESCE(isIRI(?__x_iri), false) || EXISTS { ?s ?p ?__x_iri }) }"
    )
    sq = parse_saved_query("#+ summary: s\n#+ description: d\n#+ tags: [t]\n" + body, "synthetic")
    assert parameter_problems(sq) == []


def test_one_parameter_name_one_type():
    """A parameter name (country, type, year ...) means the same kind of value in every query."""
    seen = {}
    clashes = []
    for name in query_names():
        for p in catalogue()[name].parameters:
            label = p.type.label
            if p.name in seen and seen[p.name][1] != label:
                clashes.append(f"'{p.name}' is {seen[p.name][1]} in {seen[p.name][0]} but {label} in {name}")
            seen.setdefault(p.name, (name, label))
    assert not clashes, "\n".join(clashes)


@pytest.mark.parametrize("name", _by_rule("values"))
def test_defaults_and_allowed_values_exist(name):
    """Every default and every `enumerate` value is a node of the graph with a label."""
    from laokg.labels import LABEL_PROPERTIES
    from laokg.query.parameters import coerce

    graph = real_graph()
    for p in catalogue()[name].parameters:
        assert not p.allowed or len(set(p.allowed)) == len(p.allowed), f"{name}: '{p.name}' lists a value twice"
        for kind, values in (("default", p.defaults), ("allowed value", p.allowed)):
            for v in values:
                term = coerce(p, v)
                if isinstance(term, URIRef):
                    assert (term, None, None) in graph, f"{name}: {kind} {v} of '{p.name}' is not in the graph"
                    assert any(graph.value(term, prop) for prop in LABEL_PROPERTIES), (
                        f"{name}: {kind} {v} of '{p.name}' has no label to show"
                    )
        assert p.describe().startswith(p.name + " ("), f"{name}: '{p.name}' cannot be described"


_HOW = {
    # optional parameters filter the rows: the text must say the rows can be narrowed down
    False: re.compile(r"\b(filter|give|given|optionally|only)\b", re.IGNORECASE),
    # required parameters select what the query is about: "one X", "a given X", "give X"
    True: re.compile(r"\b(one|give|given|by default)\b", re.IGNORECASE),
}


@pytest.mark.parametrize("name", _by_rule("documented"))
def test_parameters_documented(name):
    """The summary or description tells the user that (and roughly how) each parameter is given."""
    sq = catalogue()[name]
    text = sq.summary + "\n" + sq.description
    for p in sq.parameters:
        if p.defaults:  # "By default the first-half 2025 total", "the EUDiF profile (or of another document)"
            assert re.search(r"\bdefault\b|\bor (of )?another\b", text, re.IGNORECASE), (
                f"{name}: '{p.name}' has a default the description does not mention"
            )
            continue
        required = p.required
        assert _HOW[required].search(text), (
            f"{name}: the summary/description never tells the user about the {'required' if required else 'optional'} "
            f"parameter '{p.name}'"
        )
