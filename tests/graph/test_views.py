"""The system network projection (graph/views.py) on the fixture graph."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graph import queries, views
from graph.errors import ExportError
from graph.store import Store
from ontology import REFERENCE_GRAPH

SYS = "https://w3id.org/reformkg/id/system/"
VP = "https://w3id.org/reformkg/id/adm/2008-2025/province/26"
GROUP_19 = "https://w3id.org/reformkg/id/source/vinhphuc-demo/conn/436-447-1/group"
GROUP_11 = "https://w3id.org/reformkg/id/source/vinhphuc-demo/conn/458-469-1/group"


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


def test_empty_store_is_explained_not_drawn() -> None:
    s = Store(None)
    s.remove_graph(str(REFERENCE_GRAPH))
    with pytest.raises(ExportError, match=r"no system connections \(0 sources loaded\)"):
        views.system_network(s)
    G = views.system_network(s, allow_empty=True)
    assert G.number_of_nodes() == 0 and views.network_json(G)["nodes"] == []
    with pytest.raises(ExportError, match="none"):
        views.system_network(s, province="Phú Thọ", allow_empty=True)


# -- reports: periods, provenance, as-of ---------------------------------------------------
def test_edges_carry_first_and_last_period_and_provenance(network: nx.MultiDiGraph) -> None:
    edge = network.edges[SYS + "national-data-exchange-platform",
                         SYS + "national-population-database", "operational"]
    assert (edge["first_period"], edge["last_period"]) == ("2025-Q1", "2025-Q3")
    assert edge["provenance"] == [
        "https://w3id.org/reformkg/id/source/phutho-demo#char=506,538",
        "https://w3id.org/reformkg/id/source/vinhphuc-demo#char=639,671",
    ]
    assert edge["connections"] == [
        "https://w3id.org/reformkg/id/source/phutho-demo/conn/506-538-1",
        "https://w3id.org/reformkg/id/source/vinhphuc-demo/conn/639-671-1",
    ]
    assert network.graph["first_period"] == "2025-Q1"
    assert network.graph["last_period"] == "2025-Q3"
    assert network.graph["latest_source_date"] == "2025-10-05"


@pytest.mark.parametrize("as_of", ["2025-Q1", "quý I/2025", "2025-03", "2025-05-01", "Q2/2025"])
def test_as_of_keeps_what_was_reported_by_then(store: Store, as_of: str) -> None:
    G = views.system_network(store, as_of=as_of)
    assert G.graph["sources"] == ["vinhphuc-demo"]
    assert G.number_of_edges() == 6  # the Phú Thọ report (2025-Q3) is not yet there
    edge = G.edges[SYS + "national-data-exchange-platform",
                   SYS + "national-population-database", "operational"]
    assert (edge["source_count"], edge["period"], edge["sources"]) == (1, ["2025-Q1"],
                                                                      ["vinhphuc-demo"])
    assert G.graph["filters"]["as_of"] in {"2025-Q1", "2025-03", "2025-05-01", "2025-Q2"}


def test_as_of_after_everything_changes_nothing(store: Store, network: nx.MultiDiGraph) -> None:
    G = views.system_network(store, as_of="2026")
    assert sorted(G.edges(keys=True)) == sorted(network.edges(keys=True))


def test_as_of_before_everything_says_what_exists(store: Store) -> None:
    with pytest.raises(ExportError) as info:
        views.system_network(store, as_of="2024")
    message = str(info.value)
    assert "as-of 2024" in message and "9 connections from 2 sources" in message
    assert "reported 2025-Q1 → 2025-Q3" in message and info.value.status == 400


@pytest.mark.parametrize("bad", ["Q7", "soon", "2025-13", "2025-02-30", ""])
def test_unparseable_as_of(store: Store, bad: str) -> None:
    if not bad:  # an empty value means no filter
        assert views.system_network(store, as_of=bad).number_of_edges() == 9
        return
    with pytest.raises(ExportError, match="does not parse; write one like 2025-Q1"):
        views.system_network(store, as_of=bad)


def test_filters_that_leave_nothing_are_explained(store: Store) -> None:
    with pytest.raises(ExportError) as info:
        views.system_network(store, province="Phú Thọ", as_of="2025-Q2")
    assert "province Phú Thọ, as-of 2025-Q2" in str(info.value)
    assert "9 connections from 2 sources" in str(info.value)


def test_misspelt_level_names_the_valid_ones(store: Store) -> None:
    with pytest.raises(ExportError) as info:
        views.system_network(store, level="natonal")
    assert "levels are national, ministry, provincial" in str(info.value)
    assert "levels present: national, provincial" in str(info.value)


def test_network_json_adds_keys_and_keeps_the_old_ones(network: nx.MultiDiGraph) -> None:
    data = views.network_json(network, lang="en")
    assert {"title", "sources", "nodes", "edges"} <= set(data)
    assert data["subtitle"] == "reported 2025-Q1 → 2025-Q3 · latest source dated 2025-10-05"
    node = next(n for n in data["nodes"] if n["id"] == SYS + "vinh-phuc/tthc-information-system")
    assert {"id", "label", "label_vi", "label_en", "level", "kind", "count", "x", "y", "degree",
            "province", "province_label", "operator"} <= set(node)
    assert (node["reported"], node["named"], node["gap"]) == (19, 0, 19)
    assert node["component"] == 1 and node["colour"] == "#2471a3"
    group = next(n for n in data["nodes"] if n["id"] == GROUP_11)
    assert group["system"] == SYS + "vinh-phuc/tthc-information-system"
    assert group["part_of"] == GROUP_19
    edge = data["edges"][0]
    assert {"source", "target", "key", "status", "count", "level", "period", "source_count",
            "sources", "surface", "kind", "first_period", "last_period",
            "provenance"} <= set(edge)


def test_agency_hierarchy_small(store: Store) -> None:
    A = views.agency_hierarchy(store)
    ubnd = "https://w3id.org/reformkg/id/agency/vinh-phuc/ubnd"
    assert A.nodes[ubnd]["kind"] == "agency" and A.nodes[ubnd]["level"] == "provincial"
    assert A.edges[ubnd, VP]["relation"] == "jurisdiction"
    assert A.edges[SYS + "vinh-phuc/tthc-information-system", ubnd]["relation"] == "operator"
