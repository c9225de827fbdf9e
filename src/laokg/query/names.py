"""Names the command line needs before any query runs (kept free of RDF imports, so that
``laokg --help`` and option errors load no RDF library)."""

TABULAR_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("turtle", "nt", "jsonld")
FORMATS = TABULAR_FORMATS + GRAPH_FORMATS

#: seconds a query may take: the embedded engine's worker is stopped then, a remote endpoint
#: (or a SERVICE/FROM fetch) must answer within it (docs/limits.md)
DEFAULT_TIMEOUT = 30.0

#: local query engines (--engine); "auto" picks by the size of the graph (laokg.query.oxigraph)
ENGINES = ("auto", "rdflib", "oxigraph")
#: rows (SELECT) or triples (CONSTRUCT/DESCRIBE) a query result may have
DEFAULT_MAX_ROWS = 100_000
#: megabytes the query worker may allocate beyond the loaded graph
DEFAULT_MAX_MEMORY_MB = 1024
