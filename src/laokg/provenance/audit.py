"""The source audit: data-quality rules over the sources and the graph.

Each rule is a saved check query in ``queries/audit/<ID>-<name>.rq``: it returns the
offending rows (zero rows means the rule holds). The decorators are the same grlc-style
``#+`` lines as the query catalogue; the rule's severity is one of the tags ``violation``,
``warning`` or ``info``. A row has ``?focus`` (what the finding is about) and ``?detail``
(what is wrong), and optionally ``?other``, ``?source``, ``?evidence`` and ``?footnote``
(further nodes involved).

Audit findings are not validation failures: the sources' own oddities stay recorded as the
sources have them, and the audit reports them.
"""

from __future__ import annotations

import functools
import gc
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.query import ResultRow

from laokg.errors import InputError
from laokg.labels import LabelIndex, NodeLabels, curie
from laokg.query.catalogue import load_query_file

SEVERITIES = ("violation", "warning", "info")
_INVOLVED = ("other", "source", "other_source", "evidence", "footnote")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    summary: str
    description: str
    text: str
    path: str


@dataclass
class Finding:
    focus: str
    focus_label: str | None
    detail: str
    involved: list[dict] = field(default_factory=list)


@dataclass
class RuleResult:
    rule: Rule
    findings: list[Finding]


@dataclass
class AuditReport:
    results: list[RuleResult]

    def count(self, severity: str) -> int:
        return sum(len(r.findings) for r in self.results if r.rule.severity == severity)

    @property
    def has_violations(self) -> bool:
        return self.count("violation") > 0


def rules_dir(root: Path) -> Path:
    return Path(root) / "queries" / "audit"


def load_rules(directory: Path) -> list[Rule]:
    """Every ``*.rq`` check in ``directory``, sorted by id; the id is the file name up to the first '-'."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: audit rules directory not found")
    rules = []
    for path in sorted(directory.glob("*.rq")):
        saved = load_query_file(path)
        severities = [t for t in saved.tags if t in SEVERITIES]
        if len(severities) != 1 or "audit" not in saved.tags:
            raise InputError(f"{path}: an audit rule needs the tag 'audit' and exactly one of {', '.join(SEVERITIES)}")
        rule_id, _, name = path.stem.partition("-")
        rules.append(
            Rule(
                rule_id,
                name or rule_id,
                severities[0],
                saved.summary or name,
                (saved.description or "").strip(),
                saved.text,
                str(path),
            )
        )
    return rules


def run_rule(graph: Graph, rule: Rule, index: LabelIndex, engine=None) -> RuleResult:
    """The rule's findings. ``engine`` (e.g. the Oxigraph engine, for a large graph) runs the
    rule's query instead of rdflib on ``graph``; labels still come from ``index``."""
    findings = []
    if engine is not None:
        rows = engine.run(rule.text, source=rule.path).rows
    else:
        # a SELECT gives rows only (the isinstance is for the type)
        rows = (row.asdict() for row in graph.query(rule.text) if isinstance(row, ResultRow))
    for values in rows:
        focus = values.get("focus")
        if focus is None:
            continue
        involved = [
            {"role": role, "iri": str(values[role]), "label": index.label(values[role])}
            for role in _INVOLVED
            if values.get(role) is not None
        ]
        findings.append(Finding(str(focus), index.label(focus), str(values.get("detail", "")), involved))
    return RuleResult(rule, findings)


def select_rules(rules: list[Rule], only: list[str] | None = None) -> list[Rule]:
    """``rules``, or those whose id is in ``only`` (any case); an unknown id is an input error."""
    if not only:
        return rules
    wanted = {o.upper() for o in only}
    unknown = wanted - {r.id.upper() for r in rules}
    if unknown:
        raise InputError(
            f"unknown audit rule(s): {', '.join(sorted(unknown))}; known: {', '.join(r.id for r in rules)}"
        )
    return [r for r in rules if r.id.upper() in wanted]


def audit(graph: Graph, rules: list[Rule], only: list[str] | None = None, engine=None) -> AuditReport:
    """Run ``rules`` (or those whose id is in ``only``) over ``graph`` (their queries on
    ``engine`` when one is given: it must hold the same graph)."""
    rules = select_rules(rules, only)
    # the labels of the nodes the findings name, read node by node (on a store, not every label
    # of the graph first: 1M triples, 3.9 s and 230 MiB for an index the report used 1 % of)
    index = NodeLabels(graph)
    results = []
    for rule in rules:
        results.append(run_rule(graph, rule, index, engine))
        if engine is not None:
            give_back_freed_memory()
    return AuditReport(results)


def audit_project(root=None, data=(), only: list[str] | None = None) -> AuditReport:
    """The audit of the project at ``root`` (with the ``data`` files added), its rules run on
    Oxigraph: the built store, the first-use cache's, else the Turtle loaded into memory (the
    same rows as rdflib: tests/test_oxigraph_engine.py; the pairwise rules grow with the square
    of the graph on rdflib). The findings' labels are read from the same store."""
    from laokg.graph.project import find_root
    from laokg.query.oxigraph import local_engine

    rules = select_rules(load_rules(rules_dir(find_root(root))), only)
    engine = local_engine("oxigraph", root, data)
    assert engine is not None  # "oxigraph" is never answered with rdflib
    if engine.location is None:
        from laokg.query.storeview import store_graph

        return audit(store_graph(engine.store), rules, None, engine)
    handed = [engine]  # handed over, not shared: no name here keeps the first store open
    del engine
    return _audit_on_disk(handed, rules)


def _audit_on_disk(handed: list, rules: list[Rule]) -> AuditReport:
    """Each rule on the on-disk store opened afresh. RocksDB keeps the blocks a query read in
    its cache, and what the large rules read stayed in the process for the rules after them:
    at 1M triples `laokg audit` peaked at 305 MB with one store and 262 MB with a store per rule, for
    1.1-1.4 s more CPU of 24 (docs/performance.md). ``handed`` holds the engine on the store, the
    only reference to it, so each store closes once the next one is open."""
    from laokg.graph.store import open_built
    from laokg.query.oxigraph import OxigraphEngine
    from laokg.query.storeview import store_graph

    engine = handed.pop()
    location = engine.location
    results = []
    for number, rule in enumerate(rules):
        if number:
            fresh = open_built(location)
            if fresh is not None:  # else (the store gone since) the one open goes on
                engine = OxigraphEngine(fresh, location)
                gc.collect()  # the store before is closed once its graph view (a cycle) is collected
            give_back_freed_memory()
        graph = store_graph(engine.store)
        results.append(run_rule(graph, rule, NodeLabels(graph), engine))
        del graph
    del engine
    gc.collect()  # the last store closed before the report is written (1M: 75 MiB given back)
    return AuditReport(results)


def give_back_freed_memory() -> None:
    """Return to the system the memory a rule's query freed (glibc keeps it in the process
    otherwise: at 1M triples the pairwise rules' working sets stayed resident, 290 MiB after
    the last rule for 110 MiB in use). Nothing where the C library has no ``malloc_trim``."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)  # the process's own symbols: the C library's, on Linux


# ---------------------------------------------------------------- formatting


#: the CURIE of an IRI, worked out once per IRI (a report names the same nodes many times)
_curie = functools.lru_cache(maxsize=1 << 16)(curie)


def _name(iri: str, label: str | None) -> str:
    return f"{label} ({_curie(iri)})" if label else _curie(iri)


def _wrap(line: str, width: int | None) -> list[str]:
    """``line`` wrapped to ``width`` (None: as it is), continuation lines indented 4 more."""
    if width is None or len(line) <= width:
        return [line]
    import textwrap

    indent = " " * (len(line) - len(line.lstrip(" ")) + 4)
    return textwrap.wrap(line, width, subsequent_indent=indent, break_on_hyphens=False) or [line]


def format_text(report: AuditReport, show_passing: bool = False, width: int | None = None) -> str:
    """The report for people; with ``width``, lines wrap to fit a terminal that wide."""
    lines = []
    for result in report.results:
        rule = result.rule
        if not result.findings and not show_passing:
            continue
        status = f"{len(result.findings)} finding(s)" if result.findings else "holds"
        lines.append(f"{rule.id} [{rule.severity}] {rule.summary} — {status}")
        for f in result.findings:
            lines.append(f"  - {_name(f.focus, f.focus_label)}: {f.detail}")
            for inv in f.involved:
                lines.append(f"      {inv['role']}: {_name(inv['iri'], inv['label'])}")
    totals = ", ".join(f"{report.count(s)} {s}(s)" for s in SEVERITIES)
    held = sum(1 for r in report.results if not r.findings)
    lines.append(f"{len(report.results)} rules run, {held} hold; findings: {totals}")
    return "\n".join(wrapped for line in lines for wrapped in _wrap(line, width)) + "\n"


def format_json(report: AuditReport) -> str:
    data = {
        "summary": {s: report.count(s) for s in SEVERITIES} | {"rules": len(report.results)},
        "rules": [
            {
                "id": r.rule.id,
                "name": r.rule.name,
                "severity": r.rule.severity,
                "summary": r.rule.summary,
                "description": r.rule.description,
                "findings": [asdict(f) for f in r.findings],
            }
            for r in report.results
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
