"""Measures of the system network: what is central, what is connected, what reports leave unnamed.

All measures are computed on the network as filtered (province, level, planned, as-of), so a
table always describes the picture next to it.

- **degree**, **in/out degree**: edges of the drawn network (a grouped connection counts once;
  an operational and a planned link between the same two systems count twice).
- **betweenness**: normalised betweenness centrality on the undirected graph of *named* systems
  (group nodes are leaves that stand for unnamed systems; counting paths through them would
  reward a system for the size of its report, not for bridging).
- **component**: connected components of that graph, numbered 1… by size (largest first);
  a group node belongs to its system's component.
- **reported vs named**: a system whose report says "connected to 23 systems" has
  ``reported = 23``; ``named`` is the number of distinct named systems it is connected to
  operationally (either direction); ``gap = reported - named`` is what the reports leave
  unnamed ("23 reported, 2 named"). When several reports give a total, the latest one counts.
- **operational vs planned shares**: of the connections (edges), overall and per province.

:func:`node_measures` feeds the node attributes of every export; :func:`network_measures` and
:func:`measures_table` give the summary printed by ``reformkg graph --measures``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import networkx as nx

from .layout import LEVEL_LABELS, LEVELS
from .periods import end_of, fold

__all__ = [
    "NetworkMeasures",
    "ProvinceMeasures",
    "format_table",
    "measures_table",
    "network_measures",
    "node_measures",
]

_HUBS_PER_LEVEL = 3


def _is_group(G: nx.MultiDiGraph, n: str) -> bool:
    return bool(G.nodes[n].get("kind") == "group")


def named_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """The undirected simple graph of named systems (group nodes and their edges left out)."""
    S = nx.Graph()
    S.add_nodes_from(n for n in G if not _is_group(G, n))
    S.add_edges_from(
        (u, v) for u, v in G.edges() if not _is_group(G, u) and not _is_group(G, v) and u != v
    )
    return S


def _latest_total(G: nx.MultiDiGraph, system: str) -> int | None:
    """The systems count of the latest report of a total ("23 hệ thống") for ``system``."""
    reports: dict[tuple[str, str], list[int]] = {}
    for _, group, d in G.out_edges(system, data=True):
        node = G.nodes[group]
        if node.get("kind") != "group" or node.get("part_of") is not None:
            continue
        if node.get("count") is None or d.get("status") == "planned":
            continue
        key = (d.get("last_period") or "", ",".join(d.get("sources") or []))
        reports.setdefault(key, []).append(int(node["count"]))
    if not reports:
        return None

    def when(key: tuple[str, str]) -> tuple[str, str]:
        end = end_of(key[0])
        return (end.isoformat() if end else "", key[1])

    return sum(reports[max(reports, key=when)])


def node_measures(G: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """Measures of every node, keyed by IRI (the exports add them as node attributes).

    Returns:
        ``{iri: {degree, in_degree, out_degree, betweenness, component, reported, named, gap,
        operational, planned, level_rank}}``. ``betweenness`` and ``level_rank`` are None for
        group nodes; ``reported``/``gap`` are None for systems no report gives a total for.
    """
    S = named_graph(G)
    between = nx.betweenness_centrality(S, normalized=True) if S.number_of_nodes() else {}
    components = sorted(
        (sorted(c) for c in nx.connected_components(S)), key=lambda c: (-len(c), c[0])
    )
    component = {n: i for i, comp in enumerate(components, 1) for n in comp}
    out: dict[str, dict[str, Any]] = {}
    for n in G:
        edges = list(G.in_edges(n, data=True)) + list(G.out_edges(n, data=True))
        statuses = [d.get("status") for *_, d in edges]
        m: dict[str, Any] = {
            "degree": int(G.degree(n)),
            "in_degree": int(G.in_degree(n)),
            "out_degree": int(G.out_degree(n)),
            "operational": sum(s != "planned" for s in statuses),
            "planned": sum(s == "planned" for s in statuses),
        }
        if _is_group(G, n):
            system = G.nodes[n].get("system")
            m.update(betweenness=None, component=component.get(system), reported=None,
                     named=None, gap=None, level_rank=None)
        else:
            named = {
                v if u == n else u
                for u, v, d in edges
                if d.get("status") != "planned" and not _is_group(G, v if u == n else u)
                and (v if u == n else u) != n
            }
            reported = _latest_total(G, n)
            m.update(
                betweenness=round(float(between.get(n, 0.0)), 6),
                component=component.get(n),
                reported=reported,
                named=len(named),
                gap=None if reported is None else reported - len(named),
            )
        out[n] = m
    by_level: dict[str | None, list[str]] = {}
    for n in G:
        if not _is_group(G, n):
            by_level.setdefault(G.nodes[n].get("level"), []).append(n)
    for members in by_level.values():
        members.sort(key=lambda n: (-out[n]["degree"], -out[n]["betweenness"], n))
        for rank, n in enumerate(members, 1):
            out[n]["level_rank"] = rank
    return out


@dataclass
class ProvinceMeasures:
    """One row of the per-province table."""

    province: str | None
    label: str
    systems: int
    connections: int
    operational: int
    planned: int
    national_platforms: int
    reported: int | None
    named: int | None
    gap: int | None

    @property
    def operational_share(self) -> float | None:
        return self.operational / self.connections if self.connections else None

    @property
    def planned_share(self) -> float | None:
        return self.planned / self.connections if self.connections else None


@dataclass
class NetworkMeasures:
    """The summary behind ``reformkg graph --measures`` (see :func:`network_measures`)."""

    sources: list[str]
    first_period: str | None
    last_period: str | None
    systems: int
    systems_by_level: dict[str, int]
    groups: int
    connections: int
    named_connections: int
    grouped_connections: int
    operational: int
    planned: int
    components: int
    largest_component: int
    density: float
    provinces: list[ProvinceMeasures]
    overall: ProvinceMeasures
    network: ProvinceMeasures
    hubs: dict[str, list[dict[str, Any]]]
    nodes: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON, with the operational and planned shares of each province row."""
        body = asdict(self)
        for target, row in zip([body["network"], body["overall"], *body["provinces"]],
                               [self.network, self.overall, *self.provinces], strict=True):
            target["operational_share"] = row.operational_share
            target["planned_share"] = row.planned_share
        return body


def _province_row(
    G: nx.MultiDiGraph,
    node_m: dict[str, dict[str, Any]],
    members: set[str],
    province: str | None,
    label: str,
) -> ProvinceMeasures:
    """Counts over the connections that touch one of ``members`` (a province's systems and
    their groups); ``national_platforms`` counts the named national systems they reach
    operationally."""
    edges = [(u, v, d) for u, v, d in G.edges(data=True) if u in members or v in members]
    platforms = {
        w for u, v, d in edges if d.get("status") != "planned" and (u in members) != (v in members)
        for w in (u, v)
        if w not in members and G.nodes[w].get("level") == "national" and not _is_group(G, w)
    }
    with_total = [n for n in members if node_m[n].get("reported") is not None]
    reported = sum(node_m[n]["reported"] for n in with_total) if with_total else None
    named = sum(node_m[n]["named"] for n in with_total) if with_total else None
    return ProvinceMeasures(
        province=province,
        label=label,
        systems=sum(1 for n in members if not _is_group(G, n)),
        connections=len(edges),
        operational=sum(d.get("status") != "planned" for *_, d in edges),
        planned=sum(d.get("status") == "planned" for *_, d in edges),
        national_platforms=len(platforms),
        reported=reported,
        named=named,
        gap=None if reported is None or named is None else reported - named,
    )


def _label(G: nx.MultiDiGraph, n: str, lang: str) -> str:
    d = G.nodes[n]
    other = "en" if lang == "vi" else "vi"
    return str(d.get(f"label_{lang}") or d.get(f"label_{other}") or n.rsplit("/", 1)[-1])


def short_province(label: str | None) -> str:
    """A province label without "Tỉnh"/"Thành phố" (for narrow tables).

    >>> short_province("Tỉnh Vĩnh Phúc"), short_province("Thành phố Hải Phòng")
    ('Vĩnh Phúc', 'Hải Phòng')
    """
    if not label:
        return "?"
    for prefix in ("Tỉnh ", "Thành phố ", "TP. ", "TP "):
        if label.startswith(prefix):
            return label[len(prefix):]
    return label


def network_measures(G: nx.MultiDiGraph, *, lang: str = "vi") -> NetworkMeasures:
    """Overall and per-province measures, hubs by level, and the per-system rows."""
    node_m = node_measures(G)
    S = named_graph(G)
    by_province: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for n, d in G.nodes(data=True):
        if d.get("province"):
            by_province.setdefault(d["province"], set()).add(n)
            labels.setdefault(d["province"], short_province(d.get("province_label")))
    provinces = sorted(
        (_province_row(G, node_m, members, iri, labels[iri])
         for iri, members in by_province.items()),
        key=lambda p: (fold(p.label), p.province or ""),
    )
    overall = _province_row(G, node_m, set().union(*by_province.values()), None, "all provinces")
    everything = _province_row(G, node_m, set(G.nodes), None, "whole network")
    systems = [n for n in G if not _is_group(G, n)]
    levels: dict[str, int] = {}
    for n in systems:
        key = G.nodes[n].get("level") or "unknown"
        levels[key] = levels.get(key, 0) + 1
    hubs: dict[str, list[dict[str, Any]]] = {}
    for n in sorted(systems, key=lambda n: node_m[n]["level_rank"]):
        level = G.nodes[n].get("level") or "unknown"
        if len(hubs.setdefault(level, [])) < _HUBS_PER_LEVEL and node_m[n]["degree"]:
            hubs[level].append({"id": n, "label": _label(G, n, lang), **node_m[n]})
    order = {lv: i for i, lv in enumerate(LEVELS)}
    hubs = dict(sorted(hubs.items(), key=lambda kv: order.get(kv[0], len(order))))
    components = list(nx.connected_components(S))
    rows = []
    for n in sorted(systems, key=lambda n: (fold(short_province(G.nodes[n].get("province_label")))
                                            if G.nodes[n].get("province") else "",
                                            fold(_label(G, n, lang)))):
        d = G.nodes[n]
        rows.append({"id": n, "label": _label(G, n, lang), "level": d.get("level"),
                     "province": short_province(d.get("province_label"))
                     if d.get("province") else None, **node_m[n]})
    return NetworkMeasures(
        sources=list(G.graph.get("sources", [])),
        first_period=G.graph.get("first_period"),
        last_period=G.graph.get("last_period"),
        systems=len(systems),
        systems_by_level=dict(sorted(levels.items(), key=lambda kv: order.get(kv[0], 99))),
        groups=G.number_of_nodes() - len(systems),
        connections=G.number_of_edges(),
        named_connections=sum(d.get("kind") != "grouped" for *_, d in G.edges(data=True)),
        grouped_connections=sum(d.get("kind") == "grouped" for *_, d in G.edges(data=True)),
        operational=everything.operational,
        planned=everything.planned,
        components=len(components),
        largest_component=max((len(c) for c in components), default=0),
        density=round(nx.density(S), 4) if S.number_of_nodes() > 1 else 0.0,
        provinces=provinces,
        overall=overall,
        network=everything,
        hubs=hubs,
        nodes=rows,
    )


# -- text ------------------------------------------------------------------------------------
def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.0f}%"


def format_table(
    rows: Sequence[Sequence[Any]], header: Sequence[str], *, right: Iterable[int] = ()
) -> list[str]:
    """Aligned plain-text columns (no truncation): header, a rule, then the rows.

    >>> format_table([["Vĩnh Phúc", 3]], ["province", "systems"], right=[1])
    ['province   systems', '---------  -------', 'Vĩnh Phúc        3']
    """
    right = set(right)
    cells = [[_fmt(c) if not isinstance(c, str) else c for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if i in right else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    return [line(list(header)), "  ".join("-" * w for w in widths), *(line(r) for r in cells)]


def describe_filters(G: nx.MultiDiGraph) -> str:
    """One line naming the data and the filters the network was built with."""
    n = len(G.graph.get("sources", []))
    parts = [f"{n} source{'s' if n != 1 else ''}"]
    filters = G.graph.get("filters") or {}
    for key in ("province", "level", "as_of"):
        if filters.get(key):
            parts.append(f"{key.replace('_', '-')} {filters[key]}")
    if filters.get("include_planned") is False:
        parts.append("operational only")
    return " · ".join(parts)


def measures_table(G: nx.MultiDiGraph, *, lang: str = "vi") -> str:
    """The text printed by ``reformkg graph --measures``."""
    m = network_measures(G, lang=lang)
    levels = ", ".join(
        f"{LEVEL_LABELS['en'].get(k if k != 'unknown' else None, k).lower()} {v}"
        for k, v in m.systems_by_level.items()
    )
    period = f"{m.first_period} → {m.last_period}" if m.first_period else "no dated reports"
    out = [
        f"System network measures — {describe_filters(G)} · reported periods {period}",
        "",
        "Overall",
        f"  systems {m.systems} ({levels}) · group nodes {m.groups} · connections "
        f"{m.connections} ({m.named_connections} named, {m.grouped_connections} grouped)",
        f"  operational {m.operational} ({_pct(m.network.operational_share)}) · planned "
        f"{m.planned} ({_pct(m.network.planned_share)})",
        f"  components {m.components} (largest: {m.largest_component} systems) · density of the "
        f"named-system graph {m.density:.3f}",
        "",
        "Per province (connections touching the province's systems)",
    ]
    header = ["province", "systems", "connections", "operational", "planned",
              "national platforms", "reported", "named", "gap"]
    rows = [
        [p.label, p.systems, p.connections, _pct(p.operational_share), _pct(p.planned_share),
         p.national_platforms, p.reported, p.named, p.gap]
        for p in [*m.provinces, m.overall]
    ]
    out += ["  " + s for s in format_table(rows, header, right=range(1, 9))]
    out += ["", "Hubs by level (top 3 by degree, then betweenness)"]
    hub_rows = [
        [level, h["level_rank"], h["label"], h["degree"], h["in_degree"], h["out_degree"],
         h["betweenness"]]
        for level, hubs in m.hubs.items() for h in hubs
    ]
    out += ["  " + s for s in format_table(
        hub_rows, ["level", "rank", "system", "degree", "in", "out", "betweenness"],
        right=[1, 3, 4, 5, 6])]
    gaps = [r for r in m.nodes if r["reported"] is not None]
    if gaps:
        out += ["", "Reported vs named links"]
        out += [f"  {r['label']}: {r['reported']} reported, {r['named']} named (gap {r['gap']})"
                for r in gaps]
    out += ["", "Systems"]
    sys_rows = [
        [r["label"], r["level"] or "-", r["province"] or "-", r["degree"], r["in_degree"],
         r["out_degree"], r["betweenness"], r["component"], r["reported"], r["named"], r["gap"]]
        for r in m.nodes
    ]
    out += ["  " + s for s in format_table(
        sys_rows, ["system", "level", "province", "degree", "in", "out", "betweenness",
                   "component", "reported", "named", "gap"], right=range(3, 11))]
    return "\n".join(out) + "\n"
