"""The catalogue of saved SPARQL queries: ``queries/*.rq`` with grlc-style ``#+`` decorators.

A saved query is a plain SPARQL 1.1 file that runs unchanged on any engine. Its header
carries decorators, compatible with grlc::

    #+ summary: Legal instruments of one type, oldest first
    #+ description: |
    #+   Every law, decree or agreement of the given type.
    #+ tags:
    #+   - legislation
    #+ defaults:
    #+   - type: doctype:law
    #+ enumerate:
    #+   - type:
    #+     - doctype:law
    #+     - doctype:decree

Decorators are read by a small strict parser for the subset of YAML that grlc uses (block
mappings and sequences, ``[a, b]`` flow sequences, quoted scalars, ``|``/``>`` block
scalars). Every value stays a string: no YAML type guessing (``no`` is not ``False``).
Unknown keys, bad indentation, tabs, duplicate keys and values of the wrong shape are
errors naming ``file:line``.

Parameters follow the BASIL convention: a variable ``?_name`` is a required parameter,
``?__name`` an optional one. The **naming rule** (deterministic, so names may contain
underscores): after the one or two leading underscores, the variable name is split at the
*last* occurrence of a known type suffix *at its end* — ``_iri``, ``_literal``,
``_integer``, ``_decimal``, ``_xsd_<type>`` (see :data:`laokg.query.parameters.XSD_SUFFIXES`) or a language suffix
from the closed list :data:`LANGUAGES` (``_en``, ``_fr``, ``_lo`` ...). What precedes the
suffix is the parameter name; if there is no known suffix, the whole rest is the name and
the value is a plain string. So ``?_start_date`` is the string parameter ``start_date``,
``?_start_date_xsd_date`` is the date parameter ``start_date``, ``?__party_country_iri``
the optional IRI parameter ``party_country``, and ``?_topic_id`` the string parameter
``topic_id`` (``id`` is deliberately not in the language list). An ``_xsd_`` suffix naming
an unknown datatype is an error rather than silently part of the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from laokg.errors import LaokgError, ParameterError, QueryError
from laokg.query.safety import parse_query
from laokg.query.parameters import Parameter, coerce, shown, split_parameter

@dataclass
class SavedQuery:
    """A parsed ``.rq`` file: its decorators, parameters, text and SPARQL form."""

    name: str
    path: Path | None
    text: str
    form: str  # SELECT, CONSTRUCT, ASK or DESCRIBE
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    parameters: list[Parameter] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # tolerated grlc decorators (endpoint, method ...)
    body: str = ""  # the text after the decorator header

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


# ---------------------------------------------------------------- decorator parser

#: The decorators laokg uses, and grlc ones it tolerates (kept in ``SavedQuery.extra``).
KNOWN_KEYS = ("summary", "description", "tags", "defaults", "enumerate")
TOLERATED_KEYS = ("endpoint", "method", "pagination", "endpoint_in_url", "transform")


class DecoratorError(QueryError):
    """A ``#+`` decorator block is malformed; the message names ``file:line``."""


@dataclass
class _Line:
    number: int  # 1-based line number in the file
    indent: int
    text: str  # without indentation and comment
    raw: str = ""  # without indentation, comment kept (for block text)


def _strip_comment(text: str) -> str:
    """Drop a YAML comment (`` #`` outside quotes) from a plain line."""
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (i == 0 or text[i - 1] in " :-[,"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    return text.rstrip()


class _DecoratorParser:
    """A strict parser for the YAML subset of grlc decorators; values stay strings."""

    def __init__(self, lines: list[_Line], where: str):
        self.lines, self.where, self.pos = lines, where, 0

    def error(self, line: _Line | None, message: str) -> DecoratorError:
        n = line.number if line else (self.lines[-1].number if self.lines else 1)
        return DecoratorError(f"{self.where}:{n}: {message}")

    def peek(self) -> _Line | None:
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def parse(self):
        first = self.peek()
        if first is None:
            return {}
        if first.indent != 0:
            raise self.error(first, "decorators must start at the left margin after '#+ '")
        value = self.block(0)
        if self.peek() is not None:
            raise self.error(self.peek(), "unexpected indentation")
        if not isinstance(value, dict):
            raise self.error(first, "decorators must be 'key: value' lines")
        return value

    def block(self, indent: int):
        line = self.peek()
        if line.text.startswith("- ") or line.text == "-":
            return self.sequence(indent)
        return self.mapping(indent)

    def mapping(self, indent: int) -> dict:
        result: dict = {}
        while (line := self.peek()) is not None and line.indent >= indent:
            if line.indent > indent:
                raise self.error(line, "unexpected indentation")
            if line.text.startswith("-"):
                raise self.error(line, "a list item where a 'key: value' line was expected")
            key, rest = self._key(line)
            if key in result:
                raise self.error(line, f"duplicate key '{key}'")
            self.pos += 1
            result[key] = self.value_after_key(line, rest, indent)
        return result

    def _key(self, line: _Line) -> tuple[str, str]:
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_\-]*)\s*:(?:\s+(.*))?$", line.text)
        if not m:
            if ":" not in line.text:
                raise self.error(line, f"expected 'key: value', got '{line.text}'")
            raise self.error(line, f"malformed key in '{line.text}' (keys are letters, digits, '_' and '-')")
        return m.group(1), (m.group(2) or "").strip()

    def value_after_key(self, line: _Line, rest: str, indent: int):
        if rest in ("|", ">", "|-", ">-"):
            return self.block_scalar(line, indent, folded=rest.startswith(">"))
        if rest:
            return self.scalar(line, rest)
        nxt = self.peek()
        if nxt is None or nxt.indent < indent or (nxt.indent == indent and not nxt.text.startswith("-")):
            return ""  # empty value
        if nxt.indent == indent and nxt.text.startswith("-"):
            return self.sequence(indent)  # YAML allows a sequence at the key's own indentation
        return self.block(nxt.indent)

    def sequence(self, indent: int) -> list:
        result = []
        while (line := self.peek()) is not None and line.indent >= indent:
            if line.indent > indent:
                raise self.error(line, "unexpected indentation")
            if not (line.text.startswith("- ") or line.text == "-"):
                raise self.error(line, f"expected a list item '- ...', got '{line.text}'")
            item = line.text[1:].strip()
            self.pos += 1
            if not item:
                nxt = self.peek()
                if nxt is None or nxt.indent <= indent:
                    raise self.error(line, "empty list item")
                result.append(self.block(nxt.indent))
            elif re.match(r"^[A-Za-z_][A-Za-z0-9_\-]*\s*:(\s|$)", item):
                # "- key: value" opens a mapping whose further keys are indented to the key.
                inner = indent + (len(line.text) - len(line.text[1:].lstrip()))
                sub = _Line(line.number, inner, item, item)
                self.lines.insert(self.pos, sub)
                result.append(self.mapping(inner))
            else:
                result.append(self.scalar(line, item))
        return result

    def block_scalar(self, line: _Line, indent: int, folded: bool) -> str:
        parts: list[str] = []
        body_indent = None
        while (nxt := self.peek()) is not None and nxt.indent > indent:
            body_indent = nxt.indent if body_indent is None else body_indent
            if nxt.indent < body_indent:
                raise self.error(nxt, "block text must keep its indentation")
            parts.append(" " * (nxt.indent - body_indent) + nxt.raw)
            self.pos += 1
        if not parts:
            raise self.error(line, "empty block text after '|' or '>'")
        return (" " if folded else "\n").join(p.rstrip() for p in parts)

    def scalar(self, line: _Line, text: str):
        if text.startswith("["):
            if not text.endswith("]"):
                raise self.error(line, "a '[' list must close with ']' on the same line")
            inner = text[1:-1].strip()
            if not inner:
                return []
            return [self.scalar(line, part.strip()) for part in _split_flow(inner, lambda m: self.error(line, m))]
        if text.startswith("{"):
            raise self.error(line, "'{...}' mappings are not supported; write one 'key: value' per line")
        if text[0] in "'\"":
            q = text[0]
            if len(text) < 2 or not text.endswith(q):
                raise self.error(line, f"unterminated quoted value {text}")
            body = text[1:-1]
            if q == "'":
                if re.search(r"(?<!')'(?!')", body.replace("''", "")):
                    raise self.error(line, f"stray quote in {text}")
                return body.replace("''", "'")
            if re.search(r'(?<!\\)"', body):
                raise self.error(line, f"stray quote in {text}")
            try:
                return body.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in body else body
            except UnicodeDecodeError as exc:
                raise self.error(line, f"bad escape in {text}: {exc.reason}") from None
        if text[0] in "&*!%@`|>":
            raise self.error(line, f"a value may not start with '{text[0]}' (quote it)")
        if ": " in text:
            raise self.error(line, f"unexpected ': ' in value '{text}' (quote the value, or start a new line)")
        return text


def _split_flow(inner: str, error) -> list[str]:
    parts, buf, quote = [], "", None
    for ch in inner:
        if quote:
            buf += ch
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            buf += ch
        elif ch == ",":
            parts.append(buf)
            buf = ""
        elif ch in "[]{}":
            raise error("nested '[...]' or '{...}' in a list is not supported")
        else:
            buf += ch
    if quote:
        raise error("unterminated quote in '[...]' list")
    parts.append(buf)
    if any(not p.strip() for p in parts):
        raise error("empty item in '[...]' list")
    return parts


def read_decorators(text: str, where: str) -> tuple[dict, int]:
    """Parse the ``#+`` header of a query text; return (decorators, index of the first query line).

    The header is the ``#+`` lines before the first line of SPARQL (ordinary ``#`` comments and
    blank lines may be interleaved). A ``#+`` line after the SPARQL has begun is an error.
    """
    lines = text.splitlines()
    deco: list[_Line] = []
    body_start = len(lines)
    for i, raw in enumerate(lines):
        stripped = raw.strip()
        if stripped.startswith("#+"):
            if raw[: len(raw) - len(raw.lstrip())]:
                raise DecoratorError(f"{where}:{i + 1}: '#+' must start at the beginning of the line")
            content = stripped[2:]
            if content and not content.startswith(" "):
                raise DecoratorError(f"{where}:{i + 1}: write a space after '#+'")
            content = content[1:] if content else ""
            if "\t" in content[: len(content) - len(content.lstrip())]:
                raise DecoratorError(f"{where}:{i + 1}: tabs are not allowed for indentation")
            if not content.strip():
                continue
            indent = len(content) - len(content.lstrip(" "))
            line = _Line(i + 1, indent, _strip_comment(content.strip()), content.strip())
            if line.text:
                deco.append(line)
        elif stripped == "" or stripped.startswith("#"):
            continue
        else:
            body_start = i
            break
    for j in range(body_start, len(lines)):
        if lines[j].lstrip().startswith("#+"):
            raise DecoratorError(f"{where}:{j + 1}: '#+' decorator after the query has begun (move it to the top)")
    return _DecoratorParser(deco, where).parse(), body_start


# ---------------------------------------------------------------- building SavedQuery


def _as_str(value, key, where, line_hint="") -> str:
    if isinstance(value, str):
        return value
    raise DecoratorError(f"{where}: '{key}' must be a single text value{line_hint}")


def _named_lists(value, key: str, where: str) -> dict[str, list[str]]:
    """``defaults``/``enumerate``: a list of one-key mappings (grlc) or a mapping -> {param: [values]}."""
    if value == "":
        return {}
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else None
    if items is None:
        raise DecoratorError(f"{where}: '{key}' must be a list of 'parameter: value' entries")
    result: dict[str, list[str]] = {}
    for item in items:
        if not isinstance(item, dict):
            raise DecoratorError(f"{where}: each '{key}' entry must be 'parameter: value', got '{item}'")
        for pname, v in item.items():
            values = v if isinstance(v, list) else [v]
            if any(not isinstance(x, str) or x == "" for x in values):
                raise DecoratorError(f"{where}: '{key}' of '{pname}' must be text values")
            if pname in result:
                raise DecoratorError(f"{where}: '{key}' lists parameter '{pname}' twice")
            result[pname] = list(values)
    return result


def parse_saved_query(text: str, name: str = "query", path: Path | None = None) -> SavedQuery:
    """Parse the text of a saved query (decorators, parameters, form). Raises QueryError."""
    where = str(path) if path else name
    deco, body_start = read_decorators(text, where)
    for key in deco:
        if key not in KNOWN_KEYS and key not in TOLERATED_KEYS:
            raise DecoratorError(
                f"{where}: unknown decorator '{key}' (known: {', '.join(KNOWN_KEYS + TOLERATED_KEYS)})"
            )
    parsed = parse_query(text, source=where)
    params: dict[str, Parameter] = {}
    for var in parsed.variables:
        try:
            split = split_parameter(var)
        except ValueError as exc:
            raise QueryError(f"{where}: {exc}") from None
        if split is None:
            continue
        pname, required, ptype = split
        if pname in params:
            other = params[pname]
            raise QueryError(
                f"{where}: parameter '{pname}' appears as both ?{other.variable} and ?{var}; use one variable"
            )
        params[pname] = Parameter(pname, var, required, ptype)

    tags = deco.get("tags", [])
    if isinstance(tags, str):
        tags = [tags] if tags else []
    if not isinstance(tags, list) or any(not isinstance(t, str) for t in tags):
        raise DecoratorError(f"{where}: 'tags' must be a list of words")
    defaults = _named_lists(deco.get("defaults", ""), "defaults", where)
    enumerate_ = _named_lists(deco.get("enumerate", ""), "enumerate", where)
    for key, table in (("defaults", defaults), ("enumerate", enumerate_)):
        for pname in table:
            if pname not in params:
                # grlc writes the variable without '?_' in these lists; accept that spelling too.
                alias = next((p for p in params.values() if p.variable.lstrip("_") == pname), None)
                if alias is None:
                    known = ", ".join(params) or "none"
                    raise DecoratorError(f"{where}: '{key}' names unknown parameter '{pname}' (parameters: {known})")
    for p in params.values():
        p.defaults = defaults.get(p.name) or defaults.get(p.variable.lstrip("_"), [])
        p.allowed = enumerate_.get(p.name) or enumerate_.get(p.variable.lstrip("_"), [])
    extra = {k: deco[k] for k in TOLERATED_KEYS if k in deco}
    sq = SavedQuery(
        name=name,
        path=path,
        text=text,
        form=parsed.form,
        summary=_as_str(deco.get("summary", ""), "summary", where),
        description=_as_str(deco.get("description", ""), "description", where),
        tags=list(tags),
        parameters=list(params.values()),
        extra=extra,
        body="\n".join(text.splitlines()[body_start:]),
    )
    # defaults and allowed values must themselves be valid values of the parameter's type.
    check_decorator_values(sq, where)
    return sq


def check_decorator_values(sq: SavedQuery, where: str) -> None:
    """Defaults and ``enumerate`` values must be valid values of their parameter (no labels)."""
    for p in sq.parameters:
        for kind, values in (("defaults", p.defaults), ("enumerate", p.allowed)):
            for v in values:
                try:
                    coerce(p, v, None)
                except ParameterError as exc:
                    msg = str(exc).split(": ", 1)[-1] if "parameter" in str(exc) else str(exc)
                    raise QueryError(f"{where}: '{kind}' value {shown(v)} of parameter '{p.name}' is not valid: {msg}") from None
        if p.allowed and p.defaults:
            allowed = {coerce(p, a) for a in p.allowed}
            for d in p.defaults:
                if coerce(p, d) not in allowed:
                    raise QueryError(f"{where}: default '{d}' of parameter '{p.name}' is not in its 'enumerate' list")


def load_query_file(path: Path) -> SavedQuery:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryError(f"{path}: no such query file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"{path}: cannot read: {exc}") from None
    return _cached_parse(text, path.stem, str(path))


@lru_cache(maxsize=256)
def _cached_parse(text: str, name: str, path: str) -> SavedQuery:
    return parse_saved_query(text, name, Path(path))


def load_catalogue(directory: Path, problems: list | None = None) -> list[SavedQuery]:
    """Every ``*.rq`` file in ``directory``, parsed, sorted by name.

    With a ``problems`` list, a file that does not load (syntax error, nested too deeply,
    unreadable) is skipped and its error appended there, so the others are still listed;
    without one, the first such error is raised.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise QueryError(f"{directory}: saved-query directory not found")
    queries = []
    for path in sorted(directory.glob("*.rq")):
        try:
            queries.append(load_query_file(path))
        except LaokgError as exc:
            if problems is None:
                raise
            problems.append(exc)
    return queries


def find_query(directory: Path, name: str) -> SavedQuery:
    """The saved query ``name`` (file stem, or a path to an ``.rq`` file)."""
    directory = Path(directory)
    if name.endswith(".rq") and Path(name).is_file():
        return load_query_file(Path(name))
    path = directory / f"{name}.rq"
    if path.is_file():
        return load_query_file(path)
    names = sorted(p.stem for p in directory.glob("*.rq")) if directory.is_dir() else []
    import difflib

    close = [n for n in names if name.lower() in n.lower()]
    close += [n for n in difflib.get_close_matches(name.lower(), names, n=3, cutoff=0.6) if n not in close]
    hint = f"; did you mean: {', '.join(close[:5])}" if close else ("; see 'laokg query list'" if names else "")
    raise QueryError(f"no saved query named '{name}' in {directory}{hint}")
