"""Shared helpers of the API tests (``tests.api.api_testkit``; ``tests/api`` has no
``__init__.py`` on purpose: as a package it would be named ``api`` and shadow the real one).

The fixture store holds two invented sources (not real articles) shaped exactly like ingested
ones (ontology/README.md): observations with spans and sentences, named, planned and grouped
connections, systems and an agency. The reference graph comes from ``ontology/`` as in every
store.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pyoxigraph as ox

from graph.store import Store

with warnings.catch_warnings():
    # Starlette 1.x warns that its httpx-based TestClient will move to httpx2; not our concern.
    warnings.filterwarnings("ignore", message=r".*httpx2")
    from fastapi.testclient import TestClient

__all__ = ["FIXTURE", "RKG", "SOURCE_A", "SOURCE_B", "TestClient", "load_fixture_store"]

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "fixture.trig"
RKG = "https://w3id.org/reformkg/def#"
SOURCE_A = "https://w3id.org/reformkg/id/source/test-vinhphuc-q1"
SOURCE_B = "https://w3id.org/reformkg/id/source/test-phutho-2024"


def load_fixture_store() -> Store:
    """A fresh in-memory store with the reference graph and the fixture sources."""
    store = Store(None)
    store._ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return store
