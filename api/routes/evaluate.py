"""Evaluate one SPARQL query on pyoxigraph and serialize its answer, with the row cap.

Shared by the two ways :class:`api.routes.runner.QueryRunner` runs queries: worker threads and
worker processes (:mod:`api.routes.worker`). Everything that crosses a process boundary is a
plain, picklable value: :class:`QueryJob` goes in, and :func:`pack_answer` /
:func:`pack_error` come out (exceptions with custom constructors do not survive pickling, so
errors travel as class name, message and attributes and are rebuilt by :func:`unpack`).

Row cap. A SELECT answer is written by pyoxigraph as TSV into a writer that counts the rows and
stops it past ``max_rows`` (:func:`_capped_tsv`); the kept rows are handed back to pyoxigraph
(``parse_query_results``), whose serializer then writes the asked format: the bytes are the same
pyoxigraph would have written for those rows (RDF-star triple terms and directional language
strings included). CONSTRUCT and DESCRIBE triples are read up to ``max_rows + 1`` and written
with :func:`pyoxigraph.serialize`.
A cut is reported in :attr:`SparqlAnswer.truncated` (the route turns it into headers).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.errors import GraphError, QueryNotFound, QuerySyntaxError, StoreError
from graph.store import Store
from ontology import PREFIXES

from .errors import ApiError, BadRequest, NotAcceptable, ServiceRefused, UpdateRefused
from .protocol import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    ResultFormat,
    choose_format,
    prefixes_for,
    syntax_error_offset,
)

__all__ = [
    "Chooser",
    "FormatChoice",
    "QueryJob",
    "SparqlAnswer",
    "WorkerFailure",
    "execute",
    "pack_answer",
    "pack_error",
    "unpack",
]

_CHECK_EVERY = 256  # solutions read between two looks at the cancel flag (thread mode)
_FORMATS = {f.name: f for f in (*SOLUTION_FORMATS, *GRAPH_FORMATS)}

#: Chooses a format once the query's form (solutions or graph) is known.
Chooser = Callable[[Sequence[ResultFormat]], ResultFormat]


@dataclass(frozen=True, slots=True)
class FormatChoice:
    """A picklable :data:`Chooser`: the client's ``Accept`` header and ``format=`` value."""

    accept: str | None = None
    format_param: str | None = None

    def __call__(self, offers: Sequence[ResultFormat]) -> ResultFormat:
        return choose_format(self.accept, self.format_param, offers)


@dataclass(frozen=True, slots=True)
class QueryJob:
    """One query to evaluate (picklable when ``choose`` is a :class:`FormatChoice`).

    Attributes:
        query: the SPARQL text, already through the lexical guards.
        choose: picks the result format once the form is known.
        name: the named query, for error messages.
        kwargs: extra arguments of :meth:`graph.store.Store.query` (dataset, substitutions).
        max_rows: solutions or triples returned at most.
        probe: the ``SERVICE`` probe of :func:`api.routes.protocol.service_word_probe`.
    """

    query: str
    choose: Chooser
    name: str | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)
    max_rows: int = 10_000
    probe: tuple[str, list[tuple[int, int]]] | None = None


@dataclass(frozen=True, slots=True)
class SparqlAnswer:
    """A serialized query answer.

    Attributes:
        body: the bytes pyoxigraph wrote.
        format: the negotiated format.
        form: ``select``, ``ask`` or ``graph`` (CONSTRUCT/DESCRIBE).
        count: solutions or triples returned (``None`` for ASK).
        truncated: more solutions or triples existed than ``limit``.
        limit: the row cap in force.
    """

    body: bytes
    format: ResultFormat
    form: str
    count: int | None
    truncated: bool
    limit: int

    def headers(self) -> dict[str, str]:
        """``X-Reformkg-*`` headers that report the cap (never silent)."""
        if self.count is None:
            return {}
        return {
            "X-Reformkg-Row-Limit": str(self.limit),
            "X-Reformkg-Truncated": "true" if self.truncated else "false",
            "X-Reformkg-Rows": str(self.count),
        }


class WorkerFailure(RuntimeError):
    """An unexpected exception inside a query worker process (a bug: answered 500, logged
    with the worker's traceback)."""


class _Cancelled(Exception):
    """The request gave up waiting; the worker thread stops reading results."""


def _check_probe(job: QueryJob) -> None:
    """Parse the ``SERVICE`` probe with pyoxigraph itself (see ``service_word_probe``).

    The probe has no ``SERVICE`` keyword left when it parses, so running it on an empty
    in-memory store (the only way pyoxigraph parses without evaluating) calls nobody. When it
    does not parse, the query is never run: the error says why — at a changed word, a
    ``SERVICE`` keyword the lexical guard did not place (403); elsewhere, the query's own
    syntax error (400, with the parser's position, which the probe shares).

    Raises:
        QuerySyntaxError: the query does not parse, away from any ``service`` word.
        ServiceRefused: a ``service`` word the lexical guard did not read as the keyword is one.
    """
    assert job.probe is not None
    text, spans = job.probe
    try:
        result = ox.Store().query(text, prefixes=PREFIXES)
        del result
    except SyntaxError as exc:
        at = syntax_error_offset(str(exc), text)
        if at is not None and not any(start <= at <= end for start, end in spans):
            raise QuerySyntaxError(str(exc), name=job.name) from None
        raise ServiceRefused(
            "(a SERVICE keyword the endpoint's guard could not place)", ()
        ) from None


def _evaluate(store: Store, job: QueryJob, cancel: threading.Event | None) -> SparqlAnswer:
    if job.probe is not None:
        _check_probe(job)
    result = store.query(job.query, name=job.name, **job.kwargs)
    if isinstance(result, ox.QueryBoolean):
        fmt = job.choose(SOLUTION_FORMATS)
        body = result.serialize(format=fmt.results_format) or b""
        return SparqlAnswer(body, fmt, "ask", None, False, job.max_rows)
    if isinstance(result, ox.QuerySolutions):
        fmt = job.choose(SOLUTION_FORMATS)
        tsv, count, truncated = _capped_tsv(result, job.max_rows, cancel)
        if fmt.results_format == ox.QueryResultsFormat.TSV:
            body = tsv
        else:
            parsed = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
            body = parsed.serialize(format=fmt.results_format) or b""
        return SparqlAnswer(body, fmt, "select", count, truncated, job.max_rows)
    fmt = job.choose(GRAPH_FORMATS)
    triples: list[ox.Triple] = []
    truncated = False
    for i, triple in enumerate(result):
        if cancel is not None and i % _CHECK_EVERY == 0 and cancel.is_set():
            raise _Cancelled
        if i >= job.max_rows:
            truncated = True
            break
        triples.append(triple)
    written = ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes_for(fmt, PREFIXES))
    return SparqlAnswer(written or b"", fmt, "graph", len(triples), truncated, job.max_rows)


class _Full(Exception):
    """More solutions than the row cap: serialization stops."""


class _TsvCounter:
    """A binary writer for pyoxigraph's TSV serializer that keeps the bytes and counts the
    solutions (lines: TSV escapes the line breaks of values), stopping the serializer past the
    row cap, or when the request gave up (thread mode)."""

    def __init__(self, limit: int, cancel: threading.Event | None) -> None:
        self.buf = bytearray()
        self.lines = 0
        self.limit = limit
        self.cancel = cancel

    def write(self, data: bytes) -> int:
        if self.cancel is not None and self.cancel.is_set():
            raise _Cancelled
        self.buf += data
        self.lines += data.count(b"\n")
        if self.lines - 1 > self.limit:  # the first line is the header
            raise _Full
        return len(data)

    def flush(self) -> None:
        pass


def _capped_tsv(
    result: ox.QuerySolutions, limit: int, cancel: threading.Event | None
) -> tuple[bytes, int, bool]:
    """The solutions as TSV, at most ``limit`` of them: ``(bytes, count, truncated)``.

    pyoxigraph writes them (in Rust, as fast as the direct path) while the writer counts; the
    answer's format is then written from the TSV by pyoxigraph too. Reading each term into
    Python instead cost 10 µs a term: +2.8 s on the 28,363 rows of ``facts`` at 1M quads.
    """
    out = _TsvCounter(limit, cancel)
    try:
        result.serialize(output=out, format=ox.QueryResultsFormat.TSV)
    except _Full:
        cut = -1
        for _ in range(limit + 1):  # the header and ``limit`` solutions
            cut = out.buf.index(b"\n", cut + 1)
        return bytes(out.buf[: cut + 1]), limit, True
    return bytes(out.buf), out.lines - 1, False


def _strip_traceback(exc: BaseException) -> BaseException:
    """``exc`` with its traceback (and those of its causes) dropped."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return exc


def execute(store: Store, job: QueryJob, cancel: threading.Event | None = None) -> SparqlAnswer:
    """Check the probe, evaluate ``job`` on ``store`` and serialize the answer.

    Args:
        store: the store to query.
        job: the query.
        cancel: set by the runner when the request gave up (thread mode): evaluation stops
            at its next solutions. ``None`` in a worker process, which is killed instead.

    Raises:
        QuerySyntaxError: the query does not parse (400, parser message).
        ServiceRefused: the probe found a ``SERVICE`` keyword the lexical guard missed.
        NotAcceptable: no acceptable format for this form of query.
        StoreError: the store failed, or evaluation raised an I/O error.
    """
    # pyoxigraph result objects are "unsendable": they must be dropped on the thread that
    # made them. An exception's traceback keeps the evaluating frame (and its results)
    # alive, so tracebacks are cut here, before the error travels to another thread.
    error: BaseException | None = None
    try:
        return _evaluate(store, job, cancel)
    except OSError as exc:  # raised while reading results (I/O, or a SERVICE call failing)
        error = StoreError(f"query evaluation failed: {exc}")
    except RuntimeError as exc:
        # RocksDB reports a damaged store file while results are read: a store failure (503)
        error = (StoreError(f"query evaluation failed: the store is damaged: {exc}")
                 if str(exc).startswith("Corruption") else _strip_traceback(exc))
    except BaseException as exc:  # re-raised below, without frames
        error = _strip_traceback(exc)
    raise error


# -- across a process boundary ------------------------------------------------------------

#: Errors rebuilt by name on the parent's side (anything else is a :class:`WorkerFailure`).
_KNOWN: dict[str, type[Exception]] = {
    cls.__name__: cls
    for cls in (QuerySyntaxError, QueryNotFound, StoreError, GraphError, NotAcceptable,
                ServiceRefused, UpdateRefused, BadRequest, ApiError)
}
_ATTRS = ("status", "supported", "target", "name", "http_status", "detail")


def pack_answer(answer: SparqlAnswer) -> tuple[Any, ...]:
    """A picklable form of ``answer``."""
    return ("ok", answer.body, answer.format.name, answer.form, answer.count, answer.truncated,
            answer.limit)


def pack_error(exc: BaseException) -> tuple[Any, ...]:
    """A picklable form of ``exc``: class name, message, the attributes routes read."""
    name = type(exc).__name__
    if name not in _KNOWN or not isinstance(exc, GraphError | ApiError):
        detail = "".join(traceback.format_exception(exc))
        return ("error", "WorkerFailure", f"{name}: {exc}\n{detail}", {})
    attrs = {a: getattr(exc, a) for a in _ATTRS if a in vars(exc)}
    return ("error", name, getattr(exc, "message", str(exc)), attrs)


def unpack(reply: tuple[Any, ...]) -> SparqlAnswer:
    """The answer a worker process sent, or the error it sent, raised.

    Raises:
        the rebuilt project error, or :class:`WorkerFailure`.
    """
    if reply[0] == "ok":
        _, body, fmt, form, count, truncated, limit = reply
        return SparqlAnswer(body, _FORMATS[fmt], form, count, truncated, limit)
    _, name, message, attrs = reply
    cls = _KNOWN.get(name)
    if cls is None:
        raise WorkerFailure(message)
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.message = message  # type: ignore[attr-defined]
    for key, value in attrs.items():
        setattr(exc, key, value)
    raise exc
