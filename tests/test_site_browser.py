"""The site in a real browser: Debian's chromium, headless, driven over the DevTools protocol
(tests/browser.py). Pages load with no console error or failed load, search works, charts
render with their labels, keyboard navigation reaches the content, axe-core finds no
accessibility violation, and screenshots are written for review (to $LAOKG_ARTIFACTS, default
tmp/artifacts/, not committed)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from laokg.publish.serve import make_server
from tests.browser import Browser, axe_path
from tests.coretools import REAL_ROOT

ARTIFACTS = Path(os.environ.get("LAOKG_ARTIFACTS", REAL_ROOT / "tmp" / "artifacts"))


@pytest.fixture(scope="module")
def base_url(built_site):
    server = make_server(built_site.out, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    b = Browser()
    yield b
    b.close()


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
    assert browser.evaluate("document.querySelectorAll('main a').length") > 20
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
    browser.evaluate("const q = document.getElementById('q'); q.value = 'ministère'; q.dispatchEvent(new Event('input'))")
    assert "match" in browser.evaluate("document.getElementById('search-status').textContent")


@pytest.mark.parametrize("chart, labels", [
    ("timeline", ["Law on Lao Nationality", "PROMISE II", "instruments", "programmes", "events", "1990", "Sources:"]),
    ("emigrants-by-destination", ["Thailand", "United States", "Canada", "2024", "International Migrant Stock 2024"]),
    ("emigrants-by-sex", ["women", "men", "58.3%", "55%", "56%", "EUDiF"]),
    ("remittances", ["World Bank", "first half of 2025", "366", "287.19"]),
    ("remittance-breakdown", ["Lao Foreign Trade Bank", "Indochina Bank", "first-half 2025"]),
    ("remittances-share-of-gdp", ["2021", "2023", "2.29%", "1.51%"]),
])
def test_charts_render_with_their_labels(browser, base_url, chart, labels):
    assert browser.open(base_url + f"charts/{chart}.html") == []
    texts = browser.evaluate("[...document.querySelectorAll('figure svg text')].map(t => t.textContent).join(' | ')")
    box = browser.evaluate("(() => { const r = document.querySelector('figure svg').getBoundingClientRect(); return [r.width, r.height]; })()")
    assert box[0] > 300 and box[1] > 200
    for label in labels:
        assert label in texts, (label, texts[:500])
    caption = browser.evaluate("document.querySelector('figcaption').textContent")
    assert "Source:" in caption and "Period:" in caption
    if chart == "emigrants-by-sex":
        browser.screenshot(ARTIFACTS / "chart-emigrants-by-sex.png")


def test_other_pages_load_without_errors(browser, base_url):
    for path in ("types/index.html", "bibliography.html", "queries/index.html", "queries/instruments.html",
                 "audit.html", "ontology.html", "vocabularies.html", "downloads.html", "charts/index.html"):
        assert browser.open(base_url + path) == [], path
    assert browser.open(base_url + "ontology.html") == []
    assert browser.evaluate("document.querySelector('figure img').naturalWidth") > 100  # the class diagram


def test_keyboard_navigation_starts_with_the_skip_link(browser, base_url):
    browser.open(base_url + "id/decree-245-2020.html")
    browser.press_tab()
    assert browser.evaluate("document.activeElement.textContent") == "Skip to content"
    browser.press_tab()
    assert browser.evaluate("document.activeElement.tagName") == "A"


@pytest.mark.parametrize("path", ["index.html", "id/decree-245-2020.html", "id/mlsw.html",
                                  "id/evidence/decree-245-2020-1.html", "charts/emigrants-by-sex.html",
                                  "charts/timeline.html", "search.html?q=decree", "ontology.html",
                                  "audit.html", "queries/remittances.html", "bibliography.html", "downloads.html"])
def test_axe_finds_no_accessibility_violation(browser, base_url, path):
    source = axe_path().read_text(encoding="utf-8")
    assert browser.open(base_url + path) == []
    browser.evaluate(source)
    violations = browser.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " first: v.nodes[0].target.join(' '), html: v.nodes[0].html.slice(0, 160)})))",
        await_promise=True)
    assert violations == []


# ---------------------------------------------------------------- the Content-Security-Policy


@pytest.mark.parametrize("path", ["index.html", "id/decree-245-2020.html", "id/evidence/decree-245-2020-1.html",
                                  "search.html?q=decree", "types/index.html", "charts/index.html",
                                  "charts/timeline.html", "charts/emigrants-by-sex.html", "charts/remittances.html",
                                  "charts/timeline.svg", "ontology.html", "vocabularies.html", "audit.html",
                                  "queries/remittances.html", "bibliography.html", "downloads.html"])
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
    ran = browser.evaluate("(() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
                           " document.body.appendChild(s); return window.__ran === 1; })()")
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
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_javascript_url_from_data_cannot_be_clicked_into_running(browser, hostile_url):
    """Issue 17: the URL was rendered as <a href="javascript:…"> and ran when clicked."""
    assert browser.open(hostile_url + "id/somchai.html") == []
    title = browser.evaluate("document.title")
    assert title.startswith("Somchai")
    assert browser.evaluate("[...document.querySelectorAll('a')].filter(a => a.protocol !== 'http:' && a.protocol !== 'https:'"
                            " && !a.href.startsWith(location.origin)).map(a => a.href)") == []
    assert browser.evaluate("document.querySelectorAll('a[href^=javascript i], a[href*=\"javascript:\" i]').length") == 0
    # the URL is shown, as text; click it as a person would
    browser.evaluate("(() => { const e = [...document.querySelectorAll('main *')].filter(e => e.children.length === 0"
                     " && e.textContent.includes(\"javascript:document.title\"))[0]; e.id = 'planted'; })()")
    browser.click("#planted")
    browser.evaluate("document.getElementById('planted').click()")
    browser.evaluate("new Promise(r => setTimeout(r, 200))", await_promise=True)
    assert browser.evaluate("document.title") == title
    assert browser.evaluate("location.pathname").endswith("/id/somchai.html")
