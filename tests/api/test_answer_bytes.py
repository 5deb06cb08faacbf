"""api.routes.evaluate writes SELECT answers through pyoxigraph's TSV writer (counting rows for
the cap) and then the asked format: the answer must hold exactly the solutions pyoxigraph's own
serializer writes, whatever the values (line breaks, tabs, quotes, language tags, datatypes,
blank nodes, unbound variables), and the cap must cut at exactly ``max_rows``."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from api.routes.evaluate import FormatChoice, QueryJob, execute
from graph.store import Store

XSD = "http://www.w3.org/2001/XMLSchema#"
QUERY = "SELECT ?s ?o ?x WHERE { ?s <urn:p> ?o OPTIONAL { ?s <urn:q> ?x } } ORDER BY STR(?s)"
VALUES = [
    ox.Literal("dòng 1\ndòng 2\tcột \"trích\" \\ kết", language="vi"),
    ox.Literal("74.26", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("5", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("1.5E0", datatype=ox.NamedNode(XSD + "double")),
    ox.Literal("2025-03-31", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("plain, with a comma"),
    ox.NamedNode("https://w3id.org/reformkg/id/system/x"),
    ox.BlankNode("b1"),
]


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store(None)
    for i, v in enumerate(VALUES):
        s._ox.add(ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), v))
    s._ox.add(ox.Quad(ox.NamedNode("urn:s0"), ox.NamedNode("urn:q"), ox.BlankNode("b2")))
    return s


def _solutions(body: bytes, fmt: ox.QueryResultsFormat) -> list[tuple[object, ...]]:
    results = ox.parse_query_results(body, fmt)
    names = [v.value for v in results.variables]
    return [tuple(str(r[n]) if r[n] is not None else None for n in names) for r in results]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ],
)
def test_answer_holds_what_pyoxigraph_writes(
    store: Store, accept: str, fmt: ox.QueryResultsFormat
) -> None:
    direct = store.query(QUERY).serialize(format=fmt)
    answer = execute(store, QueryJob(QUERY, FormatChoice(accept=accept), max_rows=100))
    assert answer.count == len(VALUES) and not answer.truncated
    assert _solutions(answer.body, fmt) == _solutions(direct, fmt)
    assert len(_solutions(answer.body, fmt)) == len(VALUES)


@pytest.mark.parametrize("cap", [1, len(VALUES) - 1, len(VALUES), len(VALUES) + 1])
def test_cap_cuts_at_exactly_max_rows(store: Store, cap: int) -> None:
    fmt = ox.QueryResultsFormat.JSON
    full = _solutions(store.query(QUERY).serialize(format=fmt), fmt)
    answer = execute(store, QueryJob(QUERY, FormatChoice(accept="application/sparql-results+json"),
                                     max_rows=cap))
    assert answer.truncated is (cap < len(VALUES))
    assert answer.count == min(cap, len(VALUES))
    assert _solutions(answer.body, fmt) == full[:cap]


def test_cap_in_a_long_answer_written_in_many_chunks() -> None:
    """Thousands of rows reach the writer in several chunks; the cut still falls on a row."""
    s = Store(None)
    for i in range(6000):
        s._ox.add(ox.Quad(ox.NamedNode(f"urn:s{i:05d}"), ox.NamedNode("urn:p"),
                          ox.Literal(f"giá trị {i}\tvới tab", language="vi")))
    q = "SELECT ?s ?o WHERE { ?s <urn:p> ?o } ORDER BY ?s"
    fmt = ox.QueryResultsFormat.JSON
    full = _solutions(s.query(q).serialize(format=fmt), fmt)
    for cap in (4321, 6000, 7000):
        answer = execute(s, QueryJob(q, FormatChoice(accept="application/sparql-results+json"),
                                     max_rows=cap))
        assert answer.count == min(cap, 6000) and answer.truncated is (cap < 6000)
        assert _solutions(answer.body, fmt) == full[:cap]
