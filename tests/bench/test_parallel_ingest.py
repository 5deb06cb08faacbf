"""Parallel and bulk ingest (api.loader) of generated reports give the graph a single process
gives, skip unchanged sources, and check each source with the fast SHACL path."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from api.loader import ingest_paths
from graph.fastcheck import check
from graph.store import Store
from tests.bench.test_generate import generate

RUN = "https://w3id.org/reformkg/id/run/"


def _corpus(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for r in generate.generate(n, seed=21, error_rate=0.3):
            fh.write(json.dumps(generate.record(r), ensure_ascii=False) + "\n")
        fh.write("not json\n")  # a bad record is reported by line and the rest goes on
    return path


def _content(store: Store) -> set[str]:
    """The quads, without the ingest runs' start times and blank-node labels."""
    out = set()
    for q in store.quads():
        if (
            q.subject.value.startswith(RUN)
            or isinstance(q.subject, ox.BlankNode)
            or isinstance(q.object, ox.BlankNode)
        ):
            continue
        out.add(str(q))
    return out


def test_parallel_and_bulk_ingest_equal_one_process(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 12)
    one, two, bulk = (Store(tmp_path / name) for name in ("one", "two", "bulk"))
    s1 = ingest_paths(one, [corpus], jobs=1, validate=True)
    s2 = ingest_paths(two, [corpus], jobs=2, validate=True)
    s3 = ingest_paths(bulk, [corpus], jobs=2, bulk=True)
    assert (s1.documents, s2.documents, s3.documents) == (12, 12, 12)
    assert s3.bulk and not s1.bulk
    for s in (s1, s2, s3):
        assert len(s.failures) == 1 and "corpus.jsonl:13" in s.failures[0][1]
    assert _content(one) == _content(two) == _content(bulk)
    # each source was checked alone, as check(store, sources=[it]) does
    assert (s1.violations, s1.warnings) == (s2.violations, s2.warnings)
    alone = [check(one, sources=[src]) for src in one.sources()]
    assert s1.warnings == sum(r.warnings for r in alone)
    assert s1.violations == sum(r.violations for r in alone)
    # the same corpus again changes nothing, whatever the number of workers
    again = ingest_paths(two, [corpus], jobs=2)
    assert (again.documents, again.unchanged) == (0, 12)
    assert _content(two) == _content(one)
    for st in (one, two, bulk):
        st.close()


def test_a_source_cut_short_by_the_bulk_loader_is_ingested_again(tmp_path: Path) -> None:
    """Bulk-loaded sources are marked complete only after their data: without the marker (an
    interrupted bulk load) the next run replaces the source whole."""
    corpus = _corpus(tmp_path, 4)
    store = Store(tmp_path / "store")
    ingest_paths(store, [corpus], jobs=1, bulk=True)
    victim = store.sources()[0]
    marker = ox.NamedNode("http://www.w3.org/ns/prov#wasGeneratedBy")
    for q in list(
        store._ox.quads_for_pattern(ox.NamedNode(victim), marker, None, ox.NamedNode(victim))
    ):
        store._ox.remove(q)
    before = _content(store)
    again = ingest_paths(store, [corpus], jobs=1)
    assert (again.documents, again.unchanged) == (1, 3)
    assert before < _content(store)
    store.close()


def test_bulk_loads_run_beside_the_workers_and_give_the_same_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With small batches, several bulk loads run in their thread while the workers' results
    are still being collected; the graph is the one a single process writes."""
    from api import loader

    monkeypatch.setattr(loader, "BULK_BATCH_QUADS", 3000)  # a load every two or three sources
    threads: list[str] = []
    real = Store.bulk_add_graphs

    def recorded(self: Store, nquads: bytes) -> None:
        threads.append(threading.current_thread().name)
        real(self, nquads)

    monkeypatch.setattr(Store, "bulk_add_graphs", recorded)
    corpus = _corpus(tmp_path, 12)
    one, bulk = Store(tmp_path / "one"), Store(tmp_path / "bulk")
    ingest_paths(one, [corpus], jobs=1)
    summary = ingest_paths(bulk, [corpus], jobs=2, bulk=True)
    assert summary.bulk and summary.documents == 12
    assert len(threads) >= 4 and set(threads) == {"reformkg-bulk-load"}
    assert _content(bulk) == _content(one)
    assert not bulk.recover_staged()  # every journal was cleared
    one.close()
    bulk.close()


def test_a_failed_bulk_load_stops_the_run_and_leaves_its_sources_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error in the bulk load's thread is raised in the run; the sources of that batch are
    dropped when the store is next opened for writing, and the next run writes them."""
    from api import loader
    from graph.errors import StoreError

    monkeypatch.setattr(loader, "BULK_BATCH_QUADS", 3000)
    real = Store.bulk_add_graphs
    calls = []

    def fails_second(self: Store, nquads: bytes) -> None:
        calls.append(1)
        if len(calls) == 2:
            real(self, nquads[: len(nquads) // 2].rsplit(b"\n", 1)[0] + b"\n")  # half, then fails
            raise StoreError("store: bulk load failed: disk full")
        real(self, nquads)

    monkeypatch.setattr(Store, "bulk_add_graphs", fails_second)
    corpus = _corpus(tmp_path, 12)
    store = Store(tmp_path / "store")
    with pytest.raises(StoreError, match="disk full"):
        ingest_paths(store, [corpus], jobs=1, bulk=True)
    store.close()
    monkeypatch.setattr(Store, "bulk_add_graphs", real)
    store = Store(tmp_path / "store")
    assert store.recovered  # the failed batch's sources, half written, were dropped
    kept = set(store.sources())
    assert kept and not kept & set(store.recovered)
    again = ingest_paths(store, [corpus], jobs=1)
    assert again.documents == 12 - len(kept)
    one = Store(tmp_path / "one")
    ingest_paths(one, [corpus], jobs=1)
    assert _content(store) == _content(one)
    store.close()
    one.close()


def test_progress_moves_once_a_document_on_either_write_path(tmp_path: Path) -> None:
    """The progress wrapper sees one step for every record (written, gathered for the bulk
    loader, or failed), as the documents are done, not in a burst when a bulk batch lands; the
    bulk loader's last batch is in the store when the run returns."""
    corpus = _corpus(tmp_path, 12)
    for bulk in (False, True):
        store = Store(tmp_path / f"store-{bulk}")
        stored_at_step: list[int] = []

        def progress(items, total, seen=stored_at_step, store=store):  # type: ignore[no-untyped-def]
            assert total == 13
            for item in items:
                yield item
                seen.append(len(store.sources()))

        summary = ingest_paths(store, [corpus], progress, jobs=1, bulk=bulk)
        assert summary.bulk is bulk
        assert len(stored_at_step) == 13
        if bulk:  # the 12 documents were counted while gathered: none stored yet
            assert stored_at_step.count(0) >= 12
        else:  # each document's step after its transaction (the bad record's step stores none)
            assert [n for n in stored_at_step if n] == list(range(1, 13))
        assert len(store.sources()) == 12
        store.close()


def test_forced_bulk_into_a_store_holding_some_sources_replaces_the_changed_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--bulk on a store that holds some of the sources: new ones go through the bulk loader
    (loads in flight), a changed one replaces its graph after the load in flight has finished,
    unchanged ones are skipped; the graph is the one a single process writes."""
    from api import loader

    monkeypatch.setattr(loader, "BULK_BATCH_QUADS", 3000)
    corpus = _corpus(tmp_path, 12)
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    first = tmp_path / "first.jsonl"
    first.write_text("".join(lines[:6]), encoding="utf-8")
    record = json.loads(lines[2])
    record["text"] += "\nTỉnh đã tiếp nhận 12.345 hồ sơ trực tuyến."  # a changed source
    lines[2] = json.dumps(record, ensure_ascii=False) + "\n"
    changed = tmp_path / "changed.jsonl"
    changed.write_text("".join(lines), encoding="utf-8")

    store = Store(tmp_path / "store")
    ingest_paths(store, [first], jobs=1, bulk=True)
    again = ingest_paths(store, [changed], jobs=2, bulk=True)
    assert again.bulk
    assert (again.documents, again.unchanged) == (7, 5)  # 6 new, 1 changed; 5 as they were
    one = Store(tmp_path / "one")
    ingest_paths(one, [changed], jobs=1, bulk=False)
    assert _content(store) == _content(one)
    store.close()
    one.close()


def test_the_forkserver_warm_up_builds_what_each_worker_needs() -> None:
    """api.ingest_worker, imported by the forkserver of a validating parallel ingest, leaves
    the translated shapes and this thread's reference state built (a failed preload would only
    be skipped by multiprocessing, silently). In a fresh interpreter: nothing built before."""
    import subprocess
    import sys

    probe = (
        "import graph.fastcheck as f; assert not f._COMPILED; "
        "import api.ingest_worker; "
        "assert f._COMPILED and f._LOCAL.files is not None and f._LOCAL.files._index is not None"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_large_bulk_ingest_compacts_the_store_and_a_small_addition_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a run whose bulk loader wrote at least a quarter of the store, the store is
    compacted once (the same graph, fewer files); a run that adds less, or one told not to,
    leaves it; ``optimize=True`` compacts whatever the run wrote."""
    compactions: list[Path | None] = []
    real = Store.optimize

    def counted(self: Store) -> None:
        compactions.append(self.path)
        real(self)

    monkeypatch.setattr(Store, "optimize", counted)
    corpus = _corpus(tmp_path, 12)
    lines = corpus.read_text(encoding="utf-8").splitlines(keepends=True)
    first, rest = tmp_path / "first.jsonl", tmp_path / "rest.jsonl"
    first.write_text("".join(lines[:10]), encoding="utf-8")
    rest.write_text("".join(lines[10:12]), encoding="utf-8")

    store = Store(tmp_path / "store")
    big = ingest_paths(store, [first], jobs=1, bulk=True)
    assert big.bulk and big.compacted_s is not None and compactions == [store.path]
    small = ingest_paths(store, [rest], jobs=1, bulk=True)  # 2 documents onto 10: under a quarter
    assert small.bulk and small.documents == 2
    assert small.compacted_s is None and len(compactions) == 1
    forced = ingest_paths(store, [rest], jobs=1, optimize=True)  # nothing new, compacted anyway
    assert forced.unchanged == 2 and forced.compacted_s is not None and len(compactions) == 2

    kept = Store(tmp_path / "kept")
    told = ingest_paths(kept, [corpus], jobs=1, bulk=True, optimize=False)
    assert told.bulk and told.compacted_s is None and len(compactions) == 2
    assert _content(store) == _content(kept)  # compaction changed nothing in the graph
    store.close()
    kept.close()


def test_a_failed_compaction_is_reported_and_the_sources_stay_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compaction runs after every source is written and marked complete: when it fails, the
    run says so in its summary (and the command line warns, exit 0), and nothing is lost."""
    from click.testing import CliRunner

    from api.cli import main
    from graph.errors import StoreError

    class Failing:
        """pyoxigraph's store as far as compaction goes: it fails as RocksDB would."""

        def optimize(self) -> None:
            raise OSError("IO error: No space left on device")

    corpus = _corpus(tmp_path, 4)
    store = Store(tmp_path / "store")
    real_ox, store._ox = store._ox, Failing()  # type: ignore[assignment]
    with pytest.raises(StoreError, match=r"store .*store: compaction failed: IO error: No space"):
        store.optimize()  # pyoxigraph's OSError, as one line that names the store
    store._ox = real_ox

    def fails(self: Store) -> None:
        raise StoreError(f"store {self.path}: compaction failed: IO error: No space left")

    monkeypatch.setattr(Store, "optimize", fails)
    summary = ingest_paths(store, [corpus], jobs=1, bulk=True)
    assert summary.compacted_s is None and "No space left" in (summary.compact_error or "")
    assert len(store.sources()) == 4 and len(store.stored_runs(store.sources())) == 4
    store.close()
    res = CliRunner().invoke(
        main, ["ingest", "-q", "--bulk", "--store", str(tmp_path / "cli"), str(corpus)],
        catch_exceptions=False,
    )
    assert "reformkg: warning: store " in res.stderr and "compaction failed" in res.stderr
    assert "the ingested sources are complete" in res.stderr
    assert "ingested 4 documents" in res.stdout and "compacted the store" not in res.stdout
    # the bad record of the corpus makes the exit 2; a failed compaction alone would not
    assert res.exit_code == 2 and res.stderr.count("reformkg: error:") == 1


def test_the_command_line_compacts_after_a_bulk_ingest_unless_told_not_to(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from api.cli import main

    corpus = _corpus(tmp_path, 4)
    runner = CliRunner()
    res = runner.invoke(main, ["ingest", "--bulk", "--store", str(tmp_path / "a"), str(corpus)],
                        catch_exceptions=False)
    assert "reformkg: compacting the store (" in res.stderr  # said before the step, not quiet
    assert "compacted the store in " in res.stdout
    res = runner.invoke(main, ["ingest", "-q", "--bulk", "--no-optimize", "--store",
                               str(tmp_path / "b"), str(corpus)], catch_exceptions=False)
    assert "compacted the store" not in res.stdout and "compacting" not in res.stderr
    res = runner.invoke(main, ["ingest", "-q", "--optimize", "--store", str(tmp_path / "b"),
                               str(corpus)], catch_exceptions=False)
    assert "0 documents (4 unchanged)" in res.stdout and "compacted the store in " in res.stdout
