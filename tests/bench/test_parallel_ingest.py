"""Parallel and bulk ingest (api.loader) of generated reports give the graph a single process
gives, skip unchanged sources, and check each source with the fast SHACL path."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

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
