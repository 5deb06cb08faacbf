"""Schemathesis against the app's own OpenAPI description: no 5xx on any generated request
(issue 7, item 3).

In-process (ASGI), on a fresh copy of the fixture store with ``POST /ingest`` enabled (the
token is sent), threads for queries (in-memory store), a short query timeout. Examples per
operation are bounded: 25 by default, 150 with ``REFORMKG_LONG_TESTS=1``; derandomized so a
failure reproduces.

(Schemathesis' own pytest integration, ``from_fixture``, does not work with pytest 9 yet, so
each operation's Hypothesis strategy is driven here directly.)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from api.settings import Settings
from tests.api.api_testkit import load_fixture_store
from tests.hardening.kit import LONG

AUTH = {"Authorization": "Bearer fuzz-token"}
EXAMPLES = 150 if LONG else 25


@pytest.fixture(scope="module")
def api_schema() -> Iterator[Any]:
    app = create_app(Settings(ingest_token="fuzz-token", query_timeout=5.0, max_rows=200,
                              max_body_bytes=200_000), load_fixture_store())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.runner.close()


def _operations() -> list[str]:
    """``METHOD /path`` of every operation, read from a throwaway app (for test ids)."""
    app = create_app(Settings(), load_fixture_store())
    try:
        return [f"{method.upper()} {path}" for path, item in app.openapi()["paths"].items()
                for method in item]
    finally:
        app.state.runner.close()


@pytest.mark.parametrize("operation", _operations())
def test_no_server_error_on_any_generated_request(api_schema: Any, operation: str) -> None:
    method, path = operation.split(" ", 1)
    found = [r.ok() for r in api_schema.get_all_operations()
             if r.ok().method.upper() == method and r.ok().path == path]
    assert len(found) == 1, operation

    @given(found[0].as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        response = case.call(headers=AUTH)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r} "
            f"-> {response.status_code}: {response.text[:300]}"
        )

    check()
