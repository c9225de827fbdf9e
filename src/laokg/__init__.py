"""laokg: a cited knowledge graph of Lao labour-migration and diaspora-engagement policy.

The Python API (documented with examples in docs/api.md)::

    import laokg
    kg = laokg.open()                                    # the graph laokg would read (docs/install.md)
    rows = kg.query("emigrants_by_destination", min=100000)
    rows[0]["emigrants"]                                 # an rdflib Literal: 285819
    rows.to_dataframe()                                  # with the `pandas` extra
    kg.sparql("SELECT ?t WHERE { ?d a eli:LegalResource ; dct:title ?t }")
    kg.show("MLSW"); kg.trace("kg:decree-245-2020"); kg.trace(source="kg:mou-laos-thailand-2002")
    kg.validate().conforms; kg.audit().count("warning")

Importing this module is cheap: rdflib, pySHACL and the engines are imported when first used,
so ``laokg --help`` starts fast.
"""

from laokg.api import Card, KnowledgeGraph, Rows, open

__version__ = "0.1.0"

__all__ = ["open", "KnowledgeGraph", "Rows", "Card", "__version__"]
