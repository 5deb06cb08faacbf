"""Shared helpers of the API tests (``tests.api.api_testkit``; ``tests/api`` has no
``__init__.py`` on purpose: as a package it would be named ``api`` and shadow the real one).

The fixture store holds two invented sources (not real articles) shaped exactly like ingested
ones (ontology/README.md): observations with spans and sentences, named, planned and grouped
connections, systems and an agency. The reference graph comes from ``ontology/`` as in every
store.

Live servers for the integration and browser tests, on free loopback ports: ``live_app`` (our
app under uvicorn in a thread) and ``oxigraph_server`` (a real ``oxigraph serve`` process).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import uvicorn

from graph.store import Store

with warnings.catch_warnings():
    # Starlette 1.x warns that its httpx-based TestClient will move to httpx2; not our concern.
    warnings.filterwarnings("ignore", message=r".*httpx2")
    from fastapi.testclient import TestClient

__all__ = [
    "FIXTURE", "RKG", "SOURCE_A", "SOURCE_B", "TestClient", "free_port", "live_app",
    "load_fixture_store", "oxigraph_binary", "oxigraph_server",
]

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "fixture.trig"
RKG = "https://w3id.org/reformkg/def#"
SOURCE_A = "https://w3id.org/reformkg/id/source/test-vinhphuc-q1"
SOURCE_B = "https://w3id.org/reformkg/id/source/test-phutho-2024"


def load_fixture_store() -> Store:
    """A fresh in-memory store with the reference graph and the fixture sources."""
    store = Store(None)
    store._ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return store


# -- live servers on loopback ports (integration tests) -----------------------------------

def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` command of the PyPI package ``oxigraph`` (a dev extra), if installed."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


@contextmanager
def oxigraph_server(location: Path, *, union_default_graph: bool = True) -> Iterator[str]:
    """Run ``oxigraph serve`` on a free loopback port; yields its base URL (no trailing /).

    The process is ended (by its own handle) when the block exits.
    """
    binary = oxigraph_binary()
    assert binary is not None, "the oxigraph command is not installed (pip install -e '.[dev]')"
    port = free_port()
    args = [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        args.append("--union-default-graph")
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                err = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"oxigraph serve exited with {process.returncode}: {err}")
            try:
                if httpx.get(base + "/", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("oxigraph serve did not answer within 30 s")
            time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # not the main thread
        pass


@contextmanager
def live_app(app: Any, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on a loopback port; yields its base URL."""
    port = port or free_port()
    server = _ThreadServer(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                          lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
