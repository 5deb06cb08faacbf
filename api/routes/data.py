"""``GET /facts``, ``GET /connections`` and ``GET /graph/systems``.

Facts and connections are the export rows of ``reformkg facts`` / ``reformkg connections``
(stable columns, DESIGN.md §4) as JSON ``{"columns", "rows"}`` or CSV. The system network is
``graph.views``' projection as JSON (nodes with layout positions, edges) or a download in any
format of ``reformkg graph``. Work runs in the query pool under the same timeout as ``/sparql``;
rows beyond ``max_rows`` are cut and the cut is reported in ``X-Reformkg-*`` headers (and in
the JSON body).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import IO, Annotated, Any, Literal, cast

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from .deps import RunnerDep, SettingsDep, StoreDep
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

    fn = partial(connections_rows, store, source_id=source_id or None)
    return await _table(runner, fn, list(CONNECTION_COLUMNS), format, settings.max_rows,
                        "connections")


@router.get(
    "/graph/systems",
    summary="The information-system network: JSON with layout positions, or a download",
    response_class=Response,
)
async def get_systems(
    store: StoreDep,
    runner: RunnerDep,
    province: Annotated[
        str | None, Query(description="province IRI, adm/… path, name or slug")
    ] = None,
    level: Annotated[
        str | None, Query(description="national, ministry, provincial, district, commune")
    ] = None,
    include_planned: Annotated[bool, Query(description="include planned connections")] = True,
    lang: Annotated[Literal["vi", "en"], Query(description="node label language")] = "vi",
    format: NetworkFormat = "json",
) -> Response:
    from graph.views import network_json, system_network

    def build() -> Any:
        return system_network(store, province=province or None, level=level or None,
                              include_planned=include_planned)

    graph = await runner.call(build)
    if format == "json":
        return JSONResponse(network_json(graph, lang=lang))
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
