"""Helpers for the load/validate/stats/export/build tests: a small fixture project, the real
project root and copies of it, in-process CLI runs and the independent RDF parsers."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from laokg.cli import cli

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "core"
REAL_ROOT = HERE.parent


def real_project_ready() -> bool:
    return (
        (REAL_ROOT / "ontology" / "laokg.ttl").is_file()
        and (REAL_ROOT / "ontology" / "shapes.ttl").is_file()
        and any((REAL_ROOT / "graph").glob("*.ttl"))
    )


requires_real = pytest.mark.skipif(not real_project_ready(), reason="the real ontology/ and graph/ are not there yet")


def make_project(tmp_path: Path, name: str = "project") -> Path:
    """A fresh copy of the fixture project (ontology, vocab, shapes, graph) in tmp_path."""
    target = tmp_path / name
    shutil.copytree(FIXTURE, target)
    return target


def copy_real_project(target: Path, parts: tuple[str, ...] = ("ontology", "graph", "queries")) -> Path:
    """A copy of the real project's ``parts`` (folders below its root) in ``target``; ``target``."""
    for part in parts:
        shutil.copytree(REAL_ROOT / part, target / part)
    return target


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


PREFIXES = """@prefix kg: <https://w3id.org/laokg/id/> .
@prefix ev: <https://w3id.org/laokg/id/evidence/> .
@prefix laokg: <https://w3id.org/laokg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <https://schema.org/> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def invoke(*args: str, env: dict | None = None):
    """Run ``laokg ARGS`` in-process; exceptions are caught so tests can assert there are none."""
    runner = CliRunner()
    return runner.invoke(cli, list(args), env=env, catch_exceptions=True)


def query_bindings(name: str, *params: str) -> list[dict]:
    """``laokg query run NAME -p PARAM… --format json`` on the real project: its JSON bindings."""
    args = ["query", "run", name, "--format", "json", "--root", str(REAL_ROOT)]
    for p in params:
        args += ["-p", p]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["results"]["bindings"]


def assert_clean_exit(result, code: int):
    """The expected exit code, and no Python exception escaped (no traceback)."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def assert_one_line_error(result, *fragments, code: int = 2):
    """The documented exit code and exactly one stderr line ``Error: ...`` holding each fragment."""
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.output


def need_binary(name: str, package: str) -> str:
    """The path of an external parser; skip if missing, but fail on CI (CI installs it)."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} not installed (apt-get install {package})"
    if os.environ.get("CI"):
        pytest.fail(message + ": required on CI")
    pytest.skip(message)
