"""Loading sources into the store: the one place where ``ingest`` (pure extraction) meets
``graph`` (the store). Used by ``reformkg ingest``, ``reformkg demo`` and ``POST /ingest``.

Each source replaces its own named graph in one transaction; a source whose fingerprint
(tool version, text, metadata) is already stored is skipped, so ingesting the same corpus twice
changes nothing. A bad document is reported with its id and the run goes on.

Many sources. Extraction runs in worker processes (``jobs``, default: every core) on chunks of
documents; each worker returns its sources' quads as N-Quads bytes, and this process alone writes
the store, one transaction per source (``Store.add_graphs`` / ``Store.replace_graph``): an
interrupted run leaves each source complete or absent. Fingerprints are looked up in bulk, one
query per chunk, before anything is extracted, so an unchanged corpus costs one hash per document.
JSONL corpora are streamed line by line (no size limit on the file; each record keeps the
per-document limit of ``ingest.read``).

Bulk path. When a large corpus goes into a store that holds none of its sources yet, new sources
are written with Oxigraph's bulk loader (``Store.bulk_add_graphs``), which is faster but not
atomic. To keep "complete or absent" meaningful, each source's fingerprint marker (the quad
``<source> prov:wasGeneratedBy <run>`` that idempotency reads) is left out of the bulk data and
written afterwards in one transaction. The load runs in a thread while the workers' results are
still collected (one load at a time; any other write waits for it, and its error is raised in
the run). Before the bulk load the graphs are named in a journal
(``Store.stage``); a store opened for writing after an interruption drops every journaled graph
without its marker (``Store.recover_staged``), so each source is complete or absent again and
the next run writes it. Read-only opens list such graphs in ``Store.unfinished``.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import StoreError
from graph.store import Store
from ingest.errors import IngestError, RecordError
from ingest.pipeline import Built, build, fingerprint
from ingest.read import (
    SourceDoc,
    count_sources,
    iter_sources,
    read_record,
)
from ingest.to_rdf import source_iri

__all__ = ["IngestSummary", "ingest_documents", "ingest_paths", "load_built"]

Progress = Callable[[Iterable[Any], int | None], Iterable[Any]]

_PROV_GENERATED = "http://www.w3.org/ns/prov#wasGeneratedBy"
#: Documents per worker task: large enough to amortize the process hop, small enough to keep
#: both cores busy to the end and the progress bar moving.
CHUNK = 16
#: Below this many documents extraction stays in this process (no pool to start).
PARALLEL_MIN = 48
#: A run of at least this many new documents into a store without them uses the bulk loader
#: (measured on 2 cores with validation: 450 documents at 24-28 docs/s against 17-18 with one
#: transaction per source; 50 documents in one process at 14.8 against 12.8).
BULK_MIN = 48
#: Quads gathered before one bulk load. Oxigraph's bulk loader holds ~3.4 times its input while
#: it runs (98 MB of N-Quads: +335 MB), and the next batch is gathered meanwhile, so this sets the
#: main process's peak: 1,500 documents on 2 workers peaked at 978 MB over all processes with
#: 400k, 723 MB with 200k, 613 MB with 100k, at the same rate within this VM's noise (29-32
#: docs/s). Smaller batches leave more, smaller files in the store, which slow queries until the
#: store is compacted (100k: 1.5-2x slower at 2M quads, the same once compacted).
BULK_BATCH_QUADS = 200_000
#: After a run whose bulk loader wrote at least this share of the store, the store is compacted
#: (``Store.optimize``): queries then run 10-40% faster at 1M-2M quads (system_network at 1M
#: 1.33-1.37 -> 1.04-1.13 s, at 2M 3.7-4.9 -> 2.4-3.0 s). It rewrites the whole store (3 s at 1M
#: quads, 8 s at 2M), so a run that adds a little to a big store leaves it as it is.
OPTIMIZE_SHARE = 0.25


@dataclass(slots=True)
class IngestSummary:
    documents: int = 0  # sources written (new or changed)
    unchanged: int = 0  # sources skipped: the same version is already stored
    facts: int = 0
    connections: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (origin, message)
    sources: list[str] = field(default_factory=list)  # source ids written or unchanged
    quads_before: int = 0
    quads_after: int = 0
    quads_written: int = 0
    bulk: bool = False  # the bulk loader wrote the new sources
    compacted_s: float | None = None  # seconds spent compacting the store after the run
    compact_error: str | None = None  # why compacting failed (the data written stays as it is)
    validated: bool = False  # each written source was checked (graph.fastcheck.check_quads)
    violations: int = 0
    warnings: int = 0
    findings: list[Any] = field(default_factory=list)  # graph.validate.Finding, when validated

    def as_dict(self) -> dict[str, Any]:
        out = {
            "documents": self.documents,
            "unchanged": self.unchanged,
            "facts": self.facts,
            "connections": self.connections,
            "failures": [{"where": w, "error": e} for w, e in self.failures],
            "sources": self.sources,
            "quads_before": self.quads_before,
            "quads_after": self.quads_after,
        }
        if self.validated:
            out.update(violations=self.violations, warnings=self.warnings)
        if self.compacted_s is not None:
            out["compacted_s"] = round(self.compacted_s, 3)
        return out


# -- one source, in a worker or here ---------------------------------------------------------------


@dataclass(slots=True)
class _Built:
    """What a worker sends back for one source: its quads as N-Quads, the marker apart."""

    source_id: str
    iri: str
    fingerprint: str
    body: bytes  # N-Quads of the source graph without its fingerprint marker
    marker: bytes  # N-Quads: <source> prov:wasGeneratedBy <run> <source> .
    quads: int
    facts: int
    connections: int
    findings: list[Any] | None = None  # graph.validate.Finding, when checked


def _pack(built: Built, validate: bool = False) -> _Built:
    import pyoxigraph as ox

    src = built.iri
    body, marker = [], []
    for q in built.quads:
        if q.predicate.value == _PROV_GENERATED and q.subject.value == src:
            marker.append(q)
        else:
            body.append(q)
    nq = ox.RdfFormat.N_QUADS
    findings = None
    if validate:  # the source alone with the reference graph, as graph.validate(sources=[it])
        from graph.fastcheck import check_quads

        findings = check_quads(built.quads).findings
    return _Built(
        built.source.source_id,
        src,
        built.fingerprint,
        ox.serialize(body, format=nq) or b"",
        ox.serialize(marker, format=nq) or b"",
        len(built.quads),
        len(built.document.observations),
        len(built.document.connections),
        findings,
    )


_Failed = tuple[str, str, str]  # (origin, message, source id)


def _build_one(sd: SourceDoc, validate: bool = False) -> _Built | _Failed:
    try:
        return _pack(build(sd), validate)
    except Exception as exc:  # one bad document must not stop a corpus; report it with its id
        return (
            sd.origin,
            f"{sd.origin} (id {sd.source_id!r}): extraction failed: {type(exc).__name__}: {exc}",
            sd.source_id,
        )


def _build_chunk(docs: list[SourceDoc], validate: bool = False) -> list[_Built | _Failed]:
    """Worker task: extract, serialize and (when asked) check a chunk of sources (no store)."""
    return [_build_one(sd, validate) for sd in docs]


# -- the run ---------------------------------------------------------------------------------------


def _stored_fingerprint(store: Store, iri: str) -> str | None:
    run = store.stored_runs([iri]).get(iri)
    return run.rsplit("/", 1)[-1] if run else None


def load_built(store: Store, built: Built, summary: IngestSummary) -> None:
    """Write one built source unless the same version is stored already."""
    summary.sources.append(built.source.source_id)
    if _stored_fingerprint(store, built.iri) == built.fingerprint[:16]:
        summary.unchanged += 1
        return
    store.replace_graph(built.iri, built.quads)
    summary.documents += 1
    summary.facts += len(built.document.observations)
    summary.connections += len(built.document.connections)


class _Writer:
    """Writes built sources to the store (this process only) and checks them when asked."""

    def __init__(self, store: Store, summary: IngestSummary, *, bulk: bool, validate: bool) -> None:
        self.store = store
        self.summary = summary
        self.bulk = bulk
        self.validate = validate
        self.present: set[str] = set()  # sources already in the store (changed: replace them)
        self._bulk_body: list[bytes] = []
        self._bulk_markers: list[bytes] = []
        self._bulk_graphs: list[str] = []
        self._bulk_quads = 0
        self._loading: threading.Thread | None = None  # the bulk load in flight
        self._loading_error: BaseException | None = None

    def write(self, b: _Built) -> None:
        """Write one source, or gather it for the bulk loader (which loads a batch in a thread
        once ``BULK_BATCH_QUADS`` are gathered)."""
        s = self.summary
        if b.findings is not None:
            s.findings.extend(b.findings)
            s.violations += sum(1 for f in b.findings if f.severity == "Violation")
            s.warnings += sum(1 for f in b.findings if f.severity == "Warning")
        s.documents += 1
        s.facts += b.facts
        s.connections += b.connections
        s.quads_written += b.quads
        if b.iri in self.present:
            import pyoxigraph as ox

            self._join()  # no other write while the bulk loader runs
            self.store.replace_graph(
                b.iri, list(ox.parse(b.body + b.marker, format=ox.RdfFormat.N_QUADS))
            )
        elif self.bulk:
            self._bulk_body.append(b.body)
            self._bulk_markers.append(b.marker)
            self._bulk_graphs.append(b.iri)
            self._bulk_quads += b.quads
            if self._bulk_quads >= BULK_BATCH_QUADS:
                self.flush(wait=False)
        else:
            self._join()
            self.store.add_graphs(b.body + b.marker)

    def flush(self, *, wait: bool = True) -> None:
        """Write what the bulk loader gathered: journal the graphs, bulk-load them, then write
        their markers in one transaction and clear the journal (see ``Store.stage``).

        The load runs in a thread (pyoxigraph releases the GIL while it loads), so that the
        workers' results keep being collected meanwhile: on 2 cores the workers sat idle for 27
        of 64 s of a 1,500-document ingest while this process loaded. One load at a time: the
        previous one is waited for first; ``wait``: this one too."""
        self._join()
        if self._bulk_body:
            graphs, body, markers = self._bulk_graphs, self._bulk_body, self._bulk_markers
            self._bulk_body, self._bulk_markers, self._bulk_graphs, self._bulk_quads = [], [], [], 0
            self._loading = threading.Thread(
                target=self._load, args=(graphs, body, markers), name="reformkg-bulk-load"
            )
            self._loading.start()
        if wait:
            self._join()

    def _load(self, graphs: list[str], body: list[bytes], markers: list[bytes]) -> None:
        try:
            self.store.stage(graphs)
            data = b"".join(body)
            body.clear()  # one copy of the batch in memory while it loads, not two
            self.store.bulk_add_graphs(data)
            del data
            self.store.add_graphs(b"".join(markers))
            self.store.unstage()
        except BaseException as exc:  # noqa: BLE001 - raised again in the main thread
            self._loading_error = exc

    def _join(self) -> None:
        """Wait for the bulk load in flight. Its error, if any, is raised here (the journal
        makes its sources absent at the next open)."""
        if self._loading is None:
            return
        self._loading.join()
        self._loading = None
        if self._loading_error is not None:
            exc, self._loading_error = self._loading_error, None
            raise exc


def _chunks(
    items: Iterable[SourceDoc | IngestError], size: int
) -> Iterator[list[SourceDoc | IngestError]]:
    chunk: list[SourceDoc | IngestError] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _run(
    store: Store,
    items: Iterable[SourceDoc | IngestError],
    total: int | None,
    progress: Progress | None,
    *,
    jobs: int | None = None,
    bulk: bool | None = None,
    validate: bool = False,
    optimize: bool | None = None,
    notify: Callable[[str], None] | None = None,
) -> IngestSummary:
    """Ingest ``items`` (sources, or the errors that stopped reading one).

    Args:
        store: the store to write.
        items: sources in corpus order; may be a stream.
        total: how many items, for the progress bar (``None``: unknown).
        progress: wraps an iterable to show progress (``tqdm``-like); it advances as each
            document is done, not as it is read: written, skipped, failed, or gathered for the
            bulk loader (whose last batch is written after the last document).
        jobs: worker processes for extraction (default: every core, or this process alone for
            fewer than ``PARALLEL_MIN`` documents; 1: this process).
        bulk: use the bulk loader for new sources (default: when at least ``BULK_MIN`` documents
            go into a store that holds none of the first chunk's sources).
        validate: check each source with :func:`graph.fastcheck.check_quads` (the source alone
            with the reference graph, as ``graph.validate.validate(sources=[it])``) in the worker
            that built it, and count the findings in the summary.
        optimize: compact the store after the run (``True``), never (``False``), or when the
            bulk loader wrote at least ``OPTIMIZE_SHARE`` of the store (default).
        notify: called with a line to show the user before a step without progress (the
            compaction).
    """
    summary = IngestSummary(quads_before=store.quad_count(), validated=validate)
    if jobs is None:  # automatic: every core, unless starting workers costs more than it saves
        jobs = 1 if total is not None and total < PARALLEL_MIN else _default_jobs()
    jobs = max(1, jobs)
    done = _drive(store, items, total, summary, jobs=jobs, bulk=bulk, validate=validate)
    for _ in progress(done, total) if progress else done:
        pass
    store.flush()
    summary.quads_after = store.quad_count()
    if optimize is None:
        optimize = summary.bulk and summary.quads_written >= OPTIMIZE_SHARE * summary.quads_after
    if optimize and store.path is not None:  # an embedded store (not memory, not a server)
        if notify is not None:
            notify(f"compacting the store ({summary.quads_after:,} quads) for faster queries")
        started = time.perf_counter()
        try:
            store.optimize()
        except StoreError as exc:  # the sources are written and marked complete already
            summary.compact_error = str(exc)
        else:
            summary.compacted_s = time.perf_counter() - started
    return summary


def _drive(
    store: Store,
    items: Iterable[SourceDoc | IngestError],
    total: int | None,
    summary: IngestSummary,
    *,
    jobs: int,
    bulk: bool | None,
    validate: bool,
) -> Iterator[None]:
    """The pipeline; yields once per document finished (written, skipped or failed)."""
    seen: dict[str, str] = {}
    writer = _Writer(store, summary, bulk=False, validate=validate)
    pool = None
    if jobs > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        ctx = mp.get_context("forkserver")
        # what every worker needs, loaded once in the forkserver and shared through fork
        ctx.set_forkserver_preload(
            ["ingest.pipeline", "api.loader", "graph.fastcheck"]
            + (["api.ingest_worker"] if validate else [])
        )
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx)
    inflight: deque[Any] = deque()
    first = True
    try:
        for chunk in _chunks(items, CHUNK):
            todo: list[SourceDoc] = []
            for item in chunk:
                if isinstance(item, IngestError):
                    summary.failures.append((item.message.split(": ", 1)[0], item.message))
                    yield None
                    continue
                if item.source_id in seen:
                    summary.failures.append(
                        (
                            item.origin,
                            f"{item.origin}: duplicate id {item.source_id!r} "
                            f"(first seen at {seen[item.source_id]}); skipped",
                        )
                    )
                    yield None
                    continue
                seen[item.source_id] = item.origin
                summary.sources.append(item.source_id)
                todo.append(item)
            # one query per chunk: which of these are stored, and in which version
            iris = [source_iri(sd.source_id) for sd in todo]
            runs = store.stored_runs(iris)
            fresh: list[SourceDoc] = []
            for sd, iri in zip(todo, iris, strict=True):
                run = runs.get(iri)
                if run is not None and run.rsplit("/", 1)[-1] == fingerprint(sd)[:16]:
                    summary.unchanged += 1
                    yield None
                else:
                    fresh.append(sd)
            present = store.present_graphs([source_iri(sd.source_id) for sd in fresh])
            writer.present |= present
            if first and fresh:
                first = False
                big = total is not None and total >= BULK_MIN
                writer.bulk = (big and not present and not runs) if bulk is None else bulk
                summary.bulk = writer.bulk
            if not fresh:
                continue
            if pool is None:
                yield from _write(writer, summary, _build_chunk(fresh, validate))
                continue
            inflight.append(pool.submit(_build_chunk, fresh, validate))
            while len(inflight) > 2 * jobs:
                yield from _write(writer, summary, inflight.popleft().result())
        while inflight:
            yield from _write(writer, summary, inflight.popleft().result())
        writer.flush()
    finally:
        if pool is not None:
            for f in inflight:
                f.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
        if writer._loading is not None:  # interrupted: let the load in flight finish
            writer._loading.join()


def _write(
    writer: _Writer, summary: IngestSummary, results: list[_Built | _Failed]
) -> Iterator[None]:
    for r in results:
        if isinstance(r, tuple):
            origin, message, source_id = r
            summary.failures.append((origin, message))
            summary.sources.remove(source_id)
            yield None
        else:  # progress moves as sources are written or gathered for the bulk loader
            writer.write(r)
            yield None


def ingest_paths(
    store: Store,
    paths: list[Path],
    progress: Progress | None = None,
    jobs: int | None = None,
    *,
    bulk: bool | None = None,
    validate: bool = False,
    optimize: bool | None = None,
) -> IngestSummary:
    """Ingest text, HTML and JSONL files and directories (JSONL streamed).

    Args:
        store: the store to write.
        paths: files and directories.
        progress: a ``tqdm``-like wrapper ``(iterable, total) -> iterable``.
        jobs: worker processes for extraction (default: every core; 1: no workers).
        bulk: force (True) or forbid (False) the bulk loader for new sources; default: automatic.
        validate: check each written source with the fast SHACL path (``graph.fastcheck``).
        optimize: compact the store afterwards: always, never, or (default) after a bulk load
            of at least ``OPTIMIZE_SHARE`` of the store.
    """
    total = count_sources(paths)
    return _run(store, iter_sources(paths), total, progress, jobs=jobs, bulk=bulk, validate=validate,
                optimize=optimize)


def ingest_documents(store: Store, docs: list[dict[str, Any]]) -> IngestSummary:
    """Ingest JSON records (the JSONL line format), as ``POST /ingest`` receives them.
    Runs in this process (no workers: it serves one request)."""
    items: list[SourceDoc | IngestError] = []
    for i, rec in enumerate(docs, start=1):
        try:
            items.append(read_record(json.dumps(rec, ensure_ascii=False), i, "request"))
        except RecordError as exc:
            items.append(exc)
    return _run(store, items, len(items), None, jobs=1, bulk=False)
