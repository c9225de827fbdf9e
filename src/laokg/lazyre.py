"""Regular expressions compiled on first use.

Compiling a pattern costs time at import, and a command pays for every pattern of every module
it imports, used or not: ``laokg query run`` imports the modules that bind parameters and
locate source texts, and most runs use few of their patterns. A :class:`LazyPattern` stands in
for ``re.compile(...)`` at module level and compiles when a method is first called. Each call
then goes through one extra attribute lookup, so patterns matched in tight loops over a whole
graph stay plain ``re.compile``.
"""

from __future__ import annotations

import re


class LazyPattern:
    """``re.compile(pattern, flags)``, compiled when first used; then the compiled pattern's
    attributes (``match``, ``search``, ``finditer``, ``pattern`` ...)."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern, flags: int = 0):
        self._args = (pattern, flags)
        self._compiled: re.Pattern | None = None

    @property
    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return self._compiled

    def __getattr__(self, name):
        return getattr(self.compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._args[0]!r})"


__all__ = ["LazyPattern"]
