"""Shared fixtures: the seed (when ../shared/seed exists), our examples, stores built through
the real pipeline once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT.parent / "shared" / "seed"
SEED_TEXT = SEED_DIR / "vinhphuc-2025q1.txt"
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No REFORMKG_* variable of the developer's shell leaks into a test."""
    for key in list(os.environ):
        if key.startswith("REFORMKG_"):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def seed_text() -> Path:
    if not SEED_TEXT.exists():
        pytest.skip(f"the seed article is not at {SEED_TEXT} (../shared/seed is absent here)")
    return SEED_TEXT


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory, seed_text: Path):  # type: ignore[no-untyped-def]
    """An on-disk store holding the seed article, ingested through the real pipeline."""
    from api.loader import ingest_paths
    from graph.store import Store

    path = tmp_path_factory.mktemp("seed") / "store"
    store = Store(path)
    summary = ingest_paths(store, [seed_text])
    assert summary.documents == 1 and not summary.failures
    yield store
    store.close()


@pytest.fixture(scope="session")
def examples_store(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """An in-memory store holding our bundled example reports."""
    from api.loader import ingest_paths
    from graph.store import Store

    store = Store(None)
    summary = ingest_paths(store, sorted(EXAMPLES.glob("*.txt")))
    assert not summary.failures, summary.failures
    return store
