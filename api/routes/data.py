"""``GET /facts``, ``GET /connections`` and the ``GET /graph/*`` views.

Facts and connections are the export rows of ``reformkg facts`` / ``reformkg connections``
(stable columns, DESIGN.md §4) as JSON ``{"columns", "rows"}`` or CSV. The system network is
``graph.views``' projection as JSON (nodes with layout positions and measures, edges with
provenance) or a download in any format of ``reformkg graph``; ``/graph/measures``,
``/graph/matrix`` and ``/graph/agencies`` are ``reformkg graph --measures``, ``--matrix`` and
``--agencies``. Work runs in the query pool under the same timeout as ``/sparql``;
rows beyond ``max_rows`` are cut and the cut is reported in ``X-Reformkg-*`` headers (and in
the JSON body).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import partial
from typing import IO, Annotated, Any, Literal, cast

import pyoxigraph as ox
from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from .deps import RunnerDep, SettingsDep, StoreDep
from .errors import BadRequest
from .runner import QueryRunner

__all__ = ["NETWORK_MEDIA_TYPES", "router"]

router = APIRouter(tags=["facts and networks"])

#: ``format=`` of ``/graph/systems`` → (media type, file extension).
NETWORK_MEDIA_TYPES: dict[str, tuple[str, str]] = {
    "graphml": ("application/graphml+xml", "graphml"),
    "gexf": ("application/gexf+xml", "gexf"),
    "cytoscape": ("application/json", "cyjs"),
    "dot": ("text/vnd.graphviz; charset=utf-8", "dot"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "svg": ("image/svg+xml", "svg"),
    "png": ("image/png", "png"),
}
_PICTURES = threading.Lock()  # matplotlib drawing is not thread-safe

NetworkFormat = Literal["json", "graphml", "gexf", "cytoscape", "dot", "csv", "svg", "png"]
TableFormat = Literal["json", "csv"]
SourceParam = Annotated[str | None, Query(description="source id (JSONL id or file stem)")]
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _iri_text(parameter: str, value: str | None) -> None:
    """Refuse a filter value that cannot become (part of) an IRI, with a 400 that says so,
    instead of a 500 from deep inside pyoxigraph (found by schemathesis, issue 7).

    Raises:
        BadRequest: ``value`` holds characters or escapes an IRI cannot.
    """
    if not value:
        return
    iri = value if _SCHEME.match(value) else f"https://w3id.org/reformkg/id/{value}"
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise BadRequest(f"{parameter} {value!r}: cannot be part of an IRI ({exc})") from None


class _Sink:
    """A write-only stream that takes text or bytes (exporters write either) and keeps bytes."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: str | bytes | bytearray) -> int:
        self._parts.append(data.encode("utf-8") if isinstance(data, str) else bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def writable(self) -> bool:
        return True

    @property
    def buffer(self) -> _Sink:  # code written for sys.stdout may reach for .buffer
        return self

    def getvalue(self) -> bytes:
        return b"".join(self._parts)


def _cap_headers(count: int, limit: int, truncated: bool) -> dict[str, str]:
    return {
        "X-Reformkg-Row-Limit": str(limit),
        "X-Reformkg-Truncated": "true" if truncated else "false",
        "X-Reformkg-Rows": str(count),
    }


async def _table(
    runner: QueryRunner,
    rows_fn: Callable[[], list[dict[str, Any]]],
    columns: list[str],
    fmt: TableFormat,
    limit: int,
    filename: str,
) -> Response:
    from graph.export import write_rows

    rows = await runner.call(rows_fn)
    truncated = len(rows) > limit
    rows = rows[:limit]
    headers = _cap_headers(len(rows), limit, truncated)
    if fmt == "csv":
        sink = _Sink()
        write_rows(rows, "csv", cast(IO[Any], sink), columns)
        headers["Content-Disposition"] = f'inline; filename="{filename}.csv"'
        return Response(sink.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
    body = {"columns": list(columns), "rows": rows, "count": len(rows), "truncated": truncated}
    return JSONResponse(body, headers=headers)


@router.get("/facts", summary="Every observation with its source sentence (filters optional)")
async def get_facts(
    store: StoreDep,
    runner: RunnerDep,
    settings: SettingsDep,
    source_id: SourceParam = None,
    indicator: Annotated[
        str | None, Query(description="indicator IRI, id:indicator/… or slug")
    ] = None,
    place: Annotated[
        str | None, Query(description="administrative unit IRI or adm/… path (refArea)")
    ] = None,
    period: Annotated[str | None, Query(description="period label, e.g. 2025-Q1")] = None,
    format: TableFormat = "json",
) -> Response:
    from graph.export import FACT_COLUMNS, facts_rows

    for parameter, value in (("source_id", source_id), ("indicator", indicator),
                             ("place", place)):
        _iri_text(parameter, value)
    fn = partial(facts_rows, store, source_id=source_id or None, indicator=indicator or None,
                 place=place or None, period=period or None)
    return await _table(runner, fn, list(FACT_COLUMNS), format, settings.max_rows, "facts")


@router.get("/connections", summary="Every system connection with its source sentence")
async def get_connections(
    store: StoreDep,
    runner: RunnerDep,
    settings: SettingsDep,
    source_id: SourceParam = None,
    format: TableFormat = "json",
) -> Response:
    from graph.export import CONNECTION_COLUMNS, connections_rows

    _iri_text("source_id", source_id)
    fn = partial(connections_rows, store, source_id=source_id or None)
    return await _table(runner, fn, list(CONNECTION_COLUMNS), format, settings.max_rows,
                        "connections")


ProvinceParam = Annotated[
    str | None, Query(description="province IRI, adm/… path, name or slug (e.g. Vĩnh Phúc)")
]
LevelParam = Annotated[
    str | None, Query(description="national, ministry, provincial, district, commune, other")
]
PlannedParam = Annotated[bool, Query(description="include planned connections")]
AsOfParam = Annotated[
    str | None,
    Query(description="only connections reported in periods ending on or before this period "
                      "(2025-Q1, 2025-06, 2025, quý I/2025)"),
]
LangParam = Annotated[Literal["vi", "en"], Query(description="label language")]


@router.get(
    "/graph/systems",
    summary="The information-system network: JSON with layout positions and measures, or a "
            "download (GraphML, GEXF, Cytoscape JSON, DOT, CSV, SVG, PNG)",
    response_class=Response,
)
async def get_systems(
    store: StoreDep,
    runner: RunnerDep,
    province: ProvinceParam = None,
    level: LevelParam = None,
    include_planned: PlannedParam = True,
    as_of: AsOfParam = None,
    lang: LangParam = "vi",
    format: NetworkFormat = "json",
) -> Response:
    """Unknown provinces or levels, a period that does not parse, an empty store or filters that
    leave nothing answer 400 with a message that says what exists."""
    from graph.views import network_json, system_network

    def build() -> Any:
        return system_network(store, province=province or None, level=level or None,
                              include_planned=include_planned, as_of=as_of or None)

    graph = await runner.call(build)
    if format == "json":
        return JSONResponse(await runner.call(partial(network_json, graph, lang=lang)))
    from graph.export import write_network

    def render() -> bytes:
        sink = _Sink()
        if format in ("svg", "png"):
            with _PICTURES:
                write_network(graph, format, cast(IO[Any], sink), lang=lang)
        else:
            write_network(graph, format, cast(IO[Any], sink), lang=lang)
        return sink.getvalue()

    body = await runner.call(render)
    media_type, extension = NETWORK_MEDIA_TYPES[format]
    headers = {"Content-Disposition": f'attachment; filename="systems.{extension}"'}
    return Response(body, media_type=media_type, headers=headers)


@router.get(
    "/graph/measures",
    summary="Measures of the system network: degree, betweenness, components, hubs by level, "
            "reported-vs-named gaps, operational/planned shares (overall and per province)",
)
async def get_measures(
    store: StoreDep,
    runner: RunnerDep,
    province: ProvinceParam = None,
    level: LevelParam = None,
    include_planned: PlannedParam = True,
    as_of: AsOfParam = None,
    lang: LangParam = "vi",
    format: Literal["json", "csv", "text"] = "json",
) -> Response:
    """The table of ``reformkg graph --measures`` (``text``), its JSON, or the per-system rows
    as CSV."""
    from graph.measures import measures_table, network_measures
    from graph.views import system_network

    def build() -> Any:
        G = system_network(store, province=province or None, level=level or None,
                           include_planned=include_planned, as_of=as_of or None)
        if format == "text":
            return measures_table(G, lang=lang)
        return network_measures(G, lang=lang)

    result = await runner.call(build)
    if format == "text":
        return Response(result, media_type="text/plain; charset=utf-8")
    if format == "csv":
        from graph.export import write_rows

        sink = _Sink()
        rows = result.nodes
        write_rows(rows, "csv", cast(IO[Any], sink), list(rows[0]) if rows else ["id"])
        return Response(sink.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'inline; filename="measures.csv"'})
    return JSONResponse(result.to_json())


@router.get(
    "/graph/matrix",
    summary="Which provinces report a connection to which national platform, and when",
)
async def get_matrix(
    store: StoreDep,
    runner: RunnerDep,
    province: ProvinceParam = None,
    include_planned: PlannedParam = True,
    as_of: AsOfParam = None,
    lang: LangParam = "vi",
    format: Literal["json", "csv", "text"] = "json",
) -> Response:
    """The province × national-platform matrix of ``reformkg graph --matrix``: JSON (provinces,
    platforms, cells), long-form CSV rows, or the text table."""
    from graph.matrix import MATRIX_COLUMNS, matrix_rows, matrix_table, province_platform_matrix

    m = await runner.call(partial(province_platform_matrix, store, province=province or None,
                                  include_planned=include_planned, as_of=as_of or None))
    if format == "text":
        return Response(matrix_table(m, lang=lang), media_type="text/plain; charset=utf-8")
    rows = matrix_rows(m, lang=lang)
    if format == "csv":
        from graph.export import write_rows

        sink = _Sink()
        write_rows(rows, "csv", cast(IO[Any], sink), MATRIX_COLUMNS)
        return Response(sink.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'inline; filename="matrix.csv"'})
    body = {
        "filters": m.filters, "sources": m.sources,
        "provinces": [{"id": iri, "label": label} for iri, label in m.provinces],
        "platforms": [{"id": iri, "label": m.platform_label(iri, lang), "label_vi": vi,
                       "label_en": en} for iri, vi, en in m.platforms],
        "grouped_national": m.grouped_national, "rows": rows,
    }
    return JSONResponse(body)


@router.get("/graph/agencies", summary="The agency hierarchy (W3C ORG) as JSON or a download")
async def get_agencies(
    store: StoreDep,
    runner: RunnerDep,
    lang: LangParam = "vi",
    format: Literal["json", "graphml", "gexf", "cytoscape", "csv"] = "json",
) -> Response:
    """Agencies with their parent bodies (org:subOrganizationOf), jurisdictions and the
    systems they operate."""
    from graph.network_export import write_agencies
    from graph.views import agency_hierarchy

    def render() -> bytes:
        sink = _Sink()
        write_agencies(agency_hierarchy(store), format, cast(IO[Any], sink), lang=lang)
        return sink.getvalue()

    body = await runner.call(render)
    if format == "json":
        return Response(body, media_type="application/json")
    media_type, extension = NETWORK_MEDIA_TYPES[format]
    headers = {"Content-Disposition": f'attachment; filename="agencies.{extension}"'}
    return Response(body, media_type=media_type, headers=headers)
