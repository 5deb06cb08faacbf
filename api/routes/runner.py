"""Run SPARQL on pyoxigraph with a timeout that stops the work, a row cap, and a limit on
concurrent queries (issue 7).

Queries never go through rdflib's engine (DESIGN.md §7): the text goes to
:meth:`graph.store.Store.query` and the answer is written by pyoxigraph's own serializers
(:mod:`api.routes.evaluate`).

Guards, before anything runs: updates are refused (403) and ``SERVICE`` may only name an
allow-listed endpoint (403), checked twice: by a SPARQL-aware lexer and by pyoxigraph's own
parser on a probe text (:func:`api.routes.protocol.service_word_probe`).

Isolation — how the timeout stops the work. pyoxigraph cannot cancel a running query from
Python, so the runner has two modes (setting ``query_isolation``):

* ``process`` (``auto`` picks it for an embedded on-disk store): queries run in
  ``query_workers`` worker processes on a read-only snapshot of the store
  (:mod:`api.routes.worker`). A query still running at its deadline is answered 503
  (``QueryTimeout``) and its process is killed and replaced; nothing of it keeps running.
  Cost: one pipe hop per answer and a process per worker (README.md, "Hardening" has numbers).
* ``thread`` (``auto`` picks it for an in-memory store and for a SPARQL server, where the
  work happens on the server and ``httpx`` bounds the wait): queries run in a thread pool.
  At the deadline the request is answered 503 and the thread stops at its next solutions, but
  a single expensive step inside pyoxigraph runs to its end — and keeps its slot meanwhile, so
  runaway queries cannot pile up behind the admission limit.

Admission. At most ``query_workers`` queries run at once and at most ``query_queue`` more
wait, each until its own deadline (arrival + ``query_timeout``). A request that finds the
waiting room full, or still waits at its deadline, gets 503 ``Busy`` with a ``Retry-After``
estimated from recent query times, rather than joining a pile-up. Other API routes that read
the store (facts, graphs, the service description) go through :meth:`QueryRunner.call`: the same
limits in a separate thread pool.
"""

from __future__ import annotations

import asyncio
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Literal, TypeVar

import pyoxigraph as ox

from graph.store import Store
from ontology import PREFIXES

from .errors import BadRequest, Busy, QueryTimeout
from .evaluate import Chooser, FormatChoice, QueryJob, SparqlAnswer, execute
from .protocol import check_read_only, check_services, service_word_probe

__all__ = ["FormatChoice", "Isolation", "QueryRunner", "SparqlAnswer"]

log = logging.getLogger("reformkg.api")

T = TypeVar("T")
Isolation = Literal["auto", "process", "thread"]
_RDFLIB_DEFAULT_GRAPH = "urn:x-rdflib:default"


class _Full(Exception):
    """The waiting room is full."""


class _Gate:
    """Admission: at most ``slots`` holders, at most ``queue`` waiters, first come first served.

    Works across event loops and threads (Starlette's TestClient runs each request in a loop of
    its own, and slots are given back from worker threads), which asyncio's own semaphore
    does not.
    """

    def __init__(self, slots: int, queue: int) -> None:
        self.slots = slots
        self.queue = queue
        self._lock = threading.Lock()
        self._free = slots
        self._waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()

    @property
    def running(self) -> int:
        return self.slots - self._free

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    async def acquire(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a slot; False when none came.

        Raises:
            _Full: ``queue`` requests are waiting already.
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._free > 0 and not self._waiters:
                self._free -= 1
                return True
            if len(self._waiters) >= self.queue:
                raise _Full
            entry = (loop, loop.create_future())
            self._waiters.append(entry)
        try:
            done, _ = await asyncio.wait({entry[1]}, timeout=max(timeout, 0.0))
        except asyncio.CancelledError:  # the client went away
            if not self._abandon(entry):
                self.release()  # the slot arrived meanwhile: pass it on
            raise
        if done:
            return True
        # Timed out, unless the slot was handed over while the timer fired.
        return not self._abandon(entry)

    def _abandon(self, entry: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]) -> bool:
        with self._lock:
            try:
                self._waiters.remove(entry)
            except ValueError:
                return False
            return True

    def release(self) -> None:
        """Give a slot back: to the first waiter, or to the pool. Any thread may call it."""
        while True:
            with self._lock:
                if not self._waiters:
                    self._free += 1
                    return
                loop, future = self._waiters.popleft()
            try:
                loop.call_soon_threadsafe(_grant, future)
                return
            except RuntimeError:  # that waiter's loop is closed: it is gone, try the next
                continue


def _grant(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class _Pace:
    """Recent service times, for the ``Retry-After`` of a busy answer."""

    def __init__(self) -> None:
        self.mean = 0.05
        self._lock = threading.Lock()

    def record(self, seconds: float) -> None:
        with self._lock:
            self.mean = 0.8 * self.mean + 0.2 * seconds

    def retry_after(self, gate: _Gate, timeout: float) -> int:
        ahead = gate.running + gate.waiting + 1
        estimate = self.mean * ahead / max(gate.slots, 1)
        return int(min(max(1, math.ceil(estimate)), max(1, math.ceil(timeout))))


def _iris(values: Sequence[str], parameter: str) -> list[ox.NamedNode]:
    """Protocol dataset parameters as IRIs.

    Raises:
        BadRequest: a value is not an absolute IRI (found by schemathesis, issue 7).
    """
    out = []
    for value in values:
        try:
            out.append(ox.NamedNode(value))
        except ValueError as exc:
            raise BadRequest(f"{parameter} {value!r}: not an absolute IRI ({exc})") from None
    return out


def _embedded(store: Store) -> bool:
    return getattr(store, "_ox", None) is not None


class QueryRunner:
    """Evaluates read-only SPARQL on a store under a deadline, with admission control.

    Args:
        store: the store to query.
        timeout: seconds from a request's arrival to its answer.
        max_rows: solutions (or triples) returned at most.
        workers: queries that run at once (processes or threads).
        service_allowlist: endpoints ``SERVICE`` may call.
        queue: requests that may wait for a worker; more are answered 503 ``Busy``.
        isolation: ``process``, ``thread`` or ``auto`` (see the module docstring).

    Raises:
        StoreError: process isolation was asked for and the store cannot be snapshotted.
    """

    def __init__(
        self,
        store: Store,
        *,
        timeout: float,
        max_rows: int,
        workers: int,
        service_allowlist: Sequence[str] = (),
        queue: int = 64,
        isolation: Isolation = "auto",
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.service_allowlist = tuple(service_allowlist)
        mode = isolation
        if mode == "auto":
            mode = "process" if _embedded(store) and store.path is not None else "thread"
        elif mode == "process" and not _embedded(store):
            log.warning("query_isolation=process needs an embedded store; using threads for %r",
                        store)
            mode = "thread"
        self.isolation: Literal["process", "thread"] = mode
        self._gate = _Gate(workers, queue)
        self._call_gate = _Gate(workers, queue)
        self._pace = _Pace()
        self._workers = workers
        self._lock = threading.Lock()
        self._open()

    def _open(self) -> None:
        """Start the pools (again, after :meth:`close`: an ASGI host may run the app's
        lifespan more than once, as test clients do)."""
        workers = self._workers
        self._calls = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reformkg-call")
        self._threads: ThreadPoolExecutor | None = None
        self._processes: Any = None
        if self.isolation == "process":
            from .worker import ProcessPool

            self._processes = ProcessPool(self.store, workers)
            # one waiting thread per running query (they only sit on a pipe)
            self._io = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reformkg-io")
        else:
            self._threads = ThreadPoolExecutor(max_workers=workers,
                                               thread_name_prefix="reformkg-sparql")
        self._closed = False

    def _reopen_if_closed(self) -> None:
        with self._lock:
            if self._closed:
                self._open()

    def check(self, query: str) -> list[int]:
        """The read-only guards (updates, SERVICE) without running anything.

        Returns:
            Offsets of the allowed ``SERVICE`` keywords.

        Raises:
            UpdateRefused: the text is a SPARQL Update.
            ServiceRefused: ``SERVICE`` to an endpoint that is not allow-listed.
        """
        check_read_only(query)
        return check_services(query, self.service_allowlist, PREFIXES)

    async def run(
        self,
        query: str,
        choose: Chooser,
        *,
        name: str | None = None,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        substitutions: Mapping[ox.Variable, Any] | None = None,
    ) -> SparqlAnswer:
        """Check, evaluate and serialize ``query`` within the timeout.

        Args:
            query: SPARQL query text.
            choose: picks the result format from the offers for the query's form (a
                :class:`FormatChoice` in process mode: it crosses a process boundary).
            name: named query, for error messages.
            default_graphs: protocol ``default-graph-uri`` values.
            named_graphs: protocol ``named-graph-uri`` values.
            substitutions: variable → pyoxigraph term bound before evaluation (SEP-0007).

        Raises:
            UpdateRefused, ServiceRefused: see :meth:`check` (and the parser probe).
            QuerySyntaxError: the query does not parse (400, parser message).
            NotAcceptable: no acceptable format for this form of query.
            QueryTimeout: no answer within ``timeout`` seconds (the work was stopped).
            Busy: too many queries running and waiting.
            StoreError: the store failed.
        """
        deadline = time.monotonic() + self.timeout
        kept = self.check(query)
        self._reopen_if_closed()
        kwargs: dict[str, Any] = {}
        # rdflib's SPARQLStore sends its own name for "the default graph" as default-graph-uri
        # (``Dataset(store=SPARQLStore(url))``); it means our default graph, the union.
        default_graphs = [g for g in default_graphs if g != _RDFLIB_DEFAULT_GRAPH]
        if default_graphs:
            kwargs["use_default_graph_as_union"] = False
            kwargs["default_graph"] = _iris(default_graphs, "default-graph-uri")
        if named_graphs:
            kwargs["named_graphs"] = _iris(named_graphs, "named-graph-uri")
        if substitutions:
            kwargs["substitutions"] = dict(substitutions)
        job = QueryJob(query, choose, name, kwargs, self.max_rows,
                       service_word_probe(query, kept))
        if self._processes is not None:
            # The pool enforces the deadline itself (and kills the worker); the grace only
            # covers the hop back from its thread.
            return await self._in_thread(self._gate, self._io, deadline, self._processes.run,
                                         job, deadline, self.timeout, grace=1.0)
        cancel = threading.Event()
        assert self._threads is not None
        return await self._in_thread(self._gate, self._threads, deadline,
                                     execute, self.store, job, cancel, cancel=cancel)

    async def call(
        self, fn: Callable[..., T], *args: Any, cancel: threading.Event | None = None
    ) -> T:
        """Run ``fn(*args)`` in the call pool under the same deadline and admission limits.

        Raises:
            QueryTimeout: ``fn`` did not return within ``timeout`` seconds.
            Busy: too many calls running and waiting.
        """
        deadline = time.monotonic() + self.timeout
        self._reopen_if_closed()
        return await self._in_thread(self._call_gate, self._calls, deadline, fn, *args,
                                     cancel=cancel)

    async def _admit(self, gate: _Gate, deadline: float) -> None:
        try:
            admitted = await gate.acquire(deadline - time.monotonic())
        except _Full:
            raise Busy(
                f"{gate.running} queries running and {gate.waiting} waiting",
                self._pace.retry_after(gate, self.timeout),
            ) from None
        if not admitted:
            raise Busy(
                f"no query worker became free within {self.timeout:g} s",
                self._pace.retry_after(gate, self.timeout),
            )

    async def _in_thread(
        self,
        gate: _Gate,
        pool: ThreadPoolExecutor,
        deadline: float,
        fn: Callable[..., T],
        *args: Any,
        cancel: threading.Event | None = None,
        grace: float = 0.0,
    ) -> T:
        await self._admit(gate, deadline)
        started = time.monotonic()
        try:
            future: Future[T] = pool.submit(fn, *args)
        except RuntimeError:  # the pool is shut down
            gate.release()
            raise

        def done(_: Future[T]) -> None:
            # The slot is held until the thread is really free: a runaway query that outlives
            # its request keeps its slot, so new requests get "busy", not a pile-up.
            self._pace.record(time.monotonic() - started)
            gate.release()

        future.add_done_callback(done)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future),
                                          max(deadline + grace - time.monotonic(), 0.0))
        except TimeoutError:
            if cancel is not None:
                cancel.set()
            future.cancel()  # drops it if still queued; a running step finishes first
            raise QueryTimeout(self.timeout) from None

    async def ready(self) -> None:
        """Wait (at start-up) until the query worker processes are up, so that the first
        requests are not answered "busy" while interpreters start."""
        self._reopen_if_closed()
        if self._processes is not None:
            loop = asyncio.get_running_loop()
            if not await loop.run_in_executor(None, self._processes.wait_ready):
                log.warning("query workers are not all up yet; serving anyway")

    def refresh(self) -> None:
        """The store was written: let the query workers see the new data.

        Raises:
            StoreError: a new snapshot cannot be taken.
        """
        if self._processes is not None and not self._closed:
            self._processes.refresh()

    def close(self) -> None:
        """Stop the worker processes; running threads finish in the background. The next
        query starts the pools again."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._processes is not None:
            self._processes.close()
            self._io.shutdown(wait=False, cancel_futures=True)
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
        self._calls.shutdown(wait=False, cancel_futures=True)
