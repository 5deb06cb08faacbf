"""Entity expansion and external entities, on every path that parses XML or HTML (issue 7,
item 2).

* ``reformkg ingest`` of .html / .xhtml pages (trafilatura on lxml's HTML parser);
* SPARQL servers' answers (``--endpoint``): RDF/XML and SPARQL XML results parsed by
  pyoxigraph, whose RDF/XML parser expands internal entities without limit — so a DTD is
  refused before parsing;
* our own XML answers: text from documents can never become markup in them;
* rdflib's RDF/XML parser (quadratic on entity expansion) is never handed outside input.

Each hostile document combines a "billion laughs" DTD with ``SYSTEM`` entities pointing at a
file holding a secret and at a loopback listener that must receive nothing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from api.cli import main
from graph.errors import StoreError
from graph.remote import RemoteStore
from graph.store import Store
from tests.api.api_testkit import TestClient, load_fixture_store
from tests.hardening.kit import ROOT, Listener, entity_bomb, listening

ARTICLE = (
    "<p>Trong quý I/2025, tỉnh Phú Thọ đã tiếp nhận 12.345 hồ sơ thủ tục hành chính, trong đó "
    "98,5% được giải quyết đúng và trước hạn. &lol9; &secret; &net;</p>"
    "<p>Tỷ lệ hồ sơ trực tuyến toàn trình đạt 61,2%, tăng 4,1 điểm phần trăm so với cùng kỳ "
    "năm 2024.</p>"
    "<p>Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh đã kết nối với Cổng Dịch vụ "
    "công quốc gia.</p>"
)
SECRET = "s3cr3t-f1le-c0ntent-7f3a"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def _page(listener: Listener, secret_file: Path, *, root: str = "html", prolog: bool = True) -> str:
    body = (f'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Báo cáo</title></head>'
            f"<body><article><h1>Báo cáo CCHC</h1>{ARTICLE}</article></body></html>")
    return entity_bomb(root, 9, body, prolog=prolog, external={
        "secret": secret_file.as_uri(), "net": listener.url})


@pytest.mark.parametrize("suffix", [".html", ".xhtml"])
@pytest.mark.parametrize("prolog", [True, False], ids=["xml-prolog", "no-prolog"])
def test_ingest_of_hostile_html_expands_nothing_and_fetches_nothing(
        suffix: str, prolog: bool, tmp_path: Path, secret_file: Path) -> None:
    with listening() as listener:
        page = tmp_path / f"page{suffix}"
        page.write_text(_page(listener, secret_file, prolog=prolog), encoding="utf-8")
        store_dir = tmp_path / "store"
        res = CliRunner().invoke(main, ["ingest", "--quiet", "--store", str(store_dir),
                                        str(page)])
        assert res.exit_code == 0, res.stderr
        store = Store(store_dir, read_only=True)
        dump = store._ox.dump(format=ox.RdfFormat.N_QUADS).decode("utf-8")
        texts = [r["text"] for r in store.select(
            "SELECT ?text WHERE { ?s <https://w3id.org/reformkg/def#text> ?text }")]
        store.close()
        assert SECRET not in dump
        assert "lol" * 100 not in dump
        assert texts and all(len(t) < 5000 for t in texts)
        assert "12.345" in texts[0]  # the article itself came through
        assert listener.settle() == 0


def test_lxml_html_parsing_is_safe_even_without_our_dtd_stripping(
        tmp_path: Path, secret_file: Path) -> None:
    """The library's own behaviour, pinned: trafilatura on the raw hostile page."""
    import trafilatura

    with listening() as listener:
        result = trafilatura.bare_extraction(_page(listener, secret_file), favor_precision=True)
        text = (result.as_dict() if hasattr(result, "as_dict") else result or {}).get("text", "")
        assert SECRET not in text and "lol" * 100 not in text and len(text) < 5000
        assert listener.settle() == 0


# -- SPARQL servers' answers -------------------------------------------------------------------


class _HostileEndpoint(BaseHTTPRequestHandler):
    """Answers SELECTs with empty JSON results and anything else with ``payload``."""

    payload: bytes = b""
    media: str = "application/rdf+xml"

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length", 0))
        query = parse_qs(self.rfile.read(length).decode()).get("query", [""])[0]
        if re.search(r"\bSELECT\b", query) and "CONSTRUCT" not in query and \
                self.media == "application/rdf+xml":
            body, media = b'{"head":{"vars":["s","o"]},"results":{"bindings":[]}}', \
                "application/sparql-results+json"
        else:
            body, media = self.payload, self.media
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hostile_endpoint() -> Iterator[Callable[[bytes, str], str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(payload: bytes, media: str) -> str:
        handler = type("Handler", (_HostileEndpoint,), {"payload": payload, "media": media})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/query"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


RDF_BODY = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://e/"><rdf:Description rdf:about="http://e/s">'
            "<ex:p>&lol6;</ex:p><ex:q>&secret;</ex:q><ex:r>&net;</ex:r>"
            "</rdf:Description></rdf:RDF>")
RESULTS_BODY = ('<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
                '<variable name="s"/><variable name="o"/></head><results><result>'
                '<binding name="s"><literal>&lol6;&secret;&net;</literal></binding>'
                "</result></results></sparql>")


@pytest.mark.parametrize(
    ("root", "body", "media", "query"),
    [
        ("rdf:RDF", RDF_BODY, "application/rdf+xml", "CONSTRUCT WHERE { ?s ?p ?o }"),
        ("sparql", RESULTS_BODY, "application/sparql-results+xml",
         "SELECT ?s ?o WHERE { ?s ?p ?o }"),
        ("rdf:RDF", RDF_BODY, "application/xml", "CONSTRUCT WHERE { ?s ?p ?o }"),
    ],
    ids=["rdfxml", "results-xml", "plain-xml"],
)
def test_hostile_xml_from_an_endpoint_is_refused(
        root: str, body: str, media: str, query: str, secret_file: Path,
        hostile_endpoint: Callable[[bytes, str], str]) -> None:
    with listening() as listener:
        # 6 levels: 30 MB if it were expanded (the guard is what keeps it from happening)
        doc = entity_bomb(root, 6, body, external={"secret": secret_file.as_uri(),
                                                   "net": listener.url})
        url = hostile_endpoint(doc.encode(), media)
        store = RemoteStore(url, read_only=True, retries=1)
        with pytest.raises(StoreError, match="declares a DTD") as info:
            store.query(query)
        assert "\n" not in str(info.value)
        store.close()
        assert listener.settle() == 0


def test_pyoxigraph_would_expand_the_bomb() -> None:
    """Why the guard exists: pyoxigraph's RDF/XML parser expands entities without a limit."""
    doc = entity_bomb("rdf:RDF", 4, RDF_BODY.replace("&secret;", "").replace("&net;", "")
                      .replace("&lol6;", "&lol4;"))
    triples = list(ox.parse(doc.encode(), format=ox.RdfFormat.RDF_XML))
    assert max(len(t.object.value) for t in triples) == 30 * 10**4


# -- our own XML answers ------------------------------------------------------------------------

MARKUP = '<!DOCTYPE x [<!ENTITY a "bbb">]> &a; <b>đậm</b> ]]> &amp;'


def test_document_text_never_becomes_markup_in_xml_answers(
        make_client: Callable[..., TestClient]) -> None:
    store = load_fixture_store()
    client = make_client(store, ingest_token="secret")
    text = f"Năm 2025, tỉnh A tiếp nhận 1.234 hồ sơ. {MARKUP}"
    r = client.post("/ingest", json={"id": "xml-markup", "text": text},
                    headers={"Authorization": "Bearer secret"})
    assert r.status_code == 200 and r.json()["documents"] == 1, r.text
    query = ("SELECT ?t WHERE { <https://w3id.org/reformkg/id/source/xml-markup> "
             "<https://w3id.org/reformkg/def#text> ?t }")
    r = client.get("/sparql", params={"query": query, "format": "xml"})
    assert "<!ENTITY" not in r.text and "<!DOCTYPE" not in r.text
    solutions = ox.parse_query_results(r.content, ox.QueryResultsFormat.XML)
    assert [s["t"].value for s in solutions] == [text]
    construct = query.replace("SELECT ?t WHERE", "CONSTRUCT WHERE")
    r = client.get("/sparql", params={"query": construct, "format": "rdfxml"})
    assert "<!ENTITY" not in r.text
    for parsed in (rdflib.Graph().parse(data=r.text, format="xml"),):
        assert [str(o) for o in parsed.objects()] == [text]


def test_rdflib_never_parses_outside_rdf_xml() -> None:
    """rdflib's RDF/XML parser takes minutes on a 600-byte entity bomb (3 MB of expansion,
    under expat's amplification guard, then quadratic). Product code hands it Turtle only."""
    offenders = []
    for package in ("ingest", "graph", "api"):
        for path in (ROOT / package).rglob("*.py"):
            for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if ".parse(" in line and re.search(r"xml|rdfxml|trix", line, re.IGNORECASE):
                    offenders.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert offenders == []
