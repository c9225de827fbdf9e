"""The project's prefixes as plain text: prefix -> namespace IRI, in the order every graph binds
them. The same table as :data:`laokg.namespaces.PREFIXES` (rdflib namespaces; tests/test_query_path.py
checks they agree), for code that expands a CURIE without loading rdflib (a saved query's
parameters on the store)."""

PREFIX_IRIS: dict[str, str] = {
    "laokg": "https://w3id.org/laokg/ontology#",
    "kg": "https://w3id.org/laokg/id/",
    "ev": "https://w3id.org/laokg/id/evidence/",
    "doctype": "https://w3id.org/laokg/vocab/doctype/",
    "insttype": "https://w3id.org/laokg/vocab/insttype/",
    "level": "https://w3id.org/laokg/vocab/level/",
    "role": "https://w3id.org/laokg/vocab/role/",
    "sector": "https://w3id.org/laokg/vocab/sector/",
    "indicator": "https://w3id.org/laokg/vocab/indicator/",
    "unit": "https://w3id.org/laokg/vocab/unit/",
    "topic": "https://w3id.org/laokg/vocab/topic/",
    "finding": "https://w3id.org/laokg/vocab/finding/",
    "quantifier": "https://w3id.org/laokg/vocab/quantifier/",
    "status": "https://w3id.org/laokg/vocab/status/",
    "facility": "https://w3id.org/laokg/vocab/facility/",
    "channel": "https://w3id.org/laokg/vocab/channel/",
    "econ": "https://w3id.org/laokg/vocab/econ/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "cito": "http://purl.org/spar/cito/",
    "doco": "http://purl.org/spar/doco/",
    "fabio": "http://purl.org/spar/fabio/",
    "frbr": "http://purl.org/vocab/frbr/core#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "qb": "http://purl.org/linked-data/cube#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#",
    "sdmx-attribute": "http://purl.org/linked-data/sdmx/2009/attribute#",
    "sdmx-code": "http://purl.org/linked-data/sdmx/2009/code#",
    "sdmx-concept": "http://purl.org/linked-data/sdmx/2009/concept#",
    "schema": "https://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "wd": "http://www.wikidata.org/entity/",
    "sdg": "https://w3id.org/laokg/vocab/sdg/",
}

#: the XML Schema datatypes' namespace, and the datatype of a plain literal, as text
XSD = PREFIX_IRIS["xsd"]
XSD_STRING = XSD + "string"

__all__ = ["PREFIX_IRIS", "XSD", "XSD_STRING"]
