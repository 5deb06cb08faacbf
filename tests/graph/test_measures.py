"""Measures, the province × platform matrix and the agency hierarchy on a five-province corpus.

``tests/data/graphs/provinces5.trig``: six sources of our own from Vĩnh Phúc (two reports),
Đà Nẵng, Lào Cai, Quảng Ninh and Cần Thơ, with their own minimal reference data.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from graph import matrix, measures, queries, views
from graph.errors import ExportError
from graph.store import Store
from ontology import REFERENCE_GRAPH

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "graphs" / "provinces5.trig"
ID = "https://w3id.org/reformkg/id/"
SYS = ID + "system/"
VP_TTHC = SYS + "vinh-phuc/tthc-information-system"
VP_LGSP = SYS + "vinh-phuc/local-data-exchange-platform"
LC_TTHC = SYS + "lao-cai/tthc-information-system"
PORTAL = SYS + "national-public-service-portal"
NDXP = SYS + "national-data-exchange-platform"
POPULATION = SYS + "national-population-database"
VP = ID + "adm/2008-2025/province/26"


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store(None)
    s.remove_graph(str(REFERENCE_GRAPH))  # the fixture carries its own reference data
    s._ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return s


@pytest.fixture(scope="module")
def network(store: Store) -> nx.MultiDiGraph:
    return views.system_network(store)


def test_the_corpus_has_five_provinces(network: nx.MultiDiGraph) -> None:
    provinces = {d["province"] for _, d in network.nodes(data=True) if d.get("province")}
    assert len(provinces) == 5
    assert len(network.graph["sources"]) == 6


def test_network_matches_its_queries(store: Store, network: nx.MultiDiGraph) -> None:
    rows = queries.select(store, "system_network")
    assert network.number_of_edges() == len(rows) == 25
    assert network.number_of_nodes() == len({r["from"] for r in rows} | {r["to"] for r in rows})
    reports = queries.select(store, "connection_reports")
    assert len(reports) == 26  # Vĩnh Phúc's LGSP → document hub is reported twice
    assert sum(d["source_count"] for *_, d in network.edges(data=True)) == len(
        {(r["from"], r["to"], r["status"], r["source_id"]) for r in reports})


def test_degrees(network: nx.MultiDiGraph) -> None:
    m = measures.node_measures(network)
    tthc = m[VP_TTHC]
    # 4 groups + the planned (Q1) and the operational (Q3) link to the population database
    assert (tthc["degree"], tthc["in_degree"], tthc["out_degree"]) == (6, 0, 6)
    assert (tthc["operational"], tthc["planned"]) == (5, 1)
    portal = m[PORTAL]
    assert (portal["degree"], portal["in_degree"], portal["out_degree"]) == (4, 4, 0)
    assert all(m[n]["degree"] == network.degree(n) for n in network)


def test_betweenness_counts_named_systems_only(network: nx.MultiDiGraph) -> None:
    m = measures.node_measures(network)
    S = measures.named_graph(network)
    expected = nx.betweenness_centrality(S, normalized=True)
    for n in S:
        assert math.isclose(m[n]["betweenness"], expected[n], abs_tol=1e-6)
    assert m[VP_TTHC]["betweenness"] == 0.0  # a leaf of the named graph, however many groups
    assert m[NDXP]["betweenness"] > 0  # bridges Đà Nẵng, Cần Thơ and the population database
    groups = [n for n, d in network.nodes(data=True) if d["kind"] == "group"]
    assert groups and all(m[g]["betweenness"] is None for g in groups)


def test_components(network: nx.MultiDiGraph) -> None:
    m = measures.node_measures(network)
    S = measures.named_graph(network)
    sizes = sorted((len(c) for c in nx.connected_components(S)), reverse=True)
    assert max(m[n]["component"] for n in S) == len(sizes) == 5
    largest = [n for n in S if m[n]["component"] == 1]
    assert len(largest) == sizes[0]
    group = VP_TTHC  # a group belongs to the component of its system
    for n, d in network.nodes(data=True):
        if d["kind"] == "group" and d["system"] == group:
            assert m[n]["component"] == m[group]["component"]


def test_reported_versus_named(network: nx.MultiDiGraph) -> None:
    m = measures.node_measures(network)
    # "23 hệ thống": one named system (the population database, operational since 2025-Q3)
    assert (m[VP_TTHC]["reported"], m[VP_TTHC]["named"], m[VP_TTHC]["gap"]) == (23, 1, 22)
    assert (m[LC_TTHC]["reported"], m[LC_TTHC]["named"], m[LC_TTHC]["gap"]) == (15, 1, 14)
    assert m[VP_LGSP]["reported"] is None  # its only group is planned and has no count
    assert m[VP_LGSP]["named"] == 2


def test_reported_versus_named_as_of(store: Store) -> None:
    G = views.system_network(store, as_of="2025-Q1")
    m = measures.node_measures(G)
    assert (m[VP_TTHC]["reported"], m[VP_TTHC]["named"]) == (23, 0)  # the link was only planned


def test_summary_overall_and_per_province(network: nx.MultiDiGraph) -> None:
    s = measures.network_measures(network)
    assert (s.systems, s.groups, s.connections) == (21, 7, 25)
    assert (s.named_connections, s.grouped_connections) == (18, 7)
    assert (s.operational, s.planned) == (21, 4)
    assert s.network.operational_share == pytest.approx(21 / 25)
    assert s.systems_by_level == {"national": 8, "provincial": 13}
    rows = {p.label: p for p in s.provinces}
    assert list(rows) == ["Cần Thơ", "Đà Nẵng", "Lào Cai", "Quảng Ninh", "Vĩnh Phúc"]
    vp = rows["Vĩnh Phúc"]
    assert (vp.systems, vp.connections, vp.operational, vp.planned) == (3, 10, 8, 2)
    assert (vp.reported, vp.named, vp.gap, vp.national_platforms) == (23, 1, 22, 4)
    assert rows["Đà Nẵng"].national_platforms == 4
    assert rows["Quảng Ninh"].planned_share == pytest.approx(1 / 3)
    assert s.overall.connections == 24  # all but NDXP → population database
    hubs = s.hubs["national"]
    assert [h["degree"] for h in hubs] == [4, 4, 4] and len(s.hubs["provincial"]) == 3
    assert s.hubs["provincial"][0]["id"] == VP_TTHC
    body = s.to_json()
    assert body["provinces"][0]["operational_share"] == 1.0


def test_measures_table_text(network: nx.MultiDiGraph) -> None:
    text = measures.measures_table(network)
    assert text.startswith("System network measures — 6 sources · reported periods 2024 → 2025-Q3")
    assert "operational 21 (84%) · planned 4 (16%)" in text
    assert "components 5 (largest: 6 systems)" in text
    gap = "Hệ thống thông tin giải quyết TTHC tỉnh Vĩnh Phúc: 23 reported, 1 named (gap 22)"
    assert gap in text
    assert "Hubs by level" in text and "Per province" in text
    lines = text.splitlines()
    header = next(line for line in lines if line.strip().startswith("province"))
    assert header.split() == ["province", "systems", "connections", "operational", "planned",
                              "national", "platforms", "reported", "named", "gap"]


# -- the matrix ------------------------------------------------------------------------------
def test_matrix_matches_its_query(store: Store) -> None:
    rows = queries.select(store, "province_platform_matrix")
    m = matrix.province_platform_matrix(store)
    assert set(m.cells) == {(r["province"], r["platform"]) for r in rows}
    assert len(m.provinces) == 5 and len(m.platforms) == 8


def test_matrix_cells(store: Store) -> None:
    m = matrix.province_platform_matrix(store)
    cell = m.cells[(VP, POPULATION)]
    # planned in 2025-Q1, operational from 2025-Q3
    assert (cell.status, cell.first_period, cell.text) == ("operational", "2025-Q3", "● 2025-Q3")
    assert cell.periods == ["2025-Q1", "2025-Q3"]
    assert cell.sources == ["vinhphuc-2025q1-test", "vinhphuc-2025q3-test"]
    lao_cai = ID + "adm/2008-2025/province/10"
    assert m.cells[(lao_cai, NDXP)].text == "○ 2025-H1"
    can_tho = ID + "adm/2008-2025/province/92"
    assert m.cells[(can_tho, NDXP)].text == "● 2025-01-01/09-30"
    assert m.grouped_national == {VP: 12, lao_cai: 6}
    assert m.platforms[0][0] == PORTAL  # reached by the most provinces


def test_matrix_filters(store: Store) -> None:
    m = matrix.province_platform_matrix(store, as_of="2025-Q1")
    assert m.cells[(VP, POPULATION)].status == "planned"
    assert {label for _, label in m.provinces} == {"Đà Nẵng", "Vĩnh Phúc"}
    m = matrix.province_platform_matrix(store, include_planned=False, province="vinh-phuc")
    assert (VP, POPULATION) in m.cells and all(c.status == "operational" for c in m.cells.values())
    assert [label for _, label in m.provinces] == ["Vĩnh Phúc"]
    with pytest.raises(ExportError, match="Lào Cai"):
        matrix.province_platform_matrix(store, province="Hà Giang")
    with pytest.raises(ExportError, match="under the filters \\(as-of 2023\\)"):
        matrix.province_platform_matrix(store, as_of="2023")


def test_matrix_table_text(store: Store) -> None:
    text = matrix.matrix_table(matrix.province_platform_matrix(store), lang="en")
    lines = text.splitlines()
    assert lines[0] == "Province × national platform — 6 sources"
    vp = next(line for line in lines if line.strip().startswith("Vĩnh Phúc"))
    assert "● 2025-Q1" in vp and "● 2025-Q3" in vp and vp.rstrip().endswith("12")
    assert "  P1  National Public Service Portal  <" + PORTAL + ">" in lines
    rows = matrix.matrix_rows(matrix.province_platform_matrix(store))
    assert len(rows) == 16 and set(rows[0]) == set(matrix.MATRIX_COLUMNS)


# -- the agency hierarchy --------------------------------------------------------------------
def test_agency_hierarchy(store: Store) -> None:
    A = views.agency_hierarchy(store)
    rows = queries.select(store, "agency_hierarchy")
    agencies = {n for n, d in A.nodes(data=True) if d["kind"] == "agency"}
    assert agencies == {r["agency"] for r in rows}
    so_noi_vu = ID + "agency/vinh-phuc/so-noi-vu"
    ubnd = ID + "agency/vinh-phuc/ubnd"
    assert A.edges[so_noi_vu, ubnd]["relation"] == "subOrganizationOf"
    assert A.edges[ubnd, VP]["relation"] == "jurisdiction"
    assert A.nodes[VP]["kind"] == "unit" and A.nodes[VP]["label_vi"] == "Tỉnh Vĩnh Phúc"
    assert A.edges[VP_TTHC, ubnd]["relation"] == "operator"
    assert A.nodes[ID + "agency/central/bo-cong-an"]["system_count"] == 2


# -- layout ----------------------------------------------------------------------------------
def test_layout_rings_and_province_sectors(network: nx.MultiDiGraph) -> None:
    pos = views.layout(network)
    radius = {n: math.hypot(*p) for n, p in pos.items()}
    national = [n for n, d in network.nodes(data=True)
                if d["kind"] == "system" and d["level"] == "national"]
    provincial = [n for n, d in network.nodes(data=True)
                  if d["kind"] == "system" and d["level"] == "provincial"]
    assert max(radius[n] for n in national) < min(radius[n] for n in provincial)
    # walking round the outer ring meets each province once: one sector per province
    ring = sorted(provincial, key=lambda n: math.atan2(pos[n][1], pos[n][0]))
    runs = [network.nodes[n]["province"] for n in ring]
    changes = sum(a != b for a, b in zip(runs, runs[1:] + runs[:1], strict=True))
    assert changes == 5
    for n, d in network.nodes(data=True):
        if d["kind"] == "group":
            assert radius[n] > radius[d["system"]]
            assert math.dist(pos[n], pos[d["system"]]) < 0.8
    assert len(set(pos.values())) == len(pos)  # no two nodes on one spot


# -- the command line: `reformkg graph --measures / --matrix` and its bad input -------------
@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("p5") / "store"
    s = Store(path)
    s.remove_graph(str(REFERENCE_GRAPH))
    s._ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    s.close()
    return path


def _cli(*args: str) -> Any:
    from click.testing import CliRunner

    from api.cli import main

    return CliRunner().invoke(main, ["graph", *args])


def test_cli_measures_and_matrix(store_dir: Path) -> None:
    result = _cli("--store", str(store_dir), "--measures")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("System network measures — 6 sources")
    assert "23 reported, 1 named (gap 22)" in result.stdout
    result = _cli("--store", str(store_dir), "--matrix", "--as-of", "2025-Q1")
    assert result.exit_code == 0, result.output
    assert "as-of 2025-Q1" in result.stdout.splitlines()[0]
    result = _cli("--store", str(store_dir), "--matrix", "--format", "csv")
    assert result.stdout.startswith("province,province_label,platform,")
    result = _cli("--store", str(store_dir), "--measures", "--format", "json",
                  "--operational-only")
    assert json.loads(result.stdout)["planned"] == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--province", "Hà Giang"], "provinces with systems: Thành phố Cần Thơ (can-tho"),
        (["--level", "commune"], "levels present: national, provincial, other"),
        (["--as-of", "soon"], "does not parse"),
        (["--as-of", "2023", "--measures"], "no connections left after the filters (as-of 2023)"),
        (["--matrix", "--level", "national"], "--matrix has no --level"),
        (["--measures", "--matrix"], "choose one of --measures, --matrix"),
    ],
)
def test_cli_bad_filters_exit_2_with_one_line(store_dir: Path, args: list[str], says: str) -> None:
    result = _cli("--store", str(store_dir), *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and says in lines[0], result.stderr
