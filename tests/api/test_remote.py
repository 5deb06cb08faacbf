"""A real SPARQL server as the store (issue 4, item 2): ``--endpoint`` against Oxigraph server.

A fresh ``oxigraph serve --union-default-graph`` (PyPI package ``oxigraph``, a dev extra) on a
loopback port gets our examples (and the seed, when ../shared/seed is here) through
``reformkg ingest --endpoint``; an embedded store gets the same files through
``reformkg ingest --store``. Every read command must then answer the same, row for row.
Failure modes (server down, slow, answering errors, misconfigured) use a closed port, a tiny
local HTTP server and httpx mock transports: no network beyond 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from api.app import create_app
from api.cli import main
from api.settings import Settings
from graph import queries
from graph.errors import QuerySyntaxError, StoreError
from graph.remote import EndpointError, RemoteStore
from graph.store import Store, open_store
from tests.api.api_testkit import TestClient, free_port, oxigraph_binary, oxigraph_server
from tests.conftest import EXAMPLES, SEED_TEXT

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        oxigraph_binary() is None,
        reason="the `oxigraph` server command is not installed: pip install -e '.[dev]'",
    ),
]

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.txt"))
SEED_ID = "vinhphuc-2025q1"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx honours *_proxy variables; loopback must bypass them."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def corpus() -> list[Path]:
    """Our examples, always; the seed too when ../shared/seed is present."""
    return EXAMPLE_FILES + ([SEED_TEXT] if SEED_TEXT.exists() else [])


class Pair:
    """The same corpus in a running Oxigraph server and in an embedded store directory."""

    def __init__(self, base: str, store_dir: Path) -> None:
        self.base = base
        self.endpoint = base + "/query"
        self.graph_store = base + "/store"
        self.store_dir = store_dir

    def remote(self, *args: str) -> Result:
        return run(*args, "--endpoint", self.endpoint)

    def embedded(self, *args: str) -> Result:
        return run(*args, "--store", str(self.store_dir))


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    root = tmp_path_factory.mktemp("remote")
    with oxigraph_server(root / "oxigraph") as base:
        p = Pair(base, root / "embedded")
        files = [str(f) for f in corpus()]
        remote = run("ingest", "--quiet", "--endpoint", p.endpoint, "--graph-store", p.graph_store,
                     *files)
        assert remote.exit_code == 0, remote.stderr
        embedded = run("ingest", "--quiet", "--store", str(p.store_dir), *files)
        assert embedded.exit_code == 0, embedded.stderr
        yield p


def _bag(rows: list[dict[str, Any]]) -> Counter[str]:
    """Rows without regard to order (ties of an ORDER BY may come in any order)."""
    return Counter(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in rows)


def _rows(output: str) -> Counter[str]:
    return Counter(
        json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False)
        for line in output.splitlines() if line.strip()
    )


# -- the same answers as the embedded store -------------------------------------------------


def test_ingest_reports_the_endpoint_and_is_idempotent(pair: Pair) -> None:
    again = pair.remote("ingest", "--quiet", *[str(f) for f in corpus()])  # now via SPARQL Update
    assert again.exit_code == 0, again.stderr
    assert f"ingested 0 documents ({len(corpus())} unchanged)" in again.stdout
    assert pair.endpoint in again.stdout


@pytest.mark.parametrize("command", ["facts", "connections"])
def test_exports_equal_the_embedded_store(pair: Pair, command: str) -> None:
    remote = pair.remote(command, "--format", "jsonl")
    embedded = pair.embedded(command, "--format", "jsonl")
    assert remote.exit_code == embedded.exit_code == 0, remote.stderr + embedded.stderr
    assert _rows(remote.stdout) == _rows(embedded.stdout)
    assert len(_rows(remote.stdout)) > 20 if command == "facts" else 10
    assert remote.stdout == embedded.stdout  # same engine, same ORDER BY: even the order holds


def test_seed_through_oxigraph_server_gives_the_embedded_facts(pair: Pair) -> None:
    if not SEED_TEXT.exists():
        pytest.skip(f"the seed article is not at {SEED_TEXT} (../shared/seed is absent here)")
    for command in ("facts", "connections"):
        remote = pair.remote(command, "--format", "jsonl", "--source", SEED_ID)
        embedded = pair.embedded(command, "--format", "jsonl", "--source", SEED_ID)
        assert _rows(remote.stdout) == _rows(embedded.stdout) != Counter()


def test_validate_gives_the_same_report(pair: Pair) -> None:
    remote = pair.remote("validate", "--format", "json")
    embedded = pair.embedded("validate", "--format", "json")
    assert remote.exit_code == embedded.exit_code
    assert remote.exit_code in (0, 1), remote.stderr
    assert json.loads(remote.stdout) == json.loads(embedded.stdout)


def test_graph_export_is_the_same(pair: Pair) -> None:
    remote = pair.remote("graph", "--format", "csv")
    embedded = pair.embedded("graph", "--format", "csv")
    assert remote.exit_code == embedded.exit_code == 0, remote.stderr
    assert remote.stdout == embedded.stdout


@pytest.mark.parametrize("name", queries.names())
def test_named_queries_answer_the_same(pair: Pair, name: str) -> None:
    remote = pair.remote("query", "--name", name, "--format", "json")
    embedded = pair.embedded("query", "--name", name, "--format", "json")
    assert remote.exit_code == embedded.exit_code == 0, remote.stderr + embedded.stderr
    got, want = json.loads(remote.stdout), json.loads(embedded.stdout)
    assert got["head"] == want["head"]
    key = lambda b: json.dumps(b, sort_keys=True, ensure_ascii=False)  # noqa: E731
    assert sorted(map(key, got["results"]["bindings"])) == sorted(
        map(key, want["results"]["bindings"]))


def test_bound_parameters_filter_the_same_rows(pair: Pair) -> None:
    """Parameters travel as a trailing VALUES clause remotely, as substitutions embedded.

    Every declared parameter of every named query is bound to a value the query itself
    returns (parameters are projected), and both stores must give the same rows.
    """
    remote = open_store(endpoint=pair.endpoint, read_only=True)
    embedded = Store(pair.store_dir, read_only=True)
    try:
        checked = 0
        for name in queries.names():
            query = queries.load(name)
            if not query.params:
                continue
            unbound = queries.select(embedded, name)
            for param in query.params:
                value = next((r[param.name] for r in unbound if r[param.name] is not None), None)
                if value is None:
                    continue
                a = queries.select(remote, name, **{param.name: value})
                b = queries.select(embedded, name, **{param.name: value})
                assert a, (name, param.name, value)
                assert _bag(a) == _bag(b), (name, param.name, value)
                checked += 1
        assert checked >= 10
    finally:
        remote.close()
        embedded.close()


def test_query_command_with_prefixes_it_does_not_declare(pair: Pair) -> None:
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?o a rkg:Observation }"
    remote = pair.remote("query", text, "--format", "csv")
    embedded = pair.embedded("query", text, "--format", "csv")
    assert remote.stdout == embedded.stdout and remote.stdout.splitlines()[0] == "n"
    construct = "CONSTRUCT { ?s a rkg:Source } WHERE { ?s a rkg:Source }"
    remote = pair.remote("query", construct, "--format", "ntriples")
    embedded = pair.embedded("query", construct, "--format", "ntriples")
    assert sorted(remote.stdout.splitlines()) == sorted(embedded.stdout.splitlines()) != []
    ask = pair.remote("query", "ASK { ?s a rkg:Source }", "--format", "json")
    assert json.loads(ask.stdout)["boolean"] is True


def test_syntax_error_reads_as_on_the_embedded_store(pair: Pair) -> None:
    remote = pair.remote("query", "SELECT ?x WHERE { ?x ?y }")
    embedded = pair.embedded("query", "SELECT ?x WHERE { ?x ?y }")
    assert remote.exit_code == embedded.exit_code == 2
    assert remote.stderr == embedded.stderr
    assert remote.stderr.count("\n") == 1 and "1:26" in remote.stderr


def test_serve_on_the_endpoint(pair: Pair) -> None:
    """``reformkg serve --endpoint``: the API and /sparql proxy the server."""
    settings = Settings(endpoint=pair.endpoint)
    from api.app import open_store as api_open_store

    store = api_open_store(settings)
    assert isinstance(store, RemoteStore) and store.read_only  # no ingest token: no writes
    app = create_app(settings, store)
    embedded = Store(pair.store_dir, read_only=True)
    with TestClient(app) as client, TestClient(create_app(Settings(), embedded)) as local:
        q = "SELECT ?s ?id WHERE { ?s a rkg:Source ; dcterms:identifier ?id } ORDER BY ?id"
        for accept in ("application/sparql-results+json", "text/csv"):
            a = client.get("/sparql", params={"query": q}, headers={"Accept": accept})
            b = local.get("/sparql", params={"query": q}, headers={"Accept": accept})
            assert a.status_code == b.status_code == 200
            assert a.content == b.content
        a = client.get("/facts", params={"format": "json"}).json()
        b = local.get("/facts", params={"format": "json"}).json()
        assert a == b
        sd = client.get("/sparql", headers={"Accept": "text/turtle"})
        assert sd.status_code == 200 and b"void:triples" in sd.content
    embedded.close()


# -- writing --------------------------------------------------------------------------------------


def test_sparql_update_mode_replaces_and_removes_graphs(tmp_path: Path) -> None:
    with oxigraph_server(tmp_path / "db") as base:
        store = RemoteStore(base + "/query")  # no graph store: SPARQL Update (…/update)
        assert store.update_endpoint == base + "/update"
        assert store._stored_reference_version() is not None  # the reference graph is loaded
        g = "https://w3id.org/reformkg/id/source/t"
        src = ox.NamedNode(g)
        rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        hash_p = ox.NamedNode("https://w3id.org/reformkg/def#contentHash")

        def quads(h: str) -> list[ox.Quad]:
            return [
                ox.Quad(src, rdf_type, ox.NamedNode("https://w3id.org/reformkg/def#Source"), src),
                ox.Quad(src, hash_p, ox.Literal(h), src),
                ox.Quad(ox.BlankNode(), ox.NamedNode("http://x/p"),
                        ox.Literal('quote " and\nnewline', language="vi"), src),
            ]

        store.replace_graph(g, quads("a" * 64))
        store.replace_graph(g, quads("b" * 64))  # replaced, not added to
        assert store.source_hash(g) == "b" * 64
        assert store.sources() == [g]
        assert len(list(store.quads(g))) == 3
        literal = [q.object for q in store.quads(g) if q.predicate.value == "http://x/p"][0]
        assert literal == ox.Literal('quote " and\nnewline', language="vi")
        store.remove_graph(g)
        store.remove_graph(g)  # not there any more: no error
        assert store.sources() == [] and store.source_hash(g) is None
        store.close()


def test_many_sources_path_adds_without_replacing(tmp_path: Path) -> None:
    """api.loader's path for large corpora (bulk body first, completion markers after) through
    the server: the markers are added to the graphs, never replace them."""
    from api.loader import ingest_paths
    from graph.export import connections_rows, facts_rows

    with oxigraph_server(tmp_path / "db") as base:
        remote = RemoteStore(base + "/query")
        summary = ingest_paths(remote, EXAMPLE_FILES, bulk=True)
        assert summary.bulk and not summary.failures
        embedded = Store(None)
        ingest_paths(embedded, EXAMPLE_FILES)
        assert _bag(facts_rows(remote)) == _bag(facts_rows(embedded)) != Counter()
        assert _bag(connections_rows(remote)) == _bag(connections_rows(embedded))
        assert remote.quad_count() == embedded.quad_count()
        again = ingest_paths(remote, EXAMPLE_FILES)
        assert again.unchanged == len(EXAMPLE_FILES) and again.documents == 0
        remote.close()


def test_read_only_remote_store_refuses_writes(pair: Pair) -> None:
    store = open_store(endpoint=pair.endpoint, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        store.remove_graph("https://w3id.org/reformkg/id/source/x")
    store.close()


def test_server_without_union_default_graph_is_a_clear_error(tmp_path: Path) -> None:
    """Found on the first query, before any source is written; never silently empty answers."""
    with oxigraph_server(tmp_path / "db", union_default_graph=False) as base:
        for args in (["ingest", "--quiet", "--graph-store", base + "/store", str(EXAMPLE_FILES[0])],
                     ["facts"]):
            res = run(*args, "--endpoint", base + "/query")
            assert res.exit_code == 2
            assert res.stderr.count("\n") == 1
            assert "not the union of its named graphs" in res.stderr
            assert "--union-default-graph" in res.stderr
        store = RemoteStore(base + "/query", read_only=True)
        assert store.sources() == []  # the reference graph only: no source was written
        store.close()


# -- failures: one line, bounded retries ----------------------------------------------------------


def test_endpoint_down_is_one_line_after_bounded_retries() -> None:
    port = free_port()  # nothing listens there
    started = time.monotonic()
    res = run("facts", "--endpoint", f"http://127.0.0.1:{port}/query")
    assert time.monotonic() - started < 10
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1
    assert res.stderr.startswith("reformkg: error: EndpointError: endpoint http://127.0.0.1:")
    assert "cannot connect (3 tries)" in res.stderr and "is the server running?" in res.stderr


def test_only_connection_failures_are_retried() -> None:
    calls: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append("connect")
        raise httpx.ConnectError("refused", request=request)

    store = RemoteStore("http://127.0.0.1:9/query", read_only=True, backoff=0.01,
                        transport=httpx.MockTransport(refuse))
    with pytest.raises(EndpointError, match=r"cannot connect \(3 tries\)") as down:
        store.sources()
    assert len(calls) == 3 and down.value.status == 503

    calls.clear()

    def slow(request: httpx.Request) -> httpx.Response:
        calls.append("read")
        raise httpx.ReadTimeout("timed out", request=request)

    store = RemoteStore("http://127.0.0.1:9/query", read_only=True, timeout=0.5,
                        transport=httpx.MockTransport(slow))
    with pytest.raises(EndpointError, match=r"no answer within 0.5 s") as slow_error:
        store.sources()
    assert calls == ["read"] and slow_error.value.status == 504


class _SlowHandler(BaseHTTPRequestHandler):
    delay = 3.0

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        time.sleep(self.delay)
        body = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up
            pass

    def log_message(self, *args: Any) -> None:
        pass


def test_slow_endpoint_times_out_with_one_line() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/query"
        started = time.monotonic()
        res = run("facts", "--endpoint", url, "--endpoint-timeout", "0.5")
        elapsed = time.monotonic() - started
        assert res.exit_code == 2 and res.stderr.count("\n") == 1
        assert "no answer within 0.5 s" in res.stderr
        assert elapsed < 2.5
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("status", "body", "error", "match"),
    [
        (500, "Internal failure\nstack…", StoreError, r"HTTP 500 while .*: Internal failure$"),
        (503, "", StoreError, r"HTTP 503 while .*: Service Unavailable$"),
        (401, "denied", StoreError, r"credentials go in the URL"),
        (400, "Parse error: line 1", QuerySyntaxError, r"rejected by .*: Parse error: line 1"),
    ],
)
def test_error_answers_become_one_line(status: int, body: str, error: type[Exception],
                                       match: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text=body)

    store = RemoteStore("http://127.0.0.1:9/query", read_only=True,
                        transport=httpx.MockTransport(answer))
    with pytest.raises(error, match=match) as info:
        store.query("SELECT * WHERE { ?s ?p ?o }")
    assert "\n" not in str(info.value)
    if isinstance(info.value, EndpointError):
        assert isinstance(info.value, StoreError) and info.value.status == 502
        assert info.value.http_status == status


def test_non_http_endpoint_is_refused() -> None:
    res = run("facts", "--endpoint", "ftp://example/query")
    assert res.exit_code == 2 and "not an http(s) URL" in res.stderr
