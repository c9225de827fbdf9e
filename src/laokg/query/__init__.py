"""Saved-query catalogue, parameter binding, query safety, budgets, engines (embedded,
Oxigraph and remote), result formats, entity cards and search."""
