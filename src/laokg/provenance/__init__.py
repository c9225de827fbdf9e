"""Where facts come from: citation tracing, the source audit and the curation checks against the seeds."""
