"""One source through the ingest chain: read → normalize → extract → link → RDF quads.

Pure: nothing here touches a store (``ingest`` never imports ``graph``). The command line and
the API hand the quads to the store.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pyoxigraph as ox

from .extract import extract
from .facts import Document
from .read import SourceDoc
from .to_rdf import TOOL_VERSION, document_quads, source_iri

__all__ = ["Built", "build", "fingerprint"]


@dataclass(slots=True)
class Built:
    source: SourceDoc
    iri: str
    document: Document
    quads: list[ox.Quad]
    fingerprint: str


def fingerprint(sd: SourceDoc) -> str:
    """Identifies one version of a source: tool version, text and metadata. Equal fingerprints
    mean re-ingesting would produce the same graph, so it is skipped."""
    meta = json.dumps([sd.url, sd.title, sd.date, sd.publisher, sd.author, sd.file_name], ensure_ascii=False)
    return hashlib.sha256(f"{TOOL_VERSION}\n{meta}\n{sd.text}".encode()).hexdigest()


def build(sd: SourceDoc) -> Built:
    """Extract the facts of one source and turn them into quads of its named graph."""
    doc = extract(sd.text, source_id=sd.source_id, file_name=sd.file_name, url=sd.url,
                  title=sd.title, date=sd.date, publisher=sd.publisher, author=sd.author)
    fp = fingerprint(sd)
    quads = document_quads(doc, fingerprint=fp)
    return Built(sd, source_iri(sd.source_id), doc, quads, fp)
