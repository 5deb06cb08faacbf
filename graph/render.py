"""Pictures of the system network (SVG, PNG) with matplotlib, without a display.

The figure is built on :class:`matplotlib.figure.Figure` directly (no ``pyplot``, no global
backend switch), so it works in a server or a headless CI run. Layout: :func:`graph.views.layout`
(national systems inside, provincial outside, groups beyond their system); nodes coloured by
level with a legend; planned connections dashed; group nodes drawn as squares sized by their
count and labelled "23 hệ thống"; the title gives the number of sources.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import IO, Any

import networkx as nx

from .errors import ExportError
from .views import LEVEL_LABELS, LEVELS, level_colour, network_json

__all__ = ["render"]

_TEXT = {
    "vi": {"group": "Nhóm hệ thống (cỡ theo số lượng)", "operational": "Đang kết nối",
           "planned": "Kế hoạch (nét đứt)", "empty": "Chưa có kết nối nào giữa các hệ thống"},
    "en": {"group": "System group (size = count)", "operational": "Connected",
           "planned": "Planned (dashed)", "empty": "No system connections yet"},
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
        fig = Figure(figsize=(12, 10), layout="constrained")
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_aspect("equal")
        ax.set_title(title or data["title"], fontsize=14)
        if not nodes:
            ax.text(0.5, 0.5, words["empty"], ha="center", va="center", transform=ax.transAxes)
        # edges first, under the nodes; parallel edges bend apart
        seen: dict[tuple[str, str], int] = {}
        for e in data["edges"]:
            pair = (e["source"], e["target"])
            bend = 0.08 + 0.12 * seen.get(pair, 0)
            seen[pair] = seen.get(pair, 0) + 1
            a, b = nodes[e["source"]], nodes[e["target"]]
            planned = e["status"] == "planned"
            ax.add_patch(FancyArrowPatch(
                (a["x"], a["y"]), (b["x"], b["y"]),
                arrowstyle="-|>", mutation_scale=12, linewidth=1.2,
                linestyle=(0, (5, 3)) if planned else "solid",
                color="#7f8c8d" if planned else "#34495e", alpha=0.9,
                connectionstyle=f"arc3,rad={bend}",
                shrinkA=_node_size(a) ** 0.5 / 2 + 1, shrinkB=_node_size(b) ** 0.5 / 2 + 2,
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
                marker=marker, edgecolors="white", linewidths=1.5, zorder=2,
                alpha=0.75 if kind == "group" else 1.0,
            )
        for n in nodes.values():
            label = n["label"]
            if n["kind"] == "group" and not label:
                label = f"{n['count']} hệ thống" if lang == "vi" else f"{n['count']} systems"
            ax.annotate(
                "\n".join(textwrap.wrap(label, 26)) or n["id"],
                (n["x"], n["y"]), xytext=(0, -(_node_size(n) ** 0.5) / 2 - 3),
                textcoords="offset points", ha="center", va="top", fontsize=7.5, zorder=3,
                fontweight="bold" if n["kind"] == "group" else "normal",
            )
        present = [lv for lv in (*LEVELS, None) if any(n["level"] == lv for n in nodes.values())]
        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=9, color=level_colour(lv),
                   label=LEVEL_LABELS[lang][lv])
            for lv in present
        ]
        if any(n["kind"] == "group" for n in nodes.values()):
            handles.append(Line2D([], [], marker="s", linestyle="", markersize=9,
                                  color="#95a5a6", label=words["group"]))
        handles.append(Line2D([], [], color="#34495e", label=words["operational"]))
        if any(e["status"] == "planned" for e in data["edges"]):
            handles.append(Line2D([], [], color="#7f8c8d", linestyle=(0, (5, 3)),
                                  label=words["planned"]))
        ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=False)
        xs = [n["x"] for n in nodes.values()] or [0.0]
        ys = [n["y"] for n in nodes.values()] or [0.0]
        ax.set_xlim(min(xs) - 0.35, max(xs) + 0.35)
        ax.set_ylim(min(ys) - 0.35, max(ys) + 0.3)
        metadata: dict[str, Any] = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(out, format=fmt, dpi=150, metadata=metadata)
