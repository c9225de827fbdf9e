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

from rdflib.namespace import DCTERMS, PROV, RDFS

from laokg.errors import InputError
from laokg.labels import curie
from laokg.namespaces import LAOKG, OA

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_GRAPH_FILES = ("laokg.nt", "laokg.ttl", "laokg.jsonld")


@dataclass(frozen=True)
class Side:
    """One side of a diff: its triples (N-Triples term strings, :mod:`laokg.graph.triples`) and
    how the user named it."""

    name: str
    kind: str  # release | file | revision | date | project
    triples: frozenset


# ---------------------------------------------------------------- reading a side


def _parse(path: Path) -> frozenset:
    """A graph file's triples: Oxigraph's parser (Turtle reads N-Triples too), else the project
    loader's (which reports what Oxigraph refuses as laokg reports a bad file)."""
    import pyoxigraph

    from laokg.graph.checks import read_regular
    from laokg.graph.triples import from_ntriples, from_rdflib

    raw = read_regular(path)
    try:
        # the parser keeps each literal as written (a store would keep its value: "01" as "1")
        parsed = pyoxigraph.parse(raw, format=pyoxigraph.RdfFormat.TURTLE, base_iri=path.resolve().as_uri())
        text = pyoxigraph.serialize(parsed, format=pyoxigraph.RdfFormat.N_TRIPLES)
        assert text is not None  # with no output file given, serialize returns the bytes
        return frozenset(from_ntriples(text.decode("utf-8")))
    except (SyntaxError, ValueError, OSError, UnicodeDecodeError):
        from laokg.graph.parse import parse_file

        return frozenset(from_rdflib(parse_file(path)))


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


def _project_ntriples(root: Path):
    """The whole project graph as N-Triples text (the loaders' fast path), or None when a file
    needs the rdflib loader."""
    from laokg.graph.asof import reading_as_of
    from laokg.graph.load import load_data_text

    with reading_as_of(None):
        text = load_data_text(root)
    return None if text is None else text.ntriples


def _project_triples(root: Path) -> frozenset:
    from laokg.graph.asof import reading_as_of
    from laokg.graph.load import load_data_graph
    from laokg.graph.triples import from_ntriples, from_rdflib

    text = _project_ntriples(root)
    if text is not None:
        return frozenset(from_ntriples(text))
    with reading_as_of(None):
        return frozenset(from_rdflib(load_data_graph(root)))


def graph_at_revision(root: Path, revision: str) -> frozenset:
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

    from laokg.graph.parse import clear_cache

    with tempfile.TemporaryDirectory(prefix="laokg-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        tree = Path(tmp) / prefix
        triples = _project_triples(tree)
        clear_cache()
    return triples


def resolve(spec: str, root=None, _memo: dict | None = None) -> Side:
    """Read one side of a diff (see the module docstring for what ``spec`` may be)."""
    from laokg.graph.project import find_root

    path = Path(spec)
    if path.exists():
        found = _release_file(path)
        if found is None:
            raise InputError(f"{spec}: no laokg.nt, laokg.ttl or laokg.jsonld here or in {spec}/current")
        return Side(spec, "file" if path.is_file() else "release", _parse(found))
    base = find_root(root)
    if _DATE.match(spec):
        from laokg.graph.asof import as_of, as_of_ntriples, parse_day, reading_as_of
        from laokg.graph.load import load_data_graph
        from laokg.graph.triples import from_ntriples, from_rdflib

        day = parse_day(spec)
        memo = {} if _memo is None else _memo
        if spec in memo.get("views", {}):  # read with the other side (:func:`diff`)
            return Side(spec, "date", memo["views"][spec])
        if "text" not in memo:
            memo["text"] = _project_ntriples(base)
        text = memo["text"]
        if text is None:  # a file only the rdflib loader reads (it reports odd files)
            with reading_as_of(None):
                return Side(spec, "date", frozenset(from_rdflib(as_of(load_data_graph(base), day))))
        return Side(spec, "date", frozenset(from_ntriples(as_of_ntriples(text, day))))
    return Side(spec, "revision", graph_at_revision(base, spec))


def _links(root, memo: dict | None = None) -> frozenset:
    """The project's ``laokg:supersededBy`` and ``oa:hasSource`` triples (the diff's hints)."""
    from laokg.graph.project import find_root
    from laokg.graph.triples import from_ntriples

    memo = {} if memo is None else memo
    if "hints" in memo:
        return memo["hints"]
    if "text" not in memo:
        memo["text"] = _project_ntriples(find_root(root))
    text = memo["text"]
    triples: frozenset[tuple[str, str, str]] | set[tuple[str, str, str]]
    if text is None:
        triples = _project_triples(find_root(root))
    else:
        wanted = (f" <{LAOKG.supersededBy}> ", f" <{OA.hasSource}> ")
        triples = from_ntriples("\n".join(line for line in text.splitlines() if any(w in line for w in wanted)))
    keep = (f"<{LAOKG.supersededBy}>", f"<{OA.hasSource}>")
    return frozenset(t for t in triples if t[1] in keep)


# ---------------------------------------------------------------- terms: their names and text

_NT = lambda term: f"<{term}>"  # noqa: E731
_DERIVED, _ATTRIBUTED = _NT(PROV.qualifiedDerivation), _NT(PROV.qualifiedAttribution)
_LINKS = (_DERIVED, _ATTRIBUTED)
_ENTITY, _SELECTOR, _REFINED = _NT(PROV.entity), _NT(OA.hasSelector), _NT(OA.refinedBy)
_HAS_SOURCE, _STATED, _SUPERSEDED = _NT(OA.hasSource), _NT(LAOKG.statedProperty), _NT(LAOKG.supersededBy)
_VERSION_OF, _ISSUED, _TITLE = _NT(DCTERMS.isVersionOf), _NT(DCTERMS.issued), _NT(DCTERMS.title)
_LABEL = _NT(RDFS.label)
_STOP = frozenset({_HAS_SOURCE, _NT(LAOKG.section), _NT(LAOKG.footnote), _STATED})
_FOLLOW = frozenset({_ENTITY, _SELECTOR, _REFINED})
_INDEXED = frozenset({*_LINKS, *_FOLLOW, _HAS_SOURCE, _STATED, _SUPERSEDED, _VERSION_OF, _ISSUED, _TITLE, _LABEL})

_names: dict = {}
_texts: dict = {}


def _rdflib_literal(term: str):
    """The literal as the project loader reads it: its lexical form kept as written."""
    import rdflib
    from rdflib import Literal, URIRef

    from laokg.graph.triples import literal_parts, unescape

    parts = literal_parts(term)
    previous, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        datatype = URIRef(parts.datatype) if parts.datatype else None
        return Literal(unescape(parts.body), lang=parts.language, datatype=datatype)
    finally:
        rdflib.NORMALIZE_LITERALS = previous


def _name(term: str) -> str:
    """The name of an IRI or literal in a diff: its N-Triples form as rdflib writes it (the
    lexical form as written; a string with a line break in triple quotes)."""
    if term[0] != '"':
        return term
    try:
        return _names[term]
    except KeyError:
        pass
    end = term.rfind('"')
    if "\\" not in term[:end] and (end == len(term) - 1 or term[end + 1] == "@"):
        name = term  # a plain or language-tagged string with nothing escaped: the same text
    else:
        name = _rdflib_literal(term).n3()
    _names[term] = name
    return name


def _text(term: str) -> str:
    """``str()`` of the term as rdflib reads it: an IRI without brackets, a literal's lexical form."""
    if term[0] == "<":
        return term[1:-1]
    if term[0] == "_":
        return term[2:]
    text = _texts.get(term)
    if text is None:
        from laokg.graph.triples import literal_parts, unescape

        text = _texts[term] = unescape(literal_parts(term).body)
    return text


class _Overlay:
    """A read-only dict of lists: ``base``'s, with ``extra``'s lists appended key by key."""

    def __init__(self, base, extra: dict):
        self.base, self.extra = base, extra

    def get(self, key, default=()):
        more = self.extra.get(key)
        if more is None:
            return self.base.get(key, default)
        return [*self.base.get(key, ()), *more]

    def items(self):
        extra = self.extra
        for key, values in self.base.items():
            yield key, ([*values, *extra[key]] if key in extra else values)
        for key, values in extra.items():
            if key not in self.base:
                yield key, values

    def values(self):
        return (values for _, values in self.items())


def _index(triples) -> tuple[dict, dict, dict]:
    by_pred: dict = {p: {} for p in _INDEXED}
    blank: dict = {}  # blank node -> [(p, o)]
    parents: dict = {}  # blank node -> [(s, p)] naming it
    for s, p, o in triples:
        index = by_pred.get(p)
        if index is not None:
            index.setdefault(s, []).append(o)
        if s[0] == "_":
            blank.setdefault(s, []).append((p, o))
        if o[0] == "_":
            parents.setdefault(o, []).append((s, p))
    return by_pred, blank, parents


class _Graph:
    """One side's triples with the indexes the diff needs (built in one pass). With ``base`` (a
    :class:`_Graph` of the triples both sides share), ``triples`` are this side's own: only
    they are indexed, and read through the shared indexes (two sides of one project share
    nearly all their triples)."""

    def __init__(self, triples, base: _Graph | None = None, walk: bool = True):
        self.triples, self.base = triples, base
        own_by_pred, own_blank, parents = _index(triples)
        self.own_parents = parents
        self.by_pred: dict[str, dict | _Overlay] = own_by_pred
        self.blank: dict | _Overlay = own_blank
        self.parents: dict | _Overlay = parents
        if base is not None:
            self.by_pred = {p: _Overlay(base.by_pred[p], own_by_pred[p]) for p in _INDEXED}
            self.blank, self.parents = _Overlay(base.blank, own_blank), _Overlay(base.parents, parents)
        self._out: dict = {}
        self.documents: dict = {}  # document -> its entry in a list of sources (_document)
        self.scaffolding = self._scaffolding() if walk else set()

    def objects(self, subject, predicate) -> list:
        return self.by_pred[predicate].get(subject, ())

    def _scaffolding(self) -> set:
        """Every node reached from an evidence link (the evidence, passages, selectors): through
        prov:entity, oa:hasSelector and oa:refinedBy, and to blank nodes under any property but
        oa:hasSource, laokg:section, laokg:footnote and laokg:statedProperty. On a side read
        through a base, the walk goes on from the base's (more triples only reach more nodes):
        from this side's own links and edges."""
        children: dict = {}
        for o, named in self.own_parents.items():
            for s, p in named:
                if p not in _STOP:
                    children.setdefault(s, []).append(o)
        base = self.base
        if base is None:
            seen: set = set()
            frontier = {o for link in _LINKS for objs in self.by_pred[link].values() for o in objs}
            self.children = children
        else:
            seen = set(base.scaffolding)
            frontier = {
                o
                for s, p, o in self.triples
                if p in _LINKS or (s in seen and ((p in _FOLLOW and o[0] != '"') or (o[0] == "_" and p not in _STOP)))
            }
            own, children = children, base.children
            frontier -= seen
        while frontier:
            seen |= frontier
            nxt: set[str] = set()
            for node in frontier:
                for p in _FOLLOW:
                    nxt.update(o for o in self.by_pred[p].get(node, ()) if o[0] != '"')
                nxt.update(children.get(node, ()))
                if base is not None:
                    nxt.update(own.get(node, ()))
            frontier = nxt - seen
        return seen

    def outgoing(self, nodes) -> None:
        """Index the triples of ``nodes`` (IRIs) for :meth:`predicate_objects`, in one pass (on the
        shared triples, one for both sides when the caller gives the base every node first)."""
        wanted = {n for n in nodes if n[0] == "<" and n not in self._out}
        if not wanted:
            return
        if self.base is not None:
            self.base.outgoing(wanted)
        for n in wanted:
            self._out[n] = list(self.base._out[n]) if self.base is not None else []
        for s, p, o in self.triples:
            if s in wanted:
                self._out[s].append((p, o))

    def predicate_objects(self, node) -> list:
        return self.blank.get(node, ()) if node[0] == "_" else self._out.get(node, ())

    def up(self, nodes) -> set:
        """``nodes`` and every node whose description includes one of them: the subjects naming a
        blank node, recursively through blank nodes."""
        out, frontier = set(nodes), {n for n in nodes if n[0] == "_"}
        while frontier:
            named = {s for n in frontier for s, _ in self.parents.get(n, ())} - out
            out |= named
            frontier = {n for n in named if n[0] == "_"}
        return out


class _Namer:
    """Names for terms, with blank nodes named by their description."""

    def __init__(self, graph: _Graph):
        self.graph = graph
        self.cache: dict = {}

    def term(self, term: str, depth: int = 0) -> str:
        if term[0] == "_":
            if term in self.cache:
                return self.cache[term]
            if depth > 8:
                return "[…]"
            inner = sorted(
                f"{self.term(p, depth + 1)} {self.term(o, depth + 1)}" for p, o in self.graph.blank.get(term, ())
            )
            name = "[ " + " ; ".join(inner) + " ]"
            self.cache[term] = name
            return name
        return _name(term)


_BARE = {
    "<http://www.w3.org/2001/XMLSchema#integer>",
    "<http://www.w3.org/2001/XMLSchema#decimal>",
    "<http://www.w3.org/2001/XMLSchema#boolean>",
}


def _curie(text: str) -> str:
    typed = re.match(r'^(".*"\^\^)(<[^<>]*>)$', text, re.S)
    if typed and typed.group(2) in _BARE and re.fullmatch(r'"[-+]?[0-9.]+"\^\^|"(true|false)"\^\^', typed.group(1)):
        return typed.group(1)[1:-3]
    if typed:
        return typed.group(1) + _curie(typed.group(2))
    if text.startswith("<") and text.endswith(">"):
        return curie(text[1:-1])  # the CURIE every reader shows, else the IRI in <>
    return text


def _first(values) -> str | None:
    values = sorted(_text(v) for v in values)
    return values[0] if values else None


def _title(graph: _Graph, doc: str) -> str:
    """A document's title (its first ``dct:title``, else ``rdfs:label``, else its IRI)."""
    for prop in (_TITLE, _LABEL):
        first = _first(graph.objects(doc, prop))
        if first is not None:
            return first
    return _text(doc)


def _document(graph: _Graph, doc: str) -> dict:
    """A source's entry (its IRI, title, date and work), made once per side."""
    cache = graph.documents
    entry = cache.get(doc)
    if entry is None:
        edition_of = _first(graph.objects(doc, _VERSION_OF))
        entry = {"document": _text(doc), "title": _title(graph, doc), "issued": _first(graph.objects(doc, _ISSUED))}
        if edition_of:
            entry["editionOf"] = edition_of
        cache[doc] = entry
    return entry


def _sources(graph: _Graph, subject: str, predicate: str) -> list[dict]:
    out = {}
    for evidence in graph.objects(subject, _DERIVED):
        stated = graph.objects(evidence, _STATED)
        if stated and predicate not in stated:
            continue
        for passage in graph.objects(evidence, _ENTITY):
            for doc in graph.objects(passage, _HAS_SOURCE):
                out[_text(doc)] = dict(_document(graph, doc))
    if graph.objects(subject, _ATTRIBUTED):
        out["laokg"] = {"document": None, "title": "laokg (project)", "issued": None}
    return [out[k] for k in sorted(out)]


def _is_fact(graph: _Graph, s: str, p: str) -> bool:
    return s[0] != "_" and p not in _LINKS and s not in graph.scaffolding


def _facts(graph: _Graph, namer: _Namer, subjects: set) -> dict:
    """(subject, predicate) -> {object name: (s, p, o)} for every fact of ``subjects`` (indexed
    by :meth:`_Graph.outgoing`)."""
    facts: dict = {}
    for s in subjects:
        for p, o in graph.predicate_objects(s):
            if _is_fact(graph, s, p):
                facts.setdefault((s, p), {})[namer.term(o)] = (s, p, o)
    return facts


def _evidence(graph: _Graph, namer: _Namer, subject: str) -> dict:
    """evidence name -> its description (sorted lines) for one subject."""
    out = {}
    for link in _LINKS:
        for evidence in graph.objects(subject, link):
            lines = []
            # a worklist walk like query/entity.py's describe_graph, on this module's string graph
            # and with its own rule (follow prov:entity to IRI passages): the loop is all they share
            frontier = [evidence]
            seen = set()
            while frontier:
                node = frontier.pop()
                if node in seen:
                    continue
                seen.add(node)
                for p, o in graph.predicate_objects(node):
                    lines.append(f"{namer.term(node)} {namer.term(p)} {namer.term(o)}")
                    if p == _ENTITY and o[0] != "_":
                        frontier.append(o)
            out[namer.term(evidence)] = sorted(lines)
    return out


def _evidence_nodes(graph: _Graph, subject: str) -> set:
    """The IRI nodes :func:`_evidence` reads for ``subject`` (its evidence and their passages)."""
    nodes: set = set()
    frontier = [o for link in _LINKS for o in graph.objects(subject, link)]
    while frontier:
        node = frontier.pop()
        if node in nodes or node[0] == '"':
            continue
        nodes.add(node)
        frontier.extend(o for o in graph.objects(node, _ENTITY) if o[0] != "_")
    return nodes


def replacements(*graphs: _Graph) -> dict:
    """old node -> new node, for every ``laokg:supersededBy`` between two statements."""
    documents = {doc for graph in graphs for objs in graph.by_pred[_HAS_SOURCE].values() for doc in objs}
    out: dict[str, str] = {}
    for graph in graphs:
        for old, news in sorted(graph.by_pred[_SUPERSEDED].items()):
            for new in news:
                if old[0] == "<" and new[0] == "<" and new not in documents:
                    out.setdefault(old, new)
    return out


def dropped_by(*graphs: _Graph) -> dict:
    """node -> the later edition that no longer states it (``laokg:supersededBy`` a document)."""
    documents = {doc for graph in graphs for objs in graph.by_pred[_HAS_SOURCE].values() for doc in objs}
    return {
        old: new
        for graph in graphs
        for old, news in graph.by_pred[_SUPERSEDED].items()
        for new in news
        if old[0] == "<" and new in documents
    }


def _fact_subjects(graph: _Graph, nodes) -> set:
    """Those of ``nodes`` (indexed by :meth:`_Graph.outgoing`) that are the subject of some fact."""
    return {
        n
        for n in nodes
        if n[0] == "<" and n not in graph.scaffolding and any(p not in _LINKS for p, _ in graph.predicate_objects(n))
    }


def diff_triples(old, new, old_name: str = "A", new_name: str = "B", hints=None) -> dict:
    """The changes from ``old`` to ``new`` (sets of N-Triples term triples) as plain data (see the
    module docstring).

    Only what differs is looked at closely: the triples in one side only, the subjects they
    touch (up through the blank nodes and passages that describe them), and the statements
    ``laokg:supersededBy`` links. A statement found only in ``old`` that ``laokg:supersededBy``
    links (in either graph, or in ``hints``) to a statement found only in ``new`` is compared
    with it property by property: its differing values are *changed* (with ``was`` naming the
    old node)."""
    old_set = old if isinstance(old, (set, frozenset)) else set(old)
    new_set = new if isinstance(new, (set, frozenset)) else set(new)
    return _diff(old_set & new_set, old_set - new_set, new_set - old_set, old_name, new_name, hints)


def diff_taking(old: set, new: set, old_name: str = "A", new_name: str = "B") -> dict:
    """:func:`diff_triples` of two sets it may empty: once the triples both hold and those each
    holds alone are found, ``old`` and ``new`` are cleared, so each triple is held once while
    the changes are worked out (two releases of a million triples: two sets fewer)."""
    shared = old & new
    only_old, only_new = old - shared, new - shared
    old.clear()
    new.clear()
    return _diff(shared, only_old, only_new, old_name, new_name)


def _diff(shared, only_old, only_new, old_name: str, new_name: str, hints=None) -> dict:
    """:func:`diff_triples` on the triples both sides hold and those each holds alone."""
    common = _Graph(shared)
    old_g, new_g = _Graph(only_old, common), _Graph(only_new, common)
    graphs = (old_g, new_g, *([_Graph(hints)] if hints is not None else []))
    dropped = dropped_by(*graphs)
    pairs = sorted(replacements(*graphs).items())
    candidates = {n for pair in pairs for n in pair}
    # the subjects whose facts may differ: those of a triple in one side only (and what names
    # them through blank nodes), those whose scaffolding status differs, both ends of a
    # replacement; and the subjects whose evidence may read differently
    touched = {s for s, _, _ in only_old} | {s for s, _, _ in only_new}
    touched |= old_g.up(touched) | new_g.up(touched)
    evidence_subjects = [s for s in _evidence_candidates(old_g, new_g, only_old, only_new, touched) if s[0] == "<"]
    flipped = old_g.scaffolding ^ new_g.scaffolding
    looked_at = {
        graph: candidates
        | touched
        | flipped
        | {node for subject in evidence_subjects for node in _evidence_nodes(graph, subject)}
        for graph in (old_g, new_g)
    }
    common.outgoing(looked_at[old_g] | looked_at[new_g])  # one pass on the shared triples
    for graph in (old_g, new_g):
        graph.outgoing(looked_at[graph])
    old_subjects, new_subjects = _fact_subjects(old_g, candidates), _fact_subjects(new_g, candidates)
    was = {}
    for before, after in pairs:
        if (
            before in old_subjects
            and before not in new_subjects
            and after in new_subjects
            and after not in old_subjects
            and after not in was
        ):
            was[after] = before
    affected = {s for s in touched | flipped | set(was) | set(was.values()) if s[0] == "<"}
    old_namer, new_namer = _Namer(old_g), _Namer(new_g)
    old_facts = _facts(old_g, old_namer, affected)
    new_facts = _facts(new_g, new_namer, affected)
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
            entry = {
                "subject": s_name,
                "predicate": p_name,
                "from": gone[0],
                "to": came[0],
                "sourcesFrom": _sources(old_g, s, p),
                "sourcesTo": _sources(new_g, s2, p2),
            }
            if s_name in was:
                entry["was"] = was[s_name]
            changed.append(entry)
            continue
        for o_name in gone:
            s, p, _ = before[o_name]
            entry = {
                "subject": was.get(s_name, s_name),
                "predicate": p_name,
                "object": o_name,
                "sources": _sources(old_g, s, p),
            }
            if entry["subject"] in dropped:
                entry["droppedBy"] = dropped[entry["subject"]]
            removed.append(entry)
        for o_name in came:
            s, p, _ = after[o_name]
            added.append({"subject": s_name, "predicate": p_name, "object": o_name, "sources": _sources(new_g, s, p)})
    evidence = []
    for subject in evidence_subjects:
        before, after = _evidence(old_g, old_namer, subject), _evidence(new_g, new_namer, subject)
        if before == after:
            continue
        entry = {
            "subject": subject,
            "added": sorted(set(after) - set(before)),
            "removed": sorted(set(before) - set(after)),
            "changed": sorted(k for k in set(before) & set(after) if before[k] != after[k]),
        }
        evidence.append(entry)
    return {
        "from": old_name,
        "to": new_name,
        "summary": {"added": len(added), "removed": len(removed), "changed": len(changed), "evidence": len(evidence)},
        "added": added,
        "removed": removed,
        "changed": changed,
        "evidence": evidence,
    }


def _evidence_candidates(old_g: _Graph, new_g: _Graph, only_old, only_new, touched) -> list:
    """The subjects whose evidence may read differently: a link in one side only, or evidence
    whose own triples, passage's triples or blank nodes differ (``touched``: the subjects of the
    triples in one side only and what names them through blank nodes)."""
    out = {s for s, p, _ in (*only_old, *only_new) if p in _LINKS}
    for graph in (old_g, new_g):
        reach = set(touched)  # a passage's change reaches its evidence
        reach |= {ev for ev, passages in graph.by_pred[_ENTITY].items() if any(p in touched for p in passages)}
        for link in _LINKS:
            out |= {s for s, evs in graph.by_pred[link].items() if any(e in reach for e in evs)}
    return sorted(out, key=_name)


def diff_graphs(old, new, old_name: str = "A", new_name: str = "B", hints=None) -> dict:
    """:func:`diff_triples` on rdflib graphs (or sets of term triples)."""
    from laokg.graph.triples import from_rdflib

    def triples(graph):
        return graph if graph is None or isinstance(graph, (set, frozenset)) else from_rdflib(graph)

    return diff_triples(triples(old), triples(new), old_name, new_name, triples(hints))


def diff(a: str, b: str, root=None) -> dict:
    """``laokg diff A B``: read both sides (:func:`resolve`) and compare them."""
    memo: dict = {}
    dates = [spec for spec in dict.fromkeys((a, b)) if _DATE.match(spec) and not Path(spec).exists()]
    if len(dates) == 2:  # two views of one text: only what either leaves out is compared
        from laokg.graph.asof import as_of_changes, parse_day
        from laokg.graph.project import find_root

        days = [parse_day(d) for d in dates]
        text = memo["text"] = _project_ntriples(find_root(root))
        if text is not None:
            old_day, new_day = days
            shared, only_old, only_new, kept = as_of_changes(text, old_day, new_day, keep=(_SUPERSEDED, _HAS_SOURCE))
            return _diff(shared, only_old, only_new, a, b, frozenset(kept))
    if dates:  # the project's text read once for both dated views and the hints
        from laokg.graph.asof import as_of_views, parse_day
        from laokg.graph.project import find_root

        days = [parse_day(d) for d in dates]  # a bad date is refused before the project is read
        text = memo["text"] = _project_ntriples(find_root(root))
        if text is not None:
            views, kept = as_of_views(text, days, keep=(_SUPERSEDED, _HAS_SOURCE))
            memo["views"], memo["hints"] = dict(zip(dates, views, strict=True)), frozenset(kept)
    old, new = resolve(a, root, memo), resolve(b, root, memo)
    hints = None
    if "date" in (old.kind, new.kind):  # a dated view drops the links to what is not yet stated
        hints = _links(root, memo)
    return diff_triples(old.triples, new.triples, a, b, hints)


# ---------------------------------------------------------------- formats


def format_json(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


#: pieces of JSON and lines of text written at a time by :func:`write_json` and :func:`write_text`
_JSON_BATCH, _TEXT_BATCH = 65536, 16384


def write_json(result: dict, handle) -> None:
    """Write :func:`format_json`'s text to the text file ``handle``, a batch of pieces at a
    time (at a million triples the text is hundreds of megabytes)."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2, sort_keys=True)  # json.dumps's encoder
    batch: list[str] = []
    for piece in encoder.iterencode(result):
        batch.append(piece)
        if len(batch) >= _JSON_BATCH:
            handle.write("".join(batch))
            batch.clear()
    batch.append("\n")
    handle.write("".join(batch))


def _source_text(sources: list[dict]) -> str:
    if not sources:
        return "no source"
    return "; ".join(s["title"] + (f" ({s['issued']})" if s.get("issued") else "") for s in sources)


def _fact_entry(mark: str, fact: dict) -> str:
    """An added (``+``) or removed (``-``) fact: the triple, its sources, and for a removed one
    the later edition that dropped it."""
    dropped = fact.get("droppedBy")
    return (
        f"  {mark} {_curie(fact['subject'])} {_curie(fact['predicate'])} {_curie(fact['object'])}\n"
        f"      source: {_source_text(fact['sources'])}"
        + (f"\n      dropped by the later edition {_curie(dropped)}" if dropped else "")
    )


def _text_lines(result: dict):
    """The lines of :func:`format_text`, one at a time (an entry's line may hold several)."""
    s = result["summary"]
    yield (
        f"Changes from {result['from']} to {result['to']}: {s['added']} added, {s['removed']} removed, "
        f"{s['changed']} changed; evidence changed on {s['evidence']} subject{'' if s['evidence'] == 1 else 's'}"
    )
    if result["added"]:
        yield from ("", "Added:")
        yield from (_fact_entry("+", f) for f in result["added"])
    if result["removed"]:
        yield from ("", "Removed:")
        yield from (_fact_entry("-", f) for f in result["removed"])
    if result["changed"]:
        yield from ("", "Changed:")
        for f in result["changed"]:
            was = f" (was {_curie(f['was'])})" if f.get("was") else ""
            yield f"  ~ {_curie(f['subject'])}{was} {_curie(f['predicate'])}: {_curie(f['from'])} -> {_curie(f['to'])}"
            yield f"      was from: {_source_text(f['sourcesFrom'])}"
            yield f"      now from: {_source_text(f['sourcesTo'])}"
    if result["evidence"]:
        yield from ("", "Evidence:")
        for e in result["evidence"]:
            parts = [f"{len(e[k])} {k}" for k in ("added", "removed", "changed") if e[k]]
            yield f"  {_curie(e['subject'])}: " + ", ".join(parts)


def format_text(result: dict) -> str:
    return "\n".join(_text_lines(result)) + "\n"


def write_text(result: dict, handle) -> None:
    """Write :func:`format_text`'s text to the text file ``handle``, a batch of lines at a time."""
    batch: list[str] = []
    for line in _text_lines(result):
        batch.append(line)
        if len(batch) >= _TEXT_BATCH:
            handle.write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        handle.write("\n".join(batch) + "\n")


__all__ = [
    "diff",
    "diff_graphs",
    "diff_triples",
    "diff_taking",
    "resolve",
    "graph_at_revision",
    "format_json",
    "format_text",
    "write_json",
    "write_text",
    "Side",
]
