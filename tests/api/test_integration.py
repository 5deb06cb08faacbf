"""One real server on a loopback port (R10): uvicorn in a thread, real HTTP clients.

Catches what TestClient hides (startup, lifespan, static files, real sockets) and checks that
off-the-shelf SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) read our answers. No network
beyond 127.0.0.1.
"""

from __future__ import annotations

import csv
import io
import urllib.request
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from api.app import create_app
from api.settings import Settings
from graph.store import Store
from tests.api.api_testkit import live_app, load_fixture_store

pytestmark = pytest.mark.integration

QUERY = """
PREFIX rkg: <https://w3id.org/reformkg/def#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?obs ?source_id ?surface WHERE {
  ?obs a rkg:Observation ; rkg:surface ?surface ;
       prov:wasDerivedFrom/oa:hasSource/dcterms:identifier ?source_id .
} ORDER BY ?obs
"""


@pytest.fixture(scope="module")
def server_store() -> Store:
    return load_fixture_store()


@pytest.fixture(scope="module")
def base_url(server_store: Store) -> Iterator[str]:
    with live_app(create_app(Settings(), server_store)) as url:
        yield url


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib (SPARQLWrapper, rdflib) honours *_proxy variables; loopback must bypass them."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def _expected(store: Store) -> list[tuple[str, str, str]]:
    return [(r["obs"], r["source_id"], r["surface"]) for r in store.select(QUERY)]


def _wrapper(base_url: str, fmt: str) -> Any:
    from SPARQLWrapper import SPARQLWrapper

    sparql = SPARQLWrapper(base_url + "/sparql")
    sparql.setQuery(QUERY)
    sparql.setReturnFormat(fmt)
    return sparql.query()


def test_page_static_and_network_json(base_url: str) -> None:
    with urllib.request.urlopen(base_url + "/") as response:
        assert response.status == 200
        assert "reformkg" in response.read().decode("utf-8")
    with urllib.request.urlopen(base_url + "/static/vendor/cytoscape.min.js") as response:
        assert response.status == 200
    with urllib.request.urlopen(base_url + "/graph/systems") as response:
        assert response.headers["Content-Type"].startswith("application/json")


def test_sparqlwrapper_json(base_url: str, server_store: Store) -> None:
    data = _wrapper(base_url, "json").convert()
    got = [(b["obs"]["value"], b["source_id"]["value"], b["surface"]["value"])
           for b in data["results"]["bindings"]]
    assert got == _expected(server_store)


def test_sparqlwrapper_xml(base_url: str, server_store: Store) -> None:
    doc = _wrapper(base_url, "xml").convert()  # xml.dom.minidom Document
    got = []
    for result in doc.getElementsByTagName("result"):
        row = {}
        for binding in result.getElementsByTagName("binding"):
            value = binding.firstChild
            row[binding.getAttribute("name")] = value.firstChild.data if value.firstChild else ""
        got.append((row["obs"], row["source_id"], row["surface"]))
    assert got == _expected(server_store)


def test_sparqlwrapper_csv(base_url: str, server_store: Store) -> None:
    raw = _wrapper(base_url, "csv").convert()
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert [(r["obs"], r["source_id"], r["surface"]) for r in rows] == _expected(server_store)


def test_sparqlwrapper_tsv(base_url: str, server_store: Store) -> None:
    raw = _wrapper(base_url, "tsv").convert()
    header, *body = list(csv.reader(io.StringIO(raw.decode("utf-8")), delimiter="\t",
                                    quoting=csv.QUOTE_NONE))
    assert header == ["?obs", "?source_id", "?surface"]
    got = [(obs[1:-1], sid[1:-1], surface[1:-1]) for obs, sid, surface in body]
    assert got == _expected(server_store)


def test_rdflib_sparqlstore(base_url: str, server_store: Store) -> None:
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        remote = rdflib.Dataset(store=SPARQLStore(query_endpoint=base_url + "/sparql"))
        result = remote.query(QUERY)
        got = [(str(row[0]), str(row[1]), str(row[2])) for row in result]
        assert got == _expected(server_store)
        ask = remote.query("ASK { ?s a <https://w3id.org/reformkg/def#Source> }")
        assert ask.askAnswer is True
