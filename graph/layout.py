"""Level-aware positions and the colours of the system network (one code path for the web page,
the pictures and the Gephi/Cytoscape exports).

National and ministry systems sit on an inner ring, each next to the provincial systems it
serves; provincial (and other) systems sit on an outer ring in one sector per province, with a
gap between provinces; the group nodes of grouped connections ("23 hệ thống") fan out just
beyond the system whose connection they count. Positions are deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import networkx as nx

__all__ = ["LEVELS", "LEVEL_LABELS", "layout", "level_colour"]

#: Levels from the centre outwards (``id:level/{notation}``).
LEVELS = ("national", "ministry", "provincial", "district", "commune", "other")
INNER = frozenset({"national", "ministry"})
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
# Spacing, in layout units: the arc each system needs on its ring (room for a wrapped label),
# the extra arc per group node, the gap between provinces, and how far groups sit outside.
_ARC = 0.34
_GROUP_WEIGHT = 0.5
_PROVINCE_GAP = 0.9
_GROUP_OFFSET = 0.42
_GROUP_ARC = 0.27


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


def _point(radius: float, angle: float) -> tuple[float, float]:
    # "+ 0.0" turns -0.0 into 0.0 so exports read cleanly
    return (round(radius * math.cos(angle), 6) + 0.0, round(radius * math.sin(angle), 6) + 0.0)


def _circular_mean(angles: Iterable[float]) -> float | None:
    xs = list(angles)
    if not xs:
        return None
    return math.atan2(sum(math.sin(a) for a in xs), sum(math.cos(a) for a in xs))


def _place_inner(
    inner: list[str], radius: float, wanted: dict[str, float | None]
) -> dict[str, float]:
    """Evenly spaced angles on the inner ring, rotated and ordered to sit near ``wanted``."""
    n = len(inner)
    order = sorted(inner, key=lambda s: (wanted[s] is None, (wanted[s] or 0.0) % math.tau, s))
    step = math.tau / n
    best, best_cost = math.pi / 2, math.inf
    for i, s in enumerate(order):
        target = wanted[s]
        if target is None:
            continue
        base = target - i * step
        cost = 0.0
        for j, t in enumerate(order):
            if wanted[t] is not None:
                d = (base + j * step - wanted[t] + math.pi) % math.tau - math.pi  # type: ignore[operator]
                cost += d * d
        if cost < best_cost - 1e-12:
            best, best_cost = base, cost
    return {s: best + i * step for i, s in enumerate(order)}


def layout(G: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Level-aware, deterministic positions (the outer ring has radius 1 or more).

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="system", level="national")
    >>> layout(G)
    {'a': (0.0, 0.0)}
    """
    data = G.nodes
    systems = sorted((n for n, d in G.nodes(data=True) if d.get("kind") != "group"), key=str)
    groups: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        if d.get("kind") == "group":
            groups.setdefault(d.get("system") or "", []).append(n)
    for members in groups.values():
        members.sort(key=lambda n: (data[n].get("part_of") is not None,
                                    -(data[n].get("count") or 0), n))
    inner = [n for n in systems if data[n].get("level") in INNER]
    outer = [n for n in systems if data[n].get("level") not in INNER]

    # outer ring: one sector per province, ordered by province label then system label
    def province_key(n: str) -> str:
        return str(data[n].get("province_label") or data[n].get("province") or "~")

    outer.sort(key=lambda n: (province_key(n), str(data[n].get("label_vi") or ""), n))
    weights = [1.0 + _GROUP_WEIGHT * len(groups.get(n, [])) for n in outer]
    provinces = list(dict.fromkeys(province_key(n) for n in outer))
    gap = _PROVINCE_GAP if len(provinces) > 1 else 0.0
    total = sum(weights) + gap * len(provinces)
    r_out = max(1.0, total * _ARC / math.tau) if outer else 0.0
    r_in = 0.0
    if inner and (outer or len(inner) > 1):
        r_in = max(0.42, len(inner) * _ARC * 1.15 / math.tau)
        if outer:
            r_out = max(r_out, r_in + 0.55)
            r_in = min(r_in, r_out - 0.55)
    angles: dict[str, float] = {}
    cursor, previous = math.pi / 2, None
    for n, w in zip(outer, weights, strict=True):
        if previous is not None and province_key(n) != previous:
            cursor -= gap * math.tau / total
        previous = province_key(n)
        angles[n] = cursor - w * math.tau / total / 2
        cursor -= w * math.tau / total
    if outer and gap:  # centre the gaps: shift by half a gap so provinces are symmetric
        shift = gap * math.tau / total / 2
        angles = {n: a - shift for n, a in angles.items()}
    pos = {n: _point(r_out, a) for n, a in angles.items()}

    if inner:
        wanted = {
            s: _circular_mean(angles[m] for m in nx.all_neighbors(G, s) if m in angles)
            for s in inner
        }
        for s, a in _place_inner(inner, r_in, wanted).items():
            angles[s] = a
            pos[s] = _point(r_in, a)

    for system, members in sorted(groups.items()):
        x, y = pos.get(system, (0.0, 0.0))
        base = angles.get(system, math.atan2(y, x) if (x, y) != (0.0, 0.0) else math.pi / 2)
        radius = math.hypot(x, y) + _GROUP_OFFSET
        step = _GROUP_ARC / radius
        for i, n in enumerate(members):
            pos[n] = _point(radius, base + (i - (len(members) - 1) / 2) * step)
    return pos
