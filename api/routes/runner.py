"""Run SPARQL on pyoxigraph in worker threads, with a timeout and a row cap.

Queries never go through rdflib's engine (DESIGN.md §7): the text goes to
:meth:`graph.store.Store.query` and the answer is written by pyoxigraph's own serializers.

Row cap. A SELECT answer is read up to ``max_rows + 1`` solutions. pyoxigraph solutions are a
one-shot iterator and cannot be built from a list, so the kept rows are written as SPARQL JSON
and handed back to pyoxigraph (``parse_query_results``), whose serializer then writes the asked
format; the bytes are the same pyoxigraph would have written for those rows. CONSTRUCT and
DESCRIBE triples are capped the same way and written with :func:`pyoxigraph.serialize`.
A cut is reported in :attr:`SparqlAnswer.truncated` (the route turns it into headers).

Timeout — known limitation. pyoxigraph has no way to cancel a running query from Python. The
query runs in a bounded thread pool and the request stops waiting after ``timeout`` seconds
(503). The worker then stops at its next solution (a cancel flag is checked while reading
results), but a single expensive step inside pyoxigraph (a big ORDER BY, GROUP BY or join
before the first row) runs to its end and keeps its thread busy; while all workers are busy,
new queries wait in the queue and time out too. pyoxigraph releases the GIL while evaluating,
so the event loop keeps serving other routes. Hardening (a subprocess per query that can be
killed) is future work.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import pyoxigraph as ox

from graph.errors import StoreError
from graph.store import Store
from ontology import PREFIXES

from .errors import QueryTimeout
from .protocol import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    ResultFormat,
    check_read_only,
    check_services,
    prefixes_for,
)

__all__ = ["QueryRunner", "SparqlAnswer", "solutions_json"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"
_RDFLIB_DEFAULT_GRAPH = "urn:x-rdflib:default"
_CHECK_EVERY = 256  # solutions read between two looks at the cancel flag

T = TypeVar("T")

#: Chooses a format once the query's form (solutions or graph) is known.
Chooser = Callable[[Sequence[ResultFormat]], ResultFormat]


def _strip_traceback(exc: BaseException) -> BaseException:
    """``exc`` with its traceback (and those of its causes) dropped."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return exc


class _Cancelled(Exception):
    """The request gave up waiting; the worker stops reading results."""


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


def _term_json(term: Any) -> dict[str, Any]:
    """One RDF term in the SPARQL 1.1 JSON results format (RDF-star triples included)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                out["its:dir"] = str(direction).rsplit(".", 1)[-1].lower()
        elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING, _RDF_DIR_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def solutions_json(variables: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """SPARQL JSON results for ``rows`` (tuples aligned with ``variables``; None = unbound)."""
    bindings = [
        {v: _term_json(t) for v, t in zip(variables, row, strict=True) if t is not None}
        for row in rows
    ]
    doc = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


class QueryRunner:
    """Evaluates read-only SPARQL on a store in a thread pool.

    Args:
        store: the store to query.
        timeout: seconds to wait for an answer.
        max_rows: solutions (or triples) returned at most.
        workers: threads in the pool.
        service_allowlist: endpoints ``SERVICE`` may call.
    """

    def __init__(
        self,
        store: Store,
        *,
        timeout: float,
        max_rows: int,
        workers: int,
        service_allowlist: Sequence[str] = (),
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.service_allowlist = tuple(service_allowlist)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reformkg-sparql")

    def check(self, query: str) -> None:
        """The read-only guards (updates, SERVICE) without running anything.

        Raises:
            UpdateRefused: the text is a SPARQL Update.
            ServiceRefused: ``SERVICE`` to an endpoint that is not allow-listed.
        """
        check_read_only(query)
        check_services(query, self.service_allowlist, PREFIXES)

    async def run(
        self,
        query: str,
        choose: Chooser,
        *,
        name: str | None = None,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        substitutions: Mapping[ox.Variable, Any] | None = None,
    ) -> SparqlAnswer:
        """Check, evaluate and serialize ``query`` within the timeout.

        Args:
            query: SPARQL query text.
            choose: picks the result format from the offers for the query's form.
            name: named query, for error messages.
            default_graphs: protocol ``default-graph-uri`` values.
            named_graphs: protocol ``named-graph-uri`` values.
            substitutions: variable → pyoxigraph term bound before evaluation (SEP-0007).

        Raises:
            UpdateRefused, ServiceRefused: see :meth:`check`.
            QuerySyntaxError: the query does not parse (400, parser message).
            NotAcceptable: no acceptable format for this form of query.
            QueryTimeout: no answer within ``timeout`` seconds.
            StoreError: the store failed.
        """
        self.check(query)
        kwargs: dict[str, Any] = {}
        # rdflib's SPARQLStore sends its own name for "the default graph" as default-graph-uri
        # (``Dataset(store=SPARQLStore(url))``); it means our default graph, the union.
        default_graphs = [g for g in default_graphs if g != _RDFLIB_DEFAULT_GRAPH]
        if default_graphs:
            kwargs["use_default_graph_as_union"] = False
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        if substitutions:
            kwargs["substitutions"] = dict(substitutions)
        cancel = threading.Event()
        return await self.call(self._execute, query, choose, name, kwargs, cancel, cancel=cancel)

    async def call(
        self, fn: Callable[..., T], *args: Any, cancel: threading.Event | None = None
    ) -> T:
        """Run ``fn(*args)`` in the pool; give up after the timeout.

        Raises:
            QueryTimeout: ``fn`` did not return within ``timeout`` seconds.
        """
        future = self._pool.submit(fn, *args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError:
            if cancel is not None:
                cancel.set()
            future.cancel()  # drops it if still queued; a running query finishes its step
            raise QueryTimeout(self.timeout) from None

    def _execute(
        self,
        query: str,
        choose: Chooser,
        name: str | None,
        kwargs: dict[str, Any],
        cancel: threading.Event,
    ) -> SparqlAnswer:
        # pyoxigraph result objects are "unsendable": they must be dropped on the thread that
        # made them. An exception's traceback keeps the evaluating frame (and its results)
        # alive, so tracebacks are cut here, in the worker, before the error travels to the
        # event loop's thread.
        error: BaseException | None = None
        try:
            return self._evaluate(query, choose, name, kwargs, cancel)
        except OSError as exc:  # raised while reading results (I/O, or a SERVICE call failing)
            error = StoreError(f"query evaluation failed: {exc}")
        except BaseException as exc:  # re-raised below, without frames
            error = _strip_traceback(exc)
        raise error

    def _evaluate(
        self,
        query: str,
        choose: Chooser,
        name: str | None,
        kwargs: dict[str, Any],
        cancel: threading.Event,
    ) -> SparqlAnswer:
        result = self.store.query(query, name=name, **kwargs)
        if isinstance(result, ox.QueryBoolean):
            fmt = choose(SOLUTION_FORMATS)
            body = result.serialize(format=fmt.results_format) or b""
            return SparqlAnswer(body, fmt, "ask", None, False, self.max_rows)
        if isinstance(result, ox.QuerySolutions):
            fmt = choose(SOLUTION_FORMATS)
            variables = [v.value for v in result.variables]
            rows: list[tuple[Any, ...]] = []
            truncated = False
            width = range(len(variables))
            for i, solution in enumerate(result):
                if i % _CHECK_EVERY == 0 and cancel.is_set():
                    raise _Cancelled
                if i >= self.max_rows:
                    truncated = True
                    break
                rows.append(tuple(solution[j] for j in width))
            parsed = ox.parse_query_results(
                solutions_json(variables, rows), ox.QueryResultsFormat.JSON
            )
            body = parsed.serialize(format=fmt.results_format) or b""
            return SparqlAnswer(body, fmt, "select", len(rows), truncated, self.max_rows)
        fmt = choose(GRAPH_FORMATS)
        triples: list[ox.Triple] = []
        truncated = False
        for i, triple in enumerate(result):
            if i % _CHECK_EVERY == 0 and cancel.is_set():
                raise _Cancelled
            if i >= self.max_rows:
                truncated = True
                break
            triples.append(triple)
        written = ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes_for(fmt, PREFIXES))
        return SparqlAnswer(written or b"", fmt, "graph", len(triples), truncated, self.max_rows)

    def close(self) -> None:
        """Stop accepting queries; running ones finish in the background."""
        self._pool.shutdown(wait=False, cancel_futures=True)
