"""``laokg site``: the graph as a static website.

One page per entity IRI the graph mints (``https://w3id.org/laokg/id/X`` -> ``id/X.html``,
with ``id/X.ttl`` and ``id/X.jsonld`` beside it), an index by type, a search page working on
a prebuilt index (no server), the bibliography, a page per saved query, the audit report,
charts, the ontology and vocabularies, and the downloads (the release files with sizes and
SHA-256 checksums). Redirect rules for content negotiation: ``.htaccess`` (Apache, and the
model for a w3id.org entry) and ``nginx.conf``.

Pages are rendered with Jinja2 templates (``publish/templates``); every link is relative, so
the site works on any static host, under any path, and from ``file://``. The output is
deterministic: the same graph gives the same bytes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from laokg.errors import InputError
from laokg.publish.paths import entity_path_problem, external_href, inside, relative, safe_site_path

if TYPE_CHECKING:
    from laokg.graph.validate import ValidationResult

MARKER = ".laokg-site"  # written into the site directory: only such a directory is pruned
#: the Content-Security-Policy of every page (its <meta> tag): scripts, styles, images and
#: fonts only from the site itself (no inline script, style or event handler), no plugins,
#: no <base>, forms only to the site. A server sends HEADER_POLICY, which adds what a <meta>
#: tag cannot carry (frame-ancestors). docs/site.md explains each directive.
META_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
HEADER_POLICY = META_POLICY + "; frame-ancestors 'none'"
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True)
class SiteFile:
    path: str  # relative to the site root, with /
    size: int


@dataclass
class SiteResult:
    """What ``build_site`` wrote: the site directory, its files, page counts by kind, and
    the release files it included (with sizes and checksums)."""

    out: Path
    files: list[SiteFile]
    pages: dict[str, int]
    release: list[dict] = field(default_factory=list)
    validation: ValidationResult | None = None  # the ValidationResult the release passed (None: not validated)
    #: one line per thing from the data the site could not publish safely (an entity IRI
    #: that cannot be a path: it gets no page and is shown as text)
    warnings: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    @pass_context
    def url(ctx, path: str) -> str:
        """A relative link from the page being rendered to a site path."""
        return relative(ctx["page_path"], path)

    @pass_context
    def href(ctx, term: dict) -> str | None:
        """The one place a link from data is made: a page of the site for a term the site
        describes, the IRI itself for an http(s) IRI (:func:`external_href`), else None (the
        template shows text). Literals never reach here: only IRI terms are linked."""
        if term.get("kind") != "iri":
            return None
        if term.get("path"):
            return relative(ctx["page_path"], term["path"])
        return external_href(term.get("iri", ""))

    env.filters["url"] = url
    env.filters["href"] = href
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


class _Renderer:
    def __init__(self, nav: list[tuple[str, str]], title: str):
        self.env = _environment()
        self.nav = nav
        self.title = title
        self.files: dict[str, bytes] = {}

    def page(self, path: str, template: str, **context) -> None:
        html = self.env.get_template(template).render(
            page_path=path, nav=self.nav, site_title=self.title, csp=META_POLICY, **context
        )
        self.add(path, html.encode("utf-8"))

    def add(self, path: str, data: bytes) -> None:
        safe_site_path(path)
        if path in self.files:
            raise InputError(f"two site files would be written to {path}")
        self.files[path] = data


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _release_in_memory(base, extra):
    """Validate and serialise the release files as ``laokg build`` does, without writing:
    ``(validation, [(name, bytes)])``. Raises ValidationFailed if the graph does not conform."""
    from laokg.errors import ValidationFailed
    from laokg.graph.build import GRAPH_FILES, REPORT_FILES
    from laokg.graph.export import serialize
    from laokg.graph.load import load_data_graph, load_shapes
    from laokg.graph.validate import format_json, format_text, run_shacl

    data = load_data_graph(base, extra)
    result = run_shacl(data, load_shapes(base))
    if not result.conforms:
        counts = ", ".join(f"{n} {sev.lower()}{'' if n == 1 else 's'}" for sev, n in result.counts().items())
        raise ValidationFailed(
            f"the graph does not conform ({counts}); nothing written (run laokg validate for the report)"
        )
    contents = [(name, serialize(data, fmt)) for name, fmt in GRAPH_FILES]
    contents.append((REPORT_FILES[0], format_text(result).encode("utf-8")))
    contents.append((REPORT_FILES[1], format_json(result).encode("utf-8")))
    return result, contents


def _release_in_dist(base, extra, dist: Path):
    """``laokg build`` into ``dist``; the release files it wrote (not the query store)."""
    from laokg.graph.build import CHANGES_FILES, GRAPH_FILES, REPORT_FILES
    from laokg.query.precompute import build_release as build

    result = build(base, dist, extra)
    names = [name for name, _ in GRAPH_FILES] + list(REPORT_FILES) + list(CHANGES_FILES)
    return result.validation, [(name, (Path(dist) / name).read_bytes()) for name in names]


def _case_clashes(entities: list, warnings: list[str]) -> None:
    """One warning per entity whose page path differs only in case from an earlier one's
    (``id/Foo.html``, ``id/foo.html``): both are written, but on a file system that ignores
    case (macOS, Windows) one would replace the other."""
    from laokg.publish.paths import entity_stem

    seen: dict[str, object] = {}
    for iri in entities:
        key = entity_stem(iri).casefold()
        if key in seen:
            warnings.append(
                f"<{iri}>: its page path differs only in case from that of <{seen[key]}>; "
                "on a case-insensitive file system one page would replace the other"
            )
        else:
            seen[key] = iri


def _chart_files(c) -> tuple[bytes, bytes, str]:
    """A pygal chart as (standalone SVG, its stylesheet, the SVG to inline in its page), with
    no inline style: the chart's <style> element becomes ``charts/NAME.css`` (linked by the
    page, and by the SVG file through an xml-stylesheet instruction) and style attributes go
    (pygal's only one hides the tooltip, which needs the script pygal's SVG no longer has), so
    the pages work under the Content-Security-Policy."""
    from xml.sax.saxutils import unescape

    text = c.svg.decode("utf-8")
    text = re.sub(r"^<\?xml[^>]*\?>\s*", "", text)
    css = "".join(
        unescape(m, {"&quot;": '"', "&apos;": "'"}) for m in re.findall(r"<style[^>]*>(.*?)</style>", text, flags=re.S)
    )
    text = re.sub(r"<style[^>]*>.*?</style>", "", text, flags=re.S)
    text = re.sub(r"\sstyle=\"[^\"]*\"", "", text)
    standalone = (
        f"<?xml version='1.0' encoding='utf-8'?>\n<?xml-stylesheet type=\"text/css\" href=\"{c.name}.css\"?>\n{text}"
    ).encode()
    return standalone, (css.strip() + "\n").encode("utf-8"), text


def collect(
    root=None,
    extra=(),
    release: list[dict] | None = None,
    warnings: list[str] | None = None,
    changes: dict | None = None,
) -> tuple[dict[str, bytes], dict[str, int]]:
    """Every file of the site as ``{path: bytes}`` and the page counts by kind (no writing).
    What the data holds that cannot be published safely is left out, with one line each
    appended to ``warnings``. ``changes``: the release's diff against the previous release
    (``changes.json``), shown on changes.html."""
    from laokg.graph.load import load_data_graph
    from laokg.graph.project import find_root
    from laokg.labels import LabelIndex
    from laokg.provenance.audit import audit, load_rules, rules_dir
    from laokg.publish import pages as pg
    from laokg.query.catalogue import load_catalogue

    base = find_root(root)
    warnings = warnings if warnings is not None else []
    graph = load_data_graph(base, extra)
    for iri in pg.unpublishable_iris(graph):
        warnings.append(f"<{iri}>: no page, shown as text: {entity_path_problem(iri)}")
    index = LabelIndex(graph)
    terms = pg.Terms(graph, index)
    report = audit(graph, load_rules(rules_dir(base)))
    findings = pg.findings_by_node(report)
    entities = pg.entity_iris(graph)
    _case_clashes(entities, warnings)
    catalogue = load_catalogue(base / "queries")

    nav = [
        ("index.html", "Home"),
        ("types/index.html", "Types"),
        ("search.html", "Search"),
        ("bibliography.html", "Bibliography"),
        ("queries/index.html", "Queries"),
        ("charts/index.html", "Charts"),
        ("ontology.html", "Ontology"),
        ("audit.html", "Audit"),
        ("downloads.html", "Downloads"),
    ]
    r = _Renderer(nav, "laokg")
    counts: dict[str, int] = {}

    # entity pages, with their RDF beside them
    quotes: dict[str, list[dict]] = {}
    for iri in entities:
        data = pg.entity_page(graph, terms, iri, findings.get(str(iri), []))
        quotes[str(iri)] = pg.evidence_quotes(data)
        path = data["turtle"][: -len(".ttl")] + ".html"
        r.page(path, "entity.html", e=data, title=data["label"])
        ttl, jsonld = pg.entity_rdf(graph, iri, data["label"])
        r.add(data["turtle"], ttl)
        r.add(data["jsonld"], jsonld)
    counts["entity"] = len(entities)

    # types
    types = pg.type_index(graph, terms, entities)
    r.page("types/index.html", "types.html", types=types, title="Entities by type")
    for t in types:
        r.page(t["page"], "type.html", t=t, title=f"Type: {t['type']['label'] or t['type']['curie']}")
    counts["type"] = len(types) + 1

    # search
    entries = pg.search_entries(graph, terms, entities, quotes)
    payload = json.dumps(entries, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    r.add("search-index.json", (payload + "\n").encode("utf-8"))
    r.add("search-index.js", ("window.LAOKG_INDEX = " + payload + ";\n").encode("utf-8"))
    r.page("search.html", "search.html", title="Search")

    # saved queries
    queries = pg.query_pages(graph, terms, catalogue)
    r.page("queries/index.html", "queries.html", queries=queries, title="Saved queries")
    for q in queries:
        r.page(q["page"], "query.html", q=q, title=f"Query: {q['name']}")
    counts["query"] = len(queries) + 1

    # bibliography and audit
    sources = next((q for q in catalogue if q.name == "sources"), None)
    sources_result = pg.run_saved(graph, index, sources)[0] if sources is not None else None
    works = pg.bibliography(graph, terms, sources_result)
    r.page("bibliography.html", "bibliography.html", works=works, title="Bibliography")
    r.page("audit.html", "audit.html", audit=pg.audit_page(terms, report), title="Source audit")

    # charts
    from markupsafe import Markup, escape

    from laokg.publish.charts import all_charts

    charts = all_charts(graph, index, catalogue)
    r.page("charts/index.html", "charts.html", charts=charts, title="Charts")

    def inline(text: str, css: str) -> Markup:
        text = text.replace('class="pygal-chart"', f'class="pygal-chart {css}"', 1)
        return Markup(text.replace("<svg ", f'<svg role="img" aria-label="{escape(c.alt)}" ', 1))

    for c in charts:
        # the wide drawing is the chart's SVG file; the narrow one (for phones) is inlined too,
        # its styles in the same stylesheet
        standalone, css, wide = _chart_files(c)
        narrow = None
        if c.svg_narrow:
            _unused, narrow_css, narrow = _chart_files(dataclasses.replace(c, svg=c.svg_narrow))
            css += narrow_css
        r.add(f"charts/{c.name}.svg", standalone)
        r.add(f"charts/{c.name}.css", css)
        r.page(
            f"charts/{c.name}.html",
            "chart.html",
            c=c,
            svg=inline(wide, "wide"),
            svg_narrow=inline(narrow, "narrow") if narrow else None,
            title=c.title,
        )
    counts["chart"] = len(charts) + 1

    # ontology and vocabularies
    from laokg.publish import ontology as onto

    dot = onto.class_diagram_dot(graph)
    r.add("ontology-classes.dot", dot.encode("utf-8"))
    svg = onto.render_svg(dot)
    if svg is not None:
        r.add("ontology-classes.svg", svg)
    r.page(
        "ontology.html",
        "ontology.html",
        o=onto.ontology_terms(graph, terms),
        diagram="ontology-classes.svg" if svg is not None else None,
        diagram_source="ontology-classes.dot",
        title="Ontology",
    )
    r.page("vocabularies.html", "vocabularies.html", v=onto.vocabularies(graph, terms), title="Vocabularies")
    # the SHACL shapes as written (https://w3id.org/laokg/shapes redirects here: w3id/.htaccess)
    r.add("shapes.ttl", (base / "ontology" / "shapes.ttl").read_bytes())

    # downloads
    release = release or []
    r.page("downloads.html", "downloads.html", release=release, title="Downloads")
    r.page("changes.html", "changes.html", changes=changes, title="What changed")
    if release:
        sums = "".join(f"{f['sha256']}  {f['name']}\n" for f in release)
        r.add("downloads/SHA256SUMS", sums.encode("ascii"))

    # what people look for: a page per group, from the saved queries
    categories = pg.category_pages(graph, terms, catalogue, entities)
    for cat in categories:
        r.page(cat["page"], "topic.html", cat=cat, charts=charts if cat["slug"] == "figures" else [], title=cat["name"])
    counts["topic"] = len(categories)

    # home
    records = len(entities) - sum(1 for e in entities if pg.is_thing(graph, e))
    r.page(
        "index.html",
        "index.html",
        categories=categories,
        entities=len(entities),
        records=records,
        queries=len(queries),
        works=len(works),
        audit=pg.audit_page(terms, report),
        title="laokg",
    )

    # static files and server rules
    r.add("style.css", (STATIC / "style.css").read_bytes())
    r.add("search.js", (STATIC / "search.js").read_bytes())
    r.add(".htaccess", r.env.get_template("htaccess.txt").render(csp=HEADER_POLICY).encode("utf-8"))
    r.add("nginx.conf", r.env.get_template("nginx.conf.txt").render(csp=HEADER_POLICY).encode("utf-8"))
    r.add(MARKER, b"laokg static site: files in this directory are replaced by `laokg site`\n")

    counts["other"] = sum(1 for p in r.files if p.endswith(".html")) - sum(counts.values())
    counts["html"] = sum(1 for p in r.files if p.endswith(".html"))
    return r.files, counts


def _prune(out: Path, keep: set[str]) -> None:
    """Remove files of an earlier build that this build no longer writes (only in a site
    directory, recognised by its marker file)."""
    if not (out / MARKER).is_file():
        return
    for dirpath, _dirs, names in os.walk(out):
        for name in names:
            rel = posixpath.join(Path(dirpath).relative_to(out).as_posix(), name).removeprefix("./")
            if rel not in keep:
                os.remove(os.path.join(dirpath, name))


def build_site(
    root=None, out: str | os.PathLike | None = None, extra=(), dist=None, release: bool = True
) -> SiteResult:
    """Build the static site into ``out`` (default ROOT/dist/site).

    With ``release`` (the default) the graph is first validated and the release files of
    ``laokg build`` (Turtle, N-Triples, JSON-LD, validation report) go into ``out/downloads``
    and are listed on the downloads page with sizes and SHA-256 checksums; with ``dist``,
    ``laokg build`` itself runs into ``dist`` (query store included) and the site carries
    copies of its release files. A non-conforming graph raises
    :class:`~laokg.errors.ValidationFailed` and nothing is written.
    """
    from laokg.graph.export import write_files_atomic
    from laokg.graph.project import find_root

    base = find_root(root)
    target_dir = Path(out) if out is not None else base / "dist" / "site"
    if target_dir.exists() and not target_dir.is_dir():
        raise InputError(f"{target_dir}: not a directory")
    release_files: list[tuple[str, bytes]] = []
    validation = None
    if release:
        if dist is not None:
            validation, release_files = _release_in_dist(base, extra, Path(dist))
        else:
            validation, release_files = _release_in_memory(base, extra)
    listing = [
        {"name": name, "path": "downloads/" + name, "size": len(data), "sha256": _sha256(data)}
        for name, data in release_files
    ]
    warnings: list[str] = []
    changes = next((json.loads(data) for name, data in release_files if name == "changes.json"), None)
    files, counts = collect(base, extra, listing, warnings, changes)
    for name, data in release_files:
        files["downloads/" + name] = data
    # every path is checked (and resolved, symbolic links followed) before anything is written
    writes = [(inside(target_dir, p), data) for p, data in sorted(files.items())]
    _prune(target_dir, set(files))
    write_files_atomic(writes)
    listed = [SiteFile(p, len(d)) for p, d in sorted(files.items())]
    return SiteResult(target_dir, listed, counts, listing, validation, warnings)


def build_with_site(root=None, dist=None, extra=()) -> SiteResult:
    """``laokg build --site``: the release in ``dist`` (default ROOT/dist) and the site in
    ``dist/site`` (its downloads page lists the release)."""
    from laokg.graph.project import find_root

    base = find_root(root)
    dist_dir = Path(dist) if dist is not None else base / "dist"
    return build_site(base, dist_dir / "site", extra, dist=dist_dir)


__all__ = [
    "build_site",
    "build_with_site",
    "collect",
    "SiteResult",
    "SiteFile",
    "MARKER",
    "META_POLICY",
    "HEADER_POLICY",
]
