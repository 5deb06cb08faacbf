"""``/sparql``: protocol methods, formats parsed back, negotiation, read-only guards, caps."""

from __future__ import annotations

import csv
import io
import json
import socket
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from graph.store import Store
from tests.api.api_testkit import FIXTURE, SOURCE_B, TestClient, load_fixture_store

SRX = "{http://www.w3.org/2005/sparql-results#}"

FACTS_QUERY = """
PREFIX rkg: <https://w3id.org/reformkg/def#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?obs ?source_id ?surface ?value WHERE {
  ?obs a rkg:Observation ; rkg:surface ?surface ; sdmx-measure:obsValue ?value ;
       prov:wasDerivedFrom/oa:hasSource/dcterms:identifier ?source_id .
} ORDER BY ?source_id ?obs
"""
GRAPH_QUERY = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{SOURCE_B}> {{ ?s ?p ?o }} }}"


def expected_facts(store: Store) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items()} for row in store.select(FACTS_QUERY)]


def parse_rdf(data: str | bytes, fmt: str) -> rdflib.Graph:
    """rdflib parse; its JSON-LD parser uses its own deprecated ConjunctiveGraph internally."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return rdflib.Graph().parse(data=data, format=fmt)


def expected_graph() -> rdflib.Graph:
    """The named graph of source B, read from the fixture file (not through the API)."""
    quads = ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads
               if q.graph_name == ox.NamedNode(SOURCE_B)]
    return parse_rdf(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), "nt")


def _lexical(term: str) -> str:
    """A TSV cell (N-Triples-like term) as its lexical value."""
    if term.startswith("<") and term.endswith(">"):
        return term[1:-1]
    if term.startswith('"'):
        return term[1 : term.rindex('"')]
    return term


# -- the three protocol methods ---------------------------------------------------------------
def _get(client: TestClient, query: str, accept: str | None = None) -> Any:
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", params={"query": query}, headers=headers)


def _post_form(client: TestClient, query: str, accept: str | None = None) -> Any:
    headers = {"Accept": accept} if accept else {}
    return client.post("/sparql", data={"query": query}, headers=headers)


def _post_direct(client: TestClient, query: str, accept: str | None = None) -> Any:
    headers = {"Content-Type": "application/sparql-query"}
    if accept:
        headers["Accept"] = accept
    return client.post("/sparql", content=query.encode("utf-8"), headers=headers)


METHODS = pytest.mark.parametrize("send", [_get, _post_form, _post_direct],
                                  ids=["GET", "POST-form", "POST-direct"])


@METHODS
def test_select_json_every_method(send: Callable[..., Any], api_client: TestClient,
                                  api_store: Store) -> None:
    r = send(api_client, FACTS_QUERY, "application/sparql-results+json")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    data = json.loads(r.content)
    got = [{v: b[v]["value"] for v in data["head"]["vars"]} for b in data["results"]["bindings"]]
    assert got == expected_facts(api_store)
    assert r.headers["X-Reformkg-Truncated"] == "false"


@METHODS
def test_construct_turtle_every_method(send: Callable[..., Any], api_client: TestClient) -> None:
    r = send(api_client, GRAPH_QUERY, "text/turtle")
    assert r.status_code == 200, r.text
    got = parse_rdf(r.text, "turtle")
    assert isomorphic(got, expected_graph())


def test_vietnamese_text_survives_post_form(api_client: TestClient) -> None:
    query = 'ASK { ?s <https://w3id.org/reformkg/def#surface> "96,17%" ; ?p ?o . ' \
            'FILTER EXISTS { ?x <http://purl.org/dc/terms/title> "Bản tin giả lập 2024"@vi } }'
    r = _post_form(api_client, query)
    assert r.status_code == 200, r.text
    assert r.json() == {"head": {}, "boolean": True}


# -- every result format, parsed back ------------------------------------------------------------
def test_select_xml(api_client: TestClient, api_store: Store) -> None:
    r = _get(api_client, FACTS_QUERY, "application/sparql-results+xml")
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    root = ET.fromstring(r.content)
    got = []
    for result in root.iter(f"{SRX}result"):
        row = {}
        for binding in result.iter(f"{SRX}binding"):
            row[binding.attrib["name"]] = next(iter(binding)).text or ""
        got.append(row)
    assert got == expected_facts(api_store)


def test_select_csv(api_client: TestClient, api_store: Store) -> None:
    r = _get(api_client, FACTS_QUERY, "text/csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows == expected_facts(api_store)


def test_select_tsv(api_client: TestClient, api_store: Store) -> None:
    r = _get(api_client, FACTS_QUERY, "text/tab-separated-values")
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    reader = csv.reader(io.StringIO(r.text), delimiter="\t", quoting=csv.QUOTE_NONE)
    header, *body = list(reader)
    assert header == ["?obs", "?source_id", "?surface", "?value"]
    got = [{h[1:]: _lexical(cell) for h, cell in zip(header, row, strict=True)} for row in body]
    assert got == expected_facts(api_store)


@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
     "text/tab-separated-values"],
)
def test_ask_every_format(api_client: TestClient, accept: str) -> None:
    r = _get(api_client, "ASK { ?s a <https://w3id.org/reformkg/def#Observation> }", accept)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept)
    if accept.endswith("json"):
        assert r.json()["boolean"] is True
    elif accept.endswith("xml"):
        assert ET.fromstring(r.content).find(f"{SRX}boolean").text == "true"  # type: ignore[union-attr]
    else:
        assert r.text.strip() == "true"


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/n-triples", "nt"),
     ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
)
def test_construct_every_format(api_client: TestClient, accept: str, rdflib_format: str) -> None:
    r = _get(api_client, GRAPH_QUERY, accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    got = parse_rdf(r.content, rdflib_format)
    assert isomorphic(got, expected_graph())


def test_describe(api_client: TestClient) -> None:
    r = _get(api_client, f"DESCRIBE <{SOURCE_B}>", "application/n-triples")
    assert r.status_code == 200
    got = parse_rdf(r.text, "nt")
    identifier = rdflib.Literal("test-phutho-2024")
    assert (rdflib.URIRef(SOURCE_B), rdflib.DCTERMS.identifier, identifier) in got


# -- content negotiation -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("application/sparql-results+xml;q=0.5, text/csv", "text/csv"),
        ("text/csv;q=0.2, application/sparql-results+json;q=0.9",
         "application/sparql-results+json"),
        ("text/*", "text/csv"),
        ("text/tab-separated-values, */*;q=0.1", "text/tab-separated-values"),
        ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
         "application/sparql-results+xml"),
    ],
)
def test_accept_select(api_client: TestClient, accept: str | None, expected: str) -> None:
    r = _get(api_client, "SELECT ?s WHERE { ?s a <https://w3id.org/reformkg/def#Source> }", accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected
    assert "Accept" in r.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("application/n-triples;q=0.8, text/turtle;q=0.9", "text/turtle"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/json", "application/ld+json"),
        ("application/sparql-results+json, text/turtle;q=0.9", "text/turtle"),
    ],
)
def test_accept_construct(api_client: TestClient, accept: str | None, expected: str) -> None:
    r = _get(api_client, GRAPH_QUERY, accept)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
     ("xml", "application/sparql-results+xml"), ("json", "application/sparql-results+json"),
     ("text/csv", "text/csv")],
)
def test_format_param_overrides_accept(api_client: TestClient, fmt: str, expected: str) -> None:
    r = api_client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o } LIMIT 1", "format": fmt},
                       headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == expected


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_repeated_format_naming_one_format(api_client: TestClient, method: str) -> None:
    """SPARQLWrapper sends ``format=tsv&format=text/tab-separated-values`` for TSV."""
    fields = [("query", "SELECT * { ?s ?p ?o } LIMIT 1"), ("format", "tsv"),
              ("format", "text/tab-separated-values")]
    if method == "GET":
        r = api_client.get("/sparql", params=fields)
    else:
        r = api_client.post("/sparql", data=dict(fields[:1]),
                            params=fields[1:])  # format in the URL, query in the body
        assert r.status_code == 200
        body = "&".join(f"{k}={v}" for k, v in fields).replace(" ", "+").replace("{", "%7B")
        r = api_client.post("/sparql", content=body.replace("}", "%7D").replace("?", "%3F"),
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/tab-separated-values")
    graph = [("query", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"), ("format", "json-ld"),
             ("format", "application/ld+json,application/x-json+ld")]
    r = api_client.get("/sparql", params=graph)
    assert r.status_code == 200 and r.headers["content-type"] == "application/ld+json"
    conflicting = [("query", "SELECT * { ?s ?p ?o } LIMIT 1"), ("format", "tsv"), ("format", "csv")]
    r = api_client.get("/sparql", params=conflicting)
    assert r.status_code == 400 and "naming different formats" in r.json()["error"]


def test_406_lists_supported_types(api_client: TestClient) -> None:
    r = _get(api_client, "SELECT * { ?s ?p ?o } LIMIT 1", "image/png")
    assert r.status_code == 406
    body = r.json()
    assert body["type"] == "NotAcceptable" and body["status"] == 406
    assert set(body["supported"]) == {"application/sparql-results+json",
                                      "application/sparql-results+xml", "text/csv",
                                      "text/tab-separated-values"}
    for media_type in body["supported"]:
        assert media_type in body["error"]


def test_406_for_graph_format_on_select_and_unknown_format(api_client: TestClient) -> None:
    r = _get(api_client, GRAPH_QUERY, "text/csv")
    assert r.status_code == 406
    assert "text/turtle" in r.json()["supported"]
    r = api_client.get("/sparql", params={"query": "ASK {}", "format": "yaml"})
    assert r.status_code == 406


# -- read-only ---------------------------------------------------------------------------------
UPDATES = [
    "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "PREFIX ex: <http://e/>\n# a comment\nDELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DROP GRAPH <https://w3id.org/reformkg/graph/reference>",
    "CREATE GRAPH <http://e/g>",
    "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "insert data { <http://e/a> <http://e/b> 'x' }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_update_as_query_refused(update: str) -> None:
    store = load_fixture_store()
    before = store.quad_count()
    from api.app import create_app
    from api.settings import Settings

    client = TestClient(create_app(Settings(), store))
    for send in (_get, _post_form, _post_direct):
        response = send(client, update)
        assert response.status_code == 403, response.text
        body = response.json()
        assert body["type"] == "UpdateRefused" and "read-only" in body["error"]
    assert store.quad_count() == before
    client.app.state.runner.close()  # type: ignore[attr-defined]


def test_update_parameter_and_update_body_refused(api_client: TestClient, api_store: Store) -> None:
    before = api_store.quad_count()
    update = "CLEAR ALL"
    responses = [
        api_client.get("/sparql", params={"update": update}),
        api_client.post("/sparql", data={"update": update}),
        api_client.post("/sparql", content=update,
                        headers={"Content-Type": "application/sparql-update"}),
    ]
    for r in responses:
        assert r.status_code == 403, r.text
        assert r.json()["type"] == "UpdateRefused"
    assert api_store.quad_count() == before


def test_keywords_inside_strings_and_comments_are_not_updates(api_client: TestClient) -> None:
    query = '# DELETE everything? no.\nSELECT ("INSERT DATA" AS ?x) ("SERVICE <http://e>" AS ?y) {}'
    r = _get(api_client, query)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
        "PREFIX ex: <http://example.org/>\nSELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<http://example.org/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        "select * where { service <http://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_refused(api_client: TestClient, query: str) -> None:
    r = _get(api_client, query)
    assert r.status_code == 403, r.text
    assert r.json()["type"] == "ServiceRefused"


def test_service_allow_listed_passes_the_guard(make_api_client: Callable[..., TestClient]) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on: no network involved
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}/sparql"
    client = make_api_client(service_allowlist=[endpoint])
    r = _get(client, f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}")
    # Not refused by us: pyoxigraph tried the call and could not connect (a store error).
    assert r.json()["type"] != "ServiceRefused"
    assert r.status_code == 503


# -- errors, caps, timeout ---------------------------------------------------------------------
def test_syntax_error_is_400_with_parser_message(api_client: TestClient) -> None:
    r = _get(api_client, "SELECT ?s WHERE { ?s ?p }")
    assert r.status_code == 400
    body = r.json()
    assert body["type"] == "QuerySyntaxError" and body["status"] == 400
    assert "SPARQL syntax error" in body["error"] and "1:" in body["error"]


def test_protocol_errors(api_client: TestClient) -> None:
    r = api_client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert r.status_code == 400
    r = api_client.post("/sparql", data={"format": "json"})
    assert r.status_code == 400
    r = api_client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_row_cap_is_reported(make_api_client: Callable[..., TestClient], api_store: Store) -> None:
    client = make_api_client(max_rows=2)
    total = len(expected_facts(api_store))
    assert total > 2
    for accept in ("application/sparql-results+json", "text/csv"):
        r = _get(client, FACTS_QUERY, accept)
        assert r.status_code == 200
        assert r.headers["X-Reformkg-Truncated"] == "true"
        assert r.headers["X-Reformkg-Row-Limit"] == "2"
        assert r.headers["X-Reformkg-Rows"] == "2"
    assert len(r.text.strip().splitlines()) == 3  # CSV header + 2 rows
    r = _get(client, FACTS_QUERY + f" LIMIT {total}")
    assert len(r.json()["results"]["bindings"]) == 2
    r = _get(client, FACTS_QUERY + " LIMIT 2")
    assert r.headers["X-Reformkg-Truncated"] == "false"
    r = _get(client, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert r.headers["X-Reformkg-Truncated"] == "true"
    assert len(r.text.strip().splitlines()) == 2


def test_cap_headers_visible_to_browsers(api_client: TestClient) -> None:
    r = api_client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "http://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    exposed = r.headers["access-control-expose-headers"].lower()
    assert "x-reformkg-truncated" in exposed and "x-reformkg-row-limit" in exposed


def test_timeout_is_503_with_message(make_api_client: Callable[..., TestClient]) -> None:
    client = make_api_client(query_timeout=0.2, max_rows=10**9)
    # ~10^8 solutions: the worker notices the timeout at its next rows and stops.
    r = _get(client, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    assert r.status_code == 503
    body = r.json()
    assert body["type"] == "QueryTimeout"
    assert "query exceeded the 0.2 s timeout" in body["error"]


# -- service description -----------------------------------------------------------------------
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


def test_service_description(api_client: TestClient, api_store: Store) -> None:
    r = api_client.get("/sparql")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    g = parse_rdf(r.text, "turtle")
    service = g.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert service is not None
    assert g.value(service, SD.endpoint) == rdflib.URIRef("http://testserver/sparql")
    formats = set(g.objects(service, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert rdflib.URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    dataset = g.value(service, SD.defaultDataset)
    assert int(g.value(dataset, VOID.triples)) == api_store.quad_count()  # type: ignore[arg-type]
    names = {g.value(n, SD.name) for n in g.objects(dataset, SD.namedGraph)}
    assert rdflib.URIRef(SOURCE_B) in names


def test_service_description_negotiated(api_client: TestClient) -> None:
    r = api_client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert r.headers["content-type"].startswith("application/n-triples")
    assert len(parse_rdf(r.text, "nt")) > 10


def test_dataset_parameters(api_client: TestClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/reformkg/def#Source> }"
    r = api_client.get("/sparql", params={"query": query, "default-graph-uri": SOURCE_B})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "1"
    r = api_client.get("/sparql", params={"query": query})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "2"


def test_post_body_over_limit_is_413(make_api_client: Callable[..., TestClient]) -> None:
    client = make_api_client(max_body_bytes=100)
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 200
    r = _post_direct(client, query)
    assert r.status_code == 413
    assert r.json()["type"] == "PayloadTooLarge"
    assert _post_form(client, query).status_code == 413
