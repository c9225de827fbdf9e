"""rdflib's parse of a query, sent from the worker that parsed it to the process that runs it.

A query that ``laokg build`` did not parse (a never-built project, ``laokg sparql``) is parsed
inside its budget, in a worker process (:func:`laokg.query.precompute.facts_within`); the
rdflib engine then evaluates it in a second worker, forked from this process, which needs
rdflib's parse tree and translated query. Parsing is most of the cost of a small query, so the
first worker sends that parse back as bytes (:func:`export_parse`) and this process keeps it
(:func:`adopt_parse`): the evaluation worker, forked after, finds it and parses nothing. The
parse budget still holds: the only parse is the one in the budgeted worker.

rdflib's query objects do not pickle as they are: its algebra nodes (``CompValue``, an
``OrderedDict`` whose constructor takes a name) and the functions bound to its expressions
(``Expr._evalfn``, methods made with ``types.MethodType``) need their own reductions, and one
module-level expression (``operators.TrueFilter``) holds a lambda, so it goes by name. Whatever
else will not pickle (a future rdflib's new objects) makes :func:`export_parse` return None:
the query is then parsed again where it is evaluated, within that worker's budget, as before.
Only bytes this process's own worker wrote are read back, and only up to :data:`MAX_BYTES`.
"""

from __future__ import annotations

import io
import pickle
import types

#: the largest parse taken back (bytes pickled); a larger one is parsed again in the worker
#: that evaluates it, within its budget, instead of being unpickled here without one
MAX_BYTES = 4_000_000


def _true_filter():
    from rdflib.plugins.sparql import operators

    return operators.TrueFilter


def _bound(func, obj):
    return types.MethodType(func, obj)


def _new_node(cls):
    return cls.__new__(cls)


def _fill_node(node, state) -> None:
    from collections import OrderedDict

    items, attrs = state
    for key, value in items:
        OrderedDict.__setitem__(node, key, value)
    node.__dict__.update(attrs)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):
        from rdflib.plugins.sparql import operators
        from rdflib.plugins.sparql.parserutils import CompValue

        if obj is operators.TrueFilter:
            return _true_filter, ()
        if isinstance(
            obj, CompValue
        ):  # its items and attributes set once it is memoised (its method points back at it)
            return _new_node, (type(obj),), (list(obj.items()), dict(vars(obj))), None, None, _fill_node
        if isinstance(obj, types.MethodType):
            return _bound, (obj.__func__, obj.__self__)
        return NotImplemented


def export_parse(text: str) -> bytes | None:
    """The parse of ``text`` this process made (:func:`laokg.query.safety.parse_query`), as
    bytes :func:`adopt_parse` reads; None if there is none or it does not pickle."""
    from laokg.query import safety

    parsed = safety._PARSED.get(text)
    if parsed is None or parsed._tree is None or parsed._query is None:
        return None
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(
            (parsed.form, parsed.variables, parsed._tree, parsed._query)
        )
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError):
        return None
    data = buffer.getvalue()
    return data if len(data) <= MAX_BYTES else None


def adopt_parse(text: str, data: bytes | None) -> bool:
    """Keep the parse of ``text`` that :func:`export_parse` wrote in a worker of this process,
    as if this process had parsed it. False (and nothing kept) if there is none."""
    if not data or len(data) > MAX_BYTES:
        return False
    from laokg.query import safety

    try:
        form, variables, tree, query = pickle.loads(data)  # bytes our own forked worker wrote
    except (pickle.UnpicklingError, TypeError, AttributeError, ValueError, EOFError, RecursionError):
        return False
    safety._remember(text, safety.ParsedQuery(text, form, variables, tree=tree, query=query))
    return True


__all__ = ["export_parse", "adopt_parse", "MAX_BYTES"]
