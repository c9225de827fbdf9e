"""Names the command line needs before any query runs (kept free of RDF imports, so that
``laokg --help`` and option errors load no RDF library)."""

TABULAR_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("turtle", "nt", "jsonld")
FORMATS = TABULAR_FORMATS + GRAPH_FORMATS

#: seconds a remote endpoint (or a SERVICE/FROM fetch) may take
DEFAULT_TIMEOUT = 30.0

#: local query engines (--engine); "auto" picks by the size of the graph (laokg.query.oxigraph)
ENGINES = ("auto", "rdflib", "oxigraph")
