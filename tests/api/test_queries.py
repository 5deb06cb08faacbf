"""``/queries`` and ``/queries/{name}``."""

from __future__ import annotations

from graph import queries
from graph.store import Store
from tests.api.api_testkit import TestClient


def test_list(api_client: TestClient) -> None:
    r = api_client.get("/queries")
    assert r.status_code == 200
    listing = r.json()
    assert [q["name"] for q in listing] == queries.names()
    for q in listing:
        assert {"name", "summary_vi", "summary_en", "tags", "params"} <= set(q)
        assert "text" not in q
    facts = next(q for q in listing if q["name"] == "facts")
    assert facts["summary_en"] and facts["summary_vi"]
    assert {"name": "source_id", "type": "literal"} in facts["params"]


def test_one(api_client: TestClient) -> None:
    r = api_client.get("/queries/facts")
    assert r.status_code == 200
    body = r.json()
    assert body["text"] == queries.load("facts").text
    r = api_client.get("/queries/facts", params={"format": "rq"})
    assert r.headers["content-type"].startswith("application/sparql-query")
    assert r.text == queries.load("facts").text


def test_unknown_is_404_listing_names(api_client: TestClient) -> None:
    r = api_client.get("/queries/no_such_query")
    assert r.status_code == 404
    body = r.json()
    assert body["type"] == "QueryNotFound" and "facts" in body["error"]


def test_run(api_client: TestClient, api_store: Store) -> None:
    r = api_client.get("/queries/facts", params={"run": "1"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    bindings = r.json()["results"]["bindings"]
    assert len(bindings) == len(queries.select(api_store, "facts"))
    assert r.headers["X-Reformkg-Truncated"] == "false"


def test_run_with_parameter_and_format(api_client: TestClient) -> None:
    r = api_client.get("/queries/facts", params={"run": "1", "source_id": "test-phutho-2024"})
    bindings = r.json()["results"]["bindings"]
    assert [b["surface"]["value"] for b in bindings] == ["96,17%"]
    r = api_client.get("/queries/facts", params={"run": "1", "format": "csv", "period": "2024"})
    assert r.headers["content-type"].startswith("text/csv")
    assert len(r.text.strip().splitlines()) == 2


def test_every_named_query_runs_through_the_api(api_client: TestClient, api_store: Store) -> None:
    """The research queries are served like the others, with their parameters."""
    for name in queries.names():
        r = api_client.get(f"/queries/{name}", params={"run": "1"})
        assert r.status_code == 200, (name, r.text)
        assert len(r.json()["results"]["bindings"]) == len(queries.select(api_store, name)), name
    r = api_client.get("/queries/indicator_time_series", params={
        "run": "1", "indicator": "https://w3id.org/reformkg/id/indicator/dossiers-on-time"})
    periods = [b["period"]["value"] for b in r.json()["results"]["bindings"]]
    assert periods and periods == sorted(periods)


def test_page_offers_every_named_query(api_client: TestClient) -> None:
    page = api_client.get("/", headers={"Accept": "text/html"}).text
    for name in queries.names():
        assert f'"name": "{name}"' in page or f'"name":"{name}"' in page, name
