"""Exports: fact and connection tables, and the system network for Gephi, Cytoscape, R or pandas.

Tables (``reformkg facts`` / ``reformkg connections``, DESIGN.md section 4) come from the named
queries ``facts.rq`` and ``connections.rq``; their columns are :data:`FACT_COLUMNS` and
:data:`CONNECTION_COLUMNS`, in that order, with plain Python values (``value`` in the base unit).

The network (``reformkg graph``) comes from :func:`graph.views.system_network`; its writers
(GraphML, GEXF, Cytoscape JSON, DOT, CSV, SVG/PNG) live in :mod:`graph.network_export` and are
re-exported here (:func:`write_network`, :data:`NODE_COLUMNS`, :data:`EDGE_COLUMNS`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from ontology import ID, PREFIXES

from . import queries
from .errors import ExportError
from .network_export import (
    EDGE_COLUMNS,
    NETWORK_FORMATS,
    NODE_COLUMNS,
    _dot_quote,  # noqa: F401  (re-exported for the tests of the DOT writer)
    write_network,
)
from .store import Store

__all__ = [
    "CONNECTION_COLUMNS",
    "EDGE_COLUMNS",
    "FACT_COLUMNS",
    "NETWORK_FORMATS",
    "NODE_COLUMNS",
    "ROW_FORMATS",
    "connections_rows",
    "facts_rows",
    "write_network",
    "write_rows",
]

#: Columns of ``reformkg facts`` (one row per observation).
FACT_COLUMNS: tuple[str, ...] = (
    "source", "source_id", "value", "unit", "kind", "qualifier", "indicator", "indicator_label",
    "subject", "subject_label", "place", "period", "surface", "start", "end", "sentence",
)
#: Columns of ``reformkg connections`` (one row per connection).
CONNECTION_COLUMNS: tuple[str, ...] = (
    "source", "source_id", "from", "from_label", "to", "to_label", "status", "count", "level",
    "surface", "start", "end", "sentence",
)
ROW_FORMATS = ("jsonl", "csv", "table")

_CELL_WIDTH = 60
Out = str | Path | IO[Any]


# -- tables ----------------------------------------------------------------------------------
def _iri(value: str | None, prefix: str) -> str | None:
    """A full IRI from an IRI, an ``id:``-relative path or a bare slug under ``prefix``.

    >>> _iri("dossiers-on-time", "indicator/")
    'https://w3id.org/reformkg/id/indicator/dossiers-on-time'
    >>> _iri("adm/2025/province/25", "adm/")
    'https://w3id.org/reformkg/id/adm/2025/province/25'
    """
    if value is None:
        return None
    if value.startswith(("http://", "https://", "urn:")):
        return value
    if value.startswith("id:"):
        return str(ID) + value[3:]
    if value.startswith(prefix):
        return str(ID) + value
    return str(ID) + prefix + value


def facts_rows(
    store: Store,
    *,
    source_id: str | None = None,
    indicator: str | None = None,
    place: str | None = None,
    period: str | None = None,
) -> list[dict[str, Any]]:
    """Every observation as a dict with the :data:`FACT_COLUMNS` keys, ordered by source and offset.

    Args:
        store: the store to read.
        source_id: only this source (``dcterms:identifier``: the JSONL id or file stem).
        indicator: only this indicator: IRI, ``id:indicator/…`` or the slug (``dossiers-on-time``).
        place: only this administrative unit: IRI or ``adm/…`` path (``adm/2025/province/25``).
        period: only this period label, exactly as stored (``2025-Q1``, ``2025``).

    Returns:
        Rows of plain values: ``value`` int or float in the base unit (1.880 tỷ đồng is
        ``1880000000000``), offsets int, codes and IRIs str, missing values None.

    Raises:
        QuerySyntaxError: the bundled query does not parse (a packaging error).
        StoreError: the store cannot be read.
    """
    rows = queries.select(
        store, "facts", source_id=source_id, indicator=_iri(indicator, "indicator/"), period=period
    )
    place_iri = _iri(place, "adm/")
    if place_iri is not None:
        # refArea is optional in the model, so it cannot be a bound query parameter.
        rows = [r for r in rows if r["place"] == place_iri]
    return [{c: r.get(c) for c in FACT_COLUMNS} for r in rows]


def connections_rows(store: Store, *, source_id: str | None = None) -> list[dict[str, Any]]:
    """Every system connection as a dict with the :data:`CONNECTION_COLUMNS` keys.

    ``count`` and ``level`` are set on grouped connections ("23 hệ thống, 12 trung ương"),
    whose ``to`` is the rkg:SystemGroup node.

    Raises:
        StoreError: the store cannot be read.
    """
    rows = queries.select(store, "connections", source_id=source_id)
    return [{c: r.get(c) for c in CONNECTION_COLUMNS} for r in rows]


def _compact(value: str) -> str:
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and len(value) > len(ns):
            return f"{prefix}:{value[len(ns):]}"
    return value


def _cell(value: Any, *, table: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    if table:
        text = _compact(text).replace("\n", " ")
        if len(text) > _CELL_WIDTH:
            text = text[: _CELL_WIDTH - 1] + "…"
    return text


def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    cells = [[_cell(r.get(c), table=True) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(r.get(c), int | float) or r.get(c) is None for r in rows) and bool(rows)
        for c in columns
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(list(columns)), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells)
    return "\n".join(out) + "\n"


def _open_text(out: Out) -> tuple[IO[str], bool]:
    if isinstance(out, str | Path):
        return open(out, "w", encoding="utf-8", newline=""), True
    return out, False


def write_rows(
    rows: Iterable[Mapping[str, Any]], fmt: str, out: Out, columns: Sequence[str]
) -> None:
    """Write rows as ``jsonl``, ``csv`` or an aligned plain-text ``table``.

    Args:
        rows: dicts with (at least) the ``columns`` keys.
        fmt: ``jsonl`` (one JSON object per line, keys in column order, UTF-8 as is), ``csv``
            (header row; empty cell for None) or ``table`` (aligned columns for a terminal;
            IRIs shortened with the project prefixes, cells cut at 60 characters with "…").
        out: a path or a text stream (``sys.stdout``).
        columns: the columns to write, in order (e.g. :data:`FACT_COLUMNS`).

    Raises:
        ExportError: unknown format.
    """
    if fmt not in ROW_FORMATS:
        raise ExportError(f"unknown table format {fmt!r}; use one of {', '.join(ROW_FORMATS)}")
    rows = list(rows)
    stream, close = _open_text(out)
    try:
        if fmt == "jsonl":
            for r in rows:
                stream.write(json.dumps({c: r.get(c) for c in columns}, ensure_ascii=False) + "\n")
        elif fmt == "csv":
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([_cell(r.get(c)) for c in columns] for r in rows)
        else:
            stream.write(_table(rows, columns))
    finally:
        if close:
            stream.close()
