"""w3id/.htaccess, the w3id.org entry prepared for https://w3id.org/laokg/: every kind of IRI
the project mints (the graph's, the ontology's and vocabularies', the shapes', the saved
queries') is redirected to a file the site (`laokg site`, release files under downloads/)
really has, for each media type, and nothing else is. The file is read here as mod_rewrite
reads it (RewriteCond %{HTTP_ACCEPT} / RewriteRule, first matching rule with [L] wins)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import URIRef

from laokg.graph.build import GRAPH_FILES

from .saved_query_support import ROOT, query_names, real_graph

HTACCESS = Path(__file__).resolve().parent.parent / "w3id" / ".htaccess"
BASE = "https://w3id.org/laokg/"
SITE = "https://HOST/laokg"
ACCEPTS = {"text/html": "html", "text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt"}


def rules():
    """[(conditions, pattern, target, flags)] of the file; the SITE variable set by its E= rule."""
    out, conditions, site = [], [], None
    for line in HTACCESS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if words[0] == "RewriteCond":
            assert words[1] == "%{HTTP_ACCEPT}", line
            conditions.append(words[2])
        elif words[0] == "RewriteRule":
            pattern, target, flags = words[1], words[2], words[3] if len(words) > 3 else ""
            if target == "-":
                site = re.fullmatch(r"\[E=SITE:(.+)\]", flags).group(1)
            else:
                out.append((conditions, pattern, target, flags))
            conditions = []
    assert site == SITE, "the SITE line is the one to set before sending (README)"
    return out


def resolve(path: str, accept: str):
    """(status, target) mod_rewrite would answer for https://w3id.org/laokg/PATH, or None."""
    for conditions, pattern, target, flags in rules():
        if not all(re.search(c, accept) for c in conditions):
            continue
        m = re.search(pattern, path)
        if m:
            status = int(re.search(r"R=(\d+)", flags).group(1))
            return status, re.sub(
                r"\$(\d)", lambda g, m=m: m.group(int(g.group(1))) or "", target.replace("%{ENV:SITE}", SITE)
            )
    return None


def minted() -> set[str]:
    """Every IRI under https://w3id.org/laokg/ the project uses, fragment dropped (never sent)."""
    g = real_graph()
    iris = {str(t).split("#")[0] for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(BASE)}
    shapes = (ROOT / "ontology" / "shapes.ttl").read_text(encoding="utf-8")
    # the shapes namespace (lksh:), not the IRIs the shapes check (sh:targetNode <…/id/>)
    iris |= {m.split("#")[0] for m in re.findall(r"<(https://w3id\.org/laokg/shapes(?:#[^>]*)?)>", shapes)}
    iris |= {BASE + "queries/" + name for name in query_names()}
    return iris


def expected(path: str, kind: str) -> str:
    """The site file a client asking for ``kind`` should be sent to."""
    graph_file = {fmt: name for name, fmt in GRAPH_FILES}
    release = {"ttl": graph_file["turtle"], "jsonld": graph_file["jsonld"], "nt": graph_file["nt"]}
    if path.startswith("id/"):
        return f"{path}.{kind}" if kind in ("html", "ttl", "jsonld") else "downloads/" + release["nt"]
    if path == "shapes":
        return "shapes.ttl"
    if path.startswith("queries/"):
        return path + ".html"
    page = "ontology.html" if path.split("/")[0] == "ontology" else "vocabularies.html"
    return page if kind == "html" else "downloads/" + release[kind]


def test_every_iri_kind_the_project_mints_is_redirected_to_a_site_file():
    iris = minted()
    kinds = {path.split("/")[0] for path in (i[len(BASE) :] for i in iris)}
    assert {"id", "ontology", "vocab", "shapes", "queries"} <= kinds, kinds
    for iri in sorted(iris):
        path = iri[len(BASE) :]
        for accept, kind in ACCEPTS.items():
            got = resolve(path, accept)
            assert got is not None, f"{iri} ({accept}): no rule"
            assert got == (303, f"{SITE}/{expected(path, kind)}"), f"{iri} ({accept}): {got}"


def test_the_bare_prefix_goes_to_the_front_page():
    assert resolve("", "text/html") == (302, SITE + "/")


@pytest.mark.parametrize(
    "path",
    ["id/../graph/people", "id/./x", "id/", "id/a//b", "queries/../id/x", "other/thing", "ontologyX", "shapes/x"],
)
def test_paths_the_site_never_has_get_no_redirect(path):
    assert resolve(path, "text/turtle") is None and resolve(path, "text/html") is None, path


def test_the_site_publishes_the_shapes_the_redirect_points_to():
    from laokg.publish.site import collect

    files, _ = collect(ROOT)
    assert files["shapes.ttl"] == (ROOT / "ontology" / "shapes.ttl").read_bytes()
    assert "ontology.html" in files and "vocabularies.html" in files
