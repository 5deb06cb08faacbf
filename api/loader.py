"""Loading sources into the store: the one place where ``ingest`` (pure extraction) meets
``graph`` (the store). Used by ``reformkg ingest``, ``reformkg demo`` and ``POST /ingest``.

Each source replaces its own named graph in one transaction; a source whose fingerprint
(tool version, text, metadata) is already stored is skipped, so ingesting the same corpus twice
changes nothing. A bad document is reported with its id and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.store import Store
from ingest.errors import IngestError, RecordError
from ingest.pipeline import Built, build
from ingest.read import SourceDoc, iter_sources, read_record
from ontology import RKG

__all__ = ["IngestSummary", "ingest_documents", "ingest_paths", "load_built"]


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents, "unchanged": self.unchanged, "facts": self.facts,
            "connections": self.connections,
            "failures": [{"where": w, "error": e} for w, e in self.failures],
            "sources": self.sources, "quads_before": self.quads_before, "quads_after": self.quads_after,
        }


def _stored_fingerprint(store: Store, iri: str) -> str | None:
    rows = store.select(
        f"SELECT ?run WHERE {{ GRAPH <{iri}> {{ <{iri}> <{RKG.contentHash}> ?h ; "
        f"<http://www.w3.org/ns/prov#wasGeneratedBy> ?run }} }}",
        use_default_graph_as_union=False,
    )
    return str(rows[0]["run"]).rsplit("/", 1)[-1] if rows else None


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


def _run(store: Store, items: Iterable[SourceDoc | IngestError], total: int | None,
         progress: Callable[[Iterable[Any], int | None], Iterable[Any]] | None) -> IngestSummary:
    summary = IngestSummary(quads_before=store.quad_count())
    seen: dict[str, str] = {}
    stream = progress(items, total) if progress else items
    for item in stream:
        if isinstance(item, IngestError):
            summary.failures.append((item.message.split(": ", 1)[0], item.message))
            continue
        if item.source_id in seen:
            summary.failures.append((item.origin, f"{item.origin}: duplicate id {item.source_id!r} "
                                     f"(first seen at {seen[item.source_id]}); skipped"))
            continue
        seen[item.source_id] = item.origin
        try:
            built = build(item)
        except Exception as exc:  # one bad document must not stop a corpus; report it with its id
            summary.failures.append((item.origin, f"{item.origin} (id {item.source_id!r}): "
                                     f"extraction failed: {type(exc).__name__}: {exc}"))
            continue
        load_built(store, built, summary)
    store.flush()
    summary.quads_after = store.quad_count()
    return summary


def ingest_paths(store: Store, paths: list[Path],
                 progress: Callable[[Iterable[Any], int | None], Iterable[Any]] | None = None) -> IngestSummary:
    """Ingest text, HTML and JSONL files and directories."""
    items = list(iter_sources(paths))
    return _run(store, items, len(items), progress)


def ingest_documents(store: Store, docs: list[dict[str, Any]]) -> IngestSummary:
    """Ingest JSON records (the JSONL line format), as ``POST /ingest`` receives them."""
    import json

    items: list[SourceDoc | IngestError] = []
    for i, rec in enumerate(docs, start=1):
        try:
            items.append(read_record(json.dumps(rec, ensure_ascii=False), i, "request"))
        except RecordError as exc:
            items.append(exc)
    return _run(store, items, len(items), None)
