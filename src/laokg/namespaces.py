"""The namespaces laokg uses, bound once so every output has readable prefixes."""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

BASE = "https://w3id.org/laokg/"
LAOKG = Namespace(BASE + "ontology#")
KG = Namespace(BASE + "id/")
EV = Namespace(BASE + "id/evidence/")
VOCAB = BASE + "vocab/"

ELI = Namespace("http://data.europa.eu/eli/ontology#")
CITO = Namespace("http://purl.org/spar/cito/")
DOCO = Namespace("http://purl.org/spar/doco/")
FABIO = Namespace("http://purl.org/spar/fabio/")
FRBR = Namespace("http://purl.org/vocab/frbr/core#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIM = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEAS = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTR = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_CODE = Namespace("http://purl.org/linked-data/sdmx/2009/code#")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
WD = Namespace("http://www.wikidata.org/entity/")
SDG = Namespace("https://w3id.org/laokg/vocab/sdg/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SDMX_CONCEPT = Namespace("http://purl.org/linked-data/sdmx/2009/concept#")
TIME = Namespace("http://www.w3.org/2006/time#")
VANN = Namespace("http://purl.org/vocab/vann/")

#: prefix -> namespace, in the order they are bound on every graph laokg builds.
PREFIXES = {
    "laokg": LAOKG,
    "kg": KG,
    "ev": EV,
    "doctype": Namespace(VOCAB + "doctype/"),
    "insttype": Namespace(VOCAB + "insttype/"),
    "level": Namespace(VOCAB + "level/"),
    "role": Namespace(VOCAB + "role/"),
    "sector": Namespace(VOCAB + "sector/"),
    "indicator": Namespace(VOCAB + "indicator/"),
    "unit": Namespace(VOCAB + "unit/"),
    "topic": Namespace(VOCAB + "topic/"),
    "finding": Namespace(VOCAB + "finding/"),
    "quantifier": Namespace(VOCAB + "quantifier/"),
    "status": Namespace(VOCAB + "status/"),
    "facility": Namespace(VOCAB + "facility/"),
    "channel": Namespace(VOCAB + "channel/"),
    "econ": Namespace(VOCAB + "econ/"),
    "eli": ELI,
    "org": ORG,
    "prov": PROV,
    "cito": CITO,
    "doco": DOCO,
    "fabio": FABIO,
    "frbr": FRBR,
    "dcat": DCAT,
    "qb": QB,
    "sdmx-dimension": SDMX_DIM,
    "sdmx-measure": SDMX_MEAS,
    "sdmx-attribute": SDMX_ATTR,
    "sdmx-code": SDMX_CODE,
    "sdmx-concept": SDMX_CONCEPT,
    "schema": SCHEMA,
    "oa": OA,
    "skos": SKOS,
    "dct": DCTERMS,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "sh": SH,
    "time": TIME,
    "vann": VANN,
    "wd": WD,
    "sdg": SDG,
}


def bind_prefixes(graph):
    """Bind every laokg prefix on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph
