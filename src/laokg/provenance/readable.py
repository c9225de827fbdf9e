"""RDF terms as a reader reads them: property and class names from labels, literals without
language or datatype tags, dates as printed ("2023", "January 2024", "28 November 2025"),
durations in words, and figures with their unit and multiplier applied ("US$366 million",
"285,819 persons", "58.3 %").

The ontology's own terms carry ``rdfs:label``; the outside vocabularies the graph uses are
named by the small table below (their CURIE stays available to the site as a hover title and
in the Turtle/JSON-LD views). Everything here is a pure function of its arguments.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from rdflib import Literal
from rdflib.namespace import XSD

from laokg.namespaces import PREFIXES

#: Names of the outside vocabularies' properties and classes the graph uses, by CURIE.
_OUTSIDE = {
    # properties
    "rdf:type": "type",
    "rdfs:label": "name",
    "rdfs:comment": "comment",
    "rdfs:seeAlso": "see also",
    "owl:sameAs": "same as",
    "skos:prefLabel": "name",
    "skos:altLabel": "also called",
    "skos:notation": "code",
    "skos:note": "note",
    "skos:definition": "definition",
    "skos:broader": "broader",
    "skos:inScheme": "in scheme",
    "dct:title": "title",
    "dct:description": "description",
    "dct:date": "date",
    "dct:issued": "issued",
    "dct:modified": "modified",
    "dct:creator": "author",
    "dct:publisher": "publisher",
    "dct:subject": "subject",
    "dct:type": "kind",
    "dct:source": "source",
    "dct:references": "refers to",
    "dct:spatial": "place",
    "dct:temporal": "period",
    "dct:isPartOf": "part of",
    "dct:hasPart": "has part",
    "dct:identifier": "identifier",
    "dct:language": "language",
    "dcat:startDate": "start",
    "dcat:endDate": "end",
    "dct:bibliographicCitation": "citation",
    "eli:is_about": "subject",
    "eli:type_document": "type of document",
    "eli:number": "number",
    "eli:passed_by": "passed by",
    "eli:jurisdiction": "jurisdiction",
    "eli:relevant_for": "relevant for",
    "eli:has_part": "has part",
    "eli:is_part_of": "part of",
    "eli:date_document": "date of the document",
    "eli:date_publication": "date of publication",
    "eli:first_date_entry_in_force": "in force from",
    "eli:responsibility_of_agent": "responsibility of",
    "eli:date_no_longer_in_force": "no longer in force from",
    "eli:based_on": "based on",
    "eli:amends": "amends",
    "eli:repeals": "repeals",
    "eli:changes": "changes",
    "org:classification": "kind of organisation",
    "org:hasUnit": "has unit",
    "org:unitOf": "unit of",
    "org:purpose": "purpose",
    "org:subOrganizationOf": "part of the organisation",
    "schema:name": "name",
    "schema:description": "description",
    "schema:startDate": "start",
    "schema:endDate": "end",
    "schema:location": "place",
    "schema:organizer": "organiser",
    "schema:about": "about",
    "schema:funder": "funder",
    "schema:areaServed": "area served",
    "schema:containedInPlace": "in",
    "schema:foundingDate": "founded",
    "schema:jobTitle": "post",
    "schema:affiliation": "affiliation",
    "schema:contributor": "contributor",
    "schema:editor": "editor",
    "schema:url": "web address",
    "prov:wasAttributedTo": "released by",
    "prov:qualifiedDerivation": "evidence",
    "prov:qualifiedAttribution": "project assertion",
    "prov:entity": "quoted passage",
    "prov:agent": "agent",
    "qb:dataSet": "data set",
    "qb:structure": "structure",
    "qb:component": "component",
    "qb:dimension": "dimension",
    "qb:measure": "measure",
    "qb:attribute": "attribute",
    "qb:order": "order",
    "qb:componentRequired": "required",
    "sdmx-measure:obsValue": "value",
    "sdmx-attribute:unitMeasure": "unit",
    "sdmx-attribute:unitMult": "unit multiplier",
    "cito:citesAsEvidence": "cites as evidence",
    "cito:citesAsDataSource": "cites as data source",
    "frbr:realizationOf": "realisation of",
    "dct:isVersionOf": "edition of",
    "prov:wasRevisionOf": "revision of",
    "time:hasBeginning": "beginning",
    "time:hasEnd": "end",
    "time:hasXSDDuration": "duration",
    "time:inXSDDate": "date",
    "oa:hasSource": "document",
    "oa:hasSelector": "selector",
    "oa:exact": "quoted text",
    "oa:prefix": "text before",
    "oa:suffix": "text after",
    "oa:start": "from character",
    "oa:end": "to character",
    # the vocabularies' and the ontology's own description (what `laokg show` gives for a term or concept)
    "skos:hasTopConcept": "top concept",
    "skos:topConceptOf": "top concept of",
    "skos:narrower": "narrower",
    "skos:exactMatch": "exact match",
    "rdfs:isDefinedBy": "defined by",
    "rdfs:domain": "domain",
    "rdfs:range": "range",
    "rdfs:subClassOf": "subclass of",
    "rdfs:subPropertyOf": "subproperty of",
    "qb:codeList": "code list",
    "qb:concept": "concept",
    "dct:created": "created",
    "dct:license": "licence",
    "owl:versionIRI": "version IRI",
    "owl:versionInfo": "version",
    "owl:inverseOf": "inverse of",
    "vann:preferredNamespacePrefix": "preferred prefix",
    "vann:preferredNamespaceUri": "preferred namespace",
    # classes
    "org:FormalOrganization": "Organisation",
    "org:OrganizationalUnit": "Organisational unit",
    "eli:LegalResource": "Legal instrument",
    "eli:LegalResourceSubdivision": "Part of a legal instrument",
    "qb:Observation": "Figure",
    "qb:DataSet": "Data set",
    "qb:DataStructureDefinition": "Data structure definition",
    "qb:ComponentSpecification": "Data structure component",
    "schema:Country": "Country",
    "schema:Place": "Place",
    "schema:AdministrativeArea": "Administrative area",
    "schema:City": "City",
    "schema:Person": "Person",
    "schema:Event": "Event",
    "schema:Project": "Project",
    "schema:CollegeOrUniversity": "College or university",
    "fabio:NewsItem": "News item",
    "fabio:Report": "Report",
    "fabio:PolicyDocument": "Policy document",
    "fabio:Dataset": "Data set (work)",
    "fabio:Expression": "Edition of a work",
    "fabio:Database": "Database",
    "fabio:Work": "Work (all its editions)",
    "doco:Footnote": "Footnote",
    "doco:Section": "Section of a document",
    "oa:SpecificResource": "Quoted passage",
    "oa:TextQuoteSelector": "Text quote selector",
    "oa:TextPositionSelector": "Text position selector",
    "time:Instant": "Instant",
    "time:ProperInterval": "Interval",
    "dct:PeriodOfTime": "Period",
    "prov:Agent": "Agent",
    "skos:Concept": "Concept",
    "skos:ConceptScheme": "Concept scheme",
    "owl:Ontology": "Ontology",
    "owl:Class": "Class",
    "rdfs:Class": "Class",
    "rdf:Property": "Property",
    "owl:ObjectProperty": "Object property",
    "owl:DatatypeProperty": "Datatype property",
    "owl:AnnotationProperty": "Annotation property",
    "owl:SymmetricProperty": "Symmetric property",
    "owl:TransitiveProperty": "Transitive property",
    "owl:FunctionalProperty": "Functional property",
    "qb:DimensionProperty": "Dimension property",
    "qb:AttributeProperty": "Attribute property",
    "qb:MeasureProperty": "Measure property",
}


def _expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return str(PREFIXES[prefix]) + local


OUTSIDE_LABELS: dict[str, str] = {_expand(k): v for k, v in _OUTSIDE.items() if k.partition(":")[0] in PREFIXES}


def term_label(iri, label: str | None) -> str | None:
    """The name a reader sees for a property or class: its own label, else the table's."""
    return label or OUTSIDE_LABELS.get(str(iri))


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def _plural(n: str, unit: str) -> str:
    return f"{n} {unit}{'' if n == '1' else 's'}"


def date_text(text: str) -> str:
    """'2023' -> '2023'; '2024-01' -> 'January 2024'; '2025-11-28' -> '28 November 2025';
    '2021/2025' -> '2021–2025'; anything else unchanged."""
    text = str(text).strip()
    if "/" in text:
        start, _, end = text.partition("/")
        return f"{date_text(start)}–{date_text(end)}"
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text)
    if m and 1 <= int(m.group(2)) <= 12:
        month = _MONTHS[int(m.group(2)) - 1]
        return f"{int(m.group(3))} {month} {m.group(1)}" if m.group(3) else f"{month} {m.group(1)}"
    return text


def number_text(text: str) -> str:
    """A number as people write it: thousands grouped from 10,000 up ('285819' -> '285,819'),
    decimals kept as printed ('58.3')."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        return str(text)
    if value == value.to_integral_value() and "." not in str(text):
        n = int(value)
        return f"{n:,}" if abs(n) >= 10000 else str(n)
    whole, _, frac = str(text).strip().partition(".")
    head = f"{int(whole):,}" if whole.lstrip("-").isdigit() and abs(int(whole)) >= 10000 else whole
    return head + ("." + frac if frac else "")


def literal_text(lit: Literal) -> str:
    """A literal's text for reading: no tags; dates, numbers, durations and booleans in words."""
    text = str(lit)
    dt = lit.datatype
    if dt in (XSD.gYear, XSD.gYearMonth, XSD.date):
        return date_text(text)
    if dt in (XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.nonNegativeInteger, XSD.positiveInteger):
        return number_text(text)
    if dt == XSD.boolean:
        return {"true": "yes", "1": "yes", "false": "no", "0": "no"}.get(text, text)
    if dt == XSD.duration:
        m = _DURATION.match(text)
        if m and any(m.groups()):
            parts = [_plural(n, u) for n, u in zip(m.groups(), ("year", "month", "week", "day"), strict=True) if n]
            return ", ".join(parts)
    return text


_SCALE = {"3": "thousand", "6": "million", "9": "billion"}
_UNITS = {
    "USD": ("US$", ""),
    "%": ("", " %"),
    "persons": ("", " persons"),
    "facilities": ("", " facilities"),
    "jobs": ("", " jobs"),
}


def figure_text(value, unit: str | None = None, unit_mult=None) -> str:
    """A figure as people write it: ``figure_text(366, "USD", 6)`` -> ``US$366 million``;
    ``(285819, "persons")`` -> ``285,819 persons``; ``(58.3, "%")`` -> ``58.3 %``. ``unit`` is the
    unit's code (skos:notation) or, where it has none, its label; unknown units follow the
    number as they are."""
    number = number_text(str(value))
    mult = str(unit_mult) if unit_mult not in (None, "") else None
    if mult and mult != "0":
        number += " " + _SCALE.get(mult, f"× 10^{mult}")
    before, after = _UNITS.get(unit or "", ("", f" {unit}" if unit else ""))
    return f"{before}{number}{after}"


__all__ = ["OUTSIDE_LABELS", "term_label", "date_text", "number_text", "literal_text", "figure_text"]
