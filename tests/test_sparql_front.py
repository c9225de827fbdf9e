"""The SERVICE check of ``laokg serve``'s front (laokg.publish.sparql_front.service_refusal).

Each hostile spelling is first sent straight to a real Oxigraph server, to prove that Oxigraph
does call the endpoint it names (its grammar needs no space around a keyword, ends comments at
a carriage return, and reads a prefixed name whose IRI is invalid as its prefix alone); then the
check must refuse it. Queries that only mention the word must pass.
"""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.parse
import urllib.request

import pytest

from laokg.publish.sparql_front import service_refusal

from .servers import Oxigraph
from .test_sparql_server import _Target


def _hostile(t: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{t}> {{ ?x ?y ?z }} }}",
        f"select * where {{ sErViCe silent <{t}> {{ ?x ?y ?z }} }}",
        f"SELECT * WHERE {{ SERVICESILENT<{t}>{{ ?x ?y ?z }} }}",
        f"PREFIX : <{t}> SELECT * WHERE {{ service:x {{ ?x ?y ?z }} }}",
        f"PREFIX e: <{t}> SELECT * WHERE {{ SERVICEe:x {{ ?x ?y ?z }} }}",
        f"SELECT * WHERE {{ # comment\rSERVICE <{t}> {{ ?x ?y ?z }} }}",
        f"SELECT * WHERE {{ <http://example.org/s> <http://example.org/p> 1SERVICE<{t}>{{ ?x ?y ?z }} }}",
        # the IRI <http://a#x:.SERVICE:y#> is invalid (two #), so Oxigraph reads the predicate ex:,
        # the object x:, a dot, and SERVICE :y#
        f"PREFIX ex: <http://a#> PREFIX x: <http://example.org/> PREFIX : <{t}?> "
        f"SELECT * WHERE {{ <http://example.org/s> ex:x:.SERVICE:y\\#{{ ?x ?y ?z }} }}",
    ]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    srv = Oxigraph(tmp_path_factory.mktemp("oxigraph-front"))
    req = urllib.request.Request(
        srv.update_url,
        method="POST",
        data=b"INSERT DATA { <http://example.org/s> <http://example.org/p> 1 ; <http://a#> <http://example.org/> }",
        headers={"Content-Type": "application/sparql-update"},
    )
    urllib.request.urlopen(req, timeout=30).close()
    yield srv
    srv.stop()


def test_every_hostile_spelling_reaches_oxigraph_and_is_refused(oxigraph):
    target = _Target()
    try:
        for query in _hostile(target.url):
            before = len(target.hits)
            url = oxigraph.query_url + "?" + urllib.parse.urlencode({"query": query})
            with contextlib.suppress(urllib.error.HTTPError):  # an error answer still made the call
                urllib.request.urlopen(url, timeout=30).read()
            assert len(target.hits) > before, f"Oxigraph did not call the target for: {query}"
            reason = service_refusal(query)
            assert reason and reason.startswith("refused: SERVICE"), query
    finally:
        target.close()


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?service WHERE { ?service ?p "SERVICE <http://x> {}" }',
        "SELECT * WHERE { ?s ?p <http://example.org/SERVICE> }  # SERVICE <http://x> {}",
        "SELECT * WHERE { ?s ?p indicator:employment-service-facilities }",
        "SELECT * WHERE { ?s ?p econ:services }",
        "SELECT * WHERE { ?s ?p topic:employment-services ; ex:hasService ?o }",
        "SELECT * WHERE { ?s ?p '''a ''SERVICE <x> {}'' b''' }",
    ],
)
def test_the_word_outside_the_keyword_passes(query):
    assert service_refusal(query) is None


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { \\u0053ERVICE <http://x> { } }",  # expanded before parsing by older versions
        'SELECT * WHERE { ?s ?p "a\\u0022 } SERVICE <http://x> { } #" }',
        'SELECT * WHERE { ?s ?p "unterminated }',
        "SELECT * WHERE { ex:service <http://x> { } }",  # a prefix whose IRI + 'service' is invalid
    ],
)
def test_escapes_and_malformed_strings_are_refused(query):
    assert service_refusal(query) is not None
