"""Check a conversion: the graph this checkout loads (short form, expanded) against the
long-form graph files in the directory given, both without what the expansion adds
(oa:prefix, oa:suffix, the oa:TextPositionSelectors, laokg:sha256). Prints ISOMORPHIC, or
the triples only one side has; also checks that the N-Triples loader gives the rdflib graph.

    .venv/bin/python tools/check_short_form.py /tmp/graph-long
"""
import glob, sys
sys.path.insert(0, "src")
from rdflib import Graph, URIRef
from rdflib.compare import to_isomorphic, graph_diff
from rdflib.namespace import RDF
from laokg.namespaces import LAOKG, OA
from laokg.graph.load import load_data_graph, load_data_text, project_files
before_dir = sys.argv[1]
old = Graph()
files = project_files(".")
for f in [files.ontology, *files.vocab]:
    old.parse(f)
for f in sorted(glob.glob(before_dir + "/*.ttl")):
    old.parse(f)
new = load_data_graph(".")
def strip(g):
    h = Graph()
    pos = set(g.subjects(RDF.type, OA.TextPositionSelector))
    for s, p, o in g:
        if p in (OA.prefix, OA.suffix, LAOKG.sha256) or s in pos or o in pos:
            continue
        h.add((s, p, o))
    return h
# the ontology gained the short-form terms: compare data only by removing the new ontology triples
onto_new = Graph(); onto_new.parse(files.ontology)
a, b = strip(old), strip(new)
for t in onto_new:
    a.add(t)  # old ontology may lack the new terms
ia, ib = to_isomorphic(a), to_isomorphic(b)
print("old", len(old), "new", len(new), "stripped", len(a), len(b))
if ia == ib:
    print("ISOMORPHIC")
else:
    both, only_old, only_new = graph_diff(ia, ib)
    print("only old", len(only_old)); [print("  -", t) for t in sorted(only_old)[:20]]
    print("only new", len(only_new)); [print("  +", t) for t in sorted(only_new)[:20]]
# the text path gives the same graph
text = load_data_text(".")
g2 = Graph(); g2.parse(data=text.ntriples, format="nt")
print("text path isomorphic to rdflib path:", to_isomorphic(g2) == to_isomorphic(new), len(g2))
