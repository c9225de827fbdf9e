"""graph/ as a wheel ships it: expanded, because a wheel carries no source texts.

hatch_build.py (the wheel's build hook) and benchmarks/generate.py (whose synthetic copies
need no source texts either) call :func:`expanded_files`; light imports (rdflib and laokg's
loader only) so a wheel builds with rdflib as its one extra build requirement.
"""

from __future__ import annotations

from pathlib import Path

#: the file of an installed graph/ that holds what the short form expands to
GENERATED_FILE = "zz-generated-provenance.ttl"


def expanded_files(root: Path) -> dict[str, bytes]:
    """graph/ as an installed laokg reads it, {file name: Turtle}: each file without its short
    form, and ``GENERATED_FILE`` with what the expansion generates. A wheel has no source
    texts, so the build hook (hatch_build.py) ships these instead of the curators' files; the
    loader finds no short form in them and reads them as they are."""
    from rdflib import Graph
    from rdflib.namespace import RDF

    from laokg.graph.claims import READS, SHORT_FORM, expand, literal_finder
    from laokg.graph.load import load_data_graph
    from laokg.graph.parse import parse_file
    from laokg.graph.project import project_files
    from laokg.namespaces import LAOKG

    files = project_files(root)
    out: dict[str, bytes] = {}
    reads = []
    for path in files.graph:
        graph = parse_file(path)
        reads += [(s, p, o) for p in READS for s, _, o in graph.triples((None, p, None))]
        reads += [(s, RDF.type, LAOKG.DocumentEvidence) for s in graph.subjects(RDF.type, LAOKG.DocumentEvidence)]
        for p in SHORT_FORM:
            graph.remove((None, p, None))
        out[path.name] = graph.serialize(format="turtle", encoding="utf-8")
    generated = load_data_graph(root)  # checks every quote and checksum first
    added = Graph(bind_namespaces="none")
    for prefix, ns in generated.namespaces():
        added.bind(prefix, ns)
    for triple in expand(reads, files.root, literal_finder(files.graph)).add:
        added.add(triple)
    header = (
        b"# laokg graph, generated when the wheel was built: the evidence, passages, selectors,\n"
        b"# sections and footnotes the curators' short form (laokg:quote) expands to.\n"
    )
    out[GENERATED_FILE] = header + added.serialize(format="turtle", encoding="utf-8")
    return out


__all__ = ["GENERATED_FILE", "expanded_files"]
