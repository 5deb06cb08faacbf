"""Fixtures of the hardening tests (issue 7): an on-disk examples store built once with the
real ``reformkg ingest``, and app factories for both query isolation modes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from api.app import create_app
from api.cli import main
from api.settings import Settings
from graph.store import Store
from tests.api.api_testkit import TestClient, load_fixture_store
from tests.hardening.kit import EXAMPLES


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib and httpx honour *_proxy variables; loopback must bypass them."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="session")
def examples_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store of our example reports, built with ``reformkg ingest``."""
    path = tmp_path_factory.mktemp("hardening") / "store"
    res = CliRunner().invoke(main, ["ingest", "--quiet", "--store", str(path),
                                    *map(str, sorted(EXAMPLES.glob("*.txt")))])
    assert res.exit_code == 0, res.stderr
    return path


@pytest.fixture(scope="session")
def examples_ro(examples_dir: Path) -> Iterator[Store]:
    """The examples store opened read-only (as ``reformkg serve`` does without a token)."""
    store = Store(examples_dir, read_only=True)
    yield store
    store.close()


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    """``make_client(store, **settings)`` → a started TestClient (lifespan run: workers up)."""
    clients: list[TestClient] = []

    def make(store: Store | None = None, **settings: Any) -> TestClient:
        app = create_app(Settings(**settings), store if store is not None else load_fixture_store())
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def shared_clients(examples_ro: Store) -> Iterator[dict[str, TestClient]]:
    """One started client per isolation mode on the examples store, for the whole session
    (worker processes take a second or two to start)."""
    clients: dict[str, TestClient] = {}
    for mode in ("thread", "process"):
        client = TestClient(create_app(Settings(query_isolation=mode, query_workers=2),
                                       examples_ro))
        client.__enter__()
        clients[mode] = client
    yield clients
    for client in clients.values():
        client.__exit__(None, None, None)


@pytest.fixture(params=["thread", "process"])
def isolated_client(request: pytest.FixtureRequest,
                    shared_clients: dict[str, TestClient]) -> TestClient:
    """A client on the examples store in each query isolation mode."""
    return shared_clients[request.param]
