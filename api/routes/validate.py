"""``GET /validate``: the SHACL report, each finding with its source sentence.

Validation runs pySHACL over the whole store (about 42 ms per article), in a worker thread and
without the SPARQL timeout: it can take minutes on a big store. Non-conformance is a normal
200 answer (``"conforms": false``); only "could not validate" is an error (``ShapesLoadError``).
One validation runs at a time: a second request meanwhile gets 503 ``Busy`` with
``Retry-After`` (the last run's duration), so repeated requests cannot occupy every thread and
core (issue 7).
"""

from __future__ import annotations

import math
import threading
import time
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from ontology import ID

from .deps import StoreDep
from .errors import Busy, NotFound

__all__ = ["router"]

router = APIRouter(tags=["validation"])


@router.get("/validate", summary="SHACL validation report of the whole store")
async def get_validate(
    request: Request,
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
    if sources is not None:
        # An unknown id is the client's mistake (404), not "could not validate" (500).
        known = set(await run_in_threadpool(store.sources))
        missing = [sid for sid, iri in zip(source_id, sources, strict=True) if iri not in known]
        if missing:
            raise NotFound(f"no source with id {', '.join(map(repr, missing))} in the store; "
                           "see GET /queries/sources_summary?run=1")
    state = request.app.state
    lock: threading.Lock = state.validate_lock
    if not lock.acquire(blocking=False):
        last = getattr(state, "validate_seconds", 1.0)
        raise Busy("a validation is running (one at a time)", max(1, math.ceil(last)))
    started = time.monotonic()
    try:
        report = await run_in_threadpool(partial(validate, store, sources=sources))
    finally:
        state.validate_seconds = time.monotonic() - started
        lock.release()
    if format == "text":
        return PlainTextResponse(report.to_text())
    if format == "turtle":
        return Response(report.to_turtle(), media_type="text/turtle; charset=utf-8")
    return JSONResponse(report.to_json())
