"""What changed between two graphs: facts added, removed and changed, with their sources.

A side of a diff (:func:`resolve`) is a release (a dist/ directory, a release directory, or a
graph file), a git revision of the project (its graph built from the revision's files with
the project loader), or a date (the current project's graph as of that day,
:mod:`laokg.graph.asof`).

Rules (docs/time.md):

- *Evidence scaffolding* is every node reached from a ``prov:qualifiedDerivation`` or
  ``prov:qualifiedAttribution`` (the evidence, its passage, its selectors). A *fact* is any
  other triple, except the two linking properties themselves.
- A fact is *changed*, not removed and added, when its subject has exactly one value of its
  property on each side and the two values differ (a functional-looking property: one value
  per subject on both sides). Any other difference is an addition or a removal.
- Each fact is listed with its sources on the side that holds it: the documents (with their
  ``dct:issued``) read by its subject's evidence whose ``laokg:statedProperty`` is absent or is
  the fact's property, and ``laokg (project)`` for a project assertion.
- Scaffolding changes are not facts: they are listed under the subject they support (evidence
  added, removed, or changed in place).
- Blank nodes are named by their description (their triples, sorted), so the same selector
  on both sides is the same; output is sorted and byte-identical across runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import DCTERMS, PROV

from laokg.errors import InputError
from laokg.labels import curie
from laokg.graph.corroboration import document_title, first_text
from laokg.namespaces import LAOKG, OA

LINKS = (PROV.qualifiedDerivation, PROV.qualifiedAttribution)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_GRAPH_FILES = ("laokg.nt", "laokg.ttl", "laokg.jsonld")


@dataclass(frozen=True)
class Side:
    """One side of a diff: its graph and how the user named it."""

    name: str
    kind: str  # release | file | revision | date | project
    graph: Graph


# ---------------------------------------------------------------- reading a side

def _parse(path: Path) -> Graph:
    from laokg.graph.load import parse_file

    return parse_file(path)


def _release_file(path: Path) -> Path | None:
    if path.is_file():
        return path
    for base in (path, path / "current"):
        for name in _GRAPH_FILES:
            if (base / name).is_file():
                return base / name
    return None


def _git(root: Path, *args: str, binary: bool = False):
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(f"git failed: {exc}") from None
    if done.returncode != 0:
        return None
    return done.stdout if binary else done.stdout.decode("utf-8", "replace").strip()


def graph_at_revision(root: Path, revision: str) -> Graph:
    """The project's data graph at a git revision: its files extracted to a temporary directory
    (``git archive``) and read by the project loader, as ``laokg build`` would read them then."""
    if revision.startswith("-"):
        raise InputError(f"not a release, date or git revision: {revision!r}")
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    top = _git(root, "rev-parse", "--show-toplevel")
    if not commit or not top:
        raise InputError(f"not a release, date or git revision: {revision!r}")
    prefix = os.path.relpath(root.resolve(), Path(top).resolve())
    archive = _git(root, "archive", "--format=tar", commit, "--", "." if prefix == "." else prefix, binary=True)
    if archive is None:
        raise InputError(f"git archive failed for {revision!r}")
    import io

    from laokg.graph.load import clear_cache, load_data_graph

    with tempfile.TemporaryDirectory(prefix="laokg-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        tree = Path(tmp) / prefix
        graph = load_data_graph(tree)
        clear_cache()
    return graph


def resolve(spec: str, root=None) -> Side:
    """Read one side of a diff (see the module docstring for what ``spec`` may be)."""
    from laokg.graph.load import find_root

    path = Path(spec)
    if path.exists():
        found = _release_file(path)
        if found is None:
            raise InputError(f"{spec}: no laokg.nt, laokg.ttl or laokg.jsonld here or in {spec}/current")
        return Side(spec, "file" if path.is_file() else "release", _parse(found))
    base = find_root(root)
    if _DATE.match(spec):
        from laokg.graph.asof import as_of, as_of_ntriples, parse_day, reading_as_of
        from laokg.graph.load import load_data_graph, load_data_text

        day = parse_day(spec)
        with reading_as_of(None):
            text = load_data_text(base)  # the fast path: the view filtered on N-Triples text
        if text is None:  # a file only the rdflib loader reads (it reports odd files)
            return Side(spec, "date", as_of(load_data_graph(base), day))
        graph = Graph()
        graph.parse(data=as_of_ntriples(text.ntriples, day), format="nt")
        return Side(spec, "date", graph)
    return Side(spec, "revision", graph_at_revision(base, spec))


def _links(root) -> Graph:
    """The project's ``laokg:supersededBy`` and ``oa:hasSource`` triples (the diff's hints)."""
    from laokg.graph.asof import reading_as_of
    from laokg.graph.load import find_root, load_data_graph, load_data_text

    with reading_as_of(None):
        text = load_data_text(find_root(root))
        if text is None:
            return load_data_graph(find_root(root))
    wanted = (f" <{LAOKG.supersededBy}> ", f" <{OA.hasSource}> ")
    graph = Graph()
    lines = [line for line in text.ntriples.splitlines() if any(w in line for w in wanted)]
    if lines:
        graph.parse(data="\n".join(lines) + "\n", format="nt")
    return graph


# ---------------------------------------------------------------- facts and their sources

def scaffolding(graph: Graph) -> set:
    """Every node reached from an evidence link (the evidence, passages, selectors)."""
    seen = set()
    frontier = {o for link in LINKS for o in graph.objects(None, link)}
    stop = (OA.hasSource, LAOKG.section, LAOKG.footnote, LAOKG.statedProperty)
    while frontier:
        seen |= frontier
        nxt = set()
        for node in frontier:
            for p, o in graph.predicate_objects(node):
                if p in stop or not isinstance(o, (URIRef, BNode)) or o in seen:
                    continue
                if isinstance(o, BNode) or p in (PROV.entity, OA.hasSelector, OA.refinedBy):
                    nxt.add(o)
        frontier = nxt
    return seen


class _Namer:
    """N-Triples-like names for terms, with blank nodes named by their description."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.cache: dict = {}

    def term(self, term, depth: int = 0) -> str:
        if isinstance(term, BNode):
            if term in self.cache:
                return self.cache[term]
            if depth > 8:
                return "[…]"
            inner = sorted(f"{self.term(p, depth + 1)} {self.term(o, depth + 1)}" for p, o in self.graph.predicate_objects(term))
            name = "[ " + " ; ".join(inner) + " ]"
            self.cache[term] = name
            return name
        return term.n3()


_BARE = {"<http://www.w3.org/2001/XMLSchema#integer>", "<http://www.w3.org/2001/XMLSchema#decimal>",
         "<http://www.w3.org/2001/XMLSchema#boolean>"}


def _curie(text: str) -> str:
    typed = re.match(r'^(".*"\^\^)(<[^<>]*>)$', text, re.S)
    if typed and typed.group(2) in _BARE and re.fullmatch(r'"[-+]?[0-9.]+"\^\^|"(true|false)"\^\^', typed.group(1)):
        return typed.group(1)[1:-3]
    if typed:
        return typed.group(1) + _curie(typed.group(2))
    if text.startswith("<") and text.endswith(">"):
        return curie(text[1:-1])  # the CURIE every reader shows, else the IRI in <>
    return text


def _sources(graph: Graph, subject, predicate) -> list[dict]:
    out = {}
    for evidence in graph.objects(subject, PROV.qualifiedDerivation):
        stated = set(graph.objects(evidence, LAOKG.statedProperty))
        if stated and predicate not in stated:
            continue
        for passage in graph.objects(evidence, PROV.entity):
            for doc in graph.objects(passage, OA.hasSource):
                edition_of = first_text(graph.objects(doc, DCTERMS.isVersionOf))
                entry = {"document": str(doc), "title": document_title(graph, doc),
                         "issued": first_text(graph.objects(doc, DCTERMS.issued))}
                if edition_of:
                    entry["editionOf"] = edition_of
                out[str(doc)] = entry
    if any(True for _ in graph.objects(subject, PROV.qualifiedAttribution)):
        out["laokg"] = {"document": None, "title": "laokg (project)", "issued": None}
    return [out[k] for k in sorted(out)]


def _facts(graph: Graph, namer: _Namer, skip: set) -> dict:
    """(subject, predicate) names -> {object name: (s, p, o)} for every fact."""
    facts: dict = {}
    for s, p, o in graph:
        if s in skip or p in LINKS or isinstance(s, BNode):
            continue
        key = (namer.term(s), namer.term(p))
        facts.setdefault(key, {})[namer.term(o)] = (s, p, o)
    return facts


def _evidence(graph: Graph, namer: _Namer, subject) -> dict:
    """evidence name -> its description (sorted lines) for one subject."""
    out = {}
    for link in LINKS:
        for evidence in graph.objects(subject, link):
            lines = []
            frontier = [evidence]
            seen = set()
            while frontier:
                node = frontier.pop()
                if node in seen:
                    continue
                seen.add(node)
                for p, o in graph.predicate_objects(node):
                    lines.append(f"{namer.term(node)} {namer.term(p)} {namer.term(o)}")
                    if p in (PROV.entity,) and not isinstance(o, BNode):
                        frontier.append(o)
            out[namer.term(evidence)] = sorted(lines)
    return out


def replacements(*graphs: Graph) -> dict:
    """old node name -> new node name, for every ``laokg:supersededBy`` between two statements."""
    documents = {doc for graph in graphs for doc in graph.objects(None, OA.hasSource)}
    out = {}
    for graph in graphs:
        for old, new in graph.subject_objects(LAOKG.supersededBy):
            if isinstance(old, URIRef) and isinstance(new, URIRef) and new not in documents:
                out.setdefault(old.n3(), new.n3())
    return out


def dropped_by(*graphs: Graph) -> dict:
    """node name -> the later edition that no longer states it (``laokg:supersededBy`` a document)."""
    documents = {doc for graph in graphs for doc in graph.objects(None, OA.hasSource)}
    return {old.n3(): new.n3() for graph in graphs for old, new in graph.subject_objects(LAOKG.supersededBy)
            if isinstance(old, URIRef) and new in documents}


def diff_graphs(old: Graph, new: Graph, old_name: str = "A", new_name: str = "B", hints: Graph | None = None) -> dict:
    """The changes from ``old`` to ``new`` as plain data (see the module docstring).

    A statement found only in ``old`` that ``laokg:supersededBy`` links (in either graph, or
    in ``hints``) to a statement found only in ``new`` is compared with it property by
    property: its differing values are *changed* (with ``was`` naming the old node)."""
    old_namer, new_namer = _Namer(old), _Namer(new)
    old_facts = _facts(old, old_namer, scaffolding(old))
    new_facts = _facts(new, new_namer, scaffolding(new))
    old_subjects = {s for s, _ in old_facts}
    new_subjects = {s for s, _ in new_facts}
    was = {}
    graphs = (old, new, *([hints] if hints is not None else []))
    dropped = dropped_by(*graphs)
    for before, after in sorted(replacements(*graphs).items()):
        if before in old_subjects and before not in new_subjects and after in new_subjects and after not in old_subjects \
                and after not in was:
            was[after] = before
    if was:
        back = {before: after for after, before in was.items()}
        old_facts = {(back.get(s, s), p): v for (s, p), v in old_facts.items()}
    added, removed, changed = [], [], []
    for key in sorted(set(old_facts) | set(new_facts)):
        before, after = old_facts.get(key, {}), new_facts.get(key, {})
        gone = sorted(set(before) - set(after))
        came = sorted(set(after) - set(before))
        if not gone and not came:
            continue
        s_name, p_name = key
        if len(before) == 1 and len(after) == 1:
            s, p, _ = before[gone[0]]
            s2, p2, _ = after[came[0]]
            entry = {"subject": s_name, "predicate": p_name, "from": gone[0], "to": came[0],
                     "sourcesFrom": _sources(old, s, p), "sourcesTo": _sources(new, s2, p2)}
            if s_name in was:
                entry["was"] = was[s_name]
            changed.append(entry)
            continue
        for o_name in gone:
            s, p, _ = before[o_name]
            entry = {"subject": was.get(s_name, s_name), "predicate": p_name, "object": o_name,
                     "sources": _sources(old, s, p)}
            if entry["subject"] in dropped:
                entry["droppedBy"] = dropped[entry["subject"]]
            removed.append(entry)
        for o_name in came:
            s, p, _ = after[o_name]
            added.append({"subject": s_name, "predicate": p_name, "object": o_name, "sources": _sources(new, s, p)})
    evidence = []
    subjects = sorted({s for s in set(old.subjects(None, None)) | set(new.subjects(None, None))
                       if not isinstance(s, BNode) and any(True for link in LINKS for _ in _objects(old, new, s, link))},
                      key=lambda n: n.n3())
    for subject in subjects:
        before, after = _evidence(old, old_namer, subject), _evidence(new, new_namer, subject)
        if before == after:
            continue
        entry = {"subject": subject.n3(),
                 "added": sorted(set(after) - set(before)),
                 "removed": sorted(set(before) - set(after)),
                 "changed": sorted(k for k in set(before) & set(after) if before[k] != after[k])}
        evidence.append(entry)
    return {
        "from": old_name, "to": new_name,
        "summary": {"added": len(added), "removed": len(removed), "changed": len(changed), "evidence": len(evidence)},
        "added": added, "removed": removed, "changed": changed, "evidence": evidence,
    }


def _objects(old: Graph, new: Graph, subject, link):
    yield from old.objects(subject, link)
    yield from new.objects(subject, link)


def diff(a: str, b: str, root=None) -> dict:
    """``laokg diff A B``: read both sides (:func:`resolve`) and compare them."""
    old, new = resolve(a, root), resolve(b, root)
    hints = None
    if "date" in (old.kind, new.kind):  # a dated view drops the links to what is not yet stated
        hints = _links(root)
    return diff_graphs(old.graph, new.graph, a, b, hints)


# ---------------------------------------------------------------- formats

def format_json(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _source_text(sources: list[dict]) -> str:
    if not sources:
        return "no source"
    return "; ".join(s["title"] + (f" ({s['issued']})" if s.get("issued") else "") for s in sources)


def format_text(result: dict) -> str:
    s = result["summary"]
    lines = [f"Changes from {result['from']} to {result['to']}: {s['added']} added, {s['removed']} removed, "
             f"{s['changed']} changed; evidence changed on {s['evidence']} subject{'' if s['evidence'] == 1 else 's'}"]
    if result["added"]:
        lines += ["", "Added:"]
        lines += [f"  + {_curie(f['subject'])} {_curie(f['predicate'])} {_curie(f['object'])}\n      source: {_source_text(f['sources'])}"
                  for f in result["added"]]
    if result["removed"]:
        lines += ["", "Removed:"]
        lines += [f"  - {_curie(f['subject'])} {_curie(f['predicate'])} {_curie(f['object'])}\n      source: {_source_text(f['sources'])}"
                  + (f"\n      dropped by the later edition {_curie(f['droppedBy'])}" if f.get("droppedBy") else "")
                  for f in result["removed"]]
    if result["changed"]:
        lines += ["", "Changed:"]
        for f in result["changed"]:
            was = f" (was {_curie(f['was'])})" if f.get("was") else ""
            lines.append(f"  ~ {_curie(f['subject'])}{was} {_curie(f['predicate'])}: {_curie(f['from'])} -> {_curie(f['to'])}")
            lines.append(f"      was from: {_source_text(f['sourcesFrom'])}")
            lines.append(f"      now from: {_source_text(f['sourcesTo'])}")
    if result["evidence"]:
        lines += ["", "Evidence:"]
        for e in result["evidence"]:
            parts = [f"{len(e[k])} {k}" for k in ("added", "removed", "changed") if e[k]]
            lines.append(f"  {_curie(e['subject'])}: " + ", ".join(parts))
    return "\n".join(lines) + "\n"


__all__ = ["diff", "diff_graphs", "resolve", "graph_at_revision", "scaffolding", "format_json", "format_text", "Side"]
