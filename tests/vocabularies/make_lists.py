"""Write the term lists in this folder (README.md says where each comes from).

SPAR ontologies: from their official files (``python -m tests.vocabularies.make_lists
FILE.nt PREFIX NAMESPACE``). The others: from rdflib's ``DefinedNamespace`` classes, which
rdflib generates from the official vocabulary files (``python -m tests.vocabularies.make_lists
--rdflib``). One term IRI a line, sorted; no other content is kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

RDFLIB = {  # file stem -> rdflib.namespace class name
    "dcterms": "DCTERMS",
    "skos": "SKOS",
    "prov": "PROV",
    "org": "ORG",
    "qb": "QB",
    "time": "TIME",
    "vann": "VANN",
    "schema": "SDO",
    "owl": "OWL",
    "rdf": "RDF",
    "rdfs": "RDFS",
    "xsd": "XSD",
    "shacl": "SH",
    "dcat": "DCAT",
}


def write(stem: str, terms) -> None:
    (HERE / f"{stem}.txt").write_text("".join(f"{t}\n" for t in sorted(set(terms))), encoding="utf-8")


def from_rdflib() -> None:
    import rdflib.namespace as ns

    for stem, name in RDFLIB.items():
        cls = getattr(ns, name)
        base = str(cls._NS)
        terms = [base + t for t in cls.__annotations__]
        terms += [base + t for t in getattr(cls, "_extras", [])]
        write(stem, terms)


def from_file(path: str, stem: str, namespace: str) -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    g = Graph().parse(path)
    write(stem, [str(s) for s in g.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(namespace)])


if __name__ == "__main__":
    if sys.argv[1:] == ["--rdflib"]:
        from_rdflib()
    else:
        from_file(*sys.argv[1:4])
