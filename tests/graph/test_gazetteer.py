"""The gazetteer: provinces before and after 2025-07-01, districts, and the 2025 change events."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from ontology import GAZETTEER, ID, ORG, RKG

SHARED = Path(__file__).resolve().parents[3] / "shared"
OLD = "adm/2008-2025/province/"
NEW = "adm/2025/province/"
DISTRICT = "adm/2008-2025/district/"
DATE = rdflib.URIRef("http://www.w3.org/2001/XMLSchema#date")


@pytest.fixture(scope="module")
def gaz() -> rdflib.Graph:
    return rdflib.Graph().parse(GAZETTEER)


def units(g: rdflib.Graph, prefix: str) -> set[rdflib.URIRef]:
    return {
        s
        for s in g.subjects(RDF.type, RKG.AdministrativeUnit)
        if str(s).startswith(str(ID[prefix]))
    }


def old(code: int) -> rdflib.URIRef:
    return ID[f"{OLD}{code}"]


def new(code: int) -> rdflib.URIRef:
    return ID[f"{NEW}{code}"]


def replaced_by(g: rdflib.Graph, unit: rdflib.URIRef) -> set[rdflib.URIRef]:
    return set(g.objects(unit, DCTERMS.isReplacedBy))


def test_63_old_and_34_new_provinces_and_696_districts(gaz: rdflib.Graph) -> None:
    assert len(units(gaz, OLD)) == 63
    assert len(units(gaz, NEW)) == 34
    assert len(units(gaz, DISTRICT)) == 696


def test_vinh_phuc_merged_into_phu_tho(gaz: rdflib.Graph) -> None:
    assert replaced_by(gaz, old(26)) == {new(25)}
    assert str(gaz.value(old(26), RKG.name)) == "Vĩnh Phúc"
    assert str(gaz.value(new(25), RKG.name)) == "Phú Thọ"
    assert gaz.value(old(26), SKOS.prefLabel) == rdflib.Literal("Tỉnh Vĩnh Phúc", lang="vi")
    assert rdflib.Literal("Vinh Phuc Province", lang="en") in set(gaz.objects(old(26), RDFS.label))
    assert str(gaz.value(old(26), RKG.code)) == "26"
    assert str(gaz.value(old(26), RKG.slug)) == "vinh-phuc"
    assert gaz.value(old(26), ORG.classification) == ID["level/provincial"]


def test_reused_code_15_names_two_units(gaz: rdflib.Graph) -> None:
    assert old(15) != new(15)
    assert str(gaz.value(old(15), RKG.name)) == "Yên Bái"
    assert str(gaz.value(new(15), RKG.name)) == "Lào Cai"
    assert replaced_by(gaz, old(15)) == {new(15)}
    assert replaced_by(gaz, old(10)) == {new(15)}  # the old Lào Cai
    assert str(gaz.value(old(15), RKG.code)) == str(gaz.value(new(15), RKG.code)) == "15"


def test_tien_giang_maps_to_dong_thap_only(gaz: rdflib.Graph) -> None:
    """DOMAIN.md §5.1 defect 1: the package's province table also says Tây Ninh (80)."""
    assert str(gaz.value(old(82), RKG.name)) == "Tiền Giang"
    assert replaced_by(gaz, old(82)) == {new(82)}
    assert str(gaz.value(new(82), RKG.name)) == "Đồng Tháp"
    tay_ninh = ID["event/2025-reorganization/province/80"]
    assert old(82) not in set(gaz.objects(tay_ninh, ORG.originalOrganization))


def test_phuc_yen_district_is_part_of_vinh_phuc(gaz: rdflib.Graph) -> None:
    phuc_yen = ID[f"{DISTRICT}244"]
    assert gaz.value(phuc_yen, DCTERMS.isPartOf) == old(26)
    assert str(gaz.value(phuc_yen, RKG.name)) == "Phúc Yên"
    assert gaz.value(phuc_yen, ORG.classification) == ID["level/district"]
    assert gaz.value(phuc_yen, RKG.validUntil) == rdflib.Literal("2025-06-30", datatype=DATE)


def test_every_old_province_is_replaced_by_exactly_one_new_one(gaz: rdflib.Graph) -> None:
    for unit in units(gaz, OLD):
        targets = replaced_by(gaz, unit)
        assert len(targets) == 1, unit
        assert next(iter(targets)) in units(gaz, NEW)


def test_change_events_partition_the_old_provinces(gaz: rdflib.Graph) -> None:
    events = set(gaz.subjects(RDF.type, ORG.ChangeEvent))
    assert len(events) == 34
    seen: list[rdflib.URIRef] = []
    for event in events:
        code = str(event).rsplit("/", 1)[1]
        assert str(event) == str(ID[f"event/2025-reorganization/province/{code}"])
        assert gaz.value(event, ORG.resultingOrganization) == new(int(code))
        assert gaz.value(event, DCTERMS.date) == rdflib.Literal("2025-07-01", datatype=DATE)
        assert str(gaz.value(event, DCTERMS.source)) == "Nghị quyết 202/2025/QH15"
        originals = set(gaz.objects(event, ORG.originalOrganization))
        assert originals == {u for u in units(gaz, OLD) if replaced_by(gaz, u) == {new(int(code))}}
        seen.extend(originals)
    assert sorted(seen) == sorted(units(gaz, OLD))


def test_validity_intervals(gaz: rdflib.Graph) -> None:
    def date(text: str) -> rdflib.Literal:
        return rdflib.Literal(text, datatype=DATE)

    for unit in units(gaz, OLD):
        assert gaz.value(unit, RKG.validFrom) == date("2008-08-01"), unit
        assert gaz.value(unit, RKG.validUntil) == date("2025-06-30"), unit
    for unit in units(gaz, NEW):
        assert gaz.value(unit, RKG.validFrom) == date("2025-07-01"), unit
        assert gaz.value(unit, RKG.validUntil) is None, unit
    for unit in units(gaz, DISTRICT):
        assert gaz.value(unit, RKG.validUntil) == date("2025-06-30"), unit
        assert gaz.value(unit, DCTERMS.isPartOf) in units(gaz, OLD), unit


def test_names_are_nfc_with_new_style_tones(gaz: rdflib.Graph) -> None:
    old_style = re.compile(r"(?<![qQ])(o[àáảãạ]|o[èéẻẽẹ]|u[ỳýỷỹỵ])(?!\w)", re.I)
    names = [str(o) for p in (SKOS.prefLabel, RKG.name, RDFS.label) for o in gaz.objects(None, p)]
    assert len(names) > 2000
    for name in names:
        assert unicodedata.is_normalized("NFC", name), name
        assert not old_style.search(name), name
    assert str(gaz.value(old(17), RKG.name)) == "Hòa Bình"


def test_slugs_are_ascii_hyphenated(gaz: rdflib.Graph) -> None:
    slugs = {str(s) for s in gaz.objects(None, RKG.slug)}
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs)
    assert str(gaz.value(old(77), RKG.slug)) == "ba-ria-vung-tau"
    assert str(gaz.value(old(66), RKG.slug)) == "dak-lak"


def domain_mergers() -> dict[int, set[int]]:
    """The old -> new table of DOMAIN.md §4.2, when ../shared is beside the repository."""
    path = SHARED / "DOMAIN.md"
    if not path.exists():
        pytest.skip(f"{path} not found: the cross-check needs ../shared beside the repository")
    table: dict[int, set[int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|[^|]+\|\s*\d+\s*\|([^|]+)\|", line)
        if m:
            table[int(m.group(1))] = {int(c) for c in re.findall(r"(\d+)\s+\D", m.group(2) + " ")}
    return table


def test_mapping_agrees_with_domain_table(gaz: rdflib.Graph) -> None:
    expected = domain_mergers()
    assert len(expected) == 34
    actual: dict[int, set[int]] = {}
    for unit in units(gaz, OLD):
        target = int(str(next(iter(replaced_by(gaz, unit)))).rsplit("/", 1)[1])
        actual.setdefault(target, set()).add(int(str(unit).rsplit("/", 1)[1]))
    assert actual == expected
