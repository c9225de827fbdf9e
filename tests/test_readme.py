"""README.md and docs/ document what the project really has (tested docs; the console
examples themselves are run by tests/test_docs.py)."""

import re

from laokg.provenance.audit import load_rules, rules_dir
from laokg.query.catalogue import load_catalogue

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
QUERIES_DOC = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
CURATION_DOC = (ROOT / "docs" / "curation.md").read_text(encoding="utf-8")


def _table(text: str, header: str) -> str:
    start = text.index(header)
    return text[start : text.index("\n\n", start)]


def test_every_saved_query_is_in_the_catalogue_table():
    listed = set(re.findall(r"^\| `(\w+)` \|", _table(QUERIES_DOC, "| query | parameters"), re.M))
    actual = {q.name for q in load_catalogue(ROOT / "queries")}
    assert listed == actual


def test_every_audit_rule_is_in_the_rules_table():
    listed = set(re.findall(r"^\| (AUD\d+) \| (?:violation|warning|info) \|", CURATION_DOC, re.M))
    assert listed == {r.id for r in load_rules(rules_dir(ROOT))}


def test_audit_severities_match_the_rule_files():
    listed = dict(re.findall(r"^\| (AUD\d+) \| (violation|warning|info) \|", CURATION_DOC, re.M))
    assert listed == {r.id: r.severity for r in load_rules(rules_dir(ROOT))}


def test_quickstart_commands_are_make_targets():
    block = README.split("```sh", 1)[1].split("```", 1)[0]
    targets = re.findall(r"^make (\w+)", block, re.M)
    assert targets == ["run", "test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in targets:
        assert re.search(rf"^{target}:", makefile, re.M)


def test_ci_runs_the_readme_test_command_after_make_lint():
    commands = re.findall(r"^make (\w+)$", (ROOT / ".ci" / "run").read_text(encoding="utf-8"), re.M)
    assert commands == ["lint", "test"]
    assert re.search(r"^lint:", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)


def test_no_placeholders_left():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^[A-Z_]{6,}$|\bTODO\b|\bXXX\b", text, re.M), path.name


def test_readme_is_a_short_front_page():
    assert len(README.splitlines()) <= 265  # "under ~250": room for a few short sections more (issue 20: diff, --as-of)


def test_readme_says_how_to_reach_laokg_after_make_run():
    assert ".venv/bin/laokg" in README and "source .venv/bin/activate" in README
    assert "pipx install ." in README


def test_local_links_resolve():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+?)(?:#[^)]*)?\)", text):
            assert (path.parent / target).exists(), f"{path.name}: broken link {target}"


def test_license_citation_and_changelog_exist():
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "cff-version:" in (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert (ROOT / "CHANGELOG.md").is_file()
