"""Named queries: headers, syntax, parameters, and expected results on the fixture graph (R4).

Every ``graph/queries/<name>.rq`` runs against ``tests/data/graphs/small.trig`` and must match
``tests/data/queries/<name>.srj`` (SPARQL JSON results) without regard to row order.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from graph import queries
from graph.errors import ExportError, QueryNotFound, QuerySyntaxError
from graph.store import Store
from ontology import REFERENCE_GRAPH

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURE = DATA / "graphs" / "small.trig"
EXPECTED = DATA / "queries"
QUERY_DIR = Path(queries.__file__).resolve().parent
RQ_FILES = sorted(QUERY_DIR.glob("*.rq"))
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@pytest.fixture(scope="module")
def store() -> Store:
    s = Store(None)
    # The fixture carries its own minimal reference data; drop what ontology/*.ttl loaded so the
    # expected results do not move when the reference files grow.
    s.remove_graph(str(REFERENCE_GRAPH))
    s._ox.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return s


def _canonical(term: dict[str, Any]) -> tuple[Any, ...]:
    kind = "literal" if term["type"] == "typed-literal" else term["type"]
    value = term["value"]
    if kind == "literal" and "|" in value:
        # GROUP_CONCAT order is unspecified in SPARQL 1.1: compare the joined parts as a set.
        value = "|".join(sorted(value.split("|")))
    datatype = term.get("datatype")
    return (kind, value, None if datatype == XSD_STRING else datatype, term.get("xml:lang"))


def _bag(results: dict[str, Any]) -> Counter[tuple[Any, ...]]:
    return Counter(
        tuple(sorted((var, _canonical(t)) for var, t in row.items()))
        for row in results["results"]["bindings"]
    )


def _run(store: Store, name: str) -> dict[str, Any]:
    solutions = store.query(queries.load(name).text, name=name)
    result: dict[str, Any] = json.loads(solutions.serialize(format=ox.QueryResultsFormat.JSON))
    return result


def test_expected_files_exist_for_every_query_and_nothing_else() -> None:
    names = {p.stem for p in RQ_FILES}
    assert names == set(queries.names())
    orphans = {p.stem for p in EXPECTED.glob("*.srj")} - names
    assert not orphans, f"expected results without a query: {sorted(orphans)}"


@pytest.mark.parametrize("rq", RQ_FILES, ids=[p.stem for p in RQ_FILES])
def test_query_matches_expected_results(store: Store, rq: Path) -> None:
    name = rq.stem
    actual = _run(store, name)
    expected_path = EXPECTED / f"{name}.srj"
    if not expected_path.exists():
        pytest.fail(
            f"no expected results for query {name!r}: review this output and save it as "
            f"{expected_path}:\n{json.dumps(actual, ensure_ascii=False, indent=1)}"
        )
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual["head"]["vars"] == expected["head"]["vars"]
    got, want = _bag(actual), _bag(expected)
    assert got == want, (
        f"{name}: missing rows {list((want - got).elements())}; "
        f"extra rows {list((got - want).elements())}"
    )


@pytest.mark.parametrize("rq", RQ_FILES, ids=[p.stem for p in RQ_FILES])
def test_headers_and_prefixes(rq: Path) -> None:
    q = queries.load(rq.stem)
    assert q.summary_vi and q.summary_en, "#+ summary: needs '<vi> | <en>'"
    assert q.tags, "#+ tags: is required"
    assert "\nPREFIX rkg: <https://w3id.org/reformkg/def#>\n" in q.text
    # pasteable into YASGUI: parses with no default prefixes at all
    ox.Store().query(q.text)


def test_required_queries_exist() -> None:
    required = {
        "facts", "connections", "system_network", "indicators_by_place_period",
        "ontime_rates_ranked", "procedures_announced", "system_links_by_level", "sources_summary",
    }
    assert required <= set(queries.names())


def test_load_parses_headers() -> None:
    q = queries.load("facts")
    assert q.name == "facts"
    assert "facts" in q.tags and "export" in q.tags
    assert [(p.name, p.type) for p in q.params] == [
        ("source_id", "literal"), ("indicator", "iri"), ("period", "literal"),
    ]
    assert q.to_dict()["params"][1] == {"name": "indicator", "type": "iri"}
    assert q.text.startswith("#+ summary:")


def test_unknown_query_lists_the_available_ones() -> None:
    with pytest.raises(QueryNotFound) as info:
        queries.load("no_such_query")
    assert "facts" in str(info.value) and info.value.status == 404


def test_params_bind_as_filters(store: Store) -> None:
    rows = queries.select(store, "facts", period="2025-Q3")
    assert len(rows) == 5 and {r["period"] for r in rows} == {"2025-Q3"}
    rows = queries.select(
        store, "indicators_by_place_period",
        place="https://w3id.org/reformkg/id/adm/2008-2025/province/26",
    )
    assert len(rows) == 7
    ranked = queries.select(store, "ontime_rates_ranked", period="2025-Q1")
    assert [(r["rank"], r["value"]) for r in ranked] == [(1, 99.5)]


def test_unknown_param_is_refused(store: Store) -> None:
    with pytest.raises(ExportError, match="parameters: indicator, period, source_id"):
        queries.select(store, "facts", province="x")


def test_syntax_error_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken_query.rq").write_text(
        "#+ summary: hỏng | broken\n#+ tags: test\nSELECT ?x WHERE { ?x ?y }\n", encoding="utf-8"
    )
    monkeypatch.setattr(queries, "_query_files", lambda: list(tmp_path.glob("*.rq")))
    queries._all.cache_clear()
    try:
        with pytest.raises(QuerySyntaxError, match="broken_query"):
            queries.names()
    finally:
        monkeypatch.undo()
        queries._all.cache_clear()
    assert "facts" in queries.names()


def test_params_must_be_projected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad_params.rq").write_text(
        "#+ summary: a | b\n#+ tags: t\n#+ params: period\nSELECT ?x WHERE { ?x ?y ?z }\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(queries, "_query_files", lambda: list(tmp_path.glob("*.rq")))
    queries._all.cache_clear()
    try:
        with pytest.raises(QuerySyntaxError, match="does not project"):
            queries.load("bad_params")
    finally:
        monkeypatch.undo()
        queries._all.cache_clear()
