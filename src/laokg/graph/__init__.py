"""The data side of laokg: finding the project and loading its graph (project, parse, load,
checks, claims, sourcetext), the graph as of a date and what changed (asof, changes), validating,
exporting and building the release (validate, triples, writers, export, store, release, build,
atomic, wheel, prebuilt), and reading it (stats, evidence, corroboration)."""
