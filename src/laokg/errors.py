"""Every error laokg raises on purpose, with the exit code the CLI maps it to.

Exit codes (documented in the README):
  0  success / the graph conforms
  1  the check found problems (non-conforming graph, audit violations, ASK false)
  2  usage or input error (bad option, missing file, syntax error, bad parameter,
     unreachable endpoint, refused query)
"""

import re


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


class UnsafePath(InputError):
    """A path from data (an entity IRI) or a site file would leave the output directory or
    cannot be a file name everywhere (``..``, absolute, control characters, reserved names,
    too long); ``laokg site`` writes nothing there."""


class QuoteError(RDFSyntaxError):
    """A claim's quote is not in its document, or occurs there more than once without a
    prefix that tells the places apart; the message shows the closest passage (exit 2)."""


class SourceTextError(InputError):
    """A source document's text is missing or no longer matches its recorded SHA-256."""


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


class VerificationFailed(LaokgError):
    """A push arrived, but the store does not hold exactly the local triples (exit 1)."""

    exit_code = 1


class NotFoundError(LaokgError):
    """An entity (IRI, CURIE or label) or a source is not in the graph, or a label is ambiguous."""


class OutputError(LaokgError):
    """A result cannot be written: the disk is full, the output is closed or refuses bytes,
    or a value cannot be encoded (a lone surrogate is not Unicode)."""


class LimitExceeded(LaokgError):
    """A query or input went past one of laokg's budgets (time, rows, memory, nesting).

    The message names the limit and the option that raises it."""


# ---------------------------------------------------------------- one line for a terminal

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _escape_char(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _unsafe(ch: str) -> bool:
    code = ord(ch)
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F  # C0, DEL, C1 (terminal escape sequences)
        or 0xD800 <= code <= 0xDFFF  # lone surrogates (cannot be encoded)
        or code in (0x2028, 0x2029)  # line/paragraph separators
        or 0x202A <= code <= 0x202E
        or 0x2066 <= code <= 0x2069  # bidi overrides/isolates
    )


#: the characters :func:`_unsafe` refuses, as one pattern (a scan in C, not a call per character)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_control(text: str) -> str:
    """``text`` made safe for one terminal line: control characters (C0, DEL, C1), line
    separators, bidirectional overrides and lone surrogates become visible escapes
    (``\\n``, ``\\e``, ``\\x07``, ``\\u202e``). Everything else is kept as it is."""
    text = str(text)
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: _escape_char(m.group(0)), text)


#: what :data:`_UNSAFE` matches but the line break
_UNSAFE_IN_TEXT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_text(text: str) -> str:
    """Text of several lines for a terminal (a card, a trace, a table): each line made safe as
    :func:`escape_control` makes it; only the line breaks between them are kept. (One scan of
    the whole text: a long report is not split into lines and joined again.)"""
    text = str(text)
    if _UNSAFE_IN_TEXT.search(text) is None:
        return text
    return _UNSAFE_IN_TEXT.sub(lambda m: _escape_char(m.group(0)), text)


def error_line(message: str) -> str:
    """The one line the CLI prints for an error: ``Error: <message, escaped>``."""
    return f"Error: {escape_control(message)}"
