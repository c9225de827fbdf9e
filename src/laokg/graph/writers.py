"""Write canonical triples (:mod:`laokg.graph.triples`) as N-Triples, Turtle and JSON-LD.

The input is sorted, with canonical blank-node labels, so the same triples always give the
same bytes. The layout is rdflib's, so a file reads as rdflib would write it: Turtle with
one block per subject, ``a`` first, then ``rdfs:label``, then the other predicates in IRI
order, objects in order, nested ``[ ... ]`` for blank nodes used once and ``( ... )`` for
lists; JSON-LD compacted with a context of the prefixes it uses, one node per subject, lists
as ``@list``. Literals keep their lexical form in every format: a typed literal is written
bare in Turtle only when its lexical form is the Turtle token that reads back as exactly that
form.

Why not a library's writer: rdflib's needs an rdflib graph and its Turtle and JSON-LD writers
take minutes per million triples; Oxigraph's Turtle writer is fast but writes ``"01"^^xsd:integer``
as a bare ``01``, which rdflib (and so pySHACL) reads back as ``1``, and its JSON-LD writer has
no prefix context. These writers only lay out terms whose text Oxigraph already wrote.
"""

from __future__ import annotations

import json
import re

from laokg.graph.triples import (
    RDF_FIRST,
    RDF_NIL,
    RDF_REST,
    RDF_TYPE,
    RDFS_LABEL,
    literal_parts,
    unescape,
)
from laokg.prefixes import XSD

# Turtle's bare number/boolean tokens: a literal may be written bare only if its lexical
# form is such a token in canonical spelling (rdflib's parser turns a bare 01 or +5 into "1", "5").
# Not query/formats.py's _KEPT, though alike in shape: that one lists the forms rdflib keeps unchanged.
_BARE = {
    XSD + "integer": re.compile(r"-?(0|[1-9][0-9]*)"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?([0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+)"),
    XSD + "boolean": re.compile(r"true|false"),
}

# a prefixed name's local part, kept to what every Turtle reader takes (ASCII, no escapes)
_LOCAL = re.compile(r"([A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?")
_NS_SPLIT = re.compile(r"^(.*[/#:])([^/#:]*)$")
_NAMESPACE = re.compile(r"^(.*[/#])([^/#]*)$")
_INLINE_DEPTH = 8  # deeper blank-node trees are written as labelled subjects (readers recurse)


# ---------------------------------------------------------------- prefixes


def _fresh_prefix(ns: str, taken: set[str]) -> str:
    """A readable prefix for a namespace nobody bound: its last path segment."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", ns.lower()) if w]
    stop = {
        "http",
        "https",
        "www",
        "org",
        "com",
        "net",
        "ns",
        "ontology",
        "ontologies",
        "vocab",
        "schema",
        "terms",
        "core",
    }
    base = next((w for w in reversed(words) if w not in stop and w[0].isalpha()), "ns")
    base = base[:12]
    prefix, n = base, 2
    while prefix in taken:
        prefix, n = f"{base}{n}", n + 1
    return prefix


def complete_prefixes(triples, prefixes) -> list[tuple[str, str]]:
    """``prefixes`` plus a readable one for every namespace of a predicate or class that none
    covers (so no writer falls back to ``ns1:`` or to full IRIs for the vocabulary)."""
    bound = [(p, ns) for p, ns in prefixes if p]
    taken = {p for p, _ in bound}
    known = [ns for _, ns in bound]
    vocab = {p for _, p, _ in triples} | {o for _, p, o in triples if p == RDF_TYPE and o[0] == "<"}
    for term in sorted(vocab):
        match = _NAMESPACE.match(term[1:-1])
        if match and match.group(2) and not any(term[1:-1].startswith(ns) for ns in known):
            ns = match.group(1)
            prefix = _fresh_prefix(ns, taken)
            bound.append((prefix, ns))
            taken.add(prefix)
            known.append(ns)
    return bound


class _Names:
    """IRI -> (prefix, local) by the longest bound namespace, cached; records the prefixes used."""

    def __init__(self, prefixes, strict: bool):
        self.by_ns: dict[str, str] = {}  # namespace IRI -> its prefix
        for prefix, ns in prefixes:
            self.by_ns.setdefault(ns, prefix)
        self.longest_first = sorted(self.by_ns, key=len, reverse=True)
        self.strict = strict  # Turtle: the local part must be a plain PN_LOCAL
        self.cache: dict[str, str | None] = {}
        self.above: dict[str, str | None] = {}
        self.used: set[str] = set()

    def _split(self, iri: str):
        match = _NS_SPLIT.match(iri)
        head = match.group(1) if match else iri
        if match is not None and head in self.by_ns:
            return head, match.group(2)
        try:  # the longest bound namespace above this "directory", looked for once per directory
            ns = self.above[head]
        except KeyError:
            ns = self.above[head] = next((ns for ns in self.longest_first if head.startswith(ns)), None)
        return (ns, iri[len(ns) :]) if ns is not None else None

    def short(self, iri: str) -> str | None:
        """``prefix:local`` for ``iri`` (escaped-free, as N-Triples holds it), or None."""
        try:
            return self.cache[iri]
        except KeyError:
            pass
        name = None
        split = self._split(iri) if "\\" not in iri else None
        if split is not None:
            ns, local = split
            if self.strict and not _LOCAL.fullmatch(local) or not self.strict and local.startswith("//"):
                name = None
            else:
                name = f"{self.by_ns[ns]}:{local}"
                self.used.add(self.by_ns[ns])
        self.cache[iri] = name
        return name


# ---------------------------------------------------------------- N-Triples


def ntriples(triples) -> bytes:
    """Sorted, distinct lines (``s p o .``) from triples that are sorted and distinct (as
    :func:`laokg.graph.triples.canonical` gives them; their order is the lines' order)."""
    if not triples:
        return b""
    return "".join([f"{s} {p} {o} .\n" for s, p, o in triples]).encode("utf-8")


#: triples, blocks or nodes written to a file at a time by the ``write_*`` functions
_BATCH = 8192


def _write_batched(handle, pieces, sep: str = "") -> bool:
    """Write ``pieces`` joined by ``sep`` to ``handle``, a batch at a time; whether any was."""
    batch: list[str] = []
    wrote = False
    for piece in pieces:
        batch.append(piece)
        if len(batch) >= _BATCH:
            handle.write((sep if wrote else "") + sep.join(batch))
            wrote = True
            batch.clear()
    if batch:
        handle.write((sep if wrote else "") + sep.join(batch))
        wrote = True
    return wrote


def write_ntriples(triples, path) -> None:
    """:func:`ntriples` into the file ``path``, a batch of lines at a time."""
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        _write_batched(handle, (f"{s} {p} {o} .\n" for s, p, o in triples))


def _with_header(path, header: str, body_path) -> None:
    """``path``: ``header`` and then the text of the file ``body_path`` (removed after)."""
    import os
    import shutil

    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(header)
        handle.flush()
        with open(body_path, "rb") as body:
            shutil.copyfileobj(body, handle.buffer, 1 << 20)
    os.unlink(body_path)


# ---------------------------------------------------------------- shared structure


def structure(triples):
    """Subjects with their predicate -> objects (in input order), how often each blank node
    is an object, the well-formed lists (head -> items), the cells after the heads, and each
    head's cells."""
    subjects: dict[str, dict[str, list[str]]] = {}
    references: dict[str, int] = {}
    referrer: dict[str, tuple[str, str]] = {}
    for s, p, o in triples:
        subjects.setdefault(s, {}).setdefault(p, []).append(o)
        if o[0] == "_":
            references[o] = references.get(o, 0) + 1
            referrer[o] = (s, p)

    def cell(node: str) -> bool:
        props = subjects.get(node)
        return (
            props is not None
            and node[0] == "_"
            and references.get(node, 0) == 1
            and props.keys() == {RDF_FIRST, RDF_REST}
            and len(props[RDF_FIRST]) == 1
            and len(props[RDF_REST]) == 1
            and (props[RDF_REST][0] == RDF_NIL or props[RDF_REST][0][0] == "_")
        )

    lists: dict[str, list[str]] = {}
    inner: set[str] = set()
    cells: dict[str, list[str]] = {}
    for node in subjects:
        if not cell(node):
            continue
        parent, predicate = referrer[node]
        if predicate == RDF_REST and cell(parent):
            continue  # not a head
        items, chain, current = [], [], node
        while current != RDF_NIL:
            if not cell(current) or current in chain:
                break
            chain.append(current)
            items.append(subjects[current][RDF_FIRST][0])
            current = subjects[current][RDF_REST][0]
        else:
            lists[node] = items
            inner.update(chain[1:])
            cells[node] = chain
    return subjects, references, lists, inner, cells


def _predicate_order(props) -> list[str]:
    order = [p for p in (RDF_TYPE, RDFS_LABEL) if p in props]
    order.extend(p for p in props if p != RDF_TYPE and p != RDFS_LABEL)
    return order


# ---------------------------------------------------------------- Turtle


def turtle(triples, prefixes, shape=None) -> bytes:
    """Turtle with the prefixes it uses, one block per subject (IRIs, then blank nodes).
    ``shape``: :func:`structure` of ``triples``, if already made."""
    blocks, header = _turtle(triples, prefixes, shape)
    body = "\n\n".join(list(blocks))
    head = header()
    return (head + ("\n" if head and body else "") + body + ("\n" if body else "")).encode("utf-8")


def write_turtle(triples, prefixes, path, shape=None) -> None:
    """:func:`turtle` into the file ``path``: the blocks go to a file beside it as they are made
    (the prefixes, which come first, are known only once every block is written), never the
    whole text at once."""
    blocks, header = _turtle(triples, prefixes, shape)
    body_path = f"{path}.body"
    with open(body_path, "w", encoding="utf-8", newline="\n") as handle:
        if _write_batched(handle, blocks, "\n\n"):
            handle.write("\n")
            head = header()
            head += "\n" if head else ""
        else:
            head = header()
    _with_header(path, head, body_path)


def _turtle(triples, prefixes, shape=None):
    """The blocks of :func:`turtle` (made as they are read) and a function giving its prefix
    lines (those the blocks used, once they are all made)."""
    subjects, references, lists, _, cells = shape or structure(triples)
    names = _Names(prefixes, strict=True)

    def iri(term: str) -> str:
        return names.short(term[1:-1]) or term

    def literal(term: str) -> str:
        parts = literal_parts(term)
        body = parts.body
        if parts.datatype in _BARE and _BARE[parts.datatype].fullmatch(body):
            return body
        if "\\n" in body:  # several lines: a long string keeps them readable
            text = '"""' + re.sub(r"\\(\\|n)", lambda m: "\\\\" if m.group(1) == "\\" else "\n", body) + '"""'
        else:
            text = f'"{body}"'
        if parts.language:
            return f"{text}@{parts.language}"
        if parts.datatype:
            return f"{text}^^{names.short(parts.datatype) or '<' + parts.datatype + '>'}"
        return text

    written: set[str] = set()  # blank nodes already written (as a block or nested)

    texts: dict[str, str] = {}  # IRIs and literals, as written

    def obj(term: str, depth: int) -> str:
        first = term[0]
        if first != "_":
            try:
                return texts[term]
            except KeyError:
                texts[term] = text = ("()" if term == RDF_NIL else iri(term)) if first == "<" else literal(term)
                return text
        if term in written or references.get(term, 0) != 1 or depth >= _INLINE_DEPTH or term not in subjects:
            return term
        written.add(term)
        if term in lists:
            written.update(cells[term])
            return "( " + " ".join(obj(item, depth + 1) for item in lists[term]) + " )"
        return "[ " + predicates(subjects[term], depth + 1) + " ]"

    def predicates(props, depth: int) -> str:
        indent = "    " * (depth + 1)
        parts = []
        for p in _predicate_order(props):
            verb = "a" if p == RDF_TYPE else iri(p)
            objects = [obj(o, depth) for o in props[p]]
            parts.append(f"{verb} " + f",\n{indent}    ".join(objects))
        return f" ;\n{indent}".join(parts)

    def block(subject: str) -> str:
        written.add(subject)
        if subject[0] == "_" and references.get(subject, 0) == 0:
            return "[ " + predicates(subjects[subject], 1) + " ] ."
        return f"{iri(subject) if subject[0] == '<' else subject} {predicates(subjects[subject], 0)} ."

    def blocks():
        # IRIs and shared or unreferenced blank nodes first (the input is sorted), then any blank
        # node used once that no block took in (a cycle, or nesting deeper than _INLINE_DEPTH)
        yield from (block(s) for s in subjects if s[0] == "<" or references.get(s, 0) != 1)
        yield from (block(s) for s in subjects if s[0] == "_" and s not in written)

    def header() -> str:
        return "".join(
            f"@prefix {prefix}: <{ns}> .\n"
            for prefix, ns in sorted((prefix, ns) for ns, prefix in names.by_ns.items() if prefix in names.used)
        )

    return blocks(), header


# ---------------------------------------------------------------- JSON-LD


# json.dumps(text, ensure_ascii=False) without building an encoder per call (the same C function)
_json = json.encoder.encode_basestring


def _sorted_json(value) -> str:
    """``json.dumps(value, sort_keys=True, ensure_ascii=False)`` for a value of a node."""
    if isinstance(value, str):
        return _json(value)
    if all(isinstance(item, str) for item in value.values()):
        return "{" + ", ".join(f"{_json(key)}: {_json(value[key])}" for key in sorted(value)) + "}"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def jsonld(triples, prefixes, shape=None) -> bytes:
    """Compacted JSON-LD: a context of the prefixes used, then ``@graph``, one node per
    subject (sorted by ``@id``; a lone node sits beside the context), single values bare and
    several in a sorted array, every literal with its lexical form (``@value`` as a string);
    laid out as ``json.dumps(indent=2)``."""
    body, header = _jsonld(triples, prefixes, shape)
    lines = list(body)
    return ("\n".join([header(bool(lines)), *lines, "}"]) + "\n").encode("utf-8")


def write_jsonld(triples, prefixes, path, shape=None) -> None:
    """:func:`jsonld` into the file ``path``, the nodes written to a file beside it as they are
    made (the context, which comes first, is known only once they all are)."""
    body, header = _jsonld(triples, prefixes, shape)
    body_path = f"{path}.body"
    with open(body_path, "w", encoding="utf-8", newline="\n") as handle:
        wrote = _write_batched(handle, body, "\n")
        handle.write(("\n" if wrote else "") + "}\n")
    _with_header(path, header(wrote) + "\n", body_path)


def _jsonld(triples, prefixes, shape=None):
    """The lines of :func:`jsonld` after its context (made as they are read), and a function
    giving the lines before them (``{`` and the context of the prefixes they used; its
    argument: whether there were any)."""
    subjects, references, lists, inner, _ = shape or structure(triples)
    names = _Names(prefixes, strict=False)

    def compact(iri: str) -> str:
        return names.short(iri) or iri

    def value(term: str) -> dict | str:
        first = term[0]
        if first == "<":
            return {"@id": compact(unescape(term[1:-1]))}
        if first == "_":
            if term in lists:
                return {"@list": [value(item) for item in lists[term]]}
            return {"@id": term}
        parts = literal_parts(term)
        text = unescape(parts.body)
        if parts.language:
            return {"@language": parts.language, "@value": text}
        if parts.datatype:
            return {"@type": compact(parts.datatype), "@value": text}
        return text

    texts: dict[tuple[str, int], str] = {}
    keys: dict[str, str] = {}

    def rendered(term: str, level: int) -> str:  # one value, as json.dumps(indent=2) writes it there
        try:
            return texts[term, level]
        except KeyError:
            text = _indent(value(term), level)
            if term not in lists:
                texts[term, level] = text
            return text

    def order(term: str) -> str:  # how _sort_jsonld ordered several values: by their sorted-keys JSON
        try:
            return keys[term]
        except KeyError:
            keys[term] = key = _sorted_json(value(term))
            return key

    def entry(key: str, item, level: int) -> str:
        """``"key": value`` at ``level``; ``item``: a list of type names, or of terms."""
        pad = "  " * level
        if key == "@type":
            text = _indent(item[0] if len(item) == 1 else item, level)
        elif len(item) == 1:
            text = rendered(item[0], level)
        else:
            inner_pad = pad + "  "
            text = (
                "[\n"
                + ",\n".join(inner_pad + rendered(t, level + 1) for t in sorted(item, key=order))
                + "\n"
                + pad
                + "]"
            )
        return f"{pad}{_json(key)}: {text}"

    nodes = []
    for subject, props in subjects.items():
        if subject in inner or subject in lists:
            continue
        node_id = compact(unescape(subject[1:-1])) if subject[0] == "<" else subject
        entries: list[tuple[str, object]] = [("@id", None)]
        type_ids = sorted(compact(t[1:-1]) for t in props.get(RDF_TYPE, ()) if t[0] == "<")
        if type_ids:
            entries.append(("@type", type_ids))
        for p in sorted(props, key=lambda term: term[1:-1]):
            objects = props[p] if p != RDF_TYPE else [t for t in props[p] if t[0] != "<"]
            if objects:
                entries.append((compact(p[1:-1]), objects))
        nodes.append((node_id, entries))
    nodes.sort(key=lambda item: item[0])

    def node_text(node_id: str, entries, level: int) -> str:
        pad = "  " * level
        first = f'{pad}"@id": {_json(node_id)}'
        return ",\n".join([first, *(entry(key, item, level) for key, item in entries[1:])])

    def body():
        # the body first: the context holds the prefixes it used
        if len(nodes) == 1:  # one node: its entries beside the context, as JSON-LD compaction gives
            yield node_text(*nodes[0], 1)
        elif nodes:
            last = len(nodes) - 1
            yield '  "@graph": ['
            for index, (node_id, entries) in enumerate(nodes):
                yield "    {\n" + node_text(node_id, entries, 3) + "\n    }" + ("," if index < last else "")
            yield "  ]"

    def header(any_body: bool) -> str:
        context = {prefix: ns for ns, prefix in names.by_ns.items() if prefix in names.used and prefix != "xml"}
        return "{\n" + '  "@context": ' + _indent(dict(sorted(context.items())), 1) + ("," if any_body else "")

    return body(), header


def _indent(value, level: int) -> str:
    """``json.dumps(value, indent=2)`` for a value nested ``level`` deep (the C encoder writes
    the strings; Python's indenting encoder would take minutes at a million triples)."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "  " * (level + 1)
        inner = ",\n".join(f"{pad}{_json(k)}: {_indent(v, level + 1)}" for k, v in value.items())
        return "{\n" + inner + "\n" + "  " * level + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        pad = "  " * (level + 1)
        inner = ",\n".join(f"{pad}{_indent(v, level + 1)}" for v in value)
        return "[\n" + inner + "\n" + "  " * level + "]"
    return _json(value)


__all__ = [
    "complete_prefixes",
    "jsonld",
    "ntriples",
    "structure",
    "turtle",
    "write_jsonld",
    "write_ntriples",
    "write_turtle",
]
