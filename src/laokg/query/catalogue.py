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

Decorators are YAML, read by PyYAML's ``BaseLoader`` as grlc reads them (every value stays a
string: no type guessing, ``no`` is not ``False``), made stricter by :func:`_strict_loader`:
no duplicate keys, ``{...}`` mappings, nested ``[...]`` lists, values running on to the next
line, empty ``|``/``>`` text, anchors, aliases or tags. Unknown keys and values of the wrong
shape are refused too; every error names ``file:line``.

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

import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from laokg.errors import InputError, LaokgError, ParameterError, QueryError
from laokg.graph.checks import check_named, enclosing_root, read_regular
from laokg.query import facts as query_facts
from laokg.query.parameters import Parameter, coerce, shown, split_parameter, term_kit
from laokg.query.safety import parse_query

#: values are checked as plain tuples: no RDF library is loaded to read the catalogue
_PLAIN = term_kit("plain")


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


@lru_cache(maxsize=1)
def _strict_loader():
    """The strict YAML loader class (PyYAML is imported on first use: a saved query whose
    facts the build stored is read without it)."""
    import yaml

    class _StrictLoader(yaml.BaseLoader):
        """PyYAML's ``BaseLoader`` (every scalar stays a string, as grlc reads them), stricter where
        a decorator header usually goes wrong: no duplicate keys, no ``{...}`` mappings, no nested
        ``[...]`` lists, no plain value running on to the next line, no empty ``|``/``>`` text, no
        anchors, aliases or tags."""

        @staticmethod
        def _error(mark, message: str) -> DecoratorError:
            return DecoratorError(f"{mark.line + 1}: {message}")

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                raise self._error(event.start_mark, "aliases ('*name') are not supported")
            if getattr(event, "anchor", None):
                raise self._error(event.start_mark, "anchors ('&name') are not supported")
            if getattr(event, "tag", None) not in (None, "!"):
                raise self._error(event.start_mark, "tags ('!name') are not supported")
            return super().compose_node(parent, index)

        def construct_mapping(self, node, deep=False):
            if node.flow_style:
                raise self._error(
                    node.start_mark, "'{...}' mappings are not supported; write one 'key: value' per line"
                )
            seen = set()
            for key, _value in node.value:
                if not isinstance(key, yaml.ScalarNode):
                    raise self._error(key.start_mark, "a key must be a word")
                if key.value in seen:
                    raise self._error(key.start_mark, f"duplicate key '{key.value}'")
                seen.add(key.value)
            return super().construct_mapping(node, deep=True)

        def construct_sequence(self, node, deep=False):
            if node.flow_style and any(not isinstance(item, yaml.ScalarNode) for item in node.value):
                raise self._error(node.start_mark, "nested '[...]' or '{...}' in a list is not supported")
            return super().construct_sequence(node, deep=True)

        def construct_scalar(self, node):
            if node.style in ("|", ">"):
                if not node.value.strip():
                    raise self._error(node.start_mark, "empty block text after '|' or '>'")
                return "\n".join(line.rstrip() for line in node.value.rstrip("\n").split("\n"))
            if node.style is None and node.end_mark.line != node.start_mark.line:
                raise self._error(node.end_mark, "unexpected indentation (a value runs on; quote it or use '|')")
            return super().construct_scalar(node)

    _StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_mapping)
    _StrictLoader.add_constructor("tag:yaml.org,2002:seq", _StrictLoader.construct_sequence)
    _StrictLoader.add_constructor("tag:yaml.org,2002:str", _StrictLoader.construct_scalar)

    return _StrictLoader


def _load_yaml(text: str, where: str):
    """Parse the header with PyYAML; errors become one ``file:line: problem`` line."""
    import yaml

    try:
        loader = _strict_loader()(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except DecoratorError as exc:
        raise DecoratorError(f"{where}:{exc}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(": ".join(filter(None, (exc.context, exc.problem))).split())
        raise DecoratorError(f"{where}{f':{mark.line + 1}' if mark else ''}: {problem}") from None
    except yaml.YAMLError as exc:
        raise DecoratorError(f"{where}: {' '.join(str(exc).split())}") from None


def read_decorators(text: str, where: str) -> tuple[dict, int]:
    """Parse the ``#+`` header of a query text; return (decorators, index of the first query line).

    The header is the ``#+`` lines before the first line of SPARQL (ordinary ``#`` comments and
    blank lines may be interleaved). A ``#+`` line after the SPARQL has begun is an error. The
    header is YAML (as grlc reads it), parsed by PyYAML with every value kept as text.
    """
    lines = text.splitlines()
    header: list[str] = []  # one line per file line, so YAML's line numbers are the file's
    body_start = len(lines)
    first = None
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
            if first is None and content.strip() and not content.lstrip().startswith("#"):
                first = i
                if content[0] == " ":
                    raise DecoratorError(f"{where}:{i + 1}: decorators must start at the left margin after '#+ '")
            header.append(content)
        elif stripped == "" or stripped.startswith("#"):
            header.append("")
        else:
            body_start = i
            break
    for j in range(body_start, len(lines)):
        if lines[j].lstrip().startswith("#+"):
            raise DecoratorError(f"{where}:{j + 1}: '#+' decorator after the query has begun (move it to the top)")
    value = _load_yaml("\n".join(header), where) if first is not None else None
    if value is None or first is None:  # no header (first is None) reads as no value
        return {}, body_start
    if not isinstance(value, dict):
        shown_line = lines[first][2:].strip()
        raise DecoratorError(f"{where}:{first + 1}: expected 'key: value' lines, got '{shown_line}'")
    for key in value:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", key):
            raise DecoratorError(f"{where}: malformed key '{key}' (keys are letters, digits, '_' and '-')")
    return value, body_start


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


def parse_saved_query(text: str, name: str = "query", path: Path | None = None, line_offset: int = 0) -> SavedQuery:
    """Parse the text of a saved query (decorators, parameters, form). Raises QueryError.
    ``line_offset``: lines added before the user's text (subtracted from syntax-error lines)."""
    where = str(path) if path else name
    known = query_facts.lookup(text)
    if known is not None and isinstance(known.get("decorators"), dict) and isinstance(known.get("body_start"), int):
        deco, body_start = known["decorators"], known["body_start"]  # read by the build from this exact text
    else:
        deco, body_start = read_decorators(text, where)
    for key in deco:
        if key not in KNOWN_KEYS and key not in TOLERATED_KEYS:
            raise DecoratorError(
                f"{where}: unknown decorator '{key}' (known: {', '.join(KNOWN_KEYS + TOLERATED_KEYS)})"
            )
    parsed = parse_query(text, source=where, line_offset=line_offset)
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
                    names = ", ".join(params) or "none"
                    raise DecoratorError(f"{where}: '{key}' names unknown parameter '{pname}' (parameters: {names})")
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
                    coerce(p, v, None, kit=_PLAIN)
                except ParameterError as exc:
                    msg = str(exc).split(": ", 1)[-1] if "parameter" in str(exc) else str(exc)
                    raise QueryError(
                        f"{where}: '{kind}' value {shown(v)} of parameter '{p.name}' is not valid: {msg}"
                    ) from None
        if p.allowed and p.defaults:
            allowed = {coerce(p, a, kit=_PLAIN) for a in p.allowed}
            for d in p.defaults:
                if coerce(p, d, kit=_PLAIN) not in allowed:
                    raise QueryError(f"{where}: default '{d}' of parameter '{p.name}' is not in its 'enumerate' list")


def _decoded(path, raw: bytes) -> str:
    """``raw`` as ``Path.read_text(encoding="utf-8")`` gives it (line ends made ``\n``)."""
    try:
        return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read()
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise QueryError(f"{path}:{line}: not UTF-8 text") from None


def read_query_text(path, root=None) -> str:
    """The text of a saved query file, read as the project's Turtle files are read: a regular
    file inside the project ``root`` (default: the project of the file's folder, see
    :func:`~laokg.graph.checks.enclosing_root`); a symlink that leads outside it, a FIFO or a
    device is refused before anything is read, and nothing of it is quoted."""
    from laokg.graph.project import check_inside  # (rdflib: imported when a file is read)

    path = Path(path)
    if not (path.exists() or path.is_symlink()):
        raise QueryError(f"{path}: no such query file")
    check_inside(path, Path(root) if root is not None else enclosing_root(path.parent))
    return _decoded(path, read_regular(path))


def read_named_query(path, root=None) -> str:
    """The text of a query file named on the command line (``sparql -f FILE``, ``query run
    PATH.rq``): anywhere, but a regular file, and a symlink only into the project (``root``,
    as :func:`~laokg.graph.project.find_root` finds it; :func:`~laokg.graph.checks.check_named`)."""
    from laokg.graph.project import find_root

    try:
        base = find_root(root)
    except InputError:
        base = None  # no project: no symlink is followed
    try:
        resolved = check_named(path, base)
    except InputError as exc:
        raise InputError(str(exc).replace(": file not found", ": cannot read: no such file")) from None
    return _decoded(path, read_regular(resolved))


def load_query_file(path: Path, root=None, before=None) -> SavedQuery:
    """The saved query in ``path`` (read with :func:`read_query_text`), parsed. ``before(text,
    where)``, if given, is called with the text before it is parsed here (the command line
    parses it first within the query's budget)."""
    path = Path(path)
    text = read_query_text(path, root)
    if before is not None:
        before(text, str(path))
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
    root = enclosing_root(directory)
    for path in sorted(directory.glob("*.rq")):
        try:
            queries.append(load_query_file(path, root))
        except LaokgError as exc:
            if problems is None:
                raise
            problems.append(exc)
    return queries


def find_query(directory: Path, name: str, before=None) -> SavedQuery:
    """The saved query ``name`` (file stem, or a path to an ``.rq`` file); ``before``: see
    :func:`load_query_file`."""
    directory = Path(directory)
    if name.endswith(".rq") and Path(name).is_file():  # a file named on the command line
        path = Path(name)
        text = read_named_query(path, enclosing_root(directory))
        if before is not None:
            before(text, str(path))
        return _cached_parse(text, path.stem, str(path))
    path = directory / f"{name}.rq"
    if path.exists() or path.is_symlink():
        return load_query_file(path, enclosing_root(directory), before)
    names = sorted(p.stem for p in directory.glob("*.rq")) if directory.is_dir() else []
    import difflib

    close = [n for n in names if name.lower() in n.lower()]
    close += [n for n in difflib.get_close_matches(name.lower(), names, n=3, cutoff=0.6) if n not in close]
    hint = f"; did you mean: {', '.join(close[:5])}" if close else ("; see 'laokg query list'" if names else "")
    raise QueryError(f"no saved query named '{name}' in {directory}{hint}")
