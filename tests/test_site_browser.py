"""The site in a real browser: Debian's chromium, headless, driven over the DevTools protocol
(tests/browser.py). Pages load with no console error or failed load, search works, charts
render with their labels, keyboard navigation reaches the content, axe-core finds no
accessibility violation, and screenshots are written for review (to $LAOKG_ARTIFACTS, default
tmp/artifacts/, not committed)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from laokg.publish.serve import make_server
from tests.browser import Browser, axe_path
from tests.coretools import REAL_ROOT, need_binary, query_bindings
from tests.servers import serve_in_thread, shut_down
from tests.site_support import FRONT_PAGE_GROUPS

ARTIFACTS = Path(os.environ.get("LAOKG_ARTIFACTS", REAL_ROOT / "tmp" / "artifacts"))


@pytest.fixture(scope="module")
def base_url(built_site):
    server = make_server(built_site.out, 0)
    yield serve_in_thread(server) + "/"
    shut_down(server)


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


@pytest.fixture(scope="module")
def phone():
    """The same site on a phone's width: 390 CSS px."""
    b = Browser(width=390, height=844)
    yield b
    b.close()


@pytest.fixture(scope="module", params=["desktop", "phone"])
def screen(request, browser, phone):
    """Each of the two widths in turn: 1280 px (the default browser) and 390 px."""
    return browser if request.param == "desktop" else phone


@pytest.fixture(scope="module")
def sample_entities(built_site):
    """One entity page per type (as the search index names types)."""
    entries = json.loads((built_site.out / "search-index.json").read_text(encoding="utf-8"))
    by_type = {}
    for entry in entries:
        for t in (entry["t"] or "untyped").split(", "):
            by_type.setdefault(t, entry["u"])
    return sorted(by_type.items())


def test_index_loads_without_errors(browser, base_url):
    assert browser.open(base_url + "index.html") == []
    assert browser.evaluate("document.querySelector('h1').textContent").startswith("laokg")
    groups = browser.evaluate("[...document.querySelectorAll('main ul.groups > li > a')].map(a => a.textContent)")
    assert groups[: len(FRONT_PAGE_GROUPS)] == list(FRONT_PAGE_GROUPS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.screenshot(ARTIFACTS / "index.png")


def test_entity_pages_of_every_type_load_without_errors(browser, base_url, sample_entities):
    assert len(sample_entities) > 15
    failures = {}
    for type_name, path in sample_entities:
        errors = browser.open(base_url + path)
        heading = browser.evaluate("document.querySelector('h1') && document.querySelector('h1').textContent")
        if errors or not heading:
            failures[f"{type_name}: {path}"] = errors or ["no heading"]
    assert failures == {}


def test_entity_page_screenshot_and_evidence(browser, base_url):
    assert browser.open(base_url + "id/decree-245-2020.html") == []
    assert "Footnote 10" in browser.evaluate("document.getElementById('evidence').parentElement.textContent")
    browser.screenshot(ARTIFACTS / "entity-decree-245-2020.png")


def test_search_finds_by_label_and_variant(browser, base_url):
    assert browser.open(base_url + "search.html?q=decree%20245") == []
    hits = browser.evaluate("[...document.querySelectorAll('#search-results a')].map(a => a.textContent)")
    assert hits and hits[0].startswith("Decree No. 245")
    assert browser.open(base_url + "search.html?q=mlsw") == []
    hits = browser.evaluate("[...document.querySelectorAll('#search-results a')].map(a => a.getAttribute('href'))")
    assert "id/mlsw.html" in hits
    # the links the script writes resolve
    assert browser.open(base_url + hits[0]) == []
    # typing searches as you go
    browser.open(base_url + "search.html")
    browser.evaluate(
        "const q = document.getElementById('q'); q.value = 'ministère'; q.dispatchEvent(new Event('input'))"
    )
    assert "match" in browser.evaluate("document.getElementById('search-status').textContent")


@pytest.mark.parametrize(
    "chart, labels",
    [
        (
            "timeline",
            ["Law on Lao Nationality", "PROMISE II", "instruments", "programmes", "events", "1990", "Sources:"],
        ),
        (
            "emigrants-by-destination",
            ["Thailand", "United States", "Canada", "2024", "International Migrant Stock 2024"],
        ),
        ("emigrants-by-sex", ["women", "men", "58.3%", "55%", "56%", "Diaspora engagement mapping"]),
        ("remittances", ["World Bank", "first half of 2025", "366", "287.19"]),
        (
            "remittance-breakdown",
            ["Lao Foreign Trade Bank", "Indochina Bank", "first half of 2025", "Ministry of Labour and Social Welfare"],
        ),
        ("remittances-share-of-gdp", ["2021", "2023", "2.29%", "1.51%"]),
    ],
)
def test_charts_render_with_their_labels(browser, base_url, chart, labels):
    assert browser.open(base_url + f"charts/{chart}.html") == []
    texts = browser.evaluate("[...document.querySelectorAll('figure svg text')].map(t => t.textContent).join(' | ')")
    box = browser.evaluate(
        "(() => { const r = document.querySelector('figure svg').getBoundingClientRect(); "
        "return [r.width, r.height]; })()"
    )
    assert box[0] > 300 and box[1] > 200
    for label in labels:
        assert label in texts, (label, texts[:500])
    caption = browser.evaluate("document.querySelector('figcaption').textContent")
    assert "Source:" in caption and "Period:" in caption
    if chart == "emigrants-by-sex":
        browser.screenshot(ARTIFACTS / "chart-emigrants-by-sex.png")


def test_other_pages_load_without_errors(browser, base_url):
    for path in (
        "topics/laws.html",
        "topics/figures.html",
        "types/index.html",
        "bibliography.html",
        "queries/index.html",
        "queries/instruments.html",
        "audit.html",
        "ontology.html",
        "vocabularies.html",
        "downloads.html",
        "charts/index.html",
    ):
        assert browser.open(base_url + path) == [], path
    assert browser.open(base_url + "ontology.html") == []
    need_binary("dot", "graphviz")  # the class diagram is drawn at build time (docs/site.md)
    assert browser.evaluate("document.querySelector('figure img').naturalWidth") > 100  # the class diagram


def test_keyboard_navigation_starts_with_the_skip_link(browser, base_url):
    browser.open(base_url + "id/decree-245-2020.html")
    browser.press_tab()
    assert browser.evaluate("document.activeElement.textContent") == "Skip to content"
    browser.press_tab()
    assert browser.evaluate("document.activeElement.tagName") == "A"


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "id/decree-245-2020.html",
        "id/mlsw.html",
        "id/evidence/decree-245-2020-1.html",
        "charts/emigrants-by-sex.html",
        "charts/timeline.html",
        "search.html?q=decree",
        "ontology.html",
        "audit.html",
        "queries/remittances.html",
        "bibliography.html",
        "downloads.html",
    ],
)
def test_axe_finds_no_accessibility_violation(browser, phone, base_url, path, width):
    """axe-core on a dozen pages, at 1280 px and at 390 px (stacked tables, narrow charts)."""
    browser = browser if width == "desktop" else phone
    source = axe_path().read_text(encoding="utf-8")
    assert browser.open(base_url + path) == []
    browser.evaluate(source)
    violations = browser.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', "
        "values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " first: v.nodes[0].target.join(' '), html: v.nodes[0].html.slice(0, 160)})))",
        await_promise=True,
    )
    assert violations == []


# ---------------------------------------------------------------- the Content-Security-Policy


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "id/decree-245-2020.html",
        "id/evidence/decree-245-2020-1.html",
        "search.html?q=decree",
        "types/index.html",
        "charts/index.html",
        "charts/timeline.html",
        "charts/emigrants-by-sex.html",
        "charts/remittances.html",
        "charts/timeline.svg",
        "ontology.html",
        "vocabularies.html",
        "audit.html",
        "queries/remittances.html",
        "bibliography.html",
        "downloads.html",
    ],
)
def test_pages_work_under_the_policy_with_no_violation(browser, base_url, path):
    """The preview server sends the policy as a header and the pages carry it in a meta tag;
    nothing on the pages (scripts, styles, charts, images) is refused by it."""
    errors = browser.open(base_url + path)
    if path.endswith(".svg"):  # an SVG document has no <link rel=icon>: the browser asks for /favicon.ico
        browser.evaluate("new Promise(r => setTimeout(r, 500))", await_promise=True)  # let that request end here
        errors = [e for e in errors + browser.errors() if not e.endswith("/favicon.ico")]
        browser.events.clear()
        assert browser.evaluate("getComputedStyle(document.querySelector('.background')).fill") == "rgb(255, 255, 255)"
    assert errors == [], path
    assert browser.csp_violations() == [], path
    if path.startswith("search.html"):
        assert browser.evaluate("document.querySelectorAll('#search-results a').length") > 0
    if path.startswith("charts/") and path.endswith(".html") and path != "charts/index.html":
        # the chart's own stylesheet applied: pygal's white background, not the default black fill
        fill = browser.evaluate("getComputedStyle(document.querySelector('figure svg .background')).fill")
        assert fill in ("rgb(255, 255, 255)", "white"), fill


def test_the_policy_is_enforced(browser, base_url):
    """An inline script (as injected markup would be) does not run, and the refusal is seen."""
    assert browser.open(base_url + "index.html") == []
    ran = browser.evaluate(
        "(() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.body.appendChild(s); return window.__ran === 1; })()"
    )
    assert ran is False
    browser.evaluate("new Promise(r => setTimeout(r, 100))", await_promise=True)
    assert any(v.startswith("script-src") for v in browser.csp_violations())


def test_pages_work_under_the_policy_from_disk(browser, built_site):
    """Opened as file:// (no server, only the meta tag), search still runs."""
    url = (built_site.out / "search.html").as_uri() + "?q=decree"
    assert browser.open(url) == []
    assert browser.csp_violations() == []
    assert browser.evaluate("document.querySelectorAll('#search-results a').length") > 0


# ---------------------------------------------------------------- a javascript: URL in the data


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    """A small project whose kg:somchai has schema:url <javascript:document.title='XSS'>,
    built and served."""
    from laokg.publish.site import build_site
    from tests.test_site_safety import plant, small_project

    project = small_project(tmp_path_factory.mktemp("xss"))
    plant(project, "kg:somchai schema:url <javascript:document.title='XSS'>, <JaVaScRiPt:document.title='XSS2'> .\n")
    site = build_site(project, project.parent / "site", release=False)
    server = make_server(site.out, 0)
    yield serve_in_thread(server) + "/"
    shut_down(server)


def test_a_javascript_url_from_data_cannot_be_clicked_into_running(browser, hostile_url):
    """Issue 17: the URL was rendered as <a href="javascript:…"> and ran when clicked."""
    assert browser.open(hostile_url + "id/somchai.html") == []
    title = browser.evaluate("document.title")
    assert title.startswith("Somchai")
    assert (
        browser.evaluate(
            "[...document.querySelectorAll('a')].filter(a => a.protocol !== 'http:' && a.protocol !== 'https:'"
            " && !a.href.startsWith(location.origin)).map(a => a.href)"
        )
        == []
    )
    assert (
        browser.evaluate("document.querySelectorAll('a[href^=javascript i], a[href*=\"javascript:\" i]').length") == 0
    )
    # the URL is shown, as text; click it as a person would
    browser.evaluate(
        "(() => { const e = [...document.querySelectorAll('main *')].filter(e => e.children.length === 0"
        " && e.textContent.includes(\"javascript:document.title\"))[0]; e.id = 'planted'; })()"
    )
    browser.click("#planted")
    browser.evaluate("document.getElementById('planted').click()")
    browser.evaluate("new Promise(r => setTimeout(r, 200))", await_promise=True)
    assert browser.evaluate("document.title") == title
    assert browser.evaluate("location.pathname").endswith("/id/somchai.html")


# ---------------------------------------------------------------- issue 19: a reader's five questions


def _cli(name: str, *params: str) -> list[dict]:
    """`laokg query run NAME --format json` rows as {variable: value}."""
    return [{k: v["value"] for k, v in b.items()} for b in query_bindings(name, *params)]


_ROWS = (
    "[...document.querySelectorAll('main table tr')].map(tr => [...tr.cells]"
    ".map(c => c.textContent.replace(/\\s+/g, ' ').trim()))"
)


def _follow(b, base_url: str, *link_texts: str) -> int:
    """From the front page, click (open the href of) the link with each text in turn; the
    number of clicks."""
    assert b.open(base_url + "index.html") == []
    for text in link_texts:
        href = b.evaluate(
            "(() => { const a = [...document.querySelectorAll('main a')].find(a => a.textContent.trim() === "
            f"{json.dumps(text)}); return a ? a.href : null; }})()"
        )
        assert href, f"no link {text!r} on {b.evaluate('location.pathname')}"
        assert b.open(href) == []
    return len(link_texts)


def _row_with(rows: list[list[str]], *texts: str) -> list[str] | None:
    return next((r for r in rows if all(any(t == c or t in c for c in r) for t in texts)), None)


def test_q1_laws_on_sending_workers_abroad_and_since_when(screen, base_url):
    from laokg.provenance.readable import date_text

    clicks = _follow(screen, base_url, "Laws and agreements")
    rows = screen.evaluate(_ROWS)
    laws = _cli("instruments", "type=doctype:decree", "type=doctype:ministerial-agreement", "type=doctype:law")
    assert len(laws) >= 4 and clicks <= 3
    for law in laws:
        expected = [law["title"]] + ([date_text(law["date"])] if "date" in law else [])
        assert _row_with(rows, *expected), expected
    assert _row_with(rows, "Decree No. 245 on the Placement of Lao Workers to Work Abroad", "2020", "in force")


def test_q2_remittances_in_the_first_half_of_2025_and_who_released_them(screen, base_url):
    clicks = _follow(screen, base_url, "Figures")
    rows = screen.evaluate(_ROWS)
    total = next(r for r in _cli("remittances") if r.get("period") == "2025-S1" and "channel" not in r)
    assert total["unitMult"] == "6"
    row = _row_with(rows, f"US${total['value']} million", "first half of 2025")
    assert row and clicks <= 3
    assert total["releasedBy"] in row  # the ministry, as the CLI names it


def test_q3_countries_with_labour_mous_and_since_when(screen, base_url):
    from laokg.provenance.readable import date_text

    clicks = _follow(screen, base_url, "Laws and agreements")
    rows = screen.evaluate(_ROWS)
    mous = [r for r in _cli("bilateral_agreements") if r["kind"] == "memorandum of understanding"]
    assert len(mous) >= 2 and clicks <= 3
    for mou in mous:
        assert _row_with(
            rows, mou["partnerName"], "memorandum of understanding", mou["title"], date_text(mou["date"])
        ), mou


def test_q4_dual_citizenship_and_voting_from_abroad(screen, base_url):
    clicks = _follow(screen, base_url, "Rights")
    rows = screen.evaluate(_ROWS)
    rights = _cli("political_rights")
    assert len(rights) == 2 and clicks <= 3
    for right in rights:
        expected = [right["name"], right["status"]] + [right[k] for k in ("restriction", "exercisedAt") if k in right]
        assert _row_with(rows, *expected), expected


def test_q5_institutions_that_engage_the_diaspora(screen, base_url):
    clicks = _follow(screen, base_url, "Institutions")
    rows = screen.evaluate(_ROWS)
    listed = [r for r in _cli("institutions") if "level" in r]  # the source's list of actors engaging the diaspora
    assert len(listed) >= 4 and clicks <= 3
    for inst in listed:
        assert _row_with(rows, inst["name"], inst["level"]), inst


def test_search_ranks_things_before_evidence(browser, base_url):
    assert browser.open(base_url + "search.html?q=vote") == []
    first = browser.evaluate("document.querySelector('#search-results a').getAttribute('href')")
    assert first == "id/right-vote-from-abroad-laos.html"
    assert browser.open(base_url + "search.html?q=decree") == []
    hits = browser.evaluate(
        "[...document.querySelectorAll('#search-results > li > a')].map(a => a.getAttribute('href'))"
    )
    assert hits and not [h for h in hits if h.startswith("id/evidence/")]
    titles = browser.evaluate("[...document.querySelectorAll('#search-results > li > a')].map(a => a.textContent)")
    assert titles[0].startswith("Decree")
    # a word found only in a passage brings up the thing it supports, with the passage under it
    assert browser.open(base_url + "search.html?q=embassies") == []
    quoted = browser.evaluate("[...document.querySelectorAll('#search-results .quoted')].map(q => q.textContent)")
    assert quoted and quoted[0].startswith("quoted in ")


# ---------------------------------------------------------------- phones


def test_no_page_scrolls_sideways_at_390_px(phone, base_url, built_site):
    """Every HTML page of the site (entity pages included) fits a 390 px screen."""
    pages = sorted(p.relative_to(built_site.out).as_posix() for p in built_site.out.rglob("*.html"))
    assert len(pages) > 600
    wide = {}
    for path in pages:
        assert phone.open(base_url + path) == [], path
        width = phone.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            wide[path] = width
    assert wide == {}


@pytest.mark.parametrize(
    "chart",
    [
        "timeline",
        "emigrants-by-destination",
        "emigrants-by-sex",
        "remittances",
        "remittance-breakdown",
        "remittances-share-of-gdp",
    ],
)
def test_chart_text_is_at_least_11_px_at_390_px(phone, base_url, chart):
    assert phone.open(base_url + f"charts/{chart}.html") == []
    sizes = phone.evaluate("""(() => {
      const svg = [...document.querySelectorAll('figure svg')].find(s => s.getBoundingClientRect().width > 0);
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      return [...svg.querySelectorAll('text')].filter(t => t.getBoundingClientRect().width > 0 && t.textContent.trim())
        .map(t => [t.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(t).fontSize) * scale]);
    })()""")
    assert sizes
    small = [s for s in sizes if s[1] < 11]
    assert small == []
