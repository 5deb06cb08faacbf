"""graph.fastcheck (shapes evaluated as SPARQL on the store) reports what pySHACL reports.

Every SHACL case of tests/data/shapes (valid and invalid) and the store of our bundled examples
is validated twice, with :func:`graph.validate.validate` (pySHACL, the reference) and with
:func:`graph.fastcheck.check`; the findings must be the same, field for field: severity, focus,
path, component, message, value, shape, and the provenance of the focus (source, offsets,
surface, sentence).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from api.loader import ingest_paths
from graph.errors import ShapesLoadError
from graph.fastcheck import check, check_quads, compile_shapes
from graph.store import Store
from graph.validate import Finding, ValidationReport, validate
from ontology import ID, SHAPES
from tests.graph.test_shapes import DATA, INVALID, VALID, store_with

ROOT = Path(__file__).resolve().parents[2]
CASES = [*VALID, *INVALID]
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def fields(f: Finding) -> tuple[object, ...]:
    return (
        f.severity,
        f.focus,
        f.path,
        f.component,
        f.message,
        f.value,
        f.shape,
        f.source,
        f.source_id,
        f.start,
        f.end,
        f.surface,
        f.sentence,
    )


def shapes_with(tmp_path: Path, extra: str) -> Path:
    """A shapes file: ontology/shapes.ttl with ``extra`` Turtle appended."""
    path = tmp_path / "shapes.ttl"
    path.write_text(Path(SHAPES).read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def same(a: ValidationReport, b: ValidationReport) -> None:
    assert a.conforms == b.conforms
    assert sorted(map(fields, a.findings)) == sorted(map(fields, b.findings))
    assert (a.violations, a.warnings) == (b.violations, b.warnings)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_reports_what_pyshacl_reports(path: Path) -> None:
    store = store_with(path)
    same(validate(store), check(store))


@pytest.fixture(scope="module")
def examples() -> Store:
    store = Store(None)
    summary = ingest_paths(store, sorted((ROOT / "examples").glob("*.txt")), jobs=1)
    assert summary.documents >= 4 and not summary.failures
    return store


def test_examples_store_reports_what_pyshacl_reports(examples: Store) -> None:
    same(validate(examples), check(examples))


def test_each_example_source_alone_reports_what_pyshacl_reports(examples: Store) -> None:
    for source in examples.sources():
        same(validate(examples, sources=[source]), check(examples, sources=[source]))


def test_only_the_given_sources_are_checked() -> None:
    store = store_with(DATA / "invalid" / "sources-disagree.trig")
    a, b = str(ID["source/test-disagree-a"]), str(ID["source/test-disagree-b"])
    assert check(store, sources=[a, b]).warnings == 2
    alone = check(store, sources=[a])
    assert alone.conforms and alone.findings == []
    same(validate(store, sources=[a]), alone)


def test_unknown_source_and_empty_store() -> None:
    with pytest.raises(ShapesLoadError, match="not in the store"):
        check(Store(None), sources=[str(ID["source/nowhere"])])
    report = check(Store(None))
    assert report.conforms and report.findings == []


def _numbers_rounded(message: str) -> str:
    """Numbers in a message to 12 significant digits (computed decimals: see the module doc)."""
    return re.sub(
        r"-?\d+\.\d+",
        lambda m: format(
            Decimal(m.group())
            .normalize()
            .quantize(Decimal(1).scaleb(Decimal(m.group()).adjusted() - 11)),
            "f",
        ),
        message,
    )


def test_test_corpus_store_agrees_up_to_computed_decimals() -> None:
    """On our test corpus the messages of rates computed by division differ only past the
    18th decimal (pyoxigraph) against 28 significant digits (rdflib)."""
    store = Store(None)
    ingest_paths(store, sorted((ROOT / "tests/data/corpus").glob("*.txt")), jobs=1)
    a, b = validate(store), check(store)

    def key(f: Finding) -> tuple[object, ...]:
        return (*fields(f)[:4], _numbers_rounded(f.message), *fields(f)[5:])

    assert sorted(map(key, a.findings)) == sorted(map(key, b.findings))


def test_results_graph_and_formats(examples: Store) -> None:
    report = check(store_with(DATA / "invalid" / "rate-off-ratio.trig"))
    [finding] = report.findings
    assert finding.message == "rate 38.13 does not match 18/64 = 28.125 (allowed difference 0.005)"
    assert (finding.source_id, finding.start, finding.end, finding.surface) == (
        "test-rate-ratio",
        127,
        133,
        "38,13%",
    )
    assert "sh:ValidationResult" in report.to_turtle()
    assert report.to_json()["warnings"] == 1
    assert report.to_text().splitlines()[0] == "conforms: no — 0 violations, 1 warnings"


def test_shapes_are_translated_not_copied(tmp_path: Path) -> None:
    """A constraint added to the shapes file is checked without touching the code."""
    extra = shapes_with(tmp_path, """
rkgsh:SourceTitleShape a sh:NodeShape ;
    sh:targetClass rkg:Source ;
    sh:property [ sh:path dcterms:title ; sh:minCount 1 ;
                  sh:message "a source needs a title"@en ] .
""")
    store = store_with(DATA / "valid" / "conforming-report.trig")
    assert check(store).conforms
    report = check(store, shapes=extra)
    assert report.conforms  # the test report has a title
    no_title = tmp_path / "no-title.ttl"
    no_title.write_text(
        extra.read_text(encoding="utf-8").replace(
            "dcterms:title ; sh:minCount 1", "dcterms:abstract ; sh:minCount 1"
        ),
        encoding="utf-8",
    )
    report = check(store, shapes=no_title)
    assert report.violations == len(store.sources())
    assert {f.message for f in report.findings} == {"a source needs a title"}
    assert {f.component for f in report.findings} == {"sh:MinCountConstraintComponent"}


def test_unsupported_constraint_is_an_error_not_a_pass(tmp_path: Path) -> None:
    bad = tmp_path / "shapes.ttl"
    bad.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass <https://w3id.org/reformkg/def#Source> ;\n"
        "  sh:property [ sh:path <urn:p> ; sh:uniqueLang true ] .\n",
        encoding="utf-8",
    )
    with pytest.raises(ShapesLoadError, match="uniqueLang"):
        compile_shapes(bad)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_each_case_source_alone_reports_what_pyshacl_reports(path: Path) -> None:
    """Source by source (the scratch store of check_quads): findings that depend on the reference
    graph (scheme membership, rkg:allowsOver100, the class hierarchy) are still found."""
    store = store_with(path)
    for source in store.sources():
        same(validate(store, sources=[source]), check(store, sources=[source]))


def test_check_quads_leaves_nothing_behind() -> None:
    """Nothing of one check stays for the next: checking the same sources over and over, alone
    or together, always reports the same."""
    store = store_with(DATA / "invalid" / "sources-disagree.trig")
    a, b = str(ID["source/test-disagree-a"]), str(ID["source/test-disagree-b"])
    qa, qb = list(store.quads(a)), list(store.quads(b))
    unit = store_with(DATA / "invalid" / "unit-not-in-scheme.trig")
    [u] = unit.sources()
    qu = list(unit.quads(u))
    expected_unit = sorted(map(fields, validate(unit, sources=[u]).findings))
    assert expected_unit
    for _ in range(3):
        assert check_quads(qa, reference=store).conforms
        assert check_quads(qb, reference=store).conforms  # a is gone: nothing to disagree with
        assert check_quads(qa + qb, reference=store).warnings == 2
        assert sorted(map(fields, check_quads(qu).findings)) == expected_unit
        assert sorted(map(fields, check_quads(qu, reference=unit).findings)) == expected_unit


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_partial_reference_reports_what_the_whole_reference_reports(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check_quads copies only the reference quads its queries can match into its store; with
    the whole reference graph (what it does when the queries cannot be analysed) it reports
    the same on every case."""
    compiled = compile_shapes()
    assert compiled.scoped_reads is not None
    store = store_with(path)
    quads = [q for s in store.sources() for q in store.quads(s)]
    partial = check_quads(quads, reference=store)
    monkeypatch.setattr(compiled, "scoped_reads", None)
    same(partial, check_quads(quads, reference=store))


def test_reads_of_queries() -> None:
    """Which quads some queries can match: constant predicates (in paths and EXISTS too), and
    (predicate, IRI object) pairs; anything when a predicate is a variable or negated."""
    from graph.fastcheck import _reads

    rkg = "https://w3id.org/reformkg/def#"
    reads = _reads([
        "SELECT * WHERE { ?s a rkg:Observation ; rkg:indicator/rkg:allowsOver100 true "
        "FILTER NOT EXISTS { ?s rkg:kind ?k } }"
    ])
    assert reads is not None
    assert reads.predicates == {rkg + "indicator", rkg + "allowsOver100", rkg + "kind"}
    assert reads.pairs == {("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", rkg + "Observation")}
    assert _reads(["SELECT * WHERE { ?s ?p ?o }"]) is None
    assert _reads(["SELECT * WHERE { ?s !rkg:kind ?o }"]) is None
    assert _reads(["SELECT * WHERE { ?s rkg:kind ?o FILTER EXISTS { ?s ?p 1 } }"]) is None
    assert _reads(["not a query"]) is None


def test_blank_focus_nodes_read_the_whole_reference(tmp_path: Path) -> None:
    """A SPARQL constraint whose focus nodes include a blank node runs with its focus subquery,
    which may read any of the reference graph (here its class hierarchy: a blank
    rkg:GroupedConnection is an rkg:Connection): check_quads finds what the whole check finds."""
    shapes = shapes_with(tmp_path, """
rkgsh:ConnectionStatusShape a sh:NodeShape ;
    sh:targetClass rkg:Connection ;
    sh:sparql [ a sh:SPARQLConstraint ;
        sh:message "connection with status {?status}"@en ;
        sh:prefixes <https://w3id.org/reformkg/def/shapes> ;
        sh:select "SELECT $this ?status WHERE { $this rkg:status ?status }" ] .
""")
    store = Store(None)
    g = ox.NamedNode(str(ID["source/test-blank"]))
    c = ox.BlankNode()
    store.replace_graph(g.value, [
        ox.Quad(c, RDF_TYPE, ox.NamedNode("https://w3id.org/reformkg/def#GroupedConnection"), g),
        ox.Quad(c, ox.NamedNode("https://w3id.org/reformkg/def#status"),
                ox.NamedNode("https://w3id.org/reformkg/id/status/operational"), g),
    ])
    whole = [f for f in check(store, shapes=shapes).findings if f.message.startswith("connection")]
    alone = [f for f in check_quads(list(store.quads(g.value)), shapes=shapes, reference=store)
             .findings if f.message.startswith("connection")]
    assert len(whole) == 1
    assert sorted(map(fields, alone)) == sorted(map(fields, whole))
