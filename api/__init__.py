"""The delivery layer: HTTP API, web page and command line.

``create_app(settings, store)`` builds the FastAPI application (:mod:`api.app`); ``Settings``
(:mod:`api.settings`) is its configuration. Both are imported on first use so that ``reformkg``
commands that do not serve stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .settings import Settings

__all__ = ["Settings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(f"module 'api' has no attribute {name!r}")
