"""``GET /``: the web page (Jinja2 template + vendored static files; works offline).

The page is a shell: everything it shows comes from the JSON routes the tests also call
(``/sparql``, ``/graph/systems``, ``/facts``, ``/connections``, ``/validate``, ``/queries``).
The named queries are embedded so the SPARQL editor's examples need no extra request.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from graph.errors import GraphError
from ontology import PREFIXES

from .deps import SettingsDep

__all__ = ["router"]

log = logging.getLogger("reformkg.api")

router = APIRouter(include_in_schema=False)


def _examples() -> list[dict[str, Any]]:
    try:
        from graph import queries

        return [queries.load(name).to_dict() for name in queries.names()]
    except (ImportError, GraphError) as exc:  # the page still works without examples
        log.warning("named queries unavailable on the page: %s", exc)
        return []


@router.get("/", response_class=HTMLResponse)
def index(request: Request, settings: SettingsDep) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    context = {
        "examples": _examples(),
        "prefixes": PREFIXES,
        "max_rows": settings.max_rows,
        "query_timeout": settings.query_timeout,
        "version": request.app.version,
    }
    return templates.TemplateResponse(request, "index.html", context)
