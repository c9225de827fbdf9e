"""Where facts come from: citation tracing, the source audit, the curation checks against the
seeds, and curating source documents (register one, locate a phrase, see what it supports);
cards and traces as text for people (``text``), from the reader's views of terms that the
site's pages share (``views``, ``readable``)."""
