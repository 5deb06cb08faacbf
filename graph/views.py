"""networkx projections of the graph: the network of government information systems.

:func:`system_network` builds a :class:`networkx.MultiDiGraph` from the named query
``system_network.rq`` (so researchers can re-run the exact projection in YASGUI). Nodes are keyed
by IRI: information systems (``kind="system"``) and the rkg:SystemGroup nodes of grouped
connections (``kind="group"``, "23 hệ thống" with their ``count``). Edges are keyed by status:
one edge per (from, to, status), merged across sources.

:func:`layout` places national systems on an inner ring, provincial ones outside and groups just
beyond their system; :func:`network_json` is what the web page and the exports read.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

import networkx as nx

from ontology import ID

from . import queries
from .errors import ExportError
from .store import Store

__all__ = [
    "LEVELS",
    "LEVEL_LABELS",
    "layout",
    "level_colour",
    "network_json",
    "system_network",
]

#: Levels from the centre outwards (``id:level/{notation}``).
LEVELS = ("national", "ministry", "provincial", "district", "commune", "other")
_INNER = frozenset({"national", "ministry"})
LEVEL_LABELS: dict[str, dict[str | None, str]] = {
    "vi": {"national": "Trung ương", "ministry": "Bộ, ngành", "provincial": "Cấp tỉnh",
           "district": "Cấp huyện", "commune": "Cấp xã", "other": "Khác", None: "Chưa rõ cấp"},
    "en": {"national": "National", "ministry": "Ministry", "provincial": "Provincial",
           "district": "District", "commune": "Commune", "other": "Other", None: "Level unknown"},
}
_COLOURS: dict[str | None, str] = {
    "national": "#c0392b", "ministry": "#8e44ad", "provincial": "#2471a3",
    "district": "#17a589", "commune": "#d68910", "other": "#7f8c8d", None: "#95a5a6",
}
_SYSTEM_PREFIX = str(ID) + "system/"


def level_colour(level: str | None, *, rgb: bool = False) -> Any:
    """The colour of a level: ``#rrggbb``, or an ``(r, g, b)`` tuple of ints with ``rgb=True``.

    >>> level_colour("national")
    '#c0392b'
    >>> level_colour("provincial", rgb=True)
    (36, 113, 163)
    """
    hex_ = _COLOURS.get(level, _COLOURS[None])
    if not rgb:
        return hex_
    return tuple(int(hex_[i : i + 2], 16) for i in (1, 3, 5))


def _fold(text: str) -> str:
    """Case- and diacritic-insensitive form for matching user input.

    >>> _fold("Vĩnh  Phúc")
    'vinh phuc'
    >>> _fold("Đắk Lắk")
    'dak lak'
    """
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def _province_slug(system_iri: str) -> str | None:
    """The province slug of ``id:system/{province}/{slug}``, None for national systems."""
    if not system_iri.startswith(_SYSTEM_PREFIX):
        return None
    parts = system_iri[len(_SYSTEM_PREFIX):].split("/")
    return parts[0] if len(parts) == 2 else None


def _split(value: Any) -> list[str]:
    return sorted({p for p in str(value).split("|") if p}) if value else []


def _merge_node(G: nx.MultiDiGraph, node: str, attrs: dict[str, Any]) -> None:
    if node not in G:
        G.add_node(node, **attrs)
        return
    current = G.nodes[node]
    for key, value in attrs.items():
        if current.get(key) is None and value is not None:
            current[key] = value


def _build(rows: list[dict[str, Any]]) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(name="reformkg system network")
    sources: set[str] = set()
    for r in rows:
        src, dst = r["from"], r["to"]
        _merge_node(G, src, {
            "kind": "system", "label_vi": r["from_label_vi"], "label_en": r["from_label_en"],
            "level": r["from_level"], "province": r["from_province"],
            "province_label": r["from_province_label"], "operator": r["from_operator"],
            "province_slug": _province_slug(src),
        })
        if r["to_kind"] == "group":
            count = r["count"]
            _merge_node(G, dst, {
                "kind": "group", "count": count,
                "label_vi": r["to_label_vi"] or f"{count} hệ thống",
                "label_en": r["to_label_en"] or f"{count} systems",
                "level": r["level"] or r["to_level"], "system": src, "part_of": r["to_part_of"],
                "province": G.nodes[src].get("province"),
                "province_label": G.nodes[src].get("province_label"),
                "province_slug": G.nodes[src].get("province_slug"),
            })
        else:
            _merge_node(G, dst, {
                "kind": "system", "label_vi": r["to_label_vi"], "label_en": r["to_label_en"],
                "level": r["to_level"], "province": r["to_province"],
                "province_label": r["to_province_label"], "operator": r["to_operator"],
                "province_slug": _province_slug(dst),
            })
        edge_sources = _split(r["sources"])
        sources.update(edge_sources)
        G.add_edge(
            src, dst, key=r["status"] or "unknown",
            status=r["status"], count=r["count"], level=r["level"],
            period=_split(r["period"]), source_count=r["source_count"], sources=edge_sources,
            surface=r["surface"], kind="grouped" if r["to_kind"] == "group" else "named",
        )
    G.graph["sources"] = sorted(sources)
    return G


def _provinces(G: nx.MultiDiGraph) -> dict[str, tuple[str | None, str | None]]:
    """Province IRI -> (label, slug) of the systems in the network."""
    found: dict[str, tuple[str | None, str | None]] = {}
    for _, d in G.nodes(data=True):
        if d.get("province"):
            label, slug = found.get(d["province"], (None, None))
            found[d["province"]] = (
                label or d.get("province_label"),
                slug or d.get("province_slug"),
            )
    return found


def _match_province(G: nx.MultiDiGraph, wanted: str) -> set[str]:
    provinces = _provinces(G)
    key = _fold(wanted)
    hits = set()
    for iri, (label, slug) in provinces.items():
        names = {_fold(iri), _fold(iri[len(str(ID)):]) if iri.startswith(str(ID)) else ""}
        if label:
            names.add(_fold(label))
            for prefix in ("tinh ", "thanh pho ", "tp "):
                if _fold(label).startswith(prefix):
                    names.add(_fold(label)[len(prefix):])
        if slug:
            names.update({slug, slug.replace("-", " ")})
        if key in names or key.replace(" ", "-") in names:
            hits.add(iri)
    if not hits:
        listed = "; ".join(
            f"{label or '?'} ({slug or '-'}, <{iri}>)"
            for iri, (label, slug) in sorted(provinces.items(), key=lambda kv: kv[1][0] or kv[0])
        )
        raise ExportError(
            f"no province {wanted!r} in the system network; provinces with systems: "
            f"{listed or 'none (no provincial systems loaded)'}"
        )
    return hits


def _attr(G: nx.MultiDiGraph, edge: tuple[str, str, str], key: str, end: int = 0) -> Any:
    """An attribute of the edge's source (``end=0``) or target (``end=1``) node."""
    return G.nodes[edge[end]].get(key)


def _keep_edges(G: nx.MultiDiGraph, keep: list[tuple[str, str, str]]) -> nx.MultiDiGraph:
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    for u, v, k in keep:
        for n in (u, v):
            if n not in H:
                H.add_node(n, **G.nodes[n])
        H.add_edge(u, v, key=k, **G.edges[u, v, k])
    H.graph["sources"] = sorted({s for *_, d in H.edges(data=True) for s in d["sources"]})
    return H


def system_network(
    store: Store,
    *,
    province: str | None = None,
    level: str | None = None,
    include_planned: bool = True,
) -> nx.MultiDiGraph:
    """The network of information systems and their connections.

    Args:
        store: the store to read.
        province: keep connections that touch a system of this province. Accepts the unit's
            IRI, its ``adm/…`` path, its Vietnamese label with or without diacritics
            ("Vĩnh Phúc", "vinh phuc") or the slug of its systems (``vinh-phuc``).
        level: keep connections that touch a node of this level (``national``,
            ``provincial``, …; a group node has the level its connection states).
        include_planned: keep connections whose status is ``planned`` (drawn dashed).

    Returns:
        A MultiDiGraph keyed by IRI. Node attributes: ``kind`` (system|group), ``label_vi``,
        ``label_en``, ``level``, ``province``, ``province_label``, ``operator``, and for groups
        ``count``, ``system`` and ``part_of``. Edge attributes: ``status``, ``count``,
        ``level``, ``period`` (list), ``source_count``, ``sources`` (list of source ids),
        ``surface``, ``kind`` (named|grouped). ``G.graph["sources"]`` lists the source ids.

    Raises:
        ExportError: the province or level is not in the network (the message lists those that are).
        StoreError: the store cannot be read.
    """
    G = _build(queries.select(store, "system_network"))
    keep = list(G.edges(keys=True))
    if province is not None:
        wanted = _match_province(G, province)
        keep = [
            e for e in keep
            if _attr(G, e, "province") in wanted or _attr(G, e, "province", 1) in wanted
        ]
    if level is not None:
        levels = {d.get("level") for _, d in G.nodes(data=True)} - {None}
        if level not in levels:
            order = [lv for lv in LEVELS if lv in levels] + sorted(levels - set(LEVELS))
            raise ExportError(
                f"no level {level!r} in the system network; levels present: "
                f"{', '.join(order) or 'none'}"
            )
        keep = [e for e in keep if level in (_attr(G, e, "level"), _attr(G, e, "level", 1))]
    if not include_planned:
        keep = [e for e in keep if G.edges[e].get("status") != "planned"]
    return _keep_edges(G, keep)


def _ring_key(G: nx.MultiDiGraph, n: str) -> tuple[str, str, str]:
    d = G.nodes[n]
    return (d.get("province_label") or d.get("province") or "~", d.get("label_vi") or "", n)


def layout(G: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Level-aware, deterministic positions in about [-1.4, 1.4]².

    National and ministry systems sit on an inner ring (ordered next to the provincial systems
    they connect to), provincial and other systems on the outer ring grouped by province, and
    each system group just outside the system whose connection it counts.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="system", level="national")
    >>> layout(G)
    {'a': (0.0, 0.0)}
    """
    systems = [n for n, d in G.nodes(data=True) if d.get("kind") != "group"]
    inner = sorted((n for n in systems if G.nodes[n].get("level") in _INNER), key=str)
    outer = sorted((n for n in systems if n not in set(inner)), key=lambda n: _ring_key(G, n))
    shells = [s for s in (inner, outer) if s]
    pos: dict[str, tuple[float, float]] = {}
    if shells:
        first = nx.shell_layout(G.subgraph(systems), nlist=shells, rotate=0)
        if inner and outer:
            # Barycentre ordering: each national system next to the provincial ones it serves.
            def angle(n: str) -> float:
                xs = [first[m] for m in nx.all_neighbors(G, n) if m in first and m not in inner]
                if not xs:
                    return math.inf
                return math.atan2(sum(p[1] for p in xs), sum(p[0] for p in xs)) % (2 * math.pi)

            inner = sorted(inner, key=lambda n: (angle(n), n))
            first = nx.shell_layout(G.subgraph(systems), nlist=[inner, outer], rotate=0)
        # "+ 0.0" turns -0.0 into 0.0 so exports read cleanly
        pos = {n: (round(float(x), 6) + 0.0, round(float(y), 6) + 0.0)
               for n, (x, y) in first.items()}
    groups: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        if d.get("kind") == "group":
            groups.setdefault(d.get("system") or "", []).append(n)
    for system, members in sorted(groups.items()):
        x, y = pos.get(system, (0.0, 0.0))
        base = math.atan2(y, x) if (x, y) != (0.0, 0.0) else math.pi / 2
        radius = math.hypot(x, y) + 0.3
        members.sort(key=lambda n: (-(G.nodes[n].get("count") or 0), n))
        for i, n in enumerate(members):
            offset = (i - (len(members) - 1) / 2) * 0.22
            pos[n] = (
                round(radius * math.cos(base + offset), 6) + 0.0,
                round(radius * math.sin(base + offset), 6) + 0.0,
            )
    return pos


def _title(n_sources: int, lang: str) -> str:
    if lang == "en":
        return f"Information-system connections — {n_sources} source{'s' if n_sources != 1 else ''}"
    return f"Mạng kết nối hệ thống thông tin — {n_sources} nguồn"


def network_json(G: nx.MultiDiGraph, *, lang: str = "vi") -> dict[str, Any]:
    """The network as plain JSON for the web page (and the exports).

    Returns:
        ``{"title", "sources", "nodes": [{id, label, label_vi, label_en, level, kind, count,
        x, y, degree, province, province_label, operator}], "edges": [{source, target, key,
        status, count, level, period, source_count, sources, surface}]}``; ``label`` is in
        ``lang`` (falling back to the other language, then the IRI).
    """
    pos = layout(G)
    other = "en" if lang == "vi" else "vi"
    nodes = []
    for n in sorted(G.nodes, key=str):
        d = G.nodes[n]
        x, y = pos.get(n, (0.0, 0.0))
        nodes.append({
            "id": n,
            "label": d.get(f"label_{lang}") or d.get(f"label_{other}") or n.rsplit("/", 1)[-1],
            "label_vi": d.get("label_vi"), "label_en": d.get("label_en"),
            "level": d.get("level"), "kind": d.get("kind", "system"), "count": d.get("count"),
            "x": round(x, 4), "y": round(y, 4), "degree": int(G.degree(n)),
            "province": d.get("province"), "province_label": d.get("province_label"),
            "operator": d.get("operator"),
        })
    edges = [
        {
            "source": u, "target": v, "key": k, "status": d.get("status"),
            "count": d.get("count"), "level": d.get("level"), "period": list(d.get("period", [])),
            "source_count": d.get("source_count"), "sources": list(d.get("sources", [])),
            "surface": d.get("surface"),
        }
        for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    ]
    sources = list(G.graph.get("sources", []))
    return {"title": _title(len(sources), lang), "sources": sources, "nodes": nodes, "edges": edges}
