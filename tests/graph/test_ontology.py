"""The ontology files parse, the shapes are valid SHACL, every term is declared and labelled."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

import ontology
from ontology import ID, RKG

ROOT = Path(__file__).resolve().parents[2]
TTL_FILES = sorted((ROOT / "ontology").glob("*.ttl"))
CODE_DIRS = ("ontology", "ingest", "graph", "api")
TERM_PATTERNS = (re.compile(r"RKG\.(\w+)"), re.compile(r"RKG\[\"(\w+)\"\]"))
DECLARED_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}


@pytest.fixture(scope="module")
def reform() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology.ONTOLOGY)


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology.SHAPES)


@pytest.fixture(scope="module")
def schemes() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology.SCHEMES)


@pytest.fixture(scope="module")
def systems() -> rdflib.Graph:
    return rdflib.Graph().parse(ontology.SYSTEMS)


def declared_terms(g: rdflib.Graph) -> set[str]:
    return {
        str(s)[len(str(RKG)) :]
        for t in DECLARED_TYPES
        for s in g.subjects(RDF.type, t)
        if str(s).startswith(str(RKG))
    }


def test_the_doorway_names_files_that_exist() -> None:
    for path in (
        ontology.ONTOLOGY,
        ontology.SCHEMES,
        ontology.SYSTEMS,
        ontology.GAZETTEER,
        ontology.SHAPES,
    ):
        assert path.exists(), path


@pytest.mark.parametrize("path", TTL_FILES, ids=[p.name for p in TTL_FILES])
def test_turtle_parses_in_rdflib_and_pyoxigraph(path: Path) -> None:
    g = rdflib.Graph().parse(path, format="turtle")
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    assert len(g) > 0
    assert len(triples) == len(g)


def test_shapes_pass_shacl_meta_shapes(shapes: rdflib.Graph) -> None:
    import pyshacl

    conforms, _, text = pyshacl.validate(
        rdflib.Graph(), shacl_graph=shapes, meta_shacl=True, advanced=True
    )
    assert conforms, text


def test_meta_shacl_check_rejects_broken_shapes(shapes: rdflib.Graph) -> None:
    """The meta-shape check above has teeth: a shape with a non-integer sh:minCount fails it."""
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError

    broken = rdflib.Graph()
    for t in shapes:
        broken.add(t)
    prop = next(broken.objects(None, SH.property))
    broken.set((prop, SH.minCount, rdflib.Literal("one")))
    with pytest.raises(ReportableRuntimeError):
        pyshacl.validate(rdflib.Graph(), shacl_graph=broken, meta_shacl=True, advanced=True)


def sparql_constraints(shapes: rdflib.Graph) -> list[tuple[str, str]]:
    prefixes = "\n".join(
        f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>"
        for d in shapes.objects(None, SH.declare)
    )
    found = [
        (str(node), f"{prefixes}\n{text}")
        for pred in (SH.select, SH.ask)
        for node, text in shapes.subject_objects(pred)
    ]
    return sorted(found)


def test_sparql_constraints_parse_in_pyoxigraph(shapes: rdflib.Graph) -> None:
    constraints = sparql_constraints(shapes)
    assert len(constraints) >= 6
    store = ox.Store()
    for node, text in constraints:
        try:
            store.query(text)
        except SyntaxError as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{node}: pyoxigraph rejects the query: {exc}")


def test_pyoxigraph_parse_check_has_teeth() -> None:
    with pytest.raises(SyntaxError):
        ox.Store().query("SELECT $this WHERE { $this rkg:x ?y }")  # undeclared prefix


def test_every_shapes_prefix_is_declared_as_anyuri(shapes: rdflib.Graph) -> None:
    for d in shapes.objects(None, SH.declare):
        ns = shapes.value(d, SH.namespace)
        assert ns.datatype == rdflib.XSD.anyURI, d


def rkg_terms_in_python() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for pattern in TERM_PATTERNS:
                for name in pattern.findall(text):
                    used.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return used


def test_every_rkg_term_named_in_python_is_declared(reform: rdflib.Graph) -> None:
    used = rkg_terms_in_python()
    assert "contentHash" in used  # the scan works (graph/store.py uses it)
    missing = {name: files for name, files in used.items() if name not in declared_terms(reform)}
    assert not missing, f"rkg: terms used in Python but not declared in reform.ttl: {missing}"


def test_every_rkg_term_in_turtle_and_test_data_is_declared(reform: rdflib.Graph) -> None:
    declared = declared_terms(reform)
    files = [*TTL_FILES, *sorted((ROOT / "tests" / "data").rglob("*.trig"))]
    undeclared: dict[str, str] = {}
    for path in files:
        if path.name == "reform.ttl":
            continue
        fmt = ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE
        for quad in ox.parse(path=str(path), format=fmt):
            for term in (quad.subject, quad.predicate, quad.object):
                if isinstance(term, ox.NamedNode) and term.value.startswith(str(RKG)):
                    name = term.value[len(str(RKG)) :]
                    if name not in declared:
                        undeclared[name] = path.name
    assert not undeclared, undeclared


def test_every_class_and_property_has_vi_and_en_labels(reform: rdflib.Graph) -> None:
    terms = [s for t in DECLARED_TYPES for s in reform.subjects(RDF.type, t)]
    assert len(terms) >= 50
    for term in terms:
        langs = {lbl.language for lbl in reform.objects(term, RDFS.label)}
        assert {"vi", "en"} <= langs, term
        comments = {c.language for c in reform.objects(term, RDFS.comment)}
        assert "en" in comments, term


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        ("Observation", "http://purl.org/linked-data/cube#Observation"),
        ("GroupedConnection", str(RKG.Connection)),
        ("Agency", "http://www.w3.org/ns/org#Organization"),
        ("AdministrativeUnit", "http://www.w3.org/ns/org#Organization"),
        ("Procedure", "http://purl.org/vocab/cpsv#PublicService"),
        ("Source", "http://www.w3.org/ns/prov#Entity"),
        ("TextSpan", "http://www.w3.org/ns/oa#SpecificResource"),
        ("IngestRun", "http://www.w3.org/ns/prov#Activity"),
    ],
)
def test_classes_reuse_external_vocabularies(reform: rdflib.Graph, cls: str, parent: str) -> None:
    assert (RKG[cls], RDFS.subClassOf, rdflib.URIRef(parent)) in reform


# -- schemes --------------------------------------------------------------------------------


def readme_controlled_values() -> dict[str, list[str]]:
    text = (ROOT / "ontology" / "README.md").read_text(encoding="utf-8")
    values = {
        m.group(1): [v.strip() for v in m.group(2).split(",")]
        for m in re.finditer(r"^- (\w+): `([^`]+)`", text, flags=re.M)
    }
    assert set(values) == {"units", "kinds", "qualifiers", "levels", "statuses"}
    return values


SCHEME_SEGMENT = {
    "units": "unit",
    "kinds": "kind",
    "qualifiers": "qualifier",
    "levels": "level",
    "statuses": "status",
}


@pytest.mark.parametrize("scheme", sorted(SCHEME_SEGMENT))
def test_schemes_hold_exactly_the_readme_values(schemes: rdflib.Graph, scheme: str) -> None:
    expected = readme_controlled_values()[scheme]
    scheme_iri = ID[f"scheme/{scheme}"]
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in schemes
    concepts = set(schemes.subjects(SKOS.inScheme, scheme_iri))
    assert {str(c) for c in concepts} == {
        str(ID[f"{SCHEME_SEGMENT[scheme]}/{v}"]) for v in expected
    }
    for concept in concepts:
        assert str(schemes.value(concept, SKOS.notation)) == str(concept).rsplit("/", 1)[1]
        assert {lbl.language for lbl in schemes.objects(concept, SKOS.prefLabel)} == {"vi", "en"}
        assert any(d.language == "en" for d in schemes.objects(concept, SKOS.definition)), concept
        pref = set(schemes.objects(concept, SKOS.prefLabel))
        assert not pref & set(schemes.objects(concept, SKOS.altLabel)), concept  # SKOS S13


def test_scheme_values_match_the_extractor_contract() -> None:
    from ingest import facts

    values = readme_controlled_values()
    assert list(facts.UNITS) == values["units"]
    assert list(facts.KINDS) == values["kinds"]
    assert list(facts.QUALIFIERS) == values["qualifiers"]
    assert list(facts.LEVELS) == values["levels"]
    assert list(facts.STATUSES) == values["statuses"]


@pytest.mark.parametrize(
    ("qualifier", "cues"),
    [
        ("more_than", {"hơn", "trên"}),
        ("nearly", {"gần"}),
        ("about", {"khoảng", "xấp xỉ"}),
        ("estimated", {"ước"}),
        ("at_least", {"ít nhất", "tối thiểu", "không dưới"}),
        ("up_to", {"dưới", "tối đa", "không quá"}),
    ],
)
def test_qualifier_cue_words_are_vietnamese_alt_labels(
    schemes: rdflib.Graph, qualifier: str, cues: set[str]
) -> None:
    alt = {
        str(a)
        for a in schemes.objects(ID[f"qualifier/{qualifier}"], SKOS.altLabel)
        if a.language == "vi"
    }
    assert cues <= alt


def test_national_level_is_also_called_central(schemes: rdflib.Graph) -> None:
    alt = set(schemes.objects(ID["level/national"], SKOS.altLabel))
    assert rdflib.Literal("trung ương", lang="vi") in alt
    assert rdflib.Literal("central", lang="en") in alt


# -- systems --------------------------------------------------------------------------------

NATIONAL = [
    "national-public-service-portal",
    "national-tthc-database",
    "national-data-exchange-platform",
    "national-document-exchange",
    "national-payment-platform",
    "paygov",
    "national-population-database",
    "vneid",
    "feedback-system",
    "personal-data-store",
    "dvcqg-coordination-system",
    "government-reporting-system",
    "government-operations-center",
    "e-cabinet",
    "government-task-tracking-system",
    "specialized-data-network",
    "digital-signature-service",
]
SYSTEM_TYPES = [
    "tthc-information-system",
    "public-service-portal",
    "local-data-exchange-platform",
    "reporting-system",
    "ioc",
    "web-portal",
    "document-management-system",
]


def test_canonical_systems_are_labelled_and_operated(systems: rdflib.Graph) -> None:
    instances = {str(s) for s in systems.subjects(RDF.type, RKG.InformationSystem)}
    assert instances == {
        str(ID[f"system/{slug}"]) for slug in [*NATIONAL, "tthc-information-system-ministry"]
    }
    for slug in NATIONAL:
        system = ID[f"system/{slug}"]
        for prop in (RDFS.label, SKOS.prefLabel):
            assert {lbl.language for lbl in systems.objects(system, prop)} == {"vi", "en"}, slug
        assert systems.value(system, RKG.level) == ID["level/national"], slug
        operator = systems.value(system, RKG.operator)
        assert str(operator).startswith(str(ID["agency/central/"])), slug
        assert (operator, RDF.type, RKG.Agency) in systems
        assert (
            systems.value(operator, rdflib.URIRef("http://www.w3.org/ns/org#classification"))
            == ID["level/national"]
        )
        assert {lbl.language for lbl in systems.objects(operator, RDFS.label)} == {"vi", "en"}
        assert str(systems.value(system, RKG.slug)) == slug


def test_aliases_are_alt_labels(systems: rdflib.Graph) -> None:
    def alt(slug: str) -> set[str]:
        return {str(a) for a in systems.objects(ID[f"system/{slug}"], SKOS.altLabel)}

    assert {"Cổng DVCQG", "dichvucong.gov.vn"} <= alt("national-public-service-portal")
    assert {"NDXP", "NGSP"} <= alt("national-data-exchange-platform")
    assert "VNeID" in alt("vneid")
    lgsp = {
        str(a)
        for a in systems.objects(ID["system-type/local-data-exchange-platform"], SKOS.altLabel)
    }
    assert "LGSP" in lgsp


def test_province_templates_are_system_types_not_instances(systems: rdflib.Graph) -> None:
    scheme = ID["scheme/system-types"]
    types = {str(c) for c in systems.subjects(SKOS.inScheme, scheme)}
    assert types == {str(ID[f"system-type/{slug}"]) for slug in SYSTEM_TYPES}
    for slug in SYSTEM_TYPES:
        concept = ID[f"system-type/{slug}"]
        assert str(systems.value(concept, SKOS.notation)) == slug
        assert (concept, RDF.type, RKG.InformationSystem) not in systems
        assert {lbl.language for lbl in systems.objects(concept, SKOS.prefLabel)} == {"vi", "en"}
