"""The FastAPI application: SPARQL endpoint, data routes, ingest and the web page.

Build it with :func:`create_app`; nothing is created at import time, so tests pass their own
settings and store (STYLE.md R7, R8)::

    app = create_app(Settings.from_env(), Store("./reformkg-data"))
    uvicorn.run(app, host=settings.host, port=settings.port)

Errors: one handler maps the project's error trees (``graph.errors.GraphError``,
``ingest.errors.IngestError`` when present, ``api.routes.errors.ApiError``) to JSON
``{"error", "type", "status"}`` with the class's ``status``; browsers asking for a page get a
small HTML error page instead. Anything else is a 500 with the traceback in the server log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import GraphError
from graph.store import Store
from graph.store import open_store as graph_open_store

from .routes import data, page, queries, sparql, validate
from .routes import ingest as ingest_routes
from .routes.errors import ApiError, NotAcceptable
from .routes.runner import QueryRunner
from .settings import Settings

__all__ = ["create_app", "open_store"]

log = logging.getLogger("reformkg.api")

HERE = Path(__file__).resolve().parent
_API_PREFIXES = ("/sparql", "/facts", "/connections", "/graph", "/validate", "/queries", "/ingest")
_EXPOSED_HEADERS = ["X-Reformkg-Truncated", "X-Reformkg-Row-Limit", "X-Reformkg-Rows",
                    "Content-Disposition"]


def _version() -> str:
    try:
        return metadata.version("reformkg")
    except metadata.PackageNotFoundError:  # running from a checkout without install
        return "0.0.0"


def open_store(settings: Settings) -> Store:
    """The store ``settings`` point at, opened for reading and ``POST /ingest`` writes.

    The embedded store is opened read-write: Oxigraph's read-only mode is undefined while
    another process writes, so a running server holds the store's lock and ``reformkg ingest``
    must go through ``POST /ingest`` (or stop the server) instead. A SPARQL server
    (``settings.endpoint``) is opened for writing only when ``POST /ingest`` is enabled; its
    answers are awaited a little longer than ``query_timeout`` so that a worker thread is free
    again soon after the API has answered 503.

    Raises:
        StoreError: the store directory cannot be opened, or the server's reference graph
            cannot be written.
    """
    if settings.endpoint is not None:
        return graph_open_store(
            endpoint=settings.endpoint,
            update_endpoint=settings.update_endpoint,
            graph_store=settings.graph_store,
            read_only=settings.ingest_token is None,
            timeout=settings.query_timeout + 2,
        )
    return Store(settings.store)


def _error_type(exc: BaseException) -> str:
    return type(exc).__name__


def _wants_html(request: Request) -> bool:
    path = request.url.path
    accept = request.headers.get("accept", "")
    return (
        request.method == "GET"
        and "text/html" in accept
        and not path.startswith(_API_PREFIXES)
    )


def _error_response(
    request: Request,
    status: int,
    message: str,
    kind: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if _wants_html(request):
        templates: Jinja2Templates = request.app.state.templates
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message, "type": kind},
            status_code=status, headers=headers,
        )
    body: dict[str, Any] = {"error": message, "type": kind, "status": status}
    body.update(extra or {})
    return JSONResponse(body, status_code=status, headers=headers)


def _project_error_classes() -> tuple[type[Exception], ...]:
    classes: list[type[Exception]] = [GraphError, ApiError]
    try:  # the ingest stage's tree, once it exists
        from ingest.errors import IngestError
    except ImportError:
        pass
    else:
        classes.append(IngestError)
    return tuple(classes)


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """Build the API and web page.

    Args:
        settings: configuration; read from ``REFORMKG_*`` variables when omitted.
        store: the store to serve; opened from ``settings.store`` when omitted (and then
            closed when the app shuts down).

    Raises:
        SettingsError: a setting is invalid or asks for something unsupported.
        StoreError: the store cannot be opened.
    """
    settings = settings if settings is not None else Settings.from_env()
    owns_store = store is None
    store = store if store is not None else open_store(settings)
    runner = QueryRunner(
        store,
        timeout=settings.query_timeout,
        max_rows=settings.max_rows,
        workers=settings.query_workers,
        service_allowlist=settings.service_allowlist,
        queue=settings.query_queue,
        isolation=settings.query_isolation,  # type: ignore[arg-type]  # checked by Settings
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            await runner.ready()
            yield
        finally:
            runner.close()
            if owns_store:
                store.close()

    app = FastAPI(
        title="reformkg",
        version=_version(),
        summary="Knowledge graph of Vietnamese administrative-reform facts",
        description=(
            "SPARQL 1.1 endpoint (read-only, pyoxigraph), facts and connections with their "
            "source sentences, the information-system network, SHACL validation, named "
            "queries and token-protected ingest."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.runner = runner
    app.state.validate_lock = threading.Lock()  # GET /validate: one at a time (issue 7)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")

    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "HEAD"],
        expose_headers=_EXPOSED_HEADERS,
    )

    async def project_error(request: Request, exc: Exception) -> Response:
        status = int(getattr(exc, "status", 500))
        extra = {"supported": exc.supported} if isinstance(exc, NotAcceptable) else None
        if status >= 500:
            log.warning("%s %s: %s: %s", request.method, request.url.path, _error_type(exc), exc)
        headers = getattr(exc, "headers", None)
        return _error_response(request, status, str(exc), _error_type(exc), extra, headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        return _error_response(
            request, exc.status_code, str(exc.detail), _error_type(exc),
            headers=dict(exc.headers) if exc.headers else None,
        )

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return _error_response(request, 422, f"invalid request: {problems}", _error_type(exc))

    async def internal_error(request: Request, exc: Exception) -> Response:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return _error_response(
            request, 500, "internal error; the traceback is in the server log",
            "InternalServerError",
        )

    for cls in _project_error_classes():
        app.add_exception_handler(cls, project_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, internal_error)

    for module in (sparql, data, validate, queries, ingest_routes, page):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
