"""The system network projection (graph/views.py) on the fixture graph."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from graph import queries, views
from graph.errors import ExportError
from graph.store import Store
from ontology import REFERENCE_GRAPH

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "graphs" / "small.trig"
SYS = "https://w3id.org/reformkg/id/system/"
VP = "https://w3id.org/reformkg/id/adm/2008-2025/province/26"
GROUP_19 = "https://w3id.org/reformkg/id/source/vinhphuc-demo/conn/436-447-1/group"
GROUP_11 = "https://w3id.org/reformkg/id/source/vinhphuc-demo/conn/458-469-1/group"


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store(None)
    # The fixture carries its own minimal reference data (see test_queries.py).
    s.remove_graph(str(REFERENCE_GRAPH))
    s._ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return s


@pytest.fixture(scope="module")
def network(store: Store) -> nx.MultiDiGraph:
    return views.system_network(store)


def test_counts_equal_the_query(store: Store, network: nx.MultiDiGraph) -> None:
    rows = queries.select(store, "system_network")
    assert network.number_of_edges() == len(rows) == 9
    ends = {r["from"] for r in rows} | {r["to"] for r in rows}
    assert network.number_of_nodes() == len(ends) == 11
    assert isinstance(network, nx.MultiDiGraph)


def test_node_attributes(network: nx.MultiDiGraph) -> None:
    tthc = network.nodes[SYS + "vinh-phuc/tthc-information-system"]
    assert tthc["kind"] == "system" and tthc["level"] == "provincial"
    assert tthc["label_vi"] == "Hệ thống thông tin giải quyết TTHC tỉnh Vĩnh Phúc"
    assert tthc["label_en"] == "Vĩnh Phúc administrative procedure information system"
    assert (tthc["province"], tthc["province_label"]) == (VP, "Vĩnh Phúc")
    assert tthc["operator"] == "https://w3id.org/reformkg/id/agency/vinh-phuc/ubnd"
    portal = network.nodes[SYS + "national-public-service-portal"]
    assert portal["level"] == "national" and portal["province"] is None
    assert SYS + "vneid" not in network  # a canonical system nobody connects is not drawn


def test_group_nodes(network: nx.MultiDiGraph) -> None:
    g19, g11 = network.nodes[GROUP_19], network.nodes[GROUP_11]
    assert (g19["kind"], g19["count"], g19["level"]) == ("group", 19, None)
    assert (g11["kind"], g11["count"], g11["level"]) == ("group", 11, "national")
    assert g11["part_of"] == GROUP_19
    assert g11["system"] == SYS + "vinh-phuc/tthc-information-system"
    assert g11["province"] == VP  # inherited from the system it belongs to
    edge = network.edges[SYS + "vinh-phuc/tthc-information-system", GROUP_11, "operational"]
    assert (edge["count"], edge["level"], edge["kind"]) == (11, "national", "grouped")


def test_one_node_per_system_across_sources(network: nx.MultiDiGraph) -> None:
    # declared in the reference graph and in both sources, with two Vietnamese labels
    doc = SYS + "national-document-exchange"
    assert network.in_degree(doc) == 2
    edge = network.edges[SYS + "national-data-exchange-platform",
                         SYS + "national-population-database", "operational"]
    assert edge["source_count"] == 2
    assert edge["sources"] == ["phutho-demo", "vinhphuc-demo"]
    assert edge["period"] == ["2025-Q1", "2025-Q3"]
    assert network.graph["sources"] == ["phutho-demo", "vinhphuc-demo"]


def test_planned_edges(store: Store, network: nx.MultiDiGraph) -> None:
    planned = [(u, v) for u, v, d in network.edges(data=True) if d["status"] == "planned"]
    assert len(planned) == 2
    G = views.system_network(store, include_planned=False)
    assert G.number_of_edges() == 7
    assert SYS + "national-population-database" in G  # still reached by an operational link


@pytest.mark.parametrize(
    "name", ["Vĩnh Phúc", "vinh phuc", "VINH PHUC", "vinh-phuc", VP, "adm/2008-2025/province/26"]
)
def test_province_filter_accepts_names_slugs_and_iris(store: Store, name: str) -> None:
    G = views.system_network(store, province=name)
    assert (G.number_of_nodes(), G.number_of_edges()) == (7, 5)
    assert G.graph["sources"] == ["vinhphuc-demo"]
    assert SYS + "phu-tho/tthc-information-system" not in G


def test_unknown_province_lists_existing_ones(store: Store) -> None:
    with pytest.raises(ExportError) as info:
        views.system_network(store, province="Hà Giang")
    message = str(info.value)
    assert "Hà Giang" in message and "Vĩnh Phúc" in message and "Phú Thọ" in message
    assert "vinh-phuc" in message and info.value.status == 400


def test_level_filter(store: Store) -> None:
    G = views.system_network(store, level="provincial")
    assert G.number_of_edges() == 8  # all but NDXP -> population database
    G = views.system_network(store, level="national")
    assert G.number_of_edges() == 8  # all but the link to the unlevelled "19 hệ thống" group
    with pytest.raises(ExportError, match="levels present: national, provincial"):
        views.system_network(store, level="commune")


def test_layout_is_level_aware_and_deterministic(network: nx.MultiDiGraph) -> None:
    pos = views.layout(network)
    assert pos == views.layout(network)
    assert set(pos) == set(network)
    radius = {n: math.hypot(*p) for n, p in pos.items()}
    national = [n for n, d in network.nodes(data=True)
                if d["kind"] == "system" and d["level"] == "national"]
    provincial = [n for n, d in network.nodes(data=True) if d["level"] == "provincial"]
    assert max(radius[n] for n in national) < min(radius[n] for n in provincial)
    system = SYS + "vinh-phuc/tthc-information-system"
    for group in (GROUP_19, GROUP_11):
        assert radius[group] > radius[system]
        assert math.dist(pos[group], pos[system]) < 0.6


def test_network_json(network: nx.MultiDiGraph) -> None:
    data = views.network_json(network)
    assert (len(data["nodes"]), len(data["edges"])) == (11, 9)
    node = next(n for n in data["nodes"] if n["id"] == GROUP_19)
    assert {"id", "label", "label_vi", "label_en", "level", "kind", "count", "x", "y",
            "degree"} <= set(node)
    assert (node["label"], node["kind"], node["count"]) == ("19 hệ thống", "group", 19)
    assert node["degree"] == 1
    edge = data["edges"][0]
    assert {"source", "target", "status", "count", "level", "sources", "surface"} <= set(edge)
    assert data["title"] == "Mạng kết nối hệ thống thông tin — 2 nguồn"
    english = views.network_json(network, lang="en")
    assert next(n for n in english["nodes"] if n["id"] == GROUP_19)["label"] == "19 systems"
    assert english["title"] == "Information-system connections — 2 sources"


def test_empty_store_gives_an_empty_network() -> None:
    s = Store(None)
    s.remove_graph(str(REFERENCE_GRAPH))
    G = views.system_network(s)
    assert G.number_of_nodes() == 0 and views.network_json(G)["nodes"] == []
    with pytest.raises(ExportError, match="none"):
        views.system_network(s, province="Phú Thọ")
