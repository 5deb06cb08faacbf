"""Load: concurrent clients on loopback over every named query (issue 7, item 5).

A real ``reformkg serve`` process (default settings: worker processes on the on-disk examples
store) is driven by N asyncio clients for T seconds, each posting the named queries of
``graph/queries`` to ``/sparql`` in turn. Every 200 answer is compared with the answer
pyoxigraph gives for the same query on the same store, computed once up front (byte-equal, or
equal as rows with blank-node labels aside). Deliberate ``503 Busy`` answers are counted
apart; anything else is an error. Quick: 10 clients × 5 s; ``REFORMKG_LONG_TESTS=1``
(``make load``): 50 clients × 30 s. The numbers are printed (run with ``-s``) and recorded in
README.md, "Hardening".
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from graph import queries
from graph.store import Store
from tests.hardening.kit import LONG, ROOT, child_env, free_port, wait_http

pytestmark = pytest.mark.integration

CLIENTS, SECONDS = (50, 30.0) if LONG else (10, 5.0)
ACCEPT = {"Accept": "application/sparql-results+json"}


def _rows(body: bytes) -> Counter[tuple[tuple[str, str, str], ...]]:
    """A SPARQL JSON answer as a multiset of rows; blank node labels blanked."""
    doc = json.loads(body)
    if "boolean" in doc:
        return Counter([(("boolean", "", str(doc["boolean"])),)])
    out: Counter[tuple[tuple[str, str, str], ...]] = Counter()
    for binding in doc["results"]["bindings"]:
        out[tuple(sorted(
            (var, term["type"], "_:b" if term["type"] == "bnode" else
             term["value"] + "|" + term.get("datatype", "") + "|" + term.get("xml:lang", ""))
            for var, term in binding.items()))] += 1
    return out


def expected_answers(store_dir: Path) -> dict[str, tuple[bytes, Any]]:
    """Each named query's answer from pyoxigraph directly: (JSON bytes, rows)."""
    store = Store(store_dir, read_only=True)
    try:
        out = {}
        for name in queries.names():
            result = store.query(queries.load(name).text)
            body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
            out[name] = (body, _rows(body))
        return out
    finally:
        store.close()


class Tally:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.ok = 0
        self.busy = 0
        self.errors: Counter[str] = Counter()
        self.wrong: list[str] = []
        self.per_query: Counter[str] = Counter()

    def percentile(self, p: float) -> float:
        data = sorted(self.latencies)
        if not data:
            return float("nan")
        k = min(len(data) - 1, max(0, round(p / 100 * (len(data) - 1))))
        return data[k]


async def _client(number: int, base: str, names: list[str], expected: dict[str, Any],
                  stop_at: float, tally: Tally, http: httpx.AsyncClient) -> None:
    i = number
    while time.monotonic() < stop_at:
        name = names[i % len(names)]
        i += 1
        started = time.perf_counter()
        try:
            r = await http.post(base + "/sparql", data={"query": queries.load(name).text},
                                headers=ACCEPT)
        except httpx.HTTPError as exc:
            tally.errors[f"{type(exc).__name__}"] += 1
            continue
        elapsed = time.perf_counter() - started
        if r.status_code == 503 and r.json().get("type") == "Busy":
            tally.busy += 1
            await asyncio.sleep(min(float(r.headers.get("Retry-After", "1")), 1.0))
            continue
        if r.status_code != 200:
            tally.errors[f"{r.status_code} {r.text[:80]}"] += 1
            continue
        tally.latencies.append(elapsed)
        tally.ok += 1
        tally.per_query[name] += 1
        body, rows = expected[name]
        if r.content != body and _rows(r.content) != rows:
            tally.wrong.append(name)


async def drive(base: str, expected: dict[str, Any], clients: int, seconds: float) -> Tally:
    tally = Tally()
    names = sorted(expected)
    stop_at = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits, trust_env=False) as http:
        await asyncio.gather(*(_client(n, base, names, expected, stop_at, tally, http)
                               for n in range(clients)))
    return tally


def test_concurrent_clients_get_right_answers(examples_dir: Path) -> None:
    expected = expected_answers(examples_dir)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--store", str(examples_dir), "--port", str(port)],
        cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/queries", timeout=120)
        started = time.monotonic()
        tally = asyncio.run(drive(base, expected, CLIENTS, SECONDS))
        wall = time.monotonic() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        stderr = server.stderr.read().decode(errors="replace") if server.stderr else ""
        if server.stderr:
            server.stderr.close()
    report = {
        "clients": CLIENTS, "seconds": SECONDS, "queries": len(expected),
        "answered": tally.ok, "busy_503": tally.busy, "errors": sum(tally.errors.values()),
        "wrong": len(tally.wrong), "throughput_per_s": round(tally.ok / wall, 1),
        "p50_ms": round(tally.percentile(50) * 1000, 1),
        "p99_ms": round(tally.percentile(99) * 1000, 1),
        "max_ms": round(max(tally.latencies, default=0) * 1000, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
    }
    print("\nload test:", json.dumps(report, ensure_ascii=False))  # noqa: T201 (the report)
    assert tally.ok > 0, stderr[-2000:]
    assert not tally.errors, (tally.errors, stderr[-2000:])
    assert not tally.wrong, Counter(tally.wrong)
    assert set(tally.per_query) == set(expected)  # every named query was exercised
