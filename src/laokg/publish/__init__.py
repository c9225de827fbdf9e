"""Publishing the graph for people and programs: the static site (site, pages, paths, charts,
ontology), the site preview (serve), a local SPARQL server behind laokg's front
(sparql_server, sparql_front) and the upload to a triple store (push)."""
