"""``GET|POST /sparql``: the SPARQL 1.1 Protocol, read-only, answered by pyoxigraph.

* query via GET (``?query=``), POST form (``query=``) or POST direct (``application/sparql-query``);
* ``default-graph-uri`` / ``named-graph-uri`` set the dataset; otherwise the default graph is
  the union of all named graphs;
* the format comes from ``Accept`` (q-values honoured) or ``format=`` (``json``, ``xml``,
  ``csv``, ``tsv``, ``turtle``, ``ntriples``, ``jsonld``, ``rdfxml`` or a media type);
* updates are refused (403) and ``SERVICE`` only reaches allow-listed endpoints;
* a query still running at its deadline is stopped (503 ``QueryTimeout``); when every query
  worker is busy and the waiting room is full, 503 ``Busy`` with ``Retry-After``;
* a bare GET returns the service description (SPARQL 1.1 Service Description + VoID);
* the row cap and the timeout are reported: ``X-Reformkg-Truncated``/``X-Reformkg-Row-Limit``
  headers, and a 503 JSON error naming the timeout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request, Response

from api.settings import Settings
from graph.store import Store
from ontology import REFERENCE_GRAPH

from .deps import RunnerDep, SettingsDep, StoreDep, read_body
from .errors import BadRequest, NotAcceptable, UnsupportedMediaType, UpdateRefused
from .protocol import GRAPH_FORMATS, SOLUTION_FORMATS, ResultFormat, choose_format, prefixes_for
from .runner import FormatChoice, QueryRunner

__all__ = ["router", "sparql_response"]

router = APIRouter(tags=["SPARQL"])

_SD = "http://www.w3.org/ns/sparql-service-description#"
_VOID = "http://rdfs.org/ns/void#"
_FORMATS = "http://www.w3.org/ns/formats/"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_RDFS_COMMENT = _RDFS + "comment"
_XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "jsonld": "JSON-LD",
    "rdfxml": "RDF_XML",
}
_FORMAT_HELP = (
    "json, xml, csv, tsv (SELECT/ASK); turtle, ntriples, jsonld, rdfxml (CONSTRUCT/DESCRIBE); "
    "or a media type. Overrides Accept."
)
_POST_TYPES = ("application/x-www-form-urlencoded", "application/sparql-query")


def _sd(term: str) -> ox.NamedNode:
    return ox.NamedNode(_SD + term)


def _void(term: str) -> ox.NamedNode:
    return ox.NamedNode(_VOID + term)


def _one(values: Sequence[str], name: str) -> str | None:
    if len(values) > 1:
        raise BadRequest(f"{len(values)} `{name}` parameters: send exactly one")
    return values[0] if values else None


def _format_token(value: str) -> str:
    """The first name in a comma-separated ``format`` value that names a result format."""
    candidates = [c.strip() for c in value.split(",") if c.strip()]
    for candidate in candidates:
        for offers in (SOLUTION_FORMATS, GRAPH_FORMATS):
            try:
                choose_format(None, candidate, offers)
            except NotAcceptable:
                continue
            return candidate
    return candidates[0] if candidates else value.strip()


def _one_format(values: Sequence[str]) -> str | None:
    """The one ``format`` a request asks for.

    SPARQLWrapper names some formats twice, the second time as a media-type list
    (``format=tsv&format=text/tab-separated-values``,
    ``format=json-ld&format=application/ld+json,application/x-json+ld``): values that pick the
    same result format count as one. Two different formats are a 400.

    Raises:
        BadRequest: the values name different formats.
    """
    distinct = list(dict.fromkeys(_format_token(v) for v in values if v.strip()))
    if len(distinct) <= 1:
        return distinct[0] if distinct else None
    for offers in (SOLUTION_FORMATS, GRAPH_FORMATS):
        picked: set[str | None] = set()
        for value in distinct:
            try:
                picked.add(choose_format(None, value, offers).name)
            except NotAcceptable:
                picked.add(None)
        if len(picked) > 1:
            raise BadRequest(
                f"{len(values)} `format` parameters naming different formats "
                f"({', '.join(distinct)}): send one"
            )
    return distinct[0]


async def sparql_response(
    runner: QueryRunner,
    query: str,
    *,
    accept: str | None,
    format_param: str | None,
    name: str | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    substitutions: Mapping[ox.Variable, ox.NamedNode | ox.Literal] | None = None,
) -> Response:
    """Run ``query`` and answer with pyoxigraph's serialization and the row-cap headers.

    Raises:
        UpdateRefused, ServiceRefused, NotAcceptable, QueryTimeout, Busy, QuerySyntaxError,
        StoreError: see :meth:`api.routes.runner.QueryRunner.run`.
    """
    if format_param is not None:
        # Fail fast on a format no form of query can use (before running anything).
        offers = (*SOLUTION_FORMATS, *GRAPH_FORMATS)
        choose_format(None, format_param, offers)

    answer = await runner.run(
        query,
        FormatChoice(accept, format_param),
        name=name,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        substitutions=substitutions,
    )
    headers = {"Vary": "Accept", **answer.headers()}
    return Response(answer.body, media_type=answer.format.content_type, headers=headers)


@router.get(
    "/sparql",
    summary="SPARQL query (GET) or the service description (bare GET)",
    response_class=Response,
)
async def sparql_get(
    request: Request,
    runner: RunnerDep,
    store: StoreDep,
    settings: SettingsDep,
    query: Annotated[str | None, Query(description="SPARQL 1.1 query")] = None,
    format: Annotated[str | None, Query(description=_FORMAT_HELP)] = None,
    default_graph_uri: Annotated[list[str], Query(alias="default-graph-uri")] = [],  # noqa: B006
    named_graph_uri: Annotated[list[str], Query(alias="named-graph-uri")] = [],  # noqa: B006
) -> Response:
    params = request.query_params
    if params.getlist("update"):
        raise UpdateRefused()
    text = _one(params.getlist("query"), "query")
    if text is None:
        endpoint = str(request.url.replace(query="", fragment=""))
        body, fmt = await runner.call(
            service_description, endpoint, request.headers.get("accept"), store, settings
        )
        return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})
    return await sparql_response(
        runner,
        text,
        accept=request.headers.get("accept"),
        format_param=_one_format(params.getlist("format")) if format is not None else None,
        default_graphs=default_graph_uri,
        named_graphs=named_graph_uri,
    )


@router.post(
    "/sparql",
    summary="SPARQL query (POST form or POST direct)",
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {"query": {"type": "string"}},
                        "required": ["query"],
                    }
                },
                "application/sparql-query": {"schema": {"type": "string"}},
            }
        }
    },
)
async def sparql_post(request: Request, runner: RunnerDep, settings: SettingsDep) -> Response:
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";", 1)[0].strip().lower()
    charset = "utf-8"
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    if media_type == "application/sparql-update":
        raise UpdateRefused()
    if media_type not in _POST_TYPES:
        raise UnsupportedMediaType(media_type, _POST_TYPES)
    body = await read_body(request, settings.max_body_bytes)
    url_params = request.query_params
    try:
        if media_type == "application/sparql-query":
            text = body.decode(charset)
            fields: dict[str, list[str]] = {}
        else:
            fields = parse_qs(body.decode(charset), keep_blank_values=True, encoding=charset)
            text = ""
    except (UnicodeDecodeError, LookupError) as exc:
        raise BadRequest(f"cannot decode the request body as {charset}: {exc}") from None
    if fields.get("update") or url_params.getlist("update"):
        raise UpdateRefused()
    if media_type == "application/x-www-form-urlencoded":
        text = _one(fields.get("query", []), "query") or ""
        if not text.strip():
            raise BadRequest("POST form without a `query` field")
    elif not text.strip():
        raise BadRequest("POST application/sparql-query with an empty body")
    fmt = _one_format(fields.get("format", [])) or _one_format(url_params.getlist("format"))
    default_graphs = fields.get("default-graph-uri", []) or url_params.getlist("default-graph-uri")
    named_graphs = fields.get("named-graph-uri", []) or url_params.getlist("named-graph-uri")
    return await sparql_response(
        runner,
        text,
        accept=request.headers.get("accept"),
        format_param=fmt,
        default_graphs=default_graphs,
        named_graphs=named_graphs,
    )


def service_description(
    endpoint_url: str, accept: str | None, store: Store, settings: Settings
) -> tuple[bytes, ResultFormat]:
    """SPARQL 1.1 Service Description with a VoID description of the dataset.

    Counting the store's quads reads it all (Oxigraph keeps no count), so this runs in the
    query pool, not on the event loop.
    """
    try:
        fmt = choose_format(accept, None, GRAPH_FORMATS)
    except NotAcceptable:
        fmt = GRAPH_FORMATS[0]
    if accept and "text/html" in accept:
        fmt = GRAPH_FORMATS[0]  # a browser: Turtle is the readable one
    endpoint = ox.NamedNode(endpoint_url)
    a = ox.NamedNode(_RDF_TYPE)
    dataset, default_graph = ox.BlankNode(), ox.BlankNode()
    triples = [
        ox.Triple(endpoint, a, _sd("Service")),
        ox.Triple(endpoint, _sd("endpoint"), endpoint),
        ox.Triple(endpoint, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(endpoint, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(endpoint, _sd("defaultEntailmentRegime"),
                  ox.NamedNode("http://www.w3.org/ns/entailment/Simple")),
        ox.Triple(endpoint, ox.NamedNode(_RDFS_COMMENT), ox.Literal(
            f"Read-only reformkg endpoint (pyoxigraph). The default graph is the union of all "
            f"named graphs. Answers are capped at {settings.max_rows} rows (reported in the "
            f"X-Reformkg-Truncated and X-Reformkg-Row-Limit headers); queries time out after "
            f"{settings.query_timeout:g} s (503).", language="en")),
        ox.Triple(endpoint, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, a, _sd("Dataset")),
        ox.Triple(dataset, a, _void("Dataset")),
        ox.Triple(dataset, _void("sparqlEndpoint"), endpoint),
        ox.Triple(dataset, _void("triples"), ox.Literal(str(store.quad_count()),
                                                       datatype=ox.NamedNode(_XSD_INTEGER))),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, a, _sd("Graph")),
    ]
    if settings.service_allowlist:
        triples.append(ox.Triple(endpoint, _sd("feature"), _sd("BasicFederatedQuery")))
    for offer in (*SOLUTION_FORMATS, *GRAPH_FORMATS):
        triples.append(ox.Triple(endpoint, _sd("resultFormat"),
                                 ox.NamedNode(_FORMATS + _FORMAT_IRIS[offer.name])))
    for graph_iri in (str(REFERENCE_GRAPH), *store.sources()):
        named = ox.BlankNode()
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named),
            ox.Triple(named, a, _sd("NamedGraph")),
            ox.Triple(named, _sd("name"), ox.NamedNode(graph_iri)),
        ]
    prefixes = {"sd": _SD, "void": _VOID, "formats": _FORMATS, "rdfs": _RDFS}
    body = ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes_for(fmt, prefixes))
    return body or b"", fmt
