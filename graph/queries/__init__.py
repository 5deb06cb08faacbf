"""Named SPARQL queries: the ``*.rq`` files of this folder, with grlc-style headers.

Every query the project runs or shows lives here as a file that can be pasted into YASGUI as-is
(its ``PREFIX`` lines are in the file). Each file starts with comment headers::

    #+ summary: Tỷ lệ hồ sơ đúng hạn theo địa phương | On-time dossier rates by locality
    #+ tags: facts, ranking
    #+ params: period (literal), place (iri)

``params`` names the variables a caller may bind (pyoxigraph ``substitutions``, SEP-0007). A
parameter must be projected by the query and bound by a required (non-``OPTIONAL``) pattern:
binding it then acts as a filter. Types are ``iri``, ``literal`` (plain string), ``integer`` and
``decimal``; ``literal`` is the default.

All queries assume the union of the named graphs as the default graph (Oxigraph's
``use_default_graph_as_union``; ``tdb2:unionDefaultGraph`` on Fuseki).

>>> "facts" in names()
True
>>> load("facts").summary_en
'Every observation with its unit, kind, qualifier, indicator, period and source sentence'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ..errors import ExportError, QueryNotFound, QuerySyntaxError

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["NamedQuery", "QueryParam", "load", "names", "select"]

_HEADER = re.compile(r"^#\+\s*(?P<key>[A-Za-z_]+)\s*:\s*(?P<value>.*?)\s*$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\((?P<type>[a-z]+)\))?$")
_PARAM_TYPES = ("iri", "literal", "integer", "decimal")


@dataclass(frozen=True, slots=True)
class QueryParam:
    """A variable of a named query that callers may bind.

    Attributes:
        name: the SPARQL variable name, without ``?``.
        type: ``iri``, ``literal``, ``integer`` or ``decimal``.
    """

    name: str
    type: str = "literal"

    def term(self, value: Any) -> ox.NamedNode | ox.Literal:
        """The RDF term for ``value`` under this parameter's type.

        >>> QueryParam("period").term("2025-Q1").value
        '2025-Q1'
        >>> QueryParam("place", "iri").term("https://w3id.org/reformkg/id/adm/2025/province/25")
        <NamedNode value=https://w3id.org/reformkg/id/adm/2025/province/25>
        """
        if self.type == "iri":
            return ox.NamedNode(str(value))
        if self.type == "integer":
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(_XSD + "integer"))
        if self.type == "decimal":
            return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "decimal"))
        return ox.Literal(str(value))


_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """One ``graph/queries/<name>.rq`` file.

    Attributes:
        name: the file stem.
        summary_vi: the Vietnamese half of the ``#+ summary:`` header.
        summary_en: the English half.
        tags: the ``#+ tags:`` list.
        params: variables callers may bind (see the module docstring).
        text: the whole file, headers and prefixes included.
    """

    name: str
    summary_vi: str
    summary_en: str
    tags: tuple[str, ...]
    params: tuple[QueryParam, ...]
    text: str = field(repr=False)

    def bindings(self, **values: Any) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
        """Substitutions for :meth:`pyoxigraph.Store.query` from keyword values.

        ``None`` values are left out (no filter).

        Raises:
            ExportError: a keyword is not one of this query's parameters.
        """
        known = {p.name: p for p in self.params}
        out: dict[ox.Variable, ox.NamedNode | ox.Literal] = {}
        for key, value in values.items():
            if value is None:
                continue
            if key not in known:
                allowed = ", ".join(sorted(known)) or "none"
                raise ExportError(
                    f"query {self.name!r} has no parameter {key!r}; its parameters: {allowed}"
                )
            out[ox.Variable(key)] = known[key].term(value)
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (for ``GET /queries``)."""
        return {
            "name": self.name,
            "summary_vi": self.summary_vi,
            "summary_en": self.summary_en,
            "tags": list(self.tags),
            "params": [{"name": p.name, "type": p.type} for p in self.params],
            "text": self.text,
        }


def _parse_headers(name: str, text: str) -> NamedQuery:
    headers: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        m = _HEADER.match(line)
        if m:
            headers[m["key"].lower()] = m["value"]
    summary = headers.get("summary", "")
    vi, _, en = summary.partition("|")
    tags = tuple(t.strip() for t in headers.get("tags", "").split(",") if t.strip())
    params: list[QueryParam] = []
    for item in headers.get("params", "").split(","):
        item = item.strip()
        if not item:
            continue
        m = _PARAM.match(item)
        if not m or (m["type"] and m["type"] not in _PARAM_TYPES):
            raise QuerySyntaxError(
                f"bad '#+ params:' item {item!r}; write `name` or `name (type)` with type one of "
                f"{', '.join(_PARAM_TYPES)}",
                name=name,
            )
        params.append(QueryParam(m["name"], m["type"] or "literal"))
    return NamedQuery(
        name=name,
        summary_vi=vi.strip(),
        summary_en=en.strip(),
        tags=tags,
        params=tuple(params),
        text=text,
    )


def _query_files() -> Iterable[Traversable]:
    """The ``*.rq`` files shipped in this package (a seam for tests)."""
    return [e for e in resources.files(__name__).iterdir() if e.name.endswith(".rq")]


@cache
def _all() -> dict[str, NamedQuery]:
    """Read and parse every ``.rq`` file once (syntax check with an empty in-memory store)."""
    queries: dict[str, NamedQuery] = {}
    checker = ox.Store()
    for entry in sorted(_query_files(), key=lambda e: e.name):
        name = entry.name[: -len(".rq")]
        text = entry.read_text(encoding="utf-8")
        query = _parse_headers(name, text)
        try:
            # No default prefixes: a file must declare its own to be pasteable into YASGUI.
            result = checker.query(text, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise QuerySyntaxError(str(exc), name=name) from None
        variables = {v.value for v in getattr(result, "variables", [])}
        missing = [p.name for p in query.params if variables and p.name not in variables]
        if missing:
            raise QuerySyntaxError(
                f"'#+ params:' names {', '.join(missing)}, which the SELECT does not project",
                name=name,
            )
        queries[name] = query
    return queries


def names() -> list[str]:
    """The names of all named queries, sorted.

    Raises:
        QuerySyntaxError: a query file does not parse.
    """
    return sorted(_all())


def load(name: str) -> NamedQuery:
    """The named query ``name`` (the file stem of ``graph/queries/<name>.rq``).

    Raises:
        QueryNotFound: there is no such file.
        QuerySyntaxError: a query file does not parse (all files are checked on first use).
    """
    queries = _all()
    if name not in queries:
        raise QueryNotFound(name, list(queries))
    return queries[name]


def select(store: Store, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run the named SELECT query ``name`` on ``store`` with parameters bound.

    Args:
        store: the store to query.
        name: a named query.
        **params: values for the query's ``#+ params:``; ``None`` means unbound.

    Returns:
        Rows as dicts of plain Python values (str, int, float, bool, None), in the query's
        column order.

    Raises:
        QueryNotFound: there is no such query.
        ExportError: a parameter is not declared by the query.
        QuerySyntaxError: the query does not parse.
        StoreError: the store cannot be read.
    """
    query = load(name)
    subs = query.bindings(**params)
    if subs:
        return store.select(query.text, name=name, substitutions=subs)
    return store.select(query.text, name=name)
