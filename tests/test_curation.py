"""Curation: every excerpt and footnote text in the graph is verbatim from its source document.

The source documents are not part of the project. They are read from ``$LAOKG_SEEDS`` or
``../shared/seeds`` beside the repository. Locally the test skips when they are absent;
on CI (``CI`` set) a missing seeds directory is a failure, so the check can never be
skipped silently there.
"""

import pytest

from laokg.provenance.curation import check_excerpts, normalise


def test_every_excerpt_is_verbatim(real_graph, seeds):
    checked, problems = check_excerpts(real_graph, seeds)
    assert checked > 150, "expected the graph to quote its sources throughout"
    assert problems == [], "\n".join(f"{p.node}: {p.reason}: {p.excerpt!r}" for p in problems)


def test_a_changed_excerpt_is_caught(real_graph, seeds):
    from rdflib import Graph, Literal

    from laokg.namespaces import OA

    g = Graph()
    g += real_graph
    selector, text = next(iter(g.subject_objects(OA.exact)))
    g.set((selector, OA.exact, Literal(str(text) + " and something the source never said")))
    _, problems = check_excerpts(g, seeds)
    assert len(problems) == 1


def test_both_documents_are_quoted(real_graph, seeds):
    from laokg.namespaces import OA, PROV

    # evidence -> prov:entity (the passage) -> oa:hasSource (the document)
    docs = {str(d) for p in real_graph.objects(None, PROV.entity) for d in real_graph.objects(p, OA.hasSource)}
    assert "https://w3id.org/laokg/id/eudif-lao-2024" in docs
    assert "https://w3id.org/laokg/id/seaip-2025-11-28" in docs


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Laos’ national", "Laos' national"),
        ("“Love Homeland”", '"Love Homeland"'),
        ("*Voting from Abroad Database.*", "Voting from Abroad Database."),
        ("two\n\n  lines\tand tabs", "two lines and tabs"),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected
