"""The timeout stops the work; a full house answers "busy" (issue 7, item 1).

On an on-disk store queries run in worker processes: a runaway query is answered 503 within
the timeout (+2 s, the protocol bound) and its process is killed, while other clients go on
being answered. In thread mode (in-memory stores, SPARQL servers) the runaway step cannot be
stopped; it keeps its slot instead, so newcomers get 503 ``Busy`` with ``Retry-After``
rather than piling up. Live uvicorn servers on loopback ports.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from graph.store import Store
from tests.api.api_testkit import live_app
from tests.hardening.kit import EXAMPLES, EXPENSIVE, SMALL

pytestmark = pytest.mark.integration

JSON = {"Accept": "application/sparql-results+json"}


def _post(url: str, query: str, timeout: float = 60) -> httpx.Response:
    return httpx.post(url + "/sparql", data={"query": query}, headers=JSON, trust_env=False,
                      timeout=timeout)


def _in_background(url: str, query: str) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        started = time.monotonic()
        out["response"] = _post(url, query)
        out["elapsed"] = time.monotonic() - started
        out["finished"] = time.monotonic()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(predicate: Any, seconds: float = 30, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def test_runaway_query_is_killed_and_others_are_served(examples_ro: Store) -> None:
    timeout = 1.0
    app = create_app(Settings(query_timeout=timeout, query_workers=2), examples_ro)
    runner = app.state.runner
    assert runner.isolation == "process"  # the default for an on-disk store
    with live_app(app) as url:
        pids = {w.process.pid for w in runner._processes._all}
        slow, out = _in_background(url, EXPENSIVE)
        time.sleep(0.3)  # the expensive query is running now
        small = []
        for _ in range(3):
            small.append(_post(url, SMALL, timeout=10))
            small[-1].finished = time.monotonic()  # type: ignore[attr-defined]
        slow.join(timeout=30)
        assert not slow.is_alive()

        assert all(r.status_code == 200 for r in small), [r.text for r in small]
        ids = [b["id"]["value"] for b in small[0].json()["results"]["bindings"]]
        assert len(ids) == len(list(EXAMPLES.glob("*.txt")))
        assert small[0].finished < out["finished"], "the small query waited for the big one"

        response = out["response"]
        assert response.status_code == 503, response.text
        assert response.json()["type"] == "QueryTimeout"
        assert out["elapsed"] <= timeout + 2
        # The work really stopped: the worker that ran it no longer exists ...
        assert _wait_for(lambda: any(not _alive(pid) for pid in pids))
        gone = {pid for pid in pids if not _alive(pid)}
        assert len(gone) == 1
        # ... and a fresh one took its place.
        assert _wait_for(lambda: all(w.alive for w in runner._processes._all))
        assert _post(url, SMALL).status_code == 200


def test_a_crashed_worker_is_replaced(examples_ro: Store) -> None:
    app = create_app(Settings(query_workers=1), examples_ro)
    with live_app(app) as url:
        worker = app.state.runner._processes._all[0]
        os.kill(worker.process.pid, 9)  # as if the OOM killer took it
        assert _wait_for(lambda: not worker.alive)
        r = _post(url, SMALL)
        assert r.status_code == 200, r.text


def test_full_house_is_busy_with_retry_after_in_process_mode(examples_ro: Store) -> None:
    app = create_app(Settings(query_timeout=3.0, query_workers=1, query_queue=0), examples_ro)
    with live_app(app) as url:
        slow, out = _in_background(url, EXPENSIVE)
        time.sleep(0.5)
        r = _post(url, SMALL)
        assert r.status_code == 503, r.text
        assert r.json()["type"] == "Busy" and "retry after" in r.json()["error"]
        assert int(r.headers["Retry-After"]) >= 1
        slow.join(timeout=30)
        assert out["response"].status_code == 503  # the runaway query, stopped at 3 s
        # once its worker is replaced, queries are answered again
        assert _wait_for(lambda: _post(url, SMALL).status_code == 200)


def test_waiting_room_serves_queued_queries(examples_ro: Store) -> None:
    app = create_app(Settings(query_timeout=20.0, query_workers=1, query_queue=8), examples_ro)
    with live_app(app) as url:
        results: list[httpx.Response] = []
        threads = [threading.Thread(target=lambda: results.append(_post(url, SMALL)))
                   for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert [r.status_code for r in results] == [200] * 6


def test_thread_mode_runaway_keeps_its_slot_instead_of_piling_up(examples_store: Store) -> None:
    """The known limit of thread mode, made safe: no pile-up behind an unstoppable step.

    ``examples_store`` is in memory, where ``auto`` picks threads (and EXPENSIVE takes ~4 s;
    on disk it takes ten times longer)."""
    timeout = 0.5
    app = create_app(Settings(query_timeout=timeout, query_workers=1, query_queue=0),
                     examples_store)
    assert app.state.runner.isolation == "thread"
    with live_app(app) as url:
        started = time.monotonic()
        r = _post(url, EXPENSIVE)
        assert r.status_code == 503 and r.json()["type"] == "QueryTimeout"
        assert time.monotonic() - started <= timeout + 2
        busy = _post(url, SMALL)  # the runaway step still runs in the only thread
        assert busy.status_code == 503 and busy.json()["type"] == "Busy"
        assert int(busy.headers["Retry-After"]) >= 1
        # Poll gently: the runaway thread competes for the GIL with every request we send.
        assert _wait_for(lambda: _post(url, SMALL).status_code == 200, seconds=120, interval=1)


def test_ingest_refreshes_the_workers_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "store"
    store = Store(path)
    app = create_app(Settings(query_workers=1, ingest_token="secret"), store)
    auth = {"Authorization": "Bearer secret"}
    doc = {"id": "hardening-refresh", "text": "Quý I/2025, tỉnh Phú Thọ tiếp nhận 12.345 hồ sơ "
                                             "thủ tục hành chính, đạt 98,1% đúng hạn."}
    with live_app(app) as url:
        assert app.state.runner.isolation == "process"
        assert _post(url, SMALL).json()["results"]["bindings"] == []
        r = httpx.post(url + "/ingest", json=doc, headers=auth, trust_env=False, timeout=60)
        assert r.status_code == 200, r.text
        ids = [b["id"]["value"] for b in _post(url, SMALL).json()["results"]["bindings"]]
        assert ids == ["hardening-refresh"]
    store.close()
    leftovers = [p.name for p in tmp_path.iterdir() if ".snapshot-" in p.name]
    assert leftovers == [], "snapshots are removed when the server stops"


def test_stale_snapshots_of_a_killed_server_are_removed(examples_dir: Path,
                                                        tmp_path: Path) -> None:
    copy = tmp_path / "store"
    shutil.copytree(examples_dir, copy)
    stale = tmp_path / ".store.snapshot-999999999-x"  # no such process
    (stale / "store").mkdir(parents=True)
    store = Store(copy, read_only=True)
    app = create_app(Settings(query_workers=1), store)
    try:
        assert not stale.exists()
    finally:
        app.state.runner.close()
        store.close()
