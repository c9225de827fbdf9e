"""Every error laokg raises on purpose, with the exit code the CLI maps it to.

Exit codes (documented in the README):
  0  success / the graph conforms
  1  the check found problems (non-conforming graph, audit violations, ASK false)
  2  usage or input error (bad option, missing file, syntax error, bad parameter,
     unreachable endpoint, refused query)
"""


class LaokgError(Exception):
    """Base class: a problem the user can act on. ``exit_code`` is the CLI exit code."""

    exit_code = 2


class InputError(LaokgError):
    """A file is missing, unreadable or not valid RDF."""


class RDFSyntaxError(InputError):
    """A Turtle (or other RDF) file does not parse; message is ``file:line: message``."""

    def __init__(self, path, line, message):
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


class ValidationFailed(LaokgError):
    """The graph does not conform to the SHACL shapes (exit 1)."""

    exit_code = 1


class QueryError(LaokgError):
    """A SPARQL query is malformed, refused, or a saved query is unknown."""


class ParameterError(QueryError):
    """A saved-query parameter is missing, unknown, ill-typed or outside its allowed values."""


class UnsafeQueryError(QueryError):
    """The query updates data or would fetch from the network/disk without permission."""


class EndpointError(LaokgError):
    """A remote SPARQL endpoint is unreachable, times out or answers with an error."""


class NotFoundError(LaokgError):
    """An entity (IRI, CURIE or label) or a source is not in the graph, or a label is ambiguous."""
