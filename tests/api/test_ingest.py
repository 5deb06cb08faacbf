"""``POST /ingest``: token checks, body limits and the hand-off to ``ingest.pipeline``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.api_testkit import TestClient, load_fixture_store

DOC = {"id": "test-doc", "text": "Năm 2025, tỉnh A tiếp nhận 1.234 hồ sơ.", "title": "Thử"}


def test_disabled_without_token(make_api_client: Callable[..., TestClient]) -> None:
    client = make_api_client()
    r = client.post("/ingest", json=DOC, headers={"Authorization": "Bearer anything"})
    assert r.status_code == 404
    assert r.json()["type"] == "IngestDisabled"
    assert "REFORMKG_INGEST_TOKEN" in r.json()["error"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic c2VjcmV0"},
     {"Authorization": "Bearer"}, {"Authorization": "secret"}],
)
def test_bad_token_is_401(
    make_api_client: Callable[..., TestClient], headers: dict[str, str]
) -> None:
    client = make_api_client(ingest_token="secret")
    r = client.post("/ingest", json=DOC, headers=headers)
    assert r.status_code == 401
    assert r.json()["type"] == "Unauthorized"
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_body_too_large_is_413(make_api_client: Callable[..., TestClient]) -> None:
    client = make_api_client(ingest_token="secret", max_body_bytes=200)
    big = dict(DOC, text="x" * 500)
    r = client.post("/ingest", json=big, headers={"Authorization": "Bearer secret"})
    assert r.status_code == 413
    assert "max_body_bytes" in r.json()["error"]


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"id": "x"}', b'{"id": "a/b", "text": "t"}',
     b'[{"id": "a", "text": "t"}, {"id": "a", "text": "u"}]', b'{"id": "a", "text": "t", "x": 1}'],
)
def test_invalid_body_is_400(make_api_client: Callable[..., TestClient], body: bytes) -> None:
    client = make_api_client(ingest_token="secret")
    r = client.post("/ingest", content=body,
                    headers={"Authorization": "Bearer secret", "Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.json()["type"] == "BadRequest"


@pytest.fixture
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Replace ``api.loader.ingest_documents`` by a recorder (the route's contract only)."""
    import api.loader

    calls: list[tuple[Any, list[dict[str, Any]]]] = []

    def ingest_documents(store: Any, docs: list[dict[str, Any]]) -> dict[str, Any]:
        calls.append((store, docs))
        return {"sources": len(docs), "facts": 1}

    monkeypatch.setattr(api.loader, "ingest_documents", ingest_documents)
    return calls


@pytest.mark.parametrize(
    "payload", [DOC, [DOC], {"documents": [DOC]}], ids=["object", "list", "documents"]
)
def test_good_token_hands_documents_to_the_pipeline(
    make_api_client: Callable[..., TestClient],
    fake_pipeline: list[tuple[Any, list[dict[str, Any]]]],
    payload: Any,
) -> None:
    store = load_fixture_store()
    client = make_api_client(store=store, ingest_token="secret")
    r = client.post("/ingest", json=payload, headers={"Authorization": "Bearer secret"})
    assert r.status_code == 200, r.text
    assert r.json() == {"sources": 1, "facts": 1}
    (called_store, docs), = fake_pipeline
    assert called_store is store
    assert docs == [DOC]


def test_real_ingest_is_idempotent(make_api_client: Callable[..., TestClient]) -> None:
    """The real pipeline behind the route: a new named graph, then nothing on a second post."""
    store = load_fixture_store()
    client = make_api_client(store=store, ingest_token="secret")
    auth = {"Authorization": "Bearer secret"}
    doc = {"id": "api-ingest-test", "title": "Bản tin thử", "date": "2025-04-10",
           "text": "Quý I/2025, tỉnh Vĩnh Phúc tiếp nhận 1.234 hồ sơ thủ tục hành chính, "
                   "tỷ lệ giải quyết đúng hạn đạt 99,1%."}
    first = client.post("/ingest", json=doc, headers=auth)
    assert first.status_code == 200, first.text
    assert first.json()["documents"] == 1 and first.json()["failures"] == []
    assert "https://w3id.org/reformkg/id/source/api-ingest-test" in store.sources()
    count = store.quad_count()
    second = client.post("/ingest", json=doc, headers=auth)
    assert second.json()["unchanged"] == 1 and store.quad_count() == count
    surfaces = {r["surface"] for r in client.get("/facts?source_id=api-ingest-test").json()["rows"]}
    assert {"1.234", "99,1%"} <= surfaces
