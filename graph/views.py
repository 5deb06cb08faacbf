"""networkx projections of the graph: the information-system network and the agency hierarchy.

Every projection is backed by a named query researchers can re-run in YASGUI:

- :func:`system_network` — ``system_network.rq`` (one edge per from, to and status, merged
  across sources) plus ``connection_reports.rq`` (one row per report of a connection: its
  period, source date and provenance span), which gives each edge its first and last reported
  period, its sources and spans, and lets ``as_of`` cut the network in time. Nodes are keyed by
  IRI: information systems (``kind="system"``) and the rkg:SystemGroup nodes of grouped
  connections (``kind="group"``, "23 hệ thống" with their ``count``).
- :func:`agency_hierarchy` — ``agency_hierarchy.rq`` (W3C ORG).
- the province × national-platform matrix is in :mod:`graph.matrix`.

:func:`network_json` is what the web page draws and every export writes: nodes with
:func:`graph.layout.layout` positions and :func:`graph.measures.node_measures`, edges with
their provenance.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx

from ontology import ID

from . import queries
from .errors import ExportError
from .layout import LEVEL_LABELS, LEVELS, layout, level_colour
from .measures import node_measures, short_province
from .periods import end_of, fold, parse_as_of, sort_periods
from .store import Store

__all__ = [
    "LEVELS",
    "LEVEL_LABELS",
    "agency_hierarchy",
    "layout",
    "level_colour",
    "network_json",
    "system_network",
]

_SYSTEM_PREFIX = str(ID) + "system/"
EdgeKey = tuple[str, str, str]


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
                "label_vi": r["to_label_vi"] or (f"{count} hệ thống" if count else "hệ thống"),
                "label_en": r["to_label_en"] or (f"{count} systems" if count else "systems"),
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
        periods = sort_periods(_split(r["period"]))
        G.add_edge(
            src, dst, key=r["status"] or "unknown",
            status=r["status"], count=r["count"], level=r["level"],
            period=periods, first_period=periods[0] if periods else None,
            last_period=periods[-1] if periods else None,
            source_count=r["source_count"], sources=edge_sources, provenance=[],
            connections=[], surface=r["surface"],
            kind="grouped" if r["to_kind"] == "group" else "named",
        )
    G.graph["sources"] = sorted(sources)
    return G


def _report_end(report: dict[str, Any]) -> date | None:
    """When a report was true: the end of its period, else the source's date."""
    end = end_of(report.get("period"))
    if end is None and report.get("source_date"):
        try:
            end = date.fromisoformat(str(report["source_date"])[:10])
        except ValueError:
            return None
    return end


def _apply_reports(
    G: nx.MultiDiGraph, reports: dict[EdgeKey, list[dict[str, Any]]], cut: date | None
) -> int:
    """Give each edge its reports' periods, sources and spans; with ``cut``, drop the edges
    reported only after it. Returns the number of undated reports left out by the cut."""
    undated, drop = 0, []
    for u, v, k, d in G.edges(keys=True, data=True):
        rows = reports.get((u, v, k), [])
        if cut is not None:
            ends = [(r, _report_end(r)) for r in rows]
            undated += sum(end is None for _, end in ends)
            rows = [r for r, end in ends if end is not None and end <= cut]
            if not rows:
                drop.append((u, v, k))
                continue
        if not rows:
            continue
        periods = sort_periods(r["period"] for r in rows if r.get("period"))
        d.update(
            period=periods, first_period=periods[0] if periods else None,
            last_period=periods[-1] if periods else None,
            sources=sorted({r["source_id"] for r in rows}),
            source_count=len({r["source_id"] for r in rows}),
            provenance=sorted({r["span"] for r in rows}),
            connections=sorted({r["conn"] for r in rows}),
            source_dates=sorted({str(r["source_date"])[:10] for r in rows if r.get("source_date")}),
        )
    G.remove_edges_from(drop)
    return undated


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


def match_province(G: nx.MultiDiGraph, wanted: str) -> set[str]:
    """The province IRIs of ``G`` that ``wanted`` names (IRI, ``adm/…`` path, label, slug).

    Raises:
        ExportError: no province of the network matches (the message lists those that exist).
    """
    return match_province_in(_provinces(G), wanted)


def match_province_in(provinces: dict[str, tuple[str | None, str | None]], wanted: str) -> set[str]:
    """The IRIs of ``provinces`` (IRI -> (label, slug)) that ``wanted`` names.

    Raises:
        ExportError: none matches (the message lists the provinces there are).
    """
    key = fold(wanted)
    hits = set()
    for iri, (label, slug) in provinces.items():
        names = {fold(iri), fold(iri[len(str(ID)):]) if iri.startswith(str(ID)) else ""}
        if label:
            names.add(fold(label))
            for prefix in ("tinh ", "thanh pho ", "tp "):
                if fold(label).startswith(prefix):
                    names.add(fold(label)[len(prefix):])
        if slug:
            names.update({slug, slug.replace("-", " ")})
        if key in names or key.replace(" ", "-") in names:
            hits.add(iri)
    if not hits:
        listed = "; ".join(
            f"{label or '?'} ({slug or '-'}, <{iri}>)"
            for iri, (label, slug) in sorted(
                provinces.items(), key=lambda kv: fold(short_province(kv[1][0]) or kv[0]))
        )
        raise ExportError(
            f"no province {wanted!r} in the system network; provinces with systems: "
            f"{listed or 'none (no provincial systems loaded)'}"
        )
    return hits


def check_level(G: nx.MultiDiGraph, level: str) -> None:
    """Raises ExportError naming the levels present when ``level`` is not one of them."""
    levels = {d.get("level") for _, d in G.nodes(data=True)} - {None}
    if level not in levels:
        order = [lv for lv in LEVELS if lv in levels] + sorted(levels - set(LEVELS))
        known = "" if level in LEVELS else f" (levels are {', '.join(LEVELS)})"
        raise ExportError(
            f"no level {level!r} in the system network{known}; levels present: "
            f"{', '.join(order) or 'none'}"
        )


def _keep_edges(G: nx.MultiDiGraph, keep: list[EdgeKey]) -> nx.MultiDiGraph:
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    for u, v, k in keep:
        for n in (u, v):
            if n not in H:
                H.add_node(n, **G.nodes[n])
        H.add_edge(u, v, key=k, **G.edges[u, v, k])
    edges = [d for *_, d in H.edges(data=True)]
    H.graph["sources"] = sorted({s for d in edges for s in d["sources"]})
    periods = sort_periods(p for d in edges for p in d.get("period") or [])
    H.graph["first_period"] = periods[0] if periods else None
    H.graph["last_period"] = periods[-1] if periods else None
    dates = sorted({s for d in edges for s in d.get("source_dates") or []})
    H.graph["latest_source_date"] = dates[-1] if dates else None
    return H


def _describe(filters: dict[str, Any]) -> str:
    parts = [f"{k.replace('_', '-')} {v}" for k, v in filters.items()
             if v is not None and k != "include_planned"]
    if filters.get("include_planned") is False:
        parts.append("operational only")
    return ", ".join(parts)


def _span(G: nx.MultiDiGraph) -> str:
    periods = sort_periods(p for *_, d in G.edges(data=True) for p in d.get("period") or [])
    return f"reported {periods[0]} → {periods[-1]}" if periods else "no reported periods"


def system_network(
    store: Store,
    *,
    province: str | None = None,
    level: str | None = None,
    include_planned: bool = True,
    as_of: str | None = None,
    allow_empty: bool = False,
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
        as_of: keep only what was reported in periods ending on or before this period
            (``2025-Q1``, ``2025-06``, ``quý I/2025``…; a connection without a period counts
            at its source's date). Each edge's periods, sources and spans are those reports'.
        allow_empty: return an empty network instead of raising when nothing is left.

    Returns:
        A MultiDiGraph keyed by IRI. Node attributes: ``kind`` (system|group), ``label_vi``,
        ``label_en``, ``level``, ``province``, ``province_label``, ``province_slug``,
        ``operator``, and for groups ``count``, ``system`` and ``part_of``. Edge attributes:
        ``status``, ``count``, ``level``, ``period`` (list, in time order), ``first_period``,
        ``last_period``, ``source_count``, ``sources`` (source ids), ``provenance`` (span
        IRIs), ``connections`` (rkg:Connection IRIs), ``surface``, ``kind`` (named|grouped).
        ``G.graph`` has ``sources``, ``first_period``, ``last_period``,
        ``latest_source_date`` and ``filters``.

    Raises:
        ExportError: the province or level is not in the network, ``as_of`` is not a period,
            the store holds no connections, or the filters leave none (each message says what
            there is).
        StoreError: the store cannot be read.
    """
    cut_label, cut = parse_as_of(as_of) if as_of else (None, None)
    G = _build(queries.select(store, "system_network"))
    filters = {"province": province, "level": level, "as_of": cut_label,
               "include_planned": include_planned}
    if G.number_of_edges() == 0 and not allow_empty:
        n_sources = len(queries.select(store, "sources_summary"))
        raise ExportError(
            f"the store holds no system connections ({n_sources} sources loaded); ingest reports "
            "that name connected systems, e.g. `reformkg ingest --store DIR examples/`"
        )
    wanted = match_province(G, province) if province is not None else None
    if level is not None:
        check_level(G, level)
    reports: dict[EdgeKey, list[dict[str, Any]]] = {}
    for r in queries.select(store, "connection_reports"):
        reports.setdefault((r["from"], r["to"], r["status"] or "unknown"), []).append(r)
    full = G.copy()
    undated = _apply_reports(G, reports, cut)
    keep = list(G.edges(keys=True))
    if wanted is not None:
        keep = [e for e in keep
                if G.nodes[e[0]].get("province") in wanted
                or G.nodes[e[1]].get("province") in wanted]
    if level is not None:
        keep = [e for e in keep
                if level in (G.nodes[e[0]].get("level"), G.nodes[e[1]].get("level"))]
    if not include_planned:
        keep = [e for e in keep if G.edges[e].get("status") != "planned"]
    H = _keep_edges(G, keep)
    H.graph["filters"] = filters
    if H.number_of_edges() == 0 and not allow_empty and full.number_of_edges():
        note = f"; {undated} reports have no period or date" if undated else ""
        raise ExportError(
            f"no connections left after the filters ({_describe(filters)}); the whole network "
            f"has {full.number_of_edges()} connections from {len(full.graph['sources'])} "
            f"sources, {_span(full)}{note}"
        )
    return H


def agency_hierarchy(store: Store) -> nx.DiGraph:
    """The agencies (W3C ORG) with their parent bodies, jurisdictions and operated systems.

    Nodes: agencies (``kind="agency"``: ``label_vi``, ``label_en``, ``level``,
    ``jurisdiction``, ``system_count``), administrative units (``kind="unit"``) and systems
    (``kind="system"``). Edges carry ``relation``, the ORG/rkg property they come from:
    agency → parent ``subOrganizationOf``, agency → unit ``jurisdiction``, system → agency
    ``operator``.

    Raises:
        StoreError: the store cannot be read.
    """
    G = nx.DiGraph(name="reformkg agency hierarchy")
    for r in queries.select(store, "agency_hierarchy"):
        agency = r["agency"]
        _merge_node(G, agency, {
            "kind": "agency", "label_vi": r["label_vi"], "label_en": r["label_en"],
            "level": r["level"], "jurisdiction": r["jurisdiction"],
            "system_count": r["system_count"],
        })
        if r["parent"]:
            _merge_node(G, r["parent"], {"kind": "agency"})
            G.add_edge(agency, r["parent"], relation="subOrganizationOf")
        if r["jurisdiction"]:
            _merge_node(G, r["jurisdiction"], {"kind": "unit",
                                               "label_vi": r["jurisdiction_label"]})
            G.add_edge(agency, r["jurisdiction"], relation="jurisdiction")
        for system in _split(r["systems"]):
            _merge_node(G, system, {"kind": "system"})
            G.add_edge(system, agency, relation="operator")
    return G


_WORDS = {
    "vi": {"title": "Mạng kết nối hệ thống thông tin — {n} nguồn", "reported": "kỳ báo cáo",
           "as_of": "tính đến", "dated": "nguồn mới nhất ngày", "province": "tỉnh",
           "level": "cấp", "operational": "chỉ kết nối đang vận hành"},
    "en": {"title": "Information-system connections — {n} source{s}", "reported": "reported",
           "as_of": "as of", "dated": "latest source dated", "province": "province",
           "level": "level", "operational": "operational links only"},
}


def _title(n_sources: int, lang: str) -> str:
    return _WORDS[lang]["title"].format(n=n_sources, s="s" if n_sources != 1 else "")


def _subtitle(G: nx.MultiDiGraph, lang: str) -> str:
    w = _WORDS[lang]
    g = G.graph
    parts = []
    if g.get("first_period"):
        first, last = g["first_period"], g["last_period"]
        span = first if first == last else f"{first} → {last}"
        parts.append(f"{w['reported']} {span}")
    filters = g.get("filters") or {}
    if filters.get("as_of"):
        parts.append(f"{w['as_of']} {filters['as_of']}")
    if filters.get("province"):
        parts.append(f"{w['province']} {filters['province']}")
    if filters.get("level"):
        parts.append(f"{w['level']} {filters['level']}")
    if filters.get("include_planned") is False:
        parts.append(w["operational"])
    if g.get("latest_source_date"):
        parts.append(f"{w['dated']} {g['latest_source_date']}")
    return " · ".join(parts)


def network_json(G: nx.MultiDiGraph, *, lang: str = "vi") -> dict[str, Any]:
    """The network as plain JSON for the web page (and the exports).

    Returns:
        ``{"title", "subtitle", "sources", "first_period", "last_period", "as_of",
        "latest_source_date", "filters", "nodes", "edges"}``. Nodes: ``id, label, label_vi,
        label_en, level, kind, count, x, y, degree, province, province_label, operator`` and
        ``province_slug, colour, system, part_of`` (a group's system and the group it is part
        of), ``in_degree, out_degree, betweenness, component, reported, named, gap,
        operational, planned, level_rank`` (:func:`graph.measures.node_measures`). Edges:
        ``source, target, key, status, count, level, period, source_count, sources, surface``
        and ``kind, first_period,
        last_period, provenance, connections``. ``label`` is in ``lang`` (falling back to the
        other language, then the IRI).
    """
    pos = layout(G)
    measures = node_measures(G)
    other = "en" if lang == "vi" else "vi"
    nodes = []
    for n in sorted(G.nodes, key=str):
        d = G.nodes[n]
        x, y = pos.get(n, (0.0, 0.0))
        m = measures[n]
        nodes.append({
            "id": n,
            "label": d.get(f"label_{lang}") or d.get(f"label_{other}") or n.rsplit("/", 1)[-1],
            "label_vi": d.get("label_vi"), "label_en": d.get("label_en"),
            "level": d.get("level"), "kind": d.get("kind", "system"), "count": d.get("count"),
            "x": round(x, 4), "y": round(y, 4), "degree": m["degree"],
            "province": d.get("province"), "province_label": d.get("province_label"),
            "operator": d.get("operator"),
            "province_slug": d.get("province_slug"), "colour": level_colour(d.get("level")),
            "system": d.get("system"), "part_of": d.get("part_of"),
            **{k: v for k, v in m.items() if k != "degree"},
        })
    edges = [
        {
            "source": u, "target": v, "key": k, "status": d.get("status"),
            "count": d.get("count"), "level": d.get("level"), "period": list(d.get("period", [])),
            "source_count": d.get("source_count"), "sources": list(d.get("sources", [])),
            "surface": d.get("surface"), "kind": d.get("kind"),
            "first_period": d.get("first_period"), "last_period": d.get("last_period"),
            "provenance": list(d.get("provenance", [])),
            "connections": list(d.get("connections", [])),
        }
        for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    ]
    sources = list(G.graph.get("sources", []))
    filters = dict(G.graph.get("filters") or {})
    return {
        "title": _title(len(sources), lang), "subtitle": _subtitle(G, lang),
        "sources": sources, "first_period": G.graph.get("first_period"),
        "last_period": G.graph.get("last_period"), "as_of": filters.get("as_of"),
        "latest_source_date": G.graph.get("latest_source_date"), "filters": filters,
        "nodes": nodes, "edges": edges,
    }
