"""The README documents what the project really has (tested docs)."""

import re

from laokg.provenance.audit import load_rules, rules_dir
from laokg.query.catalogue import load_catalogue

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _table(header: str) -> str:
    start = README.index(header)
    return README[start: README.index("\n\n", start)]


def test_every_saved_query_is_in_the_catalogue_table():
    listed = set(re.findall(r"^\| `(\w+)` \|", _table("| query | parameters"), re.M))
    actual = {q.name for q in load_catalogue(ROOT / "queries")}
    assert listed == actual


def test_every_audit_rule_is_in_the_rules_table():
    listed = set(re.findall(r"^\| (AUD\d+) \| (?:violation|warning|info) \|", README, re.M))
    assert listed == {r.id for r in load_rules(rules_dir(ROOT))}


def test_audit_severities_match_the_rule_files():
    listed = dict(re.findall(r"^\| (AUD\d+) \| (violation|warning|info) \|", README, re.M))
    assert listed == {r.id: r.severity for r in load_rules(rules_dir(ROOT))}


def test_quickstart_commands_are_make_targets():
    block = README.split("```sh", 1)[1].split("```", 1)[0]
    targets = re.findall(r"^make (\w+)", block, re.M)
    assert targets == ["run", "test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in targets:
        assert re.search(rf"^{target}:", makefile, re.M)


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_no_placeholders_left():
    assert not re.search(r"^[A-Z_]{6,}$|\bTODO\b|\bXXX\b", README, re.M)
