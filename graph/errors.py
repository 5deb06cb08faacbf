"""Errors of the graph stage.

::

    GraphError
    ├── StoreError          the store cannot be opened, read or written
    ├── ShapesLoadError     ontology/shapes.ttl (or the data) cannot be loaded for validation
    ├── QueryNotFound       a named query does not exist
    ├── QuerySyntaxError    a SPARQL text does not parse (message carries the position)
    └── ExportError         an export format or filter cannot be honoured

Messages say what went wrong, where, and what to do next. SHACL non-conformance is a result
(:class:`graph.validate.ValidationReport`), never an exception.
"""

from __future__ import annotations


class GraphError(Exception):
    """Root of the graph stage's errors. ``status`` is the HTTP status the API answers with."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreError(GraphError):
    """The store directory or endpoint cannot be opened, read or written."""

    status = 503


class ShapesLoadError(GraphError):
    """The shapes or the data could not be loaded for validation ("could not validate")."""

    status = 500


class QueryNotFound(GraphError):
    """A named query was asked for that ``graph/queries/`` does not have."""

    status = 404

    def __init__(self, name: str, available: list[str]) -> None:
        super().__init__(
            f"no named query {name!r}; available: {', '.join(sorted(available)) or 'none'}"
        )
        self.name = name


class QuerySyntaxError(GraphError):
    """A SPARQL text does not parse; the message carries the parser's position."""

    status = 400

    def __init__(self, message: str, name: str | None = None) -> None:
        where = f"query {name!r}: " if name else ""
        super().__init__(f"{where}SPARQL syntax error: {message}")
        self.name = name


class ExportError(GraphError):
    """An export was asked for in a format or with a filter that cannot be honoured."""

    status = 400
