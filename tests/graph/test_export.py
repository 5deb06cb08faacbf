"""Exports: fact and connection tables (DESIGN.md section 4) and the network file formats."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from graph import export, queries, views
from graph.errors import ExportError
from graph.store import Store
from ontology import REFERENCE_GRAPH, RKG

VP = "https://w3id.org/reformkg/id/adm/2008-2025/province/26"
PT = "https://w3id.org/reformkg/id/adm/2025/province/25"


def _texts(store: Store) -> dict[str, str]:
    pred = ox.NamedNode(str(RKG.text))
    return {q.subject.value: q.object.value for q in store._ox.quads_for_pattern(None, pred, None)}


# -- facts -----------------------------------------------------------------------------------
def test_facts_columns_exactly(store: Store) -> None:
    rows = export.facts_rows(store)
    assert len(rows) == 13
    assert export.FACT_COLUMNS == (
        "source", "source_id", "value", "unit", "kind", "qualifier", "indicator",
        "indicator_label", "subject", "subject_label", "place", "period", "surface", "start",
        "end", "sentence",
    )
    assert all(tuple(r) == export.FACT_COLUMNS for r in rows)


def test_facts_values_are_plain_python_in_base_units(store: Store) -> None:
    by_surface = {r["surface"]: r for r in export.facts_rows(store)}
    money = by_surface["khoảng 1.880 tỷ đồng"]
    assert money["value"] == 1880000000000 and type(money["value"]) is int
    assert (money["unit"], money["kind"], money["qualifier"]) == ("VND", "money", "about")
    rate = by_surface["33,75%"]
    assert rate["value"] == 33.75 and type(rate["value"]) is float
    assert rate["indicator"] == "https://w3id.org/reformkg/id/indicator/plan-tasks-completed"
    assert rate["indicator_label"] == "Plan tasks completed"
    # the plan has no English label: the Vietnamese one is used
    assert rate["subject_label"] == "Kế hoạch cải cách hành chính năm 2025 của tỉnh Vĩnh Phúc"
    ontime = by_surface["hơn 99,5%"]
    assert (ontime["qualifier"], ontime["period"], ontime["place"]) == ("more_than", "2025-Q1", VP)
    assert ontime["subject_label"] == "Vĩnh Phúc Provincial People's Committee"
    score = by_surface["90,09/100 điểm"]
    assert score["indicator_label"] == "Bộ chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)"
    assert (score["unit"], score["kind"]) == ("point", "score")
    assert by_surface["gần 45.230 hồ sơ"]["value"] == 45230


def test_facts_offsets_point_into_the_stored_text(store: Store) -> None:
    texts = _texts(store)
    for r in export.facts_rows(store):
        assert type(r["start"]) is int and type(r["end"]) is int
        span = texts[r["source"]][r["start"] : r["end"]]
        assert r["surface"] in span
        assert span in r["sentence"]


def test_facts_are_ordered_by_source_and_offset(store: Store) -> None:
    keys = [(r["source_id"], r["start"], r["end"]) for r in export.facts_rows(store)]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("filters", "count"),
    [
        ({"source_id": "phutho-demo"}, 5),
        ({"source_id": "nothing"}, 0),
        ({"indicator": "dossiers-on-time"}, 2),
        ({"indicator": "https://w3id.org/reformkg/id/indicator/procedures-announced"}, 2),
        ({"place": "adm/2025/province/25"}, 5),
        ({"place": VP}, 8),
        ({"period": "2025"}, 1),
        ({"period": "2025-Q1", "indicator": "systems-connected"}, 2),
        ({"source_id": "vinhphuc-demo", "place": PT}, 0),
    ],
)
def test_facts_filters(store: Store, filters: dict[str, str], count: int) -> None:
    rows = export.facts_rows(store, **filters)
    assert len(rows) == count


# -- connections -----------------------------------------------------------------------------
def test_connections_columns_and_values(store: Store) -> None:
    rows = export.connections_rows(store)
    assert len(rows) == 10
    assert all(tuple(r) == export.CONNECTION_COLUMNS for r in rows)
    grouped = [r for r in rows if r["count"] is not None]
    assert sorted((r["count"], r["level"]) for r in grouped) == [(11, "national"), (19, None)]
    assert all(r["to"].endswith("/group") for r in grouped)
    assert {r["to_label"] for r in grouped} == {"19 systems", "11 national systems"}
    assert sum(r["status"] == "planned" for r in rows) == 2
    doc = [r for r in rows if r["to"].endswith("national-document-exchange")]
    assert {r["to_label"] for r in doc} == {"National Document Exchange Hub"}
    assert len(export.connections_rows(store, source_id="phutho-demo")) == 4
    texts = _texts(store)
    for r in rows:
        assert texts[r["source"]][r["start"] : r["end"]] == r["surface"]


# -- writing rows ----------------------------------------------------------------------------
def test_write_jsonl_keeps_column_order_and_utf8(store: Store) -> None:
    buf = io.StringIO()
    export.write_rows(export.facts_rows(store), "jsonl", buf, export.FACT_COLUMNS)
    lines = buf.getvalue().splitlines()
    assert len(lines) == 13
    first = json.loads(lines[0])
    assert tuple(first) == export.FACT_COLUMNS
    assert "Phú Thọ" in buf.getvalue()  # ensure_ascii=False
    assert any(json.loads(line)["value"] == 1880000000000 for line in lines)


def test_write_csv_to_a_file(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "connections.csv"
    export.write_rows(export.connections_rows(store), "csv", out, export.CONNECTION_COLUMNS)
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == export.CONNECTION_COLUMNS
    assert len(rows) == 10
    assert {r["count"] for r in rows} == {"", "19", "11"}


def test_write_table_aligns_and_truncates(store: Store) -> None:
    buf = io.StringIO()
    export.write_rows(export.facts_rows(store), "table", buf, export.FACT_COLUMNS)
    lines = buf.getvalue().splitlines()
    assert lines[0].split() == list(export.FACT_COLUMNS)
    assert set(lines[1]) <= {"-", " "}
    assert len(lines) == 2 + 13
    assert "…" in buf.getvalue()
    sentence_col = lines[0].index("sentence")
    assert all(len(line[sentence_col:]) <= 60 for line in lines[2:])
    assert "id:indicator/dossiers-on-time" in buf.getvalue()


def test_unknown_row_format(store: Store) -> None:
    with pytest.raises(ExportError, match="jsonl, csv, table"):
        export.write_rows([], "xlsx", io.StringIO(), export.FACT_COLUMNS)


# -- the network -----------------------------------------------------------------------------
def test_graphml_loads_back(network: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "systems.graphml"
    assert export.write_network(network, "graphml", path) == [path]
    H = nx.read_graphml(path)
    assert (H.number_of_nodes(), H.number_of_edges()) == (11, 9)
    group = H.nodes["https://w3id.org/reformkg/id/source/vinhphuc-demo/conn/436-447-1/group"]
    assert group["kind"] == "group" and group["count"] == 19 and group["label"] == "19 hệ thống"
    edge = H.edges[
        "https://w3id.org/reformkg/id/system/national-data-exchange-platform",
        "https://w3id.org/reformkg/id/system/national-population-database",
    ]
    assert edge["source_count"] == 2 and edge["sources"] == "phutho-demo|vinhphuc-demo"


def test_gexf_loads_back_with_viz(network: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "systems.gexf"
    export.write_network(network, "gexf", path, lang="en")
    H = nx.read_gexf(path)
    assert (H.number_of_nodes(), H.number_of_edges()) == (11, 9)
    node = H.nodes["https://w3id.org/reformkg/id/system/national-public-service-portal"]
    assert node["label"] == "National Public Service Portal"
    assert node["viz"]["color"] == {"r": 192, "g": 57, "b": 43, "a": 1.0}  # national
    assert {"x", "y"} <= set(node["viz"]["position"]) and node["viz"]["size"] > 10


def test_cytoscape_json(network: nx.MultiDiGraph) -> None:
    buf = io.StringIO()
    assert export.write_network(network, "cytoscape", buf) == []
    doc = json.loads(buf.getvalue())
    nodes, edges = doc["elements"]["nodes"], doc["elements"]["edges"]
    assert (len(nodes), len(edges)) == (11, 9)
    assert all("position" in n and n["data"]["id"] for n in nodes)
    planned = [e for e in edges if e["data"]["status"] == "planned"]
    assert len(planned) == 2


def test_dot_is_escaped_text(network: nx.MultiDiGraph) -> None:
    buf = io.StringIO()
    export.write_network(network, "dot", buf)
    text = buf.getvalue()
    assert text.startswith("digraph reformkg_systems {") and text.rstrip().endswith("}")
    assert text.count(" -> ") == 9
    assert text.count('style="dashed"') == 2
    assert export._dot_quote('a "b" \\ c') == '"a \\"b\\" \\\\ c"'


def test_csv_network_to_files_and_stream(network: nx.MultiDiGraph, tmp_path: Path) -> None:
    written = export.write_network(network, "csv", tmp_path / "systems.csv")
    assert [p.name for p in written] == ["systems.nodes.csv", "systems.edges.csv"]
    with written[0].open(encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with written[1].open(encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    assert (len(nodes), len(edges)) == (11, 9)
    assert tuple(nodes[0]) == export.NODE_COLUMNS and tuple(edges[0]) == export.EDGE_COLUMNS
    buf = io.StringIO()
    export.write_network(network, "csv", buf)
    node_part, edge_part = buf.getvalue().split("\n\n")
    assert node_part.startswith("id,label,") and edge_part.startswith("source,target,")


def test_svg_picture(network: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "systems.svg"
    export.write_network(network, "svg", path)
    text = path.read_text(encoding="utf-8")
    assert "<svg" in text
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag.endswith("svg")
    assert "2 nguồn" in text and "19 hệ thống" in text and "Trung ương" in text


def test_png_picture(network: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "systems.png"
    export.write_network(network, "png", path, lang="en")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    binary = io.BytesIO()
    export.write_network(network, "png", binary)
    assert binary.getvalue()[:4] == b"\x89PNG"


def test_text_formats_on_a_binary_stream(network: nx.MultiDiGraph) -> None:
    buf = io.BytesIO()
    export.write_network(network, "graphml", buf)
    H = nx.read_graphml(io.BytesIO(buf.getvalue()))
    assert H.number_of_edges() == 9


def test_png_on_a_text_stream_is_refused(network: nx.MultiDiGraph) -> None:
    with pytest.raises(ExportError, match="binary"):
        export.write_network(network, "png", io.StringIO())


def test_empty_network_still_exports(store: Store) -> None:
    G = views.system_network(store, province="Phú Thọ", level="provincial", include_planned=False)
    assert G.number_of_edges() == 2
    empty = nx.MultiDiGraph()
    for fmt in ("graphml", "gexf", "cytoscape", "dot", "csv", "svg"):
        export.write_network(empty, fmt, io.StringIO())


def test_unknown_network_format_and_language(network: nx.MultiDiGraph) -> None:
    with pytest.raises(ExportError, match="graphml, gexf, cytoscape, dot, csv, svg, png"):
        export.write_network(network, "pajek", io.StringIO())
    with pytest.raises(ExportError, match="vi or en"):
        export.write_network(network, "dot", io.StringIO(), lang="fr")


# -- five provinces: every format loads back with the counts of the query behind it ---------
P5 = Path(__file__).resolve().parents[1] / "data" / "graphs" / "provinces5.trig"
GEXF_NS = "http://www.gexf.net/1.2draft"
VIZ_NS = "http://www.gexf.net/1.2draft/viz"

# The official GEXF 1.2draft XSD is not available offline, so this is our own restatement of the
# part of it that our files use (the root, meta, graph, attributes, nodes/edges with attvalues,
# and the viz color/size/shape/position/thickness elements with their value ranges). lxml
# validates the files against it: namespaces, element names, nesting, required attributes, types.
GEXF_XSD = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified"
    targetNamespace="{GEXF_NS}" xmlns:g="{GEXF_NS}" xmlns:viz="{VIZ_NS}">
  <xs:import namespace="{VIZ_NS}" schemaLocation="viz.xsd"/>
  <xs:simpleType name="attrtype"><xs:restriction base="xs:string">
    <xs:enumeration value="integer"/><xs:enumeration value="long"/>
    <xs:enumeration value="double"/><xs:enumeration value="float"/>
    <xs:enumeration value="boolean"/><xs:enumeration value="liststring"/>
    <xs:enumeration value="string"/><xs:enumeration value="anyURI"/>
  </xs:restriction></xs:simpleType>
  <xs:complexType name="attvalues"><xs:sequence>
    <xs:element name="attvalue" minOccurs="0" maxOccurs="unbounded"><xs:complexType>
      <xs:attribute name="for" type="xs:string" use="required"/>
      <xs:attribute name="value" type="xs:string" use="required"/>
    </xs:complexType></xs:element>
  </xs:sequence></xs:complexType>
  <xs:element name="gexf"><xs:complexType><xs:sequence>
    <xs:element name="meta" minOccurs="0"><xs:complexType>
      <xs:choice minOccurs="0" maxOccurs="unbounded">
        <xs:element name="creator" type="xs:string"/>
        <xs:element name="description" type="xs:string"/>
        <xs:element name="keywords" type="xs:string"/>
      </xs:choice>
      <xs:attribute name="lastmodifieddate" type="xs:date"/>
    </xs:complexType></xs:element>
    <xs:element name="graph"><xs:complexType><xs:sequence>
      <xs:element name="attributes" minOccurs="0" maxOccurs="unbounded"><xs:complexType>
        <xs:sequence><xs:element name="attribute" minOccurs="0" maxOccurs="unbounded">
          <xs:complexType>
            <xs:sequence><xs:element name="default" type="xs:string" minOccurs="0"/></xs:sequence>
            <xs:attribute name="id" type="xs:string" use="required"/>
            <xs:attribute name="title" type="xs:string" use="required"/>
            <xs:attribute name="type" type="g:attrtype" use="required"/>
          </xs:complexType>
        </xs:element></xs:sequence>
        <xs:attribute name="class" use="required"><xs:simpleType>
          <xs:restriction base="xs:string">
            <xs:enumeration value="node"/><xs:enumeration value="edge"/>
          </xs:restriction></xs:simpleType></xs:attribute>
        <xs:attribute name="mode" type="xs:string"/>
      </xs:complexType></xs:element>
      <xs:element name="nodes"><xs:complexType><xs:sequence>
        <xs:element name="node" minOccurs="0" maxOccurs="unbounded"><xs:complexType>
          <xs:choice minOccurs="0" maxOccurs="unbounded">
            <xs:element name="attvalues" type="g:attvalues"/>
            <xs:element ref="viz:color"/><xs:element ref="viz:size"/>
            <xs:element ref="viz:position"/><xs:element ref="viz:shape"/>
          </xs:choice>
          <xs:attribute name="id" type="xs:string" use="required"/>
          <xs:attribute name="label" type="xs:string"/>
        </xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
      <xs:element name="edges"><xs:complexType><xs:sequence>
        <xs:element name="edge" minOccurs="0" maxOccurs="unbounded"><xs:complexType>
          <xs:choice minOccurs="0" maxOccurs="unbounded">
            <xs:element name="attvalues" type="g:attvalues"/>
            <xs:element ref="viz:color"/><xs:element ref="viz:thickness"/>
            <xs:element ref="viz:shape"/>
          </xs:choice>
          <xs:attribute name="id" type="xs:string" use="required"/>
          <xs:attribute name="source" type="xs:string" use="required"/>
          <xs:attribute name="target" type="xs:string" use="required"/>
          <xs:attribute name="label" type="xs:string"/>
          <xs:attribute name="weight" type="xs:double"/>
        </xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence>
      <xs:attribute name="defaultedgetype"><xs:simpleType><xs:restriction base="xs:string">
        <xs:enumeration value="directed"/><xs:enumeration value="undirected"/>
        <xs:enumeration value="mutual"/></xs:restriction></xs:simpleType></xs:attribute>
      <xs:attribute name="mode"><xs:simpleType><xs:restriction base="xs:string">
        <xs:enumeration value="static"/><xs:enumeration value="dynamic"/>
      </xs:restriction></xs:simpleType></xs:attribute>
    </xs:complexType></xs:element>
  </xs:sequence>
    <xs:attribute name="version" use="required"><xs:simpleType>
      <xs:restriction base="xs:string"><xs:enumeration value="1.2"/></xs:restriction>
    </xs:simpleType></xs:attribute>
  </xs:complexType></xs:element>
</xs:schema>"""
# viz:shape is one element for nodes (disc…) and edges (solid…) in GEXF; XSD 1.0 cannot give
# one element two types by parent, so the subset accepts the union of both value lists.
VIZ_XSD = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified"
    targetNamespace="{VIZ_NS}" xmlns:viz="{VIZ_NS}">
  <xs:simpleType name="channel"><xs:restriction base="xs:nonNegativeInteger">
    <xs:maxInclusive value="255"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="alpha"><xs:restriction base="xs:float">
    <xs:minInclusive value="0.0"/><xs:maxInclusive value="1.0"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="positive"><xs:restriction base="xs:float">
    <xs:minInclusive value="0.0"/></xs:restriction></xs:simpleType>
  <xs:element name="color"><xs:complexType>
    <xs:attribute name="r" type="viz:channel" use="required"/>
    <xs:attribute name="g" type="viz:channel" use="required"/>
    <xs:attribute name="b" type="viz:channel" use="required"/>
    <xs:attribute name="a" type="viz:alpha"/>
  </xs:complexType></xs:element>
  <xs:element name="size"><xs:complexType>
    <xs:attribute name="value" type="viz:positive" use="required"/></xs:complexType></xs:element>
  <xs:element name="thickness"><xs:complexType>
    <xs:attribute name="value" type="viz:positive" use="required"/></xs:complexType></xs:element>
  <xs:element name="position"><xs:complexType>
    <xs:attribute name="x" type="xs:float" use="required"/>
    <xs:attribute name="y" type="xs:float" use="required"/>
    <xs:attribute name="z" type="xs:float"/>
  </xs:complexType></xs:element>
  <xs:element name="shape"><xs:complexType>
    <xs:attribute name="value" use="required"><xs:simpleType>
      <xs:restriction base="xs:string">
        <xs:enumeration value="disc"/><xs:enumeration value="square"/>
        <xs:enumeration value="triangle"/><xs:enumeration value="diamond"/>
        <xs:enumeration value="image"/>
        <xs:enumeration value="solid"/><xs:enumeration value="dotted"/>
        <xs:enumeration value="dashed"/><xs:enumeration value="double"/>
      </xs:restriction></xs:simpleType></xs:attribute>
    <xs:attribute name="uri" type="xs:anyURI"/>
  </xs:complexType></xs:element>
</xs:schema>"""


@pytest.fixture(scope="module")
def p5_store() -> Store:
    s = Store(None)
    s.remove_graph(str(REFERENCE_GRAPH))
    s._ox.load(path=str(P5), format=ox.RdfFormat.TRIG)
    return s


@pytest.fixture(scope="module")
def p5(p5_store: Store) -> nx.MultiDiGraph:
    return views.system_network(p5_store)


@pytest.fixture(scope="module")
def p5_counts(p5_store: Store) -> tuple[int, int]:
    """(nodes, edges) of the SPARQL query behind the network."""
    rows = queries.select(p5_store, "system_network")
    return len({r["from"] for r in rows} | {r["to"] for r in rows}), len(rows)


def test_p5_graphml_round_trip(p5: nx.MultiDiGraph, p5_counts: tuple[int, int],
                               tmp_path: Path) -> None:
    path = tmp_path / "p5.graphml"
    export.write_network(p5, "graphml", path)
    H = nx.read_graphml(path)
    assert (H.number_of_nodes(), H.number_of_edges()) == p5_counts == (28, 25)
    assert set(H.nodes) == set(p5.nodes)  # stable IRIs as ids
    tthc = H.nodes["https://w3id.org/reformkg/id/system/vinh-phuc/tthc-information-system"]
    # Gephi's GraphML importer reads colour, size and position from these names
    assert (tthc["r"], tthc["g"], tthc["b"], tthc["color"]) == (36, 113, 163, "#2471a3")
    assert tthc["size"] == 10.0 + 4 * 6 and {"x", "y"} <= set(tthc)
    assert (tthc["reported"], tthc["named"], tthc["gap"], tthc["degree"]) == (23, 1, 22, 6)
    assert H.graph["source_count"] == 6


def test_p5_gexf_round_trip_and_schema(p5: nx.MultiDiGraph, p5_counts: tuple[int, int],
                                       tmp_path: Path) -> None:
    etree = pytest.importorskip("lxml.etree")
    path = tmp_path / "p5.gexf"
    export.write_network(p5, "gexf", path)
    H = nx.read_gexf(path)
    assert (H.number_of_nodes(), H.number_of_edges()) == p5_counts
    (tmp_path / "gexf.xsd").write_text(GEXF_XSD, encoding="utf-8")
    (tmp_path / "viz.xsd").write_text(VIZ_XSD, encoding="utf-8")
    schema = etree.XMLSchema(etree.parse(str(tmp_path / "gexf.xsd")))
    doc = etree.parse(str(path))
    assert schema.validate(doc), schema.error_log
    root = doc.getroot()
    assert root.tag == f"{{{GEXF_NS}}}gexf" and root.get("version") == "1.2"
    ns = {"g": GEXF_NS, "viz": VIZ_NS}
    nodes = root.findall("g:graph/g:nodes/g:node", ns)
    assert len(nodes) == p5_counts[0]
    for node in nodes:  # colour by level, size by degree, a position: what Gephi shows
        assert node.find("viz:color", ns) is not None and node.find("viz:size", ns) is not None
        assert node.find("viz:position", ns) is not None
    squares = [n for n in nodes if n.find("viz:shape", ns).get("value") == "square"]
    assert len(squares) == 7  # the group nodes
    dashed = root.findall("g:graph/g:edges/g:edge/viz:shape[@value='dashed']", ns)
    assert len(dashed) == 4  # planned connections
    description = root.find("g:meta/g:description", ns).text
    assert description.startswith("Mạng kết nối hệ thống thông tin — 6 nguồn")
    broken = etree.fromstring(etree.tostring(root).replace(b'r="36"', b'r="360"', 1))
    assert not schema.validate(broken)  # the schema does check the viz values


def test_p5_cytoscape(p5: nx.MultiDiGraph, p5_counts: tuple[int, int]) -> None:
    buf = io.StringIO()
    export.write_network(p5, "cytoscape", buf, lang="en")
    doc = json.loads(buf.getvalue())
    nodes, edges = doc["elements"]["nodes"], doc["elements"]["edges"]
    assert (len(nodes), len(edges)) == p5_counts
    assert {n["data"]["id"] for n in nodes} == set(p5.nodes)
    assert all({"x", "y"} == set(n["position"]) for n in nodes)
    assert all(n["data"]["colour"].startswith("#") and n["data"]["size"] > 0 for n in nodes)
    assert len({e["data"]["id"] for e in edges}) == len(edges)
    assert all(e["data"]["provenance"] for e in edges)


def test_p5_dot_and_csv(p5: nx.MultiDiGraph, p5_counts: tuple[int, int], tmp_path: Path) -> None:
    buf = io.StringIO()
    export.write_network(p5, "dot", buf)
    assert buf.getvalue().count(" -> ") == p5_counts[1]
    written = export.write_network(p5, "csv", tmp_path / "p5.csv")
    with written[0].open(encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with written[1].open(encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    assert (len(nodes), len(edges)) == p5_counts
    assert tuple(nodes[0]) == export.NODE_COLUMNS and tuple(edges[0]) == export.EDGE_COLUMNS
    assert export.NODE_COLUMNS[:13] == (  # the columns the first version had come first
        "id", "label", "label_vi", "label_en", "kind", "level", "province", "province_label",
        "operator", "count", "degree", "x", "y")
    twice = next(e for e in edges if e["source_count"] == "2")
    assert twice["sources"] == "vinhphuc-2025q1-test|vinhphuc-2025q3-test"
    assert (twice["first_period"], twice["last_period"]) == ("2025-Q1", "2025-Q3")
    assert len(twice["provenance"].split("|")) == 2


def test_p5_pictures(p5: nx.MultiDiGraph, tmp_path: Path) -> None:
    svg = tmp_path / "p5.svg"
    export.write_network(p5, "svg", svg, lang="en")
    text = svg.read_text(encoding="utf-8")
    ET.fromstring(text.encode("utf-8"))
    for expected in ("Information-system connections — 6 sources", "reported 2024 → 2025-Q3",
                     "latest source dated 2025-10-08", "Legend", "23 systems",
                     "Sources (6):", "Planned (dashed)"):
        assert expected in text, expected
    vi = io.StringIO()
    export.write_network(p5, "svg", vi)
    assert "Chú giải" in vi.getvalue() and "23 hệ thống" in vi.getvalue()


def test_p5_agency_exports(p5_store: Store, tmp_path: Path) -> None:
    from graph.network_export import write_agencies

    A = views.agency_hierarchy(p5_store)
    path = tmp_path / "agencies.graphml"
    write_agencies(A, "graphml", path)
    H = nx.read_graphml(path)
    assert (H.number_of_nodes(), H.number_of_edges()) == (A.number_of_nodes(),
                                                          A.number_of_edges())
    buf = io.StringIO()
    write_agencies(A, "json", buf)
    assert len(json.loads(buf.getvalue())["edges"]) == A.number_of_edges()
    with pytest.raises(ExportError, match="not 'png'"):
        write_agencies(A, "png", io.StringIO())
