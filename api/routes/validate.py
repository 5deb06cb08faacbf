"""``GET /validate``: the SHACL report, each finding with its source sentence.

Validation runs pySHACL over the whole store (about 42 ms per article), in a worker thread and
without the SPARQL timeout: it can take minutes on a big store. Non-conformance is a normal
200 answer (``"conforms": false``); only "could not validate" is an error (``ShapesLoadError``).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from ontology import ID

from .deps import StoreDep

__all__ = ["router"]

router = APIRouter(tags=["validation"])


@router.get("/validate", summary="SHACL validation report of the whole store")
async def get_validate(
    store: StoreDep,
    source_id: Annotated[
        list[str], Query(description="validate only these sources (repeatable); all if omitted")
    ] = [],  # noqa: B006 - FastAPI copies defaults per request
    format: Annotated[
        Literal["json", "text", "turtle"],
        Query(description="json (default), text, or turtle (the sh:ValidationReport)"),
    ] = "json",
) -> Response:
    from graph.validate import validate  # pyshacl is heavy: load it on first use

    sources = [str(ID[f"source/{sid}"]) for sid in source_id] or None
    report = await run_in_threadpool(partial(validate, store, sources=sources))
    if format == "text":
        return PlainTextResponse(report.to_text())
    if format == "turtle":
        return Response(report.to_turtle(), media_type="text/turtle; charset=utf-8")
    return JSONResponse(report.to_json())
