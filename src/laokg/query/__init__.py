"""Running queries: the saved-query catalogue and its precomputed facts, parameters and their
binding, query safety, budgets, the engine interface and the engines (embedded, Oxigraph, and
remote over the HTTP client of transport.py), the store cache and the store seen as an rdflib
graph, result formats (text and HTML), entity cards and search."""
