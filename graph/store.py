"""The RDF store: embedded Oxigraph on disk (default) or any SPARQL 1.1 server, behind one
small interface.

Queries run with the union of all named graphs as the default graph. Each source lives in its
own named graph (the source's IRI); ``replace_graph`` swaps that graph in one transaction, so
a failed or interrupted load leaves the previous version in place.

The interface every caller uses: ``query``, ``select``, ``quad_count``, ``source_hash``,
``sources``, ``quads``, ``replace_graph``, ``remove_graph``, ``ensure_reference``, ``flush``,
``close``. :class:`Store` implements it on embedded Oxigraph; :class:`graph.remote.RemoteStore`
(a subclass, so ``store: Store`` annotations hold) on a SPARQL server. :func:`open_store` picks
one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ontology import PREFIXES, REFERENCE_FILES, REFERENCE_GRAPH, RKG

from .errors import QuerySyntaxError, StoreError

__all__ = ["Store", "open_store"]

_REF_GRAPH = ox.NamedNode(str(REFERENCE_GRAPH))
_HASH = ox.NamedNode(str(RKG.contentHash))
_REF_VERSION = ox.NamedNode(str(RKG.referenceVersion))


def _reference_version() -> str:
    h = hashlib.sha256()
    for path in REFERENCE_FILES:
        if path.exists():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


class Store:
    """A SPARQL dataset: one named graph per source plus the reference graph.

    Args:
        path: directory of an on-disk Oxigraph store (created when missing), or ``None`` for
            an in-memory store (tests).
        read_only: open an existing directory without taking the write lock.

    Raises:
        StoreError: the directory is not an Oxigraph store, is locked by another process, or
            cannot be created.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        try:
            if self.path is None:
                self._ox = ox.Store()
            elif read_only:
                if not self.path.exists():
                    raise StoreError(
                        f"store {self.path}: no such directory; run `reformkg ingest` first"
                    )
                self._ox = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._ox = ox.Store(str(self.path))
        except (OSError, RuntimeError) as exc:
            # RocksDB reports damaged files as RuntimeError("Corruption: …"): one line, exit 2
            # (issue 7), never a traceback.
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            hint = " (is another reformkg process using it?)" if "lock" in first.lower() else ""
            if isinstance(exc, RuntimeError) or "corrupt" in first.lower():
                hint = (" (the store files are damaged or being written by another process; "
                        "rebuild it with `reformkg ingest` into a fresh --store)")
            raise StoreError(f"store {self.path}: cannot open: {first}{hint}") from None
        #: sources an interrupted bulk load left without their marker (read-only opens only;
        #: a writable open removes them, see :meth:`recover_staged`)
        self.unfinished: list[str] = []
        #: sources dropped on this (writable) open because a bulk load was interrupted
        self.recovered: list[str] = []
        if read_only:
            self.unfinished = self._unmarked(self._staged())
        else:
            self.recover_staged()
            self.ensure_reference()

    # -- reading ---------------------------------------------------------------------------
    def query(self, sparql: str, *, name: str | None = None, **kwargs: Any) -> Any:
        """Run a SPARQL query; returns pyoxigraph's solutions, triples or boolean.

        Raises:
            QuerySyntaxError: the query does not parse.
            StoreError: the store cannot be read.
        """
        kwargs.setdefault("use_default_graph_as_union", True)
        try:
            return self._ox.query(sparql, prefixes=PREFIXES, **kwargs)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc), name=name) from None
        except (OSError, RuntimeError) as exc:  # RuntimeError: RocksDB "Corruption: …"
            raise StoreError(f"store {self.path}: read failed: {exc}") from None

    def select(
        self, sparql: str, *, name: str | None = None, **kwargs: Any
    ) -> list[dict[str, Any]]:
        """Run a SELECT and return rows as dicts of Python values (str, int, float, None)."""
        solutions = self.query(sparql, name=name, **kwargs)
        names = [v.value for v in solutions.variables]
        return [{n: to_python(row[n]) for n in names} for row in solutions]

    def quad_count(self) -> int:
        return len(self._ox)

    def source_hash(self, source_iri: str) -> str | None:
        """The content hash stored with a source, or None when it is not in the store."""
        g = ox.NamedNode(source_iri)
        for q in self._ox.quads_for_pattern(g, _HASH, None, g):
            return str(getattr(q.object, "value", q.object))
        return None

    def sources(self) -> list[str]:
        return sorted(g.value for g in self._ox.named_graphs() if g != _REF_GRAPH)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        g = ox.NamedNode(graph) if graph else None
        return self._ox.quads_for_pattern(None, None, None, g)

    def dump(self, output: Any, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> None:
        self._ox.dump(output, format=fmt)

    # -- writing ---------------------------------------------------------------------------
    def replace_graph(self, graph_iri: str, quads: Iterable[ox.Quad]) -> None:
        """Replace one named graph by ``quads`` in a single transaction.

        Raises:
            StoreError: the write failed; the graph is as it was before.
        """
        g = ox.NamedNode(graph_iri)
        body = "\n".join(
            f"{q.subject} {q.predicate} {q.object} ." for q in quads
        )
        update = f"DROP SILENT GRAPH {g} ;\nINSERT DATA {{ GRAPH {g} {{\n{body}\n}} }}"
        try:
            self._ox.update(update)
        except (OSError, SyntaxError, RuntimeError) as exc:
            raise StoreError(
                f"store {self.path}: writing graph <{graph_iri}> failed: {exc}"
            ) from None

    def remove_graph(self, graph_iri: str) -> None:
        try:
            self._ox.update(f"DROP SILENT GRAPH <{graph_iri}>")
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"store {self.path}: removing <{graph_iri}> failed: {exc}") from None

    def _reference_graph(self) -> str:
        return _REF_GRAPH.value

    def _stored_reference_version(self) -> str | None:
        """The version stamp of the stored reference graph (None: absent or ambiguous)."""
        found = self._ox.quads_for_pattern(_REF_GRAPH, _REF_VERSION, None, _REF_GRAPH)
        current = [str(getattr(q.object, "value", q.object)) for q in found]
        return current[0] if len(current) == 1 else None

    def ensure_reference(self) -> None:
        """Load ontology, schemes, systems and gazetteer into the reference graph when they changed.

        Raises:
            StoreError: a reference file does not parse, or the graph cannot be written.
        """
        version = _reference_version()
        if self._stored_reference_version() == version:
            return
        quads: list[ox.Quad] = [ox.Quad(_REF_GRAPH, _REF_VERSION, ox.Literal(version), _REF_GRAPH)]
        for path in REFERENCE_FILES:
            if not path.exists():
                continue
            try:
                for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                    quads.append(ox.Quad(t.subject, t.predicate, t.object, _REF_GRAPH))
            except SyntaxError as exc:
                raise StoreError(f"{path.name}: cannot parse: {exc}") from None
        self.replace_graph(_REF_GRAPH.value, quads)

    # -- loading many sources (api.loader) ----------------------------------------------------
    # Each falls back to the interface above when the store has no embedded Oxigraph (``_ox``),
    # so a subclass that speaks to a server (graph.remote) keeps working unchanged.

    def stored_runs(self, graph_iris: list[str]) -> dict[str, str]:
        """``{source graph: IRI of its ingest run}`` for the given sources that carry their
        fingerprint marker (``<src> rkg:contentHash …; prov:wasGeneratedBy <run>`` in their own
        graph); one query for the whole list."""
        if not graph_iris:
            return {}
        values = " ".join(f"<{g}>" for g in graph_iris)
        rows = self.select(
            f"SELECT ?g ?run WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ "
            f"?g <{RKG.contentHash}> ?h ; <http://www.w3.org/ns/prov#wasGeneratedBy> ?run }} }}",
            use_default_graph_as_union=False,
        )
        return {str(r["g"]): str(r["run"]) for r in rows}

    def present_graphs(self, graph_iris: list[str]) -> set[str]:
        """The given named graphs that hold at least one quad."""
        store = getattr(self, "_ox", None)
        if store is None:
            if not graph_iris:
                return set()
            values = " ".join(f"<{g}>" for g in graph_iris)
            rows = self.select(f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {values} }} "
                               f"GRAPH ?g {{ ?s ?p ?o }} }}", use_default_graph_as_union=False)
            return {str(r["g"]) for r in rows}
        return {g for g in graph_iris if store.contains_named_graph(ox.NamedNode(g))}

    def add_graphs(self, nquads: bytes) -> None:
        """Add N-Quads (named graphs not in the store yet) in one transaction: all or nothing.

        Raises:
            StoreError: the write failed; nothing was written.
        """
        store = getattr(self, "_ox", None)
        try:
            if store is None:
                by_graph: dict[str, list[ox.Quad]] = {}
                for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
                    by_graph.setdefault(q.graph_name.value, []).append(q)
                for name, quads in by_graph.items():
                    self.replace_graph(name, quads)
                return
            store.load(nquads, format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError, RuntimeError) as exc:
            raise StoreError(f"store {self.path}: adding graphs failed: {exc}") from None

    def bulk_add_graphs(self, nquads: bytes) -> None:
        """Add N-Quads with Oxigraph's bulk loader: several times faster than :meth:`add_graphs`
        on large batches, but **not atomic** (pyoxigraph ``bulk_load``: "without transactional
        guarantees"; only a part of the data may be written if it fails or is interrupted).
        Callers write the markers that say "this source is complete" afterwards, in a
        transaction (see api.loader). Falls back to :meth:`add_graphs` without an embedded store.

        Raises:
            StoreError: the write failed; part of the data may be stored.
        """
        store = getattr(self, "_ox", None)
        if store is None:
            self.add_graphs(nquads)
            return
        try:
            store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError, RuntimeError) as exc:
            raise StoreError(f"store {self.path}: bulk load failed: {exc}") from None

    # -- the staging journal of bulk loads ------------------------------------------------------
    # Oxigraph's bulk loader is not transactional. Before a bulk load the loader names the
    # graphs it is about to write in a small journal file next to the store's files (written
    # with write-to-temporary + fsync + rename, so it is whole or absent); after the load it
    # writes the sources' fingerprint markers in one transaction and removes the journal. Opening
    # the store for writing after an interruption drops every journaled graph that has no marker
    # (a bulk-loaded graph is always new, so nothing older is lost): each source is complete or
    # absent again, and the next ingest writes the dropped ones.
    _JOURNAL = "reformkg-staging.json"

    def _journal(self) -> Path | None:
        return self.path / self._JOURNAL if self.path is not None and self.path.is_dir() else None

    def _staged(self) -> list[str]:
        j = self._journal()
        if j is None or not j.exists():
            return []
        try:
            graphs = json.loads(j.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"store {self.path}: staging journal {j.name} unreadable: {exc}"
            ) from None
        return [g for g in graphs if isinstance(g, str)]

    def _unmarked(self, graphs: list[str]) -> list[str]:
        if not graphs or getattr(self, "_ox", None) is None:
            return []
        marked = set()
        for i in range(0, len(graphs), 500):
            marked |= set(self.stored_runs(graphs[i:i + 500]))
        return [g for g in graphs if g not in marked]

    def stage(self, graphs: list[str]) -> None:
        """Journal the named graphs a bulk load is about to write (no-op without a directory)."""
        j = self._journal()
        if j is None:
            return
        tmp = j.with_suffix(".tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(sorted(set(self._staged()) | set(graphs)), f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, j)
        except OSError as exc:
            raise StoreError(f"store {self.path}: cannot write staging journal: {exc}") from None

    def unstage(self) -> None:
        """The journaled graphs are complete and marked: forget them."""
        j = self._journal()
        if j is not None:
            j.unlink(missing_ok=True)

    def recover_staged(self) -> list[str]:
        """Drop journaled graphs that have no fingerprint marker (an interrupted bulk load), in
        one transaction, then clear the journal. Returns the graphs dropped."""
        staged = self._staged()
        if not staged:
            return []
        dropped = self._unmarked(staged)
        if dropped:
            update = " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in dropped)
            try:
                self._ox.update(update)
            except (OSError, RuntimeError) as exc:
                raise StoreError(f"store {self.path}: recovering an interrupted bulk load "
                                 f"failed: {exc}") from None
        self.unstage()
        self.recovered = dropped
        return dropped

    def snapshot(self, target: str | Path) -> None:
        """Write a consistent, independent copy of the embedded store to ``target`` (a new
        directory), for read-only query worker processes (api.routes.worker, issue 7).

        On disk this is Oxigraph's ``backup`` (a RocksDB checkpoint: hard links on the same
        file system, so it costs milliseconds); an in-memory store is dumped and bulk-loaded.

        Raises:
            StoreError: there is no embedded store, or the copy cannot be written.
        """
        store = getattr(self, "_ox", None)
        if store is None:
            raise StoreError(f"{self!r}: only an embedded store can be snapshotted")
        try:
            if self.path is None:
                copy = ox.Store(str(target))
                copy.bulk_load(store.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
                copy.flush()
                del copy
            else:
                store.backup(str(target))
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"store {self.path}: snapshot to {target} failed: {exc}") from None

    def optimize(self) -> None:
        """Compact the embedded store after a large load (no-op in memory, read-only or on a
        server). The data is the same before and after; queries read fewer, larger files.

        Raises:
            StoreError: the compaction failed (the data stays as it was).
        """
        store = getattr(self, "_ox", None)
        if store is not None and self.path is not None and not self.read_only:
            try:
                store.optimize()
            except OSError as exc:
                raise StoreError(f"store {self.path}: compaction failed: {exc}") from None

    def disk_bytes(self) -> int | None:
        """Bytes the on-disk store takes (None in memory or on a server)."""
        if self.path is None or getattr(self, "_ox", None) is None:
            return None
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self._ox.flush()

    def close(self) -> None:
        self.flush()
        del self._ox

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def to_python(term: Any) -> Any:
    """A pyoxigraph term as a plain Python value: IRIs and strings as str, numbers as int/float."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith(("#integer", "#nonNegativeInteger", "#int", "#long")):
            return int(term.value)
        if dt.endswith(("#decimal", "#double", "#float")):
            v = float(term.value)
            return int(v) if v.is_integer() and dt.endswith("#decimal") else v
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value


def open_store(
    path: str | Path | None = None,
    *,
    read_only: bool = False,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    graph_store: str | None = None,
    timeout: float = 60.0,
) -> Store:
    """Open the embedded store at ``path``, or the SPARQL server at ``endpoint`` when given.

    Args:
        path: directory of the embedded store (``None``: in memory); ignored with ``endpoint``.
        read_only: open for reading only.
        endpoint: SPARQL 1.1 query endpoint of a server (see :mod:`graph.remote`).
        update_endpoint: its SPARQL Update endpoint, when it is not derived from ``endpoint``.
        graph_store: its Graph Store Protocol endpoint (graphs are written with PUT).
        timeout: seconds to wait for one answer of the server.

    Raises:
        StoreError: the store cannot be opened (or, for writing, its reference graph written).
    """
    if endpoint:
        from .remote import RemoteStore

        return RemoteStore(endpoint, update_endpoint=update_endpoint, graph_store=graph_store,
                           read_only=read_only, timeout=timeout)
    return Store(path, read_only=read_only)
