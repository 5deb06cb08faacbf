"""The reformkg benchmark: ingest, store, validation, queries and projections, measured side by side.

    python bench/run.py --quick              # about a minute: small stores, every measurement
    python bench/run.py                      # full: stores of 1M and 10M triples (tens of minutes)
    python bench/run.py --no-10m             # full, without the 10M store
    python bench/run.py --workdir /tmp/x     # where the corpus and the stores go (default /tmp)

Prints one table and writes everything to ``bench/results/<mode>-<timestamp>.json`` (gitignored).
Stores live under the work directory and are removed at the end (``--keep`` keeps them).

What is measured (see bench/README.md for the numbers):

* **stages** of one document, single process: reading (JSON, NFC), extraction, RDF quads,
  N-Quads, store write (one transaction), fast SHACL check of the new source;
* the **store write alone**: report quads and short synthetic quads bulk-loaded into a new
  on-disk store, and report quads in the in-memory store, in CPU seconds: the floor under the
  ingest rate;
* **ingest** end to end (``api.loader.ingest_paths`` with ``validate=True``) at three corpus
  sizes, in one process and on all cores: documents/s and quads/s;
* at three **store sizes** (quick: ~8k/16k/32k triples; full: ~0.1M, 0.3M, 1M and 10M): disk size,
  whole-graph fast SHACL, the SHACL check of one newly ingested document (p50/p95), the
  system-network projection, and every named query through pyoxigraph directly (query and
  pyoxigraph's own JSON serialization);
* at 1M and 10M (quick: the largest store): every named query through ``/sparql`` of a live
  uvicorn server on loopback (same store, read-only), and at 1M through **rdflib-endpoint**
  (``--rdflib-python``, default ``/tmp/rdflib-endpoint-venv/bin/python``; each query bounded by
  ``--rdflib-timeout`` seconds) on the same quads; pySHACL on the whole 1M graph (once), with the
  findings compared to the fast path's;
* peak memory (``ru_maxrss``; ``VmHWM`` of the servers) of every phase, each run in its own process.

Timings depend on the machine and on what else runs on it: the JSON keeps the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
PY = sys.executable


# ================================================================================================
# Small helpers
# ================================================================================================


def _peak_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    return {"self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def _hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class _TreeMemory:
    """Samples the resident memory of this process and all its descendants (ingest workers
    are grandchildren, behind the forkserver) every ``every`` seconds: the largest single
    process and the largest sum seen."""

    def __init__(self, every: float = 0.25) -> None:
        import threading

        self.max_one = self.max_sum = 0.0
        self._ticks: dict[int, int] = {}  # CPU clock ticks (user + system) last seen per process
        self._self0 = _cpu_self()
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._t.start()

    def _tree(self) -> list[int]:
        parent: dict[int, int] = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    stat = (d / "stat").read_text()
                    parent[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        me, out = os.getpid(), []
        for pid in parent:
            p = pid
            while p > 1 and p != me:
                p = parent.get(p, 0)
            if p == me:
                out.append(pid)
        return out

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            rss = []
            for pid in self._tree():
                try:
                    if pid != os.getpid():  # this process's own time comes from getrusage
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                        self._ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            rss.append(int(line.split()[1]) / 1024)
                except OSError:
                    continue
            if rss:
                self.max_one = max(self.max_one, max(rss))
                self.max_sum = max(self.max_sum, sum(rss))

    def stop(self) -> dict[str, float]:
        """Peak memory, and the CPU seconds of this process (every thread) and its descendants
        (as last sampled: a process's time after its last sample is missed)."""
        self._stop.set()
        self._t.join()
        own = _cpu_self() - self._self0
        children = sum(self._ticks.values()) / os.sysconf("SC_CLK_TCK")
        return {"tree_max_process_mb": self.max_one, "tree_max_total_mb": self.max_sum,
                "cpu_s": own + children, "cpu_own_s": own, "cpu_children_s": children}


def _cpu_self() -> float:
    """CPU seconds (user + system) of this process, every thread counted."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _descendants(root: int) -> list[int]:
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parent[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    out = []
    for pid in parent:
        p = parent.get(pid, 0)
        while p > 1 and p != root:
            p = parent.get(p, 0)
        if p == root:
            out.append(pid)
    return out


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def _stats(ms: list[float]) -> dict[str, Any]:
    return {"n": len(ms), "p50_ms": _pct(ms, 0.5), "p95_ms": _pct(ms, 0.95),
            "min_ms": min(ms) if ms else None, "mean_ms": statistics.fmean(ms) if ms else None}


def _dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _phase(name: str, timeout: float | None = None, **args: Any) -> dict[str, Any]:
    """Run one phase in its own process (clean peak memory); its last stdout line is JSON.
    A phase that runs longer than ``timeout`` seconds is killed and reported as such."""
    cmd = [PY, str(Path(__file__)), "--phase", name, "--args", json.dumps(args)]
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"not finished within {timeout:.0f} s", "timeout": True,
                "phase_wall_s": time.perf_counter() - t}
    if proc.returncode != 0:
        raise RuntimeError(f"phase {name} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["phase_wall_s"] = time.perf_counter() - t
    return out


def _phase_lines(name: str, per_item_s: float, items: list[str], restart: Any = None,
                 **args: Any) -> dict[str, Any]:
    """Run a phase that prints one JSON line per item; an item that takes longer than
    ``per_item_s`` is recorded as not finished, the phase is killed and restarted (after
    ``restart()``, e.g. a fresh server) on the items left."""
    import selectors

    out: dict[str, Any] = {}
    todo = list(items)
    while todo:
        cmd = [PY, str(Path(__file__)), "--phase", name, "--args", json.dumps({**args, "only": todo})]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                start_new_session=True)
        sel = selectors.DefaultSelector()
        assert proc.stdout is not None
        sel.register(proc.stdout, selectors.EVENT_READ)
        timed_out = False
        while True:
            if not sel.select(timeout=per_item_s):
                timed_out = True
                break
            line = proc.stdout.readline()
            if not line:
                break
            doc = json.loads(line)
            if "heartbeat" in doc:
                continue
            if "query" in doc:
                out[doc.pop("query")] = doc
                todo = [t for t in todo if t not in out]
            else:
                out["_phase"] = doc
        if timed_out:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            stuck = todo[0]
            out[stuck] = {"error": f"no answer within {per_item_s:.0f} s", "timeout": True}
            todo = todo[1:]
            if restart is not None and todo:
                new = restart()
                if new:
                    args.update(new)
            continue
        proc.wait()
        if proc.returncode == 3 and todo:  # an HTTP request timed out: fresh server, go on
            if restart is not None:
                new = restart()
                if new:
                    args.update(new)
            continue
        if proc.returncode != 0 and todo:
            err = proc.stderr.read() if proc.stderr else ""
            raise RuntimeError(f"phase {name} failed ({proc.returncode}):\n{err[-3000:]}")
        break
    return out


def _log(msg: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ================================================================================================
# Phases (each runs in a child process)
# ================================================================================================


def phase_stages(a: dict[str, Any]) -> dict[str, Any]:
    """Cost of each stage for single documents, in this process."""
    import pyoxigraph as ox

    from graph.fastcheck import check_quads, warm_up
    from graph.store import Store
    from ingest.extract import extract
    from ingest.pipeline import fingerprint
    from ingest.read import read_record
    from ingest.to_rdf import document_quads

    lines = _slice(a["corpus"], a["skip"], a["count"])
    store = Store(Path(a["store"]))
    warm_up(store)
    t = {k: [] for k in ("read", "extract", "rdf", "nquads", "write", "validate")}
    quads = chars = 0
    for i, line in enumerate(lines):
        t0 = time.perf_counter()
        sd = read_record(line, i + 1, "corpus.jsonl")
        t1 = time.perf_counter()
        doc = extract(sd.text, source_id=sd.source_id, file_name=sd.file_name, url=sd.url, title=sd.title,
                      date=sd.date, publisher=sd.publisher, author=sd.author)
        t2 = time.perf_counter()
        q = document_quads(doc, fingerprint=fingerprint(sd))
        t3 = time.perf_counter()
        data = ox.serialize(q, format=ox.RdfFormat.N_QUADS)
        t4 = time.perf_counter()
        check_quads(q, reference=store)  # as ingest does: the new source, before it is written
        t5 = time.perf_counter()
        store.add_graphs(data)
        t6 = time.perf_counter()
        for k, (x, y) in zip(t, ((t0, t1), (t1, t2), (t2, t3), (t3, t4), (t5, t6), (t4, t5)), strict=True):
            t[k].append((y - x) * 1000)
        quads += len(q)
        chars += len(sd.text.encode())
    store.close()
    n = len(lines)
    per_doc = {k: statistics.fmean(v) for k, v in t.items()}
    return {"docs": n, "quads_per_doc": quads / n, "bytes_per_doc": chars / n, "ms_per_doc": per_doc,
            "p95_ms": {k: _pct(v, 0.95) for k, v in t.items()},
            "total_ms_per_doc": sum(per_doc.values()), **_peak_mb()}


def phase_writefloor(a: dict[str, Any]) -> dict[str, Any]:
    """The least a store write costs, nothing else timed: the quads of ``count`` generated
    reports bulk-loaded in one call into a new on-disk store, as many short synthetic quads
    (``<s> <p> "n"^^xsd:integer <g>``) the same way, and the report quads added to Oxigraph's
    in-memory store. CPU seconds of this process and all its threads (the bulk loader runs
    several), so the figures compare with the ingest target's budget per core."""
    import pyoxigraph as ox

    from ingest.pipeline import build
    from ingest.read import read_record

    lines = _slice(a["corpus"], a["skip"], a["count"])
    quads: list[ox.Quad] = []
    for i, line in enumerate(lines):
        quads += build(read_record(line, i + 1, "corpus.jsonl")).quads
    nq = ox.RdfFormat.N_QUADS
    ours = ox.serialize(quads, format=nq) or b""
    xsd_int = "http://www.w3.org/2001/XMLSchema#integer"
    synthetic = "".join(
        f'<http://example.org/s{i // 10}> <http://example.org/p{i % 10}> "{i}"^^<{xsd_int}> '
        f"<http://example.org/g{i // 1000}> .\n" for i in range(len(quads))
    ).encode()

    def timed(load: Any) -> dict[str, float]:
        c, t = _cpu_self(), time.perf_counter()
        load()
        return {"cpu_s": _cpu_self() - c, "wall_s": time.perf_counter() - t}

    out: dict[str, Any] = {"docs": len(lines), "quads": len(quads), "mb": len(ours) / 1e6}
    disk = Path(a["store"])
    for name, data in (("disk_bulk_ours", ours), ("disk_bulk_synthetic", synthetic)):
        shutil.rmtree(disk, ignore_errors=True)
        st = ox.Store(str(disk))
        out[name] = timed(lambda st=st, data=data: st.bulk_load(data, format=nq))
        del st
        shutil.rmtree(disk, ignore_errors=True)
    mem = ox.Store()
    out["memory_extend_ours"] = timed(lambda: mem.extend(quads))
    budget_ms = 1000 / 300  # issue 6: 300 documents a second per core
    for name in ("disk_bulk_ours", "disk_bulk_synthetic", "memory_extend_ours"):
        r = out[name]
        r["us_per_quad"] = r["cpu_s"] / len(quads) * 1e6
        r["ms_per_doc"] = r["cpu_s"] / len(lines) * 1000
        r["docs_per_cpu_s"] = len(lines) / r["cpu_s"]
        r["max_quads_per_doc_at_300"] = budget_ms * 1000 / r["us_per_quad"]
    return {**out, **_peak_mb()}


def phase_ingest(a: dict[str, Any]) -> dict[str, Any]:
    """``ingest_paths`` end to end on a slice of the corpus."""
    from api import loader
    from graph.store import Store

    src = Path(a["slice"])
    store = Store(Path(a["store"]))
    q0 = store.quad_count()
    mem = _TreeMemory()
    t = time.perf_counter()
    s = loader.ingest_paths(store, [src], jobs=a["jobs"], validate=a.get("validate", True),
                            bulk=a.get("bulk"))
    wall = time.perf_counter() - t
    tree = mem.stop()
    t1 = time.perf_counter()
    store.close()
    close_s = time.perf_counter() - t1
    return {"docs": s.documents, "unchanged": s.unchanged, "failures": len(s.failures),
            "quads_before": q0, "quads_after": s.quads_after, "quads_written": s.quads_written,
            "wall_s": wall, "close_s": close_s, "docs_per_s": s.documents / wall,
            "quads_per_s": s.quads_written / wall, "bulk": s.bulk, "jobs": a["jobs"],
            "compacted_s": s.compacted_s,
            "violations": s.violations, "warnings": s.warnings, "facts": s.facts,
            "connections": s.connections, **tree, **_peak_mb()}


def phase_fastcheck(a: dict[str, Any]) -> dict[str, Any]:
    """Whole-graph fast SHACL check (read-only); prints one JSON line per query (shape, kind,
    seconds, rows) so that the caller can name a query that does not finish."""
    from graph.fastcheck import check, compile_shapes
    from graph.store import Store

    store = Store(Path(a["store"]), read_only=True)
    compile_shapes()
    counter = iter(range(10**6))

    def on_query(shape: str, kind: str, secs: float, rows: int) -> None:
        print(json.dumps({"i": next(counter), "shape": shape, "kind": kind, "s": secs, "rows": rows}),
              flush=True)

    t = time.perf_counter()
    report = check(store, exclude=a.get("exclude", ()), on_query=on_query)
    secs = time.perf_counter() - t
    if a.get("findings_out"):
        Path(a["findings_out"]).write_text(json.dumps([_fkey(f) for f in report.findings], ensure_ascii=False))
    return {"seconds": secs, "violations": report.violations, "warnings": report.warnings, **_peak_mb()}


def _fastcheck_watched(store: Path, findings_out: Path, per_query_s: float) -> dict[str, Any]:
    """The whole-graph fast check; a shape whose query runs longer than ``per_query_s`` is
    reported as unfinished and the check is run again without it."""
    import selectors

    from graph.fastcheck import compile_shapes

    order = [(q.shape, q.kind) for q in compile_shapes().queries]
    exclude: list[str] = []
    unfinished: dict[str, str] = {}
    while True:
        cmd = [PY, str(Path(__file__)), "--phase", "fastcheck", "--args",
               json.dumps({"store": str(store), "findings_out": str(findings_out), "exclude": exclude})]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                start_new_session=True)
        assert proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        lines: list[dict[str, Any]] = []
        summary = None
        while True:
            if not sel.select(timeout=per_query_s):
                break
            line = proc.stdout.readline()
            if not line:
                break
            doc = json.loads(line)
            if "i" in doc:
                lines.append(doc)
            else:
                summary = doc
        if summary is not None:
            proc.wait()
            by_shape: dict[str, float] = {}
            for d in lines:
                by_shape[d["shape"]] = by_shape.get(d["shape"], 0.0) + d["s"]
            return {**summary, "by_shape_s": by_shape, "unfinished": unfinished, "excluded": exclude}
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        todo = [o for o in order if o[0] not in exclude]
        stuck = todo[len(lines)][0] if len(lines) < len(todo) else "?"
        unfinished[stuck] = f"a query of this shape did not finish within {per_query_s:.0f} s"
        exclude.append(stuck)
        _log(f"  {stuck}: no answer within {per_query_s:.0f} s; checking the other shapes")


def phase_pyshacl(a: dict[str, Any]) -> dict[str, Any]:
    """pySHACL (graph.validate.validate) on the whole graph, once (read-only)."""
    from graph.store import Store
    from graph.validate import validate

    store = Store(Path(a["store"]), read_only=True)
    t = time.perf_counter()
    report = validate(store)
    secs = time.perf_counter() - t
    Path(a["findings_out"]).write_text(json.dumps([_fkey(f) for f in report.findings], ensure_ascii=False))
    return {"seconds": secs, "violations": report.violations, "warnings": report.warnings, **_peak_mb()}


def _fkey(f: Any) -> list[Any]:
    return [f.severity, f.focus, f.path, f.component, f.message, f.value, f.shape, f.source_id,
            f.start, f.end, f.surface, f.sentence]


def phase_perdoc(a: dict[str, Any]) -> dict[str, Any]:
    """The fast SHACL check of newly ingested documents in a store of the current size: each
    document is built and checked as ingest checks it (its quads, before they are written:
    ``check_quads``), then written and checked again as a stored source (``check(store,
    sources=…)``, which first reads the source back from disk), alone and then 16 at once;
    finally removed."""
    import pyoxigraph as ox

    from graph.fastcheck import check, check_quads, warm_up
    from graph.store import Store
    from ingest.pipeline import build
    from ingest.read import read_record

    lines = _slice(a["corpus"], a["skip"], a["count"])
    store = Store(Path(a["store"]))
    warm_up(store)
    built = [build(read_record(line, i + 1, "corpus.jsonl")) for i, line in enumerate(lines)]
    for b in built[:2]:  # warm the per-thread scratch store and the value caches
        check_quads(b.quads, reference=store)
    before: list[float] = []
    for b in built:
        t = time.perf_counter()
        check_quads(b.quads, reference=store)
        before.append((time.perf_counter() - t) * 1000)
    one: list[float] = []
    iris = []
    for b in built:
        store.add_graphs(ox.serialize(b.quads, format=ox.RdfFormat.N_QUADS))
        t = time.perf_counter()
        check(store, sources=[b.iri])
        one.append((time.perf_counter() - t) * 1000)
        iris.append(b.iri)
    batch = []
    for k in range(0, len(iris) - 15, 16):
        t = time.perf_counter()
        check(store, sources=iris[k:k + 16])
        batch.append((time.perf_counter() - t) * 1000 / 16)
    for iri in iris:
        store.remove_graph(iri)
    quads = store.quad_count()
    store.close()
    return {"quads_in_store": quads, "before_write": _stats(before), "one_doc": _stats(one),
            "per_doc_in_batches_of_16": _stats(batch), **_peak_mb()}


def phase_project(a: dict[str, Any]) -> dict[str, Any]:
    """The system-network projection (graph.views.system_network) and its measures."""
    from graph.measures import network_measures
    from graph.store import Store
    from graph.views import system_network

    store = Store(Path(a["store"]), read_only=True)
    times, mtimes = [], []
    G = None
    for _ in range(a.get("reps", 3)):
        t = time.perf_counter()
        G = system_network(store, allow_empty=True)
        times.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        network_measures(G)
        mtimes.append((time.perf_counter() - t) * 1000)
    assert G is not None
    return {"projection": _stats(times), "measures": _stats(mtimes), "nodes": G.number_of_nodes(),
            "edges": G.number_of_edges(), **_peak_mb()}


#: --queries: the named queries measured (None: all)
ONLY: list[str] | None = None


def _named_queries() -> list[tuple[str, str]]:
    from graph import queries

    return [(n, queries.load(n).text) for n in queries.names() if ONLY is None or n in ONLY]


def phase_direct(a: dict[str, Any]) -> dict[str, Any]:
    """Named queries through pyoxigraph directly: query, read, JSON (pyoxigraph's own writer).
    Prints one JSON line per query as it finishes (the caller's watchdog bounds each)."""
    from graph.store import Store

    store = Store(Path(a["store"]), read_only=True)
    for name, text in _named_queries():
        if a.get("only") is not None and name not in a["only"]:
            continue
        ms: list[float] = []
        rows = None
        body: bytes | None = b""
        deadline = time.perf_counter() + a["budget_s"]
        for i in range(a["reps"] + 1):
            t = time.perf_counter()
            body = _direct_answer(store, text)
            dt = (time.perf_counter() - t) * 1000
            print(json.dumps({"heartbeat": name}), flush=True)
            if rows is None:
                rows = _rows(body)
            if i == 0 and dt < a["budget_s"] * 1000 and a["reps"] > 0:
                continue  # the first run warms the caches
            ms.append(dt)
            if time.perf_counter() > deadline or dt > a["budget_s"] * 1000:
                break
        print(json.dumps({"query": name, **_stats(ms), "rows": rows, "bytes": len(body or b"")}), flush=True)
    return {"done": True, **_peak_mb()}


def _direct_answer(store: Any, text: str) -> bytes | None:
    """A named query through pyoxigraph directly: query, read, JSON (pyoxigraph's own writer;
    Turtle for CONSTRUCT)."""
    import pyoxigraph as ox

    r = store.query(text)
    if isinstance(r, (ox.QuerySolutions, ox.QueryBoolean)):
        return r.serialize(format=ox.QueryResultsFormat.JSON)
    return ox.serialize(list(r), format=ox.RdfFormat.TURTLE)


def _rows(body: bytes | None) -> int | None:
    try:
        doc = json.loads(body or b"")
        return len(doc["results"]["bindings"]) if "results" in doc else 1
    except (ValueError, KeyError, TypeError):
        return None


def phase_http(a: dict[str, Any]) -> dict[str, Any]:
    """Named queries through a SPARQL endpoint over HTTP (POST form, JSON results); one JSON
    line per query as it finishes."""
    import httpx

    # With "store": each repetition also runs the query on the same store in this process just
    # before the request (pyoxigraph directly, read and written as JSON), so that both figures
    # see the machine in the same state (this VM's speed drifts by up to 2x within minutes).
    store = None
    if a.get("store"):
        from graph.store import Store

        store = Store(Path(a["store"]), read_only=True)
    with httpx.Client(timeout=a["timeout_s"]) as client:
        for name, text in _named_queries():
            if a.get("only") is not None and name not in a["only"]:
                continue
            ms: list[float] = []
            direct: list[float] = []
            rows = None
            error = None
            deadline = time.perf_counter() + a["budget_s"]
            for i in range(a["reps"] + 1):
                if store is not None:
                    t = time.perf_counter()
                    _direct_answer(store, text)
                    if i > 0 or a["reps"] == 0:
                        direct.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                try:
                    r = client.post(a["url"], data={"query": text},
                                    headers={"Accept": "application/sparql-results+json"})
                except httpx.TimeoutException:
                    print(json.dumps({"query": name, "error": f"no answer within {a['timeout_s']:.0f} s",
                                      "timeout": True}), flush=True)
                    sys.exit(3)  # the server is still busy with it: the caller restarts it
                dt = (time.perf_counter() - t) * 1000
                print(json.dumps({"heartbeat": name}), flush=True)
                if r.status_code != 200:
                    error = f"HTTP {r.status_code}: {r.content[:160].decode(errors='replace')}"
                    break
                if rows is None:
                    rows = _rows(r.content)
                if i == 0 and dt < a["budget_s"] * 1000 and a["reps"] > 0:
                    continue  # the first run warms the caches
                ms.append(dt)
                # past the budget, stop once there are enough pairs to compare (with one pair
                # a query of a few seconds measured this VM's drift as much as the endpoint:
                # 20 and 22 of 23 in two runs of the same code); slower than long_s: one pair
                enough = len(ms) >= a.get("min_samples", 1) or dt > a.get("long_s", 15) * 1000
                if enough and (time.perf_counter() > deadline or dt > a["budget_s"] * 1000):
                    break
            line = {"query": name, "error": error} if error else {"query": name, **_stats(ms), "rows": rows}
            if direct and not error:
                line["direct"] = _stats(direct)
            print(json.dumps(line), flush=True)
    return {"done": True, **_peak_mb()}


def phase_dump(a: dict[str, Any]) -> dict[str, Any]:
    """The store as N-Quads (for rdflib-endpoint)."""
    from graph.store import Store

    store = Store(Path(a["store"]), read_only=True)
    t = time.perf_counter()
    with open(a["out"], "wb") as fh:
        store.dump(fh)
    return {"seconds": time.perf_counter() - t, "bytes": Path(a["out"]).stat().st_size}


def serve_reformkg(store: str, port: int) -> None:
    """``/sparql`` of the reformkg app on a read-only store (the bench's server process)."""
    import uvicorn

    from api.app import create_app
    from api.settings import Settings
    from graph.store import Store

    settings = Settings(store=Path(store), port=port, max_rows=10_000_000, query_timeout=600.0)
    app = create_app(settings, Store(Path(store), read_only=True))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


PHASES = {"stages": phase_stages, "writefloor": phase_writefloor, "ingest": phase_ingest,
          "fastcheck": phase_fastcheck, "pyshacl": phase_pyshacl, "perdoc": phase_perdoc, "project": phase_project,
          "direct": phase_direct, "http": phase_http, "dump": phase_dump}


def _slice(corpus: str, skip: int, count: int) -> list[str]:
    out = []
    with open(corpus, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i < skip:
                continue
            if len(out) >= count:
                break
            out.append(line)
    return out


def _write_slice(corpus: Path, skip: int, count: int, dest: Path) -> Path:
    dest.write_text("".join(_slice(str(corpus), skip, count)), encoding="utf-8")
    return dest


# ================================================================================================
# Servers
# ================================================================================================


class Server:
    """A server subprocess on a loopback port; stopped by its pid."""

    def __init__(self, cmd: list[str], url: str, probe: str, ready_timeout: float, env: dict[str, str] | None = None):
        self.url = url
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env={**os.environ, **(env or {})}, start_new_session=True)
        import httpx

        deadline = time.perf_counter() + ready_timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()[-2000:] if self.proc.stderr else ''}")
            try:
                r = httpx.post(probe, data={"query": "ASK {}"}, timeout=5)
                if r.status_code < 500:
                    self.ready_s = time.perf_counter() - self.t0
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"server not ready within {ready_timeout} s: {cmd}")

    def hwm_mb(self) -> float | None:
        """Peak resident memory of the server process plus its query workers (sum of peaks)."""
        pids = [self.proc.pid] + _descendants(self.proc.pid)
        peaks = [m for m in (_hwm_mb(p) for p in pids) if m is not None]
        return sum(peaks) if peaks else None

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def reformkg_server(store: Path) -> Server:
    port = _free_port()
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(BENCH)!r}); "
            f"import run; run.serve_reformkg({str(store)!r}, {port})")
    url = f"http://127.0.0.1:{port}/sparql"
    return Server([PY, "-c", code], url, url, 120)


def rdflib_server(python: str, nquads: Path, timeout: float) -> Server:
    port = _free_port()
    code = ("import sys, uvicorn; from rdflib import Dataset; from rdflib_endpoint import SparqlEndpoint; "
            "g = Dataset(default_union=True); g.parse(sys.argv[1], format='nquads'); "
            "uvicorn.run(SparqlEndpoint(graph=g), host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')")
    url = f"http://127.0.0.1:{port}/"
    return Server([python, "-c", code, str(nquads), str(port)], url, url, timeout)


# ================================================================================================
# The run
# ================================================================================================


def environment() -> dict[str, Any]:
    from importlib.metadata import version

    mem = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        k, v = line.split(":", 1)
        if k in ("MemTotal", "MemAvailable"):
            mem[k] = f"{int(v.split()[0]) / 1024 / 1024:.1f} GiB"
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "nproc": os.cpu_count(),
        "cpu": cpu, "memory": mem, "free_h": free, "python": platform.python_version(),
        "platform": platform.platform(), "loadavg_start": os.getloadavg(),
        "packages": {p: version(p) for p in ("pyoxigraph", "rdflib", "pyshacl", "fastapi", "uvicorn",
                                             "networkx", "httpx")},
    }


def run(a: argparse.Namespace) -> dict[str, Any]:
    quick = a.quick
    work = Path(a.workdir) / ("reformkg-bench-quick" if quick else "reformkg-bench")
    if work.exists() and not a.reuse_corpus:
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {"mode": "quick" if quick else "full", "env": environment(), "args": vars(a)}
    jobs_all = os.cpu_count() or 1

    # -- corpus -----------------------------------------------------------------------------------
    n_docs = 70 if quick else (7700 if not a.no_10m else 1100)
    corpus = work / "corpus.jsonl"
    if not corpus.exists():
        t = time.perf_counter()
        subprocess.run([PY, str(BENCH / "generate.py"), "-n", str(n_docs), "--seed", str(a.seed), "-o", str(corpus),
                        "--gold", str(work / "gold.jsonl")], check=True, cwd=ROOT)
        res["generate"] = {"docs": n_docs, "seconds": time.perf_counter() - t,
                           "mb": corpus.stat().st_size / 1e6}
        _log(f"corpus: {n_docs} documents, {corpus.stat().st_size / 1e6:.1f} MB")

    # -- stages of one document -------------------------------------------------------------------
    if not a.skip_ingest:
        _log("stages")
        res["stages"] = _phase("stages", corpus=str(corpus), skip=n_docs - 30, count=5 if quick else 30,
                               store=str(work / "stages-store"))
        shutil.rmtree(work / "stages-store", ignore_errors=True)
        _log("store write alone")
        res["writefloor"] = _phase("writefloor", corpus=str(corpus), skip=0, count=20 if quick else 300,
                                   store=str(work / "writefloor-store"))

    # -- ingest end to end at three sizes, one process and all cores ------------------------------
    sizes = [4, 8, 16] if quick else [50, 150, 450]
    res["ingest"] = []
    # as `reformkg ingest` writes (the bulk loader from BULK_MIN documents), and the largest size
    # again with one transaction a source (`--no-bulk`)
    runs = [(jobs, n, None) for jobs in (1, jobs_all)
            for n in (sizes if not quick or jobs == 1 else sizes[-1:])]
    runs += [(jobs, sizes[-1], False) for jobs in (1, jobs_all)]
    for jobs, n, bulk in runs if not a.skip_ingest else ():
        _log(f"ingest {n} documents, {jobs} process(es){'' if bulk is None else ', --no-bulk'}")
        sl = _write_slice(corpus, 0, n, work / f"slice-{n}.jsonl")
        st = work / f"ingest-{jobs}-{n}"
        r = _phase("ingest", slice=str(sl), store=str(st), jobs=jobs, validate=True, bulk=bulk)
        r["disk_mb"] = _dir_bytes(st) / 1e6
        r["size"] = n
        res["ingest"].append(r)
        shutil.rmtree(st, ignore_errors=True)

    # -- the big store, grown through three checkpoints -------------------------------------------
    store = work / "store"
    if quick:
        checkpoints = [("~8k", 6), ("~16k", 12), ("~32k", 24)]
        http_at = {"~32k"}
        pyshacl_at = "~32k"
        rdflib_at = "~32k"
    else:
        checkpoints = [("0.1M", 75), ("0.3M", 220), ("1M", 740)] + ([] if a.no_10m else [("10M", 7400)])
        http_at = {"1M", "10M"}
        pyshacl_at = "1M"
        rdflib_at = "1M"
    spare = n_docs - 30  # documents after this are for per-document checks and stages
    done = 0
    if a.reuse_corpus and store.exists():  # the first documents of the corpus, in order
        from graph.store import Store

        st = Store(store, read_only=True)
        done = len(st.sources())
        st.close()
        _log(f"reusing {store} ({done} documents)")
    wanted = set(a.stores.split(",")) if a.stores else None
    res["stores"] = {}
    last_wanted = max((i for i, (lab, _) in enumerate(checkpoints) if wanted is None or lab in wanted),
                      default=-1)
    for i, (label, upto) in enumerate(checkpoints):
        upto = min(upto, spare)
        if i > last_wanted:
            break  # nothing more to measure: do not grow the store further
        if wanted is not None and label not in wanted:
            if upto > done:
                _log(f"store {label}: ingest documents {done}..{upto} (not measured)")
                sl = _write_slice(corpus, done, upto - done, work / "slice-store.jsonl")
                _phase("ingest", slice=str(sl), store=str(store), jobs=jobs_all, validate=True, bulk=None)
                done = upto
            continue
        if upto > done:
            _log(f"store {label}: ingest documents {done}..{upto} on {jobs_all} cores")
            sl = _write_slice(corpus, done, upto - done, work / "slice-store.jsonl")
            ing = _phase("ingest", slice=str(sl), store=str(store), jobs=jobs_all, validate=True, bulk=None)
            done = upto
        else:
            ing = None
        cp: dict[str, Any] = {"ingest": ing, "docs": done, "disk_mb": _dir_bytes(store) / 1e6}
        res["stores"][label] = cp
        if a.rdflib_only:
            from graph.store import Store

            st = Store(store, read_only=True)
            cp["quads"] = st.quad_count()
            st.close()
            _log(f"store {label}: rdflib-endpoint only")
            cp["rdflib_endpoint"] = _rdflib_endpoint(a.rdflib_python, store, work, quick, a.rdflib_timeout)
            (RESULTS / "partial.json").write_text(json.dumps(res, indent=1, default=str))
            continue
        _log(f"store {label}: per-document check")
        cp["perdoc"] = _phase("perdoc", corpus=str(corpus), skip=spare, count=16, store=str(store))
        if quick:
            cp["perdoc"]["note"] = "16 documents"
        cp["quads"] = cp["perdoc"]["quads_in_store"]
        _log(f"store {label}: {cp['quads']} quads; whole-graph fast check")
        findings_fast = work / f"fast-{label}.json"
        cp["fastcheck"] = _fastcheck_watched(store, findings_fast, a.validate_timeout)
        _log(f"store {label}: projection")
        cp["project"] = _phase("project", timeout=a.query_timeout * 2, store=str(store), reps=2)
        _log(f"store {label}: named queries through pyoxigraph")
        reps = 3 if quick else 5
        budget = 1 if quick else 10
        per_query = a.query_timeout
        names = [n for n, _ in _named_queries()]
        cp["direct"] = {"queries": _phase_lines("direct", per_query, names, store=str(store),
                                                reps=reps, budget_s=budget)}
        cp["direct"]["queries"].pop("_phase", None)
        if label in http_at:
            _log(f"store {label}: named queries through /sparql")
            box = {"srv": reformkg_server(store)}

            def restart(box: dict[str, Any] = box) -> dict[str, Any]:
                box["hwm"] = max(box.get("hwm") or 0, box["srv"].hwm_mb() or 0)
                box["srv"].stop()
                box["srv"] = reformkg_server(store)
                return {"url": box["srv"].url}

            try:
                cp["server_ready_s"] = box["srv"].ready_s
                cp["http"] = {"queries": _phase_lines("http", 2 * per_query + 30, names, restart=restart,
                                                      url=box["srv"].url, reps=reps, budget_s=budget,
                                                      timeout_s=per_query, store=str(store),
                                                      min_samples=2 if quick else 3)}
                cp["http"]["queries"].pop("_phase", None)
                cp["server_hwm_mb"] = max(box.get("hwm") or 0, box["srv"].hwm_mb() or 0)
            finally:
                box["srv"].stop()
        (RESULTS / "partial.json").parent.mkdir(exist_ok=True)
        (RESULTS / "partial.json").write_text(json.dumps(res, indent=1, default=str))
        if label == pyshacl_at and (a.pyshacl if quick else not a.no_pyshacl):
            _log(f"store {label}: pySHACL on the whole graph (once)")
            findings_py = work / f"pyshacl-{label}.json"
            cp["pyshacl"] = _phase("pyshacl", timeout=2 * a.validate_timeout, store=str(store),
                                   findings_out=str(findings_py))
            if findings_fast.exists() and findings_py.exists():
                cp["same_findings"] = _compare(findings_fast, findings_py,
                                               cp["fastcheck"].get("excluded", []))
        if label == rdflib_at and (a.rdflib if quick else not a.no_rdflib):
            python = a.rdflib_python
            if Path(python).exists():
                _log(f"store {label}: rdflib-endpoint")
                cp["rdflib_endpoint"] = _rdflib_endpoint(python, store, work, quick, a.rdflib_timeout)
            else:
                cp["rdflib_endpoint"] = {"skipped": f"{python} not found (pip install rdflib-endpoint "
                                                    "into a separate venv, see bench/README.md)"}
        (RESULTS / "partial.json").parent.mkdir(exist_ok=True)
        (RESULTS / "partial.json").write_text(json.dumps(res, indent=1, default=str))
    res["env"]["loadavg_end"] = os.getloadavg()
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return res


def _compare(fast: Path, py: Path, excluded: list[str]) -> dict[str, Any]:
    """Same findings? Exactly, and up to computed decimals (see graph/fastcheck.py); shapes the
    fast check did not finish are left out of both."""
    import re
    from decimal import Decimal

    a = [tuple(x) for x in json.loads(fast.read_text())]
    b = [tuple(x) for x in json.loads(py.read_text()) if x[6] not in excluded]

    def rounded(m: str) -> str:
        return re.sub(r"-?\d+\.\d+", lambda g: format(Decimal(g.group()).quantize(
            Decimal(1).scaleb(Decimal(g.group()).adjusted() - 11)).normalize(), "f"), m)

    def loose(x: tuple[Any, ...]) -> tuple[Any, ...]:
        return (*x[:4], rounded(x[4]), *x[5:])

    exact = sorted(map(str, a)) == sorted(map(str, b))
    up_to = sorted(map(str, map(loose, a))) == sorted(map(str, map(loose, b)))
    only_fast = len(set(map(loose, a)) - set(map(loose, b)))
    only_py = len(set(map(loose, b)) - set(map(loose, a)))
    return {"fast": len(a), "pyshacl": len(b), "excluded": excluded, "exact": exact,
            "up_to_computed_decimals": up_to,
            "only_fast": only_fast, "only_pyshacl": only_py,
            "differ_in_message_digits": sum(1 for x, y in zip(sorted(a), sorted(b)) if x != y and loose(x) == loose(y))}


def _rdflib_endpoint(python: str, store: Path, work: Path, quick: bool, timeout: float) -> dict[str, Any]:
    """The named queries through rdflib-endpoint on the same quads; a query that does not answer
    within ``timeout`` seconds is recorded as such and the server is restarted."""
    nq = work / "store.nq"
    dump = _phase("dump", store=str(store), out=str(nq))
    out: dict[str, Any] = {"dump": dump, "restarts": 0}
    box = {"srv": rdflib_server(python, nq, 1800)}
    out["ready_s"] = box["srv"].ready_s

    def restart() -> dict[str, Any]:
        out["hwm_mb"] = max(out.get("hwm_mb") or 0, box["srv"].hwm_mb() or 0)
        box["srv"].stop()
        out["restarts"] += 1
        box["srv"] = rdflib_server(python, nq, 1800)
        return {"url": box["srv"].url}

    names = [n for n, _ in _named_queries()]
    reps = 1 if quick else 2
    try:
        q = _phase_lines("http", timeout + 30, names, restart=restart, url=box["srv"].url, reps=reps,
                         budget_s=timeout, timeout_s=timeout)
        q.pop("_phase", None)
        out["queries"] = q
        out["hwm_mb"] = max(out.get("hwm_mb") or 0, box["srv"].hwm_mb() or 0)
    finally:
        box["srv"].stop()
        nq.unlink(missing_ok=True)
    return out


# ================================================================================================
# The table
# ================================================================================================


def _paired(dq: dict[str, Any], hq: dict[str, Any]) -> float:
    """The direct p50 a /sparql p50 is compared with: the runs interleaved with the requests
    when the http phase made them, else the direct phase's."""
    paired = (hq.get("direct") or {}).get("p50_ms")
    return float(paired if paired is not None else dq["p50_ms"])


def table(res: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    env = res["env"]
    add(f"reformkg benchmark ({res['mode']}) — {env['date']} — {env['nproc']} cores, {env['cpu']}, "
        f"{env['memory'].get('MemTotal')} — Python {env['python']}, pyoxigraph {env['packages']['pyoxigraph']}, "
        f"rdflib {env['packages']['rdflib']}, pyshacl {env['packages']['pyshacl']} — load "
        f"{env['loadavg_start'][0]:.1f} → {env.get('loadavg_end', [float('nan')])[0]:.1f}")
    s = res.get("stages")
    if s:
        add("")
        add(f"One document (single process; {s['docs']} generated reports, {s['bytes_per_doc'] / 1000:.1f} KB, "
            f"{s['quads_per_doc']:.0f} quads each)")
        add("  stage        ms/doc    p95")
        for k, v in s["ms_per_doc"].items():
            add(f"  {k:<10} {v:8.2f} {s['p95_ms'][k]:7.2f}")
        add(f"  {'total':<10} {s['total_ms_per_doc']:8.2f}   → {1000 / s['total_ms_per_doc']:.0f} docs/s per core")
    w = res.get("writefloor")
    if w:
        add("")
        add(f"Store write alone ({w['docs']} reports, {w['quads']:,} quads; CPU of the process and its threads)")
        add("  how                                          µs/quad   ms/doc   docs per CPU s")
        for key, label in (("disk_bulk_ours", "bulk loader, new on-disk store, report quads"),
                           ("disk_bulk_synthetic", "bulk loader, new on-disk store, short quads"),
                           ("memory_extend_ours", "in-memory store (extend), report quads")):
            r = w[key]
            add(f"  {label:<44} {r['us_per_quad']:7.1f} {r['ms_per_doc']:8.1f} {r['docs_per_cpu_s']:16.0f}")
        add(f"  300 docs/s per core leaves 3.3 ms a document: at the on-disk rate of short quads that is "
            f"{w['disk_bulk_synthetic']['max_quads_per_doc_at_300']:.0f} quads, with nothing left for "
            f"extraction or the check")
    if res["ingest"]:
        add("")
        add("Ingest end to end (api.loader.ingest_paths, validate=True, fresh on-disk store)")
        add("  docs  jobs  write         wall s   docs/s   quads/s    CPU s   docs per CPU s   "
            "peak MB (largest process / all)   compaction s (in wall)")
    for r in res["ingest"]:
        cpu = r.get("cpu_s") or 0.0
        write = "bulk loader" if r["bulk"] else "1 tx/source"
        add(f"  {r['size']:4}  {r['jobs']:4}  {write:<11} {r['wall_s']:8.1f} {r['docs_per_s']:8.1f} "
            f"{r['quads_per_s']:9.0f} {cpu:8.1f} {r['docs'] / cpu if cpu else 0:16.1f}   "
            f"{r['tree_max_process_mb']:.0f} / {r['tree_max_total_mb']:.0f}"
            + (f"   {r['compacted_s']:.1f}" if r.get("compacted_s") is not None else ""))
    for label, cp in res["stores"].items():
        add("")
        ing = cp.get("ingest") or {}
        add(f"Store {label}: {cp['quads']:,} quads, {cp['docs']} documents, {cp['disk_mb']:.0f} MB on disk")
        if ing:
            add(f"  ingest of {ing['docs']} docs on {ing['jobs']} cores: {ing['docs_per_s']:.1f} docs/s, "
                f"{ing['quads_per_s']:,.0f} quads/s (bulk loader: {ing['bulk']}), peak MB largest process "
                f"{ing['tree_max_process_mb']:.0f} / all processes {ing['tree_max_total_mb']:.0f}")
        if "perdoc" not in cp:  # --rdflib-only
            for name, r_ in (cp.get("rdflib_endpoint") or {}).get("queries", {}).items():
                add(f"  rdflib-endpoint {name:<28} " + (f"{r_['p50_ms']:12.1f} ms" if r_.get("p50_ms")
                                                     is not None else (r_.get("error") or "n/a")))
            continue
        pd = cp["perdoc"]
        if "before_write" in pd:
            add(f"  SHACL fast, one new document as ingest checks it (before the write): "
                f"p50 {pd['before_write']['p50_ms']:.1f} ms, p95 {pd['before_write']['p95_ms']:.1f} ms")
        add(f"  SHACL fast, one stored document (read back from disk): p50 {pd['one_doc']['p50_ms']:.1f} ms, "
            f"p95 {pd['one_doc']['p95_ms']:.1f} ms; in batches of 16: "
            f"{pd['per_doc_in_batches_of_16']['p50_ms']:.1f} ms/doc")
        fc = cp["fastcheck"]
        add(f"  SHACL fast, whole graph: {fc['seconds']:.2f} s ({fc['violations']} violations, {fc['warnings']} "
            f"warnings), peak {fc['self_mb']:.0f} MB; slowest: " + ", ".join(
                f"{k} {v:.1f} s" for k, v in sorted(fc["by_shape_s"].items(), key=lambda x: -x[1])[:2]))
        for shape, why in fc.get("unfinished", {}).items():
            add(f"    {shape}: {why} (left out)")
        if "pyshacl" in cp:
            py = cp["pyshacl"]
            if "error" in py:
                add(f"  pySHACL, whole graph: {py['error']}")
            else:
                same = cp.get("same_findings") or {}
                add(f"  pySHACL, whole graph: {py['seconds']:.1f} s, peak {py['self_mb']:.0f} MB; same findings: "
                    f"exact={same.get('exact')}, up to computed decimals={same.get('up_to_computed_decimals')} "
                    f"({same.get('fast')} vs {same.get('pyshacl')})")
        pr = cp["project"]
        if "error" in pr:
            add(f"  system-network projection: {pr['error']}")
        else:
            add(f"  system-network projection: {pr['projection']['p50_ms']:.0f} ms ({pr['nodes']} nodes, "
                f"{pr['edges']} edges); measures {pr['measures']['p50_ms']:.0f} ms")
        d = cp["direct"]["queries"]
        h = (cp.get("http") or {}).get("queries", {})
        rq = (cp.get("rdflib_endpoint") or {}).get("queries", {})
        add("  query                         rows   direct p50/p95 ms   /sparql p50/p95 ms   ratio  "
            "+ms    rdflib-ep p50 ms   speed-up")
        for name, dq in d.items():
            hq = h.get(name, {})
            if dq.get("p50_ms") is None:
                add(f"  {name:<28} {'-':>6}   {dq.get('error', '')[:40]}")
                continue
            row = f"  {name:<28} {dq['rows'] if dq['rows'] is not None else '-':>6} {dq['p50_ms']:9.1f} {dq['p95_ms']:8.1f}"
            if hq.get("p50_ms") is not None:
                base = _paired(dq, hq)
                row += (f" {hq['p50_ms']:10.1f} {hq['p95_ms']:8.1f}  {hq['p50_ms'] / base:6.2f} "
                        f"{hq['p50_ms'] - base:5.1f}" + ("*" if base != dq["p50_ms"] else ""))
            elif hq:
                row += f"   {hq.get('error', '')[:30]}"
            if name in rq:
                r_ = rq[name]
                if r_.get("p50_ms") is not None and hq.get("p50_ms"):
                    row += f"   {r_['p50_ms']:12.1f}   {r_['p50_ms'] / hq['p50_ms']:7.1f}x"
                else:
                    row += f"   {(r_.get('error') or 'n/a')[:34]}"
            add(row)
        if h:
            ok = [(n, d[n], h[n]) for n in d
                  if h.get(n, {}).get("p50_ms") is not None and d[n].get("p50_ms") is not None]
            within = sum(1 for _, dq, hq in ok if hq["p50_ms"] <= 1.3 * _paired(dq, hq) + 2)
            add("  (* ratio against the direct run interleaved with the /sparql runs)")
            add(f"  /sparql within 1.3x + 2 ms of direct (p50): {within}/{len(ok)}; server peak "
                f"{cp.get('server_hwm_mb') or float('nan'):.0f} MB")
        if rq:
            sp = [rq[n]["p50_ms"] / h[n]["p50_ms"] for n in rq
                  if rq[n].get("p50_ms") is not None and h.get(n, {}).get("p50_ms")]
            dnf = [n for n in rq if rq[n].get("p50_ms") is None]
            if sp:
                add(f"  vs rdflib-endpoint: median {statistics.median(sp):.1f}x, min {min(sp):.1f}x over {len(sp)} "
                    f"queries; {len(dnf)} without an answer within the bound; rdflib-endpoint load "
                    f"{cp['rdflib_endpoint'].get('ready_s', float('nan')):.0f} s, peak "
                    f"{cp['rdflib_endpoint'].get('hwm_mb') or float('nan'):.0f} MB")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="about a minute")
    ap.add_argument("--no-10m", action="store_true", help="full mode without the 10M-triple store")
    ap.add_argument("--no-pyshacl", action="store_true", help="full mode without pySHACL on the whole graph")
    ap.add_argument("--no-rdflib", action="store_true", help="full mode without rdflib-endpoint")
    ap.add_argument("--pyshacl", action="store_true", help="quick mode with pySHACL on the whole graph")
    ap.add_argument("--rdflib", action="store_true", help="quick mode with rdflib-endpoint")
    ap.add_argument("--validate-timeout", type=float, default=600.0,
                    help="seconds one query of the whole-graph fast check (or pySHACL, twice that) may "
                         "take before it is reported as unfinished")
    ap.add_argument("--workdir", default="/tmp")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the corpus and stores")
    ap.add_argument("--reuse-corpus", action="store_true",
                    help="keep a corpus already in the work directory, and the store grown from it")
    ap.add_argument("--stores", help="measure only these store sizes (e.g. 10M or 1M,10M); the store "
                                     "still grows through the others")
    ap.add_argument("--rdflib-only", action="store_true",
                    help="for the stores measured, only rdflib-endpoint (its figures are compared with "
                         "those of a run without it on the same stores)")
    ap.add_argument("--skip-ingest", action="store_true",
                    help="leave out the stages of one document and the ingest at three sizes")
    ap.add_argument("--rdflib-python", default="/tmp/rdflib-endpoint-venv/bin/python")
    ap.add_argument("--rdflib-timeout", type=float, default=None,
                    help="seconds one rdflib-endpoint query may take (default 10 quick, 60 full)")
    ap.add_argument("--query-timeout", type=float, default=None,
                    help="seconds one run of a named query may take (default 10 quick, 120 full)")
    ap.add_argument("--queries", help="measure only these named queries (comma-separated), through "
                    "pyoxigraph, /sparql and rdflib-endpoint")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--args", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.queries:
        global ONLY
        from graph import queries

        ONLY = [q.strip() for q in a.queries.split(",") if q.strip()]
        unknown = sorted(set(ONLY) - set(queries.names()))
        if unknown:
            ap.error(f"--queries: no named query {', '.join(unknown)} (see `reformkg query --list`)")
    if a.phase:
        print(json.dumps(PHASES[a.phase](json.loads(a.args)), default=str))
        return
    if a.query_timeout is None:
        a.query_timeout = 10.0 if a.quick else 120.0
    if a.rdflib_timeout is None:
        a.rdflib_timeout = 10.0 if a.quick else 60.0
    res = run(a)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{res['mode']}-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(res, indent=1, default=str))
    text = table(res)
    res["table"] = text
    out.write_text(json.dumps(res, indent=1, default=str))
    print(text)
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
