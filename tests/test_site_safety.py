"""`laokg site` against hostile data (issue 17): paths from data never leave the output
directory, links from data are http(s) only and never made from literals, every page carries
a Content-Security-Policy that forbids inline script (and the pages need none), and a fuzz
test (hypothesis) drives the site with hostile IRIs, labels and URLs. The browser checks of
the same rules (no CSP violation, a planted ``javascript:`` URL that a click cannot run) are
in test_site_browser.py."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from laokg.errors import UnsafePath
from laokg.publish.paths import (
    entity_path_problem,
    entity_stem,
    external_href,
    inside,
    query_page,
    safe_site_path,
    type_page,
)
from laokg.publish.site import HEADER_POLICY, META_POLICY, build_site
from tests.coretools import FIXTURE, REAL_ROOT, assert_one_line_error, copy_real_project, invoke

ID = "https://w3id.org/laokg/id/"


# ---------------------------------------------------------------- a small project to attack


def small_project(where: Path) -> Path:
    """The core fixture project (whose graph/ holds people.ttl) with the real saved queries
    and audit rules, so every kind of page is built: a few seconds per site."""
    project = where / "project"
    shutil.copytree(FIXTURE, project)
    shutil.copytree(REAL_ROOT / "queries", project / "queries")
    return project


def plant(project: Path, turtle: str, name: str = "zz-hostile.ttl") -> Path:
    path = project / "graph" / name
    path.write_text(
        "# Test data: hostile IRIs, labels and URLs planted by the site safety tests.\n"
        "@prefix schema: <https://schema.org/> .\n@prefix kg: <https://w3id.org/laokg/id/> .\n" + turtle,
        encoding="utf-8",
    )
    return path


def snapshot(top: Path, skip: Path | None = None) -> dict[str, str]:
    """Every file under ``top`` (not following links), but those under ``skip``: path -> hash."""
    out = {}
    for dirpath, dirs, names in os.walk(top):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirs[:] = []
            continue
        for name in names + [d for d in dirs if (here / d).is_symlink()]:
            p = here / name
            data = os.readlink(p).encode() if p.is_symlink() else p.read_bytes()
            out[str(p.relative_to(top))] = hashlib.sha256(data).hexdigest()
    return out


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return small_project(tmp_path_factory.mktemp("attack"))


@pytest.fixture
def fresh(tmp_path):
    return small_project(tmp_path)


# ---------------------------------------------------------------- the path function


GOOD_NAMES = [
    "decree-245-2020",
    "evidence/decree-245-2020-1",
    "a.b_c-d",
    "x/y/z",
    "CONTACT",
    "com10",
    "nullable",
    "a" * 100,
    "/".join(["b" * 66] * 3),
]
BAD_NAMES = [
    "..",
    ".",
    "../../../graph/people",
    "a/../../b",
    "a/./b",
    "a//b",
    "a/",
    "/a",
    ".htaccess",
    "name.",
    "%2e%2e/%2e%2e/x",
    "..%2fx",
    "CON",
    "nul",
    "Aux.txt",
    "x/COM1",
    "lpt9.html",
    "a" * 101,
    "/".join(["a" * 90] * 3),
    "caf\u00e9",
    "a:b",
    "a~b",
]
# names an IRI cannot hold at all (so the SHACL test below cannot plant them): refused too
NOT_IN_AN_IRI = ["", "a\\..\\b", "a\x00b", "a\nb", "a b", "\u2025/x", "C:x", "a?b", "a#b"]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_names_that_are_paths(name):
    assert entity_path_problem(ID + name) is None
    assert entity_stem(URIRef(ID + name)) == "id/" + name


@pytest.mark.parametrize("name", BAD_NAMES + NOT_IN_AN_IRI)
def test_names_that_are_refused(name):
    assert entity_path_problem(ID + name) is not None
    with pytest.raises(UnsafePath):
        entity_stem(URIRef(ID + name))


def test_entity_stem_refuses_iris_outside_the_namespace():
    with pytest.raises(UnsafePath):
        entity_stem(URIRef("https://example.org/x"))


@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../x",
        "a/../../x",
        "a/./b",
        "a//b",
        "a\\b",
        "a\x00b",
        "a\x1bb",
        "id/CON.html",
        "id/nul",
        "x" * 256,
        "a:b",
        "a/b.",
        "d" * 2000,
    ],
)
def test_safe_site_path_refuses(path):
    with pytest.raises(UnsafePath):
        safe_site_path(path)


def test_safe_site_path_accepts_the_site_files():
    for path in ("index.html", ".htaccess", "id/evidence/x-1.ttl", "charts/timeline.svg", "downloads/SHA256SUMS"):
        assert safe_site_path(path) == path


def test_inside_refuses_a_symbolic_link_out_of_the_output(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "id").symlink_to(elsewhere)
    with pytest.raises(UnsafePath, match="resolves outside"):
        inside(out, "id/x.html")
    assert inside(out, "index.html") == out / "index.html"


def test_type_and_query_pages_are_safe_file_names():
    assert type_page("schema:Person") == "types/schema-Person.html"
    assert query_page("sources") == "queries/sources.html"
    for page in (type_page("con"), query_page("NUL"), type_page("<https://example.org/" + "x" * 300 + ">")):
        assert safe_site_path(page) == page
    assert type_page("<https://e.org/" + "x" * 300 + "a>") != type_page("<https://e.org/" + "x" * 300 + "b>")


def test_validate_reports_the_iris_the_site_refuses():
    """lksh:EntityIriShape (ontology/shapes.ttl) and entity_path_problem agree, name by name."""
    from rdflib import Graph, Literal
    from rdflib.namespace import RDFS

    from laokg.graph.load import load_shapes
    from laokg.graph.validate import run_shacl

    g = Graph()
    for name in GOOD_NAMES + BAD_NAMES:
        g.add((URIRef(ID + name), RDFS.label, Literal(name)))
    shapes = load_shapes(REAL_ROOT)
    for engine in ("turbo", "pyshacl"):
        result = run_shacl(g, shapes, engine)
        flagged = {r.value for r in result.iri_results if r.source_shape.endswith("EntityIriShape")}
        assert flagged == {ID + n for n in BAD_NAMES}, engine
    assert all(entity_path_problem(ID + n) is None for n in GOOD_NAMES)
    assert all(entity_path_problem(ID + n) is not None for n in BAD_NAMES)


def test_cli_validate_exits_1_on_the_issue_iri(tmp_path):
    project = copy_real_project(tmp_path / "real")
    plant(project, '<https://w3id.org/laokg/id/../../../graph/people> schema:name "Evil" .\n')
    result = invoke("validate", "--root", str(project))
    assert result.exit_code == 1, result.output
    assert "https://w3id.org/laokg/id/../../../graph/people cannot be a page of the site" in result.output
    site = invoke("site", "--root", str(project), "-o", str(tmp_path / "site"))
    assert site.exit_code == 1 and not (tmp_path / "site").exists()


# ---------------------------------------------------------------- links from data


@pytest.mark.parametrize("iri", ["https://example.org/x", "http://example.org/", "HTTPS://EXAMPLE.ORG/a?b#c"])
def test_http_iris_are_links(iri):
    assert external_href(iri) == iri


@pytest.mark.parametrize(
    "iri",
    [
        "javascript:document.title='XSS'",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/x",
        "/script>",
        "https:evil",
        "https://",
        "https:// evil",
        "http://ex\nample.org",
        "mailto:a@b.c",
        "urn:isbn:1",
        ID + "../../x",
    ],
)
def test_other_iris_are_not_links(iri):
    assert external_href(iri) is None


# ---------------------------------------------------------------- the issue's attacks


def test_a_dot_segment_iri_does_not_overwrite_a_project_file(fresh):
    """Issue 17: <…/id/../../../graph/people> passed validate and `laokg site` replaced
    graph/people.ttl with the entity's Turtle (and wrote people.html beside it)."""
    plant(fresh, '<https://w3id.org/laokg/id/../../../graph/people> schema:name "Evil" .\n')
    before = snapshot(fresh, skip=fresh / "dist")
    result = invoke("site", "--root", str(fresh))
    assert result.exit_code == 0, result.output
    assert snapshot(fresh, skip=fresh / "dist") == before
    assert "graph/people" in result.stderr and "no page" in result.stderr
    assert len([line for line in result.stderr.splitlines() if "graph/people" in line]) == 1
    entity_pages = {p.name for p in (fresh / "dist" / "site" / "id").iterdir()}
    assert not any(name.startswith("people") for name in entity_pages)


def test_more_dot_segments_do_not_leave_an_output_directory(tmp_path):
    """Issue 17: with `--no-release -o DIR` an IRI with more `../` wrote far outside DIR."""
    project = small_project(tmp_path / "deep" / "er")
    plant(
        project,
        '<https://w3id.org/laokg/id/../../../../../../../escaped/x> schema:name "Evil" .\n'
        '<https://w3id.org/laokg/id/%2e%2e/%2e%2e/encoded> schema:name "Evil" .\n',
    )
    out = tmp_path / "deep" / "out" / "site"
    before = snapshot(tmp_path, skip=out)
    result = invoke("site", "--root", str(project), "--no-release", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert snapshot(tmp_path, skip=out) == before
    assert not (tmp_path / "escaped").exists() and not any(tmp_path.rglob("x.html"))
    assert result.stderr.count("no page") == 2


def test_a_symbolic_link_in_the_output_directory_is_refused(tmp_path, project):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "id").symlink_to(elsewhere)
    result = invoke("site", "--root", str(project), "--no-release", "-o", str(out))
    assert_one_line_error(result, "resolves outside", code=2)
    assert list(elsewhere.iterdir()) == [] and sorted(p.name for p in out.iterdir()) == ["id"]


def test_names_differing_only_in_case_are_both_written_with_a_warning(tmp_path, project):
    copy = tmp_path / "p"
    shutil.copytree(project, copy)
    plant(copy, 'kg:Somchai schema:name "Second" .\n')
    result = build_site(copy, tmp_path / "site", release=False)
    assert (tmp_path / "site" / "id" / "Somchai.html").is_file()
    assert (tmp_path / "site" / "id" / "somchai.html").is_file()
    assert [w for w in result.warnings if "only in case" in w and "Somchai" in w]
    # `laokg build --site` prints the same warning (its release validates: the name is fine)
    built = invoke("build", "--root", str(copy), "--dist", str(tmp_path / "dist"), "--site")
    assert built.exit_code == 0, built.output
    assert [line for line in built.stderr.splitlines() if line.startswith("Warning: ") and "only in case" in line]


@pytest.fixture(scope="module")
def hostile_site(project, tmp_path_factory):
    """The small project with a javascript: URL, a data: URL, literals that look like CURIEs and
    IRIs, and markup in labels, on an entity with evidence (kg:somchai)."""
    copy = tmp_path_factory.mktemp("hostile") / "p"
    shutil.copytree(project, copy)
    plant(
        copy,
        """
kg:somchai schema:url <javascript:document.title='XSS'>, <JaVaScRiPt:alert(2)>,
        <data:text/html,%3Cscript%3Ealert(3)%3C/script%3E> ;
    schema:sameAs <https://example.org/somchai> ;
    schema:description "<script>alert(4)</script>", "kg:ministry", "<javascript:alert(5)>" ;
    schema:alternateName "\\" onerror=\\"alert(6)", "</script><img src=x onerror=alert(7)>" .
""",
    )
    out = copy.parent / "site"
    build_site(copy, out, release=False)
    return out


class _Active(HTMLParser):
    """What could run in a page: inline scripts, event handler attributes, script-bearing URLs."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not dict(attrs).get("src"):
            self._in_script = True
            self.problems.append("inline <script>")
        for key, value in attrs:
            if key.startswith("on"):
                self.problems.append(f"event handler {key}=")
            if key in ("href", "src", "action", "formaction", "xlink:href", "data") and value is not None:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")) and not (
                    tag == "link" and value == "data:,"
                ):
                    self.problems.append(f"{tag} {key}={value!r}")
            if key == "style":
                self.problems.append(f"inline style on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def active_content(site: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Active()
        parser.feed(path.read_text(encoding="utf-8"))
        if parser.problems:
            found[str(path.relative_to(site))] = parser.problems
    return found


def test_javascript_url_is_shown_as_text_not_linked(hostile_site):
    html = (hostile_site / "id" / "somchai.html").read_text(encoding="utf-8")
    assert "document.title=&#39;XSS&#39;" in html  # shown, escaped
    hrefs = re.findall(r'href="([^"]*)"', html.replace('<link rel="icon" href="data:,">', ""))
    assert [h for h in hrefs if re.match(r"\s*(javascript|data|vbscript):", h, re.IGNORECASE)] == []
    assert 'href="https://example.org/somchai"' in html  # an http(s) IRI is still a link


def test_literals_that_look_like_iris_are_not_links(hostile_site):
    html = (hostile_site / "id" / "somchai.html").read_text(encoding="utf-8")
    assert 'href="/script' not in html and "alert(5)" not in "".join(re.findall(r'href="[^"]*"', html))
    # "kg:ministry" as a literal stays text: the only links to the ministry's page are from IRIs
    statements = html.partition('id="evidence"')[2]
    assert re.search(r'<span class="lit"[^>]*>kg:ministry</span>', statements)


def test_no_page_has_inline_script_event_handlers_or_script_urls(hostile_site):
    assert active_content(hostile_site) == {}
    assert "<script>alert(4)</script>" not in (hostile_site / "id" / "somchai.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- the Content-Security-Policy


def test_policy_forbids_inline_script():
    directives = dict(d.strip().split(" ", 1) for d in HEADER_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and "unsafe" not in HEADER_POLICY
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
    assert directives["default-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert HEADER_POLICY.startswith(META_POLICY) and "frame-ancestors" not in META_POLICY


def test_every_page_carries_the_policy(hostile_site):
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) > 40
    meta = f'<meta http-equiv="Content-Security-Policy" content="{META_POLICY}">'.replace("'", "&#39;")
    assert [str(p) for p in pages if meta not in p.read_text(encoding="utf-8")] == []


def test_redirect_rules_send_the_policy(hostile_site):
    assert f'Header always set Content-Security-Policy "{HEADER_POLICY}"' in (hostile_site / ".htaccess").read_text()
    assert f'add_header Content-Security-Policy "{HEADER_POLICY}" always;' in (hostile_site / "nginx.conf").read_text()


def test_preview_server_sends_the_policy(hostile_site):
    from laokg.publish.serve import make_server

    server = make_server(hostile_site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        svg = sorted((hostile_site / "charts").glob("*.svg"))[0].relative_to(hostile_site).as_posix()
        for path in ("/index.html", "/id/somchai.html", "/id/somchai", "/style.css", "/" + svg, "/missing.html"):
            try:
                answer = urllib.request.urlopen(base + path, timeout=30)
            except urllib.error.HTTPError as exc:  # the 404 carries it too
                answer = exc
            with answer:
                assert answer.headers["Content-Security-Policy"] == HEADER_POLICY, path
                assert answer.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        server.shutdown()
        server.server_close()


def test_chart_svgs_carry_no_inline_style_or_script(hostile_site):
    svgs = sorted((hostile_site / "charts").glob("*.svg"))
    for svg in svgs:
        text = svg.read_text(encoding="utf-8")
        assert "<style" not in text and " style=" not in text and "<script" not in text, svg.name
        assert f'<?xml-stylesheet type="text/css" href="{svg.stem}.css"?>' in text
        assert (svg.parent / (svg.stem + ".css")).read_text(encoding="utf-8").startswith(f"#chart-{svg.stem}")


# ---------------------------------------------------------------- fuzz: hostile IRIs, labels and URLs


#: segments an attacker would try; all valid in an IRI (so the graph loads and the site is built)
_TRAVERSAL = [
    "..",
    ".",
    "%2e%2e",
    "%2E%2E",
    "..%2f",
    "",
    "CON",
    "nul.txt",
    "com1",
    "LPT9.html",
    ".htaccess",
    ".laokg-site",
    "index",
    "style.css",
    "a" * 120,
    "graph",
    "people",
    "C:",
    "caf\u00e9",
    "\u2025",
    "~",
    "id",
    "x.",
    "@",
    "a;b=c",
]
_IRI_CHARS = "abcXYZ019-._~!$&'()*+,;=:@\u00e9\u2025"
_segment = st.one_of(st.sampled_from(_TRAVERSAL), st.text(st.sampled_from(_IRI_CHARS), max_size=10))
_local = st.lists(_segment, min_size=1, max_size=8).map("/".join)
_LABELS = [
    "<script>alert(1)</script>",
    "</script><script>alert(2)</script>",
    '" onerror="alert(3)',
    "' onmouseover='alert(4)",
    "<img src=x onerror=alert(5)>",
    "javascript:alert(6)",
    "kg:somchai",
    "<https://evil.example/>",
    "{{ 7*7 }}",
    "]]><svg onload=alert(8)>",
    "&lt;script&gt;",
    "\u202e",
    "--><script>alert(9)</script>",
    "<style>*{}</style>",
]
_label = st.one_of(
    st.sampled_from(_LABELS),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.lists(st.sampled_from(_LABELS), min_size=2, max_size=4).map("".join),
)
_SCHEMES = [
    "javascript:",
    "JaVaScRiPt:",
    "data:text/html,",
    "DATA:",
    "vbscript:",
    "file:///",
    "https://",
    "http://",
    "HTTPS://",
    "//",
    "mailto:",
]
_PREFIXES = [" ", "\t", "\x01", "\x0b", "\u00a0", "\n"]
#: a URL (valid as an IRI) and the same with a leading space or control character, as a literal
_url = st.builds(
    lambda pre, scheme, body: (scheme + body, pre + scheme + body),
    st.sampled_from(_PREFIXES),
    st.sampled_from(_SCHEMES),
    st.sampled_from(
        [
            "alert(document.domain)",
            "document.title='XSS'",
            "evil.example/x",
            "%3Cscript%3Ealert(1)%3C/script%3E",
            "text/html;base64,PHNjcmlwdD4=",
        ]
    ),
)
_entity = st.tuples(_local, _label, _url)


def _iri(text: str) -> str:
    """``text`` as a Turtle IRIREF: every character a Turtle IRI may not hold as it is, escaped."""
    return (
        "<"
        + "".join(
            c if (c.isascii() and c.isprintable() and c not in ' <>"{}|^`\\') else f"\\U{ord(c):08X}" for c in text
        )
        + ">"
    )


def _string(text: str) -> str:
    return '"' + "".join(c if (c.isprintable() and c not in '"\\') else f"\\U{ord(c):08X}" for c in text) + '"'


def fuzz_project(where: Path) -> Path:
    """The core fixture with one audit rule and one saved query: a site in about a second."""
    project = where / "project"
    shutil.copytree(FIXTURE, project)
    (project / "queries" / "audit").mkdir(parents=True)
    rule = sorted((REAL_ROOT / "queries" / "audit").glob("*.rq"))[0]
    shutil.copy(rule, project / "queries" / "audit" / rule.name)
    shutil.copy(REAL_ROOT / "queries" / "sources.rq", project / "queries" / "sources.rq")
    return project


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(_entity, min_size=1, max_size=3))
def test_fuzz_hostile_data_stays_inside_and_inert(entities):
    import tempfile

    with tempfile.TemporaryDirectory(prefix="laokg-fuzz-") as tmp:
        top = Path(tmp)
        project = fuzz_project(top / "a" / "b")
        lines = []
        for local, label, (url, spaced) in entities:
            iri = _iri(ID + local)
            lines.append(
                f"{iri} schema:name {_string(label)} ; schema:url {_iri(url)} ;\n"
                f"    schema:description {_string(spaced)}, {_string(url)} .\n"
                f"kg:somchai schema:knows {iri} ; schema:alternateName {_string(label)} ; schema:sameAs {_iri(url)} .\n"
            )
        plant(project, "".join(lines))
        out = top / "a" / "out" / "site"
        before = snapshot(top, skip=out)
        result = invoke("site", "--root", str(project), "--no-release", "-o", str(out))
        # nothing outside the output directory was written, created or changed
        assert snapshot(top, skip=out) == before
        if result.exit_code != 0:  # refused as a whole (e.g. at load): one line, nothing written
            assert_one_line_error(result, code=2)
            assert not out.exists()
            return
        assert all(line.startswith("Warning: ") for line in result.stderr.splitlines()), result.stderr
        # everything written is inside, no symbolic link, and no page has anything that runs
        real = out.resolve()
        for path in out.rglob("*"):
            assert not path.is_symlink() and path.resolve().is_relative_to(real), path
        assert active_content(out) == {}
        somchai = (out / "id" / "somchai.html").read_text(encoding="utf-8")
        for _local, label, _url in entities:
            assert "<script>" not in label or "<script>" not in somchai.partition("<main")[2]


@pytest.mark.parametrize(
    "iri",
    [
        ID + "a\x00b",
        ID + "..\\..\\x",
        ID + "a b",
        ID + "a\nb",
        ID + "\x1b[31m",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "jav\tascript:alert(1)",
    ],
)
def test_iris_no_iri_may_hold_are_refused_whole_with_one_line(tmp_path, iri):
    """Characters an IRI cannot hold (written as Turtle escapes): the graph does not load, so
    the site is refused with one line and nothing is written anywhere."""
    project = fuzz_project(tmp_path / "a")
    plant(project, f"kg:somchai schema:url {_iri(iri)} .\n")
    out = tmp_path / "out"
    before = snapshot(tmp_path)
    result = invoke("site", "--root", str(project), "--no-release", "-o", str(out))
    assert_one_line_error(result, code=2)
    assert snapshot(tmp_path) == before and not out.exists()
