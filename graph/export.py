"""Exports: fact and connection tables, and the system network for Gephi, Cytoscape, R or pandas.

Tables (``reformkg facts`` / ``reformkg connections``, DESIGN.md section 4) come from the named
queries ``facts.rq`` and ``connections.rq``; their columns are :data:`FACT_COLUMNS` and
:data:`CONNECTION_COLUMNS`, in that order, with plain Python values (``value`` in the base unit).

The network (``reformkg graph``) comes from :func:`graph.views.system_network` and is written by
:func:`write_network` as GraphML, GEXF (with ``viz`` colour, size and position), Cytoscape.js
JSON, DOT, CSV (nodes and edges), or an SVG/PNG picture (:mod:`graph.render`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import networkx as nx

from ontology import ID, PREFIXES

from . import queries
from .errors import ExportError
from .store import Store
from .views import level_colour, network_json

__all__ = [
    "CONNECTION_COLUMNS",
    "EDGE_COLUMNS",
    "FACT_COLUMNS",
    "NETWORK_FORMATS",
    "NODE_COLUMNS",
    "ROW_FORMATS",
    "connections_rows",
    "facts_rows",
    "write_network",
    "write_rows",
]

#: Columns of ``reformkg facts`` (one row per observation).
FACT_COLUMNS: tuple[str, ...] = (
    "source", "source_id", "value", "unit", "kind", "qualifier", "indicator", "indicator_label",
    "subject", "subject_label", "place", "period", "surface", "start", "end", "sentence",
)
#: Columns of ``reformkg connections`` (one row per connection).
CONNECTION_COLUMNS: tuple[str, ...] = (
    "source", "source_id", "from", "from_label", "to", "to_label", "status", "count", "level",
    "surface", "start", "end", "sentence",
)
#: Columns of the network's node and edge tables (CSV export).
NODE_COLUMNS: tuple[str, ...] = (
    "id", "label", "label_vi", "label_en", "kind", "level", "province", "province_label",
    "operator", "count", "degree", "x", "y",
)
EDGE_COLUMNS: tuple[str, ...] = (
    "source", "target", "status", "count", "level", "period", "source_count", "sources", "surface",
)
ROW_FORMATS = ("jsonl", "csv", "table")
NETWORK_FORMATS = ("graphml", "gexf", "cytoscape", "dot", "csv", "svg", "png")

_CELL_WIDTH = 60
Out = str | Path | IO[Any]


# -- tables ----------------------------------------------------------------------------------
def _iri(value: str | None, prefix: str) -> str | None:
    """A full IRI from an IRI, an ``id:``-relative path or a bare slug under ``prefix``.

    >>> _iri("dossiers-on-time", "indicator/")
    'https://w3id.org/reformkg/id/indicator/dossiers-on-time'
    >>> _iri("adm/2025/province/25", "adm/")
    'https://w3id.org/reformkg/id/adm/2025/province/25'
    """
    if value is None:
        return None
    if value.startswith(("http://", "https://", "urn:")):
        return value
    if value.startswith("id:"):
        return str(ID) + value[3:]
    if value.startswith(prefix):
        return str(ID) + value
    return str(ID) + prefix + value


def facts_rows(
    store: Store,
    *,
    source_id: str | None = None,
    indicator: str | None = None,
    place: str | None = None,
    period: str | None = None,
) -> list[dict[str, Any]]:
    """Every observation as a dict with the :data:`FACT_COLUMNS` keys, ordered by source and offset.

    Args:
        store: the store to read.
        source_id: only this source (``dcterms:identifier``: the JSONL id or file stem).
        indicator: only this indicator: IRI, ``id:indicator/…`` or the slug (``dossiers-on-time``).
        place: only this administrative unit: IRI or ``adm/…`` path (``adm/2025/province/25``).
        period: only this period label, exactly as stored (``2025-Q1``, ``2025``).

    Returns:
        Rows of plain values: ``value`` int or float in the base unit (1.880 tỷ đồng is
        ``1880000000000``), offsets int, codes and IRIs str, missing values None.

    Raises:
        QuerySyntaxError: the bundled query does not parse (a packaging error).
        StoreError: the store cannot be read.
    """
    rows = queries.select(
        store, "facts", source_id=source_id, indicator=_iri(indicator, "indicator/"), period=period
    )
    place_iri = _iri(place, "adm/")
    if place_iri is not None:
        # refArea is optional in the model, so it cannot be a bound query parameter.
        rows = [r for r in rows if r["place"] == place_iri]
    return [{c: r.get(c) for c in FACT_COLUMNS} for r in rows]


def connections_rows(store: Store, *, source_id: str | None = None) -> list[dict[str, Any]]:
    """Every system connection as a dict with the :data:`CONNECTION_COLUMNS` keys.

    ``count`` and ``level`` are set on grouped connections ("23 hệ thống, 12 trung ương"),
    whose ``to`` is the rkg:SystemGroup node.

    Raises:
        StoreError: the store cannot be read.
    """
    rows = queries.select(store, "connections", source_id=source_id)
    return [{c: r.get(c) for c in CONNECTION_COLUMNS} for r in rows]


def _compact(value: str) -> str:
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and len(value) > len(ns):
            return f"{prefix}:{value[len(ns):]}"
    return value


def _cell(value: Any, *, table: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if table:
        text = _compact(text).replace("\n", " ")
        if len(text) > _CELL_WIDTH:
            text = text[: _CELL_WIDTH - 1] + "…"
    return text


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    cells = [[_cell(r.get(c), table=True) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(r.get(c), int | float) or r.get(c) is None for r in rows) and bool(rows)
        for c in columns
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(columns)), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells)
    return "\n".join(out) + "\n"


def _open_text(out: Out) -> tuple[IO[str], bool]:
    if isinstance(out, str | Path):
        return open(out, "w", encoding="utf-8", newline=""), True
    return out, False


def write_rows(
    rows: Iterable[Mapping[str, Any]], fmt: str, out: Out, columns: Sequence[str]
) -> None:
    """Write rows as ``jsonl``, ``csv`` or an aligned plain-text ``table``.

    Args:
        rows: dicts with (at least) the ``columns`` keys.
        fmt: ``jsonl`` (one JSON object per line, keys in column order, UTF-8 as is), ``csv``
            (header row; empty cell for None) or ``table`` (aligned columns for a terminal;
            IRIs shortened with the project prefixes, cells cut at 60 characters with "…").
        out: a path or a text stream (``sys.stdout``).
        columns: the columns to write, in order (e.g. :data:`FACT_COLUMNS`).

    Raises:
        ExportError: unknown format.
    """
    if fmt not in ROW_FORMATS:
        raise ExportError(f"unknown table format {fmt!r}; use one of {', '.join(ROW_FORMATS)}")
    rows = list(rows)
    stream, close = _open_text(out)
    try:
        if fmt == "jsonl":
            for r in rows:
                stream.write(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([_cell(r.get(c)) for c in columns] for r in rows)
        else:
            stream.write(_table(rows, columns))
    finally:
        if close:
            stream.close()


# -- the network -----------------------------------------------------------------------------
def _scalar_graph(G: nx.MultiDiGraph, lang: str, *, viz: bool = False) -> nx.MultiDiGraph:
    """A copy whose attributes are GraphML/GEXF scalars (no None, lists joined with "|")."""
    data = network_json(G, lang=lang)
    H = nx.MultiDiGraph()
    H.graph.update(
        name=G.graph.get("name", "reformkg system network"),
        source_count=len(G.graph.get("sources", [])),
        sources="|".join(G.graph.get("sources", [])),
    )
    for node in data["nodes"]:
        attrs = {k: v for k, v in node.items() if k != "id" and v is not None}
        if viz:
            r, g, b = level_colour(node["level"], rgb=True)
            attrs["viz"] = {
                "color": {"r": r, "g": g, "b": b, "a": 1.0},
                "size": 10.0 + 4.0 * node["degree"],
                "position": {
                    "x": round(500.0 * node["x"], 1), "y": round(500.0 * node["y"], 1), "z": 0.0
                },
            }
        H.add_node(node["id"], **attrs)
    for edge in data["edges"]:
        attrs = {
            k: ("|".join(v) if isinstance(v, list) else v)
            for k, v in edge.items()
            if k not in ("source", "target", "key") and v is not None
        }
        H.add_edge(edge["source"], edge["target"], key=edge["key"], **attrs)
    return H


def _dot_quote(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _dot(G: nx.MultiDiGraph, lang: str) -> str:
    data = network_json(G, lang=lang)
    title = data["title"]
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
            "kind": n["kind"],
            "level": n["level"],
            "count": n["count"],
        }
        body = ", ".join(f"{k}={_dot_quote(v)}" for k, v in attrs.items() if v is not None)
        lines.append(f"  {_dot_quote(n['id'])} [{body}];")
    for e in data["edges"]:
        attrs = {
            "status": e["status"],
            "style": "dashed" if e["status"] == "planned" else "solid",
            "label": e["count"],
            "level": e["level"],
            "sources": "|".join(e["sources"]),
            "source_count": e["source_count"],
        }
        body = ", ".join(f"{k}={_dot_quote(v)}" for k, v in attrs.items() if v is not None)
        lines.append(f"  {_dot_quote(e['source'])} -> {_dot_quote(e['target'])} [{body}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _csv_tables(G: nx.MultiDiGraph, lang: str) -> tuple[str, str]:
    data = network_json(G, lang=lang)
    tables = []
    for rows, columns in ((data["nodes"], NODE_COLUMNS), (data["edges"], EDGE_COLUMNS)):
        buf = io.StringIO()
        flat = [
            {k: ("|".join(v) if isinstance(v, list) else v) for k, v in r.items()} for r in rows
        ]
        write_rows(flat, "csv", buf, columns)
        tables.append(buf.getvalue())
    return tables[0], tables[1]


def _cytoscape(G: nx.MultiDiGraph, lang: str) -> str:
    data = network_json(G, lang=lang)
    H = nx.MultiDiGraph()
    H.graph.update(name=data["title"], sources=data["sources"])
    for n in data["nodes"]:
        H.add_node(n["id"], **{k: v for k, v in n.items() if k != "id"})
    for e in data["edges"]:
        H.add_edge(e["source"], e["target"], key=e["key"],
                   **{k: v for k, v in e.items() if k not in ("source", "target", "key")})
    doc = nx.cytoscape_data(H, name="label", ident="id")
    for element in doc["elements"]["nodes"]:
        # Cytoscape.js preset layout: pixels, y pointing down.
        d = element["data"]
        element["position"] = {"x": round(500 * d["x"], 1), "y": round(-500 * d["y"], 1)}
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


def write_network(G: nx.MultiDiGraph, fmt: str, out: Out, *, lang: str = "vi") -> list[Path]:
    """Write the system network in ``fmt`` to a path or stream.

    Args:
        G: a network from :func:`graph.views.system_network`.
        fmt: ``graphml``, ``gexf`` (Gephi; ``viz`` colour by level, size by degree, position
            from :func:`graph.views.layout`), ``cytoscape`` (Cytoscape.js JSON with
            ``elements.nodes``/``elements.edges`` and preset positions), ``dot`` (Graphviz),
            ``csv`` (two tables; ``FOO.csv`` becomes ``FOO.nodes.csv`` and ``FOO.edges.csv``, a
            stream gets nodes, a blank line, edges), ``svg`` or ``png`` (:mod:`graph.render`).
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
        buf = io.BytesIO()
        H = _scalar_graph(G, lang, viz=fmt == "gexf")
        if fmt == "graphml":
            nx.write_graphml(H, buf, encoding="utf-8")
        else:
            nx.write_gexf(H, buf, encoding="utf-8", version="1.2draft")
        return _write(out, buf.getvalue().decode("utf-8"))
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

