"""graph.corecheck (the Core constraints in Python, for checks of a few sources) reports what
pySHACL reports, and what the SPARQL translation of the same shapes reports.

The sources of our bundled examples conform; each test breaks one of them in a seeded, random
way the shapes forbid (a required value removed, a second value added, a literal of the wrong
datatype or with an ill-formed lexical form, a value out of range, a node of the wrong kind, a
type removed, start and end swapped) and checks the broken source three ways:
``graph.validate.validate`` (pySHACL, the reference), ``graph.fastcheck.check`` (Python Core
constraints, SPARQL constraints on the scratch store) and the same check with every constraint
as SPARQL. All three must give the same findings, field for field, and there must be findings.
"""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

from api.loader import ingest_paths
from graph import fastcheck
from graph.corecheck import Index, comparable, literal, well_formed
from graph.store import Store
from graph.validate import validate
from ontology import ID
from tests.graph.test_fastcheck import fields
from tests.graph.test_shapes import DATA, store_with

ROOT = Path(__file__).resolve().parents[2]
XSD = "http://www.w3.org/2001/XMLSchema#"
RKG = "https://w3id.org/reformkg/def#"
SDMX_M = "http://purl.org/linked-data/sdmx/2009/measure#"
OA = "http://www.w3.org/ns/oa#"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def sources() -> dict[str, list[ox.Quad]]:
    store = Store(None)
    summary = ingest_paths(store, sorted((ROOT / "examples").glob("*.txt")), jobs=1)
    assert summary.documents >= 4 and not summary.failures
    return {s: list(store.quads(s)) for s in store.sources()}


def _lit(value: str, dt: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + dt))


def _pick(rng: random.Random, quads: list[ox.Quad], pred: str) -> ox.Quad:
    got = [q for q in quads if q.predicate.value == pred]
    assert got, pred
    return rng.choice(got)


def _with(quads: list[ox.Quad], old: ox.Quad | None, *new: ox.Quad) -> list[ox.Quad]:
    return [q for q in quads if q != old] + list(new)


def _swap(q: ox.Quad, obj: object) -> ox.Quad:
    return ox.Quad(q.subject, q.predicate, obj, q.graph_name)  # type: ignore[arg-type]


# Each mutation breaks a rule of ontology/shapes.ttl; together they reach every kind of Core
# constraint the shapes use (cardinalities, datatype with lexical form, node kind, class, node
# shape with a scheme, pattern, ranges, property pairs, qualified counts).
def m_drop_value(rng: random.Random, qs: list[ox.Quad]) -> list[ox.Quad]:
    pred = rng.choice([SDMX_M + "obsValue", RKG + "indicator", RKG + "periodEnd", OA + "hasSource"])
    return _with(qs, _pick(rng, qs, pred))


def m_second_value(rng: random.Random, qs: list[ox.Quad]) -> list[ox.Quad]:
    q = _pick(rng, qs, SDMX_M + "obsValue")
    return _with(qs, None, _swap(q, _lit(str(rng.randint(1, 999)) + ".5", "decimal")))


def m_wrong_datatype(rng: random.Random, qs: list[ox.Quad]) -> list[ox.Quad]:
    q = _pick(rng, qs, rng.choice([SDMX_M + "obsValue", RKG + "periodStart"]))
    return _with(qs, q, _swap(q, ox.Literal(q.object.value)))


def m_ill_formed(rng: random.Random, qs: list[ox.Quad]) -> list[ox.Quad]:
    # (not an ill-formed date: pySHACL 0.40 raises TypeError comparing one in sh:lessThan)
    pred, bad = rng.choice([
        (SDMX_M + "obsValue", _lit("12,5", "decimal")),
        (SDMX_M + "obsValue", _lit("1.2.3", "decimal")),
        (RKG + "partsExhaustive", _lit("yes", "boolean")),
    ])
    got = [q for q in qs if q.predicate.value == pred]
    if not got:  # no partsExhaustive in this source: add one to an observation
        obs = _pick(rng, qs, SDMX_M + "obsValue")
        return _with(qs, None, ox.Quad(obs.subject, ox.NamedNode(pred), bad, obs.graph_name))
    return _with(qs, (q := rng.choice(got)), _swap(q, bad))


def m_out_of_range(rng: random.Random, qs: list[ox.Quad]) -> list[ox.Quad]:
    q = _pick(rng, qs, rng.choice([OA + "start", RKG + "sentenceStart"]))
    return _with(qs, q, _swap(q, _lit(str(-rng.randint(1, 50)), "integer")))


def m_start_after_end(rng: random.Random, qs: list[ox.Quad]) -> list[ox.Quad]:
    q = _pick(rng, qs, RKG + "periodStart")
    return _with(qs, q, _swap(q, _lit("2099-12-31", "date")))


def m_wrong_kind(rng: random.Random, qs: list[ox.Quad]) -> list[ox.Quad]:
    pred = rng.choice([RKG + "unitMeasure", RKG + "kind", RKG + "qualifier"])
    pred = pred if any(q.predicate.value == pred for q in qs) else RKG + "kind"
    q = _pick(rng, qs, pred)
    bad = rng.choice([ox.Literal("percent"), ox.NamedNode("https://example.org/not-in-a-scheme")])
    return _with(qs, q, _swap(q, bad))


def m_untyped_span(rng: random.Random, qs: list[ox.Quad]) -> list[ox.Quad]:
    spans = [q for q in qs if q.predicate == TYPE and q.object.value == RKG + "TextSpan"]
    return _with(qs, rng.choice(spans))


def m_bad_hash(rng: random.Random, qs: list[ox.Quad]) -> list[ox.Quad]:
    q = _pick(rng, qs, RKG + "contentHash")
    return _with(qs, q, _swap(q, ox.Literal(q.object.value[:-1] + "G")))


MUTATIONS = [
    m_drop_value,
    m_second_value,
    m_wrong_datatype,
    m_ill_formed,
    m_out_of_range,
    m_start_after_end,
    m_wrong_kind,
    m_untyped_span,
    m_bad_hash,
]


def _sparql_only(store: Store, source: str) -> list[tuple[object, ...]]:
    """The same check with every constraint as SPARQL (no Python programs)."""
    compiled = fastcheck.compile_shapes()
    scratch = Store(None)
    scratch._ox.extend(store.quads(source))
    report = fastcheck._evaluate(
        scratch, compiled, {"use_default_graph_as_union": True}, whole=False
    )
    return sorted(map(fields, report.findings), key=repr)


@pytest.mark.parametrize("seed", range(27))
def test_broken_source_reports_what_pyshacl_and_the_sparql_report(
    sources: dict[str, list[ox.Quad]], seed: int
) -> None:
    rng = random.Random(seed)
    mutate = MUTATIONS[seed % len(MUTATIONS)]
    source = rng.choice(sorted(sources))
    quads = mutate(rng, sources[source])
    store = Store(None)
    store._ox.extend(quads)
    expected = sorted(map(fields, validate(store, sources=[source]).findings), key=repr)
    assert expected, f"{mutate.__name__} broke nothing"
    got = sorted(map(fields, fastcheck.check(store, sources=[source]).findings), key=repr)
    assert got == expected
    assert _sparql_only(store, source) == expected


def test_every_shape_with_core_constraints_has_a_python_program() -> None:
    compiled = fastcheck.compile_shapes()
    with_core = {q.shape for q in compiled.queries if q.kind != "sparql"}
    assert with_core and with_core <= set(compiled.core)


def test_unsupported_path_keeps_the_sparql(tmp_path: Path) -> None:
    """A shape with a path the Python programs do not follow is checked by its SPARQL."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix rkg: <https://w3id.org/reformkg/def#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass rkg:Source ;\n"
        "  sh:property [ sh:path [ sh:oneOrMorePath rkg:nothing ] ; sh:minCount 1 ;\n"
        "                sh:message \"needs rkg:nothing\"@en ] .\n",
        encoding="utf-8",
    )
    compiled = fastcheck.compile_shapes(shapes)
    assert compiled.queries and not compiled.core
    store = Store(None)
    ingest_paths(store, sorted((ROOT / "examples").glob("*.txt"))[:1], jobs=1)
    [source] = store.sources()
    report = fastcheck.check(store, sources=[source], shapes=shapes)
    assert [f.message for f in report.findings] == ["needs rkg:nothing"]


def test_index_reads_the_canonical_forms_the_store_keeps() -> None:
    """Oxigraph keeps ``"05"^^xsd:nonNegativeInteger`` as ``"5"^^xsd:integer``; the index reads
    what the store holds, as pySHACL (which reads the store) does."""
    store = ox.Store()
    g = ox.NamedNode("urn:g")
    five = _lit("05", "nonNegativeInteger")
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), five, g))
    idx = Index.of_graphs(store, [g])
    [value] = idx.objects("<urn:a>", "<urn:p>")
    assert literal(value) == ("5", XSD + "integer")


@pytest.mark.parametrize(
    ("text", "dt", "ok"),
    [
        ("5", "integer", True), ("-5", "integer", True), ("5.0", "integer", False),
        ("1.5", "decimal", True), (".5", "decimal", True), ("1,5", "decimal", False),
        ("1e3", "double", True), ("INF", "double", True), ("e3", "double", False),
        ("true", "boolean", True), ("0", "boolean", True), ("yes", "boolean", False),
        ("2024-02-29", "date", True), ("2025-02-29", "date", False), ("2025-1-01", "date", False),
        ("2025-01-01T10:00:00", "dateTime", True), ("2025-01-01T25:00:00", "dateTime", False),
        ("anything", "string", True),
    ],
)
def test_lexical_forms(text: str, dt: str, ok: bool) -> None:
    assert well_formed(text, XSD + dt) is ok


def test_comparisons_follow_sparql_operator_families() -> None:
    assert comparable('"5"^^<http://www.w3.org/2001/XMLSchema#integer>') == ("n", 5)
    assert comparable('"2025-01-01"^^<http://www.w3.org/2001/XMLSchema#date>')[0] == "d"  # type: ignore[index]
    assert comparable('"abc"') == ("s", "abc")
    assert comparable('"abc"@vi') is None  # language-tagged strings are not ordered here
    assert comparable("<urn:x>") is None
    assert comparable('"x"^^<http://www.w3.org/2001/XMLSchema#integer>') is None


def test_ill_formed_date_is_a_finding_here_and_a_clear_error_from_pyshacl(
    sources: dict[str, list[ox.Quad]],
) -> None:
    """pySHACL 0.40 raises TypeError comparing an ill-formed date in sh:lessThanOrEquals; the
    reference validator turns that into a one-line error, the fast check reports the value."""
    from graph.errors import ShapesLoadError

    source = sorted(sources)[0]
    quads = sources[source]
    q = next(q for q in quads if q.predicate.value == RKG + "periodStart")
    store = Store(None)
    store._ox.extend(_with(quads, q, _swap(q, _lit("2025-13-01", "date"))))
    with pytest.raises(ShapesLoadError, match="ill-formed literal"):
        validate(store, sources=[source])
    findings = fastcheck.check(store, sources=[source]).findings
    assert sorted((f.component, f.value) for f in findings) == [
        ("sh:DatatypeConstraintComponent", "2025-13-01"),
        ("sh:LessThanOrEqualsConstraintComponent", "2025-13-01"),  # cannot be compared
    ]


def _two_sources(sources: dict[str, list[ox.Quad]]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    a, b = sorted(sources)[:2]
    return list(sources[a]), list(sources[b])


def _whole_agrees(quads: list[ox.Quad]) -> list[tuple[object, ...]]:
    store = Store(None)
    store._ox.extend(quads)
    expected = sorted(map(fields, validate(store).findings), key=repr)
    assert sorted(map(fields, fastcheck.check(store).findings), key=repr) == expected
    return expected


def test_whole_store_sees_a_subject_described_in_two_graphs(
    sources: dict[str, list[ox.Quad]],
) -> None:
    """A node whose values are split over two graphs is judged on all of them (the union default
    graph, as pySHACL sees the store): a second value put in another source's graph breaks
    sh:maxCount 1. (The whole-store check is SPARQL on the store; reading a RocksDB store graph
    by graph into Python costs more than the queries: 24 s for the 740 graphs of 1M quads.)"""
    qa, qb = _two_sources(sources)
    q = next(q for q in qa if q.predicate.value == SDMX_M + "obsValue")
    second = ox.Quad(q.subject, q.predicate, _lit("123456.5", "decimal"), qb[0].graph_name)
    found = _whole_agrees(qa + qb + [second])
    assert [(f[1], f[3]) for f in found] == [(q.subject.value, "sh:MaxCountConstraintComponent")]


def test_whole_store_sees_a_type_given_in_another_graph(
    sources: dict[str, list[ox.Quad]],
) -> None:
    """A text span typed only in another source's graph is still a rkg:TextSpan for the
    sh:class of the observation that points to it: moving the type changes nothing."""
    qa, qb = _two_sources(sources)
    typed = next(q for q in qa if q.predicate == TYPE and q.object.value == RKG + "TextSpan")
    moved = ox.Quad(typed.subject, typed.predicate, typed.object, qb[0].graph_name)
    assert _whole_agrees([q for q in qa if q != typed] + qb + [moved]) == _whole_agrees(qa + qb)


def test_literal_with_a_line_separator_is_one_term() -> None:
    """Oxigraph writes U+2028, U+2029 and U+0085 unescaped in N-Triples: the index splits the
    dump at "\\n" only, so a sentence holding one is still one literal (and the check of the
    source alone reports what pySHACL reports)."""
    store = store_with(DATA / "invalid" / "sources-disagree.trig")
    a = str(ID["source/test-disagree-a"])
    [obs] = [q.subject for q in store.quads(a) if q.predicate.value == RKG + "surface"][:1]
    odd = "một\u2028hai\u0085ba\u2029bốn"
    store._ox.add(ox.Quad(obs, ox.NamedNode(RKG + "comparedTo"), ox.Literal(odd, language="vi"),
                          ox.NamedNode(a)))
    idx = Index.of_graphs(store._ox, [ox.NamedNode(a)])
    assert idx.objects(str(obs), f"<{RKG}comparedTo>") == {f'"{odd}"@vi'}
    mine, theirs = fastcheck.check(store, sources=[a]), validate(store, sources=[a])
    assert sorted((f.focus, f.message) for f in mine.findings) == sorted(
        (f.focus, f.message) for f in theirs.findings
    )
