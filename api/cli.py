"""The ``reformkg`` command line: ingest, facts, connections, validate, query, graph, serve, demo.

Each command is a thin wrapper around plain functions of ``ingest``, ``graph`` and
``api.loader``. Exit codes follow pySHACL: 0 ok / conforms, 1 the data does not conform,
2 our error (bad input, bad query, unusable store), printed as one line on stderr.
"""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from graph.errors import GraphError
from ingest.errors import IngestError

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_STORE = "./reformkg-data"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class CliError(Exception):
    """A usage problem found by the command line itself (exit 2)."""


def _fail(exc: BaseException) -> None:
    msg = getattr(exc, "message", None) or str(exc)
    click.echo(f"reformkg: error: {type(exc).__name__}: {msg.splitlines()[0] if msg else ''}", err=True)
    sys.exit(2)


def handle_errors(fn: F) -> F:
    """Our errors become one line on stderr and exit 2; never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (GraphError, IngestError, CliError) as exc:
            _fail(exc)
        except (OSError, RuntimeError) as exc:
            # pyoxigraph reports damaged store files ("Corruption: …", "IO error: …") while
            # results are read, outside graph.store's wrappers: one line too (issue 7).
            if not str(exc).startswith(("Corruption", "IO error")):
                raise
            from graph.errors import StoreError

            _fail(StoreError(f"the store failed while reading: {str(exc).splitlines()[0]} "
                             "(rebuild it with `reformkg ingest` into a fresh --store)"))
        except KeyboardInterrupt:
            click.echo("reformkg: interrupted", err=True)
            sys.exit(130)
        return None

    return wrapper  # type: ignore[return-value]


_REMOTE_META = "reformkg.remote"


def store_options(fn: F) -> F:
    """``--store DIR`` or ``--endpoint URL`` (+ ``--update-endpoint``, ``--graph-store``,
    ``--endpoint-timeout``) on a command.

    The command function receives ``store_dir`` and ``endpoint``; the other remote options are
    kept in the click context for :func:`_open`, so commands need not pass them along.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, update_endpoint: str | None = None, graph_store: str | None = None,
                endpoint_timeout: float = 60.0, **kwargs: Any) -> Any:
        click.get_current_context().meta[_REMOTE_META] = {
            "update_endpoint": update_endpoint, "graph_store": graph_store,
            "timeout": endpoint_timeout,
        }
        return fn(*args, **kwargs)

    wrapper.__click_params__ = list(getattr(fn, "__click_params__", []))  # type: ignore[attr-defined]
    options = [
        click.option("--endpoint-timeout", type=float, default=60.0, show_default=True,
                     envvar="REFORMKG_ENDPOINT_TIMEOUT", metavar="SECONDS",
                     help="Seconds to wait for one answer of the --endpoint server."),
        click.option("--graph-store", metavar="URL", envvar="REFORMKG_GRAPH_STORE",
                     help="Graph Store Protocol URL of the --endpoint server (writes use PUT; "
                          "without it, SPARQL Update). Env REFORMKG_GRAPH_STORE."),
        click.option("--update-endpoint", metavar="URL", envvar="REFORMKG_UPDATE_ENDPOINT",
                     help="SPARQL Update URL of the --endpoint server (default: …/query → "
                          "…/update, else the endpoint). Env REFORMKG_UPDATE_ENDPOINT."),
        click.option("--endpoint", metavar="URL", envvar="REFORMKG_ENDPOINT",
                     help="A SPARQL 1.1 server instead of the embedded store, e.g. "
                          "http://127.0.0.1:7878/query (env REFORMKG_ENDPOINT; README: Using "
                          "another SPARQL server)."),
        click.option("--store", "store_dir", metavar="DIR", envvar="REFORMKG_STORE",
                     default=DEFAULT_STORE, show_default=True,
                     help="Directory of the embedded store (env REFORMKG_STORE)."),
    ]
    decorated: Any = wrapper
    for option in options:
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


def _remote_options() -> dict[str, Any]:
    ctx = click.get_current_context(silent=True)
    found = ctx.find_root().meta.get(_REMOTE_META) if ctx is not None else None
    return dict(found) if found else {"update_endpoint": None, "graph_store": None, "timeout": 60.0}


def _open(store_dir: str, endpoint: str | None, *, write: bool,
          timeout: float | None = None) -> Any:
    """The store a command works on: the ``--endpoint`` server, or the ``--store`` directory.

    Raises:
        CliError: reading from a store directory that does not exist.
        StoreError: the store cannot be opened (for writing: its reference graph written).
    """
    from graph.store import Store, open_store

    if endpoint:
        remote = _remote_options()
        if timeout is not None:
            remote["timeout"] = timeout
        return open_store(endpoint=endpoint, read_only=not write, **remote)
    path = Path(store_dir)
    if not write:
        if not path.exists():
            raise CliError(f"no store at {path}; create one with `reformkg ingest --store {path} FILE…`")
        store = Store(path, read_only=True)
        if store.unfinished:
            click.echo(f"reformkg: note: {len(store.unfinished)} source(s) in {path} are incomplete "
                       "(an interrupted bulk ingest); the next `reformkg ingest` removes and "
                       "rewrites them", err=True)
        return store
    store = Store(path)
    if store.recovered:
        click.echo(f"reformkg: note: removed {len(store.recovered)} source(s) an interrupted bulk "
                   "ingest left incomplete; they are written again when ingested", err=True)
    return store


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="reformkg")
def main() -> None:
    """Build and query a knowledge graph of Vietnamese administrative-reform (CCHC) facts.

    \b
    text / HTML / JSONL → facts with provenance → RDF (one named graph per source)
      → SHACL checks → SPARQL, tables and system-network views
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_options
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes for extraction  [default: every core; one for < 48 documents]")
@click.option("--validate/--no-validate", default=False, show_default=True,
              help="Check each new source against the SHACL shapes as it is written (fast SPARQL "
                   "path); findings are summarized. `reformkg validate` checks the whole store.")
@click.option("--bulk/--no-bulk", default=None,
              help="Write new sources with Oxigraph's bulk loader (faster; an interrupted load is "
                   "undone when the store is next opened), or one transaction per source  "
                   "[default: bulk for >= 48 new documents into a store holding none of them]")
@click.option("--optimize/--no-optimize", default=None,
              help="Compact the embedded store after the run: queries read fewer, larger files "
                   "(10-40% faster at 1M-2M quads; ~3 s a million quads)  [default: when the bulk "
                   "loader wrote at least a quarter of the store]")
@handle_errors
def ingest(paths: tuple[Path, ...], store_dir: str, endpoint: str | None, quiet: bool,
           jobs: int | None, validate: bool, bulk: bool | None, optimize: bool | None) -> None:
    """Ingest .txt, .html or .jsonl files (or directories of them).

    JSONL lines are {"id", "text", "url"?, "title"?, "date"?, "publisher"?, "author"?}; a JSONL
    corpus is streamed, so it may be any size. Ingesting the same source again changes nothing;
    a changed source replaces its graph. An unreadable file or record is reported with its
    place and the rest is ingested (exit 2 at the end).

    \b
    Example:
      reformkg ingest --store data examples/
      reformkg ingest --store data --jobs 8 corpus.jsonl
    """
    import itertools

    from ingest.read import count_sources, iter_sources

    stream = iter_sources(list(paths))
    # read up to the first usable source before opening (and perhaps creating) the store:
    # input with nothing usable in it leaves no store behind
    head: list[Any] = []
    for item in stream:
        head.append(item)
        if not isinstance(item, Exception):
            break
    if not any(not isinstance(i, Exception) for i in head):
        for bad in head:
            click.echo(f"reformkg: error: {bad}", err=True)
        sys.exit(2)
    from api.loader import _run

    total = count_sources(list(paths))
    store = _open(store_dir, endpoint, write=True)
    summary = _run(store, itertools.chain(head, stream), total, None if quiet else _progress,
                   jobs=jobs, bulk=bulk, validate=validate, optimize=optimize,
                   notify=None if quiet else _notify)
    for _where, message in summary.failures:
        click.echo(f"reformkg: error: {message}", err=True)
    click.echo(
        f"ingested {summary.documents} documents ({summary.unchanged} unchanged): "
        f"{summary.facts} facts, {summary.connections} connections; "
        f"store {endpoint or store_dir}: {summary.quads_before} → {summary.quads_after} quads"
    )
    if validate:
        click.echo(f"checked {summary.documents} new sources: {summary.violations} violations, "
                   f"{summary.warnings} warnings" + ("; see `reformkg validate`" if summary.findings else ""))
    if summary.compacted_s is not None:
        click.echo(f"compacted the store in {summary.compacted_s:.1f} s")
    if summary.compact_error is not None:
        click.echo(f"reformkg: warning: {summary.compact_error}; the ingested sources are "
                   "complete, queries may be slower until the store is compacted (run the same "
                   "ingest again with --optimize)", err=True)
    store.close()
    if summary.failures:
        sys.exit(2)


def _notify(line: str) -> None:
    """A step of a long command that has no progress bar, said before it starts."""
    click.echo(f"reformkg: {line} …", err=True)


def _progress(items: Iterable[Any], total: int | None) -> Iterable[Any]:
    from tqdm import tqdm

    return tqdm(items, total=total, unit="doc", desc="ingest", file=sys.stderr,
                disable=total is not None and total < 2)


_ROWS = click.Choice(["table", "jsonl", "csv"])


@main.command()
@store_options
@click.option("--format", "fmt", type=_ROWS, default="table", show_default=True)
@click.option("--source", "source_id", help="Only this source id.")
@click.option("--indicator", help="Only this indicator (slug or IRI).")
@click.option("--place", help="Only this place (IRI).")
@click.option("--period", help="Only this period label (2025-Q1, 2024, …).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE instead of stdout.")
@handle_errors
def facts(store_dir: str, endpoint: str | None, fmt: str, source_id: str | None, indicator: str | None,
          place: str | None, period: str | None, output: Path | None) -> None:
    """Every observation: value (base unit), unit, kind, qualifier, indicator, subject, place,
    period, and where it was read (surface, start, end, sentence)."""
    from graph.export import FACT_COLUMNS, facts_rows, write_rows

    store = _open(store_dir, endpoint, write=False)
    rows = facts_rows(store, source_id=source_id, indicator=indicator, place=place, period=period)
    write_rows(rows, fmt, output or sys.stdout, FACT_COLUMNS)


@main.command()
@store_options
@click.option("--format", "fmt", type=_ROWS, default="table", show_default=True)
@click.option("--source", "source_id", help="Only this source id.")
@click.option("-o", "--output", type=click.Path(path_type=Path))
@handle_errors
def connections(store_dir: str, endpoint: str | None, fmt: str, source_id: str | None, output: Path | None) -> None:
    """Every system connection, named or grouped (count and level), with its status."""
    from graph.export import CONNECTION_COLUMNS, connections_rows, write_rows

    store = _open(store_dir, endpoint, write=False)
    write_rows(connections_rows(store, source_id=source_id), fmt, output or sys.stdout, CONNECTION_COLUMNS)


@main.command()
@store_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text", show_default=True)
@click.option("--source", "sources", multiple=True, help="Only this source id (repeatable).")
@handle_errors
def validate(store_dir: str, endpoint: str | None, fmt: str, sources: tuple[str, ...]) -> None:
    """Check the graph against ontology/shapes.ttl. Exit 0 conforms, 1 findings, 2 could not validate."""
    import json

    from graph.validate import validate as run_validation
    from ingest.to_rdf import source_iri

    store = _open(store_dir, endpoint, write=False)
    report = run_validation(store, sources=[source_iri(s) for s in sources] or None)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    elif fmt == "turtle":
        click.echo(report.to_turtle())
    else:
        click.echo(report.to_text(), nl=False)
    sys.exit(0 if report.conforms else 1)


@main.command()
@click.argument("query", required=False)
@store_options
@click.option("--file", "-f", "file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Read the query from FILE.")
@click.option("--name", "-n", help="Run a named query of graph/queries (see --list).")
@click.option("--list", "list_", is_flag=True, help="List the named queries.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld"]),
              default="table", show_default=True)
@handle_errors
def query(query: str | None, store_dir: str, endpoint: str | None, file: Path | None, name: str | None,
          list_: bool, fmt: str) -> None:
    """Run SPARQL: QUERY as text, --file FILE, or --name NAME of a named query.

    \b
    Examples:
      reformkg query 'SELECT (COUNT(*) AS ?n) WHERE { ?o a rkg:Observation }'
      reformkg query --name ontime_rates_ranked --format csv
    """
    from graph import queries

    if list_:
        for n in queries.names():
            q = queries.load(n)
            click.echo(f"{n:32} {q.summary_en}")
        return
    if name:
        text, qname = queries.load(name).text, name
    elif file:
        text, qname = file.read_text(encoding="utf-8"), str(file)
    elif query:
        if query in queries.names():
            text, qname = queries.load(query).text, query
        else:
            text, qname = query, None
    else:
        raise CliError("give a query: QUERY, --file FILE or --name NAME (see --list)")
    store = _open(store_dir, endpoint, write=False)
    result = store.query(text, name=qname)
    click.echo(_format_result(result, fmt), nl=False)


def _format_result(result: Any, fmt: str) -> str:
    import pyoxigraph as ox

    from graph.export import write_rows
    from graph.store import to_python

    if isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            cols = [v.value for v in result.variables]
            rows = [{c: to_python(r[c]) for c in cols} for r in result]
            import io

            buf = io.StringIO()
            write_rows(rows, "table", buf, cols)
            return buf.getvalue()
        rf = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
              "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}.get(fmt)
        if rf is None:
            raise CliError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; a SELECT gives table, csv, tsv, json or xml")
        return result.serialize(format=rf).decode("utf-8")
    if isinstance(result, ox.QueryBoolean):
        if fmt in ("json", "xml"):
            rf = ox.QueryResultsFormat.JSON if fmt == "json" else ox.QueryResultsFormat.XML
            return result.serialize(format=rf).decode("utf-8")
        return ("true" if bool(result) else "false") + "\n"
    rdf = {"turtle": ox.RdfFormat.TURTLE, "table": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
           "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}.get(fmt)
    if rdf is None:
        raise CliError(f"--format {fmt} is for SELECT; a CONSTRUCT gives turtle, ntriples, jsonld or xml")
    from ontology import PREFIXES

    kwargs = {"prefixes": PREFIXES} if rdf == ox.RdfFormat.TURTLE else {}
    return ox.serialize(result, format=rdf, **kwargs).decode("utf-8")


@main.command(name="graph")
@store_options
@click.option("--format", "fmt",
              type=click.Choice(
                  ["graphml", "gexf", "cytoscape", "dot", "csv", "svg", "png", "json"]),
              default=None,
              help="Network file format [default: graphml]; with --measures/--matrix: csv or json "
                   "instead of the text table.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Output file (stdout for text formats).")
@click.option("--province",
              help="Only connections touching systems of this province (name, slug or IRI).")
@click.option("--level",
              help="Only connections touching a node of this level (national, provincial, …).")
@click.option("--include-planned/--operational-only", default=True, show_default=True,
              help="Keep or drop planned connections.")
@click.option("--as-of", "as_of", metavar="PERIOD",
              help="Only connections reported in periods ending on or before PERIOD "
                   "(2025-Q1, 2025-06, 'quý I/2025').")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Label language.")
@click.option("--measures", is_flag=True,
              help="Print degree, betweenness, components, hubs, reported-vs-named gaps "
                   "and operational/planned shares.")
@click.option("--matrix", is_flag=True, help="Print the province × national-platform matrix.")
@click.option("--agencies", is_flag=True,
              help="The agency hierarchy (W3C ORG) instead of the system network.")
@handle_errors
def graph_cmd(store_dir: str, endpoint: str | None, fmt: str | None, output: Path | None,
              province: str | None, level: str | None, include_planned: bool, as_of: str | None,
              lang: str, measures: bool, matrix: bool, agencies: bool) -> None:
    """The system-interconnection network: GraphML, GEXF, Cytoscape JSON, DOT, CSV, SVG or PNG;
    its measures (--measures) or the province × platform matrix (--matrix).

    \b
    Examples:
      reformkg graph --format gexf -o systems.gexf
      reformkg graph --format png -o systems.png --province "Vĩnh Phúc" --lang en
      reformkg graph --measures --as-of 2025-Q3
      reformkg graph --matrix --operational-only
    """
    import io
    import json

    views_chosen = [name for name, on in (("--measures", measures), ("--matrix", matrix),
                                          ("--agencies", agencies)) if on]
    if len(views_chosen) > 1:
        raise CliError(f"choose one of {', '.join(views_chosen)}")
    store = _open(store_dir, endpoint, write=False)

    def emit(text: str) -> None:
        if output is None:
            click.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            click.echo(f"wrote {output}", err=True)

    if agencies:
        from graph.network_export import write_agencies
        from graph.views import agency_hierarchy

        if province or level or as_of or not include_planned:
            raise CliError("--agencies takes no network filters (--province, --level, --as-of, "
                           "--operational-only)")
        written = write_agencies(agency_hierarchy(store), fmt or "graphml", output or sys.stdout,
                                 lang=lang)
        for p in written:
            click.echo(f"wrote {p}", err=True)
        return
    if matrix:
        from graph.matrix import (
            MATRIX_COLUMNS,
            matrix_rows,
            matrix_table,
            province_platform_matrix,
        )

        if level:
            raise CliError("--matrix has no --level: its columns are the national platforms")
        m = province_platform_matrix(store, province=province, include_planned=include_planned,
                                     as_of=as_of)
        if fmt in (None, "csv", "json"):
            rows = matrix_rows(m, lang=lang)
            if fmt is None:
                emit(matrix_table(m, lang=lang))
            elif fmt == "json":
                emit(json.dumps({"filters": m.filters, "sources": m.sources,
                                 "grouped_national": m.grouped_national, "rows": rows},
                                ensure_ascii=False, indent=2) + "\n")
            else:
                from graph.export import write_rows

                buf = io.StringIO()
                write_rows(rows, "csv", buf, MATRIX_COLUMNS)
                emit(buf.getvalue())
            return
        raise CliError(f"--matrix is printed as a table, csv or json, not {fmt}")

    from graph.views import network_json, system_network

    G = system_network(store, province=province, level=level, include_planned=include_planned,
                       as_of=as_of)
    if measures:
        from graph.measures import measures_table, network_measures

        if fmt is None:
            emit(measures_table(G, lang=lang))
        elif fmt == "json":
            emit(json.dumps(network_measures(G, lang=lang).to_json(), ensure_ascii=False,
                            indent=2) + "\n")
        elif fmt == "csv":
            from graph.export import write_rows

            rows = network_measures(G, lang=lang).nodes
            buf = io.StringIO()
            write_rows(rows, "csv", buf, list(rows[0]) if rows else ["id"])
            emit(buf.getvalue())
        else:
            raise CliError(f"--measures is printed as a table, csv or json, not {fmt}")
        return
    fmt = fmt or "graphml"
    if fmt == "json":
        emit(json.dumps(network_json(G, lang=lang), ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "png" and output is None:
        raise CliError("--format png needs -o FILE")
    from graph.export import write_network

    written = write_network(G, fmt, output or sys.stdout, lang=lang)
    for p in written:
        click.echo(f"wrote {p}", err=True)


@main.command()
@store_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--query-timeout", default=30.0, show_default=True, type=float, help="Seconds per SPARQL query.")
@click.option("--max-rows", default=10000, show_default=True, type=int, help="Rows per SELECT (reported when cut).")
@handle_errors
def serve(store_dir: str, endpoint: str | None, host: str, port: int, query_timeout: float, max_rows: int) -> None:
    """Serve the SPARQL endpoint, the API and the web page. POST /ingest needs REFORMKG_INGEST_TOKEN."""
    _serve(Path(store_dir), endpoint, host, port, query_timeout, max_rows)


def _serve(store_dir: Path, endpoint: str | None, host: str, port: int, query_timeout: float, max_rows: int) -> None:
    import dataclasses

    import uvicorn

    from api.app import create_app, open_store
    from api.settings import Settings

    remote = _remote_options() if endpoint else {}
    settings = dataclasses.replace(
        Settings.from_env(), store=store_dir, host=host, port=port, query_timeout=query_timeout,
        max_rows=max_rows, endpoint=endpoint or None,
        update_endpoint=remote.get("update_endpoint"), graph_store=remote.get("graph_store"),
    )
    if endpoint:
        store = open_store(settings)
    else:
        store = _open(str(store_dir), None, write=bool(settings.ingest_token))
    app = create_app(settings, store)
    where = endpoint or store_dir
    click.echo(f"reformkg: serving {where} on http://{host}:{port}/  "
               "(SPARQL: /sparql, API docs: /docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@main.command()
@click.option("--store", "store_dir", default="./reformkg-demo", show_default=True, metavar="DIR",
              help="A fresh store for the demo (emptied first).")
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the page afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@handle_errors
def demo(store_dir: str, serve: bool, host: str, port: int) -> None:
    """Build the graph from the bundled example reports, validate it, print what was found,
    and serve the page."""
    from api.loader import ingest_paths
    from graph.export import connections_rows, facts_rows
    from graph.store import Store
    from graph.validate import validate as run_validation

    if not EXAMPLES.is_dir():
        raise CliError(f"the bundled examples are not at {EXAMPLES} (run from a source checkout)")
    path = Path(store_dir)
    if path.exists():
        shutil.rmtree(path)
    store = Store(path)
    summary = ingest_paths(store, sorted(EXAMPLES.glob("*.txt")), _progress)
    rows = facts_rows(store)
    conns = connections_rows(store)
    report = run_validation(store)
    click.echo(f"\nreformkg demo — {summary.documents} reports from {EXAMPLES}\n")
    by_source: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_source.setdefault(str(r["source_id"]), []).append(r)
    click.echo(f"{'source':28} {'facts':>5} {'connections':>11}  places")
    for sid, rs in sorted(by_source.items()):
        places = sorted({str(r.get('place') or '').rsplit('/', 3)[-1] for r in rs if r.get('place')})
        n_conn = sum(1 for c in conns if c["source_id"] == sid)
        click.echo(f"{sid:28} {len(rs):5} {n_conn:11}  {len(places)}")
    click.echo(f"\n{len(rows)} facts, {len(conns)} connections, {store.quad_count()} quads")
    click.echo(f"validation: {report.summary()}")
    for f in report.findings[:5]:
        click.echo("  " + f.to_text().replace("\n", "\n  "))
    click.echo("\nsample facts:")
    for r in rows[:8]:
        click.echo(f"  {r['source_id']}: {r['surface']!r:18} → {r['value']} {r['unit']} "
                   f"({r['qualifier']}, {r['period']}) {r['indicator_label']}")
    store.close()
    if serve:
        _serve(path, None, host, port, 30.0, 10000)


if __name__ == "__main__":  # pragma: no cover
    main()
