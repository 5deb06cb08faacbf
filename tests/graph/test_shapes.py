"""SHACL cases (tests/data/shapes) through graph.validate.validate on an in-memory store.

``valid/*.trig`` must conform. Each ``invalid/*.trig`` has a sibling ``*.expected.json`` listing
the findings it must produce, ``[{"severity": …, "contains": substring of the message}]``;
nothing else may be reported.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

import graph.validate as validate_module
from graph.errors import ShapesLoadError
from graph.store import Store
from graph.validate import Finding, ValidationReport, validate
from ontology import ID, OA, REFERENCE_GRAPH, RKG

DATA = Path(__file__).resolve().parents[1] / "data" / "shapes"
VALID = sorted((DATA / "valid").glob("*.trig"))
INVALID = sorted((DATA / "invalid").glob("*.trig"))


def load_trig(store: Store, path: Path) -> None:
    """Load a TriG file: source graphs replace their graph; reference triples are added to it."""
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
        assert isinstance(quad.graph_name, ox.NamedNode), (
            f"{path.name}: triples outside a named graph"
        )
        by_graph[quad.graph_name.value].append(quad)
    for name, quads in by_graph.items():
        if name == str(REFERENCE_GRAPH):
            quads = list(store.quads(name)) + quads
        store.replace_graph(name, quads)


def trig_union(path: Path) -> rdflib.Graph:
    """All triples of a TriG file in one rdflib graph (parsed by pyoxigraph, the strict parser)."""
    lines = [
        f"{q.subject} {q.predicate} {q.object} ."
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG)
    ]
    return rdflib.Graph().parse(data="\n".join(lines), format="nt")


def store_with(path: Path) -> Store:
    store = Store(None)
    load_trig(store, path)
    return store


@pytest.fixture(scope="module")
def reports() -> dict[str, ValidationReport]:
    """Each case validated once (validation is the slow part)."""
    return {p.name: validate(store_with(p)) for p in [*VALID, *INVALID]}


def test_there_are_cases() -> None:
    assert len(VALID) >= 5
    assert len(INVALID) >= 8


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_case_conforms(path: Path, reports: dict[str, ValidationReport]) -> None:
    report = reports[path.name]
    assert report.conforms, report.to_text()
    assert report.findings == []


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_case_reports_exactly_the_expected_findings(
    path: Path, reports: dict[str, ValidationReport]
) -> None:
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    assert expected, f"{path.name}: an invalid case must expect at least one finding"
    report = reports[path.name]
    assert not report.conforms
    unmatched = list(report.findings)
    for want in expected:
        match = next(
            (
                f
                for f in unmatched
                if f.severity == want["severity"] and want["contains"] in f.message
            ),
            None,
        )
        assert match is not None, f"{want} not among:\n{report.to_text()}"
        unmatched.remove(match)
    assert not unmatched, "unexpected findings:\n" + "\n".join(f.to_text() for f in unmatched)


@pytest.mark.parametrize("path", [*VALID, *INVALID], ids=[p.stem for p in [*VALID, *INVALID]])
def test_case_spans_point_into_their_source_text(path: Path) -> None:
    """The test data follows the README: offsets are code points into rkg:text, end exclusive."""
    g = trig_union(path)
    spans = list(g.subjects(rdflib.RDF.type, RKG.TextSpan))
    assert spans
    for span in spans:
        text = str(g.value(g.value(span, OA.hasSource), RKG.text))
        selectors = {g.value(s, rdflib.RDF.type): s for s in g.objects(span, OA.hasSelector)}
        exact = str(g.value(selectors[OA.TextQuoteSelector], OA.exact))
        start = int(g.value(selectors[OA.TextPositionSelector], OA.start))
        end = int(g.value(selectors[OA.TextPositionSelector], OA.end))
        if path.name == "span-start-after-end.trig":
            start, end = end, start  # deliberately swapped there
        assert text[start:end] == exact
        assert (
            str(span).endswith(f"#char={start},{end}") or path.name == "span-start-after-end.trig"
        )
        s0, s1 = int(g.value(span, RKG.sentenceStart)), int(g.value(span, RKG.sentenceEnd))
        assert text[s0:s1] == str(g.value(span, RKG.sentence))
        assert s0 <= start and end <= s1


# -- the report --------------------------------------------------------------------------------


def test_finding_carries_the_provenance_of_its_focus(reports: dict[str, ValidationReport]) -> None:
    [finding] = reports["rate-off-ratio.trig"].findings
    assert finding.severity == "Warning"
    assert finding.message == "rate 38.13 does not match 18/64 = 28.125 (allowed difference 0.005)"
    assert finding.source == str(ID["source/test-rate-ratio"])
    assert finding.source_id == "test-rate-ratio"
    assert (finding.start, finding.end, finding.surface) == (127, 133, "38,13%")
    assert finding.focus == str(ID["source/test-rate-ratio/obs/127-133-1"])
    assert finding.value == "38.13"
    assert finding.shape == "rkgsh:RateRatioShape"
    assert finding.sentence is not None and finding.sentence.startswith("Quý I/2025,")
    assert finding.sentence.endswith("đạt tỷ lệ 38,13%.")


def test_structural_finding_names_shape_and_path(reports: dict[str, ValidationReport]) -> None:
    [finding] = reports["missing-unit.trig"].findings
    assert finding.severity == "Violation"
    assert finding.path == "sdmx-attribute:unitMeasure"
    assert finding.shape == "rkgsh:ObservationShape sdmx-attribute:unitMeasure"
    assert finding.component == "sh:MinCountConstraintComponent"
    assert finding.source_id == "test-missing-unit"


def test_grouped_connection_finding_points_at_its_span(
    reports: dict[str, ValidationReport],
) -> None:
    [finding] = reports["grouped-counts-do-not-add-up.trig"].findings
    assert (
        finding.message == "grouped connection counts 13 + 8 + 3 = 24 do not add up to the total 23"
    )
    assert finding.focus == str(ID["source/test-grouped-sum/conn/331-333-1"])
    assert (finding.source_id, finding.start, finding.end, finding.surface) == (
        "test-grouped-sum",
        331,
        333,
        "23",
    )


def test_text_format(reports: dict[str, ValidationReport]) -> None:
    text = reports["parts-do-not-add-up.trig"].to_text()
    lines = text.splitlines()
    assert lines[0] == "conforms: no — 0 violations, 1 warnings"
    assert lines[2] == "Warning  parts 92 + 504 + 62 = 658 do not add up to the total 657"
    assert lines[3] == "  test-parts-sum [172:175] «657»"
    assert lines[4].startswith(
        "  sentence: Bộ phận Một cửa các cấp đã tiếp nhận 657 hồ sơ, gồm 92 hồ sơ"
    )
    assert (
        reports["conforming-report.trig"].to_text() == "conforms: yes — 0 violations, 0 warnings\n"
    )


def test_findings_are_ordered_violations_first() -> None:
    report = ValidationReport(conforms=False, findings=[], results_graph=rdflib.Graph())
    assert report.summary() == "conforms: no — 0 violations, 0 warnings"
    finding = Finding(severity="Info", message="m", focus="urn:x")
    assert finding.to_text() == "Info  m\n  focus: urn:x"


def test_json_format(reports: dict[str, ValidationReport]) -> None:
    data = reports["sources-disagree.trig"].to_json()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert (data["conforms"], data["violations"], data["warnings"]) == (False, 0, 2)
    assert {f["source_id"] for f in data["findings"]} == {"test-disagree-a", "test-disagree-b"}
    assert set(data["findings"][0]) >= {
        "severity",
        "message",
        "focus",
        "path",
        "value",
        "shape",
        "source",
        "source_id",
        "surface",
        "start",
        "end",
        "sentence",
    }


def canonical(g: rdflib.Graph) -> rdflib.Graph:
    """Decimals with one lexical form each (Turtle writes "120"^^xsd:decimal as 120.0)."""
    out = rdflib.Graph()
    for s, p, o in g:
        if isinstance(o, rdflib.Literal) and isinstance(o.value, Decimal):
            o = rdflib.Literal(format(o.value.normalize(), "f"), datatype=o.datatype)
        out.add((s, p, o))
    return out


def test_turtle_is_the_results_graph(reports: dict[str, ValidationReport]) -> None:
    report = reports["rate-over-100.trig"]
    parsed = rdflib.Graph().parse(data=report.to_turtle(), format="turtle")
    assert len(parsed) == len(report.results_graph) > 5
    assert isomorphic(canonical(parsed), canonical(report.results_graph))
    assert (None, rdflib.RDF.type, rdflib.SH.ValidationReport) in parsed


# -- selecting sources and failing to validate --------------------------------------------------


def test_only_the_given_sources_are_validated() -> None:
    store = store_with(DATA / "invalid" / "sources-disagree.trig")
    both = validate(
        store, sources=[str(ID["source/test-disagree-a"]), str(ID["source/test-disagree-b"])]
    )
    assert both.warnings == 2
    alone = validate(store, sources=[str(ID["source/test-disagree-a"])])
    assert alone.conforms, alone.to_text()


def test_an_empty_store_conforms() -> None:
    report = validate(Store(None))
    assert report.conforms and report.findings == []


def test_unknown_source_cannot_be_validated() -> None:
    with pytest.raises(ShapesLoadError, match="not in the store"):
        validate(Store(None), sources=[str(ID["source/nowhere"])])


def test_broken_shapes_raise_shapes_load_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "shapes.ttl"
    broken.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape\n", encoding="utf-8"
    )
    monkeypatch.setattr(validate_module, "SHAPES", broken)
    with pytest.raises(ShapesLoadError, match="shapes.ttl"):
        validate(store_with(DATA / "invalid" / "missing-unit.trig"))


def test_shapes_pyshacl_cannot_run_raise_shapes_load_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Valid Turtle but invalid SHACL-SPARQL (MINUS): "could not validate", not a crash."""
    bad = tmp_path / "minus.ttl"
    bad.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass <https://w3id.org/reformkg/def#Observation> ;\n"
        '  sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o MINUS { $this ?p ?o } }" ] .\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(validate_module, "SHAPES", bad)
    with pytest.raises(ShapesLoadError, match="pySHACL could not run the shapes"):
        validate(store_with(DATA / "invalid" / "missing-unit.trig"))
