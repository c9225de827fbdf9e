"""Generate a synthetic laokg project of about N triples, shaped like the real one.

Usage:
    python benchmarks/generate.py --triples N --out DIR [--violations K] [--source ROOT]

The project's own ``ontology/`` and ``queries/`` are copied unchanged. ``graph/`` holds renamed
copies of the real graph: copy ``c0001``, ``c0002`` ... is a synthetic country with everything
the real one has (instruments and their provisions, institutions and units, practices,
observations in data sets, source documents, footnotes, evidence with excerpts, people,
places) under its own IRIs ``https://w3id.org/laokg/id/cNNNN/...``; names and titles get the
copy's tag so labels stay unique. The number of copies brings the data graph (ontology + vocab + graph)
nearest to ``N`` triples (a copy, with its sources over time below, is about 4.4k). Output is
deterministic: the same arguments give the same bytes.

The generated project validates with 0 violations (whatever the real graph has as warnings,
each copy has too). With ``--violations K`` the generator also plants K violations of each kind
it knows how to plant (see benchmarks/plant.py), each in a different copy where copies allow, and
writes ``DIR/planted.json``: ``{"<shape as validate names it> <constraint component>": count}`` — exactly the
violations ``laokg validate --root DIR`` must report (tests/test_generate.py checks it).

Sources over time (issue 20, docs/time.md): each copy also gets ``cNNNN-time.ttl`` (made by
:func:`time_template` from the real graph's observations, then copied like the rest), so every
scale holds the same share of facts with several sources, conflicts and editions:

* four dated news items and a bulletin in two editions (the second ``dct:isVersionOf`` the
  first, as ``laokg source add --edition-of`` records it; first edition 2025-03, revised
  edition 2025-10-15), each with its section and its own evidence;
* of the copy's observations (those that are not components of a total), taken in IRI order:
  every fourth from the first gets a second source that agrees (one more piece of evidence on
  the same node; every eighth a third), every fourth from the second a node of its own with
  the value rounded (``laokg:disagreesWith``, a rounding by the rule of
  :func:`laokg.graph.corroboration.compare_values`), every fourth from the third a node with
  a different value (a disagreement), every fourth from the fourth evidence from both
  editions of the bulletin;
* a bulletin figure the revised edition changes (the first node ``laokg:supersededBy`` the
  revised one) and one it drops (``laokg:supersededBy`` the revised edition).

The summary's ``time`` counts each kind per project.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

from rdflib import Graph, Namespace

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent
ID = "https://w3id.org/laokg/id/"
SH = Namespace("http://www.w3.org/ns/shacl#")
#: label-like properties whose text gets the copy's tag (keeps label look-ups unambiguous)
LABELS = ("rdfs:label", "skos:prefLabel", "skos:altLabel", "dct:title", "schema:name")


def count_triples(paths) -> int:
    g = Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return len(g)


def copy_text(text: str, tag: str) -> str:
    """One Turtle file of the real graph as copy ``tag``: every project IRI moved under
    ``id/<tag>/``, label-like literals suffixed with `` [tag]``."""
    text = text.replace(ID, f"{ID}{tag}/")
    # "..."@en / "..." directly after a label property (single-line literals only)
    labels = "|".join(re.escape(p) for p in LABELS)
    pattern = re.compile(r"((?:" + labels + r')\s+)"((?:[^"\\\n]|\\.)*)"')
    text = pattern.sub(lambda m: f'{m.group(1)}"{m.group(2)} [{tag}]"', text)
    # a label a project assertion names by value (laokg:addsStatement) is tagged like the label
    # (as hand-written, predicate first; as the release writers lay it out, object first)
    named = re.compile(r"(rdf:predicate (?:" + labels + r') ; rdf:object\s+)"((?:[^"\\\n]|\\.)*)"')
    text = named.sub(lambda m: f'{m.group(1)}"{m.group(2)} [{tag}]"', text)
    written = re.compile(
        r'(rdf:object\s+)"((?:[^"\\\n]|\\.)*)"(@[A-Za-z-]+)?(\s*;\s*rdf:predicate (?:' + labels + r")\b)"
    )
    text = written.sub(lambda m: f'{m.group(1)}"{m.group(2)} [{tag}]"{m.group(3) or ""}{m.group(4)}', text)
    return text


def _label_lists(text: str, tag: str) -> str:
    """Tag the second and later values of a label property's object list ("a"@en, "b"@en)."""
    out, in_label = [], False
    for line in text.split("\n"):
        stripped = line.strip()
        starts_label = any(stripped.startswith(p + " ") for p in LABELS)
        if starts_label or in_label:
            line = re.sub(r',(\s*)"((?:[^"\\\n]|\\.)*)"', lambda m: f',{m.group(1)}"{m.group(2)} [{tag}]"', line)
            if in_label and not starts_label:  # a value on a line of its own ("a"@en,\n    "b"@en)
                line = re.sub(r'^(\s*)"((?:[^"\\\n]|\\.)*)"', lambda m: f'{m.group(1)}"{m.group(2)} [{tag}]"', line)
            in_label = not stripped.endswith((";", "."))
        out.append(line)
    return "\n".join(out)


def generate(triples: int, out: Path, violations: int = 0, source: Path = DEFAULT_SOURCE) -> dict:
    """Write the project; return a summary (copies, triples, planted counts)."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    (out / "graph").mkdir(parents=True)
    shutil.copytree(source / "ontology", out / "ontology")
    shutil.copytree(source / "queries", out / "queries")
    base = [out / "ontology" / "laokg.ttl", *sorted((out / "ontology" / "vocab").glob("*.ttl"))]
    # the copies are made of graph/ as loaded: the curators' short form expanded (claims
    # located in the source texts once, here), so a synthetic project needs no source texts
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from laokg.graph.wheel import expanded_files

    expanded = out / ".expanded-graph"
    expanded.mkdir()
    for name, body in expanded_files(source).items():
        (expanded / name).write_bytes(body)
    real = sorted(expanded.glob("*.ttl"))
    base_n = count_triples(base)
    copy_n = count_triples(real)  # every copy has exactly as many triples as the real graph
    template, kinds = time_template(real)  # sources over time, one set per copy
    (expanded / "time.ttl").write_text(template, encoding="utf-8")
    time_n = count_triples([expanded / "time.ttl"])
    copies = max(1, round((triples - base_n) / (copy_n + time_n)))
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in real]
    for i in range(1, copies + 1):
        tag = f"c{i:04d}"
        for stem, text in texts:
            body = _label_lists(copy_text(text, tag), tag)
            (out / "graph" / f"{tag}-{stem}.ttl").write_text(body, encoding="utf-8")
    for i in range(1, copies + 1):
        tag = f"c{i:04d}"
        (out / "graph" / f"{tag}-time.ttl").write_text(_label_lists(copy_text(template, tag), tag), encoding="utf-8")
    shutil.rmtree(expanded)
    planted: dict[str, int] = {}
    if violations:
        from plant import plant  # benchmarks/plant.py

        planted = plant(out, copies, violations)
        (out / "planted.json").write_text(json.dumps(planted, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return {
        "copies": copies,
        "triples": base_n + copies * (copy_n + time_n),
        "planted": planted,
        "time": {kind: n * copies for kind, n in sorted(kinds.items())},
    }


# ---------------------------------------------------------------- sources over time

# the prefixes of the generated documents: the generator writes whole Turtle documents, as the
# tests' data texts are, and imports nothing from tests/
TIME_PREFIXES = """@prefix kg: <https://w3id.org/laokg/id/> .
@prefix ev: <https://w3id.org/laokg/id/evidence/> .
@prefix laokg: <https://w3id.org/laokg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix doco: <http://purl.org/spar/doco/> .
@prefix doctype: <https://w3id.org/laokg/vocab/doctype/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

#: the dated documents of every copy: local name, class, type, title, date (Turtle)
TIME_DOCUMENTS = (
    (
        "time-ministry",
        "fabio:NewsItem",
        "doctype:news-item",
        "Ministry release on workers abroad",
        '"2024-06-10"^^xsd:date',
    ),
    ("time-daily", "fabio:NewsItem", "doctype:news-item", "Daily news on workers abroad", '"2024-06-12"^^xsd:date'),
    ("time-weekly", "fabio:NewsItem", "doctype:news-item", "Weekly digest", '"2024-06-20"^^xsd:date'),
    ("time-radio", "fabio:NewsItem", "doctype:news-item", "Evening radio bulletin", '"2024-07"^^xsd:gYearMonth'),
    ("time-bulletin", "fabio:Report", "doctype:report", "Labour bulletin, first edition", '"2025-03"^^xsd:gYearMonth'),
    (
        "time-bulletin-revised",
        "fabio:Report",
        "doctype:report",
        "Labour bulletin, revised edition",
        '"2025-10-15"^^xsd:date',
    ),
)
_SKIP = (
    "http://www.w3.org/ns/prov#qualifiedDerivation",
    "http://www.w3.org/ns/prov#qualifiedAttribution",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#note",
    "http://purl.org/linked-data/sdmx/2009/measure#obsValue",
)


def _rounded(value):
    """``value`` (a Decimal) rounded half up to one significant figure fewer, or None."""
    from decimal import ROUND_HALF_UP, Decimal

    digits = value.normalize().as_tuple()
    if len(digits.digits) < 2:
        return None
    return value.quantize(Decimal(1).scaleb(digits.exponent + 1), rounding=ROUND_HALF_UP)


def time_template(paths) -> tuple[str, dict]:
    """The Turtle of one copy's sources over time (under the real graph's IRIs, to be copied
    like the other files) and how many of each kind it holds."""
    from decimal import Decimal

    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, RDFS, XSD

    from laokg.graph.corroboration import compare_values

    g = Graph()
    for p in paths:
        g.parse(p, format="turtle")
    qb_obs = URIRef("http://purl.org/linked-data/cube#Observation")
    value_p = URIRef("http://purl.org/linked-data/sdmx/2009/measure#obsValue")
    component = URIRef("https://w3id.org/laokg/ontology#componentOf")
    publisher = sorted(g.objects(None, URIRef("http://purl.org/dc/terms/publisher")))[0]
    observations = [
        o
        for o in sorted(g.subjects(RDF.type, qb_obs))
        if (o, component, None) not in g and isinstance(g.value(o, value_p), Literal)
    ]
    blocks = [
        TIME_PREFIXES,
        "# Synthetic sources over time (benchmarks/generate.py): dated documents, facts with",
        "# several sources, roundings, disagreements, and a bulletin in two editions.",
        "",
    ]
    kinds = {
        "agreeing second sources": 0,
        "third sources": 0,
        "roundings": 0,
        "disagreements": 0,
        "facts both editions state": 0,
        "figures changed by an edition": 0,
        "facts dropped by an edition": 0,
        "documents with two editions": 1,
    }
    for local, cls, doctype, title, issued in TIME_DOCUMENTS:
        version = " ;\n    dct:isVersionOf kg:time-bulletin" if local == "time-bulletin-revised" else ""
        blocks.append(
            f'kg:{local} a {cls} ;\n    rdfs:label "{title}"@en ;\n    dct:type {doctype} ;\n'
            f'    dct:title "{title}"@en ;\n    dct:publisher <{publisher}> ;\n    dct:issued {issued} ;\n'
            f'    dct:identifier "{local}.txt"{version} ;\n    prov:qualifiedDerivation ev:{local}-self .\n'
        )
        blocks.append(
            f'kg:{local}-body a doco:Section ;\n    rdfs:label "Text"@en ;\n    dct:title "Text"@en ;\n'
            f"    dct:isPartOf kg:{local} .\n"
        )
        blocks.append(_evidence(f"{local}-self", local, issued.split('"')[1]))

    def node(obs, suffix, value, doc, quote, extra=""):
        """A statement of its own, templated on ``obs`` (all but its value, label, note and evidence)."""
        new = f"{obs}-{suffix}"
        label = Literal(f"{g.value(obs, RDFS.label)} ({suffix.replace('-', ' ')})", lang="en")
        lines = [f"<{new}> a <{qb_obs}>", "rdfs:label " + label.n3()]
        for p, o in sorted(g.predicate_objects(obs)):
            if str(p) in _SKIP or p == RDF.type:
                continue
            lines.append(f"<{p}> {o.n3()}")
        lines.append(f"sdmx-measure:obsValue {value.n3()}")
        if extra:
            lines.append(extra)
        ev = f"{new.rsplit('/', 1)[1]}-{doc}"
        lines.append(f"prov:qualifiedDerivation ev:{ev}")
        return " ;\n    ".join(lines) + " .\n" + "\n" + _evidence(ev, doc, quote)

    def more_evidence(obs, doc, quote):
        ev = f"{obs.rsplit('/', 1)[1]}-{doc}"
        return f"<{obs}> prov:qualifiedDerivation ev:{ev} .\n\n" + _evidence(ev, doc, quote)

    for i, obs in enumerate(observations):
        value = g.value(obs, value_p)
        number = Decimal(str(value))

        def literal(d, value=value):
            return Literal(
                str(d.normalize()) if value.datatype == XSD.decimal else str(int(d)), datatype=value.datatype
            )

        if i % 4 == 0:
            blocks.append(more_evidence(obs, "time-daily", f"the figure of {value} again"))
            kinds["agreeing second sources"] += 1
            if i % 8 == 0:
                blocks.append(more_evidence(obs, "time-ministry", f"a figure of {value}"))
                kinds["third sources"] += 1
        elif (
            i % 4 == 1
            and _rounded(number) is not None
            and compare_values(value, literal(_rounded(number)))[0] == "rounding"
        ):
            rounded = literal(_rounded(number))
            blocks.append(
                node(obs, "rounded", rounded, "time-weekly", f"some {rounded}", f"laokg:disagreesWith <{obs}>")
            )
            kinds["roundings"] += 1
        elif i % 4 in (1, 2):
            step = Decimal("0.1") if value.datatype == XSD.decimal else 1
            other = literal(number * Decimal("1.1") + step)
            while compare_values(value, other)[0] != "disagreement":  # 18 against 20 is a rounding
                other = literal(Decimal(str(other)) + step)
            blocks.append(node(obs, "other", other, "time-radio", f"about {other}", f"laokg:disagreesWith <{obs}>"))
            kinds["disagreements"] += 1
        else:
            blocks.append(more_evidence(obs, "time-bulletin", f"the bulletin gives {value}"))
            blocks.append(more_evidence(obs, "time-bulletin-revised", f"the revised bulletin gives {value}"))
            kinds["facts both editions state"] += 1
    first, second = observations[0], observations[1]
    old = Decimal(str(g.value(first, value_p)))
    revised = Literal(
        str(int(old) + 5) if g.value(first, value_p).datatype != XSD.decimal else str(old + 5),
        datatype=g.value(first, value_p).datatype,
    )
    blocks.append(
        node(
            first,
            "bulletin",
            g.value(first, value_p),
            "time-bulletin",
            f"the bulletin counts {g.value(first, value_p)}",
            f"laokg:supersededBy <{first}-bulletin-revised>",
        )
    )
    blocks.append(
        node(first, "bulletin-revised", revised, "time-bulletin-revised", f"the revised bulletin counts {revised}")
    )
    blocks.append(
        node(
            second,
            "bulletin",
            g.value(second, value_p),
            "time-bulletin",
            f"the bulletin also counts {g.value(second, value_p)}",
            "laokg:supersededBy kg:time-bulletin-revised",
        )
    )
    kinds["figures changed by an edition"] += 1
    kinds["facts dropped by an edition"] += 1
    return "\n".join(blocks), kinds


def _evidence(ev: str, doc: str, quote: str) -> str:
    return (
        f'ev:{ev} a laokg:DocumentEvidence ;\n    rdfs:label "Evidence: {quote}"@en ;\n'
        f"    prov:entity ev:{ev}-passage ;\n    laokg:section kg:{doc}-body .\n\n"
        f'ev:{ev}-passage a oa:SpecificResource ;\n    rdfs:label "Passage: {quote}"@en ;\n'
        f"    oa:hasSource kg:{doc} ;\n"
        f'    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "{quote}" ] .\n'
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, required=True, metavar="N", help="about this many triples (at least)")
    ap.add_argument("--out", type=Path, required=True, metavar="DIR", help="the project to write (replaced)")
    ap.add_argument("--violations", type=int, default=0, metavar="K", help="plant K violations of each kind")
    ap.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE, metavar="ROOT", help="the real project (default: this checkout)"
    )
    args = ap.parse_args(argv)
    if args.triples < 1 or args.violations < 0:
        ap.error("--triples must be positive and --violations not negative")
    summary = generate(args.triples, args.out, args.violations, args.source)
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
