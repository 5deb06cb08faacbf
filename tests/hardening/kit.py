"""Shared helpers of the hardening tests (issue 7), imported as ``tests.hardening.kit``.

Every network helper binds 127.0.0.1 only, and every loop here is bounded in count and time.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import rdflib

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
#: ``REFORMKG_LONG_TESTS=1`` (``make load``) runs the long variants. Read at import, before the
#: autouse fixture of tests/conftest.py clears ``REFORMKG_*`` variables for each test.
LONG = os.environ.get("REFORMKG_LONG_TESTS") == "1"

#: ~4 s of pyoxigraph work on the examples store in memory, ~40 s on disk (a filtered
#: self-join of the rdf:type triples, counted): one answer at the end, so nothing short of
#: killing it stops it early.
EXPENSIVE = """
SELECT (COUNT(*) AS ?n) WHERE {
  ?a a ?c . ?d a ?f FILTER(STRLEN(STR(?a)) > STRLEN(STR(?d)))
}
"""
SMALL = ("SELECT ?id WHERE { ?s a <https://w3id.org/reformkg/def#Source> ; "
         "<http://purl.org/dc/terms/identifier> ?id } ORDER BY ?id")
_PROV_TIMES = {"http://www.w3.org/ns/prov#startedAtTime", "http://www.w3.org/ns/prov#endedAtTime"}
_SPARQL_JSON = (b'{"head":{"vars":["x"]},"results":{"bindings":'
                b'[{"x":{"type":"literal","value":"from-listener"}}]}}')


def reformkg(*args: str, timeout: float = 300, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run the real ``reformkg`` command (``python -m api``) in a child process."""
    return subprocess.run([sys.executable, "-m", "api", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=child_env(), **kwargs)


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process: no REFORMKG_* or proxy variables leak in."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("REFORMKG_") and "proxy" not in k.lower()}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- a TCP listener that records who calls --------------------------------------------------


@dataclass
class Listener:
    """A loopback TCP listener that counts connections.

    ``mode="close"`` reads what the client sends and closes; ``mode="sparql"`` answers one
    SPARQL JSON result (``?x = "from-listener"``) to any HTTP request.
    """

    mode: str = "close"
    port: int = 0
    connections: list[bytes] = field(default_factory=list)
    _sock: socket.socket | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def start(self) -> Listener:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                data = b""
                try:
                    while b"\r\n\r\n" not in data and len(data) < 65536:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    pass
                self.connections.append(data)
                if self.mode == "sparql":
                    head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                            b"Content-Length: " + str(len(_SPARQL_JSON)).encode()
                            + b"\r\nConnection: close\r\n\r\n")
                    with suppress(OSError):
                        conn.sendall(head + _SPARQL_JSON)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._sock is not None:
            self._sock.close()

    def settle(self, seconds: float = 0.3) -> int:
        """Connections so far, after a short pause for late arrivals."""
        time.sleep(seconds)
        return len(self.connections)


@contextmanager
def listening(mode: str = "close") -> Iterator[Listener]:
    listener = Listener(mode).start()
    try:
        yield listener
    finally:
        listener.stop()


# -- hostile XML -----------------------------------------------------------------------------


def entity_bomb(root: str, levels: int, body: str, *, external: dict[str, str] | None = None,
                prolog: bool = True) -> str:
    """A "billion laughs" document: ``&lol{levels};`` expands to 30 × 10^levels characters.

    ``body`` is the document after the DOCTYPE and may use ``&lol{levels};`` and the names in
    ``external`` (``SYSTEM`` entities pointing at the given URLs).
    """
    lines = ['<?xml version="1.0"?>'] if prolog else []
    lines.append(f"<!DOCTYPE {root} [")
    lines.append('<!ENTITY lol0 "lollollollollollollollollollol">')
    for i in range(1, levels + 1):
        lines.append(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">')
    for name, url in (external or {}).items():
        lines.append(f'<!ENTITY {name} SYSTEM "{url}">')
    lines.append("]>")
    lines.append(body)
    return "\n".join(lines)


# -- corpora of our own ---------------------------------------------------------------------

_PROVINCES = ["Phú Thọ", "Bắc Ninh", "Hà Tĩnh", "Lào Cai", "Cà Mau", "Đồng Nai", "Nghệ An",
              "Thái Nguyên", "Quảng Ninh", "Cần Thơ"]


def corpus_records(n: int, seed: int = 7) -> list[dict[str, str]]:
    """``n`` short reports in our own words (seeded), each with a few facts."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        province = rng.choice(_PROVINCES)
        received = rng.randint(1_000, 250_000)
        rate = rng.randint(900, 1000) / 10
        online = rng.randint(30, 95)
        text = (
            f"Báo cáo số {i} về cải cách hành chính.\n"
            f"Quý I/2025, tỉnh {province} tiếp nhận {_vi_int(received)} hồ sơ thủ tục hành "
            f"chính, tỷ lệ giải quyết đúng hạn đạt {str(rate).replace('.', ',')}%.\n"
            f"Tỷ lệ hồ sơ trực tuyến đạt {online}%."
        )
        records.append({"id": f"gen-{i:04d}", "text": text, "title": f"Bản tin {i}",
                        "date": "2025-04-10"})
    return records


def _vi_int(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def write_corpus(path: Path, n: int, seed: int = 7) -> list[dict[str, str]]:
    records = corpus_records(n, seed)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return records


# -- comparing stores ---------------------------------------------------------------------


def source_graph(store: Any, graph: str) -> rdflib.Graph:
    """One source graph as rdflib triples, without the run's wall-clock times."""
    g = rdflib.Graph()
    nt = ox.serialize(
        [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads(graph)
         if q.predicate.value not in _PROV_TIMES],
        format=ox.RdfFormat.N_TRIPLES,
    )
    if nt:
        g.parse(data=nt.decode("utf-8"), format="nt")
    return g


def wait_http(url: str, timeout: float = 60) -> None:
    """Poll ``url`` (loopback) until it answers, at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=2, trust_env=False).status_code < 500:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:g} s")
        time.sleep(0.1)
