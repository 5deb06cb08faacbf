"""FastAPI dependencies shared by the routes: the store, the settings, the query runner."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.settings import Settings
from graph.store import Store

from .errors import PayloadTooLarge
from .runner import QueryRunner

__all__ = [
    "RunnerDep",
    "SettingsDep",
    "StoreDep",
    "get_runner",
    "get_settings",
    "get_store",
    "read_body",
]


def get_store(request: Request) -> Store:
    """The store the app was created with."""
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_runner(request: Request) -> QueryRunner:
    """The app's SPARQL runner (thread pool, timeout, row cap)."""
    runner: QueryRunner = request.app.state.runner
    return runner


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
RunnerDep = Annotated[QueryRunner, Depends(get_runner)]


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing it as soon as it is known to be over ``limit`` bytes.

    ``Content-Length`` is checked first; a chunked body is counted while it streams in, so
    an oversized upload is never held in memory whole.

    Raises:
        PayloadTooLarge: the body is larger than ``limit``.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)
