"""Errors of the ingest stage.

::

    IngestError
    ├── InputError      a file or record cannot be read as a source (missing, empty, binary,
    │                   not UTF-8, HTML without article text, unsupported type)
    └── RecordError     one JSONL line is not a usable record (not JSON, no text, bad field)

Every message names where: the file, or the file and line number, and the document id.
"""

from __future__ import annotations


class IngestError(Exception):
    """Root of the ingest stage's errors; ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(IngestError):
    """A path cannot be read as a source document."""


class RecordError(IngestError):
    """One record of a JSONL corpus is unusable; the rest of the corpus goes on."""
