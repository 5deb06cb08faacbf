"""``/facts``, ``/connections``, ``/graph/systems`` and ``/validate``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import networkx as nx
import pyoxigraph as ox
import pytest

from graph.export import CONNECTION_COLUMNS, FACT_COLUMNS, connections_rows, facts_rows
from graph.store import Store
from tests.api.api_testkit import SOURCE_A, TestClient, load_fixture_store

TTHC = "https://w3id.org/reformkg/id/system/vinh-phuc/tthc-information-system"
LGSP = "https://w3id.org/reformkg/id/system/vinh-phuc/local-data-exchange-platform"
PAYMENT = "https://w3id.org/reformkg/id/system/national-payment-platform"


def test_facts_json(api_client: TestClient, api_store: Store) -> None:
    r = api_client.get("/facts")
    assert r.status_code == 200
    body = r.json()
    assert body["columns"] == list(FACT_COLUMNS)
    assert body["rows"] == facts_rows(api_store)
    assert body["count"] == 5 and body["truncated"] is False
    rate = next(row for row in body["rows"] if row["surface"] == "98,5%")
    assert rate["value"] == 98.5 and rate["unit"] == "percent" and rate["period"] == "2025-Q1"
    assert rate["surface"] in rate["sentence"]
    # start/end are offsets into the source's stored text (not into the sentence)
    query = f"SELECT ?text {{ <{rate['source']}> <https://w3id.org/reformkg/def#text> ?text }}"
    text = api_client.get("/sparql", params={"query": query}).json()
    stored = text["results"]["bindings"][0]["text"]["value"]
    assert stored[rate["start"] : rate["end"]] == rate["surface"]


@pytest.mark.parametrize(
    ("params", "surfaces"),
    [
        ({"source_id": "test-phutho-2024"}, {"96,17%"}),
        ({"period": "2025-Q1"}, {"12.500", "98,5%", "20", "9"}),
        ({"indicator": "dossiers-on-time"}, {"98,5%"}),
        ({"indicator": "https://w3id.org/reformkg/id/indicator/par-index"}, {"96,17%"}),
        ({"place": "adm/2008-2025/province/25"}, {"96,17%"}),
        ({"place": "https://w3id.org/reformkg/id/adm/2008-2025/province/26", "period": "2024"},
         set()),
    ],
)
def test_facts_filters(api_client: TestClient, params: dict[str, str], surfaces: set[str]) -> None:
    r = api_client.get("/facts", params=params)
    assert r.status_code == 200, r.text
    assert {row["surface"] for row in r.json()["rows"]} == surfaces


def test_facts_csv(api_client: TestClient, api_store: Store) -> None:
    r = api_client.get("/facts", params={"format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == list(FACT_COLUMNS)
    expected = facts_rows(api_store)
    assert [row["surface"] for row in rows] == [row["surface"] for row in expected]
    assert [row["value"] for row in rows] == [str(row["value"]) for row in expected]
    assert [row["sentence"] for row in rows] == [row["sentence"] for row in expected]


def test_facts_row_cap(make_api_client: Callable[..., TestClient]) -> None:
    client = make_api_client(max_rows=2)
    r = client.get("/facts")
    assert r.headers["X-Reformkg-Truncated"] == "true"
    assert r.headers["X-Reformkg-Row-Limit"] == "2"
    assert r.json()["truncated"] is True and len(r.json()["rows"]) == 2
    r = client.get("/facts", params={"format": "csv"})
    assert r.headers["X-Reformkg-Truncated"] == "true"
    assert len(list(csv.DictReader(io.StringIO(r.text)))) == 2


def test_connections_json_and_csv(api_client: TestClient, api_store: Store) -> None:
    r = api_client.get("/connections")
    assert r.status_code == 200
    body = r.json()
    assert body["columns"] == list(CONNECTION_COLUMNS)
    assert body["rows"] == connections_rows(api_store)
    statuses = {(row["from"], row["to"]): row["status"] for row in body["rows"]}
    assert statuses[(LGSP, PAYMENT)] == "planned"
    grouped = sorted((row["count"], row["level"]) for row in body["rows"] if row["count"])
    assert grouped == [(9, "national"), (20, None)]
    r = api_client.get("/connections", params={"format": "csv", "source_id": "test-vinhphuc-q1"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 4 and list(rows[0]) == list(CONNECTION_COLUMNS)
    r = api_client.get("/connections", params={"source_id": "test-phutho-2024"})
    assert r.json()["rows"] == []


def test_systems_json(api_client: TestClient) -> None:
    r = api_client.get("/graph/systems")
    assert r.status_code == 200
    body = r.json()
    nodes = {n["id"]: n for n in body["nodes"]}
    assert {TTHC, LGSP, PAYMENT} <= set(nodes)
    for node in body["nodes"]:
        assert {"id", "label", "label_vi", "label_en", "level", "kind", "count", "x", "y",
                "degree"} <= set(node)
    groups = [n for n in body["nodes"] if n["kind"] == "group"]
    assert sorted(n["count"] for n in groups) == [9, 20]
    planned = [e for e in body["edges"] if e["status"] == "planned"]
    assert [(e["source"], e["target"]) for e in planned] == [(LGSP, PAYMENT)]
    assert all(e["sources"] == ["test-vinhphuc-q1"] for e in body["edges"])


def test_systems_filters(api_client: TestClient) -> None:
    r = api_client.get("/graph/systems", params={"include_planned": "false"})
    assert all(e["status"] != "planned" for e in r.json()["edges"])
    r = api_client.get("/graph/systems", params={"level": "national"})
    assert r.status_code == 200
    r = api_client.get("/graph/systems", params={"province": "Vĩnh Phúc", "lang": "en"})
    assert r.status_code == 200
    assert any(n["label"].startswith("Vĩnh Phúc") for n in r.json()["nodes"])
    r = api_client.get("/graph/systems", params={"province": "nowhere"})
    assert r.status_code == 400
    assert r.json()["type"] == "ExportError" and "Vĩnh Phúc" in r.json()["error"]


def test_systems_graphml(api_client: TestClient) -> None:
    r = api_client.get("/graph/systems", params={"format": "graphml"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/graphml+xml")
    assert r.headers["content-disposition"] == 'attachment; filename="systems.graphml"'
    G = nx.read_graphml(io.BytesIO(r.content))
    assert TTHC in G and G.number_of_edges() == 4


@pytest.mark.parametrize("fmt", ["gexf", "cytoscape", "dot", "csv", "svg"])
def test_systems_downloads(api_client: TestClient, fmt: str) -> None:
    r = api_client.get("/graph/systems", params={"format": fmt})
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    if fmt == "cytoscape":
        assert len(json.loads(r.content)["elements"]["nodes"]) >= 5
    elif fmt == "gexf":
        assert nx.read_gexf(io.BytesIO(r.content)).number_of_nodes() >= 5
    else:
        assert r.content


def test_systems_png(api_client: TestClient) -> None:
    r = api_client.get("/graph/systems", params={"format": "png"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert r.content.startswith(b"\x89PNG")


def test_unknown_format_is_422(api_client: TestClient) -> None:
    r = api_client.get("/graph/systems", params={"format": "xlsx"})
    assert r.status_code == 422
    assert r.json()["type"] == "RequestValidationError"


def test_validate_json_text_turtle(api_client: TestClient) -> None:
    pytest.importorskip("pyshacl")
    r = api_client.get("/validate")
    assert r.status_code == 200
    report = r.json()
    assert report["conforms"] is True and report["findings"] == []
    r = api_client.get("/validate", params={"format": "text"})
    assert r.text.startswith("conforms: yes")
    r = api_client.get("/validate", params={"format": "turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    assert "ValidationReport" in r.text
    r = api_client.get("/validate", params={"source_id": "test-phutho-2024"})
    assert r.json()["conforms"] is True


def test_validate_reports_findings_with_sentences(
    make_api_client: Callable[..., TestClient],
) -> None:
    pytest.importorskip("pyshacl")

    store = load_fixture_store()
    obs = ox.NamedNode(SOURCE_A + "/obs/136-141-1")
    # a second value for one observation breaks "exactly one value"
    value = ox.NamedNode("http://purl.org/linked-data/sdmx/2009/measure#obsValue")
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    store._ox.add(ox.Quad(obs, value, ox.Literal("97.5", datatype=decimal), ox.NamedNode(SOURCE_A)))
    client = make_api_client(store=store)
    report = client.get("/validate").json()
    assert report["conforms"] is False and report["violations"] >= 1
    finding = next(f for f in report["findings"] if f["focus"] == obs.value)
    assert finding["surface"] == "98,5%" and "98,5%" in finding["sentence"]
    assert finding["source_id"] == "test-vinhphuc-q1"


# -- /graph/* : filters, explanations, measures, matrix, agencies ---------------------------
def test_systems_as_of(api_client: TestClient) -> None:
    r = api_client.get("/graph/systems", params={"as_of": "2025-Q1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["as_of"] == "2025-Q1" and body["filters"]["as_of"] == "2025-Q1"
    assert all(e["first_period"] == "2025-Q1" and e["provenance"] for e in body["edges"])
    r = api_client.get("/graph/systems", params={"as_of": "quý IV/2024"})
    assert r.status_code == 400
    assert r.json()["type"] == "ExportError"
    assert "reported 2025-Q1" in r.json()["error"]


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"as_of": "soon"}, "does not parse; write one like 2025-Q1"),
        ({"level": "commune"}, "levels present: national, provincial"),
        ({"province": "Hà Giang"}, "Vĩnh Phúc"),
        ({"province": "Vĩnh Phúc", "level": "provincial", "include_planned": "false",
          "as_of": "2024"}, "no connections left after the filters"),
    ],
)
def test_systems_bad_filters_are_400_with_what_exists(
    api_client: TestClient, params: dict[str, str], says: str
) -> None:
    for fmt in ("json", "graphml"):
        r = api_client.get("/graph/systems", params={**params, "format": fmt})
        assert r.status_code == 400, r.text
        assert r.headers["content-type"].startswith("application/json")
        assert says in r.json()["error"]


def test_systems_on_an_empty_store_is_explained(
    make_api_client: Callable[..., TestClient],
) -> None:
    client = make_api_client(store=Store(None))
    r = client.get("/graph/systems")
    assert r.status_code == 400
    assert "no system connections" in r.json()["error"]


def test_systems_json_has_measures(api_client: TestClient) -> None:
    body = api_client.get("/graph/systems").json()
    tthc = next(n for n in body["nodes"] if n["id"] == TTHC)
    assert (tthc["reported"], tthc["gap"]) == (20, 20 - tthc["named"])
    assert {"betweenness", "component", "in_degree", "out_degree"} <= set(tthc)
    assert body["subtitle"].startswith("kỳ báo cáo 2025-Q1")


def test_graph_measures(api_client: TestClient) -> None:
    r = api_client.get("/graph/measures")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["connections"] == len(api_client.get("/graph/systems").json()["edges"])
    assert {p["label"] for p in body["provinces"]} >= {"Vĩnh Phúc"}
    text = api_client.get("/graph/measures", params={"format": "text", "lang": "en"}).text
    assert text.startswith("System network measures — 1 source ·")
    rows = list(csv.DictReader(io.StringIO(
        api_client.get("/graph/measures", params={"format": "csv"}).text)))
    assert TTHC in {row["id"] for row in rows}
    assert api_client.get("/graph/measures", params={"as_of": "x"}).status_code == 400


def test_graph_matrix(api_client: TestClient) -> None:
    r = api_client.get("/graph/matrix", params={"lang": "en"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [p["label"] for p in body["provinces"]] == ["Vĩnh Phúc"]
    statuses = {row["platform"]: row["status"] for row in body["rows"]}
    assert statuses[PAYMENT] == "planned"
    text = api_client.get("/graph/matrix", params={"format": "text"}).text
    assert "Province × national platform" in text and "○ 2025-Q1" in text
    csv_rows = list(csv.DictReader(io.StringIO(
        api_client.get("/graph/matrix", params={"format": "csv"}).text)))
    assert len(csv_rows) == len(body["rows"])
    assert api_client.get("/graph/matrix", params={"province": "nowhere"}).status_code == 400


def test_graph_agencies(api_client: TestClient) -> None:
    body = api_client.get("/graph/agencies").json()
    ubnd = "https://w3id.org/reformkg/id/agency/vinh-phuc/ubnd"
    assert any(n["id"] == ubnd and n["kind"] == "agency" for n in body["nodes"])
    assert any(e["target"] == ubnd and e["relation"] == "operator" for e in body["edges"])
    r = api_client.get("/graph/agencies", params={"format": "graphml"})
    assert r.status_code == 200 and nx.read_graphml(io.BytesIO(r.content)).number_of_nodes()
