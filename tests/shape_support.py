"""Helpers for the SHACL shape tests (tests/test_shapes.py, tests/test_mutation.py).

* loading: the vocabulary base (ontology + vocab), the real graph, the shapes graph;
* running pySHACL and reading its report into comparable :class:`Result` tuples;
* :func:`validate_focused`: validate only some focus nodes, correctly (see below);
* :func:`required_pairs`: the "required triples" that the shapes demand, derived from
  ``ontology/shapes.ttl`` itself (used by the mutation test).

Why not pySHACL's own ``focus_nodes`` option: pySHACL 0.40 does restrict class targets and
SPARQL constraints to the given nodes, but it applies the same filter to every *nested*
shape evaluation too (``sh:node``, the member shapes of ``sh:or``, ``sh:qualifiedValueShape``),
and it keeps only IRIs. A value node that is not itself in the list — a document behind
``prov:entity``, an evidence node behind ``prov:qualifiedDerivation``, and always a blank-node
text selector — is then silently treated as conforming. Removing ``oa:exact`` from a selector
or ``rdf:type fabio:Report`` from a document is not detected that way (measured; see
test_mutation.py). Adding ``use_shapes`` does not help either (nested ``sh:node`` shapes are then
not found). :func:`validate_focused` instead rewrites the shapes graph: every target
(``sh:targetClass`` …) is replaced by ``sh:targetNode`` for exactly those focus nodes that the
original target selects in the data graph, and then runs an ordinary validation.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from laokg.graph.validate import run_shacl

ROOT = Path(__file__).resolve().parent.parent
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
LKSH = "https://w3id.org/laokg/shapes#"
TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def _paths(*patterns: str) -> list[Path]:
    return [Path(p) for pattern in patterns for p in sorted(glob.glob(str(ROOT / pattern)))]


def base_files() -> list[Path]:
    """ontology/laokg.ttl + ontology/vocab/*.ttl: classes, subclass axioms and SKOS concepts."""
    return _paths("ontology/laokg.ttl", "ontology/vocab/*.ttl")


def graph_files() -> list[Path]:
    return _paths("graph/*.ttl")


def load_real() -> Graph:
    """The real data graph as ``laokg validate`` sees it: ontology, vocabularies and graph/ with
    the evidence its short form expands to (graph/claims.py), in a plain rdflib Graph."""
    from laokg.graph.load import load_data_graph

    g = Graph()
    for triple in load_data_graph(ROOT):
        g.add(triple)
    return g


def load(paths: Iterable[Path]) -> Graph:
    g = Graph()
    for path in paths:
        g.parse(path, format="turtle")
    return g


def load_shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


# ---------------------------------------------------------------- running pySHACL


class Result(NamedTuple):
    """One top-level validation result, reduced to what the tests compare."""

    focus: object  # rdflib term
    severity: str  # Violation | Warning | Info
    shape: URIRef | None  # the named node shape that owns the source shape
    path: URIRef | None  # sh:resultPath (None for node-level results)
    message: str


def owning_shape(shapes: Graph, shape) -> URIRef | None:
    """The named node shape a (possibly anonymous property) shape belongs to."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = shapes.value(predicate=SH.property, object=shape)
        if parent is None:
            return None
        shape = parent
    return shape


def results_of(report: Graph, shapes: Graph) -> list[Result]:
    """The top-level results of a report (nested sh:detail results are not counted)."""
    detail = set(report.objects(None, SH.detail))
    out = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        if node in detail:
            continue
        path = report.value(node, SH.resultPath)
        out.append(
            Result(
                focus=report.value(node, SH.focusNode),
                severity=SEVERITY_NAMES.get(report.value(node, SH.resultSeverity), "?"),
                shape=owning_shape(shapes, report.value(node, SH.sourceShape)),
                path=path if isinstance(path, URIRef) else None,
                message=" / ".join(sorted(str(m) for m in report.objects(node, SH.resultMessage))),
            )
        )
    return sorted(out, key=lambda r: (r.severity, str(r.focus), str(r.shape), str(r.path), r.message))


def pyshacl_report(data: Graph, shapes: Graph) -> Graph:
    """The SHACL report graph, validated exactly as the project does (laokg.graph.validate.run_shacl:
    memoised SHACL-SPARQL parsing, in-place validation when the shapes have no rules)."""
    return run_shacl(data, shapes).report_graph


def project_report(data: Graph, shapes: Graph) -> tuple[Graph, str]:
    return pyshacl_report(data, shapes), "laokg.graph.validate.run_shacl"


# ---------------------------------------------------------------- targets and focused validation


def class_closure(data: Graph, cls) -> set:
    """``cls`` and all its rdfs:subClassOf descendants in the data graph (as SHACL does)."""
    return set(data.transitive_subjects(RDFS.subClassOf, cls))


def instances(data: Graph, cls) -> set:
    out = set()
    for sub in class_closure(data, cls):
        out.update(data.subjects(RDF.type, sub))
    return out


def target_kinds(shapes: Graph, shape) -> list[tuple[URIRef, object]]:
    return sorted(((p, o) for p in TARGET_PREDICATES for o in shapes.objects(shape, p)), key=str)


def targets_of(data: Graph, kind: tuple[URIRef, object]) -> set:
    predicate, value = kind
    if predicate == SH.targetClass:
        return instances(data, value)
    if predicate == SH.targetNode:
        return {value}
    if predicate == SH.targetSubjectsOf:
        return set(data.subjects(value, None))
    if predicate == SH.targetObjectsOf:
        return set(data.objects(None, value))
    raise ValueError(predicate)


def targeted_shapes(shapes: Graph) -> list[URIRef]:
    return sorted({s for p in TARGET_PREDICATES for s in shapes.subjects(p, None)}, key=str)


def is_target(data: Graph, kind: tuple[URIRef, object], node, _closures: dict | None = None) -> bool:
    """Whether ``targets_of(data, kind)`` contains ``node``, without computing the whole set."""
    predicate, value = kind
    if predicate == SH.targetClass:
        closures = _closures if _closures is not None else {}
        if value not in closures:
            closures[value] = class_closure(data, value)
        return any(t in closures[value] for t in data.objects(node, RDF.type))
    if predicate == SH.targetNode:
        return node == value
    if predicate == SH.targetSubjectsOf:
        return (node, value, None) in data
    if predicate == SH.targetObjectsOf:
        return (None, value, node) in data
    raise ValueError(predicate)


_UNTARGETED: dict = {}


def _untargeted(shapes: Graph) -> Graph:
    """The shapes graph without its targets (cached per shapes graph object)."""
    cached = _UNTARGETED.get(id(shapes))
    if cached is None or cached[0] is not shapes or cached[2] != len(shapes):
        stripped = Graph()
        for prefix, ns in shapes.namespaces():
            stripped.bind(prefix, ns, override=True)
        for triple in shapes:
            if triple[1] not in TARGET_PREDICATES:
                stripped.add(triple)
        cached = _UNTARGETED[id(shapes)] = (shapes, stripped, len(shapes))
    return cached[1]


def _focus_targets(shapes: Graph, data: Graph, focus: Iterable) -> list[tuple]:
    closures: dict = {}
    out = []
    for shape in targeted_shapes(shapes):
        kinds = target_kinds(shapes, shape)
        for node in focus:
            if any(is_target(data, kind, node, closures) for kind in kinds):
                out.append((shape, SH.targetNode, node))
    return out


def focused_shapes(shapes: Graph, data: Graph, focus: Iterable) -> Graph:
    """A copy of ``shapes`` whose only targets are those of ``focus`` the real targets select."""
    out = Graph()
    for prefix, ns in shapes.namespaces():
        out.bind(prefix, ns, override=True)
    for triple in _untargeted(shapes):
        out.add(triple)
    for triple in _focus_targets(shapes, data, set(focus)):
        out.add(triple)
    return out


def validate_focused(data: Graph, shapes: Graph, focus: Iterable) -> list[Result]:
    """Validate only ``focus`` (the nodes among them that some shape targets), correctly: the
    targets are rewritten to sh:targetNode on a cached untargeted copy of the shapes, which
    is restored afterwards."""
    stripped = _untargeted(shapes)
    added = [t for t in _focus_targets(shapes, data, set(focus)) if t not in stripped]
    for triple in added:
        stripped.add(triple)
    try:
        return results_of(pyshacl_report(data, stripped), shapes)
    finally:
        for triple in added:
            stripped.remove(triple)


# ---------------------------------------------------------------- required triples


def severity_of(shapes: Graph, shape) -> URIRef:
    return shapes.value(shape, SH.severity) or SH.Violation


def _int(shapes: Graph, node, predicate) -> int:
    value = shapes.value(node, predicate)
    return int(value) if isinstance(value, Literal) else 0


def _list(shapes: Graph, head) -> list:
    return list(Collection(shapes, head)) if head is not None else []


class _Unsupported(Exception):
    pass


def conforms_simply(data: Graph, shapes: Graph, node, shape, depth: int = 0) -> bool:
    """A small evaluator for the value shapes used inside qualified/or constraints: sh:class,
    sh:hasValue/sh:minCount on simple paths, sh:node, sh:or, sh:in, sh:datatype. Raises
    _Unsupported for anything else (the caller then falls back to "any value counts")."""
    if depth > 8:
        raise _Unsupported("too deep")
    known = {
        RDF.type,
        RDFS.comment,
        RDFS.label,
        SH.message,
        SH.severity,
        SH.name,
        SH.description,
        SH["class"],
        SH.property,
        SH.node,
        SH["or"],
        SH["in"],
        SH.datatype,
        SH.path,
        SH.hasValue,
        SH.minCount,
    }
    for predicate in set(shapes.predicates(shape, None)):
        if predicate not in known:
            raise _Unsupported(str(predicate))
    for cls in shapes.objects(shape, SH["class"]):
        if not set(data.objects(node, RDF.type)) & class_closure(data, cls):
            return False
    for datatype in shapes.objects(shape, SH.datatype):
        if not isinstance(node, Literal):
            return False
        actual = node.datatype or (RDF.langString if node.language else XSD.string)
        if actual != datatype:
            return False
    for head in shapes.objects(shape, SH["in"]):
        if node not in _list(shapes, head):
            return False
    for nested in shapes.objects(shape, SH.node):
        if not conforms_simply(data, shapes, node, nested, depth + 1):
            return False
    for head in shapes.objects(shape, SH["or"]):
        if not any(conforms_simply(data, shapes, node, member, depth + 1) for member in _list(shapes, head)):
            return False
    for prop in shapes.objects(shape, SH.property):
        path = shapes.value(prop, SH.path)
        if not isinstance(path, URIRef):
            raise _Unsupported("complex path")
        values = set(data.objects(node, path))
        for value in shapes.objects(prop, SH.hasValue):
            if value not in values:
                return False
        if len(values) < _int(shapes, prop, SH.minCount):
            return False
        if set(shapes.predicates(prop, None)) - {SH.path, SH.hasValue, SH.minCount, SH.message, SH.severity}:
            raise _Unsupported("property shape")
    return True


@dataclass(frozen=True)
class Alternative:
    """``min`` values of ``path`` that pass ``test`` (on the constrained node)."""

    path: URIRef
    min: int
    test: Callable[[Graph, object], bool]


@dataclass(frozen=True)
class Requirement:
    """What a shape demands of the nodes reached from a target by ``via`` (a predicate chain):
    at least one alternative must hold."""

    shape: URIRef  # the targeted node shape where the walk starts
    target: tuple  # (sh:targetClass, cls) etc.
    via: tuple  # predicates from the focus node to the constrained node
    alternatives: tuple  # of Alternative
    what: str  # readable name, e.g. "prov:qualifiedDerivation" or "dct:publisher|dct:creator"


def _qname(graph: Graph, term) -> str:
    try:
        return graph.namespace_manager.normalizeUri(term)
    except Exception:
        return str(term)


def _value_test(shapes: Graph, qualifier) -> Callable[[Graph, object], bool]:
    if qualifier is None:
        return lambda g, v: True

    def test(g: Graph, v) -> bool:
        try:
            return conforms_simply(g, shapes, v, qualifier)
        except _Unsupported:
            return True  # conservative: every value counts, so only sole values are mutated

    return test


def _class_sets(shapes: Graph, prop) -> list[list]:
    """The class alternatives a property shape demands of its values: sh:class C, or an
    sh:or whose members are each just sh:class shapes."""
    out = [[c] for c in shapes.objects(prop, SH["class"])]
    for head in shapes.objects(prop, SH["or"]):
        members = _list(shapes, head)
        classes = []
        for member in members:
            cs = list(shapes.objects(member, SH["class"]))
            extra = set(shapes.predicates(member, None)) - {SH["class"], RDF.type}
            if len(cs) != 1 or extra:
                classes = None
                break
            classes.append(cs[0])
        if classes:
            out.append(classes)
    return out


def _type_alternative(classes: list) -> Alternative:
    def test(g: Graph, cls) -> bool:
        return any(cls in class_closure(g, c) for c in classes)

    return Alternative(RDF.type, 1, test)


def _shape_requirements(data, shapes, shape, via, depth=0):
    """Yield (via, alternatives, what) for ``shape`` applied to nodes reached by ``via``."""
    if depth > 4:
        return
    node_level_ok = severity_of(shapes, shape) == SH.Violation
    if node_level_ok and depth > 0:
        for classes in [[c] for c in shapes.objects(shape, SH["class"])]:
            yield via, (_type_alternative(classes),), "rdf:type " + "|".join(_qname(shapes, c) for c in classes)
    if node_level_ok:
        # node-level sh:or whose members are property shapes with simple paths and min counts
        for head in shapes.objects(shape, SH["or"]):
            alternatives, names = [], []
            for member in _list(shapes, head):
                path = shapes.value(member, SH.path)
                low = max(_int(shapes, member, SH.minCount), _int(shapes, member, SH.qualifiedMinCount))
                if not isinstance(path, URIRef) or low < 1:
                    alternatives = None
                    break
                alternatives.append(
                    Alternative(path, low, _value_test(shapes, shapes.value(member, SH.qualifiedValueShape)))
                )
                names.append(_qname(shapes, path))
            if alternatives:
                yield via, tuple(alternatives), "|".join(dict.fromkeys(names)) + " (sh:or)"
    for prop in shapes.objects(shape, SH.property):
        path = shapes.value(prop, SH.path)
        if not isinstance(path, URIRef) or severity_of(shapes, prop) != SH.Violation:
            continue
        name = _qname(shapes, path)
        low = _int(shapes, prop, SH.minCount)
        if low >= 1:
            yield via, (Alternative(path, low, _value_test(shapes, None)),), name
        qlow = _int(shapes, prop, SH.qualifiedMinCount)
        if qlow >= 1:
            qualifier = shapes.value(prop, SH.qualifiedValueShape)
            yield via, (Alternative(path, qlow, _value_test(shapes, qualifier)),), name + " (qualified)"
        for value in shapes.objects(prop, SH.hasValue):
            yield (
                via,
                (Alternative(path, 1, lambda g, v, value=value: v == value),),
                f"{name} = {_qname(shapes, value)}",
            )
        for classes in _class_sets(shapes, prop):
            label = "|".join(_qname(shapes, c) for c in classes)
            yield via + (path,), (_type_alternative(classes),), f"-> rdf:type {label}"
        for nested in shapes.objects(prop, SH.node):
            yield from _shape_requirements(data, shapes, nested, via + (path,), depth + 1)


def requirements(data: Graph, shapes: Graph) -> list[Requirement]:
    """Every requirement of every targeted Violation-level shape, one per listed target."""
    out = []
    for shape in targeted_shapes(shapes):
        for kind in target_kinds(shapes, shape):
            for via, alternatives, what in _shape_requirements(data, shapes, shape, ()):
                out.append(Requirement(shape, kind, via, alternatives, what))
    return out


def reach(data: Graph, start, via: tuple) -> set:
    nodes = {start}
    for predicate in via:
        nodes = {o for n in nodes for o in data.objects(n, predicate) if not isinstance(o, Literal)}
    return nodes


def sole_triples(data: Graph, requirement: Requirement, node) -> list[tuple]:
    """The triples on ``node`` whose single removal leaves ``requirement`` unmet (the only
    qualifying value of every alternative), if the requirement is met now."""
    qualifying = [
        [(node, alt.path, v) for v in data.objects(node, alt.path) if alt.test(data, v)]
        for alt in requirement.alternatives
    ]
    if not any(len(q) >= alt.min for q, alt in zip(qualifying, requirement.alternatives, strict=True)):
        return []  # already unmet: not ours to test
    out = []
    for triple in dict.fromkeys(t for q in qualifying for t in q):
        if all(
            len([t for t in q if t != triple]) < alt.min
            for q, alt in zip(qualifying, requirement.alternatives, strict=True)
        ):
            out.append(triple)
    return out


def _stable(term, root) -> str:
    return f"_:{root}" if isinstance(term, BNode) else term.n3()


@dataclass(frozen=True)
class Candidate:
    pair: str  # e.g. "CitedShape[schema:Country] prov:qualifiedDerivation"
    focus: URIRef  # the targeted node whose validation must now fail
    triple: tuple

    @property
    def key(self) -> tuple:
        s, p, o = self.triple
        return (self.pair, str(self.focus), _stable(s, self.focus), p.n3(), _stable(o, self.focus))


def pair_name(shapes: Graph, requirement: Requirement) -> str:
    predicate, value = requirement.target
    kind = {
        SH.targetClass: "",
        SH.targetNode: "node ",
        SH.targetSubjectsOf: "subjectsOf ",
        SH.targetObjectsOf: "objectsOf ",
    }[predicate]
    via = "".join(_qname(shapes, p) + "/" for p in requirement.via)
    shape = _qname(shapes, requirement.shape).replace("lksh:", "")
    return f"{shape}[{kind}{_qname(shapes, value)}] {via}{requirement.what}"


def required_pairs(data: Graph, shapes: Graph) -> dict[str, list[Candidate]]:
    """pair name → candidate mutations (sorted). Pairs with no candidate map to []."""
    pairs: dict[str, list[Candidate]] = {}
    for requirement in requirements(data, shapes):
        name = pair_name(shapes, requirement)
        found = pairs.setdefault(name, [])
        for focus in sorted(targets_of(data, requirement.target), key=str):
            if not isinstance(focus, URIRef):
                continue
            for node in reach(data, focus, requirement.via):
                for triple in sole_triples(data, requirement, node):
                    found.append(Candidate(name, focus, triple))
    for name in pairs:
        unique = {c.key: c for c in pairs[name]}
        pairs[name] = [unique[k] for k in sorted(unique)]
    return pairs


# ---------------------------------------------------------------- fixture files

EXPECT = re.compile(
    r"^#\s*expect:\s*(?P<shape>\S+)\s+(?P<path>\S+)\s+(?P<severity>Violation|Warning|Info)\s+(?P<focus>\S+)(?:\s+\"(?P<message>[^\"]*)\")?\s*$"
)
XFAIL = re.compile(r"^#\s*xfail:\s*(?P<reason>.+)$")


@dataclass(frozen=True)
class Expectation:
    shape: URIRef
    path: URIRef | None
    severity: str
    focus: object
    message: str | None

    def matches(self, result: Result) -> bool:
        return (
            result.shape == self.shape
            and result.path == self.path
            and result.severity == self.severity
            and result.focus == self.focus
            and (self.message is None or self.message in result.message)
        )


def expand(graph: Graph, curie: str):
    if curie.startswith("<") and curie.endswith(">"):
        return URIRef(curie[1:-1])
    return graph.namespace_manager.expand_curie(curie)


def read_expectations(path: Path, fixture: Graph) -> tuple[list[Expectation], str | None]:
    expectations, xfail = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            continue
        if re.match(r"^#\s*expect:", line):
            m = EXPECT.match(line)
            if m is None:
                raise ValueError(f"{path.name}: malformed expect line: {line!r}")
            expectations.append(
                Expectation(
                    shape=URIRef(LKSH + m["shape"]),
                    path=None if m["path"] == "-" else expand(fixture, m["path"]),
                    severity=m["severity"],
                    focus=expand(fixture, m["focus"]),
                    message=m["message"],
                )
            )
        elif (x := XFAIL.match(line)) is not None:
            xfail = x["reason"].strip()
    return expectations, xfail
