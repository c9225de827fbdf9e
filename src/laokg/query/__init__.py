"""Saved-query catalogue, parameter binding, query safety, engines (embedded and remote), result formats, entity lookup."""
