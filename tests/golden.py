"""Golden outputs: SHA-256 digests of what laokg prints and writes for the real graph, recorded
in ``tests/golden.json`` so that a refactoring can prove it changed no byte.

Recorded: every saved query's csv output for each case of ``tests/expected/<query>.json`` (the
same parameters as tests/test_saved_queries.py), ``laokg audit`` (text and json), ``show`` and
``trace`` of representative entities (json, and the RDF forms), a reverse trace, the export in
N-Triples, Turtle and JSON-LD, every file of the site ``laokg site`` writes (with the
release), and every file of the release ``laokg build`` writes except the Oxigraph store's own
files (RocksDB's are not byte-stable) and the modification times ``store.json`` keys its cache
on. Each output is produced in-process through click's CliRunner with ``--root`` set to this
checkout; the commands run on the rdflib engine.

    python -m tests.golden            # compare with the recorded digests; exit 1 on a difference
    python -m tests.golden --update   # record them again (ONLY after an intended data change)

tests/test_golden.py runs the comparison (marked slow: it builds the site and a release).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden.json"
EXPECTED = Path(__file__).resolve().parent / "expected"

#: one entity of each kind the graph holds: an instrument, an organisation, a statistic, an
#: agreement, a country, a source document
ENTITIES = (
    "kg:decree-245-2020",
    "kg:mlsw",
    "kg:obs-workers-abroad-cumulative-2021-2025",
    "kg:mou-laos-thailand-2002",
    "kg:thailand",
    "kg:seaip-2025-11-28",
)
#: works and documents traced the other way (`trace --source`)
SOURCES = ("kg:mou-laos-thailand-2002", "kg:seaip-2025-11-28")

#: what the commands see: a fixed terminal width and no colour, whoever runs them
ENV = {"COLUMNS": "80", "NO_COLOR": "1", "LAOKG_ROOT": str(ROOT)}

ABOUT = (
    "SHA-256 of laokg's outputs on the real graph, recorded by `python -m tests.golden --update` "
    "and compared by tests/test_golden.py. Regenerate ONLY after an intended change of the data "
    "or of an output; a refactoring must leave every digest as it is."
)


def _commands() -> list[tuple[str, list[str]]]:
    """(key, arguments) of every recorded command output, in a stable order."""
    out: list[tuple[str, list[str]]] = []
    for path in sorted(EXPECTED.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            args = ["query", "run", data["query"]]
            for name, value in case.get("params", []):
                args += ["-p", f"{name}={value}"]
            args += ["--format", "csv", "--engine", "rdflib"]
            out.append((" ".join(args), args))
    for fmt in ("text", "json"):
        out.append((f"audit --format {fmt}", ["audit", "--format", fmt]))
    for thing in ENTITIES:
        for fmt in ("json", "turtle"):
            args = ["show", thing, "--format", fmt, "--engine", "rdflib"]
            out.append((" ".join(args), args))
        for fmt in ("json", "turtle"):
            args = ["trace", thing, "--format", fmt, "--engine", "rdflib"]
            out.append((" ".join(args), args))
    for work in SOURCES:
        args = ["trace", "--source", work, "--format", "json", "--engine", "rdflib"]
        out.append((" ".join(args), args))
    for fmt in ("nt", "turtle", "jsonld"):
        out.append((f"export --format {fmt}", ["export", "--format", fmt]))
    return out


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check(key: str, code: int) -> None:
    """A usage or input error (exit 2 and up) means the recipe names something that is not in
    the graph: a digest of an error message would guard nothing."""
    if code >= 2:
        raise SystemExit(f"golden: `laokg {key}` exits {code}; fix the list in tests/golden.py")


def record() -> dict[str, dict]:
    """Run every command and build the site; key -> {"exit", "bytes", "sha256"}."""
    from click.testing import CliRunner

    from laokg.cli import cli

    runner = CliRunner(env=ENV)
    outputs: dict[str, dict] = {}
    for key, args in _commands():
        result = runner.invoke(cli, ["--root", str(ROOT), *args], catch_exceptions=False)
        data = result.stdout_bytes
        _check(key, result.exit_code)
        outputs[key] = {"exit": result.exit_code, "bytes": len(data), "sha256": _digest(data)}
    with tempfile.TemporaryDirectory(prefix="laokg-golden-") as tmp:
        site = Path(tmp) / "site"
        result = runner.invoke(cli, ["--root", str(ROOT), "site", "-o", str(site)], catch_exceptions=False)
        _check("site", result.exit_code)
        # the summary line names the folder, a new temporary one each run
        summary = result.stdout_bytes.replace(str(site).encode(), b"SITE")
        outputs["site"] = {"exit": result.exit_code, "bytes": len(summary), "sha256": _digest(summary)}
        for path in sorted(p for p in site.rglob("*") if p.is_file()):
            data = path.read_bytes()
            key = "site/" + path.relative_to(site).as_posix()
            outputs[key] = {"exit": 0, "bytes": len(data), "sha256": _digest(data)}
    outputs.update(_release(runner, cli))
    return outputs


def _stable_store_json(data: bytes) -> bytes:
    """store.json without what differs between checkouts of the same commit: each data file's
    modification time (the cache key); paths, sizes and the recorded counts stay."""
    meta = json.loads(data)
    meta["files"] = [[path, size] for path, size, _mtime in meta["files"]]
    return json.dumps(meta, indent=1, sort_keys=True).encode()


def _release(runner, cli) -> dict[str, dict]:
    """`laokg build` into a fresh folder: its summary and every file of the release it makes."""
    outputs: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="laokg-golden-") as tmp:
        dist = Path(tmp) / "dist"
        result = runner.invoke(cli, ["--root", str(ROOT), "build", "--dist", str(dist)], catch_exceptions=False)
        _check("build", result.exit_code)
        # the summary names the folder (a new temporary one each run) and the store's size,
        # which RocksDB's compaction varies from run to run
        summary = re.sub(
            rb"(?m)^(\s*DIST/store) +[\d,]+ bytes$", rb"\1", result.stdout_bytes.replace(str(dist).encode(), b"DIST")
        )
        outputs["build"] = {"exit": result.exit_code, "bytes": len(summary), "sha256": _digest(summary)}
        current = (dist / "current").resolve()
        for path in sorted(p for p in current.rglob("*") if p.is_file()):
            name = path.relative_to(current).as_posix()
            if name.startswith("store/"):
                continue
            data = path.read_bytes()
            if name == "store.json":
                data = _stable_store_json(data)
            outputs["build/" + name] = {"exit": 0, "bytes": len(data), "sha256": _digest(data)}
    return outputs


def load() -> dict[str, dict]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))["outputs"]


def save(outputs: dict[str, dict]) -> None:
    data = {"about": ABOUT, "outputs": dict(sorted(outputs.items()))}
    GOLDEN.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def differences(recorded: dict[str, dict], now: dict[str, dict]) -> list[str]:
    """One line per output that is missing, new or different."""
    lines = []
    for key in sorted(set(recorded) | set(now)):
        if key not in now:
            lines.append(f"missing now: {key}")
        elif key not in recorded:
            lines.append(f"not recorded: {key}")
        elif recorded[key] != now[key]:
            was, new = recorded[key], now[key]
            lines.append(
                f"differs: {key} (exit {was['exit']} -> {new['exit']}, {was['bytes']} -> {new['bytes']} bytes)"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.golden",
        description=(
            "Compare laokg's outputs on the real graph (saved queries, audit, show, trace, export, "
            "site, release) with the SHA-256 digests in tests/golden.json."
        ),
        epilog=(
            "Regenerate with --update ONLY after an intended change of the data or of an output "
            "(and say so in the commit); a refactoring must leave every digest unchanged."
        ),
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="record the digests again; the only reason to do so is an intended data or output change",
    )
    options = parser.parse_args(argv)
    now = record()
    if options.update:
        save(now)
        print(f"recorded {len(now)} outputs in {GOLDEN.relative_to(ROOT)}")
        return 0
    lines = differences(load(), now)
    for line in lines:
        print(line)
    print(f"{len(now)} outputs, {len(lines)} differences")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
