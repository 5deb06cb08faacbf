"""Pictures of the system network (SVG, PNG) with matplotlib, without a display.

The figure is built on :class:`matplotlib.figure.Figure` directly (no ``pyplot``, no global
backend switch), so it works in a server or a headless CI run. Layout: :func:`graph.views.layout`
(national systems inside, provincial outside, groups beyond their system); nodes coloured by
level with a legend; planned connections dashed; group nodes drawn as squares sized by their
count and labelled "23 hệ thống"; the title gives the number of sources.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import IO, Any

import networkx as nx

from .errors import ExportError
from .views import LEVEL_LABELS, LEVELS, level_colour, network_json

__all__ = ["render"]

_TEXT = {
    "vi": {"group": "Nhóm hệ thống chưa nêu tên\n(cỡ theo số lượng)", "operational": "Đang kết nối",
           "planned": "Kế hoạch (nét đứt)", "empty": "Chưa có kết nối nào giữa các hệ thống",
           "width": "Nét đậm: nhiều nguồn cùng nêu", "legend": "Chú giải", "sources": "Nguồn"},
    "en": {"group": "Unnamed system group\n(size = count)", "operational": "Connected",
           "planned": "Planned (dashed)", "empty": "No system connections yet",
           "width": "Thicker: reported by more sources", "legend": "Legend",
           "sources": "Sources"},
}


def _node_size(node: dict[str, Any]) -> float:
    """Marker area in points²: systems by degree, groups by count."""
    if node["kind"] == "group":
        return float(min(120 + 30 * (node["count"] or 1), 1600))
    return float(260 + 90 * node["degree"])


def render(
    G: nx.MultiDiGraph,
    fmt: str,
    out: str | Path | IO[bytes],
    *,
    lang: str = "vi",
    title: str | None = None,
) -> None:
    """Draw the network to ``out`` as ``svg`` or ``png``.

    Args:
        G: a network from :func:`graph.views.system_network`.
        fmt: ``svg`` (text kept as text, so labels stay searchable) or ``png`` (150 dpi).
        out: a file name or a binary stream.
        lang: ``vi`` (default) or ``en`` labels, legend and title.
        title: replaces the default title ("Mạng kết nối hệ thống thông tin — N nguồn").

    Raises:
        ExportError: unknown format or language.
    """
    if fmt not in ("svg", "png"):
        raise ExportError(f"unknown picture format {fmt!r}; use svg or png")
    if lang not in _TEXT:
        raise ExportError(f"unknown label language {lang!r}; use vi or en")
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    data = network_json(G, lang=lang)
    words = _TEXT[lang]
    nodes = {n["id"]: n for n in data["nodes"]}
    with matplotlib.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "reformkg", "font.family": "DejaVu Sans"}
    ):
        fig = Figure(figsize=(15, 11))
        # the network on the left, the legend in its own column on the right (never on nodes)
        ax = fig.add_axes((0.01, 0.01, 0.78, 0.88))
        key = fig.add_axes((0.80, 0.01, 0.19, 0.88))
        for a in (ax, key):
            a.set_axis_off()
        ax.set_aspect("equal")
        fig.text(0.01, 0.975, title or data["title"], fontsize=16, fontweight="bold", va="top")
        if data.get("subtitle"):
            fig.text(0.01, 0.935, data["subtitle"], fontsize=10.5, color="#444444", va="top")
        if not nodes:
            ax.text(0.5, 0.5, words["empty"], ha="center", va="center", transform=ax.transAxes)
        # edges first, under the nodes and labels; parallel edges bend apart
        seen: dict[tuple[str, str], int] = {}
        for e in data["edges"]:
            pair = (e["source"], e["target"])
            bend = 0.08 + 0.12 * seen.get(pair, 0)
            seen[pair] = seen.get(pair, 0) + 1
            a_, b_ = nodes[e["source"]], nodes[e["target"]]
            planned = e["status"] == "planned"
            ax.add_patch(FancyArrowPatch(
                (a_["x"], a_["y"]), (b_["x"], b_["y"]),
                arrowstyle="-|>", mutation_scale=12,
                linewidth=1.0 + 0.6 * min((e.get("source_count") or 1) - 1, 3),
                linestyle=(0, (5, 3)) if planned else "solid",
                color="#d35400" if planned else "#34495e", alpha=0.85,
                connectionstyle=f"arc3,rad={bend}",
                shrinkA=_node_size(a_) ** 0.5 / 2 + 1, shrinkB=_node_size(b_) ** 0.5 / 2 + 2,
                zorder=1,
            ))
        for kind, marker in (("system", "o"), ("group", "s")):
            members = [n for n in nodes.values() if n["kind"] == kind]
            if not members:
                continue
            ax.scatter(
                [n["x"] for n in members], [n["y"] for n in members],
                s=[_node_size(n) for n in members],
                c=[level_colour(n["level"]) for n in members],
                marker=marker, edgecolors="#2c3e50" if kind == "group" else "white",
                linewidths=1.2, zorder=2, alpha=0.8 if kind == "group" else 1.0,
            )
        with_groups = {n.get("system") for n in nodes.values() if n["kind"] == "group"}
        for n in nodes.values():
            ax.annotate(
                _wrapped(n, lang), (n["x"], n["y"]), zorder=3,
                **_label_place(n, sideways=n["id"] in with_groups),
                textcoords="offset points", fontsize=8,
                fontweight="bold" if n["kind"] == "group" else "normal",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.8},
            )
        present = [lv for lv in (*LEVELS, None) if any(n["level"] == lv for n in nodes.values())]
        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=10, color=level_colour(lv),
                   label=LEVEL_LABELS[lang][lv])
            for lv in present
        ]
        if any(n["kind"] == "group" for n in nodes.values()):
            handles.append(Line2D([], [], marker="s", linestyle="", markersize=10,
                                  markerfacecolor="#bdc3c7", markeredgecolor="#2c3e50",
                                  label=words["group"]))
        handles.append(Line2D([], [], color="#34495e", label=words["operational"]))
        if any(e["status"] == "planned" for e in data["edges"]):
            handles.append(Line2D([], [], color="#d35400", linestyle=(0, (5, 3)),
                                  label=words["planned"]))
        handles.append(Line2D([], [], color="#34495e", linewidth=2.8, label=words["width"]))
        key.legend(handles=handles, loc="upper left", fontsize=9.5, frameon=False,
                   title=words["legend"], title_fontsize=11, alignment="left")
        sources = data["sources"]
        listed = "\n".join(textwrap.shorten(s, 34) for s in sources[:12])
        more = f"\n… +{len(sources) - 12}" if len(sources) > 12 else ""
        key.text(0.0, 0.45, f"{words['sources']} ({len(sources)}):\n{listed}{more}",
                 fontsize=8.5, va="top", ha="left", transform=key.transAxes, color="#333333")
        xs = [n["x"] for n in nodes.values()] or [0.0]
        ys = [n["y"] for n in nodes.values()] or [0.0]
        # room for the labels, which sit outside their node
        ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
        ax.set_ylim(min(ys) - 0.35, max(ys) + 0.35)
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(out, format=fmt, dpi=130, metadata=metadata)


def _wrapped(node: dict[str, Any], lang: str) -> str:
    label = node["label"]
    if node["kind"] == "group" and not label:
        label = f"{node['count']} hệ thống" if lang == "vi" else f"{node['count']} systems"
    return "\n".join(textwrap.wrap(label, 24)) or str(node["id"])


def _label_place(node: dict[str, Any], *, sideways: bool = False) -> dict[str, Any]:
    """Put a label just outside its node, pointing away from the centre (where the edges run);
    beside it, along the ring, for a system whose group nodes fan out beyond it."""
    x, y = node["x"], node["y"]
    r = math.hypot(x, y)
    cos, sin = (x / r, y / r) if r > 1e-9 else (0.0, -1.0)
    if sideways:  # a quarter turn clockwise: the side the ring's order leaves free
        cos, sin = sin, -cos
    gap = _node_size(node) ** 0.5 / 2 + 3
    return {
        "xytext": (cos * gap, sin * gap),
        "ha": "left" if cos > 0.35 else "right" if cos < -0.35 else "center",
        "va": "bottom" if sin > 0.35 else "top" if sin < -0.35 else "center",
    }
