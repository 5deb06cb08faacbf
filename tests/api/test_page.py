"""``GET /``: the web page works offline (no CDN) and its static files are served."""

from __future__ import annotations

import re
from pathlib import Path

import api
from tests.api.api_testkit import TestClient

STATIC = Path(api.__file__).parent / "static"
TEMPLATES = Path(api.__file__).parent / "templates"


def test_page_sections(api_client: TestClient) -> None:
    r = api_client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    for anchor in ('id="sparql"', 'id="network"', 'id="facts"', 'id="validation"', 'id="query"',
                   'id="example"', 'id="cy"', 'data-lang="vi"', 'data-lang="en"'):
        assert anchor in html
    assert '"name": "facts"' in html or '"name":"facts"' in html  # named queries embedded


def test_page_uses_no_external_resources(api_client: TestClient) -> None:
    html = api_client.get("/").text
    refs = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
    assert refs
    for ref in refs:
        assert ref.startswith("/static/"), ref
    for path in [*STATIC.rglob("*.js"), *STATIC.rglob("*.css"), *TEMPLATES.glob("*.html")]:
        if path.name == "cytoscape.min.js":
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']https?://""", text), path
        assert "@import" not in text and "fetch(\"http" not in text, path


def test_static_files_served(api_client: TestClient) -> None:
    html = api_client.get("/").text
    for ref in re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+)"', html):
        r = api_client.get(ref)
        assert r.status_code == 200, ref
        assert r.content
    assert "cytoscape" in api_client.get("/static/vendor/cytoscape.min.js").text[:400].lower()
    license_text = api_client.get("/static/vendor/cytoscape.LICENSE").text
    assert "Cytoscape Consortium" in license_text


def test_browser_gets_html_error_page_api_gets_json(api_client: TestClient) -> None:
    r = api_client.get("/missing", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    r = api_client.get("/missing")
    assert r.status_code == 404 and r.json() == {"error": "Not Found", "type": "HTTPException",
                                                 "status": 404}


def test_openapi_lists_the_routes(api_client: TestClient) -> None:
    paths = api_client.get("/openapi.json").json()["paths"]
    for path in ("/sparql", "/facts", "/connections", "/graph/systems", "/validate", "/queries",
                 "/queries/{name}", "/ingest"):
        assert path in paths
