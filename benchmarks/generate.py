"""Generate a synthetic laokg project of about N triples, shaped like the real one.

Usage:
    python benchmarks/generate.py --triples N --out DIR [--violations K] [--source ROOT]

The project's own ``ontology/`` and ``queries/`` are copied unchanged. ``graph/`` holds renamed
copies of the real graph: copy ``c0001``, ``c0002`` ... is a synthetic country with everything
the real one has (instruments and their provisions, institutions and units, practices,
observations in data sets, source documents, footnotes, evidence with excerpts, people,
places) under its own IRIs ``https://w3id.org/laokg/id/cNNNN/...``; names and titles get the
copy's tag so labels stay unique. The number of copies brings the data graph (ontology + vocab + graph) nearest to ``N``
triples (a copy is about 2.8k). Output is deterministic: the same arguments give the same bytes.

The generated project validates with 0 violations (whatever the real graph has as warnings,
each copy has too). With ``--violations K`` the generator also plants K violations of each kind
it knows how to plant (see benchmarks/plant.py), each in a different copy where copies allow, and
writes ``DIR/planted.json``: ``{"<shape as validate names it> <constraint component>": count}`` — exactly the
violations ``laokg validate --root DIR`` must report (tests/test_generate.py checks it).
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
    pattern = re.compile(r'((?:%s)\s+)"((?:[^"\\\n]|\\.)*)"' % "|".join(re.escape(p) for p in LABELS))
    text = pattern.sub(lambda m: f'{m.group(1)}"{m.group(2)} [{tag}]"', text)
    # a label a project assertion names by value (laokg:addsStatement) is tagged like the label
    # (as hand-written, predicate first; as the release writers lay it out, object first)
    named = re.compile(r'(rdf:predicate (?:%s) ; rdf:object\s+)"((?:[^"\\\n]|\\.)*)"' % "|".join(re.escape(p) for p in LABELS))
    text = named.sub(lambda m: f'{m.group(1)}"{m.group(2)} [{tag}]"', text)
    written = re.compile(r'(rdf:object\s+)"((?:[^"\\\n]|\\.)*)"(@[A-Za-z-]+)?(\s*;\s*rdf:predicate (?:%s)\b)'
                         % "|".join(re.escape(p) for p in LABELS))
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
    copies = max(1, round((triples - base_n) / copy_n))
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in real]
    for i in range(1, copies + 1):
        tag = f"c{i:04d}"
        for stem, text in texts:
            body = _label_lists(copy_text(text, tag), tag)
            (out / "graph" / f"{tag}-{stem}.ttl").write_text(body, encoding="utf-8")
    shutil.rmtree(expanded)
    planted: dict[str, int] = {}
    if violations:
        from plant import plant  # benchmarks/plant.py

        planted = plant(out, copies, violations)
        (out / "planted.json").write_text(json.dumps(planted, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return {"copies": copies, "triples": base_n + copies * copy_n, "planted": planted}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, required=True, metavar="N", help="about this many triples (at least)")
    ap.add_argument("--out", type=Path, required=True, metavar="DIR", help="the project to write (replaced)")
    ap.add_argument("--violations", type=int, default=0, metavar="K", help="plant K violations of each kind")
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, metavar="ROOT", help="the real project (default: this checkout)")
    args = ap.parse_args(argv)
    if args.triples < 1 or args.violations < 0:
        ap.error("--triples must be positive and --violations not negative")
    summary = generate(args.triples, args.out, args.violations, args.source)
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
