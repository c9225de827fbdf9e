"""laokg.lazyre: a module-level pattern compiled on first use, then the compiled pattern."""

import re

from laokg.lazyre import LazyPattern


def test_nothing_is_compiled_until_first_use_then_once():
    lazy = LazyPattern(r"(?P<word>[a-z]+)", re.IGNORECASE)
    assert lazy._compiled is None
    assert lazy.match("Hello").group("word") == "Hello"
    first = lazy._compiled
    assert isinstance(first, re.Pattern)
    assert [m.group() for m in lazy.finditer("a1 BC")] == ["a", "BC"]
    assert lazy._compiled is first and lazy.pattern == "(?P<word>[a-z]+)"


def test_it_answers_as_the_compiled_pattern_does():
    text = "x = ¹² and ³"
    for pattern in (r"[¹²³]+", r"^\s*$", r"\d+"):
        lazy, eager = LazyPattern(pattern), re.compile(pattern)
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
        assert bool(lazy.search(text)) == bool(eager.search(text))
    assert "[¹²³]+" in repr(LazyPattern(r"[¹²³]+"))
