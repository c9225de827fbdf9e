"""No refactoring changes an output: every saved query (csv, each tested case), audit, show,
trace, the export, the site and the release give the bytes recorded in tests/golden.json.

Recorded and compared by tests/golden.py (``python -m tests.golden``); after an intended change
of the data or of an output, and only then, ``python -m tests.golden --update``.
"""

import pytest

from . import golden


@pytest.fixture(scope="module")
def outputs():
    return golden.record()


def test_the_outputs_are_the_recorded_bytes(outputs):
    lines = golden.differences(golden.load(), outputs)
    assert not lines, (
        "outputs differ from tests/golden.json (a refactoring must keep every byte; after an "
        "intended data change run `python -m tests.golden --update`):\n" + "\n".join(lines[:40])
    )


def test_the_recipe_covers_every_saved_query_and_each_kind_of_output(outputs):
    keys = set(outputs)
    names = {p.stem for p in golden.ROOT.joinpath("queries").glob("*.rq")}
    assert names == {k.split()[2] for k in keys if k.startswith("query run ")}
    for prefix in ("audit ", "show ", "trace ", "trace --source ", "export --format ", "site/", "build/"):
        assert any(k.startswith(prefix) for k in keys), prefix
    assert "site/index.html" in keys
    release = {k.removeprefix("build/") for k in keys if k.startswith("build/")}
    assert {"laokg.ttl", "laokg.nt", "laokg.jsonld", "changes.txt", "store.json", "queries.json"} <= release
    assert not any(name.startswith("store/") for name in release)


def test_a_changed_byte_is_reported_with_its_output():
    recorded = {
        "export --format nt": {"exit": 0, "bytes": 3, "sha256": "a"},
        "site/x.html": {"exit": 0, "bytes": 1, "sha256": "b"},
    }
    now = {
        "export --format nt": {"exit": 0, "bytes": 3, "sha256": "c"},
        "site/y.html": {"exit": 0, "bytes": 1, "sha256": "b"},
    }
    assert golden.differences(recorded, now) == [
        "differs: export --format nt (exit 0 -> 0, 3 -> 3 bytes)",
        "missing now: site/x.html",
        "not recorded: site/y.html",
    ]
