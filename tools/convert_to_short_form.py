"""Convert graph/*.ttl from the long evidence form (hand-written laokg:DocumentEvidence,
passage and selector nodes, sections and footnotes) to the short form that
laokg.graph.claims expands (issue 18). A one-off migration kept for re-running on a branch
that still has the long form (e.g. corrections landed in the long form):

    cp -r graph /tmp/graph-long
    .venv/bin/python tools/convert_to_short_form.py       # rewrites graph/*.ttl in place
    .venv/bin/python tools/check_short_form.py /tmp/graph-long   # must print ISOMORPHIC

Evidence keeps its IRI: a quote goes inline on its node (laokg:quote) only where the loader's
rule (ev:<node>-<first free number>) gives back the same IRI and the reading of the text gives
back the same section and footnotes; otherwise it stays a named node (ev:… laokg:quote …).
Not part of the package.
"""
import glob, re, sys
from pathlib import Path
sys.path.insert(0, "src")
from rdflib import Graph, URIRef, Literal
from rdflib.namespace import PROV, RDF, RDFS, DCTERMS
from laokg.namespaces import LAOKG, OA
from laokg.graph import sourcetext as st, claims

KG, EV = claims.KG, claims.EV
SEEDS = claims.sources_dir(Path.cwd())
DOCS = {  # what reading cannot know: short titles and outlines
    KG + "eudif-lao-2024": ("EUDiF Lao profile", """
        title            | (start)                                          | Title (before the first heading)
        facts-figures    | Facts & figures
        policy-framework | Overview of the policy and legislative framework
        trends           | » Trends                                         | Trends
        achievements     | Achievements
        obstacles        | Obstacles
        spotlight        | SPOTLIGHT: effective practices
        actors           | Annex:                                           | Annex: List of Actors
        credits          | Written by:                                      | Credits (closing block, untitled in the document)
    """),
    KG + "seaip-2025-11-28": ("news item of 28 November 2025", """
        body | (start) | Article text
    """),
}

g = Graph()
for f in sorted(glob.glob("graph/*.ttl")):
    g.parse(f)

def curie(t):
    t = str(t)
    for base, pre in ((EV, "ev:"), (KG, "kg:")):
        if t.startswith(base):
            return pre + t[len(base):]
    return g.namespace_manager.normalizeUri(URIRef(t))

def lit(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

# the documents as the expansion will read them
docs = {}
for iri, (short, outline) in DOCS.items():
    file = str(g.value(URIRef(iri), DCTERMS.identifier))
    docs[iri] = claims.read_document(URIRef(iri), file, None, outline, short, SEEDS)
doclist = list(docs.values())

evs = sorted(set(g.subjects(RDF.type, LAOKG.DocumentEvidence)), key=str)
info = {}
for ev in evs:
    p = g.value(ev, PROV.entity); sel = g.value(p, OA.hasSelector)
    exact = str(g.value(sel, OA.exact)); prefix = str(g.value(sel, OA.prefix) or ""); suffix = str(g.value(sel, OA.suffix) or "")
    doc = docs[str(g.value(p, OA.hasSource))]
    loc = claims.locate(exact, [doc], prefix, suffix)
    fns = sorted(g.objects(ev, LAOKG.footnote), key=str)
    computed = st.footnotes_after(doc.text, loc.start, loc.end, doc.notes, doc.marks)
    iris = dict((n.number, i) for n, i in reversed(doc.footnote_iris()))
    fn_ok = sorted(str(iris[n]) for n in computed) == sorted(map(str, fns))
    # the prefix only if the quote alone is ambiguous
    alone = len(st.find_all(doc.text, exact)) == 1
    extra = [(p_, o) for p_, o in g.predicate_objects(ev) if p_ not in (RDF.type, RDFS.label, PROV.entity, LAOKG.section, LAOKG.footnote)]
    subjects = sorted(g.subjects(PROV.qualifiedDerivation, ev), key=str)
    in_both = sum(1 for d in doclist if st.find_all(d.text, exact)) > 1
    info[ev] = dict(exact=exact, prefix="" if alone else prefix, suffix="" if alone else suffix, doc=doc, loc=loc,
                    fns=fns, fn_ok=fn_ok, extra=extra, subjects=subjects, in_both=in_both)

def inline_ok(ev, s):
    i = info[ev]
    return (i["subjects"] == [s] and not i["extra"] and i["fn_ok"] and not i["prefix"] and not i["suffix"]
            and not i["in_both"] and str(ev).startswith(EV + claims._local(s) + "-"))

# one inline quote per subject at most (the loader's rule: it takes the smallest free number)
inline = {}
for s in set(x for ev in evs for x in info[ev]["subjects"]):
    cands = [ev for ev in g.objects(s, PROV.qualifiedDerivation) if ev in info and inline_ok(ev, s)]
    if not cands:
        continue
    used = {ev for ev in evs if ev not in cands}
    n = 0
    while True:
        n += 1
        iri = URIRef(f"{EV}{claims._local(s)}-{n}")
        if iri not in used:
            break
    if iri in cands:
        inline[iri] = s

def explicit_block(ev):
    i = info[ev]
    lines = [f"{curie(ev)} laokg:quote {lit(i['exact'])}"]
    if i["in_both"]:
        lines.append(f"laokg:quotedFrom {curie(i['doc'].iri)}")
    if i["prefix"]:
        lines.append(f"laokg:quotePrefix {lit(i['prefix'])}")
    if i["suffix"]:
        lines.append(f"laokg:quoteSuffix {lit(i['suffix'])}")
    if not i["fn_ok"]:
        if not i["fns"]:
            raise SystemExit(f"{ev}: footnotes computed where none are recorded: cannot write 'none'")
        lines.append("laokg:footnote " + ", ".join(curie(f) for f in i["fns"]))
    by_p = {}
    for p_, o in i["extra"]:
        by_p.setdefault(p_, []).append(o)
    for p_ in sorted(by_p, key=str):
        lines.append(f"{curie(p_)} " + ", ".join(sorted(curie(o) for o in by_p[p_])))
    return " ;\n    ".join(lines) + " ."

QD = re.compile(r"(\n[ \t]*)prov:qualifiedDerivation\s+((?:ev:[\w.-]+\s*,\s*)*ev:[\w.-]+)\s*([;.])")
section_iris = {str(d.section_iri(sec)) for d in doclist for sec in d.sections}
footnote_iris = {str(i) for d in doclist for _, i in d.footnote_iris()}

def subject_of(block):
    for line in block.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.split()[0]
    return None

def expand_curie(c):
    if c.startswith("ev:"): return URIRef(EV + c[3:])
    if c.startswith("kg:"): return URIRef(KG + c[3:])
    return None

for f in sorted(glob.glob("graph/*.ttl")):
    text = Path(f).read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    out = []
    for block in blocks:
        subj = subject_of(block)
        node = expand_curie(subj) if subj else None
        if node is not None and node in info:
            # a document-evidence block: keep an explicit short block where it is needed
            comments = "\n".join(l for l in block.splitlines() if l.lstrip().startswith("#"))
            if node not in inline:
                out.append((comments + "\n" if comments else "") + explicit_block(node))
            elif comments:
                out.append(comments)
            continue
        if node is not None and str(node).endswith("-passage") and URIRef(str(node)[:-8]) in info:
            continue
        if node is not None and str(node) in section_iris:
            continue
        if node is not None and str(node) in footnote_iris:
            cites = [(p_, o) for p_, o in g.predicate_objects(node) if str(p_).startswith("http://purl.org/spar/cito/")]
            others = {p_ for p_, _ in g.predicate_objects(node)} - {RDF.type, RDFS.label, DCTERMS.isPartOf, LAOKG.footnoteNumber, DCTERMS.bibliographicCitation} - {p_ for p_, _ in cites}
            assert not others, (node, others)
            by_p = {}
            for p_, o in cites:
                by_p.setdefault(p_, []).append(o)
            lines = [f"{curie(p_)} " + ", ".join(sorted(curie(o) for o in by_p[p_])) for p_ in sorted(by_p, key=str)]
            out.append(f"{subj} " + " ;\n    ".join(lines) + " .")
            continue
        if node is not None and str(node) in docs:
            d = docs[str(node)]
            sha = st.sha256_file(SEEDS / d.file)
            outline = "\n".join("        " + l.strip() for l in DOCS[str(node)][1].strip().splitlines())
            add = (f"    laokg:shortTitle {lit(d.short_title)} ;\n    laokg:sha256 \"{sha}\" ;\n"
                   f"    laokg:outline \"\"\"\n{outline}\n    \"\"\" ;\n")
            block = re.sub(r"(\n    dct:identifier [^\n]*;\n)", lambda m: m.group(1) + add, block, count=1)
        m = QD.search(block) if node is not None else None
        if m:
            listed = [expand_curie(c.strip()) for c in m.group(2).split(",")]
            keep = [e for e in listed if inline.get(e) != node]
            quotes = sorted((e for e in listed if inline.get(e) == node), key=lambda e: (str(info[e]["doc"].iri), info[e]["loc"].start))
            stmts = []
            if keep:
                stmts.append("prov:qualifiedDerivation " + ", ".join(curie(e) for e in keep))
            stmts += [f"laokg:quote {lit(info[e]['exact'])}" for e in quotes]
            if stmts:
                new = m.group(1) + (" ;" + m.group(1)).join(stmts) + " " + m.group(3)
                block = block[:m.start()] + new + block[m.end():]
            else:
                block = block[:m.start()] + block[m.end():]
                if m.group(3) == ".":
                    block = re.sub(r"\s*;\s*$", " .", block.rstrip()) 
        out.append(block)
    new = "\n\n".join(b for b in out if b.strip())
    if not new.endswith("\n"):
        new += "\n"
    Path(f).write_text(new, encoding="utf-8")
print("evidence", len(evs), "inline", len(inline), "explicit", len(evs) - len(inline))

# drop the prefixes no statement uses any more (oa:, doco:, …)
for f in sorted(glob.glob("graph/*.ttl")):
    text = Path(f).read_text(encoding="utf-8")
    body = "\n".join(l for l in text.splitlines() if not l.startswith("@prefix") and not l.startswith("#"))
    lines = [l for l in text.splitlines(keepends=True)
             if not (m := re.match(r"@prefix ([\w-]*): ", l)) or re.search(rf"(?<![\w:-]){re.escape(m.group(1))}:", body)]
    Path(f).write_text("".join(lines), encoding="utf-8")

# sources.ttl: its header and section comments say what the file holds now
p = Path("graph/sources.ttl")
t = p.read_text(encoding="utf-8")
t = t.replace("""# laokg graph: the two source documents, their sections, the sixteen footnotes of the EUDiF
# profile, and the distinct works those footnotes and the data disclaimer cite. A work
# cited under several footnote numbers is one node; a footnote citing two works links both.
# Footnote texts (dct:bibliographicCitation) are verbatim from the documents. Last, the laokg
# project itself: the prov:Agent every project assertion attributes its statements to.""",
"""# laokg graph: the two source documents (their records: file name in the sources directory,
# SHA-256 of the text, short title for labels, outline of the sections), the works their
# footnotes cite, and which work each footnote cites. The sections and the footnotes
# themselves (number, verbatim text) are read from the texts when the graph is loaded
# (laokg.graph.claims). A work cited under several footnote numbers is one node; a footnote
# citing two works links both. Last, the laokg project itself: the prov:Agent every project
# assertion attributes its statements to.""")
t = t.replace("# ---------------------------------------------------------------- sections\n\n", "")
t = t.replace("# ---------------------------------------------------------------- footnotes of the EUDiF profile\n",
              "# ---------------------------------------------------------------- footnotes of the EUDiF profile\n"
              "# What each footnote cites (the loader reads the footnotes themselves from the text).\n")
p.write_text(t, encoding="utf-8")
