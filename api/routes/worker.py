"""Query worker processes: the only way to really stop a runaway pyoxigraph query (issue 7).

pyoxigraph offers no way to cancel a query from another Python thread: a big ORDER BY, GROUP BY
or join runs inside one Rust call to its end. So on an embedded on-disk store, queries run in a
small pool of worker processes, and a query that overruns its deadline is stopped by killing
its process (SIGKILL); a fresh process takes its place while the others go on answering.

Snapshots. Oxigraph's read-only mode is undefined while another handle writes the same
directory (it fails with "Corruption" in practice). So the workers never open the served
directory: the server takes a private snapshot (:meth:`graph.store.Store.snapshot`, a RocksDB
checkpoint: hard links, milliseconds) into a hidden directory beside the store
(``.NAME.snapshot-PID-*``, or the temp dir when that is not writable) and the workers open
*that* read-only. After ``POST /ingest`` writes, :meth:`ProcessPool.refresh` takes a new
snapshot and the workers move to it (idle ones at once, busy ones when their query ends); a
snapshot is deleted when its last worker leaves it, and leftovers of a killed server (its PID is
gone) are removed at the next start.

Costs, measured on the 2-core reference machine (README.md, "Hardening"): a worker starts in about
half a second (a fresh interpreter importing pyoxigraph and ``graph``; restarts happen in the
background), each answer crosses one socket, and every worker holds its own interpreter
(about 55 MB) and RocksDB caches.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from graph.errors import StoreError
from graph.store import Store

from .errors import Busy, QueryTimeout
from .evaluate import QueryJob, SparqlAnswer, execute, pack_answer, pack_error, unpack

__all__ = ["ProcessPool", "worker_main"]

log = logging.getLogger("reformkg.api")

#: Seconds a new worker may take to open its snapshot and say it is ready.
START_TIMEOUT = 60.0
_SNAPSHOT_PREFIX = "reformkg-snapshot-"


# -- the worker process ---------------------------------------------------------------------


def _die_with_parent() -> None:
    """Linux: be killed when the server process dies, even in the middle of a long query."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker exits at its next read instead
        pass


def worker_main(conn: Connection, path: str) -> None:
    """Entry point of a worker process: open the snapshot read-only, answer jobs until EOF."""
    # Ctrl-C in a terminal reaches the whole process group: let the server shut down its
    # workers itself instead of every worker printing a KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    try:
        store = Store(path, read_only=True)
    except StoreError as exc:
        with contextlib.suppress(OSError):
            conn.send(("failed", str(exc)))
        return
    try:
        conn.send(("ready", os.getpid()))
    except OSError:  # the server gave up on us already
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the server closed the pipe or died: nothing to serve
            return
        if job is None:
            return
        try:
            reply = pack_answer(execute(store, job))
        except BaseException as exc:  # sent to the server, which rebuilds or logs it
            reply = pack_error(exc)
        try:
            conn.send(reply)
        except OSError:
            return


# -- snapshots --------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(folder: Path, prefix: str) -> None:
    """Remove snapshot folders left by a server that was killed (its PID no longer runs)."""
    try:
        candidates = list(folder.glob(prefix + "*"))
    except OSError:
        return
    for candidate in candidates:
        pid_text = candidate.name[len(prefix):].split("-", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _pid_alive(int(pid_text)):
            shutil.rmtree(candidate, ignore_errors=True)


class _Snapshot:
    """One snapshot folder and the workers that use it."""

    def __init__(self, store: Store) -> None:
        self.folder = self._make_folder(store)
        self.path = self.folder / "store"
        self.users = 0
        self.retired = False
        try:
            store.snapshot(self.path)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    @staticmethod
    def _make_folder(store: Store) -> Path:
        if store.path is not None:
            parent = Path(store.path).resolve().parent
            prefix = f".{Path(store.path).name}.snapshot-"
            _remove_stale(parent, prefix)
            try:
                return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
            except OSError:  # a read-only parent: the temp dir (a copy instead of hard links)
                pass
        tmp = Path(tempfile.gettempdir())
        _remove_stale(tmp, _SNAPSHOT_PREFIX)
        return Path(tempfile.mkdtemp(prefix=f"{_SNAPSHOT_PREFIX}{os.getpid()}-"))

    def remove_if_unused(self) -> None:
        if self.retired and self.users == 0:
            shutil.rmtree(self.folder, ignore_errors=True)


# -- one worker, seen from the server -----------------------------------------------------------


class _Worker:
    """One worker process, seen from the server.

    Workers are plain ``python -m api.routes.worker`` processes talking over a socket pair
    (not ``multiprocessing`` start methods, which re-import the caller's ``__main__`` script
    in every child).
    """

    def __init__(self, spawner: ThreadPoolExecutor) -> None:
        # Processes are started from one long-lived thread: Linux delivers the "parent died"
        # signal when the *thread* that started a child exits.
        self._spawner = spawner
        self.process: subprocess.Popen[bytes] | None = None
        self.conn: Connection | None = None
        self.snapshot: _Snapshot | None = None
        self.generation = -1

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None and self.conn is not None

    def start(self, snapshot: _Snapshot, generation: int) -> None:
        """Start a process on ``snapshot`` and wait until it has opened it.

        Raises:
            StoreError: the process could not open the snapshot or did not start in time.
        """
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        try:
            process = self._spawner.submit(
                subprocess.Popen,
                [sys.executable, "-m", "api.routes.worker", str(theirs.fileno()),
                 str(snapshot.path)],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, env=env,
            ).result()
        except (OSError, RuntimeError) as exc:  # RuntimeError: the pool is shut down
            ours.close()
            raise StoreError(f"cannot start a query worker: {exc}") from None
        finally:
            theirs.close()
        conn = Connection(ours.detach())
        self.process, self.conn = process, conn
        self.snapshot, self.generation = snapshot, generation
        status, detail = "failed", "no answer"
        try:
            if conn.poll(START_TIMEOUT):
                status, detail = conn.recv()
        except (EOFError, OSError):
            detail = f"it exited with code {process.poll()}"
        if status != "ready":
            self.stop()
            raise StoreError(f"a query worker could not open the store snapshot: {detail}")

    def ask(self, job: QueryJob, timeout: float) -> tuple[Any, ...] | None:
        """Send ``job``; the reply, or None when none came within ``timeout`` seconds.

        Raises:
            EOFError, OSError: the process is gone.
        """
        if self.conn is None:
            raise EOFError("no worker process")
        self.conn.send(job)
        if not self.conn.poll(max(timeout, 0.0)):
            return None
        reply: tuple[Any, ...] = self.conn.recv()
        return reply

    def stop(self) -> None:
        """Kill the process (a runaway query cannot be stopped any other way) and reap it."""
        process, conn = self.process, self.conn
        self.process, self.conn = None, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL is not ignorable
                log.warning("query worker %s did not exit after SIGKILL", process.pid)
        if conn is not None:
            conn.close()


# -- the pool ------------------------------------------------------------------------------------


class ProcessPool:
    """``workers`` processes answering queries on snapshots of ``store``.

    The caller (the runner's admission gate) never has more than ``workers`` jobs in flight,
    so :meth:`run` finds a free worker at once except while one is being restarted.

    Raises:
        StoreError: the first snapshot cannot be taken.
    """

    def __init__(self, store: Store, workers: int) -> None:
        self.store = store
        self._cond = threading.Condition()
        self._generation = 0
        self._snapshot = _Snapshot(store)
        self._closed = False
        self._idle: list[_Worker] = []
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reformkg-spawner")
        self._all = [_Worker(self._spawner) for _ in range(workers)]
        for worker in self._all:  # started in the background: the app is up at once
            self._respawn_later(worker)

    def wait_ready(self, timeout: float = START_TIMEOUT) -> bool:
        """Wait until every worker has started (or ``timeout`` passed); True when they have."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._idle) < len(self._all) and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return not self._closed

    # -- workers in and out --------------------------------------------------------------------
    def _take(self, deadline: float) -> _Worker:
        with self._cond:
            while not self._idle:
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0 or not self._cond.wait(remaining):
                    if self._closed:
                        raise StoreError("the query workers are shut down")
                    raise Busy("no query worker became free in time", 1)
            return self._idle.pop()

    def _give(self, worker: _Worker) -> None:
        with self._cond:
            if self._closed:
                worker.stop()
                return
            self._idle.append(worker)
            self._cond.notify_all()

    def _restart(self, worker: _Worker) -> None:
        """Stop ``worker`` and start it on the current snapshot (the caller holds it)."""
        old = worker.snapshot
        worker.stop()
        with self._cond:
            if self._closed:
                raise StoreError("the query workers are shut down")
            snapshot, generation = self._snapshot, self._generation
            snapshot.users += 1
            if old is not None:
                old.users -= 1
                old.remove_if_unused()
        try:
            worker.start(snapshot, generation)
        except BaseException:
            with self._cond:
                snapshot.users -= 1
                worker.snapshot = None
                snapshot.remove_if_unused()
            raise

    def _respawn_later(self, worker: _Worker) -> None:
        def run() -> None:
            try:
                self._restart(worker)
            except StoreError as exc:  # the next request on this worker tries again
                if not self._closed:
                    log.warning("query worker restart failed: %s", exc)
            self._give(worker)

        threading.Thread(target=run, name="reformkg-worker-start", daemon=True).start()

    # -- the one operation ---------------------------------------------------------------------
    def run(self, job: QueryJob, deadline: float, timeout: float) -> SparqlAnswer:
        """Evaluate ``job`` in a worker before ``deadline`` (``time.monotonic``).

        Raises:
            QueryTimeout: no answer before the deadline; the worker was killed.
            Busy: no worker became free before the deadline.
            StoreError: a worker could not be started or died while evaluating.
            QuerySyntaxError, ServiceRefused, NotAcceptable, WorkerFailure: from the worker.
        """
        worker = self._take(deadline)
        try:
            if not worker.alive or worker.generation != self._generation:
                self._restart(worker)
            try:
                reply = worker.ask(job, deadline - time.monotonic())
            except (EOFError, OSError):
                reply = ("died",)
            if reply is None:
                self._respawn_later(worker)  # kill it now; a fresh one takes its place
                worker = None  # type: ignore[assignment]
                raise QueryTimeout(timeout)
            if reply[0] == "died":
                code = worker.process.poll() if worker.process is not None else None
                self._respawn_later(worker)
                worker = None  # type: ignore[assignment]
                raise StoreError(f"the query worker died while evaluating (exit code {code}); "
                                 "it was replaced, retry the query")
            return unpack(reply)
        finally:
            if worker is not None:
                self._give(worker)

    def refresh(self) -> None:
        """Move the workers to a new snapshot of the store (after it was written).

        Raises:
            StoreError: the snapshot cannot be taken (the workers keep the old one).
        """
        snapshot = _Snapshot(self.store)
        with self._cond:
            old = self._snapshot
            self._snapshot = snapshot
            self._generation += 1
            old.retired = True
            old.remove_if_unused()
            stale, self._idle = self._idle, []
        for worker in stale:
            self._respawn_later(worker)

    def close(self) -> None:
        """Stop every worker and delete the snapshots."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._cond.notify_all()
        for worker in self._all:
            if worker in idle or worker.process is not None:
                worker.stop()
        self._spawner.shutdown(wait=False)
        self._snapshot.retired = True
        shutil.rmtree(self._snapshot.folder, ignore_errors=True)
        for worker in self._all:
            if worker.snapshot is not None:
                shutil.rmtree(worker.snapshot.folder, ignore_errors=True)


if __name__ == "__main__":  # python -m api.routes.worker FD SNAPSHOT (started by _Worker.start)
    worker_main(Connection(int(sys.argv[1])), sys.argv[2])
