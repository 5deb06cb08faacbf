"""``POST /ingest``: add documents to the store over HTTP (token required).

Enabled only when the server has an ingest token (``REFORMKG_INGEST_TOKEN``): without one the
route answers 404, a missing or wrong ``Authorization: Bearer`` token 401 (compared in constant
time), a body over ``max_body_bytes`` 413, JSON nested too deeply 400. The body is one
document, a list of documents or ``{"documents": [...]}``; a document is ``{"id", "text",
"url"?, "title"?, "date"?, "publisher"?, "author"?}`` — the JSONL line format of
``reformkg ingest`` — and goes to :func:`api.loader.ingest_documents` (idempotent: the same
document twice changes nothing). Ingests run one at a time; queries keep running meanwhile.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from graph.errors import StoreError

from .deps import SettingsDep, StoreDep, read_body
from .errors import BadRequest, IngestDisabled, Unauthorized

__all__ = ["IngestDocument", "router"]

router = APIRouter(tags=["ingest"])
log = logging.getLogger("reformkg.api")

_LOCK = threading.Lock()  # one writer at a time; pyoxigraph readers are not blocked


class IngestDocument(BaseModel):
    """One source document, as in a JSONL corpus line."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    id: str = Field(min_length=1, max_length=200, pattern=r"^[^\s/\\#?<>\"]+$",
                    description="source id: becomes id:source/{id}")
    text: str = Field(min_length=1, description="the article text (plain text)")
    url: str | None = None
    title: str | None = None
    date: str | None = Field(None, description="publication date, ISO 8601")
    publisher: str | None = None
    author: str | None = None


_DOCS = TypeAdapter(list[IngestDocument])


def _documents(body: bytes) -> list[dict[str, Any]]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"the body is not JSON: {exc}") from None
    except RecursionError:  # [[[[…]]]]: nesting deeper than any document needs (issue 7)
        raise BadRequest("the body is not a document: JSON nested too deeply") from None
    if isinstance(payload, dict) and "documents" in payload and "text" not in payload:
        payload = payload["documents"]
    if isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list) or not payload:
        raise BadRequest(
            'send a document {"id", "text", ...}, a list of them, or {"documents": [...]}'
        )
    try:
        docs = _DOCS.validate_python(payload)
    except ValidationError as exc:
        problems = "; ".join(
            f"document {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise BadRequest(f"invalid document(s): {problems}") from None
    ids = [d.id for d in docs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise BadRequest(f"duplicate document id(s) in one request: {', '.join(duplicates)}")
    return [d.model_dump(exclude_none=True) for d in docs]


def _check_token(request: Request, token: str | None) -> None:
    if token is None:
        raise IngestDisabled()
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    # Constant time, and on digests so that not even the token's length shows in the timing.
    given = hashlib.sha256(credentials.strip().encode()).digest()
    wanted = hashlib.sha256(token.encode()).digest()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given, wanted):
        raise Unauthorized()


def _jsonable(summary: Any) -> Any:
    for method in ("as_dict", "to_json"):
        if callable(getattr(summary, method, None)):
            return getattr(summary, method)()
    if dataclasses.is_dataclass(summary) and not isinstance(summary, type):
        return dataclasses.asdict(summary)
    return jsonable_encoder(summary)


@router.post("/ingest", summary="Add documents to the graph (bearer token required)")
async def post_ingest(request: Request, store: StoreDep, settings: SettingsDep) -> JSONResponse:
    _check_token(request, settings.ingest_token)
    docs = _documents(await read_body(request, settings.max_body_bytes))
    from api.loader import ingest_documents  # the whole extraction stack: load on first use

    runner = request.app.state.runner
    stale: list[str] = []

    def run() -> Any:
        with _LOCK:
            summary = ingest_documents(store, docs)
            if getattr(summary, "documents", 1):
                try:  # query worker processes read a snapshot: take a new one
                    runner.refresh()
                except StoreError as exc:  # written all the same; say that queries lag
                    log.warning("POST /ingest: %s", exc)
                    stale.append(f"written, but queries still see the previous data: {exc}")
            return summary

    summary = _jsonable(await run_in_threadpool(run))
    if stale and isinstance(summary, dict):
        summary["warning"] = stale[0]
    return JSONResponse(summary)
