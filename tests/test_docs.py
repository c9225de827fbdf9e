"""Every console example in README.md and docs/*.md runs and prints what the page says.

The convention is in tests/docs_examples.py (and docs/contributing.md)."""

import pytest

from .docs_examples import OMIT, doc_files, examples, matches, run

EXAMPLES = [ex for path in doc_files() for ex in examples(path)]


def test_the_docs_have_examples():
    assert {ex.path.name for ex in EXAMPLES} >= {"README.md", "commands.md", "queries.md"}


@pytest.mark.parametrize("example", EXAMPLES, ids=[ex.id for ex in EXAMPLES])
def test_console_example(example, tmp_path):
    actual = run(example, tmp_path)
    if not matches(example.expected, actual):
        shown = "\n".join(line.rstrip() for line in actual).rstrip()
        pytest.fail(
            f"{example.id}: `{example.command}` printed:\n{shown}\n\n"
            f"refresh with: python -m tests.docs_examples --update {example.path.name}"
            if example.path.name == "README.md"
            else f"{example.id}: `{example.command}` printed:\n{shown}\n\n"
            f"refresh with: python -m tests.docs_examples --update docs/{example.path.name}",
            pytrace=False,
        )


def test_omissions_are_rare():
    """`[…]` is for long output only: at most one per example, and not in most examples."""
    marked = [ex for ex in EXAMPLES if OMIT in ex.expected]
    assert all(ex.expected.count(OMIT) == 1 for ex in marked)
    assert len(marked) * 3 <= len(EXAMPLES)


def test_matching_rules():
    assert matches(["a", "b"], ["a", "b", ""])
    assert not matches(["a", "b"], ["a", "c"])
    assert not matches(["a"], ["a", "b"])
    assert matches(["a", OMIT, "d"], ["a", "b", "c", "d"])
    assert matches(["a", OMIT, "d"], ["a", "d"])
    assert not matches(["a", OMIT, "d"], ["a", "b", "c"])
    assert matches(["a.b"], ["a.b"]) and not matches(["a.b"], ["axb"])
