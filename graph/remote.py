"""A SPARQL 1.1 server as the store: the same interface as the embedded Oxigraph store.

:class:`RemoteStore` speaks three W3C protocols over HTTP (httpx):

* **queries** go to the query endpoint with the SPARQL 1.1 Protocol (POST form). Answers are
  parsed by pyoxigraph (``parse_query_results``, ``parse``), so callers get the objects the
  embedded store returns: ``QuerySolutions``, ``QueryBoolean``, or triples (a list of
  ``pyoxigraph.Triple``, which every caller iterates or serializes).
* **source graphs** are written with the SPARQL 1.1 Graph Store Protocol when a graph-store URL
  is given (one ``PUT ?graph=<source>`` per source: the server swaps the graph atomically), and
  otherwise with one SPARQL Update request per source (``DROP SILENT GRAPH … ; INSERT DATA …``,
  one request = one transaction on Oxigraph, Fuseki, GraphDB and Virtuoso).
* **the reference graph** (ontology, schemes, systems, gazetteer) is loaded the same way, once
  per version.

Union default graph. Our queries read the union of the named graphs as the default graph (one
named graph per source, the reference data in another). Queries are sent unchanged, so the
*server* must be configured that way: ``oxigraph serve --union-default-graph``,
``tdb2:unionDefaultGraph true`` on Fuseki; Virtuoso, GraphDB and QLever do it by default
(README, "Using another SPARQL server"). Rewriting queries instead (a ``GRAPH ?g`` per
pattern, or one ``default-graph-uri`` per source) would change their meaning or grow with the
corpus. The first query checks the setting once: a server whose default graph does not see the
named graphs is an error that says what to change, never silently empty answers.

Differences from the embedded store, all covered by tests against a real Oxigraph server:

* bound parameters (pyoxigraph ``substitutions``) travel as a trailing ``VALUES`` clause, which
  joins after grouping; named queries only declare parameters that are plain, required pattern
  variables (graph/queries), for which both give the same rows;
* undeclared prefixes that the embedded store accepts (``ontology.PREFIXES``) are declared in
  front of the query text;
* queries are parsed locally by pyoxigraph first, so a syntax error reads exactly as on the
  embedded store and costs no request;
* :meth:`RemoteStore.sources` lists the named graphs that hold a ``rkg:Source`` named like the
  graph (a shared server may hold other graphs).

Errors are :class:`EndpointError` (a :class:`graph.errors.StoreError`) with one line that names
the endpoint and says what to do: the server is down (after ``retries`` connection attempts
with exponential backoff; only connection failures are retried, and every request we send is
idempotent), too slow (no answer within ``timeout`` seconds), or answered an HTTP error (status
and the first line of its body). A query the server rejects with 400 is a
:class:`graph.errors.QuerySyntaxError`. An XML answer that declares a DTD is refused before it
is parsed (pyoxigraph would expand its entities without limit).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from ontology import PREFIXES, RKG

from .errors import QuerySyntaxError, StoreError
from .store import Store

__all__ = ["EndpointError", "RemoteStore", "default_update_endpoint"]

#: Quads per SPARQL Update request when many sources are added at once.
BULK_REQUEST_QUADS = 50_000
_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_NTRIPLES = "application/n-triples"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DECLARED_PREFIX = re.compile(r"\bPREFIX\s+([^\s:]*)\s*:", re.IGNORECASE)
_RETRYABLE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError)
_EXTRA_RESULT_TYPES = {
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
}
_EXTRA_RDF_TYPES = {"text/plain": ox.RdfFormat.N_TRIPLES}


class EndpointError(StoreError):
    """The SPARQL server is down, too slow, or answered an HTTP error.

    A :class:`graph.errors.StoreError` (so callers that catch store failures catch it) with the
    HTTP status the API should answer with: 503 when the server cannot be reached, 504 when it
    did not answer in time, 502 when it answered an error. ``http_status`` is the server's own
    status (``None`` when it gave none).
    """

    def __init__(self, message: str, *, status: int = 502, http_status: int | None = None,
                 detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.http_status = http_status
        self.detail = detail


def default_update_endpoint(endpoint: str) -> str:
    """The update endpoint to use when none is given.

    Oxigraph and Fuseki answer queries at ``…/query`` and updates at ``…/update``; other
    servers (Virtuoso ``/sparql``, QLever) take both at one URL.

    >>> default_update_endpoint("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/update'
    >>> default_update_endpoint("http://localhost:3030/ds/query")
    'http://localhost:3030/ds/update'
    >>> default_update_endpoint("http://localhost:8890/sparql")
    'http://localhost:8890/sparql'
    """
    parts = urlsplit(endpoint)
    if parts.path.endswith("/query"):
        return urlunsplit(parts._replace(path=parts.path[: -len("query")] + "update"))
    return endpoint


def _version() -> str:
    try:
        return metadata.version("reformkg")
    except metadata.PackageNotFoundError:  # a checkout without install
        return "0.0.0"


def _first_line(text: str, limit: int = 200) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";", 1)[0].strip().lower()


_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def _refuse_dtd(endpoint: str, media: str, body: bytes) -> None:
    """Refuse an XML answer that declares a DTD (issue 7).

    pyoxigraph's RDF/XML parser expands internal entities without limit: 600 bytes of
    nested ``<!ENTITY>`` declarations ("billion laughs") become gigabytes. No SPARQL results
    or RDF/XML answer needs a DTD, so one is refused before parsing. Only UTF-8 is read
    (pyoxigraph refuses other encodings itself), so the check cannot be dodged with UTF-16.

    Raises:
        StoreError: the answer declares a DTD or entities.
    """
    if "xml" in media and _DTD.search(body):
        raise StoreError(
            f"endpoint {endpoint}: refused a {media} answer that declares a DTD or entities "
            "(entity expansion is a denial-of-service vector); ask the server for JSON results "
            "or N-Triples"
        )


def _with_prefixes(text: str) -> str:
    """``text`` with ``PREFIX`` lines for the project prefixes it does not declare itself.

    The embedded store resolves them with ``prefixes=``; unused declarations are harmless.
    """
    declared = {m.group(1) for m in _DECLARED_PREFIX.finditer(text)}
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p not in declared]
    return "\n".join([*missing, text]) if missing else text


def _with_values(text: str, substitutions: Mapping[Any, Any]) -> str:
    """``text`` with a trailing ``VALUES`` clause binding ``substitutions``.

    >>> _with_values("SELECT ?p WHERE { ?s ?p ?o }", {ox.Variable("p"): ox.NamedNode("http://x")})
    'SELECT ?p WHERE { ?s ?p ?o }\\nVALUES (?p) { (<http://x>) }\\n'
    """
    names = " ".join(f"?{getattr(var, 'value', var)}" for var in substitutions)
    row = " ".join(str(term) for term in substitutions.values())
    return f"{text.rstrip()}\nVALUES ({names}) {{ ({row}) }}\n"


def _by_graph(nquads: bytes) -> dict[ox.NamedNode, list[ox.Triple]]:
    """N-Quads grouped by named graph (quads of the default graph are refused)."""
    grouped: dict[ox.NamedNode, list[ox.Triple]] = {}
    try:
        for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS):
            if not isinstance(q.graph_name, ox.NamedNode):
                raise StoreError("only quads of named graphs can be written to a SPARQL server")
            grouped.setdefault(q.graph_name, []).append(ox.Triple(q.subject, q.predicate, q.object))
    except SyntaxError as exc:
        raise StoreError(f"cannot read the N-Quads to write: {exc}") from None
    return grouped


def _insert_data(graphs: Mapping[ox.NamedNode, list[ox.Triple]]) -> str:
    """One ``INSERT DATA`` with a ``GRAPH`` block per graph (N-Triples syntax inside)."""
    blocks = []
    for graph, triples in graphs.items():
        body = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        blocks.append(f"GRAPH {graph} {{\n{body}}}")
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


class RemoteStore(Store):
    """A SPARQL 1.1 server behind the :class:`graph.store.Store` interface.

    It is a subclass so that every function typed ``store: Store`` accepts it; it shares no
    state with the embedded store (no ``_ox``).

    Args:
        endpoint: the SPARQL query endpoint (``http://127.0.0.1:7878/query`` for Oxigraph).
        update_endpoint: the SPARQL Update endpoint; by default derived with
            :func:`default_update_endpoint`.
        graph_store: the Graph Store Protocol endpoint (``…/store`` on Oxigraph, ``…/data`` on
            Fuseki); when ``None``, graphs are written with SPARQL Update.
        read_only: refuse writes (and do not check the reference graph on opening).
        timeout: seconds to wait for one answer (connecting: at most 10 s).
        retries: attempts for a request whose connection fails (at least 1).
        backoff: seconds before the second attempt; doubled after each failure.
        transport: an httpx transport (tests).

    Raises:
        StoreError: the URLs are not http(s), or (opened for writing) the reference graph
            cannot be checked or written.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        update_endpoint: str | None = None,
        graph_store: str | None = None,
        read_only: bool = False,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.25,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        for url in (endpoint, update_endpoint, graph_store):
            if url is not None and not url.startswith(("http://", "https://")):
                raise StoreError(f"endpoint {url!r}: not an http(s) URL")
        self.path = None
        self.read_only = read_only
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or default_update_endpoint(endpoint)
        self.graph_store = graph_store
        self.timeout = timeout
        self.retries = max(1, retries)
        self.backoff = backoff
        self._union_checked = False
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": f"reformkg/{_version()}"},
            follow_redirects=True,
            transport=transport,
        )
        if not read_only:
            try:
                self.ensure_reference()
            except BaseException:
                self._client.close()
                raise

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint!r})"

    # -- HTTP -------------------------------------------------------------------------------
    def _request(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        """Send one request; retry connection failures; turn every failure into one line.

        Raises:
            StoreError: no connection after ``retries`` attempts, no answer in time, or an
                HTTP error status.
        """
        delay = self.backoff
        for attempt in range(1, self.retries + 1):
            try:
                response = self._client.request(method, url, **kwargs)
                break
            except _RETRYABLE as exc:
                if attempt == self.retries:
                    tries = f"{self.retries} tries" if self.retries > 1 else "1 try"
                    raise EndpointError(
                        f"endpoint {url}: cannot connect ({tries}): {type(exc).__name__}: "
                        f"{_first_line(str(exc)) or 'no answer'}; is the server running?",
                        status=503,
                    ) from None
                time.sleep(delay)
                delay *= 2
            except httpx.TimeoutException as exc:
                raise EndpointError(
                    f"endpoint {url}: no answer within {self.timeout:g} s while {what} "
                    f"({type(exc).__name__}); the server is slow or the query too expensive",
                    status=504,
                ) from None
            except httpx.HTTPError as exc:
                raise EndpointError(
                    f"endpoint {url}: {what} failed: {type(exc).__name__}: {_first_line(str(exc))}",
                    status=503,
                ) from None
        if response.status_code >= 400:
            detail = _first_line(response.text) or response.reason_phrase
            hint = ""
            if response.status_code in (401, 403):
                hint = " (credentials go in the URL: http://user:password@host/…)"
            elif response.status_code in (404, 405) and method != "POST":
                hint = " (is this the Graph Store Protocol URL?)"
            raise EndpointError(
                f"endpoint {url}: HTTP {response.status_code} while {what}: {detail}{hint}",
                http_status=response.status_code, detail=detail,
            )
        return response

    def _post_query(
        self,
        text: str,
        accept: str,
        *,
        name: str | None,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> httpx.Response:
        data: dict[str, str | list[str]] = {"query": text}
        if default_graphs:
            data["default-graph-uri"] = list(default_graphs)
        if named_graphs:
            data["named-graph-uri"] = list(named_graphs)
        try:
            return self._request(
                "POST", self.endpoint, f"running query {name!r}" if name else "querying",
                data=data, headers={"Accept": accept},
            )
        except EndpointError as exc:
            # SPARQL 1.1 Protocol §2.1.5: 400 means the server could not parse the query.
            if exc.http_status == 400:
                raise QuerySyntaxError(f"rejected by {self.endpoint}: {exc.detail}",
                                       name=name) from None
            raise

    def _update(self, update: str, what: str) -> None:
        self._request(
            "POST", self.update_endpoint, what, content=update.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )

    def _writable(self, what: str) -> None:
        if self.read_only:
            raise StoreError(f"endpoint {self.endpoint}: opened read-only; cannot {what}")

    # -- reading ----------------------------------------------------------------------------
    def query(self, sparql: str, *, name: str | None = None, **kwargs: Any) -> Any:
        """Run a SPARQL query on the server; returns what the embedded store would.

        Keyword arguments are those of :meth:`pyoxigraph.Store.query` that callers use:
        ``substitutions`` (a trailing ``VALUES``), ``default_graph`` and ``named_graphs``
        (protocol ``default-graph-uri`` / ``named-graph-uri``), ``use_default_graph_as_union``
        (ignored: the server's setting decides, see the module docstring).

        Raises:
            QuerySyntaxError: the query does not parse (locally, or the server says 400).
            StoreError: the server cannot be reached, is too slow, answers an error, or does
                not use the union of its named graphs as the default graph.
        """
        substitutions = kwargs.pop("substitutions", None)
        default_graph = kwargs.pop("default_graph", None)
        named_graphs = kwargs.pop("named_graphs", None)
        kwargs.pop("use_default_graph_as_union", None)
        if kwargs:
            raise TypeError(f"RemoteStore.query: unsupported arguments {sorted(kwargs)}")
        form = self._form(sparql, name)
        text = _with_prefixes(sparql)
        if substitutions:
            text = _with_values(text, substitutions)
        defaults = [g.value if isinstance(g, ox.NamedNode) else str(g)
                    for g in (default_graph or []) if not isinstance(g, ox.DefaultGraph)]
        named = [g.value if isinstance(g, ox.NamedNode) else str(g) for g in (named_graphs or [])]
        if not defaults:
            self._check_union_default_graph()
        return self._send(text, form, name=name, default_graphs=defaults, named_graphs=named)

    @staticmethod
    def _form(sparql: str, name: str | None) -> str:
        """``select``, ``ask`` or ``graph``, from a local parse (errors read as embedded)."""
        try:
            result = ox.Store().query(sparql, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc), name=name) from None
        except OSError as exc:  # an ASK is evaluated at once: a SERVICE call failed
            raise StoreError(f"query evaluation failed: {exc}") from None
        if isinstance(result, ox.QuerySolutions):
            return "select"
        if isinstance(result, ox.QueryBoolean):
            return "ask"
        return "graph"

    def _send(
        self,
        text: str,
        form: str,
        *,
        name: str | None,
        default_graphs: Iterable[str] = (),
        named_graphs: Iterable[str] = (),
    ) -> Any:
        accept = _GRAPH_ACCEPT if form == "graph" else _RESULTS_ACCEPT
        response = self._post_query(text, accept, name=name, default_graphs=default_graphs,
                                    named_graphs=named_graphs)
        media = _media_type(response)
        _refuse_dtd(self.endpoint, media, response.content)
        try:
            if form == "graph":
                rdf = ox.RdfFormat.from_media_type(media) or _EXTRA_RDF_TYPES.get(media)
                if rdf is None:
                    raise StoreError(f"endpoint {self.endpoint}: answered {media!r}, not RDF")
                return list(ox.parse(response.content, format=rdf))
            results = ox.QueryResultsFormat.from_media_type(media) or _EXTRA_RESULT_TYPES.get(media)
            if results is None:
                raise StoreError(
                    f"endpoint {self.endpoint}: answered {media!r}, not SPARQL results"
                )
            return ox.parse_query_results(response.content, format=results)
        except SyntaxError as exc:
            raise StoreError(
                f"endpoint {self.endpoint}: unreadable {media} answer: {_first_line(str(exc))}"
            ) from None

    def _select_raw(self, text: str) -> list[dict[str, Any]]:
        """An internal SELECT that names its graphs (no union check, no rewriting)."""
        solutions = self._send(text, "select", name=None)
        names = [v.value for v in solutions.variables]
        return [{n: row[n] for n in names} for row in solutions]

    def _check_union_default_graph(self) -> None:
        """Once: a typed resource of a named graph must be visible without ``GRAPH``."""
        if self._union_checked:
            return
        rows = self._select_raw(
            f"SELECT ?s ?o WHERE {{ GRAPH ?g {{ ?s <{_RDF_TYPE}> ?o }} "
            "FILTER(isIRI(?s) && isIRI(?o)) } LIMIT 1"
        )
        if not rows:
            return  # nothing stored yet: ask again next time
        s, o = rows[0]["s"], rows[0]["o"]
        visible = self._send(f"ASK {{ {s} <{_RDF_TYPE}> {o} }}", "ask", name=None)
        if not bool(visible):
            raise StoreError(
                f"endpoint {self.endpoint}: its default graph is not the union of its named "
                "graphs, so queries would find nothing; start Oxigraph with "
                "`oxigraph serve --union-default-graph`, or set tdb2:unionDefaultGraph true on "
                "Fuseki (README: Using another SPARQL server)"
            )
        self._union_checked = True

    def quad_count(self) -> int:
        """Quads in the named graphs (one COUNT query; slow on very large servers)."""
        rows = self._select_raw("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"].value) if rows else 0

    def source_hash(self, source_iri: str) -> str | None:
        """The content hash stored with a source, or None when it is not on the server."""
        g = ox.NamedNode(source_iri)
        rows = self._select_raw(
            f"SELECT ?h WHERE {{ GRAPH {g} {{ {g} <{RKG.contentHash}> ?h }} }} LIMIT 1"
        )
        return str(rows[0]["h"].value) if rows else None

    def sources(self) -> list[str]:
        """Named graphs that hold their own ``rkg:Source`` (the reference graph is not one)."""
        rows = self._select_raw(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g <{_RDF_TYPE}> <{RKG.Source}> }} }}"
        )
        return sorted(r["g"].value for r in rows)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """The quads of one named graph (Graph Store ``GET`` when available), or of all."""
        if graph is not None:
            g = ox.NamedNode(graph)
            if self.graph_store:
                response = self._request(
                    "GET", self.graph_store, f"reading graph {g}", params={"graph": graph},
                    headers={"Accept": _NTRIPLES},
                )
                media = _media_type(response)
                _refuse_dtd(self.graph_store, media, response.content)
                rdf = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.N_TRIPLES
                triples = ox.parse(response.content, format=rdf)
                return iter([ox.Quad(t.subject, t.predicate, t.object, g) for t in triples])
            rows = self._select_raw(f"SELECT ?s ?p ?o WHERE {{ GRAPH {g} {{ ?s ?p ?o }} }}")
            return iter([ox.Quad(r["s"], r["p"], r["o"], g) for r in rows])
        rows = self._select_raw("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return iter([ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows])

    def dump(self, output: Any, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> None:
        """Write every quad of the named graphs to ``output``."""
        ox.serialize(list(self.quads()), output, format=fmt)

    # -- writing ----------------------------------------------------------------------------
    def replace_graph(self, graph_iri: str, quads: Iterable[ox.Quad]) -> None:
        """Replace one named graph by ``quads`` in one request (atomic on the server).

        Raises:
            StoreError: the request failed; the server keeps the previous graph.
        """
        self._writable(f"write graph <{graph_iri}>")
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        what = f"writing graph <{graph_iri}>"
        if self.graph_store:
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            self._request(
                "PUT", self.graph_store, what, params={"graph": graph_iri}, content=body,
                headers={"Content-Type": _NTRIPLES},
            )
            return
        g = ox.NamedNode(graph_iri)
        self._update(f"DROP SILENT GRAPH {g} ;\n{_insert_data({g: triples})}", what)

    def remove_graph(self, graph_iri: str) -> None:
        """Drop one named graph; a graph that is not there is no error."""
        self._writable(f"remove graph <{graph_iri}>")
        what = f"removing graph <{graph_iri}>"
        if self.graph_store:
            try:
                self._request("DELETE", self.graph_store, what, params={"graph": graph_iri})
            except EndpointError as exc:
                if exc.http_status != 404:
                    raise
            return
        self._update(f"DROP SILENT GRAPH {ox.NamedNode(graph_iri)}", what)

    def add_graphs(self, nquads: bytes) -> None:
        """Add N-Quads to their named graphs in one SPARQL Update request: all or nothing.

        (The embedded store's inherited fallback would *replace* each graph, which is wrong for
        the fingerprint markers that the loader adds to graphs it has just bulk-written.)

        Raises:
            StoreError: the request failed; nothing was written.
        """
        self._writable("add graphs")
        by_graph = _by_graph(nquads)
        if by_graph:
            self._update(_insert_data(by_graph), f"adding {len(by_graph)} graph(s)")

    def bulk_add_graphs(self, nquads: bytes) -> None:
        """Add many N-Quads in requests of about ``BULK_REQUEST_QUADS`` quads each.

        A graph is never split across requests (its blank nodes must stay in one request), so
        each graph is written whole or not at all, but the batch as a whole is not atomic, as
        with the embedded bulk loader (api.loader writes the completion markers afterwards).

        Raises:
            StoreError: a request failed; the graphs of earlier requests are stored.
        """
        self._writable("add graphs")
        batch: dict[ox.NamedNode, list[ox.Triple]] = {}
        size = 0
        for graph, triples in _by_graph(nquads).items():
            if batch and size + len(triples) > BULK_REQUEST_QUADS:
                self._update(_insert_data(batch), f"adding {len(batch)} graph(s)")
                batch, size = {}, 0
            batch[graph] = triples
            size += len(triples)
        if batch:
            self._update(_insert_data(batch), f"adding {len(batch)} graph(s)")

    def _stored_reference_version(self) -> str | None:
        g = ox.NamedNode(self._reference_graph())
        rows = self._select_raw(
            f"SELECT ?v WHERE {{ GRAPH {g} {{ {g} <{RKG.referenceVersion}> ?v }} }}"
        )
        return str(rows[0]["v"].value) if len(rows) == 1 else None

    def flush(self) -> None:
        """Nothing to do: the server commits each request."""

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()
