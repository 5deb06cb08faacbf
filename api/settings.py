"""Settings of the HTTP API and the web page.

Configuration enters at the edge only (STYLE.md R7): ``ingest`` and ``graph`` take explicit
parameters; this is the one place that reads ``REFORMKG_*`` environment variables, and only when
:meth:`Settings.from_env` is called (never at import time).

=============================  ===============================  ==================================
field                          environment variable             default
=============================  ===============================  ==================================
``store``                      ``REFORMKG_STORE``               ``./reformkg-data``
``endpoint``                   ``REFORMKG_ENDPOINT``            none (embedded store)
``update_endpoint``            ``REFORMKG_UPDATE_ENDPOINT``     derived from ``endpoint``
``graph_store``                ``REFORMKG_GRAPH_STORE``         none (writes use SPARQL Update)
``host``                       ``REFORMKG_HOST``                ``127.0.0.1``
``port``                       ``REFORMKG_PORT``                ``8000``
``query_timeout``              ``REFORMKG_QUERY_TIMEOUT``       ``30.0`` seconds
``max_rows``                   ``REFORMKG_MAX_ROWS``            ``10000``
``query_workers``              ``REFORMKG_QUERY_WORKERS``       ``4``
``query_queue``                ``REFORMKG_QUERY_QUEUE``         ``64``
``query_isolation``            ``REFORMKG_QUERY_ISOLATION``     ``auto`` (``process``/``thread``)
``ingest_token``               ``REFORMKG_INGEST_TOKEN``        none (``POST /ingest`` disabled)
``cors_origins``               ``REFORMKG_CORS_ORIGINS``        ``*`` (comma-separated list)
``max_body_bytes``             ``REFORMKG_MAX_BODY_BYTES``      ``1000000``
``service_allowlist``          ``REFORMKG_SERVICE_ALLOWLIST``   none (comma-separated endpoint IRIs)
=============================  ===============================  ==================================
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ENV_PREFIX", "Settings", "SettingsError"]

ENV_PREFIX = "REFORMKG_"


class SettingsError(ValueError):
    """A setting has a value that makes no sense (negative timeout, port out of range, …).

    Raised by :class:`Settings` at construction, so a bad environment variable stops
    ``reformkg serve`` at start-up instead of failing on a researcher's request.
    """

    status = 500


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the API needs to know that is not in the store.

    Attributes:
        store: directory of the embedded Oxigraph store.
        endpoint: URL of a remote SPARQL 1.1 endpoint instead of the embedded store.
        update_endpoint: its SPARQL Update URL (default: ``…/query`` → ``…/update``, else
            ``endpoint``).
        graph_store: its Graph Store Protocol URL; ``None`` writes with SPARQL Update.
        host: interface ``reformkg serve`` binds to.
        port: TCP port ``reformkg serve`` listens on.
        query_timeout: seconds a ``/sparql`` request waits for its answer before a 503.
        max_rows: SELECT rows (CONSTRUCT triples) returned at most; the cut is reported in
            the ``X-Reformkg-Truncated`` and ``X-Reformkg-Row-Limit`` headers.
        query_workers: SPARQL queries evaluated at once (worker processes or threads).
        query_queue: requests that may wait for a query worker; more get 503 ``Busy`` with
            ``Retry-After`` (no pile-up behind slow queries).
        query_isolation: ``process`` runs queries in worker processes on a read-only snapshot,
            so a query past its timeout is killed; ``thread`` runs them in threads (a timed-out
            query finishes its current step); ``auto``: processes for an on-disk store,
            threads for an in-memory store or a SPARQL server.
        ingest_token: bearer token that enables ``POST /ingest``; ``None`` disables it.
        cors_origins: origins allowed to read GET responses from a browser.
        max_body_bytes: largest request body accepted (``POST /sparql``, ``POST /ingest``).
        service_allowlist: SPARQL endpoints a query may call with ``SERVICE``.

    Raises:
        SettingsError: a value is out of range.
    """

    store: Path = Path("./reformkg-data")
    endpoint: str | None = None
    update_endpoint: str | None = None
    graph_store: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = 30.0
    max_rows: int = 10_000
    query_workers: int = 4
    query_queue: int = 64
    query_isolation: str = "auto"
    ingest_token: str | None = field(default=None, repr=False)
    cors_origins: tuple[str, ...] = ("*",)
    max_body_bytes: int = 1_000_000
    service_allowlist: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Accept str paths and lists from callers (CLI options, tests) but store one shape.
        object.__setattr__(self, "store", Path(self.store))
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))
        object.__setattr__(self, "service_allowlist", tuple(self.service_allowlist))
        if self.ingest_token == "":
            object.__setattr__(self, "ingest_token", None)
        if not 0 < self.port < 65536:
            raise SettingsError(f"port {self.port}: must be between 1 and 65535")
        if not self.query_timeout > 0:
            raise SettingsError(
                f"query_timeout {self.query_timeout}: must be a positive number of seconds"
            )
        if self.max_rows < 1:
            raise SettingsError(f"max_rows {self.max_rows}: must be at least 1")
        if self.query_workers < 1:
            raise SettingsError(f"query_workers {self.query_workers}: must be at least 1")
        if self.query_queue < 0:
            raise SettingsError(f"query_queue {self.query_queue}: must be 0 or more")
        if self.query_isolation not in ("auto", "process", "thread"):
            raise SettingsError(
                f"query_isolation {self.query_isolation!r}: must be auto, process or thread"
            )
        if self.max_body_bytes < 1:
            raise SettingsError(f"max_body_bytes {self.max_body_bytes}: must be at least 1")
        for name in ("endpoint", "update_endpoint", "graph_store"):
            url = getattr(self, name)
            if url == "":
                object.__setattr__(self, name, None)
            elif url is not None and not url.startswith(("http://", "https://")):
                raise SettingsError(f"{name} {url!r}: must be an http(s) URL")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``REFORMKG_*`` variables; ``overrides`` (e.g. CLI options) win.

        Args:
            environ: the environment to read (``os.environ`` when omitted).
            **overrides: field values that replace what the environment says; ``None``
                values are ignored so CLI options left unset fall through.

        Raises:
            SettingsError: a variable cannot be converted or is out of range.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None or raw.strip() == "" and f.name != "ingest_token":
                continue
            values[f.name] = _convert(f.name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


def _convert(name: str, raw: str) -> Any:
    var = ENV_PREFIX + name.upper()
    try:
        if name in {"port", "max_rows", "query_workers", "query_queue", "max_body_bytes"}:
            return int(raw.replace("_", ""))
        if name == "query_timeout":
            return float(raw)
    except ValueError:
        raise SettingsError(f"{var}={raw!r}: not a number") from None
    if name in {"cors_origins", "service_allowlist"}:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if name == "store":
        return Path(raw)
    return raw
