"""``GET /queries`` and ``GET /queries/{name}``: the named SPARQL queries of ``graph/queries``.

``/queries/{name}`` returns the text and its header metadata (``?format=rq``: the bare text);
with ``?run=1`` it runs the query through the same path as ``/sparql`` (read-only guards,
timeout, row cap) and answers SPARQL JSON unless ``format=`` asks for another result format.
Declared ``#+ params:`` are bound from query-string values of the same name (pyoxigraph
``substitutions``, typed as the header says); other query-string keys are ignored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from .deps import RunnerDep
from .errors import BadRequest
from .sparql import sparql_response

__all__ = ["router"]

router = APIRouter(tags=["named queries"])


@router.get("/queries", summary="The named SPARQL queries (name, summaries, tags, params)")
def list_queries() -> JSONResponse:
    from graph import queries

    listing = []
    for name in queries.names():
        meta = queries.load(name).to_dict()
        meta.pop("text", None)
        listing.append(meta)
    return JSONResponse(listing)


@router.get(
    "/queries/{name}",
    summary="One named query: its text and metadata, or its answer with ?run=1",
    response_class=Response,
)
async def get_query(
    name: str,
    request: Request,
    runner: RunnerDep,
    run: Annotated[bool, Query(description="run the query and return its results")] = False,
    format: Annotated[
        str | None,
        Query(description="with run: result format (default json); without: `rq` for the text"),
    ] = None,
) -> Response:
    from graph import queries

    named = queries.load(name)  # QueryNotFound -> 404
    if not run:
        if format in ("rq", "sparql"):
            return Response(named.text, media_type="application/sparql-query; charset=utf-8")
        return JSONResponse(named.to_dict())
    given = request.query_params
    values = {p.name: given[p.name] for p in named.params if given.get(p.name)}
    try:
        substitutions = named.bindings(**values) or None
    except ValueError as exc:  # a value that is no IRI / number of the declared type
        raise BadRequest(f"query {name!r}: bad parameter value: {exc}") from None
    return await sparql_response(
        runner,
        named.text,
        accept=None,
        format_param=format,
        name=name,
        substitutions=substitutions,
    )
