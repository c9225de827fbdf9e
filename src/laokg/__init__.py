"""laokg: a cited knowledge graph of Lao labour-migration and diaspora-engagement policy."""

__version__ = "0.1.0"
