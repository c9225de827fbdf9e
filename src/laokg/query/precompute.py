"""The saved queries' facts (:mod:`laokg.query.facts`) computed ahead of a run, with rdflib's
full parse and the same checks a run makes: for the release (:func:`compute_facts`), or for
one query inside its budget (:func:`facts_within`); and :func:`build_release`, what ``laokg
build`` does.

:func:`build_release` lives here, not in :mod:`laokg.graph.build`, because of the layering
(tests/test_architecture.py): building the release itself (validation, exports, store,
changes, the atomic switch) is :func:`laokg.graph.build.build` in the graph layer, which
cannot import the query layer; the facts of the saved queries need the query parser and
checks. So ``graph.build.build`` takes the extra files of a release as ``attachments``, and
this function, the lowest place that knows both, hands it ``queries.json``. Its callers (the
``build`` command and the site) call this one function.
"""

from __future__ import annotations

import json
from pathlib import Path

from laokg.query.facts import FACTS_FILE, FACTS_VERSION, text_key


def facts_of(text: str, source: str = "query", line_offset: int = 0) -> dict:
    """The facts of one query text, from rdflib's full parse (raises what parsing raises;
    ``line_offset`` is subtracted from the line numbers it reports)."""
    from laokg.query.catalogue import read_decorators
    from laokg.query.parameters import expected_classes
    from laokg.query.safety import parse_query

    decorators, body_start = read_decorators(text, source)
    parsed = parse_query(text, source, line_offset, fresh=True)
    dataset = []
    for d in parsed.dataset_clause:
        dataset.append(["FROM NAMED", str(d["named"])] if "named" in d else ["FROM", str(d["default"])])
    return {
        "form": parsed.form,
        "variables": list(parsed.variables),
        "select_star": parsed.select_star,
        "services": parsed.services(),
        "dataset": dataset,
        "graph_patterns": parsed.graph_patterns,
        "decorators": decorators,
        "body_start": body_start,
        "classes": {
            var: sorted(str(c) for c in classes) for var, classes in sorted(expected_classes(text, parse=True).items())
        },
    }


def facts_within(text: str, budget, source: str = "query", line_offset: int = 0) -> dict[str, dict]:
    """Parse ``text`` within ``budget`` (a :class:`~laokg.query.budget.Budget`: in its worker,
    under its deadline and memory cap) and register its facts for this process, so that the
    checks that follow (:func:`laokg.query.safety.check_query`, the parameters) read them and
    nothing parses the text outside the budget; the parse itself comes back too
    (:mod:`laokg.query.parsecopy`), so the rdflib engine's evaluation does not parse it again.
    A text whose facts are known (the build's) is not parsed; a syntax error, an update or a
    limit hit is raised as one laokg error. Returns the facts it computed ({text key: facts};
    {} when it parsed nothing)."""
    from laokg.query.budget import needs_worker, run_budgeted
    from laokg.query.facts import lookup, register
    from laokg.query.parsecopy import adopt_parse, export_parse

    if lookup(text) is not None or not needs_worker(budget):
        return {}

    def parse() -> tuple[dict, bytes | None]:
        facts = facts_of(text, source, line_offset)
        return facts, export_parse(text)  # the parse itself too: the rdflib engine evaluates it

    facts, parse_bytes = run_budgeted(parse, budget)
    computed = {text_key(text): facts}
    register(computed)
    adopt_parse(text, parse_bytes)  # so the worker that evaluates it does not parse it again
    return computed


def compute_facts(queries_dir: Path) -> bytes:
    """``queries.json`` for every saved query and audit rule under ``queries_dir`` that parses
    (one that does not is left out: it is reported where it is used)."""
    from laokg.errors import LaokgError
    from laokg.graph.checks import enclosing_root
    from laokg.query.catalogue import read_query_text

    queries_dir = Path(queries_dir)
    out: dict[str, dict] = {}
    paths = sorted(queries_dir.rglob("*.rq")) if queries_dir.is_dir() else []
    root = enclosing_root(queries_dir)
    for path in paths:
        try:
            text = read_query_text(path, root)  # the project-file rules: no FIFO, no symlink out
            out[text_key(text)] = facts_of(text, str(path))
        except (OSError, UnicodeDecodeError, LaokgError):
            continue
    record = {"version": FACTS_VERSION, "queries": dict(sorted(out.items()))}
    return (json.dumps(record, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def build_release(root=None, dist=None, extra=()):
    """``laokg build``: :func:`laokg.graph.build.build` with the saved queries' facts
    (``queries.json``) in the release, beside the store."""
    from laokg.graph.build import build
    from laokg.graph.project import find_root

    base = find_root(root)
    # the facts are computed once the graph has loaded and conforms: hostile data is refused first
    return build(base, dist, extra, attachments=lambda: [(FACTS_FILE, compute_facts(base / "queries"))])


__all__ = ["facts_of", "facts_within", "compute_facts", "build_release"]
