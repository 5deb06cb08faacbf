"""Fixtures for the API tests: the fixture store (``data/fixture.trig``) and app clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from api.app import create_app
from api.settings import Settings
from graph.store import Store
from tests.api.api_testkit import TestClient, load_fixture_store


@pytest.fixture(scope="session")
def api_store() -> Store:
    """Shared read-only store (tests that write make their own)."""
    return load_fixture_store()


@pytest.fixture
def make_api_client(api_store: Store) -> Iterator[Callable[..., TestClient]]:
    """``make_api_client(store=None, **settings)`` → a TestClient on a fresh app."""
    clients: list[TestClient] = []

    def make(store: Store | None = None, **settings: Any) -> TestClient:
        app = create_app(Settings(**settings), store if store is not None else api_store)
        client = TestClient(app)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.app.state.runner.close()  # type: ignore[attr-defined]


@pytest.fixture
def api_client(make_api_client: Callable[..., TestClient]) -> TestClient:
    """A client with default settings on the shared fixture store."""
    return make_api_client()
