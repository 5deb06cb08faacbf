"""Errors of the HTTP layer (the graph and ingest stages have their own trees).

::

    ApiError                 status 400 unless a subclass says otherwise
    ├── NotAcceptable        406: no supported media type matches Accept / ``format=``
    ├── UpdateRefused        403: SPARQL Update sent to the read-only endpoint
    ├── ServiceRefused       403: ``SERVICE`` to an endpoint that is not allow-listed
    ├── BadRequest           400: a protocol rule was broken (no query, two queries, bad body)
    ├── NotFound             404: a source id (or other named thing) is not in the store
    ├── IngestDisabled       404: ``POST /ingest`` while no ingest token is configured
    ├── Unauthorized         401: missing or wrong bearer token
    ├── PayloadTooLarge      413: the body is over ``max_body_bytes``
    ├── UnsupportedMediaType 415: a request body of a type the route does not read
    ├── QueryTimeout         503: the query ran longer than ``query_timeout`` (and was stopped)
    └── Busy                 503 + ``Retry-After``: every query worker is busy and the waiting
                             room is full, or no worker freed up in time

Every error answers JSON ``{"error", "type", "status"}`` through the one handler registered
in :func:`api.app.create_app`.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "ApiError",
    "BadRequest",
    "Busy",
    "IngestDisabled",
    "NotFound",
    "NotAcceptable",
    "PayloadTooLarge",
    "QueryTimeout",
    "ServiceRefused",
    "Unauthorized",
    "UnsupportedMediaType",
    "UpdateRefused",
]


class ApiError(Exception):
    """Root of the HTTP layer's errors; ``status`` is the response status."""

    status = 400
    #: extra response headers (``WWW-Authenticate`` for 401, ``Retry-After`` for 503)
    headers: dict[str, str] | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ApiError):
    """The request breaks the protocol: no query, two queries, an unreadable body."""


class NotFound(ApiError):
    """A request names something the store does not have (a source id, …)."""

    status = 404


class NotAcceptable(ApiError):
    """None of the media types the client accepts can carry this result."""

    status = 406

    def __init__(self, asked: str, supported: Sequence[str]) -> None:
        super().__init__(
            f"cannot answer with {asked!r}; supported media types: {', '.join(supported)}"
        )
        self.supported = list(supported)


class UpdateRefused(ApiError):
    """A SPARQL Update reached the endpoint, which is read-only."""

    status = 403

    def __init__(self, what: str = "SPARQL Update") -> None:
        super().__init__(
            f"{what} refused: this endpoint is read-only; load data with `reformkg ingest` "
            "or POST /ingest"
        )


class ServiceRefused(ApiError):
    """A query federates with ``SERVICE`` to an endpoint that is not allow-listed."""

    status = 403

    def __init__(self, target: str, allowed: Sequence[str]) -> None:
        hint = (
            f"allowed endpoints: {', '.join(allowed)}"
            if allowed
            else "no endpoint is allow-listed (setting service_allowlist, "
            "env REFORMKG_SERVICE_ALLOWLIST)"
        )
        super().__init__(f"SERVICE {target} refused: federation is off for this endpoint; {hint}")
        self.target = target


class IngestDisabled(ApiError):
    """``POST /ingest`` was called but no ingest token is configured."""

    status = 404

    def __init__(self) -> None:
        super().__init__(
            "POST /ingest is disabled: start the server with REFORMKG_INGEST_TOKEN set to enable it"
        )


class Unauthorized(ApiError):
    """The ``Authorization: Bearer`` token is missing or wrong."""

    status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="reformkg ingest"'}

    def __init__(self) -> None:
        super().__init__(
            "POST /ingest needs the header `Authorization: Bearer <token>` with the token the "
            "server was started with (REFORMKG_INGEST_TOKEN)"
        )


class PayloadTooLarge(ApiError):
    """The request body is larger than ``max_body_bytes``."""

    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"request body larger than {limit} bytes (setting max_body_bytes, "
            "env REFORMKG_MAX_BODY_BYTES); split the upload or use `reformkg ingest`"
        )


class QueryTimeout(ApiError):
    """The query did not finish within ``query_timeout`` seconds."""

    status = 503

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"query exceeded the {seconds:g} s timeout; add LIMIT or narrower patterns, or run it "
            "with `reformkg query`"
        )


class UnsupportedMediaType(ApiError):
    """The request body has a content type the route does not read."""

    status = 415

    def __init__(self, got: str, supported: Sequence[str]) -> None:
        super().__init__(
            f"cannot read a {got or 'untyped'} body; send one of: {', '.join(supported)}"
        )


class Busy(ApiError):
    """Every query worker is busy: the waiting room (``query_queue``) is full, or no worker
    became free before the request's deadline. Answered 503 with ``Retry-After`` instead of
    letting requests pile up behind a slow query."""

    status = 503

    def __init__(self, what: str, retry_after: int) -> None:
        super().__init__(
            f"busy: {what}; retry after {retry_after} s (settings query_workers, query_queue)"
        )
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}
