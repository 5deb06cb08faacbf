"""The system network for Gephi, Cytoscape, Graphviz, R or pandas (``reformkg graph --format``).

Every format is written from :func:`graph.views.network_json`, so all carry the same nodes and
edges (node ids are the stable IRIs), the same positions and the same measures:

- ``graphml``: scalar attributes (lists "|"-joined); for Gephi's GraphML importer also
  ``x``/``y`` (Gephi units), ``size`` (by degree), ``r``/``g``/``b`` and ``color`` (by level).
- ``gexf`` (1.2draft): the same attributes plus Gephi's ``viz`` elements: colour by level,
  size by degree (groups by count), position, shape (disc for systems, square for groups);
  edges with thickness by number of sources and a dashed shape when planned.
- ``cytoscape``: Cytoscape.js / Cytoscape desktop JSON (``elements.nodes``/``elements.edges``,
  preset positions, ``colour`` and ``size`` in ``data`` for style mappings).
- ``dot``: Graphviz, with ``pos`` for ``neato -n``.
- ``csv``: a node table and an edge table (:data:`NODE_COLUMNS`, :data:`EDGE_COLUMNS`).
- ``svg``/``png``: a picture (:mod:`graph.render`).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import networkx as nx

from .errors import ExportError
from .views import level_colour, network_json

__all__ = [
    "AGENCY_FORMATS",
    "EDGE_COLUMNS",
    "NETWORK_FORMATS",
    "NODE_COLUMNS",
    "POSITION_SCALE",
    "node_size",
    "write_agencies",
    "write_network",
]

#: Columns of the network's node and edge tables (CSV export); new columns are only appended.
NODE_COLUMNS: tuple[str, ...] = (
    "id", "label", "label_vi", "label_en", "kind", "level", "province", "province_label",
    "operator", "count", "degree", "x", "y",
    "in_degree", "out_degree", "betweenness", "component", "reported", "named", "gap",
    "operational", "planned", "level_rank",
)
EDGE_COLUMNS: tuple[str, ...] = (
    "source", "target", "status", "count", "level", "period", "source_count", "sources", "surface",
    "kind", "first_period", "last_period", "provenance",
)
NETWORK_FORMATS = ("graphml", "gexf", "cytoscape", "dot", "csv", "svg", "png")
AGENCY_FORMATS = ("graphml", "gexf", "cytoscape", "csv", "json")
#: Layout units → Gephi / Cytoscape units (the layout's outer ring has radius ≥ 1).
POSITION_SCALE = 500.0

Out = str | Path | IO[Any]


def node_size(node: dict[str, Any]) -> float:
    """Gephi/Cytoscape node size: systems by degree, groups by the count they stand for.

    >>> node_size({"kind": "system", "degree": 3}), node_size({"kind": "group", "count": 23})
    (22.0, 31.0)
    """
    if node.get("kind") == "group":
        return float(min(8.0 + (node.get("count") or 1), 60.0))
    return 10.0 + 4.0 * float(node.get("degree") or 0)


def _flat(value: Any) -> Any:
    return "|".join(str(v) for v in value) if isinstance(value, list | tuple) else value


def _graph_attrs(data: dict[str, Any]) -> dict[str, Any]:
    attrs = {
        "name": "reformkg system network", "title": data["title"], "subtitle": data["subtitle"],
        "source_count": len(data["sources"]), "sources": "|".join(data["sources"]),
        "first_period": data.get("first_period"), "last_period": data.get("last_period"),
        "as_of": data.get("as_of"),
    }
    return {k: v for k, v in attrs.items() if v is not None}


def _scalar_graph(G: nx.MultiDiGraph, lang: str, *, viz: bool) -> nx.MultiDiGraph:
    """A copy whose attributes are GraphML/GEXF scalars (no None, lists joined with "|")."""
    data = network_json(G, lang=lang)
    H = nx.MultiDiGraph()
    H.graph.update(_graph_attrs(data))
    for node in data["nodes"]:
        attrs = {k: _flat(v) for k, v in node.items() if k != "id" and v is not None}
        r, g, b = level_colour(node["level"], rgb=True)
        size = node_size(node)
        x, y = round(POSITION_SCALE * node["x"], 1), round(POSITION_SCALE * node["y"], 1)
        if viz:
            attrs.pop("x"), attrs.pop("y")
            attrs["viz"] = {
                "color": {"r": r, "g": g, "b": b, "a": 1.0},
                "size": size,
                "position": {"x": x, "y": y, "z": 0.0},
                "shape": "square" if node["kind"] == "group" else "disc",
            }
        else:  # the attribute names Gephi's GraphML importer maps to colour, size and position
            attrs.update(x=x, y=y, size=size, r=r, g=g, b=b, color=level_colour(node["level"]))
        H.add_node(node["id"], **attrs)
    for edge in data["edges"]:
        attrs = {k: _flat(v) for k, v in edge.items()
                 if k not in ("source", "target", "key") and v is not None}
        if viz:
            planned = edge["status"] == "planned"
            attrs["viz"] = {
                "color": {"r": 127, "g": 140, "b": 141, "a": 1.0} if planned
                else {"r": 52, "g": 73, "b": 94, "a": 1.0},
                "thickness": float(edge.get("source_count") or 1),
                "shape": "dashed" if planned else "solid",
            }
        H.add_edge(edge["source"], edge["target"], key=edge["key"], **attrs)
    return H


def _dot_quote(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _dot(G: nx.MultiDiGraph, lang: str) -> str:
    data = network_json(G, lang=lang)
    title = data["title"] + (f"\n{data['subtitle']}" if data["subtitle"] else "")
    lines = [
        "digraph reformkg_systems {",
        f"  graph [label={_dot_quote(title)}, labelloc=t, overlap=false, splines=true];",
        '  node [style=filled, fontname="DejaVu Sans", fontsize=10];',
        '  edge [color="#7f8c8d"];',
    ]
    for n in data["nodes"]:
        attrs = {
            "label": n["label"],
            "shape": "box" if n["kind"] == "group" else "ellipse",
            "fillcolor": level_colour(n["level"]),
            "pos": f"{n['x'] * 5:.3f},{n['y'] * 5:.3f}",
            "width": f"{node_size(n) / 20:.2f}",
            "kind": n["kind"],
            "level": n["level"],
            "count": n["count"],
            "degree": n["degree"],
            "betweenness": n["betweenness"],
            "reported": n["reported"],
            "named": n["named"],
        }
        body = ", ".join(f"{k}={_dot_quote(v)}" for k, v in attrs.items() if v is not None)
        lines.append(f"  {_dot_quote(n['id'])} [{body}];")
    for e in data["edges"]:
        attrs = {
            "status": e["status"],
            "style": "dashed" if e["status"] == "planned" else "solid",
            "label": e["count"],
            "level": e["level"],
            "penwidth": e["source_count"],
            "sources": "|".join(e["sources"]),
            "source_count": e["source_count"],
            "first_period": e["first_period"],
            "last_period": e["last_period"],
        }
        body = ", ".join(f"{k}={_dot_quote(v)}" for k, v in attrs.items() if v is not None)
        lines.append(f"  {_dot_quote(e['source'])} -> {_dot_quote(e['target'])} [{body}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow(["" if r.get(c) is None else _cell(_flat(r.get(c))) for c in columns])
    return buf.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _csv_tables(G: nx.MultiDiGraph, lang: str) -> tuple[str, str]:
    data = network_json(G, lang=lang)
    return _csv(data["nodes"], NODE_COLUMNS), _csv(data["edges"], EDGE_COLUMNS)


def _cytoscape(G: nx.MultiDiGraph, lang: str) -> str:
    data = network_json(G, lang=lang)
    H = nx.MultiDiGraph()
    H.graph.update(_graph_attrs(data), sources=data["sources"])
    for n in data["nodes"]:
        H.add_node(n["id"], **{k: v for k, v in n.items() if k != "id"}, size=node_size(n))
    for e in data["edges"]:
        H.add_edge(e["source"], e["target"], key=e["key"],
                   **{k: v for k, v in e.items() if k not in ("source", "target", "key")})
    doc = nx.cytoscape_data(H, name="label", ident="id")
    for element in doc["elements"]["nodes"]:
        # Cytoscape preset layout: pixels, y pointing down.
        d = element["data"]
        element["position"] = {"x": round(POSITION_SCALE * d["x"], 1),
                               "y": round(-POSITION_SCALE * d["y"], 1)}
    for i, element in enumerate(doc["elements"]["edges"]):
        element["data"].setdefault("id", f"e{i}")
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _write(out: Out, payload: str | bytes) -> list[Path]:
    if isinstance(out, str | Path):
        path = Path(out)
        if isinstance(payload, bytes):
            path.write_bytes(payload)
        else:
            path.write_text(payload, encoding="utf-8")
        return [path]
    if isinstance(payload, bytes):
        target = getattr(out, "buffer", out)
        try:
            target.write(payload)
        except TypeError:
            raise ExportError("a binary format needs a file (-o FILE) or a binary stream") from None
    else:
        try:
            out.write(payload)
        except TypeError:  # a binary stream (e.g. an HTTP response body)
            out.write(payload.encode("utf-8"))
    return []


def _xml(H: nx.Graph, fmt: str, description: str | None = None) -> str:
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(H, buf, encoding="utf-8")
        return buf.getvalue().decode("utf-8")
    nx.write_gexf(H, buf, encoding="utf-8", version="1.2draft")
    text = buf.getvalue().decode("utf-8")
    # GEXF 1.2draft's <graph> has no name attribute (networkx always writes one); the title
    # goes where the schema puts it, <meta><description>.
    text = re.sub(r'(<graph\b[^>]*?) name="[^"]*"', r"\1", text, count=1)
    if description:
        text = text.replace(
            "</creator>", f"</creator>\n    <description>{escape(description)}</description>", 1
        )
    return text


def write_network(G: nx.MultiDiGraph, fmt: str, out: Out, *, lang: str = "vi") -> list[Path]:
    """Write the system network in ``fmt`` to a path or stream.

    Args:
        G: a network from :func:`graph.views.system_network`.
        fmt: one of :data:`NETWORK_FORMATS` (see the module docstring). ``csv`` writes two
            tables: ``FOO.csv`` becomes ``FOO.nodes.csv`` and ``FOO.edges.csv``; a stream gets
            nodes, a blank line, edges.
        out: a path, or a stream: text or binary (png needs binary or a ``.buffer``).
        lang: ``vi`` (default) or ``en`` node labels.

    Returns:
        The files written (empty when writing to a stream).

    Raises:
        ExportError: unknown format or language, or a binary format asked for on a text stream.
    """
    if fmt not in NETWORK_FORMATS:
        raise ExportError(
            f"unknown network format {fmt!r}; use one of {', '.join(NETWORK_FORMATS)}"
        )
    if lang not in ("vi", "en"):
        raise ExportError(f"unknown label language {lang!r}; use vi or en")
    if fmt in ("svg", "png"):
        from .render import render  # matplotlib is imported only for pictures

        buf = io.BytesIO()
        render(G, fmt, buf, lang=lang)
        data = buf.getvalue()
        return _write(out, data if fmt == "png" else data.decode("utf-8"))
    if fmt in ("graphml", "gexf"):
        H = _scalar_graph(G, lang, viz=fmt == "gexf")
        description = " — ".join(str(H.graph[k]) for k in ("title", "subtitle") if H.graph.get(k))
        return _write(out, _xml(H, fmt, description))
    if fmt == "cytoscape":
        return _write(out, _cytoscape(G, lang))
    if fmt == "dot":
        return _write(out, _dot(G, lang))
    nodes, edges = _csv_tables(G, lang)
    if isinstance(out, str | Path):
        path = Path(out)
        stem = path.name[: -len(".csv")] if path.name.endswith(".csv") else path.name
        written = [path.with_name(f"{stem}.nodes.csv"), path.with_name(f"{stem}.edges.csv")]
        written[0].write_text(nodes, encoding="utf-8")
        written[1].write_text(edges, encoding="utf-8")
        return written
    return _write(out, nodes + "\n" + edges)


# -- the agency hierarchy --------------------------------------------------------------------
_AGENCY_NODE_COLUMNS = ("id", "label", "label_vi", "label_en", "kind", "level", "jurisdiction",
                        "system_count")
_AGENCY_EDGE_COLUMNS = ("source", "target", "relation")


def agency_json(G: nx.DiGraph, *, lang: str = "vi") -> dict[str, Any]:
    """The agency hierarchy (:func:`graph.views.agency_hierarchy`) as plain JSON."""
    other = "en" if lang == "vi" else "vi"
    nodes = [
        {"id": n, "label": d.get(f"label_{lang}") or d.get(f"label_{other}")
         or n.rsplit("/", 1)[-1], **{k: d.get(k) for k in _AGENCY_NODE_COLUMNS[2:]}}
        for n, d in sorted(G.nodes(data=True))
    ]
    edges = [{"source": u, "target": v, "relation": d.get("relation")}
             for u, v, d in sorted(G.edges(data=True), key=lambda e: (e[0], e[1]))]
    return {"nodes": nodes, "edges": edges}


def write_agencies(G: nx.DiGraph, fmt: str, out: Out, *, lang: str = "vi") -> list[Path]:
    """Write the agency hierarchy as ``graphml``, ``gexf``, ``cytoscape``, ``csv`` or ``json``.

    Raises:
        ExportError: unknown format.
    """
    if fmt not in AGENCY_FORMATS:
        raise ExportError(
            f"the agency hierarchy is written as {', '.join(AGENCY_FORMATS)}, not {fmt!r}"
        )
    data = agency_json(G, lang=lang)
    if fmt == "json":
        return _write(out, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    if fmt == "csv":
        return _write(out, _csv(data["nodes"], _AGENCY_NODE_COLUMNS) + "\n"
                      + _csv(data["edges"], _AGENCY_EDGE_COLUMNS))
    H = nx.DiGraph(name="reformkg agency hierarchy")
    for n in data["nodes"]:
        H.add_node(n["id"], **{k: v for k, v in n.items() if k != "id" and v is not None})
    for e in data["edges"]:
        H.add_edge(e["source"], e["target"], relation=e["relation"])
    if fmt == "cytoscape":
        return _write(out, json.dumps(nx.cytoscape_data(H, name="label", ident="id"),
                                      ensure_ascii=False, indent=1) + "\n")
    return _write(out, _xml(H, fmt))
