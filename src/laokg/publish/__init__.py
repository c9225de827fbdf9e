"""Publishing the graph for people and programs (static site, charts)."""
