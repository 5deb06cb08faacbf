"""The province × national-platform matrix: which provinces report a connection to which
national platform, and when (``reformkg graph --matrix``, ``GET /graph/matrix``).

Backed by the named query ``province_platform_matrix.rq`` (long form: one row per report of a
connection between a provincial system and a named national system, either direction). A cell
is *operational* when any report says the link works, else *planned*; it shows the first
period a report of that status gives. Grouped connections name no platform, so their national
counts ("12 hệ thống trung ương") are a last column, taken from the system network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import queries
from .errors import ExportError
from .measures import format_table, short_province
from .periods import end_of, fold, parse_as_of, sort_periods
from .store import Store
from .views import match_province_in, system_network

__all__ = ["Cell", "PlatformMatrix", "matrix_rows", "matrix_table", "province_platform_matrix"]

_MARK = {"operational": "●", "planned": "○"}


@dataclass
class Cell:
    """What the reports say about one province and one platform."""

    status: str
    first_period: str | None
    last_period: str | None
    periods: list[str]
    sources: list[str]
    systems: list[str]
    connections: list[str]

    @property
    def text(self) -> str:
        """``● 2025-Q1`` (operational since) or ``○ 2025-Q4`` (planned, for)."""
        return f"{_MARK.get(self.status, '?')} {compact_period(self.first_period)}"


@dataclass
class PlatformMatrix:
    """Rows are provinces (IRI, label), columns national platforms (IRI, label vi, label en)."""

    provinces: list[tuple[str, str]]
    platforms: list[tuple[str, str, str]]
    cells: dict[tuple[str, str], Cell]
    grouped_national: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)

    def platform_label(self, iri: str, lang: str) -> str:
        for p, vi, en in self.platforms:
            if p == iri:
                return (en or vi) if lang == "en" else (vi or en)
        return iri


def _grouped_national(G: nx.MultiDiGraph) -> dict[str, int]:
    """Province IRI -> systems counted by grouped connections at the national level (the latest
    report of each provincial system)."""
    latest: dict[str, tuple[str, int]] = {}
    for u, v, d in G.edges(data=True):
        node = G.nodes[v]
        if node.get("kind") != "group" or node.get("level") != "national" or not node.get("count"):
            continue
        if d.get("status") == "planned" or not G.nodes[u].get("province"):
            continue
        end = end_of(d.get("last_period"))
        when = end.isoformat() if end else ""
        if u not in latest or when > latest[u][0]:
            latest[u] = (when, int(node["count"]))
    out: dict[str, int] = {}
    for system, (_, count) in latest.items():
        province = G.nodes[system]["province"]
        out[province] = out.get(province, 0) + count
    return out


def province_platform_matrix(
    store: Store,
    *,
    province: str | None = None,
    include_planned: bool = True,
    as_of: str | None = None,
) -> PlatformMatrix:
    """The matrix, with the same filters as :func:`graph.views.system_network` (no level: the
    columns are national platforms by definition).

    Raises:
        ExportError: the province is unknown, ``as_of`` does not parse, or nothing is left (the
            message says what exists).
        StoreError: the store cannot be read.
    """
    cut_label, cut = parse_as_of(as_of) if as_of else (None, None)
    rows = queries.select(store, "province_platform_matrix")
    G = system_network(store, include_planned=include_planned, as_of=as_of, allow_empty=True)
    known: dict[str, tuple[str | None, str | None]] = {}
    for r in rows:
        slug = r["system"].rsplit("/", 2)[-2] if r["system"].count("/system/") else None
        known.setdefault(r["province"], (r["province_label"], slug))
    for _, d in G.nodes(data=True):
        if d.get("province"):
            known.setdefault(d["province"], (d.get("province_label"), d.get("province_slug")))
    wanted = match_province_in(known, province) if province is not None else None
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    labels: dict[str, str] = {}
    platforms: dict[str, tuple[str, str]] = {}
    all_rows = len(rows)
    for r in rows:
        if wanted is not None and r["province"] not in wanted:
            continue
        if not include_planned and r["status"] == "planned":
            continue
        if cut is not None:
            end = end_of(r["period"]) or end_of((r["source_date"] or "")[:10] or None)
            if end is None or end > cut:
                continue
        cells.setdefault((r["province"], r["platform"]), []).append(r)
        labels[r["province"]] = short_province(r["province_label"])
        platforms[r["platform"]] = (r["platform_label_vi"] or "", r["platform_label_en"] or "")
    grouped = {p: n for p, n in _grouped_national(G).items() if wanted is None or p in wanted}
    for p in grouped:
        labels.setdefault(p, short_province(known.get(p, (None, None))[0]))
    filters = {"province": province, "as_of": cut_label, "include_planned": include_planned}
    if not cells and not grouped:
        named = sorted({short_province(v[0]) for v in known.values()}, key=fold)
        raise ExportError(
            "no province reports a connection to a national platform"
            + (f" under the filters ({_describe(filters)})"
               if province or as_of or not include_planned else "")
            + f"; the store has {all_rows} such reports, from provinces "
            f"{', '.join(named) or 'none'}"
        )
    out: dict[tuple[str, str], Cell] = {}
    for key, reports in cells.items():
        status = "operational" if any(r["status"] != "planned" for r in reports) else "planned"
        chosen = [r for r in reports if (r["status"] != "planned") == (status == "operational")]
        periods = sort_periods(r["period"] for r in chosen if r["period"])
        out[key] = Cell(
            status=status, first_period=periods[0] if periods else None,
            last_period=periods[-1] if periods else None,
            periods=sort_periods(r["period"] for r in reports if r["period"]),
            sources=sorted({r["source_id"] for r in reports}),
            systems=sorted({r["system"] for r in reports}),
            connections=sorted({r["conn"] for r in reports}),
        )
    reach = {p: sum(1 for (_, q) in out if q == p) for p in platforms}
    return PlatformMatrix(
        provinces=sorted(labels.items(), key=lambda kv: (fold(kv[1]), kv[0])),
        platforms=[(p, vi, en) for p, (vi, en) in
                   sorted(platforms.items(), key=lambda kv: (-reach[kv[0]], fold(kv[1][0])))],
        cells=out,
        grouped_national=grouped,
        sources=sorted({s for c in out.values() for s in c.sources}),
        filters=filters,
    )


def _describe(filters: dict[str, Any]) -> str:
    parts = [f"{k.replace('_', '-')} {v}" for k, v in filters.items()
             if v is not None and k != "include_planned"]
    if filters.get("include_planned") is False:
        parts.append("operational only")
    return ", ".join(parts)


def compact_period(label: str | None) -> str:
    """A period label short enough for a table cell.

    >>> compact_period("2025-01-01/2025-09-30"), compact_period("2025-Q1"), compact_period(None)
    ('2025-01-01/09-30', '2025-Q1', 'n.d.')
    """
    if not label:
        return "n.d."
    first, sep, last = label.partition("/")
    if sep and first[:5] == last[:5]:
        return f"{first}/{last[5:]}"
    return label


def matrix_rows(m: PlatformMatrix, *, lang: str = "vi") -> list[dict[str, Any]]:
    """Long-form rows (one per province and platform with a cell) for CSV/JSON."""
    labels = dict(m.provinces)
    return [
        {"province": prov, "province_label": labels[prov], "platform": plat,
         "platform_label": m.platform_label(plat, lang), "status": c.status,
         "first_period": c.first_period, "last_period": c.last_period,
         "periods": "|".join(c.periods), "sources": "|".join(c.sources),
         "systems": "|".join(c.systems)}
        for (prov, plat), c in sorted(m.cells.items(), key=lambda kv: (fold(labels[kv[0][0]]),
                                                                       kv[0][1]))
    ]


MATRIX_COLUMNS = ("province", "province_label", "platform", "platform_label", "status",
                  "first_period", "last_period", "periods", "sources", "systems")


def matrix_table(m: PlatformMatrix, *, lang: str = "vi") -> str:
    """The text printed by ``reformkg graph --matrix``: provinces × P1…Pn, with a key."""
    codes = [f"P{i}" for i in range(1, len(m.platforms) + 1)]
    header = ["province", *codes, "grouped national"]
    rows = []
    for iri, label in m.provinces:
        cells = [m.cells[(iri, p)].text if (iri, p) in m.cells else "·" for p, *_ in m.platforms]
        rows.append([label, *cells, m.grouped_national.get(iri)])
    counts = ["provinces", *(str(sum(1 for (_, q), c in m.cells.items()
                                     if q == p and c.status == "operational"))
                             for p, *_ in m.platforms),
              ""]
    n = len(m.sources)
    described = _describe(m.filters)
    lines = [
        "Province × national platform — " + " · ".join(
            [f"{n} source{'s' if n != 1 else ''}", *([described] if described else [])]),
        "● operational, first reported in · ○ planned, for · grouped national: systems counted "
        "by reports that give only a number (latest report per system)",
        "",
        *("  " + s for s in format_table([*rows, counts], header,
                                         right=[len(header) - 1])),
        "",
        "  (last row: provinces with an operational link to each platform)",
        "",
        "Platforms",
        *(f"  {code}  {m.platform_label(p, lang)}  <{p}>" for code, (p, *_) in
          zip(codes, m.platforms, strict=True)),
    ]
    return "\n".join(lines) + "\n"
