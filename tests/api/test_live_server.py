"""Real clients against a live server on the examples store (issue 4, items 1 and 5).

One on-disk store is built from our example reports with ``reformkg ingest``. ``reformkg query``
reads it, and a live uvicorn server (loopback port, ``--query-timeout 1``) serves it; off-the-
shelf clients (SPARQLWrapper, rdflib's ``SPARQLStore``, plain httpx) must get the same answers
as the command line, in JSON, XML, CSV and TSV, and CONSTRUCT results that parse as Turtle and
JSON-LD. Last, a query that runs past the timeout gets an explicit error within timeout + 2 s
while another client's small query is answered meanwhile.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from api.app import create_app
from api.cli import main
from api.settings import Settings
from graph import queries
from graph.store import Store
from tests.api.api_testkit import live_app
from tests.conftest import EXAMPLES

pytestmark = [
    pytest.mark.integration,
    # rdflib's JSON-LD parser and SPARQLWrapper still build ConjunctiveGraphs: not our concern.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

QUERY_TIMEOUT = 1.0
NAMED = ["facts", "connections", "ontime_rates_ranked", "national_system_reach"]
FORMATS = ["json", "xml", "csv", "tsv"]
CONSTRUCT = """
PREFIX rkg: <https://w3id.org/reformkg/def#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
CONSTRUCT { ?obs rkg:surface ?surface ; sdmx-measure:obsValue ?value ; oa:hasSource ?source }
WHERE {
  ?obs a rkg:Observation ; rkg:surface ?surface ; sdmx-measure:obsValue ?value ;
       prov:wasDerivedFrom/oa:hasSource ?source .
}
"""
# Seconds of pyoxigraph work on the examples store (a filtered self-join of the rdf:type triples,
# counted): one answer at the end, so nothing inside pyoxigraph can stop it early; the server
# runs queries on this on-disk store in worker processes and kills this one at the timeout
# (tests/hardening/test_timeouts.py checks the process is gone).
EXPENSIVE = """
SELECT (COUNT(*) AS ?n) WHERE {
  ?a a ?c . ?d a ?f FILTER(STRLEN(STR(?a)) > STRLEN(STR(?d)))
}
"""
SMALL = "SELECT ?id WHERE { ?s a <https://w3id.org/reformkg/def#Source> ; " \
        "<http://purl.org/dc/terms/identifier> ?id } ORDER BY ?id"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib and httpx honour *_proxy variables; loopback must bypass them."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("live") / "store"
    res = CliRunner().invoke(main, ["ingest", "--quiet", "--store", str(path),
                                    *map(str, sorted(EXAMPLES.glob("*.txt")))])
    assert res.exit_code == 0, res.stderr
    return path


@pytest.fixture(scope="module")
def base_url(store_dir: Path) -> Iterator[str]:
    store = Store(store_dir, read_only=True)  # `reformkg query` opens it read-only meanwhile
    app = create_app(Settings(query_timeout=QUERY_TIMEOUT, query_workers=4), store)
    with live_app(app) as url:
        yield url
    store.close()


def cli(store_dir: Path, *args: str) -> str:
    res = CliRunner().invoke(main, ["query", "--store", str(store_dir), *args])
    assert res.exit_code == 0, res.stderr
    return res.stdout


# -- answers as multisets of rows {variable: lexical value} ---------------------------------


Rows = Counter[tuple[tuple[str, str], ...]]


def _row(pairs: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in pairs.items() if v != ""))


def rows_from_text(body: str | bytes, fmt: str) -> Rows:
    """Rows of a SPARQL results document (pyoxigraph parses JSON/XML/TSV; CSV by hand)."""
    if fmt == "csv":
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return Counter(_row(r) for r in csv.DictReader(io.StringIO(text)))
    results_format = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                      "tsv": ox.QueryResultsFormat.TSV}[fmt]
    solutions = ox.parse_query_results(body, results_format)
    names = [v.value for v in solutions.variables]
    return Counter(
        _row({n: s[n].value for n in names if s[n] is not None}) for s in solutions
    )


def rows_from_minidom(doc: Any) -> Rows:
    """Rows of SPARQLWrapper's XML answer (an ``xml.dom.minidom`` document)."""
    out: Rows = Counter()
    for result in doc.getElementsByTagName("result"):
        row = {}
        for binding in result.getElementsByTagName("binding"):
            value = next(n for n in binding.childNodes if n.nodeType == n.ELEMENT_NODE)
            row[binding.getAttribute("name")] = "".join(
                t.data for t in value.childNodes if t.nodeType == t.TEXT_NODE)
        out[_row(row)] += 1
    return out


def rows_from_json_doc(doc: dict[str, Any]) -> Rows:
    return Counter(_row({k: t["value"] for k, t in b.items()}) for b in doc["results"]["bindings"])


# -- reformkg query == /sparql == SPARQLWrapper == rdflib SPARQLStore -----------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", NAMED)
def test_reformkg_query_and_sparql_endpoint_agree(store_dir: Path, base_url: str, name: str,
                                                  fmt: str) -> None:
    expected = rows_from_text(cli(store_dir, "--name", name, "--format", fmt), fmt)
    assert sum(expected.values()) > 0
    r = httpx.post(base_url + "/sparql", data={"query": queries.load(name).text, "format": fmt},
                   trust_env=False)
    assert r.status_code == 200, r.text
    assert rows_from_text(r.content, fmt) == expected
    assert r.headers["X-Reformkg-Truncated"] == "false"


@pytest.mark.parametrize("fmt", FORMATS)
def test_sparqlwrapper_gets_the_cli_answers(store_dir: Path, base_url: str, fmt: str) -> None:
    from SPARQLWrapper import SPARQLWrapper

    expected = rows_from_text(cli(store_dir, "--name", "facts", "--format", fmt), fmt)
    sparql = SPARQLWrapper(base_url + "/sparql")
    sparql.setQuery(queries.load("facts").text)
    sparql.setMethod("POST")
    sparql.setReturnFormat(fmt)
    converted = sparql.query().convert()
    if fmt == "json":
        got = rows_from_json_doc(converted)
    elif fmt == "xml":
        got = rows_from_minidom(converted)
    else:
        got = rows_from_text(converted, fmt)
    assert got == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_rdflib_sparqlstore_gets_the_cli_answers(store_dir: Path, base_url: str, fmt: str) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    expected = rows_from_text(cli(store_dir, "--name", "ontime_rates_ranked", "--format", fmt), fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        remote = rdflib.Dataset(store=SPARQLStore(query_endpoint=base_url + "/sparql",
                                                  returnFormat=fmt))
        result = remote.query(queries.load("ontime_rates_ranked").text)
        names = [str(v) for v in result.vars]
        got = Counter(
            _row({n: str(row[i]) for i, n in enumerate(names) if row[i] is not None})
            for row in result
        )
    assert got == expected


def _cli_graph(store_dir: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(data=cli(store_dir, CONSTRUCT, "--format", "turtle"),
                                format="turtle")


@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
def test_sparqlwrapper_construct_parses(store_dir: Path, base_url: str, fmt: str) -> None:
    from SPARQLWrapper import JSONLD, TURTLE, SPARQLWrapper

    expected = _cli_graph(store_dir)
    assert len(expected) > 100
    sparql = SPARQLWrapper(base_url + "/sparql")
    sparql.setQuery(CONSTRUCT)
    sparql.setReturnFormat(TURTLE if fmt == "turtle" else JSONLD)
    converted = sparql.query().convert()
    if isinstance(converted, bytes | str):  # SPARQLWrapper hands Turtle back unparsed
        converted = rdflib.Graph().parse(data=converted, format="turtle")
    assert isomorphic(converted, expected)


def test_rdflib_sparqlstore_construct(store_dir: Path, base_url: str) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        remote = rdflib.Dataset(store=SPARQLStore(query_endpoint=base_url + "/sparql"))
        graph = remote.query(CONSTRUCT).graph
    assert isomorphic(graph, _cli_graph(store_dir))


def test_jsonld_and_turtle_from_sparql_are_the_same_graph(store_dir: Path, base_url: str) -> None:
    bodies = {}
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        r = httpx.post(base_url + "/sparql", content=CONSTRUCT.encode(), trust_env=False,
                       headers={"Content-Type": "application/sparql-query", "Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
        bodies[fmt] = rdflib.Graph().parse(data=r.content, format=fmt)
        if fmt == "json-ld":
            json.loads(r.content)  # plain JSON too
    assert isomorphic(bodies["turtle"], bodies["json-ld"])
    assert isomorphic(bodies["turtle"], _cli_graph(store_dir))


# -- the timeout: explicit, on time, and not blocking others ---------------------------------


def test_timeout_is_explicit_and_other_clients_are_served(base_url: str) -> None:
    slow: dict[str, Any] = {}

    def run_slow() -> None:
        started = time.monotonic()
        slow["response"] = httpx.post(
            base_url + "/sparql", data={"query": EXPENSIVE}, trust_env=False, timeout=60,
            headers={"Accept": "application/sparql-results+json"})
        slow["elapsed"] = time.monotonic() - started
        slow["finished"] = time.monotonic()

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)  # the expensive query is running now
    started = time.monotonic()
    small = httpx.get(base_url + "/sparql", params={"query": SMALL}, trust_env=False, timeout=10,
                      headers={"Accept": "application/sparql-results+json"})
    small_finished = time.monotonic()
    thread.join(timeout=30)
    assert not thread.is_alive()

    assert small.status_code == 200
    assert len(small.json()["results"]["bindings"]) == len(list(EXAMPLES.glob("*.txt")))
    assert small_finished - started < QUERY_TIMEOUT, "the small query waited for the big one"
    assert small_finished < slow["finished"], "the small query was not answered meanwhile"

    response = slow["response"]
    assert response.status_code == 503
    body = response.json()
    assert body["type"] == "QueryTimeout" and body["status"] == 503
    assert f"{QUERY_TIMEOUT:g} s timeout" in body["error"]
    assert QUERY_TIMEOUT <= slow["elapsed"] <= QUERY_TIMEOUT + 2
