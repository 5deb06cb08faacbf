"""Named queries: headers, syntax, parameters, and expected results on the fixture graphs (R4).

Every ``graph/queries/<name>.rq`` has at least one expected result, compared without regard to
row order (SPARQL JSON results):

* ``tests/data/queries/<name>.srj``: on ``tests/data/graphs/small.trig`` (two sources; other
  tests pin its exact counts, so it does not grow);
* ``tests/data/queries/research/<name>.srj``: on small.trig plus ``research.trig`` (a province
  merged in 2025, a source that disagrees with another, facts that fail the consistency rules),
  for the research queries whose answers would be empty or trivial on small.trig alone.
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
RESEARCH_FIXTURE = DATA / "graphs" / "research.trig"
EXPECTED = DATA / "queries"
RESEARCH_EXPECTED = EXPECTED / "research"
QUERY_DIR = Path(queries.__file__).resolve().parent
RQ_FILES = sorted(QUERY_DIR.glob("*.rq"))
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
PLACE_26 = "https://w3id.org/reformkg/id/adm/2008-2025/province/26"
PHU_THO_2025 = "https://w3id.org/reformkg/id/adm/2025/province/25"
ON_TIME = "https://w3id.org/reformkg/id/indicator/dossiers-on-time"


def _fixture_store(*files: Path) -> Store:
    s = Store(None)
    # The fixtures carry their own minimal reference data; drop what ontology/*.ttl loaded so the
    # expected results do not move when the reference files grow.
    s.remove_graph(str(REFERENCE_GRAPH))
    for path in files:
        s._ox.load(path=str(path), format=ox.RdfFormat.TRIG)
    return s


@pytest.fixture(scope="module")
def store() -> Store:
    return _fixture_store(FIXTURE)


@pytest.fixture(scope="module")
def research_store() -> Store:
    return _fixture_store(FIXTURE, RESEARCH_FIXTURE)


def _cases() -> list[Any]:
    """(query, expected file, fixture) for every expected file; a query without one fails."""
    cases = []
    for rq in RQ_FILES:
        found = False
        for folder, fixture in ((EXPECTED, "store"), (RESEARCH_EXPECTED, "research_store")):
            path = folder / f"{rq.stem}.srj"
            if path.exists():
                found = True
                name = rq.stem if fixture == "store" else f"{rq.stem}-research"
                cases.append(pytest.param(rq.stem, path, fixture, id=name))
        if not found:
            cases.append(pytest.param(rq.stem, EXPECTED / f"{rq.stem}.srj", "store", id=rq.stem))
    return cases


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
    expected = {p.stem for p in EXPECTED.glob("*.srj")} | {
        p.stem for p in RESEARCH_EXPECTED.glob("*.srj")}
    orphans = expected - names
    assert not orphans, f"expected results without a query: {sorted(orphans)}"


@pytest.mark.parametrize(("name", "expected_path", "fixture"), _cases())
def test_query_matches_expected_results(
    request: pytest.FixtureRequest, name: str, expected_path: Path, fixture: str
) -> None:
    actual = _run(request.getfixturevalue(fixture), name)
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
    """The research questions of issue 4 each have a query (15 at least)."""
    required = {
        "facts", "connections", "system_network", "indicators_by_place_period",
        "ontime_rates_ranked", "procedures_announced", "system_links_by_level", "sources_summary",
        # every indicator of a place and period with its sentence; a time series
        "facts_by_place_period", "indicator_time_series",
        # procedures announced / added / amended / abolished
        "procedure_changes",
        # systems: targets by level, national reach, planned vs operational
        "provincial_system_targets", "national_system_reach", "planned_vs_operational",
        # consistency checks (mirrors of the SHACL-SPARQL rules) and disagreeing sources
        "check_parts_sum", "check_rate_ratio", "check_part_within_total", "sources_disagree",
        # the 2025 reorganization; what each source contributed
        "merger_places_facts", "source_contributions",
    }
    assert required <= set(queries.names())
    assert len(queries.names()) >= 15


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


def test_research_params_bind_as_filters(research_store: Store) -> None:
    card = queries.select(research_store, "facts_by_place_period", place=PLACE_26, period="2025-Q1")
    assert len(card) == 9 and {r["source_id"] for r in card} == {"vinhphuc-demo", "vinhphuc-khac"}
    assert all(r["sentence"] and r["surface"] for r in card)
    series = queries.select(research_store, "indicator_time_series", indicator=ON_TIME,
                            place=PLACE_26)
    assert [(r["period"], r["value"]) for r in series] == [
        ("2024", 98.1), ("2025-Q1", 99.5), ("2025-Q1", 98.9)]
    new = queries.select(research_store, "procedure_changes", change="new")
    assert [(r["procedures"], r["part_of"]) for r in new] == [(14, "40 thủ tục hành chính")]
    merger = queries.select(research_store, "merger_places_facts", new_place=PHU_THO_2025)
    sides = {(r["side"], r["place_label"]) for r in merger}
    assert sides == {("before", "Hòa Bình"), ("before", "Vĩnh Phúc"), ("after", "Phú Thọ")}
    assert queries.select(research_store, "merger_places_facts", new_place=PLACE_26) == []
    disagree = queries.select(research_store, "sources_disagree", period="2025-Q1")
    assert {(r["source_id"], r["value"], r["other_value"]) for r in disagree} == {
        ("vinhphuc-demo", 99.5, 98.9), ("vinhphuc-khac", 98.9, 99.5)}
    assert queries.select(research_store, "sources_disagree", period="2024") == []
    ranked = queries.select(research_store, "ontime_rates_ranked", period="2025-Q1")
    assert [(r["rank"], r["value"], r["source_id"]) for r in ranked] == [
        (1, 99.5, "vinhphuc-demo"), (1, 98.9, "vinhphuc-khac"), (2, 97.8, "hoabinh-demo")]


# The consistency queries restate shapes of ontology/shapes.ttl; pySHACL must find the same
# focus nodes, so a change to one without the other fails here.
MIRRORS = {
    "check_parts_sum": ("rkgsh:PartsSumShape", "total_node"),
    "check_rate_ratio": ("rkgsh:RateRatioShape", "obs"),
    "check_part_within_total": ("rkgsh:PartWithinTotalShape", "part"),
    "sources_disagree": ("rkgsh:SourcesAgreeShape", "obs"),
}


def test_consistency_queries_mirror_the_shapes(research_store: Store) -> None:
    from graph.validate import validate

    report = validate(research_store)
    for name, (shape, column) in MIRRORS.items():
        by_shape = {f.focus for f in report.findings if f.shape == shape}
        by_query = {r[column] for r in queries.select(research_store, name)}
        assert by_query == by_shape != set(), name
