"""The graph stage: store → validate → views → export, with the named SPARQL queries.

``store`` (embedded Oxigraph or a SPARQL endpoint), ``validate`` (SHACL), ``views`` (networkx
projections and layouts), ``export`` (fact/connection tables, GraphML, GEXF, Cytoscape JSON, DOT,
CSV), ``render`` (SVG/PNG pictures, imported on demand because it loads matplotlib) and
``queries`` (the ``*.rq`` files). Errors are in ``graph.errors``.
"""

from __future__ import annotations

from .errors import (
    ExportError,
    GraphError,
    QueryNotFound,
    QuerySyntaxError,
    ShapesLoadError,
    StoreError,
)
from .export import (
    CONNECTION_COLUMNS,
    FACT_COLUMNS,
    connections_rows,
    facts_rows,
    write_network,
    write_rows,
)
from .store import Store, open_store
from .views import layout, network_json, system_network

__all__ = [
    "CONNECTION_COLUMNS",
    "ExportError",
    "FACT_COLUMNS",
    "GraphError",
    "QueryNotFound",
    "QuerySyntaxError",
    "ShapesLoadError",
    "Store",
    "StoreError",
    "connections_rows",
    "facts_rows",
    "layout",
    "network_json",
    "open_store",
    "system_network",
    "write_network",
    "write_rows",
]
