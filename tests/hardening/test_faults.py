"""Faults: an ingest killed midway, damaged and locked stores, a SPARQL server that drops
requests — nothing half-written, one clear line, exit 2 (issue 7, item 4).

The corpora are reports we generate ourselves (tests.hardening.kit.corpus_records). "Complete"
for a source means: its fingerprint marker is stored and its graph equals (blank nodes and
wall-clock times aside) the graph an uninterrupted run wrote.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.store import Store
from tests.api.api_testkit import oxigraph_binary, oxigraph_server
from tests.hardening.kit import EXAMPLES, LONG, ROOT, child_env, reformkg, write_corpus

CORPUS_SIZE = 1200 if LONG else 400
_BNODE = re.compile(r"_:\S+")
_TIMES = ("prov#startedAtTime", "prov#endedAtTime")
_PROGRESS = re.compile(rb"(\d+)/(\d+) \[")


# -- comparing stores -------------------------------------------------------------------------


def signature(store: Store, graph: str) -> Counter[str]:
    """The graph's quads as text, blank node labels and run times blanked (multiset)."""
    return Counter(_BNODE.sub("_:b", str(q)) for q in store.quads(graph)
                   if not str(q.predicate.value).endswith(_TIMES))


def snapshot_of(store: Store) -> dict[str, Counter[str]]:
    return {g: signature(store, g) for g in store.sources()}


def marked(store: Store, graphs: list[str]) -> set[str]:
    return set(store.stored_runs(graphs))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "reports.jsonl"
    write_corpus(path, CORPUS_SIZE)
    return path


@pytest.fixture(scope="module")
def reference(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Counter[str]]:
    """The store an uninterrupted ``reformkg ingest`` of the corpus writes."""
    path = tmp_path_factory.mktemp("reference") / "store"
    res = reformkg("ingest", "--quiet", "--store", str(path), str(corpus))
    assert res.returncode == 0, res.stderr
    store = Store(path, read_only=True)
    try:
        result = snapshot_of(store)
    finally:
        store.close()
    assert len(result) == CORPUS_SIZE
    return result


def assert_complete_or_absent(store: Store, reference: dict[str, Counter[str]]) -> int:
    """Every source in ``store`` is complete; returns how many there are."""
    sources = store.sources()
    assert set(sources) <= set(reference)
    assert marked(store, sources) == set(sources), "a source without its fingerprint marker"
    for graph in sources:
        assert signature(store, graph) == reference[graph], f"{graph} is not complete"
    return len(sources)


# -- SIGKILL in the middle of `reformkg ingest` -------------------------------------------------


def ingest_and_kill(corpus: Path, store_dir: Path, kill_at: int) -> int:
    """Run ``reformkg ingest`` in its own process group; SIGKILL the group once the progress
    bar shows ``kill_at`` documents done. Returns the count seen (0: it never got there)."""
    process = subprocess.Popen(
        # one transaction a source (the bulk path is killed in the test after the next one)
        [sys.executable, "-m", "api", "ingest", "--no-bulk", "--store", str(store_dir), str(corpus)],
        cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    assert process.stderr is not None
    seen, buffer = 0, b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            ready, _, _ = select.select([process.stderr], [], [], 0.05)
            if ready:
                buffer = (buffer + os.read(process.stderr.fileno(), 4096))[-400:]
                counts = _PROGRESS.findall(buffer)
                if counts:
                    seen = int(counts[-1][0])
                if seen >= kill_at:
                    os.killpg(process.pid, signal.SIGKILL)  # the command and its workers
                    break
    finally:
        if process.poll() is None and seen < kill_at:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        process.stderr.close()
    return seen if seen >= kill_at else 0


def test_ingest_killed_midway_leaves_complete_sources_and_a_rerun_finishes(
        corpus: Path, reference: dict[str, Counter[str]], tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    seen = 0
    for kill_at in (CORPUS_SIZE // 10, CORPUS_SIZE // 20, 5):  # bounded retries if too fast
        if store_dir.exists():
            import shutil

            shutil.rmtree(store_dir)
        seen = ingest_and_kill(corpus, store_dir, kill_at)
        if seen:
            break
    assert seen, "the ingest finished before it could be killed"

    store = Store(store_dir)  # the killed store opens (RocksDB replays its log)
    try:
        present = assert_complete_or_absent(store, reference)
    finally:
        store.close()
    assert seen <= present < CORPUS_SIZE, (seen, present)

    res = reformkg("ingest", "--quiet", "--store", str(store_dir), str(corpus))
    assert res.returncode == 0, res.stderr
    assert f"({present} unchanged)" in res.stdout
    store = Store(store_dir, read_only=True)
    try:
        assert snapshot_of(store) == reference
    finally:
        store.close()


_BULK_THEN_KILL = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from api.loader import ingest_paths
    from graph.store import Store

    real = Store.bulk_add_graphs

    def bulk_then_killed(self, nquads):
        if sys.argv[3] == "during":  # half the batch written, then the process dies
            lines = nquads.splitlines(keepends=True)
            real(self, b"".join(lines[: len(lines) // 2]))
        else:  # the whole batch written, killed before the markers
            real(self, nquads)
        os.kill(os.getpid(), signal.SIGKILL)

    Store.bulk_add_graphs = bulk_then_killed
    ingest_paths(Store(Path(sys.argv[1])), [Path(sys.argv[2])], jobs=1, bulk=True)
""")


@pytest.mark.parametrize("when", ["during", "after"])
def test_bulk_ingest_killed_leaves_no_partial_source_and_a_rerun_finishes(
        when: str, corpus: Path, reference: dict[str, Counter[str]], tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    done = subprocess.run([sys.executable, "-c", _BULK_THEN_KILL, str(store_dir), str(corpus), when],
                          cwd=ROOT, env=child_env(), capture_output=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]

    # a reader that opens the store before any writer sees which sources are unfinished
    reader = Store(store_dir, read_only=True)
    try:
        unfinished = list(reader.unfinished)
    finally:
        del reader
    assert unfinished, "the kill left no journaled source: the test did not exercise the bulk path"

    store = Store(store_dir)  # a writable open drops them, in one transaction
    try:
        assert sorted(store.recovered) == sorted(unfinished)
        present = assert_complete_or_absent(store, reference)
        assert present < CORPUS_SIZE
        assert not any(g in store.sources() for g in unfinished)
    finally:
        store.close()

    res = reformkg("ingest", "--quiet", "--store", str(store_dir), str(corpus))
    assert res.returncode == 0, res.stderr
    store = Store(store_dir, read_only=True)
    try:
        assert store.unfinished == []
        assert snapshot_of(store) == reference
    finally:
        store.close()


# -- damaged and locked stores ----------------------------------------------------------------


def _damage(store_dir: Path, how: str) -> None:
    files = sorted(p for p in store_dir.iterdir() if p.is_file())
    for f in files:
        data = f.read_bytes()
        if how == "garbage-everywhere" and f.name != "LOCK":
            f.write_bytes(bytes((b * 7 + 13) % 256 for b in data) or b"\x00garbage")
        elif how == "garbage-current" and f.name == "CURRENT":
            f.write_bytes(b"\xff\xfe not a manifest name")
        elif how == "garbage-manifest" and f.name.startswith("MANIFEST"):
            f.write_bytes(b"garbage" * 100)
        elif how == "truncated-tables" and f.suffix == ".sst":
            f.write_bytes(data[: len(data) // 2])
        elif how == "damaged-blocks" and f.suffix == ".sst":
            mid = bytearray(data)
            for i in range(len(mid) // 10, len(mid) // 2):
                mid[i] = (mid[i] * 7 + 13) % 256
            f.write_bytes(bytes(mid))
    if how == "file-not-directory":
        import shutil

        shutil.rmtree(store_dir)
        store_dir.write_text("not a store")


DAMAGE = ["garbage-everywhere", "garbage-current", "garbage-manifest", "truncated-tables",
          "damaged-blocks", "file-not-directory"]


@pytest.fixture
def small_store(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    res = reformkg("ingest", "--quiet", "--store", str(path),
                   *map(str, sorted(EXAMPLES.glob("*.txt"))[:3]))
    assert res.returncode == 0, res.stderr
    return path


def _one_clear_line(res: subprocess.CompletedProcess[str]) -> None:
    assert res.returncode == 2, (res.returncode, res.stdout[-300:], res.stderr[-1500:])
    assert "Traceback" not in res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("reformkg: error: ")


@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_store_is_one_clear_line(how: str, small_store: Path) -> None:
    _damage(small_store, how)
    example = str(sorted(EXAMPLES.glob("*.txt"))[-1])
    commands = [["ingest", "--quiet", "--store", str(small_store), example],
                ["query", "--store", str(small_store),
                 "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv"]]
    if how != "damaged-blocks":  # damaged data blocks are found when read, not at opening
        commands += [["facts", "--store", str(small_store)],
                     ["serve", "--store", str(small_store), "--port", "9"]]
    failed = 0
    for args in commands:
        res = reformkg(*args, timeout=120)
        if how == "damaged-blocks" and res.returncode == 0:
            continue  # this command did not touch a damaged block
        _one_clear_line(res)
        assert "store" in res.stderr
        failed += 1
    assert failed >= 1


_HOLD = textwrap.dedent("""
    import sys, time
    from graph.store import Store
    store = Store(sys.argv[1])
    print("holding", flush=True)
    time.sleep(120)
""")


def test_locked_store_is_one_clear_line(small_store: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(small_store)], cwd=ROOT,
                              env=child_env(), stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        example = str(sorted(EXAMPLES.glob("*.txt"))[-1])
        res = reformkg("ingest", "--quiet", "--store", str(small_store), example)
        _one_clear_line(res)
        assert "lock" in res.stderr.lower() and "another reformkg process" in res.stderr
        env_token = child_env(REFORMKG_INGEST_TOKEN="t")
        res = subprocess.run([sys.executable, "-m", "api", "serve", "--store", str(small_store),
                              "--port", "9"], cwd=ROOT, env=env_token, capture_output=True,
                             text=True, timeout=120)
        _one_clear_line(res)
        # reading needs no lock: the read-only commands still work
        assert reformkg("facts", "--store", str(small_store), "--format", "csv").returncode == 0
    finally:
        holder.kill()
        holder.wait(timeout=10)


# -- a SPARQL server that drops requests mid-way --------------------------------------------


class _Proxy(BaseHTTPRequestHandler):
    """Forwards to ``upstream``; updates numbered ``cut_from`` and later (``cut_once``: only
    that one) reach the server half-sent, and the client's connection is dropped unanswered."""

    upstream = ""
    cut_from = 10**9
    cut_once = True
    updates = 0
    lock = threading.Lock()
    protocol_version = "HTTP/1.1"

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length) if length else b""
        is_update = self.command in ("POST", "PUT") and not self.path.startswith("/query")
        with self.lock:
            if is_update:
                type(self).updates += 1
            number = type(self).updates
        cut = is_update and (number == self.cut_from if self.cut_once else number >= self.cut_from)
        if cut:
            self._half_send(body)
            self.close_connection = True
            self.connection.shutdown(2)  # no answer: the client sees the server hang up
            return
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "content-length", "connection")}
        r = httpx.request(self.command, self.upstream + self.path, content=body, headers=headers,
                          timeout=60, trust_env=False)
        self.send_response(r.status_code)
        for key, value in r.headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(r.content)))
        self.end_headers()
        self.wfile.write(r.content)

    def _half_send(self, body: bytes) -> None:
        import socket

        host, port = self.upstream.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as s:
            head = (f"{self.command} {self.path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    f"Content-Type: {self.headers.get('Content-Type', '')}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()
            s.sendall(head + body[: len(body) // 2])

    do_GET = do_POST = do_PUT = do_DELETE = _relay  # noqa: N815 (http.server's naming)

    def log_message(self, *args: Any) -> None:
        pass


def _proxy(upstream: str, cut_from: int, cut_once: bool) -> tuple[ThreadingHTTPServer, str]:
    handler = type("Proxy", (_Proxy,), {"upstream": upstream, "cut_from": cut_from,
                                        "cut_once": cut_once, "updates": 0,
                                        "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("remote")
    path = folder / "reports.jsonl"
    write_corpus(path, 24, seed=11)
    ref = folder / "store"
    assert reformkg("ingest", "--quiet", "--store", str(ref), str(path)).returncode == 0
    store = Store(ref, read_only=True)
    try:
        return path, snapshot_of(store)
    finally:
        store.close()


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[str]:
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph command is not installed (pip install -e '.[dev]')")
    with oxigraph_server(tmp_path / "db") as base:
        yield base


def _remote_snapshot(base: str) -> tuple[dict[str, Counter[str]], set[str]]:
    from graph.remote import RemoteStore

    store = RemoteStore(base + "/query", read_only=True)
    try:
        sources = store.sources()
        return {g: signature(store, g) for g in sources}, marked(store, sources)
    finally:
        store.close()


def test_a_dropped_update_is_retried_and_the_graph_is_whole(
        oxigraph: str, small_corpus: tuple[Path, dict[str, Any]]) -> None:
    corpus, reference = small_corpus
    server, proxy = _proxy(oxigraph, cut_from=3, cut_once=True)
    try:
        res = reformkg("ingest", "--quiet", "--endpoint", proxy + "/query", str(corpus))
    finally:
        server.shutdown()
        server.server_close()
    assert res.returncode == 0, res.stderr
    graphs, markers = _remote_snapshot(oxigraph)
    assert graphs == reference and markers == set(reference)


def test_a_server_going_away_mid_ingest_leaves_no_half_written_graph(
        oxigraph: str, small_corpus: tuple[Path, dict[str, Any]]) -> None:
    corpus, reference = small_corpus
    server, proxy = _proxy(oxigraph, cut_from=8, cut_once=False)
    try:
        res = reformkg("ingest", "--quiet", "--endpoint", proxy + "/query", str(corpus))
    finally:
        server.shutdown()
        server.server_close()
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert res.stderr.startswith("reformkg: error: EndpointError: endpoint http://127.0.0.1:")
    graphs, markers = _remote_snapshot(oxigraph)
    assert 0 < len(graphs) < len(reference)
    assert markers == set(graphs)
    assert all(graphs[g] == reference[g] for g in graphs), "a half-written graph"
    # the rerun, straight to the server, completes the corpus
    res = reformkg("ingest", "--quiet", "--endpoint", oxigraph + "/query", str(corpus))
    assert res.returncode == 0, res.stderr
    assert f"({len(graphs)} unchanged)" in res.stdout
    graphs, markers = _remote_snapshot(oxigraph)
    assert graphs == reference and markers == set(reference)


def test_signature_ignores_blank_node_labels_and_run_times() -> None:
    """Sanity of the comparison helper: two runs of one document sign the same."""
    one = sorted(EXAMPLES.glob("*.txt"))[0]
    signatures = []
    for _ in range(2):
        store = Store(None)
        from api.loader import ingest_paths

        ingest_paths(store, [one])
        signatures.append(snapshot_of(store))
    assert signatures[0] == signatures[1]
