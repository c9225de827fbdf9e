"""Where facts come from: citation tracing, the source audit and the curation checks against the
seeds; cards and traces as text for people (``text``), from the reader's views of terms that the
site's pages share (``views``, ``readable``)."""
