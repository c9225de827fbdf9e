"""What laokg asks of a file before it believes it: how it may be opened, and what its triples
may hold. Every loader (the rdflib one, the Oxigraph one, the in-memory query store) calls
these, so hostile data gets the same answer, with ``file:line``, from every command.

**Opening.** :func:`read_regular` opens with ``O_NONBLOCK`` and looks at the open descriptor
(``fstat``) before reading a byte: a FIFO, a socket or a device is refused without blocking
and without reading, and a file swapped for one after an earlier check is refused too. Files
of the kernel's file systems (``/proc``, ``/sys``) are refused by their device number.
:func:`check_named` is the rule for a file the user names (``--data FILE``, ``sparql -f
FILE``, ``query run PATH.rq``): anywhere, but a symlink is followed only into the project, so
a planted link cannot make laokg read (and quote in a syntax error) a file nobody named.

**Content** (:func:`check_ntriples`, on the N-Triples Oxigraph writes of each file, once per
file; the line of a problem is found by parsing the file again, only when there is one):

- every literal typed with an XSD datatype is valid for it (``"twelve"^^xsd:integer``,
  ``"2023-02-30"^^xsd:date`` are refused) and an ``xsd:`` datatype is one XSD defines;
- a literal holds at most :data:`MAX_LITERAL` characters (a longer token than Oxigraph's
  16 MiB buffer is reported the same way, with its line, not as "out of memory");
- a list (``rdf:rest`` chain) has at most :data:`MAX_LIST` items;
- blank nodes and lists nest at most :data:`MAX_DEPTH` levels (readers and writers recurse).

The limits are documented in docs/limits.md with the figures they were chosen from.
"""

from __future__ import annotations

import io
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO, cast

from laokg.errors import InputError, RDFSyntaxError
from laokg.prefixes import XSD

#: a lone surrogate (U+D800 to U+DFFF) is not a Unicode character: no UTF-8 writer can write it
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: digits in one number: Python refuses to convert longer digit strings to numbers and back
#: (sys.get_int_max_str_digits), so the loaders and the query parameters refuse them first
MAX_DIGITS = 4300
#: characters in one literal (the real graph's longest is 616)
MAX_LITERAL = 1_000_000
#: items in one list (the real graph's longest has 5; rdflib's and laokg's writers slow
#: down with the square of a list's length: 2 s at 10,000 items, 88 s at 100,000)
MAX_LIST = 10_000
#: levels of blank nodes and lists inside each other (the real graph's deepest is 4, in the
#: shapes; rdflib's Turtle parser recurses and fails at about 120)
MAX_DEPTH = 64
#: Oxigraph's Turtle lexer refuses a token longer than this (its buffer limit)
OXIGRAPH_TOKEN_LIMIT = 16 * 1024 * 1024

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_REST = RDF + "rest"


# ---------------------------------------------------------------- opening files


def _device(path: str) -> int | None:
    try:
        return os.stat(path).st_dev
    except OSError:
        return None


_KERNEL_DEVICES: set | None = None


def _kernel_devices() -> set:
    """Device numbers of /proc and /sys (their files claim to be regular and empty)."""
    global _KERNEL_DEVICES
    if _KERNEL_DEVICES is None:
        _KERNEL_DEVICES = {d for d in (_device("/proc"), _device("/sys")) if d is not None}
    return _KERNEL_DEVICES


def read_regular(path: str | os.PathLike) -> bytes:
    """The bytes of ``path`` if it is a regular file; InputError (nothing read) otherwise.

    Opened non-blocking, and judged by the open descriptor: a FIFO or a device never blocks
    and is never read, whatever a check before the open saw."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file")
        if info.st_dev in _kernel_devices():
            raise InputError(f"{path}: a system file (/proc, /sys, /dev); laokg reads only regular RDF files")
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    return b"".join(chunks)


#: where no RDF file is: kernel and device file systems
SYSTEM_DIRS = (Path("/proc"), Path("/sys"), Path("/dev"))


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def in_system_dir(resolved: Path) -> bool:
    """Whether a resolved path lies in /proc, /sys or /dev."""
    return any(_under(resolved, d) for d in SYSTEM_DIRS)


def system_file_error(shown) -> InputError:
    return InputError(f"{shown}: a system file (/proc, /sys, /dev); laokg reads only regular RDF files")


def _require_regular(shown, resolved: Path) -> None:
    try:
        mode = resolved.stat().st_mode
    except OSError as exc:
        raise InputError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{shown}: not a regular file")


def check_regular(path: Path, resolved: Path | None = None) -> None:
    """Refuse anything but a regular file, and files of /proc, /sys and /dev."""
    resolved = resolved or Path(path).resolve()
    if in_system_dir(resolved):
        raise system_file_error(path)
    _require_regular(path, resolved)


def check_named(path: str | os.PathLike, root: str | os.PathLike | None = None) -> Path:
    """The rule for a file the user names on the command line; returns it, resolved.

    It may be anywhere, but it must be a regular file outside /proc, /sys and /dev; if it is
    a symlink, it must lead into the project (``root``): a link planted beside a file you
    name (in an unpacked archive, say) cannot make laokg read, and quote in a syntax error,
    a file you did not name. Name the file itself instead. The message names the link,
    never what it leads to."""
    given = Path(path).expanduser()
    try:
        is_link = given.is_symlink()
        resolved = given.resolve(strict=True)
    except FileNotFoundError:
        if given.is_symlink():
            raise InputError(f"{given}: a symlink that leads nowhere (or round in a loop)") from None
        raise InputError(f"{given}: file not found") from None
    except (OSError, RuntimeError):
        raise InputError(f"{given}: a symlink that leads nowhere (or round in a loop)") from None
    if in_system_dir(resolved):
        raise system_file_error(given)
    if is_link and (root is None or not _under(resolved, Path(root).resolve())):
        raise InputError(
            f"{given}: a symlink that leads outside the project; laokg follows a symlink you name "
            "only into the project (name the file it leads to instead)"
        )
    _require_regular(given, resolved)
    return resolved


def enclosing_root(folder: str | os.PathLike) -> Path:
    """The project a folder belongs to: the nearest folder at or above it holding
    ``ontology/laokg.ttl`` (not following the folder's own symlink), else the folder itself."""
    start = Path(os.path.abspath(folder))
    for candidate in (start, *start.parents):
        if (candidate / "ontology" / "laokg.ttl").is_file():
            return candidate
    return start


# ---------------------------------------------------------------- XSD lexical forms

_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_MONTH = r"(?:0[1-9]|1[0-2])"
_DAY = r"(?:0[1-9]|[12][0-9]|3[01])"
_TZ = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_NUM = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_DT_PART = r"(?:T(?=[0-9])(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?)?"
_B64 = r"[A-Za-z0-9+/]"

#: lexical forms (as XSD 1.1 defines them; no surrounding spaces), with what to write instead
_FORMS: dict[str, tuple[str, str]] = {
    "boolean": (r"true|false|1|0", "true, false, 1 or 0"),
    "decimal": (r"[+-]?" + _NUM, "a decimal number, e.g. 12.5"),
    "integer": (r"[+-]?[0-9]+", "a whole number, e.g. 12"),
    "double": (r"[+-]?" + _NUM + r"(?:[Ee][+-]?[0-9]+)?|[+-]?INF|NaN", "a number, e.g. 1.5E3, INF or NaN"),
    "date": (f"({_YEAR})-({_MONTH})-({_DAY}){_TZ}?", "YYYY-MM-DD, e.g. 2024-03-01"),
    "dateTime": (f"({_YEAR})-({_MONTH})-({_DAY})T{_TIME}{_TZ}?", "YYYY-MM-DDThh:mm:ss, e.g. 2024-03-01T09:30:00"),
    "dateTimeStamp": (
        f"({_YEAR})-({_MONTH})-({_DAY})T{_TIME}{_TZ}",
        "YYYY-MM-DDThh:mm:ss and a time zone, e.g. 2024-03-01T09:30:00Z",
    ),
    "time": (f"{_TIME}{_TZ}?", "hh:mm:ss, e.g. 09:30:00"),
    "gYear": (f"{_YEAR}{_TZ}?", "a year YYYY, e.g. 2024"),
    "gYearMonth": (f"{_YEAR}-{_MONTH}{_TZ}?", "YYYY-MM, e.g. 2024-03"),
    "gMonth": (f"--{_MONTH}{_TZ}?", "--MM, e.g. --03"),
    "gDay": (f"---{_DAY}{_TZ}?", "---DD, e.g. ---01"),
    "gMonthDay": (f"--({_MONTH})-({_DAY}){_TZ}?", "--MM-DD, e.g. --03-01"),
    "duration": (
        r"-?P(?=[0-9T])(?:[0-9]+Y)?(?:[0-9]+M)?(?:[0-9]+D)?" + _DT_PART,
        "PnYnMnDTnHnMnS, e.g. P24M or PT1H30M",
    ),
    "yearMonthDuration": (r"-?P(?=[0-9])(?:[0-9]+Y)?(?:[0-9]+M)?", "PnYnM, e.g. P2Y or P24M"),
    "dayTimeDuration": (r"-?P(?=[0-9T])(?:[0-9]+D)?" + _DT_PART, "PnDTnHnMnS, e.g. P3D or PT1H30M"),
    "hexBinary": (r"(?:[0-9a-fA-F]{2})*", "pairs of hexadecimal digits, e.g. 0FB7"),
    "base64Binary": (
        f"(?:(?:{_B64} ?){{4}})*(?:(?:{_B64} ?){{3}}{_B64}|(?:{_B64} ?){{2}}[AEIMQUYcgkosw048] ?="
        f"|{_B64} ?[AQgw] ?= ?=)?",
        "Base64 text, e.g. aGVsbG8=",
    ),
    "language": (r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*", "a language tag, e.g. en or lo-LA"),
    "normalizedString": (r"[^\r\n\t]*", "text without tabs or line breaks"),
    "token": (
        r"(?:[^\s](?:[^\r\n\t ]| (?! ))*[^\s]|[^\s])?",
        "text without tabs, line breaks, or leading, trailing or double spaces",
    ),
}
_FORMS["float"] = _FORMS["double"]

#: the integer types with bounds (None: unbounded on that side)
_INTEGERS: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
}

#: every datatype XSD 1.1 defines (a literal may use one laokg does not check, e.g. xsd:anyURI)
XSD_DATATYPES = frozenset(
    {
        "anySimpleType",
        "anyAtomicType",
        "string",
        "boolean",
        "decimal",
        "float",
        "double",
        "duration",
        "dateTime",
        "time",
        "date",
        "gYearMonth",
        "gYear",
        "gMonthDay",
        "gDay",
        "gMonth",
        "hexBinary",
        "base64Binary",
        "anyURI",
        "QName",
        "NOTATION",
        "normalizedString",
        "token",
        "language",
        "NMTOKEN",
        "NMTOKENS",
        "Name",
        "NCName",
        "ID",
        "IDREF",
        "IDREFS",
        "ENTITY",
        "ENTITIES",
        "yearMonthDuration",
        "dayTimeDuration",
        "dateTimeStamp",
        *_INTEGERS,
    }
)

#: XSD datatype IRI -> its lexical form's pattern, compiled on first use (only literals'
#: checks need them; the saved-query path imports this module for its file rules)
_PATTERNS: dict = {}


def _pattern(datatype: str):
    """The compiled lexical pattern of ``datatype`` (an XSD IRI), or None if it has none."""
    pattern = _PATTERNS.get(datatype)
    if pattern is None:
        name = datatype[len(XSD) :]
        form = _FORMS.get("integer" if name in _INTEGERS else name)
        if form is None:
            return None
        pattern = _PATTERNS[datatype] = re.compile(form[0])
    return pattern


_DATED = {XSD + n for n in ("date", "dateTime", "dateTimeStamp")}
_MONTH_DAY = XSD + "gMonthDay"


def _days_in(month: int, year_digits: str | None) -> int:
    if month == 2:
        if year_digits is None:
            return 29
        n = int(year_digits[-4:])  # leap years repeat every 400 years, and 400 divides 10,000
        return 29 if n % 400 == 0 or (n % 4 == 0 and n % 100 != 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _in_bounds(lexical: str, low: int | None, high: int | None) -> bool:
    sign = -1 if lexical.startswith("-") else 1
    digits = lexical.lstrip("+-").lstrip("0") or "0"
    if len(digits) > 40:  # beyond every bounded type (and Python's digit limit for int())
        return (high is None) if sign > 0 else (low is None)
    value = sign * int(digits)
    return (low is None or value >= low) and (high is None or value <= high)


def literal_problem(lexical: str, datatype: str) -> str | None:
    """Why ``lexical`` is not a valid literal of ``datatype`` (an IRI), or None if it is (or
    if the datatype is not one of XSD's)."""
    if not datatype.startswith(XSD):
        return None
    name = datatype[len(XSD) :]
    pattern = _pattern(datatype)
    if pattern is None:
        return None if name in XSD_DATATYPES else f"xsd:{name} is not an XSD datatype"
    match = pattern.fullmatch(lexical)
    ok = match is not None
    if ok and name in _INTEGERS:
        ok = _in_bounds(lexical, *_INTEGERS[name])
    elif match is not None and ok and datatype in _DATED:
        ok = int(match.group(3)) <= _days_in(int(match.group(2)), match.group(1).lstrip("-"))
    elif match is not None and ok and datatype == _MONTH_DAY:
        ok = int(match.group(2)) <= _days_in(int(match.group(1)), None)
    if ok:
        return None
    if name in _INTEGERS and name != "integer":
        low, high = _INTEGERS[name]
        if low is None:
            hint = f"a whole number up to {high:,}"
        elif high is None:
            hint = f"a whole number from {low:,}"
        else:
            hint = f"a whole number from {low:,} to {high:,}"
    else:
        hint = _FORMS[name][1]
    return f"{_shown(lexical)} is not a valid xsd:{name} (expected {hint})"


def _shown(lexical: str) -> str:
    text = lexical if len(lexical) <= 60 else lexical[:60] + "…"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- locating a triple


class _LineReader(io.RawIOBase):
    """The file's bytes for Oxigraph's parser, never past the end of the current line, so
    when the parser hands back a triple, :attr:`pos` is on (or one token after) its line."""

    def __init__(self, data: bytes):
        super().__init__()
        self.data, self.pos, self.eol = data, 0, -1

    def readable(self):
        return True

    def readinto(self, buffer) -> int:
        if self.eol <= self.pos:  # the end of the current line (found once per line)
            found = self.data.find(b"\n", self.pos)
            self.eol = len(self.data) if found < 0 else found + 1
        end = min(self.eol, self.pos + len(buffer))
        chunk = self.data[self.pos : end]
        buffer[: len(chunk)] = chunk
        self.pos = end
        return len(chunk)


def _line_at(data: bytes, pos: int) -> int:
    """The line of the last byte read before ``pos``."""
    return data.count(b"\n", 0, max(pos - 1, 0)) + 1


def _locate(data: bytes, base_iri: str, index: int | None) -> int | None:
    """The line on which Oxigraph's parser is when it gives triple number ``index`` (or, with
    None, when it fails); None if that cannot be told."""
    import pyoxigraph

    reader = _LineReader(data)
    try:
        # a RawIOBase is a binary file; typeshed's IO[bytes] is a nominal type it does not subclass
        source = cast(BinaryIO, reader)
        for n, _quad in enumerate(pyoxigraph.parse(source, format=pyoxigraph.RdfFormat.TURTLE, base_iri=base_iri)):
            if n == index:
                return _line_at(data, reader.pos)
    except (SyntaxError, ValueError, MemoryError, OSError):
        return _line_at(data, reader.pos) if index is None else None
    return None


def _literal_line(text: str, lexical: str, line: int | None) -> int | None:
    """The line of the literal ``lexical`` written on or shortly before ``line`` (the parser
    reads one token past a literal, which may be on the next line)."""
    if line is None:
        return None
    lines = text.split("\n")
    start = sum(len(x) + 1 for x in lines[: max(line - 50, 0)])
    end = sum(len(x) + 1 for x in lines[:line])
    probe = lexical[:200]
    for needle in (f'"{probe}', f"'{probe}"):
        at = text.rfind(needle, start, end)
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return line


# ---------------------------------------------------------------- the content check


def _without_bom(data: bytes) -> bytes:
    """A UTF-8 byte-order mark is not Turtle (Oxigraph refuses it; laokg's loaders drop it)."""
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


_TYPED = b'"^^<' + XSD.encode()
_STRING = re.compile(rb'"(?:[^"\\\n]|\\.)*"')
_BNODE_OBJECT = b"> _:"  # in N-Triples as Oxigraph writes it: a blank node as object
_REST_IRI = b"<" + _REST.encode() + b">"


class _Report:
    """Finds the line of what the scan found and raises the one-line error."""

    def __init__(self, path, data: bytes, base_iri: str, ntriples: bytes):
        self.path, self.data, self.base_iri, self.ntriples = path, _without_bom(data), base_iri, ntriples

    def fail(self, offset: int, message: str, lexical: str | None = None):
        index = self.ntriples.count(b"\n", 0, offset)  # Oxigraph writes one triple per line, in parse order
        line = _locate(self.data, self.base_iri, index)
        if lexical is not None:
            line = _literal_line(self.data.decode("utf-8", "replace"), lexical, line)
        raise RDFSyntaxError(self.path, line, message)

    def fail_at_node(self, label: bytes, message: str):
        self.fail(self.ntriples.find(b"_:" + label + b" "), message)


def _literal_problems(nt: bytes):
    """(offset, lexical, problem) of the first literal that is too long or not valid for its
    XSD datatype, or None. Only typed literals are looked at one by one (found by the text
    ``"^^<http://www.w3.org/2001/XMLSchema#``), and only lines longer than the limit."""
    from laokg.graph.triples import unescape

    found = []
    at = nt.find(_TYPED)
    while at >= 0:
        start = nt.rfind(b"\n", 0, at) + 1
        quote = nt.find(b'"', start, at + 1)  # the object's opening quote: IRIs hold no '"'
        token = nt[quote : at + 1]
        if _STRING.fullmatch(token):  # (else the text was inside a plain literal)
            end = nt.find(b">", at)
            datatype = nt[at + 4 : end].decode("utf-8")
            lexical = unescape(token[1:-1].decode("utf-8"))
            problem = literal_problem(lexical, datatype) if len(lexical) <= MAX_LITERAL else None
            if problem is not None:
                found.append((at, lexical, problem))
                break
        at = nt.find(_TYPED, at + 1)
    if len(nt) > MAX_LITERAL:  # a literal that long makes a line longer than the limit
        offset = 0
        for line in nt.split(b"\n"):
            if len(line) > MAX_LITERAL:
                quote = line.find(b'"')
                string = _STRING.match(line, quote) if quote >= 0 else None
                if string is not None:
                    lexical = unescape(string.group()[1:-1].decode("utf-8"))
                    if len(lexical) > MAX_LITERAL:
                        found.append(
                            (
                                offset + quote,
                                lexical,
                                f"a literal of {len(lexical):,} characters; laokg reads "
                                f"literals of at most {MAX_LITERAL:,} characters (docs/limits.md)",
                            )
                        )
                        break
            offset += len(line) + 1
    return min(found, key=lambda f: f[0]) if found else None


def _structure(nt: bytes):
    """The file's lists (next node of each list node) and the blank nodes below each blank node
    (with the levels they add: a list's next node is on the same level). Only the lines whose
    object is a blank node (found by the text ``> _:``) are looked at."""
    rest: dict = {}
    children: dict = {}
    at = nt.find(_BNODE_OBJECT)
    while at >= 0:
        start = nt.rfind(b"\n", 0, at) + 1
        if nt.startswith(b"_:", start):
            end = nt.find(b"\n", at)
            parts = nt[start : end if end >= 0 else len(nt)].split(b" ")
            if len(parts) == 4 and parts[2].startswith(b"_:") and parts[3] == b".":
                subject, obj = parts[0][2:], parts[2][2:]
                if parts[1] == _REST_IRI:
                    rest[subject] = obj
                    children.setdefault(subject, []).append((obj, 0))
                else:
                    children.setdefault(subject, []).append((obj, 1))
        at = nt.find(_BNODE_OBJECT, at + 4)
    return rest, children


def _longest_list(rest: dict):
    """(items, head) of the longest list; a cycle of list nodes is not followed round."""
    best, best_head = 0, None
    for head in set(rest) - set(rest.values()):
        length, node, visited = 1, head, {head}
        while (node := rest.get(node)) is not None and node not in visited:
            visited.add(node)
            length += 1
        if length > best:
            best, best_head = length, head
    return best, best_head


def _deepest(children: dict):
    """(levels, outermost node) of the deepest nesting. Iterative (depth-first, each node
    once); a cycle is not followed round."""
    depth: dict = {}
    best, best_root = 0, None
    for start in children:
        if start in depth:
            continue
        stack = [(start, iter(children.get(start, ())), 0)]  # (node, its edges left, weight from its parent)
        level = {start: 0}  # nodes on the current path -> deepest found below them so far
        while stack:
            node, edges, _ = stack[-1]
            for child, weight in edges:
                if child in depth:
                    level[node] = max(level[node], weight + depth[child])
                elif child not in level:  # (on the current path: a cycle, not followed)
                    level[child] = 0
                    stack.append((child, iter(children.get(child, ())), weight))
                    break
            else:
                _, _, weight = stack.pop()
                depth[node] = level.pop(node)
                if stack:
                    parent = stack[-1][0]
                    level[parent] = max(level[parent], weight + depth[node])
        if depth[start] + 1 > best:
            best, best_root = depth[start] + 1, start
    return best, best_root


def check_ntriples(path, data: bytes, base_iri: str, ntriples: bytes) -> None:
    """Check a file's triples, written as N-Triples by Oxigraph from ``data`` (the file's
    bytes, parsed with ``base_iri``): literals first (the first problem in the file), then
    its lists and nesting. Raises RDFSyntaxError with ``file:line``."""
    report = _Report(path, data, base_iri, ntriples)
    problem = _literal_problems(ntriples)
    if problem is not None:
        offset, lexical, message = problem
        report.fail(offset, message, lexical)
    rest, children = _structure(ntriples)
    if not children:
        return
    items, head = _longest_list(rest)
    if items > MAX_LIST:
        report.fail_at_node(
            head, f"a list of {items:,} items; laokg reads lists of at most {MAX_LIST:,} items (docs/limits.md)"
        )
    levels, root = _deepest(children)
    if levels > MAX_DEPTH:
        report.fail_at_node(
            root,
            f"blank nodes or lists nested {levels:,} levels deep; laokg reads at most "
            f"{MAX_DEPTH:,} levels (docs/limits.md)",
        )


def ntriples_of(path, data: bytes, base_iri: str, parser) -> bytes:
    """The triples of ``parser`` (Oxigraph's, over ``data``: the file's bytes) as N-Triples,
    checked (:func:`check_ntriples`). A token past Oxigraph's buffer is reported with its
    line; a syntax error is raised as Oxigraph's SyntaxError."""
    import pyoxigraph

    try:
        # with no output file, serialize returns the bytes
        ntriples = cast(
            bytes, pyoxigraph.serialize((quad.triple for quad in parser), format=pyoxigraph.RdfFormat.N_TRIPLES)
        )
    except MemoryError as exc:
        if "buffer" not in str(exc):  # not oxttl's "Reached the buffer maximal size"
            raise
        line = _locate(_without_bom(data), base_iri, None)
        raise RDFSyntaxError(
            path,
            line,
            f"a literal or IRI longer than {OXIGRAPH_TOKEN_LIMIT:,} bytes (Oxigraph's "
            f"token limit); laokg reads literals of at most {MAX_LITERAL:,} characters "
            "(docs/limits.md)",
        ) from None
    check_ntriples(path, data, base_iri, ntriples)
    return ntriples


def check_text(path, data: bytes, base_iri: str, turtle: bool = True) -> bytes | None:
    """Parse ``data`` with Oxigraph and check it (for a loader that parses with another
    parser); return its N-Triples, or None on a syntax error, which is left to that parser
    to report in its own words. Oxigraph's token limit is reported here."""
    import pyoxigraph

    fmt = pyoxigraph.RdfFormat.TURTLE if turtle else pyoxigraph.RdfFormat.N_TRIPLES
    parser = pyoxigraph.parse(_without_bom(data), format=fmt, base_iri=base_iri, rename_blank_nodes=True)
    try:
        return ntriples_of(path, data, base_iri, parser)
    except SyntaxError:
        return None


__all__ = [
    "MAX_LITERAL",
    "MAX_LIST",
    "MAX_DEPTH",
    "XSD_DATATYPES",
    "check_named",
    "check_ntriples",
    "check_text",
    "enclosing_root",
    "literal_problem",
    "ntriples_of",
    "read_regular",
]
