"""Fixtures shared by the graph tests: the hand-written two-province fixture in a store, and
its system network."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from graph import views
from graph.store import Store
from ontology import REFERENCE_GRAPH

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "graphs" / "small.trig"


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store(None)
    # The fixture carries its own minimal reference data (see test_queries.py).
    s.remove_graph(str(REFERENCE_GRAPH))
    s._ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return s


@pytest.fixture(scope="module")
def network(store: Store) -> nx.MultiDiGraph:
    return views.system_network(store)
