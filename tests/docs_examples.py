"""The console examples of README.md and docs/*.md, run as a user at an 80-column terminal.

Convention (also stated in docs/contributing.md):

- A fenced block marked ``console`` holds one or more examples. A line starting with
  ``$ laokg `` is a command; the lines after it, up to the next ``$ `` line or the end of the
  block, are exactly what it prints (standard output and standard error, as a terminal shows
  them). Trailing spaces and trailing blank lines are ignored.
- A line that is exactly ``[…]`` stands for zero or more lines left out. Use it sparingly:
  only where the full output is too long for the page.
- Every ``$`` line in a ``console`` block must be a ``laokg`` command. Examples that are not run
  (``make``, ``pip``, shell set-up) go in ``sh`` blocks.
- Commands run in-process through click's CliRunner, in an empty temporary directory, with
  ``$LAOKG_ROOT`` set to this checkout, ``COLUMNS=80`` and standard output treated as a
  terminal (so tables are the default, as for a user).

When the graph changes, refresh the expected outputs with
``.venv/bin/python -m tests.docs_examples --update`` and review the diff: a block with one
``[…]`` keeps as many leading and trailing lines as it had.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OMIT = "[…]"
FENCE = re.compile(r"^(`{3,})(\S*)\s*$")


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@dataclass
class Example:
    path: Path
    line: int  # 1-based line of the `$ laokg` command
    command: str
    expected: list[str]
    end: int  # 0-based index of the line after the expected output

    @property
    def id(self) -> str:
        return f"{self.path.name}:{self.line}"

    @property
    def args(self) -> list[str]:
        return shlex.split(self.command)[1:]


def examples(path: Path) -> list[Example]:
    lines = path.read_text(encoding="utf-8").split("\n")
    found: list[Example] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        fence, lang = m.groups()
        j = i + 1
        while j < len(lines) and lines[j].rstrip() != fence:
            j += 1
        if lang == "console":
            found.extend(_block(path, lines, i + 1, j))
        i = j + 1
    return found


def _block(path: Path, lines: list[str], start: int, stop: int) -> list[Example]:
    out: list[Example] = []
    current: Example | None = None
    for k in range(start, stop):
        text = lines[k]
        if text.startswith("$ "):
            if not text.startswith("$ laokg "):
                raise ValueError(f"{path.name}:{k + 1}: a console block runs only laokg commands: {text}")
            if current:
                current.end = k
            current = Example(path, k + 1, text[2:].strip(), [], stop)
            out.append(current)
        elif current is None:
            if text.strip():
                raise ValueError(f"{path.name}:{k + 1}: output before any command in a console block")
        else:
            current.expected.append(text)
    if current:
        current.end = stop
    return out


def _clean(lines: list[str]) -> list[str]:
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def matches(expected: list[str], actual: list[str]) -> bool:
    parts = []
    for line in _clean(expected):
        parts.append(r"(?:[^\n]*\n)*?" if line == OMIT else re.escape(line) + r"\n")
    return re.fullmatch("".join(parts), "".join(line + "\n" for line in _clean(actual))) is not None


@contextmanager
def _terminal():
    """Make the CLI believe it writes to an 80-column terminal."""
    import laokg.cli.common as common

    saved = common.stdout_is_terminal
    common.stdout_is_terminal = lambda: True
    try:
        yield
    finally:
        common.stdout_is_terminal = saved


def run(example: Example, cwd: Path) -> list[str]:
    from click.testing import CliRunner

    from laokg.cli import cli

    env = {"COLUMNS": "80", "LINES": "24", "LAOKG_ROOT": str(ROOT), "NO_COLOR": "1"}
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with _terminal():
            result = CliRunner(env=env).invoke(cli, example.args, prog_name="laokg")
    finally:
        os.chdir(old)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.output.split("\n")


def update(paths: list[Path]) -> int:
    """Rewrite the expected outputs in place; return how many examples changed."""
    import tempfile

    changed = 0
    for path in paths:
        lines = path.read_text(encoding="utf-8").split("\n")
        for ex in reversed(examples(path)):
            with tempfile.TemporaryDirectory() as tmp:
                actual = _clean(run(ex, Path(tmp)))
            expected = _clean(ex.expected)
            if matches(expected, actual):
                continue
            omits = [n for n, line in enumerate(expected) if line == OMIT]
            if len(omits) == 1:
                head, tail = omits[0], len(expected) - omits[0] - 1
                if head + tail < len(actual):
                    actual = actual[:head] + [OMIT] + (actual[-tail:] if tail else [])
            elif omits:
                print(f"{ex.id}: several {OMIT} markers, not updated", file=sys.stderr)
                continue
            start = ex.line  # index of the first output line
            end = start + len(ex.expected)
            # keep a blank line that separates this example from the next command
            trailing = [line for line in ex.expected[len(expected) :]]
            lines[start:end] = actual + trailing
            changed += 1
            print(f"updated {ex.id}: {ex.command}")
        path.write_text("\n".join(lines), encoding="utf-8")
    return changed


if __name__ == "__main__":  # pragma: no cover - a maintenance tool
    if sys.argv[1:2] != ["--update"]:
        sys.exit("usage: python -m tests.docs_examples --update [FILE.md ...]")
    files = [Path(p).resolve() for p in sys.argv[2:]] or doc_files()
    print(f"{update(files)} example(s) updated")
